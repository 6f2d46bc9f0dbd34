/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "return_url.h"
#include "unit_main.h"

#define OWN "https://skole.example.no"

static fst_return_url_result_t check(const char *url)
{
    static const char *const allowed[] = {"https://portal.example.no", NULL};
    return fst_return_url_check(pool, url, OWN, allowed);
}

START_TEST(accepted)
{
    ck_assert_int_eq(check("/"), FST_RETURN_URL_OK);
    ck_assert_int_eq(check("/portal/elev?id=1#x"), FST_RETURN_URL_OK);
    ck_assert_int_eq(check("/%2F%2Fevil"), FST_RETURN_URL_OK); /* encoded: stays a path here */
    ck_assert_int_eq(check("https://skole.example.no/portal/"), FST_RETURN_URL_OK);
    ck_assert_int_eq(check("HTTPS://SKOLE.example.no:443/x"), FST_RETURN_URL_OK);
    ck_assert_int_eq(check("https://skole.example.no"), FST_RETURN_URL_OK);
    ck_assert_int_eq(check("https://portal.example.no/a"), FST_RETURN_URL_OK);
}
END_TEST

/* security.md's list, each refused. */
START_TEST(refused)
{
    char longurl[FST_RETURN_URL_MAX + 10];

    ck_assert_int_eq(check("//evil.example"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check("/\\evil.example"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("\\/evil.example"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("/\tevil.example"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("/\t/evil.example"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("https:evil.example"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check("https:/evil.example"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check("https://skole.example.no@evil.example/"), FST_RETURN_URL_USERINFO);
    ck_assert_int_eq(check("https://skole.example.no.evil.example/"), FST_RETURN_URL_OTHER_ORIGIN);
    ck_assert_int_eq(check("https://evil.example/"), FST_RETURN_URL_OTHER_ORIGIN);
    ck_assert_int_eq(check("http://skole.example.no/"), FST_RETURN_URL_OTHER_ORIGIN); /* scheme matters */
    ck_assert_int_eq(check("https://skole.example.no:8443/"), FST_RETURN_URL_OTHER_ORIGIN);
    ck_assert_int_eq(check("/ok\r\nSet-Cookie: x=y"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("/ok\n"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("javascript:alert(1)"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check("JaVaScRiPt:alert(1)"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check("data:text/html,x"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check(" /x"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("relative/path"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check("/bl\xc3\xa5"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("https://skole.example.no\\@evil.example"), FST_RETURN_URL_BAD_CHARACTER);
    ck_assert_int_eq(check("https://skole.example.no:x/"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check("https:///evil"), FST_RETURN_URL_BAD_FORM);
    ck_assert_int_eq(check(""), FST_RETURN_URL_EMPTY);
    ck_assert_int_eq(check(NULL), FST_RETURN_URL_EMPTY);
    memset(longurl, 'a', sizeof(longurl));
    longurl[0] = '/';
    longurl[sizeof(longurl) - 1] = '\0';
    ck_assert_int_eq(check(longurl), FST_RETURN_URL_TOO_LONG);
    ck_assert_str_eq(fst_return_url_result_text(FST_RETURN_URL_OTHER_ORIGIN), "points to another origin");
}
END_TEST

START_TEST(origins)
{
    ck_assert_str_eq(fst_url_origin(pool, "HTTPS://Skole.Example.NO:443/x?y"), "https://skole.example.no");
    ck_assert_str_eq(fst_url_origin(pool, "http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    ck_assert_str_eq(fst_url_origin(pool, "http://h:80/"), "http://h");
    ck_assert_str_eq(fst_url_origin(pool, "http://[::1]:80/"), "http://[::1]");
    ck_assert_str_eq(fst_url_origin(pool, "http://[::1]:81/"), "http://[::1]:81");
    ck_assert_ptr_null(fst_url_origin(pool, "ftp://h/"));
    ck_assert_ptr_null(fst_url_origin(pool, "https://u@h/"));
    ck_assert_ptr_null(fst_url_origin(pool, "https:///x"));
    ck_assert_ptr_null(fst_url_origin(pool, "https://h:123456/"));
    ck_assert_ptr_null(fst_url_origin(pool, "https://[::1/"));
    ck_assert_ptr_null(fst_url_origin(pool, "/path"));
}
END_TEST

UNIT_MAIN("return_url", accepted, refused, origins)
