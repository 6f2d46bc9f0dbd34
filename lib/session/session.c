/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include "record.h"
#include "session.h"

#define KIND_SESSION 'S'
#define KIND_LOGIN_STATE 'L'
#define KIND_LOGOUT_HINT 'O'

/* Times in a record are Unix seconds the module wrote; anything outside this range did not come
 * from it, and would overflow the deadline arithmetic (now - issued, created + timeout). */
#define TIME_MAX INT64_C(100000000000)

/* The record, or NULL (and *len 0) when a string was too long to store. */
static unsigned char *finish(const fst_record_writer_t *w, size_t *len)
{
    *len = w->failed ? 0 : w->len;
    return w->failed ? NULL : w->buf;
}

static int time_ok(int64_t t)
{
    return t >= 0 && t <= TIME_MAX;
}

unsigned char *fst_session_encode(apr_pool_t *pool, const fst_session_t *s, size_t *len)
{
    fst_record_writer_t w;

    fst_record_writer_init(&w, pool, KIND_SESSION);
    fst_record_put_bytes(&w, s->id, sizeof(s->id));
    fst_record_put_bytes(&w, s->sid_key, sizeof(s->sid_key));
    fst_record_put_int(&w, s->created);
    fst_record_put_int(&w, s->auth_time);
    fst_record_put_int(&w, s->expires);
    fst_record_put_int(&w, s->idle_until);
    fst_record_put_int(&w, s->issued);
    fst_record_put_string(&w, s->pid);
    fst_record_put_string(&w, s->pseudonym);
    fst_record_put_string(&w, s->sub);
    fst_record_put_string(&w, s->acr);
    fst_record_put_string(&w, s->sid);
    fst_record_put_string(&w, s->name);
    fst_record_put_string(&w, s->authz_state);
    fst_record_put_string(&w, s->csrf_token);
    return finish(&w, len);
}

int fst_session_decode(apr_pool_t *pool, const unsigned char *buf, size_t len, fst_session_t *s)
{
    fst_record_reader_t r;

    if (!fst_record_reader_init(&r, pool, buf, len, KIND_SESSION))
        return 0;
    fst_record_get_bytes(&r, s->id, sizeof(s->id));
    fst_record_get_bytes(&r, s->sid_key, sizeof(s->sid_key));
    s->created = fst_record_get_int(&r);
    s->auth_time = fst_record_get_int(&r);
    s->expires = fst_record_get_int(&r);
    s->idle_until = fst_record_get_int(&r);
    s->issued = fst_record_get_int(&r);
    s->pid = fst_record_get_string(&r);
    s->pseudonym = fst_record_get_string(&r);
    s->sub = fst_record_get_string(&r);
    s->acr = fst_record_get_string(&r);
    s->sid = fst_record_get_string(&r);
    s->name = fst_record_get_string(&r);
    s->authz_state = fst_record_get_string(&r);
    s->csrf_token = fst_record_get_string(&r);
    /* A session without its subject is no session, whatever the bytes say. */
    return fst_record_reader_done(&r) && s->pid != NULL && s->pseudonym != NULL && s->sub != NULL &&
           time_ok(s->created) && time_ok(s->auth_time) && time_ok(s->expires) && time_ok(s->idle_until) &&
           time_ok(s->issued) && s->csrf_token != NULL;
}

fst_session_time_t fst_session_check_time(const fst_session_t *s, int64_t now, int64_t skew)
{
    if (s->issued > now + skew || s->created > now + skew)
        return FST_SESSION_FROM_FUTURE;
    if (now >= s->expires)
        return FST_SESSION_EXPIRED;
    if (now >= s->idle_until)
        return FST_SESSION_IDLE_EXPIRED;
    return FST_SESSION_LIVE;
}

void fst_session_start_window(fst_session_t *s, int64_t now, int64_t idle)
{
    s->issued = now;
    s->idle_until = now + idle < s->expires ? now + idle : s->expires;
}

int fst_session_touch(fst_session_t *s, int64_t now, int64_t idle)
{
    /* Re-issuing cannot push the deadline past the absolute end; once it is there, stop. */
    if (s->idle_until >= s->expires)
        return 0;
    if ((now - s->issued) * 4 < idle)
        return 0;
    fst_session_start_window(s, now, idle);
    return 1;
}

const char *fst_session_time_text(fst_session_time_t t)
{
    switch (t) {
    case FST_SESSION_LIVE:
        return "live";
    case FST_SESSION_IDLE_EXPIRED:
        return "idle timeout passed";
    case FST_SESSION_EXPIRED:
        return "maximum session age passed";
    case FST_SESSION_FROM_FUTURE:
        return "issued in the future";
    }
    return "unknown";
}

unsigned char *fst_login_state_encode(apr_pool_t *pool, const fst_login_state_t *st, size_t *len)
{
    fst_record_writer_t w;

    fst_record_writer_init(&w, pool, KIND_LOGIN_STATE);
    fst_record_put_string(&w, st->state);
    fst_record_put_string(&w, st->nonce);
    fst_record_put_string(&w, st->code_verifier);
    fst_record_put_string(&w, st->return_url);
    fst_record_put_int(&w, st->created);
    return finish(&w, len);
}

int fst_login_state_decode(apr_pool_t *pool, const unsigned char *buf, size_t len, fst_login_state_t *st)
{
    fst_record_reader_t r;

    if (!fst_record_reader_init(&r, pool, buf, len, KIND_LOGIN_STATE))
        return 0;
    st->state = fst_record_get_string(&r);
    st->nonce = fst_record_get_string(&r);
    st->code_verifier = fst_record_get_string(&r);
    st->return_url = fst_record_get_string(&r);
    st->created = fst_record_get_int(&r);
    return fst_record_reader_done(&r) && st->state && st->nonce && st->code_verifier && st->return_url &&
           time_ok(st->created);
}

unsigned char *fst_logout_hint_encode(apr_pool_t *pool, const fst_logout_hint_t *h, size_t *len)
{
    fst_record_writer_t w;

    fst_record_writer_init(&w, pool, KIND_LOGOUT_HINT);
    fst_record_put_bytes(&w, h->session_id, sizeof(h->session_id));
    fst_record_put_int(&w, h->expires);
    fst_record_put_string(&w, h->id_token);
    return finish(&w, len);
}

int fst_logout_hint_decode(apr_pool_t *pool, const unsigned char *buf, size_t len, fst_logout_hint_t *h)
{
    fst_record_reader_t r;

    if (!fst_record_reader_init(&r, pool, buf, len, KIND_LOGOUT_HINT))
        return 0;
    fst_record_get_bytes(&r, h->session_id, sizeof(h->session_id));
    h->expires = fst_record_get_int(&r);
    h->id_token = fst_record_get_string(&r);
    return fst_record_reader_done(&r) && h->id_token != NULL && time_ok(h->expires);
}
