/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <string.h>

#include <apr_strings.h>

#include "person.h"

static const char *pdup(apr_pool_t *pool, const char *s)
{
    return s ? apr_pstrdup(pool, s) : NULL;
}

foresatt_person_t *fst_person_copy(apr_pool_t *pool, const foresatt_person_t *src)
{
    foresatt_person_t *p;
    size_t i, size;

    if (src == NULL)
        return NULL;
    p = apr_pcalloc(pool, sizeof(*p));
    size = src->struct_size < sizeof(*p) ? src->struct_size : sizeof(*p);
    memcpy(p, src, size);
    p->struct_size = sizeof(*p);
    p->number = pdup(pool, p->number);
    p->given_name = pdup(pool, p->given_name);
    p->middle_name = pdup(pool, p->middle_name);
    p->family_name = pdup(pool, p->family_name);
    p->birth_date = pdup(pool, p->birth_date);
    p->status = pdup(pool, p->status);
    p->address.street = pdup(pool, p->address.street);
    p->address.house_number = pdup(pool, p->address.house_number);
    p->address.postal_code = pdup(pool, p->address.postal_code);
    p->address.post_town = pdup(pool, p->address.post_town);
    p->address.municipality = pdup(pool, p->address.municipality);
    if (p->n_responsibilities && p->responsibilities) {
        foresatt_responsibility_t *r = apr_pmemdup(pool, p->responsibilities, sizeof(*r) * p->n_responsibilities);
        for (i = 0; i < p->n_responsibilities; i++) {
            r[i].kind = pdup(pool, r[i].kind);
            r[i].responsible = pdup(pool, r[i].responsible);
            r[i].subject = pdup(pool, r[i].subject);
        }
        p->responsibilities = r;
    } else {
        p->n_responsibilities = 0;
        p->responsibilities = NULL;
    }
    if (p->n_relations && p->relations) {
        foresatt_relation_t *r = apr_pmemdup(pool, p->relations, sizeof(*r) * p->n_relations);
        for (i = 0; i < p->n_relations; i++) {
            r[i].related = pdup(pool, r[i].related);
            r[i].related_role = pdup(pool, r[i].related_role);
            r[i].my_role = pdup(pool, r[i].my_role);
        }
        p->relations = r;
    } else {
        p->n_relations = 0;
        p->relations = NULL;
    }
    return p;
}

const char *fst_person_display_name(apr_pool_t *pool, const foresatt_person_t *p)
{
    const char *parts[3], *name = NULL;
    int i;

    if (p == NULL)
        return NULL;
    parts[0] = p->given_name;
    parts[1] = p->middle_name;
    parts[2] = p->family_name;
    for (i = 0; i < 3; i++)
        if (parts[i] != NULL && *parts[i] != '\0')
            name = name ? apr_pstrcat(pool, name, " ", parts[i], NULL) : apr_pstrdup(pool, parts[i]);
    return name;
}

static void *pool_alloc(foresatt_arena_t *arena, size_t size)
{
    return apr_pcalloc((apr_pool_t *)arena, size);
}

static char *pool_strdup(foresatt_arena_t *arena, const char *s)
{
    return s ? apr_pstrdup((apr_pool_t *)arena, s) : NULL;
}

static void no_log(const foresatt_host_t *host, foresatt_log_level_t level, const char *fmt, ...)
{
    (void)host;
    (void)level;
    (void)fmt;
}

void fst_person_pool_host(foresatt_host_t *host)
{
    memset(host, 0, sizeof(*host));
    host->abi_major = FORESATT_ABI_MAJOR;
    host->abi_minor = FORESATT_ABI_MINOR;
    host->struct_size = sizeof(*host);
    host->log = no_log;
    host->alloc = pool_alloc;
    host->strdup = pool_strdup;
}

const char *fst_grading_name(foresatt_grading_t grading)
{
    switch (grading) {
    case FORESATT_GRADING_NONE:
        return "ugradert";
    case FORESATT_GRADING_CLIENT:
        return "klientadresse";
    case FORESATT_GRADING_CONFIDENTIAL:
        return "fortrolig";
    case FORESATT_GRADING_STRICTLY_CONFIDENTIAL:
        return "strengtFortrolig";
    }
    return "strengtFortrolig";
}
