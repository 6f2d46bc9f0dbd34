/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The login (OpenID Connect relying party for ID-porten) inside the httpd glue: its configuration,
 * and the functions its files share. The protocol itself is in lib/oidc and lib/session; these
 * files only connect it to requests.
 *
 *   login/config.c         directives, merge, checks at configtest, keys derived once per process
 *   op_cache.c            the OP's discovery document and JWKS, cached per child, fetched with liboauth2
 *   session/ended.c      the shared-memory table of ended sessions
 *   cookies.c             reading and writing our cookies
 *   identity.c            the session cookie -> fs_identity_t (identity.h), idle extension
 *   authn.c               AuthType foresatt, identity headers/env for the backend, no-store
 *   handlers.c            the handler path: dispatch (quick handler)
 *   login/start.c        start a login (redirect to the OP with a state cookie)
 *   login/callback.c     the redirect URI: finish a login
 *   login/logout.c       RP-initiated logout and front-channel logout
 *   pages.c               the error and info pages
 */
#ifndef FS_OIDC_H
#define FS_OIDC_H

#include <apr_thread_mutex.h>
#include <httpd.h>
#include <http_config.h>

#include "core/core.h"
#include "oidc/client_assertion.h"
#include "oidc/discovery.h"
#include "oidc/id_token.h"
#include "oidc/jwks.h"
#include "oidc/token.h"
#include "session/cookie_crypto.h"
#include "session/session.h"

#define FS_UNSET -1

/* Pass identity to the backend as request headers, environment variables, or both. */
#define FS_PASS_HEADERS 1
#define FS_PASS_ENV 2

/* What the backend is told, by index into fs_oidc_conf_t's pass_header / pass_env. */
enum { FS_PASS_USER, FS_PASS_ACR, FS_PASS_NAME, FS_PASS_NUMBER, FS_PASS_LOGOUT_TOKEN, FS_PASS_FIELDS };

/* A Set-Cookie line (name, value and attributes) must stay under this. */
#define FS_COOKIE_MAX 4000

typedef struct fs_op_cache fs_op_cache_t;
typedef struct fs_revocation_store fs_revocation_store_t;

typedef struct fs_oidc_conf {
    /* --- directives (FS_UNSET / NULL: not given here; merged from the enclosing server) --- */
    const char *metadata_url;     /* ForesattProviderMetadataURL */
    const char *issuer;           /* ForesattProviderIssuer; default: derived from the metadata URL */
    const char *client_id;        /* ForesattClientID */
    const char *client_secret;    /* ForesattClientSecret */
    int client_auth;              /* ForesattClientAuth (fst_client_auth_t) */
    const char *client_key_path;  /* ForesattClientKey <path> [kid] */
    const char *client_key_kid;
    const char *redirect_uri;     /* ForesattRedirectURI: path or absolute URL */
    const char *passphrase;       /* ForesattCryptoPassphrase <current> [previous] */
    const char *passphrase_previous;
    const char *pseudonym_secret; /* ForesattPseudonymSecret */
    int min_acr;                  /* ForesattAcrValues (fst_acr_level_t) */
    const char *acr_values;
    const char *handler_path;     /* ForesattHandlerPath, ends with '/' */
    const char *scope;            /* ForesattScope */
    const char *ui_locales;       /* ForesattUILocales */
    const char *prompt;           /* ForesattPrompt: "login" or NULL */
    int prompt_set;
    int clock_skew;               /* ForesattClockSkew, seconds */
    int idle_timeout;             /* ForesattSessionIdleTimeout, seconds */
    int max_age;                  /* ForesattSessionMaxAge, seconds */
    int state_timeout;            /* ForesattStateTimeout, seconds */
    int state_max;                /* ForesattStateCookies: logins in flight per browser */
    int cookie_secure;            /* ForesattCookieSecure */
    const char *cookie_name;      /* ForesattCookieName */
    apr_array_header_t *post_logout_uris; /* ForesattPostLogoutRedirectURI, the first is the default */
    int op_timeout;               /* ForesattOPTimeout, seconds */
    int refresh_interval;         /* ForesattProviderRefresh, seconds */
    int jwks_refetch_interval;    /* ForesattJWKSRefetchInterval, seconds */
    const char *header_prefix;    /* ForesattHeaderPrefix */
    int pass_identity;            /* ForesattPassIdentity: FS_PASS_* bits */
    int revocation_slots;         /* ForesattRevocationTableSize (main server only) */

    /* --- derived once per configuration load (check_config), read-only afterwards --- */
    int enabled;                  /* this server logs people in */
    fst_aead_t *aead;             /* seals every cookie */
    unsigned char pseudonym_key[FST_KEY_LEN];
    fst_client_key_t *client_key;
    size_t handler_path_len;      /* strlen(handler_path) */
    const char *www_authenticate; /* the 401's WWW-Authenticate (authn.c) */
    const char *redirect_path;    /* the path part of redirect_uri */
    const char *redirect_origin;  /* origin of an absolute redirect_uri, else NULL (from ServerName) */
    const char *aad_session, *aad_state, *aad_logout; /* binds cookies to kind, client and site */
    const char *cookie_session, *cookie_state_prefix, *cookie_logout; /* names with __Host-/__Secure- */
    const char *env_prefix;       /* FORESATT_ */
    const char *pass_header[FS_PASS_FIELDS]; /* X-Foresatt-User, ... (names fixed here, not per request) */
    const char *pass_env[FS_PASS_FIELDS];    /* FORESATT_USER, ... */
    struct ap_filter_rec_t *no_store_filter; /* authn.c's output filter, looked up once */
    const char *scrub_prefix;     /* header_prefix, normalised (headers.c) */
    const apr_array_header_t *scrub_names, *scrub_keep;

    fs_revocation_store_t *revocation; /* post_config: shared by every server */

    /* --- per child (child_init) --- */
    fs_op_cache_t *op;
} fs_oidc_conf_t;

static inline fs_oidc_conf_t *fs_oidc_conf(const server_rec *s)
{
    return fs_server_conf(s)->oidc;
}

/* login/config.c */
fs_oidc_conf_t *fs_oidc_conf_create(apr_pool_t *pool);
fs_oidc_conf_t *fs_oidc_conf_merge(apr_pool_t *pool, const fs_oidc_conf_t *base, const fs_oidc_conf_t *add);
int fs_oidc_check_config(apr_pool_t *pconf, server_rec *s);
void fs_oidc_child_init(apr_pool_t *pchild, server_rec *s);
void fs_oidc_register_hooks(apr_pool_t *pool);

/* Directive handlers (the table is in mod_foresatt.c). */
const char *fs_cmd_oidc_metadata_url(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_issuer(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_client_id(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_client_secret(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_client_auth(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_client_key(cmd_parms *cmd, void *d, const char *path, const char *kid);
const char *fs_cmd_oidc_redirect_uri(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_passphrase(cmd_parms *cmd, void *d, const char *current, const char *previous);
const char *fs_cmd_oidc_pseudonym_secret(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_acr_values(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_handler_path(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_scope(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_ui_locales(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_prompt(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_int(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_flag(cmd_parms *cmd, void *d, int on);
const char *fs_cmd_oidc_cookie_name(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_post_logout(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_header_prefix(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_oidc_pass_identity(cmd_parms *cmd, void *d, const char *v);

/* This site's origin for same-origin checks and absolute URLs: from an absolute redirect URI,
 * else scheme, ServerName and port. Never from Host or X-Forwarded-*. */
const char *fs_own_origin(request_rec *r);
/* path (starting with '/') on this site as an absolute URL. */
const char *fs_absolute_url(request_rec *r, const char *path);
/* The redirect URI sent to the OP (absolute). */
const char *fs_redirect_uri(request_rec *r);
/* The pseudonym of a pid (the HMAC key is derived once). */
const char *fs_pseudonym(request_rec *r, const char *pid);

/* op_cache.c: the OP's metadata, per child. A snapshot stays valid until the request ends. */
typedef struct fs_op {
    fst_discovery_t discovery;
    fst_jwks_t *jwks;
    apr_time_t fetched;
} fs_op_t;

/* The current metadata (fetched when missing or due; a stale copy while the OP is unreachable).
 * NULL with *err when there is none. */
const fs_op_t *fs_op_get(request_rec *r, const char **err);
/* After an unknown kid: the JWKS fetched again, at most once per ForesattJWKSRefetchInterval per
 * child. NULL when rate-limited or the fetch failed. */
const fs_op_t *fs_op_refetch_jwks(request_rec *r, const fs_op_t *stale, const char **err);

typedef enum fs_http_result {
    FS_HTTP_OK = 0,  /* got an answer (any status) */
    FS_HTTP_FAILED   /* no answer: refused, timed out, too large */
} fs_http_result_t;
/* One call to the OP through liboauth2. form NULL: GET. basic_auth: an Authorization value or NULL. */
fs_http_result_t fs_op_http(request_rec *r, const char *url, const char *form, const char *basic_auth, char **body,
                            size_t *len, int *status);
void fs_op_cache_child_init(apr_pool_t *pchild, server_rec *s);
/* post_config: libcurl's global setup, once per process. */
void fs_op_global_init(apr_pool_t *pproc);

/* session/ended.c */
int fs_revocation_post_config(apr_pool_t *pconf, server_rec *s);
void fs_revocation_child_init(apr_pool_t *pchild, server_rec *s);
void fs_revocation_pre_config(apr_pool_t *pconf);
/* 1 when the session (or its OP session) ended server-side. Times in Unix seconds. */
int fs_revoked(const fs_oidc_conf_t *c, const fst_session_t *session, int64_t now);
/* End key until `until`. Returns 0 when the table is not available. */
int fs_revoke(request_rec *r, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until);
/* 1 when key is recorded (used login states). */
int fs_revocation_contains_key(const fs_oidc_conf_t *c, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t now);

/* cookies.c */
/* The value of cookie name in the request, or NULL. */
const char *fs_cookie_get(request_rec *r, const char *name);
/* Every cookie whose name starts with prefix: names and values. */
apr_array_header_t *fs_cookies_with_prefix(request_rec *r, const char *prefix, apr_array_header_t **values);
/* Add Set-Cookie (to err_headers_out, so it goes with any response). max_age < 0: a browser-session
 * cookie; 0: delete. Returns the line, or NULL when it would exceed FS_COOKIE_MAX. */
const char *fs_cookie_set(request_rec *r, const char *name, const char *value, const char *path, long max_age);
/* Remove a Set-Cookie line this request added earlier (so a re-issue replaces it). */
void fs_cookie_unset_line(request_rec *r, const char *line);

/* identity.c */
/* Seal and send the session cookie for this request (replacing one sent earlier in it). */
int fs_session_send(request_rec *r, const fst_session_t *session);
/* The session of this request as decoded (NULL when none); for logout. */
const fst_session_t *fs_session_current(request_rec *r);
/* Forget this request's session (after logout) and delete its cookie. */
void fs_session_drop(request_rec *r);
/* The session's CSRF token: random, made at login, carried inside the sealed session (no work per
 * request). Logout and the self-service forms take it (the portal gets it as X-Foresatt-Logout-Token /
 * FORESATT_LOGOUT_TOKEN). */
const char *fs_csrf_token(request_rec *r, const fst_session_t *session);

/* login/start.c: send the browser to the OP. return_url must already be checked. Returns the
 * HTTP status to answer with (302, or 503 when the OP is unreachable). */
int fs_login_start(request_rec *r, const char *return_url);
/* A checked return URL, or NULL: path or same-origin absolute URL, every trick refused. */
const char *fs_return_url_checked(request_rec *r, const char *url);

/* login/callback.c, login/logout.c */
int fs_handle_callback(request_rec *r);
int fs_handle_login(request_rec *r);
int fs_handle_logout(request_rec *r);
int fs_handle_frontchannel_logout(request_rec *r);

/* handlers.c */
void fs_handlers_register_hooks(apr_pool_t *pool);
/* Parse the query string into a table (names and values decoded; NULL values for bad escapes).
 * Returns NULL when the query is malformed or too long. */
apr_table_t *fs_query_params(request_rec *r, const char *query);
/* The request body of a form POST (bounded), parsed; NULL with *status when refused. */
apr_table_t *fs_form_params(request_rec *r, int *status);

/* authn.c */
void fs_authn_register_hooks(apr_pool_t *pool);
struct ap_filter_rec_t *fs_authn_no_store_filter(void);

/* pages.c */
typedef struct fs_login_page {
    const char *title_nb, *text_nb; /* Norwegian bokmål; ASCII with HTML entities, or plain text */
    const char *title_en, *text_en;
    const char *link_href, *link_nb, *link_en; /* an optional link (e.g. "log in again") */
    const char *detail;             /* an optional detail shown escaped (e.g. the OP's error code) */
} fs_login_page_t;

/* Security headers for pages and redirects: no-store, nosniff, CSP, no referrer. */
void fs_page_headers(request_rec *r, const char *frame_ancestors);
/* Write a page as the response (handlers). Returns OK. */
int fs_page_send(request_rec *r, int status, const fs_login_page_t *page);
/* Arrange for a page as the error document of status (hooks). Returns status. */
int fs_page_error(request_rec *r, int status, const fs_login_page_t *page);
/* The HTML of a page. */
const char *fs_page_html(request_rec *r, const fs_login_page_t *page);

extern const fs_login_page_t fs_page_op_unavailable;
extern const fs_login_page_t fs_page_login_failed;
extern const fs_login_page_t fs_page_state_invalid;
extern const fs_login_page_t fs_page_bad_request;
extern const fs_login_page_t fs_page_not_found;

#endif
