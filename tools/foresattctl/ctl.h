/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * foresattctl: the school administrators' tool. One file per command (cmd_*.c).
 */
#ifndef FORESATTCTL_H
#define FORESATTCTL_H

#include <apr_hash.h>
#include <apr_pools.h>
#include <apr_tables.h>
#include <jansson.h>

#include "log.h"
#include "plugin_loader.h"
#include "pseudonym.h"
#include "session/cookie_crypto.h" /* FST_KEY_LEN */
#include "store.h"
#include "policy/oslo_time.h"

/* Exit codes scripts can trust. */
#define CTL_EXIT_OK 0
#define CTL_EXIT_INVALID 1 /* the input was checked and found invalid (check-id, import) */
#define CTL_EXIT_USAGE 2   /* wrong arguments */
#define CTL_EXIT_CONFIG 3  /* configuration or plugin could not be loaded */
#define CTL_EXIT_BACKEND 4 /* the store or register failed */

/* A Foresatt* directive as read from the configuration. */
typedef struct ctl_directive {
    const char *name;
    const char *args;        /* the rest of the line, unsplit (see fst_config_split) */
    const char *where;       /* file:line */
    const char *server_root; /* ServerRoot in effect at that line, for relative paths */
    int server;              /* 0: the main server; else the <VirtualHost>'s index in servers */
    int uncertain;           /* inside a section the tool cannot judge (<If>, <Macro>, ...) */
} ctl_directive_t;

/* The main server (index 0) and each <VirtualHost> read. */
typedef struct ctl_server {
    const char *where;         /* file:line of <VirtualHost>, or the configuration file */
    const char *address;       /* <VirtualHost address...> */
    apr_array_header_t *names; /* ServerName and ServerAlias host names (const char *) */
} ctl_server_t;

typedef struct ctl_env {
    apr_pool_t *pool;
    const char *config_path; /* --config, $FORESATT_CONFIG, or the default */
    fst_log_t log;
    int verbose;
    const char *vhost;           /* --vhost NAME: that site's settings */
    apr_array_header_t *defines; /* -D NAME (const char *), as httpd is started with */
    /* filled by ctl_load_config() */
    apr_array_header_t *directives; /* ctl_directive_t, in file order; only lines httpd reads */
    apr_array_header_t *servers;    /* ctl_server_t: [0] the main server, then each <VirtualHost> */
    int server;                     /* the site the settings come from; -1: the sites agree */
    apr_hash_t *plugins;            /* name -> fst_plugin_t */
    fst_plugin_t *store;            /* ForesattStore, created and started; NULL when not configured */
    fst_plugin_t *registry;         /* ForesattRegistry, likewise */
} ctl_env_t;

#define CTL_NEED_STORE 0x1u
#define CTL_NEED_REGISTRY 0x2u

/* Read the configuration, load every ForesattPlugin, and create and start the store and registry
 * (those in need must exist). Returns CTL_EXIT_OK, or after printing why
 * CTL_EXIT_CONFIG (bad configuration) or CTL_EXIT_BACKEND (a plugin could not start: unreachable). */
int ctl_load_config(ctl_env_t *env, unsigned need);

/* The pseudonym the module gives this number in REMOTE_USER and the audit log (same key rule as the
 * module). Returns 0 when the configuration has neither ForesattPseudonymSecret nor
 * ForesattCryptoPassphrase (the module's pseudonyms are then random per start and link nothing). */
int ctl_pseudonym(ctl_env_t *env, const char *number, char out[FST_PSEUDONYM_LEN + 1]);
/* The key behind those pseudonyms (FST_KEY_LEN bytes), for commands that name many persons; 0 without. */
int ctl_pseudonym_key(ctl_env_t *env, unsigned char *key);
/* That key read once, and lib/regsync's pseudonym callback over it (ctx: the ctl_pseudonyms_t). */
typedef struct ctl_pseudonyms {
    unsigned char key[FST_KEY_LEN];
    int have_key;
} ctl_pseudonyms_t;
int ctl_pseudonym_of(void *pseudonyms, const char *number, char out[FST_PSEUDONYM_LEN + 1]);

/* The arguments of a server-level Foresatt* setting as the chosen site has it (its own last line,
 * else the main server's), or NULL. Only for the settings ctl_config.c checks the sites agree on
 * (ForesattStore, ForesattRegistry, ForesattAuditRetention, ForesattRequireSchoolRegistration). */
const char *ctl_directive_last(ctl_env_t *env, const char *name);

typedef struct ctl_command {
    const char *name;
    const char *summary;
    int (*run)(ctl_env_t *env, int argc, const char *const *argv); /* argv[0] is the command name */
    void (*help)(void);
} ctl_command_t;

/* The commands, in the order `foresattctl --help` lists them (table in main.c). */
extern const ctl_command_t ctl_cmd_check_id;
extern const ctl_command_t ctl_cmd_plugins;

/* store and records (issue 5) */
extern const ctl_command_t ctl_cmd_import;
extern const ctl_command_t ctl_cmd_purge;
extern const ctl_command_t ctl_cmd_paper_list;
extern const ctl_command_t ctl_cmd_audit;
extern const ctl_command_t ctl_cmd_export;

/* ctl_store.c: helpers the store commands share */
/* doc (taken) as indented JSON on stdout, with jansson's flags: CTL_EXIT_OK, or CTL_EXIT_BACKEND
 * after saying on stderr that memory ran out. */
int ctl_print_json(const char *cmd, json_t *doc, size_t flags);
int ctl_backend_failed(const char *cmd, const char *what, foresatt_result_t rc, const foresatt_status_t *status);
int ctl_parse_day(const char *s, fst_date_t *d); /* YYYY-MM-DD */
/* The arguments of a command that takes one flag (flag_name, e.g. "--dry-run": *flag = 1) and
 * --today YYYY-MM-DD (*now = midday in Oslo on that date, what the command acts as of; unchanged
 * without it). CTL_EXIT_OK, or CTL_EXIT_USAGE after saying why on stderr. */
int ctl_flag_and_today(const char *cmd, int argc, const char *const *argv, const char *flag_name, int *flag,
                       int64_t *now);
const char *ctl_format_time(apr_pool_t *pool, int64_t t); /* ISO 8601 UTC; "" for 0 */
const char *ctl_role_name(foresatt_role_t role);          /* guardian, student, admin */

/* Query the audit log. With filter->actor set, only that actor's entries come back, also from a
 * store built for plugin ABI 1.0 (which ignores the field). CTL_EXIT_OK or CTL_EXIT_BACKEND. */
int ctl_audit_query(ctl_env_t *env, const char *cmd, const foresatt_audit_filter_t *filter,
                    foresatt_audit_entry_t **entries, size_t *n);
/* The register's record of each number (NULL where unknown, or all NULL without ForesattRegistry). */
int ctl_register_persons(ctl_env_t *env, const char *cmd, const char *const *numbers, size_t n,
                         const foresatt_person_t **persons);
/* 1 adult, 0 minor, -1 unknown at now: the register's birth date, else the number's. */
int ctl_pupil_adult(const foresatt_pupil_t *pupil, const foresatt_person_t *record, int64_t now);

/* register (issue 4) */
extern const ctl_command_t ctl_cmd_lookup;

/* authorization (issue 6) */
extern const ctl_command_t ctl_cmd_decide;

/* the register's changes (issue 16) */
extern const ctl_command_t ctl_cmd_follow;
extern const ctl_command_t ctl_cmd_sync;
/* Exit codes of sync (and follow's GONE), beside the ones above. */
#define CTL_EXIT_CHANGES 5  /* sync: the register differs where it has precedence; --apply makes it so.
                               follow: the register no longer keeps the events from the stored position */
#define CTL_EXIT_FOR_SCHOOL 6 /* sync: nothing (more) to apply, but persons are listed for the school */

#endif
