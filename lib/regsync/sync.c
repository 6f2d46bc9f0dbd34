/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "calls.h"
#include "policy/rule.h"
#include "sync.h"

static const char *const kind_names[FST_SYNC_KIND_COUNT] = {
    "number_changed", "deceased", "address_protected", "name", "address",
    "lost_responsibility", "unregistered_responsible", "not_in_register", "ended",
};

const char *fst_sync_kind_name(fst_sync_kind_t kind)
{
    return (int)kind >= 0 && kind < FST_SYNC_KIND_COUNT ? kind_names[kind] : "unknown";
}

int fst_sync_kind_for_school(fst_sync_kind_t kind)
{
    return kind >= FST_SYNC_LOST_RESPONSIBILITY;
}

/* One number the school holds, gathered from every pupil and guardian row. */
typedef struct person {
    const char *number;
    unsigned held;
    const char *name, *address;   /* the store's, from the first guardian row */
    apr_array_header_t *pupil_ids; /* the pupils a guardian is registered for */
    const foresatt_person_t *record;
    fst_regsync_plan_t plan;
    const char *effective;         /* the number in use (the register's, when it changed) */
} person_t;

typedef struct pupil_rows {
    foresatt_pupil_t *pupil;
    foresatt_guardian_t **rows;
    size_t n;
} pupil_rows_t;

static int fail(apr_pool_t *pool, fst_sync_error_t *err, foresatt_result_t rc, const foresatt_status_t *st,
                const char *what)
{
    err->message = apr_psprintf(pool, "%s: %.*s", what, (int)sizeof(st->message),
                                st->message[0] ? st->message : "no reason given");
    err->retry_after = st->retry_after;
    err->temporary = rc == FORESATT_TEMPORARY;
    return 1;
}

static person_t *person_of(apr_pool_t *pool, apr_hash_t *by_number, apr_array_header_t *order, const char *number)
{
    person_t *p = apr_hash_get(by_number, number, APR_HASH_KEY_STRING);

    if (p == NULL) {
        p = apr_pcalloc(pool, sizeof(*p));
        p->number = number;
        p->pupil_ids = apr_array_make(pool, 2, sizeof(const char *));
        apr_hash_set(by_number, number, APR_HASH_KEY_STRING, p);
        APR_ARRAY_PUSH(order, person_t *) = p;
    }
    return p;
}

static fst_sync_item_t *item(apr_array_header_t **lists, fst_sync_kind_t kind, const person_t *p, apr_pool_t *pool)
{
    fst_sync_item_t *it = apr_array_push(lists[kind]);

    memset(it, 0, sizeof(*it));
    it->kind = kind;
    if (p != NULL) {
        it->number = p->number;
        it->pupil = (p->held & FORESATT_HELD_PUPIL) && p->pupil_ids->nelts == 0;
        it->name = p->name;
        it->pupil_ids = apr_array_pstrcat(pool, p->pupil_ids, ',');
    }
    return it;
}

/* Responsibility: the registered guardians the pupil's record does not hold responsible, and the
 * persons it does hold responsible whom the school has not registered. */
static void responsibility(apr_pool_t *pool, const pupil_rows_t *pr, const person_t *pupil, apr_hash_t *by_number,
                           int64_t now, apr_array_header_t **lists)
{
    const foresatt_person_t *rec = pupil->record;
    apr_hash_t *registered = apr_hash_make(pool);
    size_t i, refused = 0;

    for (i = 0; i < pr->n; i++) {
        const foresatt_guardian_t *g = pr->rows[i];
        const person_t *gp;
        foresatt_guardian_t as_registered;
        const foresatt_guardian_t *reg = &as_registered;
        fst_rule_input_t in;

        if (g->number == NULL || g->fnr_use == FORESATT_FNR_USE_REFUSED) {
            refused++;
            continue;
        }
        gp = apr_hash_get(by_number, g->number, APR_HASH_KEY_STRING);
        if (gp == NULL || (gp->plan.found & (FST_FIND_DECEASED | FST_FIND_NOT_IN_REGISTER)))
            continue;
        apr_hash_set(registered, gp->effective, APR_HASH_KEY_STRING, "");
        /* the rule's clause 1 alone, for the guardian's number as the register now has it */
        as_registered = *g;
        as_registered.number = gp->effective;
        memset(&in, 0, sizeof(in));
        in.guardian_number = gp->effective;
        in.pupil = pr->pupil;
        in.pupil_record = rec;
        in.registrations = &reg;
        in.n_registrations = 1;
        in.now = now;
        if (fst_rule_decide(&in, NULL) == FST_REASON_NO_PARENTAL_RESPONSIBILITY) {
            fst_sync_item_t *it = item(lists, FST_SYNC_LOST_RESPONSIBILITY, gp, pool);
            it->pupil = 0;
            it->pupil_ids = pr->pupil->pupil_id;
        }
    }
    for (i = 0; i < rec->n_responsibilities; i++) {
        const foresatt_responsibility_t *e = &rec->responsibilities[i];
        fst_sync_item_t *it;

        if (!e->current || (e->ended_at != 0 && e->ended_at <= now) || e->responsible == NULL ||
            (e->subject != NULL && strcmp(e->subject, rec->number ? rec->number : "") != 0 &&
             strcmp(e->subject, pr->pupil->number) != 0) ||
            apr_hash_get(registered, e->responsible, APR_HASH_KEY_STRING))
            continue;
        apr_hash_set(registered, e->responsible, APR_HASH_KEY_STRING, "");
        it = item(lists, FST_SYNC_UNREGISTERED, NULL, pool);
        it->number = e->responsible;
        it->pupil_ids = pr->pupil->pupil_id;
        it->detail = refused ? apr_psprintf(pool, "%s; %" APR_SIZE_T_FMT " guardian(s) of the pupil registered without a number",
                                            e->kind ? e->kind : "ukjent", refused)
                             : (e->kind ? e->kind : "ukjent");
    }
}

int fst_sync_compare(fst_plugin_t *registry, fst_plugin_t *store, int64_t now, fst_pseudonym_fn pseudonym,
                     void *pctx, apr_pool_t *pool, fst_sync_report_t *report, fst_sync_error_t *err)
{
    apr_hash_t *by_number = apr_hash_make(pool);
    apr_array_header_t *order = apr_array_make(pool, 64, sizeof(person_t *));
    apr_array_header_t *lists[FST_SYNC_KIND_COUNT];
    foresatt_pupil_t **pupils;
    pupil_rows_t *prs;
    const char **numbers;
    unsigned *held;
    const foresatt_person_t **records;
    foresatt_status_t st;
    foresatt_result_t rc;
    size_t n_pupils, i, k;
    int can_hold = fst_store_can_follow(store);

    memset(report, 0, sizeof(*report));
    memset(err, 0, sizeof(*err));
    for (k = 0; k < FST_SYNC_KIND_COUNT; k++)
        lists[k] = apr_array_make(pool, 4, sizeof(fst_sync_item_t));
    report->items = apr_array_make(pool, 16, sizeof(fst_sync_item_t));
    report->changes = apr_array_make(pool, 16, sizeof(foresatt_register_change_t));

    if ((rc = fst_store_pupils_all(store, pool, &pupils, &n_pupils, &st)) != FORESATT_OK)
        return fail(pool, err, rc, &st, "the store (listing the pupils)");
    prs = apr_pcalloc(pool, sizeof(*prs) * (n_pupils + 1));
    for (i = 0; i < n_pupils; i++) {
        person_t *p;

        prs[i].pupil = pupils[i];
        rc = fst_store_pupil_guardians(store, pupils[i]->pupil_id, pool, &prs[i].rows, &prs[i].n, &st);
        if (rc != FORESATT_OK && rc != FORESATT_NOT_FOUND)
            return fail(pool, err, rc, &st, "the store (a pupil's guardians)");
        if (pupils[i]->number && *pupils[i]->number) {
            p = person_of(pool, by_number, order, pupils[i]->number);
            p->held |= FORESATT_HELD_PUPIL;
        }
        for (k = 0; k < prs[i].n; k++) {
            const foresatt_guardian_t *g = prs[i].rows[k];
            if (g->number == NULL)
                continue;
            p = person_of(pool, by_number, order, g->number);
            if (!(p->held & FORESATT_HELD_GUARDIAN)) {
                p->held |= FORESATT_HELD_GUARDIAN;
                p->name = g->name;
                p->address = g->address;
                report->guardians++;
            }
            APR_ARRAY_PUSH(p->pupil_ids, const char *) = g->pupil_id;
        }
    }
    report->pupils = n_pupils;

    numbers = apr_pcalloc(pool, sizeof(*numbers) * ((size_t)order->nelts + 1));
    held = apr_pcalloc(pool, sizeof(*held) * ((size_t)order->nelts + 1));
    records = apr_pcalloc(pool, sizeof(*records) * ((size_t)order->nelts + 1));
    for (i = 0; i < (size_t)order->nelts; i++)
        numbers[i] = APR_ARRAY_IDX(order, i, person_t *)->number;
    /* what the store already recorded (deaths, graded addresses): only a 1.2 store knows */
    for (i = 0; can_hold && i < (size_t)order->nelts; i += 1000) {
        size_t chunk = (size_t)order->nelts - i < 1000 ? (size_t)order->nelts - i : 1000;
        if ((rc = fst_store_numbers_held(store, numbers + i, chunk, held + i, &st)) != FORESATT_OK)
            return fail(pool, err, rc, &st, "the store (what it recorded from the register)");
    }
    if (order->nelts > 0) {
        rc = fst_rs_lookup(registry, numbers, (size_t)order->nelts, pool, records, &report->lookup_calls, &st);
        report->looked_up = (size_t)order->nelts;
        if (rc != FORESATT_OK)
            return fail(pool, err, rc, &st, "the register (the bulk lookups)");
    }

    for (i = 0; i < (size_t)order->nelts; i++) {
        person_t *p = APR_ARRAY_IDX(order, i, person_t *);
        fst_regsync_held_t h;
        fst_sync_item_t *it;
        int j;

        memset(&h, 0, sizeof(h));
        h.number = p->number;
        h.held = p->held | (held[i] & (FORESATT_HELD_DECEASED | FORESATT_HELD_PROTECTED));
        h.stored_name = p->name;
        h.stored_address = p->address;
        p->record = records[i];
        fst_regsync_plan(pool, &h, p->record, now, 0, pseudonym, pctx, &p->plan);
        p->effective = p->plan.new_number ? p->plan.new_number : p->number;
        for (j = 0; j < p->plan.changes->nelts; j++)
            *(foresatt_register_change_t *)apr_array_push(report->changes) =
                APR_ARRAY_IDX(p->plan.changes, j, foresatt_register_change_t);
        if (p->plan.found & FST_FIND_NOT_IN_REGISTER)
            item(lists, FST_SYNC_NOT_IN_REGISTER, p, pool);
        if (p->plan.found & FST_FIND_NUMBER_CHANGED)
            item(lists, FST_SYNC_NUMBER_CHANGED, p, pool)->new_number = p->plan.new_number;
        if ((p->plan.found & FST_FIND_DECEASED) && !(held[i] & FORESATT_HELD_DECEASED))
            item(lists, FST_SYNC_DECEASED, p, pool);
        if (p->plan.found & FST_FIND_ENDED)
            item(lists, FST_SYNC_ENDED, p, pool)->detail = p->plan.status;
        if ((p->plan.found & FST_FIND_PROTECTED) && (!(held[i] & FORESATT_HELD_PROTECTED) || p->address))
            item(lists, FST_SYNC_ADDRESS_PROTECTED, p, pool);
        if (p->plan.found & FST_FIND_NAME) {
            it = item(lists, FST_SYNC_NAME, p, pool);
            it->was = p->name;
            it->now = p->plan.name;
        }
        if (p->plan.found & FST_FIND_ADDRESS) {
            it = item(lists, FST_SYNC_ADDRESS, p, pool);
            it->was = p->address;
            it->now = p->plan.address;
        }
    }

    for (i = 0; i < n_pupils; i++) {
        const person_t *p = prs[i].pupil->number ? apr_hash_get(by_number, prs[i].pupil->number, APR_HASH_KEY_STRING)
                                                 : NULL;
        if (p == NULL || p->record == NULL || (p->plan.found & (FST_FIND_DECEASED | FST_FIND_ENDED)))
            continue;
        responsibility(pool, &prs[i], p, by_number, now, lists);
    }

    for (k = 0; k < FST_SYNC_KIND_COUNT; k++) {
        report->counts[k] = (size_t)lists[k]->nelts;
        apr_array_cat(report->items, lists[k]);
    }
    return 0;
}

int fst_sync_apply(fst_plugin_t *store, const fst_sync_report_t *report, apr_pool_t *pool, fst_sync_error_t *err)
{
    foresatt_status_t st;
    foresatt_result_t rc;

    memset(err, 0, sizeof(*err));
    if (report->changes->nelts == 0)
        return 0;
    rc = fst_store_register_apply(store, (const foresatt_register_change_t *)report->changes->elts,
                                  (size_t)report->changes->nelts, NULL, 0, &st);
    if (rc != FORESATT_OK)
        return fail(pool, err, rc, &st, "the store (applying the register's changes)");
    return 0;
}
