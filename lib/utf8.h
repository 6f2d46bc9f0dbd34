/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * UTF-8, checked one way for everything that takes text (the roster, templates, pages, the store
 * plugins): no overlong forms, no surrogates, nothing past U+10FFFF. Plain C, no APR, so the
 * plugins compile it in too.
 */
#ifndef FST_UTF8_H
#define FST_UTF8_H

#include <stddef.h>

/* The length (1-4) of the valid UTF-8 sequence at s, which has n bytes left; 0 when there is none.
 * It reads no byte past a NUL, so n may be the rest of a NUL-terminated string. */
size_t fst_utf8_seq(const unsigned char *s, size_t n);

/* 1 when the len bytes at s are valid UTF-8. */
int fst_utf8_valid(const char *s, size_t len);

/* 0 when s[0..len) is valid UTF-8, else the 1-based offset of the first byte that is not. */
size_t fst_utf8_invalid_at(const char *s, size_t len);

#endif
