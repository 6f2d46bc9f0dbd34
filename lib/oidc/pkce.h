/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * PKCE (RFC 7636), S256 only: there is no code path that sends "plain" or leaves the challenge out.
 */
#ifndef FST_OIDC_PKCE_H
#define FST_OIDC_PKCE_H

#include <apr_pools.h>

/* A fresh code_verifier: 32 random bytes as base64url (43 characters). NULL without randomness. */
char *fst_pkce_verifier(apr_pool_t *pool);

/* BASE64URL(SHA256(verifier)), no padding. */
char *fst_pkce_challenge(apr_pool_t *pool, const char *verifier);

#endif
