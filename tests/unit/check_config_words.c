/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <check.h>
#include <stdlib.h>

#include <apr_general.h>

#include "config_words.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

START_TEST(words)
{
    int argc;
    const char **argv, *err = NULL;

    ck_assert(fst_config_split(pool, "  store  /usr/lib/x.so path=/var/db  ", &argc, &argv, &err));
    ck_assert_int_eq(argc, 3);
    ck_assert_str_eq(argv[0], "store");
    ck_assert_str_eq(argv[2], "path=/var/db");
    ck_assert_ptr_null(argv[3]);

    ck_assert(fst_config_split(pool, "pg x.so conninfo=\"host=db1 dbname=fs\" timeout=5", &argc, &argv, &err));
    ck_assert_int_eq(argc, 4);
    ck_assert_str_eq(argv[2], "conninfo=host=db1 dbname=fs");
    ck_assert_str_eq(argv[3], "timeout=5");

    ck_assert(fst_config_split(pool, "a 'b c' \"d \\\" e\" f'g'h", &argc, &argv, &err));
    ck_assert_int_eq(argc, 4);
    ck_assert_str_eq(argv[1], "b c");
    ck_assert_str_eq(argv[2], "d \" e");
    ck_assert_str_eq(argv[3], "fgh");

    ck_assert(fst_config_split(pool, "x=\"\"", &argc, &argv, &err));
    ck_assert_int_eq(argc, 1);
    ck_assert_str_eq(argv[0], "x=");

    ck_assert(fst_config_split(pool, "", &argc, &argv, &err));
    ck_assert_int_eq(argc, 0);
}
END_TEST

START_TEST(unterminated)
{
    int argc = -1;
    const char **argv = NULL, *err = NULL;

    ck_assert(!fst_config_split(pool, "a conninfo=\"host=x", &argc, &argv, &err));
    ck_assert_str_eq(err, "unterminated double quote");
    ck_assert(!fst_config_split(pool, "a 'b", &argc, &argv, &err));
    ck_assert_str_eq(err, "unterminated single quote");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("config_words");
    TCase *tc = tcase_create("config_words");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, words);
    tcase_add_test(tc, unterminated);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
