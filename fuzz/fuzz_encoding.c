/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The small decoders every cookie, token and query goes through (lib/encoding.c). Invariants:
 * base64url decoding is strict (what decodes re-encodes to the same text), percent-decoding
 * never yields a NUL and inverts fst_url_encode, HTML escaping leaves no markup character.
 */
#include "encoding.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    char *text = fuzz_cstring(pool, data, size), *decoded, *escaped, *p;
    size_t len = strlen(text);
    unsigned char *bytes = apr_palloc(pool, FST_B64URL_DECODED_MAX(len) + 1);
    long n = fst_b64url_decode(bytes, FST_B64URL_DECODED_MAX(len), text, len);

    if (n >= 0) {
        char *again = fst_b64url_encode(pool, bytes, (size_t)n);
        FUZZ_ASSERT(strcmp(again, text) == 0);
    }
    /* Too small a buffer is refused, never overrun (ASan watches the bound). */
    if (n > 0) {
        unsigned char *tight = apr_palloc(pool, (size_t)n - 1);
        FUZZ_ASSERT(fst_b64url_decode(tight, (size_t)n - 1, text, len) == -1);
    }
    {
        char *enc = fst_b64url_encode(pool, data, size);
        unsigned char *back = apr_palloc(pool, FST_B64URL_DECODED_MAX(strlen(enc)) + 1);
        FUZZ_ASSERT(fst_b64url_decode(back, FST_B64URL_DECODED_MAX(strlen(enc)), enc, strlen(enc)) == (long)size);
        FUZZ_ASSERT(size == 0 || memcmp(back, data, size) == 0);
    }

    decoded = fst_url_decode(pool, text, len);
    if (decoded != NULL) {
        FUZZ_ASSERT(strlen(decoded) <= len);
        FUZZ_ASSERT(strcmp(fst_url_decode(pool, fst_url_encode(pool, decoded), strlen(fst_url_encode(pool, decoded))),
                           decoded) == 0);
    }
    for (p = fst_url_encode(pool, text); *p; p++)
        FUZZ_ASSERT(strchr("&=+%/?#; \"<>", *p) == NULL || *p == '%');

    escaped = fst_html_escape(pool, text);
    FUZZ_ASSERT(strpbrk(escaped, "<>\"'") == NULL);
    for (p = strchr(escaped, '&'); p; p = strchr(p + 1, '&'))
        FUZZ_ASSERT(strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 || strncmp(p, "&gt;", 4) == 0 ||
                    strncmp(p, "&quot;", 6) == 0 || strncmp(p, "&#39;", 5) == 0 || strncmp(p, "&#x27;", 6) == 0);

    FUZZ_ASSERT(fst_str_equal(text, text) && fst_mem_equal(data, data, size));
    if (len > 0)
        FUZZ_ASSERT(!fst_str_equal(text, apr_pstrmemdup(pool, text, len - 1)));
    apr_pool_destroy(pool);
    return 0;
}
