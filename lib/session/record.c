/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "record.h"

#define ABSENT 0xffffu

static void reserve(fst_record_writer_t *w, size_t more)
{
    if (w->len + more > w->cap) {
        size_t cap = (w->cap ? w->cap : 256);
        unsigned char *buf;

        while (cap < w->len + more)
            cap *= 2;
        buf = apr_palloc(w->pool, cap);
        if (w->len)
            memcpy(buf, w->buf, w->len);
        w->buf = buf;
        w->cap = cap;
    }
}

void fst_record_writer_init(fst_record_writer_t *w, apr_pool_t *pool, unsigned char kind)
{
    w->pool = pool;
    w->buf = NULL;
    w->len = w->cap = 0;
    w->failed = 0;
    fst_record_put_bytes(w, &kind, 1);
}

void fst_record_put_bytes(fst_record_writer_t *w, const void *data, size_t len)
{
    reserve(w, len);
    memcpy(w->buf + w->len, data, len);
    w->len += len;
}

void fst_record_put_int(fst_record_writer_t *w, int64_t v)
{
    unsigned char b[8];
    uint64_t u = (uint64_t)v;
    int i;

    for (i = 7; i >= 0; i--) {
        b[i] = (unsigned char)(u & 0xff);
        u >>= 8;
    }
    fst_record_put_bytes(w, b, 8);
}

void fst_record_put_string(fst_record_writer_t *w, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    unsigned char b[2];

    if (s != NULL && len > FST_RECORD_STRING_MAX)
        w->failed = 1;
    if (s == NULL || len > FST_RECORD_STRING_MAX) {
        b[0] = b[1] = 0xff;
        fst_record_put_bytes(w, b, 2);
        return;
    }
    b[0] = (unsigned char)(len >> 8);
    b[1] = (unsigned char)(len & 0xff);
    fst_record_put_bytes(w, b, 2);
    fst_record_put_bytes(w, s, len);
}

int fst_record_reader_init(fst_record_reader_t *r, apr_pool_t *pool, const unsigned char *buf, size_t len,
                           unsigned char kind)
{
    r->pool = pool;
    r->buf = buf;
    r->len = len;
    r->pos = 1;
    r->failed = len < 1 || buf[0] != kind;
    return !r->failed;
}

void fst_record_get_bytes(fst_record_reader_t *r, void *out, size_t len)
{
    if (r->failed || r->len - r->pos < len) {
        r->failed = 1;
        memset(out, 0, len);
        return;
    }
    memcpy(out, r->buf + r->pos, len);
    r->pos += len;
}

int64_t fst_record_get_int(fst_record_reader_t *r)
{
    unsigned char b[8];
    uint64_t u = 0;
    int i;

    fst_record_get_bytes(r, b, 8);
    for (i = 0; i < 8; i++)
        u = u << 8 | b[i];
    return (int64_t)u;
}

const char *fst_record_get_string(fst_record_reader_t *r)
{
    unsigned char b[2];
    size_t len;
    const char *s;

    fst_record_get_bytes(r, b, 2);
    if (r->failed)
        return NULL;
    len = (size_t)b[0] << 8 | b[1];
    if (len == ABSENT)
        return NULL;
    if (len > FST_RECORD_STRING_MAX || r->len - r->pos < len ||
        memchr(r->buf + r->pos, '\0', len) != NULL) {
        r->failed = 1;
        return NULL;
    }
    s = apr_pstrmemdup(r->pool, (const char *)r->buf + r->pos, len);
    r->pos += len;
    return s;
}

int fst_record_reader_done(const fst_record_reader_t *r)
{
    return !r->failed && r->pos == r->len;
}
