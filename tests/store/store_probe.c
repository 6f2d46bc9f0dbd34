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
 *   > bench-audit N BATCH THREADS   < OK <entries per second>  (bench/store.py)
 * Failures answer "TEMPORARY message" or "ERROR message". Each command runs once: no retries here.
 */
#include <pthread.h>
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

typedef struct bench {
    fst_plugin_t *plugin;
    long entries, batch;
    long failures;
} bench_t;

static void *bench_thread(void *arg)
{
    bench_t *b = arg;
    foresatt_audit_entry_t *e = calloc((size_t)b->batch, sizeof(*e));
    long done;

    for (long i = 0; i < b->batch; i++)
        e[i] = (foresatt_audit_entry_t){sizeof(*e), (int64_t)time(NULL), "p-0123456789abcdef01234567",
                                        FORESATT_ROLE_GUARDIAN, "S1001", "access", "allow", NULL, "/elev/S1001/"};
    for (done = 0; done < b->entries; done += b->batch) {
        foresatt_status_t st;
        memset(&st, 0, sizeof(st));
        fst_plugin_lock(b->plugin);
        if (b->plugin->desc->store->audit_append(b->plugin->instance, e, (size_t)b->batch, &st) != FORESATT_OK)
            b->failures++;
        fst_plugin_unlock(b->plugin);
    }
    free(e);
    return NULL;
}

/* Append n entries in batches from several threads at once; entries per second. */
static void bench_audit(fst_plugin_t *plugin, const char *arg)
{
    long n = 0, batch = 1, threads = 1, failures = 0, t;
    struct timespec t0, t1;
    pthread_t tid[64];
    bench_t b[64];

    if (sscanf(arg, "%ld %ld %ld", &n, &batch, &threads) != 3 || n < 1 || batch < 1 || threads < 1 || threads > 64) {
        printf("USAGE bench-audit N BATCH THREADS\n");
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (t = 0; t < threads; t++) {
        b[t] = (bench_t){plugin, n / threads, batch, 0};
        pthread_create(&tid[t], NULL, bench_thread, &b[t]);
    }
    for (t = 0; t < threads; t++) {
        pthread_join(tid[t], NULL);
        failures += b[t].failures;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (failures)
        printf("ERROR %ld batches failed\n", failures);
    else
        printf("OK %.0f\n", (double)n / ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9));
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
        } else if (strcmp(line, "bench-audit") == 0 && arg) {
            bench_audit(plugin, arg);
        } else {
            printf("USAGE revision | audit ACTOR | pupil ID | consent ID | bench-audit N BATCH THREADS\n");
            fflush(stdout);
        }
    }
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
