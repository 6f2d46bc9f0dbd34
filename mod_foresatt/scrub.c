/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Identity headers the module sets for the portal must never come from the client. Every concern
 * that sets one registers its name here (at configuration time); every request, protected or not,
 * loses the client's copies before any other module sees it. Names match case-insensitively and
 * with '_' taken as '-', since some backends fold X_Foresatt_Role into X-Foresatt-Role.
 */
#include <apr_lib.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

#include "authz.h"

APLOG_USE_MODULE(foresatt);

#define SCRUB_KEY "foresatt-scrub-headers"

static apr_array_header_t *scrub_list(apr_pool_t *pconf, int create)
{
    void *list = NULL;

    apr_pool_userdata_get(&list, SCRUB_KEY, pconf);
    if (list == NULL && create) {
        list = apr_array_make(pconf, 8, sizeof(const char *));
        apr_pool_userdata_set(list, SCRUB_KEY, apr_pool_cleanup_null, pconf);
    }
    return list;
}

static char fold(char c)
{
    return c == '_' ? '-' : (char)apr_tolower(c);
}

static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (fold(*a) != fold(*b))
            return 0;
    return *a == *b;
}

void fs_scrub_register(apr_pool_t *pconf, const char *header)
{
    apr_array_header_t *list = scrub_list(pconf, 1);
    int i;

    if (header == NULL || *header == '\0')
        return;
    for (i = 0; i < list->nelts; i++)
        if (same_name(APR_ARRAY_IDX(list, i, const char *), header))
            return;
    APR_ARRAY_PUSH(list, const char *) = apr_pstrdup(pconf, header);
}

static int scrub(request_rec *r)
{
    apr_array_header_t *list = scrub_list(r->server->process->pconf, 0);
    const apr_array_header_t *in;
    const apr_table_entry_t *e;
    const char *drop[16];
    int i, j, n = 0;

    if (list == NULL || list->nelts == 0)
        return DECLINED;
    in = apr_table_elts(r->headers_in);
    e = (const apr_table_entry_t *)in->elts;
    for (i = 0; i < in->nelts; i++) {
        if (e[i].key == NULL)
            continue;
        for (j = 0; j < list->nelts; j++) {
            if (same_name(e[i].key, APR_ARRAY_IDX(list, j, const char *))) {
                if (n < (int)(sizeof(drop) / sizeof(drop[0])))
                    drop[n++] = e[i].key;
                else
                    return HTTP_BAD_REQUEST; /* a flood of identity headers: refuse the request */
                break;
            }
        }
    }
    for (i = 0; i < n; i++) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FSLOGNO(0530) "removed client-sent header %s", drop[i]);
        apr_table_unset(r->headers_in, drop[i]);
    }
    return DECLINED;
}

void fs_scrub_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_post_read_request(scrub, NULL, NULL, APR_HOOK_REALLY_FIRST);
}
