/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * foresatt/plugin.h: the one interface between mod_foresatt (and foresattctl) and its plugins.
 *
 * A plugin is a shared object that exports one symbol, FORESATT_PLUGIN_ENTRY_SYMBOL, a function that
 * returns a descriptor (foresatt_plugin_t). The descriptor starts with the ABI version it was built
 * against and its own size, says which kind it is (a register of persons, or the school's store),
 * and carries the lifecycle functions and a table of operations for its kind.
 *
 * Versioning
 *   - ABI major: incompatible change. The host refuses a plugin whose major differs from its own.
 *   - ABI minor: append-only additions (new operations at the end of a table, new fields at the end
 *     of a struct). The host accepts a plugin built for an older or equal minor, and refuses one built
 *     for a newer minor (it may need something this host does not have). Every struct that may grow
 *     carries struct_size so both sides can tell which fields exist.
 *   - History: 1.0 first release. 1.1 adds foresatt_audit_filter_t.actor (a 1.0 store ignores it, so
 *     hosts also filter the entries they get back). 1.2 adds foresatt_host_t.worker_can_write, the
 *     register's event feed (foresatt_registry_ops_t.events_latest, events_read) and the store's side of it
 *     (foresatt_store_ops_t.numbers_held, register_apply, feed_position, invalidations_since).
 *     Every 1.2 operation is optional: the host checks struct_size and NULL before calling one.
 *
 * Memory
 *   - Plugins never return memory the host must free. Results are allocated from a host arena with
 *     host->alloc / host->strdup and live until the host releases the arena (the request, the command).
 *   - Inputs (numbers, configuration) are owned by the host and valid for the duration of the call;
 *     create() must copy the configuration values it keeps.
 *
 * Lifecycle (in httpd)
 *   create()      once per configuration load in the parent, after httpd's configuration is read.
 *                 Check the configuration and fail early with a message; avoid opening connections.
 *   child_init()  once in every child process after fork (optional). Open files and connections
 *                 here, or lazily on first use; never share a handle across fork.
 *   destroy()     when the configuration is unloaded (graceful restart, stop) and at child exit.
 *   foresattctl calls create(), child_init(), the operations, then destroy().
 *
 * Threads
 *   With FORESATT_PLUGIN_THREADSAFE in flags, operations on one instance may be called from many
 *   threads at once. Without it the host serialises every call on an instance with a mutex.
 *
 * Errors
 *   Every operation returns a foresatt_result_t. When it is not FORESATT_OK the plugin writes a short
 *   human-readable reason into status->message (never a fødselsnummer, token or password) and, for
 *   FORESATT_TEMPORARY, the seconds to wait in status->retry_after when the backend said so.
 *   Log through host->log, not stderr.
 *
 * The guide for plugin authors is docs/plugin-authors.md; plugins/example/ is a complete plugin.
 */
#ifndef FORESATT_PLUGIN_H
#define FORESATT_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FORESATT_ABI_MAJOR 1
#define FORESATT_ABI_MINOR 2

/* The one symbol a plugin exports: const foresatt_plugin_t *foresatt_plugin_entry(void); */
#define FORESATT_PLUGIN_ENTRY_SYMBOL "foresatt_plugin_entry"

#if defined(__GNUC__)
#define FORESATT_EXPORT __attribute__((visibility("default")))
#define FORESATT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define FORESATT_EXPORT
#define FORESATT_PRINTF(f, a)
#endif

typedef enum foresatt_result {
    FORESATT_OK = 0,
    FORESATT_NOT_FOUND = 1, /* the thing asked for does not exist; not a failure of the backend */
    FORESATT_TEMPORARY = 2, /* backend unreachable, busy, rate-limited or timed out: try later */
    FORESATT_ERROR = 3      /* anything else: bad input, bad data from the backend, a bug */
} foresatt_result_t;

typedef enum foresatt_log_level {
    FORESATT_LOG_ERROR = 1,
    FORESATT_LOG_WARN = 2,
    FORESATT_LOG_NOTICE = 3,
    FORESATT_LOG_INFO = 4,
    FORESATT_LOG_DEBUG = 5
} foresatt_log_level_t;

typedef enum foresatt_plugin_kind {
    FORESATT_PLUGIN_REGISTRY = 1, /* looks persons up in a population register */
    FORESATT_PLUGIN_STORE = 2     /* keeps the school's pupils, guardians, consents and audit log */
} foresatt_plugin_kind_t;

/* Flags in foresatt_plugin_t.flags */
#define FORESATT_PLUGIN_THREADSAFE 0x1u

#define FORESATT_STATUS_MESSAGE_MAX 256

/* Why a call did not return FORESATT_OK. The host zeroes it before each call. */
typedef struct foresatt_status {
    char message[FORESATT_STATUS_MESSAGE_MAX];
    unsigned retry_after; /* seconds, with FORESATT_TEMPORARY; 0 when unknown */
} foresatt_status_t;

/* Host-owned memory for results (an APR pool in httpd and foresattctl). */
typedef struct foresatt_arena foresatt_arena_t;

/* What the host gives a plugin at create(). Valid until destroy(). */
typedef struct foresatt_host {
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t struct_size;
    /* Log a line under the plugin's instance name. Never pass a fødselsnummer, token or secret. */
    void (*log)(const struct foresatt_host *host, foresatt_log_level_t level, const char *fmt, ...)
        FORESATT_PRINTF(3, 4);
    /* Zeroed memory from the arena; never NULL (the host aborts on exhaustion, as APR does). */
    void *(*alloc)(foresatt_arena_t *arena, size_t size);
    /* Copy of s in the arena; NULL when s is NULL. */
    char *(*strdup)(foresatt_arena_t *arena, const char *s);
    void *host_data; /* the host's own; plugins leave it alone */
    /* Since ABI 1.2 (check struct_size and NULL first): can the host's worker processes (httpd's
     * User and Group) create and write files in the directory path, or write the file path? 1 yes,
     * 0 no, -1 the host cannot tell. For create(): refuse at configuration time what would fail in
     * every child. */
    int (*worker_can_write)(const struct foresatt_host *host, const char *path);
} foresatt_host_t;

/* Whether host has the member (hosts of an older minor version end before it). */
#define FORESATT_HOST_HAS(host, member)                                                                              \
    ((host)->struct_size >= offsetof(foresatt_host_t, member) + sizeof((host)->member) && (host)->member != NULL)

/* One key=value from the ForesattPlugin line, in the order given. */
typedef struct foresatt_param {
    const char *key;
    const char *value;
} foresatt_param_t;

/* ---------------------------------------------------------------------------------------------
 * Registry: a population register (Folkeregisteret), read-only.
 * ------------------------------------------------------------------------------------------- */

typedef enum foresatt_grading {
    FORESATT_GRADING_NONE = 0,                 /* ugradert: the address may be shown */
    FORESATT_GRADING_CLIENT = 1,               /* klientadresse */
    FORESATT_GRADING_CONFIDENTIAL = 2,         /* fortrolig: never shown */
    FORESATT_GRADING_STRICTLY_CONFIDENTIAL = 3 /* strengtFortrolig: never shown */
} foresatt_grading_t;

/* For fortrolig and strengtFortrolig every text field is NULL: only the grading is carried, so no
 * page or log can show a protected address by mistake. */
typedef struct foresatt_address {
    const char *street;       /* adressenavn */
    const char *house_number; /* husnummer + husbokstav */
    const char *postal_code;  /* postnummer */
    const char *post_town;    /* poststedsnavn */
    const char *municipality; /* kommunenummer */
    foresatt_grading_t grading;
} foresatt_address_t;

/* One parental-responsibility (foreldreansvar) entry. The register keeps ended entries; so does this. */
typedef struct foresatt_responsibility {
    const char *kind;        /* felles, mor, far, medmor, andre, ukjent */
    const char *responsible; /* number of the person holding it; NULL for organisations / no id */
    const char *subject;     /* number of the child it is for */
    int current;             /* erGjeldende true and no opphoerstidspunkt at or before now */
    int64_t valid_from;      /* gyldighetstidspunkt, Unix seconds; 0 when absent */
    int64_t ended_at;        /* opphoerstidspunkt, Unix seconds; 0 when absent */
} foresatt_responsibility_t;

/* One current family relation (familierelasjon). */
typedef struct foresatt_relation {
    const char *related;      /* relatertPerson */
    const char *related_role; /* relatertPersonsRolle: mor, far, medmor, barn, ... */
    const char *my_role;      /* minRolleForPerson */
} foresatt_relation_t;

typedef struct foresatt_person {
    uint32_t struct_size;
    const char *number;         /* the identity number in use (iBruk); may differ from the number
                                   asked for when the person's number has changed */
    int is_dnumber;             /* identifikatortype dNummer */
    const char *given_name;     /* fornavn */
    const char *middle_name;    /* mellomnavn, or NULL */
    const char *family_name;    /* etternavn */
    const char *birth_date;     /* foedselsdato, YYYY-MM-DD, or NULL */
    const char *status;         /* bosatt, utflyttet, doed, ... or NULL */
    int has_address;            /* bostedsadresse present */
    foresatt_address_t address; /* current bostedsadresse */
    size_t n_responsibilities;
    const foresatt_responsibility_t *responsibilities;
    size_t n_relations;
    const foresatt_relation_t *relations;
} foresatt_person_t;

/* ABI 1.2: one entry of the register's event feed (Folkeregisteret's hendelsesliste). The feed covers
 * the whole register, not only the school's persons: the host keeps the events about numbers it holds. */
typedef struct foresatt_event {
    uint32_t struct_size;
    int64_t sequence;    /* sekvensnummer: strictly growing along the feed */
    const char *number;  /* folkeregisteridentifikator: the person the event is about */
    const char *type;    /* hendelsetype, e.g. "endringIForeldreansvar", "personErDoed" */
    int64_t recorded_at; /* ajourholdstidspunkt, Unix seconds; 0 when absent */
} foresatt_event_t;

typedef struct foresatt_registry_ops {
    uint32_t struct_size;
    /* One person. FORESATT_NOT_FOUND when the register does not know the number. */
    foresatt_result_t (*lookup)(void *instance, const char *number, foresatt_arena_t *arena,
                                foresatt_person_t **person, foresatt_status_t *status);
    /* Optional (NULL when the backend has none): n numbers at once, n <= max_batch.
     * persons[i] is set for each number found and NULL for each not found; FORESATT_OK then. */
    foresatt_result_t (*lookup_batch)(void *instance, const char *const *numbers, size_t n,
                                      foresatt_arena_t *arena, foresatt_person_t **persons,
                                      foresatt_status_t *status);
    size_t max_batch;

    /* ABI 1.2, optional (NULL when the register has no event feed). */
    /* The newest sequence number in the feed; 0 while it is empty. */
    foresatt_result_t (*events_latest)(void *instance, int64_t *sequence, foresatt_status_t *status);
    /* The events from sequence `from` (inclusive) on, in order: at most max (a page; fewer is fine, the
     * host asks again from after the last one). FORESATT_OK with n = 0 when there are none yet.
     * FORESATT_NOT_FOUND when the register no longer keeps events that old. number and type are
     * never NULL; an entry the plugin cannot read is FORESATT_ERROR for the whole page. */
    foresatt_result_t (*events_read)(void *instance, int64_t from, size_t max, foresatt_arena_t *arena,
                                     foresatt_event_t **events, size_t *n, foresatt_status_t *status);
} foresatt_registry_ops_t;

/* ---------------------------------------------------------------------------------------------
 * Store: what the school keeps. Every operation completes or changes nothing (one transaction).
 * Times are Unix seconds (UTC); 0 means "none". Strings in results live in the caller's arena.
 *
 * Keys: a pupil is its pupil_id (the school's own id). A guardian row is one guardian of one
 * pupil, keyed by (pupil_id, guardian number), or (pupil_id, name) when the guardian refused the
 * number's use. Contact edits belong to the guardian's number, not to a row: they apply to every
 * row with that number and survive re-imports until a newer roster value replaces them.
 *
 * Text is UTF-8. A pupil id that is not UTF-8 names no pupil (FORESATT_NOT_FOUND); contact data
 * that is not UTF-8 is FORESATT_ERROR.
 *
 * Result codes: FORESATT_NOT_FOUND only where an operation says so; FORESATT_TEMPORARY when the
 * database is busy or unreachable (retry later; nothing changed); FORESATT_ERROR for bad input
 * (NULL or over-long arguments) and database failures.
 * ------------------------------------------------------------------------------------------- */

typedef enum foresatt_enrollment {
    FORESATT_ENROLLMENT_ACTIVE = 1,
    FORESATT_ENROLLMENT_LEFT = 2,
    FORESATT_ENROLLMENT_COMPLETED = 3
} foresatt_enrollment_t;

typedef enum foresatt_addressee {
    FORESATT_ADDRESSEE_NONE = 0,
    FORESATT_ADDRESSEE_MAIN = 1,
    FORESATT_ADDRESSEE_SECONDARY = 2
} foresatt_addressee_t;

typedef enum foresatt_fnr_use {
    FORESATT_FNR_USE_ACCEPTED = 1, /* the guardian accepted the school's use of the number */
    FORESATT_FNR_USE_REFUSED = 2   /* refused: no number kept, no digital access, paper instead */
} foresatt_fnr_use_t;

/* The pupil's consent to extend guardian access past 18. Valid at time t when
 * given_at != 0 && given_at <= t && revoked_at == 0 && (until == 0 || t < until). */
typedef struct foresatt_consent {
    int64_t given_at;
    int64_t until; /* end of upper-secondary education as recorded; 0 when open-ended */
    int64_t revoked_at;
} foresatt_consent_t;

typedef struct foresatt_pupil {
    uint32_t struct_size;
    const char *pupil_id; /* the school's own id */
    const char *number;   /* the pupil's fødselsnummer / D-nummer */
    const char *school;   /* school code */
    foresatt_enrollment_t enrollment;
    foresatt_consent_t consent;
    int64_t updated_at; /* when the roster last changed this pupil */
} foresatt_pupil_t;

#define FORESATT_MAX_EMAILS 4

/* Longest values a store accepts (bytes, UTF-8); longer input is FORESATT_ERROR. */
#define FORESATT_MAX_ID_LEN 64       /* pupil_id, school */
#define FORESATT_MAX_NAME_LEN 200    /* guardian name */
#define FORESATT_MAX_ADDRESS_LEN 300 /* postal address */
#define FORESATT_MAX_PHONE_LEN 32
#define FORESATT_MAX_EMAIL_LEN 254   /* one address */

/* One guardian as the school registered them for one pupil. */
typedef struct foresatt_guardian {
    uint32_t struct_size;
    int64_t guardian_id;  /* the store's own key for this row */
    const char *pupil_id;
    const char *number;   /* NULL when the guardian refused the number's use */
    const char *name;
    const char *address;  /* postal address for paper information as the school has it, or NULL */
    /* Contact data in effect: the guardian's own edit when it is newer than the imported value,
     * else the imported value. */
    const char *phone;
    size_t n_emails;
    const char *emails[FORESATT_MAX_EMAILS];
    /* Both sources, so the tool can show a conflict. */
    const char *imported_phone;
    const char *imported_emails;  /* as in the roster: addresses separated by ';' */
    int64_t imported_at;          /* when the roster last changed phone or e-mail */
    const char *edited_phone;     /* NULL when the guardian never edited */
    const char *edited_emails;    /* ';'-separated, or NULL */
    int64_t edited_at;            /* 0 when never edited */
    int daily_care;               /* 1 yes, 0 no */
    int parental_responsibility;  /* as the school recorded it: 1 yes, 0 no */
    foresatt_addressee_t addressee;
    foresatt_fnr_use_t fnr_use;
} foresatt_guardian_t;

typedef enum foresatt_role {
    FORESATT_ROLE_GUARDIAN = 1,
    FORESATT_ROLE_STUDENT = 2,
    FORESATT_ROLE_ADMIN = 3
} foresatt_role_t;

typedef struct foresatt_audit_entry {
    uint32_t struct_size;
    int64_t at;
    const char *actor;    /* pseudonymous id (keyed hash), never the number */
    foresatt_role_t role;
    const char *pupil_id; /* or NULL */
    const char *action;   /* what was asked: "access", "contact_update", "consent_give", ... */
    const char *decision; /* "allow", "deny", "ok", "error" */
    const char *reason;   /* e.g. no_parental_responsibility; NULL when none */
    const char *detail;   /* e.g. the URL path; NULL when none */
} foresatt_audit_entry_t;

/* Longest audit strings: actor, action, decision, reason 128 bytes each; detail 1024; longer is
 * FORESATT_ERROR and the whole batch is refused. Bytes that are not UTF-8 are stored as '?' (a
 * request's URL may hold any bytes; the batch must not fail over it). */
#define FORESATT_MAX_AUDIT_FIELD_LEN 128
#define FORESATT_MAX_AUDIT_DETAIL_LEN 1024

typedef struct foresatt_audit_filter {
    const char *pupil_id; /* NULL: any */
    int64_t since;        /* 0: from the start; else entries with at >= since */
    int64_t until;        /* 0: to now; else entries with at < until */
    size_t limit;         /* 0: no limit; else the oldest `limit` entries that match */
    const char *actor;    /* ABI 1.1. NULL: any; else only entries by this pseudonym */
} foresatt_audit_filter_t;

/* One row of the school's roster, already validated by the host (lib/roster). Several rows may
 * name the same pupil (one per guardian); they agree on the pupil's fields. */
typedef struct foresatt_roster_row {
    const char *pupil_id;
    const char *pupil_number;
    const char *school;
    foresatt_enrollment_t enrollment;
    int consent_extended; /* the roster says the pupil has consented */
    const char *guardian_number; /* NULL when refused or when the row has no guardian */
    const char *guardian_name;   /* NULL when the row has no guardian */
    const char *guardian_address; /* NULL when the roster has none */
    const char *guardian_phone;   /* NULL when none */
    const char *guardian_emails;  /* ';'-separated, NULL when none */
    int daily_care;
    int parental_responsibility;
    foresatt_addressee_t addressee;
    foresatt_fnr_use_t fnr_use;
} foresatt_roster_row_t;

typedef struct foresatt_import_stats {
    size_t pupils_added, pupils_updated;
    size_t guardians_added, guardians_updated, guardians_removed;
    /* Rows whose guardian edit differs from the roster's value and is newer than it: the edit is
     * kept (newest wins). contact_conflicts() lists them. */
    size_t contact_conflicts;
} foresatt_import_stats_t;

typedef struct foresatt_purge_stats {
    size_t pupils;    /* pupils whose guardian data was deleted */
    size_t guardians; /* guardian rows deleted */
    size_t consents;  /* ended consents deleted */
    size_t audit;     /* audit entries deleted */
} foresatt_purge_stats_t;

/* ABI 1.2: what the school holds for a number (numbers_held). */
#define FORESATT_HELD_PUPIL 0x1u     /* a pupil has this number */
#define FORESATT_HELD_GUARDIAN 0x2u  /* a guardian row has it */
#define FORESATT_HELD_DECEASED 0x4u  /* register_apply recorded the person's death */
#define FORESATT_HELD_PROTECTED 0x8u /* register_apply recorded a graded address for it */

/* ABI 1.2: one change the register has precedence for (register_apply). */
typedef enum foresatt_change_kind {
    /* Nothing stored changes; decisions and cached lookups about number are made again. */
    FORESATT_CHANGE_RECHECK = 1,
    /* The register's name (and address, unless NULL) for every guardian row with number: they take
     * the place of the roster's, now and after later imports. address NULL: the register gives none,
     * the roster's stays. A non-NULL address ends a FORESATT_CHANGE_ADDRESS_PROTECTED. */
    FORESATT_CHANGE_GUARDIAN_DETAILS = 2,
    /* The register grades the address of number (fortrolig, strengtFortrolig, klientadresse): the
     * address of every row with number is deleted, and a roster's address for it is not stored, until a
     * FORESATT_CHANGE_GUARDIAN_DETAILS brings an ungraded one. */
    FORESATT_CHANGE_ADDRESS_PROTECTED = 3,
    /* number is replaced by new_number: the pupil, the guardian rows and the contact edit move to it
     * (a row new_number already has for the same pupil wins), audit entries by actor become
     * new_actor's (when both are set), and a roster that still names number is read as new_number. */
    FORESATT_CHANGE_NUMBER = 4,
    /* The person died (at): purge deletes their guardian rows, and a pupil's guardian data, like
     * those of a pupil who left. */
    FORESATT_CHANGE_DECEASED = 5,
    /* The register no longer records the death (a correction): what DECEASED recorded goes. */
    FORESATT_CHANGE_ALIVE = 6
} foresatt_change_kind_t;

typedef struct foresatt_register_change {
    uint32_t struct_size;
    foresatt_change_kind_t kind;
    const char *number;
    const char *name;       /* GUARDIAN_DETAILS: at most FORESATT_MAX_NAME_LEN */
    const char *address;    /* GUARDIAN_DETAILS: at most FORESATT_MAX_ADDRESS_LEN, or NULL */
    const char *new_number; /* NUMBER */
    const char *actor;      /* NUMBER: the pseudonyms of number and new_number in the audit log, or NULL */
    const char *new_actor;
    int64_t at;             /* DECEASED: when (0: unknown) */
} foresatt_register_change_t;

typedef struct foresatt_store_ops {
    uint32_t struct_size;

    /* One pupil; FORESATT_NOT_FOUND when the store has none with this id / number. */
    foresatt_result_t (*pupil_by_id)(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                     foresatt_pupil_t **pupil, foresatt_status_t *status);
    foresatt_result_t (*pupil_by_number)(void *instance, const char *number, foresatt_arena_t *arena,
                                         foresatt_pupil_t **pupil, foresatt_status_t *status);
    /* Every pupil, ordered by pupil_id (for retention and listings); FORESATT_OK with n = 0 when none. */
    foresatt_result_t (*pupils_all)(void *instance, foresatt_arena_t *arena, foresatt_pupil_t ***pupils,
                                    size_t *n, foresatt_status_t *status);

    /* Every registration of this guardian number, one per pupil, ordered by pupil_id;
     * FORESATT_NOT_FOUND when none. */
    foresatt_result_t (*guardian_links)(void *instance, const char *guardian_number, foresatt_arena_t *arena,
                                        foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status);
    /* The guardians the school registered for one pupil (with and without numbers), main addressee
     * first; FORESATT_NOT_FOUND when the pupil does not exist, FORESATT_OK with n = 0 when it has none. */
    foresatt_result_t (*pupil_guardians)(void *instance, const char *pupil_id, foresatt_arena_t *arena,
                                         foresatt_guardian_t ***guardians, size_t *n, foresatt_status_t *status);
    /* The guardian's own correction of phone and e-mail (phone may be NULL or "" for none; at most
     * FORESATT_MAX_EMAILS addresses), in effect on every row with this number until a roster brings a
     * newer value. FORESATT_NOT_FOUND when no row has this number. */
    foresatt_result_t (*guardian_contact_update)(void *instance, const char *guardian_number, const char *phone,
                                                 const char *const *emails, size_t n_emails, int64_t at,
                                                 foresatt_status_t *status);
    /* Guardians who refused the number's use, for the paper-information list, ordered by pupil_id. */
    foresatt_result_t (*paper_list)(void *instance, foresatt_arena_t *arena, foresatt_guardian_t ***guardians,
                                    size_t *n, foresatt_status_t *status);

    /* Record the pupil's consent (replacing an earlier or revoked one); FORESATT_NOT_FOUND when no
     * such pupil. */
    foresatt_result_t (*consent_give)(void *instance, const char *pupil_id, int64_t at, int64_t until,
                                      foresatt_status_t *status);
    /* Revoke it; FORESATT_NOT_FOUND when no such pupil or it has no consent. Revoking twice keeps the
     * first time. */
    foresatt_result_t (*consent_revoke)(void *instance, const char *pupil_id, int64_t at,
                                        foresatt_status_t *status);

    /* Append n entries in one transaction. Append-only: entries are never changed through this
     * interface (purge deletes whole entries past the retention period). */
    foresatt_result_t (*audit_append)(void *instance, const foresatt_audit_entry_t *entries, size_t n,
                                      foresatt_status_t *status);
    /* Matching entries, oldest first; FORESATT_OK with n = 0 when none. */
    foresatt_result_t (*audit_query)(void *instance, const foresatt_audit_filter_t *filter, foresatt_arena_t *arena,
                                     foresatt_audit_entry_t **entries, size_t *n, foresatt_status_t *status);

    /* The whole roster in one transaction: pupils and guardians in the file are added or updated,
     * guardians of those pupils not in the file are removed, pupils not in the file are kept.
     * Roster phone / e-mail that changed become the imported value with imported_at = at (pass the
     * roster's own time, e.g. the file's mtime): a guardian edit newer than that stays in effect.
     * consent_extended records a consent (given_at = at) only for a pupil that has none.
     * Re-importing the same file changes nothing (all counts 0 but contact_conflicts). */
    foresatt_result_t (*import_roster)(void *instance, const foresatt_roster_row_t *rows, size_t n, int64_t at,
                                       foresatt_import_stats_t *stats, foresatt_status_t *status);
    /* Retention, in one transaction: delete the guardian rows of these pupils, the consents ended
     * (revoked, or until <= now) and the audit entries with at < audit_before (0: keep all).
     * Contact edits of numbers left without a row go too. dry_run counts without deleting. */
    foresatt_result_t (*purge)(void *instance, const char *const *pupil_ids, size_t n, int64_t now,
                               int64_t audit_before, int dry_run, foresatt_purge_stats_t *stats,
                               foresatt_status_t *status);

    /* A number that grows whenever pupils, registrations, contact data or consents change (not on
     * audit appends); lets the host cache decisions until it moves. Cheap: one indexed read. */
    foresatt_result_t (*revision)(void *instance, int64_t *revision, foresatt_status_t *status);

    /* Guardian rows whose own edit differs from the imported phone / e-mail, ordered by pupil_id
     * (for the tool to show conflicts; which one is in effect follows from edited_at and imported_at). */
    foresatt_result_t (*contact_conflicts)(void *instance, foresatt_arena_t *arena, foresatt_guardian_t ***guardians,
                                           size_t *n, foresatt_status_t *status);

    /* ABI 1.2, optional (NULL: the store cannot follow the register; foresattctl follow and sync --apply
     * say so). A 1.2 store's purge also deletes what FORESATT_CHANGE_DECEASED handed to it. */

    /* held[i] = FORESATT_HELD_* bits for numbers[i], 0 when the school holds nothing for it (no pupil and
     * no guardian row; the DECEASED and PROTECTED bits come only with one of those); n <= 1000. */
    foresatt_result_t (*numbers_held)(void *instance, const char *const *numbers, size_t n, unsigned *held,
                                      foresatt_status_t *status);
    /* In one transaction: apply the n changes (in order), record every number they name as invalidated
     * at the new revision (the revision moves when n > 0), and, when feed is not NULL, record
     * feed_sequence as that feed's position. n = 0 with a feed only moves the position. A number no
     * row holds is no error (nothing to change). FORESATT_ERROR for bad input changes nothing. */
    foresatt_result_t (*register_apply)(void *instance, const foresatt_register_change_t *changes, size_t n,
                                        const char *feed, int64_t feed_sequence, foresatt_status_t *status);
    /* The position register_apply last recorded for feed; FORESATT_NOT_FOUND when none. */
    foresatt_result_t (*feed_position)(void *instance, const char *feed, int64_t *sequence,
                                       foresatt_status_t *status);
    /* The numbers register_apply invalidated at revisions after `revision`, each once, in any order.
     * FORESATT_NOT_FOUND when the store no longer keeps them that far back (it keeps them at least a
     * day): the host then forgets everything it cached. */
    foresatt_result_t (*invalidations_since)(void *instance, int64_t revision, foresatt_arena_t *arena,
                                             const char ***numbers, size_t *n, foresatt_status_t *status);
} foresatt_store_ops_t;

/* ---------------------------------------------------------------------------------------------
 * The descriptor a plugin's entry function returns.
 * ------------------------------------------------------------------------------------------- */

typedef struct foresatt_plugin {
    uint16_t abi_major; /* FORESATT_ABI_MAJOR the plugin was built with */
    uint16_t abi_minor; /* FORESATT_ABI_MINOR the plugin was built with */
    uint32_t struct_size; /* sizeof(foresatt_plugin_t) */
    const char *name;     /* short name, e.g. "store_sqlite" */
    const char *version;  /* the plugin's own version string */
    foresatt_plugin_kind_t kind;
    uint32_t flags; /* FORESATT_PLUGIN_* */

    /* Check the configuration and make an instance. On failure return non-OK with status->message
     * saying which key is wrong and what is expected. */
    foresatt_result_t (*create)(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                void **instance, foresatt_status_t *status);
    /* Optional: after fork, in each child. */
    foresatt_result_t (*child_init)(void *instance, foresatt_status_t *status);
    /* Release everything the instance holds. */
    void (*destroy)(void *instance);

    /* Exactly one of these is set, matching kind. */
    const foresatt_registry_ops_t *registry;
    const foresatt_store_ops_t *store;
} foresatt_plugin_t;

typedef const foresatt_plugin_t *(*foresatt_plugin_entry_fn)(void);

/* The entry every plugin defines (declared here so plugins compile cleanly with -Wmissing-prototypes). */
FORESATT_EXPORT const foresatt_plugin_t *foresatt_plugin_entry(void);

/* Declare the entry function in a plugin:  FORESATT_PLUGIN_ENTRY { return &my_plugin; } */
#define FORESATT_PLUGIN_ENTRY FORESATT_EXPORT const foresatt_plugin_t *foresatt_plugin_entry(void)

#ifdef __cplusplus
}
#endif
#endif /* FORESATT_PLUGIN_H */
