/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Where the browser may be sent after login or logout: a path on this site, or an absolute URL on
 * this site's origin (or an allowlisted one). Everything browsers might read as another origin is
 * refused: //evil, /\evil, \/evil, control characters anywhere (/<TAB>evil, CR/LF), https:evil,
 * https://ok@evil, ok.com.evil, javascript:, and over-long URLs.
 */
#ifndef FST_RETURN_URL_H
#define FST_RETURN_URL_H

#include <stddef.h>
#include <apr_pools.h>

#define FST_RETURN_URL_MAX 2048

typedef enum fst_return_url_result {
    FST_RETURN_URL_OK = 0,
    FST_RETURN_URL_EMPTY,
    FST_RETURN_URL_TOO_LONG,
    FST_RETURN_URL_BAD_CHARACTER, /* control character, space, backslash or non-ASCII */
    FST_RETURN_URL_BAD_FORM,      /* neither "/path" nor "http(s)://host/..." */
    FST_RETURN_URL_USERINFO,      /* user@host */
    FST_RETURN_URL_OTHER_ORIGIN
} fst_return_url_result_t;

/* Check url. own_origin is this site's canonical origin ("https://host" or "https://host:8443");
 * allowed (may be NULL) is a NULL-terminated list of further canonical origins. */
fst_return_url_result_t fst_return_url_check(apr_pool_t *pool, const char *url, const char *own_origin,
                                             const char *const *allowed);

const char *fst_return_url_result_text(fst_return_url_result_t result);

/* The canonical origin of an absolute http(s) URL: lowercase scheme and host, default port
 * dropped. NULL when url is not an absolute http(s) URL with a plain host (no userinfo). */
char *fst_url_origin(apr_pool_t *pool, const char *url);

#endif
