/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>

#include "say.h"

foresatt_result_t plugin_say(foresatt_status_t *status, foresatt_result_t rc, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(status->message, sizeof(status->message), fmt, ap);
    va_end(ap);
    return rc;
}
