/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The audit entries one writer holds before the store takes them, coalesced: the requests of one
 * person for one pupil with one decision and reason inside a window (ForesattAuditWindow) make one
 * entry, holding the first request's time and path, the number of requests and the last time. The
 * entry is queued (it has its place here) at the window's first request; the repeats only count
 * into it. An entry can be taken by the writer once its window is over, or sooner: when the queue is
 * over half full (so distinct requests never wait for windows to end) and when the writer stops.
 *
 * Fixed-size entries in one array allocated at the start: nothing is allocated per request. Not
 * thread-safe: the caller holds its own lock around every call.
 */
#ifndef FST_AUDIT_QUEUE_H
#define FST_AUDIT_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

#include "foresatt/plugin.h"

/* Longer strings are cut to these (less one for the NUL). */
#define FST_AUDIT_ACTOR_SIZE 48
#define FST_AUDIT_PUPIL_SIZE (FORESATT_MAX_ID_LEN + 1)
#define FST_AUDIT_ACTION_SIZE 24
#define FST_AUDIT_DECISION_SIZE 8
#define FST_AUDIT_REASON_SIZE 40
#define FST_AUDIT_DETAIL_SIZE 256

/* What makes two requests one entry. NULL strings are "none". */
typedef struct fst_audit_what {
    foresatt_role_t role;
    const char *actor;
    const char *pupil_id;
    const char *action;
    const char *decision;
    const char *reason;
} fst_audit_what_t;

/* One entry as the writer gets it. */
typedef struct fst_audit_record {
    int64_t at;      /* the first request's time (Unix seconds) */
    int64_t last_at; /* the last request's */
    uint32_t count;  /* requests in the window, at least 1 */
    foresatt_role_t role;
    char actor[FST_AUDIT_ACTOR_SIZE];
    char pupil[FST_AUDIT_PUPIL_SIZE];
    char action[FST_AUDIT_ACTION_SIZE];
    char decision[FST_AUDIT_DECISION_SIZE];
    char reason[FST_AUDIT_REASON_SIZE];
    char detail[FST_AUDIT_DETAIL_SIZE]; /* the first request's path */
} fst_audit_record_t;

/* The record as the store takes it (strings point into rec; empty ones are NULL but action). */
void fst_audit_record_entry(const fst_audit_record_t *rec, foresatt_audit_entry_t *entry);

typedef struct fst_audit_queue fst_audit_queue_t;

/* A queue of capacity entries (at least 2) whose windows last window seconds (0: every request is
 * an entry of its own). */
fst_audit_queue_t *fst_audit_queue_make(apr_pool_t *pool, unsigned capacity, int64_t window);

/* The hash add() needs: computed before the caller takes its lock. */
uint32_t fst_audit_hash(const fst_audit_what_t *what);

typedef enum fst_audit_add_result {
    FST_AUDIT_QUEUED = 0, /* a new entry holds this request */
    FST_AUDIT_COUNTED,    /* the open window's entry counted it */
    FST_AUDIT_FULL        /* no room: nothing was queued */
} fst_audit_add_result_t;

/* One request at time at (Unix seconds) for path detail. coalesce 0: an entry of its own, ready
 * to be taken at once (the self-service pages' changes). */
fst_audit_add_result_t fst_audit_queue_add(fst_audit_queue_t *q, const fst_audit_what_t *what, uint32_t hash,
                                           int64_t at, const char *detail, int coalesce);

/* For the writer at time now: the entries ready to be written, oldest first, at most max, copied
 * into out. Ready are those whose window is over; every open one when stopping (the process
 * exits) or when the queue is over half full. From here on no request counts into them. They keep
 * their place until fst_audit_queue_written(): when the store refuses them they are taken again. */
size_t fst_audit_queue_take(fst_audit_queue_t *q, int64_t now, int stopping, fst_audit_record_t *out, size_t max);

/* The entries of the last take are in the store: their places are free. */
void fst_audit_queue_written(fst_audit_queue_t *q);

/* Entries held: windows still open and entries waiting for the store. */
unsigned fst_audit_queue_depth(const fst_audit_queue_t *q);
unsigned fst_audit_queue_capacity(const fst_audit_queue_t *q);
/* The time the oldest open window ends, or 0 when none is open. */
int64_t fst_audit_queue_next_close(const fst_audit_queue_t *q);

#endif
