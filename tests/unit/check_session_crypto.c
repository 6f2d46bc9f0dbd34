/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "pseudonym.h"
#include "session/cookie_crypto.h"
#include "unit_main.h"

static fst_aead_t *sealer(const char *pass1, const char *pass2)
{
    unsigned char keys[2][FST_KEY_LEN];
    const char *err = NULL;
    fst_aead_t *a;

    ck_assert(fst_key_derive(pass1, "session cookie", keys[0], &err));
    if (pass2)
        ck_assert(fst_key_derive(pass2, "session cookie", keys[1], &err));
    a = fst_aead_create(pool, (const unsigned char(*)[FST_KEY_LEN])keys, pass2 ? 2 : 1, &err);
    ck_assert_ptr_nonnull(a);
    return a;
}

START_TEST(derivation)
{
    unsigned char a[FST_KEY_LEN], b[FST_KEY_LEN], c[FST_KEY_LEN];
    const char *err = NULL;

    ck_assert(fst_key_derive("correct horse battery staple", "session cookie", a, &err));
    ck_assert(fst_key_derive("correct horse battery staple", "session cookie", b, &err));
    ck_assert(memcmp(a, b, sizeof(a)) == 0);
    ck_assert(fst_key_derive("correct horse battery staple", "pseudonym", c, &err));
    ck_assert(memcmp(a, c, sizeof(a)) != 0);
    ck_assert(fst_key_derive("correct horse battery stapla", "session cookie", c, &err));
    ck_assert(memcmp(a, c, sizeof(a)) != 0);
}
END_TEST

START_TEST(seal_open)
{
    fst_aead_t *a = sealer("passphrase number one", NULL);
    const unsigned char msg[] = "the session record";
    unsigned char *plain = NULL;
    size_t len = 0;
    int k = -1;
    char *c1 = fst_aead_seal(a, pool, "session|site", msg, sizeof(msg) - 1);
    char *c2 = fst_aead_seal(a, pool, "session|site", msg, sizeof(msg) - 1);

    ck_assert_ptr_nonnull(c1);
    /* A fresh IV every time: sealing the same record twice never gives the same cookie. */
    ck_assert_str_ne(c1, c2);
    ck_assert_int_eq(fst_aead_open(a, pool, "session|site", c1, strlen(c1), &plain, &len, &k), FST_AEAD_OK);
    ck_assert_int_eq(len, sizeof(msg) - 1);
    ck_assert(memcmp(plain, msg, len) == 0);
    ck_assert_int_eq(k, 0);
    /* Empty plaintext works too. */
    c1 = fst_aead_seal(a, pool, "x", (const unsigned char *)"", 0);
    ck_assert_int_eq(fst_aead_open(a, pool, "x", c1, strlen(c1), &plain, &len, NULL), FST_AEAD_OK);
    ck_assert_int_eq(len, 0);
}
END_TEST

START_TEST(every_flipped_bit_is_rejected)
{
    fst_aead_t *a = sealer("passphrase number one", NULL);
    const unsigned char msg[] = "session";
    char *c = fst_aead_seal(a, pool, "aad", msg, sizeof(msg) - 1);
    size_t n = strlen(c), i;
    unsigned char *plain;
    size_t len;

    for (i = 0; i < n; i++) {
        char *t = apr_pstrdup(pool, c);
        fst_aead_result_t r;

        t[i] = t[i] == 'A' ? 'B' : 'A';
        r = fst_aead_open(a, pool, "aad", t, n, &plain, &len, NULL);
        ck_assert_msg(r != FST_AEAD_OK, "flipped character %lu accepted", (unsigned long)i);
    }
}
END_TEST

START_TEST(truncated_foreign_and_garbage)
{
    fst_aead_t *a = sealer("passphrase number one", NULL), *other = sealer("another passphrase entirely", NULL);
    const unsigned char msg[] = "session record";
    char *c = fst_aead_seal(a, pool, "aad", msg, sizeof(msg) - 1);
    unsigned char *plain;
    size_t len, n = strlen(c), cut;

    for (cut = 0; cut < n; cut++)
        ck_assert(fst_aead_open(a, pool, "aad", c, cut, &plain, &len, NULL) != FST_AEAD_OK);
    ck_assert_int_eq(fst_aead_open(other, pool, "aad", c, n, &plain, &len, NULL), FST_AEAD_REJECTED);
    ck_assert_int_eq(fst_aead_open(a, pool, "other-aad", c, n, &plain, &len, NULL), FST_AEAD_REJECTED);
    ck_assert_int_eq(fst_aead_open(a, pool, "aad", "not base64!", 11, &plain, &len, NULL), FST_AEAD_MALFORMED);
    ck_assert_int_eq(fst_aead_open(a, pool, "aad", "", 0, &plain, &len, NULL), FST_AEAD_MALFORMED);
    /* Unknown version byte. */
    ck_assert_int_eq(fst_aead_open(a, pool, "aad", "AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 40, &plain, &len, NULL),
                     FST_AEAD_MALFORMED);
}
END_TEST

START_TEST(rollover)
{
    fst_aead_t *old = sealer("the old passphrase here", NULL);
    fst_aead_t *both = sealer("the new passphrase here", "the old passphrase here");
    fst_aead_t *new_only = sealer("the new passphrase here", NULL);
    const unsigned char msg[] = "record";
    char *c = fst_aead_seal(old, pool, "aad", msg, 6), *fresh;
    unsigned char *plain;
    size_t len;
    int k = -1;

    ck_assert_int_eq(fst_aead_open(both, pool, "aad", c, strlen(c), &plain, &len, &k), FST_AEAD_OK);
    ck_assert_int_eq(k, 1);
    ck_assert_int_eq(fst_aead_open(new_only, pool, "aad", c, strlen(c), &plain, &len, &k), FST_AEAD_REJECTED);
    /* New cookies are sealed with the first (new) key. */
    fresh = fst_aead_seal(both, pool, "aad", msg, 6);
    ck_assert_int_eq(fst_aead_open(new_only, pool, "aad", fresh, strlen(fresh), &plain, &len, &k), FST_AEAD_OK);
    ck_assert_int_eq(fst_aead_open(old, pool, "aad", fresh, strlen(fresh), &plain, &len, &k), FST_AEAD_REJECTED);
}
END_TEST

START_TEST(bad_key_count)
{
    unsigned char keys[3][FST_KEY_LEN] = {{0}};
    const char *err = NULL;

    ck_assert_ptr_null(fst_aead_create(pool, (const unsigned char(*)[FST_KEY_LEN])keys, 0, &err));
    ck_assert_ptr_null(fst_aead_create(pool, (const unsigned char(*)[FST_KEY_LEN])keys, 3, &err));
    ck_assert_str_eq(err, "one or two keys are needed");
}
END_TEST

START_TEST(pseudonyms)
{
    unsigned char k1[FST_KEY_LEN], k2[FST_KEY_LEN];
    char a[FST_PSEUDONYM_LEN + 1], b[FST_PSEUDONYM_LEN + 1], c[FST_PSEUDONYM_LEN + 1];
    const char *err = NULL;
    size_t i;

    fst_key_derive("secret one", "pseudonym", k1, &err);
    fst_key_derive("secret two", "pseudonym", k2, &err);
    fst_pseudonym(k1, "20036914700", a);
    fst_pseudonym(k1, "20036914700", b);
    ck_assert_str_eq(a, b);
    ck_assert_int_eq(strlen(a), FST_PSEUDONYM_LEN);
    ck_assert(strncmp(a, "p-", 2) == 0);
    for (i = 2; i < FST_PSEUDONYM_LEN; i++)
        ck_assert(strchr("0123456789abcdef", a[i]) != NULL);
    ck_assert_ptr_null(strstr(a, "20036914700"));
    fst_pseudonym(k2, "20036914700", c);
    ck_assert_str_ne(a, c);
    fst_pseudonym(k1, "30108299939", c);
    ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(opener_reuses_its_contexts)
{
    fst_aead_t *both = sealer("the new passphrase here", "the old passphrase here");
    fst_aead_t *old = sealer("the old passphrase here", NULL);
    fst_aead_opener_t *o = fst_aead_opener_create(both, pool);
    const unsigned char msg[] = "a session record, more or less";
    unsigned char *plain;
    size_t len;
    int i, k = -1;

    ck_assert_ptr_nonnull(o);
    /* Many cookies through one opener, good and bad interleaved: a failure leaves it usable. */
    for (i = 0; i < 50; i++) {
        char *c = fst_aead_seal(i % 3 == 0 ? old : both, pool, "aad", msg, sizeof(msg) - 1 - (size_t)(i % 7));
        char *bad = apr_pstrdup(pool, c);

        ck_assert_int_eq(fst_aead_opener_open(o, pool, "aad", c, strlen(c), &plain, &len, &k), FST_AEAD_OK);
        ck_assert_int_eq(len, sizeof(msg) - 1 - (size_t)(i % 7));
        ck_assert(memcmp(plain, msg, len) == 0);
        ck_assert_int_eq(k, i % 3 == 0 ? 1 : 0);
        bad[strlen(bad) - 3] = bad[strlen(bad) - 3] == 'A' ? 'B' : 'A';
        ck_assert(fst_aead_opener_open(o, pool, "aad", bad, strlen(bad), &plain, &len, NULL) != FST_AEAD_OK);
        ck_assert_int_eq(fst_aead_opener_open(o, pool, "other", c, strlen(c), &plain, &len, NULL), FST_AEAD_REJECTED);
    }
    ck_assert_int_eq(fst_aead_opener_open(o, pool, "aad", "AQ", 2, &plain, &len, NULL), FST_AEAD_MALFORMED);
}
END_TEST

UNIT_MAIN("session_crypto", derivation, seal_open, every_flipped_bit_is_rejected, truncated_foreign_and_garbage,
          rollover, bad_key_count, pseudonyms, opener_reuses_its_contexts)
