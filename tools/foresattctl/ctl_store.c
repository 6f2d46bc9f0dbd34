/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the store commands share: reporting a failed store call, dates on the command line, and
 * asking the register about many pupils at once (batched where the plugin can).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "ctl.h"
#include "policy/rule.h"

int ctl_backend_failed(const char *cmd, const char *what, foresatt_result_t rc, const foresatt_status_t *status)
{
    fprintf(stderr, "foresattctl %s: %s failed%s: %s\n", cmd, what,
            rc == FORESATT_TEMPORARY ? " (temporarily; try again)" : "",
            status->message[0] ? status->message : "no reason given");
    return CTL_EXIT_BACKEND;
}

int ctl_parse_day(const char *s, fst_date_t *d)
{
    return s != NULL && fst_date_parse(s, d);
}

int ctl_flag_and_today(const char *cmd, int argc, const char *const *argv, const char *flag_name, int *flag,
                       int64_t *now)
{
    fst_date_t d;
    int a;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], flag_name) == 0) {
            *flag = 1;
        } else if (strcmp(argv[a], "--today") == 0 && a + 1 < argc) {
            if (!ctl_parse_day(argv[++a], &d)) {
                fprintf(stderr, "foresattctl %s: --today %s: give a date as YYYY-MM-DD\n", cmd, argv[a]);
                return CTL_EXIT_USAGE;
            }
            *now = fst_oslo_day_start(d) + 12 * 3600;
        } else {
            fprintf(stderr, "foresattctl %s: unexpected '%s' (see foresattctl %s --help)\n", cmd, argv[a], cmd);
            return CTL_EXIT_USAGE;
        }
    }
    return CTL_EXIT_OK;
}

int ctl_print_json(const char *cmd, json_t *doc, size_t flags)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | flags);

    json_decref(doc);
    if (text == NULL) {
        fprintf(stderr, "foresattctl %s: out of memory\n", cmd);
        return CTL_EXIT_BACKEND;
    }
    printf("%s\n", text);
    free(text);
    return CTL_EXIT_OK;
}

const char *ctl_format_time(apr_pool_t *pool, int64_t t)
{
    apr_time_exp_t tm;

    if (t == 0)
        return "";
    apr_time_exp_gmt(&tm, apr_time_from_sec(t));
    return apr_psprintf(pool, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int ctl_register_persons(ctl_env_t *env, const char *cmd, const char *const *numbers, size_t n,
                         const foresatt_person_t **persons)
{
    const foresatt_registry_ops_t *ops;
    foresatt_status_t status;
    foresatt_result_t rc;
    size_t i, batch;

    memset(persons, 0, n * sizeof(*persons));
    if (env->registry == NULL)
        return CTL_EXIT_OK;
    ops = env->registry->desc->registry;
    batch = ops->lookup_batch && ops->max_batch > 1 ? ops->max_batch : 1;
    for (i = 0; i < n; i += batch) {
        size_t k = n - i < batch ? n - i : batch;
        memset(&status, 0, sizeof(status));
        fst_plugin_lock(env->registry);
        if (batch > 1) {
            rc = ops->lookup_batch(env->registry->instance, numbers + i, k, fst_arena(env->pool),
                                   (foresatt_person_t **)(persons + i), &status);
        } else {
            foresatt_person_t *p = NULL;
            rc = ops->lookup(env->registry->instance, numbers[i], fst_arena(env->pool), &p, &status);
            if (rc == FORESATT_NOT_FOUND)
                rc = FORESATT_OK, p = NULL;
            persons[i] = p;
        }
        fst_plugin_unlock(env->registry);
        if (rc != FORESATT_OK)
            return ctl_backend_failed(cmd, "the register lookup", rc, &status);
    }
    return CTL_EXIT_OK;
}

int ctl_pupil_adult(const foresatt_pupil_t *pupil, const foresatt_person_t *record, int64_t now)
{
    fst_date_t coming_of_age;

    if (!fst_coming_of_age(record ? record->birth_date : NULL, pupil->number, &coming_of_age))
        return -1;
    return fst_date_cmp(fst_oslo_date(now), coming_of_age) >= 0;
}

const char *ctl_role_name(foresatt_role_t role)
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

int ctl_audit_query(ctl_env_t *env, const char *cmd, const foresatt_audit_filter_t *filter,
                    foresatt_audit_entry_t **entries, size_t *n)
{
    foresatt_status_t status;
    foresatt_result_t rc;
    size_t i, kept = 0;

    rc = fst_store_audit_query(env->store, filter, env->pool, entries, n, &status);
    if (rc != FORESATT_OK)
        return ctl_backend_failed(cmd, "the audit query", rc, &status);
    if (filter->actor == NULL)
        return CTL_EXIT_OK;
    for (i = 0; i < *n; i++)
        if ((*entries)[i].actor != NULL && strcmp((*entries)[i].actor, filter->actor) == 0)
            (*entries)[kept++] = (*entries)[i];
    *n = kept;
    return CTL_EXIT_OK;
}
