/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The helpers the glue, foresattctl and the decision share for a register record and the text
 * around it: the display name, the birth date and coming of age, UTF-8, SHA-256.
 */
#include <string.h>

#include "hash.h"
#include "person.h"
#include "policy/rule.h"
#include "unit_main.h"
#include "utf8.h"

static const char *name_of(const char *given, const char *middle, const char *family)
{
    foresatt_person_t p;

    memset(&p, 0, sizeof(p));
    p.given_name = given;
    p.middle_name = middle;
    p.family_name = family;
    return fst_person_display_name(pool, &p);
}

START_TEST(display_name_joins_the_names_it_has)
{
    ck_assert_str_eq(name_of("KARI", "GRETHE", "NORDMANN"), "KARI GRETHE NORDMANN");
    ck_assert_str_eq(name_of("KARI", NULL, "NORDMANN"), "KARI NORDMANN");
    /* an empty middle name (the register gives "" as often as nothing) leaves no double space */
    ck_assert_str_eq(name_of("KARI", "", "NORDMANN"), "KARI NORDMANN");
    ck_assert_str_eq(name_of(NULL, NULL, "NORDMANN"), "NORDMANN");
    ck_assert_str_eq(name_of("KARI", NULL, NULL), "KARI");
    ck_assert_str_eq(name_of(NULL, "GRETHE", "NORDMANN"), "GRETHE NORDMANN");
    ck_assert_ptr_null(name_of(NULL, NULL, NULL));
    ck_assert_ptr_null(name_of("", "", ""));
    ck_assert_ptr_null(fst_person_display_name(pool, NULL));
}
END_TEST

START_TEST(birth_date_register_first_then_the_number)
{
    fst_date_t d;

    /* the register's date wins over the number's (20036914700: 20 March 1969) */
    ck_assert(fst_birth_date("2009-01-02", "20036914700", &d));
    ck_assert_int_eq(d.year, 2009);
    ck_assert_int_eq(d.month, 1);
    ck_assert_int_eq(d.day, 2);
    ck_assert(fst_birth_date(NULL, "20036914700", &d));
    ck_assert_int_eq(d.year, 1969);
    ck_assert_int_eq(d.month, 3);
    ck_assert_int_eq(d.day, 20);
    ck_assert(fst_birth_date("not a date", "20036914700", &d));
    ck_assert_int_eq(d.year, 1969);
    ck_assert(!fst_birth_date(NULL, NULL, &d));
    ck_assert(!fst_birth_date("2014-02-29", "12345678901", &d)); /* neither tells */
    d.year = 2012;
    d.month = 2;
    d.day = 29;
    d = fst_coming_of_age_of(d); /* 18 on 1 March in a common year */
    ck_assert_int_eq(d.year, 2030);
    ck_assert_int_eq(d.month, 3);
    ck_assert_int_eq(d.day, 1);
}
END_TEST

START_TEST(utf8_one_rule)
{
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"a", 1), 1);
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xc3\xb8", 2), 2);     /* ø */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xe2\x82\xac", 3), 3); /* € */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xf0\x9f\x98\x80", 4), 4);
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xc3\xb8", 1), 0);     /* cut short */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xc3", 8), 0);         /* stops at the NUL */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xc0\xaf", 2), 0);     /* overlong */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xe0\x80\xaf", 3), 0); /* overlong */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4), 0); /* past U+10FFFF */
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"\x80", 1), 0);
    ck_assert_uint_eq(fst_utf8_seq((const unsigned char *)"", 0), 0);
    ck_assert(fst_utf8_valid("bl\xc3\xa5" "b\xc3\xa6r", 7));
    ck_assert(!fst_utf8_valid("bl\xe5" "b", 4));
    ck_assert_uint_eq(fst_utf8_invalid_at("bl\xe5" "b", 4), 3);
    ck_assert_uint_eq(fst_utf8_invalid_at("", 0), 0);
}
END_TEST

START_TEST(sha256_parts_are_separated)
{
    unsigned char a[FST_SHA256_LEN], b[FST_SHA256_LEN], c[FST_SHA256_LEN];
    static const unsigned char empty[FST_SHA256_LEN] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14};

    fst_sha256_parts(a, "ab", "c", NULL);
    fst_sha256_parts(b, "a", "bc", NULL);
    fst_sha256_parts(c, "ab", "c", NULL);
    ck_assert(memcmp(a, b, sizeof(a)) != 0);
    ck_assert(memcmp(a, c, sizeof(a)) == 0);
    fst_sha256("", 0, a);
    ck_assert(memcmp(a, empty, 8) == 0); /* SHA-256("") = e3b0c442 98fc1c14 ... */
}
END_TEST

UNIT_MAIN("person", display_name_joins_the_names_it_has, birth_date_register_first_then_the_number,
          utf8_one_rule, sha256_parts_are_separated)
