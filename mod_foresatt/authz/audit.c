/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every decision on a pupil's data goes to the store's audit log, without making the request wait
 * for the store: a per-child queue of fixed-size entries (lib/audit/queue.h: no allocation per
 * entry), written in batches by a background thread every ForesattAuditFlushInterval, or sooner
 * when half full.
 *
 * Entries are coalesced: the requests of one person for one pupil with one decision and reason
 * within ForesattAuditWindow make one entry (first time and path, count, last time), queued at the
 * window's first request and written when the window is over; a repeat costs a hash, a lookup and
 * an increment under this writer's lock. A store that cannot keep counts (built for ABI 1.2 or
 * older) gets every request as an entry of its own.
 *
 * The thread is stopped and the queue written out, open windows too, when the child exits (also on
 * graceful restart and stop): nothing queued is lost. A store that fails keeps the entries queued
 * and is retried; a queue that stays full refuses new decisions (the request gets a 503): access
 * is never given unlogged. Each writer belongs to one store and one set of audit settings: virtual
 * hosts that share a store but not ForesattAudit* settings have writers of their own.
 */
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>

#include "audit/queue.h"
#include "authz/authz.h"
#include "store.h"

APLOG_USE_MODULE(foresatt);

#define BATCH 256
#define FULL_WAIT apr_time_from_sec(2)
#define EXIT_TRIES 5

struct fs_audit {
    server_rec *server;
    fst_plugin_t *store;
    apr_thread_mutex_t *mutex;
    apr_thread_cond_t *wake;     /* the writer: entries waiting, or stop */
    apr_thread_cond_t *room;     /* producers: the writer made room */
    fst_audit_queue_t *queue;
    int stopping;
    apr_interval_time_t flush;
    apr_thread_t *thread;
    fst_audit_record_t *batch;    /* the writer's copy, written without the lock */
    foresatt_audit_entry_t *entries;
    unsigned long failures;       /* consecutive failed writes, for log rate */
};

int fs_audit_record(request_rec *r, foresatt_role_t role, const char *actor, const char *pupil_id, const char *action,
                    const char *decision, const char *reason, int coalesce)
{
    const fs_authz_conf_t *conf = fs_authz_conf(r->server);
    fs_audit_t *a = conf->audit_writer;
    fst_audit_add_result_t added;
    fst_audit_what_t what;
    apr_time_t deadline = 0, now;
    uint32_t hash;

    if (conf->audit == 0)
        return 0;
    if (a == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0705)
                      "audit: this process has no audit writer (FS0515 said why at its start): refusing access");
        return -1;
    }
    what.role = role;
    what.actor = actor;
    what.pupil_id = pupil_id;
    what.action = action;
    what.decision = decision;
    what.reason = reason;
    hash = fst_audit_hash(&what);
    apr_thread_mutex_lock(a->mutex);
    for (;;) {
        added = fst_audit_queue_add(a->queue, &what, hash, apr_time_sec(r->request_time), r->uri, coalesce);
        if (added != FST_AUDIT_FULL || a->stopping)
            break;
        apr_thread_cond_signal(a->wake);
        now = apr_time_now();
        if (deadline == 0)
            deadline = now + FULL_WAIT;
        if (now >= deadline)
            break;
        apr_thread_cond_timedwait(a->room, a->mutex, deadline - now);
    }
    if (added == FST_AUDIT_QUEUED && fst_audit_queue_depth(a->queue) * 2 > fst_audit_queue_capacity(a->queue))
        apr_thread_cond_signal(a->wake);
    apr_thread_mutex_unlock(a->mutex);
    if (added == FST_AUDIT_FULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0701)
                      "audit buffer full (%u entries) and the store is not taking them: refusing access",
                      fst_audit_queue_capacity(a->queue));
        return -1;
    }
    return 0;
}

/* Write up to BATCH ready entries; returns how many, or -1 when the store refused them (kept). */
static int write_batch(fs_audit_t *a, int stopping)
{
    foresatt_status_t st;
    foresatt_result_t rc;
    size_t i, n;

    apr_thread_mutex_lock(a->mutex);
    n = fst_audit_queue_take(a->queue, apr_time_sec(apr_time_now()), stopping, a->batch, BATCH);
    apr_thread_mutex_unlock(a->mutex);
    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        fst_audit_record_entry(&a->batch[i], &a->entries[i]);
    rc = fst_store_audit_append(a->store, a->entries, n, &st);
    if (rc != FORESATT_OK) {
        if (a->failures++ % 60 == 0)
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, a->server, FSLOGNO(0702)
                         "audit: the store did not take %d entries (kept, will retry): %.*s", (int)n,
                         (int)sizeof(st.message), st.message);
        return -1;
    }
    if (a->failures) {
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, a->server, FSLOGNO(0703) "audit: the store takes entries again");
        a->failures = 0;
    }
    apr_thread_mutex_lock(a->mutex);
    fst_audit_queue_written(a->queue);
    apr_thread_cond_broadcast(a->room);
    apr_thread_mutex_unlock(a->mutex);
    return (int)n;
}

static void *APR_THREAD_FUNC writer(apr_thread_t *thread, void *data)
{
    fs_audit_t *a = data;
    int stopping, tries = 0;

    for (;;) {
        apr_thread_mutex_lock(a->mutex);
        if (!a->stopping && fst_audit_queue_depth(a->queue) * 2 <= fst_audit_queue_capacity(a->queue))
            apr_thread_cond_timedwait(a->wake, a->mutex, a->flush);
        stopping = a->stopping;
        apr_thread_mutex_unlock(a->mutex);

        /* write what is ready now (at exit: everything, open windows too) */
        for (;;) {
            int n = write_batch(a, stopping);
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
    if (fst_audit_queue_depth(a->queue) > 0)
        ap_log_error(APLOG_MARK, APLOG_CRIT, 0, a->server, FSLOGNO(0704)
                     "audit: %u entries could not be written before this process exited",
                     fst_audit_queue_depth(a->queue));
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

apr_status_t fs_audit_create(apr_pool_t *pchild, server_rec *s, fst_plugin_t *store, const fs_authz_conf_t *conf,
                             fs_audit_t **out)
{
    fs_audit_t *a = apr_pcalloc(pchild, sizeof(*a));
    int64_t window = conf->audit_window;
    apr_status_t rv;

    *out = NULL;
    if (!FST_STORE_HAS(store, audit_append))
        return APR_ENOTIMPL;
    if (!fst_store_audit_counts(store))
        window = 0; /* it would keep one request of each window: every request is an entry */
    a->server = s;
    a->store = store;
    a->flush = conf->audit_flush;
    a->queue = fst_audit_queue_make(pchild, (unsigned)conf->audit_buffer, window);
    a->batch = apr_pcalloc(pchild, sizeof(fst_audit_record_t) * BATCH);
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
