/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Splits a directive's arguments into words, shell-like: whitespace separates words, and a quoted
 * part may sit inside a word, so  conninfo="host=db1 dbname=foresatt"  is one word,
 * conninfo=host=db1 dbname=foresatt. Inside double quotes a backslash escapes the next character.
 * httpd's own ap_getword_conf only honours quotes at the start of a word, hence this.
 */
#ifndef FST_CONFIG_WORDS_H
#define FST_CONFIG_WORDS_H

#include <apr_pools.h>

/* Returns 1 and sets argc and argv (NULL-terminated), or 0 with a message in *err. */
int fst_config_split(apr_pool_t *pool, const char *line, int *argc, const char ***argv, const char **err);

#endif
