/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * sync: every pupil and guardian the school holds, against the register in bulk lookups; what
 * differs, and with --apply the register's precedence written in one transaction
 * (lib/regsync/sync.h does the work). Persons appear as pseudonyms; numbers only with --show-numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>
#include <jansson.h>

#include "ctl.h"
#include "regsync/sync.h"
#include "session/cookie_crypto.h"

static void help(void)
{
    printf("usage: foresattctl sync [--apply] [--json] [--show-numbers] [--today YYYY-MM-DD]\n\n"
           "Compares every pupil and every guardian the school's store holds with the register, in bulk\n"
           "lookups (1000 numbers a call with Folkeregisteret), and prints what differs, one line each:\n"
           "  KIND TAB ROLE TAB PUPILS TAB PERSON TAB NAME TAB DETAIL\n"
           "Where the register has precedence, --apply writes it, all in one transaction:\n"
           "  number_changed      a D-number became a fødselsnummer, or a number was replaced: the\n"
           "                      school's records, consents and audit history move to the new number\n"
           "                      (the old one no longer logs in)\n"
           "  deceased            access ends; the next 'foresattctl purge' deletes the data\n"
           "  address_protected   a graded address (fortrolig, strengtFortrolig, klientadresse): removed\n"
           "                      from the store, never shown or exported again\n"
           "  name, address       a guardian's name and ungraded address, as the register has them\n"
           "Listed for the school to act on, never applied:\n"
           "  lost_responsibility       a registered guardian without parental responsibility in the\n"
           "                            register (the access rule already refuses them)\n"
           "  unregistered_responsible  the register holds this person responsible for the pupil, but the\n"
           "                            school has not registered them (contact them; registration is yours)\n"
           "  not_in_register, ended    the register does not know the number, or it ceased (opphoert)\n\n"
           "PERSON is the pseudonym the module logs the person under (ForesattPseudonymSecret or\n"
           "ForesattCryptoPassphrase), '-' without one; --show-numbers prints the fødselsnummer instead\n"
           "(for the administrator; keep that output safe). --json prints one JSON document. --today\n"
           "compares as on that Oslo date (at noon).\n\n"
           "Exit status: 0 the school's records agree with the register; 5 the register differs and --apply\n"
           "was not given; 6 nothing (more) to apply, but persons are listed for the school; 2 usage;\n"
           "3 configuration (--apply needs a store plugin with ABI 1.2); 4 the store or the register failed\n"
           "(nothing applied).\n");
}

typedef struct sync_ctx {
    ctl_pseudonyms_t pseudonyms;
    int show_numbers;
} sync_ctx_t;

/* The person as this output may name them: the number with --show-numbers, else the pseudonym. */
static const char *person(apr_pool_t *pool, sync_ctx_t *s, const char *number)
{
    char p[FST_PSEUDONYM_LEN + 1];

    if (number == NULL)
        return NULL;
    if (s->show_numbers)
        return number;
    return ctl_pseudonym_of(&s->pseudonyms, number, p) ? apr_pstrdup(pool, p) : NULL;
}

static const char *role(const fst_sync_item_t *it)
{
    return it->kind == FST_SYNC_UNREGISTERED ? "responsible" : it->pupil ? "pupil" : "guardian";
}

static const char *detail(apr_pool_t *pool, sync_ctx_t *s, const fst_sync_item_t *it)
{
    switch (it->kind) {
    case FST_SYNC_NUMBER_CHANGED: {
        const char *to = person(pool, s, it->new_number);
        return apr_pstrcat(pool, "now ", to ? to : "another number", NULL);
    }
    case FST_SYNC_NAME:
    case FST_SYNC_ADDRESS:
        return apr_pstrcat(pool, it->was ? it->was : "(none)", " -> ", it->now ? it->now : "(none)", NULL);
    default:
        return it->detail;
    }
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *pupil_list(const char *ids)
{
    json_t *list = json_array();
    const char *p = ids;

    while (p && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(list, json_stringn(p, len));
        p = comma ? comma + 1 : p + len;
    }
    return list;
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    int apply = 0, as_json = 0, have_today = 0, exit_code, a, i;
    fst_sync_report_t rep;
    fst_sync_error_t err;
    fst_date_t today;
    sync_ctx_t s;
    int64_t now;
    size_t for_school = 0, k;

    memset(&s, 0, sizeof(s));
    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--apply") == 0)
            apply = 1;
        else if (strcmp(argv[a], "--json") == 0)
            as_json = 1;
        else if (strcmp(argv[a], "--show-numbers") == 0)
            s.show_numbers = 1;
        else if (strcmp(argv[a], "--today") == 0 && a + 1 < argc) {
            if (!ctl_parse_day(argv[++a], &today)) {
                fprintf(stderr, "foresattctl sync: --today %s: give a date as YYYY-MM-DD\n", argv[a]);
                return CTL_EXIT_USAGE;
            }
            have_today = 1;
        } else {
            fprintf(stderr, "foresattctl sync: unexpected '%s' (see foresattctl sync --help)\n", argv[a]);
            return CTL_EXIT_USAGE;
        }
    }
    if ((exit_code = ctl_load_config(env, CTL_NEED_STORE | CTL_NEED_REGISTRY)) != CTL_EXIT_OK)
        return exit_code;
    if (apply && !FST_STORE_HAS(env->store, register_apply)) {
        fprintf(stderr, "foresattctl sync: --apply: the store plugin '%s' (%s, ABI %u.%u) cannot record the "
                        "register's changes (it needs ABI 1.2)\n", env->store->name, env->store->desc->name,
                (unsigned)env->store->desc->abi_major, (unsigned)env->store->desc->abi_minor);
        return CTL_EXIT_CONFIG;
    }
    s.pseudonyms.have_key = ctl_pseudonym_key(env, s.pseudonyms.key);
    if (!s.pseudonyms.have_key)
        fprintf(stderr, "foresattctl sync: no ForesattPseudonymSecret or ForesattCryptoPassphrase in %s: persons "
                        "are shown as '-'%s\n", env->config_path,
                apply ? ", and a changed number moves the school's records but not the audit log's entries" : "");
    now = have_today ? fst_oslo_day_start(today) + 12 * 3600 : (int64_t)time(NULL);

    if (fst_sync_compare(env->registry, env->store, now, ctl_pseudonym_of, &s.pseudonyms, env->pool, &rep,
                         &err) != 0) {
        fprintf(stderr, "foresattctl sync: %s%s; nothing was applied\n", err.message,
                err.temporary ? " (temporarily; try again)" : "");
        return CTL_EXIT_BACKEND;
    }
    if (apply && fst_sync_apply(env->store, &rep, env->pool, &err) != 0) {
        fprintf(stderr, "foresattctl sync: %s%s; nothing was applied\n", err.message,
                err.temporary ? " (temporarily; try again)" : "");
        return CTL_EXIT_BACKEND;
    }
    for (k = 0; k < FST_SYNC_KIND_COUNT; k++)
        if (fst_sync_kind_for_school((fst_sync_kind_t)k))
            for_school += rep.counts[k];

    if (as_json) {
        json_t *doc = json_object(), *items = json_array(), *counts = json_object();

        for (i = 0; i < rep.items->nelts; i++) {
            const fst_sync_item_t *it = &APR_ARRAY_IDX(rep.items, i, fst_sync_item_t);
            json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:b}", "kind", fst_sync_kind_name(it->kind), "role",
                                  role(it), "pupils", pupil_list(it->pupil_ids), "person",
                                  str_or_null(person(env->pool, &s, it->number)), "name", str_or_null(it->name),
                                  "for_school", fst_sync_kind_for_school(it->kind));
            if (it->kind == FST_SYNC_NUMBER_CHANGED)
                json_object_set_new(o, "new_person", str_or_null(person(env->pool, &s, it->new_number)));
            if (it->kind == FST_SYNC_NAME || it->kind == FST_SYNC_ADDRESS) {
                json_object_set_new(o, "was", str_or_null(it->was));
                json_object_set_new(o, "now", str_or_null(it->now));
            }
            if (it->detail)
                json_object_set_new(o, "detail", json_string(it->detail));
            json_array_append_new(items, o);
        }
        for (k = 0; k < FST_SYNC_KIND_COUNT; k++)
            json_object_set_new(counts, fst_sync_kind_name((fst_sync_kind_t)k), json_integer((json_int_t)rep.counts[k]));
        json_object_set_new(doc, "pupils", json_integer((json_int_t)rep.pupils));
        json_object_set_new(doc, "guardians", json_integer((json_int_t)rep.guardians));
        json_object_set_new(doc, "looked_up", json_integer((json_int_t)rep.looked_up));
        json_object_set_new(doc, "lookup_calls", json_integer((json_int_t)rep.lookup_calls));
        json_object_set_new(doc, "changes", json_integer(rep.changes->nelts));
        json_object_set_new(doc, "applied", json_boolean(apply));
        json_object_set_new(doc, "counts", counts);
        json_object_set_new(doc, "items", items);
        if ((exit_code = ctl_print_json("sync", doc, JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)) != CTL_EXIT_OK)
            return exit_code;
    } else {
        printf("# sync: %zu pupils and %zu guardian numbers, %zu looked up in %zu register call%s\n", rep.pupils,
               rep.guardians, rep.looked_up, rep.lookup_calls, rep.lookup_calls == 1 ? "" : "s");
        for (i = 0; i < rep.items->nelts; i++) {
            const fst_sync_item_t *it = &APR_ARRAY_IDX(rep.items, i, fst_sync_item_t);
            const char *who = person(env->pool, &s, it->number), *d = detail(env->pool, &s, it);
            printf("%s\t%s\t%s\t%s\t%s\t%s\n", fst_sync_kind_name(it->kind), role(it),
                   it->pupil_ids && *it->pupil_ids ? it->pupil_ids : "-", who ? who : "-", it->name ? it->name : "-",
                   d ? d : "-");
        }
        if (rep.changes->nelts == 0)
            printf("# nothing to apply: where the register has precedence, the store agrees\n");
        else if (apply)
            printf("# applied: %d change%s in one transaction\n", rep.changes->nelts, rep.changes->nelts == 1 ? "" : "s");
        else
            printf("# not applied: %d change%s; run with --apply to make the register's precedence so\n",
                   rep.changes->nelts, rep.changes->nelts == 1 ? "" : "s");
        if (for_school)
            printf("# for the school: %zu person%s listed (lost_responsibility, unregistered_responsible, "
                   "not_in_register, ended)\n", for_school, for_school == 1 ? "" : "s");
    }
    if (rep.changes->nelts > 0 && !apply)
        return CTL_EXIT_CHANGES;
    return for_school ? CTL_EXIT_FOR_SCHOOL : CTL_EXIT_OK;
}

const ctl_command_t ctl_cmd_sync = {"sync", "compare the school's records with the register (--apply: the register wins)",
                                    run, help};
