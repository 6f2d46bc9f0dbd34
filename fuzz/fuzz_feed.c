/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Folkeregisteret's event feed as both register plugins read it (plugins/common/freg_feed.c,
 * compiled in here as they compile it in): a page, the newest sequence number, and one journal
 * line. Invariants: never more events than asked for, each with a number and a type of at most
 * 128 bytes and a sequence number of 0 or more; a refusal says why without echoing a number.
 */
#include "fuzz_util.h"
#include "../plugins/common/say.c"
#include "../plugins/common/freg_parse.c"
#include "../plugins/common/freg_feed.c"
#include "person.h"
#include "plugin_loader.h"

#define MAX 7

static void check_refusal(const foresatt_status_t *st)
{
    int run = 0;
    const char *s;

    FUZZ_ASSERT(memchr(st->message, '\0', sizeof(st->message)) != NULL);
    FUZZ_ASSERT(st->message[0] != '\0');
    for (s = st->message; *s; s++) {
        run = (*s >= '0' && *s <= '9') ? run + 1 : 0;
        FUZZ_ASSERT(run < 11);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    foresatt_host_t host;
    foresatt_status_t st;
    foresatt_event_t *ev = NULL, one;
    const char *json = (const char *)data;
    json_t *item;
    int64_t seq = -1;
    size_t n = 99, i;

    fst_person_pool_host(&host);
    memset(&st, 0, sizeof(st));
    if (freg_feed_page(&host, fst_arena(pool), json, size, MAX, &ev, &n, &st) == FORESATT_OK) {
        FUZZ_ASSERT(n <= MAX && (n == 0 || ev != NULL));
        for (i = 0; i < n; i++) {
            FUZZ_ASSERT(ev[i].struct_size == sizeof(ev[i]) && ev[i].sequence >= 0);
            FUZZ_ASSERT(ev[i].number && *ev[i].number && strlen(ev[i].number) <= 128);
            FUZZ_ASSERT(ev[i].type && *ev[i].type && strlen(ev[i].type) <= 128);
        }
    } else {
        FUZZ_ASSERT(n == 0 && ev == NULL);
        check_refusal(&st);
    }

    memset(&st, 0, sizeof(st));
    if (freg_feed_latest(json, size, &seq, &st) == FORESATT_OK)
        FUZZ_ASSERT(seq >= 0);
    else {
        FUZZ_ASSERT(seq == 0);
        check_refusal(&st);
    }

    item = size <= FREG_FEED_MAX_ITEM ? json_loadb(json, size, JSON_REJECT_DUPLICATES, NULL) : NULL;
    if (item) {
        memset(&st, 0, sizeof(st));
        if (freg_feed_item(&host, NULL, item, &one, &st) != FORESATT_OK)
            check_refusal(&st);
        json_decref(item);
    }
    apr_pool_destroy(pool);
    return 0;
}
