/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Decide once per session interval. The decision (the pupils allowed, when it was decided and the
 * store's revision then) travels in the session as an opaque string; a request with a fresh decision
 * reads it in place: no plugin call, no allocation. It is decided again when the re-check interval
 * has passed, or when the store's revision moved (a consent revoked, a roster import): each child
 * asks the store for its revision at most once per ForesattAuthzRevisionCheck, one thread at a time.
 * External identities (ForesattIdentity) have no session of ours: their decisions live in a per-child
 * cache keyed by pseudonym.
 *
 * State format (version 1), '|'-separated:
 *   1|decided_at|revision|student_id|name|allowed,ids|denied:reason,...|allowed,numbers
 */
#include <apr_atomic.h>
#include <apr_hash.h>
#include <apr_lib.h>
#include <apr_strings.h>

#include "authz/authz.h"
#include "policy/access.h"

APLOG_USE_MODULE(foresatt);

#define STATE_FIELDS 8
#define EXTERNAL_CACHE_MAX 4096

struct fs_authz_child {
    fst_plugin_t *store;
    apr_thread_mutex_t *revision_mutex; /* one thread asks the store at a time */
    apr_uint64_t revision;              /* the store's revision as last read */
    apr_uint64_t revision_read_at;      /* apr_time_t of that read; 0: never, or read it again now */
    int revision_known;                 /* read at least once (under revision_mutex) */
    apr_thread_mutex_t *cache_mutex;    /* external identities' decisions */
    apr_pool_t *cache_pool;
    apr_hash_t *cache;                  /* pseudonym -> state string */
    unsigned cache_inserts;
    apr_array_header_t *registers;      /* fst_regcache_t *: the register caches of the servers on this store */
};

/* --- the state string -------------------------------------------------------------------------- */

int fs_span_list_has(fs_span_t list, const char *id)
{
    apr_size_t idlen = strlen(id);
    const char *p = list.p, *end = list.p + list.len;

    if (idlen == 0)
        return 0;
    while (p < end) {
        const char *comma = memchr(p, ',', (apr_size_t)(end - p));
        const char *stop = comma ? comma : end;
        if ((apr_size_t)(stop - p) == idlen && memcmp(p, id, idlen) == 0)
            return 1;
        p = stop + 1;
    }
    return 0;
}

int fs_decision_denied_reason(const fs_decision_t *d, const char *id)
{
    apr_size_t idlen = strlen(id);
    const char *p = d->denied.p, *end = d->denied.p + d->denied.len;

    while (idlen && p < end) {
        const char *comma = memchr(p, ',', (apr_size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *colon = memchr(p, ':', (apr_size_t)(stop - p));
        if (colon && (apr_size_t)(colon - p) == idlen && memcmp(p, id, idlen) == 0 && colon + 1 < stop)
            return colon[1] - '0';
        p = stop + 1;
    }
    return -1;
}

static int parse_i64(const char *p, apr_size_t len, int64_t *out)
{
    int64_t v = 0;
    apr_size_t i;

    if (len == 0 || len > 18)
        return 0;
    for (i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return 0;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return 1;
}

int fs_decision_decode(const char *state, fs_decision_t *d)
{
    fs_span_t f[STATE_FIELDS];
    const char *p = state;
    int64_t decided;
    int i;

    if (state == NULL || state[0] != '1' || state[1] != '|')
        return 0;
    p = state + 2;
    for (i = 0; i < STATE_FIELDS - 1; i++) {
        const char *bar = strchr(p, '|');
        if (bar == NULL)
            return 0;
        f[i].p = p;
        f[i].len = (apr_size_t)(bar - p);
        p = bar + 1;
    }
    f[i].p = p;
    f[i].len = strlen(p);
    if (!parse_i64(f[0].p, f[0].len, &decided) || !parse_i64(f[1].p, f[1].len, &d->revision))
        return 0;
    d->decided_at = apr_time_from_sec(decided);
    d->student = f[2];
    d->name = f[3];
    d->allowed = f[4];
    d->denied = f[5];
    d->allowed_numbers = f[6];
    return f[7].len == 0;
}

const char *fs_decision_encode(apr_pool_t *pool, const fs_decision_t *d)
{
    return apr_psprintf(pool, "1|%" APR_INT64_T_FMT "|%" APR_INT64_T_FMT "|%.*s|%.*s|%.*s|%.*s|%.*s|",
                        (apr_int64_t)apr_time_sec(d->decided_at), (apr_int64_t)d->revision, (int)d->student.len,
                        d->student.p, (int)d->name.len, d->name.p, (int)d->allowed.len, d->allowed.p,
                        (int)d->denied.len, d->denied.p, (int)d->allowed_numbers.len, d->allowed_numbers.p);
}

int fs_pupil_id_ok(const char *id)
{
    apr_size_t n = 0;

    for (; id && *id; id++, n++)
        if (!apr_isalnum(*id) && *id != '.' && *id != '_' && *id != '-')
            return 0;
    return n > 0 && n <= 64;
}

static fs_span_t span(const char *s)
{
    fs_span_t sp;

    sp.p = s ? s : "";
    sp.len = strlen(sp.p);
    return sp;
}

/* A name safe for the format and for a header: no separators, no control characters. */
static const char *clean_name(apr_pool_t *pool, const char *name)
{
    char *out, *q;

    if (name == NULL)
        return "";
    out = apr_pstrndup(pool, name, 200);
    for (q = out; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f || *q == '|')
            *q = ' ';
    return out;
}

/* --- the store's revision, per child ---------------------------------------------------------- */

static void forget_all(struct fs_authz_child *c)
{
    int i;

    for (i = 0; i < c->registers->nelts; i++)
        fst_regcache_clear(APR_ARRAY_IDX(c->registers, i, fst_regcache_t *));
}

/* The revision moved from `since` (or this child reads it for the first time): drop the register
 * answers the store says changed since (foresattctl follow / sync --apply record them), or all of
 * them when the store cannot tell. A store without the operation (ABI 1.1) keeps its old ways. */
static void forget_invalidated(request_rec *r, struct fs_authz_child *c, int first, int64_t since)
{
    const char **numbers;
    foresatt_status_t st;
    apr_size_t n;
    apr_pool_t *tmp;
    int i;

    if (c->registers->nelts == 0 || !fst_store_has_invalidations(c->store))
        return;
    if (first) {
        forget_all(c); /* what this child looked up before it knew the revision */
        return;
    }
    apr_pool_create(&tmp, r->pool);
    switch (fst_store_invalidations_since(c->store, since, tmp, &numbers, &n, &st)) {
    case FORESATT_OK:
        for (i = 0; i < c->registers->nelts; i++)
            fst_regcache_forget(APR_ARRAY_IDX(c->registers, i, fst_regcache_t *), numbers, n);
        if (n > 0)
            ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FSLOGNO(0547)
                          "the register changed %" APR_SIZE_T_FMT " person(s) the school holds: looked up again",
                          n);
        break;
    case FORESATT_NOT_FOUND: /* older than the store keeps */
        forget_all(c);
        break;
    default:
        forget_all(c);
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0548)
                      "the store's invalidations failed (%.*s): every cached register answer dropped",
                      (int)sizeof(st.message), st.message);
    }
    apr_pool_destroy(tmp);
}

static int store_revision(request_rec *r, struct fs_authz_child *c, apr_interval_time_t every, int64_t *rev)
{
    apr_time_t now = apr_time_now();
    apr_time_t at = (apr_time_t)apr_atomic_read64(&c->revision_read_at);
    foresatt_status_t st;
    int64_t fresh;

    if (at != 0 && now - at < every) {
        *rev = (int64_t)apr_atomic_read64(&c->revision);
        return 1;
    }
    /* Another thread is asking: its answer is at most one interval newer than ours. */
    if (at != 0 && apr_thread_mutex_trylock(c->revision_mutex) != APR_SUCCESS) {
        *rev = (int64_t)apr_atomic_read64(&c->revision);
        return 1;
    }
    if (at == 0)
        apr_thread_mutex_lock(c->revision_mutex);
    at = (apr_time_t)apr_atomic_read64(&c->revision_read_at);
    if (at != 0 && now - at < every) {
        apr_thread_mutex_unlock(c->revision_mutex);
        *rev = (int64_t)apr_atomic_read64(&c->revision);
        return 1;
    }
    switch (fst_store_revision(c->store, &fresh, &st)) {
    case FORESATT_OK:
    case FORESATT_NOT_FOUND: /* a store without revisions: re-check by time only */
        /* Before the new revision is published: a decision made with it must not read a cached
         * register answer the store has since invalidated. */
        if (!c->revision_known || (apr_uint64_t)fresh != apr_atomic_read64(&c->revision))
            forget_invalidated(r, c, !c->revision_known, (int64_t)apr_atomic_read64(&c->revision));
        c->revision_known = 1;
        apr_atomic_set64(&c->revision, (apr_uint64_t)fresh);
        apr_atomic_set64(&c->revision_read_at, (apr_uint64_t)now);
        apr_thread_mutex_unlock(c->revision_mutex);
        *rev = fresh;
        return 1;
    default:
        apr_thread_mutex_unlock(c->revision_mutex);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0510) "store revision failed: %.*s",
                      (int)sizeof(st.message), st.message);
        return 0;
    }
}

/* --- computing a decision --------------------------------------------------------------------- */

/* Through this child's register cache (registry.h); answers are copies in r->pool. */
static foresatt_result_t cache_lookup(void *ctx, const char *number, apr_pool_t *pool,
                                      const foresatt_person_t **person, foresatt_status_t *status)
{
    (void)pool;
    return fs_registry_lookup(ctx, number, person, status);
}

static fs_decide_result_t compute(request_rec *r, const fs_identity_t *id, struct fs_authz_child *c,
                                  fs_decision_t *d, unsigned *retry_after)
{
    fs_authz_conf_t *conf = fs_authz_conf(r->server);
    fst_access_backend_t backend;
    fst_access_error_t err;
    fst_access_t *a;
    apr_array_header_t *allowed = apr_array_make(r->pool, 4, sizeof(const char *));
    apr_array_header_t *numbers = apr_array_make(r->pool, 4, sizeof(const char *));
    apr_array_header_t *denied = apr_array_make(r->pool, 4, sizeof(const char *));
    int i, over_allowed = 0, over_denied = 0;

    memset(&backend, 0, sizeof(backend));
    backend.lookup = cache_lookup;
    backend.lookup_ctx = r;
    backend.store = c->store;
    backend.require_school_registration = conf->require_school_registration != 0;
    memset(&err, 0, sizeof(err));
    if (fst_access_decide(&backend, id->pid, apr_time_sec(r->request_time), r->pool, &a, &err) != FST_ACCESS_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0511) "cannot decide for %s: %s",
                      id->pseudonym ? id->pseudonym : "-", err.message ? err.message : "backend failed");
        *retry_after = err.retry_after;
        return FS_DECIDE_UNAVAILABLE;
    }
    for (i = 0; i < a->pupils->nelts; i++) {
        const fst_access_pupil_t *p = &APR_ARRAY_IDX(a->pupils, i, fst_access_pupil_t);

        if (!fs_pupil_id_ok(p->pupil_id)) {
            ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0512)
                          "pupil id with characters other than letters, digits, '.', '_' and '-' left out of "
                          "the decision; fix the roster");
            continue;
        }
        /* Each list has its own bound: refused registrations never crowd out an allowed pupil. */
        if (p->reason == FST_REASON_NONE) {
            if (allowed->nelts >= FS_AUTHZ_MAX_PUPILS) {
                over_allowed++;
                continue;
            }
            APR_ARRAY_PUSH(allowed, const char *) = p->pupil_id;
            if (conf->pass_numbers > 0)
                APR_ARRAY_PUSH(numbers, const char *) = p->number ? p->number : "";
        } else if (denied->nelts >= FS_AUTHZ_MAX_PUPILS) {
            over_denied++;
        } else {
            APR_ARRAY_PUSH(denied, const char *) = apr_psprintf(r->pool, "%s:%d", p->pupil_id, (int)p->reason);
        }
    }
    if (over_allowed > 0)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0514) "decision for %s: %d allowed pupil(s) past "
                      "the %d a decision carries are refused; check the roster for this guardian",
                      id->pseudonym ? id->pseudonym : "-", over_allowed, FS_AUTHZ_MAX_PUPILS);
    if (over_denied > 0)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0514) "decision for %s: %d refused pupil(s) past "
                      "the %d a decision carries are refused without a reason on the 403 page; check the roster",
                      id->pseudonym ? id->pseudonym : "-", over_denied, FS_AUTHZ_MAX_PUPILS);
    memset(d, 0, sizeof(*d));
    d->decided_at = r->request_time;
    d->revision = a->revision;
    d->student = span(a->as_student && a->as_student->enrollment == FORESATT_ENROLLMENT_ACTIVE &&
                              fs_pupil_id_ok(a->as_student->pupil_id)
                          ? a->as_student->pupil_id
                          : NULL);
    d->name = span(clean_name(r->pool, a->display_name ? a->display_name : id->name));
    d->allowed = span(apr_array_pstrcat(r->pool, allowed, ','));
    d->denied = span(apr_array_pstrcat(r->pool, denied, ','));
    d->allowed_numbers = span(apr_array_pstrcat(r->pool, numbers, ','));
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FSLOGNO(0513) "decided for %s: allowed [%s] denied [%s]%s",
                  id->pseudonym ? id->pseudonym : "-", d->allowed.p, d->denied.p,
                  d->student.len ? " (a pupil)" : "");
    return FS_DECIDE_OK;
}

/* --- the external identities' cache ------------------------------------------------------------ */

static const char *external_get(struct fs_authz_child *c, request_rec *r, const char *key)
{
    const char *state;

    apr_thread_mutex_lock(c->cache_mutex);
    state = apr_hash_get(c->cache, key, APR_HASH_KEY_STRING);
    if (state)
        state = apr_pstrdup(r->pool, state);
    apr_thread_mutex_unlock(c->cache_mutex);
    return state;
}

static void external_set(struct fs_authz_child *c, const char *key, const char *state)
{
    apr_thread_mutex_lock(c->cache_mutex);
    /* Bounded: a full cache starts over (decisions are re-made on demand). */
    if (c->cache_inserts >= EXTERNAL_CACHE_MAX) {
        apr_pool_clear(c->cache_pool);
        c->cache = apr_hash_make(c->cache_pool);
        c->cache_inserts = 0;
    }
    apr_hash_set(c->cache, apr_pstrdup(c->cache_pool, key), APR_HASH_KEY_STRING, apr_pstrdup(c->cache_pool, state));
    c->cache_inserts++;
    apr_thread_mutex_unlock(c->cache_mutex);
}

fs_authz_kept_t *fs_authz_kept(request_rec *r)
{
    const fs_authz_conf_t *conf = fs_authz_conf(r->server);
    apr_pool_t *pool;
    void **slot = fs_session_kept(r, &pool);
    fs_authz_kept_t *k;

    if (slot == NULL)
        return NULL;
    k = *slot;
    if (k == NULL || k->conf != conf) {
        /* the first request of this cookie on the connection, or another site's */
        *slot = k = apr_pcalloc(pool, sizeof(*k));
        k->conf = conf;
        k->pool = pool;
    }
    return k;
}

fs_decide_result_t fs_authz_decision(request_rec *r, const fs_identity_t *id, const fs_decision_t **out,
                                     unsigned *retry_after)
{
    fs_authz_conf_t *conf = fs_authz_conf(r->server);
    struct fs_authz_child *c = conf->child;
    fs_authz_kept_t *kept = NULL;
    fs_decision_t *d;
    const char *state, *key;
    int64_t rev;

    *out = NULL;
    *retry_after = 0;
    if (c == NULL || c->store == NULL || fs_registry_cache(r->server) == NULL)
        return FS_DECIDE_UNAVAILABLE;
    if (!store_revision(r, c, conf->revision_check, &rev))
        return FS_DECIDE_UNAVAILABLE;

    /* Virtual hosts sharing a store may decide differently (clause 2, numbers): key by both. */
    key = id->source == FS_IDENTITY_EXTERNAL
              ? apr_pstrcat(r->pool, id->pseudonym, conf->require_school_registration ? "|r" : "|-",
                            conf->pass_numbers > 0 ? "n" : "-", NULL)
              : NULL;
    state = key ? external_get(c, r, key) : id->authz_state;
    /* The session's decision is decoded once per cookie and connection (spans into its string). */
    if (key == NULL && state != NULL && (kept = fs_authz_kept(r)) != NULL) {
        d = &kept->decision;
        if (kept->state != state) {
            kept->state = fs_decision_decode(state, d) ? state : NULL;
            memset(kept->portal, 0, sizeof(kept->portal));
        }
        if (kept->state == NULL)
            d = apr_palloc(r->pool, sizeof(*d)); /* undecodable: decided again below */
    } else {
        d = apr_palloc(r->pool, sizeof(*d));
        if (state != NULL && !fs_decision_decode(state, d))
            state = NULL;
    }
    if (state != NULL && (kept == NULL || kept->state != NULL) && d->revision == rev &&
        r->request_time >= d->decided_at && r->request_time - d->decided_at < conf->recheck) {
        *out = d;
        return FS_DECIDE_OK;
    }
    if (d == (kept ? &kept->decision : NULL))
        d = apr_palloc(r->pool, sizeof(*d)); /* the kept one stays the cookie's */
    if (compute(r, id, c, d, retry_after) != FS_DECIDE_OK)
        return FS_DECIDE_UNAVAILABLE;
    state = fs_decision_encode(r->pool, d);
    if (key != NULL)
        external_set(c, key, state);
    else
        fs_identity_set_authz_state(r, state);
    *out = d;
    return FS_DECIDE_OK;
}

/* --- per child ---------------------------------------------------------------------------------- */

/* The audit log for the folders below this one (core's fs_audit_note): the login's refusals,
 * coalesced like the providers' entries. */
static void audit_note(request_rec *r, const char *actor, const char *action, const char *decision,
                       const char *reason)
{
    fs_audit_record(r, FORESATT_ROLE_GUARDIAN, actor, NULL, action, decision, reason, 1);
}

/* This server's audit writer in this child: shared with the servers on the same store that audit
 * with the same settings, its own when they differ (one server's ForesattAudit* never applies to
 * another's entries). */
static void audit_writer_for(apr_pool_t *pchild, apr_hash_t *writers, server_rec *sv, fs_server_conf_t *sconf)
{
    fs_authz_conf_t *conf = sconf->authz;
    const char *key;
    fs_audit_t *a;

    if (conf->audit == 0)
        return;
    key = apr_psprintf(pchild, "%pp|%d|%" APR_TIME_T_FMT "|%d", (void *)sconf->store, conf->audit_buffer,
                       conf->audit_flush, conf->audit_window);
    a = apr_hash_get(writers, key, APR_HASH_KEY_STRING);
    if (a == NULL) {
        apr_status_t rv = fs_audit_create(pchild, sv, sconf->store, conf, &a);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, sv, FSLOGNO(0515) "cannot start the audit writer: this process "
                         "refuses every request that needs an audit entry (503)");
            return;
        }
        apr_hash_set(writers, key, APR_HASH_KEY_STRING, a);
    }
    conf->audit_writer = a;
}

/* One state per store in each child: the revision, the external identities' decisions; and the
 * audit writers. Called from mod_foresatt.c's child_init after the plugins started. */
void fs_authz_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_hash_t *made = apr_hash_make(pchild), *writers = apr_hash_make(pchild);
    server_rec *sv;

    for (sv = s; sv; sv = sv->next) {
        fs_server_conf_t *sconf = fs_server_conf(sv);
        fs_authz_conf_t *conf = sconf->authz;
        struct fs_authz_child *c;

        if (sconf->store == NULL || sconf->store->instance == NULL)
            continue;
        sconf->audit_note = audit_note;
        c = apr_hash_get(made, &sconf->store, sizeof(sconf->store));
        if (c == NULL) {
            c = apr_pcalloc(pchild, sizeof(*c));
            c->store = sconf->store;
            apr_thread_mutex_create(&c->revision_mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
            apr_thread_mutex_create(&c->cache_mutex, APR_THREAD_MUTEX_DEFAULT, pchild);
            apr_pool_create(&c->cache_pool, pchild);
            c->cache = apr_hash_make(c->cache_pool);
            c->registers = apr_array_make(pchild, 1, sizeof(fst_regcache_t *));
            apr_hash_set(made, apr_pmemdup(pchild, &sconf->store, sizeof(sconf->store)), sizeof(sconf->store), c);
        }
        conf->child = c;
        audit_writer_for(pchild, writers, sv, sconf);
        if (fs_registry_cache(sv) != NULL) {
            int i;
            for (i = 0; i < c->registers->nelts; i++)
                if (APR_ARRAY_IDX(c->registers, i, fst_regcache_t *) == fs_registry_cache(sv))
                    break;
            if (i == c->registers->nelts)
                APR_ARRAY_PUSH(c->registers, fst_regcache_t *) = fs_registry_cache(sv);
        }
    }
}

void fs_authz_store_changed(const server_rec *s)
{
    fs_authz_conf_t *conf = fs_authz_conf(s);

    /* The next decision in this child reads the revision again instead of the one it holds. */
    if (conf->child != NULL)
        apr_atomic_set64(&conf->child->revision_read_at, 0);
}
