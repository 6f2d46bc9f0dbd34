/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The headers every page the module writes carries (login pages, logout, the self-service pages),
 * and whether a request comes from a browser navigating, which may be sent to a login page, or
 * from script or an API client, which gets 401 (as mod_auth_openidc decides, from Sec-Fetch-Mode,
 * X-Requested-With and Accept).
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_protocol.h>

#include "http/http.h"

void fs_security_headers(request_rec *r, const char *csp, int framable, const char *cache_control)
{
    apr_table_setn(r->err_headers_out, "Cache-Control", cache_control);
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->err_headers_out, "Referrer-Policy", "no-referrer");
    apr_table_setn(r->err_headers_out, "Content-Security-Policy", csp);
    if (!framable)
        apr_table_setn(r->err_headers_out, "X-Frame-Options", "DENY");
}

int fs_is_navigation(request_rec *r)
{
    const char *mode = apr_table_get(r->headers_in, "Sec-Fetch-Mode");
    const char *xrw = apr_table_get(r->headers_in, "X-Requested-With");
    const char *accept = apr_table_get(r->headers_in, "Accept");

    if (r->method_number != M_GET)
        return 0;
    if (mode != NULL)
        return strcasecmp(mode, "navigate") == 0;
    if (xrw != NULL && strcasecmp(xrw, "XMLHttpRequest") == 0)
        return 0;
    if (accept != NULL && !ap_strcasestr(accept, "text/html") && !ap_strcasestr(accept, "application/xhtml+xml") &&
        !strstr(accept, "*/*"))
        return 0;
    return 1;
}
