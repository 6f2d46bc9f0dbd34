/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the rest of httpd's configuration says, for checks at configtest (core.h): where a server
 * uses an AuthType, and whether it is named by a ServerName of its own. Read from what httpd
 * executed (the sections' configurations), so <IfModule> and <IfDefine> count as httpd took them,
 * except for ServerName, which is read from the configuration tree.
 */
#include <string.h>
#include <strings.h>

#include <apr_optional.h>
#include <apr_strings.h>
#include <http_core.h>
#include <mod_auth.h>

#include "core/core.h"

typedef struct auth_types {
    module *authn_core;
    APR_OPTIONAL_FN_TYPE(authn_ap_auth_type) *get;
} auth_types_t;

/* A section's AuthType, through mod_authn_core's accessor (the core's own is not wired before
 * post_config) on a request that carries only the section's configuration, all it reads. */
static const char *auth_type_of(const auth_types_t *at, ap_conf_vector_t *v)
{
    request_rec fake;

    if (v == NULL || ap_get_module_config(v, at->authn_core) == NULL)
        return NULL;
    memset(&fake, 0, sizeof(fake));
    fake.per_dir_config = v;
    return at->get(&fake);
}

static const char *section_name(apr_pool_t *p, const char *kind, ap_conf_vector_t *v)
{
    const core_dir_config *d = ap_get_core_module_config(v);

    if (d == NULL || d->d == NULL)
        return apr_psprintf(p, "<%s>", kind);
    return apr_psprintf(p, "<%s%s %s>", kind, d->r ? "Match" : "", d->d);
}

static const char *in_sections(apr_pool_t *p, const auth_types_t *authn_core, const apr_array_header_t *sections,
                               const char *kind, const char *type)
{
    int i, j;

    for (i = 0; sections && i < sections->nelts; i++) {
        ap_conf_vector_t *v = APR_ARRAY_IDX(sections, i, ap_conf_vector_t *);
        const core_dir_config *d = ap_get_core_module_config(v);
        const char *have = auth_type_of(authn_core, v);

        if (have != NULL && strcasecmp(have, type) == 0)
            return section_name(p, kind, v);
        for (j = 0; d && d->sec_file && j < d->sec_file->nelts; j++) {
            ap_conf_vector_t *f = APR_ARRAY_IDX(d->sec_file, j, ap_conf_vector_t *);
            if ((have = auth_type_of(authn_core, f)) != NULL && strcasecmp(have, type) == 0)
                return apr_pstrcat(p, section_name(p, kind, v), " ", section_name(p, "Files", f), NULL);
        }
        for (j = 0; d && d->sec_if && j < d->sec_if->nelts; j++) {
            ap_conf_vector_t *f = APR_ARRAY_IDX(d->sec_if, j, ap_conf_vector_t *);
            if ((have = auth_type_of(authn_core, f)) != NULL && strcasecmp(have, type) == 0)
                return apr_pstrcat(p, section_name(p, kind, v), " <If>", NULL);
        }
    }
    return NULL;
}

const char *fs_sections_auth_type(apr_pool_t *p, server_rec *s, const char *type)
{
    const core_server_config *sc = ap_get_core_module_config(s->module_config);
    auth_types_t at;
    const char *where;

    /* AuthType is mod_authn_core's: without it, nobody set one. */
    at.authn_core = ap_find_linked_module("mod_authn_core.c");
    at.get = APR_RETRIEVE_OPTIONAL_FN(authn_ap_auth_type);
    if (at.authn_core == NULL || at.get == NULL)
        return NULL;
    if ((where = in_sections(p, &at, sc->sec_url, "Location", type)) != NULL)
        return where;
    return in_sections(p, &at, sc->sec_dir, "Directory", type);
}

/* <IfModule>, <IfDefine>, <IfVersion>, ...: read when the configuration is; not <If>, a request's. */
static int conditional(const ap_directive_t *d)
{
    return strncasecmp(d->directive, "<If", 3) == 0 && strcasecmp(d->directive, "<If") != 0;
}

/* A ServerName among these directives, looking into conditional sections but not into other
 * servers' or any directory's. */
static int has_server_name(const ap_directive_t *d)
{
    for (; d; d = d->next) {
        if (strcasecmp(d->directive, "ServerName") == 0)
            return 1;
        if (conditional(d) && has_server_name(d->first_child))
            return 1;
    }
    return 0;
}

static const ap_directive_t *vhost_node(const ap_directive_t *d, const server_rec *s)
{
    const ap_directive_t *found;

    for (; d; d = d->next) {
        if (strcasecmp(d->directive, "<VirtualHost") == 0) {
            if ((unsigned)d->line_num == s->defn_line_number && d->filename && s->defn_name &&
                strcmp(d->filename, s->defn_name) == 0)
                return d;
        }
        else if (conditional(d) && (found = vhost_node(d->first_child, s)) != NULL) {
            return found;
        }
    }
    return NULL;
}

int fs_sections_server_named(server_rec *main_server, server_rec *s)
{
    const ap_directive_t *node;
    int main_named = has_server_name(ap_conftree);

    if (!s->is_virtual)
        return main_named;
    node = vhost_node(ap_conftree, s);
    if (node != NULL && has_server_name(node->first_child))
        return 1;
    /* Without one, a vhost takes the main server's name (or, on an address of its own, what a
     * reverse lookup of the address said). */
    return main_named && s->server_hostname && main_server->server_hostname &&
           strcasecmp(s->server_hostname, main_server->server_hostname) == 0;
}
