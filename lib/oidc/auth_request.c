/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "auth_request.h"
#include "encoding.h"

static char *param(apr_pool_t *pool, char *out, const char *name, const char *value)
{
    if (value == NULL)
        return out;
    return apr_pstrcat(pool, out, *out ? "&" : "", name, "=", fst_url_encode(pool, value), NULL);
}

char *fst_auth_request_params(apr_pool_t *pool, const fst_auth_request_t *req)
{
    char *out = param(pool, "", "response_type", "code");

    out = param(pool, out, "client_id", req->client_id);
    out = param(pool, out, "redirect_uri", req->redirect_uri);
    out = param(pool, out, "scope", req->scope);
    out = param(pool, out, "state", req->state);
    out = param(pool, out, "nonce", req->nonce);
    out = param(pool, out, "code_challenge", req->code_challenge);
    out = param(pool, out, "code_challenge_method", "S256");
    out = param(pool, out, "acr_values", req->acr_values);
    out = param(pool, out, "ui_locales", req->ui_locales);
    out = param(pool, out, "prompt", req->prompt);
    return out;
}

char *fst_auth_request_url(apr_pool_t *pool, const fst_auth_request_t *req)
{
    const char *sep = strchr(req->authorization_endpoint, '?') ? "&" : "?";

    return apr_pstrcat(pool, req->authorization_endpoint, sep, fst_auth_request_params(pool, req), NULL);
}
