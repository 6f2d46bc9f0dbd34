/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The main() every unit test shares: one suite, one test case, a fresh APR pool per test.
 */
#ifndef FST_UNIT_MAIN_H
#define FST_UNIT_MAIN_H

#include <check.h>
#include <stdlib.h>
#include <apr_general.h>
#include <apr_pools.h>

static apr_pool_t *pool;

static void unit_setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
}

static void unit_teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

/* Work done once before the tests fork (e.g. generating RSA keys): #define UNIT_BEFORE_ALL fn first. */
#ifndef UNIT_BEFORE_ALL
#define UNIT_BEFORE_ALL() (void)0
#endif

/* UNIT_MAIN("name", test_a, test_b, ...) */
#define UNIT_MAIN(name, ...)                                                                                 \
    int main(void)                                                                                           \
    {                                                                                                        \
        const TTest *tests[] = {__VA_ARGS__};                                                                \
        Suite *s = suite_create(name);                                                                       \
        TCase *tc = tcase_create(name);                                                                      \
        SRunner *sr;                                                                                         \
        size_t i;                                                                                            \
        int failed;                                                                                          \
                                                                                                             \
        UNIT_BEFORE_ALL();                                                                                   \
        tcase_set_timeout(tc, 60);                                                                           \
        tcase_add_checked_fixture(tc, unit_setup, unit_teardown);                                            \
        for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)                                               \
            _tcase_add_test(tc, tests[i], 0, 0, 0, 1);                                                       \
        suite_add_tcase(s, tc);                                                                              \
        sr = srunner_create(s);                                                                              \
        srunner_run_all(sr, CK_NORMAL);                                                                      \
        failed = srunner_ntests_failed(sr);                                                                  \
        srunner_free(sr);                                                                                    \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                                         \
    }

#endif
