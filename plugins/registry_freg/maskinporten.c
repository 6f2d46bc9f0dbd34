/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "maskinporten.h"
#include "say.h"

#define ASSERTION_LIFETIME 60 /* Maskinporten accepts at most 120 s between iat and exp */
#define TOKEN_ANSWER_MAX (64 * 1024)

struct fr_tokens {
    pthread_mutex_t mutex;
    pthread_cond_t landed;
    char *token_url, *audience, *client_id, *scope, *kid, *x5c_json;
    EVP_PKEY *key;
    fr_http_t *http;
    const foresatt_host_t *host;
    /* the cached token */
    char token[FR_TOKEN_MAX];
    int have;
    time_t refresh_at; /* monotonic seconds */
    /* the grant in progress */
    int fetching;
    unsigned long generation; /* grants landed */
    foresatt_result_t last_rc;
    foresatt_status_t last_status;
};

static time_t monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

fr_tokens_t *fr_tokens_create(const fr_tokens_config_t *config, EVP_PKEY *key, fr_http_t *http,
                              const foresatt_host_t *host)
{
    fr_tokens_t *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    pthread_mutex_init(&t->mutex, NULL);
    pthread_cond_init(&t->landed, NULL);
    t->token_url = strdup(config->token_url);
    t->audience = strdup(config->audience);
    t->client_id = strdup(config->client_id);
    t->scope = strdup(config->scope);
    t->kid = config->kid ? strdup(config->kid) : NULL;
    t->x5c_json = config->x5c_json ? strdup(config->x5c_json) : NULL;
    EVP_PKEY_up_ref(key);
    t->key = key;
    t->http = http;
    t->host = host;
    if (!t->token_url || !t->audience || !t->client_id || !t->scope || (config->kid && !t->kid) ||
        (config->x5c_json && !t->x5c_json)) {
        fr_tokens_destroy(t);
        return NULL;
    }
    return t;
}

void fr_tokens_destroy(fr_tokens_t *t)
{
    if (t == NULL)
        return;
    OPENSSL_cleanse(t->token, sizeof(t->token));
    pthread_mutex_destroy(&t->mutex);
    pthread_cond_destroy(&t->landed);
    free(t->token_url);
    free(t->audience);
    free(t->client_id);
    free(t->scope);
    free(t->kid);
    free(t->x5c_json);
    EVP_PKEY_free(t->key);
    free(t);
}

void fr_tokens_forget(fr_tokens_t *t)
{
    pthread_mutex_lock(&t->mutex);
    t->have = 0;
    OPENSSL_cleanse(t->token, sizeof(t->token));
    pthread_mutex_unlock(&t->mutex);
}

void fr_tokens_invalidate(fr_tokens_t *t, const char *token)
{
    pthread_mutex_lock(&t->mutex);
    if (t->have && strcmp(t->token, token) == 0) {
        t->have = 0;
        OPENSSL_cleanse(t->token, sizeof(t->token));
    }
    pthread_mutex_unlock(&t->mutex);
}

/* --- the assertion ------------------------------------------------------------------------------ */

/* base64url without padding; returns a malloc'd string. */
static char *b64url(const unsigned char *in, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    int n, i, j;

    if (out == NULL)
        return NULL;
    n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
    for (i = 0, j = 0; i < n; i++) {
        if (out[i] == '=')
            break;
        out[j++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    }
    out[j] = '\0';
    return out;
}

static char *b64url_json(json_t *obj)
{
    char *text = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
    char *out;

    if (text == NULL)
        return NULL;
    out = b64url((const unsigned char *)text, strlen(text));
    free(text);
    return out;
}

/* The signed JWT, malloc'd; NULL with status on failure. */
static char *make_assertion(fr_tokens_t *t, foresatt_status_t *status)
{
    json_t *header, *claims, *x5c;
    unsigned char rnd[16], sig[1024];
    char jti[33], *h64 = NULL, *c64 = NULL, *s64 = NULL, *signing = NULL, *jwt = NULL;
    size_t siglen = sizeof(sig), i;
    EVP_MD_CTX *md = NULL;
    time_t now = time(NULL);

    if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
        plugin_say(status, FORESATT_ERROR, "Maskinporten: no randomness for the jti");
        return NULL;
    }
    for (i = 0; i < sizeof(rnd); i++)
        snprintf(jti + 2 * i, 3, "%02x", rnd[i]);
    header = json_pack("{s:s, s:s}", "alg", "RS256", "typ", "JWT");
    if (t->kid) {
        json_object_set_new(header, "kid", json_string(t->kid));
    } else {
        x5c = json_loads(t->x5c_json, 0, NULL);
        json_object_set_new(header, "x5c", x5c ? x5c : json_array());
    }
    claims = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "aud", t->audience, "iss", t->client_id, "scope", t->scope,
                       "iat", (json_int_t)now, "exp", (json_int_t)now + ASSERTION_LIFETIME, "jti", jti);
    h64 = b64url_json(header);
    c64 = b64url_json(claims);
    json_decref(header);
    json_decref(claims);
    if (h64 == NULL || c64 == NULL || (signing = malloc(strlen(h64) + strlen(c64) + 2)) == NULL)
        goto fail;
    sprintf(signing, "%s.%s", h64, c64);
    if ((md = EVP_MD_CTX_new()) == NULL || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, t->key) != 1 ||
        EVP_DigestSign(md, sig, &siglen, (const unsigned char *)signing, strlen(signing)) != 1 ||
        (s64 = b64url(sig, siglen)) == NULL)
        goto fail;
    if ((jwt = malloc(strlen(signing) + strlen(s64) + 2)) == NULL)
        goto fail;
    sprintf(jwt, "%s.%s", signing, s64);
fail:
    if (jwt == NULL)
        plugin_say(status, FORESATT_ERROR, "Maskinporten: cannot sign the assertion");
    EVP_MD_CTX_free(md);
    free(h64);
    free(c64);
    free(s64);
    free(signing);
    return jwt;
}

/* Printable ASCII of an error text from the peer, bounded. */
static void clean(char *out, size_t size, const char *in)
{
    size_t n = 0;

    for (; in && *in && n + 1 < size && n < 120; in++)
        out[n++] = (*in >= 0x20 && *in < 0x7f) ? *in : '?';
    out[n] = '\0';
}

static foresatt_result_t grant(fr_tokens_t *t, char *token, long *expires_in, foresatt_status_t *status)
{
    static const char prefix[] = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=";
    char *jwt = make_assertion(t, status), *body;
    fr_response_t resp;
    foresatt_result_t rc;
    json_t *doc = NULL, *v;

    if (jwt == NULL)
        return FORESATT_ERROR;
    body = malloc(sizeof(prefix) + strlen(jwt));
    if (body == NULL) {
        free(jwt);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    sprintf(body, "%s%s", prefix, jwt);
    free(jwt);
    rc = fr_http_post(t->http, "Maskinporten", t->token_url, "application/x-www-form-urlencoded", NULL, body,
                      strlen(body), TOKEN_ANSWER_MAX, &resp, status);
    free(body);
    if (rc != FORESATT_OK)
        return rc;
    if (resp.status == 200) {
        doc = json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL);
        v = doc ? json_object_get(doc, "access_token") : NULL;
        if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) >= FR_TOKEN_MAX ||
            strpbrk(json_string_value(v), " \r\n\t") != NULL) {
            rc = plugin_say(status, FORESATT_ERROR, "Maskinporten: the token answer has no usable access_token");
        } else if (!json_is_integer(json_object_get(doc, "expires_in")) ||
                   json_integer_value(json_object_get(doc, "expires_in")) <= 0) {
            rc = plugin_say(status, FORESATT_ERROR, "Maskinporten: the token answer has no expires_in");
        } else if (json_is_string(json_object_get(doc, "token_type")) &&
                   strcasecmp(json_string_value(json_object_get(doc, "token_type")), "Bearer") != 0) {
            rc = plugin_say(status, FORESATT_ERROR, "Maskinporten: token_type is not Bearer");
        } else {
            strcpy(token, json_string_value(v));
            *expires_in = (long)json_integer_value(json_object_get(doc, "expires_in"));
        }
    } else if (resp.status == 429 || resp.status >= 500) {
        status->retry_after = resp.retry_after;
        rc = plugin_say(status, FORESATT_TEMPORARY, "Maskinporten answered %ld", resp.status);
    } else {
        char err[64] = "", desc[128] = "";
        doc = json_loadb(resp.body ? resp.body : "", resp.len, 0, NULL);
        if (doc) {
            clean(err, sizeof(err), json_string_value(json_object_get(doc, "error")));
            clean(desc, sizeof(desc), json_string_value(json_object_get(doc, "error_description")));
        }
        rc = plugin_say(status, FORESATT_ERROR,
                        "Maskinporten refused the token request (%ld %s%s%s); check client_id, key, kid/x5c, "
                        "audience and scope", resp.status, err[0] ? err : "no error code", desc[0] ? ": " : "", desc);
    }
    json_decref(doc);
    if (resp.body)
        OPENSSL_cleanse(resp.body, resp.len);
    fr_response_free(&resp);
    return rc;
}

foresatt_result_t fr_tokens_get(fr_tokens_t *t, char *out, foresatt_status_t *status)
{
    char fresh[FR_TOKEN_MAX];
    long expires_in = 0;
    foresatt_result_t rc;

    pthread_mutex_lock(&t->mutex);
    for (;;) {
        unsigned long seen;

        if (t->have && monotonic() < t->refresh_at) {
            strcpy(out, t->token);
            pthread_mutex_unlock(&t->mutex);
            return FORESATT_OK;
        }
        if (!t->fetching)
            break;
        seen = t->generation;
        while (t->fetching && t->generation == seen)
            pthread_cond_wait(&t->landed, &t->mutex);
        if (t->generation != seen && t->last_rc != FORESATT_OK) {
            *status = t->last_status; /* share the failure rather than ask again */
            pthread_mutex_unlock(&t->mutex);
            return t->last_rc;
        }
    }
    t->fetching = 1;
    pthread_mutex_unlock(&t->mutex);

    memset(status, 0, sizeof(*status));
    rc = grant(t, fresh, &expires_in, status);

    pthread_mutex_lock(&t->mutex);
    t->fetching = 0;
    t->generation++;
    t->last_rc = rc;
    t->last_status = *status;
    if (rc == FORESATT_OK) {
        /* renew shortly before it runs out: 30 s early, or a quarter of a short lifetime */
        long margin = expires_in >= 120 ? 30 : expires_in / 4;
        strcpy(t->token, fresh);
        strcpy(out, fresh);
        t->have = 1;
        t->refresh_at = monotonic() + expires_in - margin;
    }
    pthread_cond_broadcast(&t->landed);
    pthread_mutex_unlock(&t->mutex);
    OPENSSL_cleanse(fresh, sizeof(fresh));
    if (rc == FORESATT_OK)
        t->host->log(t->host, FORESATT_LOG_INFO, "Maskinporten token obtained (valid %ld s)", expires_in);
    return rc;
}
