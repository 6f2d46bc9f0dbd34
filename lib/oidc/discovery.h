/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The OP's discovery document (OpenID Connect Discovery 1.0 §3, §4.3): parsed from untrusted text
 * and checked before anything in it is used. The issuer must equal the configured one exactly,
 * endpoints must be https (or http to a loopback address, for local test OPs), and what the OP
 * advertises must include what this module does (code, S256, RS256, the client auth method). An
 * OP that requires pushed authorization requests must say where to push them.
 */
#ifndef FST_OIDC_DISCOVERY_H
#define FST_OIDC_DISCOVERY_H

#include <stddef.h>
#include <apr_pools.h>

#define FST_DISCOVERY_MAX_BYTES (256 * 1024)
#define FST_JSON_MAX_DEPTH 16

typedef struct fst_discovery {
    const char *issuer;
    const char *authorization_endpoint;
    const char *token_endpoint;
    const char *jwks_uri;
    const char *end_session_endpoint; /* NULL when the OP has none */
    int iss_parameter_supported;      /* authorization_response_iss_parameter_supported (RFC 9207) */
    const char *par_endpoint;         /* pushed_authorization_request_endpoint (RFC 9126), or NULL */
    int require_par;                  /* require_pushed_authorization_requests */
} fst_discovery_t;

typedef enum fst_discovery_result {
    FST_DISCOVERY_OK = 0,
    FST_DISCOVERY_MALFORMED,        /* not a bounded JSON object */
    FST_DISCOVERY_ISSUER_MISMATCH,  /* issuer differs from the configured one */
    FST_DISCOVERY_INCOMPLETE,       /* a required member is missing or not a usable URL */
    FST_DISCOVERY_UNSUPPORTED       /* the OP does not offer what this module needs */
} fst_discovery_result_t;

/* Parse and check. token_auth_method is the configured client authentication ("client_secret_basic",
 * ...). On failure *err (in pool) says what is wrong, without echoing more than a bounded value. */
fst_discovery_result_t fst_discovery_parse(apr_pool_t *pool, const char *text, size_t len, const char *expected_issuer,
                                           const char *token_auth_method, fst_discovery_t *out, const char **err);

/* 1 when url is https, or http to 127.0.0.1, [::1] or localhost. */
int fst_url_is_secure(const char *url);

#endif
