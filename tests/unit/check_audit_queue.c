/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The coalescing audit queue: one entry per person, pupil, decision and reason per window.
 */
#include <stdio.h>
#include <string.h>

#include "audit/queue.h"
#include "unit_main.h"

static fst_audit_what_t what(const char *actor, const char *pupil, const char *decision, const char *reason)
{
    fst_audit_what_t w;

    memset(&w, 0, sizeof(w));
    w.role = FORESATT_ROLE_GUARDIAN;
    w.actor = actor;
    w.pupil_id = pupil;
    w.action = "access";
    w.decision = decision;
    w.reason = reason;
    return w;
}

static fst_audit_add_result_t add(fst_audit_queue_t *q, fst_audit_what_t w, int64_t at, const char *path)
{
    return fst_audit_queue_add(q, &w, fst_audit_hash(&w), at, path, 1);
}

START_TEST(repeats_in_a_window_count_into_one_entry)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 16, 60);
    fst_audit_record_t out[8];
    fst_audit_what_t kari = what("p:kari", "S1001", "allow", NULL);

    ck_assert_int_eq(add(q, kari, 1000, "/elev/S1001/a"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, kari, 1010, "/elev/S1001/b"), FST_AUDIT_COUNTED);
    ck_assert_int_eq(add(q, kari, 1059, "/elev/S1001/c"), FST_AUDIT_COUNTED);
    ck_assert_uint_eq(fst_audit_queue_depth(q), 1);
    ck_assert_int_eq(fst_audit_queue_next_close(q), 1060);
    /* Not over yet: nothing to write. */
    ck_assert_uint_eq(fst_audit_queue_take(q, 1059, 0, out, 8), 0);
    ck_assert_uint_eq(fst_audit_queue_take(q, 1060, 0, out, 8), 1);
    ck_assert_int_eq(out[0].at, 1000);
    ck_assert_int_eq(out[0].last_at, 1059);
    ck_assert_uint_eq(out[0].count, 3);
    ck_assert_str_eq(out[0].detail, "/elev/S1001/a");
    ck_assert_str_eq(out[0].actor, "p:kari");
    ck_assert_str_eq(out[0].pupil, "S1001");
    ck_assert_str_eq(out[0].decision, "allow");
    ck_assert_str_eq(out[0].reason, "");
    fst_audit_queue_written(q);
    ck_assert_uint_eq(fst_audit_queue_depth(q), 0);
    ck_assert_int_eq(fst_audit_queue_next_close(q), 0);
}
END_TEST

START_TEST(each_part_of_the_key_makes_its_own_entry)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 16, 60);
    fst_audit_record_t out[16];
    fst_audit_what_t w = what("p:kari", "S1001", "deny", "adult_without_consent");
    fst_audit_what_t student = w;

    student.role = FORESATT_ROLE_STUDENT;
    ck_assert_int_eq(add(q, w, 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, what("p:per", "S1001", "deny", "adult_without_consent"), 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, what("p:kari", "S1002", "deny", "adult_without_consent"), 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, what("p:kari", "S1001", "allow", "adult_without_consent"), 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, what("p:kari", "S1001", "deny", "student_not_enrolled"), 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, what("p:kari", "S1001", "deny", NULL), 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, what("p:kari", NULL, "deny", "adult_without_consent"), 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, student, 1000, "/x"), FST_AUDIT_QUEUED);
    /* ("S100", "1...") is not ("S1001", "..."): the parts are hashed and compared apart. */
    ck_assert_int_eq(add(q, what("p:kari", "S100", "1deny", "adult_without_consent"), 1000, "/x"), FST_AUDIT_QUEUED);
    ck_assert_uint_eq(fst_audit_queue_depth(q), 9);
    ck_assert_int_eq(add(q, w, 1001, "/y"), FST_AUDIT_COUNTED);
    ck_assert_uint_eq(fst_audit_queue_take(q, 2000, 0, out, 16), 9);
    ck_assert_uint_eq(out[0].count, 2);
    ck_assert_uint_eq(out[1].count, 1);
}
END_TEST

START_TEST(a_request_after_the_window_opens_the_next)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 16, 60);
    fst_audit_record_t out[4];
    fst_audit_what_t w = what("p:kari", "S1001", "allow", NULL);

    ck_assert_int_eq(add(q, w, 1000, "/a"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, w, 1060, "/b"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, w, 1061, "/c"), FST_AUDIT_COUNTED);
    ck_assert_uint_eq(fst_audit_queue_depth(q), 2);
    /* The first is ready at once (its window is over), the second at 1120. */
    ck_assert_uint_eq(fst_audit_queue_take(q, 1060, 0, out, 4), 1);
    ck_assert_str_eq(out[0].detail, "/a");
    ck_assert_uint_eq(out[0].count, 1);
    fst_audit_queue_written(q);
    ck_assert_uint_eq(fst_audit_queue_take(q, 1120, 0, out, 4), 1);
    ck_assert_str_eq(out[0].detail, "/b");
    ck_assert_uint_eq(out[0].count, 2);
    ck_assert_int_eq(out[0].last_at, 1061);
}
END_TEST

START_TEST(taken_entries_count_no_more_and_stay_until_written)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 16, 60);
    fst_audit_record_t out[4];
    fst_audit_what_t w = what("p:kari", "S1001", "allow", NULL);

    add(q, w, 1000, "/a");
    ck_assert_uint_eq(fst_audit_queue_take(q, 0, 1, out, 4), 1); /* stopping: every open window */
    /* The writer has it: a request now opens a new entry rather than change one being written. */
    ck_assert_int_eq(add(q, w, 1001, "/b"), FST_AUDIT_QUEUED);
    /* The store refused: the same entry is taken again, first. */
    ck_assert_uint_eq(fst_audit_queue_take(q, 1002, 0, out, 4), 1);
    ck_assert_str_eq(out[0].detail, "/a");
    fst_audit_queue_written(q);
    ck_assert_uint_eq(fst_audit_queue_depth(q), 1);
    ck_assert_uint_eq(fst_audit_queue_take(q, 1002, 1, out, 4), 1);
    ck_assert_str_eq(out[0].detail, "/b");
}
END_TEST

START_TEST(own_entries_are_ready_at_once_and_never_counted)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 16, 60);
    fst_audit_record_t out[4];
    fst_audit_what_t w = what("p:kari", "S1001", "ok", NULL);

    w.action = "contact_update";
    ck_assert_int_eq(fst_audit_queue_add(q, &w, fst_audit_hash(&w), 1000, "/foresatt/profil", 0), FST_AUDIT_QUEUED);
    ck_assert_int_eq(fst_audit_queue_add(q, &w, fst_audit_hash(&w), 1000, "/foresatt/profil", 0), FST_AUDIT_QUEUED);
    ck_assert_uint_eq(fst_audit_queue_take(q, 1000, 0, out, 4), 2);
    ck_assert_uint_eq(out[0].count, 1);
    ck_assert_uint_eq(out[1].count, 1);
}
END_TEST

START_TEST(window_zero_makes_every_request_an_entry)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 16, 0);
    fst_audit_record_t out[4];
    fst_audit_what_t w = what("p:kari", "S1001", "allow", NULL);

    ck_assert_int_eq(add(q, w, 1000, "/a"), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, w, 1000, "/a"), FST_AUDIT_QUEUED);
    ck_assert_uint_eq(fst_audit_queue_take(q, 1000, 0, out, 4), 2);
}
END_TEST

START_TEST(full_refuses_new_entries_but_counts_repeats)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 4, 60);
    fst_audit_record_t out[4];
    char pupil[8];
    int i;

    for (i = 0; i < 4; i++) {
        snprintf(pupil, sizeof(pupil), "S%d", i);
        ck_assert_int_eq(add(q, what("p:x", pupil, "deny", "unknown_student"), 1000, "/"), FST_AUDIT_QUEUED);
    }
    ck_assert_int_eq(add(q, what("p:x", "S9", "deny", "unknown_student"), 1000, "/"), FST_AUDIT_FULL);
    ck_assert_int_eq(add(q, what("p:x", "S2", "deny", "unknown_student"), 1001, "/"), FST_AUDIT_COUNTED);
    /* Over half full: the writer takes the open windows before their time, so distinct requests
     * never wait a whole window for room. */
    ck_assert_uint_eq(fst_audit_queue_take(q, 1001, 0, out, 4), 4);
    fst_audit_queue_written(q);
    ck_assert_int_eq(add(q, what("p:x", "S9", "deny", "unknown_student"), 1001, "/"), FST_AUDIT_QUEUED);
    /* At half or less they wait for their window. */
    ck_assert_uint_eq(fst_audit_queue_take(q, 1001, 0, out, 4), 0);
}
END_TEST

START_TEST(long_strings_are_cut_and_still_coalesce)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 8, 60);
    fst_audit_record_t out[2];
    char path[600];
    fst_audit_what_t w = what("p:kari", "S1001", "allow", NULL);

    memset(path, 'a', sizeof(path) - 1);
    path[sizeof(path) - 1] = '\0';
    ck_assert_int_eq(add(q, w, 1000, path), FST_AUDIT_QUEUED);
    ck_assert_int_eq(add(q, w, 1000, path), FST_AUDIT_COUNTED);
    ck_assert_uint_eq(fst_audit_queue_take(q, 0, 1, out, 2), 1);
    ck_assert_uint_eq(strlen(out[0].detail), FST_AUDIT_DETAIL_SIZE - 1);
}
END_TEST

START_TEST(record_as_store_entry)
{
    fst_audit_queue_t *q = fst_audit_queue_make(pool, 4, 60);
    fst_audit_record_t out[1];
    foresatt_audit_entry_t e;

    add(q, what(NULL, NULL, "deny", "no_identity_number"), 1000, "/foresatt/callback");
    ck_assert_uint_eq(fst_audit_queue_take(q, 0, 1, out, 1), 1);
    fst_audit_record_entry(&out[0], &e);
    ck_assert_ptr_null(e.actor);
    ck_assert_ptr_null(e.pupil_id);
    ck_assert_str_eq(e.action, "access");
    ck_assert_str_eq(e.reason, "no_identity_number");
    ck_assert_str_eq(e.detail, "/foresatt/callback");
    ck_assert_int_eq(e.at, 1000);
}
END_TEST

UNIT_MAIN("audit_queue", repeats_in_a_window_count_into_one_entry, each_part_of_the_key_makes_its_own_entry,
          a_request_after_the_window_opens_the_next, taken_entries_count_no_more_and_stay_until_written,
          own_entries_are_ready_at_once_and_never_counted, window_zero_makes_every_request_an_entry,
          full_refuses_new_entries_but_counts_repeats, long_strings_are_cut_and_still_coalesce,
          record_as_store_entry)
