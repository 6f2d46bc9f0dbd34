/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every decision on a pupil's data goes to the store's audit log, without making the request wait
 * for the store: a per-child ring buffer of fixed-size entries (no allocation per entry), written in
 * batches by a background thread every ForesattAuditFlushInterval, or sooner when half full. The
 * thread is stopped and the buffer flushed when the child exits (also on graceful restart and stop):
 * nothing queued is lost. A store that fails keeps the entries queued and is retried; a buffer that
 * stays full refuses new decisions (the request gets a 503): access is never given unlogged.
 */
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "authz/authz.h"

APLOG_USE_MODULE(foresatt);

#define BATCH 256
#define FULL_WAIT apr_time_from_sec(2)
#define EXIT_TRIES 5

typedef struct audit_slot {
    int64_t at;
    foresatt_role_t role;
    char actor[48];
    char pupil[65];
    char action[24];
    char decision[8];
    char reason[40];
    char path[256];
} audit_slot_t;

struct fs_audit {
    server_rec *server;
    fst_plugin_t *store;
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *wake;     /* the writer: entries waiting, or stop */
    apr_thread_cond_t *room;     /* producers: the writer made room */
    audit_slot_t *ring;
    int capacity, head, count;
    int stopping;
    apr_interval_time_t flush;
    apr_thread_t *thread;
    audit_slot_t *batch;          /* the writer's copy, written without the lock */
    foresatt_audit_entry_t *entries;
    unsigned long failures;       /* consecutive failed writes, for log rate */
};

static void copy(char *dst, size_t size, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    apr_cpystrn(dst, src, size);
}

int fs_audit_add(fs_audit_t *a, request_rec *r, foresatt_role_t role, const char *actor, const char *pupil_id,
                 const char *decision, const char *reason)
{
    return fs_audit_event(a, r, role, actor, pupil_id, "access", decision, reason);
}

int fs_audit_event(fs_audit_t *a, request_rec *r, foresatt_role_t role, const char *actor, const char *pupil_id,
                   const char *action, const char *decision, const char *reason)
{
    audit_slot_t *slot;
    apr_time_t deadline = apr_time_now() + FULL_WAIT;

    apr_thread_mutex_lock(a->mutex);
    while (a->count == a->capacity && !a->stopping) {
        apr_time_t now = apr_time_now();
        if (now >= deadline) {
            apr_thread_mutex_unlock(a->mutex);
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0701)
                          "audit buffer full (%d entries) and the store is not taking them: refusing access",
                          a->capacity);
            return -1;
        }
        apr_thread_cond_timedwait(a->room, a->mutex, deadline - now);
    }
    slot = &a->ring[(a->head + a->count) % a->capacity];
    slot->at = apr_time_sec(r->request_time);
    slot->role = role;
    copy(slot->actor, sizeof(slot->actor), actor);
    copy(slot->pupil, sizeof(slot->pupil), pupil_id);
    copy(slot->action, sizeof(slot->action), action);
    copy(slot->decision, sizeof(slot->decision), decision);
    copy(slot->reason, sizeof(slot->reason), reason);
    copy(slot->path, sizeof(slot->path), r->uri);
    a->count++;
    if (a->count * 2 >= a->capacity)
        apr_thread_cond_signal(a->wake);
    apr_thread_mutex_unlock(a->mutex);
    return 0;
}

/* Write up to BATCH queued entries; returns how many, or -1 when the store refused them (kept). */
static int write_batch(fs_audit_t *a)
{
    foresatt_status_t st;
    foresatt_result_t rc;
    int i, n;

    apr_thread_mutex_lock(a->mutex);
    n = a->count < BATCH ? a->count : BATCH;
    for (i = 0; i < n; i++)
        a->batch[i] = a->ring[(a->head + i) % a->capacity];
    apr_thread_mutex_unlock(a->mutex);
    if (n == 0)
        return 0;

    for (i = 0; i < n; i++) {
        foresatt_audit_entry_t *e = &a->entries[i];
        audit_slot_t *s = &a->batch[i];
        memset(e, 0, sizeof(*e));
        e->struct_size = sizeof(*e);
        e->at = s->at;
        e->actor = s->actor[0] ? s->actor : NULL;
        e->role = s->role;
        e->pupil_id = s->pupil[0] ? s->pupil : NULL;
        e->action = s->action;
        e->decision = s->decision;
        e->reason = s->reason[0] ? s->reason : NULL;
        e->detail = s->path[0] ? s->path : NULL;
    }
    memset(&st, 0, sizeof(st));
    fst_plugin_lock(a->store);
    rc = a->store->desc->store->audit_append(a->store->instance, a->entries, (size_t)n, &st);
    fst_plugin_unlock(a->store);
    if (rc != FORESATT_OK) {
        if (a->failures++ % 60 == 0)
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, a->server, FSLOGNO(0702)
                         "audit: the store did not take %d entries (kept, will retry): %.*s", n,
                         (int)sizeof(st.message), st.message);
        return -1;
    }
    if (a->failures) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, a->server, FSLOGNO(0703) "audit: the store takes entries again");
        a->failures = 0;
    }
    apr_thread_mutex_lock(a->mutex);
    a->head = (a->head + n) % a->capacity;
    a->count -= n;
    apr_thread_cond_broadcast(a->room);
    apr_thread_mutex_unlock(a->mutex);
    return n;
}

static void *APR_THREAD_FUNC writer(apr_thread_t *thread, void *data)
{
    fs_audit_t *a = data;
    int stopping, tries = 0;

    for (;;) {
        apr_thread_mutex_lock(a->mutex);
        if (!a->stopping && a->count * 2 < a->capacity)
            apr_thread_cond_timedwait(a->wake, a->mutex, a->flush);
        stopping = a->stopping;
        apr_thread_mutex_unlock(a->mutex);

        /* drain what is there now */
        for (;;) {
            int n = write_batch(a);
            if (n == 0)
                break;
            if (n < 0) {
                if (!stopping)
                    break; /* retried after the next interval */
                if (++tries >= EXIT_TRIES)
                    break;
                apr_sleep(apr_time_from_msec(200));
            }
        }
        if (stopping)
            break;
    }
    apr_thread_mutex_lock(a->mutex);
    if (a->count > 0)
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, a->server, FSLOGNO(0704)
                     "audit: %d entries could not be written before this process exited", a->count);
    apr_thread_mutex_unlock(a->mutex);
    apr_thread_exit(thread, APR_SUCCESS);
    return NULL;
}

static apr_status_t stop_writer(void *data)
{
    fs_audit_t *a = data;
    apr_status_t rv;

    apr_thread_mutex_lock(a->mutex);
    a->stopping = 1;
    apr_thread_cond_signal(a->wake);
    apr_thread_cond_broadcast(a->room);
    apr_thread_mutex_unlock(a->mutex);
    apr_thread_join(&rv, a->thread);
    return APR_SUCCESS;
}

apr_status_t fs_audit_create(apr_pool_t *pchild, server_rec *s, fst_plugin_t *store, int capacity,
                             apr_interval_time_t flush, fs_audit_t **out)
{
    fs_audit_t *a = apr_pcalloc(pchild, sizeof(*a));
    apr_status_t rv;

    *out = NULL;
    if (store->desc->store->audit_append == NULL)
        return APR_ENOTIMPL;
    a->server = s;
    a->store = store;
    a->capacity = capacity;
    a->flush = flush;
    a->ring = apr_pcalloc(pchild, sizeof(audit_slot_t) * (apr_size_t)capacity);
    a->batch = apr_pcalloc(pchild, sizeof(audit_slot_t) * BATCH);
    a->entries = apr_pcalloc(pchild, sizeof(foresatt_audit_entry_t) * BATCH);
    if ((rv = apr_thread_mutex_create(&a->mutex, APR_THREAD_MUTEX_DEFAULT, pchild)) != APR_SUCCESS ||
        (rv = apr_thread_cond_create(&a->wake, pchild)) != APR_SUCCESS ||
        (rv = apr_thread_cond_create(&a->room, pchild)) != APR_SUCCESS ||
        (rv = apr_thread_create(&a->thread, NULL, writer, a, pchild)) != APR_SUCCESS)
        return rv;
    /* A pre-cleanup: runs before the thread's own pool (a subpool) and the plugins' resources go. */
    apr_pool_pre_cleanup_register(pchild, a, stop_writer);
    *out = a;
    return APR_SUCCESS;
}
