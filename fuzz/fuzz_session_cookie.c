/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The session cookie as identity.c reads it on every protected request: open with the site's keys
 * (current or previous), decode the record, check its times, touch the idle window.
 * Seeds: cookies the module's code seals (fuzz/make-seeds) and plaintext records after 'P' / 'R'.
 */
#include "fuzz_sealed.h"
#include "session/session.h"

#define NOW INT64_C(1796083200)

static int decode(apr_pool_t *pool, const unsigned char *plain, size_t len, void *record)
{
    return fst_session_decode(pool, plain, len, record);
}

static unsigned char *reencode(apr_pool_t *pool, const void *record, size_t *len)
{
    return fst_session_encode(pool, record, len);
}

/* As identity.c uses a decoded session: its times checked against now, the idle window touched. */
static void check(const void *record)
{
    fst_session_t s = *(const fst_session_t *)record;
    int64_t now;

    FUZZ_ASSERT(s.pid != NULL && s.pseudonym != NULL && s.sub != NULL);
    for (now = NOW - 3600; now <= NOW + 3600; now += 900) {
        fst_session_time_t t = fst_session_check_time(&s, now, 60);
        FUZZ_ASSERT(t == FST_SESSION_LIVE || t == FST_SESSION_IDLE_EXPIRED || t == FST_SESSION_EXPIRED ||
                    t == FST_SESSION_FROM_FUTURE);
        (void)fst_session_time_text(t);
        if (t == FST_SESSION_LIVE) {
            int64_t expires = s.expires;
            if (fst_session_touch(&s, now, 1800))
                FUZZ_ASSERT(s.issued == now && s.idle_until <= s.expires && s.expires == expires);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fuzz_kind_t kind = {FUZZ_AAD_SESSION, FUZZ_AAD_STATE, decode, reencode, check, sizeof(fst_session_t)};

    fuzz_sealed_input(&kind, data, size);
    return 0;
}
