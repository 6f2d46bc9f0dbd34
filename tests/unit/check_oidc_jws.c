/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "jwt_helper.h"
#include "oidc/jwks.h"
#include "oidc/jws_verify.h"
static void keys_once(void);
#define UNIT_BEFORE_ALL keys_once
#include "unit_main.h"

#define PAYLOAD "{\"iss\":\"https://op\",\"sub\":\"x\"}"

static test_key_t *k1, *k2, *k_nokid, *k_other;

static void keys_once(void)
{
    /* RSA generation is slow; every test shares the same keys. */
    if (k1 == NULL) {
        static apr_pool_t *keep;
        apr_initialize();
        apr_pool_create(&keep, NULL);
        k1 = test_key_new(keep, 2048, "k1");
        k2 = test_key_new(keep, 2048, "k2");
        k_nokid = test_key_new(keep, 2048, NULL);
        k_other = test_key_new(keep, 2048, "k1"); /* the attacker's key, same kid */
    }
}

static fst_jwks_t *jwks_of(const char *json)
{
    fst_jwks_t *jwks = NULL;
    const char *err = NULL;

    ck_assert_int_eq(fst_jwks_parse(pool, json, strlen(json), &jwks, &err), FST_JWKS_OK);
    return jwks;
}

static fst_jws_result_t verify(const char *jwt, fst_jwks_t *jwks, const char **kid)
{
    char *payload = NULL;
    size_t len = 0;
    const char *k = NULL;
    fst_jws_result_t r = fst_jws_verify(pool, jwt, jwks, &payload, &len, &k);

    if (kid)
        *kid = k;
    if (r == FST_JWS_OK)
        ck_assert_str_eq(payload, PAYLOAD);
    return r;
}

START_TEST(jwks_parsing)
{
    fst_jwks_t *jwks;
    const char *err = NULL;
    test_key_t *weak;
    char *json;

    keys_once();
    jwks = jwks_of(test_jwks(pool, k1, k2, NULL));
    ck_assert_int_eq(jwks->n, 2);
    ck_assert_str_eq(jwks->keys[0].kid, "k1");
    /* Skipped: EC keys, encryption keys, other algs, private keys, weak keys. */
    weak = test_key_new(pool, 1024, "weak");
    json = apr_psprintf(pool,
                        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"a\",\"y\":\"b\"},"
                        "{\"kty\":\"RSA\",\"use\":\"enc\",\"kid\":\"e\",\"e\":\"%s\",\"n\":\"%s\"},"
                        "{\"kty\":\"RSA\",\"alg\":\"RS512\",\"kid\":\"a\",\"e\":\"%s\",\"n\":\"%s\"},"
                        "{\"kty\":\"RSA\",\"kid\":7,\"e\":\"%s\",\"n\":\"%s\"},"
                        "{\"kty\":\"RSA\",\"kid\":\"p\",\"d\":\"AQAB\",\"e\":\"%s\",\"n\":\"%s\"},"
                        "%s, 17, %s]}",
                        k1->e_b64, k1->n_b64, k1->e_b64, k1->n_b64, k1->e_b64, k1->n_b64, k1->e_b64, k1->n_b64,
                        test_key_jwk(pool, weak), test_key_jwk(pool, k2));
    jwks = jwks_of(json);
    ck_assert_int_eq(jwks->n, 1);
    ck_assert_str_eq(jwks->keys[0].kid, "k2");
    ck_assert_int_eq(fst_jwks_parse(pool, "{\"keys\":[]}", 11, &jwks, &err), FST_JWKS_NO_KEYS);
    ck_assert_int_eq(fst_jwks_parse(pool, "{\"keys\":{}}", 11, &jwks, &err), FST_JWKS_MALFORMED);
    ck_assert_int_eq(fst_jwks_parse(pool, "[]", 2, &jwks, &err), FST_JWKS_MALFORMED);
    ck_assert_int_eq(fst_jwks_parse(pool, "", 0, &jwks, &err), FST_JWKS_MALFORMED);
}
END_TEST

/* Found by fuzz/fuzz_jwks.c: cjose's base64url decoder aborts the process on a '=' followed by more
 * characters ("A=AB"), in n, e or any private member it imports. Such keys are skipped, private
 * members never reach cjose, and the JWKS still yields its good keys. */
START_TEST(jwks_hostile_base64)
{
    fst_jwks_t *jwks;
    const char *jwk2;
    char *json;

    keys_once();
    jwk2 = test_key_jwk(pool, k2);
    json = apr_psprintf(pool,
                        "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"a\",\"e\":\"A=AB\",\"n\":\"%s\"},"
                        "{\"kty\":\"RSA\",\"kid\":\"b\",\"e\":\"A===\",\"n\":\"%s\"},"
                        "{\"kty\":\"RSA\",\"kid\":\"c\",\"e\":\"%s\",\"n\":\"AQ=B%s\"},"
                        "{\"kty\":\"RSA\",\"kid\":\"d\",\"e\":\"AQAB\",\"n\":7},"
                        "{\"kty\":\"oct\",\"k\":\"A=AB\"},"
                        "%.*s,\"p\":\"A=AB\",\"q\":\"A=AB\",\"dp\":\"A=AB\",\"dq\":\"A=AB\",\"qi\":\"A=AB\"}]}",
                        k1->n_b64, k1->n_b64, k1->e_b64, k1->n_b64, (int)strlen(jwk2) - 1, jwk2);
    jwks = jwks_of(json);
    ck_assert_int_eq(jwks->n, 1);
    ck_assert_str_eq(jwks->keys[0].kid, "k2");
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k2, "{\"alg\":\"RS256\",\"kid\":\"k2\"}", PAYLOAD), jwks, NULL),
                     FST_JWS_OK);
}
END_TEST

START_TEST(good_signatures)
{
    fst_jwks_t *jwks;
    const char *kid = NULL;

    keys_once();
    jwks = jwks_of(test_jwks(pool, k1, k2, NULL));
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", PAYLOAD), jwks, &kid),
                     FST_JWS_OK);
    ck_assert_str_eq(kid, "k1");
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k2, "{\"alg\":\"RS256\",\"kid\":\"k2\",\"typ\":\"JWT\"}", PAYLOAD),
                            jwks, NULL),
                     FST_JWS_OK);
}
END_TEST

START_TEST(bad_signatures)
{
    fst_jwks_t *jwks;
    char *jwt;

    keys_once();
    jwks = jwks_of(test_jwks(pool, k1, k2, NULL));
    /* Signed by another key under a known kid. */
    jwt = test_jwt_rs256(pool, k_other, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", PAYLOAD);
    ck_assert_int_eq(verify(jwt, jwks, NULL), FST_JWS_SIGNATURE);
    /* Signed by k2 but claiming k1. */
    jwt = test_jwt_rs256(pool, k2, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", PAYLOAD);
    ck_assert_int_eq(verify(jwt, jwks, NULL), FST_JWS_SIGNATURE);
    /* A flipped bit in the signature. */
    jwt = test_jwt_rs256(pool, k1, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", PAYLOAD);
    jwt[strlen(jwt) - 5] = jwt[strlen(jwt) - 5] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(verify(jwt, jwks, NULL), FST_JWS_SIGNATURE);
}
END_TEST

START_TEST(algorithms)
{
    fst_jwks_t *jwks;
    const char *pubjwk;

    keys_once();
    jwks = jwks_of(test_jwks(pool, k1, NULL));
    pubjwk = test_key_jwk(pool, k1);
    ck_assert_int_eq(verify(test_jwt_unsigned(pool, "{\"alg\":\"none\"}", PAYLOAD), jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify(apr_pstrcat(pool, test_jwt_unsigned(pool, "{\"alg\":\"none\"}", PAYLOAD), "AAAA", NULL),
                            jwks, NULL),
                     FST_JWS_ALG);
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, "{\"kid\":\"k1\"}", PAYLOAD), jwks, NULL), FST_JWS_ALG);
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, "{\"alg\":\"RS512\",\"kid\":\"k1\"}", PAYLOAD), jwks, NULL),
                     FST_JWS_ALG);
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, "{\"alg\":\"rs256\",\"kid\":\"k1\"}", PAYLOAD), jwks, NULL),
                     FST_JWS_ALG);
    /* The classic confusion: HS256 keyed with the RSA public key. */
    ck_assert_int_eq(verify(test_jwt_hs256(pool, pubjwk, strlen(pubjwk), "{\"alg\":\"HS256\",\"kid\":\"k1\"}", PAYLOAD),
                            jwks, NULL),
                     FST_JWS_ALG);
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, "{\"alg\":\"RS256\",\"kid\":\"k1\",\"crit\":[\"exp\"]}", PAYLOAD),
                            jwks, NULL),
                     FST_JWS_CRIT);
}
END_TEST

START_TEST(kid_rules)
{
    fst_jwks_t *one, *two, *nokid;
    char *jwt;

    keys_once();
    one = jwks_of(test_jwks(pool, k1, NULL));
    two = jwks_of(test_jwks(pool, k1, k2, NULL));
    nokid = jwks_of(test_jwks(pool, k_nokid, NULL));
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, "{\"alg\":\"RS256\",\"kid\":\"k9\"}", PAYLOAD), one, NULL),
                     FST_JWS_UNKNOWN_KID);
    /* No kid, one key: verified with it. */
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, "{\"alg\":\"RS256\"}", PAYLOAD), one, NULL), FST_JWS_OK);
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k2, "{\"alg\":\"RS256\"}", PAYLOAD), one, NULL), FST_JWS_SIGNATURE);
    /* No kid, several keys: any key that verifies; none verifying fails. */
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k2, "{\"alg\":\"RS256\"}", PAYLOAD), two, NULL), FST_JWS_OK);
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k_other, "{\"alg\":\"RS256\"}", PAYLOAD), two, NULL),
                     FST_JWS_SIGNATURE);
    /* A kid the JWKS does not name, with keys published without kid: those are tried. */
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k_nokid, "{\"alg\":\"RS256\",\"kid\":\"zz\"}", PAYLOAD), nokid, NULL),
                     FST_JWS_OK);
    jwt = test_jwt_rs256(pool, k1, "{\"alg\":\"RS256\",\"kid\":17}", PAYLOAD);
    ck_assert_int_eq(verify(jwt, one, NULL), FST_JWS_MALFORMED);
}
END_TEST

START_TEST(header_keys_are_ignored)
{
    fst_jwks_t *jwks;
    const char *hdr;

    keys_once();
    jwks = jwks_of(test_jwks(pool, k1, NULL));
    /* The attacker signs with their own key and points at it every way JOSE allows. */
    hdr = apr_psprintf(pool,
                       "{\"alg\":\"RS256\",\"jku\":\"https://evil/jwks\",\"x5u\":\"https://evil/c\",\"jwk\":%s,"
                       "\"x5c\":[\"MIIB\"]}",
                       test_key_jwk(pool, k_nokid));
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k_nokid, hdr, PAYLOAD), jwks, NULL), FST_JWS_SIGNATURE);
    /* The same headers on a token our OP signed change nothing. */
    ck_assert_int_eq(verify(test_jwt_rs256(pool, k1, hdr, PAYLOAD), jwks, NULL), FST_JWS_OK);
}
END_TEST

START_TEST(malformed)
{
    fst_jwks_t *jwks;
    char *big;

    keys_once();
    jwks = jwks_of(test_jwks(pool, k1, NULL));
    ck_assert_int_eq(verify("", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify("a.b", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify("a.b.c.d", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify(".b.c", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify("a..c", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify("a+.b.c", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify("eyJhbGciOiJSUzI1NiJ9.e30.%%%", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify("bm90IGpzb24.e30.AAAA", jwks, NULL), FST_JWS_MALFORMED); /* header not JSON */
    big = apr_palloc(pool, FST_JWS_MAX_BYTES + 10);
    memset(big, 'A', FST_JWS_MAX_BYTES + 9);
    big[10] = '.';
    big[20] = '.';
    big[FST_JWS_MAX_BYTES + 9] = '\0';
    ck_assert_int_eq(verify(big, jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_str_eq(fst_jws_result_text(FST_JWS_UNKNOWN_KID), "no key with this kid in the OP's JWKS");
}
END_TEST

/* Found by fuzz/fuzz_jws.c (differential check against a strict decoder): cjose decodes base64url
 * leniently, so a valid token whose last signature character had its unused bits changed
 * ("...RQ" -> "...RU") still verified: one token, several strings. Only the canonical one passes. */
START_TEST(non_canonical_base64)
{
    fst_jwks_t *jwks;
    char *jwt, *last;

    keys_once();
    jwks = jwks_of(test_jwks(pool, k1, NULL));
    jwt = test_jwt_rs256(pool, k1, "{\"alg\":\"RS256\",\"kid\":\"k1\"}", PAYLOAD);
    ck_assert_int_eq(verify(jwt, jwks, NULL), FST_JWS_OK);
    /* 256 signature bytes are 342 characters: the last one carries 4 unused bits. */
    last = jwt + strlen(jwt) - 1;
    *last = (char)(*last == 'A' ? 'B' : *last ^ 1);
    ck_assert_int_eq(verify(jwt, jwks, NULL), FST_JWS_MALFORMED);
    /* The same in the header (12 of 16 bits used) and a segment of impossible length. */
    ck_assert_int_eq(verify("eyJhbGciOiJSUzI1NiJ9A.e30.AAAA", jwks, NULL), FST_JWS_MALFORMED);
    ck_assert_int_eq(verify("eyJhbGciOiJSUzI1NiJ9.e31.AAAA", jwks, NULL), FST_JWS_MALFORMED);
}
END_TEST

UNIT_MAIN("oidc_jws", jwks_parsing, jwks_hostile_base64, good_signatures, bad_signatures, algorithms, kid_rules, header_keys_are_ignored,
          malformed, non_canonical_base64)
