/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The descriptor and entry point of this project's own plugins, at version 1.0 of each. All of them
 * are thread-safe (each plugin's file says how). A plugin written elsewhere spells its descriptor
 * out, as plugins/example/ shows.
 */
#ifndef PLUGIN_DESCRIPTOR_H
#define PLUGIN_DESCRIPTOR_H

#include "foresatt/plugin.h"

#define PLUGIN_DESCRIPTOR(name_, kind_, create_, child_init_, destroy_, registry_, store_)                       \
    static const foresatt_plugin_t plugin_descriptor = {                                                       \
        .abi_major = FORESATT_ABI_MAJOR, .abi_minor = FORESATT_ABI_MINOR,                                      \
        .struct_size = sizeof(foresatt_plugin_t), .name = name_, .version = "1.0", .kind = kind_,               \
        .flags = FORESATT_PLUGIN_THREADSAFE, .create = create_, .child_init = child_init_, .destroy = destroy_,  \
        .registry = registry_, .store = store_};                                                               \
    FORESATT_PLUGIN_ENTRY                                                                                      \
    {                                                                                                          \
        return &plugin_descriptor;                                                                             \
    }

/* A register plugin and its operations. */
#define REGISTRY_PLUGIN(name_, create_, child_init_, destroy_, lookup_, lookup_batch_, max_batch_, events_latest_,  \
                        events_read_)                                                                          \
    static const foresatt_registry_ops_t plugin_registry_ops = {.struct_size = sizeof(foresatt_registry_ops_t), \
                                                                .lookup = lookup_,                             \
                                                                .lookup_batch = lookup_batch_,                 \
                                                                .max_batch = max_batch_,                       \
                                                                .events_latest = events_latest_,               \
                                                                .events_read = events_read_};                  \
    PLUGIN_DESCRIPTOR(name_, FORESATT_PLUGIN_REGISTRY, create_, child_init_, destroy_, &plugin_registry_ops, NULL)

/* A store plugin: its create() and plugins/common/store_core.c for the rest. */
#define STORE_PLUGIN(name_, create_)                                                                           \
    PLUGIN_DESCRIPTOR(name_, FORESATT_PLUGIN_STORE, create_, store_child_init, store_destroy, NULL, &store_ops)

#endif
