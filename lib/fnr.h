/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Norwegian identity numbers: fødselsnummer, D-nummer and synthetic test numbers.
 * DDMMYY iii k1 k2. Check digits per Skatteetaten, including the rule for numbers issued from 2032
 * (k1 remainder 0..3 accepted), which also accepts every older number.
 */
#ifndef FST_FNR_H
#define FST_FNR_H

typedef enum fst_id_kind {
    FST_ID_INVALID = 0,
    FST_ID_FNR,          /* ordinary fødselsnummer */
    FST_ID_DNR,          /* D-nummer: day + 40 */
    FST_ID_SYNTHETIC,    /* Skatteetaten Tenor test number: month + 80 (day + 40 as well for D-numbers) */
    FST_ID_SYNTHETIC_NAV /* NAV Dolly test number: month + 40 */
} fst_id_kind_t;

typedef enum fst_id_error {
    FST_ID_OK = 0,
    FST_ID_ERR_EMPTY,
    FST_ID_ERR_LENGTH,
    FST_ID_ERR_NOT_DIGITS,
    FST_ID_ERR_DATE,
    FST_ID_ERR_CHECK_DIGITS
} fst_id_error_t;

typedef struct fst_id_info {
    fst_id_kind_t kind;
    int is_dnumber; /* day + 40, also for synthetic D-numbers */
    int day, month; /* the real birth day and month, after removing the offsets */
    int year;       /* four digits where the individual number tells the century, else 0 */
    int new_rule;   /* valid only under the check-digit rule for numbers issued from 2032 */
} fst_id_info_t;

/* Validate s (exactly 11 digits). Returns FST_ID_OK and fills info (may be NULL), or the first
 * reason it is not a valid number. */
fst_id_error_t fst_id_parse(const char *s, fst_id_info_t *info);

/* Non-zero when s is a valid identity number of any kind. */
int fst_id_valid(const char *s);

const char *fst_id_error_text(fst_id_error_t err);
const char *fst_id_kind_name(fst_id_kind_t kind); /* "fnr", "dnr", "synthetic", "synthetic-nav" */

#endif
