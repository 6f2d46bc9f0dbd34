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
    /* 2: what the register has precedence for (ABI 1.2: foresattctl follow and sync --apply).
     * register_person: the register's word on a number the school holds (its name and ungraded
     * address for guardian rows, a graded address, a death, the number that replaced it);
     * invalidation: the numbers each revision changed, for the module's register caches. The audit
     * log stays append-only but for its actor, which a replaced number re-keys. */
    "CREATE TABLE register_person ("
    "  number TEXT PRIMARY KEY,"
    "  name TEXT,"
    "  address TEXT,"
    "  address_protected INTEGER NOT NULL DEFAULT 0,"
    "  deceased_at INTEGER,"
    "  replaced_by TEXT,"
    "  updated_at INTEGER NOT NULL);"
    "CREATE INDEX register_person_replaced ON register_person(replaced_by) WHERE replaced_by IS NOT NULL;"
    "CREATE TABLE invalidation (revision INTEGER NOT NULL, number TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE INDEX invalidation_by_revision ON invalidation(revision);"
    "CREATE TABLE invalidation_floor (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);"
    "INSERT INTO invalidation_floor VALUES (1, 0);"
    "CREATE TABLE feed_position (feed TEXT PRIMARY KEY, sequence INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE INDEX audit_by_actor ON audit(actor, at);"
    "DROP TRIGGER audit_append_only;"
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OF id, at, role, pupil_id, action, decision, reason, detail"
    "  ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
    /* a graded address is never stored, whichever statement would store it */
    "CREATE TRIGGER guardian_protected_insert AFTER INSERT ON guardian WHEN NEW.address IS NOT NULL AND EXISTS"
    "  (SELECT 1 FROM register_person r WHERE r.number = NEW.number AND r.address_protected)"
    "  BEGIN UPDATE guardian SET address = NULL WHERE id = NEW.id; END;"
    "CREATE TRIGGER guardian_protected_update AFTER UPDATE OF address, number ON guardian WHEN NEW.address IS NOT NULL"
    "  AND EXISTS (SELECT 1 FROM register_person r WHERE r.number = NEW.number AND r.address_protected)"
    "  BEGIN UPDATE guardian SET address = NULL WHERE id = NEW.id; END;",
};

#define SQLITE_SCHEMA_VERSION ((int)(sizeof(sqlite_migrations) / sizeof(sqlite_migrations[0])))

#endif
