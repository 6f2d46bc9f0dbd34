/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "oidc/id_token.h"
#include "unit_main.h"

#define NOW 1700000000

static fst_id_token_expect_t expect(void)
{
    fst_id_token_expect_t e = {"https://test.idporten.no", "client-1", "nonce-1", FST_ACR_SUBSTANTIAL, NOW, 30};
    return e;
}

/* A good payload with one member replaced (or removed when value is NULL). */
static const char *payload(const char *member, const char *value)
{
    static const char *const names[] = {"iss", "aud", "sub", "pid", "acr", "nonce", "iat", "exp", "sid", "auth_time",
                                        NULL};
    const char *values[] = {"\"https://test.idporten.no\"",
                            "\"client-1\"",
                            "\"pairwise\"",
                            "\"20036914700\"",
                            "\"idporten-loa-substantial\"",
                            "\"nonce-1\"",
                            "1699999990",
                            "1700000110",
                            "\"sid-1\"",
                            "1699999900"};
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

static fst_id_token_result_t check_with(const fst_id_token_expect_t *e, const char *p, const char **err)
{
    fst_id_token_claims_t c;
    const char *dummy = NULL;

    return fst_id_token_check(pool, p, strlen(p), e, &c, err ? err : &dummy);
}

static fst_id_token_result_t check(const char *member, const char *value)
{
    fst_id_token_expect_t e = expect();
    return check_with(&e, payload(member, value), NULL);
}

START_TEST(good_token)
{
    fst_id_token_expect_t e = expect();
    fst_id_token_claims_t c;
    const char *err = NULL, *p = payload(NULL, NULL);

    ck_assert_int_eq(fst_id_token_check(pool, p, strlen(p), &e, &c, &err), FST_ID_TOKEN_OK);
    ck_assert_str_eq(c.sub, "pairwise");
    ck_assert_str_eq(c.pid, "20036914700");
    ck_assert_str_eq(c.acr, "idporten-loa-substantial");
    ck_assert_str_eq(c.sid, "sid-1");
    ck_assert_ptr_null(c.name);
    ck_assert_int_eq(c.auth_time, 1699999900);
    ck_assert_int_eq(c.exp, 1700000110);
    ck_assert_int_eq(check("acr", "\"idporten-loa-high\""), FST_ID_TOKEN_OK);
    ck_assert_int_eq(check("pid", "\"55102499947\""), FST_ID_TOKEN_OK); /* D-nummer */
    ck_assert_int_eq(check("aud", "[\"client-1\"]"), FST_ID_TOKEN_OK);
    ck_assert_int_eq(check("azp", "\"client-1\""), FST_ID_TOKEN_OK);
    ck_assert_int_eq(check("exp", "1700000110.5"), FST_ID_TOKEN_OK);
    ck_assert_int_eq(check("name", "\"Kari Nordmann\""), FST_ID_TOKEN_OK);
}
END_TEST

START_TEST(issuer)
{
    ck_assert_int_eq(check("iss", NULL), FST_ID_TOKEN_ISS);
    ck_assert_int_eq(check("iss", "\"https://test.idporten.no/\""), FST_ID_TOKEN_ISS);
    ck_assert_int_eq(check("iss", "\"https://evil\""), FST_ID_TOKEN_ISS);
    ck_assert_int_eq(check("iss", "[\"https://test.idporten.no\"]"), FST_ID_TOKEN_ISS);
}
END_TEST

START_TEST(audience)
{
    const char *err = NULL;
    fst_id_token_expect_t e = expect();

    ck_assert_int_eq(check("aud", NULL), FST_ID_TOKEN_AUD);
    ck_assert_int_eq(check("aud", "\"client-2\""), FST_ID_TOKEN_AUD);
    ck_assert_int_eq(check("aud", "[]"), FST_ID_TOKEN_AUD);
    ck_assert_int_eq(check("aud", "[\"client-1\",7]"), FST_ID_TOKEN_AUD);
    ck_assert_int_eq(check("aud", "7"), FST_ID_TOKEN_AUD);
    ck_assert_int_eq(check_with(&e, payload("aud", "[\"client-1\",\"other\"]"), &err), FST_ID_TOKEN_AZP);
    ck_assert_str_eq(err, "aud has 2 audiences and there is no azp");
    ck_assert_int_eq(check("azp", "\"other\""), FST_ID_TOKEN_AZP);
    ck_assert_int_eq(check("azp", "7"), FST_ID_TOKEN_AZP);
    /* Several audiences with azp naming us: accepted. */
    {
        const char *p = "{\"iss\":\"https://test.idporten.no\",\"aud\":[\"client-1\",\"other\"],\"azp\":\"client-1\","
                        "\"sub\":\"s\",\"pid\":\"20036914700\",\"acr\":\"idporten-loa-high\",\"nonce\":\"nonce-1\","
                        "\"iat\":1699999990,\"exp\":1700000110}";
        ck_assert_int_eq(check_with(&e, p, NULL), FST_ID_TOKEN_OK);
    }
}
END_TEST

START_TEST(times)
{
    const char *err = NULL;
    fst_id_token_expect_t e = expect();

    ck_assert_int_eq(check("exp", NULL), FST_ID_TOKEN_EXP);
    ck_assert_int_eq(check("exp", "\"1700000110\""), FST_ID_TOKEN_EXP);
    ck_assert_int_eq(check("exp", "-5"), FST_ID_TOKEN_EXP);
    ck_assert_int_eq(check_with(&e, payload("exp", "1699999900"), &err), FST_ID_TOKEN_EXP);
    ck_assert_str_eq(err, "expired 100 s ago");
    ck_assert_int_eq(check("exp", "1699999975"), FST_ID_TOKEN_OK);  /* within the skew */
    ck_assert_int_eq(check("exp", "1699999970"), FST_ID_TOKEN_EXP); /* exactly at the skew */
    ck_assert_int_eq(check("iat", NULL), FST_ID_TOKEN_IAT);
    ck_assert_int_eq(check("iat", "1700000031"), FST_ID_TOKEN_IAT);
    ck_assert_int_eq(check("iat", "1700000030"), FST_ID_TOKEN_OK);
    ck_assert_int_eq(check_with(&e, payload("iat", "1700000600"), &err), FST_ID_TOKEN_IAT);
    ck_assert_str_eq(err, "issued 600 s in the future");
    ck_assert_int_eq(check("iat", "true"), FST_ID_TOKEN_IAT);
    ck_assert_int_eq(check("nbf", "1700000100"), FST_ID_TOKEN_NBF);
    ck_assert_int_eq(check("nbf", "1699999000"), FST_ID_TOKEN_OK);
}
END_TEST

START_TEST(nonce)
{
    ck_assert_int_eq(check("nonce", NULL), FST_ID_TOKEN_NONCE);
    ck_assert_int_eq(check("nonce", "\"nonce-2\""), FST_ID_TOKEN_NONCE);
    ck_assert_int_eq(check("nonce", "\"nonce-1x\""), FST_ID_TOKEN_NONCE);
    ck_assert_int_eq(check("nonce", "1"), FST_ID_TOKEN_NONCE);
}
END_TEST

START_TEST(assurance)
{
    fst_id_token_expect_t e = expect();
    const char *err = NULL;

    ck_assert_int_eq(check("acr", NULL), FST_ID_TOKEN_ACR);
    ck_assert_int_eq(check_with(&e, payload("acr", "\"idporten-loa-low\""), &err), FST_ID_TOKEN_ACR);
    ck_assert_str_eq(err, "acr 'idporten-loa-low' is below the required level");
    ck_assert_int_eq(check("acr", "\"selfregistered-email\""), FST_ID_TOKEN_ACR);
    ck_assert_int_eq(check("acr", "\"Level4\""), FST_ID_TOKEN_ACR);
    ck_assert_int_eq(check("acr", "\"\""), FST_ID_TOKEN_ACR);
    ck_assert_int_eq(check("acr", "\"eidas-loa-substantial\""), FST_ID_TOKEN_OK);
    e.min_acr = FST_ACR_HIGH;
    ck_assert_int_eq(check_with(&e, payload(NULL, NULL), NULL), FST_ID_TOKEN_ACR);
    ck_assert_int_eq(check_with(&e, payload("acr", "\"idporten-loa-high\""), NULL), FST_ID_TOKEN_OK);
    ck_assert_int_eq(fst_acr_level("eidas-loa-high"), FST_ACR_HIGH);
    ck_assert_int_eq(fst_acr_level(NULL), FST_ACR_UNKNOWN);
}
END_TEST

START_TEST(subject_and_pid)
{
    const char *err = NULL;
    fst_id_token_expect_t e = expect();

    ck_assert_int_eq(check("sub", NULL), FST_ID_TOKEN_SUB);
    ck_assert_int_eq(check("sub", "\"\""), FST_ID_TOKEN_SUB);
    {
        /* No pid at all (eIDAS, e-mail logins): its own result, with what the refusal page and its
         * audit entry need. */
        fst_id_token_claims_t c;
        const char *p = payload("pid", NULL);

        ck_assert_int_eq(fst_id_token_check(pool, p, strlen(p), &e, &c, &err), FST_ID_TOKEN_NO_PID);
        ck_assert_str_eq(err, "pid is missing (this eID gives no national identity number)");
        ck_assert_str_eq(c.sub, "pairwise");
        ck_assert_str_eq(c.acr, "idporten-loa-substantial");
        ck_assert_str_eq(c.sid, "sid-1");
        ck_assert_ptr_null(c.pid);
    }
    ck_assert_int_eq(check("pid", "null"), FST_ID_TOKEN_PID);
    ck_assert_int_eq(check_with(&e, payload("pid", "\"20036914712\""), &err), FST_ID_TOKEN_PID);
    ck_assert_str_eq(err, "pid is not a valid fodselsnummer or D-nummer");
    ck_assert_ptr_null(strstr(err, "20036914712"));
    ck_assert_int_eq(check("pid", "20036914700"), FST_ID_TOKEN_PID);
    ck_assert_int_eq(check("pid", "\"\""), FST_ID_TOKEN_PID);
}
END_TEST

START_TEST(malformed_payloads)
{
    fst_id_token_expect_t e = expect();

    ck_assert_int_eq(check_with(&e, "not json", NULL), FST_ID_TOKEN_MALFORMED);
    ck_assert_int_eq(check_with(&e, "[1]", NULL), FST_ID_TOKEN_MALFORMED);
    /* Duplicate members could smuggle a second iss past a lenient parser. */
    ck_assert_int_eq(check_with(&e, "{\"iss\":\"https://test.idporten.no\",\"iss\":\"https://evil\"}", NULL),
                     FST_ID_TOKEN_MALFORMED);
    ck_assert_int_eq(check_with(&e, "{\"a\":[[[[[[[[[[[[1]]]]]]]]]]]]}", NULL), FST_ID_TOKEN_MALFORMED);
}
END_TEST

UNIT_MAIN("oidc_id_token", good_token, issuer, audience, times, nonce, assurance, subject_and_pid, malformed_payloads)
