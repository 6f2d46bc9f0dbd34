/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The fuzz targets' OP keys (fuzz_keys.h) as OpenSSL keys, JWKs and one parsed JWKS, made once.
 */
#ifndef FST_FUZZ_JOSE_H
#define FST_FUZZ_JOSE_H

#include <apr_strings.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "encoding.h"
#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "oidc/jwks.h"

static inline EVP_PKEY *fuzz_key(const char *pem)
{
    BIO *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);

    BIO_free(bio);
    if (key == NULL)
        abort();
    return key;
}

static inline const char *fuzz_bn_b64(apr_pool_t *pool, const EVP_PKEY *key, const char *param)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int len;

    if (!EVP_PKEY_get_bn_param(key, param, &bn))
        abort();
    len = BN_bn2bin(bn, buf);
    BN_free(bn);
    return fst_b64url_encode(pool, buf, (size_t)len);
}

/* The public JWK of key; kid NULL: none. */
static inline char *fuzz_jwk(apr_pool_t *pool, const EVP_PKEY *key, const char *kid)
{
    return apr_psprintf(pool, "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\"%s%s%s,\"e\":\"%s\",\"n\":\"%s\"}",
                        kid ? ",\"kid\":\"" : "", kid ? kid : "", kid ? "\"" : "",
                        fuzz_bn_b64(pool, key, OSSL_PKEY_PARAM_RSA_E), fuzz_bn_b64(pool, key, OSSL_PKEY_PARAM_RSA_N));
}

typedef struct fuzz_op_keys {
    EVP_PKEY *a, *b, *weak;
    const char *jwks_text; /* A with its kid, B without, the weak key */
    fst_jwks_t *jwks;
} fuzz_op_keys_t;

static inline const fuzz_op_keys_t *fuzz_op_keys(void)
{
    static fuzz_op_keys_t k;
    static apr_pool_t *keep;
    const char *err = NULL;

    if (k.a != NULL)
        return &k;
    FUZZ_KEEP_BEGIN();
    apr_pool_destroy(fuzz_pool()); /* initialises APR */
    apr_pool_create(&keep, NULL);
    k.a = fuzz_key(fuzz_key_a_pem);
    k.b = fuzz_key(fuzz_key_b_pem);
    k.weak = fuzz_key(fuzz_key_weak_pem);
    k.jwks_text = apr_psprintf(keep, "{\"keys\":[%s,%s,%s]}", fuzz_jwk(keep, k.a, FUZZ_KEY_A_KID),
                               fuzz_jwk(keep, k.b, NULL), fuzz_jwk(keep, k.weak, "weak"));
    if (fst_jwks_parse(keep, k.jwks_text, strlen(k.jwks_text), &k.jwks, &err) != FST_JWKS_OK || k.jwks->n != 2)
        abort();
    FUZZ_KEEP_END();
    return &k;
}

/* OpenSSL's own answer: does sig verify input under key with RS256? */
static inline int fuzz_rs256_verifies(EVP_PKEY *key, const char *input, size_t len, const unsigned char *sig,
                                      size_t sig_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = ctx != NULL && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)input, len) == 1;

    EVP_MD_CTX_free(ctx);
    return ok;
}

#endif
