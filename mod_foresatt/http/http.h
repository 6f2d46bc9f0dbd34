/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * http/: request plumbing that every folder uses and that has no concern of its own.
 *
 *   scrub.c    identity headers are never the client's (below)
 *   params.c   the query string and a form POST body, parsed; a bounded request body
 *   headers.c  the security headers of every page the module writes; navigation or API call
 *
 * Scrubbing: every header the module (login or authorization) sets for the backend could be
 * forged, so client-sent headers with those names are removed from EVERY request before any other
 * module sees them (post_read_request, first): unauthenticated requests, OPTIONS and the module's
 * own handlers alike. Names match case-insensitively with '-' and '_' alike (some backends fold
 * X_Foresatt_Role into X-Foresatt-Role). Removed on every virtual host: every header that starts
 * with any server's ForesattHeaderPrefix (default X-Foresatt-), plus each name a folder registers
 * with fs_scrub_register() while the configuration is read (headers outside the prefix: a renamed
 * ForesattAuthzHeader, the headers ForesattIdentity believes from a trusted proxy). Nothing is
 * exempt: a folder that believes a header from a trusted peer reads and removes it before the
 * scrubbing runs (FS_HOOK_BEFORE_SCRUB). Values the module sets go through fs_header_clean(): CR,
 * LF and other control characters become spaces, so no value can split a header or forge another.
 */
#ifndef FS_HTTP_H
#define FS_HTTP_H

#include <httpd.h>
#include <http_config.h>

#include "core/core.h"

#define FS_HEADER_PREFIX_DEFAULT "X-Foresatt-"

/* post_read_request order: a trusted peer's header is read (and removed) before the scrubbing. */
#define FS_HOOK_BEFORE_SCRUB (APR_HOOK_REALLY_FIRST - 1)

typedef struct fs_http_conf {
    const char *header_prefix; /* ForesattHeaderPrefix; NULL: not given here */
    /* check_config: every server's prefix normalised, and the registered names (the lists
     * themselves, so names registered later in this configuration still count); the same lists
     * in every server */
    const apr_array_header_t *scrub_prefixes, *scrub_names;
} fs_http_conf_t;

static inline fs_http_conf_t *fs_http_conf(const server_rec *s)
{
    return fs_server_conf(s)->http;
}

/* scrub.c */
fs_http_conf_t *fs_http_conf_create(apr_pool_t *pool);
fs_http_conf_t *fs_http_conf_merge(apr_pool_t *pool, const fs_http_conf_t *base, const fs_http_conf_t *add);
const char *fs_cmd_header_prefix(cmd_parms *cmd, void *d, const char *v);
/* The prefix and the name lists fixed into every server's configuration. */
int fs_http_check_config(apr_pool_t *pconf, server_rec *s);
void fs_http_register_hooks(apr_pool_t *pool);
/* ForesattHeaderPrefix (the default when not given); after check_config. */
const char *fs_header_prefix(const server_rec *s);
/* Remove client-sent headers called name, on every virtual host (during configuration; lives as
 * long as it). */
void fs_scrub_register(apr_pool_t *pconf, const char *name);
/* The same header name, as scrubbing compares them: case-insensitive, '-' and '_' alike. */
int fs_header_names_alike(const char *a, const char *b);
/* value with control characters replaced by spaces (the same pointer when it had none). */
const char *fs_header_clean(apr_pool_t *pool, const char *value);
/* Set a request header for the backend (headers_in), its value cleaned. */
void fs_backend_header_set(request_rec *r, const char *name, const char *value);

/* params.c */
/* Parse the query string into a table (names and values decoded). NULL when the query is
 * malformed (a bad escape, a repeated name) or too long. */
apr_table_t *fs_query_params(request_rec *r, const char *query);
/* The request body, at most max bytes (NUL-terminated); NULL with *status when refused. */
char *fs_request_body(request_rec *r, size_t max, size_t *len, int *status);
/* The request body of a form POST (bounded), parsed; NULL with *status when refused. */
apr_table_t *fs_form_params(request_rec *r, int *status);

/* headers.c */
/* The security headers of a page or redirect the module answers itself, in err_headers_out so
 * they go with error pages too: Content-Security-Policy csp, nosniff, no referrer, Cache-Control
 * cache_control, and X-Frame-Options DENY unless framable (csp's frame-ancestors then says who
 * may frame the page). */
void fs_security_headers(request_rec *r, const char *csp, int framable, const char *cache_control);
/* May this request be answered with a redirect to a login page? A browser navigating to a page
 * (GET, Sec-Fetch-Mode navigate or, from browsers that do not send it, HTML accepted and not an
 * XMLHttpRequest), not an API call, fetch, XHR or form POST. */
int fs_is_navigation(request_rec *r);

#endif
