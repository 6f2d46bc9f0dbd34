/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The authorization request (OIDC Core 3.1.2.1, ID-porten's rules): response_type=code, scope,
 * state, nonce, PKCE S256, acr_values, ui_locales and optionally prompt.
 */
#ifndef FST_OIDC_AUTH_REQUEST_H
#define FST_OIDC_AUTH_REQUEST_H

#include <apr_pools.h>

typedef struct fst_auth_request {
    const char *authorization_endpoint;
    const char *client_id;
    const char *redirect_uri;
    const char *scope;
    const char *state;
    const char *nonce;
    const char *code_challenge; /* S256 of the verifier */
    const char *acr_values;     /* may be NULL */
    const char *ui_locales;     /* may be NULL */
    const char *prompt;         /* may be NULL */
} fst_auth_request_t;

/* The request's parameters, form-encoded (the query of the URL, or the body pushed by PAR). */
char *fst_auth_request_params(apr_pool_t *pool, const fst_auth_request_t *req);

/* The URL to send the browser to; the endpoint's own query, if any, is kept. */
char *fst_auth_request_url(apr_pool_t *pool, const fst_auth_request_t *req);

#endif
