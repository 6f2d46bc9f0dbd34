/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The access rule, clause by clause and in combination (lib/policy/rule.h).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "policy/rule.h"

#define G "11111111111"     /* the guardian */
#define OTHER "22222222222" /* someone else */
#define S_NUM "33333333333" /* the pupil */
#define S_ID "S1"
#define HOUR 3600
#define DAY 86400

/* A world the rule looks at; each test changes what it is about. */
typedef struct world {
    foresatt_person_t record;
    foresatt_responsibility_t entries[4];
    foresatt_relation_t relations[2];
    foresatt_pupil_t pupil;
    foresatt_guardian_t reg;
    const foresatt_guardian_t *regs[1];
    fst_rule_input_t in;
} world_t;

static world_t w;

static int64_t oslo(int y, int m, int d)
{
    fst_date_t x = {y, m, d};
    return fst_oslo_day_start(x);
}

/* A 16-year-old (born 2010-05-10), G holds current joint responsibility, registered, enrolled;
 * today is 2026-09-01 noon in Oslo. */
static void setup(void)
{
    memset(&w, 0, sizeof(w));
    w.record.struct_size = sizeof(w.record);
    w.record.number = S_NUM;
    w.record.birth_date = "2010-05-10";
    w.entries[0].kind = "felles";
    w.entries[0].responsible = G;
    w.entries[0].subject = S_NUM;
    w.entries[0].current = 1;
    w.record.responsibilities = w.entries;
    w.record.n_responsibilities = 1;
    w.pupil.struct_size = sizeof(w.pupil);
    w.pupil.pupil_id = S_ID;
    w.pupil.number = S_NUM;
    w.pupil.enrollment = FORESATT_ENROLLMENT_ACTIVE;
    w.reg.struct_size = sizeof(w.reg);
    w.reg.pupil_id = S_ID;
    w.reg.number = G;
    w.reg.fnr_use = FORESATT_FNR_USE_ACCEPTED;
    w.regs[0] = &w.reg;
    w.in.guardian_number = G;
    w.in.pupil = &w.pupil;
    w.in.pupil_record = &w.record;
    w.in.registrations = w.regs;
    w.in.n_registrations = 1;
    w.in.require_school_registration = 1;
    w.in.now = oslo(2026, 9, 1) + 12 * HOUR;
}

static fst_reason_t decide(void)
{
    return fst_rule_decide(&w.in, NULL);
}

/* Make the pupil 18 on the given date, responsibility ended at 00:00 Oslo that day (as the register
 * writes it), now a month later. */
static void adult_since(int y, int m, int d, const char *born)
{
    w.record.birth_date = born;
    w.entries[0].current = 0;
    w.entries[0].ended_at = oslo(y, m, d);
    w.in.now = oslo(y, m, d) + 30 * DAY;
}

static void consent(int64_t given, int64_t until, int64_t revoked)
{
    w.pupil.consent.given_at = given;
    w.pupil.consent.until = until;
    w.pupil.consent.revoked_at = revoked;
}

#define ck_reason(want) ck_assert_str_eq(fst_reason_name(decide()), fst_reason_name(want))

/* --- clause 1 ------------------------------------------------------------------------------ */

START_TEST(minor_with_current_responsibility_is_allowed)
{
    ck_reason(FST_REASON_NONE);
}
END_TEST

START_TEST(every_kind_of_responsibility_counts)
{
    static const char *const kinds[] = {"felles", "mor", "far", "medmor", "andre"};
    size_t i;

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        w.entries[0].kind = kinds[i];
        ck_reason(FST_REASON_NONE);
    }
}
END_TEST

START_TEST(no_entry_is_no_responsibility)
{
    w.record.n_responsibilities = 0;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
}
END_TEST

START_TEST(someone_elses_entry_is_no_responsibility)
{
    w.entries[0].responsible = OTHER;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    w.entries[0].responsible = NULL; /* an organisation, or no id */
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
}
END_TEST

START_TEST(family_relation_without_responsibility_gives_nothing)
{
    w.entries[0].responsible = OTHER;
    w.relations[0].related = G;
    w.relations[0].related_role = "far";
    w.relations[0].my_role = "barn";
    w.record.relations = w.relations;
    w.record.n_relations = 1;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
}
END_TEST

START_TEST(entry_about_another_subject_does_not_count)
{
    /* the pupil's record also lists responsibility for someone else's child */
    w.entries[0].subject = OTHER;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    w.entries[0].subject = NULL; /* no subject given: the record's own */
    ck_reason(FST_REASON_NONE);
}
END_TEST

START_TEST(ended_entry_of_a_minor_counts_for_nothing)
{
    w.entries[0].current = 0;
    w.entries[0].ended_at = w.in.now - 400 * DAY;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    /* flagged current but with an end in the past: ended */
    w.entries[0].current = 1;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    /* current with an end in the future: still current */
    w.entries[0].ended_at = w.in.now + DAY;
    ck_reason(FST_REASON_NONE);
}
END_TEST

START_TEST(ended_entry_and_a_new_holder)
{
    /* the mother's entry ended last year; the father holds it now */
    w.entries[0].current = 0;
    w.entries[0].ended_at = w.in.now - 400 * DAY;
    w.entries[1].kind = "far";
    w.entries[1].responsible = OTHER;
    w.entries[1].subject = S_NUM;
    w.entries[1].current = 1;
    w.record.n_responsibilities = 2;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    w.in.guardian_number = OTHER;
    w.reg.number = OTHER;
    ck_reason(FST_REASON_NONE);
}
END_TEST

START_TEST(entry_ended_at_coming_of_age_counts_with_consent)
{
    adult_since(2026, 5, 10, "2008-05-10");
    consent(oslo(2026, 1, 1), 0, 0);
    ck_reason(FST_REASON_NONE);
}
END_TEST

START_TEST(entry_ended_at_coming_of_age_without_consent)
{
    adult_since(2026, 5, 10, "2008-05-10");
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
}
END_TEST

START_TEST(entry_ended_before_coming_of_age_counts_for_nothing_even_with_consent)
{
    adult_since(2026, 5, 10, "2008-05-10");
    consent(oslo(2026, 1, 1), 0, 0);
    /* one second before 00:00 Oslo (summer time: 22:00 UTC) on the 18th birthday */
    w.entries[0].ended_at = oslo(2026, 5, 10) - 1;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    /* the fixtures' "midnight in winter time" (23:00 UTC): 01:00 Oslo on the birthday, counts */
    w.entries[0].ended_at = oslo(2026, 5, 10) + HOUR;
    ck_reason(FST_REASON_NONE);
    /* ended long before */
    w.entries[0].ended_at = oslo(2025, 1, 1);
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    /* no end time recorded: cannot be shown to have lasted to 18 */
    w.entries[0].ended_at = 0;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
}
END_TEST

START_TEST(winter_birthday_entry_ended_at_oslo_midnight)
{
    adult_since(2026, 1, 15, "2008-01-15");
    consent(oslo(2025, 12, 1), 0, 0);
    ck_assert_int_eq(w.entries[0].ended_at % DAY, 23 * HOUR); /* 23:00 UTC */
    ck_reason(FST_REASON_NONE);
    w.entries[0].ended_at -= 1;
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
}
END_TEST

START_TEST(adult_with_current_entry_needs_consent)
{
    /* the register has not ended the entry yet */
    w.record.birth_date = "2007-01-01";
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    consent(oslo(2025, 1, 1), 0, 0);
    ck_reason(FST_REASON_NONE);
}
END_TEST

/* --- clause 2 ------------------------------------------------------------------------------ */

START_TEST(not_registered_by_school)
{
    w.in.n_registrations = 0;
    ck_reason(FST_REASON_NOT_REGISTERED_BY_SCHOOL);
}
END_TEST

START_TEST(registered_for_another_pupil_only)
{
    w.reg.pupil_id = "S2";
    ck_reason(FST_REASON_NOT_REGISTERED_BY_SCHOOL);
}
END_TEST

START_TEST(registered_under_another_number)
{
    w.reg.number = OTHER;
    ck_reason(FST_REASON_NOT_REGISTERED_BY_SCHOOL);
}
END_TEST

START_TEST(guardian_who_refused_the_number_is_not_registered)
{
    w.reg.number = NULL;
    w.reg.fnr_use = FORESATT_FNR_USE_REFUSED;
    ck_reason(FST_REASON_NOT_REGISTERED_BY_SCHOOL);
    /* even if a number slipped in, refusal wins */
    w.reg.number = G;
    ck_reason(FST_REASON_NOT_REGISTERED_BY_SCHOOL);
}
END_TEST

START_TEST(school_registration_can_be_turned_off)
{
    w.in.n_registrations = 0;
    w.in.require_school_registration = 0;
    ck_reason(FST_REASON_NONE);
}
END_TEST

/* --- clause 3 ------------------------------------------------------------------------------ */

START_TEST(pupil_not_enrolled)
{
    w.pupil.enrollment = FORESATT_ENROLLMENT_LEFT;
    ck_reason(FST_REASON_STUDENT_NOT_ENROLLED);
    w.pupil.enrollment = FORESATT_ENROLLMENT_COMPLETED;
    ck_reason(FST_REASON_STUDENT_NOT_ENROLLED);
    w.pupil.enrollment = 0;
    ck_reason(FST_REASON_STUDENT_NOT_ENROLLED);
}
END_TEST

START_TEST(pupil_who_died_is_not_enrolled)
{
    w.record.status = "bosatt";
    ck_reason(FST_REASON_NONE);
    w.record.status = "doed";
    ck_reason(FST_REASON_STUDENT_NOT_ENROLLED);
}
END_TEST

/* --- clause 4 ------------------------------------------------------------------------------ */

START_TEST(consent_states)
{
    adult_since(2026, 5, 10, "2008-05-10");
    consent(w.in.now - DAY, 0, 0);
    ck_reason(FST_REASON_NONE);
    consent(w.in.now - DAY, w.in.now + DAY, 0); /* until a future date */
    ck_reason(FST_REASON_NONE);
    consent(w.in.now - DAY, w.in.now, 0); /* ended now */
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    consent(w.in.now - DAY, 0, w.in.now - 1); /* revoked */
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    consent(w.in.now - DAY, 0, w.in.now + 60); /* revocation takes effect later */
    ck_reason(FST_REASON_NONE);
    consent(w.in.now + 60, 0, 0); /* given in the future */
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    consent(0, 0, 0);
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
}
END_TEST

START_TEST(consent_is_irrelevant_for_a_minor)
{
    consent(w.in.now - DAY, 0, w.in.now - 1);
    ck_reason(FST_REASON_NONE);
}
END_TEST

/* The 18th birthday on the boundary, in Oslo time. */
START_TEST(birthday_boundary_summer)
{
    w.record.birth_date = "2008-05-10";
    w.in.now = 1778363999; /* 2026-05-09 21:59:59 UTC = 23:59:59 Oslo on the 9th */
    ck_reason(FST_REASON_NONE);
    w.in.now = 1778364000; /* 22:00:00 UTC = 00:00 Oslo on the 10th: 18 today */
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
}
END_TEST

START_TEST(birthday_boundary_winter)
{
    w.record.birth_date = "2008-01-15";
    w.in.now = 1768431599; /* 2026-01-14 22:59:59 UTC = 23:59:59 Oslo */
    ck_reason(FST_REASON_NONE);
    w.in.now = 1768431600; /* 23:00:00 UTC = 00:00 Oslo on the 15th */
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    /* A UTC date would say the 14th still, for the whole hour */
    w.in.now = 1768431600 + 1800;
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
}
END_TEST

START_TEST(birthday_on_dst_change_days)
{
    /* 2026-03-29: clocks go forward at 02:00; midnight is 23:00 UTC the day before */
    w.record.birth_date = "2008-03-29";
    w.in.now = oslo(2026, 3, 29) - 1;
    ck_assert_int_eq(w.in.now, 1774738799);
    ck_reason(FST_REASON_NONE);
    w.in.now += 1;
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    /* 2026-10-25: clocks go back at 03:00; midnight is 22:00 UTC the day before */
    w.record.birth_date = "2008-10-25";
    w.in.now = oslo(2026, 10, 25) - 1;
    ck_assert_int_eq(w.in.now, 1792879199);
    ck_reason(FST_REASON_NONE);
    w.in.now += 1;
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
}
END_TEST

START_TEST(born_29_february)
{
    w.record.birth_date = "2008-02-29";
    /* 2026 is a common year: of age on 1 March */
    w.in.now = oslo(2026, 2, 28) + 12 * HOUR;
    ck_reason(FST_REASON_NONE);
    w.in.now = oslo(2026, 3, 1) - 1;
    ck_reason(FST_REASON_NONE);
    w.in.now = oslo(2026, 3, 1);
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    /* the entry ended at 00:00 on 1 March counts once adult with consent; 28 February does not */
    w.entries[0].current = 0;
    w.entries[0].ended_at = oslo(2026, 3, 1);
    w.in.now = oslo(2026, 4, 1);
    consent(oslo(2026, 1, 1), 0, 0);
    ck_reason(FST_REASON_NONE);
    w.entries[0].ended_at = oslo(2026, 2, 28);
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
}
END_TEST

START_TEST(born_29_february_leap_coming_of_age)
{
    /* born 2012-02-29 turns 18 on 2030-03-01; born 1992-02-29 turned 18 on 2010-03-01 */
    fst_date_t d;

    ck_assert(fst_coming_of_age("2012-02-29", NULL, &d));
    ck_assert_int_eq(d.year, 2030);
    ck_assert_int_eq(d.month, 3);
    ck_assert_int_eq(d.day, 1);
    /* born 29 February in a year whose 18th is a leap year (1982 is not leap; 2014+18=2032 is) */
    ck_assert(!fst_coming_of_age("2014-02-29", NULL, &d)); /* no such date */
    ck_assert(fst_coming_of_age("2016-02-29", NULL, &d));  /* 2034: common */
    ck_assert_int_eq(d.month, 3);
}
END_TEST

START_TEST(birth_date_from_the_number_when_the_register_has_none)
{
    /* 20036914700: born 1969-03-20, adult */
    w.record.birth_date = NULL;
    w.pupil.number = "20036914700";
    w.entries[0].subject = "20036914700";
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    /* neither tells: cannot be shown to be a minor, so treated as adult */
    w.pupil.number = "12345678901";
    w.entries[0].subject = "12345678901";
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    w.record.birth_date = "garbage";
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
}
END_TEST

/* --- unknown, and the order of the clauses --------------------------------------------------- */

START_TEST(unknown_student)
{
    w.in.pupil = NULL;
    ck_reason(FST_REASON_UNKNOWN_STUDENT);
    setup();
    w.in.pupil_record = NULL;
    ck_reason(FST_REASON_UNKNOWN_STUDENT);
}
END_TEST

START_TEST(ceased_pupil_is_unknown)
{
    w.record.status = "opphoert"; /* a false identity or a duplicate */
    ck_reason(FST_REASON_UNKNOWN_STUDENT);
}
END_TEST

START_TEST(first_failing_clause_is_named)
{
    /* everything wrong: responsibility is named first */
    w.entries[0].responsible = OTHER;
    w.in.n_registrations = 0;
    w.pupil.enrollment = FORESATT_ENROLLMENT_LEFT;
    w.record.birth_date = "2000-01-01";
    ck_reason(FST_REASON_NO_PARENTAL_RESPONSIBILITY);
    /* responsibility fixed: registration next */
    w.entries[0].responsible = G;
    ck_reason(FST_REASON_NOT_REGISTERED_BY_SCHOOL);
    /* then enrollment */
    w.in.n_registrations = 1;
    ck_reason(FST_REASON_STUDENT_NOT_ENROLLED);
    /* then age */
    w.pupil.enrollment = FORESATT_ENROLLMENT_ACTIVE;
    ck_reason(FST_REASON_ADULT_WITHOUT_CONSENT);
    consent(w.in.now - DAY, 0, 0);
    ck_reason(FST_REASON_NONE);
}
END_TEST

START_TEST(pairs_of_clauses)
{
    /* every pair of failing clauses names the earlier one */
    int a, b;

    for (a = 1; a <= 4; a++) {
        for (b = a; b <= 4; b++) {
            int k;
            setup();
            for (k = 1; k <= 4; k++) {
                if (k != a && k != b)
                    continue;
                if (k == 1)
                    w.entries[0].responsible = OTHER;
                if (k == 2)
                    w.in.n_registrations = 0;
                if (k == 3)
                    w.pupil.enrollment = FORESATT_ENROLLMENT_COMPLETED;
                if (k == 4)
                    w.record.birth_date = "2001-06-01";
            }
            ck_assert_int_eq(decide(), (fst_reason_t)a);
        }
    }
}
END_TEST

START_TEST(detail_explains)
{
    fst_rule_detail_t d;

    adult_since(2026, 5, 10, "2008-05-10");
    consent(oslo(2026, 1, 1), 0, 0);
    ck_assert_int_eq(fst_rule_decide(&w.in, &d), FST_REASON_NONE);
    ck_assert_int_eq(d.adult, 1);
    ck_assert_int_eq(d.consent_in_force, 1);
    ck_assert_int_eq(d.responsibility, 2);
    ck_assert_int_eq(d.coming_of_age.year, 2026);
}
END_TEST

START_TEST(reason_names)
{
    ck_assert_str_eq(fst_reason_name(FST_REASON_NONE), "allow");
    ck_assert_str_eq(fst_reason_name(FST_REASON_NO_PARENTAL_RESPONSIBILITY), "no_parental_responsibility");
    ck_assert_str_eq(fst_reason_name(FST_REASON_NOT_REGISTERED_BY_SCHOOL), "not_registered_by_school");
    ck_assert_str_eq(fst_reason_name(FST_REASON_STUDENT_NOT_ENROLLED), "student_not_enrolled");
    ck_assert_str_eq(fst_reason_name(FST_REASON_ADULT_WITHOUT_CONSENT), "adult_without_consent");
    ck_assert_str_eq(fst_reason_name(FST_REASON_UNKNOWN_STUDENT), "unknown_student");
    ck_assert_str_eq(fst_reason_name((fst_reason_t)99), "unknown");
    ck_assert_int_eq(fst_reason_from_name("adult_without_consent"), FST_REASON_ADULT_WITHOUT_CONSENT);
    ck_assert_int_eq(fst_reason_from_name("nope"), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("policy_rule");
    TCase *tc = tcase_create("rule");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, minor_with_current_responsibility_is_allowed);
    tcase_add_test(tc, every_kind_of_responsibility_counts);
    tcase_add_test(tc, no_entry_is_no_responsibility);
    tcase_add_test(tc, someone_elses_entry_is_no_responsibility);
    tcase_add_test(tc, family_relation_without_responsibility_gives_nothing);
    tcase_add_test(tc, entry_about_another_subject_does_not_count);
    tcase_add_test(tc, ended_entry_of_a_minor_counts_for_nothing);
    tcase_add_test(tc, ended_entry_and_a_new_holder);
    tcase_add_test(tc, entry_ended_at_coming_of_age_counts_with_consent);
    tcase_add_test(tc, entry_ended_at_coming_of_age_without_consent);
    tcase_add_test(tc, entry_ended_before_coming_of_age_counts_for_nothing_even_with_consent);
    tcase_add_test(tc, winter_birthday_entry_ended_at_oslo_midnight);
    tcase_add_test(tc, adult_with_current_entry_needs_consent);
    tcase_add_test(tc, not_registered_by_school);
    tcase_add_test(tc, registered_for_another_pupil_only);
    tcase_add_test(tc, registered_under_another_number);
    tcase_add_test(tc, guardian_who_refused_the_number_is_not_registered);
    tcase_add_test(tc, school_registration_can_be_turned_off);
    tcase_add_test(tc, pupil_not_enrolled);
    tcase_add_test(tc, pupil_who_died_is_not_enrolled);
    tcase_add_test(tc, ceased_pupil_is_unknown);
    tcase_add_test(tc, consent_states);
    tcase_add_test(tc, consent_is_irrelevant_for_a_minor);
    tcase_add_test(tc, birthday_boundary_summer);
    tcase_add_test(tc, birthday_boundary_winter);
    tcase_add_test(tc, birthday_on_dst_change_days);
    tcase_add_test(tc, born_29_february);
    tcase_add_test(tc, born_29_february_leap_coming_of_age);
    tcase_add_test(tc, birth_date_from_the_number_when_the_register_has_none);
    tcase_add_test(tc, unknown_student);
    tcase_add_test(tc, first_failing_clause_is_named);
    tcase_add_test(tc, pairs_of_clauses);
    tcase_add_test(tc, detail_explains);
    tcase_add_test(tc, reason_names);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
