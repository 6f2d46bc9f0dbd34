/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Helpers for the register's person record (foresatt_person_t, in the plugin header).
 */
#ifndef FST_PERSON_H
#define FST_PERSON_H

#include <apr_pools.h>

#include "foresatt/plugin.h"

/* A deep copy in pool: every string and array. Reads only the fields src->struct_size covers, so a
 * record from a plugin built for an older ABI minor copies with the newer fields zeroed. */
foresatt_person_t *fst_person_copy(apr_pool_t *pool, const foresatt_person_t *src);

/* "GIVEN MIDDLE FAMILY" from the register's record: the names it has, each once, one space between;
 * an empty or missing middle name leaves no gap. NULL when the record has no name at all. */
const char *fst_person_display_name(apr_pool_t *pool, const foresatt_person_t *p);

/* A host (alloc/strdup over APR pools) for code that calls plugin-style functions itself, such as
 * the Folkeregister parser in unit tests. log is NULL-safe: lines are dropped. */
void fst_person_pool_host(foresatt_host_t *host);

/* "fortrolig" etc.: the register's word for a grading. */
const char *fst_grading_name(foresatt_grading_t grading);

/* Non-zero when the UI must never show this address (fortrolig, strengtFortrolig). */
static inline int fst_grading_protected(foresatt_grading_t grading)
{
    return grading >= FORESATT_GRADING_CONFIDENTIAL;
}

#endif
