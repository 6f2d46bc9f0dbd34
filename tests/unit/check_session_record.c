/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "session/record.h"
#include "session/session.h"
#include "unit_main.h"

static fst_session_t sample(void)
{
    fst_session_t s;

    memset(&s, 0, sizeof(s));
    memset(s.id, 0xab, sizeof(s.id));
    memset(s.sid_key, 0xcd, sizeof(s.sid_key));
    s.created = 1700000000;
    s.auth_time = 1699999990;
    s.expires = 1700007200;
    s.idle_until = 1700001800;
    s.issued = 1700000000;
    s.pid = "20036914700";
    s.pseudonym = "p-0123456789abcdef01234567";
    s.sub = "pairwise-sub";
    s.acr = "idporten-loa-substantial";
    s.sid = "op-session";
    s.name = NULL;
    s.authz_state = "opaque;state";
    s.csrf_token = "logout-token-123";
    return s;
}

START_TEST(round_trip)
{
    fst_session_t s = sample(), d;
    size_t len;
    unsigned char *buf = fst_session_encode(pool, &s, &len);

    memset(&d, 0, sizeof(d));
    ck_assert(fst_session_decode(pool, buf, len, &d));
    ck_assert(memcmp(d.id, s.id, sizeof(s.id)) == 0);
    ck_assert(memcmp(d.sid_key, s.sid_key, sizeof(s.sid_key)) == 0);
    ck_assert_int_eq(d.created, s.created);
    ck_assert_int_eq(d.auth_time, s.auth_time);
    ck_assert_int_eq(d.expires, s.expires);
    ck_assert_int_eq(d.idle_until, s.idle_until);
    ck_assert_int_eq(d.issued, s.issued);
    ck_assert_str_eq(d.pid, s.pid);
    ck_assert_str_eq(d.pseudonym, s.pseudonym);
    ck_assert_str_eq(d.sub, s.sub);
    ck_assert_str_eq(d.acr, s.acr);
    ck_assert_str_eq(d.sid, s.sid);
    ck_assert_ptr_null(d.name);
    ck_assert_str_eq(d.authz_state, s.authz_state);
    ck_assert_str_eq(d.csrf_token, s.csrf_token);
}
END_TEST

START_TEST(every_truncation_fails)
{
    fst_session_t s = sample(), d;
    size_t len, cut;
    unsigned char *buf = fst_session_encode(pool, &s, &len), *longer;

    for (cut = 0; cut < len; cut++)
        ck_assert(!fst_session_decode(pool, buf, cut, &d));
    longer = apr_palloc(pool, len + 1);
    memcpy(longer, buf, len);
    longer[len] = 0;
    ck_assert(!fst_session_decode(pool, longer, len + 1, &d)); /* trailing bytes */
    buf[0] = 'L';
    ck_assert(!fst_session_decode(pool, buf, len, &d)); /* another record kind */
}
END_TEST

START_TEST(required_fields_and_nul)
{
    fst_session_t s = sample(), d;
    size_t len;
    unsigned char *buf;

    s.pid = NULL;
    buf = fst_session_encode(pool, &s, &len);
    ck_assert(!fst_session_decode(pool, buf, len, &d));
    s = sample();
    s.sub = NULL;
    buf = fst_session_encode(pool, &s, &len);
    ck_assert(!fst_session_decode(pool, buf, len, &d));
    s = sample();
    s.csrf_token = NULL;
    buf = fst_session_encode(pool, &s, &len);
    ck_assert(!fst_session_decode(pool, buf, len, &d));
    /* An embedded NUL in a string is refused, not silently cut. */
    s = sample();
    buf = fst_session_encode(pool, &s, &len);
    {
        unsigned char *p = memmem(buf, len, "pairwise-sub", 12);
        ck_assert_ptr_nonnull(p);
        p[3] = '\0';
    }
    ck_assert(!fst_session_decode(pool, buf, len, &d));
}
END_TEST

START_TEST(time_rules)
{
    fst_session_t s = sample();

    ck_assert_int_eq(fst_session_check_time(&s, 1700000100, 30), FST_SESSION_LIVE);
    ck_assert_int_eq(fst_session_check_time(&s, 1700001800, 30), FST_SESSION_IDLE_EXPIRED);
    ck_assert_int_eq(fst_session_check_time(&s, 1700007200, 30), FST_SESSION_EXPIRED);
    ck_assert_int_eq(fst_session_check_time(&s, 1699999000, 30), FST_SESSION_FROM_FUTURE);
    ck_assert_str_eq(fst_session_time_text(FST_SESSION_IDLE_EXPIRED), "idle timeout passed");
}
END_TEST

START_TEST(idle_window_moves_only_when_needed)
{
    fst_session_t s = sample();

    fst_session_start_window(&s, 1700000000, 1800);
    ck_assert_int_eq(s.idle_until, 1700001800);
    /* Within the first quarter: nothing to re-issue. */
    ck_assert_int_eq(fst_session_touch(&s, 1700000100, 1800), 0);
    ck_assert_int_eq(fst_session_touch(&s, 1700000449, 1800), 0);
    ck_assert_int_eq(s.idle_until, 1700001800);
    /* A quarter passed: the window moves and the cookie is re-issued. */
    ck_assert_int_eq(fst_session_touch(&s, 1700000450, 1800), 1);
    ck_assert_int_eq(s.issued, 1700000450);
    ck_assert_int_eq(s.idle_until, 1700002250);
    /* Never past the absolute end. */
    ck_assert_int_eq(fst_session_touch(&s, 1700006000, 1800), 1);
    ck_assert_int_eq(s.idle_until, 1700007200);
    ck_assert_int_eq(fst_session_touch(&s, 1700006900, 1800), 0);
}
END_TEST

/* Found by fuzz/fuzz_session_cookie.c: a record with issued = -2^63 (or any time the module never
 * writes) overflowed (now - issued) * 4 when the idle window was touched. Such records are refused,
 * as are login states and logout hints with out-of-range times. */
START_TEST(times_out_of_range)
{
    static const int64_t bad[] = {-1, INT64_MIN, INT64_MAX, INT64_C(100000000001)};
    fst_session_t s, d;
    fst_login_state_t st = {"state", "nonce", "verifier", "/", 0}, dst;
    fst_logout_hint_t h, dh;
    unsigned char *buf;
    size_t len, i;
    int field;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        for (field = 0; field < 5; field++) {
            int64_t *times[] = {&s.created, &s.auth_time, &s.expires, &s.idle_until, &s.issued};
            s = sample();
            *times[field] = bad[i];
            buf = fst_session_encode(pool, &s, &len);
            ck_assert(!fst_session_decode(pool, buf, len, &d));
        }
        st.created = bad[i];
        buf = fst_login_state_encode(pool, &st, &len);
        ck_assert(!fst_login_state_decode(pool, buf, len, &dst));
        memset(&h, 0, sizeof(h));
        h.id_token = "a.b.c";
        h.expires = bad[i];
        buf = fst_logout_hint_encode(pool, &h, &len);
        ck_assert(!fst_logout_hint_decode(pool, buf, len, &dh));
    }
    s = sample();
    s.issued = s.created = s.auth_time = 0;
    buf = fst_session_encode(pool, &s, &len);
    ck_assert(fst_session_decode(pool, buf, len, &d));
}
END_TEST

START_TEST(login_state)
{
    fst_login_state_t st = {"state", "nonce", "verifier", "/portal/", 1700000000}, d;
    size_t len, cut;
    unsigned char *buf = fst_login_state_encode(pool, &st, &len);

    ck_assert(fst_login_state_decode(pool, buf, len, &d));
    ck_assert_str_eq(d.state, "state");
    ck_assert_str_eq(d.nonce, "nonce");
    ck_assert_str_eq(d.code_verifier, "verifier");
    ck_assert_str_eq(d.return_url, "/portal/");
    ck_assert_int_eq(d.created, 1700000000);
    for (cut = 0; cut < len; cut++)
        ck_assert(!fst_login_state_decode(pool, buf, cut, &d));
    st.nonce = NULL;
    buf = fst_login_state_encode(pool, &st, &len);
    ck_assert(!fst_login_state_decode(pool, buf, len, &d));
    /* A session record is not a login state. */
    {
        fst_session_t s = sample();
        buf = fst_session_encode(pool, &s, &len);
        ck_assert(!fst_login_state_decode(pool, buf, len, &d));
    }
}
END_TEST

START_TEST(logout_hint)
{
    fst_logout_hint_t h, d;
    size_t len;
    unsigned char *buf;

    memset(h.session_id, 7, sizeof(h.session_id));
    h.expires = 42;
    h.id_token = "eyJ.eyJ.sig";
    buf = fst_logout_hint_encode(pool, &h, &len);
    ck_assert(fst_logout_hint_decode(pool, buf, len, &d));
    ck_assert(memcmp(d.session_id, h.session_id, sizeof(h.session_id)) == 0);
    ck_assert_int_eq(d.expires, 42);
    ck_assert_str_eq(d.id_token, "eyJ.eyJ.sig");
    ck_assert(!fst_logout_hint_decode(pool, buf, len - 1, &d));
    h.id_token = NULL;
    buf = fst_logout_hint_encode(pool, &h, &len);
    ck_assert(!fst_logout_hint_decode(pool, buf, len, &d));
}
END_TEST

/* A string longer than a record holds is refused by the encoder; up to the limit it reads back. */
START_TEST(strings_over_the_limit_are_refused_not_dropped)
{
    char *big = apr_palloc(pool, FST_RECORD_STRING_MAX + 2);
    fst_session_t s = sample(), d;
    fst_login_state_t st = {"state", "nonce", "verifier", "/", 1700000000}, std;
    fst_logout_hint_t h, hd;
    size_t len = 99;

    memset(big, 'a', FST_RECORD_STRING_MAX + 1);
    big[FST_RECORD_STRING_MAX + 1] = '\0';
    memset(h.session_id, 7, sizeof(h.session_id));
    h.expires = 42;

    h.id_token = big;
    ck_assert_ptr_null(fst_logout_hint_encode(pool, &h, &len));
    ck_assert_uint_eq(len, 0);
    s.name = big;
    ck_assert_ptr_null(fst_session_encode(pool, &s, &len));
    st.return_url = big;
    ck_assert_ptr_null(fst_login_state_encode(pool, &st, &len));

    big[FST_RECORD_STRING_MAX] = '\0'; /* exactly the limit */
    {
        unsigned char *buf = fst_logout_hint_encode(pool, &h, &len);
        ck_assert_ptr_nonnull(buf);
        ck_assert(fst_logout_hint_decode(pool, buf, len, &hd));
        ck_assert_uint_eq(strlen(hd.id_token), FST_RECORD_STRING_MAX);
        buf = fst_session_encode(pool, &s, &len);
        ck_assert(fst_session_decode(pool, buf, len, &d));
        ck_assert_str_eq(d.name, big);
        buf = fst_login_state_encode(pool, &st, &len);
        ck_assert(fst_login_state_decode(pool, buf, len, &std));
        ck_assert_str_eq(std.return_url, big);
    }
}
END_TEST

UNIT_MAIN("session_record", round_trip, times_out_of_range, every_truncation_fails, required_fields_and_nul, time_rules,
          idle_window_moves_only_when_needed, login_state, logout_hint,
          strings_over_the_limit_are_refused_not_dropped)
