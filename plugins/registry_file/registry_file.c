/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * registry_file: a directory of Folkeregister person documents, one <number>.json each, in the
 * API's own shape (what tests/fixtures/make-fixtures writes). Parsed by the same parser
 * as registry_freg. The embedded default for development and the demo.
 *
 *   ForesattPlugin register /usr/lib/foresatt/registry_file.so dir=/var/lib/foresatt/freg
 *
 * A number is checked to be exactly 11 digits before it is used in a path, so no lookup can name a
 * file outside dir. Files are read on every lookup (the module's cache sits in front), so edits in
 * the directory are seen without a restart. events=FILE (optional) is the register's event feed as a
 * journal file (journal.h), for foresattctl follow in the demo and tests.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "descriptor.h"
#include "freg_parse.h"
#include "journal.h"
#include "say.h"

typedef struct file_registry {
    const foresatt_host_t *host;
    char dir[PATH_MAX];
    char events[PATH_MAX]; /* the event journal (journal.h), or "" */
} file_registry_t;

static foresatt_result_t file_create(const foresatt_host_t *host, const foresatt_param_t *params, size_t n_params,
                                     void **instance, foresatt_status_t *status)
{
    file_registry_t *reg;
    const char *dir = NULL, *events = NULL;
    struct stat st;
    size_t i;

    for (i = 0; i < n_params; i++) {
        if (strcmp(params[i].key, "dir") == 0)
            dir = params[i].value;
        else if (strcmp(params[i].key, "events") == 0)
            events = params[i].value;
        else
            return plugin_say(status, FORESATT_ERROR, "unknown key '%s' (known: dir, events)", params[i].key);
    }
    if (events != NULL) {
        char parent[PATH_MAX], *slash;
        if (events[0] != '/' || strlen(events) >= PATH_MAX)
            return plugin_say(status, FORESATT_ERROR, "events=%s: give the absolute path of the event journal", events);
        snprintf(parent, sizeof(parent), "%s", events);
        slash = strrchr(parent, '/');
        *(slash == parent ? slash + 1 : slash) = '\0';
        if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
            return plugin_say(status, FORESATT_ERROR, "events=%s: the directory %s does not exist", events, parent);
        if (stat(events, &st) == 0 && !S_ISREG(st.st_mode))
            return plugin_say(status, FORESATT_ERROR, "events=%s: not a regular file", events);
    }
    if (dir == NULL || *dir == '\0')
        return plugin_say(status, FORESATT_ERROR, "key 'dir' is required: the directory of <number>.json documents");
    if (dir[0] != '/')
        return plugin_say(status, FORESATT_ERROR, "dir=%s: give an absolute path", dir);
    if (strlen(dir) + 1 + 16 >= PATH_MAX)
        return plugin_say(status, FORESATT_ERROR, "dir=: the path is too long");
    if (stat(dir, &st) != 0)
        return plugin_say(status, FORESATT_ERROR, "dir=%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return plugin_say(status, FORESATT_ERROR, "dir=%s: not a directory", dir);
    reg = calloc(1, sizeof(*reg));
    if (reg == NULL)
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    reg->host = host;
    snprintf(reg->dir, sizeof(reg->dir), "%s", dir);
    snprintf(reg->events, sizeof(reg->events), "%s", events ? events : "");
    *instance = reg;
    return FORESATT_OK;
}

static void file_destroy(void *instance)
{
    free(instance);
}

static foresatt_result_t file_lookup(void *instance, const char *number, foresatt_arena_t *arena,
                                     foresatt_person_t **person, foresatt_status_t *status)
{
    file_registry_t *reg = instance;
    char path[PATH_MAX + 32];
    struct stat st;
    char *buf;
    ssize_t got;
    size_t len = 0;
    int fd;
    foresatt_result_t rc;

    *person = NULL;
    if (!freg_number_shape(number))
        return plugin_say(status, FORESATT_ERROR, "not an 11-digit identity number");
    if ((size_t)snprintf(path, sizeof(path), "%s/%.11s.json", reg->dir, number) >= sizeof(path))
        return plugin_say(status, FORESATT_ERROR, "dir=: the path is too long");
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return FORESATT_NOT_FOUND;
        return plugin_say(status, FORESATT_ERROR, "cannot read a document in %s: %s", reg->dir, strerror(errno));
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return plugin_say(status, FORESATT_ERROR, "a document in %s is not a regular file", reg->dir);
    }
    if ((uint64_t)st.st_size > FREG_MAX_DOCUMENT) {
        close(fd);
        return plugin_say(status, FORESATT_ERROR, "register answer: %lld bytes, more than the %u allowed",
                          (long long)st.st_size, FREG_MAX_DOCUMENT);
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        close(fd);
        return plugin_say(status, FORESATT_ERROR, "out of memory");
    }
    while (len < (size_t)st.st_size && (got = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
        len += (size_t)got;
    close(fd);
    rc = freg_parse_person(reg->host, arena, buf, len, (int64_t)time(NULL), person, status);
    free(buf);
    if (rc != FORESATT_OK)
        reg->host->log(reg->host, FORESATT_LOG_WARN, "a document in %s is malformed: %s", reg->dir, status->message);
    return rc;
}

static foresatt_result_t file_lookup_batch(void *instance, const char *const *numbers, size_t n,
                                           foresatt_arena_t *arena, foresatt_person_t **persons,
                                           foresatt_status_t *status)
{
    size_t i;

    for (i = 0; i < n; i++) {
        foresatt_result_t rc = file_lookup(instance, numbers[i], arena, &persons[i], status);
        if (rc == FORESATT_NOT_FOUND)
            persons[i] = NULL;
        else if (rc != FORESATT_OK)
            return rc;
    }
    return FORESATT_OK;
}

static foresatt_result_t file_events_latest(void *instance, int64_t *sequence, foresatt_status_t *status)
{
    file_registry_t *reg = instance;

    *sequence = 0;
    if (reg->events[0] == '\0')
        return plugin_say(status, FORESATT_ERROR, "no event feed: give events=FILE (an event journal)");
    return rf_journal_latest(reg->host, reg->events, sequence, status);
}

static foresatt_result_t file_events_read(void *instance, int64_t from, size_t max, foresatt_arena_t *arena,
                                          foresatt_event_t **events, size_t *n, foresatt_status_t *status)
{
    file_registry_t *reg = instance;

    *events = NULL;
    *n = 0;
    if (reg->events[0] == '\0')
        return plugin_say(status, FORESATT_ERROR, "no event feed: give events=FILE (an event journal)");
    return rf_journal_read(reg->host, reg->events, from, max, arena, events, n, status);
}

/* Thread-safe: read-only after create(); each call has its own fd. */
REGISTRY_PLUGIN("registry_file", file_create, NULL, file_destroy, file_lookup, file_lookup_batch, 1000, file_events_latest,
                file_events_read)
