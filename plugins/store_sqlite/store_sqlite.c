/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * store_sqlite: the school's records in one SQLite file, the embedded default.
 *
 *   ForesattPlugin store /usr/lib/foresatt/store_sqlite.so path=/var/lib/foresatt/foresatt.db \
 *       [busy_timeout=5000]
 *
 * Many httpd processes (prefork), many threads (event) and foresattctl use the file at once: WAL
 * journal, a busy timeout, and every write in BEGIN IMMEDIATE so writers queue instead of failing
 * when a read transaction would need upgrading. Thread-safe: each process keeps a small pool of
 * connections, each used by one thread at a time (conn_pool.h). Nothing is opened in create() (httpd's parent, before fork): child_init() opens the first
 * connection and applies migrations, later ones open on demand.
 *
 * A new database file takes the owner of its directory (when running as root, e.g. foresattctl)
 * and mode 0640, so the web server's user can always write what the tool created.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "foresatt/plugin.h"
#include "conn_pool.h"
#include "schema.h"
#include "store_util.h"

enum stmt_id {
    S_BEGIN, S_BEGIN_WRITE, S_COMMIT, S_ROLLBACK,
    S_REV_GET, S_REV_BUMP,
    S_PUPIL_BY_ID, S_PUPIL_BY_NUMBER, S_PUPILS_ALL,
    S_G_BY_NUMBER, S_G_BY_PUPIL, S_G_PAPER, S_G_CONFLICTS, S_G_NUMBER_EXISTS, S_EDIT_UPSERT,
    S_CONSENT_GET, S_CONSENT_GIVE, S_CONSENT_REVOKE,
    S_AUDIT_INSERT, S_AUDIT_Q, S_AUDIT_Q_PUPIL, S_AUDIT_Q_ACTOR,
    S_TMP_CLEAR_P, S_TMP_CLEAR_G, S_TMP_ADD_P, S_TMP_ADD_G,
    S_P_GET, S_P_INSERT, S_P_UPDATE, S_P_CONSENT_SET,
    S_G_GET, S_G_INSERT, S_G_UPDATE, S_EDIT_GET, S_G_REMOVE_MISSING, S_EDIT_ORPHANS,
    S_G_DELETE_PUPIL, S_CONSENT_ENDED, S_AUDIT_PURGE,
    /* ABI 1.2: the register's changes */
    S_HELD, S_FEED_GET, S_FEED_SET, S_INVAL_ADD, S_INVAL_SINCE, S_INVAL_FLOOR, S_INVAL_FLOOR_UP, S_INVAL_PRUNE,
    S_RP_DETAILS, S_RP_PROTECT, S_G_ADDRESS_CLEAR, S_RP_DECEASED, S_RP_ALIVE,
    S_P_RENUMBER, S_G_DROP_DUP, S_G_RENUMBER, S_EDIT_MOVE, S_EDIT_DROP, S_RP_CARRY, S_RP_REPLACED, S_RP_CHAIN,
    S_RP_UNREPLACE, S_AUDIT_REKEY, S_RP_GET, S_PURGE_DEAD_PUPILS_COUNT, S_PURGE_DEAD_PUPILS, S_PURGE_DEAD_GUARDIANS,
    S_RP_ORPHANS,
    N_STMT
};

/* The register's name and ungraded address win over the roster's; a graded one is never given. */
#define G_COLS                                                                                                 \
    "SELECT g.id, g.pupil_id, g.number, COALESCE(r.name, g.name), "                                              \
    "CASE WHEN r.address_protected THEN NULL ELSE COALESCE(r.address, g.address) END, "                          \
    "g.phone, g.emails, g.imported_at, e.phone, e.emails, "                                                      \
    "COALESCE(e.edited_at, 0), g.daily_care, g.parental_responsibility, g.addressee, g.fnr_use "                  \
    "FROM guardian g LEFT JOIN contact_edit e ON e.number = g.number "                                           \
    "LEFT JOIN register_person r ON r.number = g.number "
#define P_COLS "SELECT pupil_id, number, school, enrollment, consent_given_at, consent_until, consent_revoked_at, " \
               "updated_at FROM pupil "
#define A_COLS "SELECT at, actor, role, pupil_id, action, decision, reason, detail FROM audit "

static const char *const stmt_sql[N_STMT] = {
    [S_BEGIN] = "BEGIN",
    [S_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_REV_GET] = "SELECT value FROM revision WHERE id = 1",
    [S_REV_BUMP] = "UPDATE revision SET value = value + 1 WHERE id = 1",
    [S_PUPIL_BY_ID] = P_COLS "WHERE pupil_id = ?1",
    [S_PUPIL_BY_NUMBER] = P_COLS "WHERE number = ?1 ORDER BY enrollment, pupil_id LIMIT 1",
    [S_PUPILS_ALL] = P_COLS "ORDER BY pupil_id",
    [S_G_BY_NUMBER] = G_COLS "WHERE g.number = ?1 ORDER BY g.pupil_id",
    [S_G_BY_PUPIL] = G_COLS "WHERE g.pupil_id = ?1 "
                            "ORDER BY CASE g.addressee WHEN 1 THEN 0 WHEN 2 THEN 1 ELSE 2 END, g.id",
    [S_G_PAPER] = G_COLS "WHERE g.fnr_use = 2 ORDER BY g.pupil_id, g.name",
    [S_G_CONFLICTS] = G_COLS "WHERE e.number IS NOT NULL AND (e.phone IS NOT g.phone OR e.emails IS NOT g.emails) "
                             "ORDER BY g.pupil_id, g.id",
    [S_G_NUMBER_EXISTS] = "SELECT 1 FROM guardian WHERE number = ?1 LIMIT 1",
    [S_EDIT_UPSERT] = "INSERT INTO contact_edit (number, phone, emails, edited_at) VALUES (?1, ?2, ?3, ?4) "
                      "ON CONFLICT (number) DO UPDATE SET phone = ?2, emails = ?3, edited_at = ?4",
    [S_CONSENT_GET] = "SELECT consent_given_at, consent_revoked_at FROM pupil WHERE pupil_id = ?1",
    [S_CONSENT_GIVE] = "UPDATE pupil SET consent_given_at = ?2, consent_until = ?3, consent_revoked_at = 0 "
                       "WHERE pupil_id = ?1",
    [S_CONSENT_REVOKE] = "UPDATE pupil SET consent_revoked_at = ?2 WHERE pupil_id = ?1",
    [S_AUDIT_INSERT] = "INSERT INTO audit (at, actor, role, pupil_id, action, decision, reason, detail) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_AUDIT_Q] = A_COLS "WHERE at >= ?1 AND at < ?2 ORDER BY at, id LIMIT ?3",
    [S_AUDIT_Q_PUPIL] = A_COLS "WHERE pupil_id = ?4 AND at >= ?1 AND at < ?2 ORDER BY at, id LIMIT ?3",
    [S_AUDIT_Q_ACTOR] = A_COLS "WHERE actor = ?5 AND (?4 IS NULL OR pupil_id = ?4) AND at >= ?1 AND at < ?2 "
                               "ORDER BY at, id LIMIT ?3",
    [S_TMP_CLEAR_P] = "DELETE FROM temp.import_pupil",
    [S_TMP_CLEAR_G] = "DELETE FROM temp.import_guardian",
    [S_TMP_ADD_P] = "INSERT OR IGNORE INTO temp.import_pupil (pupil_id) VALUES (?1)",
    [S_TMP_ADD_G] = "INSERT OR IGNORE INTO temp.import_guardian (pupil_id, gkey) VALUES (?1, ?2)",
    [S_P_GET] = "SELECT number, school, enrollment, consent_given_at FROM pupil WHERE pupil_id = ?1",
    [S_P_INSERT] = "INSERT INTO pupil (pupil_id, number, school, enrollment, consent_given_at, updated_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_P_UPDATE] = "UPDATE pupil SET number = ?2, school = ?3, enrollment = ?4, updated_at = ?5 WHERE pupil_id = ?1",
    [S_P_CONSENT_SET] = "UPDATE pupil SET consent_given_at = ?2, consent_until = 0, consent_revoked_at = 0 "
                        "WHERE pupil_id = ?1",
    [S_G_GET] = "SELECT id, name, address, phone, emails, daily_care, parental_responsibility, addressee, imported_at "
                "FROM guardian WHERE pupil_id = ?1 AND gkey = ?2",
    [S_G_INSERT] = "INSERT INTO guardian (pupil_id, gkey, number, name, address, phone, emails, imported_at, "
                   "daily_care, parental_responsibility, addressee, fnr_use) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [S_G_UPDATE] = "UPDATE guardian SET name = ?2, address = ?3, phone = ?4, emails = ?5, imported_at = ?6, "
                   "daily_care = ?7, parental_responsibility = ?8, addressee = ?9 WHERE id = ?1",
    [S_EDIT_GET] = "SELECT phone, emails, edited_at FROM contact_edit WHERE number = ?1",
    [S_G_REMOVE_MISSING] = "DELETE FROM guardian WHERE pupil_id IN (SELECT pupil_id FROM temp.import_pupil) "
                           "AND NOT EXISTS (SELECT 1 FROM temp.import_guardian i "
                           "WHERE i.pupil_id = guardian.pupil_id AND i.gkey = guardian.gkey)",
    [S_EDIT_ORPHANS] = "DELETE FROM contact_edit WHERE NOT EXISTS "
                       "(SELECT 1 FROM guardian g WHERE g.number = contact_edit.number)",
    [S_G_DELETE_PUPIL] = "DELETE FROM guardian WHERE pupil_id = ?1",
    [S_CONSENT_ENDED] = "UPDATE pupil SET consent_given_at = 0, consent_until = 0, consent_revoked_at = 0 "
                        "WHERE consent_given_at <> 0 AND (consent_revoked_at <> 0 "
                        "OR (consent_until <> 0 AND consent_until <= ?1))",
    [S_AUDIT_PURGE] = "DELETE FROM audit WHERE at < ?1",
    [S_HELD] = "SELECT EXISTS (SELECT 1 FROM pupil WHERE number = ?1), EXISTS (SELECT 1 FROM guardian WHERE number = ?1), "
               "COALESCE((SELECT deceased_at IS NOT NULL FROM register_person WHERE number = ?1), 0), "
               "COALESCE((SELECT address_protected FROM register_person WHERE number = ?1), 0)",
    [S_FEED_GET] = "SELECT sequence FROM feed_position WHERE feed = ?1",
    [S_FEED_SET] = "INSERT INTO feed_position (feed, sequence, updated_at) VALUES (?1, ?2, ?3) "
                   "ON CONFLICT (feed) DO UPDATE SET sequence = ?2, updated_at = ?3",
    [S_INVAL_ADD] = "INSERT INTO invalidation (revision, number, at) VALUES (?1, ?2, ?3)",
    [S_INVAL_SINCE] = "SELECT DISTINCT number FROM invalidation WHERE revision > ?1",
    [S_INVAL_FLOOR] = "SELECT revision FROM invalidation_floor WHERE id = 1",
    [S_INVAL_FLOOR_UP] = "UPDATE invalidation_floor SET revision = MAX(revision, "
                         "COALESCE((SELECT MAX(revision) FROM invalidation WHERE at < ?1), 0)) WHERE id = 1",
    [S_INVAL_PRUNE] = "DELETE FROM invalidation WHERE at < ?1",
    [S_RP_DETAILS] = "INSERT INTO register_person (number, name, address, updated_at) VALUES (?1, ?2, ?3, ?4) "
                     "ON CONFLICT (number) DO UPDATE SET name = ?2, address = ?3, "
                     "address_protected = CASE WHEN ?3 IS NULL THEN address_protected ELSE 0 END, updated_at = ?4",
    [S_RP_PROTECT] = "INSERT INTO register_person (number, address_protected, updated_at) VALUES (?1, 1, ?2) "
                     "ON CONFLICT (number) DO UPDATE SET address = NULL, address_protected = 1, updated_at = ?2",
    [S_G_ADDRESS_CLEAR] = "UPDATE guardian SET address = NULL WHERE number = ?1 AND address IS NOT NULL",
    [S_RP_DECEASED] = "INSERT INTO register_person (number, deceased_at, updated_at) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (number) DO UPDATE SET deceased_at = ?2, updated_at = ?3",
    [S_RP_ALIVE] = "UPDATE register_person SET deceased_at = NULL, updated_at = ?2 WHERE number = ?1",
    [S_P_RENUMBER] = "UPDATE pupil SET number = ?2 WHERE number = ?1",
    [S_G_DROP_DUP] = "DELETE FROM guardian WHERE number = ?1 AND pupil_id IN "
                     "(SELECT pupil_id FROM guardian WHERE number = ?2)",
    [S_G_RENUMBER] = "UPDATE guardian SET number = ?2, gkey = ?2 WHERE number = ?1",
    [S_EDIT_MOVE] = "UPDATE contact_edit SET number = ?2 WHERE number = ?1 AND NOT EXISTS "
                    "(SELECT 1 FROM contact_edit WHERE number = ?2)",
    [S_EDIT_DROP] = "DELETE FROM contact_edit WHERE number = ?1",
    [S_RP_CARRY] = "INSERT INTO register_person (number, name, address, address_protected, deceased_at, updated_at) "
                   "SELECT ?2, name, address, address_protected, deceased_at, ?3 FROM register_person "
                   "WHERE number = ?1 AND replaced_by IS NULL ON CONFLICT (number) DO NOTHING",
    [S_RP_REPLACED] = "INSERT INTO register_person (number, replaced_by, updated_at) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (number) DO UPDATE SET replaced_by = ?2, name = NULL, address = NULL, "
                      "address_protected = 0, deceased_at = NULL, updated_at = ?3",
    [S_RP_CHAIN] = "UPDATE register_person SET replaced_by = ?2 WHERE replaced_by = ?1",
    [S_RP_UNREPLACE] = "UPDATE register_person SET replaced_by = NULL WHERE number = ?1",
    [S_AUDIT_REKEY] = "UPDATE audit SET actor = ?2 WHERE actor = ?1",
    [S_RP_GET] = "SELECT replaced_by, address_protected FROM register_person WHERE number = ?1",
    [S_PURGE_DEAD_PUPILS_COUNT] = "SELECT COUNT(DISTINCT g.pupil_id) FROM guardian g JOIN pupil p ON p.pupil_id = g.pupil_id "
                                  "JOIN register_person r ON r.number = p.number WHERE r.deceased_at IS NOT NULL",
    [S_PURGE_DEAD_PUPILS] = "DELETE FROM guardian WHERE pupil_id IN (SELECT p.pupil_id FROM pupil p "
                            "JOIN register_person r ON r.number = p.number WHERE r.deceased_at IS NOT NULL)",
    [S_PURGE_DEAD_GUARDIANS] = "DELETE FROM guardian WHERE number IN "
                               "(SELECT number FROM register_person WHERE deceased_at IS NOT NULL)",
    [S_RP_ORPHANS] = "DELETE FROM register_person WHERE replaced_by IS NULL "
                     "AND NOT EXISTS (SELECT 1 FROM pupil WHERE number = register_person.number) "
                     "AND NOT EXISTS (SELECT 1 FROM guardian WHERE number = register_person.number)",
};

typedef struct conn {
    su_pooled_t link; /* first: the pool's list */
    sqlite3 *db;
    sqlite3_stmt *stmt[N_STMT];
} conn_t;

typedef struct sqlite_instance {
    const foresatt_host_t *host;
    char *path;
    int busy_timeout_ms;
    su_pool_t pool;
} sqlite_instance_t;

/* --- errors ------------------------------------------------------------------------------------ */

static foresatt_result_t db_fail(conn_t *c, foresatt_status_t *status, const char *what)
{
    int code = sqlite3_extended_errcode(c->db) & 0xff;

    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        if (status->retry_after == 0)
            status->retry_after = 1;
        return plugin_say(status, FORESATT_TEMPORARY, "%s: the database is busy (%s); try again", what,
                          sqlite3_errmsg(c->db));
    }
    return plugin_say(status, FORESATT_ERROR, "%s: %s", what, sqlite3_errmsg(c->db));
}

/* --- connections ------------------------------------------------------------------------------- */

static void conn_close(conn_t *c)
{
    int i;

    for (i = 0; i < N_STMT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

static sqlite3_stmt *st(conn_t *c, enum stmt_id id)
{
    if (c->stmt[id] == NULL &&
        sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[id], NULL) != SQLITE_OK)
        return NULL;
    return c->stmt[id];
}

static void st_done(sqlite3_stmt *s)
{
    if (s) {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
}

/* Run a statement that returns no rows. */
static int st_exec(conn_t *c, enum stmt_id id)
{
    sqlite3_stmt *s = st(c, id);
    int rc;

    if (s == NULL)
        return 0;
    rc = sqlite3_step(s);
    st_done(s);
    return rc == SQLITE_DONE;
}

static int exec_sql(conn_t *c, const char *sql)
{
    return sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static void rollback(conn_t *c)
{
    if (!sqlite3_get_autocommit(c->db))
        st_exec(c, S_ROLLBACK);
}

static foresatt_result_t migrate(sqlite_instance_t *inst, conn_t *c, foresatt_status_t *status)
{
    sqlite3_stmt *s = NULL;
    int version = 0, v;

    if (!exec_sql(c, "BEGIN IMMEDIATE"))
        return db_fail(c, status, "cannot lock the database to check its schema");
    if (!exec_sql(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)"))
        goto fail;
    if (sqlite3_prepare_v2(c->db, "SELECT COALESCE(MAX(version), 0) FROM schema_version", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW)
        goto fail;
    version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    s = NULL;
    if (version > SQLITE_SCHEMA_VERSION) {
        exec_sql(c, "ROLLBACK");
        return plugin_say(status, FORESATT_ERROR,
                          "%s has schema version %d, newer than this plugin's %d; upgrade mod_foresatt", inst->path,
                          version, SQLITE_SCHEMA_VERSION);
    }
    for (v = version + 1; v <= SQLITE_SCHEMA_VERSION; v++) {
        char sql[128];
        if (!exec_sql(c, sqlite_migrations[v - 1]))
            goto fail;
        snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES (%d, strftime('%%s', 'now'))", v);
        if (!exec_sql(c, sql))
            goto fail;
        inst->host->log(inst->host, FORESATT_LOG_NOTICE, "database schema migrated to version %d", v);
    }
    if (!exec_sql(c, "COMMIT"))
        goto fail;
    return FORESATT_OK;
fail:
    {
        foresatt_result_t rc = db_fail(c, status, "schema migration failed");
        sqlite3_finalize(s);
        exec_sql(c, "ROLLBACK");
        return rc;
    }
}

/* The directory part of an absolute path ("/" for a file at the root). */
static void dir_of(const char *path, char *dir, size_t size)
{
    char *slash;

    snprintf(dir, size, "%s", path);
    slash = strrchr(dir, '/');
    *(slash == dir ? slash + 1 : slash) = '\0';
}

/* A new file gets mode 0640 and, when we are root, its directory's owner (the web server's user). */
static void adopt_new_file(sqlite_instance_t *inst)
{
    char dir[4096];
    struct stat st;
    char *slash;

    if (chmod(inst->path, 0640) != 0)
        inst->host->log(inst->host, FORESATT_LOG_WARN, "cannot chmod %s: %s", inst->path, strerror(errno));
    if (geteuid() != 0)
        return;
    snprintf(dir, sizeof(dir), "%s", inst->path);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        return;
    *(slash == dir ? slash + 1 : slash) = '\0';
    if (stat(dir, &st) == 0 && (st.st_uid != 0 || st.st_gid != 0) && chown(inst->path, st.st_uid, st.st_gid) != 0)
        inst->host->log(inst->host, FORESATT_LOG_WARN, "cannot give %s to its directory's owner: %s", inst->path,
                        strerror(errno));
}

/* WAL needs a moment alone with the file: on a new database another process may hold it (its own
 * switch, or the first migration), and SQLite does not wait for this lock by itself. */
static int set_wal(sqlite_instance_t *inst, conn_t *c)
{
    int waited_ms = 0;

    for (;;) {
        int rc = sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
        int code = rc & 0xff;
        if (rc == SQLITE_OK)
            return 1;
        if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || waited_ms >= inst->busy_timeout_ms)
            return 0;
        usleep(10000);
        waited_ms += 10;
    }
}

static conn_t *conn_open(sqlite_instance_t *inst, foresatt_status_t *status, foresatt_result_t *rc)
{
    conn_t *c = calloc(1, sizeof(*c));
    struct stat st;
    int existed = stat(inst->path, &st) == 0;
    char pragmas[256];

    if (c == NULL) {
        *rc = plugin_say(status, FORESATT_ERROR, "out of memory");
        return NULL;
    }
    if (sqlite3_open_v2(inst->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        *rc = plugin_say(status, FORESATT_ERROR, "cannot open %s: %s (the directory must be writable by this user)",
                         inst->path, c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    if (!existed)
        adopt_new_file(inst);
    sqlite3_busy_timeout(c->db, inst->busy_timeout_ms);
    sqlite3_extended_result_codes(c->db, 1);
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;"
             "PRAGMA temp_store = MEMORY;");
    if (!exec_sql(c, pragmas) || !set_wal(inst, c) ||
        !exec_sql(c, "CREATE TEMP TABLE import_pupil (pupil_id TEXT PRIMARY KEY);"
                     "CREATE TEMP TABLE import_guardian (pupil_id TEXT NOT NULL, gkey TEXT NOT NULL, "
                     "PRIMARY KEY (pupil_id, gkey));")) {
        *rc = db_fail(c, status, "cannot set up the connection");
        if (*rc == FORESATT_ERROR)
            snprintf(status->message, sizeof(status->message), "cannot use %s: %s", inst->path,
                     sqlite3_errmsg(c->db));
        conn_close(c);
        return NULL;
    }
    if (!su_pool_schema_checked(&inst->pool)) {
        *rc = migrate(inst, c, status);
        if (*rc != FORESATT_OK) {
            conn_close(c);
            return NULL;
        }
        su_pool_set_schema_checked(&inst->pool);
    }
    return c;
}

static conn_t *conn_get(sqlite_instance_t *inst, foresatt_status_t *status, foresatt_result_t *rc)
{
    conn_t *c = (conn_t *)su_pool_take(&inst->pool);
    return c ? c : conn_open(inst, status, rc);
}

static void conn_put(sqlite_instance_t *inst, conn_t *c)
{
    rollback(c);
    if (!su_pool_give(&inst->pool, &c->link))
        conn_close(c);
}

#define ACQUIRE(inst, c, status)                                                                               \
    foresatt_result_t acquire_rc_ = FORESATT_ERROR;                                                            \
    conn_t *c = conn_get(inst, status, &acquire_rc_);                                                          \
    if (c == NULL)                                                                                             \
        return acquire_rc_;

/* --- lifecycle --------------------------------------------------------------------------------- */

static foresatt_result_t sqlite_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                       void **instance, foresatt_status_t *status)
{
    sqlite_instance_t *inst;
    const char *path = NULL;
    long timeout = 5000;
    size_t i;
    struct stat st;
    char dir[4096];

    for (i = 0; i < n_params; i++) {
        if (strcmp(params[i].key, "path") == 0) {
            path = params[i].value;
        } else if (strcmp(params[i].key, "busy_timeout") == 0) {
            char *end;
            errno = 0;
            timeout = strtol(params[i].value, &end, 10);
            if (errno || *end || end == params[i].value || timeout < 0 || timeout > 600000)
                return plugin_say(status, FORESATT_ERROR,
                                  "busy_timeout=%.32s: give milliseconds from 0 to 600000 (default 5000)",
                                  params[i].value);
        } else {
            return plugin_say(status, FORESATT_ERROR, "unknown key '%.64s' (known: path, busy_timeout)",
                              params[i].key);
        }
    }
    if (path == NULL || *path == '\0')
        return plugin_say(status, FORESATT_ERROR,
                          "path= is required: the database file, e.g. path=/var/lib/foresatt/foresatt.db");
    if (path[0] != '/')
        return plugin_say(status, FORESATT_ERROR, "path=%.200s: give an absolute path", path);
    dir_of(path, dir, sizeof(dir));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return plugin_say(status, FORESATT_ERROR,
                          "path=%.200s: the directory %.200s does not exist; create it, owned by the web server's "
                          "user (e.g. install -d -o www-data -g www-data -m 0750 %.200s)",
                          path, dir, dir);
    if (stat(path, &st) == 0) {
        char magic[16];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, magic, sizeof(magic)) : -1;
        if (fd >= 0)
            close(fd);
        if (!S_ISREG(st.st_mode) || (st.st_size > 0 && (n != 16 || memcmp(magic, "SQLite format 3", 16) != 0)))
            return plugin_say(status, FORESATT_ERROR, "path=%.200s: the file exists but is not an SQLite database",
                              path);
        if (FORESATT_HOST_HAS(host, worker_can_write) && host->worker_can_write(host, path) == 0)
            return plugin_say(status, FORESATT_ERROR,
                              "path=%.160s: httpd's User cannot write the database; give it to that user, e.g. "
                              "chown www-data:www-data %.160s", path, path);
    }
    /* SQLite keeps its -wal and -shm files beside the database: the directory must be writable too. */
    if (FORESATT_HOST_HAS(host, worker_can_write) && host->worker_can_write(host, dir) == 0)
        return plugin_say(status, FORESATT_ERROR,
                          "path=%.160s: httpd's User cannot write the directory (SQLite keeps its -wal and -shm "
                          "files there); give it to that user, e.g. chown www-data:www-data %.160s", path, dir);
    inst = calloc(1, sizeof(*inst));
    if (inst == NULL || (inst->path = strdup(path)) == NULL) {
        free(inst);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    inst->host = host;
    inst->busy_timeout_ms = (int)timeout;
    su_pool_init(&inst->pool);
    *instance = inst;
    return FORESATT_OK;
}

/* After fork: open the first connection (and migrate) so a problem shows at start-up. */
static foresatt_result_t sqlite_child_init(void *instance, foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    ACQUIRE(inst, c, status);
    conn_put(inst, c);
    return FORESATT_OK;
}

static void sqlite_destroy(void *instance)
{
    sqlite_instance_t *inst = instance;
    su_pooled_t *c;

    while ((c = su_pool_drain(&inst->pool)) != NULL)
        conn_close((conn_t *)c);
    su_pool_fini(&inst->pool);
    free(inst->path);
    free(inst);
}

/* --- reading rows ------------------------------------------------------------------------------ */

static const char *col_str(const foresatt_host_t *host, foresatt_arena_t *arena, sqlite3_stmt *s, int i)
{
    const unsigned char *v = sqlite3_column_text(s, i);
    return v ? host->strdup(arena, (const char *)v) : NULL;
}

static foresatt_pupil_t *read_pupil(const foresatt_host_t *host, foresatt_arena_t *arena, sqlite3_stmt *s)
{
    foresatt_pupil_t *p = host->alloc(arena, sizeof(*p));

    p->struct_size = sizeof(*p);
    p->pupil_id = col_str(host, arena, s, 0);
    p->number = col_str(host, arena, s, 1);
    p->school = col_str(host, arena, s, 2);
    p->enrollment = (foresatt_enrollment_t)sqlite3_column_int(s, 3);
    p->consent.given_at = sqlite3_column_int64(s, 4);
    p->consent.until = sqlite3_column_int64(s, 5);
    p->consent.revoked_at = sqlite3_column_int64(s, 6);
    p->updated_at = sqlite3_column_int64(s, 7);
    return p;
}

static foresatt_guardian_t *read_guardian(const foresatt_host_t *host, foresatt_arena_t *arena, sqlite3_stmt *s)
{
    foresatt_guardian_t *g = host->alloc(arena, sizeof(*g));

    g->struct_size = sizeof(*g);
    g->guardian_id = sqlite3_column_int64(s, 0);
    g->pupil_id = col_str(host, arena, s, 1);
    g->number = col_str(host, arena, s, 2);
    g->name = col_str(host, arena, s, 3);
    g->address = col_str(host, arena, s, 4);
    g->imported_phone = col_str(host, arena, s, 5);
    g->imported_emails = col_str(host, arena, s, 6);
    g->imported_at = sqlite3_column_int64(s, 7);
    g->edited_phone = col_str(host, arena, s, 8);
    g->edited_emails = col_str(host, arena, s, 9);
    g->edited_at = sqlite3_column_int64(s, 10);
    g->daily_care = sqlite3_column_int(s, 11);
    g->parental_responsibility = sqlite3_column_int(s, 12);
    g->addressee = (foresatt_addressee_t)sqlite3_column_int(s, 13);
    g->fnr_use = (foresatt_fnr_use_t)sqlite3_column_int(s, 14);
    su_guardian_effective(host, arena, g);
    return g;
}

/* One pupil by a key. */
static foresatt_result_t pupil_one(void *instance, enum stmt_id id, const char *key, foresatt_arena_t *arena,
                                   foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc;
    sqlite3_stmt *s;
    int step;

    if (!su_str_ok(key, FORESATT_MAX_ID_LEN) || pupil == NULL)
        return plugin_say(status, FORESATT_ERROR, "no pupil id or number given, or too long");
    ACQUIRE(inst, c, status);
    if ((s = st(c, id)) == NULL) {
        rc = db_fail(c, status, "pupil lookup");
        conn_put(inst, c);
        return rc;
    }
    sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *pupil = read_pupil(inst->host, arena, s);
        rc = FORESATT_OK;
    } else if (step == SQLITE_DONE) {
        rc = FORESATT_NOT_FOUND;
    } else {
        rc = db_fail(c, status, "pupil lookup");
    }
    st_done(s);
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t sqlite_pupil_by_id(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                            foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    return pupil_one(instance, S_PUPIL_BY_ID, pupil_id, arena, pupil, status);
}

static foresatt_result_t sqlite_pupil_by_number(void *instance, const char *number, foresatt_arena_t *arena,
                                                foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    return pupil_one(instance, S_PUPIL_BY_NUMBER, number, arena, pupil, status);
}

static foresatt_result_t sqlite_pupils_all(void *instance, foresatt_arena_t *arena, foresatt_pupil_t ***pupils,
                                           size_t *n, foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    su_list_t list = {0};
    foresatt_result_t rc = FORESATT_OK;
    sqlite3_stmt *s;
    int step;

    if (pupils == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointers");
    ACQUIRE(inst, c, status);
    if ((s = st(c, S_PUPILS_ALL)) == NULL) {
        rc = db_fail(c, status, "listing pupils");
        conn_put(inst, c);
        return rc;
    }
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (!su_list_push(&list, read_pupil(inst->host, arena, s))) {
            rc = plugin_say(status, FORESATT_ERROR, "out of memory");
            break;
        }
    }
    if (rc == FORESATT_OK && step != SQLITE_DONE)
        rc = db_fail(c, status, "listing pupils");
    st_done(s);
    conn_put(inst, c);
    if (rc != FORESATT_OK) {
        su_list_free(&list);
        return rc;
    }
    *pupils = (foresatt_pupil_t **)su_list_to_arena(inst->host, arena, &list, n);
    return FORESATT_OK;
}

/* Guardian rows from a statement with an optional text parameter. */
static foresatt_result_t guardian_list(void *instance, enum stmt_id id, const char *key, foresatt_arena_t *arena,
                                       foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status,
                                       const char *what)
{
    sqlite_instance_t *inst = instance;
    su_list_t list = {0};
    foresatt_result_t rc = FORESATT_OK;
    sqlite3_stmt *s;
    int step;

    if (guardians == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointers");
    ACQUIRE(inst, c, status);
    if ((s = st(c, id)) == NULL) {
        rc = db_fail(c, status, what);
        conn_put(inst, c);
        return rc;
    }
    if (key)
        sqlite3_bind_text(s, 1, key, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (!su_list_push(&list, read_guardian(inst->host, arena, s))) {
            rc = plugin_say(status, FORESATT_ERROR, "out of memory");
            break;
        }
    }
    if (rc == FORESATT_OK && step != SQLITE_DONE)
        rc = db_fail(c, status, what);
    st_done(s);
    /* pupil_guardians: tell "no such pupil" from "no guardians" */
    if (rc == FORESATT_OK && id == S_G_BY_PUPIL && list.n == 0) {
        sqlite3_stmt *p = st(c, S_PUPIL_BY_ID);
        if (p == NULL) {
            rc = db_fail(c, status, what);
        } else {
            sqlite3_bind_text(p, 1, key, -1, SQLITE_STATIC);
            step = sqlite3_step(p);
            rc = step == SQLITE_ROW ? FORESATT_OK : step == SQLITE_DONE ? FORESATT_NOT_FOUND : db_fail(c, status, what);
            st_done(p);
        }
    }
    conn_put(inst, c);
    if (rc != FORESATT_OK) {
        su_list_free(&list);
        return rc;
    }
    if (id == S_G_BY_NUMBER && list.n == 0)
        return FORESATT_NOT_FOUND;
    *guardians = (foresatt_guardian_t **)su_list_to_arena(inst->host, arena, &list, n);
    return FORESATT_OK;
}

static foresatt_result_t sqlite_guardian_links(void *instance, const char *number, foresatt_arena_t *arena,
                                               foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    if (!su_number_ok(number))
        return plugin_say(status, FORESATT_ERROR, "the guardian number must be 11 digits");
    return guardian_list(instance, S_G_BY_NUMBER, number, arena, guardians, n, status, "guardian lookup");
}

static foresatt_result_t sqlite_pupil_guardians(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                                foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    if (!su_str_ok(pupil_id, FORESATT_MAX_ID_LEN))
        return plugin_say(status, FORESATT_ERROR, "no pupil id given, or too long");
    return guardian_list(instance, S_G_BY_PUPIL, pupil_id, arena, guardians, n, status, "listing guardians");
}

static foresatt_result_t sqlite_paper_list(void *instance, foresatt_arena_t *arena, foresatt_guardian_t ***guardians,
                                           size_t *n, foresatt_status_t *status)
{
    return guardian_list(instance, S_G_PAPER, NULL, arena, guardians, n, status, "paper list");
}

static foresatt_result_t sqlite_contact_conflicts(void *instance, foresatt_arena_t *arena,
                                                  foresatt_guardian_t ***guardians, size_t *n,
                                                  foresatt_status_t *status)
{
    return guardian_list(instance, S_G_CONFLICTS, NULL, arena, guardians, n, status, "listing contact conflicts");
}

/* --- writes ------------------------------------------------------------------------------------ */

static int bump_revision(conn_t *c)
{
    return st_exec(c, S_REV_BUMP);
}

/* Run a statement that returns no rows, binding ?1, ?2, ... by fmt: 't' text (NULL binds NULL),
 * 'i' int64. */
static int run(conn_t *c, enum stmt_id id, const char *fmt, ...)
{
    sqlite3_stmt *s = st(c, id);
    va_list ap;
    int i, step;

    if (s == NULL)
        return 0;
    va_start(ap, fmt);
    for (i = 0; fmt[i]; i++) {
        if (fmt[i] == 't') {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(s, i + 1, v, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(s, i + 1);
        } else {
            sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
        }
    }
    va_end(ap);
    step = sqlite3_step(s);
    st_done(s);
    return step == SQLITE_DONE;
}

static foresatt_result_t sqlite_contact_update(void *instance, const char *number, const char *phone,
                                               const char *const *emails, size_t n_emails, int64_t at,
                                               foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    char joined[SU_EMAILS_MAX];
    foresatt_result_t rc = FORESATT_OK;
    sqlite3_stmt *s;
    int step;

    if ((rc = su_contact_args(number, phone, emails, n_emails, at, joined, status)) != FORESATT_OK)
        return rc;
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN_WRITE)) {
        rc = db_fail(c, status, "contact update");
        goto out;
    }
    if ((s = st(c, S_G_NUMBER_EXISTS)) == NULL) {
        rc = db_fail(c, status, "contact update");
        goto out;
    }
    sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    st_done(s);
    if (step == SQLITE_DONE) {
        rc = FORESATT_NOT_FOUND;
        goto out;
    }
    if (step != SQLITE_ROW || (s = st(c, S_EDIT_UPSERT)) == NULL) {
        rc = db_fail(c, status, "contact update");
        goto out;
    }
    sqlite3_bind_text(s, 1, number, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, phone && *phone ? phone : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, n_emails ? joined : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, at);
    step = sqlite3_step(s);
    st_done(s);
    if (step != SQLITE_DONE || !bump_revision(c) || !st_exec(c, S_COMMIT))
        rc = db_fail(c, status, "contact update");
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t consent_change(void *instance, const char *pupil_id, int give, int64_t at, int64_t until,
                                        foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc = FORESATT_OK;
    sqlite3_stmt *s;
    int step;
    int64_t given = 0, revoked = 0;

    if ((rc = su_consent_args(pupil_id, at, until, status)) != FORESATT_OK)
        return rc;
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN_WRITE) || (s = st(c, S_CONSENT_GET)) == NULL) {
        rc = db_fail(c, status, "consent");
        goto out;
    }
    sqlite3_bind_text(s, 1, pupil_id, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        given = sqlite3_column_int64(s, 0);
        revoked = sqlite3_column_int64(s, 1);
    }
    st_done(s);
    if (step == SQLITE_DONE || (!give && given == 0)) {
        rc = FORESATT_NOT_FOUND;
        goto out;
    }
    if (step != SQLITE_ROW) {
        rc = db_fail(c, status, "consent");
        goto out;
    }
    if (!give && revoked != 0)
        goto out; /* revoked already: keep the first time */
    if ((s = st(c, give ? S_CONSENT_GIVE : S_CONSENT_REVOKE)) == NULL) {
        rc = db_fail(c, status, "consent");
        goto out;
    }
    sqlite3_bind_text(s, 1, pupil_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, at);
    if (give)
        sqlite3_bind_int64(s, 3, until);
    step = sqlite3_step(s);
    st_done(s);
    if (step != SQLITE_DONE || !bump_revision(c) || !st_exec(c, S_COMMIT))
        rc = db_fail(c, status, "consent");
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t sqlite_consent_give(void *instance, const char *pupil_id, int64_t at, int64_t until,
                                             foresatt_status_t *status)
{
    return consent_change(instance, pupil_id, 1, at, until, status);
}

static foresatt_result_t sqlite_consent_revoke(void *instance, const char *pupil_id, int64_t at,
                                               foresatt_status_t *status)
{
    return consent_change(instance, pupil_id, 0, at, 0, status);
}

static foresatt_result_t sqlite_audit_append(void *instance, const foresatt_audit_entry_t *entries, size_t n,
                                             foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc = FORESATT_OK;
    const char *why = NULL;
    sqlite3_stmt *s;
    size_t i;

    if (n == 0)
        return FORESATT_OK;
    if (entries == NULL)
        return plugin_say(status, FORESATT_ERROR, "no entries");
    for (i = 0; i < n; i++)
        if (!su_audit_entry_ok(&entries[i], &why))
            return plugin_say(status, FORESATT_ERROR, "audit entry %zu: %s; nothing was written", i + 1, why);
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN_WRITE) || (s = st(c, S_AUDIT_INSERT)) == NULL) {
        rc = db_fail(c, status, "audit append");
        goto out;
    }
    for (i = 0; i < n; i++) {
        const foresatt_audit_entry_t *e = &entries[i];
        int step;
        const char *text[7] = {e->actor, NULL, e->pupil_id, e->action, e->decision, e->reason, e->detail};
        sqlite3_bind_int64(s, 1, e->at);
        sqlite3_bind_int(s, 3, (int)e->role);
        for (int k = 0; k < 7; k++) {
            /* as PostgreSQL must: bytes that are not UTF-8 (an odd URL) become '?' */
            char *clean = k == 1 ? NULL : su_utf8_clean(text[k]);
            if (k == 1)
                continue;
            if (clean)
                sqlite3_bind_text(s, k + 2, clean, -1, free);
            else
                sqlite3_bind_text(s, k + 2, text[k], -1, SQLITE_STATIC);
        }
        step = sqlite3_step(s);
        st_done(s);
        if (step != SQLITE_DONE) {
            rc = db_fail(c, status, "audit append");
            goto out;
        }
    }
    if (!st_exec(c, S_COMMIT))
        rc = db_fail(c, status, "audit append");
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t sqlite_audit_query(void *instance, const foresatt_audit_filter_t *filter,
                                            foresatt_arena_t *arena, foresatt_audit_entry_t **entries, size_t *n,
                                            foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    const foresatt_host_t *host = inst->host;
    su_list_t list = {0};
    foresatt_result_t rc = FORESATT_OK;
    sqlite3_stmt *s;
    int step;
    size_t i;

    if (filter == NULL || entries == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no filter or result pointers");
    if (!su_opt_str_ok(filter->pupil_id, FORESATT_MAX_ID_LEN))
        return plugin_say(status, FORESATT_ERROR, "pupil id too long");
    if (!su_opt_str_ok(filter->actor, FORESATT_MAX_AUDIT_FIELD_LEN))
        return plugin_say(status, FORESATT_ERROR, "actor too long");
    ACQUIRE(inst, c, status);
    if ((s = st(c, filter->actor ? S_AUDIT_Q_ACTOR : filter->pupil_id ? S_AUDIT_Q_PUPIL : S_AUDIT_Q)) == NULL) {
        rc = db_fail(c, status, "audit query");
        conn_put(inst, c);
        return rc;
    }
    sqlite3_bind_int64(s, 1, filter->since);
    sqlite3_bind_int64(s, 2, filter->until ? filter->until : INT64_MAX);
    sqlite3_bind_int64(s, 3, filter->limit ? (sqlite3_int64)filter->limit : -1);
    if (filter->pupil_id)
        sqlite3_bind_text(s, 4, filter->pupil_id, -1, SQLITE_STATIC);
    if (filter->actor)
        sqlite3_bind_text(s, 5, filter->actor, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        foresatt_audit_entry_t *e = host->alloc(arena, sizeof(*e));
        e->struct_size = sizeof(*e);
        e->at = sqlite3_column_int64(s, 0);
        e->actor = col_str(host, arena, s, 1);
        e->role = (foresatt_role_t)sqlite3_column_int(s, 2);
        e->pupil_id = col_str(host, arena, s, 3);
        e->action = col_str(host, arena, s, 4);
        e->decision = col_str(host, arena, s, 5);
        e->reason = col_str(host, arena, s, 6);
        e->detail = col_str(host, arena, s, 7);
        if (!su_list_push(&list, e)) {
            rc = plugin_say(status, FORESATT_ERROR, "out of memory");
            break;
        }
    }
    if (rc == FORESATT_OK && step != SQLITE_DONE)
        rc = db_fail(c, status, "audit query");
    st_done(s);
    conn_put(inst, c);
    if (rc != FORESATT_OK) {
        su_list_free(&list);
        return rc;
    }
    *n = list.n;
    *entries = host->alloc(arena, (list.n ? list.n : 1) * sizeof(foresatt_audit_entry_t));
    for (i = 0; i < list.n; i++)
        (*entries)[i] = *(foresatt_audit_entry_t *)list.items[i];
    su_list_free(&list);
    return FORESATT_OK;
}

/* --- import ------------------------------------------------------------------------------------ */

static int import_pupil(conn_t *c, const foresatt_roster_row_t *r, int64_t at, foresatt_import_stats_t *stats)
{
    sqlite3_stmt *s = st(c, S_TMP_ADD_P);
    int step, changed = 0;

    if (s == NULL)
        return 0;
    sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    st_done(s);
    if (step != SQLITE_DONE)
        return 0;
    if (sqlite3_changes(c->db) == 0)
        return 1; /* seen on an earlier row */
    if ((s = st(c, S_P_GET)) == NULL)
        return 0;
    sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_DONE) {
        st_done(s);
        if ((s = st(c, S_P_INSERT)) == NULL)
            return 0;
        sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->pupil_number, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, r->school, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, (int)r->enrollment);
        sqlite3_bind_int64(s, 5, r->consent_extended ? at : 0);
        sqlite3_bind_int64(s, 6, at);
        step = sqlite3_step(s);
        st_done(s);
        stats->pupils_added++;
        return step == SQLITE_DONE;
    }
    if (step != SQLITE_ROW) {
        st_done(s);
        return 0;
    }
    if (strcmp((const char *)sqlite3_column_text(s, 0), r->pupil_number) != 0 ||
        strcmp((const char *)sqlite3_column_text(s, 1), r->school) != 0 ||
        sqlite3_column_int(s, 2) != (int)r->enrollment)
        changed |= 1;
    if (r->consent_extended && sqlite3_column_int64(s, 3) == 0)
        changed |= 2;
    st_done(s);
    if (changed & 1) {
        if ((s = st(c, S_P_UPDATE)) == NULL)
            return 0;
        sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, r->pupil_number, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, r->school, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 4, (int)r->enrollment);
        sqlite3_bind_int64(s, 5, at);
        step = sqlite3_step(s);
        st_done(s);
        if (step != SQLITE_DONE)
            return 0;
    }
    if (changed & 2) {
        if ((s = st(c, S_P_CONSENT_SET)) == NULL)
            return 0;
        sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, at);
        step = sqlite3_step(s);
        st_done(s);
        if (step != SQLITE_DONE)
            return 0;
    }
    if (changed)
        stats->pupils_updated++;
    return 1;
}

static int col_same(sqlite3_stmt *s, int i, const char *v)
{
    return su_same((const char *)sqlite3_column_text(s, i), v);
}

static int import_guardian(conn_t *c, const foresatt_roster_row_t *r, int64_t at, foresatt_import_stats_t *stats)
{
    char key[FORESATT_MAX_NAME_LEN + 16];
    sqlite3_stmt *s;
    int step, contact_changed, other_changed;
    int64_t id, imported_at;

    su_guardian_key(r, key, sizeof(key));
    if ((s = st(c, S_TMP_ADD_G)) == NULL)
        return 0;
    sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    st_done(s);
    if (step != SQLITE_DONE || (s = st(c, S_G_GET)) == NULL)
        return 0;
    sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_DONE) {
        st_done(s);
        if ((s = st(c, S_G_INSERT)) == NULL)
            return 0;
        sqlite3_bind_text(s, 1, r->pupil_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, r->guardian_number, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 4, r->guardian_name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 5, r->guardian_address, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, r->guardian_phone, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, r->guardian_emails, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 8, at);
        sqlite3_bind_int(s, 9, r->daily_care);
        sqlite3_bind_int(s, 10, r->parental_responsibility);
        sqlite3_bind_int(s, 11, (int)r->addressee);
        sqlite3_bind_int(s, 12, (int)r->fnr_use);
        step = sqlite3_step(s);
        st_done(s);
        stats->guardians_added++;
        imported_at = at;
    } else if (step == SQLITE_ROW) {
        id = sqlite3_column_int64(s, 0);
        imported_at = sqlite3_column_int64(s, 8);
        contact_changed = !col_same(s, 3, r->guardian_phone) || !col_same(s, 4, r->guardian_emails);
        other_changed = !col_same(s, 1, r->guardian_name) || !col_same(s, 2, r->guardian_address) ||
                        sqlite3_column_int(s, 5) != r->daily_care ||
                        sqlite3_column_int(s, 6) != r->parental_responsibility ||
                        sqlite3_column_int(s, 7) != (int)r->addressee;
        st_done(s);
        if (contact_changed || other_changed) {
            if (contact_changed)
                imported_at = at;
            if ((s = st(c, S_G_UPDATE)) == NULL)
                return 0;
            sqlite3_bind_int64(s, 1, id);
            sqlite3_bind_text(s, 2, r->guardian_name, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 3, r->guardian_address, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 4, r->guardian_phone, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 5, r->guardian_emails, -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, 6, imported_at);
            sqlite3_bind_int(s, 7, r->daily_care);
            sqlite3_bind_int(s, 8, r->parental_responsibility);
            sqlite3_bind_int(s, 9, (int)r->addressee);
            step = sqlite3_step(s);
            st_done(s);
            stats->guardians_updated++;
        } else {
            step = SQLITE_DONE;
        }
    } else {
        st_done(s);
        return 0;
    }
    if (step != SQLITE_DONE)
        return 0;
    /* A guardian edit newer than the roster's value, and different from it, stays: a conflict. */
    if (r->guardian_number) {
        if ((s = st(c, S_EDIT_GET)) == NULL)
            return 0;
        sqlite3_bind_text(s, 1, r->guardian_number, -1, SQLITE_STATIC);
        step = sqlite3_step(s);
        if (step == SQLITE_ROW && sqlite3_column_int64(s, 2) > imported_at &&
            (!col_same(s, 0, r->guardian_phone) || !col_same(s, 1, r->guardian_emails)))
            stats->contact_conflicts++;
        st_done(s);
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return 0;
    }
    return 1;
}

/* ABI 1.2: the roster as the register has it. A number the register replaced is read as the one
 * in use (a D-number that became a fødselsnummer), and a guardian's graded address is dropped. */
typedef struct register_view {
    foresatt_roster_row_t *rows; /* the caller's, or a malloc'd copy when something differs */
    char (*numbers)[2][12];      /* the copy's numbers */
} register_view_t;

static void register_view_free(register_view_t *v)
{
    if (v->numbers) {
        free(v->rows);
        free(v->numbers);
    }
    v->rows = NULL;
    v->numbers = NULL;
}

/* The number in use for number (into out), following replacements; *protected_ for its address.
 * 1 when it differs from number, 0 when not, -1 on a database failure. */
static int resolve(conn_t *c, const char *number, char out[12], int *protected_)
{
    sqlite3_stmt *s = st(c, S_RP_GET);
    int hops, step, moved = 0;

    *protected_ = 0;
    memcpy(out, number, 12);
    for (hops = 0; s && hops < 8; hops++) {
        const unsigned char *next;
        sqlite3_bind_text(s, 1, out, -1, SQLITE_TRANSIENT);
        step = sqlite3_step(s);
        if (step == SQLITE_DONE) {
            st_done(s);
            return moved;
        }
        if (step != SQLITE_ROW) {
            st_done(s);
            return -1;
        }
        next = sqlite3_column_text(s, 0);
        *protected_ = sqlite3_column_int(s, 1);
        if (next == NULL || strlen((const char *)next) != 11 || strcmp((const char *)next, out) == 0) {
            st_done(s);
            return moved;
        }
        memcpy(out, next, 12);
        *protected_ = 0;
        moved = 1;
        st_done(s);
    }
    return s ? moved : -1;
}

static int as_the_register_says(conn_t *c, const foresatt_roster_row_t *rows, size_t n, register_view_t *v)
{
    size_t i;

    v->rows = (foresatt_roster_row_t *)rows;
    v->numbers = NULL;
    for (i = 0; i < n; i++) {
        char pupil[12], guardian[12];
        int pupil_prot, guardian_prot = 0, pm, gm = 0;

        if ((pm = resolve(c, rows[i].pupil_number, pupil, &pupil_prot)) < 0 ||
            (rows[i].guardian_number && (gm = resolve(c, rows[i].guardian_number, guardian, &guardian_prot)) < 0))
            return 0;
        if (!pm && !gm && !(guardian_prot && rows[i].guardian_address))
            continue;
        if (v->numbers == NULL) {
            v->rows = malloc(sizeof(*v->rows) * n);
            v->numbers = calloc(n, sizeof(*v->numbers));
            if (v->rows == NULL || v->numbers == NULL) {
                free(v->rows);
                free(v->numbers);
                v->rows = (foresatt_roster_row_t *)rows;
                v->numbers = NULL;
                return 0;
            }
            memcpy(v->rows, rows, sizeof(*v->rows) * n);
        }
        if (pm) {
            memcpy(v->numbers[i][0], pupil, 12);
            v->rows[i].pupil_number = v->numbers[i][0];
        }
        if (gm) {
            memcpy(v->numbers[i][1], guardian, 12);
            v->rows[i].guardian_number = v->numbers[i][1];
        }
        if (guardian_prot)
            v->rows[i].guardian_address = NULL;
    }
    return 1;
}

static foresatt_result_t sqlite_import_roster(void *instance, const foresatt_roster_row_t *rows, size_t n, int64_t at,
                                              foresatt_import_stats_t *stats, foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc = FORESATT_OK;
    foresatt_import_stats_t st_local;
    register_view_t view = {NULL, NULL};
    const char *why = NULL;
    size_t i;

    if (stats == NULL || (n && rows == NULL) || at <= 0)
        return plugin_say(status, FORESATT_ERROR, "import needs rows, a time and a stats struct");
    for (i = 0; i < n; i++)
        if (!su_roster_row_ok(&rows[i], &why))
            return plugin_say(status, FORESATT_ERROR, "row %zu: %s; nothing was imported", i + 1, why);
    memset(&st_local, 0, sizeof(st_local));
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN_WRITE) || !st_exec(c, S_TMP_CLEAR_P) || !st_exec(c, S_TMP_CLEAR_G)) {
        rc = db_fail(c, status, "import");
        goto out;
    }
    if (!as_the_register_says(c, rows, n, &view)) {
        rc = db_fail(c, status, "import");
        goto out;
    }
    rows = view.rows;
    for (i = 0; i < n; i++) {
        if (!import_pupil(c, &rows[i], at, &st_local) ||
            (rows[i].guardian_name && !import_guardian(c, &rows[i], at, &st_local))) {
            rc = db_fail(c, status, "import");
            goto out;
        }
    }
    if (!st_exec(c, S_G_REMOVE_MISSING)) {
        rc = db_fail(c, status, "import");
        goto out;
    }
    st_local.guardians_removed = (size_t)sqlite3_changes(c->db);
    if (!st_exec(c, S_EDIT_ORPHANS) || !st_exec(c, S_TMP_CLEAR_P) || !st_exec(c, S_TMP_CLEAR_G)) {
        rc = db_fail(c, status, "import");
        goto out;
    }
    if ((st_local.pupils_added || st_local.pupils_updated || st_local.guardians_added || st_local.guardians_updated ||
         st_local.guardians_removed) &&
        !bump_revision(c)) {
        rc = db_fail(c, status, "import");
        goto out;
    }
    if (!st_exec(c, S_COMMIT)) {
        rc = db_fail(c, status, "import");
        goto out;
    }
    *stats = st_local;
out:
    conn_put(inst, c); /* rolls back when the transaction is still open */
    register_view_free(&view);
    return rc;
}

/* --- retention --------------------------------------------------------------------------------- */

static foresatt_result_t sqlite_purge(void *instance, const char *const *pupil_ids, size_t n, int64_t now,
                                      int64_t audit_before, int dry_run, foresatt_purge_stats_t *stats,
                                      foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc = FORESATT_OK;
    foresatt_purge_stats_t st_local;
    sqlite3_stmt *s;
    size_t i;
    int step;

    if (stats == NULL || (n && pupil_ids == NULL) || now <= 0 || audit_before < 0)
        return plugin_say(status, FORESATT_ERROR, "purge needs a time and a stats struct");
    for (i = 0; i < n; i++)
        if (!su_str_ok(pupil_ids[i], FORESATT_MAX_ID_LEN))
            return plugin_say(status, FORESATT_ERROR, "pupil id %zu is empty or too long; nothing was deleted", i + 1);
    memset(&st_local, 0, sizeof(st_local));
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN_WRITE) || (s = st(c, S_G_DELETE_PUPIL)) == NULL) {
        rc = db_fail(c, status, "purge");
        goto out;
    }
    /* Delete for real even in a dry run, then roll back: the counts are exactly what would go. */
    for (i = 0; i < n; i++) {
        int changes;
        sqlite3_bind_text(s, 1, pupil_ids[i], -1, SQLITE_STATIC);
        step = sqlite3_step(s);
        st_done(s);
        if (step != SQLITE_DONE) {
            rc = db_fail(c, status, "purge");
            goto out;
        }
        changes = sqlite3_changes(c->db);
        if (changes > 0) {
            st_local.pupils++;
            st_local.guardians += (size_t)changes;
        }
    }
    /* ABI 1.2: what a death the register recorded handed to retention */
    if ((s = st(c, S_PURGE_DEAD_PUPILS_COUNT)) == NULL || sqlite3_step(s) != SQLITE_ROW) {
        st_done(s);
        rc = db_fail(c, status, "purge");
        goto out;
    }
    st_local.pupils += (size_t)sqlite3_column_int64(s, 0);
    st_done(s);
    if (!st_exec(c, S_PURGE_DEAD_PUPILS)) {
        rc = db_fail(c, status, "purge");
        goto out;
    }
    st_local.guardians += (size_t)sqlite3_changes(c->db);
    if (!st_exec(c, S_PURGE_DEAD_GUARDIANS)) {
        rc = db_fail(c, status, "purge");
        goto out;
    }
    st_local.guardians += (size_t)sqlite3_changes(c->db);
    if ((s = st(c, S_CONSENT_ENDED)) == NULL) {
        rc = db_fail(c, status, "purge");
        goto out;
    }
    sqlite3_bind_int64(s, 1, now);
    step = sqlite3_step(s);
    st_done(s);
    if (step != SQLITE_DONE) {
        rc = db_fail(c, status, "purge");
        goto out;
    }
    st_local.consents = (size_t)sqlite3_changes(c->db);
    if (audit_before > 0) {
        if ((s = st(c, S_AUDIT_PURGE)) == NULL) {
            rc = db_fail(c, status, "purge");
            goto out;
        }
        sqlite3_bind_int64(s, 1, audit_before);
        step = sqlite3_step(s);
        st_done(s);
        if (step != SQLITE_DONE) {
            rc = db_fail(c, status, "purge");
            goto out;
        }
        st_local.audit = (size_t)sqlite3_changes(c->db);
    }
    if (!st_exec(c, S_EDIT_ORPHANS) || !st_exec(c, S_RP_ORPHANS) || !run(c, S_INVAL_FLOOR_UP, "i", now - SU_INVALIDATIONS_KEPT) ||
        !run(c, S_INVAL_PRUNE, "i", now - SU_INVALIDATIONS_KEPT) ||
        ((st_local.guardians || st_local.consents) && !bump_revision(c)) ||
        !st_exec(c, dry_run ? S_ROLLBACK : S_COMMIT)) {
        rc = db_fail(c, status, "purge");
        goto out;
    }
    *stats = st_local;
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t sqlite_revision(void *instance, int64_t *revision, foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc = FORESATT_OK;
    sqlite3_stmt *s;

    if (revision == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointer");
    ACQUIRE(inst, c, status);
    if ((s = st(c, S_REV_GET)) == NULL || sqlite3_step(s) != SQLITE_ROW)
        rc = db_fail(c, status, "revision");
    else
        *revision = sqlite3_column_int64(s, 0);
    st_done(s);
    conn_put(inst, c);
    return rc;
}

/* --- ABI 1.2: the register's changes ----------------------------------------------------------- */

static foresatt_result_t sqlite_numbers_held(void *instance, const char *const *numbers, size_t n, unsigned *held,
                                             foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc;
    sqlite3_stmt *s;
    size_t i;

    if ((rc = su_held_args(numbers, n, held, status)) != FORESATT_OK || n == 0)
        return rc;
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN) || (s = st(c, S_HELD)) == NULL) {
        rc = db_fail(c, status, "numbers_held");
        goto out;
    }
    for (i = 0; i < n; i++) {
        sqlite3_bind_text(s, 1, numbers[i], -1, SQLITE_STATIC);
        if (sqlite3_step(s) != SQLITE_ROW) {
            st_done(s);
            rc = db_fail(c, status, "numbers_held");
            goto out;
        }
        held[i] = (sqlite3_column_int(s, 0) ? FORESATT_HELD_PUPIL : 0u) |
                  (sqlite3_column_int(s, 1) ? FORESATT_HELD_GUARDIAN : 0u);
        if (held[i])
            held[i] |= (sqlite3_column_int(s, 2) ? FORESATT_HELD_DECEASED : 0u) |
                       (sqlite3_column_int(s, 3) ? FORESATT_HELD_PROTECTED : 0u);
        st_done(s);
    }
    rc = FORESATT_OK;
out:
    conn_put(inst, c);
    return rc;
}

static int apply_one(conn_t *c, const foresatt_register_change_t *x, int64_t now)
{
    const char *from = x->number, *to = x->new_number;

    switch (x->kind) {
    case FORESATT_CHANGE_RECHECK:
        return 1;
    case FORESATT_CHANGE_GUARDIAN_DETAILS:
        return run(c, S_RP_DETAILS, "ttti", from, x->name, x->address, now);
    case FORESATT_CHANGE_ADDRESS_PROTECTED:
        return run(c, S_RP_PROTECT, "ti", from, now) && run(c, S_G_ADDRESS_CLEAR, "t", from);
    case FORESATT_CHANGE_DECEASED:
        return run(c, S_RP_DECEASED, "tii", from, x->at, now);
    case FORESATT_CHANGE_ALIVE:
        return run(c, S_RP_ALIVE, "ti", from, now);
    case FORESATT_CHANGE_NUMBER:
        return run(c, S_P_RENUMBER, "tt", from, to) && run(c, S_G_DROP_DUP, "tt", from, to) &&
               run(c, S_G_RENUMBER, "tt", from, to) && run(c, S_EDIT_MOVE, "tt", from, to) &&
               run(c, S_EDIT_DROP, "t", from) && run(c, S_RP_UNREPLACE, "t", to) &&
               run(c, S_RP_CARRY, "tti", from, to, now) && run(c, S_RP_REPLACED, "tti", from, to, now) &&
               run(c, S_RP_CHAIN, "tt", from, to) && (x->actor == NULL || run(c, S_AUDIT_REKEY, "tt", x->actor, x->new_actor));
    }
    return 0;
}

static foresatt_result_t sqlite_register_apply(void *instance, const foresatt_register_change_t *changes, size_t n,
                                               const char *feed, int64_t feed_sequence, foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    int64_t now = (int64_t)time(NULL), rev = 0;
    foresatt_result_t rc;
    sqlite3_stmt *s = NULL;
    size_t i;
    int step;

    if ((rc = su_register_args(changes, n, feed, feed_sequence, status)) != FORESATT_OK)
        return rc;
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN_WRITE)) {
        rc = db_fail(c, status, "register_apply");
        goto out;
    }
    if (feed && n > 0) {
        /* another follower applied this event already: nothing twice */
        if ((s = st(c, S_FEED_GET)) == NULL) {
            rc = db_fail(c, status, "register_apply");
            goto out;
        }
        sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
        step = sqlite3_step(s);
        if (step == SQLITE_ROW && sqlite3_column_int64(s, 0) >= feed_sequence) {
            st_done(s);
            rc = st_exec(c, S_COMMIT) ? FORESATT_OK : db_fail(c, status, "register_apply");
            goto out;
        }
        st_done(s);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            rc = db_fail(c, status, "register_apply");
            goto out;
        }
    }
    if (n > 0) {
        if (!bump_revision(c) || (s = st(c, S_REV_GET)) == NULL || sqlite3_step(s) != SQLITE_ROW) {
            st_done(s);
            rc = db_fail(c, status, "register_apply");
            goto out;
        }
        rev = sqlite3_column_int64(s, 0);
        st_done(s);
    }
    for (i = 0; i < n; i++) {
        if (!apply_one(c, &changes[i], now) || !run(c, S_INVAL_ADD, "iti", rev, changes[i].number, now) ||
            (changes[i].kind == FORESATT_CHANGE_NUMBER && !run(c, S_INVAL_ADD, "iti", rev, changes[i].new_number, now))) {
            rc = db_fail(c, status, "register_apply");
            goto out;
        }
    }
    if (!run(c, S_INVAL_FLOOR_UP, "i", now - SU_INVALIDATIONS_KEPT) ||
        !run(c, S_INVAL_PRUNE, "i", now - SU_INVALIDATIONS_KEPT) ||
        (feed && !run(c, S_FEED_SET, "tii", feed, feed_sequence, now)) || !st_exec(c, S_COMMIT)) {
        rc = db_fail(c, status, "register_apply");
        goto out;
    }
    rc = FORESATT_OK;
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t sqlite_feed_position(void *instance, const char *feed, int64_t *sequence,
                                              foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    foresatt_result_t rc;
    sqlite3_stmt *s = NULL;
    int step;

    if (!su_str_ok(feed, FORESATT_MAX_ID_LEN) || sequence == NULL)
        return plugin_say(status, FORESATT_ERROR, "feed_position: a feed name of 1 to %d bytes", FORESATT_MAX_ID_LEN);
    *sequence = 0;
    ACQUIRE(inst, c, status);
    if ((s = st(c, S_FEED_GET)) == NULL) {
        rc = db_fail(c, status, "feed_position");
        goto out;
    }
    sqlite3_bind_text(s, 1, feed, -1, SQLITE_STATIC);
    step = sqlite3_step(s);
    if (step == SQLITE_ROW) {
        *sequence = sqlite3_column_int64(s, 0);
        rc = FORESATT_OK;
    } else {
        rc = step == SQLITE_DONE ? FORESATT_NOT_FOUND : db_fail(c, status, "feed_position");
    }
    st_done(s);
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t sqlite_invalidations_since(void *instance, int64_t revision, foresatt_arena_t *arena,
                                                    const char ***numbers, size_t *n, foresatt_status_t *status)
{
    sqlite_instance_t *inst = instance;
    su_list_t list = {NULL, 0, 0};
    foresatt_result_t rc;
    sqlite3_stmt *s = NULL;
    int step;

    if (numbers == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "invalidations_since: no result pointers");
    *numbers = NULL;
    *n = 0;
    ACQUIRE(inst, c, status);
    if (!st_exec(c, S_BEGIN) || (s = st(c, S_INVAL_FLOOR)) == NULL || sqlite3_step(s) != SQLITE_ROW) {
        rc = db_fail(c, status, "invalidations_since");
        goto out;
    }
    step = revision < sqlite3_column_int64(s, 0);
    st_done(s);
    if (step) {
        rc = FORESATT_NOT_FOUND; /* older than the invalidations kept */
        goto out;
    }
    if ((s = st(c, S_INVAL_SINCE)) == NULL) {
        rc = db_fail(c, status, "invalidations_since");
        goto out;
    }
    sqlite3_bind_int64(s, 1, revision);
    while ((step = sqlite3_step(s)) == SQLITE_ROW)
        if (!su_list_push(&list, (void *)col_str(inst->host, arena, s, 0))) {
            st_done(s);
            su_list_free(&list);
            rc = plugin_say(status, FORESATT_ERROR, "out of memory");
            goto out;
        }
    st_done(s);
    if (step != SQLITE_DONE) {
        su_list_free(&list);
        rc = db_fail(c, status, "invalidations_since");
        goto out;
    }
    *numbers = (const char **)su_list_to_arena(inst->host, arena, &list, n);
    rc = FORESATT_OK;
out:
    conn_put(inst, c);
    return rc;
}

static const foresatt_store_ops_t sqlite_ops = {
    .struct_size = sizeof(foresatt_store_ops_t),
    .pupil_by_id = sqlite_pupil_by_id,
    .pupil_by_number = sqlite_pupil_by_number,
    .pupils_all = sqlite_pupils_all,
    .guardian_links = sqlite_guardian_links,
    .pupil_guardians = sqlite_pupil_guardians,
    .guardian_contact_update = sqlite_contact_update,
    .paper_list = sqlite_paper_list,
    .consent_give = sqlite_consent_give,
    .consent_revoke = sqlite_consent_revoke,
    .audit_append = sqlite_audit_append,
    .audit_query = sqlite_audit_query,
    .import_roster = sqlite_import_roster,
    .purge = sqlite_purge,
    .revision = sqlite_revision,
    .contact_conflicts = sqlite_contact_conflicts,
    .numbers_held = sqlite_numbers_held,
    .register_apply = sqlite_register_apply,
    .feed_position = sqlite_feed_position,
    .invalidations_since = sqlite_invalidations_since,
};

static const foresatt_plugin_t sqlite_plugin = {
    .abi_major = FORESATT_ABI_MAJOR,
    .abi_minor = FORESATT_ABI_MINOR,
    .struct_size = sizeof(foresatt_plugin_t),
    .name = "store_sqlite",
    .version = "1.0",
    .kind = FORESATT_PLUGIN_STORE,
    .flags = FORESATT_PLUGIN_THREADSAFE, /* a connection per thread at a time, from a per-process pool */
    .create = sqlite_create,
    .child_init = sqlite_child_init,
    .destroy = sqlite_destroy,
    .registry = NULL,
    .store = &sqlite_ops,
};

FORESATT_PLUGIN_ENTRY
{
    return &sqlite_plugin;
}
