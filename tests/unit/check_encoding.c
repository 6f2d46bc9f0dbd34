/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "encoding.h"
#include "json_guard.h"
#include "unit_main.h"

START_TEST(b64url_round_trip)
{
    unsigned char data[64], out[64];
    size_t len;

    for (len = 0; len < sizeof(data); len++) {
        char *text;
        long n;

        data[len] = (unsigned char)(len * 37 + 11);
        text = fst_b64url_encode(pool, data, len);
        ck_assert_ptr_null(strchr(text, '='));
        ck_assert_ptr_null(strchr(text, '+'));
        ck_assert_ptr_null(strchr(text, '/'));
        n = fst_b64url_decode(out, sizeof(out), text, strlen(text));
        ck_assert_int_eq(n, (long)len);
        ck_assert(memcmp(out, data, len) == 0);
    }
    ck_assert_str_eq(fst_b64url_encode(pool, (const unsigned char *)"\xfb\xff", 2), "-_8");
}
END_TEST

START_TEST(b64url_strict)
{
    unsigned char out[16];

    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "QQ==", 4), -1);  /* padding */
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "Q+==", 4), -1);  /* standard alphabet */
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "Q", 1), -1);     /* impossible length */
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "QR", 2), -1);    /* non-zero spare bits */
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "QQ", 2), 1);
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "QUJ", 3), -1);   /* non-zero spare bits */
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "QUI", 3), 2);
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "QU I", 4), -1);  /* whitespace */
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "QUJD\0RE", 7), -1);
    ck_assert_int_eq(fst_b64url_decode(out, 2, "QUJD", 4), -1);           /* does not fit */
    ck_assert_int_eq(fst_b64url_decode(out, sizeof(out), "", 0), 0);
}
END_TEST

/* Every byte in every position of a group: the 64 letters decode to their value, all else refused. */
START_TEST(b64url_every_byte)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char out[8];
    char text[8];
    int c, pos;

    for (pos = 0; pos < 4; pos++)
        for (c = 0; c < 256; c++) {
            const char *at = c ? memchr(alphabet, c, 64) : NULL;
            long n;

            memcpy(text, "AAAAAAAA", 8);
            text[pos] = (char)c;
            n = fst_b64url_decode(out, sizeof(out), text, 8);
            if (at == NULL) {
                ck_assert_int_eq(n, -1);
                continue;
            }
            ck_assert_int_eq(n, 6);
            unsigned v = (unsigned)out[0] << 16 | (unsigned)out[1] << 8 | out[2];
            ck_assert_uint_eq((v >> (18 - 6 * pos)) & 63, (unsigned)(at - alphabet));
        }
}
END_TEST

START_TEST(url_encoding)
{
    ck_assert_str_eq(fst_url_encode(pool, "a b&c=d/é~._-"), "a%20b%26c%3Dd%2F%C3%A9~._-");
    ck_assert_str_eq(fst_url_encode(pool, NULL), "");
    ck_assert_str_eq(fst_url_decode(pool, "a+b%20c%2Fd", 11), "a b c/d");
    ck_assert_ptr_null(fst_url_decode(pool, "a%2", 3));
    ck_assert_ptr_null(fst_url_decode(pool, "a%", 2));
    ck_assert_ptr_null(fst_url_decode(pool, "a%zz", 4));
    ck_assert_ptr_null(fst_url_decode(pool, "a%00b", 5));
    ck_assert_str_eq(fst_url_decode(pool, "%41", 3), "A");
}
END_TEST

START_TEST(html_escape)
{
    ck_assert_str_eq(fst_html_escape(pool, "<script>\"x\" & 'y'</script>"),
                     "&lt;script&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/script&gt;");
    ck_assert_str_eq(fst_html_escape(pool, NULL), "");
    ck_assert_str_eq(fst_html_escape(pool, "blåbær"), "blåbær");
}
END_TEST

START_TEST(constant_time_compare)
{
    ck_assert(fst_str_equal("abc", "abc"));
    ck_assert(!fst_str_equal("abc", "abd"));
    ck_assert(!fst_str_equal("abc", "abcd"));
    ck_assert(!fst_str_equal(NULL, "a"));
    ck_assert(!fst_str_equal("a", NULL));
    ck_assert(fst_mem_equal("\0\1", "\0\1", 2));
    ck_assert(!fst_mem_equal("\0\1", "\0\2", 2));
}
END_TEST

START_TEST(randomness)
{
    char *a = fst_random_token(pool, 16), *b = fst_random_token(pool, 16);

    ck_assert_int_eq(strlen(a), 22);
    ck_assert_str_ne(a, b);
    ck_assert_ptr_null(fst_random_token(pool, 65));
}
END_TEST

START_TEST(json_limits)
{
    const char *err = NULL;
    char deep[200];
    json_t *j;
    int i;

    ck_assert_int_eq(fst_json_depth("{\"a\":[1,{\"b\":\"]]]\"}]}", 22, 10), 3);
    ck_assert_int_eq(fst_json_depth("{\"a\":\"\\\"{\"}", 11, 10), 1);
    ck_assert_int_eq(fst_json_depth("}", 1, 10), -1);
    ck_assert_int_eq(fst_json_depth("{", 1, 10), -1);
    for (i = 0; i < 100; i++)
        deep[i] = '[';
    for (i = 100; i < 200; i++)
        deep[i] = ']';
    ck_assert_ptr_null(fst_json_parse_object(deep, sizeof(deep), 1000, 16, &err));
    ck_assert_str_eq(err, "document nested too deeply");
    ck_assert_ptr_null(fst_json_parse_object("{\"a\":1}", 7, 5, 16, &err));
    ck_assert_str_eq(err, "document too large");
    ck_assert_ptr_null(fst_json_parse_object("[1]", 3, 100, 16, &err));
    ck_assert_str_eq(err, "not a JSON object");
    ck_assert_ptr_null(fst_json_parse_object("{\"a\":1,\"a\":2}", 13, 100, 16, &err));
    ck_assert_str_eq(err, "not valid JSON");
    ck_assert_ptr_null(fst_json_parse_object("", 0, 100, 16, &err));
    ck_assert_str_eq(err, "empty document");
    ck_assert_ptr_null(fst_json_parse_object("{\"a\":", 5, 100, 16, &err));
    j = fst_json_parse_object("{\"a\":\"x\",\"b\":1}", 15, 100, 16, &err);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(fst_json_string(j, "a"), "x");
    ck_assert_ptr_null(fst_json_string(j, "b"));
    ck_assert_ptr_null(fst_json_string(j, "c"));
    json_decref(j);
}
END_TEST

UNIT_MAIN("encoding", b64url_round_trip, b64url_strict, b64url_every_byte, url_encoding, html_escape, constant_time_compare, randomness,
          json_limits)
