/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * ForesattAuditRetention: how long audit entries are kept before `foresattctl purge` deletes them.
 * "400 days", "18 months", "2 years" (singular too), or compact "400d", "18m", "2y". The module
 * checks the directive with the same parser so configtest catches a mistake the tool would hit.
 */
#ifndef FST_RETENTION_H
#define FST_RETENTION_H

#include <stdint.h>

#include "policy/oslo_time.h"

typedef enum fst_retention_unit { FST_RETAIN_DAYS = 1, FST_RETAIN_MONTHS, FST_RETAIN_YEARS } fst_retention_unit_t;

typedef struct fst_retention {
    int amount; /* 1 .. 36500 days, 1200 months, 100 years */
    fst_retention_unit_t unit;
} fst_retention_t;

/* Returns 1 and fills *r, or 0 with a reason in *why (static text). */
int fst_retention_parse(const char *text, fst_retention_t *r, const char **why);

/* The Oslo date `r` before `today`: entries older than its start are past retention. In months and
 * years a day that does not exist (31 April, 29 February) becomes the month's last day. */
fst_date_t fst_retention_cut(const fst_retention_t *r, fst_date_t today);

#endif
