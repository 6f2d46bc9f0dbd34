/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the portal behind the module receives.
 *
 * On every AuthType foresatt request with a person (build() below; ForesattPassIdentity says
 * headers, environment variables or both), under ForesattHeaderPrefix / FORESATT_:
 *   X-Foresatt-User      the pseudonym (also REMOTE_USER)
 *   X-Foresatt-Acr       the level of assurance of the login
 *   X-Foresatt-Name      the name from the ID token, unless the authorization set the register's
 *   X-Foresatt-Logout-Token  the session's CSRF token, for the logout button and the forms
 * and, only with ForesattPassNumbers on, the person's own number under the name of
 * ForesattAuthzHeader number (one header for it whichever Require let the request in).
 *
 * On a request one of our providers allowed:
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
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <http_request.h>
#include <util_filter.h>

#include "authz/authz.h"
#include "http/http.h"

APLOG_USE_MODULE(foresatt);

#define NO_STORE_FILTER "FORESATT_NO_STORE"

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

/* What the portal receives on one kind of request: names and cleaned values, ready to be set. */
#define PORTAL_MAX 16
typedef struct fs_authz_portal {
    int n;
    struct {
        int env; /* subprocess_env, else headers_in */
        const char *name, *value;
    } item[PORTAL_MAX];
} portal_t;

enum { GRANTED_NONE = 0, GRANTED_GUARDIAN, GRANTED_STUDENT };

static void add(portal_t *p, apr_pool_t *pool, int env, const char *name, const char *value)
{
    if (name == NULL || value == NULL || p->n == PORTAL_MAX)
        return;
    p->item[p->n].env = env;
    p->item[p->n].name = name;
    p->item[p->n].value = fs_header_clean(pool, value);
    p->n++;
}

static void add_span(portal_t *p, apr_pool_t *pool, const char *name, fs_span_t value)
{
    if (name != NULL)
        add(p, pool, 0, name, apr_pstrmemdup(pool, value.p, value.len));
}

static int has_header(const portal_t *p, const char *name)
{
    int i;

    for (i = 0; i < p->n; i++)
        if (!p->item[i].env && strcasecmp(p->item[i].name, name) == 0)
            return 1;
    return 0;
}

/* Everything in one list, in pool: the decision's fields when one of our providers granted (the
 * register's name first: it wins over the ID token's), then, on AuthType foresatt requests, the
 * person's (ForesattPassIdentity: headers, variables, or both). */
static void build(portal_t *p, request_rec *r, apr_pool_t *pool, const fs_authz_conf_t *c,
                  const fs_authz_request_t *q, int granted, const fs_identity_t *id)
{
    const int headers = (c->pass_identity & FS_PASS_TO_HEADERS) != 0, env = (c->pass_identity & FS_PASS_TO_ENV) != 0;
    const fst_session_t *s;

    p->n = 0;
    if (granted != GRANTED_NONE) {
        const fs_decision_t *d = q->decision;

        add(p, pool, 0, c->header_role, granted == GRANTED_GUARDIAN ? "guardian" : "student");
        add_span(p, pool, c->header_students, granted == GRANTED_GUARDIAN ? d->allowed : d->student);
        if (d->name.len > 0)
            add_span(p, pool, c->header_name, d->name);
        if (c->pass_numbers > 0) {
            add(p, pool, 0, c->header_number, q->identity->pid);
            if (granted == GRANTED_GUARDIAN)
                add_span(p, pool, c->header_student_numbers, d->allowed_numbers);
        }
    }
    if (id == NULL)
        return;
    if (headers) {
        add(p, pool, 0, c->pass_header[FS_PASS_USER], id->pseudonym);
        add(p, pool, 0, c->pass_header[FS_PASS_ACR], id->acr);
        if (!has_header(p, c->pass_header[FS_PASS_NAME]))
            add(p, pool, 0, c->pass_header[FS_PASS_NAME], id->name);
        /* One switch for numbers, ForesattPassNumbers, and one header name for the person's own. */
        if (c->pass_numbers > 0 && c->header_number != NULL && !has_header(p, c->header_number))
            add(p, pool, 0, c->header_number, id->pid);
    }
    if (env) {
        add(p, pool, 1, c->pass_env[FS_PASS_USER], id->pseudonym);
        add(p, pool, 1, c->pass_env[FS_PASS_ACR], id->acr);
        add(p, pool, 1, c->pass_env[FS_PASS_NAME], id->name);
        if (c->pass_numbers > 0)
            add(p, pool, 1, c->pass_env[FS_PASS_NUMBER], id->pid);
    }
    if ((s = fs_session_current(r)) != NULL) {
        if (headers)
            add(p, pool, 0, c->pass_header[FS_PASS_CSRF_TOKEN], fs_csrf_token(s));
        if (env)
            add(p, pool, 1, c->pass_env[FS_PASS_CSRF_TOKEN], fs_csrf_token(s));
    }
}

/* Before anything else at fixups (mod_headers' RequestHeader sees the values). A keep-alive
 * connection's requests with the same session cookie and decision use the list built for the
 * first: no cleaning, no copying, one table set per field. */
static int pass_to_portal(request_rec *r)
{
    fs_authz_request_t *q = fs_authz_request_kept(r);
    const fs_authz_conf_t *c;
    const fs_identity_t *id = NULL;
    fs_authz_kept_t *kept;
    portal_t local, *p;
    int granted = GRANTED_NONE, foresatt, i;

    if (q != NULL) {
        /* The request was allowed: a refusal recorded on the way (RequireAny) is not its answer. */
        q->page = FS_PAGE_NONE;
        if (q->decision != NULL)
            granted = q->granted_guardian ? GRANTED_GUARDIAN : q->granted_student ? GRANTED_STUDENT : GRANTED_NONE;
    }
    foresatt = r->user != NULL && fs_auth_type_is_foresatt(r);
    if (foresatt && (id = fs_identity_get(r)) == NULL)
        foresatt = 0;
    if (granted == GRANTED_NONE && !foresatt)
        return DECLINED;
    c = fs_authz_conf(r->server);
    /* Kept only for the decision the cookie carries (not one made again on this request). */
    kept = fs_authz_kept(r);
    if (kept != NULL && granted != GRANTED_NONE && q->decision != &kept->decision)
        kept = NULL;
    if (kept != NULL && (p = kept->portal[granted][foresatt]) != NULL) {
        /* built for this cookie already */
    } else if (kept != NULL) {
        p = kept->portal[granted][foresatt] = apr_palloc(kept->pool, sizeof(*p));
        build(p, r, kept->pool, c, q, granted, id);
    } else {
        p = &local;
        build(p, r, r->pool, c, q, granted, id);
    }
    for (i = 0; i < p->n; i++)
        apr_table_setn(p->item[i].env ? r->subprocess_env : r->headers_in, p->item[i].name, p->item[i].value);
    /* Personal data: no cache may keep it, whatever answers (a file, a CGI, mod_proxy's backend). A
     * subrequest too: mod_dir's fast redirect makes its answer, filters and headers the request's. */
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
    ap_hook_fixups(pass_to_portal, NULL, NULL, APR_HOOK_REALLY_FIRST);
    /* After every content-set filter (mod_headers' Header set among them), before the HTTP header. */
    ap_register_output_filter(NO_STORE_FILTER, no_store_filter, NULL, AP_FTYPE_CONTENT_SET + 5);
}
