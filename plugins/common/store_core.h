/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * All that the two store plugins do alike: every operation of foresatt_store_ops_t (argument
 * checks, transactions, rows read into the host's arena, the import merge, the purge), the pool of
 * connections, the migrations runner and the lifecycle after create(). The SQL is written once, in
 * what SQLite and PostgreSQL both speak, with ?N parameters. A store plugin keeps only its
 * dialect: a store_dialect_t that opens connections, runs a statement and reads its rows, begins
 * transactions, says why something failed, and gives its own text for the few statements where
 * the two differ.
 */
#ifndef STORE_CORE_H
#define STORE_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "foresatt/plugin.h"
#include "store_pool.h"

/* The statements, by what they do. Columns of the pupil, guardian and audit reads are in the order
 * store_core.c reads them. */
typedef enum store_stmt {
    STMT_REVISION,
    STMT_REVISION_BUMP,
    STMT_PUPIL_BY_ID,
    STMT_PUPIL_BY_NUMBER,
    STMT_PUPILS_ALL,
    STMT_GUARDIANS_BY_NUMBER,
    STMT_GUARDIANS_OF_PUPIL, /* a row with a NULL id when the pupil has none; none when no such pupil */
    STMT_GUARDIANS_REFUSED,
    STMT_GUARDIANS_CONFLICTING,
    STMT_GUARDIAN_NUMBER_KNOWN,
    STMT_CONTACT_EDIT,
    STMT_CONSENT_GET,
    STMT_CONSENT_GIVE,
    STMT_CONSENT_REVOKE,
    STMT_AUDIT_INSERT,
    STMT_AUDIT_BY_TIME,
    STMT_AUDIT_BY_PUPIL,
    STMT_AUDIT_BY_ACTOR,
    STMT_IMPORT_CLEAR,
    STMT_IMPORT_ROW,
    /* the roster as the register has it: numbers in use, no graded address, a pupil's guardian once */
    STMT_IMPORT_PUPILS_RENUMBERED,
    STMT_IMPORT_GUARDIANS_RENUMBERED,
    STMT_IMPORT_GRADED_ADDRESSES,
    STMT_IMPORT_GUARDIANS_TWICE,
    STMT_IMPORT_PUPIL_COUNTS, /* added, updated */
    STMT_IMPORT_PUPILS,
    STMT_IMPORT_GUARDIAN_COUNTS,
    STMT_IMPORT_GUARDIANS,
    STMT_IMPORT_REMOVE_MISSING,
    STMT_IMPORT_CONFLICTS,
    STMT_EDITS_ORPHANED,
    STMT_REGISTER_ORPHANED,
    STMT_PURGE_GUARDIANS,
    STMT_PURGE_DEAD_PUPILS_COUNT, /* pupils whose guardian rows a death hands to retention */
    STMT_PURGE_DEAD_PUPILS,
    STMT_PURGE_DEAD_GUARDIANS,
    STMT_PURGE_CONSENTS,
    STMT_PURGE_AUDIT,
    /* ABI 1.2: the register's changes */
    STMT_NUMBERS_HELD, /* STORE_NUMBERS_HELD */
    STMT_FEED_POSITION,
    STMT_FEED_POSITION_SET,
    STMT_INVALIDATION_ADD,
    STMT_INVALIDATIONS_SINCE, /* a NULL row when older than the invalidations kept */
    STMT_INVALIDATION_FLOOR_UP,
    STMT_INVALIDATIONS_PRUNE,
    STMT_REGISTER_DETAILS,
    STMT_REGISTER_PROTECT,
    STMT_GUARDIAN_ADDRESS_CLEAR,
    STMT_REGISTER_DECEASED,
    STMT_REGISTER_ALIVE,
    STMT_PUPIL_RENUMBER,
    STMT_GUARDIAN_DROP_DUPLICATE,
    STMT_GUARDIAN_RENUMBER,
    STMT_EDIT_MOVE,
    STMT_EDIT_DROP,
    STMT_REGISTER_UNREPLACE,
    STMT_REGISTER_CARRY,
    STMT_REGISTER_REPLACED,
    STMT_REGISTER_CHAIN,
    STMT_AUDIT_REKEY,
    STMT_SCHEMA_VERSION,
    STMT_SCHEMA_VERSION_ADD,
    STORE_N_STMT
} store_stmt_t;

/* A statement's parameter: text (NULL is SQL NULL), or a number. */
typedef struct store_arg {
    const char *text;
    int64_t num;
    int is_num;
} store_arg_t;

#define STORE_TEXT(s) {.text = (s)}
#define STORE_NUM(v) {.num = (v), .is_num = 1}

/* What numbers_held reads of the number x names (SQL): pupil, guardian, deceased, protected, 0 or 1. */
#define STORE_NUMBERS_HELD(x)                                                                                  \
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pupil WHERE number = " x ") THEN 1 ELSE 0 END, "                    \
    "CASE WHEN EXISTS (SELECT 1 FROM guardian WHERE number = " x ") THEN 1 ELSE 0 END, "                        \
    "COALESCE((SELECT CASE WHEN deceased_at IS NOT NULL THEN 1 ELSE 0 END FROM register_person "               \
    "WHERE number = " x "), 0), "                                                                              \
    "COALESCE((SELECT address_protected FROM register_person WHERE number = " x "), 0) "

typedef enum store_tx {
    STORE_TX_WRITE,   /* a change of a few rows */
    STORE_TX_IN_TURN, /* the register's changes: in turn with imports and purges (a roster read as the
                         register says needs the register's word whole) */
    STORE_TX_BULK     /* an import or a purge: such writers take turns, and no statement timeout applies */
} store_tx_t;

/* The columns of import_row that STMT_IMPORT_ROW (and a dialect's own load) fill, in this order.
 * import_row is each connection's temporary table: these and row_no, numbering the rows as loaded. */
#define STORE_IMPORT_COLUMNS                                                                                   \
    "pupil_id, pupil_number, school, enrollment, consent, gkey, number, name, address, phone, emails, "          \
    "daily_care, parental_responsibility, addressee, fnr_use"

typedef struct store store_t;

typedef struct store_dialect {
    const char *const *sql;        /* [STORE_N_STMT]: this dialect's text, NULL where the shared text serves */
    const char *schema_table;      /* CREATE TABLE IF NOT EXISTS schema_version ... */
    const char *const *migrations; /* the schema, one step per version: never edited once released */
    int n_migrations;

    /* A new connection, set up (not migrated); NULL with *rc and the reason in status. */
    store_conn_t *(*open)(store_t *store, foresatt_status_t *status, foresatt_result_t *rc);
    void (*close)(store_conn_t *conn);
    /* Before the connection goes back to the pool: roll back what is open. 0: close it instead. */
    int (*release)(store_conn_t *conn);
    /* SQL text without parameters or rows wanted (transaction control, migrations); 1 when it ran. */
    int (*exec)(store_conn_t *conn, const char *sql);
    int (*begin)(store_t *store, store_conn_t *conn, store_tx_t kind);
    /* One statement at a time per connection: run it, step through its rows (1 a row, 0 no more,
     * -1 failed), read columns of the row (text NULL and number 0 for SQL NULL), end it. */
    int (*run)(store_t *store, store_conn_t *conn, store_stmt_t id, const store_arg_t *args, size_t n_args);
    int (*step)(store_conn_t *conn);
    const char *(*text)(store_conn_t *conn, int col);
    int64_t (*number)(store_conn_t *conn, int col);
    size_t (*changes)(store_conn_t *conn); /* rows the statement changed, before end */
    void (*end)(store_conn_t *conn);
    /* Why the last call failed, in status; FORESATT_TEMPORARY when trying again may help. */
    foresatt_result_t (*fail)(store_conn_t *conn, foresatt_status_t *status, const char *what);

    /* Migrations: keep other processes out and begin the transaction (the reason in status when
     * not); after COMMIT or ROLLBACK, let them in again (1 when that worked). */
    foresatt_result_t (*migration_begin)(store_t *store, store_conn_t *conn, foresatt_status_t *status);
    int (*migration_end)(store_t *store, store_conn_t *conn);

    /* Optional, where the dialect has a better way than a statement per row (NULL: the shared way). */
    int (*import_load)(store_t *store, store_conn_t *conn, const foresatt_roster_row_t *rows, size_t n);
    int (*purge_guardians)(store_t *store, store_conn_t *conn, const char *const *pupil_ids, size_t n,
                           size_t *pupils, size_t *guardians);
    /* Run STMT_NUMBERS_HELD once for all n numbers: its rows then in their order. */
    int (*numbers_held_run)(store_t *store, store_conn_t *conn, const char *const *numbers, size_t n);
    foresatt_result_t (*audit_insert)(store_t *store, store_conn_t *conn, const foresatt_audit_entry_t *entries,
                                      size_t n, foresatt_status_t *status);

    void (*free)(store_t *store); /* the dialect's part of the instance, and the instance */
} store_dialect_t;

/* The instance; a dialect's instance starts with it. */
struct store {
    const foresatt_host_t *host;
    const store_dialect_t *dialect;
    const char *database; /* how messages name it: the file, the schema */
    store_pool_t pool;
};

void store_init(store_t *store, const foresatt_host_t *host, const store_dialect_t *dialect, const char *database);

/* The statement's SQL in this dialect. */
const char *store_sql(const store_dialect_t *dialect, store_stmt_t id);

extern const foresatt_store_ops_t store_ops;
foresatt_result_t store_child_init(void *instance, foresatt_status_t *status);
void store_destroy(void *instance);

#endif
