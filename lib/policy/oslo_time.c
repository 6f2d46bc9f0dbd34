/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "oslo_time.h"

#define DAY 86400

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar. */
int64_t fst_date_to_days(fst_date_t d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (d.month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

fst_date_t fst_date_from_days(int64_t z)
{
    fst_date_t d;
    int64_t era, doe, yoe, y, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d.day = (int)(doy - (153 * mp + 2) / 5 + 1);
    d.month = (int)(mp < 10 ? mp + 3 : mp - 9);
    d.year = (int)(y + (d.month <= 2));
    return d;
}

int fst_date_cmp(fst_date_t a, fst_date_t b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

int fst_date_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return month == 2 && fst_date_is_leap(year) ? 29 : days[month - 1];
}

int fst_date_parse(const char *s, fst_date_t *d)
{
    int i;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    d->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    d->month = (s[5] - '0') * 10 + (s[6] - '0');
    d->day = (s[8] - '0') * 10 + (s[9] - '0');
    return d->year >= 1000 && d->month >= 1 && d->month <= 12 && d->day >= 1 &&
           d->day <= days_in_month(d->year, d->month);
}

fst_date_t fst_date_anniversary(fst_date_t birth, int years)
{
    fst_date_t d = birth;

    d.year += years;
    if (d.month == 2 && d.day == 29 && !fst_date_is_leap(d.year)) {
        d.month = 3;
        d.day = 1;
    }
    return d;
}

/* The instant 01:00 UTC on the last Sunday of the month (March or October) of the year. */
static int64_t last_sunday_0100(int year, int month)
{
    fst_date_t last = {year, month, 31}; /* both months have 31 days */
    int64_t days = fst_date_to_days(last);
    /* 1970-01-01 was a Thursday; weekday 0 = Sunday */
    int64_t weekday = ((days % 7) + 7 + 4) % 7;

    return (days - weekday) * DAY + 3600;
}

int fst_oslo_offset(int64_t t)
{
    /* floor division, so instants before 1970 land in the right year */
    int64_t days = t >= 0 ? t / DAY : -((-t + DAY - 1) / DAY);
    int year = fst_date_from_days(days).year;

    return t >= last_sunday_0100(year, 3) && t < last_sunday_0100(year, 10) ? 7200 : 3600;
}

fst_date_t fst_oslo_date(int64_t t)
{
    int64_t local = t + fst_oslo_offset(t);
    int64_t days = local >= 0 ? local / DAY : -((-local + DAY - 1) / DAY);

    return fst_date_from_days(days);
}

int64_t fst_oslo_day_start(fst_date_t d)
{
    int64_t local = fst_date_to_days(d) * DAY;

    /* Local midnight is 22:00 UTC the day before in summer, 23:00 UTC in winter. */
    if (fst_oslo_offset(local - 7200) == 7200)
        return local - 7200;
    return local - 3600;
}
