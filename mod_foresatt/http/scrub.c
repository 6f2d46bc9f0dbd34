/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Header scrubbing (http.h): ForesattHeaderPrefix and the names the folders register. The prefixes
 * and the names are normalised once per configuration; a request walks its own headers once.
 */
#include <ctype.h>
#include <string.h>

#include <apr_lib.h>
#include <apr_strings.h>
#include <http_protocol.h>
#include <http_request.h>

#include "http/http.h"

APLOG_USE_MODULE(foresatt);

#define SCRUB_KEY "foresatt-scrub-headers"
#define MAX_REMOVED 16

static apr_array_header_t *names_of(apr_pool_t *pconf, const char *key)
{
    void *list = NULL;

    apr_pool_userdata_get(&list, key, pconf);
    if (list == NULL) {
        list = apr_array_make(pconf, 8, sizeof(const char *));
        apr_pool_userdata_set(list, key, apr_pool_cleanup_null, pconf);
    }
    return list;
}

static char fold(char c)
{
    return c == '_' ? '-' : (char)apr_tolower(c);
}

/* Lowercase, '_' as '-'. */
static char *normalise(apr_pool_t *pool, const char *name)
{
    char *n = apr_pstrdup(pool, name), *p;

    for (p = n; *p; p++)
        *p = fold(*p);
    return n;
}

/* have (as sent) against want (normalised): all of it, or only its start when prefix. */
static int name_matches(const char *have, const char *want, int prefix)
{
    for (; *want; have++, want++)
        if (*have == '\0' || fold(*have) != *want)
            return 0;
    return prefix || *have == '\0';
}

static int in_list(const char *name, const apr_array_header_t *list)
{
    int i;

    for (i = 0; list && i < list->nelts; i++)
        if (name_matches(name, APR_ARRAY_IDX(list, i, const char *), 0))
            return 1;
    return 0;
}

static int has_prefix(const char *name, const apr_array_header_t *prefixes)
{
    int i;

    for (i = 0; i < prefixes->nelts; i++)
        if (name_matches(name, APR_ARRAY_IDX(prefixes, i, const char *), 1))
            return 1;
    return 0;
}

void fs_scrub_register(apr_pool_t *pconf, const char *name)
{
    apr_array_header_t *list;

    if (name == NULL || *name == '\0')
        return;
    list = names_of(pconf, SCRUB_KEY);
    if (!in_list(name, list))
        APR_ARRAY_PUSH(list, const char *) = normalise(pconf, name);
}

int fs_header_names_alike(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (fold(*a) != fold(*b))
            return 0;
    return *a == *b;
}

fs_http_conf_t *fs_http_conf_create(apr_pool_t *pool)
{
    return apr_pcalloc(pool, sizeof(fs_http_conf_t));
}

fs_http_conf_t *fs_http_conf_merge(apr_pool_t *pool, const fs_http_conf_t *base, const fs_http_conf_t *add)
{
    fs_http_conf_t *c = apr_pcalloc(pool, sizeof(*c));

    c->header_prefix = add->header_prefix ? add->header_prefix : base->header_prefix;
    return c;
}

const char *fs_cmd_header_prefix(cmd_parms *cmd, void *d, const char *v)
{
    const char *p;

    (void)d;
    for (p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-')
            return apr_psprintf(cmd->pool, "%s: use letters, digits and '-' only", cmd->cmd->name);
    if (strlen(v) < 3)
        return apr_psprintf(cmd->pool, "%s: the prefix is too short to be safe to scrub", cmd->cmd->name);
    fs_http_conf(cmd->server)->header_prefix = v;
    return NULL;
}

/* Every server scrubs every server's prefix: a header one virtual host sets for its backend is
 * forged wherever a client sends it (backends may be shared, and requests can be sent to any). */
int fs_http_check_config(apr_pool_t *pconf, server_rec *main_server)
{
    apr_array_header_t *prefixes = apr_array_make(pconf, 2, sizeof(const char *));
    server_rec *s;
    int i;

    for (s = main_server; s; s = s->next) {
        fs_http_conf_t *c = fs_http_conf(s);
        const char *prefix;

        c->header_prefix = c->header_prefix ? c->header_prefix : FS_HEADER_PREFIX_DEFAULT;
        prefix = normalise(pconf, c->header_prefix);
        for (i = 0; i < prefixes->nelts; i++)
            if (strcmp(APR_ARRAY_IDX(prefixes, i, const char *), prefix) == 0)
                break;
        if (i == prefixes->nelts)
            APR_ARRAY_PUSH(prefixes, const char *) = prefix;
    }
    for (s = main_server; s; s = s->next) {
        fs_http_conf_t *c = fs_http_conf(s);

        c->scrub_prefixes = prefixes;
        c->scrub_names = names_of(pconf, SCRUB_KEY);
    }
    return OK;
}

const char *fs_header_prefix(const server_rec *s)
{
    const char *prefix = fs_http_conf(s)->header_prefix;

    return prefix ? prefix : FS_HEADER_PREFIX_DEFAULT;
}

static int scrub(request_rec *r)
{
    const fs_http_conf_t *c = fs_http_conf(r->server);
    const apr_array_header_t *in = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)in->elts;
    const char *drop[MAX_REMOVED];
    int i, n = 0;

    if (c->scrub_prefixes == NULL)
        return DECLINED;
    for (i = 0; i < in->nelts; i++) {
        const char *key = e[i].key;

        if (key == NULL)
            continue;
        if (has_prefix(key, c->scrub_prefixes) || in_list(key, c->scrub_names)) {
            if (n == MAX_REMOVED)
                return HTTP_BAD_REQUEST; /* a flood of identity headers: refuse the request */
            drop[n++] = key;
        }
    }
    for (i = 0; i < n; i++) {
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FSLOGNO(0530) "removed client-sent header %s",
                      fs_header_clean(r->pool, drop[i]));
        apr_table_unset(r->headers_in, drop[i]);
    }
    return DECLINED;
}

const char *fs_header_clean(apr_pool_t *pool, const char *value)
{
    const char *p;
    char *out, *q;

    for (p = value; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            break;
    if (*p == '\0')
        return value;
    out = apr_pstrdup(pool, value);
    for (q = out; *q; q++)
        if ((unsigned char)*q < 0x20 || *q == 0x7f)
            *q = ' ';
    return out;
}

void fs_backend_header_set(request_rec *r, const char *name, const char *value)
{
    apr_table_set(r->headers_in, name, fs_header_clean(r->pool, value));
}

void fs_http_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    /* First of all: nothing may read a forged identity header before it is gone. */
    ap_hook_post_read_request(scrub, NULL, NULL, APR_HOOK_REALLY_FIRST);
}
