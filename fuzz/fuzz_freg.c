/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Folkeregister answers as both register plugins parse them (plugins/common/freg_parse.c, compiled
 * in here as they compile it in): one person document, a bulkoppslag answer, and the RFC 3339 times
 * inside. Invariants: a parsed person has the shape the
 * access rule relies on (identity numbers are 11 digits, a protected address carries no text), a
 * refusal says why without echoing a number from the document, and bulk results line up with the
 * numbers asked for.
 */
#include "fuzz_util.h"
#include "../plugins/common/freg_parse.c"
#include "person.h"
#include "plugin_loader.h"

#define NOW INT64_C(1796083200) /* 2026-12-01T00:00:00Z */

static const char *const asked[] = {"14871050185", "14838000089", "02897800260", "41018000027"};
#define N_ASKED (sizeof(asked) / sizeof(asked[0]))

static int has_eleven_digits(const char *s)
{
    int run = 0;

    for (; *s; s++) {
        run = (*s >= '0' && *s <= '9') ? run + 1 : 0;
        if (run >= 11)
            return 1;
    }
    return 0;
}

static void check_person(const foresatt_person_t *p)
{
    size_t i;

    FUZZ_ASSERT(p != NULL && p->struct_size == sizeof(*p));
    FUZZ_ASSERT(freg_number_shape(p->number));
    if (fst_grading_protected(p->address.grading))
        FUZZ_ASSERT(!p->address.street && !p->address.house_number && !p->address.postal_code &&
                    !p->address.post_town && !p->address.municipality);
    FUZZ_ASSERT(p->n_responsibilities <= FREG_MAX_ENTRIES && p->n_relations <= FREG_MAX_ENTRIES);
    for (i = 0; i < p->n_responsibilities; i++) {
        const foresatt_responsibility_t *r = &p->responsibilities[i];
        FUZZ_ASSERT(r->kind != NULL);
        FUZZ_ASSERT(r->responsible == NULL || freg_number_shape(r->responsible));
        FUZZ_ASSERT(r->subject == NULL || freg_number_shape(r->subject));
        FUZZ_ASSERT(r->current || r->ended_at != 0);
    }
    for (i = 0; i < p->n_relations; i++)
        FUZZ_ASSERT(p->relations[i].related == NULL || freg_number_shape(p->relations[i].related));
}

static void check_refusal(const foresatt_status_t *st)
{
    FUZZ_ASSERT(memchr(st->message, '\0', sizeof(st->message)) != NULL);
    FUZZ_ASSERT(st->message[0] != '\0');
    /* Error text may reach a log line: no identity number from the document in it. */
    FUZZ_ASSERT(!has_eleven_digits(st->message));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    foresatt_host_t host;
    foresatt_status_t st;
    foresatt_person_t *person = (foresatt_person_t *)1, *persons[N_ASKED];
    const char *json = (const char *)data;
    char *text;
    int64_t t;
    size_t k;

    fst_person_pool_host(&host);
    memset(&st, 0, sizeof(st));
    if (freg_parse_person(&host, fst_arena(pool), json, size, NOW, &person, &st) == FORESATT_OK)
        check_person(person);
    else {
        FUZZ_ASSERT(person == NULL);
        check_refusal(&st);
    }

    memset(&st, 0, sizeof(st));
    if (freg_parse_bulk(&host, fst_arena(pool), json, size, NOW, asked, N_ASKED, persons, &st) == FORESATT_OK) {
        for (k = 0; k < N_ASKED; k++)
            if (persons[k] != NULL)
                check_person(persons[k]);
    }
    else {
        for (k = 0; k < N_ASKED; k++)
            FUZZ_ASSERT(persons[k] == NULL);
        check_refusal(&st);
    }

    text = fuzz_cstring(pool, data, size < 64 ? size : 64);
    if (freg_parse_time(text, &t) == 1)
        FUZZ_ASSERT(t > INT64_C(-62200000000) && t < INT64_C(253500000000)); /* years 0000 to 9999, +-1 day */
    (void)freg_depth_ok(json, size, FREG_MAX_DEPTH);
    apr_pool_destroy(pool);
    return 0;
}
