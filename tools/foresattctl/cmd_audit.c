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

static void help(void)
{
    printf("usage: foresattctl audit [--pupil ID] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--limit N]\n\n"
           "Prints the logged decisions, oldest first, tab-separated with a header:\n"
           "  time  role  actor  student_id  action  decision  reason  detail\n"
           "time is UTC; actor is the pseudonym the module logs, never an identity number. Dates are Oslo\n"
           "days: --since from the start of that day, --until up to the start of that day.\n\n"
           "Exit status: 0 listed (also when none match); 2 usage; 3 configuration; 4 the store failed.\n");
}

static const char *role_name(foresatt_role_t role)
{
    switch (role) {
    case FORESATT_ROLE_GUARDIAN:
        return "guardian";
    case FORESATT_ROLE_STUDENT:
        return "student";
    case FORESATT_ROLE_ADMIN:
        return "admin";
    }
    return "unknown";
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
    foresatt_status_t status;
    foresatt_result_t rc;
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
    memset(&status, 0, sizeof(status));
    fst_plugin_lock(env->store);
    rc = env->store->desc->store->audit_query(env->store->instance, &filter, fst_arena(env->pool), &e, &n, &status);
    fst_plugin_unlock(env->store);
    if (rc != FORESATT_OK)
        return ctl_backend_failed("audit", "the audit query", rc, &status);
    printf("time\trole\tactor\tstudent_id\taction\tdecision\treason\tdetail\n");
    for (i = 0; i < n; i++)
        printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ctl_format_time(env->pool, e[i].at), role_name(e[i].role),
               cell(env->pool, e[i].actor), cell(env->pool, e[i].pupil_id), cell(env->pool, e[i].action),
               cell(env->pool, e[i].decision), cell(env->pool, e[i].reason), cell(env->pool, e[i].detail));
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_audit = {"audit", "list the access decisions logged", run, help};
