/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * import ROSTER.csv: the school's roster into the store, all or nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <apr_file_io.h>
#include <apr_strings.h>

#include "ctl.h"
#include "roster/roster.h"

#define MAX_ROSTER_BYTES (512L * 1024 * 1024)

static void help(void)
{
    printf("usage: foresattctl import [--dry-run] [--time WHEN] ROSTER.csv\n\n"
           "Reads the school's roster (UTF-8 CSV, RFC 4180, with the header student_id, student_fnr, school,\n"
           "status, consent_extended, guardian_fnr, guardian_name, guardian_phone, guardian_email, daily_care,\n"
           "parental_responsibility, addressee, fnr_use, and optionally guardian_address) and brings the store\n"
           "in line with it in one transaction: pupils and guardians in the file are added or updated, the\n"
           "other guardians of those pupils are removed, pupils not in the file are kept.\n\n"
           "Every row is checked first. Any bad row rejects the whole file: each problem is listed with its\n"
           "line, and nothing is imported. Importing the same file again changes nothing.\n\n"
           "The roster's time is the file's modification time (or --time). A guardian's own phone or e-mail\n"
           "edit that is newer than the roster's value stays in effect (newest wins); conflicts are listed.\n\n"
           "  --dry-run     check the file and report, import nothing\n"
           "  --time WHEN   when the school system exported the roster: YYYY-MM-DD (00:00 Oslo) or\n"
           "                YYYY-MM-DDTHH:MM:SSZ; use it when the file was copied without its time\n\n"
           "Exit status: 0 imported (or valid, with --dry-run); 1 the file was rejected; 2 usage;\n"
           "3 configuration; 4 the store failed (nothing imported).\n");
}

static int read_roster(apr_pool_t *pool, const char *path, char **data, apr_size_t *len, int64_t *mtime)
{
    apr_finfo_t fi;
    apr_file_t *f;
    apr_status_t rv;
    char err[256];

    if ((rv = apr_stat(&fi, path, APR_FINFO_SIZE | APR_FINFO_MTIME | APR_FINFO_TYPE, pool)) != APR_SUCCESS ||
        fi.filetype != APR_REG) {
        fprintf(stderr, "foresattctl import: cannot read %s: %s\n", path,
                rv ? apr_strerror(rv, err, sizeof(err)) : "not a regular file");
        return 0;
    }
    if (fi.size > MAX_ROSTER_BYTES) {
        fprintf(stderr, "foresattctl import: %s is larger than %ld MiB; split it or check it is a roster\n", path,
                MAX_ROSTER_BYTES >> 20);
        return 0;
    }
    *len = (apr_size_t)fi.size;
    *data = apr_palloc(pool, *len + 1);
    if ((rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, 0, pool)) != APR_SUCCESS ||
        (*len > 0 && (rv = apr_file_read_full(f, *data, *len, len)) != APR_SUCCESS)) {
        fprintf(stderr, "foresattctl import: cannot read %s: %s\n", path, apr_strerror(rv, err, sizeof(err)));
        return 0;
    }
    apr_file_close(f);
    (*data)[*len] = '\0';
    *mtime = apr_time_sec(fi.mtime);
    return 1;
}

static void list_conflicts(ctl_env_t *env)
{
    foresatt_guardian_t **g;
    foresatt_status_t status;
    size_t n, i;

    /* a store without the operation (an older plugin), or one that fails here: no list, as before */
    fst_store_contact_conflicts(env->store, env->pool, &g, &n, &status);
    for (i = 0; i < n; i++) {
        int edit_wins = g[i]->edited_at > g[i]->imported_at;
        printf("conflict: student %s, guardian %s: the guardian's own phone/e-mail (%s) %s the roster's (%s)\n",
               g[i]->pupil_id, g[i]->name, ctl_format_time(env->pool, g[i]->edited_at),
               edit_wins ? "is newer than and stays in effect over" : "is older than and gives way to",
               ctl_format_time(env->pool, g[i]->imported_at));
    }
}

/* YYYY-MM-DD (start of the Oslo day) or YYYY-MM-DDTHH:MM:SSZ. */
static int parse_when(const char *s, int64_t *t)
{
    fst_date_t d;
    int hh, mm, ss, used = 0;
    char day[11];

    if (ctl_parse_day(s, &d)) {
        *t = fst_oslo_day_start(d);
        return 1;
    }
    if (strlen(s) != 20 || sscanf(s, "%10[0-9-]T%2d:%2d:%2dZ%n", day, &hh, &mm, &ss, &used) != 4 || used != 20 ||
        !ctl_parse_day(day, &d) || hh > 23 || mm > 59 || ss > 59 || hh < 0 || mm < 0 || ss < 0)
        return 0;
    *t = fst_date_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss;
    return 1;
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    const char *path = NULL;
    foresatt_import_stats_t stats;
    foresatt_status_t status;
    foresatt_result_t rc;
    fst_roster_t *roster;
    apr_size_t len;
    int64_t mtime;
    char *data;
    int i, dry_run = 0, exit_code;
    int64_t when = 0;
    size_t p;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            dry_run = 1;
        } else if (strcmp(argv[i], "--time") == 0 && i + 1 < argc) {
            if (!parse_when(argv[++i], &when) || when <= 0) {
                fprintf(stderr, "foresattctl import: --time %s: give YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\n", argv[i]);
                return CTL_EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "foresattctl import: unknown option '%s' (see foresattctl import --help)\n", argv[i]);
            return CTL_EXIT_USAGE;
        } else if (path == NULL) {
            path = argv[i];
        } else {
            fprintf(stderr, "foresattctl import: give one roster file\n");
            return CTL_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "foresattctl import: give the roster file (see foresattctl import --help)\n");
        return CTL_EXIT_USAGE;
    }
    if (!dry_run && (exit_code = ctl_load_config(env, CTL_NEED_STORE)) != CTL_EXIT_OK)
        return exit_code;
    if (!read_roster(env->pool, path, &data, &len, &mtime))
        return CTL_EXIT_INVALID;
    roster = fst_roster_parse(env->pool, data, len);
    if (roster->n_problems > 0) {
        for (p = 0; p < roster->n_listed; p++) {
            const fst_roster_problem_t *pr = &roster->problems[p];
            if (pr->line > 0)
                fprintf(stderr, "%s:%d: %s%s%s\n", path, pr->line, pr->column ? pr->column : "",
                        pr->column ? " " : "", pr->reason);
            else
                fprintf(stderr, "%s: %s%s%s\n", path, pr->column ? pr->column : "", pr->column ? " " : "",
                        pr->reason);
        }
        if (roster->n_problems > roster->n_listed)
            fprintf(stderr, "%s: ... and %zu more problems\n", path, roster->n_problems - roster->n_listed);
        fprintf(stderr, "foresattctl import: %s rejected (%zu problem%s); nothing was imported\n", path,
                roster->n_problems, roster->n_problems == 1 ? "" : "s");
        return CTL_EXIT_INVALID;
    }
    if (dry_run) {
        printf("%s is valid: %zu rows, %zu students (dry run: nothing imported)\n", path, roster->n_rows,
               roster->n_pupils);
        return CTL_EXIT_OK;
    }
    rc = fst_store_import_roster(env->store, roster->rows, roster->n_rows, when ? when : mtime, &stats, &status);
    if (rc != FORESATT_OK) {
        ctl_backend_failed("import", "the import", rc, &status);
        fprintf(stderr, "foresattctl import: nothing was imported\n");
        return CTL_EXIT_BACKEND;
    }
    printf("imported %s: %zu rows, %zu students\n"
           "students: %zu added, %zu updated\n"
           "guardians: %zu added, %zu updated, %zu removed\n"
           "contact conflicts: %zu\n",
           path, roster->n_rows, roster->n_pupils, stats.pupils_added, stats.pupils_updated, stats.guardians_added,
           stats.guardians_updated, stats.guardians_removed, stats.contact_conflicts);
    if (stats.contact_conflicts)
        list_conflicts(env);
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_import = {"import", "import the school's roster (CSV), all or nothing", run, help};
