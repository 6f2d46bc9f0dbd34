/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Retry-After header from Maskinporten or Folkeregisteret (plugins/registry_freg/http.c;
 * compiled in here, as the plugin compiles it in). Invariants: the wait is bounded (at most 300 s,
 * so a hostile peer cannot park the register), delta-seconds are taken as given up to that bound,
 * and garbage means "unknown" (0).
 */
#include "fuzz_util.h"

#include "../plugins/common/say.c"
#include "../plugins/registry_freg/http.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    char *value = fuzz_cstring(pool, data, size < 256 ? size : 256);
    unsigned secs = fr_http_retry_after(value, 1796083200L);
    size_t digits = strspn(value, "0123456789");

    FUZZ_ASSERT(secs <= RETRY_AFTER_MAX);
    if (digits > 0 && digits < 6 && value[digits] == '\0') {
        unsigned long v = strtoul(value, NULL, 10);
        FUZZ_ASSERT(secs == (v > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : v));
    }
    apr_pool_destroy(pool);
    return 0;
}
