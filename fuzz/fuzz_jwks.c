/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The OP's JWKS document (lib/oidc/jwks.c). Invariants: at most FST_JWKS_MAX_KEYS keys kept, every
 * one an RSA key of 2048 bits or more with a bounded kid; NO_KEYS and MALFORMED say why; the keys
 * are released with the pool (ASan's leak check in libFuzzer sees any that is not).
 */
#include <cjose/jwk.h>

#include "fuzz_util.h"
#include "oidc/jwks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    fst_jwks_t *jwks = NULL;
    const char *err = NULL;
    int i;

    switch (fst_jwks_parse(pool, (const char *)data, size, &jwks, &err)) {
    case FST_JWKS_OK:
        FUZZ_ASSERT(jwks != NULL && jwks->n >= 1 && jwks->n <= FST_JWKS_MAX_KEYS);
        for (i = 0; i < jwks->n; i++) {
            cjose_err cerr;
            FUZZ_ASSERT(jwks->keys[i].jwk != NULL);
            FUZZ_ASSERT(cjose_jwk_get_kty(jwks->keys[i].jwk, &cerr) == CJOSE_JWK_KTY_RSA);
            FUZZ_ASSERT(cjose_jwk_get_keysize(jwks->keys[i].jwk, &cerr) >= FST_RSA_MIN_BITS);
        }
        break;
    case FST_JWKS_MALFORMED:
    case FST_JWKS_NO_KEYS:
        FUZZ_ASSERT(err != NULL && strncmp(err, "JWKS: ", 6) == 0);
        break;
    default:
        FUZZ_ASSERT(!"unknown result");
    }
    apr_pool_destroy(pool);
    return 0;
}
