/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * purge: retention. Keeps guardian data only while it serves its purpose.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>

#include "ctl.h"
#include "policy/rule.h"
#include "retention.h"

static void help(void)
{
    printf("usage: foresattctl purge [--dry-run] [--today YYYY-MM-DD]\n\n"
           "Deletes, in one transaction:\n"
           "  - the guardian data of students who left or completed school;\n"
           "  - the guardian data of students 18 or older without a consent in force (birth dates from\n"
           "    the register when ForesattRegistry is configured, else from the identity number);\n"
           "  - consents that ended (revoked or past their end);\n"
           "  - audit entries older than ForesattAuditRetention (e.g. 'ForesattAuditRetention 2 years');\n"
           "    without that directive audit entries are kept.\n"
           "Prints how many of each were deleted (counts only). Run it daily, e.g. from cron.\n\n"
           "  --dry-run            count what would be deleted, delete nothing\n"
           "  --today YYYY-MM-DD   purge as of this date (Oslo), e.g. to test; default: now\n\n"
           "Exit status: 0 done; 2 usage; 3 configuration (bad ForesattAuditRetention, no store);\n"
           "4 the store or register failed (nothing deleted).\n");
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    const char *retention_text, *why = NULL;
    fst_retention_t retention;
    foresatt_pupil_t **pupils = NULL;
    const foresatt_person_t **records;
    const char **numbers, **purge_ids;
    size_t n = 0, i, n_purge = 0, left = 0, adult = 0, unknown_age = 0;
    foresatt_purge_stats_t stats;
    foresatt_status_t status;
    foresatt_result_t rc;
    int64_t now = (int64_t)time(NULL), audit_before = 0;
    fst_date_t today, cut;
    int dry_run = 0, exit_code;

    if ((exit_code = ctl_flag_and_today("purge", argc, argv, "--dry-run", &dry_run, &now)) != CTL_EXIT_OK ||
        (exit_code = ctl_load_config(env, CTL_NEED_STORE)) != CTL_EXIT_OK)
        return exit_code;
    retention_text = ctl_directive_last(env, "ForesattAuditRetention");
    if (retention_text && !fst_retention_parse(retention_text, &retention, &why)) {
        fprintf(stderr, "foresattctl purge: ForesattAuditRetention %s: %s\n", retention_text, why);
        return CTL_EXIT_CONFIG;
    }
    /* As of midday in Oslo on --today: the date is what counts for ages and retention. */
    today = fst_oslo_date(now);
    if (retention_text) {
        cut = fst_retention_cut(&retention, today);
        audit_before = fst_oslo_day_start(cut);
    }

    rc = fst_store_pupils_all(env->store, env->pool, &pupils, &n, &status);
    if (rc != FORESATT_OK)
        return ctl_backend_failed("purge", "listing the students", rc, &status);

    numbers = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(char *));
    records = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(*records));
    purge_ids = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(char *));
    for (i = 0; i < n; i++)
        numbers[i] = pupils[i]->number;
    /* Only enrolled students need a birth date; ask the register about those alone. */
    {
        size_t k = 0;
        const char **active = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(char *));
        const foresatt_person_t **found = apr_pcalloc(env->pool, (n ? n : 1) * sizeof(*found));
        for (i = 0; i < n; i++)
            if (pupils[i]->enrollment == FORESATT_ENROLLMENT_ACTIVE)
                active[k++] = numbers[i];
        if ((exit_code = ctl_register_persons(env, "purge", active, k, found)) != CTL_EXIT_OK) {
            fprintf(stderr, "foresattctl purge: nothing was deleted\n");
            return exit_code;
        }
        for (i = 0, k = 0; i < n; i++)
            if (pupils[i]->enrollment == FORESATT_ENROLLMENT_ACTIVE)
                records[i] = found[k++];
    }
    for (i = 0; i < n; i++) {
        const foresatt_pupil_t *p = pupils[i];
        if (p->enrollment != FORESATT_ENROLLMENT_ACTIVE) {
            purge_ids[n_purge++] = p->pupil_id;
            left++;
            continue;
        }
        switch (ctl_pupil_adult(p, records[i], now)) {
        case 1:
            if (!fst_consent_in_force(&p->consent, now)) {
                purge_ids[n_purge++] = p->pupil_id;
                adult++;
            }
            break;
        case -1:
            unknown_age++; /* kept: deleting on a guess cannot be undone */
            break;
        default:
            break;
        }
    }

    rc = fst_store_purge(env->store, purge_ids, n_purge, now, audit_before, dry_run, &stats, &status);
    if (rc != FORESATT_OK) {
        ctl_backend_failed("purge", "the purge", rc, &status);
        fprintf(stderr, "foresattctl purge: nothing was deleted\n");
        return CTL_EXIT_BACKEND;
    }
    printf("purge as of %04d-%02d-%02d%s\n", today.year, today.month, today.day,
           dry_run ? " (dry run: nothing deleted)" : "");
    printf("students checked: %zu (left or completed: %zu; 18 or older without consent: %zu)\n", n, left, adult);
    printf("%s: %zu students, %zu guardian rows\n", dry_run ? "guardian data to delete" : "guardian data deleted",
           stats.pupils, stats.guardians);
    printf("%s: %zu\n", dry_run ? "ended consents to delete" : "ended consents deleted", stats.consents);
    if (retention_text)
        printf("%s: %zu (older than %04d-%02d-%02d; ForesattAuditRetention %s)\n",
               dry_run ? "audit entries to delete" : "audit entries deleted", stats.audit, cut.year, cut.month,
               cut.day, retention_text);
    else
        printf("audit entries deleted: 0 (no ForesattAuditRetention: audit entries are kept)\n");
    printf("birth dates from: %s\n", env->registry ? "the register (the number where it has none)"
                                                    : "the identity numbers (no ForesattRegistry)");
    if (unknown_age)
        fprintf(stderr, "foresattctl purge: %zu enrolled students have no known birth date; their data was kept\n",
                unknown_age);
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_purge = {"purge", "delete data past its purpose (retention)", run, help};
