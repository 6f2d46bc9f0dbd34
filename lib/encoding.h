/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Small encodings the protocol and the pages need: base64url without padding (RFC 7515 §2),
 * form/percent encoding (RFC 3986 unreserved set kept), HTML escaping, a constant-time compare and
 * the OS's random bytes. Memory comes from APR pools.
 */
#ifndef FST_ENCODING_H
#define FST_ENCODING_H

#include <stddef.h>
#include <apr_pools.h>

/* base64url of len bytes, no padding, NUL-terminated. */
char *fst_b64url_encode(apr_pool_t *pool, const unsigned char *data, size_t len);

/* Decode base64url text (no padding, no whitespace) into out (at most cap bytes). Returns the
 * number of bytes written, or -1 when the text is not strict base64url or does not fit. */
long fst_b64url_decode(unsigned char *out, size_t cap, const char *text, size_t len);

/* The number of bytes fst_b64url_decode needs for len characters (an upper bound). */
#define FST_B64URL_DECODED_MAX(len) (((len) / 4) * 3 + 3)

/* Percent-encode everything but ALPHA / DIGIT / "-" / "." / "_" / "~" (RFC 3986 unreserved). */
char *fst_url_encode(apr_pool_t *pool, const char *s);

/* Decode %XX and '+' (form encoding). Returns NULL on a bad escape or an encoded NUL. */
char *fst_url_decode(apr_pool_t *pool, const char *s, size_t len);

/* Escape & < > " ' for HTML text and attribute values; non-ASCII bytes are kept. */
char *fst_html_escape(apr_pool_t *pool, const char *s);

/* 1 when a and b (both len bytes) are equal, in time that does not depend on where they differ. */
int fst_mem_equal(const void *a, const void *b, size_t len);

/* 1 when the NUL-terminated strings are equal; the time depends only on the lengths. */
int fst_str_equal(const char *a, const char *b);

/* n random bytes from the OS CSPRNG (getrandom). Returns 1, or 0 when the OS gave none. */
int fst_random_bytes(void *buf, size_t n);

/* A random token: bytes random bytes as base64url. NULL when the OS gave no randomness. */
char *fst_random_token(apr_pool_t *pool, size_t bytes);

#endif
