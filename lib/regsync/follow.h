/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * foresattctl follow's work: one round reads the register's event feed from after the position the
 * store recorded to its end, keeps the events about numbers the school holds (one numbers_held
 * call per page), looks those persons up again (batched), and applies what the register's answer
 * means (plan.h) in one register_apply per event, with the event's sequence number as the feed's
 * new position. A page without an event that concerns the school costs one store call to move the
 * position; the feed's other persons are never looked up.
 *
 * So a round stopped at any point resumes after the last event it applied, and an event is never
 * applied twice. An event about a number seen earlier in the same page is not looked up again (the
 * answer already is the register's newest).
 *
 * The persons around the one an event is about, whom the school holds, are invalidated too (their
 * records name each other): a pupil's registered guardians and the persons the register holds
 * responsible for the pupil; a guardian's pupils, as registered and as the register's answer names
 * them. Their cached lookups and decisions are made again; they are not looked up by follow.
 */
#ifndef FST_REGSYNC_FOLLOW_H
#define FST_REGSYNC_FOLLOW_H

#include <stdint.h>

#include <apr_pools.h>

#include "log.h"
#include "plan.h"
#include "plugin_loader.h"

#define FST_FOLLOW_PAGE_MAX 1000

typedef enum fst_follow_start {
    FST_FOLLOW_RESUME = 0,   /* from the stored position; the register's newest when there is none */
    FST_FOLLOW_FROM_LATEST,  /* from the register's newest, whatever is stored */
    FST_FOLLOW_FROM_SEQUENCE /* from config.from, whatever is stored */
} fst_follow_start_t;

typedef struct fst_follow_config {
    const char *feed;           /* the feed's name in the store (the ForesattRegistry plugin's name) */
    size_t page;                /* events asked for per read: 1 .. FST_FOLLOW_PAGE_MAX (0: the most) */
    fst_follow_start_t start;
    int64_t from;               /* with FST_FOLLOW_FROM_SEQUENCE: the first sequence number to read */
    fst_pseudonym_fn pseudonym; /* for the audit log's actors on a NUMBER change; NULL: none */
    void *pseudonym_ctx;
    const fst_log_t *log;       /* one line per applied event (pseudonyms only); NULL: quiet */
} fst_follow_config_t;

typedef struct fst_follow_stats {
    int started;              /* the position was (re)set this round */
    int64_t from;             /* the first sequence number asked for */
    int64_t position;         /* the feed's position in the store after the round */
    size_t pages;             /* reads that returned events */
    size_t events;            /* events read */
    size_t held;              /* of those, about numbers the school holds */
    size_t looked_up;         /* numbers looked up in the register */
    size_t lookup_calls;      /* register calls for them */
    size_t applied;           /* events applied with changes */
    size_t changes[7];        /* by foresatt_change_kind_t */
    unsigned found;           /* FST_FIND_* seen this round */
} fst_follow_stats_t;

typedef enum fst_follow_result {
    FST_FOLLOW_OK = 0,
    FST_FOLLOW_UNSUPPORTED, /* the register has no feed, or the store no 1.2 operations */
    FST_FOLLOW_TEMPORARY,   /* register or store busy or unreachable: try again (retry_after) */
    FST_FOLLOW_FAILED,      /* a plugin failed or answered nonsense */
    FST_FOLLOW_GONE         /* the register no longer keeps events from the stored position */
} fst_follow_result_t;

typedef struct fst_follow_error {
    const char *message;
    unsigned retry_after;
} fst_follow_error_t;

/* One round (see above). Memory from pool; stats are filled also when it fails. */
fst_follow_result_t fst_follow_round(fst_plugin_t *registry, fst_plugin_t *store, const fst_follow_config_t *config,
                                     int64_t now, apr_pool_t *pool, fst_follow_stats_t *stats,
                                     fst_follow_error_t *err);


#endif
