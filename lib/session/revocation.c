/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdatomic.h>
#include <string.h>

#include "revocation.h"

#define MAGIC 0x46535276u /* "FSRv" */
#define VERSION 1u
#define KEY_WORDS (FST_REVOCATION_KEY_LEN / 4)

/* Words, not bytes: 32-bit atomics are lock-free on every platform httpd runs on, and lock-free
 * atomics are what make a seqlock safe between processes. */
typedef struct slot {
    _Atomic uint32_t seq; /* odd while a writer is changing the slot */
    _Atomic uint32_t until_hi;
    _Atomic uint32_t until_lo;
    _Atomic uint32_t key[KEY_WORDS];
    uint32_t pad;
} slot_t;

struct fst_revocation {
    uint32_t magic;
    uint32_t version;
    uint32_t slots; /* a power of two */
    uint32_t reserved;
    slot_t slot[]; /* follows the header: an offset, never a pointer */
};

static uint32_t round_slots(uint32_t slots)
{
    uint32_t n = FST_REVOCATION_MIN_SLOTS;

    while (n < slots && n < FST_REVOCATION_MAX_SLOTS)
        n <<= 1;
    return n;
}

size_t fst_revocation_size(uint32_t slots)
{
    return sizeof(struct fst_revocation) + (size_t)round_slots(slots) * sizeof(slot_t);
}

fst_revocation_t *fst_revocation_init(void *mem, size_t size, uint32_t slots)
{
    fst_revocation_t *t = mem;

    slots = round_slots(slots);
    if (size < fst_revocation_size(slots))
        return NULL;
    memset(mem, 0, fst_revocation_size(slots));
    t->version = VERSION;
    t->slots = slots;
    t->magic = MAGIC;
    return t;
}

fst_revocation_t *fst_revocation_attach(void *mem, size_t size)
{
    fst_revocation_t *t = mem;

    if (size < sizeof(*t) || t->magic != MAGIC || t->version != VERSION || size < fst_revocation_size(t->slots))
        return NULL;
    return t;
}

uint32_t fst_revocation_slots(const fst_revocation_t *t)
{
    return t->slots;
}

static void key_words(const unsigned char key[FST_REVOCATION_KEY_LEN], uint32_t w[KEY_WORDS])
{
    memcpy(w, key, FST_REVOCATION_KEY_LEN);
}

/* Keys are random or hashes already, so their first word is a fine index. */
static uint32_t home(const fst_revocation_t *t, const uint32_t w[KEY_WORDS])
{
    return w[0] & (t->slots - 1);
}

typedef struct snapshot {
    int64_t until;
    uint32_t key[KEY_WORDS];
} snapshot_t;

/* 1 with the slot's contents, or 0 when it stayed mid-write (read as empty). */
static int read_slot(const slot_t *cs, snapshot_t *out)
{
    slot_t *s = (slot_t *)cs;
    uint32_t s1, s2;
    long spins;
    int i;

    /* Bounded: a writer that died mid-write must not hang every reader; its slot reads as empty. */
    for (spins = 0; spins < 1000000; spins++) {
        s1 = atomic_load_explicit(&s->seq, memory_order_acquire);
        if (s1 & 1u)
            continue;
        out->until = (int64_t)((uint64_t)atomic_load_explicit(&s->until_hi, memory_order_relaxed) << 32 |
                               atomic_load_explicit(&s->until_lo, memory_order_relaxed));
        for (i = 0; i < KEY_WORDS; i++)
            out->key[i] = atomic_load_explicit(&s->key[i], memory_order_relaxed);
        atomic_thread_fence(memory_order_acquire);
        s2 = atomic_load_explicit(&s->seq, memory_order_relaxed);
        if (s1 == s2)
            return 1;
    }
    memset(out, 0, sizeof(*out));
    return 0;
}

static void write_slot(slot_t *s, const uint32_t w[KEY_WORDS], int64_t until)
{
    uint32_t seq = atomic_load_explicit(&s->seq, memory_order_relaxed);
    int i;

    seq += seq & 1u; /* a writer died mid-write: start from an even number again */
    atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    atomic_store_explicit(&s->until_hi, (uint32_t)((uint64_t)until >> 32), memory_order_relaxed);
    atomic_store_explicit(&s->until_lo, (uint32_t)((uint64_t)until & 0xffffffffu), memory_order_relaxed);
    for (i = 0; i < KEY_WORDS; i++)
        atomic_store_explicit(&s->key[i], w[i], memory_order_relaxed);
    atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
}

static fst_revocation_add_result_t add(fst_revocation_t *t, const unsigned char key[FST_REVOCATION_KEY_LEN],
                                       int64_t until, int64_t now, int once)
{
    uint32_t w[KEY_WORDS], h, i, probe = t->slots < FST_REVOCATION_PROBE ? t->slots : FST_REVOCATION_PROBE;
    uint32_t free_slot = UINT32_MAX, oldest = 0;
    int64_t oldest_until = INT64_MAX;
    snapshot_t snap;

    key_words(key, w);
    h = home(t, w);
    for (i = 0; i < probe; i++) {
        uint32_t at = (h + i) & (t->slots - 1);

        read_slot(&t->slot[at], &snap);
        if (snap.until > now && memcmp(snap.key, w, sizeof(w)) == 0) {
            if (once)
                return FST_REVOCATION_PRESENT;
            if (until > snap.until)
                write_slot(&t->slot[at], w, until);
            return FST_REVOCATION_ADDED;
        }
        if (snap.until <= now) {
            if (free_slot == UINT32_MAX)
                free_slot = at;
        }
        else if (snap.until < oldest_until) {
            oldest_until = snap.until;
            oldest = at;
        }
    }
    if (free_slot != UINT32_MAX) {
        write_slot(&t->slot[free_slot], w, until);
        return FST_REVOCATION_ADDED;
    }
    write_slot(&t->slot[oldest], w, until);
    return FST_REVOCATION_EVICTED;
}

fst_revocation_add_result_t fst_revocation_add(fst_revocation_t *t, const unsigned char key[FST_REVOCATION_KEY_LEN],
                                               int64_t until, int64_t now)
{
    return add(t, key, until, now, 0);
}

fst_revocation_add_result_t fst_revocation_add_once(fst_revocation_t *t,
                                                    const unsigned char key[FST_REVOCATION_KEY_LEN], int64_t until,
                                                    int64_t now)
{
    return add(t, key, until, now, 1);
}

int fst_revocation_contains(const fst_revocation_t *t, const unsigned char (*keys)[FST_REVOCATION_KEY_LEN], int n,
                            int64_t now)
{
    uint32_t probe = t->slots < FST_REVOCATION_PROBE ? t->slots : FST_REVOCATION_PROBE;
    snapshot_t snap;
    int k;

    for (k = 0; k < n; k++) {
        uint32_t w[KEY_WORDS], h, i;

        key_words(keys[k], w);
        h = home(t, w);
        for (i = 0; i < probe; i++) {
            int whole = read_slot(&t->slot[(h + i) & (t->slots - 1)], &snap);
            if (snap.until > now && memcmp(snap.key, w, sizeof(w)) == 0)
                return 1;
            /* A slot never written ends the search: add() takes the first slot that is not live,
             * so no key went past it. (An expired or half-written slot does not end it.) */
            if (whole && snap.until == 0)
                break;
        }
    }
    return 0;
}
