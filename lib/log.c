/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include "log.h"

void fst_logv(const fst_log_t *log, foresatt_log_level_t level, const char *fmt, va_list ap)
{
    char msg[1024];

    if (log == NULL || log->sink == NULL || level > log->max_level)
        return;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    log->sink(log->ctx, level, msg);
}

void fst_log(const fst_log_t *log, foresatt_log_level_t level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fst_logv(log, level, fmt, ap);
    va_end(ap);
}
