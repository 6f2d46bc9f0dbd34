/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The ID token's signature (lib/oidc/jws_verify.c) against a JWKS of two usable keys (one with a
 * kid, one without) and a weak one. Differential invariant: whenever fst_jws_verify says OK,
 * OpenSSL on its own agrees that the header asks for RS256, names no crit, and the signature over
 * header.payload verifies with one of the two keys; the payload handed back is the token's.
 * Whatever verifies then goes through the claim checks (lib/oidc/id_token.c).
 */
#include <jansson.h>

#include "fuzz_jose.h"
#include "oidc/id_token.h"
#include "oidc/jws_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const fuzz_op_keys_t *keys = fuzz_op_keys();
    apr_pool_t *pool = fuzz_pool();
    char *compact = fuzz_cstring(pool, data, size), *payload = NULL;
    size_t payload_len = 0;
    const char *kid = NULL;
    fst_jws_result_t rc = fst_jws_verify(pool, compact, keys->jwks, &payload, &payload_len, &kid);

    FUZZ_ASSERT(rc >= FST_JWS_OK && rc <= FST_JWS_SIGNATURE);
    (void)fst_jws_result_text(rc);
    if (rc == FST_JWS_OK) {
        const char *dot1 = strchr(compact, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
        size_t hlen, plen, slen = 0;
        unsigned char *header, *body, *sig;
        long n;
        json_t *hdr;

        FUZZ_ASSERT(dot1 && dot2 && strchr(dot2 + 1, '.') == NULL);
        hlen = (size_t)(dot1 - compact);
        plen = (size_t)(dot2 - dot1 - 1);
        slen = strlen(dot2 + 1);
        header = apr_palloc(pool, FST_B64URL_DECODED_MAX(hlen));
        body = apr_palloc(pool, FST_B64URL_DECODED_MAX(plen) + 1);
        sig = apr_palloc(pool, FST_B64URL_DECODED_MAX(slen));
        n = fst_b64url_decode(header, FST_B64URL_DECODED_MAX(hlen), compact, hlen);
        FUZZ_ASSERT(n > 0);
        hdr = json_loadb((const char *)header, (size_t)n, 0, NULL);
        FUZZ_ASSERT(hdr != NULL && json_is_string(json_object_get(hdr, "alg")) &&
                    strcmp(json_string_value(json_object_get(hdr, "alg")), "RS256") == 0 &&
                    json_object_get(hdr, "crit") == NULL);
        json_decref(hdr);
        n = fst_b64url_decode(body, FST_B64URL_DECODED_MAX(plen), dot1 + 1, plen);
        FUZZ_ASSERT(n >= 0 && (size_t)n == payload_len && memcmp(body, payload, payload_len) == 0);
        FUZZ_ASSERT(payload[payload_len] == '\0');
        n = fst_b64url_decode(sig, FST_B64URL_DECODED_MAX(slen), dot2 + 1, slen);
        FUZZ_ASSERT(n > 0);
        FUZZ_ASSERT(fuzz_rs256_verifies(keys->a, compact, (size_t)(dot2 - compact), sig, (size_t)n) ||
                    fuzz_rs256_verifies(keys->b, compact, (size_t)(dot2 - compact), sig, (size_t)n));
        /* With a kid naming key A, only key A may have verified it. */
        if (kid != NULL && strcmp(kid, FUZZ_KEY_A_KID) == 0)
            FUZZ_ASSERT(fuzz_rs256_verifies(keys->a, compact, (size_t)(dot2 - compact), sig, (size_t)n));

        {
            fst_id_token_expect_t expect = {"https://op.example", "fuzz-client", "fuzz-nonce", FST_ACR_SUBSTANTIAL,
                                            1796083200, 60};
            fst_id_token_claims_t claims;
            const char *err = NULL;
            (void)fst_id_token_check(pool, payload, payload_len, &expect, &claims, &err);
        }
    }
    apr_pool_destroy(pool);
    return 0;
}
