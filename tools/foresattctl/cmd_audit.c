/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * audit: the access decisions logged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ctl.h"
#include "fnr.h"

static void help(void)
{
    printf("usage: foresattctl audit [--pupil ID] [--guardian NUMBER] [--since YYYY-MM-DD] [--until YYYY-MM-DD]\n"
           "                        [--limit N]\n\n"
           "Prints the logged decisions, oldest first, tab-separated with a header:\n"
           "  time  role  actor  student_id  action  decision  reason  detail\n"
           "time is UTC; actor is the pseudonym the module logs, never an identity number. Dates are Oslo\n"
           "days: --since from the start of that day, --until up to the start of that day.\n"
           "--guardian NUMBER lists what one person did: the tool computes their pseudonym with the key the\n"
           "module uses (ForesattPseudonymSecret, else ForesattCryptoPassphrase, from the configuration).\n\n"
           "Exit status: 0 listed (also when none match); 1 not a valid number; 2 usage; 3 configuration;\n"
           "4 the store failed.\n");
}

/* Tabs and line breaks would break the columns. */
static const char *cell(apr_pool_t *pool, const char *s)
{
    char *out, *p;

    if (s == NULL)
        return "-";
    out = apr_pstrdup(pool, s);
    for (p = out; *p; p++)
        if (*p == '\t' || *p == '\n' || *p == '\r')
            *p = ' ';
    return out;
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    foresatt_audit_filter_t filter;
    foresatt_audit_entry_t *e = NULL;
    const char *guardian = NULL;
    char pseudonym[FST_PSEUDONYM_LEN + 1];
    size_t n = 0, i;
    fst_date_t d;
    int exit_code;

    memset(&filter, 0, sizeof(filter));
    for (int a = 1; a < argc; a++) {
        const char *opt = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;
        if (val == NULL) {
            fprintf(stderr, "foresattctl audit: '%s' needs a value (see foresattctl audit --help)\n", opt);
            return CTL_EXIT_USAGE;
        }
        a++;
        if (strcmp(opt, "--pupil") == 0) {
            if (*val == '\0' || strlen(val) > FORESATT_MAX_ID_LEN) {
                fprintf(stderr, "foresattctl audit: --pupil: give the school's student id\n");
                return CTL_EXIT_USAGE;
            }
            filter.pupil_id = val;
        } else if (strcmp(opt, "--guardian") == 0) {
            if (!fst_id_valid(val)) {
                fprintf(stderr, "foresattctl audit: --guardian: not a valid fødselsnummer or D-nummer\n");
                return CTL_EXIT_INVALID;
            }
            guardian = val;
        } else if (strcmp(opt, "--since") == 0 || strcmp(opt, "--until") == 0) {
            if (!ctl_parse_day(val, &d)) {
                fprintf(stderr, "foresattctl audit: %s %s: give a date as YYYY-MM-DD\n", opt, val);
                return CTL_EXIT_USAGE;
            }
            *(opt[2] == 's' ? &filter.since : &filter.until) = fst_oslo_day_start(d);
        } else if (strcmp(opt, "--limit") == 0) {
            char *end;
            long v = strtol(val, &end, 10);
            if (*end || end == val || v < 1) {
                fprintf(stderr, "foresattctl audit: --limit %s: give a positive number\n", val);
                return CTL_EXIT_USAGE;
            }
            filter.limit = (size_t)v;
        } else {
            fprintf(stderr, "foresattctl audit: unknown option '%s' (see foresattctl audit --help)\n", opt);
            return CTL_EXIT_USAGE;
        }
    }
    if ((exit_code = ctl_load_config(env, CTL_NEED_STORE)) != CTL_EXIT_OK)
        return exit_code;
    if (guardian != NULL) {
        if (!ctl_pseudonym(env, guardian, pseudonym)) {
            fprintf(stderr, "foresattctl audit: --guardian needs ForesattPseudonymSecret or ForesattCryptoPassphrase "
                            "in %s (the key of the pseudonyms in the audit log)\n", env->config_path);
            return CTL_EXIT_CONFIG;
        }
        filter.actor = pseudonym;
    }
    if ((exit_code = ctl_audit_query(env, "audit", &filter, &e, &n)) != CTL_EXIT_OK)
        return exit_code;
    printf("time\trole\tactor\tstudent_id\taction\tdecision\treason\tdetail\n");
    for (i = 0; i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ctl_format_time(env->pool, e[i].at), ctl_role_name(e[i].role),
               cell(env->pool, e[i].actor), cell(env->pool, e[i].pupil_id), cell(env->pool, e[i].action),
               cell(env->pool, e[i].decision), cell(env->pool, e[i].reason), cell(env->pool, e[i].detail));
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_audit = {"audit", "list the access decisions logged", run, help};
