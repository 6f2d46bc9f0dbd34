/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Gathers what the rule needs for one logged-in person and decides for every pupil they could be a
 * guardian of, and whether they are a pupil themselves. Shared by the module (once per session
 * interval) and by `foresattctl decide`, so both answer alike.
 *
 * Candidates (the pupils a decision is made for):
 *   - the pupils the school registered the person's number for (store guardian_links), and
 *   - the pupils named in the person's own register record: parental-responsibility entries where
 *     they are the responsible person (current or ended) and family relations with role barn,
 *     when the store has a pupil with that number.
 * For each candidate the register's record of the pupil decides (it has precedence): see rule.h.
 *
 * A number the register has replaced (the record asked for names another number in use), or whose
 * person died or ceased (status doed, opphoert), decides nothing: no candidates, not a pupil.
 */
#ifndef FST_POLICY_ACCESS_H
#define FST_POLICY_ACCESS_H

#include <apr_pools.h>
#include <apr_tables.h>

#include "plugin_loader.h"
#include "rule.h"
#include "store.h" /* the store, through its one door (the glue reaches it from here too) */

/* How the core reaches the register: the module goes through its lookup cache, foresattctl calls the
 * plugin. On success *person is valid for the life of pool (or longer). */
typedef foresatt_result_t (*fst_person_lookup_fn)(void *ctx, const char *number, apr_pool_t *pool,
                                                  const foresatt_person_t **person, foresatt_status_t *status);

typedef struct fst_access_backend {
    fst_person_lookup_fn lookup;
    void *lookup_ctx;
    fst_plugin_t *store;
    int require_school_registration;
} fst_access_backend_t;

/* Where a candidate came from (bits). */
#define FST_VIA_SCHOOL 0x1u       /* the school registered the number for this pupil */
#define FST_VIA_RESPONSIBILITY 0x2u /* the person's register record names the pupil in foreldreansvar */
#define FST_VIA_RELATION 0x4u     /* ... in familierelasjon (barn) */

typedef struct fst_access_pupil {
    const char *pupil_id;
    const char *number; /* the pupil's number; never printed or logged */
    fst_reason_t reason;
    fst_rule_detail_t detail;
    unsigned via;
} fst_access_pupil_t;

typedef struct fst_access {
    int in_register;                    /* the person's own register record was found */
    int number_ended;                   /* ... and says the number is replaced, or its person dead or ceased */
    const char *display_name;           /* fst_person_display_name of the register's record, or NULL */
    const foresatt_pupil_t *as_student; /* the store's record when the person is a pupil, else NULL */
    apr_array_header_t *pupils;         /* fst_access_pupil_t, sorted by pupil id */
    int64_t revision;                   /* the store's revision read before deciding (0: none) */
} fst_access_t;

typedef enum fst_access_result {
    FST_ACCESS_OK = 0,
    FST_ACCESS_REGISTRY_FAILED, /* register unreachable or failing: fail closed */
    FST_ACCESS_STORE_FAILED     /* store likewise */
} fst_access_result_t;

typedef struct fst_access_error {
    const char *message;  /* plugin's reason (never a number) */
    unsigned retry_after; /* seconds, when the backend said */
} fst_access_error_t;

/* Decide for the person with this number at now. */
fst_access_result_t fst_access_decide(const fst_access_backend_t *b, const char *number, int64_t now,
                                      apr_pool_t *pool, fst_access_t **out, fst_access_error_t *err);

/* Decide for one pupil by the school's id, whether or not they are among the person's candidates
 * (foresattctl decide --pupil). The pupil's register record is looked up only when the store
 * knows the pupil. */
fst_access_result_t fst_access_decide_pupil(const fst_access_backend_t *b, const char *number,
                                            const char *pupil_id, int64_t now, apr_pool_t *pool,
                                            fst_access_pupil_t *out, fst_access_error_t *err);

/* Non-zero when the register's record of number (me) says the number is no longer anyone's login:
 * another number is in use, or the status is doed or opphoert. */
int fst_access_number_ended(const foresatt_person_t *me, const char *number);

/* The allowed pupil of an access with this id, or NULL. */
const fst_access_pupil_t *fst_access_find(const fst_access_t *access, const char *pupil_id);

#endif
