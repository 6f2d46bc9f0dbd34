/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Identity headers are never the client's: every header the module (login or authorization) sets
 * for the backend could be forged, so client-sent headers with those names are removed from EVERY
 * request before any other module sees them (post_read_request, first): unauthenticated requests,
 * OPTIONS and the module's own handlers alike. Names match case-insensitively with '-' and '_'
 * alike (some backends fold X_Foresatt_Role into X-Foresatt-Role).
 *
 * Removed: every header that starts with ForesattHeaderPrefix (default X-Foresatt-), plus each
 * name a concern registers with fs_scrub_register() while the configuration is read (for headers
 * outside the prefix, e.g. a renamed ForesattAuthzHeader). fs_scrub_keep() exempts a name (a
 * header a trusted proxy sets on purpose, e.g. ForesattIdentity header X-Foresatt-Pid).
 *
 * Values the module sets go through fs_header_clean(): CR, LF and other control characters become
 * spaces, so no value can split a header or forge another.
 */
#ifndef FS_SCRUB_H
#define FS_SCRUB_H

#include <httpd.h>

/* Remove client-sent headers called name (during configuration; lives as long as it). */
void fs_scrub_register(apr_pool_t *pconf, const char *name);

/* Never remove name, even under the prefix. */
void fs_scrub_keep(apr_pool_t *pconf, const char *name);

void fs_scrub_register_hooks(apr_pool_t *pool);

/* value with control characters replaced by spaces (the same pointer when it had none). */
const char *fs_header_clean(apr_pool_t *pool, const char *value);

/* Set a request header for the backend (headers_in), its value cleaned. */
void fs_backend_header_set(request_rec *r, const char *name, const char *value);

/* check_config: the prefix and the name lists, fixed into a server's login configuration. */
struct fs_oidc_conf;
void fs_scrub_freeze(apr_pool_t *pconf, struct fs_oidc_conf *c);

#endif
