/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <apr_strings.h>

#include "plugin_loader.h"

static void *host_alloc(foresatt_arena_t *arena, size_t size)
{
    return apr_pcalloc((apr_pool_t *)arena, size);
}

static char *host_strdup(foresatt_arena_t *arena, const char *s)
{
    return s ? apr_pstrdup((apr_pool_t *)arena, s) : NULL;
}

static void host_log(const foresatt_host_t *host, foresatt_log_level_t level, const char *fmt, ...)
{
    const fst_plugin_t *plugin = host->host_data;
    char msg[900];
    va_list ap;

    if (plugin->log == NULL || plugin->log->sink == NULL || level > plugin->log->max_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fst_log(plugin->log, level, "plugin %s: %s", plugin->name, msg);
}

/* Is gid the worker's primary group or one of its supplementary groups? */
static int worker_in_group(uid_t uid, gid_t primary, gid_t gid)
{
    struct passwd pw, *found = NULL;
    char buf[4096];
    gid_t groups[256];
    int n = (int)(sizeof(groups) / sizeof(groups[0])), i;

    if (gid == primary)
        return 1;
    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) != 0 || found == NULL ||
        getgrouplist(pw.pw_name, primary, groups, &n) < 0)
        return 0;
    for (i = 0; i < n; i++)
        if (groups[i] == gid)
            return 1;
    return 0;
}

/* The permission bits as they apply to the worker: a directory needs write and search, a file write.
 * An access control list may say otherwise: then the host cannot tell. */
static int host_worker_can_write(const foresatt_host_t *host, const char *path)
{
    const fst_plugin_t *plugin = host->host_data;
    struct stat st;
    mode_t need;

    /* No workers of another user (foresattctl, or httpd not started as root): nothing to tell. */
    if (plugin->worker_uid < 0 || path == NULL || stat(path, &st) != 0)
        return -1;
    if (plugin->worker_uid == 0)
        return 1;
    if (getxattr(path, "system.posix_acl_access", NULL, 0) >= 0)
        return -1;
    if ((uid_t)plugin->worker_uid == st.st_uid)
        need = S_ISDIR(st.st_mode) ? S_IWUSR | S_IXUSR : S_IWUSR;
    else if (worker_in_group((uid_t)plugin->worker_uid, (gid_t)plugin->worker_gid, st.st_gid))
        need = S_ISDIR(st.st_mode) ? S_IWGRP | S_IXGRP : S_IWGRP;
    else
        need = S_ISDIR(st.st_mode) ? S_IWOTH | S_IXOTH : S_IWOTH;
    return (st.st_mode & need) == need;
}

static apr_status_t close_handle(void *data)
{
    fst_plugin_t *plugin = data;

    if (plugin->dl_handle) {
        dlclose(plugin->dl_handle);
        plugin->dl_handle = NULL;
    }
    return APR_SUCCESS;
}

static apr_status_t destroy_instance(void *data)
{
    fst_plugin_t *plugin = data;

    if (plugin->instance && plugin->desc && plugin->desc->destroy)
        plugin->desc->destroy(plugin->instance);
    plugin->instance = NULL;
    return APR_SUCCESS;
}

/* An ELF shared object starts with the ELF magic; tells "not a shared object" apart from
 * "a shared object that failed to load" (missing dependency, wrong architecture). */
static int looks_like_elf(const char *path)
{
    unsigned char magic[4];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, magic, sizeof(magic));
    close(fd);
    return n == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

fst_load_error_t fst_plugin_abi_check(unsigned host_major, unsigned host_minor, unsigned plugin_major,
                                      unsigned plugin_minor)
{
    if (plugin_major != host_major)
        return FST_LOAD_ABI_MAJOR;
    if (plugin_minor > host_minor)
        return FST_LOAD_ABI_MINOR_NEWER;
    return FST_LOAD_OK;
}

/* The operations a plugin must have, per kind: everything of ABI 1.0 and 1.1 but what the host
 * can do without. Optional: lookup_batch (one lookup at a time), revision (decisions re-checked by
 * time alone), audit_append (a store that cannot audit is refused at configtest while auditing is
 * on), and every 1.2 operation. lib/store.c answers FORESATT_ERROR for a missing operation; with
 * these checked at load it meets that only for the optional ones. */
typedef struct required_op {
    const char *name;
    size_t offset, end; /* of the member in its table */
} required_op_t;

#define REQUIRED(type, member)                                                                           \
    { #member, offsetof(type, member), offsetof(type, member) + sizeof(((type *)0)->member) }

static const required_op_t registry_required[] = {
    REQUIRED(foresatt_registry_ops_t, lookup),
};

static const required_op_t store_required[] = {
    REQUIRED(foresatt_store_ops_t, pupil_by_id),       REQUIRED(foresatt_store_ops_t, pupil_by_number),
    REQUIRED(foresatt_store_ops_t, pupils_all),        REQUIRED(foresatt_store_ops_t, guardian_links),
    REQUIRED(foresatt_store_ops_t, pupil_guardians),   REQUIRED(foresatt_store_ops_t, guardian_contact_update),
    REQUIRED(foresatt_store_ops_t, paper_list),        REQUIRED(foresatt_store_ops_t, consent_give),
    REQUIRED(foresatt_store_ops_t, consent_revoke),    REQUIRED(foresatt_store_ops_t, audit_query),
    REQUIRED(foresatt_store_ops_t, import_roster),     REQUIRED(foresatt_store_ops_t, purge),
    REQUIRED(foresatt_store_ops_t, contact_conflicts),
};

/* The required operations table (struct_size first) lacks: NULL when none, else their names. A
 * table shorter than a required operation's end lacks it as surely as a NULL one does. */
static const char *missing_ops(apr_pool_t *pool, const void *table, const required_op_t *req, size_t n)
{
    uint32_t size;
    const char *missing = NULL;
    size_t i;

    memcpy(&size, table, sizeof(size));
    for (i = 0; i < n; i++) {
        void (*fn)(void) = NULL;

        if (size >= req[i].end)
            memcpy(&fn, (const char *)table + req[i].offset, sizeof(fn));
        if (fn == NULL)
            missing = missing ? apr_pstrcat(pool, missing, ", ", req[i].name, NULL) : req[i].name;
    }
    return missing;
}

const char *fst_plugin_missing_ops(apr_pool_t *pool, const foresatt_plugin_t *desc)
{
    if (desc->kind == FORESATT_PLUGIN_REGISTRY && desc->registry != NULL)
        return missing_ops(pool, desc->registry, registry_required,
                           sizeof(registry_required) / sizeof(registry_required[0]));
    if (desc->kind == FORESATT_PLUGIN_STORE && desc->store != NULL)
        return missing_ops(pool, desc->store, store_required, sizeof(store_required) / sizeof(store_required[0]));
    return NULL;
}

fst_load_error_t fst_plugin_load(apr_pool_t *pool, const char *name, const char *path, const fst_log_t *log,
                                 fst_plugin_t **out, const char **err)
{
    const char *missing;
    fst_plugin_t *plugin;
    foresatt_plugin_entry_fn entry;
    const foresatt_plugin_t *desc;
    struct stat st;
    void *sym;

    *out = NULL;
    if (stat(path, &st) != 0) {
        *err = apr_psprintf(pool, "cannot load plugin '%s' from %s: %s; give the path of the plugin's .so file",
                            name, path, strerror(errno));
        return FST_LOAD_FILE_MISSING;
    }
    if (!S_ISREG(st.st_mode) || !looks_like_elf(path)) {
        *err = apr_psprintf(pool, "cannot load plugin '%s': %s is not a shared object (.so)", name, path);
        return FST_LOAD_NOT_SHARED_OBJECT;
    }

    plugin = apr_pcalloc(pool, sizeof(*plugin));
    plugin->name = apr_pstrdup(pool, name);
    plugin->path = apr_pstrdup(pool, path);
    plugin->log = log;
    dlerror();
    plugin->dl_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (plugin->dl_handle == NULL) {
        const char *why = dlerror();
        *err = apr_psprintf(pool, "cannot load plugin '%s' from %s: %s", name, path, why ? why : "dlopen failed");
        return FST_LOAD_NOT_SHARED_OBJECT;
    }
    apr_pool_cleanup_register(pool, plugin, close_handle, apr_pool_cleanup_null);

    dlerror();
    sym = dlsym(plugin->dl_handle, FORESATT_PLUGIN_ENTRY_SYMBOL);
    if (sym == NULL) {
        *err = apr_psprintf(pool,
                            "cannot load plugin '%s': %s does not export %s(); "
                            "is it a mod_foresatt plugin? (see foresatt/plugin.h)",
                            name, path, FORESATT_PLUGIN_ENTRY_SYMBOL);
        return FST_LOAD_NO_ENTRY;
    }
    /* POSIX guarantees a function pointer round-trips through void * for dlsym. */
    memcpy(&entry, &sym, sizeof(entry));
    desc = entry();
    if (desc == NULL) {
        *err = apr_psprintf(pool, "cannot load plugin '%s': %s() in %s returned no descriptor", name,
                            FORESATT_PLUGIN_ENTRY_SYMBOL, path);
        return FST_LOAD_BAD_DESCRIPTOR;
    }
    switch (fst_plugin_abi_check(FORESATT_ABI_MAJOR, FORESATT_ABI_MINOR, desc->abi_major, desc->abi_minor)) {
    case FST_LOAD_ABI_MAJOR:
        *err = apr_psprintf(pool,
                            "cannot load plugin '%s': %s was built for plugin ABI %u.%u, this host speaks %u.%u; "
                            "rebuild the plugin against this version's foresatt/plugin.h",
                            name, path, desc->abi_major, desc->abi_minor, FORESATT_ABI_MAJOR, FORESATT_ABI_MINOR);
        return FST_LOAD_ABI_MAJOR;
    case FST_LOAD_ABI_MINOR_NEWER:
        *err = apr_psprintf(pool,
                            "cannot load plugin '%s': %s needs plugin ABI %u.%u, newer than this host's %u.%u; "
                            "upgrade mod_foresatt or use a plugin built for this version",
                            name, path, desc->abi_major, desc->abi_minor, FORESATT_ABI_MAJOR, FORESATT_ABI_MINOR);
        return FST_LOAD_ABI_MINOR_NEWER;
    default:
        break;
    }
    if (desc->struct_size < offsetof(foresatt_plugin_t, store) + sizeof(desc->store) || desc->create == NULL ||
        desc->destroy == NULL || desc->name == NULL ||
        (desc->kind == FORESATT_PLUGIN_REGISTRY && desc->registry == NULL) ||
        (desc->kind == FORESATT_PLUGIN_STORE && desc->store == NULL) ||
        (desc->kind != FORESATT_PLUGIN_REGISTRY && desc->kind != FORESATT_PLUGIN_STORE)) {
        *err = apr_psprintf(pool,
                            "cannot load plugin '%s': the descriptor in %s is incomplete "
                            "(kind, name, create, destroy and the operations table are required)",
                            name, path);
        return FST_LOAD_BAD_DESCRIPTOR;
    }
    if ((missing = fst_plugin_missing_ops(pool, desc)) != NULL) {
        *err = apr_psprintf(pool,
                            "cannot load plugin '%s': the %s in %s (built for plugin ABI %u.%u) lacks the "
                            "required operation(s) %s; every operation of foresatt_%s_ops_t but the optional "
                            "ones must be set (docs/plugin-authors.md)",
                            name, fst_plugin_kind_name(desc->kind), path, desc->abi_major, desc->abi_minor,
                            missing, fst_plugin_kind_name(desc->kind));
        return FST_LOAD_MISSING_OPS;
    }
    plugin->desc = desc;
    plugin->host.abi_major = FORESATT_ABI_MAJOR;
    plugin->host.abi_minor = FORESATT_ABI_MINOR;
    plugin->host.struct_size = sizeof(plugin->host);
    plugin->host.log = host_log;
    plugin->host.alloc = host_alloc;
    plugin->host.strdup = host_strdup;
    plugin->host.host_data = plugin;
    plugin->host.worker_can_write = host_worker_can_write;
    plugin->worker_uid = plugin->worker_gid = -1;
    *out = plugin;
    return FST_LOAD_OK;
}

int fst_plugin_set_params(apr_pool_t *pool, fst_plugin_t *plugin, int argc, const char *const *argv,
                          const char **err)
{
    int i;

    plugin->params = apr_pcalloc(pool, sizeof(foresatt_param_t) * (size_t)(argc > 0 ? argc : 1));
    plugin->n_params = 0;
    for (i = 0; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        if (eq == NULL || eq == argv[i]) {
            *err = apr_psprintf(pool, "plugin '%s': '%s' is not a key=value parameter", plugin->name, argv[i]);
            return 0;
        }
        plugin->params[plugin->n_params].key = apr_pstrmemdup(pool, argv[i], (apr_size_t)(eq - argv[i]));
        plugin->params[plugin->n_params].value = apr_pstrdup(pool, eq + 1);
        plugin->n_params++;
    }
    return 1;
}

fst_load_error_t fst_plugin_create(apr_pool_t *pool, fst_plugin_t *plugin, const char **err)
{
    foresatt_status_t status;
    foresatt_result_t rc;

    memset(&status, 0, sizeof(status));
    plugin->instance = NULL;
    rc = plugin->desc->create(&plugin->host, plugin->params, plugin->n_params, &plugin->instance, &status);
    if (rc != FORESATT_OK) {
        status.message[sizeof(status.message) - 1] = '\0';
        *err = apr_psprintf(pool, "plugin '%s' (%s) refused its configuration: %s", plugin->name, plugin->path,
                            status.message[0] ? status.message : "no reason given");
        plugin->instance = NULL;
        return FST_LOAD_CREATE_FAILED;
    }
    apr_pool_cleanup_register(pool, plugin, destroy_instance, apr_pool_cleanup_null);
    plugin->mutex = NULL;
    if (!(plugin->desc->flags & FORESATT_PLUGIN_THREADSAFE))
        apr_thread_mutex_create(&plugin->mutex, APR_THREAD_MUTEX_DEFAULT, pool);
    return FST_LOAD_OK;
}

fst_load_error_t fst_plugin_child_init(apr_pool_t *pool, fst_plugin_t *plugin, const char **err)
{
    foresatt_status_t status;

    if (plugin->instance == NULL || plugin->desc->child_init == NULL)
        return FST_LOAD_OK;
    memset(&status, 0, sizeof(status));
    if (plugin->desc->child_init(plugin->instance, &status) != FORESATT_OK) {
        status.message[sizeof(status.message) - 1] = '\0';
        *err = apr_psprintf(pool, "plugin '%s' failed to start in this process: %s", plugin->name,
                            status.message[0] ? status.message : "no reason given");
        return FST_LOAD_CHILD_INIT_FAILED;
    }
    return FST_LOAD_OK;
}

const char *fst_plugin_kind_name(foresatt_plugin_kind_t kind)
{
    switch (kind) {
    case FORESATT_PLUGIN_REGISTRY:
        return "registry";
    case FORESATT_PLUGIN_STORE:
        return "store";
    }
    return "unknown";
}

void fst_plugin_lock(fst_plugin_t *plugin)
{
    if (plugin->mutex)
        apr_thread_mutex_lock(plugin->mutex);
}

void fst_plugin_unlock(fst_plugin_t *plugin)
{
    if (plugin->mutex)
        apr_thread_mutex_unlock(plugin->mutex);
}
