/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * A plugin as a 1.1 build of it looks to a newer host: the real store_sqlite (WRAP_STORE) or
 * registry_file (WRAP_REGISTRY) from this build tree, under a descriptor that says ABI 1.1 with an
 * operation table only as long as 1.1's. The 1.2 slots past that end abort, so a host that reads
 * beyond struct_size fails the test loudly instead of calling into nothing.
 *
 * With WRAP_NO_AUDIT (and WRAP_STORE): the real store_sqlite of this ABI, but without audit_append,
 * a store that keeps no audit log (test_48_audit.py).
 *
 * The real plugin: $FORESATT_ABI11_REAL, else the build tree's, found from this file's own path
 * (tests/plugins/.libs/ -> plugins/<name>/.libs/<name>.so).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foresatt/plugin.h"

#if defined(WRAP_STORE) && defined(WRAP_NO_AUDIT)
#define REAL_NAME "store_sqlite"
#define WRAP_NAME "store_no_audit"
#define OPS_TYPE foresatt_store_ops_t
#define FIRST_NEW numbers_held
#elif defined(WRAP_STORE)
#define REAL_NAME "store_sqlite"
#define WRAP_NAME "store_abi11"
#define OPS_TYPE foresatt_store_ops_t
#define FIRST_NEW numbers_held
#else
#define REAL_NAME "registry_file"
#define WRAP_NAME "registry_abi11"
#define OPS_TYPE foresatt_registry_ops_t
#define FIRST_NEW events_latest
#endif

static foresatt_plugin_t wrapped;
static OPS_TYPE wrapped_ops;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void past_the_end(void)
{
    fprintf(stderr, WRAP_NAME ": the host called an operation past the 1.1 table's end\n");
    abort();
}

static void wrap(void)
{
    const char *real = getenv("FORESATT_ABI11_REAL");
    char path[PATH_MAX];
    foresatt_plugin_entry_fn entry;
    const foresatt_plugin_t *d;
    Dl_info self;
    void *h;

    if (real == NULL || *real == '\0') {
        char *slash;
        if (dladdr((void *)&wrap, &self) == 0 || self.dli_fname == NULL)
            return;
        snprintf(path, sizeof(path), "%s", self.dli_fname);
        if ((slash = strrchr(path, '/')) == NULL)
            return;
        *slash = '\0';
        if (strlen(path) + 64 >= sizeof(path))
            return;
        strcat(path, "/../../../plugins/" REAL_NAME "/.libs/" REAL_NAME ".so");
        real = path;
    }
    if ((h = dlopen(real, RTLD_NOW | RTLD_LOCAL)) == NULL ||
        (entry = (foresatt_plugin_entry_fn)dlsym(h, FORESATT_PLUGIN_ENTRY_SYMBOL)) == NULL || (d = entry()) == NULL)
        return;
    wrapped = *d;
    wrapped.name = WRAP_NAME;
#if defined(WRAP_NO_AUDIT)
    wrapped_ops = *d->store;
    wrapped.store = &wrapped_ops;
    wrapped_ops.audit_append = NULL;
    return;
#endif
    wrapped.abi_minor = 1;
#if defined(WRAP_STORE)
    wrapped_ops = *d->store;
    wrapped.store = &wrapped_ops;
    wrapped_ops.numbers_held = (void *)past_the_end;
    wrapped_ops.register_apply = (void *)past_the_end;
    wrapped_ops.feed_position = (void *)past_the_end;
    wrapped_ops.invalidations_since = (void *)past_the_end;
#else
    wrapped_ops = *d->registry;
    wrapped.registry = &wrapped_ops;
    wrapped_ops.events_latest = (void *)past_the_end;
    wrapped_ops.events_read = (void *)past_the_end;
#endif
    wrapped_ops.struct_size = (uint32_t)offsetof(OPS_TYPE, FIRST_NEW);
}

FORESATT_PLUGIN_ENTRY
{
    pthread_once(&once, wrap);
    return wrapped.create ? &wrapped : NULL;
}
