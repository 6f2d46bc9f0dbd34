/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Routes the core's log lines into httpd's error log, at httpd's own levels.
 */
#include "core/core.h"

APLOG_USE_MODULE(foresatt);

static int to_aplog(foresatt_log_level_t level)
{
    switch (level) {
    case FORESATT_LOG_ERROR:
        return APLOG_ERR;
    case FORESATT_LOG_WARN:
        return APLOG_WARNING;
    case FORESATT_LOG_NOTICE:
        return APLOG_NOTICE;
    case FORESATT_LOG_INFO:
        return APLOG_INFO;
    case FORESATT_LOG_DEBUG:
        return APLOG_DEBUG;
    }
    return APLOG_DEBUG;
}

static void server_sink(void *ctx, foresatt_log_level_t level, const char *msg)
{
    server_rec *s = ctx;

    ap_log_error(APLOG_MARK, to_aplog(level), 0, s, "%s", msg);
}

void fs_log_init(fst_log_t *log, server_rec *s)
{
    log->sink = server_sink;
    log->ctx = s;
    /* Formatting is skipped for lines the server would drop anyway. */
    log->max_level = FORESATT_LOG_DEBUG;
}
