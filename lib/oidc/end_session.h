/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The end-session request (OpenID Connect RP-Initiated Logout 1.0 §2): id_token_hint, client_id,
 * post_logout_redirect_uri, state and ui_locales, the same parameters for either method. POST (a
 * form the browser submits) keeps the ID token out of URLs and logs; GET (a redirect) is for OPs that
 * take nothing else. client_id always goes along, so an OP that can no longer verify the hint (it
 * rotated its keys) still knows which client's registered post-logout URIs apply.
 */
#ifndef FST_OIDC_END_SESSION_H
#define FST_OIDC_END_SESSION_H

#include <apr_pools.h>

typedef enum fst_end_session_method {
    FST_END_SESSION_POST = 0,
    FST_END_SESSION_GET = 1
} fst_end_session_method_t;

/* "POST" or "GET" (any case); -1 for anything else. */
int fst_end_session_method_parse(const char *name);
const char *fst_end_session_method_name(fst_end_session_method_t m);

typedef struct fst_end_session_request {
    const char *endpoint;
    const char *id_token_hint;            /* NULL: left out */
    const char *client_id;
    const char *post_logout_redirect_uri; /* NULL: left out (the OP shows its own page) */
    const char *state;                    /* NULL: left out */
    const char *ui_locales;               /* NULL: left out */
} fst_end_session_request_t;

#define FST_END_SESSION_PARAMS 5

typedef struct fst_param {
    const char *name, *value;
} fst_param_t;

/* The parameters that are set, in a fixed order; returns how many (at most FST_END_SESSION_PARAMS).
 * For the POST form's hidden fields. */
int fst_end_session_params(const fst_end_session_request_t *req, fst_param_t out[FST_END_SESSION_PARAMS]);

/* The GET request's URL: the endpoint (its own query kept) with the parameters in the query. */
char *fst_end_session_url(apr_pool_t *pool, const fst_end_session_request_t *req);

#endif
