/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Ended sessions, ended OP sessions (front-channel sid) and used login states, kept until their
 * cookies would have expired anyway: a fixed-size open-addressing table in one block of memory
 * (shared memory in httpd), addressed by offsets only, so every process can map it anywhere.
 *
 * Readers take no lock: each slot carries a sequence number (a seqlock), so the per-request check
 * never serialises children. Writers (logout, used states: rare) must hold one lock the caller
 * provides. A key is looked for only within a short probe window; when the window is full of live
 * entries, the one expiring first is dropped and the add reports it.
 */
#ifndef FST_REVOCATION_H
#define FST_REVOCATION_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

#define FST_REVOCATION_MIN_SLOTS 64u
#define FST_REVOCATION_MAX_SLOTS (1u << 24)
#define FST_REVOCATION_PROBE 16u

typedef struct fst_revocation fst_revocation_t;

/* Bytes needed for a table of slots entries (slots is rounded up to a power of two). */
size_t fst_revocation_size(uint32_t slots);

/* Lay a fresh table out in mem (size bytes from fst_revocation_size). */
fst_revocation_t *fst_revocation_init(void *mem, size_t size, uint32_t slots);

/* Use a table another process laid out; NULL when mem does not hold one of that size. */
fst_revocation_t *fst_revocation_attach(void *mem, size_t size);

uint32_t fst_revocation_slots(const fst_revocation_t *t);

typedef enum fst_revocation_add_result {
    FST_REVOCATION_ADDED = 0,
    FST_REVOCATION_EVICTED, /* added, but a live entry had to make room: the table is too small */
    FST_REVOCATION_PRESENT  /* fst_revocation_add_once: the key is already recorded; nothing changed */
} fst_revocation_add_result_t;

/* Record key as ended until `until` (Unix seconds). Caller holds the writers' lock. */
fst_revocation_add_result_t fst_revocation_add(fst_revocation_t *t, const unsigned char key[FST_REVOCATION_KEY_LEN],
                                               int64_t until, int64_t now);

/* The same, but only when key is not recorded yet: "seen before?" and "remember it" in one step
 * under the writers' lock (single-use values: back-channel logout jti). */
fst_revocation_add_result_t fst_revocation_add_once(fst_revocation_t *t,
                                                    const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until,
                                                    int64_t now);

/* 1 when any of the n keys is recorded and not yet past its time. Lock-free. */
int fst_revocation_contains(const fst_revocation_t *t, const unsigned char (*keys)[FST_REVOCATION_KEY_LEN], int n,
                            int64_t now);

#endif
