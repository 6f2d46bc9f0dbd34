/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>

#include "ctl.h"

#ifndef FORESATT_DEFAULT_CONFIG
#define FORESATT_DEFAULT_CONFIG "/etc/apache2/conf-available/foresatt.conf"
#endif

static const ctl_command_t *const commands[] = {
    &ctl_cmd_check_id,
    &ctl_cmd_plugins,

    /* store and records (issue 5) */
    &ctl_cmd_import,
    &ctl_cmd_purge,
    &ctl_cmd_paper_list,
    &ctl_cmd_audit,
    &ctl_cmd_export,

    /* register (issue 4) */
    &ctl_cmd_lookup,

    /* authorization (issue 6) */
    &ctl_cmd_decide,

    /* the register's changes (issue 16) */
    &ctl_cmd_follow,
    &ctl_cmd_sync,

    NULL,
};

static void stderr_sink(void *ctx, foresatt_log_level_t level, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "foresattctl: %s%s\n", level <= FORESATT_LOG_ERROR ? "error: " : "", msg);
}

static void usage(FILE *out)
{
    size_t i;

    fprintf(out, "usage: foresattctl [--config FILE] [--vhost NAME] [-D NAME]... [--verbose] COMMAND [ARGS...]\n\n"
                 "The configuration is the Apache configuration file with the ForesattPlugin, ForesattStore\n"
                 "and ForesattRegistry lines (default " FORESATT_DEFAULT_CONFIG ",\n"
                 "or $FORESATT_CONFIG), read as httpd reads it: -D NAME as httpd is started with (for\n"
                 "<IfDefine>), and --vhost NAME for the settings of the <VirtualHost> with that ServerName\n"
                 "when the sites' settings differ.\n\ncommands:\n");
    for (i = 0; commands[i]; i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n'foresattctl COMMAND --help' tells more about a command.\n");
}

int main(int argc, const char *const *argv)
{
    ctl_env_t env;
    const char *env_config = getenv("FORESATT_CONFIG");
    int i = 1, rc;
    size_t c;

    apr_app_initialize(&argc, &argv, NULL);
    memset(&env, 0, sizeof(env));
    apr_pool_create(&env.pool, NULL);
    env.config_path = env_config && *env_config ? env_config : FORESATT_DEFAULT_CONFIG;
    env.log.sink = stderr_sink;
    env.log.max_level = FORESATT_LOG_WARN;

    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            env.config_path = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--config=", 9) == 0) {
            env.config_path = argv[i] + 9;
            i++;
        } else if (strcmp(argv[i], "--vhost") == 0 && i + 1 < argc) {
            env.vhost = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--vhost=", 8) == 0) {
            env.vhost = argv[i] + 8;
            i++;
        } else if ((strcmp(argv[i], "-D") == 0 || strcmp(argv[i], "--define") == 0) && i + 1 < argc) {
            if (env.defines == NULL)
                env.defines = apr_array_make(env.pool, 4, sizeof(const char *));
            *(const char **)apr_array_push(env.defines) = argv[i + 1];
            i += 2;
        } else if (strcmp(argv[i], "--verbose") == 0 || strcmp(argv[i], "-v") == 0) {
            env.verbose = 1;
            env.log.max_level = FORESATT_LOG_DEBUG;
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CTL_EXIT_OK;
        } else {
            fprintf(stderr, "foresattctl: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CTL_EXIT_USAGE;
    }
    for (c = 0; commands[c]; c++) {
        if (strcmp(commands[c]->name, argv[i]) == 0) {
            if (i + 1 < argc && (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0)) {
                commands[c]->help();
                return CTL_EXIT_OK;
            }
            rc = commands[c]->run(&env, argc - i, argv + i);
            apr_pool_destroy(env.pool);
            apr_terminate();
            return rc;
        }
    }
    fprintf(stderr, "foresattctl: unknown command '%s'\n", argv[i]);
    usage(stderr);
    return CTL_EXIT_USAGE;
}
