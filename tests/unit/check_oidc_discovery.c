/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "oidc/discovery.h"
#include "unit_main.h"

#define ISS "https://test.idporten.no"

static const char *doc(const char *extra)
{
    return apr_psprintf(pool,
                        "{\"issuer\":\"" ISS "\","
                        "\"authorization_endpoint\":\"https://login.test.idporten.no/authorize\","
                        "\"token_endpoint\":\"https://test.idporten.no/token\","
                        "\"jwks_uri\":\"https://test.idporten.no/jwks.json\","
                        "\"end_session_endpoint\":\"https://login.test.idporten.no/logout\","
                        "\"response_types_supported\":[\"code\"],"
                        "\"code_challenge_methods_supported\":[\"S256\"],"
                        "\"id_token_signing_alg_values_supported\":[\"RS256\"],"
                        "\"token_endpoint_auth_methods_supported\":[\"client_secret_basic\",\"private_key_jwt\"]%s}",
                        extra);
}

static fst_discovery_result_t parse(const char *text, fst_discovery_t *d, const char **err)
{
    return fst_discovery_parse(pool, text, strlen(text), ISS, "private_key_jwt", d, err);
}

START_TEST(valid)
{
    fst_discovery_t d;
    const char *err = NULL;

    ck_assert_int_eq(parse(doc(",\"authorization_response_iss_parameter_supported\":true"), &d, &err),
                     FST_DISCOVERY_OK);
    ck_assert_str_eq(d.issuer, ISS);
    ck_assert_str_eq(d.authorization_endpoint, "https://login.test.idporten.no/authorize");
    ck_assert_str_eq(d.token_endpoint, "https://test.idporten.no/token");
    ck_assert_str_eq(d.jwks_uri, "https://test.idporten.no/jwks.json");
    ck_assert_str_eq(d.end_session_endpoint, "https://login.test.idporten.no/logout");
    ck_assert_int_eq(d.iss_parameter_supported, 1);
    ck_assert_int_eq(parse(doc(""), &d, &err), FST_DISCOVERY_OK);
    ck_assert_int_eq(d.iss_parameter_supported, 0);
}
END_TEST

START_TEST(issuer_must_match_exactly)
{
    fst_discovery_t d;
    const char *err = NULL;
    const char *text = doc("");

    ck_assert_int_eq(fst_discovery_parse(pool, text, strlen(text), ISS "/", NULL, &d, &err),
                     FST_DISCOVERY_ISSUER_MISMATCH);
    ck_assert_ptr_nonnull(strstr(err, "is not the configured issuer"));
    ck_assert_int_eq(fst_discovery_parse(pool, text, strlen(text), "https://idporten.no", NULL, &d, &err),
                     FST_DISCOVERY_ISSUER_MISMATCH);
    ck_assert_int_eq(parse("{\"authorization_endpoint\":\"https://x/a\"}", &d, &err), FST_DISCOVERY_INCOMPLETE);
    ck_assert_str_eq(err, "discovery document: no issuer");
}
END_TEST

START_TEST(endpoints)
{
    fst_discovery_t d;
    const char *err = NULL;
    char *text = apr_pstrdup(pool, doc(""));
    char *p = strstr(text, "https://test.idporten.no/token");

    memcpy(p, "http://", 7); /* shifts nothing: "https:/" -> "http://" */
    ck_assert_int_eq(parse(text, &d, &err), FST_DISCOVERY_INCOMPLETE);
    ck_assert_ptr_nonnull(strstr(err, "token_endpoint is not an https URL"));
    text = apr_psprintf(pool, "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"https://a/\","
                              "\"token_endpoint\":\"https://a/t\"}");
    ck_assert_int_eq(parse(text, &d, &err), FST_DISCOVERY_INCOMPLETE);
    ck_assert_str_eq(err, "discovery document: jwks_uri is missing");
    text = apr_psprintf(pool, "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"https://a/\","
                              "\"token_endpoint\":\"https://a/t\",\"jwks_uri\":\"https://a/j\","
                              "\"end_session_endpoint\":\"javascript:x\"}");
    ck_assert_int_eq(parse(text, &d, &err), FST_DISCOVERY_INCOMPLETE);
    text = apr_psprintf(pool, "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"http://127.0.0.1:8080/a\","
                              "\"token_endpoint\":\"http://localhost/t\",\"jwks_uri\":\"http://[::1]:9/j\"}");
    ck_assert_int_eq(parse(text, &d, &err), FST_DISCOVERY_OK);
    ck_assert_ptr_null(d.end_session_endpoint);
}
END_TEST

START_TEST(secure_urls)
{
    ck_assert(fst_url_is_secure("https://idporten.no/x"));
    ck_assert(fst_url_is_secure("http://127.0.0.1:1/x"));
    ck_assert(fst_url_is_secure("http://localhost"));
    ck_assert(!fst_url_is_secure("http://127.0.0.1.evil/x"));
    ck_assert(!fst_url_is_secure("http://localhost.evil/x"));
    ck_assert(!fst_url_is_secure("http://idporten.no/x"));
    ck_assert(!fst_url_is_secure("https:///x"));
    ck_assert(!fst_url_is_secure("https://a b/"));
    ck_assert(!fst_url_is_secure(NULL));
}
END_TEST

START_TEST(what_the_op_offers)
{
    fst_discovery_t d;
    const char *err = NULL;
    const char *no_s256 = apr_psprintf(pool,
                                       "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"https://a/\","
                                       "\"token_endpoint\":\"https://a/t\",\"jwks_uri\":\"https://a/j\","
                                       "\"code_challenge_methods_supported\":[\"plain\"]}");
    const char *no_rs256 = apr_psprintf(pool,
                                        "{\"issuer\":\"" ISS "\",\"authorization_endpoint\":\"https://a/\","
                                        "\"token_endpoint\":\"https://a/t\",\"jwks_uri\":\"https://a/j\","
                                        "\"id_token_signing_alg_values_supported\":\"RS256\"}");

    ck_assert_int_eq(parse(no_s256, &d, &err), FST_DISCOVERY_UNSUPPORTED);
    ck_assert_int_eq(parse(no_rs256, &d, &err), FST_DISCOVERY_UNSUPPORTED);
    ck_assert_int_eq(fst_discovery_parse(pool, doc(""), strlen(doc("")), ISS, "client_secret_post", &d, &err),
                     FST_DISCOVERY_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err, "client_secret_post"));
}
END_TEST

START_TEST(hostile_documents)
{
    fst_discovery_t d;
    const char *err = NULL;
    char *deep = apr_palloc(pool, 20001), *huge;
    size_t i;

    for (i = 0; i < 10000; i++) {
        deep[i] = '[';
        deep[10000 + i] = ']';
    }
    deep[20000] = '\0';
    ck_assert_int_eq(parse(deep, &d, &err), FST_DISCOVERY_MALFORMED);
    ck_assert_str_eq(err, "discovery document: document nested too deeply");
    huge = apr_palloc(pool, FST_DISCOVERY_MAX_BYTES + 100);
    memset(huge, ' ', FST_DISCOVERY_MAX_BYTES + 99);
    huge[0] = '{';
    huge[FST_DISCOVERY_MAX_BYTES + 98] = '}';
    huge[FST_DISCOVERY_MAX_BYTES + 99] = '\0';
    ck_assert_int_eq(parse(huge, &d, &err), FST_DISCOVERY_MALFORMED);
    ck_assert_str_eq(err, "discovery document: document too large");
    ck_assert_int_eq(parse("<html>", &d, &err), FST_DISCOVERY_MALFORMED);
    ck_assert_int_eq(parse("{\"issuer\":\"" ISS "\",\"issuer\":\"https://evil\"}", &d, &err),
                     FST_DISCOVERY_MALFORMED);
    ck_assert_int_eq(fst_discovery_parse(pool, "", 0, ISS, NULL, &d, &err), FST_DISCOVERY_MALFORMED);
}
END_TEST

START_TEST(pushed_authorization_requests)
{
    fst_discovery_t d;
    const char *err = NULL;

    ck_assert_int_eq(parse(doc(""), &d, &err), FST_DISCOVERY_OK);
    ck_assert_ptr_null(d.par_endpoint);
    ck_assert_int_eq(d.require_par, 0);
    ck_assert_int_eq(parse(doc(",\"pushed_authorization_request_endpoint\":\"https://test.idporten.no/par\""), &d,
                           &err), FST_DISCOVERY_OK);
    ck_assert_str_eq(d.par_endpoint, "https://test.idporten.no/par");
    ck_assert_int_eq(d.require_par, 0);
    ck_assert_int_eq(parse(doc(",\"pushed_authorization_request_endpoint\":\"https://test.idporten.no/par\","
                               "\"require_pushed_authorization_requests\":true"), &d, &err), FST_DISCOVERY_OK);
    ck_assert_int_eq(d.require_par, 1);
    /* Only JSON true requires it. */
    ck_assert_int_eq(parse(doc(",\"pushed_authorization_request_endpoint\":\"https://test.idporten.no/par\","
                               "\"require_pushed_authorization_requests\":\"true\""), &d, &err), FST_DISCOVERY_OK);
    ck_assert_int_eq(d.require_par, 0);
    /* Refusals: PAR required but nowhere to push; an endpoint that is not https; not a string. */
    ck_assert_int_eq(parse(doc(",\"require_pushed_authorization_requests\":true"), &d, &err),
                     FST_DISCOVERY_INCOMPLETE);
    ck_assert_str_eq(err, "discovery document: require_pushed_authorization_requests without a "
                          "pushed_authorization_request_endpoint");
    ck_assert_int_eq(parse(doc(",\"pushed_authorization_request_endpoint\":\"http://test.idporten.no/par\""), &d,
                           &err), FST_DISCOVERY_INCOMPLETE);
    ck_assert_str_eq(err, "discovery document: pushed_authorization_request_endpoint is not an https URL");
    ck_assert_int_eq(parse(doc(",\"pushed_authorization_request_endpoint\":42"), &d, &err), FST_DISCOVERY_INCOMPLETE);
}
END_TEST

UNIT_MAIN("oidc_discovery", valid, pushed_authorization_requests, issuer_must_match_exactly, endpoints, secure_urls,
          what_the_op_offers, hostile_documents)
