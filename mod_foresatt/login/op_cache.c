/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The OP's discovery document and JWKS, per child process: fetched on first use, refreshed after
 * ForesattProviderRefresh, kept (stale) while the OP is unreachable, and refetched for an unknown
 * kid at most once per ForesattJWKSRefetchInterval, so random kids cannot cause fetch storms.
 *
 * With no copy yet (a new child, or the OP down since it started) one request of the child fetches;
 * the others wait up to COLD_WAIT for it, and a failed fetch is not tried again for COLD_RETRY: an
 * OP that is down or slow costs each child one fetch at a time, not one per request.
 *
 * Snapshots are immutable and reference-counted: a request holds the one it started with until
 * it ends, so a refresh in another thread never pulls keys from under a verification. Fetching
 * happens without the lock held; only the swap is locked. Each snapshot has its own unmanaged pool
 * (its own allocator), so threads can make and drop them without touching a shared parent pool.
 *
 * HTTP goes through liboauth2 (oauth2_http_call with its total timeout; it stops reading an answer
 * past 1 MB and says so in its log, and the parsers take at most 256 KB of it). Its log is routed into
 * httpd's error log, capped at notice: its debug lines dump request bodies (codes, secrets), and
 * those must never be written, whatever LogLevel says.
 */
#include <string.h>

#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <curl/curl.h>
#include <oauth2/http.h>
#include <oauth2/log.h>
#include <oauth2/mem.h>

#include "login/login.h"

APLOG_USE_MODULE(foresatt);

#define CURL_INIT_KEY "foresatt-curl-global-init"
#define STALE_RETRY 30 /* seconds between refresh attempts while the OP is down and a stale copy serves */
#define COLD_WAIT 2    /* seconds a request without a copy waits for the fetch another request makes */
#define COLD_RETRY 3   /* seconds after a failed fetch without a copy before the next try */

typedef struct snapshot {
    fs_op_t op;         /* first: requests see only this */
    apr_pool_t *pool;
    int refs;           /* the cache's own reference counts as one while current */
} snapshot_t;

struct fs_op_cache {
    apr_pool_t *pool;
    apr_thread_mutex_t *mutex;
    server_rec *server;
    oauth2_log_t *log;
    snapshot_t *current;
    apr_time_t retry_after;     /* after a failed refresh with a stale copy in hand */
    apr_time_t last_kid_refetch;
    apr_thread_cond_t *fetch_done; /* broadcast when a fetch ends */
    int fetching;                  /* a request of this child is fetching discovery and JWKS */
    apr_time_t cold_retry_after;   /* after a failed fetch with no copy */
    char cold_error[512];          /* why that fetch failed */
};

/* --- liboauth2 plumbing -------------------------------------------------------------------------- */

static void oauth2_sink(oauth2_log_sink_t *sink, const char *filename, unsigned long line, const char *function,
                        oauth2_log_level_t level, const char *msg)
{
    server_rec *s = oauth2_log_sink_ctx_get(sink);
    int aplevel = level == OAUTH2_LOG_ERROR ? APLOG_ERR : level == OAUTH2_LOG_WARN ? APLOG_WARNING : APLOG_NOTICE;

    (void)filename;
    (void)line;
    ap_log_error(APLOG_MARK, aplevel, 0, s, FSLOGNO(0120) "liboauth2 %s: %s", function, msg);
}

static apr_status_t free_oauth2_log(void *data)
{
    oauth2_log_free(data);
    return APR_SUCCESS;
}

void fs_op_cache_child_init(apr_pool_t *pchild, server_rec *main_server)
{
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        fs_login_conf_t *c = fs_login_conf(s);
        fs_op_cache_t *cache;
        oauth2_log_sink_t *sink;

        if (!c->enabled || c->op != NULL)
            continue;
        cache = apr_pcalloc(pchild, sizeof(*cache));
        cache->pool = pchild;
        cache->server = s;
        apr_thread_mutex_create(&cache->mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
        apr_thread_cond_create(&cache->fetch_done, pchild);
        /* Capped at notice: liboauth2's debug output carries request bodies. */
        sink = oauth2_log_sink_create(OAUTH2_LOG_NOTICE, oauth2_sink, s);
        cache->log = oauth2_log_init(OAUTH2_LOG_NOTICE, sink);
        apr_pool_cleanup_register(pchild, cache->log, free_oauth2_log, apr_pool_cleanup_null);
        c->op = cache;
    }
}

fs_op_http_result_t fs_op_http(request_rec *r, const char *url, const char *form, const char *basic_auth, char **body,
                               size_t *len, int *status)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    oauth2_http_call_ctx_t *ctx = oauth2_http_call_ctx_init(c->op->log);
    oauth2_http_status_code_t code = 0;
    char *response = NULL;
    bool ok;

    *body = NULL;
    *len = 0;
    *status = 0;
    if (ctx == NULL)
        return FS_OP_HTTP_FAILED;
    oauth2_http_call_ctx_timeout_set(c->op->log, ctx, c->op_timeout);
    oauth2_http_call_ctx_hdr_set(c->op->log, ctx, "Accept", "application/json");
    if (form != NULL)
        oauth2_http_call_ctx_content_type_set(c->op->log, ctx, "application/x-www-form-urlencoded");
    if (basic_auth != NULL)
        oauth2_http_call_ctx_hdr_set(c->op->log, ctx, "Authorization", basic_auth);
    ok = oauth2_http_call(c->op->log, url, form, ctx, &response, &code);
    oauth2_http_call_ctx_free(c->op->log, ctx);
    if (!ok || response == NULL) {
        if (response)
            oauth2_mem_free(response);
        return FS_OP_HTTP_FAILED;
    }
    *len = strlen(response);
    *body = apr_pstrmemdup(r->pool, response, *len);
    *status = (int)code;
    oauth2_mem_free(response);
    return FS_OP_HTTP_OK;
}

/* --- snapshots ------------------------------------------------------------------------------------ */

static void snapshot_unref(fs_op_cache_t *cache, snapshot_t *snap)
{
    int gone;

    apr_thread_mutex_lock(cache->mutex);
    gone = --snap->refs == 0;
    apr_thread_mutex_unlock(cache->mutex);
    if (gone)
        apr_pool_destroy(snap->pool);
}

typedef struct hold {
    fs_op_cache_t *cache;
    snapshot_t *snap;
} hold_t;

static apr_status_t release_snapshot_pool(void *data)
{
    hold_t *h = data;

    snapshot_unref(h->cache, h->snap);
    return APR_SUCCESS;
}

/* Caller holds the lock: the request keeps snap until it ends. */
static const fs_op_t *hold_locked(request_rec *r, fs_op_cache_t *cache, snapshot_t *snap)
{
    hold_t *h = apr_palloc(r->pool, sizeof(*h));

    snap->refs++;
    h->cache = cache;
    h->snap = snap;
    apr_pool_cleanup_register(r->pool, h, release_snapshot_pool, apr_pool_cleanup_null);
    return &snap->op;
}

/* Make snap current (caller holds the lock); the old one goes when its last request ends. */
static void install_locked(fs_op_cache_t *cache, snapshot_t *snap)
{
    snapshot_t *old = cache->current;

    snap->refs++;
    cache->current = snap;
    if (old != NULL && --old->refs == 0)
        apr_pool_destroy(old->pool);
}

static int fetch_jwks(request_rec *r, snapshot_t *snap, const char *jwks_uri, const char **err)
{
    char *body;
    size_t len;
    int status;
    fst_jwks_t *jwks = NULL;

    if (fs_op_http(r, jwks_uri, NULL, NULL, &body, &len, &status) != FS_OP_HTTP_OK) {
        *err = apr_psprintf(r->pool, "the JWKS at %s could not be fetched (unreachable, slower than "
                            "ForesattOPTimeout, or over the HTTP client's 1 MB)", jwks_uri);
        return 0;
    }
    if (status != 200) {
        *err = apr_psprintf(r->pool, "the JWKS at %s answered HTTP %d", jwks_uri, status);
        return 0;
    }
    if (fst_jwks_parse(snap->pool, body, len, &jwks, err) != FST_JWKS_OK) {
        *err = apr_psprintf(r->pool, "%s (from %s)", *err, jwks_uri);
        return 0;
    }
    snap->op.jwks = jwks;
    return 1;
}

/* A new snapshot from the OP, or NULL with *err. */
static snapshot_t *fetch_all(request_rec *r, const char **err)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    snapshot_t *snap;
    apr_pool_t *pool;
    char *body;
    size_t len;
    int status;

    if (fs_op_http(r, c->metadata_url, NULL, NULL, &body, &len, &status) != FS_OP_HTTP_OK) {
        *err = apr_psprintf(r->pool, "the discovery document at %s could not be fetched (unreachable, slower "
                            "than ForesattOPTimeout, or over the HTTP client's 1 MB)", c->metadata_url);
        return NULL;
    }
    if (status != 200) {
        *err = apr_psprintf(r->pool, "the discovery document at %s answered HTTP %d", c->metadata_url, status);
        return NULL;
    }
    apr_pool_create_unmanaged_ex(&pool, NULL, NULL);
    snap = apr_pcalloc(pool, sizeof(*snap));
    snap->pool = pool;
    if (fst_discovery_parse(pool, body, len, c->issuer, fst_client_auth_name(c->client_auth),
                            &snap->op.discovery, err) != FST_DISCOVERY_OK ||
        !fetch_jwks(r, snap, snap->op.discovery.jwks_uri, err)) {
        *err = apr_pstrdup(r->pool, *err);
        apr_pool_destroy(pool);
        return NULL;
    }
    snap->op.fetched = r->request_time;
    return snap;
}

/* No copy and none to be had now (caller holds the lock): the last failure, or another request's
 * fetch still running after COLD_WAIT. NULL when a copy came or this request should fetch. */
static const char *cold_refusal_locked(request_rec *r, fs_op_cache_t *cache, apr_time_t now)
{
    apr_time_t deadline = now + apr_time_from_sec(COLD_WAIT);

    if (now < cache->cold_retry_after)
        return apr_psprintf(r->pool, "%s (not tried again for %" APR_TIME_T_FMT " s)", cache->cold_error,
                            apr_time_sec(cache->cold_retry_after - now) + 1);
    while (cache->fetching && cache->current == NULL && (now = apr_time_now()) < deadline)
        apr_thread_cond_timedwait(cache->fetch_done, cache->mutex, deadline - now);
    if (cache->current != NULL)
        return NULL;
    if (cache->fetching)
        return apr_psprintf(r->pool, "another request has been fetching the OP's metadata for over %d s", COLD_WAIT);
    if (apr_time_now() < cache->cold_retry_after) /* the fetch waited for failed */
        return apr_pstrdup(r->pool, cache->cold_error);
    return NULL;
}

const fs_op_t *fs_op_get(request_rec *r, const char **err)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    fs_op_cache_t *cache = c->op;
    apr_time_t now = apr_time_now();
    snapshot_t *snap, *fresh;
    const fs_op_t *op;
    const char *refused;

    if (cache == NULL) {
        *err = "the login is not set up in this process";
        return NULL;
    }
    apr_thread_mutex_lock(cache->mutex);
    if (cache->current == NULL && (refused = cold_refusal_locked(r, cache, now)) != NULL) {
        apr_thread_mutex_unlock(cache->mutex);
        *err = refused;
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0126) "no OP metadata in this process: %s", *err);
        return NULL;
    }
    snap = cache->current;
    if (snap != NULL &&
        (now - snap->op.fetched < apr_time_from_sec(c->refresh_interval) || now < cache->retry_after ||
         cache->fetching)) {
        op = hold_locked(r, cache, snap);
        apr_thread_mutex_unlock(cache->mutex);
        return op;
    }
    if (snap != NULL) /* others keep using the stale copy while this request refreshes */
        cache->retry_after = now + apr_time_from_sec(STALE_RETRY);
    cache->fetching = 1;
    apr_thread_mutex_unlock(cache->mutex);

    fresh = fetch_all(r, err);

    apr_thread_mutex_lock(cache->mutex);
    cache->fetching = 0;
    apr_thread_cond_broadcast(cache->fetch_done);
    if (fresh != NULL) {
        install_locked(cache, fresh);
        cache->retry_after = 0;
        cache->cold_retry_after = 0;
        op = hold_locked(r, cache, fresh);
        apr_thread_mutex_unlock(cache->mutex);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0121) "OP metadata fetched from %s (%d signing keys)",
                      c->metadata_url, fresh->op.jwks->n);
        return op;
    }
    snap = cache->current;
    if (snap == NULL) {
        cache->cold_retry_after = apr_time_now() + apr_time_from_sec(COLD_RETRY);
        apr_cpystrn(cache->cold_error, *err, sizeof(cache->cold_error));
    }
    op = snap ? hold_locked(r, cache, snap) : NULL;
    apr_thread_mutex_unlock(cache->mutex);
    if (op != NULL)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0122) "%s; using the copy from %" APR_TIME_T_FMT
                      " s ago", *err, apr_time_sec(now - op->fetched));
    else
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0123) "%s; not tried again for %d s", *err, COLD_RETRY);
    return op;
}

const fs_op_t *fs_op_refetch_jwks(request_rec *r, const fs_op_t *stale, const char **err)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    fs_op_cache_t *cache = c->op;
    apr_time_t now = apr_time_now();
    snapshot_t *snap;
    apr_pool_t *pool;
    const fs_op_t *op;

    apr_thread_mutex_lock(cache->mutex);
    if (cache->current != NULL && &cache->current->op != stale) {
        /* Another request already refreshed: try with that. */
        op = hold_locked(r, cache, cache->current);
        apr_thread_mutex_unlock(cache->mutex);
        return op;
    }
    if (cache->last_kid_refetch != 0 &&
        now - cache->last_kid_refetch < apr_time_from_sec(c->jwks_refetch_interval)) {
        apr_thread_mutex_unlock(cache->mutex);
        *err = "unknown kid, and the JWKS was refetched less than ForesattJWKSRefetchInterval ago";
        return NULL;
    }
    cache->last_kid_refetch = now;
    apr_thread_mutex_unlock(cache->mutex);

    apr_pool_create_unmanaged_ex(&pool, NULL, NULL);
    snap = apr_pcalloc(pool, sizeof(*snap));
    snap->pool = pool;
    /* The discovery part is copied; only the keys are new. */
    snap->op.discovery.issuer = apr_pstrdup(pool, stale->discovery.issuer);
    snap->op.discovery.authorization_endpoint = apr_pstrdup(pool, stale->discovery.authorization_endpoint);
    snap->op.discovery.token_endpoint = apr_pstrdup(pool, stale->discovery.token_endpoint);
    snap->op.discovery.jwks_uri = apr_pstrdup(pool, stale->discovery.jwks_uri);
    snap->op.discovery.end_session_endpoint = apr_pstrdup(pool, stale->discovery.end_session_endpoint);
    snap->op.discovery.iss_parameter_supported = stale->discovery.iss_parameter_supported;
    snap->op.fetched = stale->fetched;
    if (!fetch_jwks(r, snap, stale->discovery.jwks_uri, err)) {
        *err = apr_pstrdup(r->pool, *err);
        apr_pool_destroy(pool);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0124) "%s", *err);
        return NULL;
    }
    apr_thread_mutex_lock(cache->mutex);
    install_locked(cache, snap);
    op = hold_locked(r, cache, snap);
    apr_thread_mutex_unlock(cache->mutex);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0125) "JWKS refetched for an unknown kid (%d keys)",
                  snap->op.jwks->n);
    return op;
}

void fs_op_global_init(apr_pool_t *pproc)
{
    void *done = NULL;

    /* Once per process, before any child or thread exists. */
    apr_pool_userdata_get(&done, CURL_INIT_KEY, pproc);
    if (done == NULL) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        apr_pool_userdata_set((void *)1, CURL_INIT_KEY, apr_pool_cleanup_null, pproc);
    }
}
