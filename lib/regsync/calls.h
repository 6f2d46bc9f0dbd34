/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The plugin calls follow and sync make, with the plugin's lock and a fresh status, and the 1.2
 * operations only where the plugin's table has them (FST_OPS_HAS). FORESATT_ERROR with a message
 * naming the plugin when one is missing.
 */
#ifndef FST_REGSYNC_CALLS_H
#define FST_REGSYNC_CALLS_H

#include <apr_pools.h>

#include "plugin_loader.h"

/* Non-zero when the plugin has what follow needs (the feed; the store's 1.2 side). */
int fst_rs_registry_has_feed(const fst_plugin_t *registry);
int fst_rs_store_can_apply(const fst_plugin_t *store);

foresatt_result_t fst_rs_events_latest(fst_plugin_t *registry, int64_t *seq, foresatt_status_t *st);
foresatt_result_t fst_rs_events_read(fst_plugin_t *registry, int64_t from, size_t max, apr_pool_t *pool,
                                     foresatt_event_t **events, size_t *n, foresatt_status_t *st);
/* persons[i] NULL where not found; in batches of the plugin's max_batch (or one by one). *calls
 * counts the plugin calls made. */
foresatt_result_t fst_rs_lookup(fst_plugin_t *registry, const char *const *numbers, size_t n, apr_pool_t *pool,
                                const foresatt_person_t **persons, size_t *calls, foresatt_status_t *st);

foresatt_result_t fst_rs_numbers_held(fst_plugin_t *store, const char *const *numbers, size_t n, unsigned *held,
                                      foresatt_status_t *st);
foresatt_result_t fst_rs_apply(fst_plugin_t *store, const foresatt_register_change_t *changes, size_t n,
                               const char *feed, int64_t seq, foresatt_status_t *st);
foresatt_result_t fst_rs_feed_position(fst_plugin_t *store, const char *feed, int64_t *seq, foresatt_status_t *st);
foresatt_result_t fst_rs_pupils_all(fst_plugin_t *store, apr_pool_t *pool, foresatt_pupil_t ***pupils, size_t *n,
                                    foresatt_status_t *st);
foresatt_result_t fst_rs_pupil_by_number(fst_plugin_t *store, const char *number, apr_pool_t *pool,
                                         foresatt_pupil_t **pupil, foresatt_status_t *st);
foresatt_result_t fst_rs_pupil_guardians(fst_plugin_t *store, const char *pupil_id, apr_pool_t *pool,
                                         foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *st);
foresatt_result_t fst_rs_guardian_links(fst_plugin_t *store, const char *number, apr_pool_t *pool,
                                        foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *st);

#endif
