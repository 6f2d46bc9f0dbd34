/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "pseudonym.h"
#include "hash.h"

void fst_pseudonym(const unsigned char key[32], const char *number, char out[FST_PSEUDONYM_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char mac[32];
    size_t i;

    fst_hmac_sha256(key, number, strlen(number), mac);
    memcpy(out, FST_PSEUDONYM_PREFIX, 2);
    for (i = 0; i < 12; i++) {
        out[2 + 2 * i] = hex[mac[i] >> 4];
        out[3 + 2 * i] = hex[mac[i] & 15];
    }
    out[FST_PSEUDONYM_LEN] = '\0';
}
