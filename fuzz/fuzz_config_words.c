/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>

#include "config_words.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *pool;
    const char **argv, *err = NULL;
    char *s;
    int argc, i;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    apr_pool_create(&pool, NULL);
    s = apr_palloc(pool, size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    if (fst_config_split(pool, s, &argc, &argv, &err)) {
        /* Words never outgrow the line and the list is NULL-terminated. */
        size_t total = 0;
        for (i = 0; i < argc; i++)
            total += strlen(argv[i]);
        if (argv[argc] != NULL || total > strlen(s))
            abort();
    } else if (err == NULL) {
        abort();
    }
    apr_pool_destroy(pool);
    return 0;
}
