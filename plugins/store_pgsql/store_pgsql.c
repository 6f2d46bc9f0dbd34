/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * store_pgsql: the school's records in PostgreSQL, for several web servers sharing one database.
 *
 *   ForesattPlugin store /usr/lib/foresatt/store_pgsql.so \
 *       conninfo="host=db1 dbname=foresatt user=foresatt sslmode=verify-full sslrootcert=/etc/ssl/db-ca.pem" \
 *       [schema=foresatt] [timeout=10]
 *
 * conninfo is a libpq connection string, passed through whole (TLS options included); a password
 * belongs in ~/.pgpass or PGPASSFILE, not here. schema (default public) is created when missing.
 * timeout (seconds, default 10) bounds each statement (statement_timeout): a database that does not
 * answer (a lock held elsewhere, a stuck transaction) gives a temporary failure instead of holding
 * a web request and its thread indefinitely. Imports, purges and migrations are exempt.
 *
 * Each process keeps a small pool of connections, each used by one thread at a time (thread-safe);
 * nothing is opened in create() (httpd's parent): child_init() opens the first connection and
 * applies migrations under an advisory lock, later connections open on demand. A connection that
 * the server dropped (restart, failover) is re-established on next use: a statement outside a
 * transaction is retried once, a write transaction when the connection was found dead before it
 * began. Statements are prepared once per connection; the roster arrives by COPY, pupils to purge
 * and audit batches as arrays, so a 50,000-row import is a handful of round trips.
 *
 * What the operations do is plugins/common/store_core.c's; this file is PostgreSQL's part.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "descriptor.h"
#include "say.h"
#include "schema.h"
#include "store_core.h"
#include "store_util.h"
#include "utf8.h"

#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 3600
#define MAX_PARAMS 16

typedef struct pgsql_conn {
    store_conn_t link; /* first: the pool's list */
    PGconn *pg;
    unsigned char prepared[STORE_N_STMT];
    unsigned char n_params[STORE_N_STMT];
    PGresult *res;    /* the statement being stepped through */
    int row;
    PGresult *failed; /* why the last statement failed, for pgsql_fail */
} pgsql_conn_t;

typedef struct pgsql_instance {
    store_t store; /* first: what store_core.c works on */
    char *conninfo;
    char *schema;
    char database[96]; /* "the database (schema NAME)", for messages */
    int timeout;       /* seconds, statement_timeout of every session */
} pgsql_instance_t;

/* Where PostgreSQL's SQL differs from the shared text: row locks, arrays, its own clock. */
static const char *const pgsql_sql[STORE_N_STMT] = {
    [STMT_CONSENT_GET] = "SELECT consent_given_at, consent_revoked_at FROM pupil WHERE pupil_id = ?1 FOR UPDATE",
    /* a batch as eight arrays, unnested side by side: one statement */
    [STMT_AUDIT_INSERT] = "INSERT INTO audit (at, actor, role, pupil_id, action, decision, reason, detail) "
                          "SELECT * FROM unnest(?1::bigint[], ?2::text[], ?3::smallint[], ?4::text[], ?5::text[], "
                          "?6::text[], ?7::text[], ?8::text[])",
    [STMT_PURGE_GUARDIANS] = "WITH d AS (DELETE FROM guardian WHERE pupil_id = ANY (?1::text[]) RETURNING pupil_id) "
                             "SELECT count(DISTINCT pupil_id), count(*) FROM d",
    [STMT_SCHEMA_VERSION_ADD] = "INSERT INTO schema_version (version) VALUES (?1)",
    /* the numbers as an array: one statement, its rows in the array's order */
    [STMT_NUMBERS_HELD] = STORE_NUMBERS_HELD("t.n") "FROM unnest(?1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY t.i",
};

static pgsql_conn_t *conn_of(store_conn_t *conn)
{
    return (pgsql_conn_t *)conn;
}

/* --- text buffers (COPY data, array literals) --------------------------------------------------- */

typedef struct buf {
    char *p;
    size_t len, cap;
    int oom;
} buf_t;

static void buf_add(buf_t *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *p;
        while (cap < b->len + n + 1)
            cap *= 2;
        if ((p = realloc(b->p, cap)) == NULL) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* One field of COPY's text format: NULL as \N, backslash escapes for the separators. */
static void buf_copy_field(buf_t *b, const char *s, int last)
{
    if (s == NULL) {
        buf_add(b, "\\N", 2);
    } else {
        for (; *s; s++) {
            switch (*s) {
            case '\\': buf_add(b, "\\\\", 2); break;
            case '\t': buf_add(b, "\\t", 2); break;
            case '\n': buf_add(b, "\\n", 2); break;
            case '\r': buf_add(b, "\\r", 2); break;
            default: buf_add(b, s, 1);
            }
        }
    }
    buf_add(b, last ? "\n" : "\t", 1);
}

static void buf_copy_number(buf_t *b, long long v, int last)
{
    char num[24];

    snprintf(num, sizeof(num), "%lld", v);
    buf_copy_field(b, num, last);
}

/* One element of an array literal: "..." with \ and " escaped, or NULL. Bytes that are not UTF-8
 * become '?': the server refuses them, and an audit batch must not fail over a request's odd URL. */
static void buf_array_elem(buf_t *b, const char *s, int first)
{
    const unsigned char *p = (const unsigned char *)s, *end;

    if (!first)
        buf_add(b, ",", 1);
    if (s == NULL) {
        buf_add(b, "NULL", 4);
        return;
    }
    buf_add(b, "\"", 1);
    for (end = p + strlen(s); *p;) {
        size_t n = fst_utf8_seq(p, (size_t)(end - p));
        if (n == 0) {
            buf_add(b, "?", 1);
            p++;
            continue;
        }
        if (*p == '"' || *p == '\\')
            buf_add(b, "\\", 1);
        buf_add(b, (const char *)p, n);
        p += n;
    }
    buf_add(b, "\"", 1);
}

/* --- errors ------------------------------------------------------------------------------------- */

/* 57014: cancelled by statement_timeout (the database did not answer in time). */
static int temporary_state(const char *state)
{
    return state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 || strncmp(state, "53", 2) == 0 ||
                     strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
                     strcmp(state, "57014") == 0);
}

/* Only the primary message: DETAIL lines can quote the values of a row. */
static foresatt_result_t pgsql_fail(store_conn_t *conn, foresatt_status_t *status, const char *what)
{
    pgsql_conn_t *c = conn_of(conn);
    const char *state = c->failed ? PQresultErrorField(c->failed, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = c->failed ? PQresultErrorField(c->failed, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[200];
    foresatt_result_t rc;

    if (msg == NULL) {
        const char *nl;
        snprintf(line, sizeof(line), "%s", c->pg ? PQerrorMessage(c->pg) : "no connection");
        if ((nl = strchr(line, '\n')) != NULL)
            line[nl - line] = '\0';
        msg = line;
    }
    rc = (c->pg && PQstatus(c->pg) == CONNECTION_BAD) || temporary_state(state) ? FORESATT_TEMPORARY : FORESATT_ERROR;
    if (rc == FORESATT_TEMPORARY && status->retry_after == 0)
        status->retry_after = 1;
    return plugin_say(status, rc, "%s: %s%s", what, msg, rc == FORESATT_TEMPORARY ? " (try again)" : "");
}

static int res_ok(const PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* The reason for what failed last (NULL: none in a result, see PQerrorMessage). */
static void set_failed(pgsql_conn_t *c, PGresult *res)
{
    PQclear(c->failed);
    c->failed = res;
}

static int pgsql_exec(store_conn_t *conn, const char *sql)
{
    pgsql_conn_t *c = conn_of(conn);
    PGresult *res = PQexec(c->pg, sql);

    set_failed(c, NULL);
    if (res_ok(res)) {
        PQclear(res);
        return 1;
    }
    set_failed(c, res);
    return 0;
}

static int exec_formatted(pgsql_conn_t *c, const char *fmt, ...) FORESATT_PRINTF(2, 3);

static int exec_formatted(pgsql_conn_t *c, const char *fmt, ...)
{
    char sql[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    return pgsql_exec(&c->link, sql);
}

/* --- connections -------------------------------------------------------------------------------- */

/* Server notices ("already exists, skipping") go to the host's log at debug, never to stderr. */
static void notice(void *arg, const char *message)
{
    const foresatt_host_t *host = ((const pgsql_instance_t *)arg)->store.host;
    size_t len = strcspn(message, "\n");

    host->log(host, FORESATT_LOG_DEBUG, "PostgreSQL: %.*s", (int)len, message);
}

/* Per connection: terse errors, quiet notices, our schema, the import's temporary table. */
static int conn_setup(pgsql_instance_t *inst, pgsql_conn_t *c)
{
    memset(c->prepared, 0, sizeof(c->prepared));
    PQsetErrorVerbosity(c->pg, PQERRORS_TERSE);
    PQsetNoticeProcessor(c->pg, notice, inst);
    return exec_formatted(c, "SET search_path TO \"%s\"", inst->schema) &&
           exec_formatted(c, "SET statement_timeout = '%ds'", inst->timeout) &&
           pgsql_exec(&c->link,
                      "CREATE TEMP TABLE IF NOT EXISTS import_row (row_no bigserial, pupil_id text, "
                      "pupil_number text, school text, enrollment smallint, consent smallint, gkey text, number text, "
                      "name text, address text, phone text, emails text, daily_care smallint, "
                      "parental_responsibility smallint, addressee smallint, fnr_use smallint) ON COMMIT DELETE ROWS");
}

static void forget_results(pgsql_conn_t *c)
{
    PQclear(c->res);
    PQclear(c->failed);
    c->res = c->failed = NULL;
}

static void pgsql_close(store_conn_t *conn)
{
    pgsql_conn_t *c = conn_of(conn);

    forget_results(c);
    PQfinish(c->pg);
    free(c);
}

static store_conn_t *pgsql_open(store_t *store, foresatt_status_t *status, foresatt_result_t *rc)
{
    pgsql_instance_t *inst = (pgsql_instance_t *)store;
    /* Ours first: what the conninfo says wins (libpq takes the last value of each key). */
    const char *keys[] = {"application_name", "connect_timeout", "dbname", NULL};
    const char *values[] = {"mod_foresatt", "10", inst->conninfo, NULL};
    pgsql_conn_t *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        *rc = plugin_say(status, FORESATT_ERROR, "out of memory");
        return NULL;
    }
    c->pg = PQconnectdbParams(keys, values, 1);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK || !conn_setup(inst, c)) {
        *rc = pgsql_fail(&c->link, status,
                         c->pg && PQstatus(c->pg) == CONNECTION_OK ? "cannot set up the connection"
                                                                    : "cannot connect to PostgreSQL");
        pgsql_close(&c->link);
        return NULL;
    }
    return &c->link;
}

/* The server dropped us (restart, failover): reconnect in place. */
static int conn_reset(pgsql_instance_t *inst, pgsql_conn_t *c)
{
    forget_results(c);
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK || !conn_setup(inst, c))
        return 0;
    inst->store.host->log(inst->store.host, FORESATT_LOG_NOTICE, "reconnected to PostgreSQL");
    return 1;
}

/* A broken session is closed: the next call opens a fresh one. */
static int pgsql_release(store_conn_t *conn)
{
    pgsql_conn_t *c = conn_of(conn);

    if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        pgsql_exec(conn, "ROLLBACK");
    forget_results(c);
    return PQstatus(c->pg) == CONNECTION_OK;
}

/* Imports, purges and the register's changes of one schema take turns (a transaction-scoped
 * advisory lock). */
static int pgsql_begin(store_t *store, store_conn_t *conn, store_tx_t kind)
{
    pgsql_instance_t *inst = (pgsql_instance_t *)store;
    pgsql_conn_t *c = conn_of(conn);

    /* a session found dead here has done nothing yet: reconnect */
    if (!pgsql_exec(conn, "BEGIN") && !(PQstatus(c->pg) == CONNECTION_BAD && conn_reset(inst, c) &&
                                         pgsql_exec(conn, "BEGIN")))
        return 0;
    return kind == STORE_TX_WRITE ||
           ((kind != STORE_TX_BULK || pgsql_exec(conn, "SET LOCAL statement_timeout = 0")) &&
            exec_formatted(c, "SELECT pg_advisory_xact_lock(hashtext('mod_foresatt writer %s'))", inst->schema));
}

/* --- statements --------------------------------------------------------------------------------- */

/* The shared ?N parameters as PostgreSQL's $N (the SQL holds no '?' but these); *n_params the highest N. */
static char *dollar_params(const char *sql, unsigned char *n_params)
{
    char *out = malloc(strlen(sql) + 1), *o = out;

    *n_params = 0;
    for (; out && *sql; sql++) {
        *o++ = *sql == '?' ? '$' : *sql;
        if (*sql == '?' && atoi(sql + 1) > *n_params)
            *n_params = (unsigned char)atoi(sql + 1);
    }
    if (out)
        *o = '\0';
    return out;
}

static PGresult *execute(store_t *store, pgsql_conn_t *c, store_stmt_t id, const store_arg_t *args, size_t n_args)
{
    char name[16], numbers[MAX_PARAMS][24];
    const char *values[MAX_PARAMS];
    int i;

    snprintf(name, sizeof(name), "fs_%d", (int)id);
    if (!c->prepared[id]) {
        char *sql = dollar_params(store_sql(store->dialect, id), &c->n_params[id]);
        PGresult *res = sql ? PQprepare(c->pg, name, sql, c->n_params[id], NULL) : NULL;
        free(sql);
        if (!res_ok(res))
            return res;
        PQclear(res);
        c->prepared[id] = 1;
    }
    for (i = 0; i < c->n_params[id] && i < MAX_PARAMS; i++) {
        values[i] = (size_t)i >= n_args ? NULL : args[i].is_num ? numbers[i] : args[i].text;
        if ((size_t)i < n_args && args[i].is_num)
            snprintf(numbers[i], sizeof(numbers[i]), "%" PRId64, args[i].num);
    }
    return PQexecPrepared(c->pg, name, c->n_params[id], values, NULL, NULL, 0);
}

/* Outside a transaction a statement stands alone: retried once on a fresh session when the server
 * dropped the old one before answering. */
static int pgsql_run(store_t *store, store_conn_t *conn, store_stmt_t id, const store_arg_t *args, size_t n_args)
{
    pgsql_conn_t *c = conn_of(conn);
    int alone = PQtransactionStatus(c->pg) == PQTRANS_IDLE;
    PGresult *res = execute(store, c, id, args, n_args);

    if (!res_ok(res) && alone && PQstatus(c->pg) == CONNECTION_BAD && conn_reset((pgsql_instance_t *)store, c)) {
        PQclear(res);
        res = execute(store, c, id, args, n_args);
    }
    PQclear(c->res);
    c->res = NULL;
    if (!res_ok(res)) {
        set_failed(c, res);
        return 0;
    }
    set_failed(c, NULL);
    c->res = res;
    c->row = -1;
    return 1;
}

static int pgsql_step(store_conn_t *conn)
{
    pgsql_conn_t *c = conn_of(conn);

    return ++c->row < PQntuples(c->res) ? 1 : 0;
}

static const char *pgsql_text(store_conn_t *conn, int col)
{
    pgsql_conn_t *c = conn_of(conn);

    return PQgetisnull(c->res, c->row, col) ? NULL : PQgetvalue(c->res, c->row, col);
}

static int64_t pgsql_number(store_conn_t *conn, int col)
{
    const char *v = pgsql_text(conn, col);

    return v ? (int64_t)strtoll(v, NULL, 10) : 0;
}

static size_t pgsql_changes(store_conn_t *conn)
{
    return (size_t)strtoull(PQcmdTuples(conn_of(conn)->res), NULL, 10);
}

static void pgsql_end(store_conn_t *conn)
{
    pgsql_conn_t *c = conn_of(conn);

    PQclear(c->res);
    c->res = NULL;
}

/* --- migrations --------------------------------------------------------------------------------- */

static int pgsql_migration_end(store_t *store, store_conn_t *conn)
{
    pgsql_conn_t *c = conn_of(conn);

    return pgsql_exec(conn, "SELECT pg_advisory_unlock_all()") &&
           exec_formatted(c, "SET statement_timeout = '%ds'", ((pgsql_instance_t *)store)->timeout);
}

/* A session lock taken before the transaction: the transaction's catalog snapshot then sees what a
 * server that migrated while we waited created (a lock taken inside would not). Waiting for another
 * server's migration, and migrating, may take longer than timeout=. */
static foresatt_result_t pgsql_migration_begin(store_t *store, store_conn_t *conn, foresatt_status_t *status)
{
    pgsql_instance_t *inst = (pgsql_instance_t *)store;
    pgsql_conn_t *c = conn_of(conn);

    if (!pgsql_exec(conn, "SET statement_timeout = 0") ||
        !exec_formatted(c, "SELECT pg_advisory_lock(hashtext('mod_foresatt schema %s'))", inst->schema))
        return pgsql_fail(conn, status, "schema migration: cannot take the migration lock");
    if (!pgsql_exec(conn, "BEGIN") || !exec_formatted(c, "CREATE SCHEMA IF NOT EXISTS \"%s\"", inst->schema)) {
        foresatt_result_t rc = pgsql_fail(conn, status, "schema migration failed");
        pgsql_exec(conn, "ROLLBACK");
        pgsql_migration_end(store, conn);
        return rc;
    }
    return FORESATT_OK;
}

/* --- batches: the roster by COPY, pupils and audit entries as arrays ---------------------------- */

static int pgsql_import_load(store_t *store, store_conn_t *conn, const foresatt_roster_row_t *rows, size_t n)
{
    pgsql_conn_t *c = conn_of(conn);
    PGresult *res = PQexec(c->pg, "COPY import_row (" STORE_IMPORT_COLUMNS ") FROM STDIN");
    buf_t b = {0};
    size_t i;
    int ok = 1;

    (void)store;
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        set_failed(c, res);
        return 0;
    }
    PQclear(res);
    for (i = 0; i < n && ok; i++) {
        const foresatt_roster_row_t *r = &rows[i];
        char key[FORESATT_MAX_NAME_LEN + 16];
        buf_copy_field(&b, r->pupil_id, 0);
        buf_copy_field(&b, r->pupil_number, 0);
        buf_copy_field(&b, r->school, 0);
        buf_copy_number(&b, r->enrollment, 0);
        buf_copy_number(&b, r->consent_extended ? 1 : 0, 0);
        buf_copy_field(&b, r->guardian_name ? su_guardian_key(r, key, sizeof(key)) : NULL, 0);
        buf_copy_field(&b, r->guardian_number, 0);
        buf_copy_field(&b, r->guardian_name, 0);
        buf_copy_field(&b, r->guardian_address, 0);
        buf_copy_field(&b, r->guardian_phone, 0);
        buf_copy_field(&b, r->guardian_emails, 0);
        buf_copy_number(&b, r->daily_care ? 1 : 0, 0);
        buf_copy_number(&b, r->parental_responsibility ? 1 : 0, 0);
        buf_copy_number(&b, r->addressee, 0);
        buf_copy_number(&b, r->fnr_use, 1);
        if (b.oom || (b.len > 65536 && PQputCopyData(c->pg, b.p, (int)b.len) != 1))
            ok = 0;
        else if (b.len > 65536)
            b.len = 0;
    }
    if (ok && b.len > 0 && PQputCopyData(c->pg, b.p, (int)b.len) != 1)
        ok = 0;
    free(b.p);
    if (PQputCopyEnd(c->pg, ok ? NULL : "the import stopped") != 1)
        ok = 0;
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            ok = 0;
        PQclear(res);
    }
    return ok && pgsql_exec(conn, "ANALYZE import_row");
}

/* An array literal of n texts; NULL when out of memory. */
static char *array_of(const char *const *texts, size_t n)
{
    buf_t b = {0};
    size_t i;

    buf_add(&b, "{", 1);
    for (i = 0; i < n; i++)
        buf_array_elem(&b, texts[i], i == 0);
    buf_add(&b, "}", 1);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static int pgsql_purge_guardians(store_t *store, store_conn_t *conn, const char *const *pupil_ids, size_t n,
                                 size_t *pupils, size_t *guardians)
{
    char *ids = array_of(pupil_ids, n);
    store_arg_t args[] = {STORE_TEXT(ids)};
    int ok = ids != NULL && pgsql_run(store, conn, STMT_PURGE_GUARDIANS, args, 1) && pgsql_step(conn) == 1;

    if (ok) {
        *pupils = (size_t)pgsql_number(conn, 0);
        *guardians = (size_t)pgsql_number(conn, 1);
    }
    pgsql_end(conn);
    free(ids);
    return ok;
}

static int pgsql_numbers_held_run(store_t *store, store_conn_t *conn, const char *const *numbers, size_t n)
{
    char *array = array_of(numbers, n);
    store_arg_t args[] = {STORE_TEXT(array)};
    int ok = array != NULL && pgsql_run(store, conn, STMT_NUMBERS_HELD, args, 1);

    free(array);
    return ok;
}

/* One statement for the batch, outside a transaction: it commits or not as a whole, and one retry
 * after a dropped session is safe (the server never saw it). */
static foresatt_result_t pgsql_audit_insert(store_t *store, store_conn_t *conn, const foresatt_audit_entry_t *entries,
                                            size_t n, foresatt_status_t *status)
{
    buf_t columns[8];
    store_arg_t args[8];
    foresatt_result_t rc = FORESATT_OK;
    size_t i;
    int k;

    memset(columns, 0, sizeof(columns));
    for (k = 0; k < 8; k++)
        buf_add(&columns[k], "{", 1);
    for (i = 0; i < n; i++) {
        const foresatt_audit_entry_t *e = &entries[i];
        char at[24], role[8];
        const char *fields[8] = {at, e->actor, role, e->pupil_id, e->action, e->decision, e->reason, e->detail};

        snprintf(at, sizeof(at), "%" PRId64, e->at);
        snprintf(role, sizeof(role), "%d", (int)e->role);
        for (k = 0; k < 8; k++)
            buf_array_elem(&columns[k], fields[k], i == 0);
    }
    for (k = 0; k < 8; k++) {
        buf_add(&columns[k], "}", 1);
        if (columns[k].oom)
            rc = plugin_say(status, FORESATT_ERROR, "out of memory");
        args[k] = (store_arg_t)STORE_TEXT(columns[k].p);
    }
    if (rc == FORESATT_OK) {
        if (pgsql_run(store, conn, STMT_AUDIT_INSERT, args, 8))
            pgsql_end(conn);
        else
            rc = pgsql_fail(conn, status, "audit append");
    }
    for (k = 0; k < 8; k++)
        free(columns[k].p);
    return rc;
}

/* --- lifecycle ---------------------------------------------------------------------------------- */

static void pgsql_free(store_t *store)
{
    pgsql_instance_t *inst = (pgsql_instance_t *)store;

    free(inst->conninfo);
    free(inst->schema);
    free(inst);
}

static const store_dialect_t pgsql_dialect = {
    .sql = pgsql_sql,
    .schema_table = "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL, "
                    "applied_at timestamptz NOT NULL DEFAULT now())",
    .migrations = pgsql_migrations,
    .n_migrations = PGSQL_SCHEMA_VERSION,
    .open = pgsql_open,
    .close = pgsql_close,
    .release = pgsql_release,
    .exec = pgsql_exec,
    .begin = pgsql_begin,
    .run = pgsql_run,
    .step = pgsql_step,
    .text = pgsql_text,
    .number = pgsql_number,
    .changes = pgsql_changes,
    .end = pgsql_end,
    .fail = pgsql_fail,
    .migration_begin = pgsql_migration_begin,
    .migration_end = pgsql_migration_end,
    .import_load = pgsql_import_load,
    .purge_guardians = pgsql_purge_guardians,
    .numbers_held_run = pgsql_numbers_held_run,
    .audit_insert = pgsql_audit_insert,
    .free = pgsql_free,
};

static int schema_name_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > 63 || !(islower((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* The syntax now (configtest); the connection later (after fork). */
static foresatt_result_t check_conninfo(const foresatt_host_t *host, const char *conninfo, foresatt_status_t *status)
{
    PQconninfoOption *opts;
    char *err = NULL;

    opts = PQconninfoParse(conninfo, &err);
    if (opts == NULL) {
        foresatt_result_t rc;
        char *nl = err ? strchr(err, '\n') : NULL;
        if (nl)
            *nl = '\0';
        /* libpq quotes the text it could not parse: never echo it when it may hold a password */
        rc = plugin_say(status, FORESATT_ERROR, "conninfo is not a libpq connection string: %s",
                        err == NULL ? "out of memory"
                        : strstr(conninfo, "password") ? "check its syntax (key=value words, quote values with spaces)"
                                                       : err);
        PQfreemem(err);
        return rc;
    }
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            host->log(host, FORESATT_LOG_WARN,
                      "conninfo holds a password; keep it in a pgpass file (passfile=...) instead");
    }
    PQconninfoFree(opts);
    return FORESATT_OK;
}

static foresatt_result_t pgsql_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                      void **instance, foresatt_status_t *status)
{
    pgsql_instance_t *inst;
    const char *conninfo = NULL, *schema = "public";
    char *end;
    long timeout = DEFAULT_TIMEOUT;
    size_t i;

    for (i = 0; i < n_params; i++) {
        if (strcmp(params[i].key, "conninfo") == 0) {
            conninfo = params[i].value;
        } else if (strcmp(params[i].key, "schema") == 0) {
            schema = params[i].value;
        } else if (strcmp(params[i].key, "timeout") == 0) {
            errno = 0;
            timeout = strtol(params[i].value, &end, 10);
            if (*params[i].value == '\0' || *end != '\0' || errno || timeout < 1 || timeout > MAX_TIMEOUT)
                return plugin_say(status, FORESATT_ERROR, "timeout=%.20s: give whole seconds from 1 to %d",
                                  params[i].value, MAX_TIMEOUT);
        } else {
            return plugin_say(status, FORESATT_ERROR, "unknown key '%.64s' (known: conninfo, schema, timeout)",
                              params[i].key);
        }
    }
    if (conninfo == NULL || *conninfo == '\0')
        return plugin_say(status, FORESATT_ERROR,
                          "conninfo= is required: a libpq connection string, quoted, e.g. "
                          "conninfo=\"host=db1 dbname=foresatt user=foresatt sslmode=verify-full\"");
    if (!schema_name_ok(schema))
        return plugin_say(status, FORESATT_ERROR,
                          "schema=%.64s: give a plain lower-case name (a-z, 0-9, _; at most 63)", schema);
    if (check_conninfo(host, conninfo, status) != FORESATT_OK)
        return FORESATT_ERROR;
    if (!PQisthreadsafe())
        return plugin_say(status, FORESATT_ERROR, "this libpq is not thread-safe");
    inst = calloc(1, sizeof(*inst));
    if (inst == NULL || (inst->conninfo = strdup(conninfo)) == NULL || (inst->schema = strdup(schema)) == NULL) {
        if (inst)
            free(inst->conninfo);
        free(inst);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    inst->timeout = (int)timeout;
    snprintf(inst->database, sizeof(inst->database), "the database (schema %s)", schema);
    store_init(&inst->store, host, &pgsql_dialect, inst->database);
    *instance = inst;
    return FORESATT_OK;
}

STORE_PLUGIN("store_pgsql", pgsql_create)
