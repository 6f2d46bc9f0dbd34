/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * ForesattAuditRetention: how long audit entries are kept. `foresattctl purge` reads it from this
 * same configuration and deletes older entries; the module checks it here so that a mistake fails
 * `apachectl configtest` rather than the nightly purge.
 */
#include <apr_strings.h>

#include "core/core.h"
#include "retention.h"

const char *fs_cmd_audit_retention(cmd_parms *cmd, void *dconf, const char *args)
{
    fst_retention_t retention;
    const char *why = NULL;

    (void)dconf;
    if (!fst_retention_parse(args, &retention, &why))
        return apr_psprintf(cmd->pool, "ForesattAuditRetention %s: %s", args, why);
    return NULL;
}
