/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Cookie request header as mod_foresatt/session/cookies.c reads it on every request: one cookie by
 * name, and every cookie with a prefix (login states). The input is one or more Cookie header
 * values, one per line. cookies.c is compiled in here (it needs nothing of httpd's but its
 * headers and APR), with a request_rec holding just what it reads: a pool and headers_in.
 */
#include "fuzz_util.h"

#include <apr_tables.h>

#include "../mod_foresatt/session/cookies.c"

module AP_MODULE_DECLARE_DATA foresatt_module;

#define SESSION_NAME "__Host-foresatt_session"
#define STATE_PREFIX "__Host-foresatt_state_"

/* The value found is one cookie's value: bounded, with no separator, and cut out of the input. */
static void check_value(const char *value, const char *input)
{
    size_t n = strlen(value);

    FUZZ_ASSERT(n <= FS_COOKIE_MAX);
    FUZZ_ASSERT(strchr(value, ';') == NULL);
    FUZZ_ASSERT(n == 0 || strstr(input, value) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    request_rec r;
    char *input = fuzz_cstring(pool, data, size), *line, *last = NULL;
    apr_array_header_t *names, *values;
    const char *value;
    int i;

    memset(&r, 0, sizeof(r));
    r.pool = pool;
    r.headers_in = apr_table_make(pool, 4);
    for (line = apr_strtok(apr_pstrdup(pool, input), "\n", &last); line; line = apr_strtok(NULL, "\n", &last))
        apr_table_addn(r.headers_in, "Cookie", line);

    value = fs_cookie_get(&r, SESSION_NAME);
    if (value != NULL) {
        check_value(value, input);
        FUZZ_ASSERT(strstr(input, SESSION_NAME) != NULL);
    }
    names = fs_cookies_with_prefix(&r, STATE_PREFIX, &values);
    FUZZ_ASSERT(names != NULL && values != NULL && names->nelts == values->nelts);
    for (i = 0; i < names->nelts; i++) {
        const char *name = APR_ARRAY_IDX(names, i, const char *);
        FUZZ_ASSERT(strncmp(name, STATE_PREFIX, strlen(STATE_PREFIX)) == 0 && strlen(name) > strlen(STATE_PREFIX));
        FUZZ_ASSERT(strchr(name, ';') == NULL && strchr(name, '=') == NULL);
        check_value(APR_ARRAY_IDX(values, i, const char *), input);
    }
    apr_pool_destroy(pool);
    return 0;
}
