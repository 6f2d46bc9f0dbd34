/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The store conformance suite: every store plugin must pass it. Loads the plugin the way httpd and
 * foresattctl do (the plugin loader) and drives every operation through the ABI.
 *
 *   FORESATT_STORE_PLUGIN=/path/to/store_x.so       default: the SQLite plugin in this build tree
 *   FORESATT_STORE_PARAMS='path=/tmp/d/@DB@.db'     key=value words; @DB@ becomes a fresh name per
 *                                                   test (a file, a PostgreSQL schema, ...)
 *
 * tests/integration/test_30_store_conformance.py runs it against SQLite and a throwaway PostgreSQL.
 */
#include <check.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "config_words.h"
#include "plugin_loader.h"

#define PUPIL1 "01850950047"
#define PUPIL2 "03820850024"
#define PUPIL3 "01050950081"
#define G1 "14838000089"
#define G2 "02897800260"
#define G3 "30878500039"
#define T0 ((int64_t)1767225600) /* 2026-01-01 */
#define DAY ((int64_t)86400)

static apr_pool_t *pool;
static fst_plugin_t *plugin;
static const foresatt_store_ops_t *ops;
static void *inst;
static foresatt_status_t status;
static char tmpdir[256];

static void log_sink(void *ctx, foresatt_log_level_t level, const char *msg)
{
    (void)ctx;
    if (level <= FORESATT_LOG_WARN)
        fprintf(stderr, "store: %s\n", msg);
}
static fst_log_t test_log = {log_sink, NULL, FORESATT_LOG_WARN};

static const char *plugin_path(void)
{
    const char *p = getenv("FORESATT_STORE_PLUGIN");
    const char *b = getenv("FORESATT_BUILDDIR");

    if (p && *p)
        return p;
    return apr_pstrcat(pool, b && *b ? b : ".", "/plugins/store_sqlite/.libs/store_sqlite.so", NULL);
}

static const char *params_template(void)
{
    const char *p = getenv("FORESATT_STORE_PARAMS");

    if (p && *p)
        return p;
    return apr_pstrcat(pool, "path=", tmpdir, "/@DB@.db", NULL);
}

/* Load and start the plugin with a fresh database; extra is appended to the parameters. */
static fst_load_error_t open_store(const char *extra, const char **err)
{
    static int counter;
    const char *name = apr_psprintf(pool, "t%ld_%d", (long)getpid(), ++counter);
    const char *line = params_template(), *at;
    const char **argv;
    int argc;
    fst_load_error_t rc;

    while ((at = strstr(line, "@DB@")) != NULL)
        line = apr_pstrcat(pool, apr_pstrmemdup(pool, line, (apr_size_t)(at - line)), name, at + 4, NULL);
    if (extra)
        line = apr_pstrcat(pool, line, " ", extra, NULL);
    ck_assert(fst_config_split(pool, line, &argc, &argv, err));
    rc = fst_plugin_load(pool, "store", plugin_path(), &test_log, &plugin, err);
    if (rc != FST_LOAD_OK)
        return rc;
    ck_assert_int_eq(plugin->desc->kind, FORESATT_PLUGIN_STORE);
    ck_assert(fst_plugin_set_params(pool, plugin, argc, argv, err));
    if ((rc = fst_plugin_create(pool, plugin, err)) != FST_LOAD_OK)
        return rc;
    if ((rc = fst_plugin_child_init(pool, plugin, err)) != FST_LOAD_OK)
        return rc;
    ops = plugin->desc->store;
    inst = plugin->instance;
    return FST_LOAD_OK;
}

static void setup(void)
{
    const char *err = NULL;
    fst_load_error_t rc;

    apr_initialize();
    apr_pool_create(&pool, NULL);
    rc = open_store(NULL, &err);
    ck_assert_msg(rc == FST_LOAD_OK, "cannot start the store: %s", err);
    memset(&status, 0, sizeof(status));
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

static foresatt_arena_t *arena(void)
{
    return fst_arena(pool);
}

/* --- roster rows ------------------------------------------------------------------------------- */

static foresatt_roster_row_t pupil_row(const char *id, const char *number, foresatt_enrollment_t e)
{
    foresatt_roster_row_t r;

    memset(&r, 0, sizeof(r));
    r.pupil_id = id;
    r.pupil_number = number;
    r.school = "OSLO-VGS-01";
    r.enrollment = e;
    return r;
}

static foresatt_roster_row_t guardian_row(const char *id, const char *pupil_number, const char *g, const char *name,
                                          foresatt_addressee_t addressee)
{
    foresatt_roster_row_t r = pupil_row(id, pupil_number, FORESATT_ENROLLMENT_ACTIVE);

    r.guardian_number = g;
    r.guardian_name = name;
    r.guardian_phone = "+4791234567";
    r.guardian_emails = "a@example.no;b@example.no";
    r.daily_care = 1;
    r.parental_responsibility = 1;
    r.addressee = addressee;
    r.fnr_use = g ? FORESATT_FNR_USE_ACCEPTED : FORESATT_FNR_USE_REFUSED;
    return r;
}

/* S1 (pupil 1): KARI main, OLA secondary; S2 (pupil 2): KARI main, TOR refused; S3: no guardian */
static size_t base_roster(foresatt_roster_row_t *rows)
{
    size_t n = 0;

    rows[n++] = guardian_row("S1", PUPIL1, G1, "KARI HANSEN", FORESATT_ADDRESSEE_MAIN);
    rows[n++] = guardian_row("S1", PUPIL1, G2, "OLA HANSEN", FORESATT_ADDRESSEE_SECONDARY);
    rows[n++] = guardian_row("S2", PUPIL2, NULL, "TOR LIE", FORESATT_ADDRESSEE_SECONDARY);
    rows[n - 1].guardian_address = "Testveien 12, 0150 OSLO";
    rows[n - 1].guardian_phone = NULL;
    rows[n - 1].guardian_emails = NULL;
    rows[n++] = guardian_row("S2", PUPIL2, G1, "KARI HANSEN", FORESATT_ADDRESSEE_MAIN);
    rows[n++] = pupil_row("S3", PUPIL3, FORESATT_ENROLLMENT_LEFT);
    return n;
}

static foresatt_import_stats_t import(const foresatt_roster_row_t *rows, size_t n, int64_t at)
{
    foresatt_import_stats_t st;
    foresatt_result_t rc;

    memset(&st, 0xff, sizeof(st));
    rc = ops->import_roster(inst, rows, n, at, &st, &status);
    ck_assert_msg(rc == FORESATT_OK, "import failed (%d): %s", rc, status.message);
    return st;
}

static int64_t revision(void)
{
    int64_t rev = -1;
    ck_assert_int_eq(ops->revision(inst, &rev, &status), FORESATT_OK);
    return rev;
}

static foresatt_guardian_t **links(const char *number, size_t *n)
{
    foresatt_guardian_t **g = NULL;
    ck_assert_int_eq(ops->guardian_links(inst, number, arena(), &g, n, &status), FORESATT_OK);
    return g;
}

static foresatt_guardian_t **guardians_of(const char *pupil, size_t *n)
{
    foresatt_guardian_t **g = NULL;
    ck_assert_int_eq(ops->pupil_guardians(inst, pupil, arena(), &g, n, &status), FORESATT_OK);
    return g;
}

static size_t guardian_count(const char *pupil)
{
    size_t n = 99;
    guardians_of(pupil, &n);
    return n;
}

static size_t pupil_count(void)
{
    foresatt_pupil_t **p = NULL;
    size_t n = 99;
    ck_assert_int_eq(ops->pupils_all(inst, arena(), &p, &n, &status), FORESATT_OK);
    return n;
}

/* --- tests ------------------------------------------------------------------------------------- */

START_TEST(refuses_unknown_parameter)
{
    const char *err = NULL;

    ck_assert_int_eq(open_store("colour=blue", &err), FST_LOAD_CREATE_FAILED);
    ck_assert_msg(strstr(err, "unknown key 'colour'") != NULL, "%s", err);
}
END_TEST

START_TEST(empty_store)
{
    foresatt_pupil_t *p = NULL, **all = NULL;
    foresatt_guardian_t **g = NULL;
    foresatt_audit_entry_t *e = NULL;
    foresatt_audit_filter_t f = {0};
    size_t n = 99;

    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->pupil_by_number(inst, PUPIL1, arena(), &p, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->pupils_all(inst, arena(), &all, &n, &status), FORESATT_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(ops->guardian_links(inst, G1, arena(), &g, &n, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->pupil_guardians(inst, "S1", arena(), &g, &n, &status), FORESATT_NOT_FOUND);
    n = 99;
    ck_assert_int_eq(ops->paper_list(inst, arena(), &g, &n, &status), FORESATT_OK);
    ck_assert_uint_eq(n, 0);
    n = 99;
    ck_assert_int_eq(ops->contact_conflicts(inst, arena(), &g, &n, &status), FORESATT_OK);
    ck_assert_uint_eq(n, 0);
    n = 99;
    ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &n, &status), FORESATT_OK);
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(ops->consent_give(inst, "S1", T0, 0, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->consent_revoke(inst, "S1", T0, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, "+4790000000", NULL, 0, T0, &status), FORESATT_NOT_FOUND);
    ck_assert_int_ge(revision(), 0);
}
END_TEST

START_TEST(bad_input_is_an_error)
{
    char long_id[FORESATT_MAX_ID_LEN + 2];
    foresatt_pupil_t *p = NULL;
    foresatt_guardian_t **g = NULL;
    const char *emails[FORESATT_MAX_EMAILS + 1] = {"a@x.no", "b@x.no", "c@x.no", "d@x.no", "e@x.no"};
    size_t n;

    memset(long_id, 'x', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    ck_assert_int_eq(ops->pupil_by_id(inst, NULL, arena(), &p, &status), FORESATT_ERROR);
    ck_assert_str_ne(status.message, "");
    ck_assert_int_eq(ops->pupil_by_id(inst, long_id, arena(), &p, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->guardian_links(inst, "123", arena(), &g, &n, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->guardian_links(inst, NULL, arena(), &g, &n, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->pupil_guardians(inst, "", arena(), &g, &n, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->consent_give(inst, NULL, T0, 0, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->consent_give(inst, "S1", T0, T0 - 1, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, NULL, emails, FORESATT_MAX_EMAILS + 1, T0, &status),
                     FORESATT_ERROR);
    emails[0] = "not-an-address";
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, NULL, emails, 1, T0, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, "+47 1234567890123456789012345678901", NULL, 0, T0,
                                                  &status),
                     FORESATT_ERROR);
    ck_assert_int_eq(ops->import_roster(inst, NULL, 1, T0, NULL, &status), FORESATT_ERROR);
}
END_TEST

START_TEST(import_and_read_back)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_import_stats_t st;
    foresatt_pupil_t *p = NULL;
    foresatt_guardian_t **g;
    int64_t rev0 = revision();

    st = import(rows, n, T0);
    ck_assert_uint_eq(st.pupils_added, 3);
    ck_assert_uint_eq(st.pupils_updated, 0);
    ck_assert_uint_eq(st.guardians_added, 4);
    ck_assert_uint_eq(st.guardians_updated, 0);
    ck_assert_uint_eq(st.guardians_removed, 0);
    ck_assert_uint_eq(st.contact_conflicts, 0);
    ck_assert_int_gt(revision(), rev0);

    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK);
    ck_assert_str_eq(p->pupil_id, "S1");
    ck_assert_str_eq(p->number, PUPIL1);
    ck_assert_str_eq(p->school, "OSLO-VGS-01");
    ck_assert_int_eq(p->enrollment, FORESATT_ENROLLMENT_ACTIVE);
    ck_assert_int_eq(p->consent.given_at, 0);
    ck_assert_int_eq(p->updated_at, T0);
    ck_assert_int_eq(ops->pupil_by_number(inst, PUPIL3, arena(), &p, &status), FORESATT_OK);
    ck_assert_str_eq(p->pupil_id, "S3");
    ck_assert_int_eq(p->enrollment, FORESATT_ENROLLMENT_LEFT);
    ck_assert_uint_eq(pupil_count(), 3);

    /* main addressee first */
    g = guardians_of("S1", &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(g[0]->name, "KARI HANSEN");
    ck_assert_str_eq(g[0]->number, G1);
    ck_assert_str_eq(g[0]->pupil_id, "S1");
    ck_assert_int_eq(g[0]->addressee, FORESATT_ADDRESSEE_MAIN);
    ck_assert_int_eq(g[0]->fnr_use, FORESATT_FNR_USE_ACCEPTED);
    ck_assert_str_eq(g[0]->phone, "+4791234567");
    ck_assert_uint_eq(g[0]->n_emails, 2);
    ck_assert_str_eq(g[0]->emails[0], "a@example.no");
    ck_assert_str_eq(g[0]->emails[1], "b@example.no");
    ck_assert_str_eq(g[0]->imported_emails, "a@example.no;b@example.no");
    ck_assert_int_eq(g[0]->imported_at, T0);
    ck_assert_ptr_null(g[0]->edited_phone);
    ck_assert_int_eq(g[0]->edited_at, 0);
    ck_assert_int_eq(g[0]->daily_care, 1);
    ck_assert_int_eq(g[0]->parental_responsibility, 1);
    ck_assert_int_gt(g[0]->guardian_id, 0);
    ck_assert_str_eq(g[1]->name, "OLA HANSEN");
    ck_assert_int_ne(g[0]->guardian_id, g[1]->guardian_id);

    g = guardians_of("S2", &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(g[0]->name, "KARI HANSEN");
    ck_assert_ptr_null(g[1]->number);
    ck_assert_int_eq(g[1]->fnr_use, FORESATT_FNR_USE_REFUSED);
    ck_assert_str_eq(g[1]->address, "Testveien 12, 0150 OSLO");
    ck_assert_ptr_null(g[1]->phone);
    ck_assert_uint_eq(g[1]->n_emails, 0);

    ck_assert_uint_eq(guardian_count("S3"), 0); /* exists, no guardians: OK, none */

    g = links(G1, &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(g[0]->pupil_id, "S1");
    ck_assert_str_eq(g[1]->pupil_id, "S2");
    g = links(G2, &k);
    ck_assert_uint_eq(k, 1);

    ck_assert_int_eq(ops->paper_list(inst, arena(), &g, &k, &status), FORESATT_OK);
    ck_assert_uint_eq(k, 1);
    ck_assert_str_eq(g[0]->name, "TOR LIE");
    ck_assert_str_eq(g[0]->pupil_id, "S2");
}
END_TEST

START_TEST(reimport_is_idempotent)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows);
    foresatt_import_stats_t st;
    int64_t rev;

    import(rows, n, T0);
    rev = revision();
    st = import(rows, n, T0 + DAY);
    ck_assert_uint_eq(st.pupils_added + st.pupils_updated + st.guardians_added + st.guardians_updated +
                          st.guardians_removed + st.contact_conflicts,
                      0);
    ck_assert_int_eq(revision(), rev);
    ck_assert_uint_eq(pupil_count(), 3);
    ck_assert_uint_eq(guardian_count("S1"), 2);
    {
        foresatt_pupil_t *p;
        size_t k;
        ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK);
        ck_assert_int_eq(p->updated_at, T0); /* nothing changed, so not touched */
        ck_assert_int_eq(guardians_of("S1", &k)[0]->imported_at, T0);
    }
}
END_TEST

START_TEST(reimport_applies_changes)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_import_stats_t st;
    foresatt_guardian_t **g;
    foresatt_pupil_t *p;
    int64_t rev;

    import(rows, n, T0);
    rev = revision();
    /* S1: OLA leaves, GRO arrives, KARI's phone changes; S2 finishes school; S3 not in the file */
    rows[0].guardian_phone = "+4799999999";
    rows[1] = guardian_row("S1", PUPIL1, G3, "GRO HANSEN", FORESATT_ADDRESSEE_SECONDARY);
    rows[2].enrollment = rows[3].enrollment = FORESATT_ENROLLMENT_COMPLETED;
    st = import(rows, 4, T0 + DAY);
    ck_assert_uint_eq(st.pupils_added, 0);
    ck_assert_uint_eq(st.pupils_updated, 1);
    ck_assert_uint_eq(st.guardians_added, 1);
    ck_assert_uint_eq(st.guardians_updated, 1);
    ck_assert_uint_eq(st.guardians_removed, 1);
    ck_assert_int_gt(revision(), rev);

    g = guardians_of("S1", &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(g[0]->phone, "+4799999999");
    ck_assert_int_eq(g[0]->imported_at, T0 + DAY);
    ck_assert_str_eq(g[1]->name, "GRO HANSEN");
    ck_assert_int_eq(ops->guardian_links(inst, G2, arena(), &g, &k, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S2", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->enrollment, FORESATT_ENROLLMENT_COMPLETED);
    ck_assert_int_eq(p->updated_at, T0 + DAY);
    /* pupils not in the file are kept, with their data */
    ck_assert_int_eq(ops->pupil_by_id(inst, "S3", arena(), &p, &status), FORESATT_OK);
    ck_assert_uint_eq(guardian_count("S2"), 2);
}
END_TEST

START_TEST(failing_import_changes_nothing)
{
    foresatt_roster_row_t rows[8], bad[8];
    size_t n = base_roster(rows);
    foresatt_import_stats_t st;
    foresatt_guardian_t **g;
    int64_t rev;
    size_t k;

    import(rows, n, T0);
    rev = revision();
    memcpy(bad, rows, sizeof(rows));
    bad[0].guardian_phone = "+4700000000"; /* a change that must not land */
    bad[1] = guardian_row("S1", PUPIL1, G3, "GRO", FORESATT_ADDRESSEE_MAIN);
    bad[n] = guardian_row("S9", PUPIL3, NULL, "X", FORESATT_ADDRESSEE_MAIN);
    bad[n].guardian_number = G2; /* refused, but with a number: the last row is bad */
    memset(&st, 0, sizeof(st));
    ck_assert_int_eq(ops->import_roster(inst, bad, n + 1, T0 + DAY, &st, &status), FORESATT_ERROR);
    ck_assert_str_ne(status.message, "");
    ck_assert_int_eq(revision(), rev);
    g = guardians_of("S1", &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(g[0]->phone, "+4791234567");
    ck_assert_str_eq(g[1]->name, "OLA HANSEN");
    ck_assert_int_eq(ops->pupil_by_id(inst, "S9", arena(), &(foresatt_pupil_t *){NULL}, &status), FORESATT_NOT_FOUND);

    /* an import that fails on an empty store leaves it empty */
    bad[0] = pupil_row("S1", "0123", FORESATT_ENROLLMENT_ACTIVE);
    ck_assert_int_eq(ops->import_roster(inst, bad, 1, T0, &st, &status), FORESATT_ERROR);
}
END_TEST

START_TEST(guardian_edit_survives_reimport)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    const char *emails[] = {"kari@new.no"};
    foresatt_import_stats_t st;
    foresatt_guardian_t **g;
    int64_t rev;

    import(rows, n, T0);
    rev = revision();
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, "+4798765432", emails, 1, T0 + DAY, &status),
                     FORESATT_OK);
    ck_assert_int_gt(revision(), rev);
    /* in effect on every row with the number */
    g = links(G1, &k);
    ck_assert_uint_eq(k, 2);
    for (size_t i = 0; i < k; i++) {
        ck_assert_str_eq(g[i]->phone, "+4798765432");
        ck_assert_uint_eq(g[i]->n_emails, 1);
        ck_assert_str_eq(g[i]->emails[0], "kari@new.no");
        ck_assert_str_eq(g[i]->edited_phone, "+4798765432");
        ck_assert_str_eq(g[i]->imported_phone, "+4791234567");
        ck_assert_int_eq(g[i]->edited_at, T0 + DAY);
    }
    /* the same roster again: the edit is newer, it stays, and it is a conflict */
    st = import(rows, n, T0 + 2 * DAY);
    ck_assert_uint_eq(st.contact_conflicts, 2);
    ck_assert_uint_eq(st.guardians_updated, 0);
    g = links(G1, &k);
    ck_assert_str_eq(g[0]->phone, "+4798765432");
    ck_assert_int_eq(ops->contact_conflicts(inst, arena(), &g, &k, &status), FORESATT_OK);
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(g[0]->number, G1);

    /* a roster with a new value, newer than the edit: the roster wins */
    rows[0].guardian_phone = rows[3].guardian_phone = "+4711111111";
    st = import(rows, n, T0 + 3 * DAY);
    ck_assert_uint_eq(st.contact_conflicts, 0);
    ck_assert_uint_eq(st.guardians_updated, 2);
    g = links(G1, &k);
    ck_assert_str_eq(g[0]->phone, "+4711111111");
    ck_assert_uint_eq(g[0]->n_emails, 2);
    ck_assert_str_eq(g[0]->edited_phone, "+4798765432"); /* kept, shown as the older source */

    /* a roster time older than the edit: the edit wins (newest wins, whatever the order of arrival) */
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, NULL, NULL, 0, T0 + 5 * DAY, &status), FORESATT_OK);
    rows[0].guardian_phone = rows[3].guardian_phone = "+4722222222";
    st = import(rows, n, T0 + 4 * DAY);
    ck_assert_uint_eq(st.contact_conflicts, 2);
    g = links(G1, &k);
    ck_assert_ptr_null(g[0]->phone); /* the guardian removed phone and e-mail */
    ck_assert_uint_eq(g[0]->n_emails, 0);
    ck_assert_str_eq(g[0]->imported_phone, "+4722222222");
}
END_TEST

START_TEST(consent)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows);
    foresatt_pupil_t *p;
    int64_t rev;

    rows[4].consent_extended = 1; /* S3 consented according to the roster */
    import(rows, n, T0);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S3", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->consent.given_at, T0);
    ck_assert_int_eq(p->consent.revoked_at, 0);

    rev = revision();
    ck_assert_int_eq(ops->consent_revoke(inst, "S1", T0, &status), FORESATT_NOT_FOUND); /* none given */
    ck_assert_int_eq(ops->consent_give(inst, "S1", T0 + DAY, T0 + 400 * DAY, &status), FORESATT_OK);
    ck_assert_int_gt(revision(), rev);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->consent.given_at, T0 + DAY);
    ck_assert_int_eq(p->consent.until, T0 + 400 * DAY);
    ck_assert_int_eq(p->consent.revoked_at, 0);

    rev = revision();
    ck_assert_int_eq(ops->consent_revoke(inst, "S1", T0 + 2 * DAY, &status), FORESATT_OK);
    ck_assert_int_gt(revision(), rev);
    ck_assert_int_eq(ops->consent_revoke(inst, "S1", T0 + 3 * DAY, &status), FORESATT_OK);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->consent.revoked_at, T0 + 2 * DAY); /* the first revocation counts */

    /* a re-import does not bring a revoked consent back */
    rows[0].consent_extended = rows[1].consent_extended = 1;
    import(rows, n, T0 + 4 * DAY);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->consent.revoked_at, T0 + 2 * DAY);

    /* giving again replaces the revoked one */
    ck_assert_int_eq(ops->consent_give(inst, "S1", T0 + 5 * DAY, 0, &status), FORESATT_OK);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->consent.given_at, T0 + 5 * DAY);
    ck_assert_int_eq(p->consent.until, 0);
    ck_assert_int_eq(p->consent.revoked_at, 0);
}
END_TEST

static foresatt_audit_entry_t entry(int64_t at, const char *actor, const char *pupil, const char *decision)
{
    foresatt_audit_entry_t e;

    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    e.at = at;
    e.actor = actor;
    e.role = FORESATT_ROLE_GUARDIAN;
    e.pupil_id = pupil;
    e.action = "access";
    e.decision = decision;
    e.reason = strcmp(decision, "deny") == 0 ? "no_parental_responsibility" : NULL;
    e.detail = "/portal/";
    return e;
}

static size_t audit_count(const char *pupil, int64_t since, int64_t until, size_t limit, foresatt_audit_entry_t **out)
{
    foresatt_audit_filter_t f = {pupil, since, until, limit, NULL};
    foresatt_audit_entry_t *e = NULL;
    size_t n = 99;

    ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &n, &status), FORESATT_OK);
    if (out)
        *out = e;
    return n;
}

START_TEST(audit_append_and_query)
{
    foresatt_audit_entry_t batch[4], *e;
    int64_t rev = revision();

    batch[0] = entry(T0 + 30, "ps:aaaa", "S1", "allow");
    batch[1] = entry(T0 + 10, "ps:bbbb", "S2", "deny");
    batch[2] = entry(T0 + 20, "ps:aaaa", NULL, "allow");
    batch[3] = entry(T0 + 40, "ps:cccc", "S1", "deny");
    ck_assert_int_eq(ops->audit_append(inst, batch, 4, &status), FORESATT_OK);
    ck_assert_int_eq(revision(), rev); /* the audit log does not move the revision */

    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, &e), 4);
    ck_assert_int_eq(e[0].at, T0 + 10); /* oldest first */
    ck_assert_str_eq(e[0].actor, "ps:bbbb");
    ck_assert_str_eq(e[0].pupil_id, "S2");
    ck_assert_str_eq(e[0].action, "access");
    ck_assert_str_eq(e[0].decision, "deny");
    ck_assert_str_eq(e[0].reason, "no_parental_responsibility");
    ck_assert_str_eq(e[0].detail, "/portal/");
    ck_assert_int_eq(e[0].role, FORESATT_ROLE_GUARDIAN);
    ck_assert_ptr_null(e[1].pupil_id);
    ck_assert_ptr_null(e[1].reason);
    ck_assert_int_eq(e[3].at, T0 + 40);

    ck_assert_uint_eq(audit_count("S1", 0, 0, 0, &e), 2);
    ck_assert_str_eq(e[0].actor, "ps:aaaa");
    ck_assert_uint_eq(audit_count("S9", 0, 0, 0, NULL), 0);
    ck_assert_uint_eq(audit_count(NULL, T0 + 20, 0, 0, NULL), 3);   /* since is inclusive */
    ck_assert_uint_eq(audit_count(NULL, T0 + 20, T0 + 40, 0, NULL), 2); /* until exclusive */
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 2, &e), 2);
    ck_assert_int_eq(e[1].at, T0 + 20);
    ck_assert_uint_eq(audit_count("S1", T0 + 31, 0, 0, NULL), 1);

    /* ABI 1.1: by actor, alone and with the other filters */
    {
        foresatt_audit_filter_t f = {NULL, 0, 0, 0, "ps:aaaa"};
        size_t n = 99;
        ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &n, &status), FORESATT_OK);
        ck_assert_uint_eq(n, 2);
        ck_assert_str_eq(e[0].actor, "ps:aaaa");
        ck_assert_str_eq(e[1].actor, "ps:aaaa");
        ck_assert_int_eq(e[0].at, T0 + 20);
        f.pupil_id = "S1";
        ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &n, &status), FORESATT_OK);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(e[0].at, T0 + 30);
        f.pupil_id = NULL;
        f.since = T0 + 21;
        ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &n, &status), FORESATT_OK);
        ck_assert_uint_eq(n, 1);
        f.since = 0;
        f.actor = "ps:nobody";
        ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &n, &status), FORESATT_OK);
        ck_assert_uint_eq(n, 0);
    }
}
END_TEST

START_TEST(bytes_that_are_not_utf8)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows);
    foresatt_audit_entry_t e = entry(T0, "ps:a", "S\xff", "deny"), *got;
    const char *emails[] = {"k\xff@x.no"};
    foresatt_pupil_t *p;
    foresatt_guardian_t **g;
    size_t k;

    import(rows, n, T0);
    /* an id from a URL that is not UTF-8 names no pupil; it is not a backend failure */
    ck_assert_int_eq(ops->pupil_by_id(inst, "S\xff", arena(), &p, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->pupil_guardians(inst, "S1\xc3", arena(), &g, &k, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->consent_give(inst, "S\xff", T0, 0, &status), FORESATT_NOT_FOUND);
    ck_assert_uint_eq(audit_count("S\xff", 0, 0, 0, NULL), 0);
    /* the audit batch is written, the bad bytes as '?' */
    e.detail = "/elev/\xff\xfe/p.txt";
    ck_assert_int_eq(ops->audit_append(inst, &e, 1, &status), FORESATT_OK);
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, &got), 1);
    ck_assert_str_eq(got[0].detail, "/elev/?" "?/p.txt"); /* split: ??/ is a trigraph */
    ck_assert_str_eq(got[0].pupil_id, "S?");
    /* contact data is the guardian's own input: refused */
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, NULL, emails, 1, T0 + 1, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, "+47\xff", NULL, 0, T0 + 1, &status), FORESATT_ERROR);
}
END_TEST

START_TEST(audit_batch_is_all_or_nothing)
{
    foresatt_audit_entry_t batch[3];
    char big[FORESATT_MAX_AUDIT_DETAIL_LEN + 2];

    batch[0] = entry(T0, "ps:a", "S1", "allow");
    batch[1] = entry(T0, "ps:b", "S1", "allow");
    batch[2] = entry(T0, NULL, "S1", "allow"); /* no actor */
    ck_assert_int_eq(ops->audit_append(inst, batch, 3, &status), FORESATT_ERROR);
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, NULL), 0);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    batch[2] = entry(T0, "ps:c", "S1", "allow");
    batch[2].detail = big;
    ck_assert_int_eq(ops->audit_append(inst, batch, 3, &status), FORESATT_ERROR);
    batch[2].detail = NULL;
    batch[2].role = (foresatt_role_t)9;
    ck_assert_int_eq(ops->audit_append(inst, batch, 3, &status), FORESATT_ERROR);
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, NULL), 0);
    ck_assert_int_eq(ops->audit_append(inst, batch, 0, &status), FORESATT_OK);
}
END_TEST

START_TEST(audit_survives_everything_but_retention)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows);
    foresatt_audit_entry_t batch[2], *e;
    foresatt_purge_stats_t ps;
    const char *ids[] = {"S1", "S2", "S3"};

    batch[0] = entry(T0, "ps:a", "S1", "allow");
    batch[1] = entry(T0 + 100 * DAY, "ps:b", "S1", "deny");
    ck_assert_int_eq(ops->audit_append(inst, batch, 2, &status), FORESATT_OK);
    import(rows, n, T0);
    import(rows, 1, T0 + DAY);
    ck_assert_int_eq(ops->purge(inst, ids, 3, T0 + 200 * DAY, 0, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.audit, 0);
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, &e), 2);
    ck_assert_str_eq(e[0].actor, "ps:a");
    ck_assert_str_eq(e[0].decision, "allow");
    ck_assert_str_eq(e[1].decision, "deny");
    /* retention deletes whole entries older than the cut, nothing else */
    ck_assert_int_eq(ops->purge(inst, NULL, 0, T0 + 200 * DAY, T0 + 50 * DAY, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.audit, 1);
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, &e), 1);
    ck_assert_str_eq(e[0].actor, "ps:b");
}
END_TEST

START_TEST(purge)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_purge_stats_t ps;
    foresatt_audit_entry_t old = entry(T0 - 400 * DAY, "ps:old", "S1", "allow");
    const char *ids[] = {"S1", "S3", "S404"};
    const char *emails[] = {"k@x.no"};
    foresatt_guardian_t **g;
    foresatt_pupil_t *p;
    int64_t rev;

    import(rows, n, T0);
    ck_assert_int_eq(ops->audit_append(inst, &old, 1, &status), FORESATT_OK);
    ck_assert_int_eq(ops->consent_give(inst, "S2", T0, T0 + 10 * DAY, &status), FORESATT_OK); /* ends */
    ck_assert_int_eq(ops->consent_give(inst, "S3", T0, 0, &status), FORESATT_OK);              /* open */
    ck_assert_int_eq(ops->guardian_contact_update(inst, G2, "+4712345678", emails, 1, T0 + DAY, &status),
                     FORESATT_OK);
    rev = revision();

    /* a dry run counts exactly what a purge deletes, and deletes nothing */
    memset(&ps, 0xff, sizeof(ps));
    ck_assert_int_eq(ops->purge(inst, ids, 3, T0 + 20 * DAY, T0 - 365 * DAY, 1, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.pupils, 1);
    ck_assert_uint_eq(ps.guardians, 2);
    ck_assert_uint_eq(ps.consents, 1);
    ck_assert_uint_eq(ps.audit, 1);
    ck_assert_int_eq(revision(), rev);
    ck_assert_uint_eq(guardian_count("S1"), 2);
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, NULL), 1);

    memset(&ps, 0xff, sizeof(ps));
    ck_assert_int_eq(ops->purge(inst, ids, 3, T0 + 20 * DAY, T0 - 365 * DAY, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.pupils, 1);
    ck_assert_uint_eq(ps.guardians, 2);
    ck_assert_uint_eq(ps.consents, 1);
    ck_assert_uint_eq(ps.audit, 1);
    ck_assert_int_gt(revision(), rev);
    ck_assert_uint_eq(guardian_count("S1"), 0);
    ck_assert_uint_eq(guardian_count("S2"), 2);
    ck_assert_uint_eq(audit_count(NULL, 0, 0, 0, NULL), 0);
    /* the pupil stays (its enrollment still answers "not enrolled"); the ended consent is gone */
    ck_assert_int_eq(ops->pupil_by_id(inst, "S2", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->consent.given_at, 0);
    ck_assert_int_eq(p->consent.until, 0);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S3", arena(), &p, &status), FORESATT_OK);
    ck_assert_int_eq(p->consent.given_at, T0);
    /* OLA (G2) had only S1: his number and his own contact edit are gone */
    ck_assert_int_eq(ops->guardian_links(inst, G2, arena(), &g, &k, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->guardian_contact_update(inst, G2, NULL, NULL, 0, T0 + 30 * DAY, &status),
                     FORESATT_NOT_FOUND);
    g = links(G1, &k);
    ck_assert_uint_eq(k, 1);

    /* a second purge finds nothing */
    rev = revision();
    ck_assert_int_eq(ops->purge(inst, ids, 3, T0 + 20 * DAY, T0 - 365 * DAY, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.pupils + ps.guardians + ps.consents + ps.audit, 0);
    ck_assert_int_eq(revision(), rev);

    /* a revoked consent is ended too */
    ck_assert_int_eq(ops->consent_revoke(inst, "S3", T0 + 21 * DAY, &status), FORESATT_OK);
    ck_assert_int_eq(ops->purge(inst, NULL, 0, T0 + 22 * DAY, 0, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.consents, 1);
}
END_TEST

START_TEST(revision_moves_only_on_changes)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows);
    foresatt_pupil_t *p;
    int64_t r0, r1, r2;

    r0 = revision();
    ck_assert_int_eq(revision(), r0);
    import(rows, n, T0);
    r1 = revision();
    ck_assert_int_gt(r1, r0);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK); /* reads: no change */
    ck_assert_int_eq(revision(), r1);
    ck_assert_int_eq(ops->consent_give(inst, "S1", T0, 0, &status), FORESATT_OK);
    r2 = revision();
    ck_assert_int_gt(r2, r1);
    ck_assert_int_eq(ops->consent_give(inst, "S404", T0, 0, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(revision(), r2);
}
END_TEST

/* Many threads on one instance at once: reads, audit appends and contact edits. */
#define THREADS 8
#define ROUNDS 40

static void *worker(void *arg)
{
    long id = (long)arg;
    apr_pool_t *tp;
    long failures = 0;
    int i;

    apr_pool_create(&tp, NULL);
    for (i = 0; i < ROUNDS; i++) {
        foresatt_status_t st;
        foresatt_audit_entry_t e = entry(T0 + i, "ps:thread", "S1", "allow");
        foresatt_pupil_t *p = NULL;
        foresatt_guardian_t **g = NULL;
        size_t n;
        memset(&st, 0, sizeof(st));
        if (ops->audit_append(inst, &e, 1, &st) != FORESATT_OK)
            failures++;
        if (ops->pupil_by_id(inst, "S1", fst_arena(tp), &p, &st) != FORESATT_OK)
            failures++;
        if (ops->guardian_links(inst, G1, fst_arena(tp), &g, &n, &st) != FORESATT_OK || n != 2)
            failures++;
        if (ops->guardian_contact_update(inst, G1, "+4790000000", NULL, 0, T0 + DAY * (id + 1), &st) != FORESATT_OK)
            failures++;
        apr_pool_clear(tp);
    }
    apr_pool_destroy(tp);
    return (void *)failures;
}

START_TEST(many_threads_at_once)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows);
    pthread_t t[THREADS];
    long i;

    import(rows, n, T0);
    for (i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (i = 0; i < THREADS; i++) {
        void *failures;
        pthread_join(t[i], &failures);
        ck_assert_int_eq((long)failures, 0);
    }
    ck_assert_uint_eq(audit_count("S1", 0, 0, 0, NULL), THREADS * ROUNDS);
}
END_TEST

START_TEST(many_rows)
{
    /* a roster of 2,000 pupils with two guardians each, then a purge of half of them */
    enum { PUPILS = 2000 };
    foresatt_roster_row_t *rows = apr_pcalloc(pool, sizeof(*rows) * PUPILS * 2);
    const char **ids = apr_pcalloc(pool, sizeof(char *) * PUPILS);
    foresatt_import_stats_t st;
    foresatt_purge_stats_t ps;
    int i;

    for (i = 0; i < PUPILS; i++) {
        const char *id = apr_psprintf(pool, "P%05d", i);
        const char *number = apr_psprintf(pool, "%011d", 10000000 + i);
        rows[2 * i] = guardian_row(id, number, apr_psprintf(pool, "%011d", 20000000 + i), "A", FORESATT_ADDRESSEE_MAIN);
        rows[2 * i + 1] = guardian_row(id, number, NULL, "B", FORESATT_ADDRESSEE_SECONDARY);
        ids[i] = id;
    }
    st = import(rows, PUPILS * 2, T0);
    ck_assert_uint_eq(st.pupils_added, PUPILS);
    ck_assert_uint_eq(st.guardians_added, PUPILS * 2);
    st = import(rows, PUPILS * 2, T0 + 1);
    ck_assert_uint_eq(st.pupils_updated + st.guardians_updated + st.guardians_added, 0);
    ck_assert_int_eq(ops->purge(inst, ids, PUPILS / 2, T0 + 2, 0, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.pupils, PUPILS / 2);
    ck_assert_uint_eq(ps.guardians, PUPILS);
    ck_assert_uint_eq(pupil_count(), PUPILS);
}
END_TEST

/* --- ABI 1.2: the register's changes -------------------------------------------------------------- */

static foresatt_register_change_t change(foresatt_change_kind_t kind, const char *number)
{
    foresatt_register_change_t c;

    memset(&c, 0, sizeof(c));
    c.struct_size = sizeof(c);
    c.kind = kind;
    c.number = number;
    return c;
}

static void apply(const foresatt_register_change_t *c, size_t n, const char *feed, int64_t seq)
{
    foresatt_result_t rc = ops->register_apply(inst, c, n, feed, seq, &status);
    ck_assert_msg(rc == FORESATT_OK, "register_apply failed (%d): %s", rc, status.message);
}

static unsigned held(const char *number)
{
    unsigned h = 99;
    ck_assert_int_eq(ops->numbers_held(inst, &number, 1, &h, &status), FORESATT_OK);
    return h;
}

static int invalidated(int64_t since, const char *number)
{
    const char **numbers = NULL;
    size_t n = 0, i;

    ck_assert_int_eq(ops->invalidations_since(inst, since, arena(), &numbers, &n, &status), FORESATT_OK);
    for (i = 0; i < n; i++)
        if (strcmp(numbers[i], number) == 0)
            return 1;
    return 0;
}

START_TEST(register_ops_are_there)
{
    ck_assert_uint_ge(ops->struct_size, offsetof(foresatt_store_ops_t, invalidations_since) + sizeof(void *));
    ck_assert_ptr_nonnull(ops->numbers_held);
    ck_assert_ptr_nonnull(ops->register_apply);
    ck_assert_ptr_nonnull(ops->feed_position);
    ck_assert_ptr_nonnull(ops->invalidations_since);
}
END_TEST

START_TEST(register_numbers_held)
{
    foresatt_roster_row_t rows[8];
    const char *numbers[] = {G1, PUPIL1, G3, PUPIL3, G2};
    const char **many = apr_pcalloc(pool, sizeof(char *) * 1001);
    unsigned h[5], *hm = apr_pcalloc(pool, sizeof(unsigned) * 1001);
    const char *bad = "123";
    size_t i;

    import(rows, base_roster(rows), T0);
    ck_assert_int_eq(ops->numbers_held(inst, numbers, 5, h, &status), FORESATT_OK);
    ck_assert_uint_eq(h[0], FORESATT_HELD_GUARDIAN);
    ck_assert_uint_eq(h[1], FORESATT_HELD_PUPIL);
    ck_assert_uint_eq(h[2], 0);
    ck_assert_uint_eq(h[3], FORESATT_HELD_PUPIL);
    ck_assert_uint_eq(h[4], FORESATT_HELD_GUARDIAN);
    for (i = 0; i < 1001; i++)
        many[i] = G3;
    ck_assert_int_eq(ops->numbers_held(inst, many, 1000, hm, &status), FORESATT_OK);
    ck_assert_uint_eq(hm[999], 0);
    ck_assert_int_eq(ops->numbers_held(inst, many, 1001, hm, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->numbers_held(inst, &bad, 1, h, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->numbers_held(inst, NULL, 1, h, &status), FORESATT_ERROR);
}
END_TEST

START_TEST(register_details_win_over_the_roster)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_register_change_t c = change(FORESATT_CHANGE_GUARDIAN_DETAILS, G1);
    foresatt_guardian_t **g;
    int64_t rev;

    rows[0].guardian_address = "Gamleveien 1, 0150 OSLO";
    import(rows, n, T0);
    rev = revision();
    c.name = "KARI MARIE HANSEN";
    c.address = "Storgata 1, 0155 OSLO";
    apply(&c, 1, NULL, 0);
    ck_assert_int_gt(revision(), rev);
    g = links(G1, &k);
    ck_assert_uint_eq(k, 2);
    for (size_t i = 0; i < k; i++) {
        ck_assert_str_eq(g[i]->name, "KARI MARIE HANSEN");
        ck_assert_str_eq(g[i]->address, "Storgata 1, 0155 OSLO");
    }
    import(rows, n, T0 + DAY); /* the roster's name and address do not come back */
    g = links(G1, &k);
    ck_assert_str_eq(g[0]->name, "KARI MARIE HANSEN");
    ck_assert_str_eq(g[0]->address, "Storgata 1, 0155 OSLO");
    g = guardians_of("S1", &k);
    ck_assert_str_eq(g[0]->name, "KARI MARIE HANSEN");
    ck_assert_str_eq(g[1]->name, "OLA HANSEN"); /* nobody else's */
    /* no address from the register: the roster's stays in effect */
    c.address = NULL;
    c.name = "KARI HANSEN";
    apply(&c, 1, NULL, 0);
    g = links(G1, &k);
    ck_assert_str_eq(g[0]->name, "KARI HANSEN");
    ck_assert_str_eq(g[0]->address, "Gamleveien 1, 0150 OSLO");
}
END_TEST

START_TEST(register_protected_address_is_never_kept)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_register_change_t c = change(FORESATT_CHANGE_ADDRESS_PROTECTED, G1);
    foresatt_guardian_t **g;

    rows[0].guardian_address = "Gamleveien 1, 0150 OSLO";
    rows[3].guardian_address = "Gamleveien 1, 0150 OSLO";
    import(rows, n, T0);
    apply(&c, 1, NULL, 0);
    ck_assert_uint_eq(held(G1), FORESATT_HELD_GUARDIAN | FORESATT_HELD_PROTECTED);
    g = links(G1, &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_ptr_null(g[0]->address);
    ck_assert_ptr_null(g[1]->address);
    import(rows, n, T0 + DAY); /* a roster that still has it */
    g = links(G1, &k);
    ck_assert_ptr_null(g[0]->address);
    ck_assert_ptr_null(g[1]->address);
    g = guardians_of("S2", &k); /* the guardian without a number keeps hers */
    ck_assert_str_eq(g[1]->name, "TOR LIE");
    ck_assert_str_eq(g[1]->address, "Testveien 12, 0150 OSLO");
    /* the register lifts the grading: its address, and the roster's again later */
    c = change(FORESATT_CHANGE_GUARDIAN_DETAILS, G1);
    c.name = "KARI HANSEN";
    c.address = "Storgata 1, 0155 OSLO";
    apply(&c, 1, NULL, 0);
    ck_assert_uint_eq(held(G1), FORESATT_HELD_GUARDIAN);
    g = links(G1, &k);
    ck_assert_str_eq(g[0]->address, "Storgata 1, 0155 OSLO");
}
END_TEST

START_TEST(register_number_change_moves_everything)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_register_change_t c = change(FORESATT_CHANGE_NUMBER, G1);
    foresatt_audit_entry_t a[2] = {entry(T0 + 1, "ps:g1", "S1", "allow"), entry(T0 + 2, "ps:g2", "S1", "allow")};
    foresatt_audit_filter_t f;
    foresatt_audit_entry_t *e = NULL;
    const char *emails[] = {"kari@x.no"};
    foresatt_guardian_t **g;
    foresatt_pupil_t *p;

    import(rows, n, T0);
    ck_assert_int_eq(ops->audit_append(inst, a, 2, &status), FORESATT_OK);
    ck_assert_int_eq(ops->guardian_contact_update(inst, G1, "+4799999999", emails, 1, T0 + DAY, &status), FORESATT_OK);
    c.new_number = G3;
    c.actor = "ps:g1";
    c.new_actor = "ps:g3";
    apply(&c, 1, NULL, 0);
    ck_assert_int_eq(ops->guardian_links(inst, G1, arena(), &g, &k, &status), FORESATT_NOT_FOUND);
    g = links(G3, &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_str_eq(g[0]->pupil_id, "S1");
    ck_assert_str_eq(g[0]->number, G3);
    ck_assert_str_eq(g[0]->phone, "+4799999999"); /* her own edit came along */
    ck_assert_uint_eq(held(G1), 0);
    memset(&f, 0, sizeof(f));
    f.actor = "ps:g3";
    ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &k, &status), FORESATT_OK);
    ck_assert_uint_eq(k, 1);
    ck_assert_int_eq(e[0].at, T0 + 1);
    f.actor = "ps:g1";
    ck_assert_int_eq(ops->audit_query(inst, &f, arena(), &e, &k, &status), FORESATT_OK);
    ck_assert_uint_eq(k, 0);
    /* the school's roster still has the old number: it is read as the new one */
    import(rows, n, T0 + 2 * DAY);
    ck_assert_int_eq(ops->guardian_links(inst, G1, arena(), &g, &k, &status), FORESATT_NOT_FOUND);
    g = links(G3, &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_uint_eq(guardian_count("S1"), 2);
    /* a pupil's number, too; the consent stays with the pupil */
    ck_assert_int_eq(ops->consent_give(inst, "S1", T0, 0, &status), FORESATT_OK);
    c = change(FORESATT_CHANGE_NUMBER, PUPIL1);
    c.new_number = "25901050093";
    apply(&c, 1, NULL, 0);
    ck_assert_int_eq(ops->pupil_by_number(inst, PUPIL1, arena(), &p, &status), FORESATT_NOT_FOUND);
    ck_assert_int_eq(ops->pupil_by_number(inst, "25901050093", arena(), &p, &status), FORESATT_OK);
    ck_assert_str_eq(p->pupil_id, "S1");
    ck_assert_int_eq(p->consent.given_at, T0);
    import(rows, n, T0 + 3 * DAY);
    ck_assert_int_eq(ops->pupil_by_id(inst, "S1", arena(), &p, &status), FORESATT_OK);
    ck_assert_str_eq(p->number, "25901050093");
}
END_TEST

START_TEST(register_number_change_onto_a_registered_number)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_register_change_t c = change(FORESATT_CHANGE_NUMBER, G2);

    import(rows, n, T0);
    c.new_number = G1; /* OLA turns out to be KARI's duplicate: her row for S1 wins */
    apply(&c, 1, NULL, 0);
    links(G1, &k);
    ck_assert_uint_eq(k, 2);
    ck_assert_uint_eq(guardian_count("S1"), 1);
}
END_TEST

START_TEST(register_feed_position_and_nothing_twice)
{
    foresatt_roster_row_t rows[8];
    foresatt_register_change_t c = change(FORESATT_CHANGE_RECHECK, G1);
    int64_t seq = -1, rev;

    import(rows, base_roster(rows), T0);
    ck_assert_int_eq(ops->feed_position(inst, "freg", &seq, &status), FORESATT_NOT_FOUND);
    rev = revision();
    apply(NULL, 0, "freg", 10);
    ck_assert_int_eq(ops->feed_position(inst, "freg", &seq, &status), FORESATT_OK);
    ck_assert_int_eq(seq, 10);
    ck_assert_int_eq(revision(), rev); /* the position alone changes nothing the module caches */
    apply(&c, 1, "freg", 11);
    ck_assert_int_eq(ops->feed_position(inst, "freg", &seq, &status), FORESATT_OK);
    ck_assert_int_eq(seq, 11);
    ck_assert_int_gt(revision(), rev);
    rev = revision();
    apply(&c, 1, "freg", 11); /* another follower got there first: nothing is applied twice */
    ck_assert_int_eq(revision(), rev);
    apply(&c, 1, "freg", 9);
    ck_assert_int_eq(revision(), rev);
    ck_assert_int_eq(ops->feed_position(inst, "freg", &seq, &status), FORESATT_OK);
    ck_assert_int_eq(seq, 11);
    apply(NULL, 0, "freg", 5); /* the administrator starts it elsewhere */
    ck_assert_int_eq(ops->feed_position(inst, "freg", &seq, &status), FORESATT_OK);
    ck_assert_int_eq(seq, 5);
    ck_assert_int_eq(ops->feed_position(inst, "other", &seq, &status), FORESATT_NOT_FOUND);
}
END_TEST

START_TEST(register_invalidations)
{
    foresatt_roster_row_t rows[8];
    foresatt_register_change_t c[2] = {change(FORESATT_CHANGE_RECHECK, G1), change(FORESATT_CHANGE_NUMBER, G2)};
    const char **numbers = NULL;
    size_t n = 99;
    int64_t r0, r1;

    import(rows, base_roster(rows), T0);
    r0 = revision();
    ck_assert_int_eq(ops->invalidations_since(inst, r0, arena(), &numbers, &n, &status), FORESATT_OK);
    ck_assert_uint_eq(n, 0);
    apply(c, 1, NULL, 0);
    r1 = revision();
    ck_assert(invalidated(r0, G1));
    ck_assert(!invalidated(r1, G1));
    c[1].new_number = G3;
    apply(c + 1, 1, NULL, 0);
    ck_assert(invalidated(r1, G2) && invalidated(r1, G3) && !invalidated(r1, G1));
    ck_assert(invalidated(r0, G1) && invalidated(r0, G2));
    /* the consent page's changes move the revision but invalidate nobody */
    r1 = revision();
    ck_assert_int_eq(ops->consent_give(inst, "S1", T0, 0, &status), FORESATT_OK);
    ck_assert_int_eq(ops->invalidations_since(inst, r1, arena(), &numbers, &n, &status), FORESATT_OK);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(register_apply_is_all_or_nothing)
{
    foresatt_roster_row_t rows[8];
    char long_name[FORESATT_MAX_NAME_LEN + 2];
    foresatt_register_change_t c[2] = {change(FORESATT_CHANGE_GUARDIAN_DETAILS, G1),
                                       change(FORESATT_CHANGE_GUARDIAN_DETAILS, G2)};
    foresatt_guardian_t **g;
    int64_t rev, seq;
    size_t k;

    import(rows, base_roster(rows), T0);
    apply(NULL, 0, "freg", 3);
    rev = revision();
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    c[0].name = "KARI MARIE HANSEN";
    c[1].name = long_name;
    ck_assert_int_eq(ops->register_apply(inst, c, 2, "freg", 4, &status), FORESATT_ERROR);
    ck_assert_str_ne(status.message, "");
    g = links(G1, &k);
    ck_assert_str_eq(g[0]->name, "KARI HANSEN");
    ck_assert_int_eq(revision(), rev);
    ck_assert_int_eq(ops->feed_position(inst, "freg", &seq, &status), FORESATT_OK);
    ck_assert_int_eq(seq, 3);
    c[1] = change((foresatt_change_kind_t)99, G2);
    ck_assert_int_eq(ops->register_apply(inst, c, 2, NULL, 0, &status), FORESATT_ERROR);
    c[1] = change(FORESATT_CHANGE_NUMBER, G2); /* no new number */
    ck_assert_int_eq(ops->register_apply(inst, c, 2, NULL, 0, &status), FORESATT_ERROR);
    c[1] = change(FORESATT_CHANGE_RECHECK, "0289780026x");
    ck_assert_int_eq(ops->register_apply(inst, c, 2, NULL, 0, &status), FORESATT_ERROR);
    ck_assert_int_eq(ops->register_apply(inst, NULL, 1, NULL, 0, &status), FORESATT_ERROR);
    g = links(G1, &k);
    ck_assert_str_eq(g[0]->name, "KARI HANSEN");
    ck_assert_int_eq(revision(), rev);
    /* a number the school does not hold is nothing to change, and no error */
    c[0] = change(FORESATT_CHANGE_RECHECK, G3);
    apply(c, 1, NULL, 0);
}
END_TEST

START_TEST(register_death_goes_to_retention)
{
    foresatt_roster_row_t rows[8];
    size_t n = base_roster(rows), k;
    foresatt_register_change_t c = change(FORESATT_CHANGE_DECEASED, G2);
    foresatt_purge_stats_t ps;
    foresatt_guardian_t **g;

    import(rows, n, T0);
    c.at = T0 + DAY;
    apply(&c, 1, NULL, 0);
    ck_assert_uint_eq(held(G2), FORESATT_HELD_GUARDIAN | FORESATT_HELD_DECEASED);
    ck_assert_uint_eq(guardian_count("S1"), 2); /* kept until the retention job */
    memset(&ps, 0xff, sizeof(ps));
    ck_assert_int_eq(ops->purge(inst, NULL, 0, T0 + 2 * DAY, 0, 1, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.guardians, 1);
    ck_assert_uint_eq(guardian_count("S1"), 2);
    ck_assert_int_eq(ops->purge(inst, NULL, 0, T0 + 2 * DAY, 0, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.guardians, 1);
    ck_assert_uint_eq(guardian_count("S1"), 1);
    ck_assert_int_eq(ops->guardian_links(inst, G2, arena(), &g, &k, &status), FORESATT_NOT_FOUND);
    /* a pupil who died: the guardian data goes, the pupil stays */
    c = change(FORESATT_CHANGE_DECEASED, PUPIL2);
    apply(&c, 1, NULL, 0);
    ck_assert_int_eq(ops->purge(inst, NULL, 0, T0 + 3 * DAY, 0, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(ps.pupils, 1);
    ck_assert_uint_eq(ps.guardians, 2);
    ck_assert_uint_eq(guardian_count("S2"), 0);
    ck_assert_uint_eq(pupil_count(), 3);
    /* the register corrects itself: the next roster's rows stay */
    c = change(FORESATT_CHANGE_ALIVE, PUPIL2);
    apply(&c, 1, NULL, 0);
    import(rows, n, T0 + 4 * DAY);
    ck_assert_int_eq(ops->purge(inst, NULL, 0, T0 + 5 * DAY, 0, 0, &ps, &status), FORESATT_OK);
    ck_assert_uint_eq(guardian_count("S2"), 2);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store conformance");
    TCase *tc = tcase_create("operations");

    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, refuses_unknown_parameter);
    tcase_add_test(tc, empty_store);
    tcase_add_test(tc, bad_input_is_an_error);
    tcase_add_test(tc, import_and_read_back);
    tcase_add_test(tc, reimport_is_idempotent);
    tcase_add_test(tc, reimport_applies_changes);
    tcase_add_test(tc, failing_import_changes_nothing);
    tcase_add_test(tc, guardian_edit_survives_reimport);
    tcase_add_test(tc, consent);
    tcase_add_test(tc, audit_append_and_query);
    tcase_add_test(tc, audit_batch_is_all_or_nothing);
    tcase_add_test(tc, bytes_that_are_not_utf8);
    tcase_add_test(tc, audit_survives_everything_but_retention);
    tcase_add_test(tc, purge);
    tcase_add_test(tc, revision_moves_only_on_changes);
    tcase_add_test(tc, many_threads_at_once);
    tcase_add_test(tc, many_rows);
    tcase_add_test(tc, register_ops_are_there);
    tcase_add_test(tc, register_numbers_held);
    tcase_add_test(tc, register_details_win_over_the_roster);
    tcase_add_test(tc, register_protected_address_is_never_kept);
    tcase_add_test(tc, register_number_change_moves_everything);
    tcase_add_test(tc, register_number_change_onto_a_registered_number);
    tcase_add_test(tc, register_feed_position_and_nothing_twice);
    tcase_add_test(tc, register_invalidations);
    tcase_add_test(tc, register_apply_is_all_or_nothing);
    tcase_add_test(tc, register_death_goes_to_retention);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    snprintf(tmpdir, sizeof(tmpdir), "%s/fs-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 99;
    }
    sr = srunner_create(store_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (!getenv("FORESATT_KEEP_TMP")) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
    }
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
