/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The OP's discovery document (lib/oidc/discovery.c). Invariants: an accepted document has exactly
 * the configured issuer and https (or loopback http) endpoints with no control characters; what a
 * refusal quotes from the document is bounded and printable.
 */
#include "fuzz_util.h"
#include "oidc/discovery.h"

#define ISSUER "https://op.example"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    fst_discovery_t d;
    const char *err = NULL;
    fst_discovery_result_t rc =
        fst_discovery_parse(pool, (const char *)data, size, ISSUER, size % 2 ? "private_key_jwt" : NULL, &d, &err);

    if (rc == FST_DISCOVERY_OK) {
        FUZZ_ASSERT(strcmp(d.issuer, ISSUER) == 0);
        FUZZ_ASSERT(fst_url_is_secure(d.authorization_endpoint) && fst_url_is_secure(d.token_endpoint) &&
                    fst_url_is_secure(d.jwks_uri));
        FUZZ_ASSERT(d.end_session_endpoint == NULL || fst_url_is_secure(d.end_session_endpoint));
        FUZZ_ASSERT(fuzz_printable(d.authorization_endpoint) && fuzz_printable(d.token_endpoint) &&
                    fuzz_printable(d.jwks_uri));
    }
    else {
        FUZZ_ASSERT(rc >= FST_DISCOVERY_MALFORMED && rc <= FST_DISCOVERY_UNSUPPORTED);
        FUZZ_ASSERT(err != NULL && fuzz_printable(err) && strlen(err) < 400);
    }
    apr_pool_destroy(pool);
    return 0;
}
