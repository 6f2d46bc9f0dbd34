/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>
#include <cjose/jws.h>

#include "encoding.h"
#include "json_guard.h"
#include "jws_verify.h"

#define HEADER_MAX 2048

static const char *const allowed_algs[] = {"RS256", NULL};

static int alg_allowed(const char *alg)
{
    size_t i;

    for (i = 0; allowed_algs[i]; i++)
        if (strcmp(alg, allowed_algs[i]) == 0)
            return 1;
    return 0;
}

static int b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : 63;
}

/* The segment ending at end (n characters) is the one encoding of its bytes: a length that can
 * decode, and the unused low bits of its last character zero. cjose decodes leniently, so without
 * this one signature could be written several ways and the token would not be one string. */
static int canonical_segment(const char *end, size_t n)
{
    if (n % 4 == 1)
        return 0;
    if (n % 4 == 2)
        return (b64url_value(end[-1]) & 0x0f) == 0;
    if (n % 4 == 3)
        return (b64url_value(end[-1]) & 0x03) == 0;
    return 1;
}

/* Exactly three non-empty, canonical base64url segments; returns the header segment's length. */
static size_t compact_shape(const char *s, size_t len)
{
    size_t i, dots = 0, seg = 0, first = 0;

    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (seg == 0 || !canonical_segment(s + i, seg))
                return 0;
            if (dots++ == 0)
                first = i;
            seg = 0;
        }
        else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
            seg++;
        }
        else {
            return 0;
        }
    }
    return dots == 2 && seg > 0 && canonical_segment(s + len, seg) ? first : 0;
}

fst_jws_result_t fst_jws_verify(apr_pool_t *pool, const char *compact, const fst_jwks_t *jwks, char **payload,
                                size_t *payload_len, const char **kid)
{
    unsigned char header[HEADER_MAX];
    const char *jerr = NULL, *alg;
    size_t len = compact ? strlen(compact) : 0, hlen;
    long n;
    json_t *hdr;
    cjose_jws_t *jws;
    cjose_err cerr;
    fst_jws_result_t rc = FST_JWS_SIGNATURE;
    int i, tried = 0;
    uint8_t *plain = NULL;
    size_t plain_len = 0;

    *kid = NULL;
    if (len == 0 || len > FST_JWS_MAX_BYTES || (hlen = compact_shape(compact, len)) == 0)
        return FST_JWS_MALFORMED;
    n = fst_b64url_decode(header, sizeof(header), compact, hlen);
    if (n <= 0)
        return FST_JWS_MALFORMED;
    hdr = fst_json_parse_object((const char *)header, (size_t)n, HEADER_MAX, 4, &jerr);
    if (hdr == NULL)
        return FST_JWS_MALFORMED;
    if (json_object_get(hdr, "kid") != NULL) {
        const char *k = fst_json_string(hdr, "kid");
        if (k == NULL || strlen(k) > 256) {
            json_decref(hdr);
            return FST_JWS_MALFORMED;
        }
        *kid = apr_pstrdup(pool, k);
    }
    alg = fst_json_string(hdr, "alg");
    if (alg == NULL || !alg_allowed(alg)) {
        json_decref(hdr);
        return FST_JWS_ALG;
    }
    if (json_object_get(hdr, "crit") != NULL) {
        json_decref(hdr);
        return FST_JWS_CRIT;
    }
    json_decref(hdr);

    jws = cjose_jws_import(compact, len, &cerr);
    if (jws == NULL)
        return FST_JWS_MALFORMED;
    for (i = 0; i < jwks->n; i++) {
        const fst_jwk_t *key = &jwks->keys[i];
        /* With a kid: that kid only (keys without one as a fallback, see below). */
        if (*kid != NULL && (key->kid == NULL || strcmp(key->kid, *kid) != 0))
            continue;
        tried++;
        if (cjose_jws_verify(jws, key->jwk, &cerr)) {
            rc = FST_JWS_OK;
            break;
        }
    }
    if (rc != FST_JWS_OK && *kid != NULL && tried == 0) {
        /* No key carries this kid. Keys published without a kid may still be the signer. */
        for (i = 0; i < jwks->n; i++) {
            if (jwks->keys[i].kid != NULL)
                continue;
            tried++;
            if (cjose_jws_verify(jws, jwks->keys[i].jwk, &cerr)) {
                rc = FST_JWS_OK;
                break;
            }
        }
        if (tried == 0)
            rc = FST_JWS_UNKNOWN_KID;
    }
    if (rc == FST_JWS_OK) {
        if (!cjose_jws_get_plaintext(jws, &plain, &plain_len, &cerr)) {
            rc = FST_JWS_MALFORMED;
        }
        else {
            *payload = apr_pstrmemdup(pool, (const char *)plain, plain_len);
            *payload_len = plain_len;
        }
    }
    cjose_jws_release(jws);
    return rc;
}

const char *fst_jws_result_text(fst_jws_result_t r)
{
    switch (r) {
    case FST_JWS_OK:
        return "ok";
    case FST_JWS_MALFORMED:
        return "not a well-formed compact JWS";
    case FST_JWS_ALG:
        return "alg missing or not allowed (RS256 only)";
    case FST_JWS_CRIT:
        return "crit header present";
    case FST_JWS_UNKNOWN_KID:
        return "no key with this kid in the OP's JWKS";
    case FST_JWS_SIGNATURE:
        return "signature does not verify";
    }
    return "unknown";
}
