/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "encoding.h"
#include "jwt_helper.h"

static const char *bn_b64(apr_pool_t *pool, EVP_PKEY *pkey, const char *param)
{
    BIGNUM *bn = NULL;
    unsigned char buf[1024];
    int len;

    EVP_PKEY_get_bn_param(pkey, param, &bn);
    len = BN_bn2bin(bn, buf);
    BN_free(bn);
    return fst_b64url_encode(pool, buf, (size_t)len);
}

/* The private keys written to /tmp, removed when the process that wrote them exits (check forks a
 * child per test; a child's exit must not remove the parent's files). */
#define MAX_KEY_FILES 64
static char key_files[MAX_KEY_FILES][32];
static int n_key_files;
static pid_t key_files_owner;

static void remove_key_files(void)
{
    int i;

    if (getpid() != key_files_owner)
        return;
    for (i = 0; i < n_key_files; i++)
        unlink(key_files[i]);
}

static void remember_key_file(const char *path)
{
    if (key_files_owner != getpid()) {
        key_files_owner = getpid();
        n_key_files = 0;
        atexit(remove_key_files);
    }
    if (n_key_files < MAX_KEY_FILES)
        snprintf(key_files[n_key_files++], sizeof(key_files[0]), "%s", path);
}

typedef struct key_owner {
    EVP_PKEY *pkey;
    char path[32];
    pid_t pid;
} key_owner_t;

/* With the pool: the key, and its file when this process wrote it (a forked test's teardown does
 * not remove what the parent made before forking; the parent's go at exit). */
static apr_status_t free_key(void *data)
{
    key_owner_t *o = data;

    EVP_PKEY_free(o->pkey);
    if (o->pid == getpid())
        unlink(o->path);
    return APR_SUCCESS;
}

test_key_t *test_key_new(apr_pool_t *pool, int bits, const char *kid)
{
    test_key_t *key = apr_pcalloc(pool, sizeof(*key));
    key_owner_t *owner = apr_pcalloc(pool, sizeof(*owner));
    char path[] = "/tmp/fs-unit-key-XXXXXX";
    int fd;
    FILE *f;

    key->pkey = EVP_RSA_gen((unsigned)bits);
    key->kid = kid;
    key->n_b64 = bn_b64(pool, key->pkey, OSSL_PKEY_PARAM_RSA_N);
    key->e_b64 = bn_b64(pool, key->pkey, OSSL_PKEY_PARAM_RSA_E);
    fd = mkstemp(path);
    f = fdopen(fd, "w");
    PEM_write_PrivateKey(f, key->pkey, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    remember_key_file(path);
    owner->pkey = key->pkey;
    owner->pid = getpid();
    snprintf(owner->path, sizeof(owner->path), "%s", path);
    apr_pool_cleanup_register(pool, owner, free_key, apr_pool_cleanup_null);
    key->pem_path = apr_pstrdup(pool, path);
    return key;
}

char *test_key_jwk(apr_pool_t *pool, const test_key_t *key)
{
    if (key->kid)
        return apr_psprintf(pool, "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"%s\",\"e\":\"%s\",\"n\":\"%s\"}",
                            key->kid, key->e_b64, key->n_b64);
    return apr_psprintf(pool, "{\"kty\":\"RSA\",\"e\":\"%s\",\"n\":\"%s\"}", key->e_b64, key->n_b64);
}

char *test_jwks(apr_pool_t *pool, ...)
{
    char *out = "{\"keys\":[";
    const test_key_t *key;
    int first = 1;
    va_list ap;

    va_start(ap, pool);
    while ((key = va_arg(ap, const test_key_t *)) != NULL) {
        out = apr_pstrcat(pool, out, first ? "" : ",", test_key_jwk(pool, key), NULL);
        first = 0;
    }
    va_end(ap);
    return apr_pstrcat(pool, out, "]}", NULL);
}

static char *signing_input(apr_pool_t *pool, const char *header_json, const char *payload_json)
{
    return apr_pstrcat(pool, fst_b64url_encode(pool, (const unsigned char *)header_json, strlen(header_json)), ".",
                       fst_b64url_encode(pool, (const unsigned char *)payload_json, strlen(payload_json)), NULL);
}

char *test_jwt_rs256(apr_pool_t *pool, const test_key_t *key, const char *header_json, const char *payload_json)
{
    char *input = signing_input(pool, header_json, payload_json);
    unsigned char sig[1024];
    size_t sig_len = sizeof(sig);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key->pkey);
    EVP_DigestSign(ctx, sig, &sig_len, (const unsigned char *)input, strlen(input));
    EVP_MD_CTX_free(ctx);
    return apr_pstrcat(pool, input, ".", fst_b64url_encode(pool, sig, sig_len), NULL);
}

char *test_jwt_hs256(apr_pool_t *pool, const char *secret, size_t secret_len, const char *header_json,
                     const char *payload_json)
{
    char *input = signing_input(pool, header_json, payload_json);
    unsigned char mac[32];
    unsigned int mac_len = sizeof(mac);

    HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)input, strlen(input), mac, &mac_len);
    return apr_pstrcat(pool, input, ".", fst_b64url_encode(pool, mac, mac_len), NULL);
}

char *test_jwt_unsigned(apr_pool_t *pool, const char *header_json, const char *payload_json)
{
    return apr_pstrcat(pool, signing_input(pool, header_json, payload_json), ".", NULL);
}
