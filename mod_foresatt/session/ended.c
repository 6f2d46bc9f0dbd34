/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The table of ended sessions (lib/session/revocation.h) in shared memory, so a logout in one child
 * is seen by every child. The segment and the writers' mutex are made once, in the first
 * post_config, from the process pool: they survive graceful restarts (a logout is not forgotten
 * when the configuration is reloaded) and children inherit them; each child re-attaches the mutex
 * in child_init. Readers (every request with a session) take no lock.
 */
#include <string.h>

#include <apr_global_mutex.h>
#include <apr_shm.h>
#include <apr_strings.h>
#include <http_main.h>
#include <util_mutex.h>

#include "hash.h"
#include "session/identity.h"
#include "session/revocation.h"

APLOG_USE_MODULE(foresatt);

#define STORE_KEY "foresatt-revocation-store"
#define MUTEX_TYPE "foresatt-revocation"

struct fs_ended_table {
    apr_shm_t *shm;
    apr_global_mutex_t *mutex;
    fst_revocation_t *table;
    uint32_t slots;
};

void fs_ended_pre_config(apr_pool_t *pconf)
{
    ap_mutex_register(pconf, MUTEX_TYPE, NULL, APR_LOCK_DEFAULT, 0);
}

static int any_enabled(server_rec *s)
{
    for (; s; s = s->next)
        if (fs_session_conf(s)->enabled)
            return 1;
    return 0;
}

int fs_ended_post_config(apr_pool_t *pconf, server_rec *main_server)
{
    apr_pool_t *pproc = main_server->process->pool;
    fs_session_conf_t *mc = fs_session_conf(main_server);
    fs_ended_table_t *store = NULL;
    uint32_t slots = (uint32_t)mc->ended_slots;
    apr_status_t rv;
    server_rec *s;

    (void)pconf;
    if (!any_enabled(main_server))
        return OK;
    apr_pool_userdata_get((void **)&store, STORE_KEY, pproc);
    if (store != NULL && store->slots != slots) {
        /* Resized: a fresh table. Children of the old generation keep their own mapping. */
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, main_server, FSLOGNO(0110) "ForesattRevocationTableSize changed "
                     "from %u to %u: ended sessions recorded so far are forgotten", store->slots, slots);
        apr_shm_destroy(store->shm);
        store->shm = NULL;
    }
    if (store == NULL) {
        store = apr_pcalloc(pproc, sizeof(*store));
        apr_pool_userdata_set(store, STORE_KEY, apr_pool_cleanup_null, pproc);
        rv = ap_global_mutex_create(&store->mutex, NULL, MUTEX_TYPE, NULL, main_server, pproc, 0);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, main_server, FSLOGNO(0111) "cannot create the mutex of the "
                         "table of ended sessions");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    if (store->shm == NULL) {
        size_t size = fst_revocation_size(slots);

        rv = apr_shm_create(&store->shm, size, NULL, pproc);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, rv, main_server, FSLOGNO(0112) "cannot create %lu bytes of shared "
                         "memory for the table of ended sessions", (unsigned long)size);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        store->table = fst_revocation_init(apr_shm_baseaddr_get(store->shm), apr_shm_size_get(store->shm), slots);
        store->slots = slots;
    }
    for (s = main_server; s; s = s->next)
        fs_session_conf(s)->ended = store;
    return OK;
}

void fs_ended_child_init(apr_pool_t *pchild, server_rec *s)
{
    fs_ended_table_t *store = fs_session_conf(s)->ended;
    apr_status_t rv;

    if (store == NULL)
        return;
    rv = apr_global_mutex_child_init(&store->mutex, apr_global_mutex_lockfile(store->mutex), pchild);
    if (rv != APR_SUCCESS)
        ap_log_error(APLOG_MARK, APLOG_CRIT, rv, s, FSLOGNO(0113) "cannot attach the mutex of the table of ended "
                     "sessions: logouts in this process are not shared");
}

int fs_session_ended(const fs_session_conf_t *c, const fst_session_t *session, int64_t now)
{
    unsigned char keys[2][FST_REVOCATION_KEY_LEN];
    static const unsigned char zero[FST_REVOCATION_KEY_LEN];
    int n = 1;

    if (c->ended == NULL)
        return 0;
    memcpy(keys[0], session->id, FST_REVOCATION_KEY_LEN);
    if (memcmp(session->sid_key, zero, sizeof(zero)) != 0)
        memcpy(keys[n++], session->sid_key, FST_REVOCATION_KEY_LEN);
    return fst_revocation_contains(c->ended->table, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])keys, n, now);
}

int fs_ended_has(const fs_session_conf_t *c, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t now)
{
    if (c->ended == NULL)
        return 0;
    return fst_revocation_contains(c->ended->table, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])key, 1, now);
}

static fs_ended_result_t ended_add(request_rec *r, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until,
                                   int once)
{
    fs_ended_table_t *store = fs_session_conf(r->server)->ended;
    fst_revocation_add_result_t added;
    apr_status_t rv;

    if (store == NULL)
        return FS_ENDED_NO_TABLE;
    rv = apr_global_mutex_lock(store->mutex);
    if (rv != APR_SUCCESS) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, rv, r, FSLOGNO(0114) "cannot lock the table of ended sessions");
        return FS_ENDED_LOCK_FAILED;
    }
    added = once ? fst_revocation_add_once(store->table, key, until, apr_time_sec(r->request_time))
                 : fst_revocation_add(store->table, key, until, apr_time_sec(r->request_time));
    apr_global_mutex_unlock(store->mutex);
    if (added == FST_REVOCATION_PRESENT)
        return FS_ENDED_ALREADY;
    if (added == FST_REVOCATION_EVICTED)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0115) "the table of ended sessions is full: an "
                      "older entry was dropped; raise ForesattRevocationTableSize");
    return FS_ENDED_RECORDED;
}

fs_ended_result_t fs_ended_add(request_rec *r, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until)
{
    return ended_add(r, key, until, 0);
}

fs_ended_result_t fs_ended_add_once(request_rec *r, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until)
{
    return ended_add(r, key, until, 1);
}

void fs_ended_op_session_key(const char *issuer, const char *sid, unsigned char key[FST_REVOCATION_KEY_LEN])
{
    unsigned char digest[FST_SHA256_LEN];

    fst_sha256_parts(digest, "op session", issuer, sid, NULL);
    memcpy(key, digest, FST_REVOCATION_KEY_LEN);
}

fs_ended_result_t fs_ended_op_session(request_rec *r, const char *issuer, const char *sid)
{
    const fs_session_conf_t *c = fs_session_conf(r->server);
    unsigned char key[FST_REVOCATION_KEY_LEN];

    fs_ended_op_session_key(issuer, sid, key);
    return fs_ended_add(r, key, apr_time_sec(r->request_time) + c->max_age + c->clock_skew);
}
