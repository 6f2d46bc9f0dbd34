/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * foresattctl sync's work: every pupil and every guardian number the school holds, compared with
 * the register in bulk lookups (the plugin's max_batch, 1000 for Folkeregisteret), each number
 * once. What differs becomes items of a report and, where the register has precedence, changes
 * (plan.h) that apply() writes in one register_apply: all or nothing.
 *
 * Listed for the school, never applied: a registered guardian without parental responsibility for
 * the pupil in the register (the rule already refuses them), a person the register holds
 * responsible for a pupil whom the school has not registered (registration is the school's act),
 * a number the register does not know, and a status that ended the number (opphoert).
 */
#ifndef FST_REGSYNC_SYNC_H
#define FST_REGSYNC_SYNC_H

#include <stdint.h>

#include <apr_pools.h>
#include <apr_tables.h>

#include "plan.h"
#include "plugin_loader.h"

typedef enum fst_sync_kind {
    FST_SYNC_NUMBER_CHANGED = 0, /* applied: records moved to the new number */
    FST_SYNC_DECEASED,           /* applied: handed to retention */
    FST_SYNC_ADDRESS_PROTECTED,  /* applied: the address removed */
    FST_SYNC_NAME,               /* applied: the register's name */
    FST_SYNC_ADDRESS,            /* applied: the register's address */
    FST_SYNC_LOST_RESPONSIBILITY, /* for the school */
    FST_SYNC_UNREGISTERED,        /* for the school */
    FST_SYNC_NOT_IN_REGISTER,     /* for the school */
    FST_SYNC_ENDED,               /* for the school */
    FST_SYNC_KIND_COUNT
} fst_sync_kind_t;

typedef struct fst_sync_item {
    fst_sync_kind_t kind;
    int pupil;              /* about a pupil (else a guardian, or a responsible person) */
    const char *number;     /* the person's number as the school holds it (printed only on request) */
    const char *new_number; /* FST_SYNC_NUMBER_CHANGED */
    const char *pupil_ids;  /* the pupil, or the pupils a guardian is registered for (comma-separated) */
    const char *name;       /* the school's name for a guardian, or NULL */
    const char *was, *now;  /* FST_SYNC_NAME / _ADDRESS: the store's value and the register's */
    const char *detail;     /* e.g. the kind of responsibility (felles, mor, ...) or the status */
} fst_sync_item_t;

typedef struct fst_sync_report {
    size_t pupils;              /* pupils checked */
    size_t guardians;           /* distinct guardian numbers checked */
    size_t looked_up;           /* numbers looked up */
    size_t lookup_calls;        /* register calls */
    size_t counts[FST_SYNC_KIND_COUNT];
    apr_array_header_t *items;  /* fst_sync_item_t, ordered by pupil id within each kind */
    apr_array_header_t *changes; /* foresatt_register_change_t: what apply() writes */
} fst_sync_report_t;

typedef struct fst_sync_error {
    const char *message;
    unsigned retry_after;
    int temporary;
} fst_sync_error_t;

/* Compare (reads only). 0 on success; else non-zero with err set. */
int fst_sync_compare(fst_plugin_t *registry, fst_plugin_t *store, int64_t now, fst_pseudonym_fn pseudonym,
                     void *pseudonym_ctx, apr_pool_t *pool, fst_sync_report_t *report, fst_sync_error_t *err);

/* Write the report's changes in one transaction (a store with ABI 1.2). 0 on success. */
int fst_sync_apply(fst_plugin_t *store, const fst_sync_report_t *report, apr_pool_t *pool, fst_sync_error_t *err);

/* "number_changed", "deceased", ... (the --json words). */
const char *fst_sync_kind_name(fst_sync_kind_t kind);
/* Whether the school must act on items of this kind (they are listed, never applied). */
int fst_sync_kind_for_school(fst_sync_kind_t kind);

#endif
