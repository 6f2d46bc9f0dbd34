/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * export --guardian NUMBER: everything the store keeps about one guardian (the right of access).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ctl.h"
#include "fnr.h"

static void help(void)
{
    printf("usage: foresattctl export --guardian NUMBER\n\n"
           "Prints, as JSON, everything the school's store keeps about the guardian with this\n"
           "fødselsnummer or D-nummer: each registration (one per student: name, address, phone and\n"
           "e-mail as imported and as the guardian edited them, daily care, parental responsibility,\n"
           "addressee) and the student's id, school and enrollment, and the audit log's entries about what\n"
           "this person did (found by the pseudonym the module logs them under; needs ForesattPseudonymSecret\n"
           "or ForesattCryptoPassphrase in the configuration, else \"audit\" is null). Give it to the\n"
           "guardian who asked.\n"
           "A number the store does not know gives an empty list of registrations.\n\n"
           "Exit status: 0 exported; 1 not a valid number; 2 usage; 3 configuration; 4 the store failed.\n");
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static const char *enrollment_name(foresatt_enrollment_t e)
{
    return e == FORESATT_ENROLLMENT_ACTIVE ? "active" : e == FORESATT_ENROLLMENT_LEFT ? "left" : "completed";
}

static json_t *time_or_null(apr_pool_t *pool, int64_t t)
{
    return t ? json_string(ctl_format_time(pool, t)) : json_null();
}

/* The audit entries of what this person did, by their pseudonym; JSON null without the key. */
static int audit_of(ctl_env_t *env, const char *number, json_t **out)
{
    char pseudonym[FST_PSEUDONYM_LEN + 1];
    foresatt_audit_filter_t filter;
    foresatt_audit_entry_t *e = NULL;
    size_t n = 0, i;
    int exit_code;

    if (!ctl_pseudonym(env, number, pseudonym)) {
        fprintf(stderr, "foresattctl export: no ForesattPseudonymSecret or ForesattCryptoPassphrase in %s: "
                        "the audit log's entries cannot be linked to this number and are left out\n",
                env->config_path);
        *out = json_null();
        return CTL_EXIT_OK;
    }
    memset(&filter, 0, sizeof(filter));
    filter.actor = pseudonym;
    if ((exit_code = ctl_audit_query(env, "export", &filter, &e, &n)) != CTL_EXIT_OK)
        return exit_code;
    *out = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(*out, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o}",
                                              "time", ctl_format_time(env->pool, e[i].at),
                                              "role", ctl_role_name(e[i].role),
                                              "student_id", str_or_null(e[i].pupil_id),
                                              "action", str_or_null(e[i].action),
                                              "decision", str_or_null(e[i].decision),
                                              "reason", str_or_null(e[i].reason),
                                              "detail", str_or_null(e[i].detail)));
    return CTL_EXIT_OK;
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    const char *number = NULL;
    foresatt_guardian_t **g = NULL;
    foresatt_status_t status;
    foresatt_result_t rc;
    json_t *doc, *regs, *audit = NULL;
    size_t n = 0, i;
    fst_id_error_t id_err;
    int exit_code;

    if (argc == 3 && strcmp(argv[1], "--guardian") == 0)
        number = argv[2];
    else if (argc == 2 && strncmp(argv[1], "--guardian=", 11) == 0)
        number = argv[1] + 11;
    if (number == NULL) {
        fprintf(stderr, "foresattctl export: give --guardian NUMBER (see foresattctl export --help)\n");
        return CTL_EXIT_USAGE;
    }
    if ((id_err = fst_id_parse(number, NULL)) != FST_ID_OK) {
        fprintf(stderr, "foresattctl export: --guardian: not a valid fødselsnummer or D-nummer: %s\n",
                fst_id_error_text(id_err));
        return CTL_EXIT_INVALID;
    }
    if ((exit_code = ctl_load_config(env, CTL_NEED_STORE)) != CTL_EXIT_OK)
        return exit_code;
    rc = fst_store_guardian_links(env->store, number, env->pool, &g, &n, &status);
    if (rc != FORESATT_OK && rc != FORESATT_NOT_FOUND) /* NOT_FOUND: n is 0 */
        return ctl_backend_failed("export", "the lookup", rc, &status);

    regs = json_array();
    for (i = 0; i < n; i++) {
        foresatt_pupil_t *p;
        json_t *reg, *emails = json_array();
        size_t k;

        rc = fst_store_pupil_by_id(env->store, g[i]->pupil_id, env->pool, &p, &status);
        if (rc != FORESATT_OK && rc != FORESATT_NOT_FOUND) {
            json_decref(regs);
            json_decref(emails);
            return ctl_backend_failed("export", "reading a student", rc, &status);
        }
        for (k = 0; k < g[i]->n_emails; k++)
            json_array_append_new(emails, json_string(g[i]->emails[k]));
        reg = json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:s, s:s}",
                        "student_id", g[i]->pupil_id,
                        "school", str_or_null(p ? p->school : NULL),
                        "student_enrollment", p ? json_string(enrollment_name(p->enrollment)) : json_null(),
                        "name", g[i]->name,
                        "address", str_or_null(g[i]->address),
                        "phone", str_or_null(g[i]->phone),
                        "emails", emails,
                        "imported_phone", str_or_null(g[i]->imported_phone),
                        "imported_emails", str_or_null(g[i]->imported_emails),
                        "imported_at", time_or_null(env->pool, g[i]->imported_at),
                        "edited_phone", str_or_null(g[i]->edited_phone),
                        "edited_emails", str_or_null(g[i]->edited_emails),
                        "edited_at", time_or_null(env->pool, g[i]->edited_at),
                        "daily_care", g[i]->daily_care,
                        "parental_responsibility", g[i]->parental_responsibility,
                        "addressee", g[i]->addressee == FORESATT_ADDRESSEE_MAIN ? "main"
                                     : g[i]->addressee == FORESATT_ADDRESSEE_SECONDARY ? "secondary" : "none",
                        "fnr_use", g[i]->fnr_use == FORESATT_FNR_USE_REFUSED ? "refused" : "accepted");
        json_array_append_new(regs, reg);
    }
    if ((exit_code = audit_of(env, number, &audit)) != CTL_EXIT_OK) {
        json_decref(regs);
        return exit_code;
    }
    doc = json_pack("{s:s, s:s, s:o, s:o}", "guardian", number, "exported_at",
                    ctl_format_time(env->pool, (int64_t)time(NULL)), "registrations", regs, "audit", audit);
    if ((exit_code = ctl_print_json("export", doc, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)) != CTL_EXIT_OK)
        return exit_code;
    if (n == 0)
        fprintf(stderr, "foresattctl export: the store keeps nothing about this number\n");
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_export = {"export", "everything stored about one guardian (JSON)", run, help};
