/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * paper-list: the guardians who refused the use of their number get information on paper.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "ctl.h"
#include "person.h"
#include "policy/rule.h"

static void help(void)
{
    printf("usage: foresattctl paper-list [--today YYYY-MM-DD] [--all]\n\n"
           "Prints, as CSV on standard output, the guardians who refused the school's use of their\n"
           "fødselsnummer and so must be informed on paper, one line per guardian and student:\n"
           "  student_id,school,guardian_name,addressee,daily_care,parental_responsibility,address,address_source\n"
           "Only students the school informs guardians about are listed: enrolled, and under 18 or with a\n"
           "consent in force (--all lists every registration). The address is the roster's; where the roster\n"
           "has none, ForesattRegistry is configured and the guardian has daily care, the student's home\n"
           "address from the register (address_source register-student), never a confidential one\n"
           "(address_source protected).\n"
           "address_source none: find the address another way.\n\n"
           "Exit status: 0 listed (also when empty); 2 usage; 3 configuration; 4 the store or register failed.\n");
}

static void csv_field(const char *s, int last)
{
    if (s && strpbrk(s, ",\"\r\n")) {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"')
                putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else if (s) {
        fputs(s, stdout);
    }
    putchar(last ? '\n' : ',');
}

static const char *format_address(apr_pool_t *pool, const foresatt_address_t *a)
{
    return apr_psprintf(pool, "%s%s%s, %s %s", a->street ? a->street : "", a->house_number ? " " : "",
                        a->house_number ? a->house_number : "", a->postal_code ? a->postal_code : "",
                        a->post_town ? a->post_town : "");
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    foresatt_guardian_t **g = NULL;
    foresatt_pupil_t **pupils;
    const foresatt_person_t **records;
    const char **numbers;
    foresatt_status_t status;
    foresatt_result_t rc;
    size_t n = 0, i, listed = 0, without_address = 0;
    int64_t now = (int64_t)time(NULL);
    int all = 0, exit_code;

    if ((exit_code = ctl_flag_and_today("paper-list", argc, argv, "--all", &all, &now)) != CTL_EXIT_OK ||
        (exit_code = ctl_load_config(env, CTL_NEED_STORE)) != CTL_EXIT_OK)
        return exit_code;
    rc = fst_store_paper_list(env->store, env->pool, &g, &n, &status);
    if (rc != FORESATT_OK)
        return ctl_backend_failed("paper-list", "listing the guardians", rc, &status);

    pupils = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(*pupils));
    numbers = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(char *));
    records = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(*records));
    for (i = 0; i < n; i++) {
        rc = fst_store_pupil_by_id(env->store, g[i]->pupil_id, env->pool, &pupils[i], &status);
        if (rc != FORESATT_OK)
            return ctl_backend_failed("paper-list", "reading a student", rc, &status);
        numbers[i] = pupils[i]->number;
    }
    if ((exit_code = ctl_register_persons(env, "paper-list", numbers, n, records)) != CTL_EXIT_OK)
        return exit_code;

    printf("student_id,school,guardian_name,addressee,daily_care,parental_responsibility,address,address_source\n");
    for (i = 0; i < n; i++) {
        const foresatt_pupil_t *p = pupils[i];
        const char *address = g[i]->address, *source = "roster";
        if (!all && (p->enrollment != FORESATT_ENROLLMENT_ACTIVE ||
                     (ctl_pupil_adult(p, records[i], now) != 0 && !fst_consent_in_force(&p->consent, now))))
            continue;
        if (address == NULL) {
            const foresatt_person_t *r = records[i];
            if (!g[i]->daily_care) {
                source = "none"; /* lives elsewhere: the student's home is not this guardian's address */
            } else if (r && r->has_address && fst_grading_protected(r->address.grading)) {
                source = "protected";
            } else if (r && r->has_address) {
                address = format_address(env->pool, &r->address);
                source = "register-student";
            } else {
                source = "none";
            }
        }
        if (address == NULL)
            without_address++;
        csv_field(p->pupil_id, 0);
        csv_field(p->school, 0);
        csv_field(g[i]->name, 0);
        csv_field(g[i]->addressee == FORESATT_ADDRESSEE_MAIN        ? "main"
                  : g[i]->addressee == FORESATT_ADDRESSEE_SECONDARY ? "secondary"
                                                                    : "",
                  0);
        csv_field(g[i]->daily_care ? "yes" : "no", 0);
        csv_field(g[i]->parental_responsibility ? "yes" : "no", 0);
        csv_field(address ? address : "", 0);
        csv_field(source, 1);
        listed++;
    }
    fprintf(stderr, "foresattctl paper-list: %zu guardian%s to inform on paper%s", listed, listed == 1 ? "" : "s",
            without_address ? "" : "\n");
    if (without_address)
        fprintf(stderr, "; %zu without a usable address\n", without_address);
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_paper_list = {"paper-list", "guardians to inform on paper (CSV)", run, help};
