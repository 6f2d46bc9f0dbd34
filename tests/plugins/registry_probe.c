/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * registry_probe: one long-lived process that drives a registry plugin through the lookup cache
 * from many threads, as an httpd child does, and prints what happened as JSON. The integration
 * tests use it to count token requests, register calls and connections in the stand-ins.
 *
 *   registry_probe PLUGIN.so [--ttl S] [--threads N] [--rounds N] [--guardian NUMBER] [NUMBER...]
 *                  -- key=value...
 *
 * Each thread does --rounds rounds; a round looks every NUMBER up (thread i starting at the i-th), and with --guardian looks the
 * guardian up and then every child named in their responsibilities in one lookup_many (what the
 * authorization asks for one login).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "plugin_loader.h"
#include "registry_cache.h"

typedef struct probe {
    fst_regcache_t *cache;
    const char *guardian;
    const char **numbers;
    int n_numbers, rounds, next_index;
    apr_thread_mutex_t *mutex;
    unsigned counts[4];
    char last_message[FORESATT_STATUS_MESSAGE_MAX];
    unsigned last_retry_after;
} probe_t;

static void count(probe_t *p, foresatt_result_t rc, const foresatt_status_t *st)
{
    apr_thread_mutex_lock(p->mutex);
    p->counts[rc]++;
    if (rc == FORESATT_TEMPORARY || rc == FORESATT_ERROR) {
        snprintf(p->last_message, sizeof(p->last_message), "%s", st->message);
        p->last_retry_after = st->retry_after;
    }
    apr_thread_mutex_unlock(p->mutex);
}

static void *APR_THREAD_FUNC run(apr_thread_t *thread, void *data)
{
    probe_t *p = data;
    apr_pool_t *pool;
    int r, i, me;

    apr_thread_mutex_lock(p->mutex);
    me = p->next_index++; /* thread i starts at numbers[i]: different threads, different numbers */
    apr_thread_mutex_unlock(p->mutex);
    apr_pool_create_unmanaged_ex(&pool, NULL, NULL);
    for (r = 0; r < p->rounds; r++) {
        foresatt_status_t st;
        const foresatt_person_t *person;
        foresatt_result_t rc;

        for (i = 0; i < p->n_numbers; i++) {
            rc = fst_regcache_lookup(p->cache, p->numbers[(i + me) % p->n_numbers], pool, &person, &st);
            count(p, rc, &st);
        }
        if (p->guardian) {
            rc = fst_regcache_lookup(p->cache, p->guardian, pool, &person, &st);
            count(p, rc, &st);
            if (rc == FORESATT_OK && person->n_responsibilities > 0) {
                const char **children = apr_pcalloc(pool, sizeof(*children) * person->n_responsibilities);
                const foresatt_person_t **found = apr_pcalloc(pool, sizeof(*found) * person->n_responsibilities);
                size_t k;
                for (k = 0; k < person->n_responsibilities; k++)
                    children[k] = person->responsibilities[k].subject;
                rc = fst_regcache_lookup_many(p->cache, children, person->n_responsibilities, pool, found, &st);
                count(p, rc, &st);
            }
        }
        apr_pool_clear(pool);
    }
    apr_pool_destroy(pool);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

static void sink(void *ctx, foresatt_log_level_t level, const char *msg)
{
    (void)ctx;
    (void)level;
    fprintf(stderr, "registry_probe: %s\n", msg);
}

int main(int argc, const char *const *argv)
{
    static const fst_log_t log = {sink, NULL, FORESATT_LOG_WARN};
    apr_pool_t *pool;
    fst_plugin_t *plugin;
    fst_regcache_config_t cfg;
    fst_regcache_stats_t stats;
    apr_thread_t *threads[64];
    probe_t p;
    const char *err = NULL;
    int i, n_threads = 1, sep = argc;
    apr_status_t rv;

    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&pool, NULL);
    memset(&p, 0, sizeof(p));
    p.rounds = 1;
    fst_regcache_config_default(&cfg);
    p.numbers = apr_pcalloc(pool, sizeof(*p.numbers) * (size_t)argc);
    if (argc < 2) {
        fprintf(stderr, "usage: registry_probe PLUGIN.so [--ttl S] [--threads N] [--rounds N] "
                        "[--guardian NUMBER] [NUMBER...] -- key=value...\n");
        return 2;
    }
    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            sep = i;
            break;
        } else if (strcmp(argv[i], "--ttl") == 0 && i + 1 < argc) {
            cfg.ttl = apr_time_from_sec(atoi(argv[++i]));
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            n_threads = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
            p.rounds = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--guardian") == 0 && i + 1 < argc) {
            p.guardian = argv[++i];
        } else {
            p.numbers[p.n_numbers++] = argv[i];
        }
    }
    if (n_threads < 1 || n_threads > 64) {
        fprintf(stderr, "registry_probe: 1 to 64 threads\n");
        return 2;
    }
    if (fst_plugin_load(pool, "probe", argv[1], &log, &plugin, &err) != FST_LOAD_OK ||
        !fst_plugin_set_params(pool, plugin, sep < argc ? argc - sep - 1 : 0, argv + sep + 1, &err) ||
        fst_plugin_create(pool, plugin, &err) != FST_LOAD_OK ||
        fst_plugin_child_init(pool, plugin, &err) != FST_LOAD_OK) {
        fprintf(stderr, "registry_probe: %s\n", err);
        return 3;
    }
    if (fst_regcache_create(pool, plugin, &cfg, &p.cache) != APR_SUCCESS)
        return 3;
    apr_thread_mutex_create(&p.mutex, APR_THREAD_MUTEX_DEFAULT, pool);
    for (i = 0; i < n_threads; i++)
        apr_thread_create(&threads[i], NULL, run, &p, pool);
    for (i = 0; i < n_threads; i++)
        apr_thread_join(&rv, threads[i]);
    fst_regcache_stats(p.cache, &stats);
    printf("{\"ok\": %u, \"not_found\": %u, \"temporary\": %u, \"error\": %u, \"lookups\": %llu, \"hits\": %llu, "
           "\"waits\": %llu, \"backend_calls\": %llu, \"last_retry_after\": %u, \"last_message\": \"",
           p.counts[FORESATT_OK], p.counts[FORESATT_NOT_FOUND], p.counts[FORESATT_TEMPORARY],
           p.counts[FORESATT_ERROR], (unsigned long long)stats.lookups, (unsigned long long)stats.hits,
           (unsigned long long)stats.waits, (unsigned long long)stats.backend_calls, p.last_retry_after);
    for (i = 0; p.last_message[i]; i++)
        if (p.last_message[i] != '"' && p.last_message[i] != '\\')
            putchar(p.last_message[i]);
    printf("\"}\n");
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
