/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The register lookup cache: one per child process (per registry plugin), in front of the
 * ForesattRegistry plugin. Keyed by the number asked for; answers are copied into the caller's pool,
 * so they stay valid after the entry expires and no caller ever sees another caller's memory.
 *
 *   found        cached for config.ttl (ForesattRegistryCacheTTL, default 300 s)
 *   not found    cached for config.not_found_ttl (ForesattRegistryNotFoundTTL, default 30 s)
 *   temporary / error: never cached; the threads that waited for that call get the same answer
 *
 * Single flight: concurrent lookups of the same number (also through lookup_many) wait for one
 * backend call. The cache mutex is never held across a backend call.
 *
 * Usage from the module (the glue creates the cache in child_init; see mod_foresatt/core/core.h):
 *
 *     const foresatt_person_t *child;
 *     foresatt_status_t st;
 *     switch (fst_regcache_lookup(cache, number, r->pool, &child, &st)) {
 *     case FORESATT_OK:        ... child->responsibilities ...  (valid for r->pool's lifetime)
 *     case FORESATT_NOT_FOUND: ... a definite "no" ...
 *     case FORESATT_TEMPORARY: ... 503, Retry-After: st.retry_after when non-zero ...
 *     default:                 ... 500/503, log st.message (never contains a number) ...
 *     }
 *
 * For one guardian: look the guardian up, then every candidate child with one lookup_many (the
 * cache sends the numbers it does not have to the plugin's lookup_batch when it has one).
 */
#ifndef FST_REGISTRY_CACHE_H
#define FST_REGISTRY_CACHE_H

#include <stdint.h>

#include <apr_pools.h>
#include <apr_time.h>

#include "foresatt/plugin.h"
#include "plugin_loader.h"

#define FST_REGCACHE_TTL_DEFAULT apr_time_from_sec(300)
#define FST_REGCACHE_NOT_FOUND_TTL_DEFAULT apr_time_from_sec(30)
#define FST_REGCACHE_MAX_ENTRIES_DEFAULT 10000

typedef struct fst_regcache fst_regcache_t;

typedef struct fst_regcache_config {
    apr_interval_time_t ttl;           /* found answers; 0 disables caching (single flight remains) */
    apr_interval_time_t not_found_ttl; /* not-found answers; 0: not cached */
    size_t max_entries;                /* bound on cached numbers; the soonest to expire go first */
    apr_time_t (*clock)(void *ctx);    /* NULL: apr_time_now (tests inject their own) */
    void *clock_ctx;
} fst_regcache_config_t;

typedef struct fst_regcache_stats {
    uint64_t lookups;       /* numbers asked for */
    uint64_t hits;          /* answered from the cache */
    uint64_t waits;         /* answered by another thread's backend call */
    uint64_t backend_calls; /* plugin calls (one batch call counts once) */
    uint64_t evictions;     /* entries dropped for room */
    uint64_t forgotten;     /* entries dropped by fst_regcache_forget */
    size_t entries;         /* cached numbers now */
} fst_regcache_stats_t;

/* The defaults above. */
void fst_regcache_config_default(fst_regcache_config_t *config);

/* A cache in front of registry (created and started). Lives until pool is cleared. */
apr_status_t fst_regcache_create(apr_pool_t *pool, fst_plugin_t *registry, const fst_regcache_config_t *config,
                                 fst_regcache_t **cache);

/* One person. number must be 11 digits (FORESATT_ERROR otherwise, without a backend call).
 * On FORESATT_OK *person is a copy in pool; otherwise *person is NULL and status says why. */
foresatt_result_t fst_regcache_lookup(fst_regcache_t *cache, const char *number, apr_pool_t *pool,
                                      const foresatt_person_t **person, foresatt_status_t *status);

/* n persons at once. FORESATT_OK when every number was answered: persons[i] is a copy in pool, or
 * NULL when the register does not know numbers[i]. Otherwise the first failure, with status. */
foresatt_result_t fst_regcache_lookup_many(fst_regcache_t *cache, const char *const *numbers, size_t n,
                                           apr_pool_t *pool, const foresatt_person_t **persons,
                                           foresatt_status_t *status);

/* Drop every cached answer (calls in flight finish normally). */
void fst_regcache_clear(fst_regcache_t *cache);

/* Drop the answers for these numbers: the register changed them (the store's invalidations). A call
 * in flight for one of them still answers its callers, but its answer is not kept. Numbers that are
 * not cached, or not 11 digits, are ignored. */
void fst_regcache_forget(fst_regcache_t *cache, const char *const *numbers, size_t n);

void fst_regcache_stats(fst_regcache_t *cache, fst_regcache_stats_t *stats);

#endif
