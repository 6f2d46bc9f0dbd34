/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "retention.h"

static const struct {
    const char *word;
    fst_retention_unit_t unit;
    int max;
} units[] = {
    {"d", FST_RETAIN_DAYS, 36500},     {"day", FST_RETAIN_DAYS, 36500},       {"days", FST_RETAIN_DAYS, 36500},
    {"m", FST_RETAIN_MONTHS, 1200},    {"month", FST_RETAIN_MONTHS, 1200},   {"months", FST_RETAIN_MONTHS, 1200},
    {"y", FST_RETAIN_YEARS, 100},      {"year", FST_RETAIN_YEARS, 100},      {"years", FST_RETAIN_YEARS, 100},
};

int fst_retention_parse(const char *text, fst_retention_t *r, const char **why)
{
    const char *p = text;
    long amount = 0;
    size_t i, len;

    *why = "give a period such as '400 days', '18 months' or '2 years'";
    if (p == NULL)
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!isdigit((unsigned char)*p))
        return 0;
    while (isdigit((unsigned char)*p)) {
        amount = amount * 10 + (*p++ - '0');
        if (amount > 100000)
            break;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    len = strlen(p);
    while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strlen(units[i].word) == len && strncmp(units[i].word, p, len) == 0) {
            if (amount < 1 || amount > units[i].max) {
                *why = "the period must be at least 1 day and at most 100 years";
                return 0;
            }
            r->amount = (int)amount;
            r->unit = units[i].unit;
            return 1;
        }
    }
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && fst_date_is_leap(y) ? 29 : days[m - 1];
}

fst_date_t fst_retention_cut(const fst_retention_t *r, fst_date_t today)
{
    fst_date_t d = today;
    int months;

    if (r->unit == FST_RETAIN_DAYS)
        return fst_date_from_days(fst_date_to_days(today) - r->amount);
    months = r->unit == FST_RETAIN_YEARS ? r->amount * 12 : r->amount;
    months = (d.year * 12 + (d.month - 1)) - months;
    d.year = months / 12;
    d.month = months % 12 + 1;
    if (d.day > days_in_month(d.year, d.month))
        d.day = days_in_month(d.year, d.month);
    return d;
}
