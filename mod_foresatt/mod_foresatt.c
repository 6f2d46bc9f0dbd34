/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * mod_foresatt: guardian access for Norwegian schools. ID-porten login, Folkeregisteret-based
 * authorization and the school's records, behind `Require foresatt-*`.
 *
 * This file only wires the folders together (HACKING.md draws them): the directive table, the
 * server configuration's create and merge (one part per folder), the hooks in the order each
 * folder needs, and the module record. It includes every folder's header; nothing includes it.
 */
#include <http_request.h>

#include "authz/authz.h"
#include "core/core.h"
#include "http/http.h"
#include "login/login.h"
#include "pages/pages.h"
#include "session/identity.h"

static void *create_server_conf(apr_pool_t *pool, server_rec *s)
{
    fs_server_conf_t *conf = apr_pcalloc(pool, sizeof(*conf));

    conf->server = s;
    fs_log_init(&conf->log, s);
    conf->registry_conf = fs_registry_conf_create(pool);
    conf->http = fs_http_conf_create(pool);
    conf->session = fs_session_conf_create(pool);
    conf->login = fs_login_conf_create(pool);
    conf->authz = fs_authz_create_server(pool);
    conf->pages = fs_pages_conf_create(pool);
    return conf;
}

static void *merge_server_conf(apr_pool_t *pool, void *basev, void *addv)
{
    fs_server_conf_t *base = basev, *add = addv;
    fs_server_conf_t *conf = apr_pcalloc(pool, sizeof(*conf));

    conf->server = add->server;
    conf->log = add->log;
    conf->registry = add->registry ? add->registry : base->registry;
    conf->store = add->store ? add->store : base->store;
    conf->registry_conf = fs_registry_conf_merge(pool, base->registry_conf, add->registry_conf);
    conf->http = fs_http_conf_merge(pool, base->http, add->http);
    conf->session = fs_session_conf_merge(pool, base->session, add->session);
    conf->login = fs_login_conf_merge(pool, base->login, add->login);
    conf->authz = fs_authz_merge_server(pool, base->authz, add->authz);
    conf->pages = fs_pages_conf_merge(pool, base->pages, add->pages);
    return conf;
}

/* Bottom up: the login makes the session's keys, which need the session's defaults. */
static int check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    int rc = fs_plugins_check_config(pconf, plog, ptemp, s);

    if (rc == OK)
        rc = fs_http_check_config(pconf, s);
    if (rc == OK)
        rc = fs_session_check_config(pconf, s);
    if (rc == OK)
        rc = fs_login_check_config(pconf, s);
    return rc != OK ? rc : fs_pages_check_config(pconf, ptemp, s);
}

static void child_init(apr_pool_t *pchild, server_rec *s)
{
    fs_plugins_child_init(pchild, s);
    fs_registry_child_init(pchild, s);
    fs_authz_child_init(pchild, s);
    fs_session_child_init(pchild, s);
    fs_login_child_init(pchild, s);
}

static const command_rec foresatt_cmds[] = {
    /* plugins: core/plugins.c */
    AP_INIT_RAW_ARGS("ForesattPlugin", fs_cmd_plugin, NULL, RSRC_CONF,
                     "ForesattPlugin <name> <path-to-.so> [key=value ...]: load a register or store plugin"),
    AP_INIT_TAKE1("ForesattRegistry", fs_cmd_registry, NULL, RSRC_CONF,
                  "ForesattRegistry <name>: the plugin that looks persons up in the population register"),
    AP_INIT_TAKE1("ForesattStore", fs_cmd_store, NULL, RSRC_CONF,
                  "ForesattStore <name>: the plugin that keeps the school's records"),
    /* register lookup cache: core/registry.c */
    AP_INIT_TAKE1("ForesattRegistryCacheTTL", fs_cmd_registry_cache_ttl, NULL, RSRC_CONF,
                  "ForesattRegistryCacheTTL <seconds>: how long a register answer is kept (default 300; 0: off)"),
    AP_INIT_TAKE1("ForesattRegistryNotFoundTTL", fs_cmd_registry_not_found_ttl, NULL, RSRC_CONF,
                  "ForesattRegistryNotFoundTTL <seconds>: how long 'not in the register' is kept (default 30)"),
    AP_INIT_TAKE1("ForesattRegistryCacheSize", fs_cmd_registry_cache_size, NULL, RSRC_CONF,
                  "ForesattRegistryCacheSize <persons>: persons each child process keeps (default 10000)"),
    /* store: core/store.c */
    AP_INIT_RAW_ARGS("ForesattAuditRetention", fs_cmd_audit_retention, NULL, RSRC_CONF,
                     "ForesattAuditRetention <period>: how long foresattctl purge keeps audit entries, "
                     "e.g. '2 years', '18 months', '400 days' (default: kept)"),
    /* login: login/config.c; session/config.c (passphrase, pseudonyms, cookies, session times); http/scrub.c
     * (ForesattHeaderPrefix); authz/config.c (ForesattPassIdentity) */
    AP_INIT_TAKE1("ForesattProviderMetadataURL", fs_cmd_login_metadata_url, NULL, RSRC_CONF,
                  "the OP's discovery URL, e.g. https://test.idporten.no/.well-known/openid-configuration"),
    AP_INIT_TAKE1("ForesattProviderIssuer", fs_cmd_login_issuer, NULL, RSRC_CONF,
                  "the issuer the discovery document must name (default: the metadata URL without "
                  "/.well-known/openid-configuration)"),
    AP_INIT_TAKE1("ForesattClientID", fs_cmd_login_client_id, NULL, RSRC_CONF, "the client id registered at ID-porten"),
    AP_INIT_TAKE1("ForesattClientSecret", fs_cmd_login_client_secret, NULL, RSRC_CONF,
                  "the client secret, for client_secret_basic / client_secret_post"),
    AP_INIT_TAKE1("ForesattClientAuth", fs_cmd_login_client_auth, NULL, RSRC_CONF,
                  "client_secret_basic | client_secret_post | private_key_jwt (default: private_key_jwt when "
                  "ForesattClientKey is given, else client_secret_basic)"),
    AP_INIT_TAKE12("ForesattClientKey", fs_cmd_login_client_key, NULL, RSRC_CONF,
                   "<path to PEM RSA private key> [kid]: for private_key_jwt (kid default: the key's thumbprint)"),
    AP_INIT_TAKE1("ForesattRedirectURI", fs_cmd_login_redirect_uri, NULL, RSRC_CONF,
                  "the redirect URI registered at the OP: a path or an absolute https URL "
                  "(default: <ForesattHandlerPath>callback)"),
    AP_INIT_TAKE12("ForesattCryptoPassphrase", fs_cmd_session_passphrase, NULL, RSRC_CONF,
                   "<passphrase> [<previous passphrase>]: seals the cookies; the previous one still opens them"),
    AP_INIT_TAKE1("ForesattPseudonymSecret", fs_cmd_session_pseudonym_secret, NULL, RSRC_CONF,
                  "keys the pseudonyms in REMOTE_USER and the logs (default: derived from the passphrase)"),
    AP_INIT_TAKE1("ForesattAcrValues", fs_cmd_session_acr_values, NULL, RSRC_CONF,
                  "idporten-loa-substantial (default) | idporten-loa-high: the minimum level of assurance, "
                  "of our login and of ForesattIdentity's"),
    AP_INIT_TAKE1("ForesattHandlerPath", fs_cmd_login_handler_path, NULL, RSRC_CONF,
                  "where the module's own pages live (default /foresatt/): login, callback, logout, "
                  "frontchannel-logout, and the self-service pages profil, samtykke, informasjon"),
    AP_INIT_TAKE1("ForesattScope", fs_cmd_login_scope, NULL, RSRC_CONF, "scopes to ask for (default: openid)"),
    AP_INIT_TAKE1("ForesattUILocales", fs_cmd_login_ui_locales, NULL, RSRC_CONF,
                  "ID-porten's language: nb (default), nn, en or se"),
    AP_INIT_TAKE1("ForesattPrompt", fs_cmd_login_prompt, NULL, RSRC_CONF,
                  "login: always ask the user to log in again at ID-porten; off (default)"),
    AP_INIT_TAKE1("ForesattClockSkew", fs_cmd_session_int, NULL, RSRC_CONF,
                  "seconds of clock difference tolerated in token times (default 30)"),
    AP_INIT_TAKE1("ForesattSessionIdleTimeout", fs_cmd_session_int, NULL, RSRC_CONF,
                  "seconds without activity after which a session ends (default 1800)"),
    AP_INIT_TAKE1("ForesattSessionMaxAge", fs_cmd_session_int, NULL, RSRC_CONF,
                  "seconds after login at which a session ends however active (default 7200)"),
    AP_INIT_TAKE1("ForesattStateTimeout", fs_cmd_login_int, NULL, RSRC_CONF,
                  "seconds a login may take at ID-porten (default 600)"),
    AP_INIT_TAKE1("ForesattStateCookies", fs_cmd_login_int, NULL, RSRC_CONF,
                  "logins in flight one browser may have; the oldest is dropped (default 5)"),
    AP_INIT_FLAG("ForesattCookieSecure", fs_cmd_session_cookie_secure, NULL, RSRC_CONF,
                 "On (default): cookies are Secure with the __Host- prefix; Off only for plain-http test setups"),
    AP_INIT_TAKE1("ForesattCookieName", fs_cmd_session_cookie_name, NULL, RSRC_CONF, "base name of the cookies (default foresatt)"),
    AP_INIT_ITERATE("ForesattPostLogoutRedirectURI", fs_cmd_login_post_logout, NULL, RSRC_CONF,
                    "where the OP sends the browser after logout (registered there); several allowed, the first is "
                    "the default (default: /)"),
    AP_INIT_TAKE1("ForesattOPTimeout", fs_cmd_login_int, NULL, RSRC_CONF,
                  "seconds a call to the OP may take in total (default 10)"),
    AP_INIT_TAKE1("ForesattProviderRefresh", fs_cmd_login_int, NULL, RSRC_CONF,
                  "seconds the discovery document and JWKS are cached (default 3600)"),
    AP_INIT_TAKE1("ForesattAuthorizationRequest", fs_cmd_login_auth_request, NULL, RSRC_CONF,
                  "ForesattAuthorizationRequest redirect|par: the authorization request in the browser's URL, or "
                  "pushed to the OP first (default redirect; par whenever the OP requires it)"),
    AP_INIT_TAKE1("ForesattEndSessionMethod", fs_cmd_login_end_session_method, NULL, RSRC_CONF,
                  "ForesattEndSessionMethod POST|GET: how the browser takes the logout to the OP's end-session "
                  "endpoint (default POST; GET for OPs that take nothing else)"),
    AP_INIT_TAKE1("ForesattJWKSRefetchInterval", fs_cmd_login_int, NULL, RSRC_CONF,
                  "at most one JWKS refetch for an unknown kid per this many seconds per process (default 60)"),
    AP_INIT_TAKE1("ForesattHeaderPrefix", fs_cmd_header_prefix, NULL, RSRC_CONF,
                  "prefix of the identity headers; client-sent headers with it are always removed "
                  "(default X-Foresatt-)"),
    AP_INIT_TAKE1("ForesattPassIdentity", fs_cmd_pass_identity, NULL, RSRC_CONF,
                  "headers | env | both (default) | off: how the backend learns who is logged in"),
    AP_INIT_TAKE1("ForesattRevocationTableSize", fs_cmd_session_int, NULL, RSRC_CONF,
                  "entries in the shared table of ended sessions (default 16384)"),
    /* authorization: authz/config.c; session/external.c (ForesattIdentity) */
    AP_INIT_TAKE1("ForesattAuthzRecheck", fs_cmd_authz_recheck, NULL, RSRC_CONF,
                  "ForesattAuthzRecheck <seconds>: decide a guardian's access again after this long (default 300)"),
    AP_INIT_TAKE1("ForesattAuthzRevisionCheck", fs_cmd_authz_revision_check, NULL, RSRC_CONF,
                  "ForesattAuthzRevisionCheck <seconds>: ask the store for changes at most this often (default 1)"),
    AP_INIT_FLAG("ForesattRequireSchoolRegistration", fs_cmd_require_school_registration, NULL, RSRC_CONF,
                 "ForesattRequireSchoolRegistration on|off: the school must have registered the guardian's number "
                 "(default on)"),
    AP_INIT_FLAG("ForesattPassNumbers", fs_cmd_pass_numbers, NULL, RSRC_CONF,
                 "ForesattPassNumbers on|off: pass identity numbers to the portal in headers (default off)"),
    AP_INIT_TAKE2("ForesattAuthzHeader", fs_cmd_authz_header, NULL, RSRC_CONF,
                  "ForesattAuthzHeader role|students|name|number|student-numbers <Header-Name>|off"),
    AP_INIT_FLAG("ForesattAudit", fs_cmd_audit, NULL, RSRC_CONF,
                 "ForesattAudit on|off: write every access decision to the store's audit log (default on)"),
    AP_INIT_TAKE1("ForesattAuditFlushInterval", fs_cmd_audit_flush, NULL, RSRC_CONF,
                  "ForesattAuditFlushInterval <seconds>: how often the audit writer writes (default 1)"),
    AP_INIT_TAKE1("ForesattAuditBuffer", fs_cmd_audit_buffer, NULL, RSRC_CONF,
                  "ForesattAuditBuffer <entries>: audit entries each child holds before writing (default 4096)"),
    AP_INIT_TAKE1("ForesattAuditWindow", fs_cmd_audit_window, NULL, RSRC_CONF,
                  "ForesattAuditWindow <seconds>: one audit entry per person, pupil, decision and reason in this "
                  "long, with the number of requests (default 60; 0: an entry for every request)"),
    AP_INIT_RAW_ARGS("ForesattIdentity", fs_cmd_identity, NULL, RSRC_CONF,
                     "ForesattIdentity session | env <VARIABLE> | header <Name> <trusted proxy address>...: "
                     "where the logged-in person's number comes from"),
    /* self-service pages: pages/config.c */
    AP_INIT_TAKE1("ForesattPageTemplates", fs_cmd_page_templates, NULL, RSRC_CONF,
                  "ForesattPageTemplates <dir>: templates that replace the built-in pages' file by file "
                  "(layout.nb.html, profil.en.html, stil.css, ...)"),
    AP_INIT_TAKE2("ForesattInformationPage", fs_cmd_information_page, NULL, RSRC_CONF,
                  "ForesattInformationPage nb|en <file>: the school's information page (the page body, HTML)"),
    AP_INIT_TAKE12("ForesattConsentEnd", fs_cmd_consent_end, NULL, RSRC_CONF,
                   "ForesattConsentEnd <MM-DD> [<age>]: a pupil's consent lasts to the end of the school year "
                   "(MM-DD) in which they turn <age> (default 07-31 19), and at least to the current one's end"),
    {.name = NULL}};

static void register_hooks(apr_pool_t *pool)
{
    ap_hook_check_config(check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    fs_http_register_hooks(pool);
    fs_session_register_hooks(pool);
    fs_login_register_hooks(pool);
    fs_authz_register_hooks(pool);
    fs_pages_register_hooks(pool);
}

/* The one symbol the module exports (it is built with -fvisibility=hidden; APR loads modules
 * RTLD_GLOBAL, so nothing else of ours may land in httpd's namespace): LoadModule looks it up. */
__attribute__((visibility("default"))) AP_DECLARE_MODULE(foresatt) = {
    STANDARD20_MODULE_STUFF,
    NULL, /* no per-directory configuration */
    NULL,
    create_server_conf,
    merge_server_conf,
    foresatt_cmds,
    register_hooks,
#if defined(AP_MODULE_FLAG_ALWAYS_MERGE)
    AP_MODULE_FLAG_ALWAYS_MERGE
#endif
};
