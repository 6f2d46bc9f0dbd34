/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "person.h"
#include "plan.h"

foresatt_register_change_t *fst_regsync_push(apr_array_header_t *changes, foresatt_change_kind_t kind,
                                             const char *number)
{
    foresatt_register_change_t *c = apr_array_push(changes);

    memset(c, 0, sizeof(*c));
    c->struct_size = sizeof(*c);
    c->kind = kind;
    c->number = number;
    return c;
}

const char *fst_regsync_change_name(foresatt_change_kind_t kind)
{
    switch (kind) {
    case FORESATT_CHANGE_RECHECK:
        return "recheck";
    case FORESATT_CHANGE_GUARDIAN_DETAILS:
        return "guardian_details";
    case FORESATT_CHANGE_ADDRESS_PROTECTED:
        return "address_protected";
    case FORESATT_CHANGE_NUMBER:
        return "number";
    case FORESATT_CHANGE_DECEASED:
        return "deceased";
    case FORESATT_CHANGE_ALIVE:
        return "alive";
    }
    return "unknown";
}

static int nonempty(const char *s)
{
    return s != NULL && *s != '\0';
}

const char *fst_regsync_name(apr_pool_t *pool, const foresatt_person_t *p)
{
    const char *name = fst_person_display_name(pool, p);

    if (name == NULL || strlen(name) <= FORESATT_MAX_NAME_LEN)
        return name;
    return apr_pstrndup(pool, name, FORESATT_MAX_NAME_LEN);
}

const char *fst_regsync_address(apr_pool_t *pool, const foresatt_person_t *p)
{
    const foresatt_address_t *a;
    const char *street, *post, *line;

    if (p == NULL || !p->has_address || p->address.grading != FORESATT_GRADING_NONE)
        return NULL;
    a = &p->address;
    street = apr_pstrcat(pool, nonempty(a->street) ? a->street : "",
                         nonempty(a->street) && nonempty(a->house_number) ? " " : "",
                         nonempty(a->house_number) ? a->house_number : "", NULL);
    post = apr_pstrcat(pool, nonempty(a->postal_code) ? a->postal_code : "",
                       nonempty(a->postal_code) && nonempty(a->post_town) ? " " : "",
                       nonempty(a->post_town) ? a->post_town : "", NULL);
    if (*street == '\0' && *post == '\0')
        return NULL;
    line = apr_pstrcat(pool, street, *street && *post ? ", " : "", post, NULL);
    /* cut on a character boundary, never in the middle of a UTF-8 sequence */
    if (strlen(line) > FORESATT_MAX_ADDRESS_LEN) {
        size_t n = FORESATT_MAX_ADDRESS_LEN;
        while (n > 0 && ((unsigned char)line[n] & 0xc0) == 0x80)
            n--;
        line = apr_pstrndup(pool, line, n);
    }
    return line;
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

void fst_regsync_plan(apr_pool_t *pool, const fst_regsync_held_t *held, const foresatt_person_t *rec, int64_t now,
                      int recheck, fst_pseudonym_fn pseudonym, void *pctx, fst_regsync_plan_t *out)
{
    const char *number = held->number;
    int guardian = (held->held & FORESATT_HELD_GUARDIAN) != 0;

    memset(out, 0, sizeof(*out));
    out->changes = apr_array_make(pool, 4, sizeof(foresatt_register_change_t));
    if (rec == NULL) {
        out->found |= FST_FIND_NOT_IN_REGISTER;
        goto done;
    }
    out->status = rec->status;
    out->name = fst_regsync_name(pool, rec);
    out->address = fst_regsync_address(pool, rec);

    if (nonempty(rec->number) && strcmp(rec->number, number) != 0) {
        foresatt_register_change_t *c = fst_regsync_push(out->changes, FORESATT_CHANGE_NUMBER, number);
        char a[FST_PSEUDONYM_LEN + 1], b[FST_PSEUDONYM_LEN + 1];

        out->found |= FST_FIND_NUMBER_CHANGED;
        out->new_number = apr_pstrdup(pool, rec->number);
        c->new_number = out->new_number;
        if (pseudonym != NULL && pseudonym(pctx, number, a) && pseudonym(pctx, rec->number, b)) {
            c->actor = apr_pstrdup(pool, a);
            c->new_actor = apr_pstrdup(pool, b);
        }
        number = out->new_number; /* what follows is about the records as moved */
    }

    if (rec->status != NULL && strcmp(rec->status, "doed") == 0) {
        out->found |= FST_FIND_DECEASED;
        if (!(held->held & FORESATT_HELD_DECEASED) || (out->found & FST_FIND_NUMBER_CHANGED))
            fst_regsync_push(out->changes, FORESATT_CHANGE_DECEASED, number)->at = now;
        goto done; /* the rest is retention's now */
    }
    if (held->held & FORESATT_HELD_DECEASED)
        fst_regsync_push(out->changes, FORESATT_CHANGE_ALIVE, number); /* the register corrected itself */
    if (rec->status != NULL && strcmp(rec->status, "opphoert") == 0)
        out->found |= FST_FIND_ENDED;

    if (guardian) {
        int graded = rec->has_address && rec->address.grading != FORESATT_GRADING_NONE;

        if (graded) {
            out->found |= FST_FIND_PROTECTED;
            if (!(held->held & FORESATT_HELD_PROTECTED) || held->stored_address != NULL ||
                (out->found & FST_FIND_NUMBER_CHANGED))
                fst_regsync_push(out->changes, FORESATT_CHANGE_ADDRESS_PROTECTED, number);
        }
        if (out->name != NULL && !same(out->name, held->stored_name))
            out->found |= FST_FIND_NAME;
        if (out->address != NULL && !same(out->address, held->stored_address))
            out->found |= FST_FIND_ADDRESS;
        if ((out->found & (FST_FIND_NAME | FST_FIND_ADDRESS)) ||
            ((out->found & FST_FIND_NUMBER_CHANGED) && (out->name != NULL || out->address != NULL)) ||
            (!graded && out->address != NULL && (held->held & FORESATT_HELD_PROTECTED))) {
            foresatt_register_change_t *c = fst_regsync_push(out->changes, FORESATT_CHANGE_GUARDIAN_DETAILS, number);
            c->name = out->name ? out->name : held->stored_name;
            c->address = graded ? NULL : out->address;
            if (c->name == NULL)
                apr_array_pop(out->changes); /* a row's name cannot be emptied */
        }
    }
done:
    if (recheck && out->changes->nelts == 0)
        fst_regsync_push(out->changes, FORESATT_CHANGE_RECHECK, number);
}
