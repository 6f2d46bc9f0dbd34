/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * ForesattPlugin, ForesattRegistry, ForesattStore: load plugins while the configuration is read (so
 * `apachectl configtest` reports a bad path or ABI at the directive), create their instances once
 * the whole configuration is known (check_config, which configtest runs too), and start them in
 * each child.
 */
#include <unistd.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <http_main.h>
#include <unixd.h>

#include "config_words.h"
#include "core/core.h"

APLOG_USE_MODULE(foresatt);

#define PLUGINS_KEY "foresatt-plugins"

/* The plugins declared in this configuration generation, by name. Kept as pconf user data so that
 * it lives exactly as long as the configuration it belongs to. */
static apr_hash_t *plugin_table(apr_pool_t *pconf)
{
    void *table = NULL;

    apr_pool_userdata_get(&table, PLUGINS_KEY, pconf);
    if (table == NULL) {
        table = apr_hash_make(pconf);
        apr_pool_userdata_set(table, PLUGINS_KEY, apr_pool_cleanup_null, pconf);
    }
    return table;
}

const char *fs_cmd_plugin(cmd_parms *cmd, void *dconf, const char *args)
{
    fs_server_conf_t *conf = fs_server_conf(cmd->server);
    apr_hash_t *table = plugin_table(cmd->pool);
    const char **argv, *err = NULL, *path;
    fst_plugin_t *plugin;
    int argc;

    (void)dconf;
    if (!fst_config_split(cmd->temp_pool, args, &argc, &argv, &err))
        return apr_psprintf(cmd->pool, "ForesattPlugin: %s", err);
    if (argc < 2)
        return "ForesattPlugin: give a name and the path of the plugin's .so file, "
               "e.g. ForesattPlugin store /usr/lib/foresatt/store_sqlite.so path=/var/lib/foresatt/foresatt.db";
    if (apr_hash_get(table, argv[0], APR_HASH_KEY_STRING) != NULL)
        return apr_psprintf(cmd->pool, "ForesattPlugin: the name '%s' is already used by another ForesattPlugin; "
                            "give each plugin its own name", argv[0]);
    path = ap_server_root_relative(cmd->temp_pool, argv[1]);
    if (path == NULL)
        return apr_psprintf(cmd->pool, "ForesattPlugin: invalid path '%s'", argv[1]);
    if (fst_plugin_load(cmd->pool, argv[0], path, &conf->log, &plugin, &err) != FST_LOAD_OK)
        return apr_psprintf(cmd->pool, "ForesattPlugin: %s", err);
    if (!fst_plugin_set_params(cmd->pool, plugin, argc - 2, argv + 2, &err))
        return apr_psprintf(cmd->pool, "ForesattPlugin: %s", err);
    apr_hash_set(table, plugin->name, APR_HASH_KEY_STRING, plugin);
    return NULL;
}

static const char *use_plugin(cmd_parms *cmd, const char *name, foresatt_plugin_kind_t kind, fst_plugin_t **slot)
{
    const char *directive = cmd->cmd->name;
    fst_plugin_t *plugin = apr_hash_get(plugin_table(cmd->pool), name, APR_HASH_KEY_STRING);

    if (plugin == NULL)
        return apr_psprintf(cmd->pool, "%s: no plugin named '%s'; declare it first with ForesattPlugin %s <path> ...",
                            directive, name, name);
    if (plugin->desc->kind != kind)
        return apr_psprintf(cmd->pool, "%s: plugin '%s' (%s) is a %s plugin; %s needs a %s plugin", directive, name,
                            plugin->path, fst_plugin_kind_name(plugin->desc->kind), directive,
                            fst_plugin_kind_name(kind));
    *slot = plugin;
    return NULL;
}

const char *fs_cmd_registry(cmd_parms *cmd, void *dconf, const char *name)
{
    (void)dconf;
    return use_plugin(cmd, name, FORESATT_PLUGIN_REGISTRY, &fs_server_conf(cmd->server)->registry);
}

const char *fs_cmd_store(cmd_parms *cmd, void *dconf, const char *name)
{
    (void)dconf;
    return use_plugin(cmd, name, FORESATT_PLUGIN_STORE, &fs_server_conf(cmd->server)->store);
}

int fs_plugins_check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    apr_hash_t *table = plugin_table(pconf);
    apr_hash_index_t *hi;

    (void)plog;
    for (hi = apr_hash_first(ptemp, table); hi; hi = apr_hash_next(hi)) {
        fst_plugin_t *plugin = apr_hash_this_val(hi);
        const char *err = NULL;

        if (plugin->instance != NULL)
            continue;
        /* Started as root, httpd's children run as User and Group: what they cannot write, the
         * plugin refuses now (host.worker_can_write) rather than in every child. */
        if (geteuid() == 0 && ap_unixd_config.user_id != (uid_t)-1) {
            plugin->worker_uid = (long)ap_unixd_config.user_id;
            plugin->worker_gid = (long)ap_unixd_config.group_id;
        }
        if (fst_plugin_create(pconf, plugin, &err) != FST_LOAD_OK) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, FSLOGNO(0001) "ForesattPlugin %s: %s", plugin->name, err);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        ap_log_error(APLOG_MARK, APLOG_DEBUG, 0, s, FSLOGNO(0002) "plugin '%s' created (%s %s, %s)", plugin->name,
                     plugin->desc->name, plugin->desc->version ? plugin->desc->version : "",
                     fst_plugin_kind_name(plugin->desc->kind));
    }
    return OK;
}

void fs_plugins_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_hash_t *table = plugin_table(s->process->pconf);
    apr_hash_index_t *hi;

    for (hi = apr_hash_first(pchild, table); hi; hi = apr_hash_next(hi)) {
        fst_plugin_t *plugin = apr_hash_this_val(hi);
        const char *err = NULL;

        if (fst_plugin_child_init(pchild, plugin, &err) != FST_LOAD_OK)
            ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, FSLOGNO(0003) "%s", err);
    }
}
