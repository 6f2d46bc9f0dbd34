/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "auth_request.h"
#include "encoding.h"

static char *param(apr_pool_t *pool, char *url, const char *name, const char *value)
{
    if (value == NULL)
        return url;
    return apr_pstrcat(pool, url, "&", name, "=", fst_url_encode(pool, value), NULL);
}

char *fst_auth_request_url(apr_pool_t *pool, const fst_auth_request_t *req)
{
    const char *sep = strchr(req->authorization_endpoint, '?') ? "&" : "?";
    char *url = apr_pstrcat(pool, req->authorization_endpoint, sep, "response_type=code", NULL);

    url = param(pool, url, "client_id", req->client_id);
    url = param(pool, url, "redirect_uri", req->redirect_uri);
    url = param(pool, url, "scope", req->scope);
    url = param(pool, url, "state", req->state);
    url = param(pool, url, "nonce", req->nonce);
    url = param(pool, url, "code_challenge", req->code_challenge);
    url = param(pool, url, "code_challenge_method", "S256");
    url = param(pool, url, "acr_values", req->acr_values);
    url = param(pool, url, "ui_locales", req->ui_locales);
    url = param(pool, url, "prompt", req->prompt);
    return url;
}
