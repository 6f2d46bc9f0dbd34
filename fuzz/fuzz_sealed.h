/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The sealed-cookie fuzz targets share this: fixed test keys (a current and a previous passphrase,
 * as in a rollover), the module's AAD shapes, and one entry that takes either a cookie's text or,
 * after a mode byte, the plaintext a cookie would carry (sealed here, so mutations reach the record
 * decoders behind the AEAD). Invariants checked for every input:
 *   - what the module sealed opens, with the key it was sealed with, to the same bytes;
 *   - it does not open as another kind of cookie (the AAD binds the kind), and one changed
 *     character makes it not open at all;
 *   - a record that decodes re-encodes to exactly the same bytes (one encoding per record).
 */
#ifndef FST_FUZZ_SEALED_H
#define FST_FUZZ_SEALED_H

#include "fuzz_util.h"
#include "session/cookie_crypto.h"

#define FUZZ_AAD_SESSION "session|fuzz-client|portal.example"
#define FUZZ_AAD_STATE "state|fuzz-client|portal.example"
#define FUZZ_AAD_LOGOUT "logout|fuzz-client|portal.example"

typedef struct fuzz_sealers {
    fst_aead_t *both;     /* current seals; current and previous open (the module's sealer) */
    fst_aead_t *previous; /* only the previous key: cookies from before the rollover */
} fuzz_sealers_t;

static inline const fuzz_sealers_t *fuzz_sealers(void)
{
    static fuzz_sealers_t s;
    static apr_pool_t *keep;
    unsigned char keys[2][FST_KEY_LEN];
    const char *err = NULL;

    if (s.both != NULL)
        return &s;
    FUZZ_KEEP_BEGIN();
    apr_pool_destroy(fuzz_pool()); /* initialises APR */
    apr_pool_create(&keep, NULL);
    if (!fst_key_derive("fuzz passphrase, current", "session cookie", keys[0], &err) ||
        !fst_key_derive("fuzz passphrase, previous", "session cookie", keys[1], &err))
        abort();
    s.both = fst_aead_create(keep, (const unsigned char(*)[FST_KEY_LEN])keys, 2, &err);
    s.previous = fst_aead_create(keep, (const unsigned char(*)[FST_KEY_LEN])&keys[1], 1, &err);
    if (s.both == NULL || s.previous == NULL)
        abort();
    FUZZ_KEEP_END();
    return &s;
}

/* Re-encodes a decoded record (returns the bytes and sets *len). */
typedef unsigned char *(*fuzz_reencode_fn)(apr_pool_t *pool, const void *record, size_t *len);
/* Decodes plain into record; 1 when it is one. */
typedef int (*fuzz_decode_fn)(apr_pool_t *pool, const unsigned char *plain, size_t len, void *record);

typedef struct fuzz_kind {
    const char *aad;
    const char *other_aad; /* a different kind: must never open */
    fuzz_decode_fn decode;
    fuzz_reencode_fn reencode;
    void (*check)(const void *record); /* kind-specific invariants on a decoded record */
    size_t record_size;
} fuzz_kind_t;

static inline void fuzz_check_record(apr_pool_t *pool, const fuzz_kind_t *kind, const unsigned char *plain, size_t len)
{
    void *record = apr_pcalloc(pool, kind->record_size);
    unsigned char *again;
    size_t again_len = 0;

    if (!kind->decode(pool, plain, len, record))
        return;
    if (kind->check)
        kind->check(record);
    again = kind->reencode(pool, record, &again_len);
    FUZZ_ASSERT(again_len == len && memcmp(again, plain, len) == 0);
}

/* mode 'P': seal data with the current key; 'R': with the previous one; anything else: data is the
 * cookie's text as the browser sends it. */
static inline void fuzz_sealed_input(const fuzz_kind_t *kind, const uint8_t *data, size_t size)
{
    const fuzz_sealers_t *s = fuzz_sealers();
    apr_pool_t *pool = fuzz_pool();
    unsigned char *plain = NULL;
    size_t plain_len = 0;
    int key_index = -1;
    char *text;

    if (size >= 1 && (data[0] == 'P' || data[0] == 'R')) {
        const fst_aead_t *sealer = data[0] == 'P' ? s->both : s->previous;
        char *cookie = fst_aead_seal(sealer, pool, kind->aad, data + 1, size - 1);
        size_t clen, i;

        FUZZ_ASSERT(cookie != NULL);
        clen = strlen(cookie);
        FUZZ_ASSERT(clen == (size - 1 + FST_AEAD_OVERHEAD) * 4 / 3 + ((size - 1 + FST_AEAD_OVERHEAD) % 3 ? 1 : 0));
        FUZZ_ASSERT(fst_aead_open(s->both, pool, kind->aad, cookie, clen, &plain, &plain_len, &key_index) ==
                    FST_AEAD_OK);
        FUZZ_ASSERT(plain_len == size - 1 && memcmp(plain, data + 1, plain_len) == 0);
        FUZZ_ASSERT(key_index == (data[0] == 'P' ? 0 : 1));
        FUZZ_ASSERT(fst_aead_open(s->both, pool, kind->other_aad, cookie, clen, &plain, &plain_len, NULL) !=
                    FST_AEAD_OK);
        if (data[0] == 'P')
            FUZZ_ASSERT(fst_aead_open(s->previous, pool, kind->aad, cookie, clen, &plain, &plain_len, NULL) !=
                        FST_AEAD_OK);
        /* One changed character, anywhere: never opens. */
        i = size > 1 ? data[1] % clen : 0;
        cookie[i] = cookie[i] == 'A' ? 'B' : 'A';
        FUZZ_ASSERT(fst_aead_open(s->both, pool, kind->aad, cookie, clen, &plain, &plain_len, NULL) != FST_AEAD_OK);
        fuzz_check_record(pool, kind, data + 1, size - 1);
    }
    else {
        text = fuzz_cstring(pool, data, size);
        if (fst_aead_open(s->both, pool, kind->aad, text, strlen(text), &plain, &plain_len, &key_index) ==
            FST_AEAD_OK) {
            FUZZ_ASSERT(key_index == 0 || key_index == 1);
            FUZZ_ASSERT(plain[plain_len] == '\0');
            fuzz_check_record(pool, kind, plain, plain_len);
        }
    }
    apr_pool_destroy(pool);
}

#endif
