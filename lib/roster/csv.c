/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

#include "csv.h"

/* The record's bytes must be UTF-8 without NUL; on failure rec->line becomes the bad byte's line. */
static int raw_text_ok(const char *s, size_t len, fst_csv_record_t *rec, const char **err)
{
    size_t bad = fst_utf8_invalid_at(s, len);
    const char *nul = memchr(s, '\0', len);
    size_t at = bad ? bad - 1 : nul ? (size_t)(nul - s) : len;

    if (at == len)
        return 1;
    for (size_t i = 0; i < at; i++)
        if (s[i] == '\n')
            rec->line++;
    *err = bad && (!nul || bad - 1 <= (size_t)(nul - s)) ? "invalid UTF-8 (save the file as UTF-8)" : "a NUL byte";
    return 0;
}

void fst_csv_init(fst_csv_t *csv, const char *data, size_t len)
{
    csv->data = data;
    csv->len = len;
    csv->pos = 0;
    csv->line = 1;
    if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
        csv->pos = 3;
}

fst_csv_result_t fst_csv_next(fst_csv_t *csv, apr_pool_t *pool, fst_csv_record_t *rec, const char **err)
{
    apr_array_header_t *fields = apr_array_make(pool, 16, sizeof(const char *));
    const char *d = csv->data;
    size_t n = csv->len, p = csv->pos, rec_start;

    /* skip empty lines */
    while (p < n && (d[p] == '\n' || (d[p] == '\r' && p + 1 < n && d[p + 1] == '\n'))) {
        p += d[p] == '\r' ? 2 : 1;
        csv->line++;
    }
    rec_start = p;
    rec->line = csv->line;
    rec->n_fields = 0;
    rec->fields = NULL;
    if (p >= n) {
        csv->pos = p;
        return FST_CSV_END;
    }
    for (;;) {
        size_t start = p;
        char *value;

        if (p < n && d[p] == '"') {
            /* The field's end first, then a copy of exactly its length: memory stays linear in the
             * file however many fields are quoted. */
            size_t q = p + 1, out_len = 0;
            char *out, *o;

            for (;;) {
                if (q >= n) {
                    *err = apr_psprintf(pool, "a quoted field opened on line %d is never closed", rec->line);
                    return FST_CSV_ERROR;
                }
                if (d[q] == '"') {
                    if (q + 1 < n && d[q + 1] == '"') {
                        out_len++;
                        q += 2;
                        continue;
                    }
                    break;
                }
                out_len++;
                q++;
            }
            out = o = apr_palloc(pool, out_len + 1);
            for (p++; p < q; p++) {
                if (d[p] == '"')
                    p++; /* the first of a doubled quote */
                else if (d[p] == '\n')
                    csv->line++;
                *o++ = d[p];
            }
            p = q + 1;
            *o = '\0';
            value = out;
            if (p < n && d[p] != ',' && d[p] != '\n' && !(d[p] == '\r' && p + 1 < n && d[p + 1] == '\n')) {
                *err = "text after the closing quote of a quoted field (a quote inside a field is written \"\")";
                rec->line = csv->line;
                return FST_CSV_ERROR;
            }
        } else {
            while (p < n && d[p] != ',' && d[p] != '\n' && !(d[p] == '\r' && p + 1 < n && d[p + 1] == '\n')) {
                if (d[p] == '"') {
                    *err = "a quote inside an unquoted field (quote the whole field and write the quote as \"\")";
                    return FST_CSV_ERROR;
                }
                if (d[p] == '\r') {
                    *err = "a carriage return that does not end a line";
                    return FST_CSV_ERROR;
                }
                p++;
            }
            value = apr_pstrmemdup(pool, d + start, p - start);
        }
        *(const char **)apr_array_push(fields) = value;
        if (p < n && d[p] == ',') {
            p++;
            continue;
        }
        if (p < n && d[p] == '\r')
            p++;
        if (p < n && d[p] == '\n') {
            p++;
            csv->line++;
        }
        break;
    }
    if (!raw_text_ok(d + rec_start, p - rec_start, rec, err))
        return FST_CSV_ERROR;
    csv->pos = p;
    rec->n_fields = fields->nelts;
    rec->fields = (const char **)fields->elts;
    return FST_CSV_RECORD;
}
