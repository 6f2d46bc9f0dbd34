/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "json_guard.h"
#include "jwt_claims.h"

int fst_jwt_numeric_date(const json_t *v, int64_t *out)
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

const char *fst_jwt_bounded_string(const json_t *obj, const char *key)
{
    const char *s = fst_json_string(obj, key);

    return s != NULL && *s != '\0' && strlen(s) <= FST_CLAIM_MAX ? s : NULL;
}

fst_jwt_aud_result_t fst_jwt_aud_check(apr_pool_t *pool, const json_t *claims, const char *client_id,
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
                return FST_JWT_AUD_AUD;
            }
            if (strcmp(json_string_value(item), client_id) == 0)
                found = 1;
            n++;
        }
    }
    if (!found) {
        *err = aud == NULL ? "aud is missing" : "aud does not contain this client_id";
        return FST_JWT_AUD_AUD;
    }
    if (azp_v != NULL && (azp == NULL || strcmp(azp, client_id) != 0)) {
        *err = "azp is not this client_id";
        return FST_JWT_AUD_AZP;
    }
    if (n > 1 && azp == NULL) {
        *err = apr_psprintf(pool, "aud has %lu audiences and there is no azp", (unsigned long)n);
        return FST_JWT_AUD_AZP;
    }
    return FST_JWT_AUD_OK;
}
