/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The signature of a compact JWS, checked with cjose under our own rules (RFC 8725):
 *   - alg must be on the allowlist (RS256); none, HS256 and everything else are refused before any
 *     key is touched, so an RSA public key can never serve as an HMAC secret;
 *   - crit is refused (we implement no extensions);
 *   - jku, x5u, jwk and x5c are ignored: keys come only from the discovered JWKS;
 *   - with a kid, only keys with that kid are tried (unknown kid is its own result, so the caller
 *     can refetch the JWKS once); without a kid, every key is tried and only a verified signature
 *     passes.
 */
#ifndef FST_OIDC_JWS_VERIFY_H
#define FST_OIDC_JWS_VERIFY_H

#include <stddef.h>
#include <apr_pools.h>

#include "jwks.h"

#define FST_JWS_MAX_BYTES 16384

typedef enum fst_jws_result {
    FST_JWS_OK = 0,
    FST_JWS_MALFORMED,   /* not three base64url parts, or a header that is not a small JSON object */
    FST_JWS_ALG,         /* alg missing or not allowed */
    FST_JWS_CRIT,        /* a crit header */
    FST_JWS_UNKNOWN_KID, /* no key with this kid */
    FST_JWS_SIGNATURE    /* no key verifies the signature */
} fst_jws_result_t;

/* Verify compact against jwks; on FST_JWS_OK *payload (NUL-terminated, *payload_len bytes) is in
 * pool. *kid is set to the header's kid (or NULL) whatever the result, for logging. */
fst_jws_result_t fst_jws_verify(apr_pool_t *pool, const char *compact, const fst_jwks_t *jwks, char **payload,
                                size_t *payload_len, const char **kid);

const char *fst_jws_result_text(fst_jws_result_t r);

#endif
