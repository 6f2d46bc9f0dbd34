/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Europe/Oslo calendar dates without the C library's time zone machinery: TZ and localtime() are
 * process-global and unsafe in a threaded server. Norway follows the EU rule (since 1996): summer
 * time (UTC+2) from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of
 * October, UTC+1 otherwise. Earlier instants use the same rule, which is close enough for the only
 * old instants the rule sees (entries that ended long ago, which count for nothing either way).
 */
#ifndef FST_OSLO_TIME_H
#define FST_OSLO_TIME_H

#include <stdint.h>

typedef struct fst_date {
    int year, month, day;
} fst_date_t;

/* Days since 1970-01-01 of a proleptic Gregorian date (negative before). */
int64_t fst_date_to_days(fst_date_t d);
fst_date_t fst_date_from_days(int64_t days);

/* -1, 0, 1 as a is before, equal to or after b. */
int fst_date_cmp(fst_date_t a, fst_date_t b);

int fst_date_is_leap(int year);

/* Strict YYYY-MM-DD (a real date, year 1000..9999). Returns 1 and fills *d, or 0. */
int fst_date_parse(const char *s, fst_date_t *d);

/* The date the person born on `birth` turns `years` old: the same day and month, except that 29
 * February becomes 1 March in common years. */
fst_date_t fst_date_anniversary(fst_date_t birth, int years);

/* Oslo's offset from UTC in seconds (3600 or 7200) at the instant t (Unix seconds). */
int fst_oslo_offset(int64_t t);

/* The Oslo calendar date at the instant t. */
fst_date_t fst_oslo_date(int64_t t);

/* The instant (Unix seconds) at which the Oslo calendar date d begins (00:00 local time; midnight
 * never falls in a DST gap in Oslo, where the change happens at 02:00/03:00). */
int64_t fst_oslo_day_start(fst_date_t d);

#endif
