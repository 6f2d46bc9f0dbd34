/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * A long-lived store client for tests that change the world between calls (restart PostgreSQL,
 * take a lock): loads the plugin as httpd does and answers one command per line on stdin.
 *
 *   FORESATT_STORE_PLUGIN=... FORESATT_STORE_PARAMS='key=value ...' store_probe
 *   > revision          < OK 12
 *   > audit ACTOR       < OK        (appends one entry)
 *   > pupil ID          < OK ID | NOT_FOUND
 *   > consent ID        < OK        (gives consent now)
 * Failures answer "TEMPORARY message" or "ERROR message". Each command runs once: no retries here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>

#include "config_words.h"
#include "plugin_loader.h"

static void sink(void *ctx, foresatt_log_level_t level, const char *msg)
{
    (void)ctx;
    (void)level;
    fprintf(stderr, "%s\n", msg);
}

static void answer(foresatt_result_t rc, const foresatt_status_t *st, const char *ok)
{
    static const char *const names[] = {"OK", "NOT_FOUND", "TEMPORARY", "ERROR"};
    if (rc == FORESATT_OK)
        printf("OK%s%s\n", ok ? " " : "", ok ? ok : "");
    else
        printf("%s %s\n", names[rc], st->message);
    fflush(stdout);
}

int main(void)
{
    fst_log_t log = {sink, NULL, FORESATT_LOG_INFO};
    const char *path = getenv("FORESATT_STORE_PLUGIN"), *params = getenv("FORESATT_STORE_PARAMS"), *err = NULL;
    const char **argv;
    apr_pool_t *pool, *scratch;
    fst_plugin_t *plugin;
    char line[512];
    int argc;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    apr_pool_create(&scratch, pool);
    if (!path || !params || !fst_config_split(pool, params, &argc, &argv, &err) ||
        fst_plugin_load(pool, "store", path, &log, &plugin, &err) != FST_LOAD_OK ||
        !fst_plugin_set_params(pool, plugin, argc, argv, &err) || fst_plugin_create(pool, plugin, &err) != FST_LOAD_OK ||
        fst_plugin_child_init(pool, plugin, &err) != FST_LOAD_OK) {
        fprintf(stderr, "store_probe: %s\n", err ? err : "set FORESATT_STORE_PLUGIN and FORESATT_STORE_PARAMS");
        return 2;
    }
    printf("READY\n");
    fflush(stdout);
    while (fgets(line, sizeof(line), stdin)) {
        const foresatt_store_ops_t *ops = plugin->desc->store;
        foresatt_status_t st;
        foresatt_result_t rc;
        char *arg, out[64];

        line[strcspn(line, "\r\n")] = '\0';
        arg = strchr(line, ' ');
        if (arg)
            *arg++ = '\0';
        memset(&st, 0, sizeof(st));
        apr_pool_clear(scratch);
        if (strcmp(line, "revision") == 0) {
            int64_t rev = 0;
            rc = ops->revision(plugin->instance, &rev, &st);
            snprintf(out, sizeof(out), "%lld", (long long)rev);
            answer(rc, &st, out);
        } else if (strcmp(line, "audit") == 0 && arg) {
            foresatt_audit_entry_t e = {sizeof(e), (int64_t)time(NULL), arg, FORESATT_ROLE_ADMIN, NULL, "probe",
                                        "ok", NULL, NULL};
            rc = ops->audit_append(plugin->instance, &e, 1, &st);
            answer(rc, &st, NULL);
        } else if (strcmp(line, "pupil") == 0 && arg) {
            foresatt_pupil_t *p = NULL;
            rc = ops->pupil_by_id(plugin->instance, arg, fst_arena(scratch), &p, &st);
            answer(rc, &st, rc == FORESATT_OK ? p->pupil_id : NULL);
        } else if (strcmp(line, "consent") == 0 && arg) {
            rc = ops->consent_give(plugin->instance, arg, (int64_t)time(NULL), 0, &st);
            answer(rc, &st, NULL);
        } else {
            printf("USAGE revision | audit ACTOR | pupil ID | consent ID\n");
            fflush(stdout);
        }
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
