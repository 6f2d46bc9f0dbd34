/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The roster parser on arbitrary bytes: never crashes, and whatever it accepts obeys the rules the
 * store plugins rely on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>

#include "fnr.h"
#include "roster/csv.h"
#include "roster/roster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_row(const foresatt_roster_row_t *r)
{
    if (r->pupil_id == NULL || *r->pupil_id == '\0' || strlen(r->pupil_id) > FORESATT_MAX_ID_LEN ||
        !fst_id_valid(r->pupil_number) || r->school == NULL || strlen(r->school) > FORESATT_MAX_ID_LEN ||
        r->enrollment < FORESATT_ENROLLMENT_ACTIVE || r->enrollment > FORESATT_ENROLLMENT_COMPLETED)
        abort();
    if (fst_utf8_invalid_at(r->school, strlen(r->school)) != 0)
        abort();
    if (r->guardian_name == NULL) {
        if (r->guardian_number != NULL)
            abort();
        return;
    }
    if (strlen(r->guardian_name) > FORESATT_MAX_NAME_LEN ||
        (r->guardian_phone && strlen(r->guardian_phone) > FORESATT_MAX_PHONE_LEN))
        abort();
    if (r->fnr_use == FORESATT_FNR_USE_ACCEPTED ? !fst_id_valid(r->guardian_number)
                                                : r->fnr_use != FORESATT_FNR_USE_REFUSED || r->guardian_number)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int initialized;
    apr_pool_t *pool;
    fst_roster_t *roster;
    size_t i;

    if (!initialized) {
        apr_initialize();
        initialized = 1;
    }
    apr_pool_create(&pool, NULL);
    roster = fst_roster_parse(pool, (const char *)data, size);
    if (roster->n_listed > FST_ROSTER_MAX_ERRORS || roster->n_listed > roster->n_problems)
        abort();
    for (i = 0; i < roster->n_listed; i++)
        if (roster->problems[i].reason == NULL || roster->problems[i].line < 0)
            abort();
    if (roster->n_problems == 0) {
        if (roster->n_rows == 0)
            abort(); /* an empty file is a problem */
        for (i = 0; i < roster->n_rows; i++)
            check_row(&roster->rows[i]);
    }
    apr_pool_destroy(pool);
    return 0;
}
