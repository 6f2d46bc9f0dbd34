/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Injected logging for the core: the module routes it to httpd's error log, foresattctl to stderr,
 * unit tests to a buffer. The core never writes to stderr itself.
 */
#ifndef FST_LOG_H
#define FST_LOG_H

#include <stdarg.h>
#include "foresatt/plugin.h"

typedef void (*fst_log_sink_fn)(void *ctx, foresatt_log_level_t level, const char *msg);

typedef struct fst_log {
    fst_log_sink_fn sink;
    void *ctx;
    foresatt_log_level_t max_level; /* lines above this level are dropped before formatting */
} fst_log_t;

void fst_log(const fst_log_t *log, foresatt_log_level_t level, const char *fmt, ...) FORESATT_PRINTF(3, 4);
void fst_logv(const fst_log_t *log, foresatt_log_level_t level, const char *fmt, va_list ap);

#endif
