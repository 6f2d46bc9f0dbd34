/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The school's roster CSV (lib/roster): the RFC 4180 reader and the row validation foresattctl
 * import runs before anything reaches the store. Invariants: the reader's fields are valid UTF-8
 * and its line numbers never go back; an accepted roster holds only rows the store may take (valid
 * numbers, a refused guardian without one, no guardian with the pupil's own number, the lengths
 * and values the store's columns hold); the problem list is bounded and no reason repeats an
 * identity number from the file.
 */
#include "fnr.h"
#include "fuzz_util.h"
#include "roster/csv.h"
#include "roster/roster.h"

/* Any run of exactly 11 digits in s that is a valid fødselsnummer or D-nummer. */
static int holds_number(const char *s)
{
    const char *p = s;

    while (*p) {
        size_t n = strspn(p, "0123456789");
        if (n == 11) {
            char num[12];
            memcpy(num, p, 11);
            num[11] = '\0';
            if (fst_id_valid(num))
                return 1;
        }
        p += n ? n : 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    const char *text = (const char *)data, *err = NULL;
    fst_csv_t csv;
    fst_csv_record_t rec;
    fst_csv_result_t rc;
    fst_roster_t *roster;
    int last_line = 0, records = 0, i;
    size_t k;

    fst_csv_init(&csv, text, size);
    while ((rc = fst_csv_next(&csv, pool, &rec, &err)) == FST_CSV_RECORD && records++ < 100000) {
        FUZZ_ASSERT(rec.line > last_line && rec.n_fields >= 1);
        last_line = rec.line;
        for (i = 0; i < rec.n_fields; i++)
            FUZZ_ASSERT(fst_utf8_invalid_at(rec.fields[i], strlen(rec.fields[i])) == 0);
    }
    if (rc == FST_CSV_ERROR)
        FUZZ_ASSERT(err != NULL && rec.line >= 1);

    roster = fst_roster_parse(pool, text, size);
    FUZZ_ASSERT(roster->n_listed == (roster->n_problems < FST_ROSTER_MAX_ERRORS ? roster->n_problems
                                                                                 : FST_ROSTER_MAX_ERRORS));
    for (k = 0; k < roster->n_listed; k++) {
        FUZZ_ASSERT(roster->problems[k].reason != NULL);
        FUZZ_ASSERT(!holds_number(roster->problems[k].reason));
    }
    if (roster->n_problems == 0) {
        FUZZ_ASSERT(roster->n_rows >= 1 && roster->n_pupils >= 1 && roster->n_pupils <= roster->n_rows);
        for (k = 0; k < roster->n_rows; k++) {
            const foresatt_roster_row_t *r = &roster->rows[k];
            FUZZ_ASSERT(r->pupil_id && *r->pupil_id && r->school && *r->school);
            /* The lengths and values the store plugins' columns hold. */
            FUZZ_ASSERT(strlen(r->pupil_id) <= FORESATT_MAX_ID_LEN && strlen(r->school) <= FORESATT_MAX_ID_LEN);
            FUZZ_ASSERT(r->enrollment >= FORESATT_ENROLLMENT_ACTIVE && r->enrollment <= FORESATT_ENROLLMENT_COMPLETED);
            FUZZ_ASSERT(fst_utf8_invalid_at(r->school, strlen(r->school)) == 0);
            FUZZ_ASSERT(r->guardian_name == NULL || strlen(r->guardian_name) <= FORESATT_MAX_NAME_LEN);
            FUZZ_ASSERT(r->guardian_phone == NULL || strlen(r->guardian_phone) <= FORESATT_MAX_PHONE_LEN);
            if (r->guardian_name != NULL)
                FUZZ_ASSERT(r->fnr_use == FORESATT_FNR_USE_ACCEPTED || r->fnr_use == FORESATT_FNR_USE_REFUSED);
            FUZZ_ASSERT(r->pupil_number && fst_id_valid(r->pupil_number));
            if (r->guardian_number != NULL) {
                FUZZ_ASSERT(fst_id_valid(r->guardian_number) && strcmp(r->guardian_number, r->pupil_number) != 0);
                FUZZ_ASSERT(r->fnr_use == FORESATT_FNR_USE_ACCEPTED);
            }
            if (r->fnr_use == FORESATT_FNR_USE_REFUSED)
                FUZZ_ASSERT(r->guardian_number == NULL);
            if (r->guardian_name == NULL)
                FUZZ_ASSERT(r->guardian_number == NULL && r->guardian_phone == NULL && r->guardian_emails == NULL);
        }
    }
    apr_pool_destroy(pool);
    return 0;
}
