/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the session cookie carries, and the rules of its life: an absolute end set at login, and an
 * idle deadline that moves with activity. The cookie is re-issued only when a quarter of the idle
 * window has passed since it was last issued, so most requests send no Set-Cookie at all, and the
 * idle timeout is honoured to within that quarter.
 */
#ifndef FST_SESSION_H
#define FST_SESSION_H

#include <stdint.h>
#include <apr_pools.h>

#define FST_SESSION_ID_LEN 16
#define FST_REVOCATION_KEY_LEN 16

typedef struct fst_session {
    unsigned char id[FST_SESSION_ID_LEN];       /* random, new at every login */
    unsigned char sid_key[FST_REVOCATION_KEY_LEN]; /* hash of (issuer, OP sid); zero when no sid */
    int64_t created;    /* login time, Unix seconds */
    int64_t auth_time;  /* the OP's auth_time, or created */
    int64_t expires;    /* absolute end */
    int64_t idle_until; /* idle deadline */
    int64_t issued;     /* when this cookie was issued */
    const char *pid;
    const char *pseudonym;
    const char *sub;
    const char *acr;
    const char *sid;
    const char *name;
    const char *authz_state;
    const char *csrf_token; /* random, made at login: the CSRF token of every form (logout, self-service) */
} fst_session_t;

typedef enum fst_session_time {
    FST_SESSION_LIVE = 0,
    FST_SESSION_IDLE_EXPIRED,
    FST_SESSION_EXPIRED,
    FST_SESSION_FROM_FUTURE /* issued later than now plus the skew: a clock problem or forgery */
} fst_session_time_t;

/* Serialise / parse the record (plain bytes; sealing is cookie_crypto's job). Each encoder returns
 * NULL when a string is longer than a record holds (FST_RECORD_STRING_MAX): never a record that
 * reads back with the string missing. */
unsigned char *fst_session_encode(apr_pool_t *pool, const fst_session_t *s, size_t *len);
/* Returns 1 and fills s (strings in pool), or 0 when the bytes are not a session record. */
int fst_session_decode(apr_pool_t *pool, const unsigned char *buf, size_t len, fst_session_t *s);

/* Where the session stands at now (seconds). */
fst_session_time_t fst_session_check_time(const fst_session_t *s, int64_t now, int64_t skew);

/* Start the idle window at now: issued = now, idle_until = min(now + idle, expires). */
void fst_session_start_window(fst_session_t *s, int64_t now, int64_t idle);

/* On activity: 1 when the cookie should be re-issued (and the window moved), else 0. */
int fst_session_touch(fst_session_t *s, int64_t now, int64_t idle);

const char *fst_session_time_text(fst_session_time_t t);

/* The login in flight: what the callback needs to finish it. Lives in the state cookie. */
typedef struct fst_login_state {
    const char *state;
    const char *nonce;
    const char *code_verifier;
    const char *return_url;
    int64_t created;
} fst_login_state_t;

unsigned char *fst_login_state_encode(apr_pool_t *pool, const fst_login_state_t *st, size_t *len);
int fst_login_state_decode(apr_pool_t *pool, const unsigned char *buf, size_t len, fst_login_state_t *st);

/* What RP-initiated logout needs (the ID token for id_token_hint), bound to one session. Lives in
 * a cookie sent only to the logout handler. */
typedef struct fst_logout_hint {
    unsigned char session_id[FST_SESSION_ID_LEN];
    int64_t expires;
    const char *id_token;
} fst_logout_hint_t;

unsigned char *fst_logout_hint_encode(apr_pool_t *pool, const fst_logout_hint_t *h, size_t *len);
int fst_logout_hint_decode(apr_pool_t *pool, const unsigned char *buf, size_t len, fst_logout_hint_t *h);

#endif
