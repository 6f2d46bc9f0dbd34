/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The coalescing audit queue (queue.h). Places are indices into one array: a free list, the open
 * windows (in a list and in a hash of chains, so a repeat costs one hash and a compare) and the
 * entries ready for the writer (a list, oldest first).
 */
#include <string.h>

#include <apr_strings.h>

#include "audit/queue.h"

enum { FREE = 0, OPEN, READY };

typedef struct place {
    fst_audit_record_t rec;
    uint32_t hash;
    int state;
    int prev, next; /* in the open or the ready list; next alone in the free list */
    int chain;      /* the next open window in the same hash bucket */
} place_t;

typedef struct list {
    int head, tail;
} list_t;

struct fst_audit_queue {
    place_t *places;
    unsigned capacity, depth, taken;
    int64_t window;
    int free_head;
    list_t open, ready;
    int *buckets;
    uint32_t mask;
};

static void push(fst_audit_queue_t *q, list_t *l, int i)
{
    q->places[i].prev = l->tail;
    q->places[i].next = -1;
    if (l->tail >= 0)
        q->places[l->tail].next = i;
    else
        l->head = i;
    l->tail = i;
}

static void unlink_from(fst_audit_queue_t *q, list_t *l, int i)
{
    place_t *p = &q->places[i];

    if (p->prev >= 0)
        q->places[p->prev].next = p->next;
    else
        l->head = p->next;
    if (p->next >= 0)
        q->places[p->next].prev = p->prev;
    else
        l->tail = p->prev;
}

fst_audit_queue_t *fst_audit_queue_make(apr_pool_t *pool, unsigned capacity, int64_t window)
{
    fst_audit_queue_t *q = apr_pcalloc(pool, sizeof(*q));
    unsigned i, buckets = 16;

    if (capacity < 2)
        capacity = 2;
    while (buckets < capacity)
        buckets <<= 1;
    q->places = apr_pcalloc(pool, sizeof(place_t) * capacity);
    q->buckets = apr_palloc(pool, sizeof(int) * buckets);
    q->mask = buckets - 1;
    q->capacity = capacity;
    q->window = window > 0 ? window : 0;
    for (i = 0; i < buckets; i++)
        q->buckets[i] = -1;
    for (i = 0; i < capacity; i++)
        q->places[i].next = i + 1 < capacity ? (int)i + 1 : -1;
    q->free_head = 0;
    q->open.head = q->open.tail = q->ready.head = q->ready.tail = -1;
    return q;
}

static uint32_t mix(uint32_t h, const char *s, size_t size)
{
    size_t i;

    for (i = 0; s && s[i] && i + 1 < size; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return (h ^ 0xffu) * 16777619u; /* a separator: ("ab", "c") and ("a", "bc") differ */
}

uint32_t fst_audit_hash(const fst_audit_what_t *w)
{
    uint32_t h = 2166136261u ^ (uint32_t)w->role;

    h = mix(h, w->actor, FST_AUDIT_ACTOR_SIZE);
    h = mix(h, w->pupil_id, FST_AUDIT_PUPIL_SIZE);
    h = mix(h, w->action, FST_AUDIT_ACTION_SIZE);
    h = mix(h, w->decision, FST_AUDIT_DECISION_SIZE);
    return mix(h, w->reason, FST_AUDIT_REASON_SIZE);
}

/* A held string equals s as it would be held (cut to size - 1). */
static int same(const char *held, size_t size, const char *s)
{
    return strncmp(held, s ? s : "", size - 1) == 0;
}

static int same_what(const fst_audit_record_t *r, const fst_audit_what_t *w)
{
    return r->role == w->role && same(r->actor, sizeof(r->actor), w->actor) &&
           same(r->pupil, sizeof(r->pupil), w->pupil_id) && same(r->action, sizeof(r->action), w->action) &&
           same(r->decision, sizeof(r->decision), w->decision) && same(r->reason, sizeof(r->reason), w->reason);
}

static void copy(char *dst, size_t size, const char *src)
{
    apr_cpystrn(dst, src ? src : "", size);
}

/* The window of place i is over: out of the hash, onto the ready list. */
static void close_window(fst_audit_queue_t *q, int i)
{
    int *link = &q->buckets[q->places[i].hash & q->mask];

    while (*link != i)
        link = &q->places[*link].chain;
    *link = q->places[i].chain;
    unlink_from(q, &q->open, i);
    q->places[i].state = READY;
    push(q, &q->ready, i);
}

fst_audit_add_result_t fst_audit_queue_add(fst_audit_queue_t *q, const fst_audit_what_t *what, uint32_t hash,
                                           int64_t at, const char *detail, int coalesce)
{
    place_t *p;
    int i;

    coalesce = coalesce && q->window > 0;
    if (coalesce) {
        for (i = q->buckets[hash & q->mask]; i >= 0; i = q->places[i].chain) {
            p = &q->places[i];
            if (p->hash != hash || !same_what(&p->rec, what))
                continue;
            if (at < p->rec.at + q->window) {
                p->rec.count++;
                if (at > p->rec.last_at)
                    p->rec.last_at = at;
                return FST_AUDIT_COUNTED;
            }
            close_window(q, i); /* over: this request opens the next one */
            break;
        }
    }
    if (q->free_head < 0)
        return FST_AUDIT_FULL;
    i = q->free_head;
    p = &q->places[i];
    q->free_head = p->next;
    memset(&p->rec, 0, sizeof(p->rec));
    p->rec.at = p->rec.last_at = at;
    p->rec.count = 1;
    p->rec.role = what->role;
    copy(p->rec.actor, sizeof(p->rec.actor), what->actor);
    copy(p->rec.pupil, sizeof(p->rec.pupil), what->pupil_id);
    copy(p->rec.action, sizeof(p->rec.action), what->action);
    copy(p->rec.decision, sizeof(p->rec.decision), what->decision);
    copy(p->rec.reason, sizeof(p->rec.reason), what->reason);
    copy(p->rec.detail, sizeof(p->rec.detail), detail);
    p->hash = hash;
    q->depth++;
    if (coalesce) {
        p->state = OPEN;
        p->chain = q->buckets[hash & q->mask];
        q->buckets[hash & q->mask] = i;
        push(q, &q->open, i);
    } else {
        p->state = READY;
        push(q, &q->ready, i);
    }
    return FST_AUDIT_QUEUED;
}

size_t fst_audit_queue_take(fst_audit_queue_t *q, int64_t now, int stopping, fst_audit_record_t *out, size_t max)
{
    int all = stopping || q->depth * 2 > q->capacity;
    int i, next;
    size_t n = 0;

    for (i = q->open.head; i >= 0; i = next) {
        next = q->places[i].next;
        if (all || now >= q->places[i].rec.at + q->window)
            close_window(q, i);
    }
    for (i = q->ready.head; i >= 0 && n < max; i = q->places[i].next)
        out[n++] = q->places[i].rec;
    q->taken = (unsigned)n;
    return n;
}

void fst_audit_queue_written(fst_audit_queue_t *q)
{
    for (; q->taken > 0 && q->ready.head >= 0; q->taken--) {
        int i = q->ready.head;

        unlink_from(q, &q->ready, i);
        q->places[i].state = FREE;
        q->places[i].next = q->free_head;
        q->free_head = i;
        q->depth--;
    }
    q->taken = 0;
}

unsigned fst_audit_queue_depth(const fst_audit_queue_t *q)
{
    return q->depth;
}

unsigned fst_audit_queue_capacity(const fst_audit_queue_t *q)
{
    return q->capacity;
}

int64_t fst_audit_queue_next_close(const fst_audit_queue_t *q)
{
    int64_t first = 0;
    int i;

    for (i = q->open.head; i >= 0; i = q->places[i].next)
        if (first == 0 || q->places[i].rec.at + q->window < first)
            first = q->places[i].rec.at + q->window;
    return first;
}

void fst_audit_record_entry(const fst_audit_record_t *rec, foresatt_audit_entry_t *e)
{
    memset(e, 0, sizeof(*e));
    e->struct_size = sizeof(*e);
    e->at = rec->at;
    e->actor = rec->actor[0] ? rec->actor : NULL;
    e->role = rec->role;
    e->pupil_id = rec->pupil[0] ? rec->pupil : NULL;
    e->action = rec->action;
    e->decision = rec->decision;
    e->reason = rec->reason[0] ? rec->reason : NULL;
    e->detail = rec->detail[0] ? rec->detail : NULL;
}
