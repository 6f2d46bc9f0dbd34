/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The cookies' sealing: AES-256-GCM with a fresh random 96-bit IV per seal, keys derived with
 * HKDF-SHA256 from the configured passphrase once per process (plain digests: lib/hash.h). The
 * sealed form is base64url of
 *   version (1 byte) | IV (12) | ciphertext | tag (16)
 * and the associated data binds a cookie to its kind and its site, so a state cookie cannot pass
 * as a session cookie and another vhost's cookie does not open here. Opening tries the current
 * key, then the previous one (passphrase rollover).
 */
#ifndef FST_COOKIE_CRYPTO_H
#define FST_COOKIE_CRYPTO_H

#include <stddef.h>
#include <apr_pools.h>

#define FST_KEY_LEN 32
#define FST_AEAD_MAX_KEYS 2
#define FST_AEAD_OVERHEAD (1 + 12 + 16)

/* HKDF-SHA256(secret, salt "mod_foresatt v1", info purpose) into out. Returns 1, or 0 with *err. */
int fst_key_derive(const char *secret, const char *purpose, unsigned char out[FST_KEY_LEN], const char **err);

typedef struct fst_aead fst_aead_t;

/* A sealer with n (1 or 2) keys; the first seals, all open. The cipher is fetched here once;
 * everything is released when pool is cleared. NULL with *err when OpenSSL has no AES-256-GCM. */
fst_aead_t *fst_aead_create(apr_pool_t *pool, const unsigned char (*keys)[FST_KEY_LEN], int n, const char **err);

/* Seal len bytes; returns the base64url text, or NULL when randomness or the cipher failed. */
char *fst_aead_seal(const fst_aead_t *aead, apr_pool_t *pool, const char *aad, const unsigned char *plain,
                    size_t len);

typedef enum fst_aead_result {
    FST_AEAD_OK = 0,
    FST_AEAD_MALFORMED,   /* not base64url, too short, unknown version */
    FST_AEAD_REJECTED     /* no key authenticates it: tampered, truncated, foreign or old key */
} fst_aead_result_t;

/* Open text (len characters). On FST_AEAD_OK *plain (len *plain_len) is in pool; *key_index says
 * which key opened it (0 current, 1 previous). */
fst_aead_result_t fst_aead_open(const fst_aead_t *aead, apr_pool_t *pool, const char *aad, const char *text,
                                size_t len, unsigned char **plain, size_t *plain_len, int *key_index);

/* An opener: decryption contexts keyed once, reused for many cookies (one per connection in httpd,
 * so a keep-alive connection pays the context setup once). Not for two threads at a time. Released
 * when pool is cleared; NULL when OpenSSL cannot make the contexts. */
typedef struct fst_aead_opener fst_aead_opener_t;
fst_aead_opener_t *fst_aead_opener_create(const fst_aead_t *aead, apr_pool_t *pool);
/* As fst_aead_open. */
fst_aead_result_t fst_aead_opener_open(fst_aead_opener_t *opener, apr_pool_t *pool, const char *aad,
                                       const char *text, size_t len, unsigned char **plain, size_t *plain_len,
                                       int *key_index);

#endif
