/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Folkeregisteret's event feed (plugins/common/freg_feed.c): pages, items, the newest sequence
 * number in both shapes, and what is refused (wrong types, not an array, too deep, duplicate keys)
 * without quoting the text.
 */
#include <check.h>
#include <string.h>

#include <apr_strings.h>

#include "freg_feed.h"
#include "person.h"
#include "plugin_loader.h"
#include "unit_main.h"

#define ITEM(seq, num, type)                                                                                   \
    "{\"sekvensnummer\":" #seq ",\"hendelse\":{\"folkeregisteridentifikator\":\"" num "\",\"hendelsetype\":\"" \
    type "\",\"hendelsesdokument\":\"d-" #seq "\",\"persondokument\":\"p-" #seq "\","                           \
    "\"ajourholdstidspunkt\":\"2026-12-01T10:00:00.123Z\"}}"

static foresatt_host_t host;
static foresatt_status_t st;

static foresatt_result_t page(const char *json, size_t max, foresatt_event_t **ev, size_t *n)
{
    fst_person_pool_host(&host);
    memset(&st, 0, sizeof(st));
    return freg_feed_page(&host, fst_arena(pool), json, strlen(json), max, ev, n, &st);
}

START_TEST(a_page_of_items)
{
    foresatt_event_t *ev;
    size_t n = 99;

    ck_assert_int_eq(page("[" ITEM(17, "14838000089", "endringIForeldreansvar") "," ITEM(18, "02897800260",
                                                                                           "personErDoed") "]",
                          1000, &ev, &n),
                     FORESATT_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ev[0].sequence, 17);
    ck_assert_str_eq(ev[0].number, "14838000089");
    ck_assert_str_eq(ev[0].type, "endringIForeldreansvar");
    ck_assert_int_eq(ev[0].recorded_at, 1796119200);
    ck_assert_uint_eq(ev[0].struct_size, sizeof(foresatt_event_t));
    ck_assert_str_eq(ev[1].type, "personErDoed");
    /* at most max; the rest is read next time */
    ck_assert_int_eq(page("[" ITEM(1, "1", "a") "," ITEM(2, "2", "b") "," ITEM(3, "3", "c") "]", 2, &ev, &n),
                     FORESATT_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ev[1].sequence, 2);
    ck_assert_int_eq(page("[]", 1000, &ev, &n), FORESATT_OK);
    ck_assert_uint_eq(n, 0);
    /* fields it does not know are ignored; a time it cannot read is left out */
    ck_assert_int_eq(page("[{\"sekvensnummer\":5,\"x\":[1,2],\"hendelse\":{\"folkeregisteridentifikator\":\"1\","
                          "\"hendelsetype\":\"t\",\"ajourholdstidspunkt\":\"yesterday\",\"y\":{}}}]",
                          10, &ev, &n),
                     FORESATT_OK);
    ck_assert_int_eq(ev[0].recorded_at, 0);
}
END_TEST

START_TEST(what_a_page_must_not_be)
{
    static const char *const bad[] = {
        "",
        "{}",
        "not json",
        "[1]",
        "[{\"hendelse\":{\"folkeregisteridentifikator\":\"1\",\"hendelsetype\":\"t\"}}]",
        "[{\"sekvensnummer\":-1,\"hendelse\":{\"folkeregisteridentifikator\":\"1\",\"hendelsetype\":\"t\"}}]",
        "[{\"sekvensnummer\":\"7\",\"hendelse\":{\"folkeregisteridentifikator\":\"1\",\"hendelsetype\":\"t\"}}]",
        "[{\"sekvensnummer\":7,\"hendelse\":[]}]",
        "[{\"sekvensnummer\":7,\"hendelse\":{\"folkeregisteridentifikator\":14838000089,\"hendelsetype\":\"t\"}}]",
        "[{\"sekvensnummer\":7,\"hendelse\":{\"folkeregisteridentifikator\":\"\",\"hendelsetype\":\"t\"}}]",
        "[{\"sekvensnummer\":7,\"hendelse\":{\"folkeregisteridentifikator\":\"1\"}}]",
        "[{\"sekvensnummer\":7,\"sekvensnummer\":8,\"hendelse\":{\"folkeregisteridentifikator\":\"1\","
        "\"hendelsetype\":\"t\"}}]",
        "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]",
    };
    foresatt_event_t *ev;
    size_t i, n;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        n = 99;
        ck_assert_msg(page(bad[i], 1000, &ev, &n) == FORESATT_ERROR, "accepted: %s", bad[i]);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_null(ev);
        ck_assert_str_ne(st.message, "");
        ck_assert_ptr_null(strstr(st.message, "14838000089"));
    }
}
END_TEST

START_TEST(a_page_too_large_is_refused)
{
    size_t len = FREG_FEED_MAX_PAGE + 2, n;
    char *big = apr_palloc(pool, len + 1);
    foresatt_event_t *ev;

    memset(big, ' ', len);
    big[0] = '[';
    big[len - 1] = ']';
    big[len] = '\0';
    fst_person_pool_host(&host);
    ck_assert_int_eq(freg_feed_page(&host, fst_arena(pool), big, len, 10, &ev, &n, &st), FORESATT_ERROR);
    ck_assert_ptr_nonnull(strstr(st.message, "more than"));
}
END_TEST

START_TEST(an_item_checked_without_an_arena)
{
    json_t *item = json_loads(ITEM(9, "14838000089", "endringIStatus"), 0, NULL);
    foresatt_event_t ev;

    fst_person_pool_host(&host);
    ck_assert_int_eq(freg_feed_item(&host, NULL, item, &ev, &st), FORESATT_OK);
    ck_assert_int_eq(ev.sequence, 9);
    ck_assert_ptr_null(ev.number);
    json_decref(item);
}
END_TEST

START_TEST(the_newest_sequence_number)
{
    static const char *const bad[] = {"", "-3", "\"17\"", "{\"seq\":17}", "{\"sekvensnummer\":\"17\"}", "17.5",
                                      "[17]", "nonsense"};
    int64_t seq = -1;
    size_t i;

    ck_assert_int_eq(freg_feed_latest("17", 2, &seq, &st), FORESATT_OK);
    ck_assert_int_eq(seq, 17);
    ck_assert_int_eq(freg_feed_latest("{\"sekvensnummer\": 4000000000}", 29, &seq, &st), FORESATT_OK);
    ck_assert_int_eq(seq, 4000000000LL);
    ck_assert_int_eq(freg_feed_latest("0\n", 2, &seq, &st), FORESATT_OK);
    ck_assert_int_eq(seq, 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&st, 0, sizeof(st));
        ck_assert_msg(freg_feed_latest(bad[i], strlen(bad[i]), &seq, &st) == FORESATT_ERROR, "accepted: %s",
                      bad[i]);
        ck_assert_int_eq(seq, 0);
    }
}
END_TEST

UNIT_MAIN("freg_feed", a_page_of_items, what_a_page_must_not_be, a_page_too_large_is_refused,
          an_item_checked_without_an_arena, the_newest_sequence_number)
