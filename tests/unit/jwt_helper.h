/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Test helper: RSA keys, their JWKs, and JWTs signed (or mis-signed) the ways the tests need.
 */
#ifndef FST_TEST_JWT_HELPER_H
#define FST_TEST_JWT_HELPER_H

#include <apr_pools.h>
#include <openssl/evp.h>

typedef struct test_key {
    EVP_PKEY *pkey;
    const char *kid;
    const char *n_b64, *e_b64;
    const char *pem_path; /* private key written to a temp file, for fst_client_key_load */
} test_key_t;

/* bits 2048 unless a test wants a weak one. kid may be NULL. */
test_key_t *test_key_new(apr_pool_t *pool, int bits, const char *kid);

/* The public JWK as JSON (no kid member when kid is NULL). */
char *test_key_jwk(apr_pool_t *pool, const test_key_t *key);

/* {"keys":[...]} of the given keys (NULL-terminated). */
char *test_jwks(apr_pool_t *pool, ...);

/* header_json.payload_json signed RS256 with key. */
char *test_jwt_rs256(apr_pool_t *pool, const test_key_t *key, const char *header_json, const char *payload_json);

/* header_json.payload_json with an HMAC-SHA256 signature keyed by secret. */
char *test_jwt_hs256(apr_pool_t *pool, const char *secret, size_t secret_len, const char *header_json,
                     const char *payload_json);

/* header_json.payload_json. (empty signature) */
char *test_jwt_unsigned(apr_pool_t *pool, const char *header_json, const char *payload_json);

#endif
