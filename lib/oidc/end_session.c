/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "encoding.h"
#include "end_session.h"

int fst_end_session_method_parse(const char *name)
{
    if (name != NULL && strcasecmp(name, "POST") == 0)
        return FST_END_SESSION_POST;
    if (name != NULL && strcasecmp(name, "GET") == 0)
        return FST_END_SESSION_GET;
    return -1;
}

const char *fst_end_session_method_name(fst_end_session_method_t m)
{
    return m == FST_END_SESSION_GET ? "GET" : "POST";
}

int fst_end_session_params(const fst_end_session_request_t *req, fst_param_t out[FST_END_SESSION_PARAMS])
{
    const fst_param_t all[FST_END_SESSION_PARAMS] = {
        {"id_token_hint", req->id_token_hint},
        {"client_id", req->client_id},
        {"post_logout_redirect_uri", req->post_logout_redirect_uri},
        {"state", req->state},
        {"ui_locales", req->ui_locales},
    };
    int i, n = 0;

    for (i = 0; i < FST_END_SESSION_PARAMS; i++)
        if (all[i].value != NULL)
            out[n++] = all[i];
    return n;
}

char *fst_end_session_url(apr_pool_t *pool, const fst_end_session_request_t *req)
{
    fst_param_t params[FST_END_SESSION_PARAMS];
    int i, n = fst_end_session_params(req, params);
    char *url = apr_pstrdup(pool, req->endpoint);
    const char *sep = strchr(req->endpoint, '?') ? "&" : "?";

    for (i = 0; i < n; i++) {
        url = apr_pstrcat(pool, url, sep, params[i].name, "=", fst_url_encode(pool, params[i].value), NULL);
        sep = "&";
    }
    return url;
}
