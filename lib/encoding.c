/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <apr_strings.h>

#include "encoding.h"

static const char b64url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* One more than the value of each base64url character; 0 for every other byte. A table keeps the
 * per-request cookie decode to a load per character, and the +1 lets zero mean "not base64url". */
static const unsigned char b64url_value1[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['-'] = 63, ['_'] = 64,
};

/* The character's value, or -1. */
static int b64url_char(unsigned char c)
{
    return (int)b64url_value1[c] - 1;
}

char *fst_b64url_encode(apr_pool_t *pool, const unsigned char *data, size_t len)
{
    char *out = apr_palloc(pool, (len + 2) / 3 * 4 + 1), *p = out;
    size_t i = 0;

    for (; i + 2 < len; i += 3) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8 | data[i + 2];
        *p++ = b64url_alphabet[(v >> 18) & 63];
        *p++ = b64url_alphabet[(v >> 12) & 63];
        *p++ = b64url_alphabet[(v >> 6) & 63];
        *p++ = b64url_alphabet[v & 63];
    }
    if (len - i == 1) {
        unsigned v = (unsigned)data[i] << 16;
        *p++ = b64url_alphabet[(v >> 18) & 63];
        *p++ = b64url_alphabet[(v >> 12) & 63];
    }
    else if (len - i == 2) {
        unsigned v = (unsigned)data[i] << 16 | (unsigned)data[i + 1] << 8;
        *p++ = b64url_alphabet[(v >> 18) & 63];
        *p++ = b64url_alphabet[(v >> 12) & 63];
        *p++ = b64url_alphabet[(v >> 6) & 63];
    }
    *p = '\0';
    return out;
}

long fst_b64url_decode(unsigned char *out, size_t cap, const char *text, size_t len)
{
    size_t i = 0, o = 0;

    if (len % 4 == 1)
        return -1;
    if (len / 4 * 3 > cap)
        return -1;
    for (; i + 4 <= len; i += 4) {
        const unsigned char *t = (const unsigned char *)text + i;
        unsigned a = b64url_value1[t[0]], b = b64url_value1[t[1]], c = b64url_value1[t[2]], d = b64url_value1[t[3]];
        if (a == 0 || b == 0 || c == 0 || d == 0)
            return -1;
        unsigned v = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (d - 1);
        out[o++] = (unsigned char)(v >> 16);
        out[o++] = (unsigned char)(v >> 8);
        out[o++] = (unsigned char)v;
    }
    if (len - i >= 2) {
        int a = b64url_char((unsigned char)text[i]), b = b64url_char((unsigned char)text[i + 1]);
        int c = len - i == 3 ? b64url_char((unsigned char)text[i + 2]) : 0;
        if ((a | b | c) < 0)
            return -1;
        unsigned v = (unsigned)a << 18 | (unsigned)b << 12 | (unsigned)c << 6;
        /* Strict: the unused low bits must be zero, so each byte string has one encoding. */
        if (len - i == 2 ? (v & 0xffff) != 0 : (v & 0xff) != 0)
            return -1;
        if (o + (len - i - 1) > cap)
            return -1;
        out[o++] = (unsigned char)(v >> 16);
        if (len - i == 3)
            out[o++] = (unsigned char)(v >> 8);
    }
    return (long)o;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

char *fst_url_encode(apr_pool_t *pool, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    const unsigned char *p;
    char *out, *o;

    if (s == NULL)
        return apr_pstrdup(pool, "");
    for (p = (const unsigned char *)s; *p; p++)
        n += unreserved(*p) ? 1 : 3;
    out = o = apr_palloc(pool, n + 1);
    for (p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            *o++ = (char)*p;
        }
        else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = '\0';
    return out;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *fst_url_decode(apr_pool_t *pool, const char *s, size_t len)
{
    char *out = apr_palloc(pool, len + 1), *o = out;
    size_t i;

    for (i = 0; i < len; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        }
        else if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= len)
                return NULL;
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            *o++ = (char)(hi << 4 | lo);
            i += 2;
        }
        else if (s[i] == '\0') {
            return NULL;
        }
        else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

char *fst_html_escape(apr_pool_t *pool, const char *s)
{
    size_t n = 0;
    const char *p;
    char *out, *o;

    if (s == NULL)
        return apr_pstrdup(pool, "");
    for (p = s; *p; p++) {
        switch (*p) {
        case '&': n += 5; break;
        case '<': case '>': n += 4; break;
        case '"': case '\'': n += 6; break;
        default: n++;
        }
    }
    out = o = apr_palloc(pool, n + 1);
    for (p = s; *p; p++) {
        switch (*p) {
        case '&': memcpy(o, "&amp;", 5); o += 5; break;
        case '<': memcpy(o, "&lt;", 4); o += 4; break;
        case '>': memcpy(o, "&gt;", 4); o += 4; break;
        case '"': memcpy(o, "&quot;", 6); o += 6; break;
        case '\'': memcpy(o, "&#x27;", 6); o += 6; break;
        default: *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

int fst_mem_equal(const void *a, const void *b, size_t len)
{
    const volatile unsigned char *x = a, *y = b;
    unsigned char diff = 0;
    size_t i;

    for (i = 0; i < len; i++)
        diff |= x[i] ^ y[i];
    return diff == 0;
}

int fst_str_equal(const char *a, const char *b)
{
    size_t la, lb;

    if (a == NULL || b == NULL)
        return 0;
    la = strlen(a);
    lb = strlen(b);
    if (la != lb)
        return 0;
    return fst_mem_equal(a, b, la);
}

int fst_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return 0;
        }
        p += got;
        n -= (size_t)got;
    }
    return 1;
}

char *fst_random_token(apr_pool_t *pool, size_t bytes)
{
    unsigned char buf[64];

    if (bytes > sizeof(buf) || !fst_random_bytes(buf, bytes))
        return NULL;
    return fst_b64url_encode(pool, buf, bytes);
}
