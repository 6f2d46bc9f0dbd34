/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The login state cookie (login/callback.c, login/start.c) and the logout cookie carrying the
 * id_token_hint (login/logout.c): opened with the site's keys and decoded. The first byte picks
 * the kind ('l' login state, 'o' logout hint); the rest is as in fuzz_sealed.h.
 */
#include "fuzz_sealed.h"
#include "session/record.h"
#include "session/session.h"

static int decode_state(apr_pool_t *pool, const unsigned char *plain, size_t len, void *record)
{
    return fst_login_state_decode(pool, plain, len, record);
}

static unsigned char *reencode_state(apr_pool_t *pool, const void *record, size_t *len)
{
    return fst_login_state_encode(pool, record, len);
}

static void check_state(const void *record)
{
    const fst_login_state_t *st = record;

    FUZZ_ASSERT(st->state && st->nonce && st->code_verifier && st->return_url);
    FUZZ_ASSERT(strlen(st->return_url) <= FST_RECORD_STRING_MAX);
}

static int decode_hint(apr_pool_t *pool, const unsigned char *plain, size_t len, void *record)
{
    return fst_logout_hint_decode(pool, plain, len, record);
}

static unsigned char *reencode_hint(apr_pool_t *pool, const void *record, size_t *len)
{
    return fst_logout_hint_encode(pool, record, len);
}

static void check_hint(const void *record)
{
    FUZZ_ASSERT(((const fst_logout_hint_t *)record)->id_token != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const fuzz_kind_t state = {FUZZ_AAD_STATE, FUZZ_AAD_SESSION, decode_state, reencode_state, check_state,
                                      sizeof(fst_login_state_t)};
    static const fuzz_kind_t hint = {FUZZ_AAD_LOGOUT, FUZZ_AAD_STATE, decode_hint, reencode_hint, check_hint,
                                     sizeof(fst_logout_hint_t)};

    if (size < 1)
        return 0;
    fuzz_sealed_input(data[0] == 'o' ? &hint : &state, data + 1, size - 1);
    return 0;
}
