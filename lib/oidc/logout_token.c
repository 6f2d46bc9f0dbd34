/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "json_guard.h"
#include "jwt_claims.h"
#include "logout_token.h"

#define PAYLOAD_MAX 16384
#define PAYLOAD_DEPTH 8

/* sid or sub: absent (NULL, 1), a bounded string (1), or anything else (0). */
static int optional_id(apr_pool_t *pool, const json_t *claims, const char *name, const char **out)
{
    const char *s;

    *out = NULL;
    if (json_object_get(claims, name) == NULL)
        return 1;
    s = fst_jwt_bounded_string(claims, name);
    if (s == NULL)
        return 0;
    *out = apr_pstrdup(pool, s);
    return 1;
}

fst_logout_token_result_t fst_logout_token_check(apr_pool_t *pool, const char *payload, size_t len,
                                                 const fst_logout_token_expect_t *expect,
                                                 fst_logout_token_claims_t *out, const char **err)
{
    fst_logout_token_result_t rc = FST_LOGOUT_TOKEN_OK;
    const char *jerr = NULL, *s;
    const json_t *v, *events;
    json_t *claims;
    int64_t t;

    memset(out, 0, sizeof(*out));
    claims = fst_json_parse_object(payload, len, PAYLOAD_MAX, PAYLOAD_DEPTH, &jerr);
    if (claims == NULL) {
        *err = apr_psprintf(pool, "payload: %s", jerr);
        return FST_LOGOUT_TOKEN_MALFORMED;
    }

    s = fst_json_string(claims, "iss");
    if (s == NULL || strcmp(s, expect->issuer) != 0) {
        *err = s == NULL ? "iss is missing" : "iss is not the OP's issuer";
        rc = FST_LOGOUT_TOKEN_ISS;
        goto end;
    }
    if (fst_jwt_aud_check(pool, claims, expect->client_id, err) != FST_JWT_AUD_OK) {
        rc = FST_LOGOUT_TOKEN_AUD;
        goto end;
    }
    if (!fst_jwt_numeric_date(json_object_get(claims, "iat"), &t)) {
        *err = "iat is missing or not a date";
        rc = FST_LOGOUT_TOKEN_IAT;
        goto end;
    }
    if (t > expect->now + expect->skew || t < expect->now - expect->skew) {
        *err = apr_psprintf(pool, "iat is %" APR_INT64_T_FMT " s %s now, more than the clock skew",
                            t > expect->now ? t - expect->now : expect->now - t,
                            t > expect->now ? "after" : "before");
        rc = FST_LOGOUT_TOKEN_IAT;
        goto end;
    }
    out->iat = t;
    v = json_object_get(claims, "exp");
    if (v != NULL) {
        if (!fst_jwt_numeric_date(v, &t) || expect->now - expect->skew >= t) {
            *err = "exp is passed or not a date";
            rc = FST_LOGOUT_TOKEN_EXP;
            goto end;
        }
        out->exp = t;
    }
    s = fst_jwt_bounded_string(claims, "jti");
    if (s == NULL) {
        *err = "jti is missing or not a short string";
        rc = FST_LOGOUT_TOKEN_JTI;
        goto end;
    }
    out->jti = apr_pstrdup(pool, s);

    events = json_object_get(claims, "events");
    if (!json_is_object(events) || !json_is_object(json_object_get(events, FST_LOGOUT_EVENT))) {
        *err = json_is_object(events) ? "events has no back-channel logout event object"
                                      : "events is missing or not an object";
        rc = FST_LOGOUT_TOKEN_EVENTS;
        goto end;
    }
    if (json_object_get(claims, "nonce") != NULL) {
        *err = "a nonce is present: logout tokens must not carry one";
        rc = FST_LOGOUT_TOKEN_NONCE;
        goto end;
    }
    if (!optional_id(pool, claims, "sid", &out->sid) || !optional_id(pool, claims, "sub", &out->sub)) {
        *err = "sid or sub is not a short string";
        rc = FST_LOGOUT_TOKEN_SUBJECT;
        goto end;
    }
    if (out->sid == NULL && out->sub == NULL) {
        *err = "neither sid nor sub is present";
        rc = FST_LOGOUT_TOKEN_SUBJECT;
        goto end;
    }
end:
    if (rc != FST_LOGOUT_TOKEN_OK) {
        out->sid = out->sub = out->jti = NULL;
        out->iat = out->exp = 0;
    }
    json_decref(claims);
    return rc;
}

const char *fst_logout_token_result_text(fst_logout_token_result_t r)
{
    switch (r) {
    case FST_LOGOUT_TOKEN_OK:
        return "ok";
    case FST_LOGOUT_TOKEN_MALFORMED:
        return "payload is not a JSON object";
    case FST_LOGOUT_TOKEN_ISS:
        return "iss";
    case FST_LOGOUT_TOKEN_AUD:
        return "aud";
    case FST_LOGOUT_TOKEN_IAT:
        return "iat";
    case FST_LOGOUT_TOKEN_EXP:
        return "exp";
    case FST_LOGOUT_TOKEN_JTI:
        return "jti";
    case FST_LOGOUT_TOKEN_EVENTS:
        return "events";
    case FST_LOGOUT_TOKEN_SUBJECT:
        return "sid/sub";
    case FST_LOGOUT_TOKEN_NONCE:
        return "nonce";
    }
    return "unknown";
}
