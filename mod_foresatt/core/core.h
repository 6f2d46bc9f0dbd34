/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The httpd glue's shared declarations. Each concern keeps its own configuration struct in its own
 * header; the server and directory configurations only hold a pointer to each.
 */
#ifndef MOD_FORESATT_H
#define MOD_FORESATT_H

#include <httpd.h>
#include <http_config.h>
#include <http_log.h>

#include "log.h"
#include "plugin_loader.h"

/* Log line numbers: "FS" plus four digits, so every line can be searched for in docs/ and code.
 * Ranges: 0001-0099 plugins and core glue, 0100-0399 login/OIDC, 0400-0499 register and cache,
 * 0500-0599 authorization, 0600-0699 self-service pages, 0700-0799 audit, 0800+ other. */
#define FSLOGNO(n) "FS" #n ": "

extern module AP_MODULE_DECLARE_DATA foresatt_module;

struct fs_oidc_conf;
struct fs_authz_conf;
struct fs_pages_conf;
struct fs_registry_conf;

typedef struct fs_server_conf {
    server_rec *server;
    fst_log_t log;               /* core logging routed to this server's error log */
    fst_plugin_t *registry;      /* ForesattRegistry */
    fst_plugin_t *store;         /* ForesattStore */
    struct fs_oidc_conf *oidc;   /* login: login/config.c */
    struct fs_authz_conf *authz; /* authorization: authz/config.c */
    struct fs_pages_conf *pages; /* self-service pages */
    struct fs_registry_conf *registry_conf; /* register lookup cache: core/registry.c, registry.h */
} fs_server_conf_t;

static inline fs_server_conf_t *fs_server_conf(const server_rec *s)
{
    return ap_get_module_config(s->module_config, &foresatt_module);
}

/* core/plugins.c */
const char *fs_cmd_plugin(cmd_parms *cmd, void *dconf, const char *args);
const char *fs_cmd_registry(cmd_parms *cmd, void *dconf, const char *name);
const char *fs_cmd_store(cmd_parms *cmd, void *dconf, const char *name);
int fs_plugins_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void fs_plugins_child_init(apr_pool_t *pchild, server_rec *s);

/* core/store.c */
const char *fs_cmd_audit_retention(cmd_parms *cmd, void *dconf, const char *args);

/* core/log.c */
void fs_log_init(fst_log_t *log, server_rec *s);

#endif
