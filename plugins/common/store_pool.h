/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The idle connections of one store instance in one process: a thread takes one, uses it alone and
 * gives it back; the mutex is held only for the taking and giving. A pool inherited across fork
 * belongs to the parent: the child forgets it (never using or closing the parent's handles) and
 * opens its own. A dialect's connection embeds store_conn_t as its first member.
 */
#ifndef STORE_POOL_H
#define STORE_POOL_H

#include <pthread.h>
#include <sys/types.h>

typedef struct store_conn {
    struct store_conn *next;
} store_conn_t;

typedef struct store_pool {
    pthread_mutex_t lock;
    pid_t pid;          /* the process the idle list belongs to */
    store_conn_t *idle;
    int schema_checked; /* migrations were checked by this process */
} store_pool_t;

void store_pool_init(store_pool_t *pool);
void store_pool_fini(store_pool_t *pool);

/* An idle connection, or NULL: open a new one. */
store_conn_t *store_pool_take(store_pool_t *pool);
/* Back to the idle list; 0 when the pool is not this process's (the caller closes it). */
int store_pool_give(store_pool_t *pool, store_conn_t *conn);
/* In destroy(): this process's idle connections one by one, then NULL. */
store_conn_t *store_pool_drain(store_pool_t *pool);

int store_pool_schema_checked(store_pool_t *pool);
void store_pool_set_schema_checked(store_pool_t *pool);

#endif
