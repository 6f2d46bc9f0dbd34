/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "client_assertion.h"
#include "encoding.h"

struct fst_client_key {
    EVP_PKEY *pkey;
    const char *kid;
    const char *n_b64, *e_b64; /* public modulus and exponent, base64url */
};

static apr_status_t key_cleanup(void *data)
{
    EVP_PKEY_free(data);
    return APR_SUCCESS;
}

static const char *bn_b64(apr_pool_t *pool, EVP_PKEY *pkey, const char *param)
{
    BIGNUM *bn = NULL;
    unsigned char *buf;
    const char *out;
    int len;

    if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
        return NULL;
    len = BN_num_bytes(bn);
    buf = apr_palloc(pool, (apr_size_t)len + 1);
    BN_bn2bin(bn, buf);
    out = fst_b64url_encode(pool, buf, (size_t)len);
    BN_free(bn);
    return out;
}

fst_client_key_t *fst_client_key_load(apr_pool_t *pool, const char *path, const char *kid, const char **err)
{
    fst_client_key_t *key;
    EVP_PKEY *pkey;
    FILE *f = fopen(path, "r");

    if (f == NULL) {
        *err = apr_psprintf(pool, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (pkey == NULL) {
        ERR_clear_error();
        *err = apr_psprintf(pool, "%s holds no PEM private key (an unencrypted RSA key is needed)", path);
        return NULL;
    }
    apr_pool_cleanup_register(pool, pkey, key_cleanup, apr_pool_cleanup_null);
    if (EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA) {
        *err = apr_psprintf(pool, "%s is not an RSA key (RS256 needs RSA)", path);
        return NULL;
    }
    if (EVP_PKEY_get_bits(pkey) < 2048) {
        *err = apr_psprintf(pool, "%s is a %d-bit RSA key; use 2048 bits or more", path, EVP_PKEY_get_bits(pkey));
        return NULL;
    }
    key = apr_pcalloc(pool, sizeof(*key));
    key->pkey = pkey;
    key->n_b64 = bn_b64(pool, pkey, OSSL_PKEY_PARAM_RSA_N);
    key->e_b64 = bn_b64(pool, pkey, OSSL_PKEY_PARAM_RSA_E);
    if (key->n_b64 == NULL || key->e_b64 == NULL) {
        *err = apr_psprintf(pool, "%s: cannot read the RSA public parameters", path);
        return NULL;
    }
    if (kid != NULL) {
        key->kid = apr_pstrdup(pool, kid);
    }
    else {
        /* RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace. */
        const char *canon = apr_psprintf(pool, "{\"e\":\"%s\",\"kty\":\"RSA\",\"n\":\"%s\"}", key->e_b64, key->n_b64);
        unsigned char digest[SHA256_DIGEST_LENGTH];

        SHA256((const unsigned char *)canon, strlen(canon), digest);
        key->kid = fst_b64url_encode(pool, digest, sizeof(digest));
    }
    return key;
}

const char *fst_client_key_kid(const fst_client_key_t *key)
{
    return key->kid;
}

char *fst_client_key_public_jwk(apr_pool_t *pool, const fst_client_key_t *key)
{
    return apr_psprintf(pool, "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"%s\",\"e\":\"%s\",\"n\":\"%s\"}",
                        key->kid, key->e_b64, key->n_b64);
}

static char *json_b64(apr_pool_t *pool, json_t *json)
{
    char *text = json_dumps(json, JSON_COMPACT);
    char *out;

    json_decref(json);
    if (text == NULL)
        return NULL;
    out = fst_b64url_encode(pool, (const unsigned char *)text, strlen(text));
    free(text);
    return out;
}

char *fst_client_assertion(apr_pool_t *pool, const fst_client_key_t *key, const char *client_id, const char *audience,
                           int64_t now, const char **err)
{
    const char *jti = fst_random_token(pool, 24);
    char *header, *claims, *input;
    unsigned char *sig;
    size_t sig_len = 0;
    EVP_MD_CTX *ctx;
    int ok;

    if (jti == NULL) {
        *err = "no randomness for jti";
        return NULL;
    }
    header = json_b64(pool, json_pack("{s:s, s:s, s:s}", "alg", "RS256", "kid", key->kid, "typ", "JWT"));
    claims = json_b64(pool, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", client_id, "sub", client_id, "aud",
                                      audience, "jti", jti, "iat", (json_int_t)now, "exp",
                                      (json_int_t)(now + FST_CLIENT_ASSERTION_LIFETIME)));
    if (header == NULL || claims == NULL) {
        *err = "cannot build the assertion";
        return NULL;
    }
    input = apr_pstrcat(pool, header, ".", claims, NULL);
    ctx = EVP_MD_CTX_new();
    ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey) == 1 &&
         EVP_DigestSign(ctx, NULL, &sig_len, (const unsigned char *)input, strlen(input)) == 1;
    sig = ok ? apr_palloc(pool, sig_len) : NULL;
    ok = ok && EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)input, strlen(input)) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        ERR_clear_error();
        *err = "RS256 signing failed";
        return NULL;
    }
    return apr_pstrcat(pool, input, ".", fst_b64url_encode(pool, sig, sig_len), NULL);
}
