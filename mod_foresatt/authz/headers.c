/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the portal behind the module receives.
 *
 * On every AuthType foresatt request with a person (pass_identity below; ForesattPassIdentity says
 * headers, environment variables or both), under ForesattHeaderPrefix / FORESATT_:
 *   X-Foresatt-User      the pseudonym (also REMOTE_USER)
 *   X-Foresatt-Acr       the level of assurance of the login
 *   X-Foresatt-Name      the name from the ID token, unless the authorization set the register's
 *   X-Foresatt-Logout-Token  the session's CSRF token, for the logout button and the forms
 * and, only with ForesattPassNumbers on, the person's own number under the name of
 * ForesattAuthzHeader number (one header for it whichever Require let the request in).
 *
 * On a request one of our providers allowed (set_decision below):
 *   X-Foresatt-Role      guardian | student
 *   X-Foresatt-Students  the pupil ids the person may see (a guardian), or their own (a pupil)
 *   X-Foresatt-Name      the display name from the register
 * and, only with ForesattPassNumbers on, X-Foresatt-Number (the person's own number) and
 * X-Foresatt-Student-Numbers (the allowed pupils' numbers). Names are configurable
 * (ForesattAuthzHeader); the client's copies of every one of them are removed (http/scrub.c).
 *
 * Either way the response is personal: stored nowhere, whatever produced it (no_store below). The
 * backend's answer replaces headers_out (mod_proxy does), so no-store goes into err_headers_out at
 * fixups, where mod_cache's save filter already finds it, and the output filter removes whatever
 * says otherwise (Cache-Control, Expires, Pragma) once the handler and mod_headers have spoken.
 */
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <http_request.h>
#include <util_filter.h>

#include "authz/authz.h"
#include "http/http.h"

APLOG_USE_MODULE(foresatt);

#define NO_STORE_FILTER "FORESATT_NO_STORE"

static void set(request_rec *r, const char *name, fs_span_t value)
{
    if (name != NULL)
        apr_table_setn(r->headers_in, name, fs_header_clean(r->pool, apr_pstrmemdup(r->pool, value.p, value.len)));
}

static const char no_store_value[] = "no-store";

/* This response is personal: no-store now (err_headers_out survives a proxied answer), and the
 * filter that clears what the handler or the site says otherwise. Once per request. */
static void no_store(request_rec *r, ap_filter_rec_t *filter)
{
    if (apr_table_get(r->err_headers_out, "Cache-Control") == no_store_value)
        return;
    apr_table_setn(r->err_headers_out, "Cache-Control", no_store_value);
    if (filter != NULL)
        ap_add_output_filter_handle(filter, NULL, r, r->connection);
}

static int set_decision(request_rec *r)
{
    fs_authz_conf_t *conf;
    fs_authz_request_t *q;
    const fs_decision_t *d;
    fs_span_t role, number;

    q = fs_authz_request_kept(r);
    if (q == NULL)
        return DECLINED;
    /* The request was allowed: a refusal recorded on the way (RequireAny) is not its answer. */
    q->page = FS_PAGE_NONE;
    if (!(q->granted_guardian || q->granted_student) || q->decision == NULL)
        return DECLINED;
    conf = fs_authz_conf(r->server);
    d = q->decision;
    role.p = q->granted_guardian ? "guardian" : "student";
    role.len = strlen(role.p);
    set(r, conf->header_role, role);
    set(r, conf->header_students, q->granted_guardian ? d->allowed : d->student);
    if (d->name.len > 0)
        set(r, conf->header_name, d->name);
    if (conf->pass_numbers > 0) {
        number.p = q->identity->pid;
        number.len = strlen(number.p);
        set(r, conf->header_number, number);
        if (q->granted_guardian)
            set(r, conf->header_student_numbers, d->allowed_numbers);
    }
    /* Personal data: no cache may keep it, whatever answers (a file, a CGI, mod_proxy's backend). A
     * subrequest too: mod_dir's fast redirect makes its answer, filters and headers the request's. */
    no_store(r, conf->no_store_filter);
    return DECLINED;
}

static apr_status_t no_store_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;

    /* Whatever the backend or the site said about caching, a protected response is stored nowhere. */
    apr_table_unset(r->headers_out, "Cache-Control");
    apr_table_unset(r->headers_out, "Expires");
    apr_table_unset(r->headers_out, "Pragma");
    apr_table_unset(r->err_headers_out, "Expires");
    apr_table_unset(r->err_headers_out, "Pragma");
    apr_table_setn(r->err_headers_out, "Cache-Control", no_store_value);
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static void pass(request_rec *r, const fs_authz_conf_t *c, fs_pass_field_t field, const char *value)
{
    const char *header = field == FS_PASS_NUMBER ? c->header_number : c->pass_header[field];

    if (value == NULL)
        return;
    if ((c->pass_identity & FS_PASS_TO_HEADERS) && header != NULL) {
        /* Client copies are gone (http/scrub.c), so a Name already here was set by set_decision
         * (the register's name): it wins over the ID token's. */
        if (field != FS_PASS_NAME || apr_table_get(r->headers_in, header) == NULL)
            fs_backend_header_set(r, header, value);
    }
    if (c->pass_identity & FS_PASS_TO_ENV)
        apr_table_setn(r->subprocess_env, c->pass_env[field], fs_header_clean(r->pool, value));
}

static int pass_identity(request_rec *r)
{
    const fs_authz_conf_t *c;
    const fs_identity_t *id;
    const fst_session_t *s;

    if (r->user == NULL || !fs_auth_type_is_foresatt(r))
        return DECLINED;
    id = fs_identity_get(r);
    if (id == NULL)
        return DECLINED;
    c = fs_authz_conf(r->server);
    pass(r, c, FS_PASS_USER, id->pseudonym);
    pass(r, c, FS_PASS_ACR, id->acr);
    pass(r, c, FS_PASS_NAME, id->name);
    /* One switch for numbers, ForesattPassNumbers, and one header name for the person's own. */
    if (c->pass_numbers > 0)
        pass(r, c, FS_PASS_NUMBER, id->pid);
    s = fs_session_current(r);
    if (s != NULL)
        pass(r, c, FS_PASS_CSRF_TOKEN, fs_csrf_token(s));
    no_store(r, c->no_store_filter);
    return DECLINED;
}

void fs_authz_headers_post_config(apr_pool_t *pconf, server_rec *s, fs_authz_conf_t *conf)
{
    /* Under the prefix; the env names upper case with '_' (ForesattHeaderPrefix may change the
     * headers, never the variables). */
    static const char *const fields[FS_PASS_FIELDS] = {"User", "Acr", "Name", "Number", "Logout-Token"};
    const char *prefix = fs_header_prefix(s);
    int i;
    char *p;

    fs_scrub_register(pconf, "X-Foresatt-Role");
    fs_scrub_register(pconf, "X-Foresatt-Students");
    fs_scrub_register(pconf, "X-Foresatt-Name");
    fs_scrub_register(pconf, "X-Foresatt-Number");
    fs_scrub_register(pconf, "X-Foresatt-Student-Numbers");
    fs_scrub_register(pconf, conf->header_role);
    fs_scrub_register(pconf, conf->header_students);
    fs_scrub_register(pconf, conf->header_name);
    fs_scrub_register(pconf, conf->header_number);
    fs_scrub_register(pconf, conf->header_student_numbers);
    for (i = 0; i < FS_PASS_FIELDS; i++) {
        conf->pass_header[i] = apr_pstrcat(pconf, prefix, fields[i], NULL);
        conf->pass_env[i] = p = apr_pstrcat(pconf, "FORESATT_", fields[i], NULL);
        for (; *p; p++)
            *p = *p == '-' ? '_' : (char)apr_toupper(*p);
    }
    conf->no_store_filter = ap_get_output_filter_handle(NO_STORE_FILTER);
}

void fs_authz_headers_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    /* The decision's first, so its register name is there when the person's fields are passed. */
    ap_hook_fixups(set_decision, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_fixups(pass_identity, NULL, NULL, APR_HOOK_MIDDLE);
    /* After every content-set filter (mod_headers' Header set among them), before the HTTP header. */
    ap_register_output_filter(NO_STORE_FILTER, no_store_filter, NULL, AP_FTYPE_CONTENT_SET + 5);
}
