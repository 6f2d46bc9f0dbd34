/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "calls.h"

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
