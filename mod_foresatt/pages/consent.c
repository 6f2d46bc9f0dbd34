/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The pupil's consent (<handler>samtykke). An enrolled pupil logged in with their own number sees
 * which of the guardians the school registered have access now and until when (the access rule,
 * lib/policy, decided for each of them as their own requests are), and gives or revokes the consent
 * that extends that access past 18 for the rest of upper-secondary education.
 *
 * A consent given here lasts to the end of the school year the pupil is expected to complete
 * (ForesattConsentEnd, lib/selfservice/consent_period.h). Giving or revoking moves the store's
 * revision, so every guardian's decision is made again on their next request (this child at once,
 * other children within ForesattAuthzRevisionCheck). Both are audited, as is each view.
 *
 * POST (a form, or JSON with X-CSRF-Token): action=give | action=revoke. A form is answered with a
 * redirect to the page (303); JSON with the new state.
 */
#include <string.h>

#include <apr_strings.h>
#include <http_protocol.h>

#include "authz/authz.h"
#include "json_guard.h"
#include "person.h"
#include "policy/access.h"
#include "pages/pages.h"

APLOG_USE_MODULE(foresatt);

typedef struct consent_view {
    foresatt_pupil_t *pupil;
    const foresatt_person_t *record; /* the register's record of the pupil, or NULL */
    int age_known;
    fst_date_t birth, coming_of_age;
    int adult;
    int in_force;
    foresatt_guardian_t **guardians;
    size_t n;
    fst_access_pupil_t *access;      /* per guardian with a number */
    int64_t offer_until;             /* the end of a consent given now */
} consent_view_t;

static foresatt_result_t cache_lookup(void *ctx, const char *number, apr_pool_t *pool,
                                      const foresatt_person_t **person, foresatt_status_t *status)
{
    (void)pool;
    return fs_registry_lookup(ctx, number, person, status);
}

static int unavailable(fs_ss_t *q, int *rc, const char *what, const char *message)
{
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, FSLOGNO(0620) "samtykke: the %s failed: %s", what,
                  message ? message : "no reason given");
    *rc = fs_ss_send_message(q, HTTP_SERVICE_UNAVAILABLE, "unavailable");
    return 0;
}

/* The pupil, the guardians and their access. 1 on success; 0 with the response arranged in *rc. */
static int load(fs_ss_t *q, consent_view_t *v, int *rc)
{
    request_rec *r = q->r;
    fst_plugin_t *store = fs_server_conf(r->server)->store;
    int64_t now = apr_time_sec(r->request_time);
    fst_access_backend_t backend;
    foresatt_status_t st;
    foresatt_result_t res;
    size_t i;

    memset(v, 0, sizeof(*v));
    if (store == NULL || store->instance == NULL)
        return unavailable(q, rc, "store", "no ForesattStore is configured");
    res = fst_store_pupil_by_number(store, q->id->pid, r->pool, &v->pupil, &st);
    if (res == FORESATT_NOT_FOUND) {
        fs_ss_audit(q, FORESATT_ROLE_STUDENT, NULL, "consent_view", "deny", "not_a_pupil");
        *rc = fs_ss_send_message(q, HTTP_FORBIDDEN, "not_pupil");
        return 0;
    }
    if (res != FORESATT_OK)
        return unavailable(q, rc, "store", st.message);
    if (v->pupil->enrollment != FORESATT_ENROLLMENT_ACTIVE) {
        fs_ss_audit(q, FORESATT_ROLE_STUDENT, v->pupil->pupil_id, "consent_view", "deny",
                    fst_reason_name(FST_REASON_STUDENT_NOT_ENROLLED));
        *rc = fs_ss_send_message(q, HTTP_FORBIDDEN, "not_enrolled");
        return 0;
    }

    memset(&st, 0, sizeof(st));
    res = fs_registry_lookup(r, q->id->pid, &v->record, &st);
    if (res != FORESATT_OK && res != FORESATT_NOT_FOUND)
        return unavailable(q, rc, "register", st.message);
    if (res == FORESATT_NOT_FOUND)
        v->record = NULL;
    /* The birth date from the register; the number's only when the register has none. */
    v->age_known = fst_birth_date(v->record ? v->record->birth_date : NULL, v->pupil->number, &v->birth);
    if (v->age_known) {
        v->coming_of_age = fst_coming_of_age_of(v->birth);
        v->adult = fst_date_cmp(fst_oslo_date(now), v->coming_of_age) >= 0;
    }
    else
        v->adult = 1;
    v->in_force = fst_consent_in_force(&v->pupil->consent, now);
    v->offer_until = fst_consent_end(&q->conf->consent, v->age_known ? &v->birth : NULL, now);

    res = fst_store_pupil_guardians(store, v->pupil->pupil_id, r->pool, &v->guardians, &v->n, &st);
    if (res != FORESATT_OK)
        return unavailable(q, rc, "store", st.message);

    memset(&backend, 0, sizeof(backend));
    backend.lookup = cache_lookup;
    backend.lookup_ctx = r;
    backend.store = store;
    backend.require_school_registration = fs_authz_conf(r->server)->require_school_registration != 0;
    v->access = apr_pcalloc(r->pool, sizeof(fst_access_pupil_t) * (v->n + 1));
    for (i = 0; i < v->n; i++) {
        fst_access_error_t err;

        if (v->guardians[i]->number == NULL)
            continue;
        memset(&err, 0, sizeof(err));
        if (fst_access_decide_pupil(&backend, v->guardians[i]->number, v->pupil->pupil_id, now, r->pool,
                                    &v->access[i], &err) != FST_ACCESS_OK)
            return unavailable(q, rc, "access decision", err.message);
    }
    return 1;
}

/* The last day guardian i has access (*open: as long as the pupil is enrolled). 0 when no access. */
static int access_until(const consent_view_t *v, size_t i, fst_date_t *last, int *open)
{
    const foresatt_consent_t *c = &v->pupil->consent;
    fst_date_t consent_last;

    *open = 0;
    if (v->guardians[i]->number == NULL || v->access[i].reason != FST_REASON_NONE)
        return 0;
    if (v->in_force && c->until == 0) {
        *open = 1;
        return 1;
    }
    if (v->adult || !v->age_known) {
        *last = fst_consent_last_day(c->until);
        return 1;
    }
    *last = fst_date_from_days(fst_date_to_days(v->coming_of_age) - 1);
    if (v->in_force) {
        consent_last = fst_consent_last_day(c->until);
        if (fst_date_cmp(consent_last, *last) > 0)
            *last = consent_last;
    }
    return 1;
}

static const char *reason_word(const consent_view_t *v, size_t i)
{
    if (v->guardians[i]->number == NULL)
        return "no_number";
    return fst_reason_name(v->access[i].reason);
}

static const char *timestamp(apr_pool_t *pool, int64_t t)
{
    apr_time_exp_t tm;

    if (t == 0)
        return NULL;
    apr_time_exp_gmt(&tm, apr_time_from_sec(t));
    return apr_psprintf(pool, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static json_t *view_json(fs_ss_t *q, const consent_view_t *v)
{
    apr_pool_t *pool = q->r->pool;
    const foresatt_consent_t *c = &v->pupil->consent;
    json_t *o = json_object(), *consent = json_object(), *guardians = json_array();
    size_t i;

    json_object_set_new(o, "pupil_id", fs_ss_json_str(q, v->pupil->pupil_id));
    json_object_set_new(o, "name", fs_ss_json_str(q, fst_person_display_name(pool, v->record)));
    json_object_set_new(o, "adult", json_boolean(v->adult));
    json_object_set_new(o, "coming_of_age", v->age_known ? json_string(fs_ss_iso_date(pool, v->coming_of_age))
                                                         : json_null());
    json_object_set_new(consent, "given", json_boolean(v->in_force));
    json_object_set_new(consent, "given_at", fs_ss_json_str(q, timestamp(pool, c->given_at)));
    json_object_set_new(consent, "until", v->in_force && c->until
                                              ? json_string(fs_ss_iso_date(pool, fst_consent_last_day(c->until)))
                                              : json_null());
    json_object_set_new(consent, "revoked_at", fs_ss_json_str(q, timestamp(pool, c->revoked_at)));
    json_object_set_new(o, "consent", consent);
    json_object_set_new(o, "consent_offer_until",
                        json_string(fs_ss_iso_date(pool, fst_consent_last_day(v->offer_until))));
    for (i = 0; i < v->n; i++) {
        json_t *g = json_object();
        fst_date_t last;
        int open, has = access_until(v, i, &last, &open);

        json_object_set_new(g, "name", fs_ss_json_str(q, v->guardians[i]->name));
        json_object_set_new(g, "access", json_boolean(has));
        json_object_set_new(g, "until", has && !open ? json_string(fs_ss_iso_date(pool, last)) : json_null());
        json_object_set_new(g, "reason", has ? json_null() : json_string(reason_word(v, i)));
        json_array_append_new(guardians, g);
    }
    json_object_set_new(o, "guardians", guardians);
    json_object_set_new(o, "csrf_token", fs_ss_json_str(q, q->csrf));
    return o;
}

static int send_html(fs_ss_t *q, int status, const consent_view_t *v, const char *notice)
{
    apr_pool_t *pool = q->r->pool;
    const foresatt_consent_t *c = &v->pupil->consent;
    fst_tvars_t *vars = fs_ss_vars(q);
    size_t i;

    if (notice)
        fst_tvars_flag(vars, notice, 1);
    fst_tvars_set(vars, "pupil_id", v->pupil->pupil_id);
    fst_tvars_set(vars, "pupil_name", fst_person_display_name(pool, v->record));
    fst_tvars_flag(vars, "minor", v->age_known && !v->adult);
    if (v->age_known)
        fst_tvars_set(vars, "coming_of_age_date", fs_ss_date(q, v->coming_of_age));
    fst_tvars_flag(vars, "consent_in_force", v->in_force);
    if (c->given_at)
        fst_tvars_set(vars, "consent_given_date", fs_ss_date(q, fst_oslo_date(c->given_at)));
    if (v->in_force && c->until)
        fst_tvars_set(vars, "consent_until_date", fs_ss_date(q, fst_consent_last_day(c->until)));
    if (!v->in_force && c->revoked_at)
        fst_tvars_set(vars, "consent_revoked_date", fs_ss_date(q, fst_oslo_date(c->revoked_at)));
    fst_tvars_set(vars, "offer_until_date", fs_ss_date(q, fst_consent_last_day(v->offer_until)));
    for (i = 0; i < v->n; i++) {
        fst_tvars_t *item = fst_tvars_item(vars, "guardians");
        fst_date_t last;
        int open, has = access_until(v, i, &last, &open);

        fst_tvars_flag(item, "first", i == 0);
        fst_tvars_flag(item, "last", i + 1 == v->n);
        fst_tvars_set(item, "name", v->guardians[i]->name);
        fst_tvars_flag(item, "access", has);
        if (has && !open)
            fst_tvars_set(item, "until_date", fs_ss_date(q, last));
        if (!has)
            fst_tvars_flag(item, apr_pstrcat(pool, "reason_", reason_word(v, i), NULL), 1);
    }
    return fs_ss_send_page(q, status, FS_TPL_CONSENT, vars, 1);
}

static int post(fs_ss_t *q)
{
    request_rec *r = q->r;
    fst_plugin_t *store = fs_server_conf(r->server)->store;
    int64_t now = apr_time_sec(r->request_time);
    apr_table_t *form;
    json_t *json;
    consent_view_t v;
    const char *action, *done;
    foresatt_status_t st;
    foresatt_result_t res;
    int rc, give;

    if (!fs_ss_read_body(q, &form, &json, &rc))
        return rc;
    action = form ? apr_table_get(form, "action") : fst_json_string(json, "action");
    action = apr_pstrdup(r->pool, action);
    json_decref(json);
    if (!load(q, &v, &rc))
        return rc;
    if (!fs_ss_csrf_ok(q, form)) {
        fs_ss_audit(q, FORESATT_ROLE_STUDENT, v.pupil->pupil_id, "consent_change", "deny", "csrf");
        if (q->json)
            return fs_ss_send_json(q, HTTP_FORBIDDEN, json_pack("{s:s}", "error", "csrf"));
        return send_html(q, HTTP_FORBIDDEN, &v, "csrf_failed");
    }
    if (action == NULL || (strcmp(action, "give") != 0 && strcmp(action, "revoke") != 0)) {
        fs_ss_audit(q, FORESATT_ROLE_STUDENT, v.pupil->pupil_id, "consent_change", "invalid", "bad_request");
        return fs_ss_send_message(q, HTTP_BAD_REQUEST, "bad_request");
    }
    give = strcmp(action, "give") == 0;
    if (!give && !v.in_force) {
        fs_ss_audit(q, FORESATT_ROLE_STUDENT, v.pupil->pupil_id, "consent_revoke", "ok", "nothing_to_revoke");
        done = "ingen";
    }
    else {
        res = give ? fst_store_consent_give(store, v.pupil->pupil_id, now, v.offer_until, &st)
                   : fst_store_consent_revoke(store, v.pupil->pupil_id, now, &st);
        if (res != FORESATT_OK) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0621) "samtykke: %s for %s not saved: %.*s", action,
                          q->id->pseudonym, (int)sizeof(st.message), st.message);
            fs_ss_audit(q, FORESATT_ROLE_STUDENT, v.pupil->pupil_id, give ? "consent_give" : "consent_revoke",
                        "error", "store");
            if (q->json)
                return fs_ss_send_json(q, HTTP_SERVICE_UNAVAILABLE, json_pack("{s:s}", "error", "unavailable"));
            return send_html(q, HTTP_SERVICE_UNAVAILABLE, &v, "store_unavailable");
        }
        /* The guardians' next request here decides again (the revision moved). */
        fs_authz_store_changed(r->server);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0622) "samtykke: %s %s the consent", q->id->pseudonym,
                      give ? "gave" : "revoked");
        fs_ss_audit(q, FORESATT_ROLE_STUDENT, v.pupil->pupil_id, give ? "consent_give" : "consent_revoke", "ok",
                    NULL);
        done = give ? "gitt" : "trukket";
    }
    if (!q->json)
        return fs_ss_redirect(q, apr_pstrcat(r->pool, "lagret=", done, NULL));
    if (!load(q, &v, &rc))
        return rc;
    return fs_ss_send_json(q, HTTP_OK, view_json(q, &v));
}

int fs_page_consent(fs_ss_t *q)
{
    consent_view_t v;
    const char *saved;
    int rc;

    if (!fs_ss_logged_in(q, &rc))
        return rc;
    if (q->r->method_number == M_POST)
        return post(q);
    if (!load(q, &v, &rc))
        return rc;
    if (fs_ss_audit(q, FORESATT_ROLE_STUDENT, v.pupil->pupil_id, "consent_view", "allow", NULL) != 0)
        return fs_ss_send_message(q, HTTP_SERVICE_UNAVAILABLE, "unavailable");
    if (q->json)
        return fs_ss_send_json(q, HTTP_OK, view_json(q, &v));
    saved = q->query ? apr_table_get(q->query, "lagret") : NULL;
    return send_html(q, HTTP_OK, &v,
                     saved == NULL                  ? NULL
                     : strcmp(saved, "gitt") == 0    ? "saved_given"
                     : strcmp(saved, "trukket") == 0 ? "saved_revoked"
                     : strcmp(saved, "ingen") == 0   ? "nothing_to_revoke"
                                                     : NULL);
}
