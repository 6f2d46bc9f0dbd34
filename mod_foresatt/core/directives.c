/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Number directives through a table: one handler reads them all into the configuration struct
 * of the folder whose table it is given.
 */
#include <stdlib.h>
#include <strings.h>

#include <apr_strings.h>

#include "core/core.h"

const char *fs_cmd_int_from_table(cmd_parms *cmd, const fs_int_directive_t *table, void *conf, const char *v)
{
    const fs_int_directive_t *spec = table;
    char *end = NULL;
    long n;

    while (spec->name && strcasecmp(spec->name, cmd->cmd->name) != 0)
        spec++;
    if (spec->name == NULL)
        return apr_psprintf(cmd->pool, "%s: not a number directive of this table", cmd->cmd->name);
    n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < spec->min || n > spec->max)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number of %s from %ld to %ld", cmd->cmd->name, v,
                            spec->unit, spec->min, spec->max);
    *(int *)((char *)conf + spec->offset) = (int)n;
    return NULL;
}
