/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Claim checks that the ID token and the back-channel logout token share (RFC 7519, OIDC Core
 * 3.1.3.7): NumericDate values, bounded string claims, and aud/azp against our client_id.
 */
#ifndef FST_OIDC_JWT_CLAIMS_H
#define FST_OIDC_JWT_CLAIMS_H

#include <stdint.h>
#include <apr_pools.h>
#include <jansson.h>

/* Longest string claim we accept (sub, sid, jti, acr, ...). */
#define FST_CLAIM_MAX 512

/* A NumericDate: an integer or a real, within a sane range. 1 with *out set, else 0. */
int fst_jwt_numeric_date(const json_t *v, int64_t *out);

/* The string claim key when it is a non-empty string of at most FST_CLAIM_MAX bytes, else NULL. */
const char *fst_jwt_bounded_string(const json_t *obj, const char *key);

typedef enum fst_jwt_aud_result {
    FST_JWT_AUD_OK = 0,
    FST_JWT_AUD_AUD, /* aud missing, malformed or without client_id */
    FST_JWT_AUD_AZP  /* azp present and not client_id, or several audiences without azp */
} fst_jwt_aud_result_t;

/* aud is client_id or an array of strings containing it; azp, when present, is client_id; more than
 * one audience needs azp. On failure *err (in pool) says which. */
fst_jwt_aud_result_t fst_jwt_aud_check(apr_pool_t *pool, const json_t *claims, const char *client_id,
                                       const char **err);

#endif
