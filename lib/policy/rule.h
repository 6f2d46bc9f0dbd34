/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The access rule: may guardian G see pupil S? A pure function of its inputs (no httpd, no I/O, no
 * clock), so every clause is unit-tested and the module and foresattctl decide alike.
 *
 * G may see S when all hold, checked in this order; the first that fails names the reason:
 *   0. S is known: the store has S and the register has a record of S, not ceased (status
 *      opphoert: a false identity, a duplicate)                                  (unknown_student)
 *   1. the register's record of S holds a parental-responsibility entry of any kind whose
 *      responsible person is G and whose subject is S, and that entry is current; or, once S is 18,
 *      the entry ended when S came of age (no earlier than 00:00 Oslo time on the 18th birthday).
 *      An entry that ended earlier counts for nothing; so does a family relation. (no_parental_responsibility)
 *   2. the school registered G for S with G's number (can be turned off)       (not_registered_by_school)
 *   3. S is enrolled (active), and alive in the register (status not doed)      (student_not_enrolled)
 *   4. S is under 18 on today's Oslo date (birth date from the register), or S's consent that
 *      extends guardian access is in force                                     (adult_without_consent)
 */
#ifndef FST_POLICY_RULE_H
#define FST_POLICY_RULE_H

#include <stddef.h>
#include <stdint.h>

#include "foresatt/plugin.h"
#include "oslo_time.h"

typedef enum fst_reason {
    FST_REASON_NONE = 0, /* allowed */
    FST_REASON_NO_PARENTAL_RESPONSIBILITY,
    FST_REASON_NOT_REGISTERED_BY_SCHOOL,
    FST_REASON_STUDENT_NOT_ENROLLED,
    FST_REASON_ADULT_WITHOUT_CONSENT,
    FST_REASON_UNKNOWN_STUDENT
} fst_reason_t;

#define FST_REASON_COUNT 6

typedef struct fst_rule_input {
    const char *guardian_number;            /* G */
    const foresatt_pupil_t *pupil;          /* the store's record of S; NULL when the store has none */
    const foresatt_person_t *pupil_record;  /* the register's record of S; NULL when it has none */
    /* The school's registrations of G's number (store guardian_links), any pupils. */
    const foresatt_guardian_t *const *registrations;
    size_t n_registrations;
    int require_school_registration;        /* clause 2 on (1) or off (0) */
    int64_t now;                            /* Unix seconds */
} fst_rule_input_t;

/* What the rule found on the way, for foresattctl decide's explanation. */
typedef struct fst_rule_detail {
    int age_known;            /* birth date found (register, else the number) */
    int adult;                /* 18 or older on today's Oslo date */
    fst_date_t coming_of_age; /* the 18th birthday */
    int consent_in_force;
    int responsibility;       /* 0 none, 1 a current entry, 2 the entry that ended at coming of age */
} fst_rule_detail_t;

/* FST_REASON_NONE when G may see S, else the first failing clause. detail may be NULL. */
fst_reason_t fst_rule_decide(const fst_rule_input_t *in, fst_rule_detail_t *detail);

/* "allow", "no_parental_responsibility", ...: the words scenarios.json and the audit log use. */
const char *fst_reason_name(fst_reason_t reason);

/* The reason named by word, or -1. */
int fst_reason_from_name(const char *name);

/* Is the consent in force at now? Given, not revoked, not past its end. */
int fst_consent_in_force(const foresatt_consent_t *consent, int64_t now);

/* A person's birth date: the register's (YYYY-MM-DD) when it has one, else the identity number's.
 * Returns 0 when neither tells. */
int fst_birth_date(const char *birth_date, const char *number, fst_date_t *birth);

/* The day someone born on birth comes of age (the 18th birthday; 1 March for 29 February). */
fst_date_t fst_coming_of_age_of(fst_date_t birth);

/* The 18th birthday of a person, from fst_birth_date. Returns 0 when it does not tell. */
int fst_coming_of_age(const char *birth_date, const char *number, fst_date_t *date);

#endif
