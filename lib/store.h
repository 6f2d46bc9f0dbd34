/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The store plugin as the module and foresattctl call it: one function per operation of
 * foresatt_store_ops_t (plugin.h says what each does). Every call
 *   - zeroes the status first, so a message in it is always this call's;
 *   - holds the plugin's lock when the plugin is not thread-safe;
 *   - answers FORESATT_ERROR, with a message naming the plugin, its ABI and the operation, when the
 *     plugin lacks the operation (NULL in its table, or beyond its table's struct_size: a plugin built for
 *     an older interface) instead of calling it.
 * Results are allocated in pool; on anything but FORESATT_OK the result pointers are NULL and the
 * counts 0.
 */
#ifndef FST_STORE_H
#define FST_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

#include "plugin_loader.h"

/* Non-zero when the store plugin has the operation named (a field of foresatt_store_ops_t). */
#define FST_STORE_HAS(plugin, op) FST_OPS_HAS((plugin)->desc->store, foresatt_store_ops_t, op)

foresatt_result_t fst_store_pupil_by_id(fst_plugin_t *store, const char *pupil_id, apr_pool_t *pool,
                                        foresatt_pupil_t **pupil, foresatt_status_t *status);
foresatt_result_t fst_store_pupil_by_number(fst_plugin_t *store, const char *number, apr_pool_t *pool,
                                            foresatt_pupil_t **pupil, foresatt_status_t *status);
foresatt_result_t fst_store_pupils_all(fst_plugin_t *store, apr_pool_t *pool, foresatt_pupil_t ***pupils,
                                       size_t *n, foresatt_status_t *status);

foresatt_result_t fst_store_guardian_links(fst_plugin_t *store, const char *number, apr_pool_t *pool,
                                           foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status);
foresatt_result_t fst_store_pupil_guardians(fst_plugin_t *store, const char *pupil_id, apr_pool_t *pool,
                                            foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status);
foresatt_result_t fst_store_paper_list(fst_plugin_t *store, apr_pool_t *pool, foresatt_guardian_t ***guardians,
                                       size_t *n, foresatt_status_t *status);
foresatt_result_t fst_store_contact_conflicts(fst_plugin_t *store, apr_pool_t *pool,
                                              foresatt_guardian_t ***guardians, size_t *n,
                                              foresatt_status_t *status);
foresatt_result_t fst_store_contact_update(fst_plugin_t *store, const char *number, const char *phone,
                                           const char *const *emails, size_t n_emails, int64_t at,
                                           foresatt_status_t *status);

foresatt_result_t fst_store_consent_give(fst_plugin_t *store, const char *pupil_id, int64_t at, int64_t until,
                                         foresatt_status_t *status);
foresatt_result_t fst_store_consent_revoke(fst_plugin_t *store, const char *pupil_id, int64_t at,
                                           foresatt_status_t *status);

foresatt_result_t fst_store_audit_append(fst_plugin_t *store, const foresatt_audit_entry_t *entries, size_t n,
                                         foresatt_status_t *status);
/* Non-zero when the store keeps each entry's count and last time (foresatt_audit_entry_t since ABI
 * 1.3): coalesced entries go to it as they are; to an older one every request is an entry. */
int fst_store_audit_counts(const fst_plugin_t *store);
foresatt_result_t fst_store_audit_query(fst_plugin_t *store, const foresatt_audit_filter_t *filter,
                                        apr_pool_t *pool, foresatt_audit_entry_t **entries, size_t *n,
                                        foresatt_status_t *status);

/* *stats is zeroed first, and filled only on FORESATT_OK. */
foresatt_result_t fst_store_import_roster(fst_plugin_t *store, const foresatt_roster_row_t *rows, size_t n,
                                          int64_t at, foresatt_import_stats_t *stats, foresatt_status_t *status);
foresatt_result_t fst_store_purge(fst_plugin_t *store, const char *const *pupil_ids, size_t n, int64_t now,
                                  int64_t audit_before, int dry_run, foresatt_purge_stats_t *stats,
                                  foresatt_status_t *status);

/* *revision 0 first. A plugin without the operation keeps no revision: FORESATT_NOT_FOUND (the host
 * then re-checks by time alone), not an error. */
foresatt_result_t fst_store_revision(fst_plugin_t *store, int64_t *revision, foresatt_status_t *status);

/* ABI 1.2, the store's side of the register's event feed. held[] is zeroed first; n = 0 asks nothing. */
foresatt_result_t fst_store_numbers_held(fst_plugin_t *store, const char *const *numbers, size_t n, unsigned *held,
                                         foresatt_status_t *status);
foresatt_result_t fst_store_register_apply(fst_plugin_t *store, const foresatt_register_change_t *changes, size_t n,
                                           const char *feed, int64_t feed_sequence, foresatt_status_t *status);
/* *sequence 0 first. */
foresatt_result_t fst_store_feed_position(fst_plugin_t *store, const char *feed, int64_t *sequence,
                                          foresatt_status_t *status);
/* Non-zero when the store can follow the register (numbers_held, register_apply, feed_position). */
int fst_store_can_follow(const fst_plugin_t *store);

/* The numbers the store invalidated after revision. Like revision, optional: a store without it
 * answers FORESATT_NOT_FOUND, as when it cannot tell that far back (the host forgets everything). */
int fst_store_has_invalidations(const fst_plugin_t *store);
foresatt_result_t fst_store_invalidations_since(fst_plugin_t *store, int64_t revision, apr_pool_t *pool,
                                                const char ***numbers, size_t *n, foresatt_status_t *status);

#endif
