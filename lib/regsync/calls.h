/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The register calls follow and sync make, with the plugin's lock and a fresh status, and the 1.2
 * operations only where the plugin's table has them (FST_OPS_HAS). FORESATT_ERROR with a message
 * naming the plugin when one is missing. Their store calls go through lib/store.h.
 */
#ifndef FST_REGSYNC_CALLS_H
#define FST_REGSYNC_CALLS_H

#include <apr_pools.h>

#include "plugin_loader.h"
#include "store.h"

/* Non-zero when the register has the event feed follow needs (the store's side: fst_store_can_follow). */
int fst_rs_registry_has_feed(const fst_plugin_t *registry);

foresatt_result_t fst_rs_events_latest(fst_plugin_t *registry, int64_t *seq, foresatt_status_t *st);
foresatt_result_t fst_rs_events_read(fst_plugin_t *registry, int64_t from, size_t max, apr_pool_t *pool,
                                     foresatt_event_t **events, size_t *n, foresatt_status_t *st);
/* persons[i] NULL where not found; in batches of the plugin's max_batch (or one by one). *calls
 * counts the plugin calls made. */
foresatt_result_t fst_rs_lookup(fst_plugin_t *registry, const char *const *numbers, size_t n, apr_pool_t *pool,
                                const foresatt_person_t **persons, size_t *calls, foresatt_status_t *st);

#endif
