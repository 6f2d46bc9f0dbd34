/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * core/: what every folder of the glue stands on.
 *
 *   (this header)  the server configuration: one pointer to each folder's own configuration
 *   log.c          the core library's log lines into this server's error log, at httpd's levels
 *   directives.c   number directives through a table (the folders' configurations use it)
 *   plugins.c      ForesattPlugin, ForesattRegistry, ForesattStore: loaded while the configuration
 *                  is read, created at check_config, started in each child
 *   store.c        ForesattAuditRetention, checked at configtest for foresattctl purge
 *   registry.c     the register as the module sees it: lookups through this child's cache in front
 *                  of the ForesattRegistry plugin (ForesattRegistryCache*)
 *   sections.c     what the rest of httpd's configuration says (AuthType, ServerName), for checks
 *                  at configtest
 *
 * Register lookups (answers are copies in r->pool):
 *
 *   const foresatt_person_t *guardian;
 *   foresatt_status_t st;
 *   foresatt_result_t rc = fs_registry_lookup(r, pid, &guardian, &st);
 *   ... then the candidate children in one call:
 *   rc = fs_registry_lookup_many(r, numbers, n, children, &st);   (children[i] NULL: not found)
 *
 * FORESATT_TEMPORARY means "answer 503, try again later" (st.retry_after seconds when the register
 * said); both failure kinds are already logged here (without the number), so callers need not.
 */
#ifndef FS_CORE_H
#define FS_CORE_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "foresatt/plugin.h"
#include "log.h"
#include "plugin_loader.h"
#include "registry_cache.h"

/* Log line numbers: "FS" plus four digits, so every line can be searched for in docs/ and code.
 * Ranges: 0001-0099 plugins and core glue, 0100-0399 login/OIDC and sessions, 0400-0499 register
 * and cache, 0500-0599 authorization, 0600-0699 self-service pages, 0700-0799 audit, 0800+ other. */
#define FSLOGNO(n) "FS" #n ": "

/* A number or flag directive not given in this server (merged from the enclosing one). */
#define FS_UNSET -1

/* httpd's record of this module (mod_foresatt.c): every folder reaches its configuration through it. */
extern module AP_MODULE_DECLARE_DATA foresatt_module;

struct fs_http_conf;
struct fs_session_conf;
struct fs_login_conf;
struct fs_authz_conf;
struct fs_pages_conf;
struct fs_registry_conf;

typedef struct fs_server_conf {
    server_rec *server;
    fst_log_t log;                          /* core logging routed to this server's error log */
    fst_plugin_t *registry;                 /* ForesattRegistry */
    fst_plugin_t *store;                    /* ForesattStore */
    struct fs_registry_conf *registry_conf; /* the register lookup cache: core/registry.c */
    struct fs_http_conf *http;              /* header scrubbing: http/ */
    struct fs_session_conf *session;        /* keys, cookies, sessions, ForesattIdentity: session/ */
    struct fs_login_conf *login;            /* the OpenID Connect login: login/ */
    struct fs_authz_conf *authz;            /* authorization and what the portal receives: authz/ */
    struct fs_pages_conf *pages;            /* the self-service pages: pages/ */
    /* The audit log is authz/'s; folders below it (the login's refusals) reach it through this,
     * which authz/ sets per child (NULL: no audit writer). Use fs_audit_note(). */
    void (*audit_note)(request_rec *r, const char *actor, const char *action, const char *decision,
                       const char *reason);
} fs_server_conf_t;

static inline fs_server_conf_t *fs_server_conf(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &foresatt_module);
}

/* What each folder keeps about one request, in the request's request_config (httpd gives a module
 * one slot there). An internal redirect and a subrequest have their own: what they need of the
 * request they came from they take from it explicitly (r->prev, r->main), never by sharing a pool. */
struct fs_request_identity;
struct fs_request_external;
struct fs_trusted_headers;
struct fs_authz_request;
typedef struct fs_request {
    struct fs_request_identity *identity; /* session/identity.c: our session (on the initial request) */
    struct fs_request_external *external; /* session/external.c: ForesattIdentity's person (the same) */
    struct fs_trusted_headers *trusted;   /* session/external.c: the trusted proxy's headers */
    struct fs_authz_request *authz;       /* authz/: what the providers concluded on this request */
    int own_url;                          /* login/: one of the module's own URLs (handlers.c) */
} fs_request_t;

/* This request's, made on first use. */
static inline fs_request_t *fs_request(request_rec *r)
{
    fs_request_t *q = ap_get_module_config(r->request_config, &foresatt_module);

    if (q == NULL) {
        q = apr_pcalloc(r->pool, sizeof(*q));
        ap_set_module_config(r->request_config, &foresatt_module, q);
    }
    return q;
}

/* This request's, or NULL when nothing was kept about it yet (no allocation). */
static inline fs_request_t *fs_request_kept(const request_rec *r)
{
    return ap_get_module_config(r->request_config, &foresatt_module);
}

/* The request this one was made for: up the subrequests' and the internal redirects' chains. */
static inline request_rec *fs_request_initial(request_rec *r)
{
    for (;;) {
        if (r->main != NULL)
            r = r->main;
        else if (r->prev != NULL)
            r = r->prev;
        else
            return r;
    }
}

/* An audit entry without a pupil (action at most 23 bytes, e.g. "login"), when this child audits. */
static inline void fs_audit_note(request_rec *r, const char *actor, const char *action, const char *decision,
                                 const char *reason)
{
    const fs_server_conf_t *c = fs_server_conf(r->server);

    if (c->audit_note != NULL)
        c->audit_note(r, actor, action, decision, reason);
}

/* plugins.c */
const char *fs_cmd_plugin(cmd_parms *cmd, void *dconf, const char *args);
const char *fs_cmd_registry(cmd_parms *cmd, void *dconf, const char *name);
const char *fs_cmd_store(cmd_parms *cmd, void *dconf, const char *name);
int fs_plugins_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void fs_plugins_child_init(apr_pool_t *pchild, server_rec *s);

/* store.c */
const char *fs_cmd_audit_retention(cmd_parms *cmd, void *dconf, const char *args);

/* directives.c: number directives read into an int field of a folder's configuration through a
 * table of names, offsets and bounds. */
typedef struct fs_int_directive {
    const char *name;   /* the directive */
    size_t offset;      /* of the int in the folder's configuration struct */
    long min, max;
    const char *unit;   /* "seconds", "entries", ...: for the error message */
} fs_int_directive_t;
/* Set the int in conf that table (ended by a NULL name) names for this directive; NULL, or an
 * error naming the directive and the range. */
const char *fs_cmd_int_from_table(cmd_parms *cmd, const fs_int_directive_t *table, void *conf, const char *v);

/* log.c */
void fs_log_init(fst_log_t *log, server_rec *s);

/* sections.c: the rest of httpd's configuration, for checks at configtest. */
/* Where server s uses AuthType type ("<Location /portal/>", "<Directory /srv> <Files x.html>"), or
 * NULL. */
const char *fs_sections_auth_type(apr_pool_t *p, server_rec *s, const char *type);
/* s is named by a ServerName of its own (or, a virtual host, carries the main server's explicit
 * one), not by a guess from the machine's host name or a reverse lookup. */
int fs_sections_server_named(server_rec *main_server, server_rec *s);

/* registry.c: the per-server settings (ForesattRegistryCache*). */
typedef struct fs_registry_conf {
    apr_interval_time_t ttl;
    apr_interval_time_t not_found_ttl;
    size_t max_entries;
    int ttl_set, not_found_ttl_set, max_entries_set;
    fst_regcache_t *cache; /* this child's, set in child_init */
} fs_registry_conf_t;

void *fs_registry_conf_create(apr_pool_t *pool);
void *fs_registry_conf_merge(apr_pool_t *pool, void *base, void *add);
const char *fs_cmd_registry_cache_ttl(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_registry_not_found_ttl(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_registry_cache_size(cmd_parms *cmd, void *dconf, const char *arg);
void fs_registry_child_init(apr_pool_t *pchild, server_rec *s);

/* This server's cache in this child, or NULL when no ForesattRegistry is configured. */
fst_regcache_t *fs_registry_cache(const server_rec *s);

/* FORESATT_ERROR with a message when no ForesattRegistry is configured. */
foresatt_result_t fs_registry_lookup(request_rec *r, const char *number, const foresatt_person_t **person,
                                     foresatt_status_t *status);
foresatt_result_t fs_registry_lookup_many(request_rec *r, const char *const *numbers, size_t n,
                                          const foresatt_person_t **persons, foresatt_status_t *status);

#endif
