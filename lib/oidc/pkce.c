/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <openssl/sha.h>

#include "encoding.h"
#include "pkce.h"

char *fst_pkce_verifier(apr_pool_t *pool)
{
    return fst_random_token(pool, 32);
}

char *fst_pkce_challenge(apr_pool_t *pool, const char *verifier)
{
    unsigned char digest[SHA256_DIGEST_LENGTH];

    SHA256((const unsigned char *)verifier, strlen(verifier), digest);
    return fst_b64url_encode(pool, digest, sizeof(digest));
}
