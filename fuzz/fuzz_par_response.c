/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The PAR endpoint's answer (lib/oidc/par.c). The first byte picks the HTTP status (201, 200, 400,
 * 401); the rest is the body. Invariants: a request_uri only from a 201 or 200, printable, bounded
 * and with a scheme, and a lifetime in range; an OP error printable and bounded.
 */
#include "fuzz_util.h"
#include "oidc/par.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int statuses[] = {201, 200, 400, 401};
    apr_pool_t *pool = fuzz_pool();
    fst_par_response_t out;
    const char *err = NULL;
    int status;

    if (size < 1)
        goto end;
    status = statuses[data[0] % 4];
    switch (fst_par_response_parse(pool, status, (const char *)data + 1, size - 1, &out, &err)) {
    case FST_PAR_OK:
        FUZZ_ASSERT(status == 201 || status == 200);
        FUZZ_ASSERT(out.request_uri != NULL && fuzz_printable(out.request_uri) && strchr(out.request_uri, ' ') == NULL);
        FUZZ_ASSERT(strlen(out.request_uri) <= FST_PAR_REQUEST_URI_MAX && strchr(out.request_uri, ':') != NULL);
        FUZZ_ASSERT(out.expires_in >= 1 && out.expires_in <= FST_PAR_EXPIRES_MAX);
        break;
    case FST_PAR_OP_ERROR:
        FUZZ_ASSERT(status != 201 && status != 200 && out.request_uri == NULL);
        FUZZ_ASSERT(out.error != NULL && fuzz_printable(out.error) && strlen(out.error) <= 64);
        FUZZ_ASSERT(out.error_description == NULL ||
                    (fuzz_printable(out.error_description) && strlen(out.error_description) <= 256));
        FUZZ_ASSERT(err != NULL && fuzz_printable(err));
        break;
    case FST_PAR_MALFORMED:
        FUZZ_ASSERT(out.request_uri == NULL && err != NULL && fuzz_printable(err));
        break;
    default:
        FUZZ_ASSERT(!"unknown result");
    }
end:
    apr_pool_destroy(pool);
    return 0;
}
