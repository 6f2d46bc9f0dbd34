/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Logout: the back-channel logout token (every refusal), and the end-session request by POST and GET.
 */
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>

#include "jwt_helper.h"
#include "oidc/end_session.h"
#include "oidc/jwks.h"
#include "oidc/jws_verify.h"
#include "oidc/logout_token.h"

static test_key_t *op_key;
static void key_once(void);
#define UNIT_BEFORE_ALL key_once
#include "unit_main.h"

#define NOW 1700000000
#define ISS "https://test.idporten.no"
#define EVENTS "{\"" FST_LOGOUT_EVENT "\":{}}"

static void key_once(void)
{
    static apr_pool_t *keep;

    apr_initialize();
    apr_pool_create(&keep, NULL);
    op_key = test_key_new(keep, 2048, "op-key-1");
}

static fst_logout_token_expect_t expect(void)
{
    fst_logout_token_expect_t e = {ISS, "client-1", NOW, 60};
    return e;
}

/* A good payload with one member replaced (or removed when value is NULL), or added. */
static const char *payload(const char *member, const char *value)
{
    static const char *const names[] = {"iss", "aud", "iat", "jti", "events", "sid", "sub", NULL};
    const char *values[] = {"\"" ISS "\"", "\"client-1\"", "1699999995", "\"jti-1\"", EVENTS, "\"sid-1\"",
                            "\"pairwise\""};
    char *out = "{";
    int i, first = 1;

    for (i = 0; names[i]; i++) {
        const char *v = values[i];
        if (member && strcmp(member, names[i]) == 0)
            v = value;
        if (v == NULL)
            continue;
        out = apr_psprintf(pool, "%s%s\"%s\":%s", out, first ? "" : ",", names[i], v);
        first = 0;
    }
    if (member && value && strstr(out, apr_psprintf(pool, "\"%s\":", member)) == NULL)
        out = apr_psprintf(pool, "%s,\"%s\":%s", out, member, value);
    return apr_pstrcat(pool, out, "}", NULL);
}

static fst_logout_token_result_t check_text(const char *p, fst_logout_token_claims_t *c, const char **err)
{
    fst_logout_token_expect_t e = expect();
    fst_logout_token_claims_t dummy_c;
    const char *dummy = NULL;

    return fst_logout_token_check(pool, p, strlen(p), &e, c ? c : &dummy_c, err ? err : &dummy);
}

static fst_logout_token_result_t check(const char *member, const char *value)
{
    return check_text(payload(member, value), NULL, NULL);
}

START_TEST(good_token)
{
    fst_logout_token_claims_t c;
    const char *err = NULL;

    ck_assert_int_eq(check_text(payload(NULL, NULL), &c, &err), FST_LOGOUT_TOKEN_OK);
    ck_assert_str_eq(c.sid, "sid-1");
    ck_assert_str_eq(c.sub, "pairwise");
    ck_assert_str_eq(c.jti, "jti-1");
    ck_assert_int_eq(c.iat, 1699999995);
    ck_assert_int_eq(c.exp, 0);
    /* sid alone, sub alone. */
    ck_assert_int_eq(check_text(payload("sub", NULL), &c, &err), FST_LOGOUT_TOKEN_OK);
    ck_assert_str_eq(c.sid, "sid-1");
    ck_assert_ptr_null(c.sub);
    ck_assert_int_eq(check_text(payload("sid", NULL), &c, &err), FST_LOGOUT_TOKEN_OK);
    ck_assert_ptr_null(c.sid);
    ck_assert_str_eq(c.sub, "pairwise");
    /* exp, when present and not passed; aud as an array holding us; a non-empty event object. */
    ck_assert_int_eq(check_text(payload("exp", "1700000120"), &c, &err), FST_LOGOUT_TOKEN_OK);
    ck_assert_int_eq(c.exp, 1700000120);
    ck_assert_int_eq(check("aud", "[\"client-1\"]"), FST_LOGOUT_TOKEN_OK);
    ck_assert_int_eq(check("events", "{\"" FST_LOGOUT_EVENT "\":{\"x\":1},\"other\":{}}"), FST_LOGOUT_TOKEN_OK);
    /* iat at either edge of the skew. */
    ck_assert_int_eq(check("iat", "1700000060"), FST_LOGOUT_TOKEN_OK);
    ck_assert_int_eq(check("iat", "1699999940"), FST_LOGOUT_TOKEN_OK);
}
END_TEST

START_TEST(issuer_and_audience)
{
    const char *err = NULL;

    ck_assert_int_eq(check("iss", NULL), FST_LOGOUT_TOKEN_ISS);
    ck_assert_int_eq(check_text(payload("iss", "\"https://evil.example\""), NULL, &err), FST_LOGOUT_TOKEN_ISS);
    ck_assert_str_eq(err, "iss is not the OP's issuer");
    ck_assert_int_eq(check("iss", "\"" ISS "/\""), FST_LOGOUT_TOKEN_ISS);
    ck_assert_int_eq(check("iss", "1"), FST_LOGOUT_TOKEN_ISS);
    ck_assert_int_eq(check("aud", NULL), FST_LOGOUT_TOKEN_AUD);
    ck_assert_int_eq(check_text(payload("aud", "\"client-2\""), NULL, &err), FST_LOGOUT_TOKEN_AUD);
    ck_assert_str_eq(err, "aud does not contain this client_id");
    ck_assert_int_eq(check("aud", "[\"client-2\",1]"), FST_LOGOUT_TOKEN_AUD);
    /* Several audiences need azp naming us; an azp naming another client is refused. */
    ck_assert_int_eq(check("aud", "[\"client-1\",\"client-2\"]"), FST_LOGOUT_TOKEN_AUD);
    ck_assert_int_eq(check("azp", "\"client-2\""), FST_LOGOUT_TOKEN_AUD);
}
END_TEST

START_TEST(times)
{
    const char *err = NULL;

    ck_assert_int_eq(check_text(payload("iat", NULL), NULL, &err), FST_LOGOUT_TOKEN_IAT);
    ck_assert_str_eq(err, "iat is missing or not a date");
    ck_assert_int_eq(check("iat", "\"1699999995\""), FST_LOGOUT_TOKEN_IAT);
    ck_assert_int_eq(check("iat", "-5"), FST_LOGOUT_TOKEN_IAT);
    /* From the future beyond the skew, or older than it: a replay of an old token. */
    ck_assert_int_eq(check_text(payload("iat", "1700000061"), NULL, &err), FST_LOGOUT_TOKEN_IAT);
    ck_assert_str_eq(err, "iat is 61 s after now, more than the clock skew");
    ck_assert_int_eq(check_text(payload("iat", "1699999939"), NULL, &err), FST_LOGOUT_TOKEN_IAT);
    ck_assert_str_eq(err, "iat is 61 s before now, more than the clock skew");
    ck_assert_int_eq(check("iat", "1600000000"), FST_LOGOUT_TOKEN_IAT);
    /* exp: passed (beyond the skew), or not a date. */
    ck_assert_int_eq(check_text(payload("exp", "1699999940"), NULL, &err), FST_LOGOUT_TOKEN_EXP);
    ck_assert_str_eq(err, "exp is passed or not a date");
    ck_assert_int_eq(check("exp", "\"soon\""), FST_LOGOUT_TOKEN_EXP);
    ck_assert_int_eq(check("exp", "null"), FST_LOGOUT_TOKEN_EXP);
}
END_TEST

START_TEST(jti_events_nonce)
{
    const char *err = NULL;
    char *long_jti = apr_pstrcat(pool, "\"", apr_psprintf(pool, "%0600d", 0), "\"", NULL);

    ck_assert_int_eq(check_text(payload("jti", NULL), NULL, &err), FST_LOGOUT_TOKEN_JTI);
    ck_assert_str_eq(err, "jti is missing or not a short string");
    ck_assert_int_eq(check("jti", "\"\""), FST_LOGOUT_TOKEN_JTI);
    ck_assert_int_eq(check("jti", "7"), FST_LOGOUT_TOKEN_JTI);
    ck_assert_int_eq(check("jti", long_jti), FST_LOGOUT_TOKEN_JTI);

    ck_assert_int_eq(check_text(payload("events", NULL), NULL, &err), FST_LOGOUT_TOKEN_EVENTS);
    ck_assert_str_eq(err, "events is missing or not an object");
    ck_assert_int_eq(check("events", "[\"" FST_LOGOUT_EVENT "\"]"), FST_LOGOUT_TOKEN_EVENTS);
    ck_assert_int_eq(check_text(payload("events", "{}"), NULL, &err), FST_LOGOUT_TOKEN_EVENTS);
    ck_assert_str_eq(err, "events has no back-channel logout event object");
    ck_assert_int_eq(check("events", "{\"" FST_LOGOUT_EVENT "\":true}"), FST_LOGOUT_TOKEN_EVENTS);
    ck_assert_int_eq(check("events", "{\"" FST_LOGOUT_EVENT "\":\"{}\"}"), FST_LOGOUT_TOKEN_EVENTS);
    ck_assert_int_eq(check("events", "{\"http://schemas.openid.net/event/backchannel-logout/\":{}}"),
                     FST_LOGOUT_TOKEN_EVENTS);

    /* A nonce makes it an ID token, whatever else it holds. */
    ck_assert_int_eq(check_text(payload("nonce", "\"n\""), NULL, &err), FST_LOGOUT_TOKEN_NONCE);
    ck_assert_str_eq(err, "a nonce is present: logout tokens must not carry one");
    ck_assert_int_eq(check("nonce", "null"), FST_LOGOUT_TOKEN_NONCE);
}
END_TEST

START_TEST(subject)
{
    fst_logout_token_claims_t c;
    const char *err = NULL;
    const char *neither = "{\"iss\":\"" ISS "\",\"aud\":\"client-1\",\"iat\":1699999995,\"jti\":\"j\","
                          "\"events\":" EVENTS "}";

    ck_assert_int_eq(check_text(neither, &c, &err), FST_LOGOUT_TOKEN_SUBJECT);
    ck_assert_str_eq(err, "neither sid nor sub is present");
    ck_assert_ptr_null(c.jti);
    ck_assert_int_eq(check_text(payload("sid", "\"\""), NULL, &err), FST_LOGOUT_TOKEN_SUBJECT);
    ck_assert_str_eq(err, "sid or sub is not a short string");
    ck_assert_int_eq(check("sub", "17"), FST_LOGOUT_TOKEN_SUBJECT);
    ck_assert_int_eq(check("sid", "null"), FST_LOGOUT_TOKEN_SUBJECT);
    ck_assert_int_eq(check("sub", apr_pstrcat(pool, "\"", apr_psprintf(pool, "%0513d", 0), "\"", NULL)),
                     FST_LOGOUT_TOKEN_SUBJECT);
}
END_TEST

START_TEST(malformed_payloads)
{
    const char *err = NULL;

    ck_assert_int_eq(check_text("not json", NULL, &err), FST_LOGOUT_TOKEN_MALFORMED);
    ck_assert_int_eq(check_text("[1]", NULL, NULL), FST_LOGOUT_TOKEN_MALFORMED);
    ck_assert_int_eq(check_text("{\"iss\":\"https://evil\",\"iss\":\"" ISS "\"}", NULL, NULL),
                     FST_LOGOUT_TOKEN_MALFORMED);
    ck_assert_int_eq(check_text("{\"a\":[[[[[[[[[[[[1]]]]]]]]]]]]}", NULL, NULL), FST_LOGOUT_TOKEN_MALFORMED);
    ck_assert_str_eq(fst_logout_token_result_text(FST_LOGOUT_TOKEN_EVENTS), "events");
    ck_assert_str_eq(fst_logout_token_result_text(FST_LOGOUT_TOKEN_NONCE), "nonce");
}
END_TEST

/* The signature goes through the ID token's JWS code: RS256 with the OP's key only. */
START_TEST(signature)
{
    const char *jwks_text = test_jwks(pool, op_key, NULL), *kid = NULL, *err = NULL;
    const char *p = payload(NULL, NULL);
    fst_jwks_t *jwks = NULL;
    fst_logout_token_claims_t c;
    fst_logout_token_expect_t e = expect();
    test_key_t *other = test_key_new(pool, 2048, "op-key-1");
    char *out = NULL;
    size_t len = 0;

    ck_assert_int_eq(fst_jwks_parse(pool, jwks_text, strlen(jwks_text), &jwks, &err), FST_JWKS_OK);
    ck_assert_int_eq(fst_jws_verify(pool, test_jwt_rs256(pool, op_key, "{\"alg\":\"RS256\",\"kid\":\"op-key-1\","
                                                         "\"typ\":\"logout+jwt\"}", p), jwks, &out, &len, &kid),
                     FST_JWS_OK);
    ck_assert_int_eq(fst_logout_token_check(pool, out, len, &e, &c, &err), FST_LOGOUT_TOKEN_OK);
    ck_assert_str_eq(c.sid, "sid-1");
    ck_assert_int_eq(fst_jws_verify(pool, test_jwt_unsigned(pool, "{\"alg\":\"none\"}", p), jwks, &out, &len, &kid),
                     FST_JWS_MALFORMED);
    ck_assert_int_eq(fst_jws_verify(pool, test_jwt_hs256(pool, "x", 1, "{\"alg\":\"none\"}", p), jwks, &out, &len,
                                    &kid), FST_JWS_ALG);
    ck_assert_int_eq(fst_jws_verify(pool, test_jwt_hs256(pool, "secret", 6, "{\"alg\":\"HS256\"}", p), jwks, &out,
                                    &len, &kid), FST_JWS_ALG);
    ck_assert_int_eq(fst_jws_verify(pool, test_jwt_rs256(pool, other, "{\"alg\":\"RS256\",\"kid\":\"op-key-1\"}", p),
                                    jwks, &out, &len, &kid), FST_JWS_SIGNATURE);
    ck_assert_int_eq(fst_jws_verify(pool, test_jwt_rs256(pool, op_key, "{\"alg\":\"RS256\",\"kid\":\"rotated\"}", p),
                                    jwks, &out, &len, &kid), FST_JWS_UNKNOWN_KID);
    unlink(other->pem_path);
}
END_TEST

START_TEST(end_session_request)
{
    fst_end_session_request_t req = {"https://login.test.idporten.no/logout", "h.p.s", "client 1",
                                     "https://skole.example/?x=1", "st&1", "nn"};
    fst_param_t p[FST_END_SESSION_PARAMS];
    int n;

    ck_assert_str_eq(fst_end_session_url(pool, &req),
                     "https://login.test.idporten.no/logout?id_token_hint=h.p.s&client_id=client%201"
                     "&post_logout_redirect_uri=https%3A%2F%2Fskole.example%2F%3Fx%3D1&state=st%261&ui_locales=nn");
    n = fst_end_session_params(&req, p);
    ck_assert_int_eq(n, 5);
    ck_assert_str_eq(p[0].name, "id_token_hint");
    ck_assert_str_eq(p[0].value, "h.p.s");
    ck_assert_str_eq(p[2].name, "post_logout_redirect_uri");
    ck_assert_str_eq(p[2].value, "https://skole.example/?x=1"); /* the form's fields are escaped as HTML later */
    ck_assert_str_eq(p[3].name, "state");
    /* No verifiable hint: left out, client_id still there; the endpoint's own query is kept. */
    req.id_token_hint = NULL;
    req.ui_locales = NULL;
    req.endpoint = "https://op/logout?tenant=a";
    ck_assert_str_eq(fst_end_session_url(pool, &req), "https://op/logout?tenant=a&client_id=client%201"
                                                      "&post_logout_redirect_uri=https%3A%2F%2Fskole.example%2F%3Fx%3D1"
                                                      "&state=st%261");
    n = fst_end_session_params(&req, p);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(p[0].name, "client_id");

    ck_assert_int_eq(fst_end_session_method_parse("POST"), FST_END_SESSION_POST);
    ck_assert_int_eq(fst_end_session_method_parse("get"), FST_END_SESSION_GET);
    ck_assert_int_eq(fst_end_session_method_parse("PUT"), -1);
    ck_assert_int_eq(fst_end_session_method_parse(NULL), -1);
    ck_assert_str_eq(fst_end_session_method_name(FST_END_SESSION_GET), "GET");
    ck_assert_str_eq(fst_end_session_method_name(FST_END_SESSION_POST), "POST");
}
END_TEST

UNIT_MAIN("oidc_logout", good_token, issuer_and_audience, times, jti_events_nonce, subject, malformed_payloads,
          signature, end_session_request)
