/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * "Mine opplysninger" (<handler>profil): what the school keeps about the logged-in guardian.
 *
 *   name, address   from Folkeregisteret, read-only. A graded address (fortrolig,
 *                   strengtFortrolig) is never in any response: the register plugin hands over no
 *                   text for it, and this page only says that it is protected.
 *   phone, e-mail   from the store (the guardian's own edit or the roster's, the newer); the only
 *                   fields a POST changes, checked (lib/selfservice/contact.h), saved with
 *                   guardian_contact_update for every registration of the number, audited.
 *   per pupil       daily care, parental responsibility as the school recorded it, addressee, and
 *                   whether the guardian has access now (the authorization's decision).
 *
 * A POST that fails (bad CSRF token, a check, the store) changes nothing and shows the form again
 * with what was typed; one that succeeds redirects to the page (303), which shows the saved data.
 * JSON: GET gives the profile, POST {"phone": ..., "emails": [...]} (either may be left out to keep
 * it) answers with the saved profile or {"error": ..., "fields": {...}}.
 */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>
#include <http_protocol.h>

#include "authz/authz.h"
#include "person.h"
#include "policy/access.h"
#include "pages/pages.h"
#include "selfservice/contact.h"
#include "selfservice/contact_input.h"

APLOG_USE_MODULE(foresatt);

#define EMAIL_FIELDS FORESATT_MAX_EMAILS

typedef struct profile {
    foresatt_guardian_t **rows;
    size_t n;
    const foresatt_guardian_t *contact; /* the row whose contact data is newest */
    const foresatt_person_t *person;     /* the register's record, or NULL */
    int register_unavailable;
    const fs_decision_t *decision;       /* NULL when it could not be made now */
    const char **pupil_names;            /* per row; only for pupils the guardian may see */
} profile_t;

typedef fst_contact_input_t input_t;

static int64_t contact_time(const foresatt_guardian_t *g)
{
    return g->edited_at > g->imported_at ? g->edited_at : g->imported_at;
}

static int allowed(const profile_t *p, const char *pupil_id)
{
    return p->decision != NULL && fs_span_list_has(p->decision->allowed, pupil_id);
}

/* Gather the profile. 1 on success; 0 with the response arranged in *rc. */
static int load(fs_ss_t *q, profile_t *p, int *rc)
{
    request_rec *r = q->r;
    fst_plugin_t *store = fs_server_conf(r->server)->store;
    foresatt_status_t st;
    foresatt_result_t res;
    unsigned retry = 0;
    size_t i;

    memset(p, 0, sizeof(*p));
    if (store == NULL || store->instance == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0610) "profil needs a ForesattStore");
        *rc = fs_ss_send_message(q, HTTP_SERVICE_UNAVAILABLE, "unavailable");
        return 0;
    }
    res = fst_store_guardian_links(store, q->id->pid, r->pool, &p->rows, &p->n, &st);
    if (res == FORESATT_NOT_FOUND || (res == FORESATT_OK && p->n == 0)) {
        fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "profile_view", "deny", "not_registered_by_school");
        *rc = fs_ss_send_message(q, HTTP_FORBIDDEN, "not_guardian");
        return 0;
    }
    if (res != FORESATT_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0611) "profil: the store failed: %.*s",
                      (int)sizeof(st.message), st.message);
        *rc = fs_ss_send_message(q, HTTP_SERVICE_UNAVAILABLE, "unavailable");
        return 0;
    }
    p->contact = p->rows[0];
    for (i = 1; i < p->n; i++)
        if (contact_time(p->rows[i]) > contact_time(p->contact))
            p->contact = p->rows[i];

    /* The decision first: it brings this child up to the store's revision, which drops the register
     * answers the register has changed since (an address that became protected is gone at once). */
    if (fs_authz_decision(r, q->id, &p->decision, &retry) != FS_DECIDE_OK) {
        p->decision = NULL;
        p->register_unavailable = 1;
    }
    memset(&st, 0, sizeof(st));
    res = fs_registry_lookup(r, q->id->pid, &p->person, &st);
    if (res == FORESATT_NOT_FOUND)
        p->person = NULL;
    else if (res != FORESATT_OK) {
        p->person = NULL;
        p->register_unavailable = 1;
    }
    p->pupil_names = apr_pcalloc(r->pool, sizeof(const char *) * (p->n + 1));
    for (i = 0; i < p->n; i++) {
        foresatt_pupil_t *pupil = NULL;
        const foresatt_person_t *rec = NULL;

        if (!allowed(p, p->rows[i]->pupil_id))
            continue;
        memset(&st, 0, sizeof(st));
        if (fst_store_pupil_by_id(store, p->rows[i]->pupil_id, r->pool, &pupil, &st) == FORESATT_OK && pupil &&
            pupil->number && fs_registry_lookup(r, pupil->number, &rec, &st) == FORESATT_OK)
            p->pupil_names[i] = fst_person_display_name(r->pool, rec);
    }
    return 1;
}

static const char *addressee_word(foresatt_addressee_t a)
{
    return a == FORESATT_ADDRESSEE_MAIN ? "main" : a == FORESATT_ADDRESSEE_SECONDARY ? "secondary" : "none";
}

static int address_protected(const profile_t *p)
{
    return p->person != NULL && p->person->has_address && fst_grading_protected(p->person->address.grading);
}

/* The address lines, or NULL: never for a protected address (nor is there text for one). */
static int address_lines(apr_pool_t *pool, const profile_t *p, const char **street, const char **post)
{
    const foresatt_address_t *a;

    if (p->person == NULL || !p->person->has_address || address_protected(p))
        return 0;
    a = &p->person->address;
    if (a->street == NULL && a->postal_code == NULL)
        return 0;
    *street = apr_pstrcat(pool, a->street ? a->street : "", a->house_number ? " " : "",
                          a->house_number ? a->house_number : "", NULL);
    *post = apr_pstrcat(pool, a->postal_code ? a->postal_code : "", a->post_town ? " " : "",
                        a->post_town ? a->post_town : "", NULL);
    return 1;
}

/* --- JSON --------------------------------------------------------------------------------------- */

static json_t *profile_json(fs_ss_t *q, const profile_t *p)
{
    apr_pool_t *pool = q->r->pool;
    json_t *o = json_object(), *emails = json_array(), *pupils = json_array();
    json_t *care = json_object(), *resp = json_object(), *addressee = json_object();
    const char *name = fst_person_display_name(pool, p->person), *street, *post;
    size_t i;

    json_object_set_new(o, "name", fs_ss_json_str(q, name ? name : p->rows[0]->name));
    json_object_set_new(o, "name_source", json_string(name ? "folkeregisteret" : "school"));
    if (address_lines(pool, p, &street, &post)) {
        const foresatt_address_t *a = &p->person->address;
        json_object_set_new(o, "address", json_pack("{s:o,s:o,s:o,s:o}", "street", fs_ss_json_str(q, street),
                                                     "postal_code", fs_ss_json_str(q, a->postal_code), "post_town",
                                                     fs_ss_json_str(q, a->post_town), "source",
                                                     json_string("folkeregisteret")));
    }
    json_object_set_new(o, "address_protected", json_boolean(address_protected(p)));
    json_object_set_new(o, "register_unavailable", json_boolean(p->register_unavailable));
    json_object_set_new(o, "phone", fs_ss_json_str(q, p->contact->phone && *p->contact->phone ? p->contact->phone
                                                                                               : NULL));
    for (i = 0; i < p->contact->n_emails; i++)
        json_array_append_new(emails, fs_ss_json_str(q, p->contact->emails[i]));
    json_object_set_new(o, "emails", emails);
    for (i = 0; i < p->n; i++) {
        const foresatt_guardian_t *g = p->rows[i];
        json_t *pj = json_object();

        json_object_set_new(care, g->pupil_id, json_boolean(g->daily_care));
        json_object_set_new(resp, g->pupil_id, json_boolean(g->parental_responsibility));
        json_object_set_new(addressee, g->pupil_id, json_string(addressee_word(g->addressee)));
        json_object_set_new(pj, "pupil_id", fs_ss_json_str(q, g->pupil_id));
        json_object_set_new(pj, "name", fs_ss_json_str(q, p->pupil_names[i]));
        json_object_set_new(pj, "access", p->decision ? json_boolean(allowed(p, g->pupil_id)) : json_null());
        json_object_set_new(pj, "daily_care", json_boolean(g->daily_care));
        json_object_set_new(pj, "parental_responsibility", json_boolean(g->parental_responsibility));
        json_object_set_new(pj, "addressee", json_string(addressee_word(g->addressee)));
        json_array_append_new(pupils, pj);
    }
    json_object_set_new(o, "daily_care", care);
    json_object_set_new(o, "parental_responsibility", resp);
    json_object_set_new(o, "addressee", addressee);
    json_object_set_new(o, "pupils", pupils);
    json_object_set_new(o, "csrf_token", fs_ss_json_str(q, q->csrf));
    return o;
}

/* --- HTML --------------------------------------------------------------------------------------- */

static void error_flag(fst_tvars_t *v, apr_pool_t *pool, const char *prefix, fst_contact_error_t err)
{
    const char *name = fst_contact_error_name(err);

    if (strncmp(prefix, "phone", 5) == 0 && strncmp(name, "phone_", 6) == 0)
        fst_tvars_flag(v, name, 1);
    else
        fst_tvars_flag(v, apr_pstrcat(pool, prefix, name, NULL), 1);
}

static int send_html(fs_ss_t *q, int status, const profile_t *p, const input_t *in, const char *notice)
{
    apr_pool_t *pool = q->r->pool;
    fst_tvars_t *v = fs_ss_vars(q);
    const char *name = fst_person_display_name(pool, p->person), *street, *post;
    size_t i;

    if (notice)
        fst_tvars_flag(v, notice, 1);
    fst_tvars_set(v, "name", name ? name : p->rows[0]->name);
    fst_tvars_flag(v, "name_from_register", name != NULL);
    fst_tvars_flag(v, "register_unavailable", p->register_unavailable);
    fst_tvars_flag(v, "address_protected", address_protected(p));
    if (address_lines(pool, p, &street, &post)) {
        fst_tvars_flag(v, "address", 1);
        fst_tvars_set(v, "address_street", street);
        fst_tvars_set(v, "address_post", post);
    }
    /* The form: what was typed when it is shown again, else what is saved. */
    if (in) {
        fst_tvars_flag(v, "invalid", in->invalid);
        fst_tvars_set(v, "phone", in->phone);
        if (in->phone_error != FST_CONTACT_OK) {
            fst_tvars_flag(v, "phone_error", 1);
            error_flag(v, pool, "phone_", in->phone_error);
        }
    }
    else
        fst_tvars_set(v, "phone", p->contact->phone);
    for (i = 0; i < EMAIL_FIELDS; i++) {
        fst_tvars_t *item = fst_tvars_item(v, "emails");

        fst_tvars_set(item, "n", apr_itoa(pool, (int)i + 1));
        fst_tvars_flag(item, "first", i == 0);
        fst_tvars_flag(item, "error", in && in->email_error[i] != FST_CONTACT_OK);
        if (in) {
            fst_tvars_set(item, "value", in->emails[i]);
            if (in->email_error[i] != FST_CONTACT_OK)
                error_flag(item, pool, "error_", in->email_error[i]);
        }
        else
            fst_tvars_set(item, "value", i < p->contact->n_emails ? p->contact->emails[i] : "");
    }
    for (i = 0; i < p->n; i++) {
        const foresatt_guardian_t *g = p->rows[i];
        fst_tvars_t *item = fst_tvars_item(v, "pupils");

        fst_tvars_flag(item, "first", i == 0);
        fst_tvars_flag(item, "last", i + 1 == p->n);
        fst_tvars_set(item, "pupil_id", g->pupil_id);
        fst_tvars_set(item, "pupil_name", p->pupil_names[i]);
        fst_tvars_flag(item, "access", allowed(p, g->pupil_id));
        fst_tvars_flag(item, "access_unknown", p->decision == NULL);
        fst_tvars_flag(item, "daily_care", g->daily_care);
        fst_tvars_flag(item, "parental_responsibility", g->parental_responsibility);
        fst_tvars_flag(item, apr_pstrcat(pool, "addressee_", addressee_word(g->addressee), NULL), 1);
    }
    return fs_ss_send_page(q, status, FS_TPL_PROFILE, v, 1);
}

/* --- POST --------------------------------------------------------------------------------------- */

static json_t *errors_json(const input_t *in)
{
    json_t *fields = json_object();
    size_t i;

    if (in->phone_error != FST_CONTACT_OK)
        json_object_set_new(fields, "phone", json_string(fst_contact_error_name(in->phone_error)));
    for (i = 0; i < EMAIL_FIELDS; i++)
        if (in->email_error[i] != FST_CONTACT_OK) {
            char key[16];
            snprintf(key, sizeof(key), "email%d", (int)i + 1);
            json_object_set_new(fields, key, json_string(fst_contact_error_name(in->email_error[i])));
        }
    return fields;
}

static int post(fs_ss_t *q)
{
    request_rec *r = q->r;
    fst_plugin_t *store = fs_server_conf(r->server)->store;
    apr_table_t *form;
    json_t *json;
    profile_t p;
    input_t in;
    foresatt_status_t st;
    foresatt_result_t res;
    int rc;

    if (!fs_ss_read_body(q, &form, &json, &rc))
        return rc;
    if (!load(q, &p, &rc)) {
        json_decref(json);
        return rc;
    }
    /* The input is copied into the request's pool, so the document is freed here, once. */
    if (form != NULL)
        fst_contact_input_form(r->pool, form, p.contact, &in);
    else if (!fst_contact_input_json(r->pool, json, p.contact, &in)) {
        json_decref(json);
        fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "contact_update", "invalid", "bad_request");
        return fs_ss_send_message(q, HTTP_BAD_REQUEST, "bad_request");
    }
    json_decref(json);
    if (!fs_ss_csrf_ok(q, form)) {
        fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "contact_update", "deny", "csrf");
        if (q->json)
            return fs_ss_send_json(q, HTTP_FORBIDDEN, json_pack("{s:s}", "error", "csrf"));
        return send_html(q, HTTP_FORBIDDEN, &p, &in, "csrf_failed");
    }
    fst_contact_input_check(r->pool, &in);
    if (in.invalid) {
        fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "contact_update", "invalid", in.first_error);
        if (form == NULL)
            return fs_ss_send_json(q, HTTP_UNPROCESSABLE_ENTITY,
                                   json_pack("{s:s,s:o}", "error", "invalid", "fields", errors_json(&in)));
        return send_html(q, HTTP_UNPROCESSABLE_ENTITY, &p, &in, NULL);
    }
    res = fst_store_contact_update(store, q->id->pid, in.phone_norm, in.email_norm, in.n_emails,
                                   apr_time_sec(r->request_time), &st);
    if (res == FORESATT_NOT_FOUND) {
        fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "contact_update", "deny", "not_registered_by_school");
        return fs_ss_send_message(q, HTTP_FORBIDDEN, "not_guardian");
    }
    if (res != FORESATT_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0612) "profil: contact data of %s not saved: %.*s",
                      q->id->pseudonym, (int)sizeof(st.message), st.message);
        fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "contact_update", "error", "store");
        if (q->json)
            return fs_ss_send_json(q, HTTP_SERVICE_UNAVAILABLE, json_pack("{s:s}", "error", "unavailable"));
        return send_html(q, HTTP_SERVICE_UNAVAILABLE, &p, &in, "store_unavailable");
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0613) "profil: %s saved phone and %d e-mail address(es)",
                  q->id->pseudonym, (int)in.n_emails);
    fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "contact_update", "ok", NULL);
    if (!q->json)
        return fs_ss_redirect(q, "lagret=1");
    if (!load(q, &p, &rc))
        return rc;
    return fs_ss_send_json(q, HTTP_OK, profile_json(q, &p));
}

int fs_page_profile(fs_ss_t *q)
{
    profile_t p;
    int rc;

    if (!fs_ss_logged_in(q, &rc))
        return rc;
    if (q->r->method_number == M_POST)
        return post(q);
    if (!load(q, &p, &rc))
        return rc;
    if (fs_ss_audit(q, FORESATT_ROLE_GUARDIAN, NULL, "profile_view", "allow", NULL) != 0)
        return fs_ss_send_message(q, HTTP_SERVICE_UNAVAILABLE, "unavailable");
    if (q->json)
        return fs_ss_send_json(q, HTTP_OK, profile_json(q, &p));
    return send_html(q, HTTP_OK, &p, NULL,
                     q->query && apr_table_get(q->query, "lagret") ? "saved" : NULL);
}
