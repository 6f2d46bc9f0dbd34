/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "session/revocation.h"
#include "unit_main.h"

static void key_of(unsigned n, unsigned char key[FST_REVOCATION_KEY_LEN])
{
    memset(key, 0, FST_REVOCATION_KEY_LEN);
    memcpy(key, &n, sizeof(n));
    key[15] = 0x5a;
}

static fst_revocation_t *table(uint32_t slots)
{
    size_t size = fst_revocation_size(slots);
    void *mem = apr_palloc(pool, size);

    return fst_revocation_init(mem, size, slots);
}

START_TEST(add_and_find)
{
    fst_revocation_t *t = table(64);
    unsigned char k[2][FST_REVOCATION_KEY_LEN];

    key_of(1, k[0]);
    key_of(2, k[1]);
    ck_assert(!fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])k, 2, 100));
    ck_assert_int_eq(fst_revocation_add(t, k[1], 200, 100), FST_REVOCATION_ADDED);
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])k, 2, 100));
    ck_assert(!fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])k, 1, 100));
    /* Past its time the entry no longer counts, and its slot is reused. */
    ck_assert(!fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])k + 1, 1, 200));
    /* Adding again extends, never shortens. */
    ck_assert_int_eq(fst_revocation_add(t, k[1], 300, 100), FST_REVOCATION_ADDED);
    ck_assert_int_eq(fst_revocation_add(t, k[1], 150, 100), FST_REVOCATION_ADDED);
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])k + 1, 1, 250));
}
END_TEST

START_TEST(collisions_within_window)
{
    fst_revocation_t *t = table(64);
    unsigned char k[FST_REVOCATION_KEY_LEN];
    unsigned i;

    /* Same home slot (first word equal modulo 64), different keys. */
    for (i = 0; i < FST_REVOCATION_PROBE; i++) {
        key_of(5 + 64 * i, k);
        ck_assert_int_eq(fst_revocation_add(t, k, 1000 + i, 10), FST_REVOCATION_ADDED);
    }
    for (i = 0; i < FST_REVOCATION_PROBE; i++) {
        key_of(5 + 64 * i, k);
        ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 10));
    }
    /* The window is full of live entries: the one expiring first makes room, and the add says so. */
    key_of(5 + 64 * 100, k);
    ck_assert_int_eq(fst_revocation_add(t, k, 5000, 10), FST_REVOCATION_EVICTED);
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 10));
    key_of(5, k);
    ck_assert(!fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 10));
    /* Once entries expire their slots are free again. */
    key_of(5 + 64 * 101, k);
    ck_assert_int_eq(fst_revocation_add(t, k, 9000, 2000), FST_REVOCATION_ADDED);
}
END_TEST

/* The search stops at a slot never written, not at an expired one: a key added behind a slot that
 * later expired is still found. */
START_TEST(search_past_expired_slots)
{
    fst_revocation_t *t = table(64);
    unsigned char k[FST_REVOCATION_KEY_LEN];
    unsigned i;

    for (i = 0; i < 4; i++) { /* home 7, slots 7..10; the first three end at 50 */
        key_of(7 + 64 * i, k);
        ck_assert_int_eq(fst_revocation_add(t, k, i < 3 ? 50 : 900, 10), FST_REVOCATION_ADDED);
    }
    key_of(7 + 64 * 3, k);
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 10));
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 60));
    /* A new key reuses the first expired slot; the one behind it is still found. */
    key_of(7 + 64 * 9, k);
    ck_assert_int_eq(fst_revocation_add(t, k, 900, 60), FST_REVOCATION_ADDED);
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 60));
    key_of(7 + 64 * 3, k);
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 60));
    /* A key whose chain meets an empty slot first is not there, wherever it would have gone. */
    key_of(7 + 64 * 20, k);
    ck_assert(!fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])&k, 1, 60));
}
END_TEST

START_TEST(layout)
{
    size_t size = fst_revocation_size(100);
    void *mem = apr_palloc(pool, size);
    fst_revocation_t *t;

    memset(mem, 0, size);
    ck_assert_int_eq(size, fst_revocation_size(128)); /* rounded up to a power of two */
    ck_assert_int_eq(fst_revocation_size(1), fst_revocation_size(FST_REVOCATION_MIN_SLOTS));
    ck_assert_ptr_null(fst_revocation_init(mem, size - 1, 100));
    ck_assert_ptr_null(fst_revocation_attach(mem, size)); /* nothing laid out yet */
    t = fst_revocation_init(mem, size, 100);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(fst_revocation_slots(t), 128);
    ck_assert_ptr_eq(fst_revocation_attach(mem, size), t);
    ck_assert_ptr_null(fst_revocation_attach(mem, size - 1));
    ck_assert_ptr_null(fst_revocation_attach(mem, 8));
}
END_TEST

START_TEST(add_once)
{
    fst_revocation_t *t = table(64);
    unsigned char k[FST_REVOCATION_KEY_LEN];

    key_of(7, k);
    ck_assert_int_eq(fst_revocation_add_once(t, k, 200, 100), FST_REVOCATION_ADDED);
    ck_assert(fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])k, 1, 150));
    /* Seen before: refused, and the entry's time is left alone. */
    ck_assert_int_eq(fst_revocation_add_once(t, k, 900, 150), FST_REVOCATION_PRESENT);
    ck_assert(!fst_revocation_contains(t, (const unsigned char(*)[FST_REVOCATION_KEY_LEN])k, 1, 200));
    /* Once its time is over the key may be used again. */
    ck_assert_int_eq(fst_revocation_add_once(t, k, 300, 200), FST_REVOCATION_ADDED);
}
END_TEST

UNIT_MAIN("session_revocation", add_and_find, add_once, collisions_within_window, search_past_expired_slots, layout)
