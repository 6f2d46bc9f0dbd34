/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "say.h"
#include "store_core.h"
#include "store_util.h"

/* --- the SQL both dialects speak ---------------------------------------------------------------- */

#define PUPILS                                                                                                 \
    "SELECT pupil_id, number, school, enrollment, consent_given_at, consent_until, consent_revoked_at, updated_at " \
    "FROM pupil "
/* The register's name and ungraded address win over the roster's; a graded one is never given. */
#define GUARDIAN_COLUMNS                                                                                       \
    "SELECT g.id, g.pupil_id, g.number, COALESCE(r.name, g.name), "                                              \
    "CASE WHEN r.address_protected = 1 THEN NULL ELSE COALESCE(r.address, g.address) END, "                      \
    "g.phone, g.emails, g.imported_at, e.phone, e.emails, "                                                      \
    "COALESCE(e.edited_at, 0), g.daily_care, g.parental_responsibility, g.addressee, g.fnr_use "
#define GUARDIAN_JOINS                                                                                         \
    "LEFT JOIN contact_edit e ON e.number = g.number LEFT JOIN register_person r ON r.number = g.number "
#define GUARDIANS GUARDIAN_COLUMNS "FROM guardian g " GUARDIAN_JOINS
#define AUDIT "SELECT at, actor, role, pupil_id, action, decision, reason, detail FROM audit "
#define MAIN_ADDRESSEE_FIRST "CASE g.addressee WHEN 1 THEN 0 WHEN 2 THEN 1 ELSE 2 END"

/* The roster being imported (import_row, a temporary table of each connection): one row per pupil
 * (the rows of one pupil agree), and what makes a row of the store differ from the roster's. */
#define IMPORTED_PUPILS                                                                                        \
    "(SELECT DISTINCT pupil_id, pupil_number AS number, school, enrollment, consent FROM import_row) s "
#define PUPIL_DIFFERS(a, b)                                                                                    \
    a ".number IS DISTINCT FROM " b ".number OR " a ".school IS DISTINCT FROM " b ".school OR " a            \
    ".enrollment IS DISTINCT FROM " b ".enrollment"
#define CONTACT_DIFFERS(a, b) a ".phone IS DISTINCT FROM " b ".phone OR " a ".emails IS DISTINCT FROM " b ".emails"
#define GUARDIAN_DIFFERS(a, b)                                                                                 \
    a ".name IS DISTINCT FROM " b ".name OR " a ".address IS DISTINCT FROM " b ".address OR "                  \
    CONTACT_DIFFERS(a, b) " OR " a ".daily_care IS DISTINCT FROM " b ".daily_care OR " a                       \
    ".parental_responsibility IS DISTINCT FROM " b ".parental_responsibility OR " a                           \
    ".addressee IS DISTINCT FROM " b ".addressee"

#define INVALIDATION_FLOOR "(SELECT revision FROM invalidation_floor WHERE id = 1)"

static const char *const shared_sql[STORE_N_STMT] = {
    [STMT_REVISION] = "SELECT value FROM revision WHERE id = 1",
    [STMT_REVISION_BUMP] = "UPDATE revision SET value = value + 1 WHERE id = 1",
    [STMT_PUPIL_BY_ID] = PUPILS "WHERE pupil_id = ?1",
    [STMT_PUPIL_BY_NUMBER] = PUPILS "WHERE number = ?1 ORDER BY enrollment, pupil_id LIMIT 1",
    [STMT_PUPILS_ALL] = PUPILS "ORDER BY pupil_id",
    [STMT_GUARDIANS_BY_NUMBER] = GUARDIANS "WHERE g.number = ?1 ORDER BY g.pupil_id",
    [STMT_GUARDIANS_OF_PUPIL] = GUARDIAN_COLUMNS "FROM pupil p LEFT JOIN guardian g ON g.pupil_id = p.pupil_id "
                                                 GUARDIAN_JOINS "WHERE p.pupil_id = ?1 "
                                                 "ORDER BY " MAIN_ADDRESSEE_FIRST ", g.id",
    [STMT_GUARDIANS_REFUSED] = GUARDIANS "WHERE g.fnr_use = 2 ORDER BY g.pupil_id, g.name",
    [STMT_GUARDIANS_CONFLICTING] = GUARDIANS "WHERE e.number IS NOT NULL AND (" CONTACT_DIFFERS("e", "g") ") "
                                             "ORDER BY g.pupil_id, g.id",
    [STMT_GUARDIAN_NUMBER_KNOWN] = "SELECT 1 FROM guardian WHERE number = ?1 LIMIT 1",
    [STMT_CONTACT_EDIT] = "INSERT INTO contact_edit (number, phone, emails, edited_at) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT (number) DO UPDATE SET phone = excluded.phone, emails = excluded.emails, "
                          "edited_at = excluded.edited_at",
    [STMT_CONSENT_GET] = "SELECT consent_given_at, consent_revoked_at FROM pupil WHERE pupil_id = ?1",
    [STMT_CONSENT_GIVE] = "UPDATE pupil SET consent_given_at = ?2, consent_until = ?3, consent_revoked_at = 0 "
                          "WHERE pupil_id = ?1",
    [STMT_CONSENT_REVOKE] = "UPDATE pupil SET consent_revoked_at = ?2 WHERE pupil_id = ?1",
    [STMT_AUDIT_INSERT] = "INSERT INTO audit (at, actor, role, pupil_id, action, decision, reason, detail) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [STMT_AUDIT_BY_TIME] = AUDIT "WHERE at >= ?1 AND at < ?2 ORDER BY at, id LIMIT ?3",
    [STMT_AUDIT_BY_PUPIL] = AUDIT "WHERE pupil_id = ?4 AND at >= ?1 AND at < ?2 ORDER BY at, id LIMIT ?3",
    [STMT_AUDIT_BY_ACTOR] = AUDIT "WHERE actor = ?5 AND (CAST(?4 AS TEXT) IS NULL OR pupil_id = ?4) "
                                  "AND at >= ?1 AND at < ?2 ORDER BY at, id LIMIT ?3",
    [STMT_IMPORT_CLEAR] = "DELETE FROM import_row",
    [STMT_IMPORT_ROW] = "INSERT INTO import_row (" STORE_IMPORT_COLUMNS ") "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    /* ABI 1.2: a number the register replaced is read as the one in use (replacements are kept one
     * hop deep), a guardian's graded address is dropped, and a pupil's guardian named twice by then
     * keeps the first row. */
    [STMT_IMPORT_PUPILS_RENUMBERED] = "UPDATE import_row AS i SET pupil_number = r.replaced_by FROM register_person AS r "
                                      "WHERE r.number = i.pupil_number AND r.replaced_by IS NOT NULL",
    [STMT_IMPORT_GUARDIANS_RENUMBERED] = "UPDATE import_row AS i SET number = r.replaced_by, gkey = r.replaced_by "
                                         "FROM register_person AS r WHERE r.number = i.number AND r.replaced_by IS NOT NULL",
    [STMT_IMPORT_GRADED_ADDRESSES] = "UPDATE import_row AS i SET address = NULL FROM register_person AS r "
                                     "WHERE r.number = i.number AND r.address_protected = 1 AND i.address IS NOT NULL",
    [STMT_IMPORT_GUARDIANS_TWICE] = "DELETE FROM import_row WHERE number IS NOT NULL "
                                    "AND EXISTS (SELECT 1 FROM register_person r WHERE r.replaced_by = import_row.number) "
                                    "AND EXISTS (SELECT 1 FROM import_row b WHERE b.pupil_id = import_row.pupil_id "
                                    "AND b.gkey = import_row.gkey AND b.row_no < import_row.row_no)",
    [STMT_IMPORT_PUPIL_COUNTS] =
        "SELECT count(*) FILTER (WHERE p.pupil_id IS NULL), count(*) FILTER (WHERE p.pupil_id IS NOT NULL AND "
        "(" PUPIL_DIFFERS("p", "s") " OR (p.consent_given_at = 0 AND s.consent = 1))) "
        "FROM " IMPORTED_PUPILS "LEFT JOIN pupil p ON p.pupil_id = s.pupil_id",
    /* a consent in the roster is recorded only for a pupil that has none */
    [STMT_IMPORT_PUPILS] =
        "INSERT INTO pupil (pupil_id, number, school, enrollment, consent_given_at, updated_at) "
        "SELECT pupil_id, number, school, enrollment, CASE WHEN consent = 1 THEN CAST(?1 AS BIGINT) ELSE 0 END, "
        "CAST(?1 AS BIGINT) FROM " IMPORTED_PUPILS "WHERE true "
        "ON CONFLICT (pupil_id) DO UPDATE SET number = excluded.number, school = excluded.school, "
        "enrollment = excluded.enrollment, "
        "updated_at = CASE WHEN " PUPIL_DIFFERS("pupil", "excluded") " THEN excluded.updated_at "
        "ELSE pupil.updated_at END, "
        "consent_given_at = CASE WHEN pupil.consent_given_at = 0 THEN excluded.consent_given_at "
        "ELSE pupil.consent_given_at END "
        "WHERE " PUPIL_DIFFERS("pupil", "excluded") " OR "
        "(pupil.consent_given_at = 0 AND excluded.consent_given_at <> 0)",
    [STMT_IMPORT_GUARDIAN_COUNTS] =
        "SELECT count(*) FILTER (WHERE g.id IS NULL), count(*) FILTER (WHERE g.id IS NOT NULL AND "
        "(" GUARDIAN_DIFFERS("g", "i") ")) "
        "FROM import_row i LEFT JOIN guardian g ON g.pupil_id = i.pupil_id AND g.gkey = i.gkey "
        "WHERE i.gkey IS NOT NULL",
    /* a roster's phone or e-mail that changed is the imported value as of now */
    [STMT_IMPORT_GUARDIANS] =
        "INSERT INTO guardian (pupil_id, gkey, number, name, address, phone, emails, imported_at, daily_care, "
        "parental_responsibility, addressee, fnr_use) "
        "SELECT pupil_id, gkey, number, name, address, phone, emails, CAST(?1 AS BIGINT), daily_care, "
        "parental_responsibility, addressee, fnr_use FROM import_row WHERE gkey IS NOT NULL "
        "ON CONFLICT (pupil_id, gkey) DO UPDATE SET name = excluded.name, address = excluded.address, "
        "phone = excluded.phone, emails = excluded.emails, "
        "imported_at = CASE WHEN " CONTACT_DIFFERS("guardian", "excluded") " THEN excluded.imported_at "
        "ELSE guardian.imported_at END, "
        "daily_care = excluded.daily_care, parental_responsibility = excluded.parental_responsibility, "
        "addressee = excluded.addressee WHERE " GUARDIAN_DIFFERS("guardian", "excluded"),
    /* guardians of the roster's pupils that the roster no longer names */
    [STMT_IMPORT_REMOVE_MISSING] =
        "DELETE FROM guardian WHERE pupil_id IN (SELECT pupil_id FROM import_row) AND NOT EXISTS "
        "(SELECT 1 FROM import_row i WHERE i.pupil_id = guardian.pupil_id AND i.gkey = guardian.gkey)",
    /* a guardian's own edit newer than the roster's value, and different from it, stays: a conflict */
    [STMT_IMPORT_CONFLICTS] =
        "SELECT count(*) FROM import_row i JOIN guardian g ON g.pupil_id = i.pupil_id AND g.gkey = i.gkey "
        "JOIN contact_edit e ON e.number = i.number WHERE e.edited_at > g.imported_at AND "
        "(" CONTACT_DIFFERS("e", "i") ")",
    [STMT_EDITS_ORPHANED] = "DELETE FROM contact_edit WHERE NOT EXISTS "
                            "(SELECT 1 FROM guardian g WHERE g.number = contact_edit.number)",
    /* the register's word on numbers nobody holds any more serves nothing (replacements stay: a
     * roster may still name the old number) */
    [STMT_REGISTER_ORPHANED] = "DELETE FROM register_person WHERE replaced_by IS NULL "
                               "AND NOT EXISTS (SELECT 1 FROM pupil p WHERE p.number = register_person.number) "
                               "AND NOT EXISTS (SELECT 1 FROM guardian g WHERE g.number = register_person.number)",
    [STMT_PURGE_GUARDIANS] = "DELETE FROM guardian WHERE pupil_id = ?1",
    /* ABI 1.2: what a death the register recorded hands to retention (a pupil's guardian rows, and
     * the rows of a guardian) */
    [STMT_PURGE_DEAD_PUPILS_COUNT] = "SELECT count(DISTINCT g.pupil_id) FROM guardian g "
                                     "JOIN pupil p ON p.pupil_id = g.pupil_id "
                                     "JOIN register_person r ON r.number = p.number WHERE r.deceased_at IS NOT NULL",
    [STMT_PURGE_DEAD_PUPILS] = "DELETE FROM guardian WHERE pupil_id IN (SELECT p.pupil_id FROM pupil p "
                               "JOIN register_person r ON r.number = p.number WHERE r.deceased_at IS NOT NULL)",
    [STMT_PURGE_DEAD_GUARDIANS] = "DELETE FROM guardian WHERE number IN "
                                  "(SELECT number FROM register_person WHERE deceased_at IS NOT NULL)",
    [STMT_PURGE_CONSENTS] = "UPDATE pupil SET consent_given_at = 0, consent_until = 0, consent_revoked_at = 0 "
                            "WHERE consent_given_at <> 0 AND (consent_revoked_at <> 0 "
                            "OR (consent_until <> 0 AND consent_until <= ?1))",
    [STMT_PURGE_AUDIT] = "DELETE FROM audit WHERE at < ?1",
    [STMT_NUMBERS_HELD] = STORE_NUMBERS_HELD("?1"),
    [STMT_FEED_POSITION] = "SELECT sequence FROM feed_position WHERE feed = ?1",
    [STMT_FEED_POSITION_SET] = "INSERT INTO feed_position (feed, sequence, updated_at) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (feed) DO UPDATE SET sequence = excluded.sequence, "
                               "updated_at = excluded.updated_at",
    [STMT_INVALIDATION_ADD] = "INSERT INTO invalidation (revision, number, at) VALUES (?1, ?2, ?3)",
    /* one statement: the floor and the numbers from the same snapshot */
    [STMT_INVALIDATIONS_SINCE] = "SELECT CAST(NULL AS TEXT) WHERE CAST(?1 AS BIGINT) < " INVALIDATION_FLOOR " "
                                 "UNION ALL SELECT DISTINCT number FROM invalidation WHERE revision > ?1 "
                                 "AND ?1 >= " INVALIDATION_FLOOR,
    /* the floor: the newest revision whose invalidations are no longer all kept */
    [STMT_INVALIDATION_FLOOR_UP] = "UPDATE invalidation_floor SET revision = "
                                   "(SELECT MAX(revision) FROM invalidation WHERE at < ?1) WHERE id = 1 "
                                   "AND (SELECT MAX(revision) FROM invalidation WHERE at < ?1) > revision",
    [STMT_INVALIDATIONS_PRUNE] = "DELETE FROM invalidation WHERE at < ?1",
    [STMT_REGISTER_DETAILS] = "INSERT INTO register_person (number, name, address, updated_at) VALUES (?1, ?2, ?3, ?4) "
                              "ON CONFLICT (number) DO UPDATE SET name = excluded.name, address = excluded.address, "
                              "address_protected = CASE WHEN excluded.address IS NULL "
                              "THEN register_person.address_protected ELSE 0 END, updated_at = excluded.updated_at",
    [STMT_REGISTER_PROTECT] = "INSERT INTO register_person (number, address_protected, updated_at) VALUES (?1, 1, ?2) "
                              "ON CONFLICT (number) DO UPDATE SET address = NULL, address_protected = 1, "
                              "updated_at = excluded.updated_at",
    [STMT_GUARDIAN_ADDRESS_CLEAR] = "UPDATE guardian SET address = NULL WHERE number = ?1 AND address IS NOT NULL",
    [STMT_REGISTER_DECEASED] = "INSERT INTO register_person (number, deceased_at, updated_at) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (number) DO UPDATE SET deceased_at = excluded.deceased_at, "
                               "updated_at = excluded.updated_at",
    [STMT_REGISTER_ALIVE] = "UPDATE register_person SET deceased_at = NULL, updated_at = ?2 WHERE number = ?1",
    /* a number change (?1 the old number, ?2 the new), in this order */
    [STMT_PUPIL_RENUMBER] = "UPDATE pupil SET number = ?2 WHERE number = ?1",
    [STMT_GUARDIAN_DROP_DUPLICATE] = "DELETE FROM guardian WHERE number = ?1 AND pupil_id IN "
                                     "(SELECT pupil_id FROM guardian WHERE number = ?2)",
    [STMT_GUARDIAN_RENUMBER] = "UPDATE guardian SET number = ?2, gkey = ?2 WHERE number = ?1",
    [STMT_EDIT_MOVE] = "UPDATE contact_edit SET number = ?2 WHERE number = ?1 AND NOT EXISTS "
                       "(SELECT 1 FROM contact_edit WHERE number = ?2)",
    [STMT_EDIT_DROP] = "DELETE FROM contact_edit WHERE number = ?1",
    [STMT_REGISTER_UNREPLACE] = "UPDATE register_person SET replaced_by = NULL WHERE number = ?1",
    [STMT_REGISTER_CARRY] = "INSERT INTO register_person (number, name, address, address_protected, deceased_at, "
                            "updated_at) SELECT ?2, name, address, address_protected, deceased_at, CAST(?3 AS BIGINT) "
                            "FROM register_person WHERE number = ?1 AND replaced_by IS NULL "
                            "ON CONFLICT (number) DO NOTHING",
    [STMT_REGISTER_REPLACED] = "INSERT INTO register_person (number, replaced_by, updated_at) VALUES (?1, ?2, ?3) "
                               "ON CONFLICT (number) DO UPDATE SET replaced_by = excluded.replaced_by, name = NULL, "
                               "address = NULL, address_protected = 0, deceased_at = NULL, "
                               "updated_at = excluded.updated_at",
    [STMT_REGISTER_CHAIN] = "UPDATE register_person SET replaced_by = ?2 WHERE replaced_by = ?1",
    [STMT_AUDIT_REKEY] = "UPDATE audit SET actor = ?2 WHERE actor = ?1",
    [STMT_SCHEMA_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_version",
    [STMT_SCHEMA_VERSION_ADD] = "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
};

const char *store_sql(const store_dialect_t *dialect, store_stmt_t id)
{
    return dialect->sql && dialect->sql[id] ? dialect->sql[id] : shared_sql[id];
}

/* --- statements --------------------------------------------------------------------------------- */

/* A statement whose rows are not wanted: 1 when it ran, *changed (when not NULL) the rows it changed. */
static int exec_stmt(store_t *s, store_conn_t *c, store_stmt_t id, const store_arg_t *args, size_t n_args,
                     size_t *changed)
{
    const store_dialect_t *d = s->dialect;
    int ok = d->run(s, c, id, args, n_args) && d->step(c) >= 0;

    if (ok && changed != NULL)
        *changed = d->changes(c);
    d->end(c);
    return ok;
}

/* The first row's one or two numbers (counts): 1 when there was a row. */
static int numbers_of(store_t *s, store_conn_t *c, store_stmt_t id, const store_arg_t *args, size_t n_args,
                      size_t *first, size_t *second)
{
    const store_dialect_t *d = s->dialect;
    int ok = d->run(s, c, id, args, n_args) && d->step(c) == 1;

    if (ok) {
        *first = (size_t)d->number(c, 0);
        if (second != NULL)
            *second = (size_t)d->number(c, 1);
    }
    d->end(c);
    return ok;
}

static int bump_revision(store_t *s, store_conn_t *c)
{
    return exec_stmt(s, c, STMT_REVISION_BUMP, NULL, 0, NULL);
}

/* --- connections and migrations ----------------------------------------------------------------- */

static foresatt_result_t migrate(store_t *s, store_conn_t *c, foresatt_status_t *status)
{
    const store_dialect_t *d = s->dialect;
    foresatt_result_t rc;
    size_t version;
    int v;

    if ((rc = d->migration_begin(s, c, status)) != FORESATT_OK)
        return rc;
    if (!d->exec(c, d->schema_table) || !numbers_of(s, c, STMT_SCHEMA_VERSION, NULL, 0, &version, NULL))
        goto fail;
    if (version > (size_t)d->n_migrations) {
        d->exec(c, "ROLLBACK");
        d->migration_end(s, c);
        return plugin_say(status, FORESATT_ERROR,
                          "%s has schema version %zu, newer than this plugin's %d; upgrade mod_foresatt", s->database,
                          version, d->n_migrations);
    }
    for (v = (int)version + 1; v <= d->n_migrations; v++) {
        store_arg_t args[] = {STORE_NUM(v), STORE_NUM((int64_t)time(NULL))};
        if (!d->exec(c, d->migrations[v - 1]) || !exec_stmt(s, c, STMT_SCHEMA_VERSION_ADD, args, 2, NULL))
            goto fail;
        s->host->log(s->host, FORESATT_LOG_NOTICE, "database schema migrated to version %d", v);
    }
    if (d->exec(c, "COMMIT") && d->migration_end(s, c))
        return FORESATT_OK;
fail:
    rc = d->fail(c, status, "schema migration failed");
    d->exec(c, "ROLLBACK");
    d->migration_end(s, c);
    return rc;
}

/* An idle connection of this process, or a new one (migrated when this process has not yet). */
static store_conn_t *conn_get(store_t *s, foresatt_status_t *status, foresatt_result_t *rc)
{
    store_conn_t *c = store_pool_take(&s->pool);

    if (c != NULL || (c = s->dialect->open(s, status, rc)) == NULL || store_pool_schema_checked(&s->pool))
        return c;
    if ((*rc = migrate(s, c, status)) != FORESATT_OK) {
        s->dialect->close(c);
        return NULL;
    }
    store_pool_set_schema_checked(&s->pool);
    return c;
}

/* Rolls back what is still open; a connection that cannot be reused is closed. */
static void conn_put(store_t *s, store_conn_t *c)
{
    if (!s->dialect->release(c) || !store_pool_give(&s->pool, c))
        s->dialect->close(c);
}

#define ACQUIRE(s, c, status)                                                                                  \
    foresatt_result_t acquire_rc_ = FORESATT_ERROR;                                                            \
    store_conn_t *c = conn_get(s, status, &acquire_rc_);                                                       \
    if (c == NULL)                                                                                             \
        return acquire_rc_;

/* --- lifecycle ---------------------------------------------------------------------------------- */

void store_init(store_t *store, const foresatt_host_t *host, const store_dialect_t *dialect, const char *database)
{
    store->host = host;
    store->dialect = dialect;
    store->database = database;
    store_pool_init(&store->pool);
}

/* After fork: open the first connection (and migrate) so a problem shows at start-up. */
foresatt_result_t store_child_init(void *instance, foresatt_status_t *status)
{
    store_t *s = instance;
    ACQUIRE(s, c, status);
    conn_put(s, c);
    return FORESATT_OK;
}

void store_destroy(void *instance)
{
    store_t *s = instance;
    store_conn_t *c;

    while ((c = store_pool_drain(&s->pool)) != NULL)
        s->dialect->close(c);
    store_pool_fini(&s->pool);
    s->dialect->free(s);
}

/* --- reading rows ------------------------------------------------------------------------------- */

typedef struct reader {
    store_t *store;
    store_conn_t *conn;
    foresatt_arena_t *arena;
} reader_t;

static const char *col_text(const reader_t *r, int col)
{
    const char *v = r->store->dialect->text(r->conn, col);

    return v ? r->store->host->strdup(r->arena, v) : NULL;
}

static int64_t col_number(const reader_t *r, int col)
{
    return r->store->dialect->number(r->conn, col);
}

static void *read_pupil(const reader_t *r)
{
    foresatt_pupil_t *p = r->store->host->alloc(r->arena, sizeof(*p));

    p->struct_size = sizeof(*p);
    p->pupil_id = col_text(r, 0);
    p->number = col_text(r, 1);
    p->school = col_text(r, 2);
    p->enrollment = (foresatt_enrollment_t)col_number(r, 3);
    p->consent.given_at = col_number(r, 4);
    p->consent.until = col_number(r, 5);
    p->consent.revoked_at = col_number(r, 6);
    p->updated_at = col_number(r, 7);
    return p;
}

/* NULL for the pupil-only row of a pupil without guardians (STMT_GUARDIANS_OF_PUPIL). */
static void *read_guardian(const reader_t *r)
{
    foresatt_guardian_t *g;

    if (r->store->dialect->text(r->conn, 0) == NULL)
        return NULL;
    g = r->store->host->alloc(r->arena, sizeof(*g));
    g->struct_size = sizeof(*g);
    g->guardian_id = col_number(r, 0);
    g->pupil_id = col_text(r, 1);
    g->number = col_text(r, 2);
    g->name = col_text(r, 3);
    g->address = col_text(r, 4);
    g->imported_phone = col_text(r, 5);
    g->imported_emails = col_text(r, 6);
    g->imported_at = col_number(r, 7);
    g->edited_phone = col_text(r, 8);
    g->edited_emails = col_text(r, 9);
    g->edited_at = col_number(r, 10);
    g->daily_care = (int)col_number(r, 11);
    g->parental_responsibility = (int)col_number(r, 12);
    g->addressee = (foresatt_addressee_t)col_number(r, 13);
    g->fnr_use = (foresatt_fnr_use_t)col_number(r, 14);
    su_guardian_effective(r->store->host, r->arena, g);
    return g;
}

static void *read_audit(const reader_t *r)
{
    foresatt_audit_entry_t *e = r->store->host->alloc(r->arena, sizeof(*e));

    e->struct_size = sizeof(*e);
    e->at = col_number(r, 0);
    e->actor = col_text(r, 1);
    e->role = (foresatt_role_t)col_number(r, 2);
    e->pupil_id = col_text(r, 3);
    e->action = col_text(r, 4);
    e->decision = col_text(r, 5);
    e->reason = col_text(r, 6);
    e->detail = col_text(r, 7);
    return e;
}

/* Every row of a read through read_row (which may skip a row by returning NULL), on a connection
 * of its own. FORESATT_OK with the results in *list and the rows seen in *rows (when not NULL). */
static foresatt_result_t read_list(store_t *s, store_stmt_t id, const store_arg_t *args, size_t n_args,
                                   void *(*read_row)(const reader_t *), foresatt_arena_t *arena, su_list_t *list,
                                   size_t *rows, foresatt_status_t *status, const char *what)
{
    const store_dialect_t *d = s->dialect;
    foresatt_result_t rc = FORESATT_OK;
    size_t seen = 0;
    int step;
    void *item;

    memset(list, 0, sizeof(*list));
    ACQUIRE(s, c, status);
    reader_t r = {s, c, arena};
    if (!d->run(s, c, id, args, n_args)) {
        rc = d->fail(c, status, what);
    } else {
        while ((step = d->step(c)) == 1) {
            seen++;
            if ((item = read_row(&r)) != NULL && !su_list_push(list, item)) {
                rc = plugin_say(status, FORESATT_ERROR, "out of memory");
                break;
            }
        }
        if (step < 0)
            rc = d->fail(c, status, what);
    }
    d->end(c);
    conn_put(s, c);
    if (rc != FORESATT_OK)
        su_list_free(list);
    if (rows != NULL)
        *rows = seen;
    return rc;
}

/* --- reads -------------------------------------------------------------------------------------- */

static foresatt_result_t pupil_one(store_t *s, store_stmt_t id, const char *key, foresatt_arena_t *arena,
                                   foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    store_arg_t args[] = {STORE_TEXT(key)};
    su_list_t list;
    foresatt_result_t rc;

    if (!su_str_ok(key, FORESATT_MAX_ID_LEN) || pupil == NULL)
        return plugin_say(status, FORESATT_ERROR, "no pupil id or number given, or too long");
    if (!su_utf8_ok(key))
        return FORESATT_NOT_FOUND; /* the roster is UTF-8: no pupil has this id */
    if ((rc = read_list(s, id, args, 1, read_pupil, arena, &list, NULL, status, "pupil lookup")) != FORESATT_OK)
        return rc;
    rc = list.n > 0 ? FORESATT_OK : FORESATT_NOT_FOUND;
    if (rc == FORESATT_OK)
        *pupil = list.items[0];
    su_list_free(&list);
    return rc;
}

static foresatt_result_t pupil_by_id(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                     foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    return pupil_one(instance, STMT_PUPIL_BY_ID, pupil_id, arena, pupil, status);
}

static foresatt_result_t pupil_by_number(void *instance, const char *number, foresatt_arena_t *arena,
                                         foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    return pupil_one(instance, STMT_PUPIL_BY_NUMBER, number, arena, pupil, status);
}

static foresatt_result_t pupils_all(void *instance, foresatt_arena_t *arena, foresatt_pupil_t ***pupils, size_t *n,
                                    foresatt_status_t *status)
{
    store_t *s = instance;
    su_list_t list;
    foresatt_result_t rc;

    if (pupils == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointers");
    rc = read_list(s, STMT_PUPILS_ALL, NULL, 0, read_pupil, arena, &list, NULL, status, "listing pupils");
    if (rc == FORESATT_OK)
        *pupils = (foresatt_pupil_t **)su_list_to_arena(s->host, arena, &list, n);
    return rc;
}

/* Guardian rows of a read by one key (or none: key NULL). */
static foresatt_result_t guardian_list(store_t *s, store_stmt_t id, const char *key, foresatt_arena_t *arena,
                                       foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status,
                                       const char *what)
{
    store_arg_t args[] = {STORE_TEXT(key)};
    su_list_t list;
    size_t rows;
    foresatt_result_t rc;

    if (guardians == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointers");
    rc = read_list(s, id, args, key ? 1 : 0, read_guardian, arena, &list, &rows, status, what);
    if (rc != FORESATT_OK)
        return rc;
    /* no registration of this number; no row at all: no such pupil */
    if (rows == 0 && (id == STMT_GUARDIANS_BY_NUMBER || id == STMT_GUARDIANS_OF_PUPIL)) {
        su_list_free(&list);
        return FORESATT_NOT_FOUND;
    }
    *guardians = (foresatt_guardian_t **)su_list_to_arena(s->host, arena, &list, n);
    return FORESATT_OK;
}

static foresatt_result_t guardian_links(void *instance, const char *number, foresatt_arena_t *arena,
                                        foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    if (!su_number_ok(number))
        return plugin_say(status, FORESATT_ERROR, "the guardian number must be 11 digits");
    return guardian_list(instance, STMT_GUARDIANS_BY_NUMBER, number, arena, guardians, n, status, "guardian lookup");
}

static foresatt_result_t pupil_guardians(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                         foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    if (!su_str_ok(pupil_id, FORESATT_MAX_ID_LEN))
        return plugin_say(status, FORESATT_ERROR, "no pupil id given, or too long");
    if (!su_utf8_ok(pupil_id))
        return FORESATT_NOT_FOUND;
    return guardian_list(instance, STMT_GUARDIANS_OF_PUPIL, pupil_id, arena, guardians, n, status,
                         "listing guardians");
}

static foresatt_result_t paper_list(void *instance, foresatt_arena_t *arena, foresatt_guardian_t ***guardians,
                                    size_t *n, foresatt_status_t *status)
{
    return guardian_list(instance, STMT_GUARDIANS_REFUSED, NULL, arena, guardians, n, status, "paper list");
}

static foresatt_result_t contact_conflicts(void *instance, foresatt_arena_t *arena, foresatt_guardian_t ***guardians,
                                           size_t *n, foresatt_status_t *status)
{
    return guardian_list(instance, STMT_GUARDIANS_CONFLICTING, NULL, arena, guardians, n, status,
                         "listing contact conflicts");
}

static foresatt_result_t audit_query(void *instance, const foresatt_audit_filter_t *filter, foresatt_arena_t *arena,
                                     foresatt_audit_entry_t **entries, size_t *n, foresatt_status_t *status)
{
    store_t *s = instance;
    su_list_t list;
    foresatt_result_t rc;
    size_t i;

    if (filter == NULL || entries == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no filter or result pointers");
    if (!su_opt_str_ok(filter->pupil_id, FORESATT_MAX_ID_LEN))
        return plugin_say(status, FORESATT_ERROR, "pupil id too long");
    if (!su_opt_str_ok(filter->actor, FORESATT_MAX_AUDIT_FIELD_LEN))
        return plugin_say(status, FORESATT_ERROR, "actor too long");
    if (su_utf8_ok(filter->pupil_id) && su_utf8_ok(filter->actor)) { /* else nothing stored matches */
        store_arg_t args[] = {STORE_NUM(filter->since), STORE_NUM(filter->until ? filter->until : INT64_MAX),
                              STORE_NUM(filter->limit ? (int64_t)filter->limit : INT64_MAX),
                              STORE_TEXT(filter->pupil_id), STORE_TEXT(filter->actor)};
        rc = read_list(s, filter->actor ? STMT_AUDIT_BY_ACTOR : filter->pupil_id ? STMT_AUDIT_BY_PUPIL
                                                                                  : STMT_AUDIT_BY_TIME,
                       args, 5, read_audit, arena, &list, NULL, status, "audit query");
        if (rc != FORESATT_OK)
            return rc;
    } else {
        memset(&list, 0, sizeof(list));
    }
    *n = list.n;
    *entries = s->host->alloc(arena, (list.n ? list.n : 1) * sizeof(foresatt_audit_entry_t));
    for (i = 0; i < list.n; i++)
        (*entries)[i] = *(const foresatt_audit_entry_t *)list.items[i];
    su_list_free(&list);
    return FORESATT_OK;
}

static foresatt_result_t revision(void *instance, int64_t *revision, foresatt_status_t *status)
{
    store_t *s = instance;
    const store_dialect_t *d = s->dialect;
    foresatt_result_t rc = FORESATT_OK;

    if (revision == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointer");
    ACQUIRE(s, c, status);
    if (!d->run(s, c, STMT_REVISION, NULL, 0) || d->step(c) != 1)
        rc = d->fail(c, status, "revision");
    else
        *revision = d->number(c, 0);
    d->end(c);
    conn_put(s, c);
    return rc;
}

/* --- writes ------------------------------------------------------------------------------------- */

static foresatt_result_t contact_update(void *instance, const char *number, const char *phone,
                                        const char *const *emails, size_t n_emails, int64_t at,
                                        foresatt_status_t *status)
{
    store_t *s = instance;
    const store_dialect_t *d = s->dialect;
    char joined[SU_EMAILS_MAX];
    foresatt_result_t rc;
    int known = -1;

    if ((rc = su_contact_args(number, phone, emails, n_emails, at, joined, status)) != FORESATT_OK)
        return rc;
    store_arg_t args[] = {STORE_TEXT(number), STORE_TEXT(phone && *phone ? phone : NULL),
                          STORE_TEXT(n_emails ? joined : NULL), STORE_NUM(at)};
    ACQUIRE(s, c, status);
    if (d->begin(s, c, STORE_TX_WRITE) && d->run(s, c, STMT_GUARDIAN_NUMBER_KNOWN, args, 1))
        known = d->step(c);
    d->end(c);
    if (known == 0)
        rc = FORESATT_NOT_FOUND;
    else if (known < 0 || !exec_stmt(s, c, STMT_CONTACT_EDIT, args, 4, NULL) || !bump_revision(s, c) ||
             !d->exec(c, "COMMIT"))
        rc = d->fail(c, status, "contact update");
    conn_put(s, c);
    return rc;
}

static foresatt_result_t consent_change(store_t *s, const char *pupil_id, int give, int64_t at, int64_t until,
                                        foresatt_status_t *status)
{
    const store_dialect_t *d = s->dialect;
    store_arg_t args[] = {STORE_TEXT(pupil_id), STORE_NUM(at), STORE_NUM(until)};
    foresatt_result_t rc;
    int64_t given = 0, revoked = 0;
    int found = -1;

    if ((rc = su_consent_args(pupil_id, at, until, status)) != FORESATT_OK)
        return rc;
    if (!su_utf8_ok(pupil_id))
        return FORESATT_NOT_FOUND;
    ACQUIRE(s, c, status);
    if (d->begin(s, c, STORE_TX_WRITE) && d->run(s, c, STMT_CONSENT_GET, args, 1) && (found = d->step(c)) == 1) {
        given = d->number(c, 0);
        revoked = d->number(c, 1);
    }
    d->end(c);
    if (found == 0 || (found == 1 && !give && given == 0))
        rc = FORESATT_NOT_FOUND;
    else if (found == 1 && !give && revoked != 0)
        rc = FORESATT_OK; /* revoked already: keep the first time */
    else if (found < 0 || !exec_stmt(s, c, give ? STMT_CONSENT_GIVE : STMT_CONSENT_REVOKE, args, give ? 3 : 2, NULL) ||
             !bump_revision(s, c) || !d->exec(c, "COMMIT"))
        rc = d->fail(c, status, "consent");
    conn_put(s, c);
    return rc;
}

static foresatt_result_t consent_give(void *instance, const char *pupil_id, int64_t at, int64_t until,
                                      foresatt_status_t *status)
{
    return consent_change(instance, pupil_id, 1, at, until, status);
}

static foresatt_result_t consent_revoke(void *instance, const char *pupil_id, int64_t at, foresatt_status_t *status)
{
    return consent_change(instance, pupil_id, 0, at, 0, status);
}

/* The shared way: a statement per entry, in one transaction. Bytes that are not UTF-8 (an odd URL)
 * become '?', as PostgreSQL needs and so that both stores keep the same. */
static foresatt_result_t audit_insert(store_t *s, store_conn_t *c, const foresatt_audit_entry_t *entries, size_t n,
                                      foresatt_status_t *status)
{
    const store_dialect_t *d = s->dialect;
    int ok = d->begin(s, c, STORE_TX_WRITE);
    size_t i;

    for (i = 0; ok && i < n; i++) {
        const foresatt_audit_entry_t *e = &entries[i];
        const char *text[6] = {e->actor, e->pupil_id, e->action, e->decision, e->reason, e->detail};
        char *clean[6];
        int k;

        for (k = 0; k < 6; k++)
            clean[k] = su_utf8_clean(text[k]); /* NULL: already clean */
        {
            store_arg_t args[] = {STORE_NUM(e->at),
                                  STORE_TEXT(clean[0] ? clean[0] : text[0]),
                                  STORE_NUM(e->role),
                                  STORE_TEXT(clean[1] ? clean[1] : text[1]),
                                  STORE_TEXT(clean[2] ? clean[2] : text[2]),
                                  STORE_TEXT(clean[3] ? clean[3] : text[3]),
                                  STORE_TEXT(clean[4] ? clean[4] : text[4]),
                                  STORE_TEXT(clean[5] ? clean[5] : text[5])};
            ok = exec_stmt(s, c, STMT_AUDIT_INSERT, args, 8, NULL);
        }
        for (k = 0; k < 6; k++)
            free(clean[k]);
    }
    return ok && d->exec(c, "COMMIT") ? FORESATT_OK : d->fail(c, status, "audit append");
}

static foresatt_result_t audit_append(void *instance, const foresatt_audit_entry_t *entries, size_t n,
                                      foresatt_status_t *status)
{
    store_t *s = instance;
    const char *why = NULL;
    foresatt_result_t rc;
    size_t i;

    if (n == 0)
        return FORESATT_OK;
    if (entries == NULL)
        return plugin_say(status, FORESATT_ERROR, "no entries");
    for (i = 0; i < n; i++)
        if (!su_audit_entry_ok(&entries[i], &why))
            return plugin_say(status, FORESATT_ERROR, "audit entry %zu: %s; nothing was written", i + 1, why);
    ACQUIRE(s, c, status);
    rc = (s->dialect->audit_insert ? s->dialect->audit_insert : audit_insert)(s, c, entries, n, status);
    conn_put(s, c);
    return rc;
}

/* --- import ------------------------------------------------------------------------------------- */

/* The shared way to fill import_row: a statement per roster row. */
static int import_load(store_t *s, store_conn_t *c, const foresatt_roster_row_t *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        const foresatt_roster_row_t *r = &rows[i];
        char key[FORESATT_MAX_NAME_LEN + 16];
        store_arg_t args[] = {STORE_TEXT(r->pupil_id),
                              STORE_TEXT(r->pupil_number),
                              STORE_TEXT(r->school),
                              STORE_NUM(r->enrollment),
                              STORE_NUM(r->consent_extended ? 1 : 0),
                              STORE_TEXT(r->guardian_name ? su_guardian_key(r, key, sizeof(key)) : NULL),
                              STORE_TEXT(r->guardian_number),
                              STORE_TEXT(r->guardian_name),
                              STORE_TEXT(r->guardian_address),
                              STORE_TEXT(r->guardian_phone),
                              STORE_TEXT(r->guardian_emails),
                              STORE_NUM(r->daily_care ? 1 : 0),
                              STORE_NUM(r->parental_responsibility ? 1 : 0),
                              STORE_NUM(r->addressee),
                              STORE_NUM(r->fnr_use)};
        if (!exec_stmt(s, c, STMT_IMPORT_ROW, args, 15, NULL))
            return 0;
    }
    return 1;
}

static foresatt_result_t import_roster(void *instance, const foresatt_roster_row_t *rows, size_t n, int64_t at,
                                       foresatt_import_stats_t *stats, foresatt_status_t *status)
{
    store_t *s = instance;
    const store_dialect_t *d = s->dialect;
    store_arg_t when[] = {STORE_NUM(at)};
    foresatt_import_stats_t counts;
    foresatt_result_t rc = FORESATT_OK;
    const char *why = NULL;
    size_t i;

    if (stats == NULL || (n && rows == NULL) || at <= 0)
        return plugin_say(status, FORESATT_ERROR, "import needs rows, a time and a stats struct");
    for (i = 0; i < n; i++)
        if (!su_roster_row_ok(&rows[i], &why))
            return plugin_say(status, FORESATT_ERROR, "row %zu: %s; nothing was imported", i + 1, why);
    memset(&counts, 0, sizeof(counts));
    ACQUIRE(s, c, status);
    /* the roster into import_row, then merged set by set: counted before each merge */
    if (!d->begin(s, c, STORE_TX_BULK) || !exec_stmt(s, c, STMT_IMPORT_CLEAR, NULL, 0, NULL) ||
        !(d->import_load ? d->import_load : import_load)(s, c, rows, n) ||
        !exec_stmt(s, c, STMT_IMPORT_PUPILS_RENUMBERED, NULL, 0, NULL) ||
        !exec_stmt(s, c, STMT_IMPORT_GUARDIANS_RENUMBERED, NULL, 0, NULL) ||
        !exec_stmt(s, c, STMT_IMPORT_GRADED_ADDRESSES, NULL, 0, NULL) ||
        !exec_stmt(s, c, STMT_IMPORT_GUARDIANS_TWICE, NULL, 0, NULL) ||
        !numbers_of(s, c, STMT_IMPORT_PUPIL_COUNTS, NULL, 0, &counts.pupils_added, &counts.pupils_updated) ||
        !exec_stmt(s, c, STMT_IMPORT_PUPILS, when, 1, NULL) ||
        !numbers_of(s, c, STMT_IMPORT_GUARDIAN_COUNTS, NULL, 0, &counts.guardians_added, &counts.guardians_updated) ||
        !exec_stmt(s, c, STMT_IMPORT_GUARDIANS, when, 1, NULL) ||
        !exec_stmt(s, c, STMT_IMPORT_REMOVE_MISSING, NULL, 0, &counts.guardians_removed) ||
        !numbers_of(s, c, STMT_IMPORT_CONFLICTS, NULL, 0, &counts.contact_conflicts, NULL) ||
        !exec_stmt(s, c, STMT_EDITS_ORPHANED, NULL, 0, NULL) || !exec_stmt(s, c, STMT_IMPORT_CLEAR, NULL, 0, NULL) ||
        ((counts.pupils_added || counts.pupils_updated || counts.guardians_added || counts.guardians_updated ||
          counts.guardians_removed) &&
         !bump_revision(s, c)) ||
        !d->exec(c, "COMMIT"))
        rc = d->fail(c, status, "import");
    else
        *stats = counts;
    conn_put(s, c); /* rolls back when the transaction is still open */
    return rc;
}

/* --- retention ---------------------------------------------------------------------------------- */

/* The shared way: a statement per pupil. */
static int purge_guardians(store_t *s, store_conn_t *c, const char *const *pupil_ids, size_t n, size_t *pupils,
                           size_t *guardians)
{
    size_t i, deleted;

    for (i = 0; i < n; i++) {
        store_arg_t args[] = {STORE_TEXT(pupil_ids[i])};
        if (!exec_stmt(s, c, STMT_PURGE_GUARDIANS, args, 1, &deleted))
            return 0;
        if (deleted > 0) {
            (*pupils)++;
            *guardians += deleted;
        }
    }
    return 1;
}

static foresatt_result_t purge(void *instance, const char *const *pupil_ids, size_t n, int64_t now,
                               int64_t audit_before, int dry_run, foresatt_purge_stats_t *stats,
                               foresatt_status_t *status)
{
    store_t *s = instance;
    const store_dialect_t *d = s->dialect;
    store_arg_t at_now[] = {STORE_NUM(now)}, before[] = {STORE_NUM(audit_before)};
    store_arg_t kept_since[] = {STORE_NUM(now - SU_INVALIDATIONS_KEPT)};
    foresatt_purge_stats_t counts;
    foresatt_result_t rc = FORESATT_OK;
    size_t i, dead_pupils = 0, of_dead_pupils = 0, of_dead_guardians = 0;

    if (stats == NULL || (n && pupil_ids == NULL) || now <= 0 || audit_before < 0)
        return plugin_say(status, FORESATT_ERROR, "purge needs a time and a stats struct");
    for (i = 0; i < n; i++)
        if (!su_str_ok(pupil_ids[i], FORESATT_MAX_ID_LEN))
            return plugin_say(status, FORESATT_ERROR, "pupil id %zu is empty or too long; nothing was deleted", i + 1);
    memset(&counts, 0, sizeof(counts));
    ACQUIRE(s, c, status);
    /* Delete for real even in a dry run, then roll back: the counts are exactly what would go. */
    if (!d->begin(s, c, STORE_TX_BULK) ||
        !(d->purge_guardians ? d->purge_guardians : purge_guardians)(s, c, pupil_ids, n, &counts.pupils,
                                                                     &counts.guardians) ||
        !numbers_of(s, c, STMT_PURGE_DEAD_PUPILS_COUNT, NULL, 0, &dead_pupils, NULL) ||
        !exec_stmt(s, c, STMT_PURGE_DEAD_PUPILS, NULL, 0, &of_dead_pupils) ||
        !exec_stmt(s, c, STMT_PURGE_DEAD_GUARDIANS, NULL, 0, &of_dead_guardians) ||
        !exec_stmt(s, c, STMT_PURGE_CONSENTS, at_now, 1, &counts.consents) ||
        (audit_before > 0 && !exec_stmt(s, c, STMT_PURGE_AUDIT, before, 1, &counts.audit)) ||
        !exec_stmt(s, c, STMT_EDITS_ORPHANED, NULL, 0, NULL) ||
        !exec_stmt(s, c, STMT_REGISTER_ORPHANED, NULL, 0, NULL) ||
        !exec_stmt(s, c, STMT_INVALIDATION_FLOOR_UP, kept_since, 1, NULL) ||
        !exec_stmt(s, c, STMT_INVALIDATIONS_PRUNE, kept_since, 1, NULL) ||
        ((counts.guardians || of_dead_pupils || of_dead_guardians || counts.consents) && !bump_revision(s, c)) ||
        !d->exec(c, dry_run ? "ROLLBACK" : "COMMIT")) {
        rc = d->fail(c, status, "purge");
    } else {
        counts.pupils += dead_pupils;
        counts.guardians += of_dead_pupils + of_dead_guardians;
        *stats = counts;
    }
    conn_put(s, c);
    return rc;
}

/* --- ABI 1.2: the register's changes ----------------------------------------------------------- */

static foresatt_result_t numbers_held(void *instance, const char *const *numbers, size_t n, unsigned *held,
                                      foresatt_status_t *status)
{
    store_t *s = instance;
    const store_dialect_t *d = s->dialect;
    foresatt_result_t rc;
    size_t i;
    int ok;

    if ((rc = su_held_args(numbers, n, held, status)) != FORESATT_OK || n == 0)
        return rc;
    ACQUIRE(s, c, status);
    /* the shared way: a statement per number, in one read transaction */
    ok = d->numbers_held_run ? d->numbers_held_run(s, c, numbers, n) : d->exec(c, "BEGIN");
    for (i = 0; ok && i < n; i++) {
        if (!d->numbers_held_run) {
            store_arg_t args[] = {STORE_TEXT(numbers[i])};
            ok = d->run(s, c, STMT_NUMBERS_HELD, args, 1);
        }
        if ((ok = ok && d->step(c) == 1)) {
            held[i] = (d->number(c, 0) ? FORESATT_HELD_PUPIL : 0u) | (d->number(c, 1) ? FORESATT_HELD_GUARDIAN : 0u);
            if (held[i])
                held[i] |= (d->number(c, 2) ? FORESATT_HELD_DECEASED : 0u) |
                           (d->number(c, 3) ? FORESATT_HELD_PROTECTED : 0u);
        }
        if (!d->numbers_held_run)
            d->end(c);
    }
    if (d->numbers_held_run)
        d->end(c);
    rc = ok ? FORESATT_OK : d->fail(c, status, "numbers_held");
    conn_put(s, c);
    return rc;
}

/* One change, its statements in order. */
static int apply_change(store_t *s, store_conn_t *c, const foresatt_register_change_t *x, int64_t now)
{
    store_arg_t number_now[] = {STORE_TEXT(x->number), STORE_NUM(now)};
    store_arg_t renumber[] = {STORE_TEXT(x->number), STORE_TEXT(x->new_number), STORE_NUM(now)};

    switch (x->kind) {
    case FORESATT_CHANGE_RECHECK:
        return 1;
    case FORESATT_CHANGE_GUARDIAN_DETAILS: {
        store_arg_t args[] = {STORE_TEXT(x->number), STORE_TEXT(x->name), STORE_TEXT(x->address), STORE_NUM(now)};
        return exec_stmt(s, c, STMT_REGISTER_DETAILS, args, 4, NULL);
    }
    case FORESATT_CHANGE_ADDRESS_PROTECTED:
        return exec_stmt(s, c, STMT_REGISTER_PROTECT, number_now, 2, NULL) &&
               exec_stmt(s, c, STMT_GUARDIAN_ADDRESS_CLEAR, number_now, 1, NULL);
    case FORESATT_CHANGE_DECEASED: {
        store_arg_t args[] = {STORE_TEXT(x->number), STORE_NUM(x->at), STORE_NUM(now)};
        return exec_stmt(s, c, STMT_REGISTER_DECEASED, args, 3, NULL);
    }
    case FORESATT_CHANGE_ALIVE:
        return exec_stmt(s, c, STMT_REGISTER_ALIVE, number_now, 2, NULL);
    case FORESATT_CHANGE_NUMBER: {
        store_arg_t new_number[] = {STORE_TEXT(x->new_number)};
        store_arg_t actors[] = {STORE_TEXT(x->actor), STORE_TEXT(x->new_actor)};
        return exec_stmt(s, c, STMT_PUPIL_RENUMBER, renumber, 2, NULL) &&
               exec_stmt(s, c, STMT_GUARDIAN_DROP_DUPLICATE, renumber, 2, NULL) &&
               exec_stmt(s, c, STMT_GUARDIAN_RENUMBER, renumber, 2, NULL) &&
               exec_stmt(s, c, STMT_EDIT_MOVE, renumber, 2, NULL) && exec_stmt(s, c, STMT_EDIT_DROP, renumber, 1, NULL) &&
               exec_stmt(s, c, STMT_REGISTER_UNREPLACE, new_number, 1, NULL) &&
               exec_stmt(s, c, STMT_REGISTER_CARRY, renumber, 3, NULL) &&
               exec_stmt(s, c, STMT_REGISTER_REPLACED, renumber, 3, NULL) &&
               exec_stmt(s, c, STMT_REGISTER_CHAIN, renumber, 2, NULL) &&
               (x->actor == NULL || exec_stmt(s, c, STMT_AUDIT_REKEY, actors, 2, NULL));
    }
    }
    return 0;
}

static foresatt_result_t register_apply(void *instance, const foresatt_register_change_t *changes, size_t n,
                                        const char *feed, int64_t feed_sequence, foresatt_status_t *status)
{
    store_t *s = instance;
    const store_dialect_t *d = s->dialect;
    int64_t now = (int64_t)time(NULL), rev = 0;
    store_arg_t feed_args[] = {STORE_TEXT(feed), STORE_NUM(feed_sequence), STORE_NUM(now)};
    store_arg_t kept_since[] = {STORE_NUM(now - SU_INVALIDATIONS_KEPT)};
    foresatt_result_t rc;
    size_t i, applied = 0;
    int ok, step = 0;

    if ((rc = su_register_args(changes, n, feed, feed_sequence, status)) != FORESATT_OK)
        return rc;
    ACQUIRE(s, c, status);
    ok = d->begin(s, c, STORE_TX_IN_TURN);
    if (ok && feed && n > 0) {
        /* another follower applied this event already: nothing twice */
        if ((ok = d->run(s, c, STMT_FEED_POSITION, feed_args, 1) && (step = d->step(c)) >= 0) && step == 1 &&
            d->number(c, 0) >= feed_sequence)
            applied = 1;
        d->end(c);
    }
    if (ok && applied) {
        ok = d->exec(c, "COMMIT");
    } else if (ok) {
        if (n > 0) {
            ok = bump_revision(s, c) && d->run(s, c, STMT_REVISION, NULL, 0) && d->step(c) == 1;
            if (ok)
                rev = d->number(c, 0);
            d->end(c);
        }
        for (i = 0; ok && i < n; i++) {
            store_arg_t was[] = {STORE_NUM(rev), STORE_TEXT(changes[i].number), STORE_NUM(now)};
            store_arg_t is[] = {STORE_NUM(rev), STORE_TEXT(changes[i].new_number), STORE_NUM(now)};
            ok = apply_change(s, c, &changes[i], now) && exec_stmt(s, c, STMT_INVALIDATION_ADD, was, 3, NULL) &&
                 (changes[i].kind != FORESATT_CHANGE_NUMBER || exec_stmt(s, c, STMT_INVALIDATION_ADD, is, 3, NULL));
        }
        ok = ok && exec_stmt(s, c, STMT_INVALIDATION_FLOOR_UP, kept_since, 1, NULL) &&
             exec_stmt(s, c, STMT_INVALIDATIONS_PRUNE, kept_since, 1, NULL) &&
             (feed == NULL || exec_stmt(s, c, STMT_FEED_POSITION_SET, feed_args, 3, NULL)) && d->exec(c, "COMMIT");
    }
    rc = ok ? FORESATT_OK : d->fail(c, status, "register_apply");
    conn_put(s, c); /* rolls back when the transaction is still open */
    return rc;
}

static foresatt_result_t feed_position(void *instance, const char *feed, int64_t *sequence, foresatt_status_t *status)
{
    store_t *s = instance;
    const store_dialect_t *d = s->dialect;
    store_arg_t args[] = {STORE_TEXT(feed)};
    foresatt_result_t rc;
    int step = -1;

    if (!su_str_ok(feed, FORESATT_MAX_ID_LEN) || sequence == NULL)
        return plugin_say(status, FORESATT_ERROR, "feed_position: a feed name of 1 to %d bytes", FORESATT_MAX_ID_LEN);
    *sequence = 0;
    ACQUIRE(s, c, status);
    if (d->run(s, c, STMT_FEED_POSITION, args, 1) && (step = d->step(c)) == 1)
        *sequence = d->number(c, 0);
    rc = step == 1 ? FORESATT_OK : step == 0 ? FORESATT_NOT_FOUND : d->fail(c, status, "feed_position");
    d->end(c);
    conn_put(s, c);
    return rc;
}

static void *read_text(const reader_t *r)
{
    return (void *)col_text(r, 0);
}

static foresatt_result_t invalidations_since(void *instance, int64_t revision, foresatt_arena_t *arena,
                                             const char ***numbers, size_t *n, foresatt_status_t *status)
{
    store_t *s = instance;
    store_arg_t args[] = {STORE_NUM(revision)};
    su_list_t list;
    foresatt_result_t rc;
    size_t rows;

    if (numbers == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "invalidations_since: no result pointers");
    *numbers = NULL;
    *n = 0;
    rc = read_list(s, STMT_INVALIDATIONS_SINCE, args, 1, read_text, arena, &list, &rows, status,
                   "invalidations_since");
    if (rc != FORESATT_OK)
        return rc;
    if (rows > list.n) { /* the NULL row: older than the invalidations kept */
        su_list_free(&list);
        return FORESATT_NOT_FOUND;
    }
    *numbers = (const char **)su_list_to_arena(s->host, arena, &list, n);
    return FORESATT_OK;
}

const foresatt_store_ops_t store_ops = {
    .struct_size = sizeof(foresatt_store_ops_t),
    .pupil_by_id = pupil_by_id,
    .pupil_by_number = pupil_by_number,
    .pupils_all = pupils_all,
    .guardian_links = guardian_links,
    .pupil_guardians = pupil_guardians,
    .guardian_contact_update = contact_update,
    .paper_list = paper_list,
    .consent_give = consent_give,
    .consent_revoke = consent_revoke,
    .audit_append = audit_append,
    .audit_query = audit_query,
    .import_roster = import_roster,
    .purge = purge,
    .revision = revision,
    .contact_conflicts = contact_conflicts,
    .numbers_held = numbers_held,
    .register_apply = register_apply,
    .feed_position = feed_position,
    .invalidations_since = invalidations_since,
};
