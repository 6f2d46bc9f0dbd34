/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * ForesattIdentity: for sites that log in with another module or behind a proxy that did the
 * login, the person comes from there instead of our own session (the providers work the same):
 *
 *   ForesattIdentity env OIDC_CLAIM_pid               mod_auth_openidc's claim, after it logged in
 *   ForesattIdentity header X-Pid 127.0.0.1 10.0.0.0/8  a header, believed only from these peers
 *   ForesattIdentity session                          our own login (the default)
 *
 * The environment variable is read only once another module authenticated the request (r->user).
 * The header is read and removed before any other module sees it; from any other peer it is
 * removed and ignored. With the header, `AuthType foresatt` makes the header's person the user.
 * REMOTE_USER and the audit log show a pseudonym (keyed hash), never the number: the same as the
 * built-in login's when ForesattPseudonymSecret (or ForesattCryptoPassphrase) is set.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

#include "fnr.h"
#include "http/http.h"
#include "pseudonym.h"
#include "session/identity.h"

APLOG_USE_MODULE(foresatt);

#define IDENTITY_KEY "foresatt-external-identity"
#define PID_KEY "foresatt-external-pid"

const char *fs_cmd_identity(cmd_parms *cmd, void *dconf, const char *args)
{
    fs_session_conf_t *conf = fs_session_conf(cmd->server);
    const char *mode = ap_getword_conf(cmd->pool, &args);
    const char *word;

    (void)dconf;
    conf->trusted = NULL;
    conf->identity_source = NULL;
    if (strcasecmp(mode, "session") == 0) {
        if (*ap_getword_conf(cmd->temp_pool, &args))
            return "ForesattIdentity session takes nothing more";
        conf->identity_mode = FS_IDENTITY_MODE_SESSION;
        return NULL;
    }
    if (strcasecmp(mode, "env") == 0) {
        conf->identity_source = ap_getword_conf(cmd->pool, &args);
        if (!*conf->identity_source || *ap_getword_conf(cmd->temp_pool, &args))
            return "ForesattIdentity env: give the one environment variable that holds the number, "
                   "e.g. ForesattIdentity env OIDC_CLAIM_pid";
        conf->identity_mode = FS_IDENTITY_MODE_ENV;
        return NULL;
    }
    if (strcasecmp(mode, "header") == 0) {
        conf->identity_source = ap_getword_conf(cmd->pool, &args);
        if (!*conf->identity_source)
            return "ForesattIdentity header: give the header name and the addresses of the trusted proxies, "
                   "e.g. ForesattIdentity header X-Pid 127.0.0.1 10.0.0.0/8";
        conf->trusted = apr_array_make(cmd->pool, 2, sizeof(apr_ipsubnet_t *));
        while (*(word = ap_getword_conf(cmd->pool, &args))) {
            char *ip = apr_pstrdup(cmd->temp_pool, word), *slash = strchr(ip, '/');
            apr_ipsubnet_t **sub = apr_array_push(conf->trusted);
            if (slash)
                *slash++ = '\0';
            if (apr_ipsubnet_create(sub, ip, slash, cmd->pool) != APR_SUCCESS)
                return apr_psprintf(cmd->pool, "ForesattIdentity header: '%s' is not an IP address or network "
                                    "(e.g. 10.0.0.0/8)", word);
        }
        if (conf->trusted->nelts == 0)
            return "ForesattIdentity header: give at least one trusted proxy address; the header is believed "
                   "only from those";
        /* read (and removed) by this file, not scrubbed before it is read */
        fs_scrub_keep(cmd->pool, conf->identity_source);
        conf->identity_mode = FS_IDENTITY_MODE_HEADER;
        return NULL;
    }
    return apr_psprintf(cmd->pool, "ForesattIdentity: unknown source '%s'; use session, env VARIABLE or "
                        "header NAME ADDRESS...", mode);
}

/* The pseudonyms of external identities use the login's key for the same server
 * (ForesattPseudonymSecret, else ForesattCryptoPassphrase, as merged for that virtual host), so a
 * person has one pseudonym whichever way they log in. Servers with neither share a key made once
 * per configuration in the parent (so every child agrees), lasting until the next restart. */
int fs_identity_external_post_config(apr_pool_t *pconf, server_rec *s)
{
    unsigned char *random_key = NULL;
    const char *err = NULL;
    server_rec *sv;

    for (sv = s; sv; sv = sv->next) {
        fs_session_conf_t *c = fs_session_conf(sv);
        const char *secret = c->pseudonym_secret ? c->pseudonym_secret : c->passphrase;
        unsigned char *key;

        if (c->identity_mode != FS_IDENTITY_MODE_ENV && c->identity_mode != FS_IDENTITY_MODE_HEADER)
            continue;
        if (secret != NULL) {
            key = apr_palloc(pconf, FST_KEY_LEN);
            if (!fst_key_derive(secret, "pseudonym", key, &err)) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, 0, sv, FSLOGNO(0540) "ForesattIdentity: %s", err);
                return HTTP_INTERNAL_SERVER_ERROR;
            }
            c->external_pseudonym_key = key;
            continue;
        }
        if (random_key == NULL) {
            random_key = apr_palloc(pconf, FST_KEY_LEN);
            if (apr_generate_random_bytes(random_key, FST_KEY_LEN) != APR_SUCCESS) {
                ap_log_error(APLOG_MARK, APLOG_EMERG, 0, sv, FSLOGNO(0543) "no random bytes for the pseudonym key");
                return HTTP_INTERNAL_SERVER_ERROR;
            }
        }
        c->external_pseudonym_key = random_key;
        ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, sv, FSLOGNO(0544)
                     "ForesattIdentity: no ForesattPseudonymSecret; pseudonyms in the audit log change at every "
                     "restart until one is set");
    }
    return OK;
}

static const char *pseudonym(request_rec *r, const char *pid)
{
    const unsigned char *key = fs_session_conf(r->server)->external_pseudonym_key;
    char *out;

    if (key == NULL)
        return NULL;
    out = apr_palloc(r->pool, FST_PSEUDONYM_LEN + 1);
    fst_pseudonym(key, pid, out);
    return out;
}

static const fs_identity_t *make_identity(request_rec *r, const char *pid)
{
    fs_identity_t *id;

    if (pid == NULL || !fst_id_valid(pid))
        return NULL;
    id = apr_pcalloc(r->pool, sizeof(*id));
    id->source = FS_IDENTITY_EXTERNAL;
    id->pid = apr_pstrdup(r->pool, pid);
    id->pseudonym = pseudonym(r, pid);
    if (id->pseudonym == NULL)
        return NULL;
    return id;
}

const fs_identity_t *fs_identity_external_get(request_rec *r)
{
    const fs_session_conf_t *conf = fs_session_conf(r->server);
    request_rec *top = r;
    void *cached = NULL;
    const fs_identity_t *id = NULL;

    while (top->main)
        top = top->main;
    apr_pool_userdata_get(&cached, IDENTITY_KEY, top->pool);
    if (cached != NULL)
        return cached;
    if (conf->identity_mode == FS_IDENTITY_MODE_ENV) {
        /* only what an authentication module put there while logging the user in */
        if (r->user == NULL)
            return NULL;
        id = make_identity(top, apr_table_get(r->subprocess_env, conf->identity_source));
        if (id == NULL && apr_table_get(top->subprocess_env, conf->identity_source))
            id = make_identity(top, apr_table_get(top->subprocess_env, conf->identity_source));
    } else if (conf->identity_mode == FS_IDENTITY_MODE_HEADER) {
        void *pid = NULL;
        apr_pool_userdata_get(&pid, PID_KEY, top->pool);
        id = make_identity(top, pid);
    }
    if (id != NULL)
        apr_pool_userdata_setn(id, IDENTITY_KEY, NULL, top->pool);
    return id;
}

static int trusted_peer(const fs_session_conf_t *conf, conn_rec *c)
{
    int i;

    for (i = 0; conf->trusted && i < conf->trusted->nelts; i++)
        if (apr_ipsubnet_test(APR_ARRAY_IDX(conf->trusted, i, apr_ipsubnet_t *), c->client_addr))
            return 1;
    return 0;
}

/* Take the header out before anyone else sees it; keep its number only from a trusted peer. */
static int read_header(request_rec *r)
{
    const fs_session_conf_t *conf = fs_session_conf(r->server);
    const char *value;

    if (conf->identity_mode != FS_IDENTITY_MODE_HEADER)
        return DECLINED;
    value = apr_table_get(r->headers_in, conf->identity_source);
    if (value == NULL)
        return DECLINED;
    value = apr_pstrdup(r->pool, value);
    apr_table_unset(r->headers_in, conf->identity_source);
    if (!trusted_peer(conf, r->connection)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0541)
                      "ignored %s from %s, which is not a trusted proxy (ForesattIdentity header)",
                      conf->identity_source, r->connection->client_ip);
        return DECLINED;
    }
    apr_pool_userdata_setn(value, PID_KEY, NULL, r->pool);
    return DECLINED;
}

/* AuthType foresatt with ForesattIdentity header: the proxy's person is the user. */
static int check_user_id(request_rec *r)
{
    const fs_session_conf_t *conf = fs_session_conf(r->server);
    const fs_identity_t *id;

    if (conf->identity_mode != FS_IDENTITY_MODE_HEADER || !fs_auth_type_is_foresatt(r))
        return DECLINED;
    id = fs_identity_external_get(r);
    if (id == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0542)
                      "no valid %s from a trusted proxy: not logged in", conf->identity_source);
        return HTTP_UNAUTHORIZED;
    }
    r->user = apr_pstrdup(r->pool, id->pseudonym);
    r->ap_auth_type = "foresatt";
    return OK;
}

void fs_identity_external_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_post_read_request(read_header, NULL, NULL, APR_HOOK_REALLY_FIRST + 1);
    ap_hook_check_user_id(check_user_id, NULL, NULL, APR_HOOK_FIRST);
}
