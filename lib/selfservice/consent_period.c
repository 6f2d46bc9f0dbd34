/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The end of a pupil's consent (consent_period.h).
 */
#include <string.h>

#include "selfservice/consent_period.h"

int fst_consent_rule_parse_day(const char *s, int *month, int *day)
{
    fst_date_t d;
    char buf[11];

    if (s == NULL || strlen(s) != 5 || s[2] != '-')
        return 0;
    /* Checked as a date in a common year, so 02-29 is refused. */
    memcpy(buf, "2001-", 5);
    memcpy(buf + 5, s, 6);
    if (!fst_date_parse(buf, &d))
        return 0;
    *month = d.month;
    *day = d.day;
    return 1;
}

/* 00:00 Oslo time on the day after the school year that ends in year y. */
static int64_t year_end(const fst_consent_rule_t *rule, int year)
{
    fst_date_t last = {year, rule->end_month, rule->end_day};

    return fst_oslo_day_start(fst_date_from_days(fst_date_to_days(last) + 1));
}

int64_t fst_consent_end(const fst_consent_rule_t *rule, const fst_date_t *birth, int64_t now)
{
    int year = fst_oslo_date(now).year;
    int64_t end;

    if (year_end(rule, year) <= now)
        year++;
    if (birth != NULL && rule->age > 0 && birth->year + rule->age > year)
        year = birth->year + rule->age;
    end = year_end(rule, year);
    return end;
}

fst_date_t fst_consent_last_day(int64_t until)
{
    return fst_oslo_date(until - 1);
}
