/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The back-channel logout token's claims (OpenID Connect Back-Channel Logout 1.0 §2.4, §2.6),
 * checked after its signature (jws_verify.h, the same allowlist and JWKS as the ID token): iss is
 * the OP, aud holds our client_id, iat within the clock skew of now (the OP sends at once and tries
 * once, so an old token is a replay), exp (when present) not passed, a jti, the events member with
 * the back-channel logout event as a JSON object, sid and/or sub, and no nonce (so an ID token can
 * never pass as a logout token). The jti's "never seen before" is the caller's: it has the table.
 */
#ifndef FST_OIDC_LOGOUT_TOKEN_H
#define FST_OIDC_LOGOUT_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <apr_pools.h>

#define FST_LOGOUT_EVENT "http://schemas.openid.net/event/backchannel-logout"
/* A logout_token form field longer than this is refused before any parsing. */
#define FST_LOGOUT_TOKEN_MAX_BYTES 16384

typedef struct fst_logout_token_expect {
    const char *issuer;
    const char *client_id;
    int64_t now;
    int64_t skew; /* seconds: iat must lie within now +- skew */
} fst_logout_token_expect_t;

typedef struct fst_logout_token_claims {
    const char *sid; /* NULL when absent */
    const char *sub; /* NULL when absent; at least one of sid and sub is set */
    const char *jti;
    int64_t iat;
    int64_t exp; /* 0 when absent */
} fst_logout_token_claims_t;

typedef enum fst_logout_token_result {
    FST_LOGOUT_TOKEN_OK = 0,
    FST_LOGOUT_TOKEN_MALFORMED, /* payload is not a bounded JSON object */
    FST_LOGOUT_TOKEN_ISS,
    FST_LOGOUT_TOKEN_AUD,
    FST_LOGOUT_TOKEN_IAT,       /* missing, in the future or older than the skew */
    FST_LOGOUT_TOKEN_EXP,       /* present and passed, or not a date */
    FST_LOGOUT_TOKEN_JTI,
    FST_LOGOUT_TOKEN_EVENTS,    /* no events object with the back-channel logout event */
    FST_LOGOUT_TOKEN_SUBJECT,   /* neither sid nor sub, or one that is not a bounded string */
    FST_LOGOUT_TOKEN_NONCE      /* a nonce: this is an ID token, not a logout token */
} fst_logout_token_result_t;

/* Check the verified payload. On failure *err (in pool) says which claim and why, without echoing
 * a claim's value. */
fst_logout_token_result_t fst_logout_token_check(apr_pool_t *pool, const char *payload, size_t len,
                                                 const fst_logout_token_expect_t *expect,
                                                 fst_logout_token_claims_t *claims, const char **err);

/* The refused claim in a word, for the log and the answer's error_description. */
const char *fst_logout_token_result_text(fst_logout_token_result_t r);

#endif
