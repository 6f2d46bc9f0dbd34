/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The OP's signing keys, from the jwks_uri found by discovery and nowhere else. Only RSA keys of
 * 2048 bits or more meant for signatures (use "sig" or absent, alg RS256 or absent) are kept;
 * other keys are skipped, not errors. The keys are released when the pool is cleared.
 */
#ifndef FST_OIDC_JWKS_H
#define FST_OIDC_JWKS_H

#include <stddef.h>
#include <apr_pools.h>
#include <cjose/jwk.h>

#define FST_JWKS_MAX_KEYS 32
#define FST_JWKS_MAX_BYTES (256 * 1024)
#define FST_RSA_MIN_BITS 2048

typedef struct fst_jwk {
    const char *kid; /* NULL when the key has none */
    cjose_jwk_t *jwk;
} fst_jwk_t;

typedef struct fst_jwks {
    int n;
    fst_jwk_t keys[FST_JWKS_MAX_KEYS];
} fst_jwks_t;

typedef enum fst_jwks_result {
    FST_JWKS_OK = 0,
    FST_JWKS_MALFORMED, /* not a bounded JSON object with a "keys" array */
    FST_JWKS_NO_KEYS    /* no usable RSA signing key in it */
} fst_jwks_result_t;

fst_jwks_result_t fst_jwks_parse(apr_pool_t *pool, const char *text, size_t len, fst_jwks_t **out, const char **err);

#endif
