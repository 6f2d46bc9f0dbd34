/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "access.h"
#include "person.h"

static void status_init(foresatt_status_t *st)
{
    memset(st, 0, sizeof(*st));
}

static void fail(fst_access_error_t *err, apr_pool_t *pool, const foresatt_status_t *st, const char *what)
{
    if (err == NULL)
        return;
    err->message = apr_psprintf(pool, "%s: %.*s", what, (int)sizeof(st->message),
                                st->message[0] ? st->message : "no reason given");
    err->retry_after = st->retry_after;
}

static int is_temporary_or_error(foresatt_result_t rc)
{
    return rc != FORESATT_OK && rc != FORESATT_NOT_FOUND;
}

typedef struct candidate {
    foresatt_pupil_t *pupil;
    unsigned via;
} candidate_t;

static int cmp_pupil(const void *a, const void *b)
{
    return strcmp(((const fst_access_pupil_t *)a)->pupil_id, ((const fst_access_pupil_t *)b)->pupil_id);
}

/* Add the pupil with this number (from the person's register record) when the store has one. */
static fst_access_result_t add_by_number(const fst_access_backend_t *b, apr_hash_t *cands, const char *number,
                                         unsigned via, apr_pool_t *pool, fst_access_error_t *err)
{
    foresatt_status_t st;
    foresatt_pupil_t *pupil;
    foresatt_result_t rc;
    candidate_t *c;

    if (number == NULL || *number == '\0')
        return FST_ACCESS_OK;
    rc = fst_store_pupil_by_number(b->store, number, pool, &pupil, &st);
    if (is_temporary_or_error(rc)) {
        fail(err, pool, &st, "store");
        return FST_ACCESS_STORE_FAILED;
    }
    if (rc != FORESATT_OK || pupil == NULL || pupil->pupil_id == NULL)
        return FST_ACCESS_OK;
    c = apr_hash_get(cands, pupil->pupil_id, APR_HASH_KEY_STRING);
    if (c == NULL) {
        c = apr_pcalloc(pool, sizeof(*c));
        c->pupil = pupil;
        apr_hash_set(cands, pupil->pupil_id, APR_HASH_KEY_STRING, c);
    }
    c->via |= via;
    return FST_ACCESS_OK;
}

/* The rule for one candidate: look up the pupil's own register record. */
static fst_access_result_t decide_one(const fst_access_backend_t *b, const char *number, foresatt_pupil_t *pupil,
                                      foresatt_guardian_t **links, size_t n_links, int64_t now, apr_pool_t *pool,
                                      fst_access_pupil_t *out, fst_access_error_t *err)
{
    const foresatt_person_t *record = NULL;
    fst_rule_input_t in;
    foresatt_status_t st;
    foresatt_result_t rc;

    out->pupil_id = pupil->pupil_id;
    out->number = pupil->number;
    if (pupil->number != NULL && *pupil->number != '\0') {
        status_init(&st);
        rc = b->lookup(b->lookup_ctx, pupil->number, pool, &record, &st);
        if (is_temporary_or_error(rc)) {
            fail(err, pool, &st, "register");
            return FST_ACCESS_REGISTRY_FAILED;
        }
        if (rc != FORESATT_OK)
            record = NULL;
    }
    memset(&in, 0, sizeof(in));
    in.guardian_number = number;
    in.pupil = pupil;
    in.pupil_record = record;
    in.registrations = (const foresatt_guardian_t *const *)links;
    in.n_registrations = n_links;
    in.require_school_registration = b->require_school_registration;
    in.now = now;
    out->reason = fst_rule_decide(&in, &out->detail);
    return FST_ACCESS_OK;
}

fst_access_result_t fst_access_decide(const fst_access_backend_t *b, const char *number, int64_t now,
                                      apr_pool_t *pool, fst_access_t **out, fst_access_error_t *err)
{
    fst_access_t *a = apr_pcalloc(pool, sizeof(*a));
    apr_hash_t *cands = apr_hash_make(pool);
    apr_hash_index_t *hi;
    const foresatt_person_t *me = NULL;
    foresatt_guardian_t **links;
    foresatt_pupil_t *self;
    foresatt_status_t st;
    foresatt_result_t rc;
    fst_access_result_t ar;
    size_t n_links, i;

    *out = NULL;
    a->pupils = apr_array_make(pool, 4, sizeof(fst_access_pupil_t));

    /* The revision first: a change made while we decide makes the next request decide again. */
    rc = fst_store_revision(b->store, &a->revision, &st);
    if (is_temporary_or_error(rc)) {
        fail(err, pool, &st, "store");
        return FST_ACCESS_STORE_FAILED;
    }

    rc = fst_store_pupil_by_number(b->store, number, pool, &self, &st);
    if (is_temporary_or_error(rc)) {
        fail(err, pool, &st, "store");
        return FST_ACCESS_STORE_FAILED;
    }
    a->as_student = rc == FORESATT_OK ? self : NULL;

    rc = fst_store_guardian_links(b->store, number, pool, &links, &n_links, &st);
    if (is_temporary_or_error(rc)) {
        fail(err, pool, &st, "store");
        return FST_ACCESS_STORE_FAILED;
    }
    for (i = 0; i < n_links; i++) {
        candidate_t *c;
        foresatt_pupil_t *pupil;

        if (links[i] == NULL || links[i]->pupil_id == NULL)
            continue;
        if (apr_hash_get(cands, links[i]->pupil_id, APR_HASH_KEY_STRING) != NULL) {
            ((candidate_t *)apr_hash_get(cands, links[i]->pupil_id, APR_HASH_KEY_STRING))->via |= FST_VIA_SCHOOL;
            continue;
        }
        rc = fst_store_pupil_by_id(b->store, links[i]->pupil_id, pool, &pupil, &st);
        if (is_temporary_or_error(rc)) {
            fail(err, pool, &st, "store");
            return FST_ACCESS_STORE_FAILED;
        }
        c = apr_pcalloc(pool, sizeof(*c));
        c->via = FST_VIA_SCHOOL;
        if (rc == FORESATT_OK && pupil != NULL) {
            c->pupil = pupil;
        } else {
            /* registered for a pupil the store no longer has */
            c->pupil = apr_pcalloc(pool, sizeof(*c->pupil));
            c->pupil->pupil_id = links[i]->pupil_id;
        }
        apr_hash_set(cands, c->pupil->pupil_id, APR_HASH_KEY_STRING, c);
    }

    status_init(&st);
    rc = b->lookup(b->lookup_ctx, number, pool, &me, &st);
    if (is_temporary_or_error(rc)) {
        fail(err, pool, &st, "register");
        return FST_ACCESS_REGISTRY_FAILED;
    }
    if (rc == FORESATT_OK && me != NULL && fst_access_number_ended(me, number)) {
        /* The register no longer uses this number for a living person: it is nobody's login any more. */
        a->in_register = 1;
        a->number_ended = 1;
        a->as_student = NULL;
        *out = a;
        return FST_ACCESS_OK;
    }
    if (rc == FORESATT_OK && me != NULL) {
        a->in_register = 1;
        a->display_name = fst_person_display_name(pool, me);
        for (i = 0; i < me->n_responsibilities; i++) {
            const foresatt_responsibility_t *e = &me->responsibilities[i];
            if (e->responsible == NULL || strcmp(e->responsible, number) != 0 ||
                (e->subject != NULL && strcmp(e->subject, number) == 0))
                continue;
            if ((ar = add_by_number(b, cands, e->subject, FST_VIA_RESPONSIBILITY, pool, err)) != FST_ACCESS_OK)
                return ar;
        }
        for (i = 0; i < me->n_relations; i++) {
            const foresatt_relation_t *rel = &me->relations[i];
            if (rel->related_role == NULL || strcmp(rel->related_role, "barn") != 0)
                continue;
            if ((ar = add_by_number(b, cands, rel->related, FST_VIA_RELATION, pool, err)) != FST_ACCESS_OK)
                return ar;
        }
    }

    for (hi = apr_hash_first(pool, cands); hi; hi = apr_hash_next(hi)) {
        candidate_t *c = apr_hash_this_val(hi);
        fst_access_pupil_t *p = apr_array_push(a->pupils);

        memset(p, 0, sizeof(*p));
        p->via = c->via;
        if (c->pupil->number == NULL) {
            p->pupil_id = c->pupil->pupil_id;
            p->reason = FST_REASON_UNKNOWN_STUDENT;
            continue;
        }
        ar = decide_one(b, number, c->pupil, links, n_links, now, pool, p, err);
        if (ar != FST_ACCESS_OK)
            return ar;
    }
    if (a->pupils->nelts > 1)
        qsort(a->pupils->elts, (size_t)a->pupils->nelts, sizeof(fst_access_pupil_t), cmp_pupil);
    *out = a;
    return FST_ACCESS_OK;
}

fst_access_result_t fst_access_decide_pupil(const fst_access_backend_t *b, const char *number,
                                            const char *pupil_id, int64_t now, apr_pool_t *pool,
                                            fst_access_pupil_t *out, fst_access_error_t *err)
{
    foresatt_guardian_t **links;
    foresatt_pupil_t *pupil;
    foresatt_status_t st;
    foresatt_result_t rc;
    size_t n_links;

    memset(out, 0, sizeof(*out));
    out->pupil_id = pupil_id;
    rc = fst_store_pupil_by_id(b->store, pupil_id, pool, &pupil, &st);
    if (is_temporary_or_error(rc)) {
        fail(err, pool, &st, "store");
        return FST_ACCESS_STORE_FAILED;
    }
    if (rc != FORESATT_OK || pupil == NULL || pupil->number == NULL) {
        out->reason = FST_REASON_UNKNOWN_STUDENT;
        return FST_ACCESS_OK;
    }
    rc = fst_store_guardian_links(b->store, number, pool, &links, &n_links, &st);
    if (is_temporary_or_error(rc)) {
        fail(err, pool, &st, "store");
        return FST_ACCESS_STORE_FAILED;
    }
    return decide_one(b, number, pupil, links, n_links, now, pool, out, err);
}

int fst_access_number_ended(const foresatt_person_t *me, const char *number)
{
    if (me->number != NULL && *me->number != '\0' && strcmp(me->number, number) != 0)
        return 1; /* replaced: a D-number that became a fødselsnummer, a duplicate */
    return me->status != NULL && (strcmp(me->status, "doed") == 0 || strcmp(me->status, "opphoert") == 0);
}

const fst_access_pupil_t *fst_access_find(const fst_access_t *access, const char *pupil_id)
{
    int i;

    for (i = 0; access && pupil_id && i < access->pupils->nelts; i++) {
        const fst_access_pupil_t *p = &APR_ARRAY_IDX(access->pupils, i, fst_access_pupil_t);
        if (strcmp(p->pupil_id, pupil_id) == 0)
            return p;
    }
    return NULL;
}
