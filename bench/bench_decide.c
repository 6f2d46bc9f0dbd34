/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The cost of one access decision with a warm register cache: what a guardian's request costs once
 * per session interval. Loads the plugins as the module does, decides once to warm the cache, then
 * times N decisions. Reports numbers; asserts nothing.
 *
 *   bench/bench_decide REGISTRY.so 'k=v ...' STORE.so 'k=v ...' NUMBER [N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_time.h>

#include "config_words.h"
#include "policy/access.h"
#include "registry_cache.h"

static void sink(void *ctx, foresatt_log_level_t level, const char *msg)
{
    (void)ctx;
    (void)level;
    fprintf(stderr, "%s\n", msg);
}

static fst_plugin_t *load(apr_pool_t *pool, const fst_log_t *log, const char *name, const char *path,
                          const char *params)
{
    const char **argv, *err = NULL;
    fst_plugin_t *p;
    int argc;

    if (fst_plugin_load(pool, name, path, log, &p, &err) != FST_LOAD_OK ||
        !fst_config_split(pool, params, &argc, &argv, &err) || !fst_plugin_set_params(pool, p, argc, argv, &err) ||
        fst_plugin_create(pool, p, &err) != FST_LOAD_OK || fst_plugin_child_init(pool, p, &err) != FST_LOAD_OK) {
        fprintf(stderr, "bench_decide: %s\n", err);
        exit(2);
    }
    return p;
}

static foresatt_result_t lookup(void *ctx, const char *number, apr_pool_t *pool, const foresatt_person_t **person,
                                foresatt_status_t *status)
{
    return fst_regcache_lookup(ctx, number, pool, person, status);
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool, *iter;
    fst_log_t log = {sink, NULL, FORESATT_LOG_WARN};
    fst_regcache_config_t rc;
    fst_regcache_t *cache;
    fst_access_backend_t b;
    fst_access_error_t err;
    fst_access_t *a;
    apr_time_t t0, t1;
    long n, i;

    if (argc < 6) {
        fprintf(stderr, "usage: bench_decide REGISTRY.so PARAMS STORE.so PARAMS NUMBER [N]\n");
        return 2;
    }
    n = argc > 6 ? atol(argv[6]) : 20000;
    apr_app_initialize(&argc, &argv, NULL);
    apr_pool_create(&pool, NULL);
    memset(&b, 0, sizeof(b));
    fst_regcache_config_default(&rc);
    if (fst_regcache_create(pool, load(pool, &log, "reg", argv[1], argv[2]), &rc, &cache) != APR_SUCCESS)
        return 2;
    b.lookup = lookup;
    b.lookup_ctx = cache;
    b.store = load(pool, &log, "st", argv[3], argv[4]);
    b.require_school_registration = 1;
    apr_pool_create(&iter, pool);
    if (fst_access_decide(&b, argv[5], apr_time_sec(apr_time_now()), iter, &a, &err) != FST_ACCESS_OK) {
        fprintf(stderr, "bench_decide: %s\n", err.message);
        return 1;
    }
    t0 = apr_time_now();
    for (i = 0; i < n; i++) {
        apr_pool_clear(iter);
        fst_access_decide(&b, argv[5], apr_time_sec(apr_time_now()), iter, &a, &err);
    }
    t1 = apr_time_now();
    printf("decision with a warm register cache: %.1f us (%ld decisions, %d candidate pupils)\n",
           (double)(t1 - t0) / (double)n, n, a->pupils->nelts);
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
