/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * foresattctl: the school administrators' tool. One file per command (cmd_*.c).
 */
#ifndef FORESATTCTL_H
#define FORESATTCTL_H

#include <apr_pools.h>

#include "log.h"

/* Exit codes scripts can trust. */
#define CTL_EXIT_OK 0
#define CTL_EXIT_INVALID 1 /* the input was checked and found invalid (check-id, import) */
#define CTL_EXIT_USAGE 2   /* wrong arguments */
#define CTL_EXIT_CONFIG 3  /* configuration or plugin could not be loaded */
#define CTL_EXIT_BACKEND 4 /* the store or register failed */

typedef struct ctl_env {
    apr_pool_t *pool;
    const char *config_path; /* --config, or the default */
    fst_log_t log;
    int verbose;
} ctl_env_t;

typedef struct ctl_command {
    const char *name;
    const char *summary;
    int (*run)(ctl_env_t *env, int argc, const char *const *argv); /* argv[0] is the command name */
    void (*help)(void);
} ctl_command_t;

extern const ctl_command_t ctl_cmd_check_id;

#endif
