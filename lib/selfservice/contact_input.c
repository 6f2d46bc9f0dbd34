/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "selfservice/contact_input.h"

static const char *copy(apr_pool_t *pool, const char *s)
{
    return s ? apr_pstrdup(pool, s) : NULL;
}

static void keep_saved_emails(apr_pool_t *pool, const foresatt_guardian_t *saved, fst_contact_input_t *in)
{
    size_t i;

    for (i = 0; i < saved->n_emails && i < FORESATT_MAX_EMAILS; i++)
        in->emails[i] = copy(pool, saved->emails[i]);
}

void fst_contact_input_form(apr_pool_t *pool, const apr_table_t *form, const foresatt_guardian_t *saved,
                            fst_contact_input_t *in)
{
    int any = 0;
    size_t i;

    memset(in, 0, sizeof(*in));
    in->phone = copy(pool, apr_table_get(form, "phone"));
    if (in->phone == NULL)
        in->phone = copy(pool, saved->phone ? saved->phone : "");
    for (i = 0; i < FORESATT_MAX_EMAILS; i++)
        any |= (in->emails[i] = copy(pool, apr_table_get(form, apr_psprintf(pool, "email%d", (int)i + 1)))) !=
               NULL;
    if (!any)
        keep_saved_emails(pool, saved, in);
}

int fst_contact_input_json(apr_pool_t *pool, const json_t *json, const foresatt_guardian_t *saved,
                           fst_contact_input_t *in)
{
    json_t *phone = json_object_get(json, "phone"), *emails = json_object_get(json, "emails");
    size_t i;

    memset(in, 0, sizeof(*in));
    if (phone == NULL)
        in->phone = copy(pool, saved->phone ? saved->phone : "");
    else if (json_is_null(phone))
        in->phone = "";
    else if (json_is_string(phone))
        in->phone = copy(pool, json_string_value(phone));
    else
        return 0;
    if (emails == NULL) {
        keep_saved_emails(pool, saved, in);
        return 1;
    }
    if (!json_is_array(emails))
        return 0;
    for (i = 0; i < json_array_size(emails); i++) {
        json_t *e = json_array_get(emails, i);

        if (!json_is_string(e))
            return 0;
        if (i >= FORESATT_MAX_EMAILS) {
            in->email_error[FORESATT_MAX_EMAILS - 1] = FST_CONTACT_EMAIL_TOO_MANY;
            in->invalid = 1;
            in->first_error = fst_contact_error_name(FST_CONTACT_EMAIL_TOO_MANY);
            break;
        }
        in->emails[i] = copy(pool, json_string_value(e));
    }
    return 1;
}

void fst_contact_input_check(apr_pool_t *pool, fst_contact_input_t *in)
{
    size_t i, bad;
    fst_contact_error_t rc;

    in->phone_error = fst_contact_phone(pool, in->phone, &in->phone_norm);
    if (in->phone_error != FST_CONTACT_OK) {
        in->invalid = 1;
        in->first_error = in->first_error ? in->first_error : fst_contact_error_name(in->phone_error);
    }
    /* Each address alone, then the list (duplicates); the first problem per field is shown. */
    for (i = 0; i < FORESATT_MAX_EMAILS; i++) {
        const char *norm;

        if (in->emails[i] == NULL || in->email_error[i] != FST_CONTACT_OK ||
            strspn(in->emails[i], " \t\r\n") == strlen(in->emails[i]))
            continue;
        if ((rc = fst_contact_email(pool, in->emails[i], &norm)) != FST_CONTACT_OK) {
            in->email_error[i] = rc;
            in->invalid = 1;
            in->first_error = in->first_error ? in->first_error : fst_contact_error_name(rc);
        }
    }
    if (in->invalid)
        return;
    rc = fst_contact_emails(pool, in->emails, FORESATT_MAX_EMAILS, in->email_norm, &in->n_emails, &bad);
    if (rc != FST_CONTACT_OK) {
        in->email_error[bad] = rc;
        in->invalid = 1;
        in->first_error = fst_contact_error_name(rc);
    }
}
