/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Reads the plugin lines from the Apache configuration the module uses, so a school configures its
 * plugins once. Understands what such files use around them: comments, backslash continuation,
 * ${ENV} variables, ServerRoot, Include / IncludeOptional (with wildcards) and section tags, which
 * are skipped. Every Foresatt* directive is kept so commands can read their own settings.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "config_words.h"
#include "ctl.h"
#include "session/cookie_crypto.h"

#define MAX_INCLUDE_DEPTH 16

typedef struct reader {
    ctl_env_t *env;
    const char *server_root;
    const char *error;
} reader_t;

static const char *expand_env(apr_pool_t *pool, const char *line)
{
    const char *p = line, *start;
    char *out = apr_pstrdup(pool, "");

    while ((start = strstr(p, "${")) != NULL) {
        const char *end = strchr(start, '}');
        char *name, *value;
        if (end == NULL)
            break;
        name = apr_pstrmemdup(pool, start + 2, (apr_size_t)(end - start - 2));
        value = getenv(name);
        out = apr_pstrcat(pool, out, apr_pstrmemdup(pool, p, (apr_size_t)(start - p)),
                          value ? value : apr_pstrmemdup(pool, start, (apr_size_t)(end - start + 1)), NULL);
        p = end + 1;
    }
    return apr_pstrcat(pool, out, p, NULL);
}

static const char *resolve(reader_t *rd, const char *path)
{
    if (path[0] == '/')
        return path;
    return apr_pstrcat(rd->env->pool, rd->server_root, "/", path, NULL);
}

static int read_file(reader_t *rd, const char *path, int depth);

static int include(reader_t *rd, const char *pattern, int optional, const char *where, int depth)
{
    glob_t g;
    size_t i;
    int rc;

    if (depth >= MAX_INCLUDE_DEPTH) {
        rd->error = apr_psprintf(rd->env->pool, "%s: Include nested too deep", where);
        return 0;
    }
    memset(&g, 0, sizeof(g));
    rc = glob(resolve(rd, pattern), 0, NULL, &g);
    if (rc == GLOB_NOMATCH) {
        globfree(&g);
        if (optional || strpbrk(pattern, "*?[") != NULL)
            return 1;
        rd->error = apr_psprintf(rd->env->pool, "%s: Include %s: no such file", where, pattern);
        return 0;
    }
    for (i = 0; rc == 0 && i < g.gl_pathc; i++) {
        if (!read_file(rd, apr_pstrdup(rd->env->pool, g.gl_pathv[i]), depth + 1)) {
            globfree(&g);
            return 0;
        }
    }
    globfree(&g);
    return 1;
}

static int directive(reader_t *rd, const char *where, char *line, int depth)
{
    apr_pool_t *pool = rd->env->pool;
    char *name = line, *args;
    const char **argv, *err = NULL;
    int argc;

    while (*line && !isspace((unsigned char)*line))
        line++;
    if (*line)
        *line++ = '\0';
    while (isspace((unsigned char)*line))
        line++;
    args = line;

    if (strcasecmp(name, "ServerRoot") == 0) {
        if (!fst_config_split(pool, args, &argc, &argv, &err) || argc != 1) {
            rd->error = apr_psprintf(pool, "%s: ServerRoot takes one path", where);
            return 0;
        }
        rd->server_root = argv[0];
        return 1;
    }
    if (strcasecmp(name, "Include") == 0 || strcasecmp(name, "IncludeOptional") == 0) {
        if (!fst_config_split(pool, args, &argc, &argv, &err) || argc != 1) {
            rd->error = apr_psprintf(pool, "%s: %s takes one path", where, name);
            return 0;
        }
        return include(rd, argv[0], strcasecmp(name, "IncludeOptional") == 0, where, depth);
    }
    if (strncasecmp(name, "Foresatt", 8) == 0) {
        ctl_directive_t *d = apr_array_push(rd->env->directives);
        d->name = apr_pstrdup(pool, name);
        d->args = apr_pstrdup(pool, args);
        d->where = where;
        d->server_root = rd->server_root;
    }
    return 1;
}

static int read_file(reader_t *rd, const char *path, int depth)
{
    apr_pool_t *pool = rd->env->pool;
    FILE *f = fopen(path, "r");
    char buf[8192];
    char *logical = NULL;
    int lineno = 0, start_line = 0;

    if (f == NULL) {
        rd->error = apr_psprintf(pool, "cannot read %s: %s", path, strerror(errno));
        return 0;
    }
    while (fgets(buf, sizeof(buf), f) != NULL) {
        size_t len = strlen(buf);
        char *p;

        lineno++;
        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
            buf[--len] = '\0';
        if (logical == NULL)
            start_line = lineno;
        if (len > 0 && buf[len - 1] == '\\') {
            buf[len - 1] = ' ';
            logical = apr_pstrcat(pool, logical ? logical : "", buf, NULL);
            continue;
        }
        p = apr_pstrcat(pool, logical ? logical : "", buf, NULL);
        logical = NULL;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '\0' || *p == '#' || *p == '<')
            continue;
        if (!directive(rd, apr_psprintf(pool, "%s:%d", path, start_line), apr_pstrdup(pool, expand_env(pool, p)),
                       depth)) {
            fclose(f);
            return 0;
        }
    }
    fclose(f);
    return 1;
}

const char *ctl_directive_last(ctl_env_t *env, const char *name)
{
    int i;

    for (i = env->directives->nelts - 1; i >= 0; i--) {
        ctl_directive_t *d = &APR_ARRAY_IDX(env->directives, i, ctl_directive_t);
        if (strcasecmp(d->name, name) == 0)
            return d->args;
    }
    return NULL;
}

static int load_plugin(ctl_env_t *env, const ctl_directive_t *d)
{
    const char **argv, *err = NULL, *path;
    fst_plugin_t *plugin;
    int argc;

    if (!fst_config_split(env->pool, d->args, &argc, &argv, &err)) {
        fprintf(stderr, "foresattctl: %s: ForesattPlugin: %s\n", d->where, err);
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "foresattctl: %s: ForesattPlugin: give a name and the path of the plugin's .so file\n",
                d->where);
        return 0;
    }
    if (apr_hash_get(env->plugins, argv[0], APR_HASH_KEY_STRING) != NULL) {
        fprintf(stderr, "foresattctl: %s: ForesattPlugin: the name '%s' is already used\n", d->where, argv[0]);
        return 0;
    }
    path = argv[1][0] == '/' ? argv[1] : apr_pstrcat(env->pool, d->server_root, "/", argv[1], NULL);
    if (fst_plugin_load(env->pool, argv[0], path, &env->log, &plugin, &err) != FST_LOAD_OK ||
        !fst_plugin_set_params(env->pool, plugin, argc - 2, argv + 2, &err)) {
        fprintf(stderr, "foresattctl: %s: ForesattPlugin: %s\n", d->where, err);
        return 0;
    }
    apr_hash_set(env->plugins, plugin->name, APR_HASH_KEY_STRING, plugin);
    return 1;
}

static int use_plugin(ctl_env_t *env, const char *directive, foresatt_plugin_kind_t kind, fst_plugin_t **slot)
{
    const char *name = ctl_directive_last(env, directive);
    const char **argv, *err = NULL;
    fst_plugin_t *plugin;
    int argc;

    if (name == NULL)
        return 1;
    if (!fst_config_split(env->pool, name, &argc, &argv, &err) || argc != 1) {
        fprintf(stderr, "foresattctl: %s takes one plugin name\n", directive);
        return 0;
    }
    plugin = apr_hash_get(env->plugins, argv[0], APR_HASH_KEY_STRING);
    if (plugin == NULL) {
        fprintf(stderr, "foresattctl: %s: no plugin named '%s' in %s\n", directive, argv[0], env->config_path);
        return 0;
    }
    if (plugin->desc->kind != kind) {
        fprintf(stderr, "foresattctl: %s: plugin '%s' is a %s plugin\n", directive, argv[0],
                fst_plugin_kind_name(plugin->desc->kind));
        return 0;
    }
    *slot = plugin;
    return 1;
}

/* CTL_EXIT_CONFIG when the plugin refuses its configuration; CTL_EXIT_BACKEND when it cannot start
 * (database or register unreachable), which a script may retry. */
static int start_plugin(ctl_env_t *env, fst_plugin_t *plugin)
{
    const char *err = NULL;

    if (plugin == NULL || plugin->instance != NULL)
        return CTL_EXIT_OK;
    if (fst_plugin_create(env->pool, plugin, &err) != FST_LOAD_OK) {
        fprintf(stderr, "foresattctl: %s\n", err);
        return CTL_EXIT_CONFIG;
    }
    if (fst_plugin_child_init(env->pool, plugin, &err) != FST_LOAD_OK) {
        fprintf(stderr, "foresattctl: %s\n", err);
        return CTL_EXIT_BACKEND;
    }
    return CTL_EXIT_OK;
}

int ctl_load_config(ctl_env_t *env, unsigned need)
{
    reader_t rd;
    int rc;
    int i;

    if (env->directives == NULL) {
        memset(&rd, 0, sizeof(rd));
        rd.env = env;
        rd.server_root = "/etc/apache2";
        env->directives = apr_array_make(env->pool, 16, sizeof(ctl_directive_t));
        env->plugins = apr_hash_make(env->pool);
        if (!read_file(&rd, env->config_path, 0)) {
            fprintf(stderr, "foresattctl: %s\n(give the Apache configuration with the ForesattPlugin lines with "
                            "--config FILE or FORESATT_CONFIG)\n",
                    rd.error);
            return CTL_EXIT_CONFIG;
        }
        for (i = 0; i < env->directives->nelts; i++) {
            ctl_directive_t *d = &APR_ARRAY_IDX(env->directives, i, ctl_directive_t);
            if (strcasecmp(d->name, "ForesattPlugin") == 0 && !load_plugin(env, d))
                return CTL_EXIT_CONFIG;
        }
        if (!use_plugin(env, "ForesattStore", FORESATT_PLUGIN_STORE, &env->store) ||
            !use_plugin(env, "ForesattRegistry", FORESATT_PLUGIN_REGISTRY, &env->registry))
            return CTL_EXIT_CONFIG;
    }
    if ((need & CTL_NEED_STORE) && env->store == NULL) {
        fprintf(stderr, "foresattctl: %s has no ForesattStore line; this command needs the school's store\n",
                env->config_path);
        return CTL_EXIT_CONFIG;
    }
    if ((need & CTL_NEED_REGISTRY) && env->registry == NULL) {
        fprintf(stderr, "foresattctl: %s has no ForesattRegistry line; this command needs the register\n",
                env->config_path);
        return CTL_EXIT_CONFIG;
    }
    if (((need & CTL_NEED_STORE) || env->store) && (rc = start_plugin(env, env->store)) != CTL_EXIT_OK)
        return rc;
    if (((need & CTL_NEED_REGISTRY) || env->registry) && (rc = start_plugin(env, env->registry)) != CTL_EXIT_OK)
        return rc;
    return CTL_EXIT_OK;
}

int ctl_pseudonym_key(ctl_env_t *env, unsigned char *key)
{
    /* The module's rule: ForesattPseudonymSecret, else the (first) ForesattCryptoPassphrase. */
    const char *args = ctl_directive_last(env, "ForesattPseudonymSecret");
    const char **argv, *err = NULL;
    int argc;

    if (args == NULL)
        args = ctl_directive_last(env, "ForesattCryptoPassphrase");
    return args != NULL && fst_config_split(env->pool, args, &argc, &argv, &err) && argc >= 1 &&
           fst_key_derive(argv[0], "pseudonym", key, &err);
}

int ctl_pseudonym(ctl_env_t *env, const char *number, char out[FST_PSEUDONYM_LEN + 1])
{
    unsigned char key[FST_KEY_LEN];

    if (!ctl_pseudonym_key(env, key))
        return 0;
    fst_pseudonym(key, number, out);
    memset(key, 0, sizeof(key));
    return 1;
}
