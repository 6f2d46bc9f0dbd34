/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The ID token's claims after the signature (lib/oidc/id_token.c), with ID-porten's rules. The
 * input is the payload JSON. Invariants: an accepted token is for this client from this issuer,
 * unexpired, not from the future, with this login's nonce, a level of assurance at least the
 * required one, a subject, and a valid fødselsnummer or D-nummer; a refusal's reason never holds
 * the pid or the nonce.
 */
#include <jansson.h>

#include "fnr.h"
#include "fuzz_util.h"
#include "oidc/id_token.h"

#define NOW INT64_C(1796083200)
#define SKEW 60

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fst_id_token_expect_t expect = {"https://op.example", "fuzz-client", "fuzz-nonce-0123456789",
                                                 FST_ACR_SUBSTANTIAL, NOW, SKEW};
    apr_pool_t *pool = fuzz_pool();
    fst_id_token_claims_t claims;
    const char *err = NULL;
    fst_id_token_result_t rc = fst_id_token_check(pool, (const char *)data, size, &expect, &claims, &err);

    if (rc == FST_ID_TOKEN_OK) {
        json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
        const json_t *aud;

        FUZZ_ASSERT(doc != NULL);
        FUZZ_ASSERT(json_is_string(json_object_get(doc, "iss")) &&
                    strcmp(json_string_value(json_object_get(doc, "iss")), expect.issuer) == 0);
        FUZZ_ASSERT(json_is_string(json_object_get(doc, "nonce")) &&
                    strcmp(json_string_value(json_object_get(doc, "nonce")), expect.nonce) == 0);
        aud = json_object_get(doc, "aud");
        FUZZ_ASSERT(json_is_string(aud) || json_is_array(aud));
        if (json_is_string(aud))
            FUZZ_ASSERT(strcmp(json_string_value(aud), expect.client_id) == 0);
        else
            FUZZ_ASSERT(json_array_size(aud) == 1 || (json_is_string(json_object_get(doc, "azp")) &&
                        strcmp(json_string_value(json_object_get(doc, "azp")), expect.client_id) == 0));
        json_decref(doc);
        FUZZ_ASSERT(claims.exp > NOW - SKEW && claims.iat <= NOW + SKEW);
        FUZZ_ASSERT(claims.acr != NULL && fst_acr_level(claims.acr) >= FST_ACR_SUBSTANTIAL);
        FUZZ_ASSERT(claims.sub != NULL && *claims.sub != '\0' && strlen(claims.sub) <= 512);
        FUZZ_ASSERT(claims.pid != NULL && fst_id_valid(claims.pid));
        FUZZ_ASSERT(claims.sid == NULL || strlen(claims.sid) <= 512);
    }
    else {
        FUZZ_ASSERT(rc > FST_ID_TOKEN_OK && rc <= FST_ID_TOKEN_NO_PID);
        FUZZ_ASSERT(err != NULL && strstr(err, expect.nonce) == NULL);
        if (claims.pid == NULL) {
            /* The pid, if the document has one, is not repeated in the reason. */
            json_t *doc = json_loadb((const char *)data, size, 0, NULL);
            const json_t *pid = doc ? json_object_get(doc, "pid") : NULL;
            if (json_is_string(pid) && json_string_length(pid) >= 6 &&
                strspn(json_string_value(pid), "0123456789") == json_string_length(pid))
                FUZZ_ASSERT(strstr(err, json_string_value(pid)) == NULL);
            json_decref(doc);
        }
    }
    apr_pool_destroy(pool);
    return 0;
}
