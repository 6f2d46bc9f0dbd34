/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "store.h"

/* Non-zero, with the plugin locked, when it has the operation; else 0 with the reason in status. */
static int enter(fst_plugin_t *store, int has, const char *op, foresatt_status_t *status)
{
    memset(status, 0, sizeof(*status));
    if (!has) {
        snprintf(status->message, sizeof(status->message), "%s (%s, ABI %u.%u): the store plugin has no %s operation",
                 store->name, store->desc->name, (unsigned)store->desc->abi_major, (unsigned)store->desc->abi_minor,
                 op);
        return 0;
    }
    fst_plugin_lock(store);
    return 1;
}

static foresatt_result_t leave(fst_plugin_t *store, foresatt_result_t rc)
{
    fst_plugin_unlock(store);
    return rc;
}

/* The operation called through the door: its result, or FORESATT_ERROR when the plugin lacks it. */
#define CALL(plugin, op, status, ...)                                                                          \
    (enter(plugin, FST_STORE_HAS(plugin, op), #op, status)                                                     \
         ? leave(plugin, (plugin)->desc->store->op((plugin)->instance, __VA_ARGS__))                           \
         : FORESATT_ERROR)

/* A pupil or guardian as this host reads it: at least ABI 1.0's fields (a shorter struct_size is a
 * broken plugin), copied into the whole current struct when the plugin's is older, with its pupil_id.
 * NULL when it is not usable. */
#define PUPIL_SIZE_1_0 (offsetof(foresatt_pupil_t, updated_at) + sizeof(int64_t))
#define GUARDIAN_SIZE_1_0 (offsetof(foresatt_guardian_t, fnr_use) + sizeof(foresatt_fnr_use_t))

static void *whole(apr_pool_t *pool, void *item, size_t size_1_0, size_t full)
{
    uint32_t size;
    void *copy;

    if (item == NULL)
        return NULL;
    memcpy(&size, item, sizeof(size));
    if (size < size_1_0)
        return NULL;
    if (size >= full)
        return item;
    copy = apr_pcalloc(pool, full);
    memcpy(copy, item, size);
    size = (uint32_t)full;
    memcpy(copy, &size, sizeof(size));
    return copy;
}

/* An answer this host cannot use: FORESATT_ERROR, saying which operation gave it. */
static foresatt_result_t unusable(fst_plugin_t *store, const char *op, const char *what, foresatt_status_t *status)
{
    memset(status, 0, sizeof(*status));
    snprintf(status->message, sizeof(status->message), "%s (%s, ABI %u.%u): %s returned %s", store->name,
             store->desc->name, (unsigned)store->desc->abi_major, (unsigned)store->desc->abi_minor, op, what);
    return FORESATT_ERROR;
}

/* Results are kept only with FORESATT_OK, and only when each one is usable. */
static foresatt_result_t pupil_kept(fst_plugin_t *store, apr_pool_t *pool, const char *op, foresatt_result_t rc,
                                    foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    foresatt_pupil_t *p;

    if (rc != FORESATT_OK || *pupil == NULL) {
        *pupil = NULL;
        return rc;
    }
    p = whole(pool, *pupil, PUPIL_SIZE_1_0, sizeof(foresatt_pupil_t));
    *pupil = NULL;
    if (p == NULL || p->pupil_id == NULL)
        return unusable(store, op, "a pupil without its fields (struct_size or pupil_id)", status);
    *pupil = p;
    return rc;
}

static void no_guardians(foresatt_guardian_t ***guardians, size_t *n)
{
    *guardians = NULL;
    *n = 0;
}

static foresatt_result_t guardians_kept(fst_plugin_t *store, apr_pool_t *pool, const char *op, foresatt_result_t rc,
                                        foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    size_t i;

    if (rc != FORESATT_OK) {
        no_guardians(guardians, n);
        return rc;
    }
    if (*n > 0 && *guardians == NULL) {
        no_guardians(guardians, n);
        return unusable(store, op, "a count without guardians", status);
    }
    for (i = 0; i < *n; i++) {
        foresatt_guardian_t *g = whole(pool, (*guardians)[i], GUARDIAN_SIZE_1_0, sizeof(foresatt_guardian_t));

        if (g == NULL || g->pupil_id == NULL) {
            no_guardians(guardians, n);
            return unusable(store, op, "a guardian without its fields (struct_size or pupil_id)", status);
        }
        (*guardians)[i] = g;
    }
    if (*n == 0)
        *guardians = NULL;
    return rc;
}

foresatt_result_t fst_store_pupil_by_id(fst_plugin_t *store, const char *pupil_id, apr_pool_t *pool,
                                        foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    *pupil = NULL;
    return pupil_kept(store, pool, "pupil_by_id",
                      CALL(store, pupil_by_id, status, pupil_id, fst_arena(pool), pupil, status), pupil, status);
}

foresatt_result_t fst_store_pupil_by_number(fst_plugin_t *store, const char *number, apr_pool_t *pool,
                                            foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    *pupil = NULL;
    return pupil_kept(store, pool, "pupil_by_number",
                      CALL(store, pupil_by_number, status, number, fst_arena(pool), pupil, status), pupil, status);
}

foresatt_result_t fst_store_pupils_all(fst_plugin_t *store, apr_pool_t *pool, foresatt_pupil_t ***pupils,
                                       size_t *n, foresatt_status_t *status)
{
    foresatt_result_t rc;
    size_t i;

    *pupils = NULL;
    *n = 0;
    rc = CALL(store, pupils_all, status, fst_arena(pool), pupils, n, status);
    if (rc == FORESATT_OK && *n > 0 && *pupils == NULL)
        rc = unusable(store, "pupils_all", "a count without pupils", status);
    for (i = 0; rc == FORESATT_OK && i < *n; i++) {
        foresatt_pupil_t *p = whole(pool, (*pupils)[i], PUPIL_SIZE_1_0, sizeof(foresatt_pupil_t));

        if (p == NULL || p->pupil_id == NULL)
            rc = unusable(store, "pupils_all", "a pupil without its fields (struct_size or pupil_id)", status);
        else
            (*pupils)[i] = p;
    }
    if (rc != FORESATT_OK || *n == 0) {
        *pupils = NULL;
        *n = 0;
    }
    return rc;
}

foresatt_result_t fst_store_guardian_links(fst_plugin_t *store, const char *number, apr_pool_t *pool,
                                           foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    no_guardians(guardians, n);
    return guardians_kept(store, pool, "guardian_links",
                          CALL(store, guardian_links, status, number, fst_arena(pool), guardians, n, status),
                          guardians, n, status);
}

foresatt_result_t fst_store_pupil_guardians(fst_plugin_t *store, const char *pupil_id, apr_pool_t *pool,
                                            foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    no_guardians(guardians, n);
    return guardians_kept(store, pool, "pupil_guardians",
                          CALL(store, pupil_guardians, status, pupil_id, fst_arena(pool), guardians, n, status),
                          guardians, n, status);
}

foresatt_result_t fst_store_paper_list(fst_plugin_t *store, apr_pool_t *pool, foresatt_guardian_t ***guardians,
                                       size_t *n, foresatt_status_t *status)
{
    no_guardians(guardians, n);
    return guardians_kept(store, pool, "paper_list",
                          CALL(store, paper_list, status, fst_arena(pool), guardians, n, status), guardians, n,
                          status);
}

foresatt_result_t fst_store_contact_conflicts(fst_plugin_t *store, apr_pool_t *pool,
                                              foresatt_guardian_t ***guardians, size_t *n,
                                              foresatt_status_t *status)
{
    no_guardians(guardians, n);
    return guardians_kept(store, pool, "contact_conflicts",
                          CALL(store, contact_conflicts, status, fst_arena(pool), guardians, n, status), guardians,
                          n, status);
}

foresatt_result_t fst_store_contact_update(fst_plugin_t *store, const char *number, const char *phone,
                                           const char *const *emails, size_t n_emails, int64_t at,
                                           foresatt_status_t *status)
{
    return CALL(store, guardian_contact_update, status, number, phone, emails, n_emails, at, status);
}

foresatt_result_t fst_store_consent_give(fst_plugin_t *store, const char *pupil_id, int64_t at, int64_t until,
                                         foresatt_status_t *status)
{
    return CALL(store, consent_give, status, pupil_id, at, until, status);
}

foresatt_result_t fst_store_consent_revoke(fst_plugin_t *store, const char *pupil_id, int64_t at,
                                           foresatt_status_t *status)
{
    return CALL(store, consent_revoke, status, pupil_id, at, status);
}

foresatt_result_t fst_store_audit_append(fst_plugin_t *store, const foresatt_audit_entry_t *entries, size_t n,
                                         foresatt_status_t *status)
{
    return CALL(store, audit_append, status, entries, n, status);
}

int fst_store_audit_counts(const fst_plugin_t *store)
{
    return store->desc->abi_major == 1 && store->desc->abi_minor >= 3;
}

foresatt_result_t fst_store_audit_query(fst_plugin_t *store, const foresatt_audit_filter_t *filter,
                                        apr_pool_t *pool, foresatt_audit_entry_t **entries, size_t *n,
                                        foresatt_status_t *status)
{
    foresatt_result_t rc;

    *entries = NULL;
    *n = 0;
    rc = CALL(store, audit_query, status, filter, fst_arena(pool), entries, n, status);
    if (rc != FORESATT_OK) {
        *entries = NULL;
        *n = 0;
    }
    return rc;
}

foresatt_result_t fst_store_import_roster(fst_plugin_t *store, const foresatt_roster_row_t *rows, size_t n,
                                          int64_t at, foresatt_import_stats_t *stats, foresatt_status_t *status)
{
    memset(stats, 0, sizeof(*stats));
    return CALL(store, import_roster, status, rows, n, at, stats, status);
}

foresatt_result_t fst_store_purge(fst_plugin_t *store, const char *const *pupil_ids, size_t n, int64_t now,
                                  int64_t audit_before, int dry_run, foresatt_purge_stats_t *stats,
                                  foresatt_status_t *status)
{
    memset(stats, 0, sizeof(*stats));
    return CALL(store, purge, status, pupil_ids, n, now, audit_before, dry_run, stats, status);
}

/* An optional operation the plugin lacks: not found, not an error. */
static foresatt_result_t optional_missing(foresatt_status_t *status)
{
    memset(status, 0, sizeof(*status));
    return FORESATT_NOT_FOUND;
}

foresatt_result_t fst_store_revision(fst_plugin_t *store, int64_t *revision, foresatt_status_t *status)
{
    *revision = 0;
    if (!FST_STORE_HAS(store, revision))
        return optional_missing(status);
    return CALL(store, revision, status, revision, status);
}

foresatt_result_t fst_store_numbers_held(fst_plugin_t *store, const char *const *numbers, size_t n, unsigned *held,
                                         foresatt_status_t *status)
{
    memset(held, 0, n * sizeof(*held));
    if (n == 0 && FST_STORE_HAS(store, numbers_held)) {
        memset(status, 0, sizeof(*status));
        return FORESATT_OK;
    }
    return CALL(store, numbers_held, status, numbers, n, held, status);
}

foresatt_result_t fst_store_register_apply(fst_plugin_t *store, const foresatt_register_change_t *changes, size_t n,
                                           const char *feed, int64_t feed_sequence, foresatt_status_t *status)
{
    return CALL(store, register_apply, status, changes, n, feed, feed_sequence, status);
}

foresatt_result_t fst_store_feed_position(fst_plugin_t *store, const char *feed, int64_t *sequence,
                                          foresatt_status_t *status)
{
    *sequence = 0;
    return CALL(store, feed_position, status, feed, sequence, status);
}

int fst_store_can_follow(const fst_plugin_t *store)
{
    return FST_STORE_HAS(store, numbers_held) && FST_STORE_HAS(store, register_apply) &&
           FST_STORE_HAS(store, feed_position);
}

int fst_store_has_invalidations(const fst_plugin_t *store)
{
    return FST_STORE_HAS(store, invalidations_since);
}

foresatt_result_t fst_store_invalidations_since(fst_plugin_t *store, int64_t revision, apr_pool_t *pool,
                                                const char ***numbers, size_t *n, foresatt_status_t *status)
{
    foresatt_result_t rc;

    *numbers = NULL;
    *n = 0;
    if (!FST_STORE_HAS(store, invalidations_since))
        return optional_missing(status);
    rc = CALL(store, invalidations_since, status, revision, fst_arena(pool), numbers, n, status);
    if (rc != FORESATT_OK) {
        *numbers = NULL;
        *n = 0;
    }
    return rc;
}
