/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The binary layout inside sealed cookies: a kind byte, then fixed fields in a fixed order.
 * Integers are 64-bit big-endian; strings are a 16-bit big-endian length and the bytes (0xffff
 * for "absent"). Compact and cheap to read on every request; no JSON on the hot path.
 */
#ifndef FST_SESSION_RECORD_H
#define FST_SESSION_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

#define FST_RECORD_STRING_MAX 8192

typedef struct fst_record_writer {
    apr_pool_t *pool;
    unsigned char *buf;
    size_t len, cap;
    int failed; /* a string was longer than FST_RECORD_STRING_MAX: the record must not be used */
} fst_record_writer_t;

void fst_record_writer_init(fst_record_writer_t *w, apr_pool_t *pool, unsigned char kind);
void fst_record_put_bytes(fst_record_writer_t *w, const void *data, size_t len);
void fst_record_put_int(fst_record_writer_t *w, int64_t v);
/* NULL is stored as absent. A string longer than FST_RECORD_STRING_MAX fails the writer (it would
 * read back as absent): the encoders then return no record. */
void fst_record_put_string(fst_record_writer_t *w, const char *s);

typedef struct fst_record_reader {
    apr_pool_t *pool;
    const unsigned char *buf;
    size_t len, pos;
    int failed;
} fst_record_reader_t;

/* Returns 0 (and marks the reader failed) when the kind byte differs. */
int fst_record_reader_init(fst_record_reader_t *r, apr_pool_t *pool, const unsigned char *buf, size_t len,
                           unsigned char kind);
void fst_record_get_bytes(fst_record_reader_t *r, void *out, size_t len);
int64_t fst_record_get_int(fst_record_reader_t *r);
/* A NUL-terminated copy in the pool, or NULL when absent. Embedded NULs fail the reader. */
const char *fst_record_get_string(fst_record_reader_t *r);
/* 1 when every read succeeded and nothing is left over. */
int fst_record_reader_done(const fst_record_reader_t *r);

#endif
