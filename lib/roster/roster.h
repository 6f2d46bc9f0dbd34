/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The school's roster (the CSV tests/fixtures/make-fixtures writes and school systems export): parsed and
 * validated in full before anything is imported. One bad row rejects the file; every problem is
 * reported with its line, so the school can fix them all in one go.
 *
 * Columns (any order, header required): student_id, student_fnr, school, status, consent_extended,
 * guardian_fnr, guardian_name, guardian_phone, guardian_email, daily_care, parental_responsibility,
 * addressee, fnr_use; optional guardian_address. A row whose guardian columns are all empty names a
 * pupil without a guardian.
 */
#ifndef FST_ROSTER_H
#define FST_ROSTER_H

#include <stddef.h>

#include <apr_pools.h>

#include "foresatt/plugin.h"

#define FST_ROSTER_MAX_ERRORS 100 /* problems listed; the count goes on */

typedef struct fst_roster_problem {
    int line;           /* 0 for the file as a whole */
    const char *column; /* or NULL */
    const char *reason; /* never contains a number from the file */
} fst_roster_problem_t;

typedef struct fst_roster {
    foresatt_roster_row_t *rows;
    size_t n_rows;
    size_t n_pupils;
    size_t n_problems;              /* all problems found */
    fst_roster_problem_t *problems; /* the first FST_ROSTER_MAX_ERRORS of them */
    size_t n_listed;
} fst_roster_t;

/* Parse and validate. Returns the roster; it is usable only when n_problems == 0. */
fst_roster_t *fst_roster_parse(apr_pool_t *pool, const char *data, size_t len);

#endif
