/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Small pieces of the stores (store_core.c and the dialects): argument checks, result lists copied
 * into the host's arena, the contact-data rule (newest wins), the key of a guardian row and UTF-8.
 * No database code here.
 */
#ifndef FORESATT_STORE_UTIL_H
#define FORESATT_STORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "foresatt/plugin.h"
#include "say.h"

/* A growing list of pointers (malloc'd), copied into the arena at the end. */
typedef struct su_list {
    void **items;
    size_t n, cap;
} su_list_t;

int su_list_push(su_list_t *list, void *item); /* 0 when out of memory */
void su_list_free(su_list_t *list);
/* The items as an arena array (never NULL); frees the list. */
void **su_list_to_arena(const foresatt_host_t *host, foresatt_arena_t *arena, su_list_t *list, size_t *n);


/* Non-NULL, non-empty and at most max bytes. */
int su_str_ok(const char *s, size_t max);
/* NULL, or at most max bytes. */
int su_opt_str_ok(const char *s, size_t max);
/* 11 digits (the host validates the check digits; the store only keeps its shape). */
int su_number_ok(const char *s);
int su_audit_entry_ok(const foresatt_audit_entry_t *e, const char **why);
int su_roster_row_ok(const foresatt_roster_row_t *r, const char **why);

/* The arguments of guardian_contact_update: checked, e-mails joined with ';' into joined (at least
 * SU_EMAILS_MAX bytes). FORESATT_OK or FORESATT_ERROR with the reason in status. */
#define SU_EMAILS_MAX (FORESATT_MAX_EMAILS * (FORESATT_MAX_EMAIL_LEN + 1) + 1)
foresatt_result_t su_contact_args(const char *number, const char *phone, const char *const *emails, size_t n_emails,
                                  int64_t at, char *joined, foresatt_status_t *status);

/* The arguments of consent_give / consent_revoke (until 0 for revoke). */
foresatt_result_t su_consent_args(const char *pupil_id, int64_t at, int64_t until, foresatt_status_t *status);

/* The key of a guardian row within its pupil: the number, or "name:" + name for one who refused. */
char *su_guardian_key(const foresatt_roster_row_t *r, char *buf, size_t size);

/* Fill the effective phone and e-mails of g from its imported and edited values (newest wins);
 * strings are already in the arena. */
void su_guardian_effective(const foresatt_host_t *host, foresatt_arena_t *arena, foresatt_guardian_t *g);

/* Non-zero when s is NULL or valid UTF-8. */
int su_utf8_ok(const char *s);

/* NULL when s is NULL or valid UTF-8; else a malloc'd copy with each bad byte replaced by '?'. */
char *su_utf8_clean(const char *s);

/* ABI 1.2: the arguments of register_apply and numbers_held. */
#define SU_HELD_MAX 1000
#define SU_INVALIDATIONS_KEPT (2 * 86400) /* seconds an invalidation is kept (plugin.h: at least a day) */
int su_register_change_ok(const foresatt_register_change_t *c, const char **why);
foresatt_result_t su_register_args(const foresatt_register_change_t *changes, size_t n, const char *feed,
                                   int64_t feed_sequence, foresatt_status_t *status);
foresatt_result_t su_held_args(const char *const *numbers, size_t n, const unsigned *held, foresatt_status_t *status);

#endif
