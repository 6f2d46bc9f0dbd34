/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The per-request session check, measured alone (bench/login_session.py runs it): open the sealed
 * session cookie (base64url + AES-256-GCM), decode the record, check its times, and look its id and
 * OP sid up in the table of ended sessions. Also what a re-issue costs (seal). Reports numbers.
 *
 *   bench/bench_session [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "encoding.h"
#include "session/cookie_crypto.h"
#include "session/revocation.h"
#include "session/session.h"

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000, i;
    apr_pool_t *pool, *scratch;
    unsigned char keys[1][FST_KEY_LEN], *plain, (*lookup)[FST_REVOCATION_KEY_LEN];
    const char *err = NULL, *cookie;
    fst_aead_t *aead;
    fst_session_t s, d;
    fst_revocation_t *table;
    size_t len, size;
    double t0, t_open = 0, t_decode = 0, t_lookup = 0, t_seal = 0, t_fresh;
    fst_aead_opener_t *opener;
    int64_t now = (int64_t)time(NULL);
    volatile int sink = 0;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    apr_pool_create(&scratch, pool);
    if (!fst_key_derive("a benchmark passphrase, long enough", "session cookie", keys[0], &err) ||
        (aead = fst_aead_create(pool, (const unsigned char(*)[FST_KEY_LEN])keys, 1, &err)) == NULL) {
        fprintf(stderr, "bench_session: %s\n", err);
        return 1;
    }
    /* A typical session: ID-porten's pairwise sub, an OP sid, and an authorization state. */
    memset(&s, 0, sizeof(s));
    fst_random_bytes(s.id, sizeof(s.id));
    fst_random_bytes(s.sid_key, sizeof(s.sid_key));
    s.created = s.auth_time = s.issued = now;
    s.expires = now + 7200;
    s.idle_until = now + 1800;
    s.pid = "20036914700";
    s.pseudonym = "p-0123456789abcdef01234567";
    s.sub = "tXqTDxJuFsBRmYwFpBYfqIH2ebcrw8d3iOlm0J1KPq0=";
    s.acr = "idporten-loa-substantial";
    s.sid = "a3Jx1bPd0XGIUc1-Xqz1PtAQ";
    s.authz_state = "v1;1764331200;42;;KARI HANSEN;S1001,S1002;S1003:4;;";
    s.csrf_token = "n4vXq7l2bJ0mP8yV3cQw1A";
    plain = fst_session_encode(pool, &s, &len);
    cookie = fst_aead_seal(aead, pool, "session|client|skole.example.no", plain, len);

    size = fst_revocation_size(16384);
    table = fst_revocation_init(apr_pcalloc(pool, size), size, 16384);
    for (i = 0; i < 4000; i++) { /* a table with ended sessions in it */
        unsigned char k[FST_REVOCATION_KEY_LEN];
        fst_random_bytes(k, sizeof(k));
        fst_revocation_add(table, k, now + 3600, now);
    }
    lookup = apr_palloc(pool, 2 * FST_REVOCATION_KEY_LEN);
    /* As identity.c: one opener per connection, i.e. reused across a keep-alive connection's requests. */
    opener = fst_aead_opener_create(aead, pool);
    t0 = now_ns();
    for (i = 0; i < n / 10; i++) {
        unsigned char *p;
        size_t plen;
        sink += fst_aead_open(aead, scratch, "session|client|skole.example.no", cookie, strlen(cookie), &p, &plen,
                              NULL) == FST_AEAD_OK;
        apr_pool_clear(scratch);
    }
    t_fresh = (now_ns() - t0) / (double)(n / 10);

    for (i = 0; i < n; i++) {
        unsigned char *p;
        size_t plen;

        t0 = now_ns();
        if (fst_aead_opener_open(opener, scratch, "session|client|skole.example.no", cookie, strlen(cookie), &p, &plen,
                                 NULL) != FST_AEAD_OK)
            return 1;
        t_open += now_ns() - t0;
        t0 = now_ns();
        if (!fst_session_decode(scratch, p, plen, &d) || fst_session_check_time(&d, now, 30) != FST_SESSION_LIVE)
            return 1;
        t_decode += now_ns() - t0;
        t0 = now_ns();
        memcpy(lookup[0], d.id, FST_REVOCATION_KEY_LEN);
        memcpy(lookup[1], d.sid_key, FST_REVOCATION_KEY_LEN);
        sink += fst_revocation_contains(table, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])lookup, 2, now);
        t_lookup += now_ns() - t0;
        if (i % 8 == 0) {
            t0 = now_ns();
            sink += fst_aead_seal(aead, scratch, "session|client|skole.example.no", p, plen) != NULL;
            t_seal += now_ns() - t0;
        }
        apr_pool_clear(scratch);
    }
    printf("session check, %ld iterations, cookie %lu bytes: open (base64url + AES-256-GCM, the connection's "
           "keyed context) %.2f us [first request on a connection: %.2f us], decode + times %.2f us, "
           "ended-session lookup (2 keys) %.2f us; total %.2f us per request; re-issue (seal) %.2f us\n",
           n, (unsigned long)strlen(cookie), t_open / n / 1e3, t_fresh / 1e3, t_decode / n / 1e3, t_lookup / n / 1e3,
           (t_open + t_decode + t_lookup) / n / 1e3, t_seal / ((n + 7) / 8) / 1e3);
    (void)sink;
    apr_pool_destroy(pool);
    apr_terminate();
    return 0;
}
