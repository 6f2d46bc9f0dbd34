/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * login/: the login (OpenID Connect relying party for ID-porten) inside the httpd glue. The
 * protocol itself is in lib/oidc; the session it ends in is session/'s; these files only connect
 * them to requests.
 *
 *   config.c     directives, merge, checks at configtest; this site's URLs
 *   op_cache.c   the OP's discovery document and JWKS, cached per child, fetched with liboauth2
 *   authn.c      AuthType foresatt: the session's person, or a login (browsers) or a 401
 *   handlers.c   the login's URLs under the handler path (quick handler)
 *   start.c      start a login (redirect to the OP with a state cookie); return URLs checked
 *   callback.c   the redirect URI: finish a login
 *   logout.c     RP-initiated logout (POST or GET), front-channel and back-channel logout
 *   pages.c      the login's error and info pages
 */
#ifndef FS_LOGIN_H
#define FS_LOGIN_H

#include <httpd.h>
#include <http_config.h>

#include "core/core.h"
#include "oidc/client_assertion.h"
#include "oidc/discovery.h"
#include "oidc/end_session.h"
#include "oidc/id_token.h"
#include "oidc/jwks.h"
#include "oidc/token.h"
#include "session/identity.h"

typedef struct fs_op_cache fs_op_cache_t;

/* How the authorization request reaches the OP. */
typedef enum fs_auth_request_mode {
    FS_AUTH_REQUEST_REDIRECT = 0, /* in the browser's URL (pushed anyway when the OP requires PAR) */
    FS_AUTH_REQUEST_PAR = 1       /* pushed (RFC 9126); the browser carries client_id and request_uri */
} fs_auth_request_mode_t;

typedef struct fs_login_conf {
    /* --- directives (FS_UNSET / NULL: not given here; merged from the enclosing server) --- */
    const char *metadata_url;     /* ForesattProviderMetadataURL */
    const char *issuer;           /* ForesattProviderIssuer; default: derived from the metadata URL */
    const char *client_id;        /* ForesattClientID */
    const char *client_secret;    /* ForesattClientSecret */
    fst_client_auth_t client_auth; /* ForesattClientAuth; FST_CLIENT_AUTH_UNKNOWN: not given */
    const char *client_key_path;  /* ForesattClientKey <path> [kid] */
    const char *client_key_kid;
    const char *redirect_uri;     /* ForesattRedirectURI: path or absolute URL */
    const char *handler_path;     /* ForesattHandlerPath, ends with '/' */
    const char *scope;            /* ForesattScope */
    const char *ui_locales;       /* ForesattUILocales */
    const char *prompt;           /* ForesattPrompt: "login" or NULL */
    int prompt_set;
    int state_timeout;            /* ForesattStateTimeout, seconds */
    int state_max;                /* ForesattStateCookies: logins in flight per browser */
    apr_array_header_t *post_logout_uris; /* ForesattPostLogoutRedirectURI, the first is the default */
    int op_timeout;               /* ForesattOPTimeout, seconds */
    int refresh_interval;         /* ForesattProviderRefresh, seconds */
    int jwks_refetch_interval;    /* ForesattJWKSRefetchInterval, seconds */
    int auth_request;             /* ForesattAuthorizationRequest (fs_auth_request_mode_t) */
    int end_session_method;       /* ForesattEndSessionMethod (fst_end_session_method_t) */

    /* --- derived once per configuration load (check_config), read-only afterwards --- */
    int enabled;                  /* this server logs people in */
    fst_client_key_t *client_key;
    size_t handler_path_len;      /* strlen(handler_path) */
    const char *www_authenticate; /* the 401's WWW-Authenticate */
    const char *redirect_path;    /* the path part of redirect_uri */
    const char *redirect_origin;  /* origin of an absolute redirect_uri, else NULL (from ServerName) */

    /* --- per child (child_init) --- */
    fs_op_cache_t *op;
} fs_login_conf_t;

static inline fs_login_conf_t *fs_login_conf(const server_rec *s)
{
    return fs_server_conf(s)->login;
}

/* config.c */
fs_login_conf_t *fs_login_conf_create(apr_pool_t *pool);
fs_login_conf_t *fs_login_conf_merge(apr_pool_t *pool, const fs_login_conf_t *base, const fs_login_conf_t *add);
int fs_login_check_config(apr_pool_t *pconf, server_rec *s);
void fs_login_child_init(apr_pool_t *pchild, server_rec *s);
void fs_login_register_hooks(apr_pool_t *pool);

/* Directive handlers (the table is in mod_foresatt.c). */
const char *fs_cmd_login_metadata_url(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_issuer(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_client_id(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_client_secret(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_client_auth(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_client_key(cmd_parms *cmd, void *d, const char *path, const char *kid);
const char *fs_cmd_login_redirect_uri(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_handler_path(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_scope(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_ui_locales(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_prompt(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_int(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_post_logout(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_auth_request(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_login_end_session_method(cmd_parms *cmd, void *d, const char *v);

/* This site's origin for same-origin checks and absolute URLs: from an absolute redirect URI,
 * else scheme, ServerName and port. Never from Host or X-Forwarded-*. */
const char *fs_own_origin(request_rec *r);
/* path (starting with '/') on this site as an absolute URL. */
const char *fs_absolute_url(request_rec *r, const char *path);
/* The redirect URI sent to the OP (absolute). */
const char *fs_redirect_uri(request_rec *r);

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

typedef enum fs_op_http_result {
    FS_OP_HTTP_OK = 0,  /* got an answer (any status) */
    FS_OP_HTTP_FAILED   /* no answer: refused, timed out, too large */
} fs_op_http_result_t;
/* One call to the OP through liboauth2. form NULL: GET. basic_auth: an Authorization value or NULL. */
fs_op_http_result_t fs_op_http(request_rec *r, const char *url, const char *form, const char *basic_auth, char **body,
                               size_t *len, int *status);
void fs_op_cache_child_init(apr_pool_t *pchild, server_rec *s);
/* post_config: libcurl's global setup, once per process. */
void fs_op_global_init(apr_pool_t *pproc);

/* start.c: send the browser to the OP. return_url must already be checked. Returns the HTTP
 * status to answer with (302, or 503 when the OP is unreachable). */
int fs_login_start(request_rec *r, const char *return_url);
/* The same with the page's language given (<handler>login?lang=), else from Accept-Language. */
int fs_login_start_lang(request_rec *r, const char *return_url, const char *lang);
/* ui_locales for the OP: the language of this request's pages first (lang, else Accept-Language),
 * then ForesattUILocales; ForesattUILocales alone when the browser states no language. */
const char *fs_ui_locales(request_rec *r, const char *lang);
/* A checked return URL, or NULL: path or same-origin absolute URL, every trick refused. */
const char *fs_return_url_checked(request_rec *r, const char *url);

/* The login's URLs (handlers.c dispatches): start.c, callback.c, logout.c */
int fs_handle_login(request_rec *r);
int fs_handle_callback(request_rec *r);
int fs_handle_logout(request_rec *r);
int fs_handle_frontchannel_logout(request_rec *r);
int fs_handle_backchannel_logout(request_rec *r);

/* handlers.c, authn.c */
void fs_handlers_register_hooks(apr_pool_t *pool);
/* r->handler of the module's own URLs. */
#define FS_OWN_HANDLER "foresatt"
/* Claim r for one of the module's own URLs (translate_name): no file, and no rule that needs a
 * logged-in user (they are where the user logs in); the handlers answer it. */
void fs_own_url_mark(request_rec *r);
/* r is for one of the module's own URLs. */
int fs_own_url(const request_rec *r);
void fs_authn_register_hooks(apr_pool_t *pool);

/* pages.c */
typedef struct fs_login_page {
    const char *title_nb, *text_nb; /* Norwegian bokmål; ASCII with HTML entities, or plain text */
    const char *title_en, *text_en;
    const char *link_href, *link_nb, *link_en; /* an optional link (e.g. "log in again") */
    const char *detail;             /* an optional detail shown escaped (e.g. the OP's error code) */
} fs_login_page_t;

/* The security headers of the login's pages and redirects (no-store, nosniff, no referrer, a CSP
 * with inline styles only); frame_ancestors NULL: no framing. */
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
