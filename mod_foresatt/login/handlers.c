/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The module's own URLs, under ForesattHandlerPath (default /foresatt/). The login's:
 *   login                 start a login (?target=<where to go afterwards>)
 *   callback              the default redirect URI (ForesattRedirectURI may put it elsewhere)
 *   logout                RP-initiated logout
 *   frontchannel-logout   the OP's front-channel logout
 *   backchannel-logout    the OP's back-channel logout (a POST from its server)
 * Every other name under the handler path is the self-service pages' (pages/), whose handler runs
 * next.
 *
 * They go through httpd's normal phases, so the site's rules apply to them as to any page:
 * `Header` (HSTS on the virtual host, a `<Location /foresatt/>`), a `Require` that needs no user
 * (`Require ip`, `Require all denied`), mod_security's phases. translate_name claims the URL (no
 * file, no other module's mapping: a `ProxyPass /` does not take it), map_to_storage skips the
 * directory walk, and a rule that needs a logged-in user is not applied: these URLs are where the
 * user logs in (and the personal pages ask for our session themselves), so under a site-wide
 * `<Location />` with `Require foresatt-guardian` the login still works. Header scrubbing
 * (post_read_request) has already run. The mark is kept with the request (fs_request_t): every
 * other request pays a look at its empty slot in each of these hooks.
 */
#include <string.h>

#include <apr_strings.h>
#include <http_request.h>
#include <mod_auth.h>

#include "login/login.h"

void fs_own_url_mark(request_rec *r)
{
    fs_request(r)->own_url = 1;
    r->handler = FS_OWN_HANDLER;
    /* No file: nothing maps it, nothing stats it. */
    r->filename = apr_pstrcat(r->pool, "foresatt:", r->uri, NULL);
}

int fs_own_url(const request_rec *r)
{
    const fs_request_t *q = fs_request_kept(r);

    return q != NULL && q->own_url;
}

/* The login's URLs, when this server logs people in. Subrequests are nobody's pages. */
static int translate(request_rec *r)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);

    if (r->main != NULL || !c->enabled || r->uri == NULL)
        return DECLINED;
    if (strcmp(r->uri, c->redirect_path) != 0 && strncmp(r->uri, c->handler_path, c->handler_path_len) != 0)
        return DECLINED;
    fs_own_url_mark(r);
    return OK;
}

static int map_to_storage(request_rec *r)
{
    return fs_own_url(r) ? OK : DECLINED;
}

/* Reached when mod_authz_core found that the site's Require needs a logged-in user (it answers
 * itself when the rule is met or refused without one): on the module's own URLs, nobody is
 * logged in yet. */
static int access_without_user(request_rec *r)
{
    return fs_own_url(r) ? OK : DECLINED;
}

static int handler(request_rec *r)
{
    const fs_login_conf_t *c;
    const char *rest;

    if (!fs_own_url(r))
        return DECLINED;
    c = fs_login_conf(r->server);
    if (!c->enabled)
        return DECLINED;
    if (strcmp(r->uri, c->redirect_path) == 0)
        return fs_handle_callback(r);
    if (strncmp(r->uri, c->handler_path, c->handler_path_len) != 0)
        return DECLINED;
    rest = r->uri + c->handler_path_len;
    if (strcmp(rest, "login") == 0)
        return fs_handle_login(r);
    if (strcmp(rest, "logout") == 0)
        return fs_handle_logout(r);
    if (strcmp(rest, "frontchannel-logout") == 0)
        return fs_handle_frontchannel_logout(r);
    if (strcmp(rest, "backchannel-logout") == 0)
        return fs_handle_backchannel_logout(r);
    return DECLINED;
}

void fs_handlers_register_hooks(apr_pool_t *pool)
{
    static const char *const after_authz_core[] = {"mod_authz_core.c", NULL};

    (void)pool;
    /* Before mod_rewrite, mod_alias and mod_proxy map the URL; the self-service pages' (pages/,
     * APR_HOOK_REALLY_FIRST + 1) claim their public names where there is no login. */
    ap_hook_translate_name(translate, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_map_to_storage(map_to_storage, NULL, NULL, APR_HOOK_REALLY_FIRST);
    ap_hook_check_access_ex(access_without_user, after_authz_core, NULL, APR_HOOK_LAST,
                            AP_AUTH_INTERNAL_PER_CONF);
    /* First: the self-service pages' handler (APR_HOOK_FIRST + 1) answers the rest of the path. */
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_FIRST);
}
