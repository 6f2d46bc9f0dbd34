/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The guardian's own contact data, checked before it reaches the store.
 *
 * Phone: E.164 (a '+', the country code and the number, 8 to 15 digits in all, no leading 0).
 * Spaces, dashes, dots and parentheses between digits are allowed and removed; "00" before the
 * country code counts as '+'; eight digits without a country code are a Norwegian number (+47);
 * a +47 number has exactly eight digits after 47. Empty means "no phone".
 *
 * E-mail: one address (addr-spec, RFC 5322 dot-atom form, ASCII): a local part of at most 64
 * characters, a domain name of letters, digits and hyphens with at least two labels and a top-level
 * domain of letters (or an xn-- label); at most FORESATT_MAX_EMAIL_LEN bytes. The domain is
 * lower-cased; the local part is kept as typed. Quoted local parts, IP literals and comments are
 * refused: no school sends mail there.
 */
#ifndef FST_SELFSERVICE_CONTACT_H
#define FST_SELFSERVICE_CONTACT_H

#include <stddef.h>
#include <apr_pools.h>

#include "foresatt/plugin.h"

/* Longest input looked at before normalising (bytes). */
#define FST_PHONE_INPUT_MAX 40

typedef enum fst_contact_error {
    FST_CONTACT_OK = 0,
    FST_CONTACT_TOO_LONG,          /* longer than the store keeps */
    FST_CONTACT_PHONE_CHARACTERS,  /* something other than digits, '+', spaces, - . ( ) */
    FST_CONTACT_PHONE_COUNTRY,     /* not eight digits and no country code */
    FST_CONTACT_PHONE_LENGTH,      /* too few or too many digits for E.164 (or for +47) */
    FST_CONTACT_EMAIL_FORM,        /* not local@domain.tld */
    FST_CONTACT_EMAIL_DUPLICATE,   /* the same address twice */
    FST_CONTACT_EMAIL_TOO_MANY     /* more than FORESATT_MAX_EMAILS */
} fst_contact_error_t;

/* Check and normalise a phone number. *out is "" for an empty input, else "+<digits>". */
fst_contact_error_t fst_contact_phone(apr_pool_t *pool, const char *in, const char **out);

/* Check one e-mail address (surrounding blanks removed); *out is its normal form. */
fst_contact_error_t fst_contact_email(apr_pool_t *pool, const char *in, const char **out);

/* Check a list of addresses (empty entries skipped): at most FORESATT_MAX_EMAILS, no duplicates
 * (compared without case). On success out[0..*n_out) holds the normal forms. On failure *bad is the
 * index of the first offending entry of in. */
fst_contact_error_t fst_contact_emails(apr_pool_t *pool, const char *const *in, size_t n_in,
                                       const char *out[FORESATT_MAX_EMAILS], size_t *n_out, size_t *bad);

/* "phone_characters", ...: the words the JSON API uses. */
const char *fst_contact_error_name(fst_contact_error_t err);

#endif
