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
 *   (none)                a working plugin that is not thread-safe (serial_plugin)
 */
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
    .kind = FORESATT_PLUGIN_REGISTRY,
    .flags = 0,
    .create = broken_create,
    .destroy = broken_destroy,
    .registry = &broken_ops,
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
