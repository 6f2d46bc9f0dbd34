/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fnr.h"

static const int weights1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
static const int weights2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* The century the individual number gives, or 0 where it gives none (possible for numbers issued
 * under the 2032 rule, whose individual numbers no longer encode it). */
static int century_year(int yy, int individual)
{
    if (individual <= 499)
        return 1900 + yy;
    if (individual <= 749 && yy >= 54)
        return 1800 + yy;
    if (yy <= 39)
        return 2000 + yy;
    if (individual >= 900)
        return 1900 + yy;
    return 0;
}

static int date_exists(int year, int yy, int month, int day)
{
    if (month < 1 || month > 12 || day < 1)
        return 0;
    if (year)
        return day <= days_in_month(year, month);
    /* Century unknown: the date must exist in one of the centuries the number could belong to. */
    return day <= days_in_month(1900 + yy, month) || day <= days_in_month(2000 + yy, month);
}

fst_id_error_t fst_id_parse(const char *s, fst_id_info_t *info)
{
    int d[11], i, sum1 = 0, sum2 = 0, day, month, yy, individual, year, s1mod;
    fst_id_info_t local;

    if (info == NULL)
        info = &local;
    memset(info, 0, sizeof(*info));
    if (s == NULL || *s == '\0')
        return FST_ID_ERR_EMPTY;
    for (i = 0; s[i] != '\0'; i++) {
        if (i >= 11)
            return FST_ID_ERR_LENGTH;
        if (s[i] < '0' || s[i] > '9')
            return FST_ID_ERR_NOT_DIGITS;
        d[i] = s[i] - '0';
    }
    if (i != 11)
        return FST_ID_ERR_LENGTH;

    day = d[0] * 10 + d[1];
    month = d[2] * 10 + d[3];
    yy = d[4] * 10 + d[5];
    individual = d[6] * 100 + d[7] * 10 + d[8];

    info->kind = FST_ID_FNR;
    if (day > 40) {
        info->is_dnumber = 1;
        info->kind = FST_ID_DNR;
        day -= 40;
    }
    if (month > 80) {
        info->kind = FST_ID_SYNTHETIC;
        month -= 80;
    } else if (month > 40) {
        info->kind = FST_ID_SYNTHETIC_NAV;
        month -= 40;
    }
    year = century_year(yy, individual);
    if (!date_exists(year, yy, month, day)) {
        info->kind = FST_ID_INVALID;
        return FST_ID_ERR_DATE;
    }

    for (i = 0; i < 9; i++)
        sum1 += weights1[i] * d[i];
    for (i = 0; i < 10; i++)
        sum2 += weights2[i] * d[i];
    /* 2032 rule: (sum of weighted first nine + k1) mod 11 in {0,1,2,3}; the old rule is remainder 0. */
    s1mod = (sum1 + d[9]) % 11;
    if (s1mod > 3 || (sum2 + d[10]) % 11 != 0) {
        info->kind = FST_ID_INVALID;
        return FST_ID_ERR_CHECK_DIGITS;
    }
    info->new_rule = s1mod != 0;
    info->day = day;
    info->month = month;
    info->year = year;
    return FST_ID_OK;
}

int fst_id_valid(const char *s)
{
    return fst_id_parse(s, NULL) == FST_ID_OK;
}

const char *fst_id_error_text(fst_id_error_t err)
{
    switch (err) {
    case FST_ID_OK:
        return "valid";
    case FST_ID_ERR_EMPTY:
        return "empty";
    case FST_ID_ERR_LENGTH:
        return "not 11 digits long";
    case FST_ID_ERR_NOT_DIGITS:
        return "contains characters other than digits";
    case FST_ID_ERR_DATE:
        return "the birth date it encodes does not exist";
    case FST_ID_ERR_CHECK_DIGITS:
        return "the check digits are wrong";
    }
    return "invalid";
}

const char *fst_id_kind_name(fst_id_kind_t kind)
{
    switch (kind) {
    case FST_ID_FNR:
        return "fnr";
    case FST_ID_DNR:
        return "dnr";
    case FST_ID_SYNTHETIC:
        return "synthetic";
    case FST_ID_SYNTHETIC_NAV:
        return "synthetic-nav";
    case FST_ID_INVALID:
        break;
    }
    return "invalid";
}
