/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * A complete, minimal registry plugin: it knows the persons given on its configuration line.
 * Start here when writing a plugin; docs/plugin-authors.md walks through it.
 *
 *   ForesattPlugin people /usr/lib/foresatt/registry_example.so \
 *       person=20036914700,KARI,NORDMANN,1969-03-20 person=...
 *
 * Each person=NUMBER,GIVEN,FAMILY,BIRTHDATE adds one person (no responsibility entries).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foresatt/plugin.h"

typedef struct example_person {
    char number[12];
    char given[64];
    char family[64];
    char birth[11];
} example_person_t;

typedef struct example_instance {
    const foresatt_host_t *host;
    size_t n;
    example_person_t *persons;
} example_instance_t;

static int parse_person(const char *value, example_person_t *p)
{
    /* NUMBER,GIVEN,FAMILY,BIRTHDATE: exactly four fields of bounded length */
    const char *f[4];
    size_t len[4];
    const char *s = value;
    int i;

    for (i = 0; i < 4; i++) {
        const char *comma = strchr(s, ',');
        f[i] = s;
        len[i] = comma ? (size_t)(comma - s) : strlen(s);
        if ((comma == NULL) != (i == 3))
            return 0;
        s = comma ? comma + 1 : s + len[i];
    }
    if (len[0] != 11 || len[1] == 0 || len[1] >= sizeof(p->given) || len[2] == 0 || len[2] >= sizeof(p->family) ||
        len[3] != 10)
        return 0;
    memcpy(p->number, f[0], 11);
    p->number[11] = '\0';
    memcpy(p->given, f[1], len[1]);
    p->given[len[1]] = '\0';
    memcpy(p->family, f[2], len[2]);
    p->family[len[2]] = '\0';
    memcpy(p->birth, f[3], 10);
    p->birth[10] = '\0';
    return 1;
}

static foresatt_result_t example_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                        void **instance, foresatt_status_t *status)
{
    example_instance_t *inst = calloc(1, sizeof(*inst));
    size_t i;

    if (inst == NULL) {
        snprintf(status->message, sizeof(status->message), "out of memory");
        return FORESATT_ERROR;
    }
    inst->host = host;
    inst->persons = calloc(n_params ? n_params : 1, sizeof(example_person_t));
    if (inst->persons == NULL) {
        free(inst);
        snprintf(status->message, sizeof(status->message), "out of memory");
        return FORESATT_ERROR;
    }
    for (i = 0; i < n_params; i++) {
        if (strcmp(params[i].key, "person") != 0) {
            snprintf(status->message, sizeof(status->message), "unknown key '%s' (known: person)", params[i].key);
            goto fail;
        }
        if (!parse_person(params[i].value, &inst->persons[inst->n])) {
            snprintf(status->message, sizeof(status->message),
                     "person=%.40s...: expected NUMBER,GIVEN,FAMILY,YYYY-MM-DD", params[i].value);
            goto fail;
        }
        inst->n++;
    }
    host->log(host, FORESATT_LOG_DEBUG, "%zu persons configured", inst->n);
    *instance = inst;
    return FORESATT_OK;
fail:
    free(inst->persons);
    free(inst);
    return FORESATT_ERROR;
}

static void example_destroy(void *instance)
{
    example_instance_t *inst = instance;

    free(inst->persons);
    free(inst);
}

static foresatt_result_t example_lookup(void *instance, const char *number, foresatt_arena_t *arena,
                                        foresatt_person_t **person, foresatt_status_t *status)
{
    example_instance_t *inst = instance;
    size_t i;

    (void)status;
    for (i = 0; i < inst->n; i++) {
        if (strcmp(inst->persons[i].number, number) == 0) {
            foresatt_person_t *p = inst->host->alloc(arena, sizeof(*p));
            p->struct_size = sizeof(*p);
            p->number = inst->host->strdup(arena, inst->persons[i].number);
            p->given_name = inst->host->strdup(arena, inst->persons[i].given);
            p->family_name = inst->host->strdup(arena, inst->persons[i].family);
            p->birth_date = inst->host->strdup(arena, inst->persons[i].birth);
            p->status = "bosatt";
            *person = p;
            return FORESATT_OK;
        }
    }
    return FORESATT_NOT_FOUND;
}

static const foresatt_registry_ops_t example_ops = {
    .struct_size = sizeof(foresatt_registry_ops_t),
    .lookup = example_lookup,
    .lookup_batch = NULL,
    .max_batch = 0,
};

static const foresatt_plugin_t example_plugin = {
    .abi_major = FORESATT_ABI_MAJOR,
    .abi_minor = FORESATT_ABI_MINOR,
    .struct_size = sizeof(foresatt_plugin_t),
    .name = "registry_example",
    .version = "1.0",
    .kind = FORESATT_PLUGIN_REGISTRY,
    .flags = FORESATT_PLUGIN_THREADSAFE, /* read-only after create() */
    .create = example_create,
    .child_init = NULL,
    .destroy = example_destroy,
    .registry = &example_ops,
    .store = NULL,
};

FORESATT_PLUGIN_ENTRY
{
    return &example_plugin;
}
