/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * ForesattIdentity: for sites that log in with another module or behind a proxy that did the
 * login, the person comes from there instead of our own session (the providers work the same):
 *
 *   ForesattIdentity env OIDC_CLAIM_pid [acr=OIDC_CLAIM_acr]   mod_auth_openidc's claims, after it
 *                                                              logged in
 *   ForesattIdentity header X-Pid 127.0.0.1 10.0.0.0/8 acr=X-Acr  headers, believed only from these
 *                                                              peers
 *   ForesattIdentity session                                   our own login (the default)
 *
 * A virtual host uses its source and only it (identity.c). The environment variable is read only
 * once another module authenticated the request (r->user). The headers are read and removed before
 * any other module sees them; from any other peer they are removed and ignored, and on every other
 * virtual host the scrubbing removes them. With the header, `AuthType foresatt` makes the header's
 * person the user. The level of assurance the other module or the proxy passes must meet
 * ForesattAcrValues (default idporten-loa-substantial), as our own login's does; below it (or
 * missing) the person is refused with a page that says so.
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

#define MAX_SPELLINGS 8

/* What a trusted proxy sent, under the configured names exactly. */
typedef struct fs_trusted_headers {
    const char *pid, *acr;
} trusted_headers_t;

/* "acr=NAME": the name, "" when the word is acr= with nothing after it, NULL for any other word. */
static const char *acr_word(const char *word)
{
    return strncasecmp(word, "acr=", 4) == 0 ? word + 4 : NULL;
}

const char *fs_cmd_identity(cmd_parms *cmd, void *dconf, const char *args)
{
    fs_session_conf_t *conf = fs_session_conf(cmd->server);
    const char *mode = ap_getword_conf(cmd->pool, &args);
    const char *word, *acr;

    (void)dconf;
    conf->trusted = NULL;
    conf->identity_source = NULL;
    conf->acr_source = NULL;
    if (strcasecmp(mode, "session") == 0) {
        if (*ap_getword_conf(cmd->temp_pool, &args))
            return "ForesattIdentity session takes nothing more";
        conf->identity_mode = FS_IDENTITY_MODE_SESSION;
        return NULL;
    }
    if (strcasecmp(mode, "env") == 0) {
        conf->identity_source = ap_getword_conf(cmd->pool, &args);
        if (!*conf->identity_source || acr_word(conf->identity_source))
            return "ForesattIdentity env: give the one environment variable that holds the number, "
                   "e.g. ForesattIdentity env OIDC_CLAIM_pid";
        while (*(word = ap_getword_conf(cmd->pool, &args))) {
            if ((acr = acr_word(word)) == NULL || !*acr || conf->acr_source)
                return apr_psprintf(cmd->pool, "ForesattIdentity env: '%s' is not understood; after the variable "
                                    "with the number give at most acr=<the variable with the level of assurance> "
                                    "(default acr=OIDC_CLAIM_acr, mod_auth_openidc's)", word);
            conf->acr_source = acr;
        }
        conf->acr_source = conf->acr_source ? conf->acr_source : "OIDC_CLAIM_acr";
        conf->identity_mode = FS_IDENTITY_MODE_ENV;
        return NULL;
    }
    if (strcasecmp(mode, "header") == 0) {
        conf->identity_source = ap_getword_conf(cmd->pool, &args);
        if (!*conf->identity_source || acr_word(conf->identity_source))
            return "ForesattIdentity header: give the header name, the addresses of the trusted proxies and the "
                   "header with the level of assurance, e.g. ForesattIdentity header X-Pid 10.0.0.5 acr=X-Acr";
        conf->trusted = apr_array_make(cmd->pool, 2, sizeof(apr_ipsubnet_t *));
        while (*(word = ap_getword_conf(cmd->pool, &args))) {
            char *ip, *slash;
            apr_ipsubnet_t **sub;

            if ((acr = acr_word(word)) != NULL) {
                if (!*acr || conf->acr_source)
                    return "ForesattIdentity header: give acr=<header> once, with the name of the header that "
                           "carries the level of assurance, e.g. acr=X-Acr";
                conf->acr_source = acr;
                continue;
            }
            ip = apr_pstrdup(cmd->temp_pool, word);
            slash = strchr(ip, '/');
            sub = apr_array_push(conf->trusted);
            if (slash)
                *slash++ = '\0';
            if (apr_ipsubnet_create(sub, ip, slash, cmd->pool) != APR_SUCCESS)
                return apr_psprintf(cmd->pool, "ForesattIdentity header: '%s' is not an IP address or network "
                                    "(e.g. 10.0.0.0/8)", word);
        }
        if (conf->trusted->nelts == 0)
            return "ForesattIdentity header: give at least one trusted proxy address; the header is believed "
                   "only from those";
        if (conf->acr_source == NULL)
            return "ForesattIdentity header: name the header that carries the level of assurance the proxy's "
                   "login met, acr=<header> (ForesattAcrValues applies to it), e.g. "
                   "ForesattIdentity header X-Pid 10.0.0.5 acr=X-Acr";
        if (fs_header_names_alike(conf->identity_source, conf->acr_source))
            return "ForesattIdentity header: the number and the level of assurance need two headers";
        /* Client copies are removed on every virtual host; a vhost that trusts the sender reads its
         * own first (read_header). */
        fs_scrub_register(cmd->pool, conf->identity_source);
        fs_scrub_register(cmd->pool, conf->acr_source);
        conf->identity_mode = FS_IDENTITY_MODE_HEADER;
        return NULL;
    }
    return apr_psprintf(cmd->pool, "ForesattIdentity: unknown source '%s'; use session, env VARIABLE or "
                        "header NAME ADDRESS... acr=NAME", mode);
}

/* The pseudonyms of external identities use the login's key for the same server
 * (ForesattPseudonymSecret, else ForesattCryptoPassphrase, as merged for that virtual host), so a
 * person has one pseudonym whichever way they log in. Servers with neither share a key made once
 * per configuration in the parent (so every child agrees), lasting until the next restart (with
 * the audit log on, the authorization refuses that at configtest). At check_config, so configtest
 * reports what fails. */
int fs_identity_external_check_config(apr_pool_t *pconf, server_rec *s)
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

/* What this request's external source said, kept with the initial request (fs_request_t): its
 * subrequests and internal redirects take it from there. */
typedef struct fs_request_external {
    int resolved;
    const fs_identity_t *identity;
    fs_identity_refusal_t refusal;
    const char *refused_pseudonym;
} external_t;

static external_t *external_of(request_rec *r)
{
    request_rec *initial = fs_request_initial(r);
    fs_request_t *q = fs_request(initial);

    if (q->external == NULL)
        q->external = apr_pcalloc(initial->pool, sizeof(*q->external));
    return q->external;
}

/* The person, when the number is valid and the login met ForesattAcrValues. */
static void make_identity(request_rec *r, request_rec *top, external_t *x, const char *pid, const char *acr)
{
    const fs_session_conf_t *conf = fs_session_conf(r->server);
    fs_identity_t *id;

    if (pid == NULL || !fst_id_valid(pid))
        return;
    id = apr_pcalloc(top->pool, sizeof(*id));
    id->source = FS_IDENTITY_EXTERNAL;
    id->pid = apr_pstrdup(top->pool, pid);
    id->pseudonym = pseudonym(top, pid);
    if (id->pseudonym == NULL)
        return;
    if (fst_acr_level(acr) < conf->min_acr) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0545) "%s logged in at the level of assurance %.40s, "
                      "below ForesattAcrValues %s (from %s): refused", id->pseudonym, acr ? acr : "(none given)",
                      conf->acr_values, conf->acr_source);
        x->refusal = FS_IDENTITY_REFUSED_LOW_ACR;
        x->refused_pseudonym = id->pseudonym;
        return;
    }
    id->acr = apr_pstrdup(top->pool, acr);
    x->identity = id;
}

const fs_identity_t *fs_identity_external_get(request_rec *r)
{
    const fs_session_conf_t *conf = fs_session_conf(r->server);
    request_rec *top = r;
    external_t *x;

    while (top->main)
        top = top->main;
    x = external_of(top);
    if (x->resolved)
        return x->identity;
    if (conf->identity_mode == FS_IDENTITY_MODE_ENV) {
        /* only what an authentication module put there while logging the user in; it may appear
         * later in the request (after that module's authentication), so nothing is kept before */
        const apr_table_t *env = r->subprocess_env;
        if (r->user == NULL)
            return NULL;
        if (apr_table_get(env, conf->identity_source) == NULL)
            env = top->subprocess_env;
        x->resolved = 1;
        make_identity(r, top, x, apr_table_get(env, conf->identity_source), apr_table_get(env, conf->acr_source));
    } else if (conf->identity_mode == FS_IDENTITY_MODE_HEADER) {
        const fs_request_t *first = fs_request_kept(fs_request_initial(r));
        const trusted_headers_t *h = first ? first->trusted : NULL;
        x->resolved = 1;
        if (h != NULL)
            make_identity(r, top, x, h->pid, h->acr);
    }
    return x->identity;
}

fs_identity_refusal_t fs_identity_refusal(request_rec *r, const char **pseudonym_out)
{
    request_rec *top = r;
    external_t *x;

    while (top->main)
        top = top->main;
    fs_identity_external_get(r);
    x = external_of(top);
    if (pseudonym_out)
        *pseudonym_out = x->refused_pseudonym;
    return x->refusal;
}

static int trusted_peer(const fs_session_conf_t *conf, conn_rec *c)
{
    int i;

    for (i = 0; conf->trusted && i < conf->trusted->nelts; i++)
        if (apr_ipsubnet_test(APR_ARRAY_IDX(conf->trusted, i, apr_ipsubnet_t *), c->client_addr))
            return 1;
    return 0;
}

/* Before the scrubbing (which removes these names on every virtual host, in every spelling): take
 * this vhost's identity headers out, and believe them only from a trusted peer and only under
 * their exact names (X_Pid is not X-Pid, though both are removed). */
static int read_header(request_rec *r)
{
    const fs_session_conf_t *conf = fs_session_conf(r->server);
    const apr_array_header_t *in;
    const apr_table_entry_t *e;
    const char *drop[MAX_SPELLINGS];
    trusted_headers_t *h;
    int i, n = 0;

    if (conf->identity_mode != FS_IDENTITY_MODE_HEADER)
        return DECLINED;
    in = apr_table_elts(r->headers_in);
    e = (const apr_table_entry_t *)in->elts;
    h = apr_pcalloc(r->pool, sizeof(*h));
    for (i = 0; i < in->nelts; i++) {
        const char *key = e[i].key;
        int pid = key && fs_header_names_alike(key, conf->identity_source);
        int acr = key && !pid && fs_header_names_alike(key, conf->acr_source);

        if (!pid && !acr)
            continue;
        if (n == MAX_SPELLINGS)
            return HTTP_BAD_REQUEST; /* a flood of identity headers: refuse the request */
        drop[n++] = key;
        if (pid && strcasecmp(key, conf->identity_source) == 0)
            h->pid = apr_pstrdup(r->pool, e[i].val);
        else if (acr && strcasecmp(key, conf->acr_source) == 0)
            h->acr = apr_pstrdup(r->pool, e[i].val);
    }
    if (n == 0)
        return DECLINED;
    for (i = 0; i < n; i++)
        apr_table_unset(r->headers_in, drop[i]);
    if (!trusted_peer(conf, r->connection)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0541)
                      "ignored %s from %s, which is not a trusted proxy (ForesattIdentity header)",
                      conf->identity_source, r->connection->client_ip);
        return DECLINED;
    }
    fs_request(r)->trusted = h;
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
        const char *who = NULL;
        /* Logged in by the proxy, not strongly enough: a user, whom the authorization refuses in words. */
        if (fs_identity_refusal(r, &who) == FS_IDENTITY_REFUSED_LOW_ACR) {
            r->user = apr_pstrdup(r->pool, who);
            r->ap_auth_type = "foresatt";
            return OK;
        }
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
    ap_hook_post_read_request(read_header, NULL, NULL, FS_HOOK_BEFORE_SCRUB);
    ap_hook_check_user_id(check_user_id, NULL, NULL, APR_HOOK_FIRST);
}
