/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The ID token's claims (OIDC Core 3.1.3.7 plus ID-porten's rules), each checked here rather than
 * trusted to a library: iss, aud and azp, exp, iat (and nbf) with a bounded skew, nonce, acr
 * against the configured minimum, sub, and pid as a valid fødselsnummer / D-nummer.
 */
#ifndef FST_OIDC_ID_TOKEN_H
#define FST_OIDC_ID_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

#include "jwks.h"

/* Levels of assurance, ordered. */
typedef enum fst_acr_level {
    FST_ACR_UNKNOWN = -1,
    FST_ACR_SELFREGISTERED = 0, /* selfregistered-email */
    FST_ACR_LOW = 1,            /* idporten-loa-low, eidas-loa-low */
    FST_ACR_SUBSTANTIAL = 2,    /* idporten-loa-substantial, eidas-loa-substantial */
    FST_ACR_HIGH = 3            /* idporten-loa-high, eidas-loa-high */
} fst_acr_level_t;

fst_acr_level_t fst_acr_level(const char *acr);

typedef struct fst_id_token_expect {
    const char *issuer;
    const char *client_id;
    const char *nonce;
    fst_acr_level_t min_acr;
    int64_t now;
    int64_t skew; /* seconds */
} fst_id_token_expect_t;

typedef struct fst_id_token_claims {
    const char *sub;
    const char *pid;
    const char *acr;
    const char *sid;  /* NULL when absent */
    const char *name; /* NULL when absent */
    int64_t iat, exp, auth_time;
} fst_id_token_claims_t;

typedef enum fst_id_token_result {
    FST_ID_TOKEN_OK = 0,
    FST_ID_TOKEN_MALFORMED, /* payload is not a bounded JSON object */
    FST_ID_TOKEN_ISS,
    FST_ID_TOKEN_AUD,
    FST_ID_TOKEN_AZP,
    FST_ID_TOKEN_EXP,
    FST_ID_TOKEN_IAT,
    FST_ID_TOKEN_NBF,
    FST_ID_TOKEN_NONCE,
    FST_ID_TOKEN_ACR,
    FST_ID_TOKEN_SUB,
    FST_ID_TOKEN_PID,   /* pid is not a valid fødselsnummer or D-nummer */
    FST_ID_TOKEN_NO_PID /* no pid (eIDAS, e-mail logins): sub, acr and sid are set in claims */
} fst_id_token_result_t;

/* Check the verified payload. On failure *err (in pool) says which claim and why; it never holds
 * the pid, the nonce or the token. */
fst_id_token_result_t fst_id_token_check(apr_pool_t *pool, const char *payload, size_t len,
                                         const fst_id_token_expect_t *expect, fst_id_token_claims_t *claims,
                                         const char **err);

#endif
