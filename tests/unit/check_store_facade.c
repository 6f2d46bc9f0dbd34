/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The store's one door (lib/store.c) in front of a scripted store plugin: a missing operation (NULL,
 * or beyond an older plugin's table) is a clear error and is never called, the status is always
 * this call's, results are kept only with FORESATT_OK, a plugin that is not thread-safe is called
 * under its lock, a store without revisions or invalidations is "not found", not an error, and the
 * register feed's operations are there only where the plugin has them.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <apr_thread_mutex.h>

#include "store.h"
#include "unit_main.h"

typedef struct fake {
    fst_plugin_t *plugin; /* the host's handle, to see its lock from inside a call */
    int calls;
    int saw_lock;         /* the lock was held during the last call */
    foresatt_result_t answer;
} fake_t;

static fake_t fake;
static foresatt_pupil_t a_pupil = {.struct_size = sizeof(foresatt_pupil_t), .pupil_id = "S1001"};
static foresatt_guardian_t a_guardian = {.struct_size = sizeof(foresatt_guardian_t), .pupil_id = "S1001"};
static foresatt_guardian_t *some_guardians[] = {&a_guardian, &a_guardian, &a_guardian};

static void called(void)
{
    fake.calls++;
    fake.saw_lock = 0;
    if (fake.plugin->mutex != NULL) {
        /* a default APR mutex is not recursive: held by this thread, trylock says busy */
        apr_status_t rv = apr_thread_mutex_trylock(fake.plugin->mutex);
        fake.saw_lock = APR_STATUS_IS_EBUSY(rv);
        if (rv == APR_SUCCESS)
            apr_thread_mutex_unlock(fake.plugin->mutex);
    }
}

static foresatt_result_t fake_pupil_by_id(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                          foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    (void)instance, (void)pupil_id, (void)arena, (void)status;
    called();
    *pupil = &a_pupil; /* set whatever the answer: the door keeps it only with OK */
    return fake.answer;
}

static foresatt_result_t fake_guardian_links(void *instance, const char *number, foresatt_arena_t *arena,
                                             foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    (void)instance, (void)number, (void)arena;
    called();
    *guardians = some_guardians;
    *n = 3;
    if (fake.answer == FORESATT_TEMPORARY) {
        snprintf(status->message, sizeof(status->message), "the database is busy");
        status->retry_after = 7;
    }
    return fake.answer;
}

static foresatt_result_t fake_contact_conflicts(void *instance, foresatt_arena_t *arena,
                                                foresatt_guardian_t ***guardians, size_t *n,
                                                foresatt_status_t *status)
{
    (void)instance, (void)arena, (void)status;
    called();
    *guardians = some_guardians;
    *n = 3;
    return FORESATT_OK;
}

static foresatt_result_t fake_purge(void *instance, const char *const *pupil_ids, size_t n, int64_t now,
                                    int64_t audit_before, int dry_run, foresatt_purge_stats_t *stats,
                                    foresatt_status_t *status)
{
    (void)instance, (void)pupil_ids, (void)n, (void)now, (void)audit_before, (void)dry_run, (void)status;
    called();
    if (fake.answer == FORESATT_OK)
        stats->guardians = 2;
    return fake.answer;
}

static foresatt_result_t fake_revision(void *instance, int64_t *revision, foresatt_status_t *status)
{
    (void)instance, (void)status;
    called();
    *revision = 42;
    return FORESATT_OK;
}

static foresatt_result_t fake_numbers_held(void *instance, const char *const *numbers, size_t n, unsigned *held,
                                           foresatt_status_t *status)
{
    (void)instance, (void)numbers, (void)status;
    called();
    held[n - 1] = FORESATT_HELD_GUARDIAN;
    return FORESATT_OK;
}

static foresatt_result_t fake_invalidations_since(void *instance, int64_t revision, foresatt_arena_t *arena,
                                                  const char ***numbers, size_t *n, foresatt_status_t *status)
{
    static const char *some[] = {"14838000089"};

    (void)instance, (void)revision, (void)arena, (void)status;
    called();
    *numbers = some;
    *n = 1;
    return fake.answer;
}

static foresatt_store_ops_t ops;
static foresatt_plugin_t desc;
static fst_plugin_t plugin;

/* A store plugin with every operation above; table_size cuts its table short (an older plugin). */
static void start(size_t table_size, int thread_safe)
{
    memset(&fake, 0, sizeof(fake));
    memset(&ops, 0, sizeof(ops));
    ops.struct_size = (uint32_t)table_size;
    ops.pupil_by_id = fake_pupil_by_id;
    ops.guardian_links = fake_guardian_links;
    ops.purge = fake_purge;
    ops.revision = fake_revision;
    ops.contact_conflicts = fake_contact_conflicts;
    ops.numbers_held = fake_numbers_held;
    ops.invalidations_since = fake_invalidations_since;
    memset(&desc, 0, sizeof(desc));
    desc.struct_size = sizeof(desc);
    desc.abi_major = 1;
    desc.abi_minor = 2;
    desc.name = "store_fake";
    desc.kind = FORESATT_PLUGIN_STORE;
    desc.flags = thread_safe ? FORESATT_PLUGIN_THREADSAFE : 0;
    desc.store = &ops;
    memset(&plugin, 0, sizeof(plugin));
    plugin.name = "records";
    plugin.desc = &desc;
    if (!thread_safe)
        ck_assert_int_eq(apr_thread_mutex_create(&plugin.mutex, APR_THREAD_MUTEX_DEFAULT, pool), APR_SUCCESS);
    fake.plugin = &plugin;
    fake.answer = FORESATT_OK;
}

static foresatt_status_t stale_status(void)
{
    foresatt_status_t st;

    memset(&st, 0, sizeof(st));
    snprintf(st.message, sizeof(st.message), "an older call's reason");
    st.retry_after = 9;
    return st;
}

START_TEST(test_missing_operation_is_a_clear_error)
{
    foresatt_guardian_t **g = some_guardians;
    foresatt_status_t st = stale_status();
    foresatt_pupil_t *p = &a_pupil;
    size_t n = 5;

    start(sizeof(foresatt_store_ops_t), 1);
    ck_assert_int_eq(fst_store_pupil_guardians(&plugin, "S1001", pool, &g, &n, &st), FORESATT_ERROR);
    ck_assert_str_eq(st.message, "records (store_fake, ABI 1.2): the store plugin has no pupil_guardians operation");
    ck_assert_uint_eq(st.retry_after, 0);
    ck_assert_ptr_null(g);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(fst_store_consent_give(&plugin, "S1001", 1, 2, &st), FORESATT_ERROR);
    ck_assert_ptr_nonnull(strstr(st.message, "no consent_give operation"));
    ck_assert(!FST_STORE_HAS(&plugin, consent_give));
    ck_assert(FST_STORE_HAS(&plugin, pupil_by_id));

    ops.pupil_by_id = NULL;
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_ERROR);
    ck_assert_ptr_nonnull(strstr(st.message, "no pupil_by_id operation"));
    ck_assert_ptr_null(p);
    ck_assert_int_eq(fake.calls, 0);
}
END_TEST

START_TEST(test_operation_beyond_an_older_table_is_not_called)
{
    foresatt_guardian_t **g;
    foresatt_status_t st;
    size_t n;

    /* built before contact_conflicts existed: whatever lies past its table is not an operation */
    start(offsetof(foresatt_store_ops_t, contact_conflicts), 1);
    ck_assert(!FST_STORE_HAS(&plugin, contact_conflicts));
    ck_assert_int_eq(fst_store_contact_conflicts(&plugin, pool, &g, &n, &st), FORESATT_ERROR);
    ck_assert_ptr_nonnull(strstr(st.message, "no contact_conflicts operation"));
    ck_assert_ptr_null(g);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(fake.calls, 0);

    start(sizeof(foresatt_store_ops_t), 1);
    ck_assert_int_eq(fst_store_contact_conflicts(&plugin, pool, &g, &n, &st), FORESATT_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(fake.calls, 1);
}
END_TEST

START_TEST(test_status_is_this_calls)
{
    foresatt_status_t st = stale_status();
    foresatt_pupil_t *p;

    start(sizeof(foresatt_store_ops_t), 1);
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_OK);
    ck_assert_ptr_eq(p, &a_pupil);
    ck_assert_str_eq(st.message, "");
    ck_assert_uint_eq(st.retry_after, 0);
}
END_TEST

START_TEST(test_results_kept_only_with_ok)
{
    foresatt_guardian_t **g;
    foresatt_status_t st;
    foresatt_purge_stats_t stats;
    foresatt_pupil_t *p;
    size_t n;

    start(sizeof(foresatt_store_ops_t), 1);
    fake.answer = FORESATT_NOT_FOUND;
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_NOT_FOUND);
    ck_assert_ptr_null(p);
    ck_assert_int_eq(fst_store_guardian_links(&plugin, "14838000089", pool, &g, &n, &st), FORESATT_NOT_FOUND);
    ck_assert_ptr_null(g);
    ck_assert_uint_eq(n, 0);

    fake.answer = FORESATT_TEMPORARY; /* the plugin's reason and wait come through */
    ck_assert_int_eq(fst_store_guardian_links(&plugin, "14838000089", pool, &g, &n, &st), FORESATT_TEMPORARY);
    ck_assert_str_eq(st.message, "the database is busy");
    ck_assert_uint_eq(st.retry_after, 7);
    ck_assert_ptr_null(g);

    memset(&stats, 0xff, sizeof(stats));
    fake.answer = FORESATT_ERROR;
    ck_assert_int_eq(fst_store_purge(&plugin, NULL, 0, 1, 0, 1, &stats, &st), FORESATT_ERROR);
    ck_assert_uint_eq(stats.pupils + stats.guardians + stats.consents + stats.audit, 0);
    fake.answer = FORESATT_OK;
    ck_assert_int_eq(fst_store_purge(&plugin, NULL, 0, 1, 0, 1, &stats, &st), FORESATT_OK);
    ck_assert_uint_eq(stats.guardians, 2);

    fake.answer = FORESATT_OK;
    ck_assert_int_eq(fst_store_guardian_links(&plugin, "14838000089", pool, &g, &n, &st), FORESATT_OK);
    ck_assert_ptr_eq(g, some_guardians);
    ck_assert_uint_eq(n, 3);
}
END_TEST

START_TEST(test_called_under_the_lock_when_not_thread_safe)
{
    foresatt_status_t st;
    foresatt_pupil_t *p;
    int64_t rev;

    start(sizeof(foresatt_store_ops_t), 0);
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_OK);
    ck_assert_int_eq(fake.saw_lock, 1);
    fake.answer = FORESATT_TEMPORARY;
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_TEMPORARY);
    ck_assert_int_eq(fake.saw_lock, 1);
    ck_assert_int_eq(fst_store_revision(&plugin, &rev, &st), FORESATT_OK);
    ck_assert_int_eq(fake.saw_lock, 1);
    ck_assert_int_eq(fake.calls, 3);
    /* and released after each call, whatever it answered */
    ck_assert_int_eq(apr_thread_mutex_trylock(plugin.mutex), APR_SUCCESS);
    apr_thread_mutex_unlock(plugin.mutex);
}
END_TEST

START_TEST(test_revision_is_optional)
{
    foresatt_status_t st = stale_status();
    int64_t rev = 5;

    start(sizeof(foresatt_store_ops_t), 1);
    ck_assert_int_eq(fst_store_revision(&plugin, &rev, &st), FORESATT_OK);
    ck_assert_int_eq(rev, 42);
    ops.revision = NULL;
    st = stale_status();
    ck_assert_int_eq(fst_store_revision(&plugin, &rev, &st), FORESATT_NOT_FOUND);
    ck_assert_int_eq(rev, 0);
    ck_assert_str_eq(st.message, "");
    ck_assert_int_eq(fake.calls, 1);
}
END_TEST

START_TEST(test_the_register_feed_operations)
{
    const char *numbers[] = {"14838000089", "02897800260"}, **invalid;
    unsigned held[2] = {7, 7};
    foresatt_status_t st = stale_status();
    int64_t seq = 9;
    size_t n;

    start(sizeof(foresatt_store_ops_t), 1);
    /* numbers_held and invalidations_since are there; register_apply and feed_position are not */
    ck_assert(!fst_store_can_follow(&plugin));
    ck_assert_int_eq(fst_store_numbers_held(&plugin, numbers, 0, held, &st), FORESATT_OK);
    ck_assert_int_eq(fake.calls, 0); /* nothing to ask */
    ck_assert_int_eq(fst_store_numbers_held(&plugin, numbers, 2, held, &st), FORESATT_OK);
    ck_assert_uint_eq(held[0], 0); /* zeroed first: the plugin sets only what it holds */
    ck_assert_uint_eq(held[1], FORESATT_HELD_GUARDIAN);
    ck_assert_int_eq(fst_store_register_apply(&plugin, NULL, 0, "freg", 5, &st), FORESATT_ERROR);
    ck_assert_ptr_nonnull(strstr(st.message, "no register_apply operation"));
    ck_assert_int_eq(fst_store_feed_position(&plugin, "freg", &seq, &st), FORESATT_ERROR);
    ck_assert_int_eq(seq, 0);

    ck_assert(fst_store_has_invalidations(&plugin));
    ck_assert_int_eq(fst_store_invalidations_since(&plugin, 3, pool, &invalid, &n, &st), FORESATT_OK);
    ck_assert_uint_eq(n, 1);
    fake.answer = FORESATT_NOT_FOUND; /* too far back */
    ck_assert_int_eq(fst_store_invalidations_since(&plugin, 3, pool, &invalid, &n, &st), FORESATT_NOT_FOUND);
    ck_assert_ptr_null(invalid);
    ck_assert_uint_eq(n, 0);
    /* a store built before 1.2: optional, so "cannot tell", not an error, and never called */
    start(offsetof(foresatt_store_ops_t, numbers_held), 1);
    ck_assert(!fst_store_has_invalidations(&plugin));
    st = stale_status();
    ck_assert_int_eq(fst_store_invalidations_since(&plugin, 3, pool, &invalid, &n, &st), FORESATT_NOT_FOUND);
    ck_assert_str_eq(st.message, "");
    ck_assert_int_eq(fst_store_numbers_held(&plugin, numbers, 0, held, &st), FORESATT_ERROR);
    ck_assert_int_eq(fake.calls, 0);
}
END_TEST

/* What a plugin hands back is checked before anyone reads it: a pupil or guardian shorter than ABI
 * 1.0's struct or without its pupil_id, or a count without an array, is this plugin's error. */
START_TEST(test_results_are_checked)
{
    foresatt_guardian_t short_g = a_guardian, no_id = a_guardian, **g;
    foresatt_pupil_t *p;
    foresatt_status_t st;
    size_t n;

    start(sizeof(foresatt_store_ops_t), 1);
    short_g.struct_size = offsetof(foresatt_guardian_t, phone);
    some_guardians[1] = &short_g;
    ck_assert_int_eq(fst_store_guardian_links(&plugin, "14838000089", pool, &g, &n, &st), FORESATT_ERROR);
    ck_assert_str_eq(st.message, "records (store_fake, ABI 1.2): guardian_links returned a guardian without its "
                                 "fields (struct_size or pupil_id)");
    ck_assert_ptr_null(g);
    ck_assert_uint_eq(n, 0);
    no_id.pupil_id = NULL;
    some_guardians[1] = &no_id;
    ck_assert_int_eq(fst_store_contact_conflicts(&plugin, pool, &g, &n, &st), FORESATT_ERROR);
    ck_assert_ptr_nonnull(strstr(st.message, "contact_conflicts returned a guardian without its fields"));
    some_guardians[1] = &a_guardian;
    ck_assert_int_eq(fst_store_guardian_links(&plugin, "14838000089", pool, &g, &n, &st), FORESATT_OK);
    ck_assert_uint_eq(n, 3);

    a_pupil.struct_size = 0;
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_ERROR);
    ck_assert_ptr_nonnull(strstr(st.message, "pupil_by_id returned a pupil without its fields"));
    ck_assert_ptr_null(p);
    a_pupil.struct_size = sizeof(foresatt_pupil_t);
    a_pupil.pupil_id = NULL;
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_ERROR);
    a_pupil.pupil_id = "S1001";
    ck_assert_int_eq(fst_store_pupil_by_id(&plugin, "S1001", pool, &p, &st), FORESATT_OK);
    ck_assert_ptr_eq(p, &a_pupil);
}
END_TEST

UNIT_MAIN("store_facade", test_missing_operation_is_a_clear_error, test_operation_beyond_an_older_table_is_not_called,
          test_status_is_this_calls, test_results_kept_only_with_ok, test_called_under_the_lock_when_not_thread_safe,
          test_revision_is_optional, test_the_register_feed_operations, test_results_are_checked)
