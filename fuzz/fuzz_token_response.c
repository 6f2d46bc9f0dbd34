/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The token endpoint's answer (lib/oidc/token.c). The first byte picks the HTTP status (200, 400,
 * 401, 500); the rest is the body. Invariants: an id_token only from a 200; an OP error code and
 * description printable and bounded (they reach a log line and, escaped, a page).
 */
#include "fuzz_util.h"
#include "oidc/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int statuses[] = {200, 400, 401, 500};
    apr_pool_t *pool = fuzz_pool();
    fst_token_response_t out;
    const char *err = NULL;
    int status;
    fst_token_result_t rc;

    if (size < 1)
        goto end;
    status = statuses[data[0] % 4];
    rc = fst_token_response_parse(pool, status, (const char *)data + 1, size - 1, &out, &err);
    switch (rc) {
    case FST_TOKEN_OK:
        FUZZ_ASSERT(status == 200 && out.id_token != NULL && *out.id_token != '\0');
        break;
    case FST_TOKEN_OP_ERROR:
        FUZZ_ASSERT(status != 200 && out.id_token == NULL);
        FUZZ_ASSERT(out.error != NULL && fuzz_printable(out.error) && strlen(out.error) <= 64);
        FUZZ_ASSERT(out.error_description == NULL ||
                    (fuzz_printable(out.error_description) && strlen(out.error_description) <= 256));
        FUZZ_ASSERT(err != NULL && fuzz_printable(err));
        break;
    case FST_TOKEN_MALFORMED:
        FUZZ_ASSERT(out.id_token == NULL && err != NULL && fuzz_printable(err));
        break;
    default:
        FUZZ_ASSERT(!"unknown result");
    }
end:
    apr_pool_destroy(pool);
    return 0;
}
