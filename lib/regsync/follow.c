/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "calls.h"
#include "follow.h"
#include "pseudonym.h"

static fst_follow_result_t fail(apr_pool_t *pool, fst_follow_error_t *err, foresatt_result_t rc,
                                const foresatt_status_t *st, const char *what)
{
    err->message = apr_psprintf(pool, "%s: %.*s", what, (int)sizeof(st->message),
                                st->message[0] ? st->message : "no reason given");
    err->retry_after = st->retry_after;
    return rc == FORESATT_TEMPORARY ? FST_FOLLOW_TEMPORARY : FST_FOLLOW_FAILED;
}

static int number_shape(const char *s)
{
    size_t i;

    for (i = 0; i < 11; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[11] == '\0';
}

/* Who to name in a log line: the pseudonym, never the number. */
static const char *who(const fst_follow_config_t *cfg, apr_pool_t *pool, const char *number)
{
    char p[FST_PSEUDONYM_LEN + 1];

    if (cfg->pseudonym && cfg->pseudonym(cfg->pseudonym_ctx, number, p))
        return apr_pstrdup(pool, p);
    return "a person";
}

/* The persons around the one an event is about, whom the school holds: a pupil's registered guardians
 * and those the register holds responsible; a guardian's pupils (as registered, and as the register
 * names them). Their records name each other (a changed responsibility, a changed number), so their
 * cached lookups and decisions are made again too. No register calls: the store, and the answer. */
static fst_follow_result_t add_related(fst_plugin_t *store, const fst_regsync_held_t *h, const foresatt_person_t *rec,
                                       apr_array_header_t *changes, apr_pool_t *pool, fst_follow_error_t *err)
{
    apr_hash_t *seen = apr_hash_make(pool);
    foresatt_guardian_t **rows;
    foresatt_pupil_t *pupil;
    foresatt_status_t st;
    foresatt_result_t rc;
    size_t n = 0, i;
    int k;

#define RELATED(num)                                                                                           \
    do {                                                                                                       \
        const char *num_ = (num);                                                                              \
        if (num_ && number_shape(num_) && !apr_hash_get(seen, num_, APR_HASH_KEY_STRING)) {                    \
            apr_hash_set(seen, num_, APR_HASH_KEY_STRING, "");                                                 \
            fst_regsync_push(changes, FORESATT_CHANGE_RECHECK, num_);                                          \
        }                                                                                                      \
    } while (0)

    for (k = 0; k < changes->nelts; k++) {
        const foresatt_register_change_t *c = &APR_ARRAY_IDX(changes, k, foresatt_register_change_t);
        apr_hash_set(seen, c->number, APR_HASH_KEY_STRING, "");
        if (c->new_number)
            apr_hash_set(seen, c->new_number, APR_HASH_KEY_STRING, "");
    }
    if (h->held & FORESATT_HELD_PUPIL) {
        rc = fst_store_pupil_by_number(store, h->number, pool, &pupil, &st);
        if (rc == FORESATT_OK && pupil != NULL) {
            rc = fst_store_pupil_guardians(store, pupil->pupil_id, pool, &rows, &n, &st);
            if (rc != FORESATT_OK && rc != FORESATT_NOT_FOUND)
                return fail(pool, err, rc, &st, "the store (a pupil's guardians)");
            for (i = 0; i < n; i++)
                RELATED(rows[i]->number);
        } else if (rc != FORESATT_NOT_FOUND) {
            return fail(pool, err, rc, &st, "the store (a pupil)");
        }
        for (i = 0; rec && i < rec->n_responsibilities; i++)
            RELATED(rec->responsibilities[i].responsible);
    }
    if (h->held & FORESATT_HELD_GUARDIAN) {
        rc = fst_store_guardian_links(store, h->number, pool, &rows, &n, &st);
        if (rc != FORESATT_OK && rc != FORESATT_NOT_FOUND)
            return fail(pool, err, rc, &st, "the store (a guardian's rows)");
        for (i = 0; rc == FORESATT_OK && i < n; i++) {
            foresatt_result_t prc = fst_store_pupil_by_id(store, rows[i]->pupil_id, pool, &pupil, &st);
            if (prc == FORESATT_OK && pupil != NULL)
                RELATED(pupil->number);
            else if (prc != FORESATT_NOT_FOUND)
                return fail(pool, err, prc, &st, "the store (a guardian's pupil)");
        }
        for (i = 0; rec && i < rec->n_responsibilities; i++)
            RELATED(rec->responsibilities[i].subject);
        for (i = 0; rec && i < rec->n_relations; i++)
            if (rec->relations[i].related_role && strcmp(rec->relations[i].related_role, "barn") == 0)
                RELATED(rec->relations[i].related);
    }
#undef RELATED
    return FST_FOLLOW_OK;
}

/* What the store gives for a guardian's name and address (the first row; all rows with a number
 * share the register's details once applied). */
static fst_follow_result_t stored_details(fst_plugin_t *store, fst_regsync_held_t *h, apr_pool_t *pool,
                                          fst_follow_error_t *err)
{
    foresatt_guardian_t **rows;
    foresatt_status_t st;
    foresatt_result_t rc;
    size_t n;

    rc = fst_store_guardian_links(store, h->number, pool, &rows, &n, &st);
    if (rc == FORESATT_NOT_FOUND || (rc == FORESATT_OK && n == 0))
        return FST_FOLLOW_OK;
    if (rc != FORESATT_OK)
        return fail(pool, err, rc, &st, "the store (a guardian's rows)");
    h->stored_name = rows[0]->name;
    h->stored_address = rows[0]->address;
    return FST_FOLLOW_OK;
}

/* One page: filter, look up, apply. *position moves with every event applied. */
static fst_follow_result_t page(fst_plugin_t *registry, fst_plugin_t *store, const fst_follow_config_t *cfg,
                                int64_t now, const foresatt_event_t *ev, size_t n, int64_t *position,
                                apr_pool_t *pool, fst_follow_stats_t *stats, fst_follow_error_t *err)
{
    const char **numbers = apr_pcalloc(pool, sizeof(*numbers) * n);
    unsigned *held = apr_pcalloc(pool, sizeof(*held) * n);
    apr_hash_t *first = apr_hash_make(pool); /* number -> index into numbers */
    const foresatt_person_t **records;
    size_t *event_of = apr_pcalloc(pool, sizeof(*event_of) * n), n_numbers = 0, n_held = 0, i, k;
    const char **held_numbers;
    const foresatt_person_t **by_number;
    foresatt_status_t st;
    foresatt_result_t rc;
    fst_follow_result_t fr;

    /* distinct well-formed numbers of the page, in order */
    for (i = 0; i < n; i++) {
        if (!number_shape(ev[i].number) || apr_hash_get(first, ev[i].number, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(first, ev[i].number, APR_HASH_KEY_STRING, &event_of[n_numbers]);
        event_of[n_numbers] = i;
        numbers[n_numbers++] = ev[i].number;
    }
    rc = fst_store_numbers_held(store, numbers, n_numbers, held, &st);
    if (rc != FORESATT_OK)
        return fail(pool, err, rc, &st, "the store (which numbers the school holds)");

    held_numbers = apr_pcalloc(pool, sizeof(*held_numbers) * (n_numbers + 1));
    for (k = 0; k < n_numbers; k++)
        if (held[k] & (FORESATT_HELD_PUPIL | FORESATT_HELD_GUARDIAN))
            held_numbers[n_held++] = numbers[k];
    records = apr_pcalloc(pool, sizeof(*records) * (n_held + 1));
    if (n_held > 0) {
        rc = fst_rs_lookup(registry, held_numbers, n_held, pool, records, &stats->lookup_calls, &st);
        stats->looked_up += n_held;
        if (rc != FORESATT_OK)
            return fail(pool, err, rc, &st, "the register (looking the school's persons up again)");
    }
    by_number = apr_pcalloc(pool, sizeof(*by_number) * (n_numbers + 1));
    for (k = 0, i = 0; k < n_numbers; k++)
        if (held[k] & (FORESATT_HELD_PUPIL | FORESATT_HELD_GUARDIAN))
            by_number[k] = records[i++];

    for (i = 0; i < n; i++) {
        size_t *slot = number_shape(ev[i].number) ? apr_hash_get(first, ev[i].number, APR_HASH_KEY_STRING) : NULL;
        fst_regsync_held_t h;
        fst_regsync_plan_t plan;
        int j;

        if (slot == NULL)
            continue;
        k = (size_t)(slot - event_of);
        if (!(held[k] & (FORESATT_HELD_PUPIL | FORESATT_HELD_GUARDIAN)))
            continue;
        stats->held++;
        if (event_of[k] != i)
            continue; /* the same person again in this page: already looked up and applied */
        memset(&h, 0, sizeof(h));
        h.number = numbers[k];
        h.held = held[k];
        if ((h.held & FORESATT_HELD_GUARDIAN) && (fr = stored_details(store, &h, pool, err)) != FST_FOLLOW_OK)
            return fr;
        fst_regsync_plan(pool, &h, by_number[k], now, 1, cfg->pseudonym, cfg->pseudonym_ctx, &plan);
        if ((fr = add_related(store, &h, by_number[k], plan.changes, pool, err)) != FST_FOLLOW_OK)
            return fr;
        rc = fst_store_register_apply(store, (const foresatt_register_change_t *)plan.changes->elts,
                                      (size_t)plan.changes->nelts, cfg->feed, ev[i].sequence, &st);
        if (rc != FORESATT_OK)
            return fail(pool, err, rc, &st, "the store (applying an event)");
        *position = ev[i].sequence;
        stats->applied++;
        stats->found |= plan.found;
        for (j = 0; j < plan.changes->nelts; j++) {
            foresatt_change_kind_t kind = APR_ARRAY_IDX(plan.changes, j, foresatt_register_change_t).kind;
            if ((int)kind >= 1 && (int)kind <= 6)
                stats->changes[kind]++;
        }
        if (cfg->log)
            fst_log(cfg->log, FORESATT_LOG_INFO, "event %lld (%s) about %s (%s): %s%s", (long long)ev[i].sequence,
                    ev[i].type, who(cfg, pool, h.number),
                    (h.held & FORESATT_HELD_PUPIL) && (h.held & FORESATT_HELD_GUARDIAN) ? "pupil and guardian"
                    : (h.held & FORESATT_HELD_PUPIL)                                    ? "pupil"
                                                                                        : "guardian",
                    fst_regsync_change_name(APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t).kind),
                    plan.changes->nelts > 1 ? apr_psprintf(pool, " and %d more", plan.changes->nelts - 1) : "");
    }
    if (*position != ev[n - 1].sequence) {
        rc = fst_store_register_apply(store, NULL, 0, cfg->feed, ev[n - 1].sequence, &st);
        if (rc != FORESATT_OK)
            return fail(pool, err, rc, &st, "the store (recording the feed's position)");
        *position = ev[n - 1].sequence;
    }
    return FST_FOLLOW_OK;
}

fst_follow_result_t fst_follow_round(fst_plugin_t *registry, fst_plugin_t *store, const fst_follow_config_t *cfg,
                                     int64_t now, apr_pool_t *pool, fst_follow_stats_t *stats,
                                     fst_follow_error_t *err)
{
    size_t max = cfg->page == 0 || cfg->page > FST_FOLLOW_PAGE_MAX ? FST_FOLLOW_PAGE_MAX : cfg->page;
    foresatt_status_t st;
    foresatt_result_t rc;
    int64_t position = 0;
    apr_pool_t *sub;

    memset(stats, 0, sizeof(*stats));
    memset(err, 0, sizeof(*err));
    if (!fst_rs_registry_has_feed(registry)) {
        err->message = apr_psprintf(pool, "the register plugin '%s' (%s, ABI %u.%u) has no event feed", registry->name,
                                    registry->desc->name, (unsigned)registry->desc->abi_major,
                                    (unsigned)registry->desc->abi_minor);
        return FST_FOLLOW_UNSUPPORTED;
    }
    if (!fst_store_can_follow(store)) {
        err->message = apr_psprintf(pool, "the store plugin '%s' (%s, ABI %u.%u) cannot record the register's changes "
                                    "(it needs ABI 1.2)", store->name, store->desc->name,
                                    (unsigned)store->desc->abi_major, (unsigned)store->desc->abi_minor);
        return FST_FOLLOW_UNSUPPORTED;
    }

    rc = cfg->start == FST_FOLLOW_RESUME ? fst_store_feed_position(store, cfg->feed, &position, &st)
                                         : FORESATT_NOT_FOUND;
    if (rc == FORESATT_NOT_FOUND) {
        if (cfg->start == FST_FOLLOW_FROM_SEQUENCE) {
            position = cfg->from > 0 ? cfg->from - 1 : 0;
        } else if ((rc = fst_rs_events_latest(registry, &position, &st)) != FORESATT_OK) {
            return fail(pool, err, rc, &st, "the register (the feed's newest sequence number)");
        }
        if ((rc = fst_store_register_apply(store, NULL, 0, cfg->feed, position, &st)) != FORESATT_OK)
            return fail(pool, err, rc, &st, "the store (recording the feed's position)");
        stats->started = 1;
    } else if (rc != FORESATT_OK) {
        return fail(pool, err, rc, &st, "the store (the feed's position)");
    }
    stats->from = position + 1;
    stats->position = position;

    apr_pool_create(&sub, pool);
    for (;;) {
        foresatt_event_t *ev;
        size_t n, i;
        fst_follow_result_t fr;

        apr_pool_clear(sub);
        rc = fst_rs_events_read(registry, position + 1, max, sub, &ev, &n, &st);
        if (rc == FORESATT_NOT_FOUND) {
            err->message = apr_psprintf(pool, "the register no longer keeps events from sequence %" APR_INT64_T_FMT,
                                        (apr_int64_t)(position + 1));
            apr_pool_destroy(sub);
            return FST_FOLLOW_GONE;
        }
        if (rc != FORESATT_OK) {
            apr_pool_destroy(sub);
            return fail(pool, err, rc, &st, "the register (the event feed)");
        }
        if (n == 0)
            break;
        for (i = 0; i < n; i++) {
            if (ev[i].sequence <= (i ? ev[i - 1].sequence : position) || ev[i].number == NULL || ev[i].type == NULL) {
                err->message = apr_psprintf(pool, "the register's feed answered out of order (sequence %" APR_INT64_T_FMT
                                            " after %" APR_INT64_T_FMT ") or without a number or type",
                                            (apr_int64_t)ev[i].sequence,
                                            (apr_int64_t)(i ? ev[i - 1].sequence : position));
                apr_pool_destroy(sub);
                return FST_FOLLOW_FAILED;
            }
        }
        stats->pages++;
        stats->events += n;
        fr = page(registry, store, cfg, now, ev, n, &position, sub, stats, err);
        stats->position = position;
        if (fr != FST_FOLLOW_OK) {
            err->message = apr_pstrdup(pool, err->message);
            apr_pool_destroy(sub);
            return fr;
        }
    }
    apr_pool_destroy(sub);
    return FST_FOLLOW_OK;
}
