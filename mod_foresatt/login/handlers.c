/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The login's own URLs, under ForesattHandlerPath (default /foresatt/):
 *   login                 start a login (?target=<where to go afterwards>)
 *   callback              the default redirect URI (ForesattRedirectURI may put it elsewhere)
 *   logout                RP-initiated logout
 *   frontchannel-logout   the OP's front-channel logout
 * and the self-service pages (pages/pages.h): profil, samtykke, informasjon, stil.css.
 * They are served from the quick handler: before access control, so they work even when the
 * handler path lies inside a <Location> that requires a login, and before anything else could
 * act on the request. Header scrubbing (post_read_request) has already run.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

#include "encoding.h"
#include "login/login.h"
#include "pages/pages.h"

#define QUERY_MAX 8192
#define FORM_MAX 8192

apr_table_t *fs_query_params(request_rec *r, const char *query)
{
    apr_table_t *t = apr_table_make(r->pool, 8);
    const char *p, *end;

    if (query == NULL || *query == '\0')
        return t;
    if (strlen(query) > QUERY_MAX)
        return NULL;
    for (p = query; *p; p = *end ? end + 1 : end) {
        const char *eq;
        char *name, *value;

        end = strchr(p, '&');
        if (end == NULL)
            end = p + strlen(p);
        if (end == p)
            continue;
        eq = memchr(p, '=', (size_t)(end - p));
        name = fst_url_decode(r->pool, p, (size_t)((eq ? eq : end) - p));
        value = eq ? fst_url_decode(r->pool, eq + 1, (size_t)(end - eq - 1)) : apr_pstrdup(r->pool, "");
        if (name == NULL || value == NULL)
            return NULL;
        /* A repeated parameter (state twice, iss twice) is an attack or a bug: refuse it whole. */
        if (apr_table_get(t, name) != NULL)
            return NULL;
        apr_table_setn(t, name, value);
    }
    return t;
}

apr_table_t *fs_form_params(request_rec *r, int *status)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    static const char form[] = "application/x-www-form-urlencoded";
    char *body, buf[2048];
    apr_size_t len = 0;
    long got;
    int rc;

    if (ct == NULL || strncasecmp(ct, form, sizeof(form) - 1) != 0 ||
        (ct[sizeof(form) - 1] != '\0' && ct[sizeof(form) - 1] != ';' && ct[sizeof(form) - 1] != ' ')) {
        ap_discard_request_body(r);
        *status = HTTP_UNSUPPORTED_MEDIA_TYPE;
        return NULL;
    }
    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        *status = rc;
        return NULL;
    }
    body = apr_palloc(r->pool, FORM_MAX + 1);
    if (ap_should_client_block(r)) {
        while ((got = ap_get_client_block(r, buf, sizeof(buf))) > 0) {
            if (len + (apr_size_t)got > FORM_MAX) {
                *status = HTTP_REQUEST_ENTITY_TOO_LARGE;
                return NULL;
            }
            memcpy(body + len, buf, (size_t)got);
            len += (apr_size_t)got;
        }
        if (got < 0) {
            *status = HTTP_BAD_REQUEST;
            return NULL;
        }
    }
    body[len] = '\0';
    if (memchr(body, '\0', len) != NULL) {
        *status = HTTP_BAD_REQUEST;
        return NULL;
    }
    {
        apr_table_t *t = fs_query_params(r, body);
        if (t == NULL)
            *status = HTTP_BAD_REQUEST;
        return t;
    }
}

static int quick_handler(request_rec *r, int lookup)
{
    fs_oidc_conf_t *c;
    const char *path = r->parsed_uri.path, *rest;
    size_t n;
    int rc;

    if (lookup || r->main != NULL || path == NULL)
        return DECLINED;
    c = fs_oidc_conf(r->server);
    if (!c->enabled) {
        /* No login here, but the public self-service pages are still the module's. */
        n = c->handler_path_len;
        return strncmp(path, c->handler_path, n) == 0 ? fs_selfservice_handle(r, path + n, 0) : DECLINED;
    }
    if (strcmp(path, c->redirect_path) == 0)
        return fs_handle_callback(r);
    n = c->handler_path_len;
    if (strncmp(path, c->handler_path, n) != 0)
        return DECLINED;
    rest = path + n;
    if (strcmp(rest, "login") == 0)
        return fs_handle_login(r);
    if (strcmp(rest, "logout") == 0)
        return fs_handle_logout(r);
    if (strcmp(rest, "frontchannel-logout") == 0)
        return fs_handle_frontchannel_logout(r);
    if ((rc = fs_selfservice_handle(r, rest, 1)) != DECLINED)
        return rc;
    return fs_page_error(r, HTTP_NOT_FOUND, &fs_page_not_found);
}

void fs_handlers_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_quick_handler(quick_handler, NULL, NULL, APR_HOOK_FIRST);
}
