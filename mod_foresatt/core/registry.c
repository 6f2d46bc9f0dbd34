/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The register lookup cache in httpd: ForesattRegistryCacheTTL, ForesattRegistryNotFoundTTL and
 * ForesattRegistryCacheSize, one cache per child process and registry plugin (created in
 * child_init, so nothing is shared across fork), and the lookup wrappers the authorization uses.
 *
 * Per child rather than in shared memory: an answer is a tree of strings that is cheap to fetch
 * again, children are few and long-lived, and a per-process table needs no cross-process lock on
 * the request path. The cost is at most one register call per number per child per lifetime.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>


#include "core/core.h"

APLOG_USE_MODULE(foresatt);

#define MAX_TTL_SECONDS 86400 /* a change in the register must be seen within a day at worst */
#define MAX_ENTRIES 1000000

void *fs_registry_conf_create(apr_pool_t *pool)
{
    fs_registry_conf_t *conf = apr_pcalloc(pool, sizeof(*conf));

    conf->ttl = FST_REGCACHE_TTL_DEFAULT;
    conf->not_found_ttl = FST_REGCACHE_NOT_FOUND_TTL_DEFAULT;
    conf->max_entries = FST_REGCACHE_MAX_ENTRIES_DEFAULT;
    return conf;
}

void *fs_registry_conf_merge(apr_pool_t *pool, void *basev, void *addv)
{
    fs_registry_conf_t *base = basev, *add = addv, *conf = apr_pcalloc(pool, sizeof(*conf));

    if (base == NULL)
        return add;
    if (add == NULL)
        return base;
    conf->ttl = add->ttl_set ? add->ttl : base->ttl;
    conf->ttl_set = add->ttl_set || base->ttl_set;
    conf->not_found_ttl = add->not_found_ttl_set ? add->not_found_ttl : base->not_found_ttl;
    conf->not_found_ttl_set = add->not_found_ttl_set || base->not_found_ttl_set;
    conf->max_entries = add->max_entries_set ? add->max_entries : base->max_entries;
    conf->max_entries_set = add->max_entries_set || base->max_entries_set;
    return conf;
}

static fs_registry_conf_t *conf_of(const server_rec *s)
{
    return fs_server_conf(s)->registry_conf;
}

/* A whole number in [min, max], or an error naming the directive and what to give. */
static const char *parse_count(cmd_parms *cmd, const char *arg, long min, long max, const char *hint, long *out)
{
    char *end = NULL;
    apr_int64_t v;

    errno = 0;
    v = apr_strtoi64(arg, &end, 10);
    if (*arg == '\0' || end == NULL || *end != '\0' || errno != 0)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a whole number; %s", cmd->cmd->name, arg, hint);
    if (v < min || v > max)
        return apr_psprintf(cmd->pool, "%s: %s is out of range (%ld to %ld); %s", cmd->cmd->name, arg, min, max,
                            hint);
    *out = (long)v;
    return NULL;
}

const char *fs_cmd_registry_cache_ttl(cmd_parms *cmd, void *dconf, const char *arg)
{
    fs_registry_conf_t *conf = conf_of(cmd->server);
    const char *err;
    long v;

    (void)dconf;
    if ((err = parse_count(cmd, arg, 0, MAX_TTL_SECONDS, "give the seconds a register answer is kept, e.g. 300 "
                           "(0 turns the cache off)", &v)) != NULL)
        return err;
    conf->ttl = apr_time_from_sec(v);
    conf->ttl_set = 1;
    return NULL;
}

const char *fs_cmd_registry_not_found_ttl(cmd_parms *cmd, void *dconf, const char *arg)
{
    fs_registry_conf_t *conf = conf_of(cmd->server);
    const char *err;
    long v;

    (void)dconf;
    if ((err = parse_count(cmd, arg, 0, MAX_TTL_SECONDS, "give the seconds a 'not found' answer is kept, e.g. 30",
                           &v)) != NULL)
        return err;
    conf->not_found_ttl = apr_time_from_sec(v);
    conf->not_found_ttl_set = 1;
    return NULL;
}

const char *fs_cmd_registry_cache_size(cmd_parms *cmd, void *dconf, const char *arg)
{
    fs_registry_conf_t *conf = conf_of(cmd->server);
    const char *err;
    long v;

    (void)dconf;
    if ((err = parse_count(cmd, arg, 1, MAX_ENTRIES, "give how many persons each child process keeps, e.g. 10000",
                           &v)) != NULL)
        return err;
    conf->max_entries = (size_t)v;
    conf->max_entries_set = 1;
    return NULL;
}

/* One cache per registry plugin and settings in this child: virtual hosts that share both share it. */
void fs_registry_child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_hash_t *made = apr_hash_make(pchild);
    server_rec *vs;

    for (vs = s; vs; vs = vs->next) {
        fs_server_conf_t *sconf = fs_server_conf(vs);
        fs_registry_conf_t *conf = sconf->registry_conf;
        fst_regcache_config_t cfg;
        const char *key;
        apr_status_t rv;

        if (sconf->registry == NULL || conf == NULL)
            continue;
        key = apr_psprintf(pchild, "%pp/%" APR_TIME_T_FMT "/%" APR_TIME_T_FMT "/%" APR_SIZE_T_FMT,
                           (void *)sconf->registry, conf->ttl, conf->not_found_ttl, conf->max_entries);
        conf->cache = apr_hash_get(made, key, APR_HASH_KEY_STRING);
        if (conf->cache != NULL)
            continue;
        fst_regcache_config_default(&cfg);
        cfg.ttl = conf->ttl;
        cfg.not_found_ttl = conf->not_found_ttl;
        cfg.max_entries = conf->max_entries;
        rv = fst_regcache_create(pchild, sconf->registry, &cfg, &conf->cache);
        if (rv != APR_SUCCESS) {
            ap_log_error(APLOG_MARK, APLOG_ERR, rv, vs, FSLOGNO(0401) "cannot create the register lookup cache");
            conf->cache = NULL;
            continue;
        }
        apr_hash_set(made, key, APR_HASH_KEY_STRING, conf->cache);
    }
}

fst_regcache_t *fs_registry_cache(const server_rec *s)
{
    fs_registry_conf_t *conf = conf_of(s);

    return conf ? conf->cache : NULL;
}

static foresatt_result_t logged(request_rec *r, foresatt_result_t rc, size_t n, const foresatt_status_t *status)
{
    const char *name = fs_server_conf(r->server)->registry ? fs_server_conf(r->server)->registry->name : "-";

    /* The plugin's message never holds a number (plugin.h); neither does this line. */
    if (rc == FORESATT_TEMPORARY)
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r,
                      FSLOGNO(0402) "register '%s' unavailable (%" APR_SIZE_T_FMT " number%s asked): %s%s", name, n,
                      n == 1 ? "" : "s", status->message[0] ? status->message : "no reason given",
                      status->retry_after ? apr_psprintf(r->pool, " (retry after %u s)", status->retry_after) : "");
    else if (rc == FORESATT_ERROR)
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r,
                      FSLOGNO(0403) "register '%s' failed (%" APR_SIZE_T_FMT " number%s asked): %s", name, n,
                      n == 1 ? "" : "s", status->message[0] ? status->message : "no reason given");
    return rc;
}

static foresatt_result_t no_registry(request_rec *r, foresatt_status_t *status)
{
    memset(status, 0, sizeof(*status));
    snprintf(status->message, sizeof(status->message), "no ForesattRegistry is configured for this server");
    ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0404) "%s", status->message);
    return FORESATT_ERROR;
}

foresatt_result_t fs_registry_lookup(request_rec *r, const char *number, const foresatt_person_t **person,
                                     foresatt_status_t *status)
{
    fst_regcache_t *cache = fs_registry_cache(r->server);

    *person = NULL;
    if (cache == NULL)
        return no_registry(r, status);
    return logged(r, fst_regcache_lookup(cache, number, r->pool, person, status), 1, status);
}

foresatt_result_t fs_registry_lookup_many(request_rec *r, const char *const *numbers, size_t n,
                                          const foresatt_person_t **persons, foresatt_status_t *status)
{
    fst_regcache_t *cache = fs_registry_cache(r->server);
    size_t i;

    for (i = 0; i < n; i++)
        persons[i] = NULL;
    if (cache == NULL)
        return no_registry(r, status);
    return logged(r, fst_regcache_lookup_many(cache, numbers, n, r->pool, persons, status), n, status);
}
