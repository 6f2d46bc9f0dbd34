/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hash.h"

void fst_sha256(const void *data, size_t len, unsigned char out[FST_SHA256_LEN])
{
    unsigned int outl = FST_SHA256_LEN;

    EVP_Digest(data, len, out, &outl, EVP_sha256(), NULL);
}

void fst_sha256_parts(unsigned char out[FST_SHA256_LEN], ...)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const char *part;
    unsigned int outl = FST_SHA256_LEN;
    va_list ap;

    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    va_start(ap, out);
    while ((part = va_arg(ap, const char *)) != NULL)
        EVP_DigestUpdate(ctx, part, strlen(part) + 1);
    va_end(ap);
    EVP_DigestFinal_ex(ctx, out, &outl);
    EVP_MD_CTX_free(ctx);
}

void fst_hmac_sha256(const unsigned char key[FST_SHA256_LEN], const void *data, size_t len,
                     unsigned char out[FST_SHA256_LEN])
{
    unsigned int outl = FST_SHA256_LEN;

    HMAC(EVP_sha256(), key, FST_SHA256_LEN, data, len, out, &outl);
}
