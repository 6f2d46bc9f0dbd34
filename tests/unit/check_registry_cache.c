/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The register lookup cache in front of a scripted registry plugin: hits, lifetimes (with an
 * injected clock), not-found and temporary answers, single flight under many threads, batches,
 * eviction, and answers that outlive their cache entry.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "person.h"
#include "registry_cache.h"

#define A "14838000089"
#define B "02897800260"
#define C "14871050185"
#define D "20036914700"
#define UNKNOWN "03851598730"
#define BUSY "30108299939" /* the fake register answers 429 for this one */

static apr_pool_t *pool;

/* --- a scripted registry ---------------------------------------------------------------------- */

typedef struct fake {
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *cond;
    int gate_closed; /* calls block until the test opens the gate */
    int in_call;     /* calls currently blocked at the gate */
    unsigned calls, batch_calls, numbers_asked;
    size_t last_batch;
} fake_t;

static fake_t fake;
static apr_time_t clock_now;

static apr_time_t test_clock(void *ctx)
{
    (void)ctx;
    return clock_now;
}

static void gate(void)
{
    apr_thread_mutex_lock(fake.mutex);
    fake.in_call++;
    while (fake.gate_closed)
        apr_thread_cond_wait(fake.cond, fake.mutex);
    fake.in_call--;
    apr_thread_mutex_unlock(fake.mutex);
}

static foresatt_person_t *make(foresatt_arena_t *arena, const char *number)
{
    foresatt_person_t *p = apr_pcalloc((apr_pool_t *)arena, sizeof(*p));
    foresatt_responsibility_t *r = apr_pcalloc((apr_pool_t *)arena, sizeof(*r));

    p->struct_size = sizeof(*p);
    p->number = apr_pstrdup((apr_pool_t *)arena, number);
    p->given_name = apr_pstrcat((apr_pool_t *)arena, "NAME-", number, NULL);
    r->kind = "felles";
    r->responsible = apr_pstrdup((apr_pool_t *)arena, A);
    r->subject = p->number;
    r->current = 1;
    p->responsibilities = r;
    p->n_responsibilities = 1;
    return p;
}

static foresatt_result_t fake_lookup(void *instance, const char *number, foresatt_arena_t *arena,
                                     foresatt_person_t **person, foresatt_status_t *status)
{
    (void)instance;
    gate();
    apr_thread_mutex_lock(fake.mutex);
    fake.calls++;
    fake.numbers_asked++;
    apr_thread_mutex_unlock(fake.mutex);
    if (strcmp(number, UNKNOWN) == 0)
        return FORESATT_NOT_FOUND;
    if (strcmp(number, BUSY) == 0) {
        snprintf(status->message, sizeof(status->message), "rate limited");
        status->retry_after = 7;
        return FORESATT_TEMPORARY;
    }
    *person = make(arena, number);
    return FORESATT_OK;
}

static foresatt_result_t fake_batch(void *instance, const char *const *numbers, size_t n, foresatt_arena_t *arena,
                                    foresatt_person_t **persons, foresatt_status_t *status)
{
    size_t i;

    (void)instance;
    gate();
    apr_thread_mutex_lock(fake.mutex);
    fake.batch_calls++;
    fake.numbers_asked += (unsigned)n;
    fake.last_batch = n;
    apr_thread_mutex_unlock(fake.mutex);
    for (i = 0; i < n; i++) {
        if (strcmp(numbers[i], BUSY) == 0) {
            snprintf(status->message, sizeof(status->message), "rate limited");
            status->retry_after = 3;
            return FORESATT_TEMPORARY;
        }
        persons[i] = strcmp(numbers[i], UNKNOWN) == 0 ? NULL : make(arena, numbers[i]);
    }
    return FORESATT_OK;
}

static foresatt_registry_ops_t ops_single = {
    .struct_size = sizeof(foresatt_registry_ops_t), .lookup = fake_lookup, .lookup_batch = NULL, .max_batch = 0};
static foresatt_registry_ops_t ops_batch = {
    .struct_size = sizeof(foresatt_registry_ops_t), .lookup = fake_lookup, .lookup_batch = fake_batch, .max_batch = 2};
static foresatt_plugin_t desc_single, desc_batch;
static fst_plugin_t plugin_single, plugin_batch;

static void setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    memset(&fake, 0, sizeof(fake));
    apr_thread_mutex_create(&fake.mutex, APR_THREAD_MUTEX_DEFAULT, pool);
    apr_thread_cond_create(&fake.cond, pool);
    clock_now = apr_time_from_sec(1000000);
    memset(&desc_single, 0, sizeof(desc_single));
    desc_single.kind = FORESATT_PLUGIN_REGISTRY;
    desc_single.flags = FORESATT_PLUGIN_THREADSAFE;
    desc_single.registry = &ops_single;
    desc_batch = desc_single;
    desc_batch.registry = &ops_batch;
    memset(&plugin_single, 0, sizeof(plugin_single));
    plugin_single.name = "fake";
    plugin_single.desc = &desc_single;
    plugin_batch = plugin_single;
    plugin_batch.desc = &desc_batch;
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

static fst_regcache_t *cache_with(fst_plugin_t *plugin, apr_interval_time_t ttl, apr_interval_time_t nf_ttl,
                                  size_t max)
{
    fst_regcache_config_t cfg;
    fst_regcache_t *c;

    fst_regcache_config_default(&cfg);
    cfg.ttl = ttl;
    cfg.not_found_ttl = nf_ttl;
    if (max)
        cfg.max_entries = max;
    cfg.clock = test_clock;
    ck_assert_int_eq(fst_regcache_create(pool, plugin, &cfg, &c), APR_SUCCESS);
    return c;
}

static fst_regcache_t *default_cache(fst_plugin_t *plugin)
{
    return cache_with(plugin, apr_time_from_sec(300), apr_time_from_sec(30), 0);
}

static foresatt_result_t look(fst_regcache_t *c, const char *number, const foresatt_person_t **p,
                              foresatt_status_t *st)
{
    return fst_regcache_lookup(c, number, pool, p, st);
}

/* --- tests ------------------------------------------------------------------------------------ */

START_TEST(defaults)
{
    fst_regcache_config_t cfg;
    fst_regcache_t *c;

    fst_regcache_config_default(&cfg);
    ck_assert_int_eq(cfg.ttl, apr_time_from_sec(300));
    ck_assert_int_eq(cfg.not_found_ttl, apr_time_from_sec(30));
    ck_assert_uint_eq(cfg.max_entries, 10000);
    ck_assert_int_eq(fst_regcache_create(pool, &plugin_single, NULL, &c), APR_SUCCESS);
    ck_assert_ptr_nonnull(c);
}
END_TEST

START_TEST(hit_after_miss)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    const foresatt_person_t *p1, *p2;
    foresatt_status_t st;
    fst_regcache_stats_t stats;

    ck_assert_int_eq(look(c, A, &p1, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, A, &p2, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 1);
    ck_assert_str_eq(p1->number, A);
    ck_assert_str_eq(p2->given_name, "NAME-" A);
    ck_assert_ptr_ne(p1, p2); /* each caller gets its own copy */
    ck_assert_ptr_ne(p1->given_name, p2->given_name);
    fst_regcache_stats(c, &stats);
    ck_assert_uint_eq(stats.lookups, 2);
    ck_assert_uint_eq(stats.hits, 1);
    ck_assert_uint_eq(stats.backend_calls, 1);
    ck_assert_uint_eq(stats.entries, 1);
}
END_TEST

START_TEST(keyed_by_number)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    const foresatt_person_t *pa, *pb;
    foresatt_status_t st;

    ck_assert_int_eq(look(c, A, &pa, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, B, &pb, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, A, &pa, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, B, &pb, &st), FORESATT_OK);
    ck_assert_str_eq(pa->number, A);
    ck_assert_str_eq(pb->number, B);
    ck_assert_uint_eq(fake.calls, 2);
}
END_TEST

START_TEST(lifetime)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    const foresatt_person_t *p;
    foresatt_status_t st;

    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    clock_now += apr_time_from_sec(299);
    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 1);
    clock_now += apr_time_from_sec(2);
    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 2);
}
END_TEST

START_TEST(not_found_cached_briefly)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    const foresatt_person_t *p = (const foresatt_person_t *)1;
    foresatt_status_t st;

    ck_assert_int_eq(look(c, UNKNOWN, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(look(c, UNKNOWN, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_uint_eq(fake.calls, 1);
    clock_now += apr_time_from_sec(31);
    ck_assert_int_eq(look(c, UNKNOWN, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_uint_eq(fake.calls, 2);
}
END_TEST

START_TEST(temporary_not_cached)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    const foresatt_person_t *p;
    foresatt_status_t st;
    fst_regcache_stats_t stats;

    ck_assert_int_eq(look(c, BUSY, &p, &st), FORESATT_TEMPORARY);
    ck_assert_ptr_null(p);
    ck_assert_str_eq(st.message, "rate limited");
    ck_assert_uint_eq(st.retry_after, 7);
    ck_assert_int_eq(look(c, BUSY, &p, &st), FORESATT_TEMPORARY);
    ck_assert_uint_eq(fake.calls, 2);
    fst_regcache_stats(c, &stats);
    ck_assert_uint_eq(stats.entries, 0);
}
END_TEST

START_TEST(invalid_number_never_reaches_backend)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    const foresatt_person_t *p;
    foresatt_status_t st;
    const char *bad[] = {"", "1483800008", "148380000891", "1483800008x", "../../etc/x", NULL};
    int i;

    for (i = 0; bad[i]; i++)
        ck_assert_int_eq(look(c, bad[i], &p, &st), FORESATT_ERROR);
    ck_assert_int_eq(look(c, NULL, &p, &st), FORESATT_ERROR);
    ck_assert_uint_eq(fake.calls, 0);
}
END_TEST

START_TEST(answer_outlives_entry)
{
    fst_regcache_t *c = cache_with(&plugin_single, apr_time_from_sec(300), apr_time_from_sec(30), 1);
    const foresatt_person_t *p, *q;
    foresatt_status_t st;
    apr_pool_t *req;

    apr_pool_create(&req, pool);
    ck_assert_int_eq(fst_regcache_lookup(c, A, req, &p, &st), FORESATT_OK);
    fst_regcache_clear(c);                                  /* the entry is gone ... */
    ck_assert_int_eq(look(c, B, &q, &st), FORESATT_OK);     /* ... and its room reused */
    clock_now += apr_time_from_sec(1000);
    ck_assert_int_eq(look(c, C, &q, &st), FORESATT_OK);
    ck_assert_str_eq(p->number, A);                         /* the caller's copy is intact */
    ck_assert_str_eq(p->responsibilities[0].responsible, A);
    ck_assert_str_eq(p->responsibilities[0].subject, A);
    apr_pool_destroy(req);
}
END_TEST

START_TEST(eviction_bounds_entries)
{
    fst_regcache_t *c = cache_with(&plugin_single, apr_time_from_sec(300), apr_time_from_sec(30), 2);
    const foresatt_person_t *p;
    foresatt_status_t st;
    fst_regcache_stats_t stats;

    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    clock_now += 1;
    ck_assert_int_eq(look(c, B, &p, &st), FORESATT_OK);
    clock_now += 1;
    ck_assert_int_eq(look(c, C, &p, &st), FORESATT_OK); /* evicts A, the soonest to expire */
    fst_regcache_stats(c, &stats);
    ck_assert_uint_eq(stats.entries, 2);
    ck_assert_uint_eq(stats.evictions, 1);
    ck_assert_int_eq(look(c, B, &p, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 3);
    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 4);
}
END_TEST

START_TEST(ttl_zero_disables_caching)
{
    fst_regcache_t *c = cache_with(&plugin_single, 0, 0, 0);
    const foresatt_person_t *p;
    foresatt_status_t st;

    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, UNKNOWN, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_int_eq(look(c, UNKNOWN, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_uint_eq(fake.calls, 4);
}
END_TEST

START_TEST(batch_only_asks_for_what_is_missing)
{
    fst_regcache_t *c = default_cache(&plugin_batch);
    const char *numbers[] = {A, B, UNKNOWN, C, A, D};
    const foresatt_person_t *persons[6], *p;
    foresatt_status_t st;

    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK); /* single lookups use lookup() */
    ck_assert_uint_eq(fake.calls, 1);
    ck_assert_int_eq(fst_regcache_lookup_many(c, numbers, 6, pool, persons, &st), FORESATT_OK);
    /* B, UNKNOWN, C, D are missing: 4 numbers in chunks of max_batch = 2 */
    ck_assert_uint_eq(fake.batch_calls, 2);
    ck_assert_uint_eq(fake.numbers_asked, 1 + 4);
    ck_assert_str_eq(persons[0]->number, A);
    ck_assert_str_eq(persons[1]->number, B);
    ck_assert_ptr_null(persons[2]);
    ck_assert_str_eq(persons[3]->number, C);
    ck_assert_ptr_eq(persons[4], persons[0]); /* the same number twice: one answer */
    ck_assert_str_eq(persons[5]->number, D);
    /* everything is cached now, not-found included */
    ck_assert_int_eq(fst_regcache_lookup_many(c, numbers, 6, pool, persons, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.batch_calls, 2);
    ck_assert_uint_eq(fake.calls, 1);
    ck_assert_int_eq(fst_regcache_lookup_many(c, numbers, 0, pool, persons, &st), FORESATT_OK);
}
END_TEST

START_TEST(batch_failure_is_not_cached)
{
    fst_regcache_t *c = default_cache(&plugin_batch);
    const char *numbers[] = {A, BUSY};
    const foresatt_person_t *persons[2];
    foresatt_status_t st;
    fst_regcache_stats_t stats;

    ck_assert_int_eq(fst_regcache_lookup_many(c, numbers, 2, pool, persons, &st), FORESATT_TEMPORARY);
    ck_assert_uint_eq(st.retry_after, 3);
    fst_regcache_stats(c, &stats);
    ck_assert_uint_eq(stats.entries, 0);
    ck_assert_int_eq(fst_regcache_lookup_many(c, numbers, 2, pool, persons, &st), FORESATT_TEMPORARY);
    ck_assert_uint_eq(fake.batch_calls, 2);
}
END_TEST

START_TEST(many_without_batch_support)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    const char *numbers[] = {A, UNKNOWN, B};
    const char *failing[] = {C, BUSY, D};
    const foresatt_person_t *persons[3];
    foresatt_status_t st;

    ck_assert_int_eq(fst_regcache_lookup_many(c, numbers, 3, pool, persons, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 3);
    ck_assert_ptr_null(persons[1]);
    ck_assert_str_eq(persons[2]->number, B);
    /* once the register fails, the rest are not asked */
    ck_assert_int_eq(fst_regcache_lookup_many(c, failing, 3, pool, persons, &st), FORESATT_TEMPORARY);
    ck_assert_uint_eq(fake.calls, 5);
    ck_assert_uint_eq(st.retry_after, 7);
}
END_TEST

START_TEST(forget_drops_only_those_numbers)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    static const char *gone[] = {A, UNKNOWN, "not-a-number", C};
    const foresatt_person_t *p;
    foresatt_status_t st;
    fst_regcache_stats_t stats;

    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, B, &p, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, UNKNOWN, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_uint_eq(fake.calls, 3);
    fst_regcache_forget(c, gone, 4); /* C was never cached; the bad one is ignored */
    fst_regcache_stats(c, &stats);
    ck_assert_uint_eq(stats.forgotten, 2);
    ck_assert_uint_eq(stats.entries, 1);
    ck_assert_int_eq(look(c, B, &p, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 3); /* B still cached */
    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_int_eq(look(c, UNKNOWN, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_uint_eq(fake.calls, 5); /* A and UNKNOWN asked again */
}
END_TEST

/* --- single flight ---------------------------------------------------------------------------- */

typedef struct worker {
    fst_regcache_t *cache;
    const char *number;
    const char *const *numbers;
    size_t n;
    foresatt_result_t rc;
    char got[16];
    unsigned retry_after;
} worker_t;

static void *APR_THREAD_FUNC work(apr_thread_t *thread, void *data)
{
    worker_t *w = data;
    apr_pool_t *p;
    const foresatt_person_t *person = NULL, *persons[8];
    foresatt_status_t st;

    apr_pool_create_unmanaged_ex(&p, NULL, NULL);
    if (w->numbers) {
        w->rc = fst_regcache_lookup_many(w->cache, w->numbers, w->n, p, persons, &st);
        person = w->rc == FORESATT_OK ? persons[0] : NULL;
    } else {
        w->rc = fst_regcache_lookup(w->cache, w->number, p, &person, &st);
    }
    if (person)
        snprintf(w->got, sizeof(w->got), "%s", person->number);
    w->retry_after = st.retry_after;
    apr_pool_destroy(p);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

#define THREADS 8

/* Start THREADS workers with the gate closed, wait until all of them are inside the cache (one at
 * the backend, the others waiting for it), then open the gate. */
static void run_gated(fst_regcache_t *c, worker_t *w, size_t n_workers, unsigned expect_waits)
{
    apr_thread_t *t[THREADS];
    apr_status_t rv;
    fst_regcache_stats_t stats;
    size_t i;
    int spins = 0;

    fake.gate_closed = 1;
    for (i = 0; i < n_workers; i++) {
        w[i].cache = c;
        ck_assert_int_eq(apr_thread_create(&t[i], NULL, work, &w[i], pool), APR_SUCCESS);
    }
    for (;;) {
        fst_regcache_stats(c, &stats);
        if (stats.waits >= expect_waits)
            break;
        ck_assert_msg(++spins < 10000, "workers never arrived");
        apr_sleep(1000);
    }
    apr_thread_mutex_lock(fake.mutex);
    fake.gate_closed = 0;
    apr_thread_cond_broadcast(fake.cond);
    apr_thread_mutex_unlock(fake.mutex);
    for (i = 0; i < n_workers; i++)
        apr_thread_join(&rv, t[i]);
}

START_TEST(single_flight_same_number)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    worker_t w[THREADS];
    fst_regcache_stats_t stats;
    int i;

    memset(w, 0, sizeof(w));
    for (i = 0; i < THREADS; i++)
        w[i].number = A;
    run_gated(c, w, THREADS, THREADS - 1);
    ck_assert_uint_eq(fake.calls, 1);
    for (i = 0; i < THREADS; i++) {
        ck_assert_int_eq(w[i].rc, FORESATT_OK);
        ck_assert_str_eq(w[i].got, A);
    }
    fst_regcache_stats(c, &stats);
    ck_assert_uint_eq(stats.waits, THREADS - 1);
    ck_assert_uint_eq(stats.backend_calls, 1);
}
END_TEST

START_TEST(single_flight_shares_a_failure)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    worker_t w[THREADS];
    const foresatt_person_t *p;
    foresatt_status_t st;
    int i;

    memset(w, 0, sizeof(w));
    for (i = 0; i < THREADS; i++)
        w[i].number = BUSY;
    run_gated(c, w, THREADS, THREADS - 1);
    ck_assert_uint_eq(fake.calls, 1); /* an outage does not multiply into a storm */
    for (i = 0; i < THREADS; i++) {
        ck_assert_int_eq(w[i].rc, FORESATT_TEMPORARY);
        ck_assert_uint_eq(w[i].retry_after, 7);
    }
    ck_assert_int_eq(look(c, BUSY, &p, &st), FORESATT_TEMPORARY); /* and is not remembered */
    ck_assert_uint_eq(fake.calls, 2);
}
END_TEST

START_TEST(single_flight_across_batches)
{
    fst_regcache_t *c = default_cache(&plugin_batch);
    static const char *first[] = {A, B};
    static const char *second[] = {B, A};
    worker_t w[THREADS];
    int i;

    memset(w, 0, sizeof(w));
    /* overlapping batches in opposite orders: one backend call for the pair, no deadlock */
    for (i = 0; i < THREADS; i++) {
        w[i].numbers = i % 2 ? second : first;
        w[i].n = 2;
    }
    run_gated(c, w, THREADS, 2 * (THREADS - 1));
    ck_assert_uint_eq(fake.batch_calls, 1);
    ck_assert_uint_eq(fake.calls, 0);
    for (i = 0; i < THREADS; i++) {
        ck_assert_int_eq(w[i].rc, FORESATT_OK);
        ck_assert_str_eq(w[i].got, i % 2 ? B : A);
    }
}
END_TEST

/* The register changes while a lookup of A is in flight: forgetting A then must not let that
 * (possibly older) answer stay cached, though the caller waiting for it still gets it. */
START_TEST(forget_during_flight_keeps_nothing)
{
    fst_regcache_t *c = default_cache(&plugin_single);
    worker_t w;
    apr_thread_t *t;
    apr_status_t rv;
    const foresatt_person_t *p;
    foresatt_status_t st;
    static const char *gone[] = {A};
    int spins = 0;

    memset(&w, 0, sizeof(w));
    w.cache = c;
    w.number = A;
    fake.gate_closed = 1;
    ck_assert_int_eq(apr_thread_create(&t, NULL, work, &w, pool), APR_SUCCESS);
    for (;;) {
        apr_thread_mutex_lock(fake.mutex);
        spins++;
        if (fake.in_call == 1) {
            apr_thread_mutex_unlock(fake.mutex);
            break;
        }
        apr_thread_mutex_unlock(fake.mutex);
        ck_assert_msg(spins < 10000, "the lookup never reached the backend");
        apr_sleep(1000);
    }
    fst_regcache_forget(c, gone, 1);
    apr_thread_mutex_lock(fake.mutex);
    fake.gate_closed = 0;
    apr_thread_cond_broadcast(fake.cond);
    apr_thread_mutex_unlock(fake.mutex);
    apr_thread_join(&rv, t);
    ck_assert_int_eq(w.rc, FORESATT_OK);
    ck_assert_str_eq(w.got, A);
    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 2); /* asked again: the in-flight answer was not kept */
    ck_assert_int_eq(look(c, A, &p, &st), FORESATT_OK);
    ck_assert_uint_eq(fake.calls, 2); /* and the new one is */
}
END_TEST

START_TEST(single_flight_without_caching)
{
    fst_regcache_t *c = cache_with(&plugin_single, 0, 0, 0);
    worker_t w[THREADS];
    int i;

    memset(w, 0, sizeof(w));
    for (i = 0; i < THREADS; i++)
        w[i].number = B;
    run_gated(c, w, THREADS, THREADS - 1);
    ck_assert_uint_eq(fake.calls, 1);
    for (i = 0; i < THREADS; i++)
        ck_assert_str_eq(w[i].got, B);
}
END_TEST

typedef struct stress {
    fst_regcache_t *cache;
    unsigned seed;
    int wrong;
} stress_t;

static void *APR_THREAD_FUNC stress_work(apr_thread_t *thread, void *data)
{
    static const char *numbers[] = {A, B, C, D, UNKNOWN};
    stress_t *s = data;
    apr_pool_t *p;
    int i;

    apr_pool_create_unmanaged_ex(&p, NULL, NULL);
    for (i = 0; i < 2000; i++) {
        const char *n1 = numbers[rand_r(&s->seed) % 5], *n2 = numbers[rand_r(&s->seed) % 5];
        const char *pair[] = {n1, n2};
        const foresatt_person_t *persons[2];
        foresatt_status_t st;

        if (rand_r(&s->seed) % 50 == 0)
            fst_regcache_clear(s->cache);
        if (fst_regcache_lookup_many(s->cache, pair, 2, p, persons, &st) != FORESATT_OK)
            s->wrong++;
        else if ((persons[0] == NULL) != (strcmp(n1, UNKNOWN) == 0) ||
                 (persons[0] && strcmp(persons[0]->number, n1) != 0) ||
                 (persons[1] && strcmp(persons[1]->number, n2) != 0))
            s->wrong++;
        apr_pool_clear(p);
    }
    apr_pool_destroy(p);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

START_TEST(stress_many_threads)
{
    /* short lifetimes and a tiny table, so expiry, eviction and flights all interleave */
    fst_regcache_config_t cfg;
    fst_regcache_t *c;
    apr_thread_t *t[THREADS];
    stress_t s[THREADS];
    apr_status_t rv;
    int i;

    fst_regcache_config_default(&cfg);
    cfg.ttl = 200; /* microseconds, on the real clock */
    cfg.not_found_ttl = 100;
    cfg.max_entries = 3;
    ck_assert_int_eq(fst_regcache_create(pool, &plugin_batch, &cfg, &c), APR_SUCCESS);
    for (i = 0; i < THREADS; i++) {
        s[i].cache = c;
        s[i].seed = (unsigned)i + 1;
        s[i].wrong = 0;
        ck_assert_int_eq(apr_thread_create(&t[i], NULL, stress_work, &s[i], pool), APR_SUCCESS);
    }
    for (i = 0; i < THREADS; i++) {
        apr_thread_join(&rv, t[i]);
        ck_assert_int_eq(s[i].wrong, 0);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("registry_cache");
    TCase *tc = tcase_create("cache");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, defaults);
    tcase_add_test(tc, hit_after_miss);
    tcase_add_test(tc, keyed_by_number);
    tcase_add_test(tc, lifetime);
    tcase_add_test(tc, not_found_cached_briefly);
    tcase_add_test(tc, temporary_not_cached);
    tcase_add_test(tc, invalid_number_never_reaches_backend);
    tcase_add_test(tc, answer_outlives_entry);
    tcase_add_test(tc, eviction_bounds_entries);
    tcase_add_test(tc, ttl_zero_disables_caching);
    tcase_add_test(tc, batch_only_asks_for_what_is_missing);
    tcase_add_test(tc, batch_failure_is_not_cached);
    tcase_add_test(tc, many_without_batch_support);
    tcase_add_test(tc, forget_drops_only_those_numbers);
    tcase_add_test(tc, forget_during_flight_keeps_nothing);
    tcase_add_test(tc, single_flight_same_number);
    tcase_add_test(tc, single_flight_shares_a_failure);
    tcase_add_test(tc, single_flight_across_batches);
    tcase_add_test(tc, single_flight_without_caching);
    tcase_add_test(tc, stress_many_threads);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
