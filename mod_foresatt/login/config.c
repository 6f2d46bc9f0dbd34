/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The login's directives. Each has a safe default and a merge rule (a virtual host inherits what it
 * does not set). A bad value fails at the directive; a missing required one fails check_config,
 * which `apachectl configtest` runs too. The client key is read and the session's keys are made
 * here (session/config.c), once per configuration load, never per request.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>

#include "encoding.h"
#include "login/login.h"
#include "return_url.h"

APLOG_USE_MODULE(foresatt);

#define DEFAULT_HANDLER_PATH "/foresatt/"
#define DEFAULT_SCOPE "openid"
#define DEFAULT_UI_LOCALES "nb"
#define DEFAULT_STATE_TIMEOUT 600
#define DEFAULT_STATE_MAX 5
#define DEFAULT_OP_TIMEOUT 10
#define DEFAULT_REFRESH 3600
#define DEFAULT_JWKS_REFETCH 60
#define WELL_KNOWN "/.well-known/openid-configuration"

fs_login_conf_t *fs_login_conf_create(apr_pool_t *pool)
{
    fs_login_conf_t *c = apr_pcalloc(pool, sizeof(*c));

    c->client_auth = FST_CLIENT_AUTH_UNKNOWN;
    c->prompt_set = FS_UNSET;
    c->state_timeout = FS_UNSET;
    c->state_max = FS_UNSET;
    c->op_timeout = FS_UNSET;
    c->refresh_interval = FS_UNSET;
    c->jwks_refetch_interval = FS_UNSET;
    c->auth_request = FS_UNSET;
    c->end_session_method = FS_UNSET;
    return c;
}

#define MERGE_PTR(f) c->f = add->f ? add->f : base->f
#define MERGE_INT(f) c->f = add->f != FS_UNSET ? add->f : base->f

fs_login_conf_t *fs_login_conf_merge(apr_pool_t *pool, const fs_login_conf_t *base, const fs_login_conf_t *add)
{
    fs_login_conf_t *c = apr_pcalloc(pool, sizeof(*c));
    const fs_login_conf_t *key = add->client_key_path ? add : base;
    const fs_login_conf_t *prompt = add->prompt_set != FS_UNSET ? add : base;

    MERGE_PTR(metadata_url);
    MERGE_PTR(issuer);
    MERGE_PTR(client_id);
    MERGE_PTR(client_secret);
    c->client_auth = add->client_auth != FST_CLIENT_AUTH_UNKNOWN ? add->client_auth : base->client_auth;
    c->client_key_path = key->client_key_path;
    c->client_key_kid = key->client_key_kid;
    MERGE_PTR(redirect_uri);
    MERGE_PTR(handler_path);
    MERGE_PTR(scope);
    MERGE_PTR(ui_locales);
    c->prompt_set = prompt->prompt_set;
    c->prompt = prompt->prompt;
    MERGE_INT(state_timeout);
    MERGE_INT(state_max);
    MERGE_PTR(post_logout_uris);
    MERGE_INT(op_timeout);
    MERGE_INT(refresh_interval);
    MERGE_INT(jwks_refetch_interval);
    MERGE_INT(auth_request);
    MERGE_INT(end_session_method);
    return c;
}

static fs_login_conf_t *cmd_conf(cmd_parms *cmd)
{
    return fs_login_conf(cmd->server);
}

/* --- directive handlers ------------------------------------------------------------------------ */

const char *fs_cmd_login_metadata_url(cmd_parms *cmd, void *d, const char *v)
{
    (void)d;
    if (!fst_url_is_secure(v))
        return apr_psprintf(cmd->pool, "%s: '%s' is not an https URL (http is allowed only to 127.0.0.1, [::1] "
                            "and localhost, for a local test OP)", cmd->cmd->name, v);
    cmd_conf(cmd)->metadata_url = v;
    return NULL;
}

const char *fs_cmd_login_issuer(cmd_parms *cmd, void *d, const char *v)
{
    (void)d;
    if (!fst_url_is_secure(v))
        return apr_psprintf(cmd->pool, "%s: '%s' is not an https URL", cmd->cmd->name, v);
    cmd_conf(cmd)->issuer = v;
    return NULL;
}

const char *fs_cmd_login_client_id(cmd_parms *cmd, void *d, const char *v)
{
    const char *p;

    (void)d;
    for (p = v; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return apr_psprintf(cmd->pool, "%s: the client id must be printable ASCII without spaces", cmd->cmd->name);
    if (*v == '\0')
        return apr_psprintf(cmd->pool, "%s: the client id is empty", cmd->cmd->name);
    cmd_conf(cmd)->client_id = v;
    return NULL;
}

const char *fs_cmd_login_client_secret(cmd_parms *cmd, void *d, const char *v)
{
    (void)d;
    if (*v == '\0')
        return apr_psprintf(cmd->pool, "%s: the secret is empty", cmd->cmd->name);
    cmd_conf(cmd)->client_secret = v;
    return NULL;
}

const char *fs_cmd_login_client_auth(cmd_parms *cmd, void *d, const char *v)
{
    fst_client_auth_t auth = fst_client_auth_parse(v);

    (void)d;
    if (auth == FST_CLIENT_AUTH_UNKNOWN)
        return apr_psprintf(cmd->pool, "%s: '%s' is not one of client_secret_basic, client_secret_post, "
                            "private_key_jwt", cmd->cmd->name, v);
    cmd_conf(cmd)->client_auth = auth;
    return NULL;
}

const char *fs_cmd_login_client_key(cmd_parms *cmd, void *d, const char *path, const char *kid)
{
    fs_login_conf_t *c = cmd_conf(cmd);

    (void)d;
    c->client_key_path = ap_server_root_relative(cmd->pool, path);
    if (c->client_key_path == NULL)
        return apr_psprintf(cmd->pool, "%s: invalid path '%s'", cmd->cmd->name, path);
    c->client_key_kid = kid;
    return NULL;
}

const char *fs_cmd_login_redirect_uri(cmd_parms *cmd, void *d, const char *v)
{
    (void)d;
    if (v[0] == '/') {
        if (v[1] == '/' || strpbrk(v, "?#\\ \t") != NULL)
            return apr_psprintf(cmd->pool, "%s: '%s' is not a plain path; give a path such as /foresatt/callback "
                                "or an absolute https URL", cmd->cmd->name, v);
    }
    else if (!fst_url_is_secure(v) || fst_url_origin(cmd->pool, v) == NULL || strpbrk(v, "?#") != NULL) {
        return apr_psprintf(cmd->pool, "%s: '%s' is neither a path nor an https URL without query", cmd->cmd->name, v);
    }
    cmd_conf(cmd)->redirect_uri = v;
    return NULL;
}

const char *fs_cmd_login_handler_path(cmd_parms *cmd, void *d, const char *v)
{
    size_t n = strlen(v);

    (void)d;
    if (v[0] != '/' || n < 2 || v[n - 1] != '/' || strstr(v, "//") || strpbrk(v, "?#\\%. \t"))
        return apr_psprintf(cmd->pool, "%s: '%s' must be a plain path that starts and ends with '/', "
                            "e.g. /foresatt/", cmd->cmd->name, v);
    cmd_conf(cmd)->handler_path = v;
    return NULL;
}

const char *fs_cmd_login_scope(cmd_parms *cmd, void *d, const char *v)
{
    const char *p;
    int has_openid = 0;
    char *copy, *tok, *last;

    (void)d;
    for (p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '"' || *p == '\\')
            return apr_psprintf(cmd->pool, "%s: scopes are printable ASCII separated by spaces", cmd->cmd->name);
    copy = apr_pstrdup(cmd->temp_pool, v);
    for (tok = apr_strtok(copy, " ", &last); tok; tok = apr_strtok(NULL, " ", &last))
        if (strcmp(tok, "openid") == 0)
            has_openid = 1;
    if (!has_openid)
        return apr_psprintf(cmd->pool, "%s: the scope must include 'openid'", cmd->cmd->name);
    cmd_conf(cmd)->scope = v;
    return NULL;
}

const char *fs_cmd_login_ui_locales(cmd_parms *cmd, void *d, const char *v)
{
    static const char *const known[] = {"nb", "nn", "en", "se", NULL};
    char *copy = apr_pstrdup(cmd->temp_pool, v), *tok, *last;
    int i, ok;

    (void)d;
    for (tok = apr_strtok(copy, " ", &last); tok; tok = apr_strtok(NULL, " ", &last)) {
        for (i = 0, ok = 0; known[i]; i++)
            ok |= strcmp(tok, known[i]) == 0;
        if (!ok)
            return apr_psprintf(cmd->pool, "%s: '%s' is not one of ID-porten's languages nb, nn, en, se",
                                cmd->cmd->name, tok);
    }
    cmd_conf(cmd)->ui_locales = v;
    return NULL;
}

const char *fs_cmd_login_prompt(cmd_parms *cmd, void *d, const char *v)
{
    fs_login_conf_t *c = cmd_conf(cmd);

    (void)d;
    if (strcmp(v, "login") == 0)
        c->prompt = "login";
    else if (strcasecmp(v, "none") == 0 || strcasecmp(v, "off") == 0)
        c->prompt = NULL;
    else
        return apr_psprintf(cmd->pool, "%s: '%s' is not 'login' or 'off'", cmd->cmd->name, v);
    c->prompt_set = 1;
    return NULL;
}

static const fs_int_directive_t int_directives[] = {
    {"ForesattStateTimeout", offsetof(fs_login_conf_t, state_timeout), 10, 3600, "seconds"},
    {"ForesattStateCookies", offsetof(fs_login_conf_t, state_max), 1, 10, "cookies"},
    {"ForesattOPTimeout", offsetof(fs_login_conf_t, op_timeout), 1, 60, "seconds"},
    {"ForesattProviderRefresh", offsetof(fs_login_conf_t, refresh_interval), 1, 7 * 86400, "seconds"},
    {"ForesattJWKSRefetchInterval", offsetof(fs_login_conf_t, jwks_refetch_interval), 0, 3600, "seconds"},
    {NULL, 0, 0, 0, NULL}};

const char *fs_cmd_login_int(cmd_parms *cmd, void *d, const char *v)
{
    (void)d;
    return fs_cmd_int_from_table(cmd, int_directives, cmd_conf(cmd), v);
}

const char *fs_cmd_login_post_logout(cmd_parms *cmd, void *d, const char *v)
{
    fs_login_conf_t *c = cmd_conf(cmd);

    (void)d;
    if (v[0] == '/' ? (v[1] == '/' || strpbrk(v, "\\ \t") != NULL)
                    : (!fst_url_is_secure(v) || fst_url_origin(cmd->pool, v) == NULL))
        return apr_psprintf(cmd->pool, "%s: '%s' is neither a path on this site nor an https URL", cmd->cmd->name, v);
    if (c->post_logout_uris == NULL)
        c->post_logout_uris = apr_array_make(cmd->pool, 2, sizeof(const char *));
    APR_ARRAY_PUSH(c->post_logout_uris, const char *) = v;
    return NULL;
}

const char *fs_cmd_login_auth_request(cmd_parms *cmd, void *d, const char *v)
{
    (void)d;
    if (strcasecmp(v, "redirect") == 0)
        cmd_conf(cmd)->auth_request = FS_AUTH_REQUEST_REDIRECT;
    else if (strcasecmp(v, "par") == 0)
        cmd_conf(cmd)->auth_request = FS_AUTH_REQUEST_PAR;
    else
        return apr_psprintf(cmd->pool, "%s: '%s' is not 'redirect' or 'par'", cmd->cmd->name, v);
    return NULL;
}

const char *fs_cmd_login_end_session_method(cmd_parms *cmd, void *d, const char *v)
{
    int m = fst_end_session_method_parse(v);

    (void)d;
    if (m < 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not 'POST' or 'GET'", cmd->cmd->name, v);
    cmd_conf(cmd)->end_session_method = m;
    return NULL;
}

/* --- checks and derived values ------------------------------------------------------------------ */

static int int_or(int v, int dflt)
{
    return v == FS_UNSET ? dflt : v;
}

static int fail(server_rec *s, const char *what, const char *todo)
{
    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, FSLOGNO(0100) "%s (server %s:%u): %s", what,
                 s->server_hostname ? s->server_hostname : "(unnamed)", (unsigned)s->port, todo);
    return HTTP_INTERNAL_SERVER_ERROR;
}

static int finish_conf(apr_pool_t *pconf, server_rec *s, fs_login_conf_t *c)
{
    const fs_session_conf_t *session = fs_session_conf(s);
    const char *err = NULL;

    /* Defaults. */
    c->handler_path = c->handler_path ? c->handler_path : DEFAULT_HANDLER_PATH;
    c->handler_path_len = strlen(c->handler_path);
    c->www_authenticate = apr_pstrcat(pconf, "Foresatt login=\"", c->handler_path, "login\"", NULL);
    c->scope = c->scope ? c->scope : DEFAULT_SCOPE;
    c->ui_locales = c->ui_locales ? c->ui_locales : DEFAULT_UI_LOCALES;
    c->state_timeout = int_or(c->state_timeout, DEFAULT_STATE_TIMEOUT);
    c->state_max = int_or(c->state_max, DEFAULT_STATE_MAX);
    c->op_timeout = int_or(c->op_timeout, DEFAULT_OP_TIMEOUT);
    c->refresh_interval = int_or(c->refresh_interval, DEFAULT_REFRESH);
    c->jwks_refetch_interval = int_or(c->jwks_refetch_interval, DEFAULT_JWKS_REFETCH);
    c->auth_request = int_or(c->auth_request, FS_AUTH_REQUEST_REDIRECT);
    c->end_session_method = int_or(c->end_session_method, FST_END_SESSION_POST);
    if (c->post_logout_uris == NULL) {
        c->post_logout_uris = apr_array_make(pconf, 1, sizeof(const char *));
        APR_ARRAY_PUSH(c->post_logout_uris, const char *) = "/";
    }

    c->enabled = c->metadata_url || c->client_id || c->client_secret || c->client_key_path || session->passphrase ||
                 c->redirect_uri;
    if (!c->enabled)
        return OK;

    /* Required. */
    if (c->metadata_url == NULL)
        return fail(s, "ForesattProviderMetadataURL is missing",
                    "give the OP's discovery URL, e.g. ForesattProviderMetadataURL "
                    "https://test.idporten.no/.well-known/openid-configuration");
    if (c->client_id == NULL)
        return fail(s, "ForesattClientID is missing", "give the client id ID-porten registered for this site");
    if (session->passphrase == NULL)
        return fail(s, "ForesattCryptoPassphrase is missing",
                    "give a long random secret (the same on every server behind a load balancer), "
                    "e.g. from 'openssl rand -base64 32'");
    if (c->client_auth == FST_CLIENT_AUTH_UNKNOWN)
        c->client_auth = c->client_key_path ? FST_PRIVATE_KEY_JWT : FST_CLIENT_SECRET_BASIC;
    if (c->client_auth == FST_PRIVATE_KEY_JWT) {
        if (c->client_key_path == NULL)
            return fail(s, "ForesattClientAuth private_key_jwt needs ForesattClientKey",
                        "give the PEM file of the client's RSA key: ForesattClientKey /etc/foresatt/client.pem [kid]");
        c->client_key = fst_client_key_load(pconf, c->client_key_path, c->client_key_kid, &err);
        if (c->client_key == NULL)
            return fail(s, "ForesattClientKey", err);
    }
    else if (c->client_secret == NULL) {
        return fail(s, apr_psprintf(pconf, "ForesattClientAuth %s needs ForesattClientSecret",
                                    fst_client_auth_name(c->client_auth)),
                    "give the client secret, or use private_key_jwt with ForesattClientKey");
    }
    if (c->issuer == NULL) {
        size_t n = strlen(c->metadata_url), w = strlen(WELL_KNOWN);
        if (n <= w || strcmp(c->metadata_url + n - w, WELL_KNOWN) != 0)
            return fail(s, "ForesattProviderIssuer is missing",
                        "the metadata URL does not end in /.well-known/openid-configuration, so give the issuer "
                        "explicitly");
        c->issuer = apr_pstrmemdup(pconf, c->metadata_url, n - w);
    }

    /* Where the OP sends the browser back. */
    if (c->redirect_uri == NULL)
        c->redirect_uri = apr_pstrcat(pconf, c->handler_path, "callback", NULL);
    if (c->redirect_uri[0] == '/') {
        c->redirect_path = c->redirect_uri;
        c->redirect_origin = NULL;
    }
    else {
        const char *after = strstr(c->redirect_uri, "://") + 3;
        c->redirect_origin = fst_url_origin(pconf, c->redirect_uri);
        c->redirect_path = strchr(after, '/') ? strchr(after, '/') : "/";
    }
    if (strcmp(c->redirect_path, "/") == 0)
        return fail(s, "ForesattRedirectURI", "the redirect URI must not be the site root; use e.g. "
                    "/foresatt/callback");
    if (!session->cookie_secure && c->redirect_origin && strncmp(c->redirect_origin, "https://", 8) == 0)
        ap_log_error(APLOG_MARK, APLOG_WARNING, 0, s, FSLOGNO(0101) "ForesattCookieSecure Off on an https site: "
                     "cookies may leak over plain http; turn it On");

    /* The session's keys, bound to this client. */
    if ((err = fs_session_keys(pconf, s, c->client_id)) != NULL)
        return fail(s, "ForesattCryptoPassphrase", err);
    return OK;
}

int fs_login_check_config(apr_pool_t *pconf, server_rec *main_server)
{
    server_rec *s;
    int rc;

    for (s = main_server; s; s = s->next) {
        const fs_login_conf_t *c = fs_login_conf(s);
        const char *where;

        if ((rc = finish_conf(pconf, s, fs_login_conf(s))) != OK)
            return rc;
        /* The cookies' associated data holds the site's name: a guessed one differs between the
         * servers behind a load balancer, and changes with the machine. */
        if (c->enabled && !fs_sections_server_named(main_server, s))
            return fail(s, "ServerName is missing",
                        "the session cookies are bound to this site's name, and without a ServerName httpd "
                        "guesses one (another on each server behind a load balancer, and after a rename): "
                        "give the name people use, e.g. ServerName portal.skole.no");
        /* A trusted proxy's header makes AuthType foresatt's user without a login of ours. */
        if (!c->enabled && fs_session_conf(s)->identity_mode != FS_IDENTITY_MODE_HEADER &&
            (where = fs_sections_auth_type(pconf, s, "foresatt")) != NULL)
            return fail(s, apr_psprintf(pconf, "AuthType foresatt in %s", where),
                        "this server has no login configuration, so nobody could log in: give "
                        "ForesattProviderMetadataURL, ForesattClientID, ForesattClientSecret (or ForesattClientKey) "
                        "and ForesattCryptoPassphrase, or use another module's AuthType with ForesattIdentity");
    }
    return OK;
}

void fs_login_child_init(apr_pool_t *pchild, server_rec *s)
{
    fs_op_cache_child_init(pchild, s);
}

/* --- URLs of this site ---------------------------------------------------------------------------- */

const char *fs_own_origin(request_rec *r)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const char *scheme = ap_http_scheme(r);
    apr_port_t port = r->server->port ? r->server->port : r->connection->local_addr->port;
    int https = strcmp(scheme, "https") == 0;
    char *origin, *p;

    if (c->redirect_origin)
        return c->redirect_origin;
    if ((https && port == 443) || (!https && port == 80))
        origin = apr_pstrcat(r->pool, scheme, "://", r->server->server_hostname, NULL);
    else
        origin = apr_psprintf(r->pool, "%s://%s:%u", scheme, r->server->server_hostname, (unsigned)port);
    for (p = origin; *p; p++)
        *p = (char)apr_tolower(*p);
    return origin;
}

const char *fs_absolute_url(request_rec *r, const char *path)
{
    if (path[0] != '/')
        return path;
    return apr_pstrcat(r->pool, fs_own_origin(r), path, NULL);
}

const char *fs_redirect_uri(request_rec *r)
{
    return fs_absolute_url(r, fs_login_conf(r->server)->redirect_uri);
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)pconf;
    (void)plog;
    (void)ptemp;
    fs_op_global_init(s->process->pool);
    return OK;
}

void fs_login_register_hooks(apr_pool_t *pool)
{
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    fs_authn_register_hooks(pool);
    fs_handlers_register_hooks(pool);
}
