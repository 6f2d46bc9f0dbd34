/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * SHA-256 and HMAC-SHA256, for the places that need a digest: keys of the table of ended
 * sessions, pseudonyms, a CSP script hash.
 */
#ifndef FST_HASH_H
#define FST_HASH_H

#include <stddef.h>

#define FST_SHA256_LEN 32

/* SHA-256 of len bytes. */
void fst_sha256(const void *data, size_t len, unsigned char out[FST_SHA256_LEN]);

/* SHA-256 of the concatenation of parts (NULL-terminated list of strings), each followed by a NUL,
 * so ("ab", "c") and ("a", "bc") differ. */
void fst_sha256_parts(unsigned char out[FST_SHA256_LEN], ...);

/* HMAC-SHA256 with a 32-byte key. */
void fst_hmac_sha256(const unsigned char key[FST_SHA256_LEN], const void *data, size_t len,
                     unsigned char out[FST_SHA256_LEN]);

#endif
