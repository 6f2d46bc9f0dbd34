/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The body of a POST to the profile page as the contact data to check: a form (phone,
 * email1..email4) or JSON ({"phone": s|null, "emails": [s...]}). A field left out keeps the saved
 * value. Every string in the result is copied into the caller's pool, so it outlives the form and
 * the JSON document (a refused POST shows it again after the document is gone).
 */
#ifndef FST_SELFSERVICE_CONTACT_INPUT_H
#define FST_SELFSERVICE_CONTACT_INPUT_H

#include <stddef.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

#include "foresatt/plugin.h"
#include "selfservice/contact.h"

/* The self-service pages' JSON bodies: at most this many bytes and this nesting depth. */
#define FST_SS_JSON_BODY_MAX 16384
#define FST_SS_JSON_DEPTH_MAX 4

typedef struct fst_contact_input {
    const char *phone;                            /* as typed, never NULL */
    const char *emails[FORESATT_MAX_EMAILS];      /* as typed; NULL for a field not sent */
    fst_contact_error_t phone_error;
    fst_contact_error_t email_error[FORESATT_MAX_EMAILS];
    int invalid;
    const char *first_error;                      /* the first problem's name, for the audit log */
    /* normalised, once fst_contact_input_check found it valid */
    const char *phone_norm;
    const char *email_norm[FORESATT_MAX_EMAILS];
    size_t n_emails;
} fst_contact_input_t;

/* From a form; saved is the contact data kept now. */
void fst_contact_input_form(apr_pool_t *pool, const apr_table_t *form, const foresatt_guardian_t *saved,
                            fst_contact_input_t *in);

/* From a JSON object. 0 when it has the wrong shape (phone not a string or null, emails not an
 * array of strings). More than FORESATT_MAX_EMAILS addresses is not a shape error: it is marked
 * invalid (FST_CONTACT_EMAIL_TOO_MANY on the last field). */
int fst_contact_input_json(apr_pool_t *pool, const json_t *json, const foresatt_guardian_t *saved,
                           fst_contact_input_t *in);

/* Check and normalise: each field alone, then the list of addresses (duplicates). */
void fst_contact_input_check(apr_pool_t *pool, fst_contact_input_t *in);

#endif
