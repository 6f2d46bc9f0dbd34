/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Loads plugins (dlopen), checks their descriptor, creates instances and gives the host a safe way
 * to call them. Used by the module and by foresattctl alike.
 */
#ifndef FST_PLUGIN_LOADER_H
#define FST_PLUGIN_LOADER_H

#include <stddef.h>

#include <apr_pools.h>
#include <apr_thread_mutex.h>

#include "foresatt/plugin.h"
#include "log.h"

typedef enum fst_load_error {
    FST_LOAD_OK = 0,
    FST_LOAD_FILE_MISSING,
    FST_LOAD_NOT_SHARED_OBJECT,
    FST_LOAD_NO_ENTRY,
    FST_LOAD_BAD_DESCRIPTOR,
    FST_LOAD_MISSING_OPS, /* a required operation is NULL or past the table's struct_size */
    FST_LOAD_ABI_MAJOR,
    FST_LOAD_ABI_MINOR_NEWER,
    FST_LOAD_CREATE_FAILED,
    FST_LOAD_CHILD_INIT_FAILED
} fst_load_error_t;

typedef struct fst_plugin {
    const char *name; /* the instance name given in configuration */
    const char *path;
    void *dl_handle;
    const foresatt_plugin_t *desc;
    foresatt_param_t *params;
    size_t n_params;
    void *instance;            /* after fst_plugin_create() */
    foresatt_host_t host;      /* handed to the plugin; host_data points back here */
    const fst_log_t *log;
    apr_thread_mutex_t *mutex; /* set when the plugin is not thread-safe */
    /* Who the host's workers run as, for host.worker_can_write (httpd's User and Group when it
     * starts as root); -1: no workers of another user (foresattctl). Set before fst_plugin_create(). */
    long worker_uid, worker_gid;
} fst_plugin_t;

/* Same major, and a minor no newer than the host's: older plugins keep working, newer ones may
 * need operations this host lacks. */
fst_load_error_t fst_plugin_abi_check(unsigned host_major, unsigned host_minor, unsigned plugin_major,
                                      unsigned plugin_minor);

/* dlopen path and check the descriptor. On failure returns the reason, with a message in *err
 * that names the path and says what to do. The handle is closed when pool is cleared. */
fst_load_error_t fst_plugin_load(apr_pool_t *pool, const char *name, const char *path, const fst_log_t *log,
                                 fst_plugin_t **plugin, const char **err);

/* The required operations the descriptor's table lacks, as "guardian_links, purge", or NULL when it
 * has them all (fst_plugin_load refuses such a plugin). Optional operations are never named: a
 * registry's lookup_batch, a store's revision and audit_append, and every ABI 1.2 operation. */
const char *fst_plugin_missing_ops(apr_pool_t *pool, const foresatt_plugin_t *desc);

/* Split "key=value" words (as given on the ForesattPlugin line) into the plugin's parameters.
 * Fails on a word without '=' or with an empty key. */
int fst_plugin_set_params(apr_pool_t *pool, fst_plugin_t *plugin, int argc, const char *const *argv,
                          const char **err);

/* Call the plugin's create(). The instance is destroyed when pool is cleared. */
fst_load_error_t fst_plugin_create(apr_pool_t *pool, fst_plugin_t *plugin, const char **err);

/* Call child_init() where the plugin has one (after fork). */
fst_load_error_t fst_plugin_child_init(apr_pool_t *pool, fst_plugin_t *plugin, const char **err);

/* Non-zero when an operation table of this type has member: within the table's struct_size (a plugin
 * built for an older minor has a smaller table) and not NULL. FST_OPS_HAS(ops, foresatt_store_ops_t,
 * register_apply). */
#define FST_OPS_HAS(ops, type, member)                                                                   \
    ((ops) != NULL && (ops)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member) &&     \
     (ops)->member != NULL)

const char *fst_plugin_kind_name(foresatt_plugin_kind_t kind); /* "registry", "store" */

/* Serialise calls into a plugin that is not thread-safe; no-ops for thread-safe ones. */
void fst_plugin_lock(fst_plugin_t *plugin);
void fst_plugin_unlock(fst_plugin_t *plugin);

/* The arena a plugin allocates results in: an APR pool. */
static inline foresatt_arena_t *fst_arena(apr_pool_t *pool)
{
    return (foresatt_arena_t *)pool;
}

#endif
