/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "encoding.h"
#include "fnr.h"
#include "id_token.h"
#include "json_guard.h"
#include "jwt_claims.h"

fst_acr_level_t fst_acr_level(const char *acr)
{
    static const struct {
        const char *name;
        fst_acr_level_t level;
    } levels[] = {
        {"idporten-loa-high", FST_ACR_HIGH},
        {"eidas-loa-high", FST_ACR_HIGH},
        {"idporten-loa-substantial", FST_ACR_SUBSTANTIAL},
        {"eidas-loa-substantial", FST_ACR_SUBSTANTIAL},
        {"idporten-loa-low", FST_ACR_LOW},
        {"eidas-loa-low", FST_ACR_LOW},
        {"selfregistered-email", FST_ACR_SELFREGISTERED},
    };
    size_t i;

    if (acr == NULL)
        return FST_ACR_UNKNOWN;
    for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(acr, levels[i].name) == 0)
            return levels[i].level;
    return FST_ACR_UNKNOWN;
}

fst_id_token_result_t fst_id_token_check(apr_pool_t *pool, const char *payload, size_t len,
                                         const fst_id_token_expect_t *expect, fst_id_token_claims_t *out,
                                         const char **err)
{
    fst_id_token_result_t rc = FST_ID_TOKEN_OK;
    const char *jerr = NULL, *s;
    const json_t *v;
    json_t *claims;
    int64_t t;
    fst_acr_level_t level;

    memset(out, 0, sizeof(*out));
    claims = fst_json_parse_object(payload, len, 16384, 8, &jerr);
    if (claims == NULL) {
        *err = apr_psprintf(pool, "payload: %s", jerr);
        return FST_ID_TOKEN_MALFORMED;
    }

    s = fst_json_string(claims, "iss");
    if (s == NULL || strcmp(s, expect->issuer) != 0) {
        *err = s == NULL ? "iss is missing" : "iss is not the OP's issuer";
        rc = FST_ID_TOKEN_ISS;
        goto end;
    }
    switch (fst_jwt_aud_check(pool, claims, expect->client_id, err)) {
    case FST_JWT_AUD_OK:
        break;
    case FST_JWT_AUD_AUD:
        rc = FST_ID_TOKEN_AUD;
        goto end;
    case FST_JWT_AUD_AZP:
        rc = FST_ID_TOKEN_AZP;
        goto end;
    }

    if (!fst_jwt_numeric_date(json_object_get(claims, "exp"), &t)) {
        *err = "exp is missing or not a date";
        rc = FST_ID_TOKEN_EXP;
        goto end;
    }
    if (expect->now - expect->skew >= t) {
        *err = apr_psprintf(pool, "expired %" APR_INT64_T_FMT " s ago", expect->now - t);
        rc = FST_ID_TOKEN_EXP;
        goto end;
    }
    out->exp = t;
    if (!fst_jwt_numeric_date(json_object_get(claims, "iat"), &t)) {
        *err = "iat is missing or not a date";
        rc = FST_ID_TOKEN_IAT;
        goto end;
    }
    if (t > expect->now + expect->skew) {
        *err = apr_psprintf(pool, "issued %" APR_INT64_T_FMT " s in the future", t - expect->now);
        rc = FST_ID_TOKEN_IAT;
        goto end;
    }
    out->iat = t;
    v = json_object_get(claims, "nbf");
    if (v != NULL && (!fst_jwt_numeric_date(v, &t) || t > expect->now + expect->skew)) {
        *err = "nbf is in the future or not a date";
        rc = FST_ID_TOKEN_NBF;
        goto end;
    }

    s = fst_json_string(claims, "nonce");
    if (s == NULL || !fst_str_equal(s, expect->nonce)) {
        *err = s == NULL ? "nonce is missing" : "nonce is not the one this login sent";
        rc = FST_ID_TOKEN_NONCE;
        goto end;
    }

    s = fst_jwt_bounded_string(claims, "acr");
    level = fst_acr_level(s);
    if (level == FST_ACR_UNKNOWN || level < expect->min_acr) {
        *err = s == NULL ? "acr is missing"
                         : apr_psprintf(pool, "acr '%s' is below the required level",
                                        level == FST_ACR_UNKNOWN ? "(unknown value)" : s);
        rc = FST_ID_TOKEN_ACR;
        goto end;
    }
    out->acr = apr_pstrdup(pool, s);

    s = fst_jwt_bounded_string(claims, "sub");
    if (s == NULL) {
        *err = "sub is missing";
        rc = FST_ID_TOKEN_SUB;
        goto end;
    }
    out->sub = apr_pstrdup(pool, s);

    s = fst_jwt_bounded_string(claims, "sid");
    out->sid = s ? apr_pstrdup(pool, s) : NULL;

    v = json_object_get(claims, "pid");
    s = fst_json_string(claims, "pid");
    if (v == NULL) {
        *err = "pid is missing (this eID gives no national identity number)";
        rc = FST_ID_TOKEN_NO_PID;
        goto end;
    }
    if (s == NULL || !fst_id_valid(s)) {
        *err = "pid is not a valid fodselsnummer or D-nummer";
        rc = FST_ID_TOKEN_PID;
        goto end;
    }
    out->pid = apr_pstrdup(pool, s);

    s = fst_jwt_bounded_string(claims, "name");
    out->name = s ? apr_pstrdup(pool, s) : NULL;
    if (!fst_jwt_numeric_date(json_object_get(claims, "auth_time"), &out->auth_time))
        out->auth_time = out->iat;
end:
    json_decref(claims);
    return rc;
}
