/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What a request sends: its query string and its body. Both are bounded; a query with a bad
 * escape or a name given twice (state twice, iss twice: an attack or a bug) is refused whole.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

#include "encoding.h"
#include "http/http.h"

#define QUERY_MAX 8192
#define FORM_MAX 8192

apr_table_t *fs_query_params(request_rec *r, const char *query)
{
    apr_table_t *t = apr_table_make(r->pool, 8);
    const char *p, *end;

    if (query == NULL || *query == '\0')
        return t;
    if (strlen(query) > QUERY_MAX)
        return NULL;
    for (p = query; *p; p = *end ? end + 1 : end) {
        const char *eq;
        char *name, *value;

        end = strchr(p, '&');
        if (end == NULL)
            end = p + strlen(p);
        if (end == p)
            continue;
        eq = memchr(p, '=', (size_t)(end - p));
        name = fst_url_decode(r->pool, p, (size_t)((eq ? eq : end) - p));
        value = eq ? fst_url_decode(r->pool, eq + 1, (size_t)(end - eq - 1)) : apr_pstrdup(r->pool, "");
        if (name == NULL || value == NULL)
            return NULL;
        /* A repeated parameter (state twice, iss twice) is an attack or a bug: refuse it whole. */
        if (apr_table_get(t, name) != NULL)
            return NULL;
        apr_table_setn(t, name, value);
    }
    return t;
}

char *fs_request_body(request_rec *r, size_t max, size_t *len, int *status)
{
    char *body = apr_palloc(r->pool, max + 1), buf[4096];
    long got;
    int rc;

    *len = 0;
    if ((rc = ap_setup_client_block(r, REQUEST_CHUNKED_DECHUNK)) != OK) {
        *status = rc;
        return NULL;
    }
    if (ap_should_client_block(r)) {
        while ((got = ap_get_client_block(r, buf, sizeof(buf))) > 0) {
            if (*len + (size_t)got > max) {
                *status = HTTP_REQUEST_ENTITY_TOO_LARGE;
                return NULL;
            }
            memcpy(body + *len, buf, (size_t)got);
            *len += (size_t)got;
        }
        if (got < 0) {
            *status = HTTP_BAD_REQUEST;
            return NULL;
        }
    }
    body[*len] = '\0';
    return body;
}

apr_table_t *fs_form_params(request_rec *r, int *status)
{
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    static const char form[] = "application/x-www-form-urlencoded";
    apr_table_t *t;
    size_t len;
    char *body;

    if (ct == NULL || strncasecmp(ct, form, sizeof(form) - 1) != 0 ||
        (ct[sizeof(form) - 1] != '\0' && ct[sizeof(form) - 1] != ';' && ct[sizeof(form) - 1] != ' ')) {
        ap_discard_request_body(r);
        *status = HTTP_UNSUPPORTED_MEDIA_TYPE;
        return NULL;
    }
    if ((body = fs_request_body(r, FORM_MAX, &len, status)) == NULL)
        return NULL;
    if (memchr(body, '\0', len) != NULL || (t = fs_query_params(r, body)) == NULL) {
        *status = HTTP_BAD_REQUEST;
        return NULL;
    }
    return t;
}
