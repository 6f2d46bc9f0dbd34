/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "cookie_crypto.h"
#include "encoding.h"

#define VERSION 1
#define IV_LEN 12
#define TAG_LEN 16

struct fst_aead {
    EVP_CIPHER *cipher;
    int n_keys;
    unsigned char keys[FST_AEAD_MAX_KEYS][FST_KEY_LEN];
};

int fst_key_derive(const char *secret, const char *purpose, unsigned char out[FST_KEY_LEN], const char **err)
{
    static const char salt[] = "mod_foresatt v1";
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = NULL;
    OSSL_PARAM params[5], *p = params;
    int ok = 0;

    if (kdf == NULL || (ctx = EVP_KDF_CTX_new(kdf)) == NULL) {
        *err = "OpenSSL offers no HKDF";
        goto end;
    }
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, strlen(secret));
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, sizeof(salt) - 1);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)purpose, strlen(purpose));
    *p = OSSL_PARAM_construct_end();
    if (EVP_KDF_derive(ctx, out, FST_KEY_LEN, params) != 1) {
        *err = "HKDF derivation failed";
        goto end;
    }
    ok = 1;
end:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

static apr_status_t aead_cleanup(void *data)
{
    fst_aead_t *aead = data;

    EVP_CIPHER_free(aead->cipher);
    OPENSSL_cleanse(aead->keys, sizeof(aead->keys));
    return APR_SUCCESS;
}

fst_aead_t *fst_aead_create(apr_pool_t *pool, const unsigned char (*keys)[FST_KEY_LEN], int n, const char **err)
{
    fst_aead_t *aead;
    int i;

    if (n < 1 || n > FST_AEAD_MAX_KEYS) {
        *err = "one or two keys are needed";
        return NULL;
    }
    aead = apr_pcalloc(pool, sizeof(*aead));
    /* Fetched once: an implicit fetch per request would cost a provider lookup each time. */
    aead->cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
    if (aead->cipher == NULL) {
        *err = "OpenSSL offers no AES-256-GCM";
        return NULL;
    }
    aead->n_keys = n;
    for (i = 0; i < n; i++)
        memcpy(aead->keys[i], keys[i], FST_KEY_LEN);
    apr_pool_cleanup_register(pool, aead, aead_cleanup, apr_pool_cleanup_null);
    return aead;
}

char *fst_aead_seal(const fst_aead_t *aead, apr_pool_t *pool, const char *aad, const unsigned char *plain,
                    size_t len)
{
    size_t total = FST_AEAD_OVERHEAD + len;
    unsigned char *buf = apr_palloc(pool, total), *iv = buf + 1, *ct = buf + 1 + IV_LEN;
    unsigned char version = VERSION;
    EVP_CIPHER_CTX *ctx;
    int outl = 0, ok;

    buf[0] = VERSION;
    if (!fst_random_bytes(iv, IV_LEN))
        return NULL;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return NULL;
    ok = EVP_EncryptInit_ex2(ctx, aead->cipher, aead->keys[0], iv, NULL) == 1 &&
         EVP_EncryptUpdate(ctx, NULL, &outl, &version, 1) == 1 &&
         EVP_EncryptUpdate(ctx, NULL, &outl, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
         (len == 0 || EVP_EncryptUpdate(ctx, ct, &outl, plain, (int)len) == 1) &&
         EVP_EncryptFinal_ex(ctx, ct + len, &outl) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN, ct + len) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? fst_b64url_encode(pool, buf, total) : NULL;
}

/* Decrypt with a context already keyed with key k: only the IV is set per message, so the key
 * schedule and the provider's context are made once per opener, not once per cookie. */
static int open_keyed(EVP_CIPHER_CTX *ctx, const char *aad, const unsigned char *buf, size_t total,
                      unsigned char *plain)
{
    size_t len = total - FST_AEAD_OVERHEAD;
    const unsigned char *iv = buf + 1, *ct = buf + 1 + IV_LEN, *tag = ct + len;
    int outl = 0;

    return EVP_DecryptInit_ex2(ctx, NULL, NULL, iv, NULL) == 1 &&
           EVP_DecryptUpdate(ctx, NULL, &outl, buf, 1) == 1 &&
           EVP_DecryptUpdate(ctx, NULL, &outl, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
           (len == 0 || EVP_DecryptUpdate(ctx, plain, &outl, ct, (int)len) == 1) &&
           EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)tag) == 1 &&
           EVP_DecryptFinal_ex(ctx, plain + len, &outl) == 1;
}

struct fst_aead_opener {
    const fst_aead_t *aead;
    EVP_CIPHER_CTX *ctx[FST_AEAD_MAX_KEYS];
};

static apr_status_t opener_cleanup(void *data)
{
    fst_aead_opener_t *o = data;
    int k;

    for (k = 0; k < FST_AEAD_MAX_KEYS; k++)
        EVP_CIPHER_CTX_free(o->ctx[k]);
    return APR_SUCCESS;
}

fst_aead_opener_t *fst_aead_opener_create(const fst_aead_t *aead, apr_pool_t *pool)
{
    fst_aead_opener_t *o = apr_pcalloc(pool, sizeof(*o));
    int k;

    o->aead = aead;
    apr_pool_cleanup_register(pool, o, opener_cleanup, apr_pool_cleanup_null);
    for (k = 0; k < aead->n_keys; k++) {
        o->ctx[k] = EVP_CIPHER_CTX_new();
        if (o->ctx[k] == NULL || EVP_DecryptInit_ex2(o->ctx[k], aead->cipher, aead->keys[k], NULL, NULL) != 1)
            return NULL;
    }
    return o;
}

static int open_with(const fst_aead_t *aead, int k, const char *aad, const unsigned char *buf, size_t total,
                     unsigned char *plain)
{
    size_t len = total - FST_AEAD_OVERHEAD;
    const unsigned char *iv = buf + 1, *ct = buf + 1 + IV_LEN, *tag = ct + len;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, ok;

    if (ctx == NULL)
        return 0;
    ok = EVP_DecryptInit_ex2(ctx, aead->cipher, aead->keys[k], iv, NULL) == 1 &&
         EVP_DecryptUpdate(ctx, NULL, &outl, buf, 1) == 1 &&
         EVP_DecryptUpdate(ctx, NULL, &outl, (const unsigned char *)aad, (int)strlen(aad)) == 1 &&
         (len == 0 || EVP_DecryptUpdate(ctx, plain, &outl, ct, (int)len) == 1) &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN, (void *)tag) == 1 &&
         EVP_DecryptFinal_ex(ctx, plain + len, &outl) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

static fst_aead_result_t open_any(const fst_aead_t *aead, fst_aead_opener_t *opener, apr_pool_t *pool,
                                  const char *aad, const char *text, size_t len, unsigned char **plain,
                                  size_t *plain_len, int *key_index)
{
    unsigned char *buf = apr_palloc(pool, FST_B64URL_DECODED_MAX(len)), *out;
    long total = fst_b64url_decode(buf, FST_B64URL_DECODED_MAX(len), text, len);
    int k;

    if (total < FST_AEAD_OVERHEAD || buf[0] != VERSION)
        return FST_AEAD_MALFORMED;
    out = apr_palloc(pool, (size_t)total - FST_AEAD_OVERHEAD + 1);
    for (k = 0; k < aead->n_keys; k++) {
        int ok = opener ? open_keyed(opener->ctx[k], aad, buf, (size_t)total, out)
                        : open_with(aead, k, aad, buf, (size_t)total, out);
        if (ok) {
            out[total - FST_AEAD_OVERHEAD] = '\0';
            *plain = out;
            *plain_len = (size_t)total - FST_AEAD_OVERHEAD;
            if (key_index != NULL)
                *key_index = k;
            return FST_AEAD_OK;
        }
    }
    return FST_AEAD_REJECTED;
}

fst_aead_result_t fst_aead_open(const fst_aead_t *aead, apr_pool_t *pool, const char *aad, const char *text,
                                size_t len, unsigned char **plain, size_t *plain_len, int *key_index)
{
    return open_any(aead, NULL, pool, aad, text, len, plain, plain_len, key_index);
}

fst_aead_result_t fst_aead_opener_open(fst_aead_opener_t *opener, apr_pool_t *pool, const char *aad,
                                       const char *text, size_t len, unsigned char **plain, size_t *plain_len,
                                       int *key_index)
{
    return open_any(opener->aead, opener, pool, aad, text, len, plain, plain_len, key_index);
}
