/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The language of a self-service page: Norwegian bokmål unless the visitor asks for English.
 * ?lang=en / ?lang=nb wins; otherwise the most preferred of Accept-Language's nb, nn, no (all
 * bokmål here) and en (any region); otherwise bokmål.
 */
#ifndef FST_SELFSERVICE_LANG_H
#define FST_SELFSERVICE_LANG_H

typedef enum fst_lang {
    FST_LANG_NB = 0,
    FST_LANG_EN = 1
} fst_lang_t;

#define FST_LANG_COUNT 2

/* The language for a request: query is the lang parameter (or NULL), accept the Accept-Language
 * header (or NULL). */
fst_lang_t fst_lang_negotiate(const char *query, const char *accept);

/* "nb" or "en". */
const char *fst_lang_code(fst_lang_t lang);

/* 1 and *lang for "nb", "nn", "no", "en" (any case, with or without a region); 0 otherwise. */
int fst_lang_parse(const char *code, fst_lang_t *lang);

#endif
