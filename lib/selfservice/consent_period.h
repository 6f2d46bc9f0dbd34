/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * How long a pupil's consent lasts: "for the rest of upper-secondary education", as the school
 * configures it (ForesattConsentEnd MM-DD [AGE]). The consent ends at the end of the school year
 * (the day MM-DD, Oslo time) of the year the pupil turns AGE (the normal last year, Vg3, is the year
 * a pupil turns 19), and never before the end of the current school year, so a pupil who needs
 * longer can give it again each year. AGE 0: to the end of the current school year only.
 */
#ifndef FST_SELFSERVICE_CONSENT_PERIOD_H
#define FST_SELFSERVICE_CONSENT_PERIOD_H

#include <stdint.h>

#include "policy/oslo_time.h"

typedef struct fst_consent_rule {
    int end_month, end_day; /* the last day of the school year */
    int age;                /* the consent lasts to the end of the school year the pupil turns this */
} fst_consent_rule_t;

#define FST_CONSENT_END_MONTH_DEFAULT 7
#define FST_CONSENT_END_DAY_DEFAULT 31
#define FST_CONSENT_AGE_DEFAULT 19
#define FST_CONSENT_AGE_MAX 30

/* Parse "MM-DD" (a day that exists in every year: not 02-29). 1 on success. */
int fst_consent_rule_parse_day(const char *s, int *month, int *day);

/* The instant (Unix seconds, exclusive) the consent given at now ends: 00:00 Oslo time the day
 * after the school year's last day. birth NULL (unknown): the end of the current school year. */
int64_t fst_consent_end(const fst_consent_rule_t *rule, const fst_date_t *birth, int64_t now);

/* The last day a consent ending at until (exclusive) is in force, as an Oslo date. */
fst_date_t fst_consent_last_day(int64_t until);

#endif
