/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Oslo dates computed in code, checked against fixed instants and, exhaustively, against the
 * system's tzdata (this test is single-threaded, so TZ is fine here).
 */
#include <check.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "policy/oslo_time.h"

static fst_date_t D(int y, int m, int d)
{
    fst_date_t x = {y, m, d};
    return x;
}

#define ck_date(got, y, m, d)                                                                                  \
    do {                                                                                                       \
        fst_date_t g_ = (got);                                                                                 \
        ck_assert_msg(g_.year == (y) && g_.month == (m) && g_.day == (d), "got %04d-%02d-%02d, want %04d-%02d-%02d", \
                      g_.year, g_.month, g_.day, (y), (m), (d));                                               \
    } while (0)

START_TEST(days_round_trip)
{
    int64_t z;

    ck_assert_int_eq(fst_date_to_days(D(1970, 1, 1)), 0);
    ck_assert_int_eq(fst_date_to_days(D(2000, 3, 1)), 11017);
    ck_assert_int_eq(fst_date_to_days(D(1969, 12, 31)), -1);
    for (z = -800000; z < 800000; z += 7) {
        fst_date_t d = fst_date_from_days(z);
        ck_assert_int_eq(fst_date_to_days(d), z);
    }
}
END_TEST

START_TEST(parse)
{
    fst_date_t d;

    ck_assert(fst_date_parse("2008-02-29", &d));
    ck_date(d, 2008, 2, 29);
    ck_assert(!fst_date_parse("2009-02-29", &d));
    ck_assert(!fst_date_parse("1900-02-29", &d));
    ck_assert(fst_date_parse("2000-02-29", &d));
    ck_assert(!fst_date_parse("2008-13-01", &d));
    ck_assert(!fst_date_parse("2008-00-01", &d));
    ck_assert(!fst_date_parse("2008-04-31", &d));
    ck_assert(!fst_date_parse("2008-4-01", &d));
    ck_assert(!fst_date_parse("2008-04-01T", &d));
    ck_assert(!fst_date_parse("2008/04/01", &d));
    ck_assert(!fst_date_parse("", &d));
    ck_assert(!fst_date_parse(NULL, &d));
    ck_assert(!fst_date_parse("0999-01-01", &d));
}
END_TEST

START_TEST(anniversary)
{
    ck_date(fst_date_anniversary(D(2008, 2, 29), 18), 2026, 3, 1); /* common year: 1 March */
    ck_date(fst_date_anniversary(D(2008, 2, 29), 16), 2024, 2, 29); /* leap year: 29 February */
    ck_date(fst_date_anniversary(D(1982, 2, 29 - 1), 18), 2000, 2, 28);
    ck_date(fst_date_anniversary(D(2008, 12, 31), 18), 2026, 12, 31);
    ck_date(fst_date_anniversary(D(2008, 3, 1), 18), 2026, 3, 1);
}
END_TEST

START_TEST(dst_transitions_2026)
{
    /* Summer time starts 2026-03-29 01:00 UTC and ends 2026-10-25 01:00 UTC. */
    ck_assert_int_eq(fst_oslo_offset(1774745999), 3600);
    ck_assert_int_eq(fst_oslo_offset(1774746000), 7200);
    ck_assert_int_eq(fst_oslo_offset(1792889999), 7200);
    ck_assert_int_eq(fst_oslo_offset(1792890000), 3600);
}
END_TEST

START_TEST(dates_around_midnight)
{
    /* 2024-02-28 23:00 UTC is 29 February 00:00 in Oslo (winter) */
    ck_date(fst_oslo_date(1709161200 - 1), 2024, 2, 28);
    ck_date(fst_oslo_date(1709161200), 2024, 2, 29);
    /* 2024-06-30 22:00 UTC is 1 July 00:00 in Oslo (summer) */
    ck_date(fst_oslo_date(1719784800 - 1), 2024, 6, 30);
    ck_date(fst_oslo_date(1719784800), 2024, 7, 1);
    /* New Year */
    ck_date(fst_oslo_date(1767222000 - 1), 2025, 12, 31);
    ck_date(fst_oslo_date(1767222000), 2026, 1, 1);
}
END_TEST

START_TEST(day_start)
{
    ck_assert_int_eq(fst_oslo_day_start(D(2024, 2, 29)), 1709161200);
    ck_assert_int_eq(fst_oslo_day_start(D(2024, 7, 1)), 1719784800);
    /* the days of the change: midnight is still on the old offset */
    ck_assert_int_eq(fst_oslo_day_start(D(2026, 3, 29)), 1774746000 - 2 * 3600);     /* 23:00 UTC the day before */
    ck_assert_int_eq(fst_oslo_day_start(D(2026, 3, 30)), 1774746000 + 21 * 3600);    /* 22:00 UTC */
    ck_assert_int_eq(fst_oslo_day_start(D(2026, 10, 25)), 1792890000 - 3 * 3600);    /* 22:00 UTC the day before */
    ck_assert_int_eq(fst_oslo_day_start(D(2026, 10, 26)), 1792890000 + 22 * 3600);   /* 23:00 UTC */
}
END_TEST

/* Every 15 minutes from 1996 to 2037, and every day start, against tzdata's Europe/Oslo. */
START_TEST(against_tzdata)
{
    int64_t t;
    int64_t from = 820454400;  /* 1996-01-01 */
    int64_t to = 2145916800;   /* 2038-01-01 */

    ck_assert_msg(access("/usr/share/zoneinfo/Europe/Oslo", R_OK) == 0, "tzdata missing (apt-get install tzdata)");
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    for (t = from; t < to; t += 900) {
        time_t tt = (time_t)t;
        struct tm tm;
        fst_date_t d;

        localtime_r(&tt, &tm);
        ck_assert_int_eq(fst_oslo_offset(t), tm.tm_gmtoff);
        d = fst_oslo_date(t);
        ck_assert_int_eq(d.year, tm.tm_year + 1900);
        ck_assert_int_eq(d.month, tm.tm_mon + 1);
        ck_assert_int_eq(d.day, tm.tm_mday);
        if (tm.tm_hour == 0 && tm.tm_min == 0)
            ck_assert_int_eq(fst_oslo_day_start(d), t);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("oslo_time");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, days_round_trip);
    tcase_add_test(tc, parse);
    tcase_add_test(tc, anniversary);
    tcase_add_test(tc, dst_transitions_2026);
    tcase_add_test(tc, dates_around_midnight);
    tcase_add_test(tc, day_start);
    tcase_add_test(tc, against_tzdata);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
