/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fnr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    fst_id_info_t info;
    fst_id_error_t err;

    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    err = fst_id_parse(s, &info);
    /* Invariants: a valid number is 11 digits with a real date; an invalid one has no kind. */
    if (err == FST_ID_OK) {
        if (strlen(s) != 11 || info.kind == FST_ID_INVALID || info.month < 1 || info.month > 12 || info.day < 1 ||
            info.day > 31)
            abort();
    } else if (info.kind != FST_ID_INVALID) {
        abort();
    }
    (void)fst_id_error_text(err);
    (void)fst_id_kind_name(info.kind);
    free(s);
    return 0;
}
