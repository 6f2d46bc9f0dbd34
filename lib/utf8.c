/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include "utf8.h"

size_t fst_utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c, cp, min;
    size_t len, i;

    if (n == 0)
        return 0;
    c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at a NUL */
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

size_t fst_utf8_invalid_at(const char *s, size_t len)
{
    size_t i = 0, k;

    while (i < len) {
        if ((k = fst_utf8_seq((const unsigned char *)s + i, len - i)) == 0)
            return i + 1;
        i += k;
    }
    return 0;
}

int fst_utf8_valid(const char *s, size_t len)
{
    return fst_utf8_invalid_at(s, len) == 0;
}
