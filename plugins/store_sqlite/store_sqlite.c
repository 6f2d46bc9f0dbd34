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
 * connections, each used by one thread at a time. Nothing is opened in create() (httpd's parent,
 * before fork): child_init() opens the first connection and applies migrations, later ones open on
 * demand. What the operations do is plugins/common/store_core.c's; this file is SQLite's part.
 *
 * A new database file takes the owner of its directory (when running as root, e.g. foresattctl)
 * and mode 0640, so the web server's user can always write what the tool created.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "descriptor.h"
#include "say.h"
#include "schema.h"
#include "store_core.h"

typedef struct sqlite_conn {
    store_conn_t link; /* first: the pool's list */
    sqlite3 *db;
    sqlite3_stmt *stmt[STORE_N_STMT]; /* prepared on first use */
    sqlite3_stmt *current;            /* the statement being stepped through */
} sqlite_conn_t;

typedef struct sqlite_instance {
    store_t store; /* first: what store_core.c works on */
    char *path;
    int busy_timeout_ms;
} sqlite_instance_t;

static sqlite_conn_t *conn_of(store_conn_t *conn)
{
    return (sqlite_conn_t *)conn;
}

/* --- statements --------------------------------------------------------------------------------- */

static int sqlite_exec(store_conn_t *conn, const char *sql)
{
    return sqlite3_exec(conn_of(conn)->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static int sqlite_run(store_t *store, store_conn_t *conn, store_stmt_t id, const store_arg_t *args, size_t n_args)
{
    sqlite_conn_t *c = conn_of(conn);
    sqlite3_stmt *s = c->stmt[id];
    int i, n;

    if (s == NULL &&
        sqlite3_prepare_v3(c->db, store_sql(store->dialect, id), -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        return 0;
    c->stmt[id] = c->current = s;
    n = sqlite3_bind_parameter_count(s);
    for (i = 0; i < n && (size_t)i < n_args; i++) {
        if (args[i].is_num)
            sqlite3_bind_int64(s, i + 1, args[i].num);
        else
            sqlite3_bind_text(s, i + 1, args[i].text, -1, SQLITE_STATIC); /* NULL binds NULL */
    }
    return 1;
}

static int sqlite_step(store_conn_t *conn)
{
    int rc = sqlite3_step(conn_of(conn)->current);

    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

static const char *sqlite_text(store_conn_t *conn, int col)
{
    return (const char *)sqlite3_column_text(conn_of(conn)->current, col);
}

static int64_t sqlite_number(store_conn_t *conn, int col)
{
    return sqlite3_column_int64(conn_of(conn)->current, col);
}

static size_t sqlite_changes(store_conn_t *conn)
{
    return (size_t)sqlite3_changes(conn_of(conn)->db);
}

static void sqlite_end(store_conn_t *conn)
{
    sqlite_conn_t *c = conn_of(conn);

    if (c->current) {
        sqlite3_reset(c->current);
        sqlite3_clear_bindings(c->current);
        c->current = NULL;
    }
}

static foresatt_result_t sqlite_fail(store_conn_t *conn, foresatt_status_t *status, const char *what)
{
    sqlite3 *db = conn_of(conn)->db;
    int code = sqlite3_extended_errcode(db) & 0xff;

    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
        if (status->retry_after == 0)
            status->retry_after = 1;
        return plugin_say(status, FORESATT_TEMPORARY, "%s: the database is busy (%s); try again", what,
                          sqlite3_errmsg(db));
    }
    return plugin_say(status, FORESATT_ERROR, "%s: %s", what, sqlite3_errmsg(db));
}

/* Every write takes the write lock at once: writers queue on the busy timeout. */
static int sqlite_begin(store_t *store, store_conn_t *conn, store_tx_t kind)
{
    (void)store, (void)kind;
    return sqlite_exec(conn, "BEGIN IMMEDIATE");
}

/* One process migrates at a time: the write lock is held from the check to the commit. */
static foresatt_result_t sqlite_migration_begin(store_t *store, store_conn_t *conn, foresatt_status_t *status)
{
    (void)store;
    if (!sqlite_exec(conn, "BEGIN IMMEDIATE"))
        return sqlite_fail(conn, status, "cannot lock the database to check its schema");
    return FORESATT_OK;
}

static int sqlite_migration_end(store_t *store, store_conn_t *conn)
{
    (void)store, (void)conn;
    return 1;
}

/* --- connections -------------------------------------------------------------------------------- */

static void sqlite_close(store_conn_t *conn)
{
    sqlite_conn_t *c = conn_of(conn);
    int i;

    for (i = 0; i < STORE_N_STMT; i++)
        sqlite3_finalize(c->stmt[i]);
    sqlite3_close(c->db);
    free(c);
}

static int sqlite_release(store_conn_t *conn)
{
    if (!sqlite3_get_autocommit(conn_of(conn)->db))
        sqlite_exec(conn, "ROLLBACK");
    return 1;
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
    const foresatt_host_t *host = inst->store.host;
    char dir[4096];
    struct stat st;

    if (chmod(inst->path, 0640) != 0)
        host->log(host, FORESATT_LOG_WARN, "cannot chmod %s: %s", inst->path, strerror(errno));
    if (geteuid() != 0)
        return;
    dir_of(inst->path, dir, sizeof(dir)); /* the path is absolute (create() checked) */
    if (stat(dir, &st) == 0 && (st.st_uid != 0 || st.st_gid != 0) && chown(inst->path, st.st_uid, st.st_gid) != 0)
        host->log(host, FORESATT_LOG_WARN, "cannot give %s to its directory's owner: %s", inst->path,
                  strerror(errno));
}

/* WAL needs a moment alone with the file: on a new database another process may hold it (its own
 * switch, or the first migration), and SQLite does not wait for this lock by itself. */
static int set_wal(sqlite_instance_t *inst, sqlite_conn_t *c)
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

/* The connection's own import_row (store_core.c's import), indexed for the merge's look-ups. */
#define IMPORT_TABLE                                                                                           \
    "CREATE TEMP TABLE import_row (row_no INTEGER PRIMARY KEY, pupil_id TEXT, pupil_number TEXT, school TEXT, " \
    "enrollment INTEGER, consent INTEGER, gkey TEXT, number TEXT, name TEXT, address TEXT, phone TEXT, "         \
    "emails TEXT, daily_care INTEGER, parental_responsibility INTEGER, addressee INTEGER, fnr_use INTEGER);"    \
    "CREATE INDEX temp.import_row_key ON import_row (pupil_id, gkey);"

static store_conn_t *sqlite_open(store_t *store, foresatt_status_t *status, foresatt_result_t *rc)
{
    sqlite_instance_t *inst = (sqlite_instance_t *)store;
    sqlite_conn_t *c = calloc(1, sizeof(*c));
    struct stat st;
    int existed = stat(inst->path, &st) == 0;

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
    if (!sqlite_exec(&c->link, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;"
                               "PRAGMA temp_store = MEMORY;") ||
        !set_wal(inst, c) || !sqlite_exec(&c->link, IMPORT_TABLE)) {
        *rc = sqlite_fail(&c->link, status, "cannot set up the connection");
        if (*rc == FORESATT_ERROR)
            snprintf(status->message, sizeof(status->message), "cannot use %s: %s", inst->path,
                     sqlite3_errmsg(c->db));
        sqlite_close(&c->link);
        return NULL;
    }
    return &c->link;
}

/* --- lifecycle ---------------------------------------------------------------------------------- */

static void sqlite_free(store_t *store)
{
    sqlite_instance_t *inst = (sqlite_instance_t *)store;

    free(inst->path);
    free(inst);
}

/* SQLite speaks the shared SQL throughout. */
static const store_dialect_t sqlite_dialect = {
    .sql = NULL,
    .schema_table = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at INTEGER NOT NULL)",
    .migrations = sqlite_migrations,
    .n_migrations = SQLITE_SCHEMA_VERSION,
    .open = sqlite_open,
    .close = sqlite_close,
    .release = sqlite_release,
    .exec = sqlite_exec,
    .begin = sqlite_begin,
    .run = sqlite_run,
    .step = sqlite_step,
    .text = sqlite_text,
    .number = sqlite_number,
    .changes = sqlite_changes,
    .end = sqlite_end,
    .fail = sqlite_fail,
    .migration_begin = sqlite_migration_begin,
    .migration_end = sqlite_migration_end,
    .free = sqlite_free,
};

/* The directory must exist, a file that is there must be an SQLite database, and httpd's User must
 * be able to write both (SQLite keeps its -wal and -shm files beside the database). */
static foresatt_result_t check_path(const foresatt_host_t *host, const char *path, foresatt_status_t *status)
{
    char dir[4096];
    struct stat st;

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
    if (FORESATT_HOST_HAS(host, worker_can_write) && host->worker_can_write(host, dir) == 0)
        return plugin_say(status, FORESATT_ERROR,
                          "path=%.160s: httpd's User cannot write the directory (SQLite keeps its -wal and -shm "
                          "files there); give it to that user, e.g. chown www-data:www-data %.160s", path, dir);
    return FORESATT_OK;
}

static foresatt_result_t sqlite_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                       void **instance, foresatt_status_t *status)
{
    sqlite_instance_t *inst;
    const char *path = NULL;
    long timeout = 5000;
    size_t i;

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
    if (check_path(host, path, status) != FORESATT_OK)
        return FORESATT_ERROR;
    inst = calloc(1, sizeof(*inst));
    if (inst == NULL || (inst->path = strdup(path)) == NULL) {
        free(inst);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    inst->busy_timeout_ms = (int)timeout;
    store_init(&inst->store, host, &sqlite_dialect, inst->path);
    *instance = inst;
    return FORESATT_OK;
}

STORE_PLUGIN("store_sqlite", sqlite_create)
