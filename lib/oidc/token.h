/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The token request (authorization_code grant with the PKCE verifier and one of three client
 * authentication methods) and the token response.
 */
#ifndef FST_OIDC_TOKEN_H
#define FST_OIDC_TOKEN_H

#include <stddef.h>
#include <apr_pools.h>

#define FST_TOKEN_RESPONSE_MAX_BYTES (64 * 1024)

typedef enum fst_client_auth {
    FST_CLIENT_AUTH_UNKNOWN = 0, /* not a method this client knows (or, in a configuration, not given) */
    FST_CLIENT_SECRET_BASIC = 1,
    FST_CLIENT_SECRET_POST = 2,
    FST_PRIVATE_KEY_JWT = 3
} fst_client_auth_t;

/* "client_secret_basic" ... ; FST_CLIENT_AUTH_UNKNOWN when unknown. */
fst_client_auth_t fst_client_auth_parse(const char *name);
const char *fst_client_auth_name(fst_client_auth_t auth);

typedef struct fst_token_request {
    fst_client_auth_t auth;
    const char *code;
    const char *redirect_uri;
    const char *code_verifier;
    const char *client_id;
    const char *client_secret;    /* client_secret_post */
    const char *client_assertion; /* private_key_jwt */
} fst_token_request_t;

/* The form-encoded body. client_id is always sent (ID-porten wants it with private_key_jwt too). */
char *fst_token_request_body(apr_pool_t *pool, const fst_token_request_t *req);

/* body with the client authentication's form fields appended: client_secret (client_secret_post) or
 * the assertion (private_key_jwt); nothing for client_secret_basic, whose secret goes in the
 * Authorization header (fst_token_basic_auth). The token and the PAR request share it. */
char *fst_client_auth_form(apr_pool_t *pool, const char *body, fst_client_auth_t auth, const char *client_secret,
                           const char *client_assertion);

/* "Basic ..." for client_secret_basic: id and secret form-encoded first (RFC 6749 §2.3.1). */
char *fst_token_basic_auth(apr_pool_t *pool, const char *client_id, const char *client_secret);

typedef enum fst_token_result {
    FST_TOKEN_OK = 0,
    FST_TOKEN_OP_ERROR, /* the OP answered with an OAuth error */
    FST_TOKEN_MALFORMED /* not JSON, no id_token, unexpected status */
} fst_token_result_t;

typedef struct fst_token_response {
    const char *id_token;
    const char *error;             /* OAuth error code, printable ASCII, bounded; or NULL */
    const char *error_description; /* bounded, printable ASCII; or NULL */
} fst_token_response_t;

fst_token_result_t fst_token_response_parse(apr_pool_t *pool, int http_status, const char *body, size_t len,
                                            fst_token_response_t *out, const char **err);

/* A copy of s keeping at most max bytes and replacing anything outside printable ASCII with '?'.
 * For text from a peer that ends up in a log line or (escaped) on a page. */
char *fst_printable(apr_pool_t *pool, const char *s, size_t max);

#endif
