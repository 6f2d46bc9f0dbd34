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
 * the server dropped (restart, failover) is re-established on next use: a read is retried once, a
 * write transaction is retried when the connection was found dead before it began.
 * Statements are prepared once per connection; the roster arrives by COPY and is merged with
 * set-based statements, so a 50,000-row import is a handful of round trips.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "foresatt/plugin.h"
#include "conn_pool.h"
#include "schema.h"
#include "store_util.h"

enum stmt_id {
    P_REV_GET, P_REV_BUMP,
    P_PUPIL_BY_ID, P_PUPIL_BY_NUMBER, P_PUPILS_ALL,
    P_G_BY_NUMBER, P_G_BY_PUPIL, P_G_PAPER, P_G_CONFLICTS, P_G_NUMBER_EXISTS, P_EDIT_UPSERT,
    P_CONSENT_GET, P_CONSENT_GIVE, P_CONSENT_REVOKE,
    P_AUDIT_INSERT, P_AUDIT_Q, P_AUDIT_Q_PUPIL, P_AUDIT_Q_ACTOR,
    N_STMT
};

/* The register's name and ungraded address win over the roster's; a graded one is never given. */
#define G_SELECT                                                                                               \
    "SELECT g.id, g.pupil_id, g.number, COALESCE(r.name, g.name), "                                              \
    "CASE WHEN r.address_protected = 1 THEN NULL ELSE COALESCE(r.address, g.address) END, "                      \
    "g.phone, g.emails, g.imported_at, e.phone, e.emails, "                                                      \
    "COALESCE(e.edited_at, 0), g.daily_care, g.parental_responsibility, g.addressee, g.fnr_use "
#define G_JOINS "LEFT JOIN contact_edit e ON e.number = g.number LEFT JOIN register_person r ON r.number = g.number "
#define G_COLS G_SELECT "FROM guardian g " G_JOINS
#define P_COLS "SELECT pupil_id, number, school, enrollment, consent_given_at, consent_until, consent_revoked_at, " \
               "updated_at FROM pupil "
#define A_COLS "SELECT at, actor, role, pupil_id, action, decision, reason, detail FROM audit "

static const struct {
    const char *sql;
    int n_params;
} stmts[N_STMT] = {
    [P_REV_GET] = {"SELECT value FROM revision WHERE id = 1", 0},
    [P_REV_BUMP] = {"UPDATE revision SET value = value + 1 WHERE id = 1", 0},
    [P_PUPIL_BY_ID] = {P_COLS "WHERE pupil_id = $1", 1},
    [P_PUPIL_BY_NUMBER] = {P_COLS "WHERE number = $1 ORDER BY enrollment, pupil_id LIMIT 1", 1},
    [P_PUPILS_ALL] = {P_COLS "ORDER BY pupil_id", 0},
    [P_G_BY_NUMBER] = {G_COLS "WHERE g.number = $1 ORDER BY g.pupil_id", 1},
    /* one row with g.id NULL when the pupil has no guardians; no row when there is no such pupil */
    [P_G_BY_PUPIL] = {G_SELECT "FROM pupil p LEFT JOIN guardian g ON g.pupil_id = p.pupil_id "
                               G_JOINS "WHERE p.pupil_id = $1 "
                               "ORDER BY CASE g.addressee WHEN 1 THEN 0 WHEN 2 THEN 1 ELSE 2 END, g.id",
                      1},
    [P_G_PAPER] = {G_COLS "WHERE g.fnr_use = 2 ORDER BY g.pupil_id, g.name", 0},
    [P_G_CONFLICTS] = {G_COLS "WHERE e.number IS NOT NULL AND "
                              "(e.phone IS DISTINCT FROM g.phone OR e.emails IS DISTINCT FROM g.emails) "
                              "ORDER BY g.pupil_id, g.id",
                       0},
    [P_G_NUMBER_EXISTS] = {"SELECT 1 FROM guardian WHERE number = $1 LIMIT 1", 1},
    [P_EDIT_UPSERT] = {"INSERT INTO contact_edit (number, phone, emails, edited_at) VALUES ($1, $2, $3, $4::bigint) "
                       "ON CONFLICT (number) DO UPDATE SET phone = EXCLUDED.phone, emails = EXCLUDED.emails, "
                       "edited_at = EXCLUDED.edited_at",
                       4},
    [P_CONSENT_GET] = {"SELECT consent_given_at, consent_revoked_at FROM pupil WHERE pupil_id = $1 FOR UPDATE", 1},
    [P_CONSENT_GIVE] = {"UPDATE pupil SET consent_given_at = $2::bigint, consent_until = $3::bigint, "
                        "consent_revoked_at = 0 WHERE pupil_id = $1",
                        3},
    [P_CONSENT_REVOKE] = {"UPDATE pupil SET consent_revoked_at = $2::bigint WHERE pupil_id = $1", 2},
    [P_AUDIT_INSERT] = {"INSERT INTO audit (at, actor, role, pupil_id, action, decision, reason, detail) "
                        "SELECT * FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[], $5::text[], "
                        "$6::text[], $7::text[], $8::text[])",
                        8},
    [P_AUDIT_Q] = {A_COLS "WHERE at >= $1::bigint AND at < $2::bigint ORDER BY at, id LIMIT $3::bigint", 3},
    [P_AUDIT_Q_PUPIL] = {A_COLS "WHERE pupil_id = $4 AND at >= $1::bigint AND at < $2::bigint "
                                "ORDER BY at, id LIMIT $3::bigint",
                         4},
    [P_AUDIT_Q_ACTOR] = {A_COLS "WHERE actor = $5 AND ($4::text IS NULL OR pupil_id = $4) AND at >= $1::bigint "
                                "AND at < $2::bigint ORDER BY at, id LIMIT $3::bigint",
                         5},
};

typedef struct pconn {
    su_pooled_t link; /* first: the pool's list */
    PGconn *pg;
    unsigned char prepared[N_STMT];
} pconn_t;

#define DEFAULT_TIMEOUT 10
#define MAX_TIMEOUT 3600

typedef struct pgsql_instance {
    const foresatt_host_t *host;
    char *conninfo;
    char *schema;
    int timeout; /* seconds, statement_timeout of every session */
    su_pool_t pool;
} pgsql_instance_t;

/* --- text buffers (COPY data, array literals) -------------------------------------------------- */

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

/* One element of an array literal: "..." with \ and " escaped, or NULL. Bytes that are not UTF-8
 * become '?': the server refuses them, and an audit batch must not fail over a request's odd URL. */
static void buf_array_elem(buf_t *b, const char *s, int first)
{
    const unsigned char *p = (const unsigned char *)s;

    if (!first)
        buf_add(b, ",", 1);
    if (s == NULL) {
        buf_add(b, "NULL", 4);
        return;
    }
    buf_add(b, "\"", 1);
    while (*p) {
        size_t n = su_utf8_seq(p);
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

/* --- errors ------------------------------------------------------------------------------------ */

/* 57014: cancelled by statement_timeout (the database did not answer in time). */
static int temporary_state(const char *state)
{
    return state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 || strncmp(state, "53", 2) == 0 ||
                     strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0 ||
                     strcmp(state, "57014") == 0);
}

/* Only the primary message: DETAIL lines can quote the values of a row. */
static foresatt_result_t pg_fail(pconn_t *c, PGresult *res, foresatt_status_t *status, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[200];
    foresatt_result_t rc;

    if (msg == NULL) {
        const char *nl;
        snprintf(line, sizeof(line), "%s", c && c->pg ? PQerrorMessage(c->pg) : "no connection");
        if ((nl = strchr(line, '\n')) != NULL)
            line[nl - line] = '\0';
        msg = line;
    }
    rc = (c && c->pg && PQstatus(c->pg) == CONNECTION_BAD) || temporary_state(state) ? FORESATT_TEMPORARY
                                                                                     : FORESATT_ERROR;
    if (rc == FORESATT_TEMPORARY && status->retry_after == 0)
        status->retry_after = 1;
    return plugin_say(status, rc, "%s: %s%s", what, msg, rc == FORESATT_TEMPORARY ? " (try again)" : "");
}

static int res_ok(const PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

/* --- connections ------------------------------------------------------------------------------- */

static int exec_ok(pconn_t *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    int ok = res_ok(res);
    PQclear(res);
    return ok;
}

/* Server notices ("already exists, skipping") go to the host's log at debug, never to stderr. */
static void notice(void *arg, const char *message)
{
    const pgsql_instance_t *inst = arg;
    size_t len = strcspn(message, "\n");
    inst->host->log(inst->host, FORESATT_LOG_DEBUG, "PostgreSQL: %.*s", (int)len, message);
}

/* Per connection: terse errors, quiet notices, our schema, the import's temporary table. */
static int conn_setup(pgsql_instance_t *inst, pconn_t *c)
{
    char sql[160];

    memset(c->prepared, 0, sizeof(c->prepared));
    PQsetErrorVerbosity(c->pg, PQERRORS_TERSE);
    PQsetNoticeProcessor(c->pg, notice, inst);
    snprintf(sql, sizeof(sql), "SET search_path TO \"%s\"", inst->schema);
    if (!exec_ok(c, sql))
        return 0;
    snprintf(sql, sizeof(sql), "SET statement_timeout = '%ds'", inst->timeout);
    return exec_ok(c, sql) &&
           exec_ok(c, "CREATE TEMP TABLE IF NOT EXISTS import_row (pupil_id text, pupil_number text, school text, "
                      "enrollment smallint, consent smallint, gkey text, number text, name text, address text, "
                      "phone text, emails text, daily_care smallint, parental smallint, addressee smallint, "
                      "fnr_use smallint) ON COMMIT DELETE ROWS");
}

static foresatt_result_t migrate(pgsql_instance_t *inst, pconn_t *c, foresatt_status_t *status)
{
    char lock[160], sql[160];
    PGresult *res = NULL;
    int version, v;

    /* A session lock taken before the transaction: the transaction's catalog snapshot then sees what
     * a server that migrated while we waited created (a lock taken inside would not). */
    snprintf(lock, sizeof(lock), "SELECT pg_advisory_lock(hashtext('mod_foresatt schema %s'))", inst->schema);
    /* Waiting for another server's migration, and migrating, may take longer than timeout=. */
    if (!exec_ok(c, "SET statement_timeout = 0") || !exec_ok(c, lock))
        return pg_fail(c, NULL, status, "schema migration: cannot take the migration lock");
    snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS \"%s\"", inst->schema);
    if (!exec_ok(c, "BEGIN") || !exec_ok(c, sql) ||
        !exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL, "
                    "applied_at timestamptz NOT NULL DEFAULT now())"))
        goto fail;
    res = PQexec(c->pg, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        goto fail;
    version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    res = NULL;
    if (version > PGSQL_SCHEMA_VERSION) {
        exec_ok(c, "ROLLBACK");
        exec_ok(c, "SELECT pg_advisory_unlock_all()");
        return plugin_say(status, FORESATT_ERROR,
                          "the database schema has version %d, newer than this plugin's %d; upgrade mod_foresatt",
                          version, PGSQL_SCHEMA_VERSION);
    }
    for (v = version + 1; v <= PGSQL_SCHEMA_VERSION; v++) {
        snprintf(sql, sizeof(sql), "INSERT INTO schema_version (version) VALUES (%d)", v);
        if (!exec_ok(c, pgsql_migrations[v - 1]) || !exec_ok(c, sql))
            goto fail;
        inst->host->log(inst->host, FORESATT_LOG_NOTICE, "database schema migrated to version %d", v);
    }
    snprintf(sql, sizeof(sql), "SET statement_timeout = '%ds'", inst->timeout);
    if (!exec_ok(c, "COMMIT") || !exec_ok(c, "SELECT pg_advisory_unlock_all()") || !exec_ok(c, sql))
        goto fail;
    return FORESATT_OK;
fail:
    {
        foresatt_result_t rc = pg_fail(c, res, status, "schema migration failed");
        PQclear(res);
        exec_ok(c, "ROLLBACK");
        exec_ok(c, "SELECT pg_advisory_unlock_all()");
        snprintf(sql, sizeof(sql), "SET statement_timeout = '%ds'", inst->timeout);
        exec_ok(c, sql);
        return rc;
    }
}

static void conn_close(pconn_t *c)
{
    PQfinish(c->pg);
    free(c);
}

static pconn_t *conn_open(pgsql_instance_t *inst, foresatt_status_t *status, foresatt_result_t *rc)
{
    /* Ours first: what the conninfo says wins (libpq takes the last value of each key). */
    const char *keys[] = {"application_name", "connect_timeout", "dbname", NULL};
    const char *values[] = {"mod_foresatt", "10", inst->conninfo, NULL};
    pconn_t *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        *rc = plugin_say(status, FORESATT_ERROR, "out of memory");
        return NULL;
    }
    c->pg = PQconnectdbParams(keys, values, 1);
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        *rc = pg_fail(c, NULL, status, "cannot connect to PostgreSQL");
        conn_close(c);
        return NULL;
    }
    if (!conn_setup(inst, c)) {
        *rc = pg_fail(c, NULL, status, "cannot set up the connection");
        conn_close(c);
        return NULL;
    }
    if (!su_pool_schema_checked(&inst->pool)) {
        if ((*rc = migrate(inst, c, status)) != FORESATT_OK) {
            conn_close(c);
            return NULL;
        }
        su_pool_set_schema_checked(&inst->pool);
    }
    return c;
}

/* The server dropped us (restart, failover): reconnect in place. */
static int conn_reset(pgsql_instance_t *inst, pconn_t *c)
{
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK || !conn_setup(inst, c))
        return 0;
    inst->host->log(inst->host, FORESATT_LOG_NOTICE, "reconnected to PostgreSQL");
    return 1;
}

static pconn_t *conn_get(pgsql_instance_t *inst, foresatt_status_t *status, foresatt_result_t *rc)
{
    pconn_t *c = (pconn_t *)su_pool_take(&inst->pool);
    return c ? c : conn_open(inst, status, rc);
}

static void conn_put(pgsql_instance_t *inst, pconn_t *c)
{
    if (PQstatus(c->pg) == CONNECTION_OK && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        exec_ok(c, "ROLLBACK");
    /* a broken session is closed: the next call opens a fresh one */
    if (PQstatus(c->pg) != CONNECTION_OK || !su_pool_give(&inst->pool, &c->link))
        conn_close(c);
}

#define ACQUIRE(inst, c, status)                                                                               \
    foresatt_result_t acquire_rc_ = FORESATT_ERROR;                                                            \
    pconn_t *c = conn_get(inst, status, &acquire_rc_);                                                         \
    if (c == NULL)                                                                                             \
        return acquire_rc_;

static PGresult *run(pconn_t *c, enum stmt_id id, const char *const *values)
{
    char name[16];

    snprintf(name, sizeof(name), "fs_%d", (int)id);
    if (!c->prepared[id]) {
        PGresult *res = PQprepare(c->pg, name, stmts[id].sql, stmts[id].n_params, NULL);
        if (!res_ok(res))
            return res;
        PQclear(res);
        c->prepared[id] = 1;
    }
    return PQexecPrepared(c->pg, name, stmts[id].n_params, values, NULL, NULL, 0);
}

/* A read: retried once on a fresh session when the server dropped the old one. */
static PGresult *run_read(pgsql_instance_t *inst, pconn_t *c, enum stmt_id id, const char *const *values)
{
    PGresult *res = run(c, id, values);

    if (!res_ok(res) && PQstatus(c->pg) == CONNECTION_BAD && conn_reset(inst, c)) {
        PQclear(res);
        res = run(c, id, values);
    }
    return res;
}

/* Start a write transaction; a session found dead here has done nothing yet, so reconnect. */
static int begin(pgsql_instance_t *inst, pconn_t *c)
{
    if (exec_ok(c, "BEGIN"))
        return 1;
    return PQstatus(c->pg) == CONNECTION_BAD && conn_reset(inst, c) && exec_ok(c, "BEGIN");
}

static int run_ok(pconn_t *c, enum stmt_id id, const char *const *values)
{
    PGresult *res = run(c, id, values);
    int ok = res_ok(res);
    PQclear(res);
    return ok;
}

/* --- lifecycle --------------------------------------------------------------------------------- */

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

static foresatt_result_t pgsql_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                      void **instance, foresatt_status_t *status)
{
    pgsql_instance_t *inst;
    const char *conninfo = NULL, *schema = "public";
    PQconninfoOption *opts;
    char *err = NULL, *end;
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
    /* Check the syntax now (configtest), connect later (after fork). */
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
    if (!PQisthreadsafe())
        return plugin_say(status, FORESATT_ERROR, "this libpq is not thread-safe");
    inst = calloc(1, sizeof(*inst));
    if (inst == NULL || (inst->conninfo = strdup(conninfo)) == NULL || (inst->schema = strdup(schema)) == NULL) {
        if (inst)
            free(inst->conninfo);
        free(inst);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    inst->host = host;
    inst->timeout = (int)timeout;
    su_pool_init(&inst->pool);
    *instance = inst;
    return FORESATT_OK;
}

static foresatt_result_t pgsql_child_init(void *instance, foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    ACQUIRE(inst, c, status);
    conn_put(inst, c);
    return FORESATT_OK;
}

static void pgsql_destroy(void *instance)
{
    pgsql_instance_t *inst = instance;
    su_pooled_t *c;

    while ((c = su_pool_drain(&inst->pool)) != NULL)
        conn_close((pconn_t *)c);
    su_pool_fini(&inst->pool);
    free(inst->conninfo);
    free(inst->schema);
    free(inst);
}

/* --- reading rows ------------------------------------------------------------------------------ */

static const char *val(const foresatt_host_t *host, foresatt_arena_t *arena, const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : host->strdup(arena, PQgetvalue(res, row, col));
}

static int64_t val64(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : (int64_t)strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static foresatt_pupil_t *read_pupil(const foresatt_host_t *host, foresatt_arena_t *arena, const PGresult *res,
                                    int row)
{
    foresatt_pupil_t *p = host->alloc(arena, sizeof(*p));

    p->struct_size = sizeof(*p);
    p->pupil_id = val(host, arena, res, row, 0);
    p->number = val(host, arena, res, row, 1);
    p->school = val(host, arena, res, row, 2);
    p->enrollment = (foresatt_enrollment_t)val64(res, row, 3);
    p->consent.given_at = val64(res, row, 4);
    p->consent.until = val64(res, row, 5);
    p->consent.revoked_at = val64(res, row, 6);
    p->updated_at = val64(res, row, 7);
    return p;
}

static foresatt_guardian_t *read_guardian(const foresatt_host_t *host, foresatt_arena_t *arena, const PGresult *res,
                                          int row)
{
    foresatt_guardian_t *g = host->alloc(arena, sizeof(*g));

    g->struct_size = sizeof(*g);
    g->guardian_id = val64(res, row, 0);
    g->pupil_id = val(host, arena, res, row, 1);
    g->number = val(host, arena, res, row, 2);
    g->name = val(host, arena, res, row, 3);
    g->address = val(host, arena, res, row, 4);
    g->imported_phone = val(host, arena, res, row, 5);
    g->imported_emails = val(host, arena, res, row, 6);
    g->imported_at = val64(res, row, 7);
    g->edited_phone = val(host, arena, res, row, 8);
    g->edited_emails = val(host, arena, res, row, 9);
    g->edited_at = val64(res, row, 10);
    g->daily_care = (int)val64(res, row, 11);
    g->parental_responsibility = (int)val64(res, row, 12);
    g->addressee = (foresatt_addressee_t)val64(res, row, 13);
    g->fnr_use = (foresatt_fnr_use_t)val64(res, row, 14);
    su_guardian_effective(host, arena, g);
    return g;
}

static foresatt_result_t pupil_one(void *instance, enum stmt_id id, const char *key, foresatt_arena_t *arena,
                                   foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    const char *values[1] = {key};
    foresatt_result_t rc;
    PGresult *res;

    if (!su_str_ok(key, FORESATT_MAX_ID_LEN) || pupil == NULL)
        return plugin_say(status, FORESATT_ERROR, "no pupil id or number given, or too long");
    if (!su_utf8_ok(key))
        return FORESATT_NOT_FOUND; /* the roster is UTF-8: no pupil has this id */
    ACQUIRE(inst, c, status);
    res = run_read(inst, c, id, values);
    if (!res_ok(res))
        rc = pg_fail(c, res, status, "pupil lookup");
    else if (PQntuples(res) == 0)
        rc = FORESATT_NOT_FOUND;
    else
        *pupil = read_pupil(inst->host, arena, res, 0), rc = FORESATT_OK;
    PQclear(res);
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t pgsql_pupil_by_id(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                           foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    return pupil_one(instance, P_PUPIL_BY_ID, pupil_id, arena, pupil, status);
}

static foresatt_result_t pgsql_pupil_by_number(void *instance, const char *number, foresatt_arena_t *arena,
                                               foresatt_pupil_t **pupil, foresatt_status_t *status)
{
    return pupil_one(instance, P_PUPIL_BY_NUMBER, number, arena, pupil, status);
}

static foresatt_result_t pgsql_pupils_all(void *instance, foresatt_arena_t *arena, foresatt_pupil_t ***pupils,
                                          size_t *n, foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    foresatt_result_t rc = FORESATT_OK;
    PGresult *res;
    int i, rows;

    if (pupils == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointers");
    ACQUIRE(inst, c, status);
    res = run_read(inst, c, P_PUPILS_ALL, NULL);
    if (!res_ok(res)) {
        rc = pg_fail(c, res, status, "listing pupils");
    } else {
        rows = PQntuples(res);
        *pupils = inst->host->alloc(arena, (size_t)(rows ? rows : 1) * sizeof(foresatt_pupil_t *));
        for (i = 0; i < rows; i++)
            (*pupils)[i] = read_pupil(inst->host, arena, res, i);
        *n = (size_t)rows;
    }
    PQclear(res);
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t guardian_list(void *instance, enum stmt_id id, const char *key, foresatt_arena_t *arena,
                                       foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status,
                                       const char *what)
{
    pgsql_instance_t *inst = instance;
    const char *values[1] = {key};
    foresatt_result_t rc = FORESATT_OK;
    PGresult *res;
    int i, rows;
    size_t k = 0;

    if (guardians == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointers");
    ACQUIRE(inst, c, status);
    res = run_read(inst, c, id, key ? values : NULL);
    if (!res_ok(res)) {
        rc = pg_fail(c, res, status, what);
    } else {
        rows = PQntuples(res);
        if (rows == 0 && (id == P_G_BY_NUMBER || id == P_G_BY_PUPIL)) {
            rc = FORESATT_NOT_FOUND;
        } else {
            *guardians = inst->host->alloc(arena, (size_t)(rows ? rows : 1) * sizeof(foresatt_guardian_t *));
            for (i = 0; i < rows; i++)
                if (!PQgetisnull(res, i, 0)) /* the pupil-only row of a pupil without guardians */
                    (*guardians)[k++] = read_guardian(inst->host, arena, res, i);
            *n = k;
        }
    }
    PQclear(res);
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t pgsql_guardian_links(void *instance, const char *number, foresatt_arena_t *arena,
                                              foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    if (!su_number_ok(number))
        return plugin_say(status, FORESATT_ERROR, "the guardian number must be 11 digits");
    return guardian_list(instance, P_G_BY_NUMBER, number, arena, guardians, n, status, "guardian lookup");
}

static foresatt_result_t pgsql_pupil_guardians(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                               foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status)
{
    if (!su_str_ok(pupil_id, FORESATT_MAX_ID_LEN))
        return plugin_say(status, FORESATT_ERROR, "no pupil id given, or too long");
    if (!su_utf8_ok(pupil_id))
        return FORESATT_NOT_FOUND;
    return guardian_list(instance, P_G_BY_PUPIL, pupil_id, arena, guardians, n, status, "listing guardians");
}

static foresatt_result_t pgsql_paper_list(void *instance, foresatt_arena_t *arena, foresatt_guardian_t ***guardians,
                                          size_t *n, foresatt_status_t *status)
{
    return guardian_list(instance, P_G_PAPER, NULL, arena, guardians, n, status, "paper list");
}

static foresatt_result_t pgsql_contact_conflicts(void *instance, foresatt_arena_t *arena,
                                                 foresatt_guardian_t ***guardians, size_t *n,
                                                 foresatt_status_t *status)
{
    return guardian_list(instance, P_G_CONFLICTS, NULL, arena, guardians, n, status, "listing contact conflicts");
}

/* --- writes ------------------------------------------------------------------------------------ */

static foresatt_result_t pgsql_contact_update(void *instance, const char *number, const char *phone,
                                              const char *const *emails, size_t n_emails, int64_t at,
                                              foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    char joined[SU_EMAILS_MAX], at_s[24];
    const char *values[4];
    foresatt_result_t rc = FORESATT_OK;
    PGresult *res;

    if ((rc = su_contact_args(number, phone, emails, n_emails, at, joined, status)) != FORESATT_OK)
        return rc;
    snprintf(at_s, sizeof(at_s), "%" PRId64, at);
    values[0] = number;
    values[1] = phone && *phone ? phone : NULL;
    values[2] = n_emails ? joined : NULL;
    values[3] = at_s;
    ACQUIRE(inst, c, status);
    if (!begin(inst, c)) {
        rc = pg_fail(c, NULL, status, "contact update");
        goto out;
    }
    res = run(c, P_G_NUMBER_EXISTS, values);
    if (!res_ok(res)) {
        rc = pg_fail(c, res, status, "contact update");
    } else if (PQntuples(res) == 0) {
        rc = FORESATT_NOT_FOUND;
    } else if (!run_ok(c, P_EDIT_UPSERT, values) || !run_ok(c, P_REV_BUMP, NULL) || !exec_ok(c, "COMMIT")) {
        rc = pg_fail(c, NULL, status, "contact update");
    }
    PQclear(res);
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t consent_change(void *instance, const char *pupil_id, int give, int64_t at, int64_t until,
                                        foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    char at_s[24], until_s[24];
    const char *values[3] = {pupil_id, at_s, until_s};
    foresatt_result_t rc = FORESATT_OK;
    int64_t given, revoked;
    PGresult *res;

    if ((rc = su_consent_args(pupil_id, at, until, status)) != FORESATT_OK)
        return rc;
    if (!su_utf8_ok(pupil_id))
        return FORESATT_NOT_FOUND;
    snprintf(at_s, sizeof(at_s), "%" PRId64, at);
    snprintf(until_s, sizeof(until_s), "%" PRId64, until);
    ACQUIRE(inst, c, status);
    if (!begin(inst, c)) {
        rc = pg_fail(c, NULL, status, "consent");
        goto out;
    }
    res = run(c, P_CONSENT_GET, values);
    if (!res_ok(res)) {
        rc = pg_fail(c, res, status, "consent");
        PQclear(res);
        goto out;
    }
    if (PQntuples(res) == 0) {
        PQclear(res);
        rc = FORESATT_NOT_FOUND;
        goto out;
    }
    given = val64(res, 0, 0);
    revoked = val64(res, 0, 1);
    PQclear(res);
    if (!give && given == 0) {
        rc = FORESATT_NOT_FOUND;
        goto out;
    }
    if (!give && revoked != 0)
        goto out; /* revoked already: keep the first time */
    if (!run_ok(c, give ? P_CONSENT_GIVE : P_CONSENT_REVOKE, values) || !run_ok(c, P_REV_BUMP, NULL) ||
        !exec_ok(c, "COMMIT"))
        rc = pg_fail(c, NULL, status, "consent");
out:
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t pgsql_consent_give(void *instance, const char *pupil_id, int64_t at, int64_t until,
                                            foresatt_status_t *status)
{
    return consent_change(instance, pupil_id, 1, at, until, status);
}

static foresatt_result_t pgsql_consent_revoke(void *instance, const char *pupil_id, int64_t at,
                                              foresatt_status_t *status)
{
    return consent_change(instance, pupil_id, 0, at, 0, status);
}

static foresatt_result_t pgsql_audit_append(void *instance, const foresatt_audit_entry_t *entries, size_t n,
                                            foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    buf_t cols[8];
    const char *values[8], *why = NULL;
    foresatt_result_t rc = FORESATT_OK;
    PGresult *res = NULL;
    size_t i;
    int k, tries;

    if (n == 0)
        return FORESATT_OK;
    if (entries == NULL)
        return plugin_say(status, FORESATT_ERROR, "no entries");
    for (i = 0; i < n; i++)
        if (!su_audit_entry_ok(&entries[i], &why))
            return plugin_say(status, FORESATT_ERROR, "audit entry %zu: %s; nothing was written", i + 1, why);
    /* One statement for the batch: eight arrays, unnested side by side. */
    memset(cols, 0, sizeof(cols));
    for (k = 0; k < 8; k++)
        buf_add(&cols[k], "{", 1);
    for (i = 0; i < n; i++) {
        const foresatt_audit_entry_t *e = &entries[i];
        char num[24];
        snprintf(num, sizeof(num), "%" PRId64, e->at);
        buf_array_elem(&cols[0], num, i == 0);
        buf_array_elem(&cols[1], e->actor, i == 0);
        snprintf(num, sizeof(num), "%d", (int)e->role);
        buf_array_elem(&cols[2], num, i == 0);
        buf_array_elem(&cols[3], e->pupil_id, i == 0);
        buf_array_elem(&cols[4], e->action, i == 0);
        buf_array_elem(&cols[5], e->decision, i == 0);
        buf_array_elem(&cols[6], e->reason, i == 0);
        buf_array_elem(&cols[7], e->detail, i == 0);
    }
    for (k = 0; k < 8; k++) {
        buf_add(&cols[k], "}", 1);
        if (cols[k].oom)
            rc = plugin_say(status, FORESATT_ERROR, "out of memory");
        values[k] = cols[k].p;
    }
    if (rc == FORESATT_OK) {
        pgsql_instance_t *in = inst;
        foresatt_result_t acquire_rc = FORESATT_ERROR;
        pconn_t *c = conn_get(in, status, &acquire_rc);
        if (c == NULL) {
            rc = acquire_rc;
        } else {
            /* A single statement commits or not as a whole; one retry after a dropped session is safe
             * only when the failure was the connection itself, before the server saw the statement. */
            for (tries = 0; tries < 2; tries++) {
                PQclear(res);
                res = run(c, P_AUDIT_INSERT, values);
                if (res_ok(res) || PQstatus(c->pg) != CONNECTION_BAD || tries == 1 || !conn_reset(in, c))
                    break;
            }
            if (!res_ok(res))
                rc = pg_fail(c, res, status, "audit append");
            PQclear(res);
            conn_put(in, c);
        }
    }
    for (k = 0; k < 8; k++)
        free(cols[k].p);
    return rc;
}

static foresatt_result_t pgsql_audit_query(void *instance, const foresatt_audit_filter_t *filter,
                                           foresatt_arena_t *arena, foresatt_audit_entry_t **entries, size_t *n,
                                           foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    const foresatt_host_t *host = inst->host;
    char since[24], until[24], limit[24];
    const char *values[5] = {since, until, limit, NULL, NULL};
    foresatt_result_t rc = FORESATT_OK;
    PGresult *res;
    int i, rows;

    if (filter == NULL || entries == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "no filter or result pointers");
    if (!su_opt_str_ok(filter->pupil_id, FORESATT_MAX_ID_LEN))
        return plugin_say(status, FORESATT_ERROR, "pupil id too long");
    if (!su_opt_str_ok(filter->actor, FORESATT_MAX_AUDIT_FIELD_LEN))
        return plugin_say(status, FORESATT_ERROR, "actor too long");
    if (!su_utf8_ok(filter->pupil_id) || !su_utf8_ok(filter->actor)) {
        *entries = host->alloc(arena, sizeof(foresatt_audit_entry_t));
        *n = 0;
        return FORESATT_OK;
    }
    snprintf(since, sizeof(since), "%" PRId64, filter->since);
    snprintf(until, sizeof(until), "%" PRId64, filter->until ? filter->until : INT64_MAX);
    if (filter->limit)
        snprintf(limit, sizeof(limit), "%zu", filter->limit);
    else
        values[2] = NULL; /* LIMIT NULL: all */
    values[3] = filter->pupil_id;
    values[4] = filter->actor;
    ACQUIRE(inst, c, status);
    res = run_read(inst, c, filter->actor ? P_AUDIT_Q_ACTOR : filter->pupil_id ? P_AUDIT_Q_PUPIL : P_AUDIT_Q, values);
    if (!res_ok(res)) {
        rc = pg_fail(c, res, status, "audit query");
    } else {
        rows = PQntuples(res);
        *entries = host->alloc(arena, (size_t)(rows ? rows : 1) * sizeof(foresatt_audit_entry_t));
        for (i = 0; i < rows; i++) {
            foresatt_audit_entry_t *e = &(*entries)[i];
            e->struct_size = sizeof(*e);
            e->at = val64(res, i, 0);
            e->actor = val(host, arena, res, i, 1);
            e->role = (foresatt_role_t)val64(res, i, 2);
            e->pupil_id = val(host, arena, res, i, 3);
            e->action = val(host, arena, res, i, 4);
            e->decision = val(host, arena, res, i, 5);
            e->reason = val(host, arena, res, i, 6);
            e->detail = val(host, arena, res, i, 7);
        }
        *n = (size_t)rows;
    }
    PQclear(res);
    conn_put(inst, c);
    return rc;
}

/* --- import ------------------------------------------------------------------------------------ */

/* Two counts from a "SELECT count(...), count(...)" result. */
static int counts(PGresult *res, size_t *a, size_t *b)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        return 0;
    *a = (size_t)strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    if (b)
        *b = (size_t)strtoull(PQgetvalue(res, 0, 1), NULL, 10);
    return 1;
}

static int copy_rows(pconn_t *c, const foresatt_roster_row_t *rows, size_t n)
{
    PGresult *res = PQexec(c->pg, "COPY import_row FROM STDIN");
    buf_t b = {0};
    size_t i;
    int ok;

    ok = PQresultStatus(res) == PGRES_COPY_IN;
    PQclear(res);
    if (!ok)
        return 0;
    for (i = 0; i < n && ok; i++) {
        const foresatt_roster_row_t *r = &rows[i];
        char key[FORESATT_MAX_NAME_LEN + 16], num[8];
        buf_copy_field(&b, r->pupil_id, 0);
        buf_copy_field(&b, r->pupil_number, 0);
        buf_copy_field(&b, r->school, 0);
        snprintf(num, sizeof(num), "%d", (int)r->enrollment);
        buf_copy_field(&b, num, 0);
        buf_copy_field(&b, r->consent_extended ? "1" : "0", 0);
        buf_copy_field(&b, r->guardian_name ? su_guardian_key(r, key, sizeof(key)) : NULL, 0);
        buf_copy_field(&b, r->guardian_number, 0);
        buf_copy_field(&b, r->guardian_name, 0);
        buf_copy_field(&b, r->guardian_address, 0);
        buf_copy_field(&b, r->guardian_phone, 0);
        buf_copy_field(&b, r->guardian_emails, 0);
        buf_copy_field(&b, r->daily_care ? "1" : "0", 0);
        buf_copy_field(&b, r->parental_responsibility ? "1" : "0", 0);
        snprintf(num, sizeof(num), "%d", (int)r->addressee);
        buf_copy_field(&b, num, 0);
        snprintf(num, sizeof(num), "%d", (int)r->fnr_use);
        buf_copy_field(&b, r->guardian_name ? num : NULL, 1);
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
    return ok;
}

static const char *const import_pupils_sql =
    "WITH src AS (SELECT DISTINCT ON (pupil_id) pupil_id, pupil_number, school, enrollment, consent "
    "             FROM import_row ORDER BY pupil_id), "
    "up AS (INSERT INTO pupil (pupil_id, number, school, enrollment, consent_given_at, updated_at) "
    "       SELECT pupil_id, pupil_number, school, enrollment, CASE WHEN consent = 1 THEN $1::bigint ELSE 0 END, "
    "              $1::bigint FROM src "
    "       ON CONFLICT (pupil_id) DO UPDATE SET number = EXCLUDED.number, school = EXCLUDED.school, "
    "         enrollment = EXCLUDED.enrollment, "
    "         updated_at = CASE WHEN (pupil.number, pupil.school, pupil.enrollment) IS DISTINCT FROM "
    "           (EXCLUDED.number, EXCLUDED.school, EXCLUDED.enrollment) THEN EXCLUDED.updated_at "
    "           ELSE pupil.updated_at END, "
    "         consent_given_at = CASE WHEN pupil.consent_given_at = 0 THEN EXCLUDED.consent_given_at "
    "           ELSE pupil.consent_given_at END "
    "       WHERE (pupil.number, pupil.school, pupil.enrollment) IS DISTINCT FROM "
    "           (EXCLUDED.number, EXCLUDED.school, EXCLUDED.enrollment) "
    "         OR (pupil.consent_given_at = 0 AND EXCLUDED.consent_given_at <> 0) "
    "       RETURNING (xmax = 0) AS inserted) "
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up";

static const char *const import_guardians_sql =
    "WITH up AS (INSERT INTO guardian (pupil_id, gkey, number, name, address, phone, emails, imported_at, "
    "            daily_care, parental_responsibility, addressee, fnr_use) "
    "       SELECT pupil_id, gkey, number, name, address, phone, emails, $1::bigint, daily_care, parental, "
    "              addressee, fnr_use FROM import_row WHERE gkey IS NOT NULL "
    "       ON CONFLICT (pupil_id, gkey) DO UPDATE SET name = EXCLUDED.name, address = EXCLUDED.address, "
    "         phone = EXCLUDED.phone, emails = EXCLUDED.emails, "
    "         imported_at = CASE WHEN (guardian.phone, guardian.emails) IS DISTINCT FROM "
    "           (EXCLUDED.phone, EXCLUDED.emails) THEN EXCLUDED.imported_at ELSE guardian.imported_at END, "
    "         daily_care = EXCLUDED.daily_care, parental_responsibility = EXCLUDED.parental_responsibility, "
    "         addressee = EXCLUDED.addressee "
    "       WHERE (guardian.name, guardian.address, guardian.phone, guardian.emails, guardian.daily_care, "
    "              guardian.parental_responsibility, guardian.addressee) IS DISTINCT FROM "
    "             (EXCLUDED.name, EXCLUDED.address, EXCLUDED.phone, EXCLUDED.emails, EXCLUDED.daily_care, "
    "              EXCLUDED.parental_responsibility, EXCLUDED.addressee) "
    "       RETURNING (xmax = 0) AS inserted) "
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up";

static const char *const import_remove_sql =
    "WITH gone AS (DELETE FROM guardian g WHERE g.pupil_id IN (SELECT pupil_id FROM import_row) "
    "  AND NOT EXISTS (SELECT 1 FROM import_row i WHERE i.pupil_id = g.pupil_id AND i.gkey = g.gkey) "
    "  RETURNING 1) SELECT count(*) FROM gone";

static const char *const import_conflicts_sql =
    "SELECT count(*) FROM import_row i JOIN guardian g ON g.pupil_id = i.pupil_id AND g.gkey = i.gkey "
    "JOIN contact_edit e ON e.number = i.number WHERE e.edited_at > g.imported_at "
    "AND (e.phone IS DISTINCT FROM i.phone OR e.emails IS DISTINCT FROM i.emails)";

static const char *const edit_orphans_sql =
    "DELETE FROM contact_edit e WHERE NOT EXISTS (SELECT 1 FROM guardian g WHERE g.number = e.number)";

/* The register's word on numbers nobody holds any more serves nothing (replacements stay: a roster
 * may still name the old number). */
static const char *const register_orphans_sql =
    "DELETE FROM register_person r WHERE replaced_by IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM pupil p WHERE p.number = r.number) "
    "AND NOT EXISTS (SELECT 1 FROM guardian g WHERE g.number = r.number)";

#define SU_INVALIDATIONS_KEPT_SQL "172800" /* SU_INVALIDATIONS_KEPT */

/* ABI 1.2: the roster as the register has it. A number the register replaced is read as the one in
 * use (replacements are kept one hop deep), a guardian's graded address is dropped, and a pupil and
 * number named twice by then keep one row. */
static const char *const as_the_register_says_sql =
    "UPDATE import_row i SET pupil_number = r.replaced_by FROM register_person r "
    "  WHERE r.number = i.pupil_number AND r.replaced_by IS NOT NULL;"
    "UPDATE import_row i SET number = r.replaced_by, gkey = r.replaced_by FROM register_person r "
    "  WHERE r.number = i.number AND r.replaced_by IS NOT NULL;"
    "UPDATE import_row i SET address = NULL FROM register_person r "
    "  WHERE r.number = i.number AND r.address_protected = 1 AND i.address IS NOT NULL;"
    "DELETE FROM import_row a USING import_row b WHERE a.ctid > b.ctid AND a.pupil_id = b.pupil_id "
    "  AND a.gkey = b.gkey AND a.number IS NOT NULL AND EXISTS (SELECT 1 FROM register_person r "
    "  WHERE r.replaced_by = a.number)";

/* Imports and purges of one schema take turns (a transaction-scoped advisory lock). */
static int lock_writers(pgsql_instance_t *inst, pconn_t *c)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(hashtext('mod_foresatt writer %s'))", inst->schema);
    return exec_ok(c, sql);
}

static PGresult *exec1(pconn_t *c, const char *sql, const char *param)
{
    const char *values[1] = {param};
    return PQexecParams(c->pg, sql, param ? 1 : 0, NULL, param ? values : NULL, NULL, NULL, 0);
}

static foresatt_result_t pgsql_import_roster(void *instance, const foresatt_roster_row_t *rows, size_t n, int64_t at,
                                             foresatt_import_stats_t *stats, foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    foresatt_import_stats_t s;
    foresatt_result_t rc = FORESATT_OK;
    const char *why = NULL;
    char at_s[24];
    PGresult *res = NULL;
    size_t i;

    if (stats == NULL || (n && rows == NULL) || at <= 0)
        return plugin_say(status, FORESATT_ERROR, "import needs rows, a time and a stats struct");
    for (i = 0; i < n; i++)
        if (!su_roster_row_ok(&rows[i], &why))
            return plugin_say(status, FORESATT_ERROR, "row %zu: %s; nothing was imported", i + 1, why);
    memset(&s, 0, sizeof(s));
    snprintf(at_s, sizeof(at_s), "%" PRId64, at);
    ACQUIRE(inst, c, status);
    if (!begin(inst, c) || !exec_ok(c, "SET LOCAL statement_timeout = 0") || !lock_writers(inst, c) ||
        !exec_ok(c, "TRUNCATE import_row") || !copy_rows(c, rows, n) || !exec_ok(c, as_the_register_says_sql) ||
        !exec_ok(c, "ANALYZE import_row"))
        goto fail;
#define STEP(sql, param, a, b)                                                                                 \
    do {                                                                                                       \
        res = exec1(c, sql, param);                                                                            \
        if (!counts(res, a, b))                                                                                \
            goto fail;                                                                                         \
        PQclear(res);                                                                                          \
        res = NULL;                                                                                            \
    } while (0)
    STEP(import_pupils_sql, at_s, &s.pupils_added, &s.pupils_updated);
    STEP(import_guardians_sql, at_s, &s.guardians_added, &s.guardians_updated);
    STEP(import_remove_sql, NULL, &s.guardians_removed, NULL);
    STEP(import_conflicts_sql, NULL, &s.contact_conflicts, NULL);
#undef STEP
    if (!exec_ok(c, edit_orphans_sql))
        goto fail;
    if ((s.pupils_added || s.pupils_updated || s.guardians_added || s.guardians_updated || s.guardians_removed) &&
        !run_ok(c, P_REV_BUMP, NULL))
        goto fail;
    if (!exec_ok(c, "COMMIT"))
        goto fail;
    *stats = s;
    conn_put(inst, c);
    return FORESATT_OK;
fail:
    rc = pg_fail(c, res, status, "import");
    PQclear(res);
    conn_put(inst, c); /* rolls back */
    return rc;
}

/* --- retention --------------------------------------------------------------------------------- */

static foresatt_result_t pgsql_purge(void *instance, const char *const *pupil_ids, size_t n, int64_t now,
                                     int64_t audit_before, int dry_run, foresatt_purge_stats_t *stats,
                                     foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    foresatt_purge_stats_t s;
    foresatt_result_t rc = FORESATT_OK;
    char now_s[24], before_s[24];
    buf_t ids = {0};
    PGresult *res = NULL;
    size_t i;

    if (stats == NULL || (n && pupil_ids == NULL) || now <= 0 || audit_before < 0)
        return plugin_say(status, FORESATT_ERROR, "purge needs a time and a stats struct");
    for (i = 0; i < n; i++)
        if (!su_str_ok(pupil_ids[i], FORESATT_MAX_ID_LEN))
            return plugin_say(status, FORESATT_ERROR, "pupil id %zu is empty or too long; nothing was deleted", i + 1);
    buf_add(&ids, "{", 1);
    for (i = 0; i < n; i++)
        buf_array_elem(&ids, pupil_ids[i], i == 0);
    buf_add(&ids, "}", 1);
    if (ids.oom) {
        free(ids.p);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    memset(&s, 0, sizeof(s));
    snprintf(now_s, sizeof(now_s), "%" PRId64, now);
    snprintf(before_s, sizeof(before_s), "%" PRId64, audit_before);
    {
        foresatt_result_t acquire_rc = FORESATT_ERROR;
        pconn_t *c = conn_get(inst, status, &acquire_rc);
        if (c == NULL) {
            free(ids.p);
            return acquire_rc;
        }
        if (!begin(inst, c) || !exec_ok(c, "SET LOCAL statement_timeout = 0") || !lock_writers(inst, c))
            goto fail;
        /* Delete for real even in a dry run, then roll back: the counts are exactly what would go. */
        res = exec1(c, "WITH d AS (DELETE FROM guardian WHERE pupil_id = ANY ($1::text[]) RETURNING pupil_id) "
                       "SELECT count(DISTINCT pupil_id), count(*) FROM d",
                    ids.p);
        if (!counts(res, &s.pupils, &s.guardians))
            goto fail;
        PQclear(res);
        /* ABI 1.2: what a death the register recorded handed to retention */
        {
            size_t k, more;
            res = exec1(c, "WITH d AS (DELETE FROM guardian WHERE pupil_id IN (SELECT p.pupil_id FROM pupil p "
                           "JOIN register_person r ON r.number = p.number WHERE r.deceased_at IS NOT NULL) "
                           "RETURNING pupil_id) SELECT count(DISTINCT pupil_id), count(*) FROM d",
                        NULL);
            if (!counts(res, &k, &more))
                goto fail;
            s.pupils += k;
            s.guardians += more;
            PQclear(res);
            res = exec1(c, "WITH d AS (DELETE FROM guardian WHERE number IN (SELECT number FROM register_person "
                           "WHERE deceased_at IS NOT NULL) RETURNING 1) SELECT count(*) FROM d",
                        NULL);
            if (!counts(res, &more, NULL))
                goto fail;
            s.guardians += more;
            PQclear(res);
        }
        res = exec1(c, "WITH d AS (UPDATE pupil SET consent_given_at = 0, consent_until = 0, consent_revoked_at = 0 "
                       "WHERE consent_given_at <> 0 AND (consent_revoked_at <> 0 OR "
                       "(consent_until <> 0 AND consent_until <= $1::bigint)) RETURNING 1) SELECT count(*) FROM d",
                    now_s);
        if (!counts(res, &s.consents, NULL))
            goto fail;
        PQclear(res);
        res = NULL;
        if (audit_before > 0) {
            res = exec1(c, "WITH d AS (DELETE FROM audit WHERE at < $1::bigint RETURNING 1) SELECT count(*) FROM d",
                        before_s);
            if (!counts(res, &s.audit, NULL))
                goto fail;
            PQclear(res);
            res = NULL;
        }
        res = exec1(c, "DELETE FROM invalidation WHERE at < $1::bigint - " SU_INVALIDATIONS_KEPT_SQL, now_s);
        if (!res_ok(res))
            goto fail;
        PQclear(res);
        res = NULL;
        if (!exec_ok(c, edit_orphans_sql) || !exec_ok(c, register_orphans_sql) ||
            ((s.guardians || s.consents) && !run_ok(c, P_REV_BUMP, NULL)) ||
            !exec_ok(c, dry_run ? "ROLLBACK" : "COMMIT"))
            goto fail;
        *stats = s;
        conn_put(inst, c);
        free(ids.p);
        return FORESATT_OK;
    fail:
        rc = pg_fail(c, res, status, "purge");
        PQclear(res);
        conn_put(inst, c);
        free(ids.p);
        return rc;
    }
}

static foresatt_result_t pgsql_revision(void *instance, int64_t *revision, foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    foresatt_result_t rc = FORESATT_OK;
    PGresult *res;

    if (revision == NULL)
        return plugin_say(status, FORESATT_ERROR, "no result pointer");
    ACQUIRE(inst, c, status);
    res = run_read(inst, c, P_REV_GET, NULL);
    if (!res_ok(res) || PQntuples(res) != 1)
        rc = pg_fail(c, res, status, "revision");
    else
        *revision = val64(res, 0, 0);
    PQclear(res);
    conn_put(inst, c);
    return rc;
}

/* --- ABI 1.2: the register's changes ----------------------------------------------------------- */

static PGresult *execp(pconn_t *c, const char *sql, int n, const char *const *values)
{
    return PQexecParams(c->pg, sql, n, NULL, values, NULL, NULL, 0);
}

static int execp_ok(pconn_t *c, const char *sql, int n, const char *const *values)
{
    PGresult *res = execp(c, sql, n, values);
    int ok = res_ok(res);
    PQclear(res);
    return ok;
}

/* {"a","b",...} of identity numbers (already checked to be digits). */
static int number_array(buf_t *b, const char *const *numbers, size_t n)
{
    size_t i;

    buf_add(b, "{", 1);
    for (i = 0; i < n; i++)
        buf_array_elem(b, numbers[i], i == 0);
    buf_add(b, "}", 1);
    return !b->oom;
}

static foresatt_result_t pgsql_numbers_held(void *instance, const char *const *numbers, size_t n, unsigned *held,
                                            foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    foresatt_result_t rc;
    buf_t arr = {0};
    PGresult *res;
    size_t i;

    if ((rc = su_held_args(numbers, n, held, status)) != FORESATT_OK || n == 0)
        return rc;
    if (!number_array(&arr, numbers, n)) {
        free(arr.p);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    {
        const char *values[1] = {arr.p};
        foresatt_result_t acquire_rc = FORESATT_ERROR;
        pconn_t *c = conn_get(inst, status, &acquire_rc);
        if (c == NULL) {
            free(arr.p);
            return acquire_rc;
        }
        res = execp(c, "SELECT EXISTS (SELECT 1 FROM pupil WHERE number = t.n), "
                       "EXISTS (SELECT 1 FROM guardian WHERE number = t.n), "
                       "COALESCE((SELECT deceased_at IS NOT NULL FROM register_person WHERE number = t.n), false), "
                       "COALESCE((SELECT address_protected = 1 FROM register_person WHERE number = t.n), false) "
                       "FROM unnest($1::text[]) WITH ORDINALITY AS t(n, i) ORDER BY t.i",
                    1, values);
        if (PQresultStatus(res) != PGRES_TUPLES_OK || (size_t)PQntuples(res) != n) {
            rc = pg_fail(c, res, status, "numbers_held");
        } else {
            for (i = 0; i < n; i++) {
                held[i] = (PQgetvalue(res, (int)i, 0)[0] == 't' ? FORESATT_HELD_PUPIL : 0u) |
                          (PQgetvalue(res, (int)i, 1)[0] == 't' ? FORESATT_HELD_GUARDIAN : 0u);
                if (held[i])
                    held[i] |= (PQgetvalue(res, (int)i, 2)[0] == 't' ? FORESATT_HELD_DECEASED : 0u) |
                               (PQgetvalue(res, (int)i, 3)[0] == 't' ? FORESATT_HELD_PROTECTED : 0u);
            }
            rc = FORESATT_OK;
        }
        PQclear(res);
        conn_put(inst, c);
    }
    free(arr.p);
    return rc;
}

static int apply_one(pconn_t *c, const foresatt_register_change_t *x, const char *now)
{
    const char *from = x->number, *to = x->new_number;
    char at[24];

    switch (x->kind) {
    case FORESATT_CHANGE_RECHECK:
        return 1;
    case FORESATT_CHANGE_GUARDIAN_DETAILS: {
        const char *v[4] = {from, x->name, x->address, now};
        return execp_ok(c, "INSERT INTO register_person (number, name, address, updated_at) "
                           "VALUES ($1, $2, $3, $4::bigint) ON CONFLICT (number) DO UPDATE SET name = EXCLUDED.name, "
                           "address = EXCLUDED.address, address_protected = CASE WHEN EXCLUDED.address IS NULL "
                           "THEN register_person.address_protected ELSE 0 END, updated_at = EXCLUDED.updated_at",
                        4, v);
    }
    case FORESATT_CHANGE_ADDRESS_PROTECTED: {
        const char *v[2] = {from, now};
        return execp_ok(c, "INSERT INTO register_person (number, address_protected, updated_at) "
                           "VALUES ($1, 1, $2::bigint) ON CONFLICT (number) DO UPDATE SET address = NULL, "
                           "address_protected = 1, updated_at = EXCLUDED.updated_at",
                        2, v) &&
               execp_ok(c, "UPDATE guardian SET address = NULL WHERE number = $1 AND address IS NOT NULL", 1, v);
    }
    case FORESATT_CHANGE_DECEASED: {
        const char *v[3] = {from, at, now};
        snprintf(at, sizeof(at), "%" PRId64, x->at);
        return execp_ok(c, "INSERT INTO register_person (number, deceased_at, updated_at) "
                           "VALUES ($1, $2::bigint, $3::bigint) ON CONFLICT (number) DO UPDATE SET "
                           "deceased_at = EXCLUDED.deceased_at, updated_at = EXCLUDED.updated_at",
                        3, v);
    }
    case FORESATT_CHANGE_ALIVE: {
        const char *v[2] = {from, now};
        return execp_ok(c, "UPDATE register_person SET deceased_at = NULL, updated_at = $2::bigint WHERE number = $1",
                        2, v);
    }
    case FORESATT_CHANGE_NUMBER: {
        const char *v[3] = {from, to, now};
        const char *a[2] = {x->actor, x->new_actor};
        return execp_ok(c, "UPDATE pupil SET number = $2 WHERE number = $1", 2, v) &&
               execp_ok(c, "DELETE FROM guardian WHERE number = $1 AND pupil_id IN "
                           "(SELECT pupil_id FROM guardian WHERE number = $2)", 2, v) &&
               execp_ok(c, "UPDATE guardian SET number = $2, gkey = $2 WHERE number = $1", 2, v) &&
               execp_ok(c, "UPDATE contact_edit SET number = $2 WHERE number = $1 AND NOT EXISTS "
                           "(SELECT 1 FROM contact_edit WHERE number = $2)", 2, v) &&
               execp_ok(c, "DELETE FROM contact_edit WHERE number = $1", 1, v) &&
               execp_ok(c, "UPDATE register_person SET replaced_by = NULL WHERE number = $1", 1, v + 1) &&
               execp_ok(c, "INSERT INTO register_person (number, name, address, address_protected, deceased_at, "
                           "updated_at) SELECT $2, name, address, address_protected, deceased_at, $3::bigint "
                           "FROM register_person WHERE number = $1 AND replaced_by IS NULL "
                           "ON CONFLICT (number) DO NOTHING", 3, v) &&
               execp_ok(c, "INSERT INTO register_person (number, replaced_by, updated_at) VALUES ($1, $2, $3::bigint) "
                           "ON CONFLICT (number) DO UPDATE SET replaced_by = EXCLUDED.replaced_by, name = NULL, "
                           "address = NULL, address_protected = 0, deceased_at = NULL, "
                           "updated_at = EXCLUDED.updated_at", 3, v) &&
               execp_ok(c, "UPDATE register_person SET replaced_by = $2 WHERE replaced_by = $1", 2, v) &&
               (x->actor == NULL || execp_ok(c, "UPDATE audit SET actor = $2 WHERE actor = $1", 2, a));
    }
    }
    return 0;
}

static foresatt_result_t pgsql_register_apply(void *instance, const foresatt_register_change_t *changes, size_t n,
                                              const char *feed, int64_t feed_sequence, foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    char now[24], seq[24], rev[24] = "0";
    foresatt_result_t rc;
    PGresult *res = NULL;
    size_t i;

    if ((rc = su_register_args(changes, n, feed, feed_sequence, status)) != FORESATT_OK)
        return rc;
    snprintf(now, sizeof(now), "%" PRId64, (int64_t)time(NULL));
    snprintf(seq, sizeof(seq), "%" PRId64, feed_sequence);
    ACQUIRE(inst, c, status);
    /* in turn with imports and purges: a roster read as the register says needs the register's word whole */
    if (!begin(inst, c) || !lock_writers(inst, c))
        goto fail;
    if (feed && n > 0) {
        const char *v[1] = {feed};
        res = execp(c, "SELECT sequence FROM feed_position WHERE feed = $1", 1, v);
        if (PQresultStatus(res) != PGRES_TUPLES_OK)
            goto fail;
        if (PQntuples(res) == 1 && strtoll(PQgetvalue(res, 0, 0), NULL, 10) >= feed_sequence) {
            PQclear(res);
            res = NULL;
            if (!exec_ok(c, "COMMIT")) /* another follower applied this event already: nothing twice */
                goto fail;
            conn_put(inst, c);
            return FORESATT_OK;
        }
        PQclear(res);
        res = NULL;
    }
    if (n > 0) {
        res = PQexec(c->pg, "UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value");
        if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
            goto fail;
        snprintf(rev, sizeof(rev), "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        res = NULL;
    }
    for (i = 0; i < n; i++) {
        const char *v[3] = {rev, changes[i].number, now};
        const char *w[3] = {rev, changes[i].new_number, now};
        const char *sql = "INSERT INTO invalidation (revision, number, at) VALUES ($1::bigint, $2, $3::bigint)";
        if (!apply_one(c, &changes[i], now) || !execp_ok(c, sql, 3, v) ||
            (changes[i].kind == FORESATT_CHANGE_NUMBER && !execp_ok(c, sql, 3, w)))
            goto fail;
    }
    {
        const char *v[1] = {now};
        const char *f[3] = {feed, seq, now};
        if (!execp_ok(c, "UPDATE invalidation_floor SET revision = GREATEST(revision, COALESCE((SELECT MAX(revision) "
                         "FROM invalidation WHERE at < $1::bigint - " SU_INVALIDATIONS_KEPT_SQL "), 0)) WHERE id = 1",
                      1, v) ||
            !execp_ok(c, "DELETE FROM invalidation WHERE at < $1::bigint - " SU_INVALIDATIONS_KEPT_SQL, 1, v) ||
            (feed && !execp_ok(c, "INSERT INTO feed_position (feed, sequence, updated_at) VALUES ($1, $2::bigint, "
                                  "$3::bigint) ON CONFLICT (feed) DO UPDATE SET sequence = EXCLUDED.sequence, "
                                  "updated_at = EXCLUDED.updated_at",
                               3, f)) ||
            !exec_ok(c, "COMMIT"))
            goto fail;
    }
    conn_put(inst, c);
    return FORESATT_OK;
fail:
    rc = pg_fail(c, res, status, "register_apply");
    PQclear(res);
    conn_put(inst, c); /* rolls back */
    return rc;
}

static foresatt_result_t pgsql_feed_position(void *instance, const char *feed, int64_t *sequence,
                                             foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    const char *v[1] = {feed};
    foresatt_result_t rc;
    PGresult *res;

    if (!su_str_ok(feed, FORESATT_MAX_ID_LEN) || sequence == NULL)
        return plugin_say(status, FORESATT_ERROR, "feed_position: a feed name of 1 to %d bytes", FORESATT_MAX_ID_LEN);
    *sequence = 0;
    ACQUIRE(inst, c, status);
    res = execp(c, "SELECT sequence FROM feed_position WHERE feed = $1", 1, v);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_fail(c, res, status, "feed_position");
    } else if (PQntuples(res) == 0) {
        rc = FORESATT_NOT_FOUND;
    } else {
        *sequence = val64(res, 0, 0);
        rc = FORESATT_OK;
    }
    PQclear(res);
    conn_put(inst, c);
    return rc;
}

static foresatt_result_t pgsql_invalidations_since(void *instance, int64_t revision, foresatt_arena_t *arena,
                                                   const char ***numbers, size_t *n, foresatt_status_t *status)
{
    pgsql_instance_t *inst = instance;
    char since[24];
    const char *v[1] = {since};
    foresatt_result_t rc;
    PGresult *res;
    int i, rows;

    if (numbers == NULL || n == NULL)
        return plugin_say(status, FORESATT_ERROR, "invalidations_since: no result pointers");
    *numbers = NULL;
    *n = 0;
    snprintf(since, sizeof(since), "%" PRId64, revision);
    ACQUIRE(inst, c, status);
    /* one statement: the floor and the numbers from the same snapshot */
    res = execp(c, "SELECT NULL::text WHERE $1::bigint < (SELECT revision FROM invalidation_floor WHERE id = 1) "
                   "UNION ALL SELECT DISTINCT number FROM invalidation WHERE revision > $1::bigint "
                   "AND $1::bigint >= (SELECT revision FROM invalidation_floor WHERE id = 1)",
                1, v);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = pg_fail(c, res, status, "invalidations_since");
    } else if ((rows = PQntuples(res)) > 0 && PQgetisnull(res, 0, 0)) {
        rc = FORESATT_NOT_FOUND; /* older than the invalidations kept */
    } else {
        const char **out = inst->host->alloc(arena, sizeof(*out) * (size_t)(rows ? rows : 1));
        for (i = 0; i < rows; i++)
            out[i] = val(inst->host, arena, res, i, 0);
        *numbers = out;
        *n = (size_t)rows;
        rc = FORESATT_OK;
    }
    PQclear(res);
    conn_put(inst, c);
    return rc;
}

static const foresatt_store_ops_t pgsql_ops = {
    .struct_size = sizeof(foresatt_store_ops_t),
    .pupil_by_id = pgsql_pupil_by_id,
    .pupil_by_number = pgsql_pupil_by_number,
    .pupils_all = pgsql_pupils_all,
    .guardian_links = pgsql_guardian_links,
    .pupil_guardians = pgsql_pupil_guardians,
    .guardian_contact_update = pgsql_contact_update,
    .paper_list = pgsql_paper_list,
    .consent_give = pgsql_consent_give,
    .consent_revoke = pgsql_consent_revoke,
    .audit_append = pgsql_audit_append,
    .audit_query = pgsql_audit_query,
    .import_roster = pgsql_import_roster,
    .purge = pgsql_purge,
    .revision = pgsql_revision,
    .contact_conflicts = pgsql_contact_conflicts,
    .numbers_held = pgsql_numbers_held,
    .register_apply = pgsql_register_apply,
    .feed_position = pgsql_feed_position,
    .invalidations_since = pgsql_invalidations_since,
};

static const foresatt_plugin_t pgsql_plugin = {
    .abi_major = FORESATT_ABI_MAJOR,
    .abi_minor = FORESATT_ABI_MINOR,
    .struct_size = sizeof(foresatt_plugin_t),
    .name = "store_pgsql",
    .version = "1.0",
    .kind = FORESATT_PLUGIN_STORE,
    .flags = FORESATT_PLUGIN_THREADSAFE, /* a connection per thread at a time, from a per-process pool */
    .create = pgsql_create,
    .child_init = pgsql_child_init,
    .destroy = pgsql_destroy,
    .registry = NULL,
    .store = &pgsql_ops,
};

FORESATT_PLUGIN_ENTRY
{
    return &pgsql_plugin;
}
