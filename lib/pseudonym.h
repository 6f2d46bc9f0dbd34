/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The pseudonym of a fødselsnummer: what REMOTE_USER, the logs and the audit log show instead of
 * the number. HMAC-SHA256 with a key derived once from configuration, truncated to 96 bits, hex,
 * prefixed: "p-" and 24 hex digits. Without the key it cannot be reversed by trying every number.
 */
#ifndef FST_PSEUDONYM_H
#define FST_PSEUDONYM_H

#define FST_PSEUDONYM_PREFIX "p-"
#define FST_PSEUDONYM_LEN (2 + 24)

/* Write the pseudonym of number into out (FST_PSEUDONYM_LEN + 1 bytes). */
void fst_pseudonym(const unsigned char key[32], const char *number, char out[FST_PSEUDONYM_LEN + 1]);

#endif
