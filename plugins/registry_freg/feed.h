/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * registry_freg's event feed: GET hendelser/feed?seq=N and hendelser/siste/sekvensnummer with the
 * same Maskinporten token as the lookups (a 401 gets one more try with a new token). A page that
 * came back empty is remembered with its ETag, so asking again from the same number while nothing
 * is new is a 304 without a body. 406 (and 410) say the register no longer keeps events that old.
 */
#ifndef FR_FEED_H
#define FR_FEED_H

#include "foresatt/plugin.h"
#include "http.h"
#include "maskinporten.h"

typedef struct fr_feed fr_feed_t;

/* base_url as the plugin's key gives it (with or without the trailing slash). NULL when out of memory. */
fr_feed_t *fr_feed_create(const char *base_url, fr_http_t *http, fr_tokens_t *tokens, const foresatt_host_t *host);
void fr_feed_destroy(fr_feed_t *feed);

foresatt_result_t fr_feed_latest(fr_feed_t *feed, int64_t *sequence, foresatt_status_t *status);
foresatt_result_t fr_feed_read(fr_feed_t *feed, int64_t from, size_t max, foresatt_arena_t *arena,
                               foresatt_event_t **events, size_t *n, foresatt_status_t *status);

#endif
