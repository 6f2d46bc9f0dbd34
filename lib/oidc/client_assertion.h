/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * private_key_jwt (RFC 7523, OIDC Core 9): a short-lived RS256 assertion with kid, iss = sub =
 * client_id, aud = the OP's issuer, a random jti, iat and exp. The key is read once at startup.
 */
#ifndef FST_OIDC_CLIENT_ASSERTION_H
#define FST_OIDC_CLIENT_ASSERTION_H

#include <stdint.h>
#include <apr_pools.h>

#define FST_CLIENT_ASSERTION_LIFETIME 60

typedef struct fst_client_key fst_client_key_t;

/* Read an RSA private key (PEM, 2048 bits or more) from path. kid NULL: the key's RFC 7638 JWK
 * thumbprint. Released when pool is cleared. NULL with *err (in pool) naming the problem. */
fst_client_key_t *fst_client_key_load(apr_pool_t *pool, const char *path, const char *kid, const char **err);

const char *fst_client_key_kid(const fst_client_key_t *key);

/* The public half as a JWK (JSON), e.g. to register the client at the OP. */
char *fst_client_key_public_jwk(apr_pool_t *pool, const fst_client_key_t *key);

/* A fresh signed assertion, or NULL with *err. */
char *fst_client_assertion(apr_pool_t *pool, const fst_client_key_t *key, const char *client_id, const char *audience,
                           int64_t now, const char **err);

#endif
