/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * lookup NUMBER... [--json]: ask the configured ForesattRegistry, through the same lookup cache the
 * module uses (one batch call for all numbers where the plugin has one), and print what the
 * register says. Addresses graded fortrolig / strengtFortrolig are printed as protected, never
 * their content (the parser does not even carry it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <apr_strings.h>
#include <jansson.h>

#include "ctl.h"
#include "fnr.h"
#include "person.h"
#include "registry_cache.h"

static void help(void)
{
    printf("usage: foresattctl [--config FILE] lookup NUMBER... [--json]\n\n"
           "Looks persons up in the register configured with ForesattRegistry and prints the parsed\n"
           "record: name, birth date, status, address (protected addresses only as 'protected'),\n"
           "parental responsibility (current and ended) and family relations.\n"
           "--json prints one JSON array with an object per number.\n\n"
           "Exit codes: 0 all found; 1 a number is invalid or not in the register; 2 usage;\n"
           "3 configuration; 4 the register failed or is unavailable (with the reason on stderr).\n");
}

static const char *iso(apr_pool_t *pool, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char buf[32];

    if (t == 0 || gmtime_r(&tt, &tm) == NULL)
        return NULL;
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return apr_pstrdup(pool, buf);
}

static const char *or_dash(const char *s)
{
    return s && *s ? s : "-";
}

static void print_text(apr_pool_t *pool, const char *query, const foresatt_person_t *p)
{
    size_t i;

    printf("%s\n", query);
    printf("  number          %s%s\n", p->number, p->is_dnumber ? " (D-nummer)" : "");
    printf("  name            %s%s%s %s\n", or_dash(p->given_name), p->middle_name ? " " : "",
           p->middle_name ? p->middle_name : "", or_dash(p->family_name));
    printf("  born            %s\n", or_dash(p->birth_date));
    printf("  status          %s\n", or_dash(p->status));
    if (!p->has_address)
        printf("  address         -\n");
    else if (fst_grading_protected(p->address.grading))
        printf("  address         protected (%s)\n", fst_grading_name(p->address.grading));
    else
        printf("  address         %s %s, %s %s%s\n", or_dash(p->address.street), p->address.house_number ? p->address.house_number : "",
               or_dash(p->address.postal_code), or_dash(p->address.post_town),
               p->address.grading == FORESATT_GRADING_CLIENT ? " (klientadresse)" : "");
    for (i = 0; i < p->n_responsibilities; i++) {
        const foresatt_responsibility_t *r = &p->responsibilities[i];
        printf("  responsibility  %s: %s for %s, %s%s\n", or_dash(r->kind), or_dash(r->responsible), or_dash(r->subject),
               r->current ? "current" : "ended ", r->current ? "" : or_dash(iso(pool, r->ended_at)));
    }
    for (i = 0; i < p->n_relations; i++) {
        const foresatt_relation_t *r = &p->relations[i];
        printf("  relation        %s %s (this person: %s)\n", or_dash(r->related_role), or_dash(r->related),
               or_dash(r->my_role));
    }
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *person_json(apr_pool_t *pool, const foresatt_person_t *p)
{
    json_t *o = json_object(), *resp = json_array(), *rel = json_array(), *addr;
    size_t i;

    json_object_set_new(o, "number", json_string(p->number));
    json_object_set_new(o, "d_number", json_boolean(p->is_dnumber));
    json_object_set_new(o, "given_name", str_or_null(p->given_name));
    json_object_set_new(o, "middle_name", str_or_null(p->middle_name));
    json_object_set_new(o, "family_name", str_or_null(p->family_name));
    json_object_set_new(o, "birth_date", str_or_null(p->birth_date));
    json_object_set_new(o, "status", str_or_null(p->status));
    if (!p->has_address) {
        addr = json_null();
    } else if (fst_grading_protected(p->address.grading)) {
        addr = json_pack("{s:s, s:b}", "grading", fst_grading_name(p->address.grading), "protected", 1);
    } else {
        addr = json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o}", "grading", fst_grading_name(p->address.grading),
                         "protected", 0, "street", str_or_null(p->address.street), "house_number",
                         str_or_null(p->address.house_number), "postal_code", str_or_null(p->address.postal_code),
                         "post_town", str_or_null(p->address.post_town), "municipality",
                         str_or_null(p->address.municipality));
    }
    json_object_set_new(o, "address", addr);
    for (i = 0; i < p->n_responsibilities; i++) {
        const foresatt_responsibility_t *r = &p->responsibilities[i];
        json_array_append_new(resp, json_pack("{s:o, s:o, s:o, s:b, s:o, s:o}", "kind", str_or_null(r->kind),
                                              "responsible", str_or_null(r->responsible), "subject",
                                              str_or_null(r->subject), "current", r->current, "valid_from",
                                              str_or_null(iso(pool, r->valid_from)), "ended_at",
                                              str_or_null(iso(pool, r->ended_at))));
    }
    json_object_set_new(o, "responsibilities", resp);
    for (i = 0; i < p->n_relations; i++) {
        const foresatt_relation_t *r = &p->relations[i];
        json_array_append_new(rel, json_pack("{s:o, s:o, s:o}", "related", str_or_null(r->related), "related_role",
                                             str_or_null(r->related_role), "my_role", str_or_null(r->my_role)));
    }
    json_object_set_new(o, "relations", rel);
    return o;
}

static int run(ctl_env_t *env, int argc, const char *const *argv)
{
    const char **numbers = apr_pcalloc(env->pool, sizeof(*numbers) * (size_t)argc);
    const foresatt_person_t **persons;
    fst_regcache_t *cache;
    fst_regcache_config_t cfg;
    foresatt_status_t status;
    foresatt_result_t rc;
    size_t n = 0, i;
    int as_json = 0, exit_code = CTL_EXIT_OK, j;

    for (j = 1; j < argc; j++) {
        if (strcmp(argv[j], "--json") == 0) {
            as_json = 1;
        } else if (argv[j][0] == '-') {
            fprintf(stderr, "foresattctl lookup: unknown option '%s'\n", argv[j]);
            return CTL_EXIT_USAGE;
        } else {
            fst_id_error_t err = fst_id_parse(argv[j], NULL);
            if (err != FST_ID_OK) {
                fprintf(stderr, "foresattctl lookup: '%s' is not a valid identity number: %s\n", argv[j],
                        fst_id_error_text(err));
                return CTL_EXIT_INVALID;
            }
            numbers[n++] = argv[j];
        }
    }
    if (n == 0) {
        fprintf(stderr, "foresattctl lookup: give one or more numbers\n");
        return CTL_EXIT_USAGE;
    }
    if ((j = ctl_load_config(env, CTL_NEED_REGISTRY)) != CTL_EXIT_OK)
        return j;
    fst_regcache_config_default(&cfg);
    if (fst_regcache_create(env->pool, env->registry, &cfg, &cache) != APR_SUCCESS) {
        fprintf(stderr, "foresattctl lookup: cannot set up the lookup cache\n");
        return CTL_EXIT_BACKEND;
    }
    persons = apr_pcalloc(env->pool, sizeof(*persons) * n);
    rc = fst_regcache_lookup_many(cache, numbers, n, env->pool, persons, &status);
    if (rc == FORESATT_TEMPORARY) {
        fprintf(stderr, "foresattctl lookup: the register (%s) is unavailable for now: %s", env->registry->name,
                status.message[0] ? status.message : "no reason given");
        if (status.retry_after)
            fprintf(stderr, " (it asks to retry after %u s)", status.retry_after);
        fprintf(stderr, "\n");
        return CTL_EXIT_BACKEND;
    }
    if (rc != FORESATT_OK) {
        fprintf(stderr, "foresattctl lookup: the register (%s) failed: %s\n", env->registry->name,
                status.message[0] ? status.message : "no reason given");
        return CTL_EXIT_BACKEND;
    }
    if (as_json) {
        json_t *out = json_array();
        char *text;

        for (i = 0; i < n; i++) {
            json_t *o = json_pack("{s:s, s:s}", "query", numbers[i], "result", persons[i] ? "found" : "not_found");
            if (persons[i])
                json_object_set_new(o, "person", person_json(env->pool, persons[i]));
            json_array_append_new(out, o);
        }
        text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(out);
    }
    for (i = 0; i < n; i++) {
        if (persons[i] == NULL) {
            if (!as_json)
                printf("%s\n  not found in the register\n", numbers[i]);
            exit_code = CTL_EXIT_INVALID;
        } else if (!as_json) {
            print_text(env->pool, numbers[i], persons[i]);
        }
    }
    return exit_code;
}

const ctl_command_t ctl_cmd_lookup = {"lookup", "look persons up in the register (Folkeregisteret)", run, help};
