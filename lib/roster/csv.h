/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * RFC 4180 CSV records from a UTF-8 buffer: comma-separated fields, records ended by CRLF or LF,
 * double-quoted fields that may hold commas, line breaks and doubled quotes. Strict: a quote inside
 * an unquoted field, text after a closing quote, an unterminated quote or invalid UTF-8 is an error
 * with the line it is on. A UTF-8 byte order mark at the start is skipped; empty lines are skipped.
 */
#ifndef FST_ROSTER_CSV_H
#define FST_ROSTER_CSV_H

#include <stddef.h>

#include <apr_pools.h>

#include "utf8.h" /* fst_utf8_invalid_at: where a record stops being UTF-8 */

typedef struct fst_csv {
    const char *data;
    size_t len, pos;
    int line; /* the line the next record starts on, 1-based */
} fst_csv_t;

typedef struct fst_csv_record {
    int line; /* where the record starts */
    int n_fields;
    const char **fields; /* NUL-terminated copies in the pool */
} fst_csv_record_t;

typedef enum fst_csv_result { FST_CSV_RECORD = 0, FST_CSV_END = 1, FST_CSV_ERROR = 2 } fst_csv_result_t;

void fst_csv_init(fst_csv_t *csv, const char *data, size_t len);

/* The next record, FST_CSV_END after the last, or FST_CSV_ERROR with *err (and rec->line set). */
fst_csv_result_t fst_csv_next(fst_csv_t *csv, apr_pool_t *pool, fst_csv_record_t *rec, const char **err);


#endif
