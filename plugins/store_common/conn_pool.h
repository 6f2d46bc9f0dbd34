/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The idle connections of one store instance in one process: a thread takes one, uses it alone and
 * gives it back; the mutex is held only for the taking and giving. A pool inherited across fork
 * belongs to the parent: the child forgets it (never using or closing the parent's handles) and
 * opens its own. Connections embed su_pooled_t as their first member.
 */
#ifndef FORESATT_CONN_POOL_H
#define FORESATT_CONN_POOL_H

#include <pthread.h>
#include <sys/types.h>

typedef struct su_pooled {
    struct su_pooled *next;
} su_pooled_t;

typedef struct su_pool {
    pthread_mutex_t lock;
    pid_t pid;          /* the process the idle list belongs to */
    su_pooled_t *idle;
    int schema_checked; /* migrations were checked by this process */
} su_pool_t;

void su_pool_init(su_pool_t *pool);
void su_pool_fini(su_pool_t *pool);

/* An idle connection, or NULL: open a new one. */
su_pooled_t *su_pool_take(su_pool_t *pool);
/* Back to the idle list; 0 when the pool is not this process's (the caller closes it). */
int su_pool_give(su_pool_t *pool, su_pooled_t *conn);
/* In destroy(): this process's idle connections one by one, then NULL. */
su_pooled_t *su_pool_drain(su_pool_t *pool);

int su_pool_schema_checked(su_pool_t *pool);
void su_pool_set_schema_checked(su_pool_t *pool);

#endif
