/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Code the project's own plugins share (plugins/common/): each plugin compiles in the files it
 * needs, and none of it is in the core library or the module.
 *
 * plugin_say: how a plugin gives the host its reason. The message is what the host logs and what
 * `apachectl configtest` and foresattctl print, so it names the key, the file or the peer, and
 * never carries a number, a token or a secret.
 */
#ifndef PLUGIN_SAY_H
#define PLUGIN_SAY_H

#include "foresatt/plugin.h"

/* status->message = the formatted text; returns rc. */
foresatt_result_t plugin_say(foresatt_status_t *status, foresatt_result_t rc, const char *fmt, ...)
    FORESATT_PRINTF(3, 4);

#endif
