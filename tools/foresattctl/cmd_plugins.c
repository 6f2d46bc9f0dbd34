/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * plugins: load every plugin the configuration declares and say whether it starts.
 */
#include <stdio.h>
#include <string.h>

#include <apr_strings.h>

#include "ctl.h"

static void help(void)
{
    printf("usage: foresattctl [--config FILE] plugins\n\n"
           "Loads every ForesattPlugin in the configuration, creates and starts it, and prints one line\n"
           "per plugin: name, kind, plugin name and version, role (store/registry) and path.\n"
           "Exits 0 when all start, 3 when one does not (with the reason on stderr).\n");
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    apr_hash_index_t *hi;
    int rc;

    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "foresattctl plugins: takes no arguments\n");
        return CTL_EXIT_USAGE;
    }
    rc = ctl_load_config(env, 0);
    if (rc != CTL_EXIT_OK)
        return rc;
    for (hi = apr_hash_first(env->pool, env->plugins); hi; hi = apr_hash_next(hi)) {
        fst_plugin_t *plugin = apr_hash_this_val(hi);
        const char *err = NULL;
        const char *role = plugin == env->store ? "ForesattStore" : plugin == env->registry ? "ForesattRegistry" : "-";

        if (plugin->instance == NULL &&
            (fst_plugin_create(env->pool, plugin, &err) != FST_LOAD_OK ||
             fst_plugin_child_init(env->pool, plugin, &err) != FST_LOAD_OK)) {
            fprintf(stderr, "foresattctl: %s\n", err);
            return CTL_EXIT_CONFIG;
        }
        printf("%s\t%s\t%s %s\t%s\t%s\n", plugin->name, fst_plugin_kind_name(plugin->desc->kind), plugin->desc->name,
               plugin->desc->version ? plugin->desc->version : "", role, plugin->path);
    }
    return CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_plugins = {"plugins", "load the configured plugins and report each", run, help};
