/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * session/: who a request comes from. fs_identity_t is the contract between authentication and
 * everything above it: our own login fills it from the session cookie; with `ForesattIdentity` it
 * comes from a trusted upstream instead (mod_auth_openidc's OIDC_CLAIM_pid, or a header set by a
 * trusted proxy).
 *
 *   config.c     the session's directives (ForesattCryptoPassphrase, ForesattSession*, cookies),
 *                keys derived once per configuration load, pseudonyms
 *   cookies.c    reading and writing our cookies
 *   identity.c   the session cookie -> fs_identity_t, idle extension, re-issue; the CSRF token
 *   ended.c      the shared-memory table of ended sessions (logouts, the OP's, used login states)
 *   external.c   ForesattIdentity: the person from mod_auth_openidc or a trusted proxy
 */
#ifndef FS_SESSION_IDENTITY_H
#define FS_SESSION_IDENTITY_H

#include <httpd.h>
#include <http_config.h>

#include "core/core.h"
#include "oidc/id_token.h"
#include "session/cookie_crypto.h"
#include "session/session.h"

/* A Set-Cookie line (name, value and attributes) must stay under this. */
#define FS_COOKIE_MAX 4000

/* --- who -------------------------------------------------------------------------------------- */

typedef enum fs_identity_source {
    FS_IDENTITY_SESSION = 1, /* our own login and session cookie */
    FS_IDENTITY_EXTERNAL = 2 /* ForesattIdentity: another module or a trusted proxy logged the user in */
} fs_identity_source_t;

typedef struct fs_identity {
    fs_identity_source_t source;
    const char *pid;        /* fødselsnummer / D-nummer from the ID token. Never log it. */
    const char *pseudonym;  /* keyed hash of pid: what logs, the audit log and REMOTE_USER show */
    const char *sub;        /* ID-porten's pairwise subject; NULL for external identities */
    const char *acr;        /* level of assurance the login met */
    const char *name;       /* display name when known, else NULL */
    const char *session_id; /* our random session id; NULL for external identities */
    const char *sid;        /* the OP's session id, for front-channel logout; may be NULL */
    apr_time_t authenticated_at;
    apr_time_t expires_at;  /* the session's absolute end */
    const char *authz_state; /* opaque to the session: the authorization's cached decision, or NULL */
} fs_identity_t;

/* The identity of this request, or NULL when nobody is logged in, from this virtual host's source
 * (ForesattIdentity) and only it: our session (the default; the cookie is decrypted at most once
 * per request), or the person another module or a trusted proxy logged in. */
const fs_identity_t *fs_identity_get(request_rec *r);

/* Why an external source gave no identity although it logged somebody in. */
typedef enum fs_identity_refusal {
    FS_IDENTITY_REFUSED_NONE = 0,
    FS_IDENTITY_REFUSED_LOW_ACR /* the login's level of assurance is below ForesattAcrValues (or unknown) */
} fs_identity_refusal_t;
/* For this request; *pseudonym (may be NULL) is the refused person's, for the log and REMOTE_USER. */
fs_identity_refusal_t fs_identity_refusal(request_rec *r, const char **pseudonym);

/* Replace the authorization state carried with the session. For our own sessions the session
 * cookie is re-issued on this response; for external identities the caller keeps its own cache. */
void fs_identity_set_authz_state(request_rec *r, const char *state);

/* What the folders above build once per session and connection (the portal's headers, the decoded
 * decision): a slot and the memory it lives in, both there as long as this keep-alive connection's
 * requests carry the same session cookie, or NULL (no session of ours, or this request changed
 * its authorization state). The slot starts NULL for each new cookie; whoever fills it checks
 * that what it holds is theirs for this server. */
void **fs_session_kept(request_rec *r, apr_pool_t **pool);

/* AuthType foresatt is this request's. */
int fs_auth_type_is_foresatt(request_rec *r);

/* --- our sessions (identity.c) ----------------------------------------------------------------- */

/* Seal and send the session cookie for this request (replacing one sent earlier in it). */
int fs_session_send(request_rec *r, const fst_session_t *session);
/* The session of this request as decoded (NULL when none); for logout and the forms. */
const fst_session_t *fs_session_current(request_rec *r);
/* Forget this request's session (after logout) and delete its cookie. */
void fs_session_drop(request_rec *r);
/* The session's CSRF token: random, made at login, carried inside the sealed session (no work per
 * request). Logout and the self-service forms take it; the portal gets it as
 * X-Foresatt-Logout-Token / FORESATT_LOGOUT_TOKEN (names kept from when logout was its only use). */
const char *fs_csrf_token(const fst_session_t *session);

/* --- configuration (config.c) ------------------------------------------------------------------ */

typedef enum fs_identity_mode {
    FS_IDENTITY_MODE_UNSET = 0,
    FS_IDENTITY_MODE_SESSION, /* our own login (the default) */
    FS_IDENTITY_MODE_ENV,     /* an environment variable another module set at login */
    FS_IDENTITY_MODE_HEADER   /* a header from a trusted proxy */
} fs_identity_mode_t;

typedef struct fs_ended_table fs_ended_table_t;

typedef struct fs_session_conf {
    /* --- directives (FS_UNSET / NULL: not given here; merged from the enclosing server) --- */
    const char *passphrase;       /* ForesattCryptoPassphrase <current> [previous] */
    const char *passphrase_previous;
    const char *pseudonym_secret; /* ForesattPseudonymSecret */
    int clock_skew;               /* ForesattClockSkew, seconds (token and session times) */
    int idle_timeout;             /* ForesattSessionIdleTimeout, seconds */
    int max_age;                  /* ForesattSessionMaxAge, seconds */
    int cookie_secure;            /* ForesattCookieSecure */
    const char *cookie_name;      /* ForesattCookieName */
    int ended_slots;              /* ForesattRevocationTableSize (main server only) */
    fs_identity_mode_t identity_mode; /* ForesattIdentity */
    const char *identity_source;  /* the variable or header name */
    const char *acr_source;       /* the variable or header with the level of assurance (acr=) */
    apr_array_header_t *trusted;  /* apr_ipsubnet_t *: proxies whose header is believed */
    fst_acr_level_t min_acr;      /* ForesattAcrValues: of every login, ours and external; */
    const char *acr_values;       /* FST_ACR_UNKNOWN / NULL: not given here */

    /* --- derived once per configuration load, read-only afterwards --- */
    int enabled;                  /* our own sessions: keys made (fs_session_keys) */
    fst_aead_t *aead;             /* seals every cookie */
    unsigned char pseudonym_key[FST_KEY_LEN];
    const char *aad_session, *aad_state, *aad_logout; /* binds cookies to kind, client and site */
    const char *cookie_session, *cookie_state_prefix, *cookie_logout; /* names with __Host-/__Secure- */
    const unsigned char *external_pseudonym_key; /* ForesattIdentity's (post_config) */
    fs_ended_table_t *ended;      /* post_config: shared by every server */
} fs_session_conf_t;

static inline fs_session_conf_t *fs_session_conf(const server_rec *s)
{
    return fs_server_conf(s)->session;
}

fs_session_conf_t *fs_session_conf_create(apr_pool_t *pool);
fs_session_conf_t *fs_session_conf_merge(apr_pool_t *pool, const fs_session_conf_t *base,
                                         const fs_session_conf_t *add);
/* Directive handlers (the table is in mod_foresatt.c). */
const char *fs_cmd_session_passphrase(cmd_parms *cmd, void *d, const char *current, const char *previous);
const char *fs_cmd_session_pseudonym_secret(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_session_int(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_session_cookie_secure(cmd_parms *cmd, void *d, int on);
const char *fs_cmd_session_cookie_name(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_session_acr_values(cmd_parms *cmd, void *d, const char *v);
const char *fs_cmd_identity(cmd_parms *cmd, void *d, const char *args);
/* Defaults for what no directive set, in every server. */
int fs_session_check_config(apr_pool_t *pconf, server_rec *s);
/* The keys, associated data and cookie names of a server whose login is configured (client_id
 * binds the cookies to it). NULL, or what is wrong with ForesattCryptoPassphrase. */
const char *fs_session_keys(apr_pool_t *pconf, server_rec *s, const char *client_id);
void fs_session_register_hooks(apr_pool_t *pool);
void fs_session_child_init(apr_pool_t *pchild, server_rec *s);

/* The pseudonym of a pid (the HMAC key is derived once). */
const char *fs_pseudonym(request_rec *r, const char *pid);

/* --- cookies (cookies.c) ----------------------------------------------------------------------- */

/* The value of cookie name in the request, or NULL. */
const char *fs_cookie_get(request_rec *r, const char *name);
/* Every cookie whose name starts with prefix: names and values. */
apr_array_header_t *fs_cookies_with_prefix(request_rec *r, const char *prefix, apr_array_header_t **values);
/* Add Set-Cookie (to err_headers_out, so it goes with any response). max_age < 0: a browser-session
 * cookie; 0: delete. Returns the line, or NULL when it would exceed FS_COOKIE_MAX. */
const char *fs_cookie_set(request_rec *r, const char *name, const char *value, const char *path, long max_age);
/* Remove a Set-Cookie line this request added earlier (so a re-issue replaces it). */
void fs_cookie_unset_line(request_rec *r, const char *line);

/* --- ended sessions (ended.c) ------------------------------------------------------------------ */

typedef enum fs_ended_result {
    FS_ENDED_RECORDED = 0, /* recorded until the time given, in every process */
    FS_ENDED_NO_TABLE,     /* this server has no table (no login configured anywhere): nothing recorded */
    FS_ENDED_LOCK_FAILED,  /* the writers' lock failed (logged): nothing recorded */
    FS_ENDED_ALREADY       /* fs_ended_add_once: key was recorded before; nothing changed */
} fs_ended_result_t;

/* Record key (a session id, an OP session's or a used login state's) as ended until `until`. */
fs_ended_result_t fs_ended_add(request_rec *r, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until);
/* The same in one step with "was it recorded before?" (single-use values such as a logout token's
 * jti): FS_ENDED_ALREADY when it was. */
fs_ended_result_t fs_ended_add_once(request_rec *r, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until);
/* The OP's sessions (the sid of its ID tokens and logout tokens): the key a session carries for
 * its OP session (fst_session_t.sid_key), made here only, so the login that records it and the
 * front- and back-channel logouts that end it always agree on it. */
void fs_ended_op_session_key(const char *issuer, const char *sid, unsigned char key[FST_REVOCATION_KEY_LEN]);
/* End every session of the OP session sid (front- and back-channel logout): recorded until the
 * longest session begun now could last. */
fs_ended_result_t fs_ended_op_session(request_rec *r, const char *issuer, const char *sid);

/* 1 when key is recorded. Times in Unix seconds. */
int fs_ended_has(const fs_session_conf_t *c, const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t now);
/* 1 when the session (or its OP session) ended server-side. */
int fs_session_ended(const fs_session_conf_t *c, const fst_session_t *session, int64_t now);
void fs_ended_pre_config(apr_pool_t *pconf);
int fs_ended_post_config(apr_pool_t *pconf, server_rec *s);
void fs_ended_child_init(apr_pool_t *pchild, server_rec *s);

/* --- ForesattIdentity (external.c) ------------------------------------------------------------- */

/* The person another module or a trusted proxy logged in, or NULL. */
const fs_identity_t *fs_identity_external_get(request_rec *r);
int fs_identity_external_check_config(apr_pool_t *pconf, server_rec *s);
void fs_identity_external_register_hooks(apr_pool_t *pool);

#endif
