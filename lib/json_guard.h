/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Parsing JSON that comes from a peer (the OP, a register): bounded size and nesting depth are
 * checked before jansson sees the text, duplicate keys are refused (so "iss" cannot be smuggled
 * in twice), and the top level must be an object.
 */
#ifndef FST_JSON_GUARD_H
#define FST_JSON_GUARD_H

#include <stddef.h>
#include <jansson.h>

/* Nesting depth of the JSON text (arrays and objects, strings skipped), or -1 when the brackets
 * do not balance. Stops counting past max_depth + 1. */
int fst_json_depth(const char *text, size_t len, int max_depth);

/* A JSON object parsed from text, or NULL with a short reason in *err (static string). The
 * caller json_decref()s the result. */
json_t *fst_json_parse_object(const char *text, size_t len, size_t max_len, int max_depth, const char **err);

/* The string value of key in obj, or NULL when absent or not a string. */
const char *fst_json_string(const json_t *obj, const char *key);

#endif
