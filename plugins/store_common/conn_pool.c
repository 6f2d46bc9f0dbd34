/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <unistd.h>

#include "conn_pool.h"

void su_pool_init(su_pool_t *pool)
{
    pthread_mutex_init(&pool->lock, NULL);
    pool->pid = getpid();
    pool->idle = NULL;
    pool->schema_checked = 0;
}

void su_pool_fini(su_pool_t *pool)
{
    pthread_mutex_destroy(&pool->lock);
}

/* With the lock held. */
static void forget_parent(su_pool_t *pool)
{
    if (pool->pid != getpid()) {
        pool->idle = NULL; /* the parent's sessions: they stay open there */
        pool->pid = getpid();
        pool->schema_checked = 0;
    }
}

su_pooled_t *su_pool_take(su_pool_t *pool)
{
    su_pooled_t *c;

    pthread_mutex_lock(&pool->lock);
    forget_parent(pool);
    c = pool->idle;
    if (c)
        pool->idle = c->next;
    pthread_mutex_unlock(&pool->lock);
    return c;
}

int su_pool_give(su_pool_t *pool, su_pooled_t *conn)
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

su_pooled_t *su_pool_drain(su_pool_t *pool)
{
    su_pooled_t *c = NULL;

    pthread_mutex_lock(&pool->lock);
    if (pool->pid == getpid() && (c = pool->idle) != NULL)
        pool->idle = c->next;
    pthread_mutex_unlock(&pool->lock);
    return c;
}

int su_pool_schema_checked(su_pool_t *pool)
{
    int checked;

    pthread_mutex_lock(&pool->lock);
    forget_parent(pool);
    checked = pool->schema_checked;
    pthread_mutex_unlock(&pool->lock);
    return checked;
}

void su_pool_set_schema_checked(su_pool_t *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->schema_checked = 1;
    pthread_mutex_unlock(&pool->lock);
}
