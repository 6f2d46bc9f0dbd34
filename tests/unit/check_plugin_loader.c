/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every way loading a plugin can fail, with the deliberately broken plugins in tests/plugins/.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "plugin_loader.h"

static apr_pool_t *pool;
static char logged[4096];

static void capture(void *ctx, foresatt_log_level_t level, const char *msg)
{
    (void)ctx;
    (void)level;
    strncat(logged, msg, sizeof(logged) - strlen(logged) - 2);
    strcat(logged, "\n");
}

static const fst_log_t test_log = {capture, NULL, FORESATT_LOG_DEBUG};

static const char *built(const char *dir, const char *name)
{
    const char *top = getenv("FORESATT_BUILDDIR");
    return apr_psprintf(pool, "%s/%s/.libs/%s.so", top ? top : ".", dir, name);
}

static void setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
    logged[0] = '\0';
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

static fst_load_error_t load(const char *path, const char **err)
{
    fst_plugin_t *plugin = (fst_plugin_t *)1;
    fst_load_error_t rc = fst_plugin_load(pool, "p", path, &test_log, &plugin, err);
    if (rc != FST_LOAD_OK)
        ck_assert_ptr_null(plugin);
    return rc;
}

START_TEST(file_missing)
{
    const char *err = NULL;

    ck_assert_int_eq(load("/nonexistent/plugin.so", &err), FST_LOAD_FILE_MISSING);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/plugin.so"));
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
}
END_TEST

START_TEST(not_shared_object)
{
    const char *err = NULL;
    char path[] = "/tmp/fs-not-so-XXXXXX";
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "hello\n", 6), 6);
    close(fd);
    ck_assert_int_eq(load(path, &err), FST_LOAD_NOT_SHARED_OBJECT);
    ck_assert_ptr_nonnull(strstr(err, "is not a shared object"));
    unlink(path);
    ck_assert_int_eq(load("/tmp", &err), FST_LOAD_NOT_SHARED_OBJECT);
}
END_TEST

START_TEST(no_entry)
{
    const char *err = NULL;

    ck_assert_int_eq(load(built("tests/plugins", "broken_no_entry"), &err), FST_LOAD_NO_ENTRY);
    ck_assert_ptr_nonnull(strstr(err, "does not export foresatt_plugin_entry()"));
}
END_TEST

START_TEST(no_descriptor)
{
    const char *err = NULL;

    ck_assert_int_eq(load(built("tests/plugins", "broken_no_descriptor"), &err), FST_LOAD_BAD_DESCRIPTOR);
    ck_assert_ptr_nonnull(strstr(err, "returned no descriptor"));
}
END_TEST

START_TEST(abi_major)
{
    const char *err = NULL;

    ck_assert_int_eq(load(built("tests/plugins", "broken_abi_major"), &err), FST_LOAD_ABI_MAJOR);
    ck_assert_ptr_nonnull(strstr(err, "rebuild the plugin"));
}
END_TEST

START_TEST(abi_minor_newer)
{
    const char *err = NULL;

    ck_assert_int_eq(load(built("tests/plugins", "broken_abi_minor"), &err), FST_LOAD_ABI_MINOR_NEWER);
    ck_assert_ptr_nonnull(strstr(err, "newer than this host"));
}
END_TEST

START_TEST(abi_rules)
{
    ck_assert_int_eq(fst_plugin_abi_check(1, 3, 1, 3), FST_LOAD_OK);
    ck_assert_int_eq(fst_plugin_abi_check(1, 3, 1, 0), FST_LOAD_OK); /* older minor: accepted */
    ck_assert_int_eq(fst_plugin_abi_check(1, 3, 1, 4), FST_LOAD_ABI_MINOR_NEWER);
    ck_assert_int_eq(fst_plugin_abi_check(1, 3, 2, 0), FST_LOAD_ABI_MAJOR);
    ck_assert_int_eq(fst_plugin_abi_check(2, 0, 1, 9), FST_LOAD_ABI_MAJOR);
}
END_TEST

START_TEST(create_fails_with_plugin_message)
{
    const char *err = NULL;
    fst_plugin_t *plugin = NULL;

    ck_assert_int_eq(fst_plugin_load(pool, "secretive", built("tests/plugins", "broken_create_fails"), &test_log,
                                     &plugin, &err),
                     FST_LOAD_OK);
    ck_assert_int_eq(fst_plugin_create(pool, plugin, &err), FST_LOAD_CREATE_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "key 'secret_file' is required"));
    ck_assert_ptr_nonnull(strstr(err, "secretive"));
    ck_assert_ptr_null(plugin->instance);
}
END_TEST

START_TEST(example_plugin_works)
{
    const char *err = NULL;
    const char *args[] = {"person=20036914700,KARI,NORDMANN,1969-03-20"};
    fst_plugin_t *plugin = NULL;
    foresatt_person_t *person = NULL;
    foresatt_status_t status;

    ck_assert_int_eq(
        fst_plugin_load(pool, "people", built("plugins/example", "registry_example"), &test_log, &plugin, &err),
        FST_LOAD_OK);
    ck_assert_int_eq(plugin->desc->kind, FORESATT_PLUGIN_REGISTRY);
    ck_assert(fst_plugin_set_params(pool, plugin, 1, args, &err));
    ck_assert_int_eq(fst_plugin_create(pool, plugin, &err), FST_LOAD_OK);
    ck_assert_ptr_null(plugin->mutex); /* declared thread-safe */
    ck_assert_int_eq(fst_plugin_child_init(pool, plugin, &err), FST_LOAD_OK);
    memset(&status, 0, sizeof(status));
    ck_assert_int_eq(plugin->desc->registry->lookup(plugin->instance, "20036914700", fst_arena(pool), &person, &status),
                     FORESATT_OK);
    ck_assert_str_eq(person->family_name, "NORDMANN");
    ck_assert_str_eq(person->birth_date, "1969-03-20");
    ck_assert_int_eq(plugin->desc->registry->lookup(plugin->instance, "30108299939", fst_arena(pool), &person, &status),
                     FORESATT_NOT_FOUND);
    /* The plugin's log lines go through the host, prefixed with the instance name. */
    ck_assert_ptr_nonnull(strstr(logged, "plugin people: 1 persons configured"));
}
END_TEST

START_TEST(example_plugin_refuses_bad_config)
{
    const char *err = NULL;
    const char *unknown[] = {"colour=blue"};
    const char *no_eq[] = {"person"};
    const char *bad_value[] = {"person=123"};
    fst_plugin_t *plugin = NULL;

    ck_assert_int_eq(
        fst_plugin_load(pool, "people", built("plugins/example", "registry_example"), &test_log, &plugin, &err),
        FST_LOAD_OK);
    ck_assert(!fst_plugin_set_params(pool, plugin, 1, no_eq, &err));
    ck_assert_ptr_nonnull(strstr(err, "'person' is not a key=value parameter"));
    ck_assert(fst_plugin_set_params(pool, plugin, 1, unknown, &err));
    ck_assert_int_eq(fst_plugin_create(pool, plugin, &err), FST_LOAD_CREATE_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "unknown key 'colour'"));
    ck_assert(fst_plugin_set_params(pool, plugin, 1, bad_value, &err));
    ck_assert_int_eq(fst_plugin_create(pool, plugin, &err), FST_LOAD_CREATE_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "expected NUMBER,GIVEN,FAMILY,YYYY-MM-DD"));
}
END_TEST

START_TEST(not_threadsafe_gets_mutex)
{
    const char *err = NULL;
    fst_plugin_t *plugin = NULL;

    ck_assert_int_eq(fst_plugin_load(pool, "serial", built("tests/plugins", "serial_plugin"), &test_log, &plugin, &err),
                     FST_LOAD_OK);
    ck_assert_int_eq(fst_plugin_create(pool, plugin, &err), FST_LOAD_OK);
    ck_assert_ptr_nonnull(plugin->mutex);
    fst_plugin_lock(plugin);
    fst_plugin_unlock(plugin);
    ck_assert_str_eq(fst_plugin_kind_name(FORESATT_PLUGIN_STORE), "store");
    ck_assert_str_eq(fst_plugin_kind_name(FORESATT_PLUGIN_REGISTRY), "registry");
}
END_TEST


/* host.worker_can_write: the mode bits as they apply to httpd's User; an ACL makes it unknowable. */
START_TEST(worker_can_write)
{
    fst_plugin_t *plugin = NULL;
    const char *err = NULL;
    char dir[] = "/tmp/fs-worker-XXXXXX";
    /* version 2; user::rwx user:54321:--- group::r-x mask::r-x other::r-x */
    static const unsigned char acl[] = {2, 0, 0, 0, 1, 0, 7, 0, 255, 255, 255, 255, 2, 0, 0, 0, 0x31, 0xd4, 0, 0,
                                        4, 0, 5, 0, 255, 255, 255, 255, 16, 0, 5, 0, 255, 255, 255, 255,
                                        32, 0, 5, 0, 255, 255, 255, 255};
    const foresatt_host_t *host;

    ck_assert_int_eq(fst_plugin_load(pool, "ex", built("plugins/example", "registry_example"), &test_log, &plugin,
                                     &err),
                     FST_LOAD_OK);
    host = &plugin->host;
    ck_assert(FORESATT_HOST_HAS(host, worker_can_write));
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(plugin->worker_uid, -1); /* foresattctl: no workers of another user */
    ck_assert_int_eq(host->worker_can_write(host, dir), -1);
    plugin->worker_uid = 54320; /* nobody this directory knows: "other" */
    plugin->worker_gid = 54320;
    ck_assert_int_eq(host->worker_can_write(host, "/nonexistent/x"), -1);
    chmod(dir, 0755);
    ck_assert_int_eq(host->worker_can_write(host, dir), 0);
    chmod(dir, 0772); /* write without search is not enough for a directory */
    ck_assert_int_eq(host->worker_can_write(host, dir), 0);
    chmod(dir, 0777);
    ck_assert_int_eq(host->worker_can_write(host, dir), 1);
    plugin->worker_uid = (long)getuid(); /* the owner */
    chmod(dir, 0500);
    ck_assert_int_eq(host->worker_can_write(host, dir), getuid() == 0 ? 1 : 0);
    chmod(dir, 0700);
    ck_assert_int_eq(host->worker_can_write(host, dir), 1);
    plugin->worker_uid = 54320;
    chmod(dir, 0755);
    if (setxattr(dir, "system.posix_acl_access", acl, sizeof(acl), 0) == 0)
        ck_assert_int_eq(host->worker_can_write(host, dir), -1);
    rmdir(dir);
}
END_TEST

/* A store missing required operations is refused at load, naming each; a table that ends before one
 * lacks it too. */
START_TEST(store_missing_operations)
{
    const char *err = NULL;

    ck_assert_int_eq(load(built("tests/plugins", "broken_store_missing"), &err), FST_LOAD_MISSING_OPS);
    ck_assert_ptr_nonnull(strstr(err, "lacks the required operation(s) guardian_links, purge;"));
    ck_assert_ptr_nonnull(strstr(err, "broken_store_missing.so"));
    err = NULL;
    ck_assert_int_eq(load(built("tests/plugins", "broken_store_short"), &err), FST_LOAD_MISSING_OPS);
    ck_assert_ptr_nonnull(strstr(err, "guardian_links, pupil_guardians, guardian_contact_update, paper_list, "
                                      "consent_give, consent_revoke, audit_query, import_roster, purge, "
                                      "contact_conflicts;"));
    ck_assert_ptr_null(strstr(err, "pupil_by_id"));
}
END_TEST

/* Optional operations are never required: ABI 1.1 builds (tables without the 1.2 operations), the
 * example registry without lookup_batch, and every real plugin of this tree. */
START_TEST(optional_operations_stay_optional)
{
    static const char *const plugins[][2] = {
        {"tests/plugins", "store_abi11"},     {"tests/plugins", "registry_abi11"},
        {"plugins/example", "registry_example"}, {"plugins/store_sqlite", "store_sqlite"},
        {"plugins/registry_file", "registry_file"}, {"plugins/registry_freg", "registry_freg"},
    };
    size_t i;

    for (i = 0; i < sizeof(plugins) / sizeof(plugins[0]); i++) {
        const char *err = NULL;
        fst_plugin_t *plugin = NULL;

        ck_assert_msg(fst_plugin_load(pool, "p", built(plugins[i][0], plugins[i][1]), &test_log, &plugin, &err) ==
                          FST_LOAD_OK,
                      "%s: %s", plugins[i][1], err ? err : "?");
        ck_assert_ptr_null(fst_plugin_missing_ops(pool, plugin->desc));
    }
    {
        /* a 1.1 store table by hand: revision and audit_append NULL, nothing past contact_conflicts */
        foresatt_store_ops_t ops;
        foresatt_plugin_t desc;
        fst_plugin_t *real = NULL;
        const char *err = NULL;

        ck_assert_int_eq(fst_plugin_load(pool, "s", built("plugins/store_sqlite", "store_sqlite"), &test_log,
                                         &real, &err),
                         FST_LOAD_OK);
        desc = *real->desc;
        ops = *real->desc->store;
        ops.struct_size = (uint32_t)(offsetof(foresatt_store_ops_t, contact_conflicts) + sizeof(ops.contact_conflicts));
        ops.revision = NULL;
        ops.audit_append = NULL;
        desc.store = &ops;
        ck_assert_ptr_null(fst_plugin_missing_ops(pool, &desc));
        ops.pupils_all = NULL;
        ck_assert_str_eq(fst_plugin_missing_ops(pool, &desc), "pupils_all");
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("plugin_loader");
    TCase *tc = tcase_create("loader");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, file_missing);
    tcase_add_test(tc, not_shared_object);
    tcase_add_test(tc, no_entry);
    tcase_add_test(tc, no_descriptor);
    tcase_add_test(tc, abi_major);
    tcase_add_test(tc, abi_minor_newer);
    tcase_add_test(tc, abi_rules);
    tcase_add_test(tc, create_fails_with_plugin_message);
    tcase_add_test(tc, example_plugin_works);
    tcase_add_test(tc, example_plugin_refuses_bad_config);
    tcase_add_test(tc, not_threadsafe_gets_mutex);
    tcase_add_test(tc, worker_can_write);
    tcase_add_test(tc, store_missing_operations);
    tcase_add_test(tc, optional_operations_stay_optional);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
