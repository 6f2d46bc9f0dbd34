/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "fnr.h"
#include "rule.h"

#define AGE_OF_MAJORITY 18

static const char *const reason_names[FST_REASON_COUNT] = {
    "allow",
    "no_parental_responsibility",
    "not_registered_by_school",
    "student_not_enrolled",
    "adult_without_consent",
    "unknown_student",
};

const char *fst_reason_name(fst_reason_t reason)
{
    if ((int)reason < 0 || reason >= FST_REASON_COUNT)
        return "unknown";
    return reason_names[reason];
}

int fst_reason_from_name(const char *name)
{
    int i;

    for (i = 0; name && i < FST_REASON_COUNT; i++)
        if (strcmp(reason_names[i], name) == 0)
            return i;
    return -1;
}

int fst_consent_in_force(const foresatt_consent_t *consent, int64_t now)
{
    if (consent == NULL || consent->given_at == 0 || consent->given_at > now)
        return 0;
    if (consent->revoked_at != 0 && consent->revoked_at <= now)
        return 0;
    if (consent->until != 0 && consent->until <= now)
        return 0;
    return 1;
}

int fst_birth_date(const char *birth_date, const char *number, fst_date_t *birth)
{
    fst_id_info_t info;

    if (fst_date_parse(birth_date, birth))
        return 1;
    /* The register's date wins; the number is the fallback (its date can be wrong: D-numbers,
     * numbers issued for a guessed date). */
    if (number == NULL || fst_id_parse(number, &info) != FST_ID_OK || info.year == 0)
        return 0;
    birth->year = info.year;
    birth->month = info.month;
    birth->day = info.day;
    return 1;
}

fst_date_t fst_coming_of_age_of(fst_date_t birth)
{
    return fst_date_anniversary(birth, AGE_OF_MAJORITY);
}

int fst_coming_of_age(const char *birth_date, const char *number, fst_date_t *date)
{
    fst_date_t birth;

    if (!fst_birth_date(birth_date, number, &birth))
        return 0;
    *date = fst_coming_of_age_of(birth);
    return 1;
}

static int same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* 0 none, 1 a current entry, 2 the entry that ended when S came of age (only asked when S is adult). */
static int responsibility(const fst_rule_input_t *in, int adult, int64_t came_of_age_at)
{
    const foresatt_person_t *rec = in->pupil_record;
    int found = 0;
    size_t i;

    for (i = 0; i < rec->n_responsibilities; i++) {
        const foresatt_responsibility_t *e = &rec->responsibilities[i];
        int current;

        if (!same(e->responsible, in->guardian_number))
            continue;
        /* The entry must be about S, not about a child S is responsible for. */
        if (e->subject != NULL && !same(e->subject, in->pupil->number) && !same(e->subject, rec->number))
            continue;
        current = e->current && (e->ended_at == 0 || e->ended_at > in->now);
        if (current)
            return 1;
        if (adult && e->ended_at != 0 && e->ended_at >= came_of_age_at)
            found = 2;
    }
    return found;
}

static int registered_by_school(const fst_rule_input_t *in)
{
    size_t i;

    for (i = 0; i < in->n_registrations; i++) {
        const foresatt_guardian_t *g = in->registrations[i];

        if (g != NULL && same(g->pupil_id, in->pupil->pupil_id) && same(g->number, in->guardian_number) &&
            g->fnr_use != FORESATT_FNR_USE_REFUSED)
            return 1;
    }
    return 0;
}

fst_reason_t fst_rule_decide(const fst_rule_input_t *in, fst_rule_detail_t *detail)
{
    fst_rule_detail_t local;
    fst_rule_detail_t *d = detail ? detail : &local;
    int64_t came_of_age_at = 0;

    memset(d, 0, sizeof(*d));
    if (in->pupil == NULL || in->pupil_record == NULL || in->guardian_number == NULL)
        return FST_REASON_UNKNOWN_STUDENT;
    if (same(in->pupil_record->status, "opphoert"))
        return FST_REASON_UNKNOWN_STUDENT; /* a false identity or a duplicate: nobody to see */

    d->age_known = fst_coming_of_age(in->pupil_record->birth_date, in->pupil->number, &d->coming_of_age);
    if (d->age_known) {
        d->adult = fst_date_cmp(fst_oslo_date(in->now), d->coming_of_age) >= 0;
        came_of_age_at = fst_oslo_day_start(d->coming_of_age);
    } else {
        /* Without a birth date the pupil cannot be shown to be a minor: treat as adult (fail closed). */
        d->adult = 1;
        came_of_age_at = INT64_MAX;
    }
    d->consent_in_force = fst_consent_in_force(&in->pupil->consent, in->now);

    d->responsibility = responsibility(in, d->adult, came_of_age_at);
    if (d->responsibility == 0)
        return FST_REASON_NO_PARENTAL_RESPONSIBILITY;
    if (in->require_school_registration && !registered_by_school(in))
        return FST_REASON_NOT_REGISTERED_BY_SCHOOL;
    if (in->pupil->enrollment != FORESATT_ENROLLMENT_ACTIVE || same(in->pupil_record->status, "doed"))
        return FST_REASON_STUDENT_NOT_ENROLLED;
    if (d->adult && !d->consent_in_force)
        return FST_REASON_ADULT_WITHOUT_CONSENT;
    return FST_REASON_NONE;
}
