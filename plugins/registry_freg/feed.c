/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "freg_feed.h"
#include "say.h"


#define EVENTS_PATH "folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser/"

struct fr_feed {
    const foresatt_host_t *host;
    char *base;          /* ... /api/v1/hendelser/ */
    fr_http_t *http;
    fr_tokens_t *tokens;
    pthread_mutex_t mutex; /* the empty page remembered */
    int64_t empty_seq;     /* -1: none */
    char empty_etag[FR_ETAG_MAX];
};

fr_feed_t *fr_feed_create(const char *base_url, fr_http_t *http, fr_tokens_t *tokens, const foresatt_host_t *host)
{
    fr_feed_t *f = calloc(1, sizeof(*f));
    size_t len = strlen(base_url);

    if (f == NULL || (f->base = malloc(len + sizeof(EVENTS_PATH) + 2)) == NULL) {
        free(f);
        return NULL;
    }
    sprintf(f->base, "%s%s%s", base_url, len && base_url[len - 1] == '/' ? "" : "/", EVENTS_PATH);
    f->host = host;
    f->http = http;
    f->tokens = tokens;
    f->empty_seq = -1;
    pthread_mutex_init(&f->mutex, NULL);
    return f;
}

void fr_feed_destroy(fr_feed_t *f)
{
    if (f == NULL)
        return;
    pthread_mutex_destroy(&f->mutex);
    free(f->base);
    free(f);
}

/* GET with the token; a 401 drops the token and tries once more with a new one. */
static foresatt_result_t get(fr_feed_t *f, const char *url, const char *etag, fr_response_t *resp,
                             foresatt_status_t *status)
{
    char token[FR_TOKEN_MAX];
    foresatt_result_t rc;
    int attempt;

    for (attempt = 0; attempt < 2; attempt++) {
        if ((rc = fr_tokens_get(f->tokens, token, status)) != FORESATT_OK)
            break;
        rc = fr_http_get(f->http, "Folkeregisteret", url, token, etag, FREG_FEED_MAX_PAGE, resp, status);
        if (rc != FORESATT_OK || resp->status != 401 || attempt == 1)
            break;
        fr_tokens_invalidate(f->tokens, token);
        fr_response_free(resp);
        f->host->log(f->host, FORESATT_LOG_NOTICE, "Folkeregisteret refused the access token; asking for a new one");
    }
    memset(token, 0, sizeof(token));
    return rc;
}

/* What a status other than 200 (and 304) means. */
static foresatt_result_t refused(const fr_response_t *resp, foresatt_status_t *status)
{
    switch (resp->status) {
    case 406:
    case 410:
        return plugin_say(status, FORESATT_NOT_FOUND, "Folkeregisteret no longer keeps events that old (%ld)",
                          resp->status);
    case 429:
        status->retry_after = resp->retry_after;
        return plugin_say(status, FORESATT_TEMPORARY, "Folkeregisteret is rate limiting the event feed (429)");
    case 401:
        return plugin_say(status, FORESATT_ERROR, "Folkeregisteret refused the Maskinporten token (401)");
    case 403:
        return plugin_say(status, FORESATT_ERROR, "Folkeregisteret refused the event feed (403): check that the "
                                                  "organisation's access includes the hendelsesliste");
    default:
        if (resp->status >= 500) {
            status->retry_after = resp->retry_after;
            return plugin_say(status, FORESATT_TEMPORARY, "Folkeregisteret's event feed answered %ld", resp->status);
        }
        return plugin_say(status, FORESATT_ERROR, "Folkeregisteret's event feed answered %ld (check base_url)",
                          resp->status);
    }
}

foresatt_result_t fr_feed_latest(fr_feed_t *f, int64_t *sequence, foresatt_status_t *status)
{
    char url[4096];
    fr_response_t resp;
    foresatt_result_t rc;

    *sequence = 0;
    if ((size_t)snprintf(url, sizeof(url), "%ssiste/sekvensnummer", f->base) >= sizeof(url))
        return plugin_say(status, FORESATT_ERROR, "base_url: too long");
    if ((rc = get(f, url, NULL, &resp, status)) != FORESATT_OK)
        return rc;
    rc = resp.status == 200 ? freg_feed_latest(resp.body ? resp.body : "", resp.len, sequence, status)
                            : refused(&resp, status);
    fr_response_free(&resp);
    return rc == FORESATT_NOT_FOUND ? plugin_say(status, FORESATT_ERROR, "%s", status->message) : rc;
}

foresatt_result_t fr_feed_read(fr_feed_t *f, int64_t from, size_t max, foresatt_arena_t *arena,
                               foresatt_event_t **events, size_t *n, foresatt_status_t *status)
{
    char url[4096], etag[FR_ETAG_MAX] = "";
    fr_response_t resp;
    foresatt_result_t rc;

    *events = NULL;
    *n = 0;
    if (from < 0)
        return plugin_say(status, FORESATT_ERROR, "event feed: a negative sequence number");
    if ((size_t)snprintf(url, sizeof(url), "%sfeed?seq=%lld", f->base, (long long)from) >= sizeof(url))
        return plugin_say(status, FORESATT_ERROR, "base_url: too long");
    pthread_mutex_lock(&f->mutex);
    if (f->empty_seq == from)
        memcpy(etag, f->empty_etag, sizeof(etag));
    pthread_mutex_unlock(&f->mutex);
    if ((rc = get(f, url, etag[0] ? etag : NULL, &resp, status)) != FORESATT_OK)
        return rc;
    if (resp.status == 304 && etag[0]) {
        rc = FORESATT_OK; /* nothing new since the empty page */
    } else if (resp.status == 200) {
        rc = freg_feed_page(f->host, arena, resp.body ? resp.body : "", resp.len, max, events, n, status);
        pthread_mutex_lock(&f->mutex);
        if (rc == FORESATT_OK && *n == 0 && resp.etag[0]) {
            f->empty_seq = from;
            memcpy(f->empty_etag, resp.etag, sizeof(f->empty_etag));
        } else {
            f->empty_seq = -1;
        }
        pthread_mutex_unlock(&f->mutex);
    } else {
        rc = refused(&resp, status);
    }
    fr_response_free(&resp);
    return rc;
}
