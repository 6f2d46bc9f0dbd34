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

#define CLAIM_MAX 512

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

/* A NumericDate: an integer or a real, within a sane range. */
static int numeric_date(const json_t *v, int64_t *out)
{
    double d;

    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
    }
    else if (json_is_real(v)) {
        d = json_real_value(v);
        if (!(d > 0 && d < 1e11))
            return 0;
        *out = (int64_t)d;
    }
    else {
        return 0;
    }
    return *out > 0 && *out < 100000000000LL;
}

static const char *bounded_string(const json_t *obj, const char *key)
{
    const char *s = fst_json_string(obj, key);

    return s != NULL && *s != '\0' && strlen(s) <= CLAIM_MAX ? s : NULL;
}

static fst_id_token_result_t check_aud(apr_pool_t *pool, const json_t *claims, const char *client_id,
                                       const char **err)
{
    const json_t *aud = json_object_get(claims, "aud"), *azp_v = json_object_get(claims, "azp"), *item;
    const char *azp = fst_json_string(claims, "azp");
    size_t i, n = 0;
    int found = 0;

    if (json_is_string(aud)) {
        found = strcmp(json_string_value(aud), client_id) == 0;
        n = 1;
    }
    else if (json_is_array(aud)) {
        json_array_foreach(aud, i, item) {
            if (!json_is_string(item)) {
                *err = "aud holds a value that is not a string";
                return FST_ID_TOKEN_AUD;
            }
            if (strcmp(json_string_value(item), client_id) == 0)
                found = 1;
            n++;
        }
    }
    if (!found) {
        *err = aud == NULL ? "aud is missing" : "aud does not contain this client_id";
        return FST_ID_TOKEN_AUD;
    }
    if (azp_v != NULL && (azp == NULL || strcmp(azp, client_id) != 0)) {
        *err = "azp is not this client_id";
        return FST_ID_TOKEN_AZP;
    }
    if (n > 1 && azp == NULL) {
        *err = apr_psprintf(pool, "aud has %lu audiences and there is no azp", (unsigned long)n);
        return FST_ID_TOKEN_AZP;
    }
    return FST_ID_TOKEN_OK;
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
    if ((rc = check_aud(pool, claims, expect->client_id, err)) != FST_ID_TOKEN_OK)
        goto end;

    if (!numeric_date(json_object_get(claims, "exp"), &t)) {
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
    if (!numeric_date(json_object_get(claims, "iat"), &t)) {
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
    if (v != NULL && (!numeric_date(v, &t) || t > expect->now + expect->skew)) {
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

    s = bounded_string(claims, "acr");
    level = fst_acr_level(s);
    if (level == FST_ACR_UNKNOWN || level < expect->min_acr) {
        *err = s == NULL ? "acr is missing"
                         : apr_psprintf(pool, "acr '%s' is below the required level",
                                        level == FST_ACR_UNKNOWN ? "(unknown value)" : s);
        rc = FST_ID_TOKEN_ACR;
        goto end;
    }
    out->acr = apr_pstrdup(pool, s);

    s = bounded_string(claims, "sub");
    if (s == NULL) {
        *err = "sub is missing";
        rc = FST_ID_TOKEN_SUB;
        goto end;
    }
    out->sub = apr_pstrdup(pool, s);

    v = json_object_get(claims, "pid");
    s = fst_json_string(claims, "pid");
    if (s == NULL || !fst_id_valid(s)) {
        *err = v == NULL ? "pid is missing (this eID gives no national identity number)"
                         : "pid is not a valid fodselsnummer or D-nummer";
        rc = FST_ID_TOKEN_PID;
        goto end;
    }
    out->pid = apr_pstrdup(pool, s);

    s = bounded_string(claims, "sid");
    out->sid = s ? apr_pstrdup(pool, s) : NULL;
    s = bounded_string(claims, "name");
    out->name = s ? apr_pstrdup(pool, s) : NULL;
    if (!numeric_date(json_object_get(claims, "auth_time"), &out->auth_time))
        out->auth_time = out->iat;
end:
    json_decref(claims);
    return rc;
}
