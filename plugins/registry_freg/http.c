/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "http.h"
#include "say.h"

#define POOL_MAX 32
/* RFC 9110 gives Retry-After in seconds (Skatteetaten's text says milliseconds): cap what we pass
 * on, so a value in the wrong unit cannot lock guardians out for hours. */
#define RETRY_AFTER_MAX 300

struct fr_http {
    pthread_mutex_t mutex;
    CURL *idle[POOL_MAX];
    size_t n_idle;
    long timeout_ms, connect_timeout_ms;
    char *ca_file;
};

typedef struct exchange {
    fr_response_t *resp;
    size_t max;
    size_t cap;
    int too_big;
} exchange_t;

fr_http_t *fr_http_create(long timeout_ms, long connect_timeout_ms, const char *ca_file)
{
    fr_http_t *http = calloc(1, sizeof(*http));

    if (http == NULL)
        return NULL;
    pthread_mutex_init(&http->mutex, NULL);
    http->timeout_ms = timeout_ms;
    http->connect_timeout_ms = connect_timeout_ms;
    http->ca_file = ca_file ? strdup(ca_file) : NULL;
    return http;
}

void fr_http_forget(fr_http_t *http)
{
    size_t i;

    pthread_mutex_lock(&http->mutex);
    for (i = 0; i < http->n_idle; i++)
        curl_easy_cleanup(http->idle[i]);
    http->n_idle = 0;
    pthread_mutex_unlock(&http->mutex);
}

void fr_http_destroy(fr_http_t *http)
{
    if (http == NULL)
        return;
    fr_http_forget(http);
    pthread_mutex_destroy(&http->mutex);
    free(http->ca_file);
    free(http);
}

static CURL *take(fr_http_t *http)
{
    CURL *h = NULL;

    pthread_mutex_lock(&http->mutex);
    if (http->n_idle > 0)
        h = http->idle[--http->n_idle];
    pthread_mutex_unlock(&http->mutex);
    if (h != NULL)
        curl_easy_reset(h); /* options go, live connections stay */
    else
        h = curl_easy_init();
    return h;
}

static void give_back(fr_http_t *http, CURL *h)
{
    pthread_mutex_lock(&http->mutex);
    if (http->n_idle < POOL_MAX) {
        http->idle[http->n_idle++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&http->mutex);
    if (h)
        curl_easy_cleanup(h);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    exchange_t *x = userdata;
    size_t n = size * nmemb;

    if (x->resp->len + n > x->max) {
        x->too_big = 1;
        return 0; /* aborts the transfer */
    }
    if (x->resp->len + n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 16384;
        char *grown;
        while (cap < x->resp->len + n + 1)
            cap *= 2;
        if ((grown = realloc(x->resp->body, cap)) == NULL)
            return 0;
        x->resp->body = grown;
        x->cap = cap;
    }
    memcpy(x->resp->body + x->resp->len, data, n);
    x->resp->len += n;
    x->resp->body[x->resp->len] = '\0';
    return n;
}

unsigned fr_http_retry_after(const char *value, long now)
{
    long secs;

    while (*value == ' ' || *value == '\t')
        value++;
    if (isdigit((unsigned char)*value)) {
        char *end;
        secs = strtol(value, &end, 10);
        while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
            end++;
        if (*end != '\0')
            return 0;
    } else {
        time_t when = curl_getdate(value, NULL);
        if (when < 0)
            return 0;
        secs = (long)when - now;
        if (secs < 1)
            secs = 1;
    }
    if (secs < 0)
        return 0;
    return secs > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : (unsigned)secs;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    exchange_t *x = userdata;
    size_t n = size * nmemb;
    char line[256];

    if (n > 12 && n < sizeof(line) && strncasecmp(data, "Retry-After:", 12) == 0) {
        memcpy(line, data + 12, n - 12);
        line[n - 12] = '\0';
        x->resp->retry_after = fr_http_retry_after(line, (long)time(NULL));
    } else if (n > 5 && strncasecmp(data, "ETag:", 5) == 0) {
        const char *v = data + 5, *end = data + n;
        while (v < end && (*v == ' ' || *v == '\t'))
            v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
            end--;
        x->resp->etag[0] = '\0';
        /* only a tag with printable characters and no header-breaking ones is kept and sent back */
        if ((size_t)(end - v) < sizeof(x->resp->etag) && end > v) {
            const char *c;
            for (c = v; c < end && *c > 0x20 && *c < 0x7f; c++)
                ;
            if (c == end) {
                memcpy(x->resp->etag, v, (size_t)(end - v));
                x->resp->etag[end - v] = '\0';
            }
        }
    } else if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        x->resp->retry_after = 0; /* a new response (after 100 Continue, say) */
        x->resp->etag[0] = '\0';
    }
    return n;
}

/* One exchange: a POST when content_type is set, else a GET (with If-None-Match when given). */
static foresatt_result_t request(fr_http_t *http, const char *what, const char *url, const char *content_type,
                                 const char *bearer, const char *if_none_match, const char *body, size_t body_len,
                                 size_t max_response, fr_response_t *resp, foresatt_status_t *status)
{
    struct curl_slist *headers = NULL;
    char line[8300];
    exchange_t x;
    CURLcode cc;
    CURL *h;

    memset(resp, 0, sizeof(*resp));
    memset(&x, 0, sizeof(x));
    x.resp = resp;
    x.max = max_response;
    if ((h = take(http)) == NULL)
        return plugin_say(status, FORESATT_ERROR, "%s: cannot create an HTTP handle", what);

    if (content_type) {
        snprintf(line, sizeof(line), "Content-Type: %s", content_type);
        headers = curl_slist_append(headers, line);
    }
    if (if_none_match && *if_none_match) {
        snprintf(line, sizeof(line), "If-None-Match: %s", if_none_match);
        headers = curl_slist_append(headers, line);
    }
    headers = curl_slist_append(headers, "Accept: application/json");
    headers = curl_slist_append(headers, "Expect:");
    if (bearer) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", bearer);
        headers = curl_slist_append(headers, line);
        memset(line, 0, sizeof(line));
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, http->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, http->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (http->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, http->ca_file);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "mod_foresatt registry_freg/1.0");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (content_type) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_response);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);

    cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers); /* held the bearer token: gone with the list */
    give_back(http, h);

    if (cc == CURLE_OK)
        return FORESATT_OK;
    fr_response_free(resp);
    switch (cc) {
    case CURLE_WRITE_ERROR:
    case CURLE_FILESIZE_EXCEEDED:
        if (x.too_big || cc == CURLE_FILESIZE_EXCEEDED)
            return plugin_say(status, FORESATT_ERROR, "%s: the answer is larger than the %zu bytes allowed", what,
                              max_response);
        return plugin_say(status, FORESATT_ERROR, "%s: out of memory reading the answer", what);
    case CURLE_OPERATION_TIMEDOUT:
        return plugin_say(status, FORESATT_TEMPORARY, "%s did not answer within %ld s", what, http->timeout_ms / 1000);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
        return plugin_say(status, FORESATT_ERROR, "%s: TLS failed (%s); check ca_file and the URL", what,
                          curl_easy_strerror(cc));
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return plugin_say(status, FORESATT_ERROR, "%s: %s", what, curl_easy_strerror(cc));
    default:
        /* could not resolve / connect, connection reset, empty reply: the peer is down or flapping */
        return plugin_say(status, FORESATT_TEMPORARY, "%s unreachable: %s", what, curl_easy_strerror(cc));
    }
}

foresatt_result_t fr_http_post(fr_http_t *http, const char *what, const char *url, const char *content_type,
                               const char *bearer, const char *body, size_t body_len, size_t max_response,
                               fr_response_t *resp, foresatt_status_t *status)
{
    return request(http, what, url, content_type ? content_type : "application/json", bearer, NULL, body, body_len,
                   max_response, resp, status);
}

foresatt_result_t fr_http_get(fr_http_t *http, const char *what, const char *url, const char *bearer,
                              const char *if_none_match, size_t max_response, fr_response_t *resp,
                              foresatt_status_t *status)
{
    return request(http, what, url, NULL, bearer, if_none_match, NULL, 0, max_response, resp, status);
}

void fr_response_free(fr_response_t *resp)
{
    free(resp->body);
    resp->body = NULL;
    resp->len = 0;
}
