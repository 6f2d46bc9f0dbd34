/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "calls.h"

#define STORE_HAS(p, m) FST_OPS_HAS((p)->desc->store, foresatt_store_ops_t, m)
#define REGISTRY_HAS(p, m) FST_OPS_HAS((p)->desc->registry, foresatt_registry_ops_t, m)

static foresatt_result_t missing(const fst_plugin_t *p, const char *what, foresatt_status_t *st)
{
    snprintf(st->message, sizeof(st->message), "plugin '%s' (%s, ABI %u.%u) has no %s", p->name, p->desc->name,
             (unsigned)p->desc->abi_major, (unsigned)p->desc->abi_minor, what);
    return FORESATT_ERROR;
}

int fst_rs_registry_has_feed(const fst_plugin_t *r)
{
    return r && REGISTRY_HAS(r, events_latest) && REGISTRY_HAS(r, events_read);
}

int fst_rs_store_can_apply(const fst_plugin_t *s)
{
    return s && STORE_HAS(s, numbers_held) && STORE_HAS(s, register_apply) && STORE_HAS(s, feed_position);
}

foresatt_result_t fst_rs_events_latest(fst_plugin_t *r, int64_t *seq, foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    *seq = 0;
    if (!REGISTRY_HAS(r, events_latest))
        return missing(r, "event feed (events_latest)", st);
    fst_plugin_lock(r);
    rc = r->desc->registry->events_latest(r->instance, seq, st);
    fst_plugin_unlock(r);
    return rc;
}

foresatt_result_t fst_rs_events_read(fst_plugin_t *r, int64_t from, size_t max, apr_pool_t *pool,
                                     foresatt_event_t **events, size_t *n, foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    *events = NULL;
    *n = 0;
    if (!REGISTRY_HAS(r, events_read))
        return missing(r, "event feed (events_read)", st);
    fst_plugin_lock(r);
    rc = r->desc->registry->events_read(r->instance, from, max, fst_arena(pool), events, n, st);
    fst_plugin_unlock(r);
    if (rc != FORESATT_OK)
        *n = 0;
    else if (*n > max || (*n > 0 && *events == NULL)) {
        snprintf(st->message, sizeof(st->message), "plugin '%s' returned %zu events for at most %zu", r->name, *n,
                 max);
        *n = 0;
        return FORESATT_ERROR;
    }
    return rc;
}

foresatt_result_t fst_rs_lookup(fst_plugin_t *r, const char *const *numbers, size_t n, apr_pool_t *pool,
                                const foresatt_person_t **persons, size_t *calls, foresatt_status_t *st)
{
    const foresatt_registry_ops_t *ops = r->desc->registry;
    size_t batch = ops->lookup_batch && ops->max_batch > 1 ? ops->max_batch : 1, i;
    foresatt_result_t rc = FORESATT_OK;

    memset(persons, 0, n * sizeof(*persons));
    for (i = 0; i < n && rc == FORESATT_OK; i += batch) {
        size_t k = n - i < batch ? n - i : batch;

        memset(st, 0, sizeof(*st));
        fst_plugin_lock(r);
        if (batch > 1) {
            rc = ops->lookup_batch(r->instance, numbers + i, k, fst_arena(pool), (foresatt_person_t **)(persons + i),
                                   st);
        } else {
            foresatt_person_t *p = NULL;
            rc = ops->lookup(r->instance, numbers[i], fst_arena(pool), &p, st);
            if (rc == FORESATT_NOT_FOUND)
                rc = FORESATT_OK, p = NULL;
            persons[i] = p;
        }
        fst_plugin_unlock(r);
        (*calls)++;
    }
    return rc;
}

foresatt_result_t fst_rs_numbers_held(fst_plugin_t *s, const char *const *numbers, size_t n, unsigned *held,
                                      foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    memset(held, 0, n * sizeof(*held));
    if (!STORE_HAS(s, numbers_held))
        return missing(s, "numbers_held (store ABI 1.2)", st);
    if (n == 0)
        return FORESATT_OK;
    fst_plugin_lock(s);
    rc = s->desc->store->numbers_held(s->instance, numbers, n, held, st);
    fst_plugin_unlock(s);
    return rc;
}

foresatt_result_t fst_rs_apply(fst_plugin_t *s, const foresatt_register_change_t *changes, size_t n,
                               const char *feed, int64_t seq, foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    if (!STORE_HAS(s, register_apply))
        return missing(s, "register_apply (store ABI 1.2)", st);
    fst_plugin_lock(s);
    rc = s->desc->store->register_apply(s->instance, changes, n, feed, seq, st);
    fst_plugin_unlock(s);
    return rc;
}

foresatt_result_t fst_rs_feed_position(fst_plugin_t *s, const char *feed, int64_t *seq, foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    *seq = 0;
    if (!STORE_HAS(s, feed_position))
        return missing(s, "feed_position (store ABI 1.2)", st);
    fst_plugin_lock(s);
    rc = s->desc->store->feed_position(s->instance, feed, seq, st);
    fst_plugin_unlock(s);
    return rc;
}

foresatt_result_t fst_rs_pupils_all(fst_plugin_t *s, apr_pool_t *pool, foresatt_pupil_t ***pupils, size_t *n,
                                    foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    *pupils = NULL;
    *n = 0;
    fst_plugin_lock(s);
    rc = s->desc->store->pupils_all(s->instance, fst_arena(pool), pupils, n, st);
    fst_plugin_unlock(s);
    return rc;
}

foresatt_result_t fst_rs_pupil_by_number(fst_plugin_t *s, const char *number, apr_pool_t *pool,
                                         foresatt_pupil_t **pupil, foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    *pupil = NULL;
    fst_plugin_lock(s);
    rc = s->desc->store->pupil_by_number(s->instance, number, fst_arena(pool), pupil, st);
    fst_plugin_unlock(s);
    return rc;
}

foresatt_result_t fst_rs_pupil_guardians(fst_plugin_t *s, const char *pupil_id, apr_pool_t *pool,
                                         foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    *guardians = NULL;
    *n = 0;
    fst_plugin_lock(s);
    rc = s->desc->store->pupil_guardians(s->instance, pupil_id, fst_arena(pool), guardians, n, st);
    fst_plugin_unlock(s);
    if (rc != FORESATT_OK)
        *n = 0;
    return rc;
}

foresatt_result_t fst_rs_guardian_links(fst_plugin_t *s, const char *number, apr_pool_t *pool,
                                        foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *st)
{
    foresatt_result_t rc;

    memset(st, 0, sizeof(*st));
    *guardians = NULL;
    *n = 0;
    fst_plugin_lock(s);
    rc = s->desc->store->guardian_links(s->instance, number, fst_arena(pool), guardians, n, st);
    fst_plugin_unlock(s);
    if (rc != FORESATT_OK)
        *n = 0;
    return rc;
}
