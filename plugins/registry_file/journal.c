/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "freg_feed.h"
#include "journal.h"
#include "json_guard.h"
#include "say.h"


/* Walk the journal: each event is checked; those from `from` on are kept, at most max (0: none,
 * only the newest sequence number is wanted). */
static foresatt_result_t walk(const foresatt_host_t *host, const char *path, int64_t from, size_t max,
                              foresatt_arena_t *arena, foresatt_event_t **events, size_t *n, int64_t *latest,
                              foresatt_status_t *status)
{
    FILE *fp = fopen(path, "re");
    char *line = NULL;
    size_t cap = 0, lineno = 0, kept = 0;
    ssize_t len;
    foresatt_result_t rc = FORESATT_OK;
    int have_previous = 0;

    *latest = 0;
    if (events) {
        *events = NULL;
        *n = 0;
    }
    if (fp == NULL) {
        if (errno == ENOENT)
            return FORESATT_OK; /* no events yet */
        return plugin_say(status, FORESATT_ERROR, "events=%s: %s", path, strerror(errno));
    }
    if (max > 0)
        *events = host->alloc(arena, sizeof(**events) * max);
    while (rc == FORESATT_OK && (len = getline(&line, &cap, fp)) >= 0) {
        foresatt_event_t ev, *slot;
        json_error_t jerr;
        json_t *item;
        const char *p = line;

        lineno++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\r' || *p == '\0' || *p == '#')
            continue;
        if ((size_t)len > FREG_FEED_MAX_ITEM || fst_json_depth(line, (size_t)len, 8) < 0 ||
            fst_json_depth(line, (size_t)len, 8) > 8) {
            rc = plugin_say(status, FORESATT_ERROR, "events=%s line %zu: not one event (too long, or nested too deep)",
                            path, lineno);
            break;
        }
        item = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
        if (item == NULL) {
            rc = plugin_say(status, FORESATT_ERROR, "events=%s line %zu: not JSON", path, lineno);
            break;
        }
        slot = max > 0 && kept < max ? &(*events)[kept] : &ev;
        /* only the events kept are copied; the rest are checked */
        rc = freg_feed_item(host, slot == &ev ? NULL : arena, item, slot, status);
        json_decref(item);
        if (rc != FORESATT_OK) {
            char why[FORESATT_STATUS_MESSAGE_MAX];
            snprintf(why, sizeof(why), "%s", status->message);
            rc = plugin_say(status, FORESATT_ERROR, "events=%s line %zu: %s", path, lineno, why);
            break;
        }
        if (have_previous && slot->sequence <= *latest) {
            rc = plugin_say(status, FORESATT_ERROR, "events=%s line %zu: sekvensnummer %lld does not follow %lld", path,
                            lineno, (long long)slot->sequence, (long long)*latest);
            break;
        }
        *latest = slot->sequence;
        have_previous = 1;
        if (max > 0 && kept < max && slot->sequence >= from)
            kept++;
    }
    free(line);
    fclose(fp);
    if (events) {
        if (rc != FORESATT_OK) {
            *events = NULL;
            kept = 0;
        }
        *n = kept;
    }
    return rc;
}

foresatt_result_t rf_journal_latest(const foresatt_host_t *host, const char *path, int64_t *sequence,
                                    foresatt_status_t *status)
{
    return walk(host, path, 0, 0, NULL, NULL, NULL, sequence, status);
}

foresatt_result_t rf_journal_read(const foresatt_host_t *host, const char *path, int64_t from, size_t max,
                                  foresatt_arena_t *arena, foresatt_event_t **events, size_t *n,
                                  foresatt_status_t *status)
{
    int64_t latest;

    if (max == 0) {
        *events = NULL;
        *n = 0;
        return FORESATT_OK;
    }
    return walk(host, path, from, max, arena, events, n, &latest, status);
}
