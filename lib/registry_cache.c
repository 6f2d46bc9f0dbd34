/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The register lookup cache (see registry_cache.h). Everything below is guarded by one mutex that
 * is held only to read or change the table, never across a plugin call. An answer (a person, or
 * "not found") lives in its own pool with a reference count, shared by the table entry and the
 * flight that produced it, so an entry can expire or be evicted while waiters still copy from it.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>

#include "person.h"
#include "registry_cache.h"

#define NUMBER_LEN 11

typedef struct answer {
    apr_pool_t *pool;          /* holds person */
    foresatt_person_t *person; /* NULL: not found */
    unsigned refs;
} answer_t;

/* One backend call in progress, and the threads waiting for it. */
typedef struct flight {
    int done;
    unsigned refs; /* the caller that makes the call, plus each waiter */
    foresatt_result_t rc;
    foresatt_status_t status;
    answer_t *answer; /* with FORESATT_OK / FORESATT_NOT_FOUND */
} flight_t;

typedef struct entry {
    char number[NUMBER_LEN + 1];
    answer_t *answer;  /* NULL while in flight */
    flight_t *flight;  /* non-NULL while in flight */
    apr_time_t expires;
} entry_t;

struct fst_regcache {
    apr_pool_t *pool; /* own allocator with a mutex: answer pools are made and freed from any thread */
    fst_plugin_t *registry;
    fst_regcache_config_t config;
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *done; /* broadcast when any flight lands */
    apr_hash_t *table;       /* number -> entry_t */
    fst_regcache_stats_t stats;
};

void fst_regcache_config_default(fst_regcache_config_t *config)
{
    memset(config, 0, sizeof(*config));
    config->ttl = FST_REGCACHE_TTL_DEFAULT;
    config->not_found_ttl = FST_REGCACHE_NOT_FOUND_TTL_DEFAULT;
    config->max_entries = FST_REGCACHE_MAX_ENTRIES_DEFAULT;
}

static apr_time_t now(fst_regcache_t *c)
{
    return c->config.clock ? c->config.clock(c->config.clock_ctx) : apr_time_now();
}

static int valid_number(const char *s)
{
    size_t i;

    if (s == NULL)
        return 0;
    for (i = 0; i < NUMBER_LEN; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[NUMBER_LEN] == '\0';
}

/* --- answers, flights and entries (all with the mutex held) -------------------------------- */

/* An answer holding a copy of person, or "not found" when person is NULL. Only a person gets a
 * pool: an APR pool takes an 8 KB node however little it holds, and a cache full of people the
 * register does not know would otherwise cost that much per entry. */
static answer_t *answer_new(fst_regcache_t *c, const foresatt_person_t *person)
{
    answer_t *a = calloc(1, sizeof(*a));

    if (a == NULL)
        abort(); /* as APR does on exhaustion */
    if (person != NULL) {
        apr_pool_create(&a->pool, c->pool);
        a->person = fst_person_copy(a->pool, person);
    }
    a->refs = 1;
    return a;
}

static void answer_release(answer_t *a)
{
    if (a && --a->refs == 0) {
        if (a->pool)
            apr_pool_destroy(a->pool);
        free(a);
    }
}

static void flight_release(flight_t *f)
{
    if (--f->refs == 0) {
        answer_release(f->answer);
        free(f);
    }
}

static void entry_remove(fst_regcache_t *c, entry_t *e)
{
    apr_hash_set(c->table, e->number, NUMBER_LEN, NULL);
    answer_release(e->answer);
    free(e);
}

/* Make room for one more entry: drop what has expired, then the soonest to expire. */
static void make_room(fst_regcache_t *c, apr_time_t t)
{
    apr_hash_index_t *hi;
    entry_t *victim = NULL;

    if ((size_t)apr_hash_count(c->table) < c->config.max_entries)
        return;
    for (hi = apr_hash_first(NULL, c->table); hi; hi = apr_hash_next(hi)) {
        entry_t *e = apr_hash_this_val(hi);
        if (e->flight == NULL && e->expires <= t) {
            entry_remove(c, e); /* deleting the current entry while iterating is allowed */
            c->stats.evictions++;
        }
    }
    if ((size_t)apr_hash_count(c->table) < c->config.max_entries)
        return;
    for (hi = apr_hash_first(NULL, c->table); hi; hi = apr_hash_next(hi)) {
        entry_t *e = apr_hash_this_val(hi);
        if (e->flight == NULL && (victim == NULL || e->expires < victim->expires))
            victim = e;
    }
    if (victim) {
        entry_remove(c, victim);
        c->stats.evictions++;
    }
}

/* Start a flight for number: the entry marks it as in progress for other threads. */
static flight_t *flight_start(fst_regcache_t *c, const char *number, apr_time_t t)
{
    entry_t *e = calloc(1, sizeof(*e));
    flight_t *f = calloc(1, sizeof(*f));

    if (e == NULL || f == NULL)
        abort();
    make_room(c, t);
    memcpy(e->number, number, NUMBER_LEN + 1);
    f->refs = 1;
    e->flight = f;
    apr_hash_set(c->table, e->number, NUMBER_LEN, e);
    return f;
}

/* The flight for number has landed: publish (or forget) the answer and wake the waiters. */
static void flight_land(fst_regcache_t *c, const char *number, flight_t *f, foresatt_result_t rc,
                        const foresatt_status_t *status, answer_t *answer)
{
    entry_t *e = apr_hash_get(c->table, number, NUMBER_LEN);
    apr_interval_time_t ttl = 0;

    f->done = 1;
    f->rc = rc;
    if (status)
        f->status = *status;
    f->answer = answer; /* the flight's reference */
    if (rc == FORESATT_OK)
        ttl = c->config.ttl;
    else if (rc == FORESATT_NOT_FOUND)
        ttl = c->config.not_found_ttl;
    if (e != NULL && e->flight == f) {
        if (ttl > 0) {
            e->flight = NULL;
            e->answer = answer;
            answer->refs++;
            e->expires = now(c) + ttl;
        } else {
            entry_remove(c, e);
        }
    }
    apr_thread_cond_broadcast(c->done);
}

/* Copy an answer out to the caller. */
static foresatt_result_t deliver(const answer_t *a, apr_pool_t *pool, const foresatt_person_t **person)
{
    *person = a->person ? fst_person_copy(pool, a->person) : NULL;
    return a->person ? FORESATT_OK : FORESATT_NOT_FOUND;
}

/* --- the backend -------------------------------------------------------------------------- */

static foresatt_result_t backend_one(fst_regcache_t *c, const char *number, answer_t **answer,
                                     foresatt_status_t *status)
{
    fst_plugin_t *reg = c->registry;
    foresatt_person_t *person = NULL;
    foresatt_result_t rc;
    apr_pool_t *tmp;

    /* The plugin allocates in a private pool; the answer is a copy made under the mutex. */
    apr_thread_mutex_lock(c->mutex);
    c->stats.backend_calls++;
    apr_pool_create(&tmp, c->pool);
    apr_thread_mutex_unlock(c->mutex);

    memset(status, 0, sizeof(*status));
    fst_plugin_lock(reg);
    rc = reg->desc->registry->lookup(reg->instance, number, fst_arena(tmp), &person, status);
    fst_plugin_unlock(reg);
    status->message[sizeof(status->message) - 1] = '\0';
    if (rc == FORESATT_OK && person == NULL) {
        rc = FORESATT_ERROR;
        strcpy(status->message, "the register plugin returned no person");
    }

    apr_thread_mutex_lock(c->mutex);
    *answer = NULL;
    if (rc == FORESATT_OK || rc == FORESATT_NOT_FOUND)
        *answer = answer_new(c, rc == FORESATT_OK ? person : NULL);
    apr_pool_destroy(tmp);
    apr_thread_mutex_unlock(c->mutex);
    return rc;
}

/* numbers[0..n) through lookup_batch (in chunks of max_batch), answers[i] set for each. */
static foresatt_result_t backend_batch(fst_regcache_t *c, const char **numbers, size_t n, answer_t **answers,
                                       foresatt_status_t *status)
{
    fst_plugin_t *reg = c->registry;
    size_t max = reg->desc->registry->max_batch, done, k;
    foresatt_person_t **persons;
    foresatt_result_t rc = FORESATT_OK;
    apr_pool_t *tmp;

    for (done = 0; done < n && rc == FORESATT_OK; done += max) {
        size_t chunk = n - done < max ? n - done : max;

        apr_thread_mutex_lock(c->mutex);
        c->stats.backend_calls++;
        apr_pool_create(&tmp, c->pool);
        apr_thread_mutex_unlock(c->mutex);

        persons = apr_pcalloc(tmp, sizeof(*persons) * chunk);
        memset(status, 0, sizeof(*status));
        fst_plugin_lock(reg);
        rc = reg->desc->registry->lookup_batch(reg->instance, numbers + done, chunk, fst_arena(tmp), persons,
                                               status);
        fst_plugin_unlock(reg);
        status->message[sizeof(status->message) - 1] = '\0';

        apr_thread_mutex_lock(c->mutex);
        if (rc == FORESATT_OK) {
            for (k = 0; k < chunk; k++)
                answers[done + k] = answer_new(c, persons[k]);
        }
        apr_pool_destroy(tmp);
        apr_thread_mutex_unlock(c->mutex);
    }
    return rc;
}

/* --- lookups ------------------------------------------------------------------------------ */

static apr_status_t cache_cleanup(void *data)
{
    fst_regcache_clear(data);
    return APR_SUCCESS;
}

apr_status_t fst_regcache_create(apr_pool_t *pool, fst_plugin_t *registry, const fst_regcache_config_t *config,
                                 fst_regcache_t **out)
{
    fst_regcache_t *c;
    apr_allocator_t *allocator;
    apr_thread_mutex_t *alloc_mutex;
    apr_status_t rv;

    *out = NULL;
    if (registry == NULL || registry->desc == NULL || registry->desc->registry == NULL)
        return APR_EINVAL;
    c = apr_pcalloc(pool, sizeof(*c));
    c->registry = registry;
    if (config)
        c->config = *config;
    else
        fst_regcache_config_default(&c->config);
    if (c->config.max_entries == 0)
        c->config.max_entries = 1;
    if ((rv = apr_allocator_create(&allocator)) != APR_SUCCESS)
        return rv;
    if ((rv = apr_pool_create_ex(&c->pool, pool, NULL, allocator)) != APR_SUCCESS) {
        apr_allocator_destroy(allocator);
        return rv;
    }
    apr_allocator_owner_set(allocator, c->pool);
    if ((rv = apr_thread_mutex_create(&alloc_mutex, APR_THREAD_MUTEX_DEFAULT, c->pool)) != APR_SUCCESS ||
        (rv = apr_thread_mutex_create(&c->mutex, APR_THREAD_MUTEX_DEFAULT, c->pool)) != APR_SUCCESS ||
        (rv = apr_thread_cond_create(&c->done, c->pool)) != APR_SUCCESS)
        return rv;
    apr_allocator_mutex_set(allocator, alloc_mutex);
    c->table = apr_hash_make(c->pool);
    /* Answers are malloc'd: free them before the pools go. */
    apr_pool_pre_cleanup_register(c->pool, c, cache_cleanup);
    *out = c;
    return APR_SUCCESS;
}

typedef enum slot_kind { SLOT_DONE, SLOT_MINE, SLOT_WAIT, SLOT_SAME } slot_kind_t;

typedef struct slot {
    slot_kind_t kind;
    flight_t *flight; /* MINE, WAIT */
    size_t same_as;   /* SAME: an earlier index with the same number */
    foresatt_result_t rc;
} slot_t;

foresatt_result_t fst_regcache_lookup_many(fst_regcache_t *c, const char *const *numbers, size_t n,
                                           apr_pool_t *pool, const foresatt_person_t **persons,
                                           foresatt_status_t *status)
{
    slot_t *slots;
    const char **mine_numbers;
    size_t *mine_index, n_mine = 0, i, j;
    foresatt_result_t rc = FORESATT_OK;
    foresatt_status_t st;
    apr_time_t t;

    memset(status, 0, sizeof(*status));
    for (i = 0; i < n; i++) {
        persons[i] = NULL;
        if (!valid_number(numbers[i])) {
            strcpy(status->message, "not an 11-digit identity number");
            return FORESATT_ERROR;
        }
    }
    if (n == 0)
        return FORESATT_OK;
    slots = apr_pcalloc(pool, sizeof(*slots) * n);
    mine_numbers = apr_pcalloc(pool, sizeof(*mine_numbers) * n);
    mine_index = apr_pcalloc(pool, sizeof(*mine_index) * n);

    /* 1. Under the mutex: answer what is cached, join flights in progress, start the rest. */
    apr_thread_mutex_lock(c->mutex);
    t = now(c);
    for (i = 0; i < n; i++) {
        entry_t *e;

        c->stats.lookups++;
        for (j = 0; j < i; j++)
            if (strcmp(numbers[j], numbers[i]) == 0)
                break;
        if (j < i) {
            slots[i].kind = SLOT_SAME;
            slots[i].same_as = j;
            continue;
        }
        e = apr_hash_get(c->table, numbers[i], NUMBER_LEN);
        if (e && e->flight == NULL && e->expires <= t) {
            entry_remove(c, e);
            e = NULL;
        }
        if (e && e->flight == NULL) {
            c->stats.hits++;
            slots[i].kind = SLOT_DONE;
            slots[i].rc = deliver(e->answer, pool, &persons[i]);
        } else if (e) {
            c->stats.waits++;
            slots[i].kind = SLOT_WAIT;
            slots[i].flight = e->flight;
            e->flight->refs++;
        } else {
            slots[i].kind = SLOT_MINE;
            slots[i].flight = flight_start(c, numbers[i], t);
            mine_numbers[n_mine] = numbers[i];
            mine_index[n_mine++] = i;
        }
    }
    apr_thread_mutex_unlock(c->mutex);

    /* 2. Without the mutex: one backend call for what nobody else is fetching. Our own flights
     * always land before we wait for others', so two overlapping batches cannot deadlock. */
    if (n_mine > 0) {
        answer_t **answers = apr_pcalloc(pool, sizeof(*answers) * n_mine);
        foresatt_result_t brc = FORESATT_OK;
        size_t k;

        if (n_mine > 1 && c->registry->desc->registry->lookup_batch && c->registry->desc->registry->max_batch > 0) {
            brc = backend_batch(c, mine_numbers, n_mine, answers, &st);
            apr_thread_mutex_lock(c->mutex);
            for (k = 0; k < n_mine; k++) {
                i = mine_index[k];
                if (brc == FORESATT_OK) {
                    slots[i].rc = answers[k]->person ? FORESATT_OK : FORESATT_NOT_FOUND;
                    flight_land(c, numbers[i], slots[i].flight, slots[i].rc, NULL, answers[k]);
                } else {
                    answer_release(answers[k]); /* a chunk before the failing one */
                    slots[i].rc = brc;
                    flight_land(c, numbers[i], slots[i].flight, brc, &st, NULL);
                }
            }
            apr_thread_mutex_unlock(c->mutex);
            if (brc != FORESATT_OK) {
                rc = brc;
                *status = st;
            }
        } else {
            for (k = 0; k < n_mine; k++) {
                answer_t *a = NULL;
                i = mine_index[k];
                /* once the backend failed, fail the rest without calling it again */
                if (rc == FORESATT_OK || rc == FORESATT_NOT_FOUND) {
                    slots[i].rc = backend_one(c, numbers[i], &a, &st);
                    if (slots[i].rc != FORESATT_OK && slots[i].rc != FORESATT_NOT_FOUND) {
                        rc = slots[i].rc;
                        *status = st;
                    }
                } else {
                    slots[i].rc = rc;
                    st = *status;
                }
                apr_thread_mutex_lock(c->mutex);
                flight_land(c, numbers[i], slots[i].flight, slots[i].rc, &st, a);
                apr_thread_mutex_unlock(c->mutex);
            }
        }
    }

    /* 3. Under the mutex: copy out our answers, and wait for the flights of others. */
    apr_thread_mutex_lock(c->mutex);
    for (i = 0; i < n; i++) {
        flight_t *f = slots[i].flight;

        if (slots[i].kind == SLOT_WAIT)
            while (!f->done)
                apr_thread_cond_wait(c->done, c->mutex);
        if (slots[i].kind == SLOT_MINE || slots[i].kind == SLOT_WAIT) {
            slots[i].rc = f->rc;
            if (f->answer)
                deliver(f->answer, pool, &persons[i]);
            else if (rc == FORESATT_OK || rc == FORESATT_NOT_FOUND) {
                rc = f->rc;
                *status = f->status;
            }
            flight_release(f);
        }
    }
    apr_thread_mutex_unlock(c->mutex);
    for (i = 0; i < n; i++)
        if (slots[i].kind == SLOT_SAME)
            persons[i] = persons[slots[i].same_as];
    return rc == FORESATT_NOT_FOUND ? FORESATT_OK : rc;
}

foresatt_result_t fst_regcache_lookup(fst_regcache_t *c, const char *number, apr_pool_t *pool,
                                      const foresatt_person_t **person, foresatt_status_t *status)
{
    foresatt_result_t rc = fst_regcache_lookup_many(c, &number, 1, pool, person, status);

    if (rc == FORESATT_OK && *person == NULL) {
        memset(status, 0, sizeof(*status));
        return FORESATT_NOT_FOUND;
    }
    return rc;
}

void fst_regcache_clear(fst_regcache_t *c)
{
    apr_hash_index_t *hi;

    apr_thread_mutex_lock(c->mutex);
    for (hi = apr_hash_first(NULL, c->table); hi; hi = apr_hash_next(hi)) {
        entry_t *e = apr_hash_this_val(hi);
        if (e->flight == NULL)
            entry_remove(c, e);
    }
    apr_thread_mutex_unlock(c->mutex);
}

void fst_regcache_forget(fst_regcache_t *c, const char *const *numbers, size_t n)
{
    size_t i;

    apr_thread_mutex_lock(c->mutex);
    for (i = 0; i < n; i++) {
        entry_t *e = valid_number(numbers[i]) ? apr_hash_get(c->table, numbers[i], NUMBER_LEN) : NULL;
        /* An entry in flight goes too: its answer may predate the change, so it lands uncached
         * (flight_land finds no entry of its own) while its waiters still get it. */
        if (e != NULL) {
            entry_remove(c, e);
            c->stats.forgotten++;
        }
    }
    apr_thread_mutex_unlock(c->mutex);
}

void fst_regcache_stats(fst_regcache_t *c, fst_regcache_stats_t *stats)
{
    apr_thread_mutex_lock(c->mutex);
    *stats = c->stats;
    stats->entries = (size_t)apr_hash_count(c->table);
    apr_thread_mutex_unlock(c->mutex);
}
