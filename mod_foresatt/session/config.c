/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The session's directives: ForesattCryptoPassphrase, ForesattPseudonymSecret, ForesattClockSkew,
 * ForesattSessionIdleTimeout, ForesattSessionMaxAge, ForesattCookieSecure, ForesattCookieName,
 * ForesattRevocationTableSize, ForesattAcrValues (the level every login must meet: the login asks
 * ID-porten for it and checks the ID token, external.c checks ForesattIdentity's) and
 * ForesattIdentity (external.c). Each has a safe default and a
 * merge rule (a virtual host inherits what it does not set). Keys are derived here, once per
 * configuration load, never per request.
 */
#include <ctype.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_request.h>

#include "pseudonym.h"
#include "session/identity.h"

APLOG_USE_MODULE(foresatt);

#define DEFAULT_CLOCK_SKEW 30
#define DEFAULT_IDLE_TIMEOUT 1800
#define DEFAULT_MAX_AGE 7200
#define DEFAULT_COOKIE_NAME "foresatt"
#define DEFAULT_ENDED_SLOTS 16384
#define PASSPHRASE_MIN 16

fs_session_conf_t *fs_session_conf_create(apr_pool_t *pool)
{
    fs_session_conf_t *c = apr_pcalloc(pool, sizeof(*c));

    c->clock_skew = FS_UNSET;
    c->idle_timeout = FS_UNSET;
    c->max_age = FS_UNSET;
    c->cookie_secure = FS_UNSET;
    c->ended_slots = FS_UNSET;
    c->min_acr = FST_ACR_UNKNOWN;
    return c;
}

#define MERGE_PTR(f) c->f = add->f ? add->f : base->f
#define MERGE_INT(f) c->f = add->f != FS_UNSET ? add->f : base->f

fs_session_conf_t *fs_session_conf_merge(apr_pool_t *pool, const fs_session_conf_t *base,
                                         const fs_session_conf_t *add)
{
    fs_session_conf_t *c = apr_pcalloc(pool, sizeof(*c));
    const fs_session_conf_t *pass = add->passphrase ? add : base;
    const fs_session_conf_t *ident = add->identity_mode != FS_IDENTITY_MODE_UNSET ? add : base;
    const fs_session_conf_t *acr = add->min_acr != FST_ACR_UNKNOWN ? add : base;

    c->passphrase = pass->passphrase;
    c->passphrase_previous = pass->passphrase_previous;
    MERGE_PTR(pseudonym_secret);
    MERGE_INT(clock_skew);
    MERGE_INT(idle_timeout);
    MERGE_INT(max_age);
    MERGE_INT(cookie_secure);
    MERGE_PTR(cookie_name);
    MERGE_INT(ended_slots);
    c->identity_mode = ident->identity_mode;
    c->identity_source = ident->identity_source;
    c->acr_source = ident->acr_source;
    c->trusted = ident->trusted;
    c->min_acr = acr->min_acr;
    c->acr_values = acr->acr_values;
    return c;
}

static fs_session_conf_t *cmd_conf(cmd_parms *cmd)
{
    return fs_session_conf(cmd->server);
}

/* --- directive handlers ------------------------------------------------------------------------ */

const char *fs_cmd_session_passphrase(cmd_parms *cmd, void *d, const char *current, const char *previous)
{
    fs_session_conf_t *c = cmd_conf(cmd);

    (void)d;
    if (strlen(current) < PASSPHRASE_MIN || (previous && strlen(previous) < PASSPHRASE_MIN))
        return apr_psprintf(cmd->pool, "%s: a passphrase must be at least %d characters; use a long random one, "
                            "e.g. from 'openssl rand -base64 32'", cmd->cmd->name, PASSPHRASE_MIN);
    c->passphrase = current;
    c->passphrase_previous = previous;
    return NULL;
}

const char *fs_cmd_session_pseudonym_secret(cmd_parms *cmd, void *d, const char *v)
{
    (void)d;
    if (strlen(v) < PASSPHRASE_MIN)
        return apr_psprintf(cmd->pool, "%s: the secret must be at least %d characters", cmd->cmd->name,
                            PASSPHRASE_MIN);
    cmd_conf(cmd)->pseudonym_secret = v;
    return NULL;
}

static const fs_int_directive_t int_directives[] = {
    {"ForesattClockSkew", offsetof(fs_session_conf_t, clock_skew), 0, 300, "seconds"},
    {"ForesattSessionIdleTimeout", offsetof(fs_session_conf_t, idle_timeout), 1, 86400, "seconds"},
    {"ForesattSessionMaxAge", offsetof(fs_session_conf_t, max_age), 1, 7 * 86400, "seconds"},
    {"ForesattRevocationTableSize", offsetof(fs_session_conf_t, ended_slots), 64, 1 << 24, "entries"},
    {NULL, 0, 0, 0, NULL}};

const char *fs_cmd_session_int(cmd_parms *cmd, void *d, const char *v)
{
    const char *err = fs_cmd_int_from_table(cmd, int_directives, cmd_conf(cmd), v);

    (void)d;
    if (err == NULL && strcasecmp(cmd->cmd->name, "ForesattRevocationTableSize") == 0 && cmd->server->is_virtual)
        return apr_psprintf(cmd->pool, "%s: set it once, outside <VirtualHost>: one table serves every site",
                            cmd->cmd->name);
    return err;
}

const char *fs_cmd_session_cookie_secure(cmd_parms *cmd, void *d, int on)
{
    (void)d;
    cmd_conf(cmd)->cookie_secure = on;
    return NULL;
}

const char *fs_cmd_session_cookie_name(cmd_parms *cmd, void *d, const char *v)
{
    const char *p;

    (void)d;
    for (p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return apr_psprintf(cmd->pool, "%s: use letters, digits, '_' and '-' only", cmd->cmd->name);
    if (*v == '\0' || strlen(v) > 32 || strncasecmp(v, "__", 2) == 0)
        return apr_psprintf(cmd->pool, "%s: give 1 to 32 characters, not starting with '__' (the __Host- prefix "
                            "is added when ForesattCookieSecure is on)", cmd->cmd->name);
    cmd_conf(cmd)->cookie_name = v;
    return NULL;
}

const char *fs_cmd_session_acr_values(cmd_parms *cmd, void *d, const char *v)
{
    fs_session_conf_t *c = cmd_conf(cmd);

    (void)d;
    if (strcmp(v, "idporten-loa-substantial") != 0 && strcmp(v, "idporten-loa-high") != 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not allowed; use idporten-loa-substantial (the minimum for "
                            "guardians) or idporten-loa-high", cmd->cmd->name, v);
    c->min_acr = fst_acr_level(v);
    c->acr_values = v;
    return NULL;
}

/* --- checks and derived values ------------------------------------------------------------------ */

static int int_or(int v, int dflt)
{
    return v == FS_UNSET ? dflt : v;
}

int fs_session_check_config(apr_pool_t *pconf, server_rec *main_server)
{
    server_rec *s;

    for (s = main_server; s; s = s->next) {
        fs_session_conf_t *c = fs_session_conf(s);

        c->clock_skew = int_or(c->clock_skew, DEFAULT_CLOCK_SKEW);
        c->idle_timeout = int_or(c->idle_timeout, DEFAULT_IDLE_TIMEOUT);
        c->max_age = int_or(c->max_age, DEFAULT_MAX_AGE);
        if (c->max_age < c->idle_timeout)
            c->idle_timeout = c->max_age;
        c->cookie_secure = int_or(c->cookie_secure, 1);
        c->cookie_name = c->cookie_name ? c->cookie_name : DEFAULT_COOKIE_NAME;
        c->ended_slots = int_or(c->ended_slots, DEFAULT_ENDED_SLOTS);
        if (c->min_acr == FST_ACR_UNKNOWN) {
            c->min_acr = FST_ACR_SUBSTANTIAL;
            c->acr_values = "idporten-loa-substantial";
        }
    }
    return fs_identity_external_check_config(pconf, main_server);
}

const char *fs_session_keys(apr_pool_t *pconf, server_rec *s, const char *client_id)
{
    fs_session_conf_t *c = fs_session_conf(s);
    unsigned char keys[2][FST_KEY_LEN];
    const char *err = NULL, *host = s->server_hostname ? s->server_hostname : "";

    /* Derived once here; requests only use them. */
    if (!fst_key_derive(c->passphrase, "session cookie", keys[0], &err) ||
        (c->passphrase_previous && !fst_key_derive(c->passphrase_previous, "session cookie", keys[1], &err)) ||
        !fst_key_derive(c->pseudonym_secret ? c->pseudonym_secret : c->passphrase, "pseudonym", c->pseudonym_key,
                        &err))
        return err;
    c->aead = fst_aead_create(pconf, (const unsigned char(*)[FST_KEY_LEN])keys, c->passphrase_previous ? 2 : 1, &err);
    memset(keys, 0, sizeof(keys));
    if (c->aead == NULL)
        return err;
    c->aad_session = apr_pstrcat(pconf, "session|", client_id, "|", host, NULL);
    c->aad_state = apr_pstrcat(pconf, "state|", client_id, "|", host, NULL);
    c->aad_logout = apr_pstrcat(pconf, "logout|", client_id, "|", host, NULL);
    if (c->cookie_secure) {
        c->cookie_session = apr_pstrcat(pconf, "__Host-", c->cookie_name, "_session", NULL);
        c->cookie_state_prefix = apr_pstrcat(pconf, "__Host-", c->cookie_name, "_state_", NULL);
        c->cookie_logout = apr_pstrcat(pconf, "__Secure-", c->cookie_name, "_logout", NULL);
    }
    else {
        c->cookie_session = apr_pstrcat(pconf, c->cookie_name, "_session", NULL);
        c->cookie_state_prefix = apr_pstrcat(pconf, c->cookie_name, "_state_", NULL);
        c->cookie_logout = apr_pstrcat(pconf, c->cookie_name, "_logout", NULL);
    }
    c->enabled = 1;
    return NULL;
}

const char *fs_pseudonym(request_rec *r, const char *pid)
{
    char *out = apr_palloc(r->pool, FST_PSEUDONYM_LEN + 1);

    fst_pseudonym(fs_session_conf(r->server)->pseudonym_key, pid, out);
    return out;
}

/* --- hooks -------------------------------------------------------------------------------------- */

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    fs_ended_pre_config(pconf);
    return OK;
}

static int post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    (void)plog;
    (void)ptemp;
    return fs_ended_post_config(pconf, s);
}

void fs_session_register_hooks(apr_pool_t *pool)
{
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(post_config, NULL, NULL, APR_HOOK_MIDDLE);
    fs_identity_external_register_hooks(pool);
}

void fs_session_child_init(apr_pool_t *pchild, server_rec *s)
{
    fs_ended_child_init(pchild, s);
}
