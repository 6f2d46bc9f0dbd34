/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Folkeregisteret's event feed (hendelsesliste) into foresatt_event_t, for the register plugins:
 * registry_freg's pages (GET hendelser/feed?seq=N: a JSON array of items) and registry_file's
 * journal (one item per line). An item:
 *
 *   {"sekvensnummer": 17, "hendelse": {"folkeregisteridentifikator": "...", "hendelsetype": "...",
 *    "hendelsesdokument": "...", "persondokument": "...", "ajourholdstidspunkt": "..."}}
 *
 * sekvensnummer (a non-negative integer), folkeregisteridentifikator and hendelsetype (strings) are
 * required; ajourholdstidspunkt is read when it is an RFC 3339 time; everything else is ignored.
 * Bounded like the person parser (size, depth); a malformed item is FORESATT_ERROR naming the field,
 * never quoting the text (it holds identity numbers).
 */
#ifndef FREG_FEED_H
#define FREG_FEED_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "foresatt/plugin.h"

#define FREG_FEED_MAX_PAGE (16u * 1024u * 1024u) /* one page: 1000 items are about 300 KB */
#define FREG_FEED_MAX_ITEM (64u * 1024u)         /* one journal line */

/* One item (a parsed JSON value) into *event; strings copied into the arena (with arena NULL the item
 * is only checked: number and type stay NULL). */
foresatt_result_t freg_feed_item(const foresatt_host_t *host, foresatt_arena_t *arena, const json_t *item,
                                 foresatt_event_t *event, foresatt_status_t *status);

/* A page: at most max events (the rest of a longer page is left for the next read). */
foresatt_result_t freg_feed_page(const foresatt_host_t *host, foresatt_arena_t *arena, const char *json, size_t len,
                                 size_t max, foresatt_event_t **events, size_t *n, foresatt_status_t *status);

/* GET hendelser/siste/sekvensnummer: a bare integer, or {"sekvensnummer": n}. */
foresatt_result_t freg_feed_latest(const char *json, size_t len, int64_t *sequence, foresatt_status_t *status);

#endif
