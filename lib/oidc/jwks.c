/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>

#include "discovery.h"
#include "json_guard.h"
#include "jwks.h"

static apr_status_t release_key(void *data)
{
    cjose_jwk_release(data);
    return APR_SUCCESS;
}

/* Non-empty, unpadded base64url of a length that can decode. cjose's decoder asserts (aborts the
 * process) on a '=' followed by more characters, so nothing else may reach it. */
static int b64url_strict(const char *s)
{
    size_t n = 0;

    for (; s && s[n]; n++)
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
              s[n] == '-' || s[n] == '_'))
            return 0;
    return n > 0 && n % 4 != 1;
}

static int usable(const json_t *key)
{
    const char *kty = fst_json_string(key, "kty"), *use = fst_json_string(key, "use"),
               *alg = fst_json_string(key, "alg");

    if (kty == NULL || strcmp(kty, "RSA") != 0)
        return 0;
    if (json_object_get(key, "use") != NULL && (use == NULL || strcmp(use, "sig") != 0))
        return 0;
    if (json_object_get(key, "alg") != NULL && (alg == NULL || strcmp(alg, "RS256") != 0))
        return 0;
    if (json_object_get(key, "kid") != NULL && fst_json_string(key, "kid") == NULL)
        return 0;
    /* Public keys only: a JWKS that publishes private parts is broken, and cjose would keep them. */
    if (json_object_get(key, "d") != NULL)
        return 0;
    return b64url_strict(fst_json_string(key, "n")) && b64url_strict(fst_json_string(key, "e"));
}

fst_jwks_result_t fst_jwks_parse(apr_pool_t *pool, const char *text, size_t len, fst_jwks_t **out, const char **err)
{
    const char *jerr = NULL;
    fst_jwks_t *jwks;
    json_t *doc, *keys, *key;
    size_t i;

    doc = fst_json_parse_object(text, len, FST_JWKS_MAX_BYTES, FST_JSON_MAX_DEPTH, &jerr);
    if (doc == NULL) {
        *err = apr_psprintf(pool, "JWKS: %s", jerr);
        return FST_JWKS_MALFORMED;
    }
    keys = json_object_get(doc, "keys");
    if (!json_is_array(keys)) {
        json_decref(doc);
        *err = "JWKS: no \"keys\" array";
        return FST_JWKS_MALFORMED;
    }
    jwks = apr_pcalloc(pool, sizeof(*jwks));
    json_array_foreach(keys, i, key) {
        cjose_err cerr;
        cjose_jwk_t *jwk;
        json_t *public;
        char *json;
        const char *kid;

        if (jwks->n == FST_JWKS_MAX_KEYS)
            break;
        if (!json_is_object(key) || !usable(key))
            continue;
        /* Only the public modulus and exponent reach cjose, never the peer's other members. */
        public = json_pack("{s:s, s:s, s:s}", "kty", "RSA", "n", fst_json_string(key, "n"), "e",
                           fst_json_string(key, "e"));
        json = public ? json_dumps(public, JSON_COMPACT) : NULL;
        json_decref(public);
        if (json == NULL)
            continue;
        jwk = cjose_jwk_import(json, strlen(json), &cerr);
        free(json);
        if (jwk == NULL)
            continue;
        if (cjose_jwk_get_kty(jwk, &cerr) != CJOSE_JWK_KTY_RSA || cjose_jwk_get_keysize(jwk, &cerr) < FST_RSA_MIN_BITS) {
            cjose_jwk_release(jwk);
            continue;
        }
        apr_pool_cleanup_register(pool, jwk, release_key, apr_pool_cleanup_null);
        kid = fst_json_string(key, "kid");
        jwks->keys[jwks->n].kid = kid ? apr_pstrdup(pool, kid) : NULL;
        jwks->keys[jwks->n].jwk = jwk;
        jwks->n++;
    }
    json_decref(doc);
    if (jwks->n == 0) {
        *err = "JWKS: no usable RSA signing key (2048 bits or more)";
        return FST_JWKS_NO_KEYS;
    }
    *out = jwks;
    return FST_JWKS_OK;
}
