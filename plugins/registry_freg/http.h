/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * registry_freg's HTTP client: libcurl directly. Not liboauth2's client: this plugin needs the
 * response headers (Retry-After on 429), a bound on the answer's size while it arrives, JSON and
 * form POSTs with our own headers, and connections reused across requests; liboauth2's client
 * gives none of those. One pool of easy handles per instance (each keeps its connections alive);
 * a thread takes a handle for one request and gives it back, so requests run in parallel.
 */
#ifndef FR_HTTP_H
#define FR_HTTP_H

#include <stddef.h>

#include "foresatt/plugin.h"

typedef struct fr_http fr_http_t;

#define FR_ETAG_MAX 128

typedef struct fr_response {
    long status;          /* HTTP status */
    char *body;           /* malloc'd, NUL-terminated */
    size_t len;
    unsigned retry_after; /* seconds, from Retry-After; 0 when absent */
    char etag[FR_ETAG_MAX]; /* the ETag header as sent, or "" (absent, or longer than this) */
} fr_response_t;

/* timeout_ms bounds the whole exchange, connect_timeout_ms the connection. ca_file may be NULL
 * (the system's trust store). Returns NULL on allocation failure. */
fr_http_t *fr_http_create(long timeout_ms, long connect_timeout_ms, const char *ca_file);
void fr_http_destroy(fr_http_t *http);

/* Drop pooled handles (after fork: never share a connection across processes). */
void fr_http_forget(fr_http_t *http);

/* POST body to url. FORESATT_OK when an HTTP answer arrived (any status; resp filled, free it with
 * fr_response_free), FORESATT_TEMPORARY when the peer could not be reached or timed out,
 * FORESATT_ERROR for TLS verification failures, answers over max_response bytes and the like.
 * bearer may be NULL. what names the peer in messages ("Folkeregisteret", "Maskinporten"). */
foresatt_result_t fr_http_post(fr_http_t *http, const char *what, const char *url, const char *content_type,
                               const char *bearer, const char *body, size_t body_len, size_t max_response,
                               fr_response_t *resp, foresatt_status_t *status);

/* GET url, the same way; if_none_match (an ETag from an earlier answer, or NULL) is sent as
 * If-None-Match, so an unchanged answer comes back as a 304 without a body. */
foresatt_result_t fr_http_get(fr_http_t *http, const char *what, const char *url, const char *bearer,
                              const char *if_none_match, size_t max_response, fr_response_t *resp,
                              foresatt_status_t *status);

void fr_response_free(fr_response_t *resp);

/* Retry-After as seconds (delay-seconds or an HTTP-date), capped; 0 when unparseable. */
unsigned fr_http_retry_after(const char *value, long now);

#endif
