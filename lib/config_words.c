/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "config_words.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

int fst_config_split(apr_pool_t *pool, const char *line, int *argc, const char ***argv, const char **err)
{
    apr_array_header_t *words = apr_array_make(pool, 8, sizeof(const char *));
    size_t len = line ? strlen(line) : 0;
    char *buf = apr_palloc(pool, len + 1);
    const char *p = line ? line : "";

    while (*p) {
        char *out = buf;
        char quote = 0;

        while (is_space(*p))
            p++;
        if (*p == '\0')
            break;
        while (*p && (quote || !is_space(*p))) {
            if (quote) {
                if (*p == quote) {
                    quote = 0;
                } else if (quote == '"' && *p == '\\' && p[1] != '\0') {
                    p++;
                    *out++ = *p;
                } else {
                    *out++ = *p;
                }
            } else if (*p == '"' || *p == '\'') {
                quote = *p;
            } else {
                *out++ = *p;
            }
            p++;
        }
        if (quote) {
            *err = apr_psprintf(pool, "unterminated %s quote", quote == '"' ? "double" : "single");
            return 0;
        }
        *(const char **)apr_array_push(words) = apr_pstrmemdup(pool, buf, (apr_size_t)(out - buf));
    }
    *argc = words->nelts;
    *(const char **)apr_array_push(words) = NULL;
    *argv = (const char **)words->elts;
    return 1;
}
