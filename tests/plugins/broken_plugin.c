/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Deliberately broken plugins for the loader tests. Built several times with one of:
 *   BROKEN_NO_ENTRY       exports no entry symbol
 *   BROKEN_ABI_MAJOR      claims ABI major + 1
 *   BROKEN_ABI_MINOR      claims ABI minor + 1 (newer than the host)
 *   BROKEN_NO_DESCRIPTOR  the entry returns NULL
 *   BROKEN_CREATE_FAILS   create() refuses with its own message
 *   OLDER_ABI_MINOR       a working plugin built for an older minor version (accepted)
 *   BROKEN_STORE_MISSING  a store without guardian_links and purge (once: configtest passed, and a
 *                         child crashed at the first guardian's request)
 *   BROKEN_STORE_SHORT    a store whose table's struct_size ends before guardian_links
 *   (none)                a working plugin that is not thread-safe (serial_plugin)
 */
#include <stddef.h>
#include <stdio.h>

#include "foresatt/plugin.h"

static foresatt_result_t broken_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n,
                                       void **instance, foresatt_status_t *status)
{
    (void)host;
    (void)params;
    (void)n;
#ifdef BROKEN_CREATE_FAILS
    (void)instance;
    snprintf(status->message, sizeof(status->message), "key 'secret_file' is required: give the path of the secret");
    return FORESATT_ERROR;
#else
    (void)status;
    *instance = (void *)&broken_create;
    return FORESATT_OK;
#endif
}

static void broken_destroy(void *instance)
{
    (void)instance;
}

#if !defined(BROKEN_STORE_MISSING) && !defined(BROKEN_STORE_SHORT)
static foresatt_result_t broken_lookup(void *instance, const char *number, foresatt_arena_t *arena,
                                       foresatt_person_t **person, foresatt_status_t *status)
{
    (void)instance;
    (void)number;
    (void)arena;
    (void)person;
    (void)status;
    return FORESATT_NOT_FOUND;
}

static const foresatt_registry_ops_t broken_ops = {
    .struct_size = sizeof(foresatt_registry_ops_t),
    .lookup = broken_lookup,
};

#else
/* Never called: the loader refuses these tables. */
static void broken_never(void)
{
}
#define NEVER ((void *)broken_never)

static const foresatt_store_ops_t broken_store_ops = {
#if defined(BROKEN_STORE_SHORT)
    .struct_size = offsetof(foresatt_store_ops_t, guardian_links),
#else
    .struct_size = sizeof(foresatt_store_ops_t),
#endif
    .pupil_by_id = NEVER, .pupil_by_number = NEVER, .pupils_all = NEVER,
#if !defined(BROKEN_STORE_MISSING)
    .guardian_links = NEVER, .purge = NEVER,
#endif
    .pupil_guardians = NEVER, .guardian_contact_update = NEVER, .paper_list = NEVER, .consent_give = NEVER,
    .consent_revoke = NEVER, .audit_append = NEVER, .audit_query = NEVER, .import_roster = NEVER,
    .revision = NEVER, .contact_conflicts = NEVER,
};
#endif

static const foresatt_plugin_t broken_plugin = {
#if defined(BROKEN_ABI_MAJOR)
    .abi_major = FORESATT_ABI_MAJOR + 1,
#else
    .abi_major = FORESATT_ABI_MAJOR,
#endif
#if defined(BROKEN_ABI_MINOR)
    .abi_minor = FORESATT_ABI_MINOR + 1,
#elif defined(OLDER_ABI_MINOR)
    .abi_minor = FORESATT_ABI_MINOR - 1,
#else
    .abi_minor = FORESATT_ABI_MINOR,
#endif
    .struct_size = sizeof(foresatt_plugin_t),
    .name = "broken",
    .version = "0",
#if defined(BROKEN_STORE_MISSING) || defined(BROKEN_STORE_SHORT)
    .kind = FORESATT_PLUGIN_STORE,
    .store = &broken_store_ops,
#else
    .kind = FORESATT_PLUGIN_REGISTRY,
    .registry = &broken_ops,
#endif
    .flags = 0,
    .create = broken_create,
    .destroy = broken_destroy,
};

#if defined(BROKEN_NO_ENTRY)
FORESATT_EXPORT const foresatt_plugin_t *not_the_entry(void);
FORESATT_EXPORT const foresatt_plugin_t *not_the_entry(void)
{
    return &broken_plugin;
}
#elif defined(BROKEN_NO_DESCRIPTOR)
FORESATT_PLUGIN_ENTRY
{
    (void)broken_plugin;
    return NULL;
}
#else
FORESATT_PLUGIN_ENTRY
{
    return &broken_plugin;
}
#endif
