/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Pushed authorization requests (RFC 9126): the authorization request's parameters go to the OP's
 * PAR endpoint in a POST with the client's authentication, and the browser carries only client_id
 * and the request_uri the OP answered with. Nothing about the login is in the browser's URL.
 */
#ifndef FST_OIDC_PAR_H
#define FST_OIDC_PAR_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

#include "auth_request.h"
#include "token.h"

#define FST_PAR_RESPONSE_MAX_BYTES (16 * 1024)
#define FST_PAR_REQUEST_URI_MAX 1024
/* RFC 9126 §2.2 suggests 5 to 600 s; longer lifetimes are refused as implausible. */
#define FST_PAR_EXPIRES_MAX 3600

/* The form-encoded body pushed to the PAR endpoint: every parameter of the authorization request
 * (req->authorization_endpoint is not used) and the client authentication's fields. */
char *fst_par_request_body(apr_pool_t *pool, const fst_auth_request_t *req, fst_client_auth_t auth,
                           const char *client_secret, const char *client_assertion);

typedef enum fst_par_result {
    FST_PAR_OK = 0,
    FST_PAR_OP_ERROR, /* the OP answered with an OAuth error */
    FST_PAR_MALFORMED /* not JSON, unexpected status, no usable request_uri or expires_in */
} fst_par_result_t;

typedef struct fst_par_response {
    const char *request_uri;
    int64_t expires_in;            /* seconds, 1 .. FST_PAR_EXPIRES_MAX */
    const char *error;             /* OAuth error code, printable ASCII, bounded; or NULL */
    const char *error_description; /* bounded, printable ASCII; or NULL */
} fst_par_response_t;

/* The answer: HTTP 201 (or 200) with request_uri and expires_in (§2.2), or an error (§2.3). */
fst_par_result_t fst_par_response_parse(apr_pool_t *pool, int http_status, const char *body, size_t len,
                                        fst_par_response_t *out, const char **err);

/* The browser's URL: the authorization endpoint with client_id and request_uri only (§4). */
char *fst_par_authorize_url(apr_pool_t *pool, const char *authorization_endpoint, const char *client_id,
                            const char *request_uri);

#endif
