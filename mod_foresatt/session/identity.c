/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Who a request comes from (identity.h), for our own sessions: the session cookie is opened at
 * most once per request (sub-requests and internal redirects reuse the first answer), checked
 * against its idle and absolute ends and the shared table of ended sessions, and re-issued only
 * when a quarter of the idle window has passed or the authorization state changed. That is the
 * whole per-request cost: one decrypt and one lookup, and on a keep-alive connection that sends the
 * same cookie again, a comparison with the cookie it opened last instead of the decrypt.
 *
 * fs_identity_get() asks the virtual host's one source of identity (ForesattIdentity): our session,
 * or another module or a trusted proxy (external.c). A session cookie of ours is nobody where
 * another module logs in, and a proxy's header nobody where our login does.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_core.h>

#include "encoding.h"
#include "session/identity.h"

APLOG_USE_MODULE(foresatt);

/* What one request knows about its identity: kept with the initial request (fs_request_t), which
 * its subrequests and internal redirects reach explicitly. */
typedef struct fs_request_identity {
    int resolved;
    const fs_identity_t *identity; /* NULL: nobody */
    fs_identity_t session_identity;
    fst_session_t session;         /* our session, decoded (when identity is ours) */
    int has_session;
    const char *cookie_line;       /* the Set-Cookie this request sent, if any */
    struct connection_session *conn; /* the connection's remembered session it was opened from */
    int state_replaced;            /* this request changed the session's authorization state */
} request_identity_t;

static request_rec *initial_request(request_rec *r)
{
    return fs_request_initial(r);
}

static request_identity_t *request_identity(request_rec *r)
{
    fs_request_t *q = fs_request(initial_request(r));

    if (q->identity == NULL)
        q->identity = apr_pcalloc(initial_request(r)->pool, sizeof(*q->identity));
    return q->identity;
}

/* What a keep-alive connection remembers between its requests (one at a time): the opener keyed
 * with this site's keys, and the last session cookie that opened, decoded. The same cookie again
 * (every request until it is re-issued) skips base64, AES-GCM and the record parse; its times and
 * the table of ended sessions are still checked on every request. */
typedef struct connection_session {
    fst_aead_opener_t *opener;
    apr_pool_t *opener_pool;       /* the opener's; cleared when the connection changes site */
    const fs_session_conf_t *conf; /* whose keys and associated data opened the cookie */
    apr_pool_t *pool;           /* the cookie and the session's strings; cleared for the next one */
    char *cookie;
    size_t cookie_len;
    fst_session_t session;
    int key_index;
    const char *session_id;     /* session.id in base64url, made once */
    void *kept;                 /* the folders above's, in pool, for this cookie (fs_session_kept) */
} connection_session_t;

static connection_session_t *connection_session(request_rec *r, const fs_session_conf_t *c)
{
    connection_session_t *cs = NULL;

    cs = ap_get_module_config(r->connection->conn_config, &foresatt_module);
    if (cs == NULL) {
        cs = apr_pcalloc(r->connection->pool, sizeof(*cs));
        ap_set_module_config(r->connection->conn_config, &foresatt_module, cs);
    }
    if (cs->conf != c) {
        /* First request, or another virtual host on this connection: nothing remembered holds, and
         * the other site's opener goes (a connection switching sites must not pile them up). */
        if (cs->opener_pool == NULL && apr_pool_create(&cs->opener_pool, r->connection->pool) != APR_SUCCESS)
            cs->opener_pool = NULL;
        if (cs->opener_pool != NULL)
            apr_pool_clear(cs->opener_pool);
        cs->opener = cs->opener_pool ? fst_aead_opener_create(c->aead, cs->opener_pool) : NULL;
        cs->conf = cs->opener ? c : NULL; /* no opener (out of memory): the plain way, tried again next time */
        cs->cookie = NULL;
        cs->cookie_len = 0;
        cs->kept = NULL;
    }
    return cs;
}

/* Open the cookie with the connection's opener and decode it, remembered on the connection. */
static int open_remembered(request_rec *r, const fs_session_conf_t *c, connection_session_t *cs, const char *cookie,
                           size_t len, fst_session_t *out, int *key_index)
{
    unsigned char *plain;
    size_t plain_len;

    if (cs->cookie != NULL && cs->opener != NULL && cs->cookie_len == len && memcmp(cs->cookie, cookie, len) == 0) {
        *out = cs->session;
        *key_index = cs->key_index;
        return 1;
    }
    cs->cookie = NULL;
    cs->kept = NULL;
    if (cs->pool == NULL && apr_pool_create(&cs->pool, r->connection->pool) != APR_SUCCESS)
        return 0;
    apr_pool_clear(cs->pool);
    if ((cs->opener ? fst_aead_opener_open(cs->opener, r->pool, c->aad_session, cookie, len, &plain, &plain_len,
                                           key_index)
                    : fst_aead_open(c->aead, r->pool, c->aad_session, cookie, len, &plain, &plain_len, key_index)) !=
            FST_AEAD_OK ||
        !fst_session_decode(cs->pool, plain, plain_len, &cs->session))
        return 0;
    cs->session_id = fst_b64url_encode(cs->pool, cs->session.id, sizeof(cs->session.id));
    cs->cookie = apr_pmemdup(cs->pool, cookie, len);
    cs->cookie_len = len;
    cs->key_index = *key_index;
    *out = cs->session;
    return 1;
}

static void delete_session_cookie(request_rec *r)
{
    const fs_session_conf_t *c = fs_session_conf(r->server);

    fs_cookie_set(initial_request(r), c->cookie_session, "", "/", 0);
}

/* Open and check the session cookie. 1 with ri->session filled, or 0 (no session). */
static int open_session(request_rec *r, request_identity_t *ri)
{
    const fs_session_conf_t *c = fs_session_conf(r->server);
    const char *cookie = fs_cookie_get(r, c->cookie_session);
    int64_t now = apr_time_sec(r->request_time);
    int key_index = 0;
    fst_session_time_t t;
    connection_session_t *cs;

    if (cookie == NULL || *cookie == '\0')
        return 0;
    cs = connection_session(r, c);
    if (!open_remembered(r, c, cs, cookie, strlen(cookie), &ri->session, &key_index)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0130) "session cookie refused: it does not open with "
                      "this site's keys (tampered, truncated, another site's or an old passphrase's)");
        delete_session_cookie(r);
        return 0;
    }
    t = fst_session_check_time(&ri->session, now, c->clock_skew);
    if (t != FST_SESSION_LIVE) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0131) "session of %s ended: %s", ri->session.pseudonym,
                      fst_session_time_text(t));
        delete_session_cookie(r);
        return 0;
    }
    if (fs_session_ended(c, &ri->session, now)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0132) "session of %s ended: logged out",
                      ri->session.pseudonym);
        delete_session_cookie(r);
        return 0;
    }
    ri->conn = cs;
    /* Activity moves the idle deadline; an old passphrase's cookie is resealed with the new one. */
    if (fst_session_touch(&ri->session, now, c->idle_timeout) || key_index != 0)
        fs_session_send(r, &ri->session);
    return 1;
}

static void fill_identity(request_identity_t *ri)
{
    fs_identity_t *id = &ri->session_identity;
    const fst_session_t *s = &ri->session;

    id->source = FS_IDENTITY_SESSION;
    id->pid = s->pid;
    id->pseudonym = s->pseudonym;
    id->sub = s->sub;
    id->acr = s->acr;
    id->name = s->name;
    id->sid = s->sid;
    id->authenticated_at = apr_time_from_sec(s->auth_time);
    id->expires_at = apr_time_from_sec(s->expires);
    id->authz_state = s->authz_state;
}

/* Source: our own session cookie. */
static const fs_identity_t *identity_from_session(request_rec *r, request_identity_t *ri)
{
    if (!fs_session_conf(r->server)->enabled || !open_session(r, ri))
        return NULL;
    ri->has_session = 1;
    fill_identity(ri);
    ri->session_identity.session_id = ri->conn->session_id;
    return &ri->session_identity;
}

const fs_identity_t *fs_identity_get(request_rec *r)
{
    fs_identity_mode_t mode = fs_session_conf(r->server)->identity_mode;
    request_identity_t *ri;

    /* Not cached here: an external identity may appear later in the request (after another
     * module's authentication); external.c keeps its own cache. */
    if (mode == FS_IDENTITY_MODE_ENV || mode == FS_IDENTITY_MODE_HEADER)
        return fs_identity_external_get(r);
    ri = request_identity(r);
    if (!ri->resolved) {
        ri->resolved = 1;
        ri->identity = identity_from_session(initial_request(r), ri);
    }
    return ri->identity;
}

void fs_identity_set_authz_state(request_rec *r, const char *state)
{
    request_identity_t *ri = request_identity(r);

    if (!ri->resolved || !ri->has_session || ri->identity != &ri->session_identity)
        return;
    ri->state_replaced = 1;
    ri->session.authz_state = state ? apr_pstrdup(initial_request(r)->pool, state) : NULL;
    ri->session_identity.authz_state = ri->session.authz_state;
    if (!fs_session_send(r, &ri->session))
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0133) "the authorization state (%lu bytes) does not "
                      "fit in the session cookie; it is not kept", (unsigned long)(state ? strlen(state) : 0));
}

int fs_session_send(request_rec *r, const fst_session_t *session)
{
    const fs_session_conf_t *c = fs_session_conf(r->server);
    request_rec *root = initial_request(r);
    request_identity_t *ri = request_identity(r);
    unsigned char *plain;
    size_t len;
    const char *sealed, *line;

    if ((plain = fst_session_encode(root->pool, session, &len)) == NULL)
        return 0;
    sealed = fst_aead_seal(c->aead, root->pool, c->aad_session, plain, len);
    if (sealed == NULL)
        return 0;
    if (strlen(sealed) + strlen(c->cookie_session) + 80 > FS_COOKIE_MAX)
        return 0;
    fs_cookie_unset_line(root, ri->cookie_line);
    line = fs_cookie_set(root, c->cookie_session, sealed, "/", -1);
    ri->cookie_line = line;
    return line != NULL;
}

const fst_session_t *fs_session_current(request_rec *r)
{
    request_identity_t *ri = request_identity(r);

    fs_identity_get(r);
    return ri->has_session ? &ri->session : NULL;
}

void fs_session_drop(request_rec *r)
{
    request_identity_t *ri = request_identity(r);
    request_rec *root = initial_request(r);

    fs_cookie_unset_line(root, ri->cookie_line);
    ri->cookie_line = NULL;
    ri->resolved = 1;
    ri->identity = NULL;
    ri->has_session = 0;
    ri->conn = NULL;
    delete_session_cookie(r);
}

void **fs_session_kept(request_rec *r, apr_pool_t **pool)
{
    request_identity_t *ri = request_identity(r);

    if (!ri->resolved || !ri->has_session || ri->conn == NULL || ri->state_replaced || ri->conn->cookie == NULL)
        return NULL;
    *pool = ri->conn->pool;
    return &ri->conn->kept;
}

const char *fs_csrf_token(const fst_session_t *session)
{
    return session->csrf_token;
}

int fs_auth_type_is_foresatt(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return type != NULL && strcasecmp(type, "foresatt") == 0;
}
