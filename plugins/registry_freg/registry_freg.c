/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * registry_freg: Folkeregisteret's API ("offentlig med hjemmel") with a Maskinporten token.
 *
 *   ForesattPlugin freg /usr/lib/foresatt/registry_freg.so \
 *       base_url=https://folkeregisteret-api-konsument.sits.no/ \
 *       token_url=https://test.maskinporten.no/token client_id=... key=/etc/foresatt/mp.pem kid=...
 *
 * Keys: base_url, token_url, audience (default: token_url's origin + "/"), client_id, key (PEM RSA
 * private key file), kid or x5c (PEM certificate chain file, leaf first), scope (default
 * folkeregister:deling/offentligmedhjemmel), timeout (seconds, default 10), ca_file.
 *
 * Every lookup is a POST to personer/bulkoppslag with parts person-basis and relasjon-utvidet, so
 * numbers travel in the body, never in a URL or a proxy's log. The event feed (feed.h) is read
 * with the same token. 404 is "not found"; 429 is
 * temporary with Retry-After; 5xx, timeouts and unreachable peers are temporary; a malformed or
 * oversized answer is an error. A 401 drops the cached token and tries once with a new one.
 *
 * Thread-safe: HTTP handles come from a mutex-guarded pool and the token cache lets one grant run
 * at a time; nothing else changes after create().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "descriptor.h"
#include "feed.h"
#include "freg_parse.h"
#include "say.h"
#include "http.h"
#include "maskinporten.h"

#define DEFAULT_SCOPE "folkeregister:deling/offentligmedhjemmel"
#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 120
#define BULK_PATH "folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag?part=person-basis&part=relasjon-utvidet"
#define MAX_BATCH 1000

typedef struct freg {
    const foresatt_host_t *host;
    char *bulk_url;
    fr_http_t *http;
    fr_tokens_t *tokens;
    fr_feed_t *feed; /* the event feed (hendelsesliste), with the same token */
} freg_t;

/* --- configuration ------------------------------------------------------------------------------ */

typedef struct settings {
    const char *base_url, *token_url, *audience, *client_id, *key, *kid, *x5c, *scope, *timeout, *ca_file;
} settings_t;

static int is_loopback_host(const char *host, size_t len)
{
    return (len == 9 && strncmp(host, "127.0.0.1", 9) == 0) || (len == 9 && strncmp(host, "localhost", 9) == 0) ||
           (len == 5 && strncmp(host, "[::1]", 5) == 0);
}

/* https://host[:port]/path, or http:// to a loopback test server. Sets the origin's length. */
static const char *check_url(const char *key, const char *url, size_t *origin_len, char *why, size_t why_len)
{
    const char *host, *end;
    int https = strncmp(url, "https://", 8) == 0;

    if (!https && strncmp(url, "http://", 7) != 0) {
        snprintf(why, why_len, "%s=%.80s: give an https:// URL", key, url);
        return why;
    }
    host = url + (https ? 8 : 7);
    end = host + strcspn(host, ":/?#");
    if (end == host || strpbrk(url, " \t\r\n\"\\") != NULL || strchr(host, '@') != NULL) {
        snprintf(why, why_len, "%s=%.80s: not a valid URL", key, url);
        return why;
    }
    if (!https && !is_loopback_host(host, (size_t)(end - host))) {
        snprintf(why, why_len, "%s=%.80s: use https:// (plain http only to a loopback test server)", key, url);
        return why;
    }
    *origin_len = (size_t)(host + strcspn(host, "/?#") - url);
    return NULL;
}

static EVP_PKEY *load_key(const char *path, char *why, size_t why_len)
{
    BIO *bio = BIO_new_file(path, "r");
    EVP_PKEY *key;

    if (bio == NULL) {
        snprintf(why, why_len, "key=%s: %s", path, strerror(errno));
        return NULL;
    }
    key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (key == NULL) {
        snprintf(why, why_len, "key=%s: not a PEM private key (unencrypted)", path);
        return NULL;
    }
    if (!EVP_PKEY_is_a(key, "RSA") || EVP_PKEY_get_bits(key) < 2048) {
        snprintf(why, why_len, "key=%s: Maskinporten needs an RSA key of at least 2048 bits", path);
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

/* The x5c header value (JSON array of base64 DER, leaf first), checked against the key. */
static char *load_x5c(const char *path, EVP_PKEY *key, char *why, size_t why_len)
{
    BIO *bio = BIO_new_file(path, "r");
    json_t *chain = json_array();
    X509 *cert;
    char *out = NULL;
    int first = 1;

    if (bio == NULL) {
        snprintf(why, why_len, "x5c=%s: %s", path, strerror(errno));
        json_decref(chain);
        return NULL;
    }
    while ((cert = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        unsigned char *der = NULL;
        int len = i2d_X509(cert, &der);
        char *b64 = len > 0 ? malloc(4 * (((size_t)len + 2) / 3) + 1) : NULL;

        if (first && EVP_PKEY_eq(X509_get0_pubkey(cert), key) != 1) {
            snprintf(why, why_len, "x5c=%s: the first certificate does not belong to key=", path);
            free(b64);
            OPENSSL_free(der);
            X509_free(cert);
            goto done;
        }
        first = 0;
        if (b64) {
            EVP_EncodeBlock((unsigned char *)b64, der, len);
            json_array_append_new(chain, json_string(b64));
        }
        free(b64);
        OPENSSL_free(der);
        X509_free(cert);
    }
    if (json_array_size(chain) == 0)
        snprintf(why, why_len, "x5c=%s: no PEM certificate in the file", path);
    else
        out = json_dumps(chain, JSON_COMPACT);
done:
    BIO_free(bio);
    json_decref(chain);
    return out;
}

static void freg_destroy(void *instance)
{
    freg_t *f = instance;

    if (f == NULL)
        return;
    fr_feed_destroy(f->feed);
    fr_tokens_destroy(f->tokens);
    fr_http_destroy(f->http);
    free(f->bulk_url);
    free(f);
}

static foresatt_result_t freg_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                     void **instance, foresatt_status_t *status)
{
    settings_t s;
    const char **slot;
    char why[FORESATT_STATUS_MESSAGE_MAX] = "", audience[512], *x5c_json = NULL;
    size_t i, origin_len, base_origin;
    long timeout = DEFAULT_TIMEOUT;
    EVP_PKEY *key = NULL;
    fr_tokens_config_t tc;
    freg_t *f;

    memset(&s, 0, sizeof(s));
    for (i = 0; i < n_params; i++) {
        const char *k = params[i].key;
        slot = strcmp(k, "base_url") == 0    ? &s.base_url
               : strcmp(k, "token_url") == 0 ? &s.token_url
               : strcmp(k, "audience") == 0  ? &s.audience
               : strcmp(k, "client_id") == 0 ? &s.client_id
               : strcmp(k, "key") == 0       ? &s.key
               : strcmp(k, "kid") == 0       ? &s.kid
               : strcmp(k, "x5c") == 0       ? &s.x5c
               : strcmp(k, "scope") == 0     ? &s.scope
               : strcmp(k, "timeout") == 0   ? &s.timeout
               : strcmp(k, "ca_file") == 0   ? &s.ca_file
                                             : NULL;
        if (slot == NULL)
            return plugin_say(status, FORESATT_ERROR,
                              "unknown key '%s' (known: base_url, token_url, audience, client_id, key, kid, x5c, "
                              "scope, timeout, ca_file)", k);
        if (params[i].value[0] == '\0')
            return plugin_say(status, FORESATT_ERROR, "key '%s' has an empty value", k);
        *slot = params[i].value;
    }
    if (!s.base_url || !s.token_url || !s.client_id || !s.key)
        return plugin_say(status, FORESATT_ERROR,
                          "keys base_url, token_url, client_id and key are required (missing: %s)",
                          !s.base_url ? "base_url" : !s.token_url ? "token_url" : !s.client_id ? "client_id" : "key");
    if ((s.kid == NULL) == (s.x5c == NULL))
        return plugin_say(status, FORESATT_ERROR, "give exactly one of kid= (the key's id at Maskinporten) and x5c= "
                                                  "(a PEM certificate chain file)");
    if (check_url("base_url", s.base_url, &base_origin, why, sizeof(why)) ||
        check_url("token_url", s.token_url, &origin_len, why, sizeof(why)))
        return plugin_say(status, FORESATT_ERROR, "%s", why);
    if (s.audience == NULL) {
        if (origin_len + 2 > sizeof(audience))
            return plugin_say(status, FORESATT_ERROR, "token_url: too long");
        memcpy(audience, s.token_url, origin_len);
        strcpy(audience + origin_len, "/");
    } else if (snprintf(audience, sizeof(audience), "%s", s.audience) >= (int)sizeof(audience)) {
        return plugin_say(status, FORESATT_ERROR, "audience: too long");
    }
    if (s.timeout) {
        char *end;
        errno = 0;
        timeout = strtol(s.timeout, &end, 10);
        if (*end != '\0' || errno || timeout < 1 || timeout > MAX_TIMEOUT)
            return plugin_say(status, FORESATT_ERROR, "timeout=%.20s: give whole seconds from 1 to %d", s.timeout,
                              MAX_TIMEOUT);
    }
    if (s.ca_file) {
        FILE *ca = fopen(s.ca_file, "r");
        if (ca == NULL)
            return plugin_say(status, FORESATT_ERROR, "ca_file=%s: %s", s.ca_file, strerror(errno));
        fclose(ca);
    }
    if ((key = load_key(s.key, why, sizeof(why))) == NULL)
        return plugin_say(status, FORESATT_ERROR, "%s", why);
    if (s.x5c && (x5c_json = load_x5c(s.x5c, key, why, sizeof(why))) == NULL) {
        EVP_PKEY_free(key);
        return plugin_say(status, FORESATT_ERROR, "%s", why);
    }

    curl_global_init(CURL_GLOBAL_DEFAULT); /* configuration time: one thread */
    f = calloc(1, sizeof(*f));
    if (f == NULL)
        goto oom;
    f->host = host;
    f->bulk_url = malloc(strlen(s.base_url) + sizeof(BULK_PATH) + 2);
    if (f->bulk_url == NULL)
        goto oom;
    sprintf(f->bulk_url, "%s%s%s", s.base_url, s.base_url[strlen(s.base_url) - 1] == '/' ? "" : "/", BULK_PATH);
    f->http = fr_http_create(timeout * 1000, (timeout < 5 ? timeout : 5) * 1000, s.ca_file);
    memset(&tc, 0, sizeof(tc));
    tc.token_url = s.token_url;
    tc.audience = audience;
    tc.client_id = s.client_id;
    tc.scope = s.scope ? s.scope : DEFAULT_SCOPE;
    tc.kid = s.kid;
    tc.x5c_json = x5c_json;
    if (f->http == NULL || (f->tokens = fr_tokens_create(&tc, key, f->http, host)) == NULL ||
        (f->feed = fr_feed_create(s.base_url, f->http, f->tokens, host)) == NULL)
        goto oom;
    EVP_PKEY_free(key);
    free(x5c_json);
    *instance = f;
    return FORESATT_OK;
oom:
    EVP_PKEY_free(key);
    free(x5c_json);
    freg_destroy(f);
    return plugin_say(status, FORESATT_ERROR, "out of memory");
}

static foresatt_result_t freg_child_init(void *instance, foresatt_status_t *status)
{
    freg_t *f = instance;

    (void)status;
    fr_http_forget(f->http);
    fr_tokens_forget(f->tokens);
    return FORESATT_OK;
}

/* --- lookups ------------------------------------------------------------------------------------ */

static foresatt_result_t post_bulk(freg_t *f, const char *body, fr_response_t *resp, foresatt_status_t *status)
{
    char token[FR_TOKEN_MAX];
    foresatt_result_t rc;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        if ((rc = fr_tokens_get(f->tokens, token, status)) != FORESATT_OK)
            return rc;
        rc = fr_http_post(f->http, "Folkeregisteret", f->bulk_url, "application/json", token, body, strlen(body),
                          FREG_MAX_BULK, resp, status);
        if (rc != FORESATT_OK || resp->status != 401 || attempt == 1)
            break;
        /* the token was revoked or expired early: one more try with a new one */
        fr_tokens_invalidate(f->tokens, token);
        fr_response_free(resp);
        f->host->log(f->host, FORESATT_LOG_NOTICE, "Folkeregisteret refused the access token; asking for a new one");
    }
    memset(token, 0, sizeof(token));
    return rc;
}

static foresatt_result_t freg_lookup_batch(void *instance, const char *const *numbers, size_t n,
                                           foresatt_arena_t *arena, foresatt_person_t **persons,
                                           foresatt_status_t *status)
{
    freg_t *f = instance;
    json_t *req, *list;
    char *body;
    fr_response_t resp;
    foresatt_result_t rc;
    size_t i;

    for (i = 0; i < n; i++) {
        persons[i] = NULL;
        if (!freg_number_shape(numbers[i]))
            return plugin_say(status, FORESATT_ERROR, "not an 11-digit identity number");
    }
    if (n == 0)
        return FORESATT_OK;
    if (n > MAX_BATCH)
        return plugin_say(status, FORESATT_ERROR, "at most %d numbers per batch", MAX_BATCH);
    list = json_array();
    for (i = 0; i < n; i++)
        json_array_append_new(list, json_string(numbers[i]));
    req = json_pack("{s:o}", "foedselsEllerDNummer", list);
    body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    if (body == NULL)
        return plugin_say(status, FORESATT_ERROR, "out of memory");

    rc = post_bulk(f, body, &resp, status);
    free(body);
    if (rc != FORESATT_OK)
        return rc;
    switch (resp.status) {
    case 200:
        rc = freg_parse_bulk(f->host, arena, resp.body ? resp.body : "", resp.len, (int64_t)time(NULL), numbers,
                             n, persons, status);
        break;
    case 404:
        rc = FORESATT_OK; /* nobody of these is known */
        break;
    case 429:
        status->retry_after = resp.retry_after;
        rc = plugin_say(status, FORESATT_TEMPORARY, "Folkeregisteret is rate limiting (429)");
        break;
    case 401:
        rc = plugin_say(status, FORESATT_ERROR, "Folkeregisteret refused the Maskinporten token (401)");
        break;
    case 403:
        rc = plugin_say(status, FORESATT_ERROR, "Folkeregisteret refused access (403): check the scope and that the "
                                         "organisation has access to 'offentlig med hjemmel'");
        break;
    default:
        if (resp.status >= 500) {
            status->retry_after = resp.retry_after;
            rc = plugin_say(status, FORESATT_TEMPORARY, "Folkeregisteret answered %ld", resp.status);
        } else {
            rc = plugin_say(status, FORESATT_ERROR, "Folkeregisteret answered %ld", resp.status);
        }
    }
    fr_response_free(&resp);
    if (rc == FORESATT_ERROR)
        f->host->log(f->host, FORESATT_LOG_DEBUG, "lookup of %zu number%s failed: %s", n, n == 1 ? "" : "s",
                     status->message);
    return rc;
}

static foresatt_result_t freg_lookup(void *instance, const char *number, foresatt_arena_t *arena,
                                     foresatt_person_t **person, foresatt_status_t *status)
{
    foresatt_result_t rc = freg_lookup_batch(instance, &number, 1, arena, person, status);

    if (rc == FORESATT_OK && *person == NULL)
        return FORESATT_NOT_FOUND;
    return rc;
}

static foresatt_result_t freg_events_latest(void *instance, int64_t *sequence, foresatt_status_t *status)
{
    return fr_feed_latest(((freg_t *)instance)->feed, sequence, status);
}

static foresatt_result_t freg_events_read(void *instance, int64_t from, size_t max, foresatt_arena_t *arena,
                                          foresatt_event_t **events, size_t *n, foresatt_status_t *status)
{
    return fr_feed_read(((freg_t *)instance)->feed, from, max, arena, events, n, status);
}

/* Thread-safe: the handle pool and the token cache are mutex-guarded. */
REGISTRY_PLUGIN("registry_freg", freg_create, freg_child_init, freg_destroy, freg_lookup, freg_lookup_batch, MAX_BATCH,
                freg_events_latest, freg_events_read)
