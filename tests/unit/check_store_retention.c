/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <check.h>
#include <stdlib.h>

#include "retention.h"

static fst_date_t D(int y, int m, int d)
{
    fst_date_t date = {y, m, d};
    return date;
}

#define ck_date(got, y, m, d)                                                                                  \
    do {                                                                                                       \
        fst_date_t g_ = (got);                                                                                 \
        ck_assert_msg(g_.year == (y) && g_.month == (m) && g_.day == (d), "got %04d-%02d-%02d", g_.year,       \
                      g_.month, g_.day);                                                                       \
    } while (0)

START_TEST(parse)
{
    fst_retention_t r;
    const char *why;

    ck_assert(fst_retention_parse("2 years", &r, &why));
    ck_assert_int_eq(r.amount, 2);
    ck_assert_int_eq(r.unit, FST_RETAIN_YEARS);
    ck_assert(fst_retention_parse("1 year", &r, &why));
    ck_assert(fst_retention_parse("18 months", &r, &why));
    ck_assert_int_eq(r.unit, FST_RETAIN_MONTHS);
    ck_assert(fst_retention_parse("400d", &r, &why));
    ck_assert_int_eq(r.amount, 400);
    ck_assert_int_eq(r.unit, FST_RETAIN_DAYS);
    ck_assert(fst_retention_parse("  3 y ", &r, &why));
    ck_assert(!fst_retention_parse("", &r, &why));
    ck_assert(!fst_retention_parse("years", &r, &why));
    ck_assert(!fst_retention_parse("2 weeks", &r, &why));
    ck_assert(!fst_retention_parse("-1 days", &r, &why));
    ck_assert(!fst_retention_parse("0 days", &r, &why));
    ck_assert_str_eq(why, "the period must be at least 1 day and at most 100 years");
    ck_assert(!fst_retention_parse("101 years", &r, &why));
    ck_assert(!fst_retention_parse("99999999999 days", &r, &why));
    ck_assert(!fst_retention_parse(NULL, &r, &why));
}
END_TEST

START_TEST(cut)
{
    fst_retention_t r;
    const char *why;

    ck_assert(fst_retention_parse("1 year", &r, &why));
    ck_date(fst_retention_cut(&r, D(2026, 12, 1)), 2025, 12, 1);
    ck_date(fst_retention_cut(&r, D(2028, 2, 29)), 2027, 2, 28);
    ck_assert(fst_retention_parse("2 months", &r, &why));
    ck_date(fst_retention_cut(&r, D(2026, 1, 31)), 2025, 11, 30);
    ck_date(fst_retention_cut(&r, D(2026, 4, 30)), 2026, 2, 28);
    ck_assert(fst_retention_parse("30 days", &r, &why));
    ck_date(fst_retention_cut(&r, D(2026, 3, 1)), 2026, 1, 30);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("retention");
    TCase *tc = tcase_create("period");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, parse);
    tcase_add_test(tc, cut);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
