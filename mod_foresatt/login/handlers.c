/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The login's own URLs, under ForesattHandlerPath (default /foresatt/):
 *   login                 start a login (?target=<where to go afterwards>)
 *   callback              the default redirect URI (ForesattRedirectURI may put it elsewhere)
 *   logout                RP-initiated logout
 *   frontchannel-logout   the OP's front-channel logout
 *   backchannel-logout    the OP's back-channel logout (a POST from its server)
 * They are served from the quick handler: before access control, so they work even when the
 * handler path lies inside a <Location> that requires a login, and before anything else could
 * act on the request. Header scrubbing (post_read_request) has already run. Every other name
 * under the handler path is the self-service pages' (pages/), whose quick handler runs next.
 */
#include <string.h>

#include <http_request.h>

#include "login/login.h"

static int quick_handler(request_rec *r, int lookup)
{
    const fs_login_conf_t *c;
    const char *path = r->parsed_uri.path, *rest;

    if (lookup || r->main != NULL || path == NULL)
        return DECLINED;
    c = fs_login_conf(r->server);
    if (!c->enabled)
        return DECLINED;
    if (strcmp(path, c->redirect_path) == 0)
        return fs_handle_callback(r);
    if (strncmp(path, c->handler_path, c->handler_path_len) != 0)
        return DECLINED;
    rest = path + c->handler_path_len;
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
    (void)pool;
    /* First: the self-service pages' handler (APR_HOOK_FIRST + 1) answers the rest of the path. */
    ap_hook_quick_handler(quick_handler, NULL, NULL, APR_HOOK_FIRST);
}
