/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Reads the plugin lines from the Apache configuration the module uses, so a school configures its
 * plugins once, and reads it as httpd does: comments, backslash continuation, ${VAR} (Define, then
 * the environment), ServerRoot, Include / IncludeOptional (with wildcards), Define / UnDefine, and
 * the sections that decide which lines count: <IfDefine> (with the -D names httpd is given),
 * <IfModule> (LoadModule lines seen), <IfFile>, and <VirtualHost>, whose settings are that site's.
 * Lines in a section foresattctl cannot judge (<If>, <Macro>, <IfModule> in a fragment without
 * LoadModule lines) are kept as uncertain: a setting the tool needs there is refused, naming the line.
 * ForesattPlugin lines count wherever they are (the module's plugin names are global); the other
 * settings the tool reads (ctl_directive_last) come from one site: --vhost NAME, or the value every
 * site agrees on, else the configuration is refused as ambiguous, naming the lines.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <apr_strings.h>

#include "config_words.h"
#include "ctl.h"
#include "session/cookie_crypto.h"

#define MAX_INCLUDE_DEPTH 16
#define MAX_SECTION_DEPTH 32

/* Modules built into Debian's apache2 (apache2 -l): <IfModule> holds for them without LoadModule. */
static const char *const static_modules[] = {"core.c", "mod_so.c", "mod_watchdog.c", "http_core.c",
                                             "mod_log_config.c", "mod_logio.c", "mod_version.c", "mod_unixd.c",
                                             "core_module", "so_module", "watchdog_module", "http_module",
                                             "log_config_module", "logio_module", "version_module",
                                             "unixd_module", NULL};

/* The settings commands read (ctl_directive_last); each must come from one site. The pseudonym key
 * is one setting made of two directives (ForesattPseudonymSecret, else ForesattCryptoPassphrase). */
static const char *const site_settings[] = {"ForesattStore", "ForesattRegistry", "ForesattAuditRetention",
                                            "ForesattRequireSchoolRegistration", NULL};

typedef enum section_kind { SEC_CONDITION, SEC_VHOST, SEC_PERDIR, SEC_UNKNOWN } section_kind_t;

typedef struct section {
    char name[32];
    section_kind_t kind;
    int active;    /* every enclosing condition holds */
    int uncertain; /* some enclosing condition cannot be told */
    int perdir;    /* inside a per-directory section */
} section_t;

typedef struct reader {
    ctl_env_t *env;
    const char *server_root;
    const char *error;
    section_t stack[MAX_SECTION_DEPTH];
    int depth;
    int server;            /* 0: the main server; else its index in env->servers */
    apr_hash_t *defines;   /* Define and -D: name -> value ("" for none) */
    apr_hash_t *modules;   /* LoadModule: identifier and source file name (mod_x.c) */
    int any_loadmodule;
} reader_t;

static const section_t *top(const reader_t *rd)
{
    static const section_t outside = {"", SEC_CONDITION, 1, 0, 0};

    return rd->depth > 0 ? &rd->stack[rd->depth - 1] : &outside;
}

static const char *expand_vars(reader_t *rd, const char *line)
{
    apr_pool_t *pool = rd->env->pool;
    const char *p = line, *start;
    char *out = apr_pstrdup(pool, "");

    while ((start = strstr(p, "${")) != NULL) {
        const char *end = strchr(start, '}');
        const char *name, *value;
        if (end == NULL)
            break;
        name = apr_pstrmemdup(pool, start + 2, (apr_size_t)(end - start - 2));
        value = apr_hash_get(rd->defines, name, APR_HASH_KEY_STRING);
        if (value == NULL || *value == '\0')
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

/* 1 holds, 0 does not, -1 cannot be told. */
static int module_loaded(reader_t *rd, const char *module)
{
    size_t i;

    if (strcasecmp(module, "foresatt_module") == 0 || strcasecmp(module, "mod_foresatt.c") == 0)
        return 1; /* these lines are read for this module: where it is not loaded, nothing here counts */
    for (i = 0; static_modules[i]; i++)
        if (strcasecmp(module, static_modules[i]) == 0)
            return 1;
    if (apr_hash_get(rd->modules, module, APR_HASH_KEY_STRING) != NULL)
        return 1;
    return rd->any_loadmodule ? 0 : -1;
}

static int condition(reader_t *rd, const char *kind, const char *arg)
{
    int negate = arg[0] == '!', holds;

    if (negate)
        arg++;
    if (strcasecmp(kind, "IfDefine") == 0)
        holds = apr_hash_get(rd->defines, arg, APR_HASH_KEY_STRING) != NULL;
    else if (strcasecmp(kind, "IfModule") == 0)
        holds = module_loaded(rd, arg);
    else if (strcasecmp(kind, "IfFile") == 0) {
        struct stat st;
        holds = stat(resolve(rd, arg), &st) == 0;
    }
    else if (strcasecmp(kind, "IfDirective") == 0)
        holds = strncasecmp(arg, "Foresatt", 8) == 0 ? 1 : -1;
    else
        holds = -1;
    return holds < 0 ? -1 : negate ? !holds : holds;
}

static int open_section(reader_t *rd, const char *where, char *line)
{
    apr_pool_t *pool = rd->env->pool;
    const section_t *outer = top(rd);
    char *name = line + 1, *args, *end = strrchr(line, '>');
    section_t *sec;
    const char **argv, *err = NULL;
    int argc = 0, holds;

    if (rd->depth >= MAX_SECTION_DEPTH) {
        rd->error = apr_psprintf(pool, "%s: sections nested too deep", where);
        return 0;
    }
    if (end != NULL)
        *end = '\0';
    args = name;
    while (*args && !isspace((unsigned char)*args))
        args++;
    if (*args)
        *args++ = '\0';
    sec = &rd->stack[rd->depth++];
    memset(sec, 0, sizeof(*sec));
    apr_cpystrn(sec->name, name, sizeof(sec->name));
    sec->active = outer->active;
    sec->uncertain = outer->uncertain;
    sec->perdir = outer->perdir;
    if (!fst_config_split(pool, args, &argc, &argv, &err))
        argc = 0;
    if (strncasecmp(name, "If", 2) == 0 && strcasecmp(name, "If") != 0 && strcasecmp(name, "IfVersion") != 0) {
        sec->kind = SEC_CONDITION;
        holds = argc == 1 ? condition(rd, name, argv[0]) : -1;
        if (holds == 0)
            sec->active = 0;
        else if (holds < 0)
            sec->uncertain = 1;
    }
    else if (strcasecmp(name, "VirtualHost") == 0) {
        ctl_server_t *srv;

        sec->kind = SEC_VHOST;
        if (!outer->active)
            return 1;
        if (rd->server != 0) {
            rd->error = apr_psprintf(pool, "%s: <VirtualHost> inside <VirtualHost>", where);
            return 0;
        }
        srv = apr_array_push(rd->env->servers);
        memset(srv, 0, sizeof(*srv));
        srv->where = where;
        srv->address = apr_pstrdup(pool, args);
        srv->names = apr_array_make(pool, 2, sizeof(const char *));
        rd->server = rd->env->servers->nelts - 1;
    }
    else if (strcasecmp(name, "IfVersion") == 0 || strcasecmp(name, "If") == 0 || strcasecmp(name, "ElseIf") == 0 ||
             strcasecmp(name, "Else") == 0 || strcasecmp(name, "Macro") == 0) {
        sec->kind = SEC_UNKNOWN;
        sec->uncertain = 1;
    }
    else {
        sec->kind = SEC_PERDIR; /* Directory, Location, Files, Proxy, Limit, Require*, ... */
        sec->perdir = 1;
    }
    return 1;
}

static int close_section(reader_t *rd, const char *where, const char *line)
{
    const char *name = line + 2;
    size_t len = strcspn(name, "> \t");

    if (rd->depth == 0 || strncasecmp(rd->stack[rd->depth - 1].name, name, len) != 0 ||
        rd->stack[rd->depth - 1].name[len] != '\0') {
        rd->error = apr_psprintf(rd->env->pool, "%s: %.*s closes no open section", where, (int)len + 2, line);
        return 0;
    }
    if (rd->stack[rd->depth - 1].kind == SEC_VHOST && rd->stack[rd->depth - 1].active)
        rd->server = 0;
    rd->depth--;
    return 1;
}

static void add_server_name(reader_t *rd, int argc, const char **argv)
{
    ctl_server_t *srv = &APR_ARRAY_IDX(rd->env->servers, rd->server, ctl_server_t);
    int i;

    for (i = 0; i < argc; i++) {
        /* ServerName [scheme://]host[:port] */
        const char *host = strstr(argv[i], "://") ? strstr(argv[i], "://") + 3 : argv[i];
        const char *colon = strrchr(host, ':');

        *(const char **)apr_array_push(srv->names) =
            colon && host[0] != '[' ? apr_pstrmemdup(rd->env->pool, host, (apr_size_t)(colon - host)) : host;
    }
}

static int directive(reader_t *rd, const char *where, char *line, int depth)
{
    apr_pool_t *pool = rd->env->pool;
    const section_t *sec = top(rd);
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
    if (!sec->active)
        return 1;

    if (strcasecmp(name, "Define") == 0 || strcasecmp(name, "UnDefine") == 0) {
        if (!fst_config_split(pool, args, &argc, &argv, &err) || argc < 1) {
            rd->error = apr_psprintf(pool, "%s: %s takes a name", where, name);
            return 0;
        }
        apr_hash_set(rd->defines, argv[0], APR_HASH_KEY_STRING,
                     strcasecmp(name, "UnDefine") == 0 ? NULL : argc > 1 ? argv[1] : "");
        return 1;
    }
    if (strcasecmp(name, "LoadModule") == 0) {
        if (fst_config_split(pool, args, &argc, &argv, &err) && argc == 2) {
            const char *file = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
            size_t n = strlen(file);

            apr_hash_set(rd->modules, argv[0], APR_HASH_KEY_STRING, "");
            if (n > 3 && strcmp(file + n - 3, ".so") == 0)
                apr_hash_set(rd->modules, apr_pstrcat(pool, apr_pstrmemdup(pool, file, n - 3), ".c", NULL),
                             APR_HASH_KEY_STRING, "");
        }
        rd->any_loadmodule = 1;
        return 1;
    }
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
    if ((strcasecmp(name, "ServerName") == 0 || strcasecmp(name, "ServerAlias") == 0) && !sec->perdir) {
        if (fst_config_split(pool, args, &argc, &argv, &err))
            add_server_name(rd, argc, argv);
        return 1;
    }
    if (strncasecmp(name, "Foresatt", 8) == 0 && !sec->perdir) {
        ctl_directive_t *d = apr_array_push(rd->env->directives);
        d->name = apr_pstrdup(pool, name);
        d->args = apr_pstrdup(pool, args);
        d->where = where;
        d->server_root = rd->server_root;
        d->server = rd->server;
        d->uncertain = sec->uncertain;
    }
    return 1;
}

static int read_file(reader_t *rd, const char *path, int depth)
{
    apr_pool_t *pool = rd->env->pool;
    FILE *f = fopen(path, "r");
    char buf[8192];
    char *logical = NULL;
    int lineno = 0, start_line = 0, ok = 1, depth_at_start = rd->depth;

    if (f == NULL) {
        rd->error = apr_psprintf(pool, "cannot read %s: %s", path, strerror(errno));
        return 0;
    }
    while (ok && fgets(buf, sizeof(buf), f) != NULL) {
        size_t len = strlen(buf);
        const char *where;
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
        if (*p == '\0' || *p == '#')
            continue;
        where = apr_psprintf(pool, "%s:%d", path, start_line);
        p = apr_pstrdup(pool, expand_vars(rd, p));
        if (p[0] == '<' && p[1] == '/')
            ok = close_section(rd, where, p);
        else if (p[0] == '<')
            ok = open_section(rd, where, p);
        else
            ok = directive(rd, where, p, depth);
    }
    fclose(f);
    if (ok && rd->depth != depth_at_start) {
        rd->error = apr_psprintf(pool, "%s: <%s> is not closed in this file", path, rd->stack[rd->depth - 1].name);
        return 0;
    }
    return ok;
}

/* The last occurrence of a directive in one server's own lines, or NULL. */
static const ctl_directive_t *own(ctl_env_t *env, int server, const char *name)
{
    int i;

    for (i = env->directives->nelts - 1; i >= 0; i--) {
        ctl_directive_t *d = &APR_ARRAY_IDX(env->directives, i, ctl_directive_t);
        if (d->server == server && strcasecmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}

/* What a server uses: its own line, else the main server's (httpd's merge). */
static const ctl_directive_t *effective(ctl_env_t *env, int server, const char *name)
{
    const ctl_directive_t *d = own(env, server, name);

    return d != NULL || server == 0 ? d : own(env, 0, name);
}

/* The pseudonym key's source for a server: ForesattPseudonymSecret, else ForesattCryptoPassphrase. */
static const ctl_directive_t *pseudonym_source(ctl_env_t *env, int server)
{
    const ctl_directive_t *d = effective(env, server, "ForesattPseudonymSecret");

    return d ? d : effective(env, server, "ForesattCryptoPassphrase");
}

static const char *server_label(ctl_env_t *env, int server)
{
    const ctl_server_t *srv = &APR_ARRAY_IDX(env->servers, server, ctl_server_t);

    if (server == 0)
        return "the main server";
    if (srv->names->nelts > 0)
        return APR_ARRAY_IDX(srv->names, 0, const char *);
    return apr_psprintf(env->pool, "<VirtualHost %s> (%s)", srv->address, srv->where);
}

static const ctl_directive_t *setting_of(ctl_env_t *env, int server, const char *name)
{
    return name == NULL ? pseudonym_source(env, server) : effective(env, server, name);
}

/* The words of a setting as they count, joined by one space (of a passphrase only the first word
 * makes the key). */
static const char *setting_value(ctl_env_t *env, const char *name, const ctl_directive_t *d)
{
    const char **argv, *err = NULL, *out;
    int argc, i;

    if (!fst_config_split(env->pool, d->args, &argc, &argv, &err) || argc < 1)
        return d->args;
    if (name == NULL)
        return argv[0]; /* the same secret makes the same key from either directive */
    for (out = argv[0], i = 1; i < argc; i++)
        out = apr_pstrcat(env->pool, out, " ", argv[i], NULL);
    return out;
}

/* Pick the server whose settings the commands use: --vhost, else refuse settings the sites disagree
 * on, and settings in lines whose section cannot be judged. */
static int choose_server(ctl_env_t *env)
{
    int i, s, k;

    for (i = 0; i < env->directives->nelts; i++) {
        const ctl_directive_t *d = &APR_ARRAY_IDX(env->directives, i, ctl_directive_t);
        int needed = strcasecmp(d->name, "ForesattPlugin") == 0 ||
                     strcasecmp(d->name, "ForesattPseudonymSecret") == 0 ||
                     strcasecmp(d->name, "ForesattCryptoPassphrase") == 0;

        for (k = 0; site_settings[k]; k++)
            needed |= strcasecmp(d->name, site_settings[k]) == 0;
        if (d->uncertain && needed) {
            fprintf(stderr, "foresattctl: %s: %s is inside a section foresattctl cannot judge (<If>, <Macro>, "
                            "<IfVersion>, or <IfModule> in a file without LoadModule lines); move it out so the "
                            "tool reads what httpd reads\n", d->where, d->name);
            return 0;
        }
    }
    env->server = -1;
    if (env->vhost != NULL) {
        for (s = 1; s < env->servers->nelts && env->server < 0; s++) {
            const ctl_server_t *srv = &APR_ARRAY_IDX(env->servers, s, ctl_server_t);
            for (k = 0; k < srv->names->nelts; k++)
                if (strcasecmp(APR_ARRAY_IDX(srv->names, k, const char *), env->vhost) == 0)
                    env->server = s;
        }
        if (env->server < 0) {
            const char *known = "";
            for (s = 1; s < env->servers->nelts; s++)
                known = apr_pstrcat(env->pool, known, *known ? ", " : "", server_label(env, s), NULL);
            fprintf(stderr, "foresattctl: --vhost %s: no <VirtualHost> in %s has that ServerName or ServerAlias "
                            "(%s%s)\n", env->vhost, env->config_path, *known ? "there are: " : "there are none",
                    known);
            return 0;
        }
        return 1;
    }
    for (k = -1; k == -1 || site_settings[k]; k++) {
        const char *name = k < 0 ? NULL : site_settings[k];
        const ctl_directive_t *first = NULL;
        int first_server = 0;

        for (s = 0; s < env->servers->nelts; s++) {
            const ctl_directive_t *d = setting_of(env, s, name);
            if (d == NULL)
                continue;
            if (first == NULL) {
                first = d;
                first_server = s;
            }
            else if (strcmp(setting_value(env, name, first), setting_value(env, name, d)) != 0) {
                fprintf(stderr, "foresattctl: the sites in %s differ in %s: %s for %s (%s), %s for %s (%s); say "
                                "which site's settings to use with --vhost NAME (its ServerName)\n",
                        env->config_path, name ? name : "the pseudonym key (ForesattPseudonymSecret, else "
                                                        "ForesattCryptoPassphrase)",
                        name ? first->args : "one", server_label(env, first_server), first->where,
                        name ? d->args : "another", server_label(env, s), d->where);
                return 0;
            }
        }
    }
    return 1;
}

const char *ctl_directive_last(ctl_env_t *env, const char *name)
{
    const ctl_directive_t *d = NULL;
    int s;

    if (env->server >= 0)
        d = effective(env, env->server, name);
    for (s = 0; d == NULL && env->server < 0 && s < env->servers->nelts; s++)
        d = effective(env, s, name); /* the sites agree (choose_server): any that sets it */
    return d ? d->args : NULL;
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
        ctl_server_t *main_server;

        memset(&rd, 0, sizeof(rd));
        rd.env = env;
        rd.server_root = "/etc/apache2";
        rd.defines = apr_hash_make(env->pool);
        rd.modules = apr_hash_make(env->pool);
        for (i = 0; env->defines != NULL && i < env->defines->nelts; i++)
            apr_hash_set(rd.defines, APR_ARRAY_IDX(env->defines, i, const char *), APR_HASH_KEY_STRING, "");
        env->directives = apr_array_make(env->pool, 16, sizeof(ctl_directive_t));
        env->servers = apr_array_make(env->pool, 4, sizeof(ctl_server_t));
        main_server = apr_array_push(env->servers);
        memset(main_server, 0, sizeof(*main_server));
        main_server->where = env->config_path;
        main_server->names = apr_array_make(env->pool, 1, sizeof(const char *));
        env->plugins = apr_hash_make(env->pool);
        env->server = -1;
        if (!read_file(&rd, env->config_path, 0)) {
            fprintf(stderr, "foresattctl: %s\n(give the Apache configuration with the ForesattPlugin lines with "
                            "--config FILE or FORESATT_CONFIG)\n",
                    rd.error);
            return CTL_EXIT_CONFIG;
        }
        if (!choose_server(env))
            return CTL_EXIT_CONFIG;
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
    /* The module's rule, per site: ForesattPseudonymSecret, else the (first) ForesattCryptoPassphrase. */
    const ctl_directive_t *d = NULL;
    const char **argv, *err = NULL;
    int argc, s;

    if (env->directives == NULL)
        return 0;
    if (env->server >= 0)
        d = pseudonym_source(env, env->server);
    for (s = 0; d == NULL && env->server < 0 && s < env->servers->nelts; s++)
        d = pseudonym_source(env, s);
    return d != NULL && fst_config_split(env->pool, d->args, &argc, &argv, &err) && argc >= 1 &&
           fst_key_derive(argv[0], "pseudonym", key, &err);
}

int ctl_pseudonym_of(void *pseudonyms, const char *number, char out[FST_PSEUDONYM_LEN + 1])
{
    const ctl_pseudonyms_t *ps = pseudonyms;

    if (!ps->have_key)
        return 0;
    fst_pseudonym(ps->key, number, out);
    return 1;
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
