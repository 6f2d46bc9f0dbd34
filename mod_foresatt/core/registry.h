/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The register, as the rest of the module sees it: lookups through this child's cache in front of
 * the ForesattRegistry plugin (lib/registry_cache.h). Answers are copies in r->pool.
 *
 *   const foresatt_person_t *guardian;
 *   foresatt_status_t st;
 *   foresatt_result_t rc = fs_registry_lookup(r, pid, &guardian, &st);
 *   ... then the candidate children in one call:
 *   rc = fs_registry_lookup_many(r, numbers, n, children, &st);   (children[i] NULL: not found)
 *
 * FORESATT_TEMPORARY means "answer 503, try again later" (st.retry_after seconds when the register
 * said); both failure kinds are already logged here (without the number), so callers need not.
 */
#ifndef FS_REGISTRY_H
#define FS_REGISTRY_H

#include <httpd.h>
#include <http_config.h>

#include "foresatt/plugin.h"
#include "registry_cache.h"

/* The per-server settings (ForesattRegistryCache*), reached through fs_server_conf_t.registry_conf. */
typedef struct fs_registry_conf {
    apr_interval_time_t ttl;
    apr_interval_time_t not_found_ttl;
    size_t max_entries;
    int ttl_set, not_found_ttl_set, max_entries_set;
    fst_regcache_t *cache; /* this child's, set in child_init */
} fs_registry_conf_t;

/* This server's cache in this child, or NULL when no ForesattRegistry is configured. */
fst_regcache_t *fs_registry_cache(const server_rec *s);

/* FORESATT_ERROR with a message when no ForesattRegistry is configured. */
foresatt_result_t fs_registry_lookup(request_rec *r, const char *number, const foresatt_person_t **person,
                                     foresatt_status_t *status);
foresatt_result_t fs_registry_lookup_many(request_rec *r, const char *const *numbers, size_t n,
                                          const foresatt_person_t **persons, foresatt_status_t *status);

/* core/registry.c: directives, merge and child_init (wired in mod_foresatt.c) */
void *fs_registry_conf_create(apr_pool_t *pool);
void *fs_registry_conf_merge(apr_pool_t *pool, void *base, void *add);
const char *fs_cmd_registry_cache_ttl(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_registry_not_found_ttl(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_registry_cache_size(cmd_parms *cmd, void *dconf, const char *arg);
void fs_registry_child_init(apr_pool_t *pchild, server_rec *s);

#endif
