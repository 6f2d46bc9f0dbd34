/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Maskinporten access tokens for registry_freg: the JWT-bearer grant (RFC 7523) with an assertion
 * signed RS256 (header kid or x5c; claims aud = the issuer with its trailing slash, iss = client id,
 * scope, iat, exp = iat + 60, a random jti), and a per-process token cache. Only one token request
 * is made at a time: other threads wait for it (mutex + condition) and share its result, also a
 * failure, so an outage does not turn into a storm of grants.
 */
#ifndef FR_MASKINPORTEN_H
#define FR_MASKINPORTEN_H

#include <openssl/evp.h>

#include "foresatt/plugin.h"
#include "http.h"

#define FR_TOKEN_MAX 8192

typedef struct fr_tokens fr_tokens_t;

typedef struct fr_tokens_config {
    const char *token_url;
    const char *audience;
    const char *client_id;
    const char *scope;
    const char *kid;  /* exactly one of kid and x5c_json */
    const char *x5c_json; /* the JSON array of base64 DER certificates, leaf first */
} fr_tokens_config_t;

/* Copies the strings; takes a reference on key. NULL on allocation failure. */
fr_tokens_t *fr_tokens_create(const fr_tokens_config_t *config, EVP_PKEY *key, fr_http_t *http,
                              const foresatt_host_t *host);
void fr_tokens_destroy(fr_tokens_t *tokens);

/* A valid access token in out (FR_TOKEN_MAX bytes), from the cache or a new grant. */
foresatt_result_t fr_tokens_get(fr_tokens_t *tokens, char *out, foresatt_status_t *status);

/* The register refused this token (401): forget it so the next get asks for a new one. */
void fr_tokens_invalidate(fr_tokens_t *tokens, const char *token);

/* After fork: forget the token (each process fetches its own). */
void fr_tokens_forget(fr_tokens_t *tokens);

#endif
