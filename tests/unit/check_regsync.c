/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The register's changes reaching the school (lib/regsync): what a register answer means for a
 * held number (plan), a follow round over a scripted feed and store (filtering, lookups, one
 * transaction per event, resuming, failures half-way), and sync's comparison and listings.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>

#include "regsync/follow.h"
#include "regsync/plan.h"
#include "regsync/sync.h"
#include "unit_main.h"

#define MOTHER "14838000089"
#define FATHER "02897800260"
#define CHILD "20811050130"
#define DNUM "70078500067"
#define NEWNUM "30878500048"
#define STRANGER_BASE 10000000000LL

/* --- a scripted register ------------------------------------------------------------------------ */

#define MAX_EVENTS 20000
#define MAX_PERSONS 16

typedef struct fake_register {
    foresatt_event_t events[MAX_EVENTS];
    char numbers[MAX_EVENTS][12];
    size_t n_events;
    foresatt_person_t persons[MAX_PERSONS];
    foresatt_responsibility_t resp[MAX_PERSONS][2];
    const char *asked_for[MAX_PERSONS]; /* the number a person answers to */
    size_t n_persons;
    size_t numbers_asked, lookup_calls, reads;
    int fail_read_after;  /* > 0: the read after this many fails temporarily */
    int fail_lookup;
    int64_t gone_before;
} fake_register_t;

static fake_register_t reg;

static foresatt_result_t reg_lookup_batch(void *inst, const char *const *numbers, size_t n, foresatt_arena_t *arena,
                                          foresatt_person_t **persons, foresatt_status_t *st)
{
    size_t i, k;

    (void)inst;
    (void)arena;
    reg.lookup_calls++;
    reg.numbers_asked += n;
    if (reg.fail_lookup) {
        snprintf(st->message, sizeof(st->message), "rate limited");
        st->retry_after = 9;
        return FORESATT_TEMPORARY;
    }
    for (i = 0; i < n; i++) {
        persons[i] = NULL;
        for (k = 0; k < reg.n_persons; k++)
            if (strcmp(reg.asked_for[k], numbers[i]) == 0)
                persons[i] = &reg.persons[k];
    }
    return FORESATT_OK;
}

static foresatt_result_t reg_lookup(void *inst, const char *number, foresatt_arena_t *arena,
                                    foresatt_person_t **person, foresatt_status_t *st)
{
    foresatt_result_t rc = reg_lookup_batch(inst, &number, 1, arena, person, st);
    return rc == FORESATT_OK && *person == NULL ? FORESATT_NOT_FOUND : rc;
}

static foresatt_result_t reg_latest(void *inst, int64_t *seq, foresatt_status_t *st)
{
    (void)inst;
    (void)st;
    *seq = reg.n_events ? reg.events[reg.n_events - 1].sequence : 0;
    return FORESATT_OK;
}

static foresatt_result_t reg_read(void *inst, int64_t from, size_t max, foresatt_arena_t *arena,
                                  foresatt_event_t **events, size_t *n, foresatt_status_t *st)
{
    size_t i = 0;

    (void)inst;
    (void)arena;
    reg.reads++;
    if (reg.fail_read_after > 0 && (int)reg.reads > reg.fail_read_after) {
        snprintf(st->message, sizeof(st->message), "Folkeregisteret is rate limiting (429)");
        st->retry_after = 30;
        return FORESATT_TEMPORARY;
    }
    if (reg.gone_before && from < reg.gone_before)
        return FORESATT_NOT_FOUND;
    while (i < reg.n_events && reg.events[i].sequence < from)
        i++;
    *events = &reg.events[i];
    *n = reg.n_events - i < max ? reg.n_events - i : max;
    return FORESATT_OK;
}

static void event(const char *number, const char *type)
{
    size_t i = reg.n_events++;

    memcpy(reg.numbers[i], number, 11);
    reg.numbers[i][11] = '\0';
    reg.events[i].struct_size = sizeof(reg.events[i]);
    reg.events[i].sequence = (int64_t)i + 1;
    reg.events[i].number = reg.numbers[i];
    reg.events[i].type = type;
}

static void strangers(size_t n)
{
    char num[24];
    size_t i;

    for (i = 0; i < n; i++) {
        snprintf(num, sizeof(num), "%011lld", (STRANGER_BASE + (long long)reg.n_events) % 100000000000LL);
        event(num, "endringIStatus");
    }
}

/* A person the register answers for `asked` (usually their own number). */
static foresatt_person_t *person(const char *asked, const char *number, const char *given, const char *family)
{
    foresatt_person_t *p = &reg.persons[reg.n_persons];

    memset(p, 0, sizeof(*p));
    p->struct_size = sizeof(*p);
    p->number = number;
    p->given_name = given;
    p->family_name = family;
    p->status = "bosatt";
    p->birth_date = "2010-01-20";
    p->has_address = 1;
    p->address.street = "Testveien";
    p->address.house_number = "12";
    p->address.postal_code = "0150";
    p->address.post_town = "OSLO";
    reg.asked_for[reg.n_persons++] = asked;
    return p;
}

static void responsible(foresatt_person_t *child, const char *who, int slot)
{
    foresatt_responsibility_t *r = &reg.resp[child - reg.persons][slot];

    r->kind = "felles";
    r->responsible = who;
    r->subject = child->number;
    r->current = 1;
    child->responsibilities = reg.resp[child - reg.persons];
    child->n_responsibilities = (size_t)slot + 1;
}

static foresatt_registry_ops_t reg_ops = {
    .struct_size = sizeof(foresatt_registry_ops_t),
    .lookup = reg_lookup,
    .lookup_batch = reg_lookup_batch,
    .max_batch = 1000,
    .events_latest = reg_latest,
    .events_read = reg_read,
};

/* --- a scripted store ---------------------------------------------------------------------------- */

#define MAX_ROWS 8
#define MAX_APPLIES 64

typedef struct row {
    char pupil_id[8];
    char number[12];
    char name[64];
    char address[128];
    int has_address;
} row_t;

typedef struct fake_store {
    row_t pupils[MAX_ROWS]; /* pupil_id, number */
    size_t n_pupils;
    row_t guardians[MAX_ROWS];
    size_t n_guardians;
    char deceased[MAX_ROWS][12];
    size_t n_deceased;
    char protected_[MAX_ROWS][12];
    size_t n_protected;
    int64_t position;
    int has_position;
    size_t applies, applied_changes[7];
    size_t apply_sizes[MAX_APPLIES];
    int fail_apply_at; /* > 0: that apply (1-based) fails temporarily and changes nothing */
    size_t held_calls;
    foresatt_register_change_t last_changes[16];
    size_t n_last;
} fake_store_t;

static fake_store_t store;

static int in_list(char list[][12], size_t n, const char *number)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(list[i], number) == 0)
            return 1;
    return 0;
}

static foresatt_result_t st_held(void *inst, const char *const *numbers, size_t n, unsigned *held,
                                 foresatt_status_t *st)
{
    size_t i, k;

    (void)inst;
    (void)st;
    ck_assert_uint_le(n, 1000);
    store.held_calls++;
    for (i = 0; i < n; i++) {
        held[i] = 0;
        for (k = 0; k < store.n_pupils; k++)
            if (strcmp(store.pupils[k].number, numbers[i]) == 0)
                held[i] |= FORESATT_HELD_PUPIL;
        for (k = 0; k < store.n_guardians; k++)
            if (strcmp(store.guardians[k].number, numbers[i]) == 0)
                held[i] |= FORESATT_HELD_GUARDIAN;
        if (held[i] && in_list(store.deceased, store.n_deceased, numbers[i]))
            held[i] |= FORESATT_HELD_DECEASED;
        if (held[i] && in_list(store.protected_, store.n_protected, numbers[i]))
            held[i] |= FORESATT_HELD_PROTECTED;
    }
    return FORESATT_OK;
}

static foresatt_result_t st_apply(void *inst, const foresatt_register_change_t *c, size_t n, const char *feed,
                                  int64_t seq, foresatt_status_t *st)
{
    size_t i, k;

    (void)inst;
    store.applies++;
    if (store.fail_apply_at > 0 && (int)store.applies == store.fail_apply_at) {
        snprintf(st->message, sizeof(st->message), "the database is busy");
        return FORESATT_TEMPORARY;
    }
    if (store.applies <= MAX_APPLIES)
        store.apply_sizes[store.applies - 1] = n;
    store.n_last = n < 16 ? n : 16;
    if (store.n_last > 0) /* c may be NULL with n 0: memcpy's arguments must not be (UBSan) */
        memcpy(store.last_changes, c, store.n_last * sizeof(*c));
    for (i = 0; i < n; i++) {
        store.applied_changes[c[i].kind]++;
        for (k = 0; k < store.n_guardians; k++) {
            row_t *g = &store.guardians[k];
            if (strcmp(g->number, c[i].number) != 0)
                continue;
            if (c[i].kind == FORESATT_CHANGE_NUMBER)
                snprintf(g->number, sizeof(g->number), "%s", c[i].new_number);
            else if (c[i].kind == FORESATT_CHANGE_GUARDIAN_DETAILS) {
                snprintf(g->name, sizeof(g->name), "%s", c[i].name);
                if (c[i].address) {
                    snprintf(g->address, sizeof(g->address), "%s", c[i].address);
                    g->has_address = 1;
                }
            } else if (c[i].kind == FORESATT_CHANGE_ADDRESS_PROTECTED)
                g->has_address = 0;
        }
        for (k = 0; k < store.n_pupils; k++)
            if (c[i].kind == FORESATT_CHANGE_NUMBER && strcmp(store.pupils[k].number, c[i].number) == 0)
                snprintf(store.pupils[k].number, sizeof(store.pupils[k].number), "%s", c[i].new_number);
        if (c[i].kind == FORESATT_CHANGE_DECEASED)
            snprintf(store.deceased[store.n_deceased++], 12, "%s", c[i].number);
        if (c[i].kind == FORESATT_CHANGE_ALIVE)
            for (k = 0; k < store.n_deceased; k++)
                if (strcmp(store.deceased[k], c[i].number) == 0)
                    store.deceased[k][0] = '\0';
        if (c[i].kind == FORESATT_CHANGE_ADDRESS_PROTECTED)
            snprintf(store.protected_[store.n_protected++], 12, "%s", c[i].number);
    }
    if (feed) {
        ck_assert_str_eq(feed, "freg");
        store.position = seq;
        store.has_position = 1;
    }
    return FORESATT_OK;
}

static foresatt_result_t st_position(void *inst, const char *feed, int64_t *seq, foresatt_status_t *st)
{
    (void)inst;
    (void)feed;
    (void)st;
    *seq = store.position;
    return store.has_position ? FORESATT_OK : FORESATT_NOT_FOUND;
}

static foresatt_guardian_t *guardian_of(foresatt_arena_t *arena, const row_t *g)
{
    foresatt_guardian_t *out = apr_pcalloc((apr_pool_t *)arena, sizeof(*out));

    out->struct_size = sizeof(*out);
    out->pupil_id = apr_pstrdup((apr_pool_t *)arena, g->pupil_id);
    out->number = apr_pstrdup((apr_pool_t *)arena, g->number);
    out->name = apr_pstrdup((apr_pool_t *)arena, g->name);
    out->address = g->has_address ? apr_pstrdup((apr_pool_t *)arena, g->address) : NULL;
    out->fnr_use = FORESATT_FNR_USE_ACCEPTED;
    return out;
}

static foresatt_result_t st_links(void *inst, const char *number, foresatt_arena_t *arena,
                                  foresatt_guardian_t ***out, size_t *n, foresatt_status_t *st)
{
    size_t k;

    (void)inst;
    (void)st;
    *out = apr_pcalloc((apr_pool_t *)arena, sizeof(**out) * MAX_ROWS);
    *n = 0;
    for (k = 0; k < store.n_guardians; k++)
        if (strcmp(store.guardians[k].number, number) == 0)
            (*out)[(*n)++] = guardian_of(arena, &store.guardians[k]);
    return *n ? FORESATT_OK : FORESATT_NOT_FOUND;
}

static foresatt_result_t st_pupil_guardians(void *inst, const char *pupil_id, foresatt_arena_t *arena,
                                            foresatt_guardian_t ***out, size_t *n, foresatt_status_t *st)
{
    size_t k;

    (void)inst;
    (void)st;
    *out = apr_pcalloc((apr_pool_t *)arena, sizeof(**out) * MAX_ROWS);
    *n = 0;
    for (k = 0; k < store.n_guardians; k++)
        if (strcmp(store.guardians[k].pupil_id, pupil_id) == 0)
            (*out)[(*n)++] = guardian_of(arena, &store.guardians[k]);
    return FORESATT_OK;
}

static foresatt_pupil_t *pupil_of(foresatt_arena_t *arena, const row_t *p)
{
    foresatt_pupil_t *out = apr_pcalloc((apr_pool_t *)arena, sizeof(*out));

    out->struct_size = sizeof(*out);
    out->pupil_id = apr_pstrdup((apr_pool_t *)arena, p->pupil_id);
    out->number = apr_pstrdup((apr_pool_t *)arena, p->number);
    out->enrollment = FORESATT_ENROLLMENT_ACTIVE;
    return out;
}

static foresatt_result_t st_pupil_by_number(void *inst, const char *number, foresatt_arena_t *arena,
                                            foresatt_pupil_t **out, foresatt_status_t *st)
{
    size_t k;

    (void)inst;
    (void)st;
    for (k = 0; k < store.n_pupils; k++)
        if (strcmp(store.pupils[k].number, number) == 0) {
            *out = pupil_of(arena, &store.pupils[k]);
            return FORESATT_OK;
        }
    return FORESATT_NOT_FOUND;
}

static foresatt_result_t st_pupil_by_id(void *inst, const char *id, foresatt_arena_t *arena, foresatt_pupil_t **out,
                                        foresatt_status_t *st)
{
    size_t k;

    (void)inst;
    (void)st;
    for (k = 0; k < store.n_pupils; k++)
        if (strcmp(store.pupils[k].pupil_id, id) == 0) {
            *out = pupil_of(arena, &store.pupils[k]);
            return FORESATT_OK;
        }
    return FORESATT_NOT_FOUND;
}

static foresatt_result_t st_pupils_all(void *inst, foresatt_arena_t *arena, foresatt_pupil_t ***out, size_t *n,
                                       foresatt_status_t *st)
{
    size_t k;

    (void)inst;
    (void)st;
    *out = apr_pcalloc((apr_pool_t *)arena, sizeof(**out) * MAX_ROWS);
    for (k = 0; k < store.n_pupils; k++)
        (*out)[k] = pupil_of(arena, &store.pupils[k]);
    *n = store.n_pupils;
    return FORESATT_OK;
}

static foresatt_store_ops_t store_ops = {
    .struct_size = sizeof(foresatt_store_ops_t),
    .pupil_by_id = st_pupil_by_id,
    .pupil_by_number = st_pupil_by_number,
    .pupils_all = st_pupils_all,
    .guardian_links = st_links,
    .pupil_guardians = st_pupil_guardians,
    .numbers_held = st_held,
    .register_apply = st_apply,
    .feed_position = st_position,
};

static foresatt_plugin_t reg_desc, store_desc;
static fst_plugin_t registry_plugin, store_plugin;

static void pupil_row(const char *id, const char *number)
{
    row_t *p = &store.pupils[store.n_pupils++];
    snprintf(p->pupil_id, sizeof(p->pupil_id), "%s", id);
    snprintf(p->number, sizeof(p->number), "%s", number);
}

static void guardian_row(const char *id, const char *number, const char *name, const char *address)
{
    row_t *g = &store.guardians[store.n_guardians++];
    snprintf(g->pupil_id, sizeof(g->pupil_id), "%s", id);
    snprintf(g->number, sizeof(g->number), "%s", number);
    snprintf(g->name, sizeof(g->name), "%s", name);
    if (address) {
        snprintf(g->address, sizeof(g->address), "%s", address);
        g->has_address = 1;
    }
}

/* The school: S1 (CHILD) with MOTHER and FATHER; the register agrees. */
static void school(void)
{
    foresatt_person_t *child;

    memset(&reg, 0, sizeof(reg));
    memset(&store, 0, sizeof(store));
    pupil_row("S1", CHILD);
    guardian_row("S1", MOTHER, "KARI HANSEN", "Testveien 12, 0150 OSLO");
    guardian_row("S1", FATHER, "OLA HANSEN", "Testveien 12, 0150 OSLO");
    child = person(CHILD, CHILD, "EMMA", "HANSEN");
    responsible(child, MOTHER, 0);
    responsible(child, FATHER, 1);
    person(MOTHER, MOTHER, "KARI", "HANSEN")->birth_date = "1980-03-14";
    person(FATHER, FATHER, "OLA", "HANSEN")->birth_date = "1978-09-02";

    memset(&reg_desc, 0, sizeof(reg_desc));
    reg_desc.name = "fake_register";
    reg_desc.abi_major = 1;
    reg_desc.abi_minor = 2;
    reg_desc.kind = FORESATT_PLUGIN_REGISTRY;
    reg_desc.flags = FORESATT_PLUGIN_THREADSAFE;
    reg_desc.registry = &reg_ops;
    store_desc = reg_desc;
    store_desc.name = "fake_store";
    store_desc.kind = FORESATT_PLUGIN_STORE;
    store_desc.registry = NULL;
    store_desc.store = &store_ops;
    memset(&registry_plugin, 0, sizeof(registry_plugin));
    registry_plugin.name = "freg";
    registry_plugin.desc = &reg_desc;
    memset(&store_plugin, 0, sizeof(store_plugin));
    store_plugin.name = "st";
    store_plugin.desc = &store_desc;
}

static int fake_pseudonym(void *ctx, const char *number, char out[FST_PSEUDONYM_LEN + 1])
{
    (void)ctx;
    snprintf(out, FST_PSEUDONYM_LEN + 1, "p-%024lld", atoll(number));
    return 1;
}

static fst_follow_result_t round_(fst_follow_stats_t *stats, fst_follow_error_t *err)
{
    fst_follow_config_t cfg;

    memset(&cfg, 0, sizeof(cfg));
    cfg.feed = "freg";
    cfg.pseudonym = fake_pseudonym;
    return fst_follow_round(&registry_plugin, &store_plugin, &cfg, 1790000000, pool, stats, err);
}

/* --- plan ---------------------------------------------------------------------------------------- */

START_TEST(plan_agreeing_guardian_changes_nothing)
{
    fst_regsync_held_t h = {MOTHER, FORESATT_HELD_GUARDIAN, "KARI HANSEN", "Testveien 12, 0150 OSLO"};
    fst_regsync_plan_t plan;

    school();
    fst_regsync_plan(pool, &h, &reg.persons[1], 0, 0, NULL, NULL, &plan);
    ck_assert_uint_eq(plan.found, 0);
    ck_assert_int_eq(plan.changes->nelts, 0);
    fst_regsync_plan(pool, &h, &reg.persons[1], 0, 1, NULL, NULL, &plan);
    ck_assert_int_eq(plan.changes->nelts, 1);
    ck_assert_int_eq(APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t).kind, FORESATT_CHANGE_RECHECK);
}
END_TEST

START_TEST(plan_name_and_address_from_the_register)
{
    fst_regsync_held_t h = {MOTHER, FORESATT_HELD_GUARDIAN, "Kari Hansen", NULL};
    fst_regsync_plan_t plan;
    const foresatt_register_change_t *c;

    school();
    reg.persons[1].middle_name = "MARIE";
    fst_regsync_plan(pool, &h, &reg.persons[1], 0, 0, NULL, NULL, &plan);
    ck_assert_uint_eq(plan.found, FST_FIND_NAME | FST_FIND_ADDRESS);
    ck_assert_int_eq(plan.changes->nelts, 1);
    c = &APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t);
    ck_assert_int_eq(c->kind, FORESATT_CHANGE_GUARDIAN_DETAILS);
    ck_assert_str_eq(c->name, "KARI MARIE HANSEN");
    ck_assert_str_eq(c->address, "Testveien 12, 0150 OSLO");
}
END_TEST

START_TEST(plan_graded_address_is_removed_and_never_carried)
{
    static const foresatt_grading_t gradings[] = {FORESATT_GRADING_CLIENT, FORESATT_GRADING_CONFIDENTIAL,
                                                  FORESATT_GRADING_STRICTLY_CONFIDENTIAL};
    size_t i;

    for (i = 0; i < 3; i++) {
        fst_regsync_held_t h = {MOTHER, FORESATT_HELD_GUARDIAN, "KARI HANSEN", "Testveien 12, 0150 OSLO"};
        fst_regsync_plan_t plan;
        int j;

        school();
        reg.persons[1].address.grading = gradings[i];
        fst_regsync_plan(pool, &h, &reg.persons[1], 0, 0, NULL, NULL, &plan);
        ck_assert_uint_eq(plan.found, FST_FIND_PROTECTED);
        ck_assert_ptr_null(plan.address);
        ck_assert_int_eq(plan.changes->nelts, 1);
        ck_assert_int_eq(APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t).kind,
                         FORESATT_CHANGE_ADDRESS_PROTECTED);
        for (j = 0; j < plan.changes->nelts; j++)
            ck_assert_ptr_null(APR_ARRAY_IDX(plan.changes, j, foresatt_register_change_t).address);
        /* once the store has removed it, nothing more to do */
        h.held |= FORESATT_HELD_PROTECTED;
        h.stored_address = NULL;
        fst_regsync_plan(pool, &h, &reg.persons[1], 0, 0, NULL, NULL, &plan);
        ck_assert_int_eq(plan.changes->nelts, 0);
    }
}
END_TEST

START_TEST(plan_ungraded_again_brings_the_address_back)
{
    fst_regsync_held_t h = {MOTHER, FORESATT_HELD_GUARDIAN | FORESATT_HELD_PROTECTED, "KARI HANSEN", NULL};
    fst_regsync_plan_t plan;

    school();
    fst_regsync_plan(pool, &h, &reg.persons[1], 0, 0, NULL, NULL, &plan);
    ck_assert_int_eq(plan.changes->nelts, 1);
    ck_assert_str_eq(APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t).address, "Testveien 12, 0150 OSLO");
}
END_TEST

START_TEST(plan_number_change_moves_and_carries_pseudonyms)
{
    fst_regsync_held_t h = {DNUM, FORESATT_HELD_GUARDIAN, "SAMIRA AHMED", "Testveien 12, 0150 OSLO"};
    fst_regsync_plan_t plan;
    const foresatt_register_change_t *c;

    school();
    fst_regsync_plan(pool, &h, person(DNUM, NEWNUM, "SAMIRA", "AHMED"), 0, 0, fake_pseudonym, NULL, &plan);
    ck_assert_uint_eq(plan.found, FST_FIND_NUMBER_CHANGED);
    ck_assert_str_eq(plan.new_number, NEWNUM);
    ck_assert_int_eq(plan.changes->nelts, 2);
    c = &APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t);
    ck_assert_int_eq(c->kind, FORESATT_CHANGE_NUMBER);
    ck_assert_str_eq(c->number, DNUM);
    ck_assert_str_eq(c->new_number, NEWNUM);
    ck_assert_str_eq(c->actor, "p-000000000000070078500067");
    ck_assert_str_eq(c->new_actor, "p-000000000000030878500048");
    c = &APR_ARRAY_IDX(plan.changes, 1, foresatt_register_change_t);
    ck_assert_int_eq(c->kind, FORESATT_CHANGE_GUARDIAN_DETAILS); /* for the records as moved */
    ck_assert_str_eq(c->number, NEWNUM);
    /* without a pseudonym key the audit log's actors stay */
    fst_regsync_plan(pool, &h, &reg.persons[3], 0, 0, NULL, NULL, &plan);
    ck_assert_ptr_null(APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t).actor);
}
END_TEST

START_TEST(plan_death_once_and_nothing_else)
{
    fst_regsync_held_t h = {MOTHER, FORESATT_HELD_GUARDIAN, "Kari", NULL};
    fst_regsync_plan_t plan;
    const foresatt_register_change_t *c;

    school();
    reg.persons[1].status = "doed";
    fst_regsync_plan(pool, &h, &reg.persons[1], 1234, 0, NULL, NULL, &plan);
    ck_assert_uint_eq(plan.found, FST_FIND_DECEASED);
    ck_assert_int_eq(plan.changes->nelts, 1);
    c = &APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t);
    ck_assert_int_eq(c->kind, FORESATT_CHANGE_DECEASED);
    ck_assert_int_eq(c->at, 1234);
    h.held |= FORESATT_HELD_DECEASED;
    fst_regsync_plan(pool, &h, &reg.persons[1], 1234, 0, NULL, NULL, &plan);
    ck_assert_int_eq(plan.changes->nelts, 0);
    /* the register corrects itself: the mark goes */
    reg.persons[1].status = "bosatt";
    h.stored_name = "KARI HANSEN";
    h.stored_address = "Testveien 12, 0150 OSLO";
    fst_regsync_plan(pool, &h, &reg.persons[1], 1234, 0, NULL, NULL, &plan);
    ck_assert_int_eq(plan.changes->nelts, 1);
    ck_assert_int_eq(APR_ARRAY_IDX(plan.changes, 0, foresatt_register_change_t).kind, FORESATT_CHANGE_ALIVE);
}
END_TEST

START_TEST(plan_not_in_register_and_ended)
{
    fst_regsync_held_t h = {CHILD, FORESATT_HELD_PUPIL, NULL, NULL};
    fst_regsync_plan_t plan;

    school();
    fst_regsync_plan(pool, &h, NULL, 0, 0, NULL, NULL, &plan);
    ck_assert_uint_eq(plan.found, FST_FIND_NOT_IN_REGISTER);
    ck_assert_int_eq(plan.changes->nelts, 0);
    reg.persons[0].status = "opphoert";
    fst_regsync_plan(pool, &h, &reg.persons[0], 0, 0, NULL, NULL, &plan);
    ck_assert_uint_eq(plan.found, FST_FIND_ENDED);
    ck_assert_int_eq(plan.changes->nelts, 0);
    /* a pupil's name and address are not the store's business */
    reg.persons[0].status = "bosatt";
    reg.persons[0].address.grading = FORESATT_GRADING_CONFIDENTIAL;
    fst_regsync_plan(pool, &h, &reg.persons[0], 0, 0, NULL, NULL, &plan);
    ck_assert_uint_eq(plan.found, 0);
}
END_TEST

START_TEST(plan_address_line_and_limits)
{
    foresatt_person_t p;
    char big[400];

    memset(&p, 0, sizeof(p));
    ck_assert_ptr_null(fst_regsync_address(pool, &p));
    ck_assert_ptr_null(fst_regsync_name(pool, &p));
    p.has_address = 1;
    p.address.postal_code = "0150";
    ck_assert_str_eq(fst_regsync_address(pool, &p), "0150");
    p.address.street = "Storgata";
    ck_assert_str_eq(fst_regsync_address(pool, &p), "Storgata, 0150");
    memset(big, 'x', sizeof(big) - 3);
    memcpy(big + sizeof(big) - 5, "\xc3\xa5", 2); /* an å across the cut */
    big[sizeof(big) - 3] = '\0';
    p.address.street = big;
    ck_assert_uint_le(strlen(fst_regsync_address(pool, &p)), FORESATT_MAX_ADDRESS_LEN);
    p.family_name = "NORDMANN";
    ck_assert_str_eq(fst_regsync_name(pool, &p), "NORDMANN");
}
END_TEST

/* --- follow -------------------------------------------------------------------------------------- */

START_TEST(follow_first_round_starts_at_the_newest)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;

    school();
    strangers(5);
    event(MOTHER, "endringIForeldreansvar"); /* before we started: sync's job, not follow's */
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_int_eq(stats.started, 1);
    ck_assert_int_eq(store.position, 6);
    ck_assert_uint_eq(reg.numbers_asked, 0);
    event(MOTHER, "endringIForeldreansvar");
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_int_eq(stats.started, 0);
    ck_assert_int_eq(stats.from, 7);
    ck_assert_int_eq(store.position, 7);
    ck_assert_uint_eq(reg.numbers_asked, 1);
}
END_TEST

START_TEST(follow_ten_thousand_events_three_lookups)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;

    school();
    store.has_position = 1;
    strangers(1200);
    event(MOTHER, "endringIAdressebeskyttelse");
    strangers(4000);
    event(CHILD, "endringIForeldreansvar");
    strangers(3000);
    event(FATHER, "personErOppdatert");
    strangers(10000 - reg.n_events);
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_uint_eq(stats.events, 10000);
    ck_assert_uint_eq(stats.pages, 10);
    ck_assert_uint_eq(stats.held, 3);
    ck_assert_uint_eq(reg.numbers_asked, 3);
    ck_assert_uint_eq(stats.looked_up, 3);
    ck_assert_uint_eq(store.held_calls, 10); /* one per page */
    ck_assert_int_eq(store.position, 10000);
    /* three events applied, and seven pages only moved the position */
    ck_assert_uint_eq(stats.applied, 3);
    ck_assert_uint_eq(store.applies, 3 + 10);
}
END_TEST

START_TEST(follow_twice_applies_nothing_twice)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;
    size_t applies;

    school();
    store.has_position = 1;
    event(MOTHER, "endringIForeldreansvar");
    strangers(3);
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    applies = store.applies;
    ck_assert_uint_eq(stats.applied, 1);
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_uint_eq(stats.applied, 0);
    ck_assert_uint_eq(stats.events, 0);
    ck_assert_uint_eq(store.applies, applies);
    ck_assert_uint_eq(reg.numbers_asked, 1);
}
END_TEST

START_TEST(follow_stopped_half_way_resumes_exactly)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;

    school();
    store.has_position = 1;
    event(MOTHER, "endringIForeldreansvar"); /* 1 */
    strangers(1500);                         /* 2..1501: the first page ends at 1000 */
    event(FATHER, "endringIFamilierelasjon"); /* 1502 */
    reg.fail_read_after = 1;                  /* the second read (from 1001) is rate limited */
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_TEMPORARY);
    ck_assert_uint_eq(err.retry_after, 30);
    ck_assert_ptr_nonnull(strstr(err.message, "429"));
    ck_assert_int_eq(store.position, 1000); /* the first page is applied and recorded */
    ck_assert_uint_eq(stats.applied, 1);
    reg.fail_read_after = 0;
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_int_eq(stats.from, 1001);
    ck_assert_uint_eq(stats.applied, 1); /* the father's, and the mother's not again */
    ck_assert_uint_eq(reg.numbers_asked, 2);
    ck_assert_int_eq(store.position, 1502);
}
END_TEST

START_TEST(follow_store_failure_mid_page_keeps_the_last_applied)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;

    school();
    store.has_position = 1;
    event(MOTHER, "endringIForeldreansvar"); /* 1: applied */
    event(FATHER, "endringIForeldreansvar"); /* 2: the store fails */
    strangers(2);
    store.fail_apply_at = 2;
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_TEMPORARY);
    ck_assert_int_eq(store.position, 1);
    store.fail_apply_at = 0;
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_int_eq(stats.from, 2);
    ck_assert_uint_eq(stats.applied, 1); /* FATHER's, once */
    ck_assert_int_eq(store.position, 4);
}
END_TEST

START_TEST(follow_lookup_failure_applies_nothing_of_the_page)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;

    school();
    store.has_position = 1;
    strangers(2);
    event(MOTHER, "personErDoed");
    reg.fail_lookup = 1;
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_TEMPORARY);
    ck_assert_uint_eq(err.retry_after, 9);
    ck_assert_int_eq(store.position, 0);
    ck_assert_uint_eq(store.applies, 0);
}
END_TEST

START_TEST(follow_rechecks_the_persons_around_the_one_changed)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;
    size_t i;
    int mother = 0, father = 0, child = 0;

    school();
    store.has_position = 1;
    reg.persons[0].n_responsibilities = 1; /* the court moved it: only the mother now */
    event(CHILD, "endringIForeldreansvar");
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_uint_eq(store.n_last, 3);
    for (i = 0; i < store.n_last; i++) {
        ck_assert_int_eq(store.last_changes[i].kind, FORESATT_CHANGE_RECHECK);
        mother += strcmp(store.last_changes[i].number, MOTHER) == 0;
        father += strcmp(store.last_changes[i].number, FATHER) == 0;
        child += strcmp(store.last_changes[i].number, CHILD) == 0;
    }
    ck_assert(mother == 1 && father == 1 && child == 1);
    /* an event about a guardian rechecks the guardian's pupils, not the other guardian */
    event(MOTHER, "endringIIdentifikasjonsnummer");
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_uint_eq(store.n_last, 2);
    ck_assert_str_eq(store.last_changes[0].number, MOTHER);
    ck_assert_str_eq(store.last_changes[1].number, CHILD);
    ck_assert_uint_eq(reg.numbers_asked, 2); /* and none of them is looked up */
}
END_TEST

START_TEST(follow_same_person_twice_in_a_page_is_looked_up_once)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;

    school();
    store.has_position = 1;
    event(MOTHER, "endringIAdressebeskyttelse");
    strangers(3);
    event(MOTHER, "endringIStatus");
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_OK);
    ck_assert_uint_eq(reg.numbers_asked, 1);
    ck_assert_uint_eq(stats.held, 2);
    ck_assert_uint_eq(stats.applied, 1);
    ck_assert_int_eq(store.position, 5);
}
END_TEST

START_TEST(follow_gone_and_out_of_order_and_unsupported)
{
    fst_follow_stats_t stats;
    fst_follow_error_t err;
    foresatt_registry_ops_t old_ops = reg_ops;

    school();
    store.has_position = 1;
    strangers(10);
    reg.gone_before = 5;
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_GONE);
    ck_assert_msg(strstr(err.message, "no longer keeps events from sequence 1") != NULL, "%s", err.message);
    reg.gone_before = 0;
    reg.events[3].sequence = 2; /* the feed goes backwards */
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_FAILED);
    ck_assert_ptr_nonnull(strstr(err.message, "out of order"));
    ck_assert_int_eq(store.position, 0);

    /* a 1.1 register: its table ends before the feed */
    old_ops.struct_size = (uint32_t)offsetof(foresatt_registry_ops_t, events_latest);
    reg_desc.registry = &old_ops;
    reg_desc.abi_minor = 1;
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "has no event feed"));
    reg_desc.registry = &reg_ops;
    store_ops.struct_size = (uint32_t)offsetof(foresatt_store_ops_t, numbers_held);
    ck_assert_int_eq(round_(&stats, &err), FST_FOLLOW_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(err.message, "needs ABI 1.2"));
    store_ops.struct_size = sizeof(foresatt_store_ops_t);
}
END_TEST

/* --- sync ---------------------------------------------------------------------------------------- */

static fst_sync_report_t report;

static int sync_(void)
{
    fst_sync_error_t err;
    int rc = fst_sync_compare(&registry_plugin, &store_plugin, 1790000000, fake_pseudonym, NULL, pool, &report, &err);
    ck_assert_msg(rc == 0, "%s", err.message ? err.message : "");
    return rc;
}

static const fst_sync_item_t *find(fst_sync_kind_t kind)
{
    int i;
    for (i = 0; i < report.items->nelts; i++)
        if (APR_ARRAY_IDX(report.items, i, fst_sync_item_t).kind == kind)
            return &APR_ARRAY_IDX(report.items, i, fst_sync_item_t);
    return NULL;
}

START_TEST(sync_in_agreement)
{
    school();
    sync_();
    ck_assert_uint_eq(report.pupils, 1);
    ck_assert_uint_eq(report.guardians, 2);
    ck_assert_uint_eq(report.looked_up, 3);
    ck_assert_uint_eq(report.lookup_calls, 1);
    ck_assert_int_eq(report.items->nelts, 0);
    ck_assert_int_eq(report.changes->nelts, 0);
}
END_TEST

START_TEST(sync_lists_lost_and_unregistered_and_applies_the_rest)
{
    const fst_sync_item_t *it;
    fst_sync_error_t err;

    school();
    reg.resp[0][1].responsible = "12345678901"; /* the father lost it to someone the school never registered */
    reg.persons[1].address.grading = FORESATT_GRADING_STRICTLY_CONFIDENTIAL;
    reg.persons[2].given_name = "OLE";
    sync_();
    ck_assert_ptr_nonnull(it = find(FST_SYNC_LOST_RESPONSIBILITY));
    ck_assert_str_eq(it->number, FATHER);
    ck_assert_str_eq(it->pupil_ids, "S1");
    ck_assert_ptr_nonnull(it = find(FST_SYNC_UNREGISTERED));
    ck_assert_str_eq(it->number, "12345678901");
    ck_assert_str_eq(it->detail, "felles");
    ck_assert_ptr_nonnull(it = find(FST_SYNC_ADDRESS_PROTECTED));
    ck_assert_str_eq(it->number, MOTHER);
    ck_assert_ptr_nonnull(it = find(FST_SYNC_NAME));
    ck_assert_str_eq(it->was, "OLA HANSEN");
    ck_assert_str_eq(it->now, "OLE HANSEN");
    ck_assert_uint_eq(report.counts[FST_SYNC_LOST_RESPONSIBILITY], 1);
    ck_assert_int_eq(report.changes->nelts, 2);
    ck_assert_int_eq(fst_sync_apply(&store_plugin, &report, pool, &err), 0);
    ck_assert_uint_eq(store.applies, 1); /* one transaction */
    ck_assert_str_eq(store.guardians[1].name, "OLE HANSEN");
    ck_assert_int_eq(store.guardians[0].has_address, 0);
    /* again: only what is the school's to do is left */
    sync_();
    ck_assert_int_eq(report.changes->nelts, 0);
    ck_assert_uint_eq(report.counts[FST_SYNC_LOST_RESPONSIBILITY], 1);
    ck_assert_uint_eq(report.counts[FST_SYNC_UNREGISTERED], 1);
    ck_assert_uint_eq(report.counts[FST_SYNC_ADDRESS_PROTECTED], 0);
}
END_TEST

START_TEST(sync_number_change_is_no_lost_responsibility)
{
    fst_sync_error_t err;

    school();
    snprintf(store.guardians[1].number, 12, "%s", DNUM);
    reg.asked_for[2] = DNUM;          /* the register answers the D-number ... */
    reg.persons[2].number = NEWNUM;   /* ... with the fødselsnummer now in use */
    reg.resp[0][1].responsible = NEWNUM;
    sync_();
    ck_assert_uint_eq(report.counts[FST_SYNC_NUMBER_CHANGED], 1);
    ck_assert_str_eq(find(FST_SYNC_NUMBER_CHANGED)->new_number, NEWNUM);
    ck_assert_uint_eq(report.counts[FST_SYNC_LOST_RESPONSIBILITY], 0);
    ck_assert_uint_eq(report.counts[FST_SYNC_UNREGISTERED], 0);
    ck_assert_int_eq(fst_sync_apply(&store_plugin, &report, pool, &err), 0);
    ck_assert_str_eq(store.guardians[1].number, NEWNUM);
}
END_TEST

START_TEST(sync_deaths_and_register_failures)
{
    fst_sync_error_t err;

    school();
    reg.persons[0].status = "doed";
    sync_();
    ck_assert_uint_eq(report.counts[FST_SYNC_DECEASED], 1);
    ck_assert(find(FST_SYNC_DECEASED)->pupil);
    ck_assert_uint_eq(report.counts[FST_SYNC_LOST_RESPONSIBILITY], 0);
    ck_assert_int_eq(fst_sync_apply(&store_plugin, &report, pool, &err), 0);
    sync_();
    ck_assert_uint_eq(report.counts[FST_SYNC_DECEASED], 0); /* already handed to retention */
    ck_assert_int_eq(report.changes->nelts, 0);

    reg.fail_lookup = 1;
    ck_assert_int_ne(fst_sync_compare(&registry_plugin, &store_plugin, 0, NULL, NULL, pool, &report, &err), 0);
    ck_assert(err.temporary);
    ck_assert_uint_eq(err.retry_after, 9);
    reg.fail_lookup = 0;
    store.fail_apply_at = store.applies + 1;
    reg.persons[1].given_name = "KAREN";
    sync_();
    ck_assert_int_ne(fst_sync_apply(&store_plugin, &report, pool, &err), 0);
    ck_assert_str_eq(store.guardians[0].name, "KARI HANSEN"); /* nothing changed */
}
END_TEST

UNIT_MAIN("regsync", plan_agreeing_guardian_changes_nothing, plan_name_and_address_from_the_register,
          plan_graded_address_is_removed_and_never_carried, plan_ungraded_again_brings_the_address_back,
          plan_number_change_moves_and_carries_pseudonyms, plan_death_once_and_nothing_else,
          plan_not_in_register_and_ended, plan_address_line_and_limits, follow_first_round_starts_at_the_newest,
          follow_ten_thousand_events_three_lookups, follow_twice_applies_nothing_twice,
          follow_stopped_half_way_resumes_exactly, follow_store_failure_mid_page_keeps_the_last_applied,
          follow_lookup_failure_applies_nothing_of_the_page, follow_rechecks_the_persons_around_the_one_changed,
          follow_same_person_twice_in_a_page_is_looked_up_once, follow_gone_and_out_of_order_and_unsupported,
          sync_in_agreement, sync_lists_lost_and_unregistered_and_applies_the_rest,
          sync_number_change_is_no_lost_responsibility, sync_deaths_and_register_failures)
