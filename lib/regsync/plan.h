/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the register's record of a person means for what the school holds about them: the store
 * changes the register has precedence for (foresatt_register_change_t), and what to tell the
 * administrator. Pure: no I/O; foresattctl follow and sync share it, so both conclude alike.
 *
 *   not in the register        nothing changes (listed; follow still has decisions made again)
 *   another number in use      NUMBER: the school's records move to it (then the rest for the new number)
 *   status doed                DECEASED (once: the store says when it already knows); ALIVE when the
 *                              register has corrected a death the store recorded
 *   other ended status          (opphoert, ...) listed; access is decided again, and the rule refuses
 *   guardian, graded address   ADDRESS_PROTECTED (fortrolig, strengtFortrolig, klientadresse)
 *   guardian, name or ungraded  GUARDIAN_DETAILS when they differ from what the store gives
 *     address
 */
#ifndef FST_REGSYNC_PLAN_H
#define FST_REGSYNC_PLAN_H

#include <stdint.h>

#include <apr_pools.h>
#include <apr_tables.h>

#include "foresatt/plugin.h"
#include "pseudonym.h"

/* What the plan found (bits). */
#define FST_FIND_NOT_IN_REGISTER 0x01u
#define FST_FIND_NUMBER_CHANGED 0x02u
#define FST_FIND_DECEASED 0x04u
#define FST_FIND_ENDED 0x08u     /* a status that ends the number's use other than death (opphoert, ...) */
#define FST_FIND_PROTECTED 0x10u /* a graded address */
#define FST_FIND_NAME 0x20u      /* the register's name differs from the store's */
#define FST_FIND_ADDRESS 0x40u   /* the register's ungraded address differs from the store's */

/* The pseudonym of a number as the audit log has it; 0 when there is no key (then NUMBER changes
 * leave the audit log's actors alone). */
typedef int (*fst_pseudonym_fn)(void *ctx, const char *number, char out[FST_PSEUDONYM_LEN + 1]);

typedef struct fst_regsync_held {
    const char *number;         /* as the school holds it */
    unsigned held;              /* FORESATT_HELD_* from numbers_held */
    const char *stored_name;    /* a guardian row's name as the store gives it, or NULL */
    const char *stored_address; /* a guardian row's address as the store gives it; NULL: none */
} fst_regsync_held_t;

typedef struct fst_regsync_plan {
    unsigned found;              /* FST_FIND_* */
    const char *new_number;      /* with FST_FIND_NUMBER_CHANGED */
    const char *status;          /* the register's status, or NULL */
    const char *name;            /* the register's name as the store keeps names, or NULL */
    const char *address;         /* the register's ungraded address as one line, or NULL */
    apr_array_header_t *changes; /* foresatt_register_change_t, in the order to apply */
} fst_regsync_plan_t;

/* Plan for one held number; record is the register's answer for it (NULL: not found). With recheck,
 * a FORESATT_CHANGE_RECHECK is planned when nothing else is (follow: the register said something
 * changed, so decisions and cached lookups are made again even when nothing stored differs). */
void fst_regsync_plan(apr_pool_t *pool, const fst_regsync_held_t *held, const foresatt_person_t *record,
                      int64_t now, int recheck, fst_pseudonym_fn pseudonym, void *pseudonym_ctx,
                      fst_regsync_plan_t *out);

/* A change of kind for number, zeroed but for struct_size, kind and number, pushed onto changes. */
foresatt_register_change_t *fst_regsync_push(apr_array_header_t *changes, foresatt_change_kind_t kind,
                                             const char *number);

/* "GIVEN [MIDDLE] FAMILY", or NULL when the record has no name. */
const char *fst_regsync_name(apr_pool_t *pool, const foresatt_person_t *record);
/* "STREET HOUSE, POSTCODE TOWN" for an ungraded address, NULL for none or a graded one. */
const char *fst_regsync_address(apr_pool_t *pool, const foresatt_person_t *record);

/* "recheck", "guardian_details", "address_protected", "number", "deceased", "alive". */
const char *fst_regsync_change_name(foresatt_change_kind_t kind);

#endif
