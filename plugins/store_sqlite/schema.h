/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The SQLite schema, as numbered migrations. A migration is never edited once released: add the
 * next one. Applied on open inside BEGIN IMMEDIATE, so two processes never migrate at once.
 */
#ifndef STORE_SQLITE_SCHEMA_H
#define STORE_SQLITE_SCHEMA_H

static const char *const sqlite_migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE pupil ("
    "  pupil_id TEXT PRIMARY KEY,"
    "  number TEXT NOT NULL,"
    "  school TEXT NOT NULL,"
    "  enrollment INTEGER NOT NULL CHECK (enrollment BETWEEN 1 AND 3),"
    "  consent_given_at INTEGER NOT NULL DEFAULT 0,"
    "  consent_until INTEGER NOT NULL DEFAULT 0,"
    "  consent_revoked_at INTEGER NOT NULL DEFAULT 0,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX pupil_by_number ON pupil(number);"
    "CREATE TABLE guardian ("
    "  id INTEGER PRIMARY KEY,"
    "  pupil_id TEXT NOT NULL REFERENCES pupil(pupil_id) ON DELETE CASCADE,"
    "  gkey TEXT NOT NULL,"
    "  number TEXT,"
    "  name TEXT NOT NULL,"
    "  address TEXT,"
    "  phone TEXT,"
    "  emails TEXT,"
    "  imported_at INTEGER NOT NULL,"
    "  daily_care INTEGER NOT NULL,"
    "  parental_responsibility INTEGER NOT NULL,"
    "  addressee INTEGER NOT NULL,"
    "  fnr_use INTEGER NOT NULL CHECK (fnr_use IN (1, 2)),"
    "  CHECK ((fnr_use = 2) = (number IS NULL)),"
    "  UNIQUE (pupil_id, gkey));"
    "CREATE INDEX guardian_by_number ON guardian(number) WHERE number IS NOT NULL;"
    "CREATE INDEX guardian_refused ON guardian(pupil_id) WHERE fnr_use = 2;"
    "CREATE TABLE contact_edit ("
    "  number TEXT PRIMARY KEY,"
    "  phone TEXT,"
    "  emails TEXT,"
    "  edited_at INTEGER NOT NULL);"
    "CREATE TABLE audit ("
    "  id INTEGER PRIMARY KEY,"
    "  at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL,"
    "  role INTEGER NOT NULL,"
    "  pupil_id TEXT,"
    "  action TEXT NOT NULL,"
    "  decision TEXT NOT NULL,"
    "  reason TEXT,"
    "  detail TEXT);"
    "CREATE INDEX audit_by_time ON audit(at);"
    "CREATE INDEX audit_by_pupil ON audit(pupil_id, at);"
    "CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit"
    "  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    "CREATE TABLE revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);"
    "INSERT INTO revision VALUES (1, 1);",
};

#define SQLITE_SCHEMA_VERSION ((int)(sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0])))

#endif
