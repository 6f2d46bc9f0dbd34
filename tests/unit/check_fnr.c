/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <check.h>
#include <stdlib.h>

#include "fnr.h"

/* Vectors worked out by hand from Skatteetaten's rules (the 2032 rule among them) */
START_TEST(valid_vectors)
{
    fst_id_info_t info;

    ck_assert_int_eq(fst_id_parse("20036914700", &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_FNR);
    ck_assert_int_eq(info.year, 1969);
    ck_assert_int_eq(info.month, 3);
    ck_assert_int_eq(info.day, 20);
    ck_assert_int_eq(info.new_rule, 0);

    ck_assert_int_eq(fst_id_parse("30108299939", &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_FNR);
    ck_assert_int_eq(info.new_rule, 1);
    ck_assert_int_eq(info.year, 1982);

    ck_assert_int_eq(fst_id_parse("55102499947", &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_DNR);
    ck_assert_int_eq(info.is_dnumber, 1);
    ck_assert_int_eq(info.day, 15);
    ck_assert_int_eq(info.year, 2024);

    ck_assert_int_eq(fst_id_parse("03851598730", &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_SYNTHETIC);
    ck_assert_int_eq(info.month, 5);
    ck_assert_int_eq(info.year, 2015);
}
END_TEST

START_TEST(invalid_vectors)
{
    ck_assert_int_eq(fst_id_parse("20036914712", NULL), FST_ID_ERR_CHECK_DIGITS);
    ck_assert_int_eq(fst_id_parse("29020105729", NULL), FST_ID_ERR_DATE);
}
END_TEST

START_TEST(shape)
{
    fst_id_info_t info;

    ck_assert_int_eq(fst_id_parse(NULL, &info), FST_ID_ERR_EMPTY);
    ck_assert_int_eq(info.kind, FST_ID_INVALID);
    ck_assert_int_eq(fst_id_parse("", NULL), FST_ID_ERR_EMPTY);
    ck_assert_int_eq(fst_id_parse("2003691470", NULL), FST_ID_ERR_LENGTH);
    ck_assert_int_eq(fst_id_parse("200369147000", NULL), FST_ID_ERR_LENGTH);
    ck_assert_int_eq(fst_id_parse("2003691470a", NULL), FST_ID_ERR_NOT_DIGITS);
    ck_assert_int_eq(fst_id_parse("200369 4700", NULL), FST_ID_ERR_NOT_DIGITS);
    ck_assert_int_eq(fst_id_parse("-2003691470", NULL), FST_ID_ERR_NOT_DIGITS);
    ck_assert_int_eq(fst_id_valid("20036914700"), 1);
    ck_assert_int_eq(fst_id_valid("20036914701"), 0);
}
END_TEST

/* Build a number with correct (old-rule) check digits, or return 0 where none exists. */
static int make_number(int day, int month, int yy, int individual, char out[12])
{
    static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2}, w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    int d[11], i, s, k;

    d[0] = day / 10, d[1] = day % 10, d[2] = month / 10, d[3] = month % 10, d[4] = yy / 10, d[5] = yy % 10;
    d[6] = individual / 100, d[7] = individual / 10 % 10, d[8] = individual % 10;
    for (s = 0, i = 0; i < 9; i++)
        s += w1[i] * d[i];
    k = 11 - s % 11;
    if (k == 11)
        k = 0;
    if (k == 10)
        return 0;
    d[9] = k;
    for (s = 0, i = 0; i < 10; i++)
        s += w2[i] * d[i];
    k = 11 - s % 11;
    if (k == 11)
        k = 0;
    if (k == 10)
        return 0;
    d[10] = k;
    for (i = 0; i < 11; i++)
        out[i] = (char)('0' + d[i]);
    out[11] = '\0';
    return 1;
}

/* First individual number from start that gives valid check digits. */
static void first_number(int day, int month, int yy, int start, char out[12])
{
    int i;

    for (i = start; i < start + 100; i++)
        if (make_number(day, month, yy, i, out))
            return;
    ck_abort_msg("no number for %02d%02d%02d", day, month, yy);
}

START_TEST(dates_and_centuries)
{
    char n[12];
    fst_id_info_t info;

    /* 29 February 2000 (individual 500-999, YY 00) exists; 1900 was not a leap year. */
    first_number(29, 2, 0, 500, n);
    ck_assert_int_eq(fst_id_parse(n, &info), FST_ID_OK);
    ck_assert_int_eq(info.year, 2000);
    first_number(29, 2, 0, 0, n);
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_DATE);
    /* 29 February 2004 yes, 30 February never, 31 April never, month 13 never, day 0 never. */
    first_number(29, 2, 4, 500, n);
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_OK);
    first_number(30, 2, 4, 500, n);
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_DATE);
    first_number(31, 4, 90, 0, n);
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_DATE);
    first_number(1, 13, 90, 0, n);
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_DATE);
    first_number(0, 1, 90, 0, n);
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_DATE);
    /* 1800s: individual 500-749 with YY 54-99 */
    first_number(1, 1, 60, 500, n);
    ck_assert_int_eq(fst_id_parse(n, &info), FST_ID_OK);
    ck_assert_int_eq(info.year, 1860);
    /* 1940-1999 with individual 900-999 */
    first_number(1, 1, 45, 900, n);
    ck_assert_int_eq(fst_id_parse(n, &info), FST_ID_OK);
    ck_assert_int_eq(info.year, 1945);
}
END_TEST

START_TEST(kinds)
{
    char n[12];
    fst_id_info_t info;

    first_number(41, 1, 90, 0, n); /* D-nummer: day + 40 */
    ck_assert_int_eq(fst_id_parse(n, &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_DNR);
    ck_assert_int_eq(info.day, 1);
    first_number(72, 1, 90, 0, n); /* day 32 after removing 40: impossible */
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_DATE);
    first_number(14, 83, 80, 0, n); /* Tenor: month + 80 */
    ck_assert_int_eq(fst_id_parse(n, &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_SYNTHETIC);
    ck_assert_int_eq(info.month, 3);
    first_number(54, 83, 80, 0, n); /* synthetic D-number */
    ck_assert_int_eq(fst_id_parse(n, &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_SYNTHETIC);
    ck_assert_int_eq(info.is_dnumber, 1);
    first_number(14, 43, 80, 0, n); /* NAV Dolly: month + 40 */
    ck_assert_int_eq(fst_id_parse(n, &info), FST_ID_OK);
    ck_assert_int_eq(info.kind, FST_ID_SYNTHETIC_NAV);
    first_number(14, 93, 80, 0, n); /* month 13 after removing 80 */
    ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_DATE);
    ck_assert_str_eq(fst_id_kind_name(FST_ID_DNR), "dnr");
    ck_assert_str_eq(fst_id_kind_name(FST_ID_SYNTHETIC), "synthetic");
    ck_assert_str_eq(fst_id_error_text(FST_ID_ERR_CHECK_DIGITS), "the check digits are wrong");
}
END_TEST

/* The 2032 rule accepts k1 remainders 1..3 and nothing beyond; k2 is unchanged. */
START_TEST(rule_2032)
{
    char n[12];
    int rem, accepted = 0, refused = 0, digit;

    ck_assert(make_number(20, 3, 69, 147, n));
    for (digit = 0; digit <= 9; digit++) {
        static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2}, w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
        int s1 = 0, s2 = 0, i, k2;
        n[9] = (char)('0' + digit);
        for (i = 0; i < 9; i++)
            s1 += w1[i] * (n[i] - '0');
        rem = (s1 + digit) % 11;
        for (i = 0; i < 10; i++)
            s2 += w2[i] * (n[i] - '0');
        k2 = 11 - s2 % 11;
        if (k2 == 11)
            k2 = 0;
        if (k2 == 10)
            continue;
        n[10] = (char)('0' + k2);
        if (rem <= 3) {
            ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_OK);
            accepted++;
        } else {
            ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_CHECK_DIGITS);
            refused++;
        }
        /* a wrong k2 is always refused */
        n[10] = (char)('0' + (k2 + 1) % 10);
        ck_assert_int_eq(fst_id_parse(n, NULL), FST_ID_ERR_CHECK_DIGITS);
    }
    ck_assert_int_gt(accepted, 1);
    ck_assert_int_gt(refused, 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fnr");
    TCase *tc = tcase_create("fnr");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, valid_vectors);
    tcase_add_test(tc, invalid_vectors);
    tcase_add_test(tc, shape);
    tcase_add_test(tc, dates_and_centuries);
    tcase_add_test(tc, kinds);
    tcase_add_test(tc, rule_2032);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
