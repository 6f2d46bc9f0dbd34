/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "freg_feed.h"
#include "freg_parse.h"
#include "json_guard.h"
#include "say.h"


#define MAX_DEPTH 8
#define MAX_STRING 128

static const char *copy(const foresatt_host_t *host, foresatt_arena_t *arena, const json_t *v)
{
    return arena ? host->strdup(arena, json_string_value(v)) : NULL;
}

foresatt_result_t freg_feed_item(const foresatt_host_t *host, foresatt_arena_t *arena, const json_t *item,
                                 foresatt_event_t *ev, foresatt_status_t *status)
{
    const json_t *seq, *h, *number, *type, *when;
    int64_t t;

    memset(ev, 0, sizeof(*ev));
    ev->struct_size = sizeof(*ev);
    if (!json_is_object(item))
        return plugin_say(status, FORESATT_ERROR, "event feed: an item is not an object");
    seq = json_object_get(item, "sekvensnummer");
    if (!json_is_integer(seq) || json_integer_value(seq) < 0)
        return plugin_say(status, FORESATT_ERROR, "event feed: sekvensnummer is not a non-negative integer");
    h = json_object_get(item, "hendelse");
    if (!json_is_object(h))
        return plugin_say(status, FORESATT_ERROR, "event feed: hendelse is not an object");
    number = json_object_get(h, "folkeregisteridentifikator");
    type = json_object_get(h, "hendelsetype");
    if (!json_is_string(number) || json_string_length(number) == 0 || json_string_length(number) > MAX_STRING)
        return plugin_say(status, FORESATT_ERROR, "event feed: folkeregisteridentifikator is not a string of 1 to %d "
                                                  "characters", MAX_STRING);
    if (!json_is_string(type) || json_string_length(type) == 0 || json_string_length(type) > MAX_STRING)
        return plugin_say(status, FORESATT_ERROR, "event feed: hendelsetype is not a string of 1 to %d characters",
                          MAX_STRING);
    when = json_object_get(h, "ajourholdstidspunkt");
    ev->sequence = (int64_t)json_integer_value(seq);
    ev->number = copy(host, arena, number);
    ev->type = copy(host, arena, type);
    if (json_is_string(when) && freg_parse_time(json_string_value(when), &t))
        ev->recorded_at = t;
    return FORESATT_OK;
}

foresatt_result_t freg_feed_page(const foresatt_host_t *host, foresatt_arena_t *arena, const char *json, size_t len,
                                 size_t max, foresatt_event_t **events, size_t *n, foresatt_status_t *status)
{
    json_error_t jerr;
    json_t *page;
    size_t i, count;
    foresatt_result_t rc = FORESATT_OK;

    *events = NULL;
    *n = 0;
    if (len > FREG_FEED_MAX_PAGE)
        return plugin_say(status, FORESATT_ERROR, "event feed: a page of %zu bytes, more than the %u allowed", len,
                          FREG_FEED_MAX_PAGE);
    if (fst_json_depth(json, len, MAX_DEPTH) < 0 || fst_json_depth(json, len, MAX_DEPTH) > MAX_DEPTH)
        return plugin_say(status, FORESATT_ERROR, "event feed: the page is not JSON, or nested too deep");
    page = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (page == NULL)
        return plugin_say(status, FORESATT_ERROR, "event feed: the page is not JSON (line %d)", jerr.line);
    if (!json_is_array(page)) {
        json_decref(page);
        return plugin_say(status, FORESATT_ERROR, "event feed: the page is not a JSON array");
    }
    count = json_array_size(page) < max ? json_array_size(page) : max;
    if (count > 0)
        *events = host->alloc(arena, sizeof(**events) * count);
    for (i = 0; i < count && rc == FORESATT_OK; i++)
        rc = freg_feed_item(host, arena, json_array_get(page, i), &(*events)[i], status);
    json_decref(page);
    if (rc != FORESATT_OK) {
        *events = NULL;
        return rc;
    }
    *n = count;
    return FORESATT_OK;
}

foresatt_result_t freg_feed_latest(const char *json, size_t len, int64_t *sequence, foresatt_status_t *status)
{
    json_error_t jerr;
    json_t *v, *n;
    foresatt_result_t rc = FORESATT_OK;

    *sequence = 0;
    if (len > 4096 || fst_json_depth(json, len, MAX_DEPTH) < 0 || fst_json_depth(json, len, MAX_DEPTH) > MAX_DEPTH)
        return plugin_say(status, FORESATT_ERROR, "event feed: the newest sequence number is not one");
    v = json_loadb(json, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    n = json_is_object(v) ? json_object_get(v, "sekvensnummer") : v;
    if (!json_is_integer(n) || json_integer_value(n) < 0)
        rc = plugin_say(status, FORESATT_ERROR, "event feed: the newest sequence number is neither an integer nor "
                                                "{\"sekvensnummer\": n}");
    else
        *sequence = (int64_t)json_integer_value(n);
    json_decref(v);
    return rc;
}
