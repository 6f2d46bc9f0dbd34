/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The body of a POST to the profile page (lib/selfservice/contact_input): JSON when it starts with
 * '{' (read with the pages' limits), else a form (name=value&..., percent-decoded). The input is
 * taken, the document freed, then checked and shown again the way a refused POST shows it.
 * Invariants: what is shown is exactly what was sent (the fields the body left out: the saved
 * values), after the document is gone; a field the checks pass is in its normal form; the page
 * carries no markup from the input and is valid UTF-8.
 */
#include "encoding.h"
#include "fuzz_util.h"
#include "json_guard.h"
#include "selfservice/contact_input.h"
#include "selfservice/template.h"

#define FORM "<input name=phone value=\"{{phone}}\">{{#emails}}<input value=\"{{v}}\">{{/emails}}"

static const foresatt_guardian_t saved = {
    .phone = "+4791234567", .n_emails = 2, .emails = {"kari@example.no", "kari@jobb.example.no"}};

/* name=value pairs as the glue's query parser splits them (a repeated name: the last one here). */
static apr_table_t *form_of(apr_pool_t *pool, const char *body)
{
    apr_table_t *t = apr_table_make(pool, 8);
    char *copy = apr_pstrdup(pool, body), *state = NULL, *pair;

    for (pair = apr_strtok(copy, "&", &state); pair; pair = apr_strtok(NULL, "&", &state)) {
        char *eq = strchr(pair, '=');
        const char *name, *value;

        if (eq == NULL)
            continue;
        name = fst_url_decode(pool, pair, (size_t)(eq - pair));
        value = fst_url_decode(pool, eq + 1, strlen(eq + 1));
        if (name && value)
            apr_table_set(t, name, value);
    }
    return t;
}

/* What the JSON sent for phone and each address, copied by the harness, or NULL. */
static void sent_json(apr_pool_t *pool, const json_t *j, const char **phone, const char *emails[])
{
    json_t *p = json_object_get(j, "phone"), *e = json_object_get(j, "emails");
    size_t i;

    *phone = json_is_string(p) ? apr_pstrdup(pool, json_string_value(p)) : json_is_null(p) ? "" : NULL;
    for (i = 0; i < FORESATT_MAX_EMAILS; i++)
        emails[i] = NULL;
    if (e == NULL)
        for (i = 0; i < saved.n_emails; i++)
            emails[i] = saved.emails[i];
    for (i = 0; json_is_array(e) && i < json_array_size(e) && i < FORESATT_MAX_EMAILS; i++)
        emails[i] = apr_pstrdup(pool, json_string_value(json_array_get(e, i)));
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    char *text = fuzz_cstring(pool, data, size), *html;
    const char *err = NULL, *phone = NULL, *emails[FORESATT_MAX_EMAILS];
    fst_contact_input_t in;
    fst_tvars_t *v;
    fst_tpl_t *t;
    size_t len, i;

    if (size > 0 && data[0] == '{') {
        json_t *j = fst_json_parse_object((const char *)data, size, FST_SS_JSON_BODY_MAX, FST_SS_JSON_DEPTH_MAX,
                                          &err);
        int shaped;

        if (j == NULL) {
            FUZZ_ASSERT(err != NULL);
            apr_pool_destroy(pool);
            return 0;
        }
        shaped = fst_contact_input_json(pool, j, &saved, &in);
        sent_json(pool, j, &phone, emails);
        json_decref(j);
        if (!shaped) {
            apr_pool_destroy(pool);
            return 0;
        }
        FUZZ_ASSERT(same(in.phone, phone ? phone : saved.phone));
        for (i = 0; i < FORESATT_MAX_EMAILS; i++)
            FUZZ_ASSERT(same(in.emails[i], emails[i]));
    }
    else {
        apr_table_t *form = form_of(pool, text);
        const char *typed = apr_table_get(form, "phone");
        int any = 0;

        fst_contact_input_form(pool, form, &saved, &in);
        FUZZ_ASSERT(same(in.phone, typed ? typed : saved.phone));
        for (i = 0; i < FORESATT_MAX_EMAILS; i++)
            any |= (emails[i] = apr_table_get(form, apr_psprintf(pool, "email%d", (int)i + 1))) != NULL;
        for (i = 0; i < FORESATT_MAX_EMAILS; i++)
            FUZZ_ASSERT(same(in.emails[i], any ? emails[i] : i < saved.n_emails ? saved.emails[i] : NULL));
    }
    FUZZ_ASSERT(in.phone != NULL);

    fst_contact_input_check(pool, &in);
    if (!in.invalid) {
        const char *again = NULL;

        FUZZ_ASSERT(in.phone_norm != NULL && in.n_emails <= FORESATT_MAX_EMAILS);
        FUZZ_ASSERT(fst_contact_phone(pool, in.phone_norm, &again) == FST_CONTACT_OK &&
                    strcmp(again, in.phone_norm) == 0);
        for (i = 0; i < in.n_emails; i++)
            FUZZ_ASSERT(fst_contact_email(pool, in.email_norm[i], &again) == FST_CONTACT_OK &&
                        strcmp(again, in.email_norm[i]) == 0);
    }
    else
        FUZZ_ASSERT(in.first_error != NULL);

    /* Shown again, as a refused POST shows it. */
    v = fst_tvars_make(pool);
    fst_tvars_set(v, "phone", in.phone);
    for (i = 0; i < FORESATT_MAX_EMAILS; i++)
        fst_tvars_set(fst_tvars_item(v, "emails"), "v", in.emails[i] ? in.emails[i] : "");
    t = fst_tpl_parse(pool, "form", FORM, strlen(FORM), &err);
    FUZZ_ASSERT(t != NULL);
    html = fst_tpl_render(pool, t, v, &len);
    FUZZ_ASSERT(strlen(html) == len && fst_utf8_valid(html, len));
    for (i = 0; i < len; i++)
        FUZZ_ASSERT(html[i] != '<' || strncmp(html + i, "<input ", 7) == 0);
    apr_pool_destroy(pool);
    return 0;
}
