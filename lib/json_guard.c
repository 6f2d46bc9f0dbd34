/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include "json_guard.h"

int fst_json_depth(const char *text, size_t len, int max_depth)
{
    int depth = 0, deepest = 0, in_string = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        char c = text[i];

        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_string = 1;
            break;
        case '{':
        case '[':
            if (++depth > deepest)
                deepest = depth;
            if (deepest > max_depth)
                return deepest;
            break;
        case '}':
        case ']':
            if (--depth < 0)
                return -1;
            break;
        default:
            break;
        }
    }
    return depth == 0 && !in_string ? deepest : -1;
}

json_t *fst_json_parse_object(const char *text, size_t len, size_t max_len, int max_depth, const char **err)
{
    json_error_t jerr;
    json_t *json;
    int depth;

    if (text == NULL || len == 0) {
        *err = "empty document";
        return NULL;
    }
    if (len > max_len) {
        *err = "document too large";
        return NULL;
    }
    depth = fst_json_depth(text, len, max_depth);
    if (depth > max_depth) {
        *err = "document nested too deeply";
        return NULL;
    }
    json = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (json == NULL) {
        *err = "not valid JSON";
        return NULL;
    }
    if (!json_is_object(json)) {
        json_decref(json);
        *err = "not a JSON object";
        return NULL;
    }
    return json;
}

const char *fst_json_string(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}
