/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * AuthType foresatt: who is this (identity.c), and if nobody, what to answer. A browser navigating
 * to a page is sent to ID-porten; anything else (XHR, fetch, a POST, an API client) gets 401, as
 * mod_auth_openidc decides from Sec-Fetch-Mode, X-Requested-With and Accept. REMOTE_USER is the
 * pseudonym, never the fødselsnummer. After authorization, the fixup hands the identity to the
 * backend (headers and/or environment) and marks the response no-store.
 */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>
#include <util_filter.h>

#include "authz/authz.h"
#include "http/http.h"
#include "session/identity.h"
#include "login/login.h"

APLOG_USE_MODULE(foresatt);

#define NO_STORE_FILTER "FORESATT_NO_STORE"

static int is_foresatt(request_rec *r)
{
    const char *type = ap_auth_type(r);

    return type != NULL && strcasecmp(type, "foresatt") == 0;
}

/* May we answer this request with a redirect to a login page? */
static int is_navigation(request_rec *r)
{
    const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    const char *xrw = apr_table_get(r->headers_in, "X-Requested-With");
    const char *accept = apr_table_get(r->headers_in, "Accept");

    if (r->method_number != M_GET)
        return 0;
    if (mode != NULL)
        return strcasecmp(mode, "navigate") == 0;
    if (xrw != NULL && strcasecmp(xrw, "XMLHttpRequest") == 0)
        return 0;
    if (accept != NULL && !ap_strcasestr(accept, "text/html") && !ap_strcasestr(accept, "application/xhtml+xml") &&
        !strstr(accept, "*/*"))
        return 0;
    return 1;
}

static int check_authn(request_rec *r)
{
    fs_oidc_conf_t *c;
    const fs_identity_t *id;
    const char *back;

    if (!is_foresatt(r))
        return DECLINED;
    c = fs_oidc_conf(r->server);
    id = fs_identity_get(r);
    if (id != NULL) {
        r->user = (char *)id->pseudonym;
        r->ap_auth_type = "foresatt";
        return OK;
    }
    if (!c->enabled) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0180) "AuthType foresatt is used for %s, but this "
                      "server has no ForesattProviderMetadataURL: nobody can log in", r->uri);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (r->main != NULL || !is_navigation(r)) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate", c->www_authenticate);
        return HTTP_UNAUTHORIZED;
    }
    /* Back to this very page after login, unless its URL could lead elsewhere (e.g. //host/). */
    back = fs_return_url_checked(r, r->unparsed_uri);
    return fs_login_start(r, back ? back : "/");
}

static apr_status_t no_store_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;

    /* Whatever the backend said about caching, a protected response is stored nowhere. */
    apr_table_unset(r->headers_out, "Cache-Control");
    apr_table_unset(r->headers_out, "Expires");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    ap_remove_output_filter(f);
    return ap_pass_brigade(f->next, bb);
}

static void pass(request_rec *r, const fs_oidc_conf_t *c, int field, const char *value)
{
    /* The number goes under the authorization's header name (ForesattAuthzHeader number), so the
     * portal sees one header for it whichever Require let the request in. */
    const char *header = field == FS_PASS_NUMBER ? fs_authz_conf(r->server)->header_number : c->pass_header[field];

    if (value == NULL)
        return;
    if ((c->pass_identity & FS_PASS_HEADERS) && header != NULL) {
        /* Client copies are gone (scrub.c), so a Name already here was set by the authorization (the
         * register's name): it wins over the ID token's. */
        if (field != FS_PASS_NAME || apr_table_get(r->headers_in, header) == NULL)
            fs_backend_header_set(r, header, value);
    }
    if (c->pass_identity & FS_PASS_ENV)
        apr_table_setn(r->subprocess_env, c->pass_env[field], fs_header_clean(r->pool, value));
}

static int fixups(request_rec *r)
{
    fs_oidc_conf_t *c;
    const fs_identity_t *id;
    const fst_session_t *s;

    if (r->user == NULL || !is_foresatt(r))
        return DECLINED;
    id = fs_identity_get(r);
    if (id == NULL)
        return DECLINED;
    c = fs_oidc_conf(r->server);
    pass(r, c, FS_PASS_USER, id->pseudonym);
    pass(r, c, FS_PASS_ACR, id->acr);
    pass(r, c, FS_PASS_NAME, id->name);
    /* One switch for numbers, ForesattPassNumbers, and one header name for the person's own. */
    if (fs_authz_conf(r->server)->pass_numbers > 0)
        pass(r, c, FS_PASS_NUMBER, id->pid);
    s = fs_session_current(r);
    if (s != NULL)
        pass(r, c, FS_PASS_LOGOUT_TOKEN, fs_csrf_token(r, s));
    if (c->no_store_filter != NULL)
        ap_add_output_filter_handle(c->no_store_filter, NULL, r, r->connection);
    return DECLINED;
}

ap_filter_rec_t *fs_authn_no_store_filter(void)
{
    return ap_get_output_filter_handle(NO_STORE_FILTER);
}

void fs_authn_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_MIDDLE, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_fixups(fixups, NULL, NULL, APR_HOOK_MIDDLE);
    /* After every content-set filter (mod_headers' Header set among them), before the HTTP header. */
    ap_register_output_filter(NO_STORE_FILTER, no_store_filter, NULL, AP_FTYPE_CONTENT_SET + 5);
}
