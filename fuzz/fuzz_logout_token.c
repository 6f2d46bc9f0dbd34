/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The back-channel logout token's claims after the signature (lib/oidc/logout_token.c). The input
 * is the payload JSON. Invariants: an accepted token is from this issuer, for this client, issued
 * within the skew of now, unexpired when it has an exp, with a jti, the back-channel logout event
 * as an object, no nonce, and a bounded sid or sub; a refused one leaves no claims behind.
 */
#include <jansson.h>

#include "fuzz_util.h"
#include "oidc/logout_token.h"

#define NOW INT64_C(1796083200)
#define SKEW 60

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fst_logout_token_expect_t expect = {"https://op.example", "fuzz-client", NOW, SKEW};
    apr_pool_t *pool = fuzz_pool();
    fst_logout_token_claims_t claims;
    const char *err = NULL;
    fst_logout_token_result_t rc = fst_logout_token_check(pool, (const char *)data, size, &expect, &claims, &err);

    if (rc == FST_LOGOUT_TOKEN_OK) {
        json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
        const json_t *events;

        FUZZ_ASSERT(doc != NULL);
        FUZZ_ASSERT(json_is_string(json_object_get(doc, "iss")) &&
                    strcmp(json_string_value(json_object_get(doc, "iss")), expect.issuer) == 0);
        FUZZ_ASSERT(json_object_get(doc, "nonce") == NULL);
        events = json_object_get(doc, "events");
        FUZZ_ASSERT(json_is_object(events) && json_is_object(json_object_get(events, FST_LOGOUT_EVENT)));
        json_decref(doc);
        FUZZ_ASSERT(claims.iat >= NOW - SKEW && claims.iat <= NOW + SKEW);
        FUZZ_ASSERT(claims.exp == 0 || claims.exp > NOW - SKEW);
        FUZZ_ASSERT(claims.jti != NULL && *claims.jti != '\0' && strlen(claims.jti) <= 512);
        FUZZ_ASSERT(claims.sid != NULL || claims.sub != NULL);
        FUZZ_ASSERT(claims.sid == NULL || (*claims.sid != '\0' && strlen(claims.sid) <= 512));
        FUZZ_ASSERT(claims.sub == NULL || (*claims.sub != '\0' && strlen(claims.sub) <= 512));
    }
    else {
        FUZZ_ASSERT(rc > FST_LOGOUT_TOKEN_OK && rc <= FST_LOGOUT_TOKEN_NONCE);
        FUZZ_ASSERT(err != NULL);
        FUZZ_ASSERT(claims.sid == NULL && claims.sub == NULL && claims.jti == NULL);
    }
    apr_pool_destroy(pool);
    return 0;
}
