/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * decide --as NUMBER [--pupil ID] [--today YYYY-MM-DD]: the module's access rule, run with the
 * configured register and store, answering the support question "why can't this parent see this
 * child?". Prints no number but the one the administrator typed.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <apr_strings.h>

#include "config_words.h"
#include "ctl.h"
#include "fnr.h"
#include "policy/access.h"

static void help(void)
{
    printf("usage: foresattctl decide --as NUMBER [--pupil ID] [--today YYYY-MM-DD]\n\n"
           "Runs the access rule for the person with this fødselsnummer / D-nummer, with the register and\n"
           "the store the configuration names, as the module would when they log in. Prints one line per\n"
           "fact, tab-separated:\n"
           "  person   in-register | not-in-register [TAB name] | number-ended (replaced, or the\n"
           "           person died or ceased in the register: decides nothing)\n"
           "  student  ID TAB enrolled | not-enrolled      (when the person is a pupil themselves)\n"
           "  pupil    ID TAB allow | deny TAB reason TAB explanation\n"
           "Reasons: no_parental_responsibility, not_registered_by_school, student_not_enrolled,\n"
           "adult_without_consent, unknown_student. --pupil decides for that pupil only; --today decides\n"
           "as on that Oslo date (at noon). Without ForesattRequireSchoolRegistration off in the\n"
           "configuration, the school's registration of the number is required.\n"
           "Exits 0 when decided (whatever the decision), 1 on an invalid number or date, 4 when the\n"
           "register or the store failed.\n");
}

static foresatt_result_t plugin_lookup(void *ctx, const char *number, apr_pool_t *pool,
                                       const foresatt_person_t **person, foresatt_status_t *status)
{
    fst_plugin_t *registry = ctx;
    foresatt_person_t *p = NULL;
    foresatt_result_t rc;

    fst_plugin_lock(registry);
    rc = registry->desc->registry->lookup(registry->instance, number, fst_arena(pool), &p, status);
    fst_plugin_unlock(registry);
    *person = rc == FORESATT_OK ? p : NULL;
    return rc;
}

static const char *explain(apr_pool_t *pool, const fst_access_pupil_t *p)
{
    const fst_rule_detail_t *d = &p->detail;
    const char *via = apr_pstrcat(pool, (p->via & FST_VIA_SCHOOL) ? "registered by the school" : "",
                                  (p->via & FST_VIA_SCHOOL) && (p->via & (FST_VIA_RESPONSIBILITY | FST_VIA_RELATION))
                                      ? "; "
                                      : "",
                                  (p->via & FST_VIA_RESPONSIBILITY) ? "named in the person's foreldreansvar"
                                  : (p->via & FST_VIA_RELATION)     ? "named in the person's familierelasjon"
                                                                    : "",
                                  NULL);
    const char *why = "";

    switch (p->reason) {
    case FST_REASON_NONE:
        why = d->responsibility == 2 ? "held parental responsibility when the pupil came of age; consent in force"
                                     : "holds current parental responsibility";
        break;
    case FST_REASON_NO_PARENTAL_RESPONSIBILITY:
        why = "the register's record of the pupil names no parental responsibility for this person that counts "
              "(none, ended before the pupil came of age, or a family relation only)";
        break;
    case FST_REASON_NOT_REGISTERED_BY_SCHOOL:
        why = "the school has not registered this person's number for the pupil (not in the roster, or the "
              "guardian refused the use of the number)";
        break;
    case FST_REASON_STUDENT_NOT_ENROLLED:
        why = "the pupil is not enrolled (left or completed)";
        break;
    case FST_REASON_ADULT_WITHOUT_CONSENT:
        why = d->age_known ? apr_psprintf(pool, "the pupil came of age on %04d-%02d-%02d and has no consent in force",
                                          d->coming_of_age.year, d->coming_of_age.month, d->coming_of_age.day)
                           : "the register gives no birth date, so the pupil is treated as adult; no consent in force";
        break;
    case FST_REASON_UNKNOWN_STUDENT:
        why = "the store or the register does not know the pupil";
        break;
    }
    return *via ? apr_pstrcat(pool, why, " (", via, ")", NULL) : why;
}

static void print_pupil(apr_pool_t *pool, const fst_access_pupil_t *p)
{
    if (p->reason == FST_REASON_NONE)
        printf("pupil\t%s\tallow\t\t%s\n", p->pupil_id, explain(pool, p));
    else
        printf("pupil\t%s\tdeny\t%s\t%s\n", p->pupil_id, fst_reason_name(p->reason), explain(pool, p));
}

/* Noon in Oslo on the given date: the date is then the same in every time zone nearby. */
static int parse_today(const char *s, int64_t *now)
{
    fst_date_t d;

    if (!fst_date_parse(s, &d))
        return 0;
    *now = fst_oslo_day_start(d) + 12 * 3600;
    return 1;
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    const char *number = NULL, *pupil_id = NULL, *today = NULL, *setting;
    fst_access_backend_t backend;
    fst_access_error_t err;
    fst_access_result_t ar;
    int64_t now = (int64_t)time(NULL);
    int i, rc;

    for (i = 1; i < argc; i++) {
        const char **slot = strcmp(argv[i], "--as") == 0      ? &number
                            : strcmp(argv[i], "--pupil") == 0 ? &pupil_id
                            : strcmp(argv[i], "--today") == 0 ? &today
                                                              : NULL;
        if (slot == NULL || i + 1 >= argc) {
            fprintf(stderr, "foresattctl decide: %s '%s'; see foresattctl decide --help\n",
                    slot ? "missing value after" : "unknown argument", argv[i]);
            return CTL_EXIT_USAGE;
        }
        *slot = argv[++i];
    }
    if (number == NULL) {
        fprintf(stderr, "foresattctl decide: give the person with --as NUMBER\n");
        return CTL_EXIT_USAGE;
    }
    if (!fst_id_valid(number)) {
        fprintf(stderr, "foresattctl decide: --as: not a valid fødselsnummer or D-nummer\n");
        return CTL_EXIT_INVALID;
    }
    if (today != NULL && !parse_today(today, &now)) {
        fprintf(stderr, "foresattctl decide: --today: expected a date as YYYY-MM-DD, got '%s'\n", today);
        return CTL_EXIT_INVALID;
    }
    if (pupil_id != NULL && *pupil_id == '\0') {
        fprintf(stderr, "foresattctl decide: --pupil: give a pupil id\n");
        return CTL_EXIT_USAGE;
    }
    rc = ctl_load_config(env, CTL_NEED_STORE | CTL_NEED_REGISTRY);
    if (rc != CTL_EXIT_OK)
        return rc;

    memset(&backend, 0, sizeof(backend));
    backend.lookup = plugin_lookup;
    backend.lookup_ctx = env->registry;
    backend.store = env->store;
    backend.require_school_registration = 1;
    setting = ctl_directive_last(env, "ForesattRequireSchoolRegistration");
    if (setting != NULL) {
        const char **words, *why = NULL;
        int n;
        if (fst_config_split(env->pool, setting, &n, &words, &why) && n == 1 && strcasecmp(words[0], "off") == 0)
            backend.require_school_registration = 0;
    }
    memset(&err, 0, sizeof(err));

    if (pupil_id != NULL) {
        fst_access_pupil_t p;
        ar = fst_access_decide_pupil(&backend, number, pupil_id, now, env->pool, &p, &err);
        if (ar == FST_ACCESS_OK) {
            print_pupil(env->pool, &p);
            return CTL_EXIT_OK;
        }
    } else {
        fst_access_t *a;
        ar = fst_access_decide(&backend, number, now, env->pool, &a, &err);
        if (ar == FST_ACCESS_OK) {
            printf("person\t%s%s%s\n",
                   a->number_ended  ? "number-ended"
                   : a->in_register ? "in-register"
                                    : "not-in-register",
                   a->display_name ? "\t" : "", a->display_name ? a->display_name : "");
            if (a->as_student)
                printf("student\t%s\t%s\n", a->as_student->pupil_id,
                       a->as_student->enrollment == FORESATT_ENROLLMENT_ACTIVE ? "enrolled" : "not-enrolled");
            for (i = 0; i < a->pupils->nelts; i++)
                print_pupil(env->pool, &APR_ARRAY_IDX(a->pupils, i, fst_access_pupil_t));
            return CTL_EXIT_OK;
        }
    }
    fprintf(stderr, "foresattctl decide: the %s failed: %s\n", ar == FST_ACCESS_REGISTRY_FAILED ? "register" : "store",
            err.message ? err.message : "no reason given");
    return CTL_EXIT_BACKEND;
}

const ctl_command_t ctl_cmd_decide = {"decide", "run the access rule for a person: who may they see, and why not",
                                      run, help};
