/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The PostgreSQL schema, as numbered migrations. A migration is never edited once released: add
 * the next one. Applied on the first connection of each process, inside one transaction that holds
 * an advisory lock, so two web servers starting together never migrate at once.
 */
#ifndef STORE_PGSQL_SCHEMA_H
#define STORE_PGSQL_SCHEMA_H

static const char *const pgsql_migrations[] = {
    /* 1: the first schema */
    "CREATE TABLE pupil ("
    "  pupil_id text PRIMARY KEY,"
    "  number text NOT NULL,"
    "  school text NOT NULL,"
    "  enrollment smallint NOT NULL CHECK (enrollment BETWEEN 1 AND 3),"
    "  consent_given_at bigint NOT NULL DEFAULT 0,"
    "  consent_until bigint NOT NULL DEFAULT 0,"
    "  consent_revoked_at bigint NOT NULL DEFAULT 0,"
    "  updated_at bigint NOT NULL);"
    "CREATE INDEX pupil_by_number ON pupil (number);"
    "CREATE TABLE guardian ("
    "  id bigserial PRIMARY KEY,"
    "  pupil_id text NOT NULL REFERENCES pupil (pupil_id) ON DELETE CASCADE,"
    "  gkey text NOT NULL,"
    "  number text,"
    "  name text NOT NULL,"
    "  address text,"
    "  phone text,"
    "  emails text,"
    "  imported_at bigint NOT NULL,"
    "  daily_care smallint NOT NULL,"
    "  parental_responsibility smallint NOT NULL,"
    "  addressee smallint NOT NULL,"
    "  fnr_use smallint NOT NULL CHECK (fnr_use IN (1, 2)),"
    "  CHECK ((fnr_use = 2) = (number IS NULL)),"
    "  UNIQUE (pupil_id, gkey));"
    "CREATE INDEX guardian_by_number ON guardian (number) WHERE number IS NOT NULL;"
    "CREATE INDEX guardian_refused ON guardian (pupil_id) WHERE fnr_use = 2;"
    "CREATE TABLE contact_edit ("
    "  number text PRIMARY KEY,"
    "  phone text,"
    "  emails text,"
    "  edited_at bigint NOT NULL);"
    "CREATE TABLE audit ("
    "  id bigserial PRIMARY KEY,"
    "  at bigint NOT NULL,"
    "  actor text NOT NULL,"
    "  role smallint NOT NULL,"
    "  pupil_id text,"
    "  action text NOT NULL,"
    "  decision text NOT NULL,"
    "  reason text,"
    "  detail text);"
    "CREATE INDEX audit_by_time ON audit (at);"
    "CREATE INDEX audit_by_pupil ON audit (pupil_id, at);"
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "  $$BEGIN RAISE EXCEPTION 'the audit log is append-only'; END$$;"
    "CREATE TRIGGER audit_append_only BEFORE UPDATE ON audit"
    "  FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
    "CREATE TABLE revision (id integer PRIMARY KEY CHECK (id = 1), value bigint NOT NULL);"
    "INSERT INTO revision VALUES (1, 1);",
    /* 2: what the register has precedence for (ABI 1.2: foresattctl follow and sync --apply); as
     * store_sqlite's migration 2 */
    "CREATE TABLE register_person ("
    "  number text PRIMARY KEY,"
    "  name text,"
    "  address text,"
    "  address_protected smallint NOT NULL DEFAULT 0,"
    "  deceased_at bigint,"
    "  replaced_by text,"
    "  updated_at bigint NOT NULL);"
    "CREATE INDEX register_person_replaced ON register_person (replaced_by) WHERE replaced_by IS NOT NULL;"
    "CREATE TABLE invalidation (revision bigint NOT NULL, number text NOT NULL, at bigint NOT NULL);"
    "CREATE INDEX invalidation_by_revision ON invalidation (revision);"
    "CREATE TABLE invalidation_floor (id integer PRIMARY KEY CHECK (id = 1), revision bigint NOT NULL);"
    "INSERT INTO invalidation_floor VALUES (1, 0);"
    "CREATE TABLE feed_position (feed text PRIMARY KEY, sequence bigint NOT NULL, updated_at bigint NOT NULL);"
    "CREATE INDEX audit_by_actor ON audit (actor, at);"
    "DROP TRIGGER audit_append_only ON audit;"
    "CREATE TRIGGER audit_append_only BEFORE UPDATE OF id, at, role, pupil_id, action, decision, reason, detail"
    "  ON audit FOR EACH ROW EXECUTE FUNCTION audit_append_only();"
    "CREATE FUNCTION guardian_protected() RETURNS trigger LANGUAGE plpgsql AS "
    "  $$BEGIN IF NEW.address IS NOT NULL AND EXISTS (SELECT 1 FROM register_person r"
    "    WHERE r.number = NEW.number AND r.address_protected = 1) THEN NEW.address := NULL; END IF;"
    "    RETURN NEW; END$$;"
    "CREATE TRIGGER guardian_protected BEFORE INSERT OR UPDATE OF address, number ON guardian"
    "  FOR EACH ROW EXECUTE FUNCTION guardian_protected();",
};

#define PGSQL_SCHEMA_VERSION ((int)(sizeof(pgsql_migrations) / sizeof(pgsql_migrations[0])))

#endif
