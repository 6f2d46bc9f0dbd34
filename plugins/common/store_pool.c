/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <unistd.h>

#include "store_pool.h"

void store_pool_init(store_pool_t *pool)
{
    pthread_mutex_init(&pool->lock, NULL);
    pool->pid = getpid();
    pool->idle = NULL;
    pool->schema_checked = 0;
}

void store_pool_fini(store_pool_t *pool)
{
    pthread_mutex_destroy(&pool->lock);
}

/* With the lock held. */
static void forget_parent(store_pool_t *pool)
{
    if (pool->pid != getpid()) {
        pool->idle = NULL; /* the parent's sessions: they stay open there */
        pool->pid = getpid();
        pool->schema_checked = 0;
    }
}

store_conn_t *store_pool_take(store_pool_t *pool)
{
    store_conn_t *c;

    pthread_mutex_lock(&pool->lock);
    forget_parent(pool);
    c = pool->idle;
    if (c)
        pool->idle = c->next;
    pthread_mutex_unlock(&pool->lock);
    return c;
}

int store_pool_give(store_pool_t *pool, store_conn_t *conn)
{
    int mine;

    pthread_mutex_lock(&pool->lock);
    mine = pool->pid == getpid();
    if (mine) {
        conn->next = pool->idle;
        pool->idle = conn;
    }
    pthread_mutex_unlock(&pool->lock);
    return mine;
}

store_conn_t *store_pool_drain(store_pool_t *pool)
{
    store_conn_t *c = NULL;

    pthread_mutex_lock(&pool->lock);
    if (pool->pid == getpid() && (c = pool->idle) != NULL)
        pool->idle = c->next;
    pthread_mutex_unlock(&pool->lock);
    return c;
}

int store_pool_schema_checked(store_pool_t *pool)
{
    int checked;

    pthread_mutex_lock(&pool->lock);
    forget_parent(pool);
    checked = pool->schema_checked;
    pthread_mutex_unlock(&pool->lock);
    return checked;
}

void store_pool_set_schema_checked(store_pool_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->schema_checked = 1;
    pthread_mutex_unlock(&pool->lock);
}
