/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * AuthType foresatt: who is this (the session's identity), and if nobody, what to answer. A browser
 * navigating to a page is sent to ID-porten; anything else (XHR, fetch, a POST, an API client) gets
 * 401 (http/headers.c decides which). REMOTE_USER is the pseudonym, never the fødselsnummer. What
 * the portal then learns about the person is authz/headers.c's.
 */
#include <http_core.h>
#include <http_request.h>

#include "http/http.h"
#include "login/login.h"

APLOG_USE_MODULE(foresatt);

static int check_authn(request_rec *r)
{
    const fs_login_conf_t *c;
    const fs_identity_t *id;
    const char *back;

    if (!fs_auth_type_is_foresatt(r))
        return DECLINED;
    c = fs_login_conf(r->server);
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
    if (r->main != NULL || !fs_is_navigation(r)) {
        apr_table_setn(r->err_headers_out, "WWW-Authenticate", c->www_authenticate);
        return HTTP_UNAUTHORIZED;
    }
    /* Back to this very page after login, unless its URL could lead elsewhere (e.g. //host/). */
    back = fs_return_url_checked(r, r->unparsed_uri);
    return fs_login_start(r, back ? back : "/");
}

void fs_authn_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_check_authn(check_authn, NULL, NULL, APR_HOOK_MIDDLE, AP_AUTH_INTERNAL_PER_CONF);
}
