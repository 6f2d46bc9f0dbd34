/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The authorization's directives (server scope; a virtual host inherits what it does not set):
 *   ForesattAuthzRecheck SECONDS            decide again after this long (default 300)
 *   ForesattAuthzRevisionCheck SECONDS      ask the store whether anything changed at most this often
 *                                           per child (default 1; 0 asks on every request)
 *   ForesattRequireSchoolRegistration on|off  clause 2 of the rule (default on)
 *   ForesattPassNumbers on|off              pass identity numbers to the portal (default off)
 *   ForesattAuthzHeader role|students|name|number|student-numbers NAME|off
 *   ForesattAudit on|off                    (default on)
 *   ForesattAuditFlushInterval SECONDS      the writer's batch interval (default 1)
 *   ForesattAuditBuffer ENTRIES             per child (default 4096)
 *   ForesattAuditWindow SECONDS             one entry per person, pupil, decision and reason per window:
 *                                           first time and path, count, last time (default 60; 0: an
 *                                           entry for every request)
 *   ForesattPassIdentity headers|env|both|off  how the backend learns who is logged in (default both)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "authz/authz.h"

APLOG_USE_MODULE(foresatt);

#define UNSET FS_UNSET

void *fs_authz_create_server(apr_pool_t *pool)
{
    fs_authz_conf_t *conf = apr_pcalloc(pool, sizeof(*conf));

    conf->recheck = UNSET;
    conf->revision_check = UNSET;
    conf->require_school_registration = UNSET;
    conf->pass_numbers = UNSET;
    conf->audit = UNSET;
    conf->audit_flush = UNSET;
    conf->audit_buffer = UNSET;
    conf->audit_window = UNSET;
    conf->pass_identity = UNSET;
    return conf;
}

#define MERGE(field) conf->field = add->field != UNSET ? add->field : base->field
#define MERGE_PTR(field) conf->field = add->field ? add->field : base->field

void *fs_authz_merge_server(apr_pool_t *pool, void *basev, void *addv)
{
    fs_authz_conf_t *base = basev, *add = addv;
    fs_authz_conf_t *conf = apr_pcalloc(pool, sizeof(*conf));

    MERGE(recheck);
    MERGE(revision_check);
    MERGE(require_school_registration);
    MERGE(pass_numbers);
    MERGE(audit);
    MERGE(audit_flush);
    MERGE(audit_buffer);
    MERGE(audit_window);
    MERGE(pass_identity);
    MERGE_PTR(header_role);
    MERGE_PTR(header_students);
    MERGE_PTR(header_name);
    MERGE_PTR(header_number);
    MERGE_PTR(header_student_numbers);
    return conf;
}

static fs_authz_conf_t *conf_of(cmd_parms *cmd)
{
    return fs_server_conf(cmd->server)->authz;
}

/* Whole seconds within [min, max]. */
static const char *seconds(cmd_parms *cmd, const char *arg, long min, long max, apr_interval_time_t *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < min || v > max)
        return apr_psprintf(cmd->pool, "%s: '%s' is not a number of seconds from %ld to %ld", cmd->cmd->name, arg,
                            min, max);
    *out = apr_time_from_sec(v);
    return NULL;
}

const char *fs_cmd_authz_recheck(cmd_parms *cmd, void *dconf, const char *arg)
{
    (void)dconf;
    return seconds(cmd, arg, 1, 86400, &conf_of(cmd)->recheck);
}

const char *fs_cmd_authz_revision_check(cmd_parms *cmd, void *dconf, const char *arg)
{
    (void)dconf;
    return seconds(cmd, arg, 0, 3600, &conf_of(cmd)->revision_check);
}

const char *fs_cmd_require_school_registration(cmd_parms *cmd, void *dconf, int on)
{
    (void)dconf;
    conf_of(cmd)->require_school_registration = on;
    return NULL;
}

const char *fs_cmd_pass_numbers(cmd_parms *cmd, void *dconf, int on)
{
    (void)dconf;
    conf_of(cmd)->pass_numbers = on;
    return NULL;
}

static int token_char(char c)
{
    return apr_isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

const char *fs_cmd_authz_header(cmd_parms *cmd, void *dconf, const char *what, const char *name)
{
    fs_authz_conf_t *conf = conf_of(cmd);
    const char **slot = NULL;
    const char *p;

    (void)dconf;
    if (strcasecmp(what, "role") == 0)
        slot = &conf->header_role;
    else if (strcasecmp(what, "students") == 0)
        slot = &conf->header_students;
    else if (strcasecmp(what, "name") == 0)
        slot = &conf->header_name;
    else if (strcasecmp(what, "number") == 0)
        slot = &conf->header_number;
    else if (strcasecmp(what, "student-numbers") == 0)
        slot = &conf->header_student_numbers;
    else
        return apr_psprintf(cmd->pool, "ForesattAuthzHeader: unknown header '%s'; give one of role, students, name, "
                            "number, student-numbers, then a header name or off",
                            what);
    if (strcasecmp(name, "off") == 0) {
        *slot = "";
        return NULL;
    }
    for (p = name; *p; p++)
        if (!token_char(*p))
            return apr_psprintf(cmd->pool, "ForesattAuthzHeader %s: '%s' is not a valid header name", what, name);
    if (p == name)
        return "ForesattAuthzHeader: give a header name or off";
    *slot = apr_pstrdup(cmd->pool, name);
    return NULL;
}

const char *fs_cmd_audit(cmd_parms *cmd, void *dconf, int on)
{
    (void)dconf;
    conf_of(cmd)->audit = on;
    return NULL;
}

const char *fs_cmd_audit_flush(cmd_parms *cmd, void *dconf, const char *arg)
{
    (void)dconf;
    return seconds(cmd, arg, 1, 3600, &conf_of(cmd)->audit_flush);
}

const char *fs_cmd_audit_buffer(cmd_parms *cmd, void *dconf, const char *arg)
{
    char *end;
    long v;

    (void)dconf;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || end == arg || *end || v < 16 || v > 1000000)
        return apr_psprintf(cmd->pool, "ForesattAuditBuffer: '%s' is not a number of entries from 16 to 1000000", arg);
    conf_of(cmd)->audit_buffer = (int)v;
    return NULL;
}

const char *fs_cmd_audit_window(cmd_parms *cmd, void *dconf, const char *arg)
{
    apr_interval_time_t t;
    const char *err = seconds(cmd, arg, 0, 3600, &t);

    (void)dconf;
    if (err == NULL)
        conf_of(cmd)->audit_window = (int)apr_time_sec(t);
    return err;
}

const char *fs_cmd_pass_identity(cmd_parms *cmd, void *dconf, const char *v)
{
    fs_authz_conf_t *conf = conf_of(cmd);

    (void)dconf;
    if (strcasecmp(v, "headers") == 0)
        conf->pass_identity = FS_PASS_TO_HEADERS;
    else if (strcasecmp(v, "env") == 0)
        conf->pass_identity = FS_PASS_TO_ENV;
    else if (strcasecmp(v, "both") == 0)
        conf->pass_identity = FS_PASS_TO_HEADERS | FS_PASS_TO_ENV;
    else if (strcasecmp(v, "off") == 0)
        conf->pass_identity = 0;
    else
        return apr_psprintf(cmd->pool, "%s: '%s' is not one of headers, env, both, off", cmd->cmd->name, v);
    return NULL;
}

/* Defaults for what no directive set, and the header names the client may never send. */
int fs_authz_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    server_rec *sv;

    (void)plog;
    (void)ptemp;
    for (sv = s; sv; sv = sv->next) {
        fs_authz_conf_t *conf = fs_authz_conf(sv);

        if (conf->recheck == UNSET)
            conf->recheck = FS_AUTHZ_RECHECK_DEFAULT;
        if (conf->revision_check == UNSET)
            conf->revision_check = FS_AUTHZ_REVISION_CHECK_DEFAULT;
        if (conf->require_school_registration == UNSET)
            conf->require_school_registration = 1;
        if (conf->pass_numbers == UNSET)
            conf->pass_numbers = 0;
        if (conf->audit == UNSET)
            conf->audit = 1;
        if (conf->audit_flush == UNSET)
            conf->audit_flush = FS_AUDIT_FLUSH_DEFAULT;
        if (conf->audit_buffer == UNSET)
            conf->audit_buffer = FS_AUDIT_BUFFER_DEFAULT;
        if (conf->audit_window == UNSET)
            conf->audit_window = FS_AUDIT_WINDOW_DEFAULT;
        if (conf->pass_identity == UNSET)
            conf->pass_identity = FS_PASS_TO_HEADERS | FS_PASS_TO_ENV;
        if (conf->header_role == NULL)
            conf->header_role = "X-Foresatt-Role";
        if (conf->header_students == NULL)
            conf->header_students = "X-Foresatt-Students";
        if (conf->header_name == NULL)
            conf->header_name = "X-Foresatt-Name";
        if (conf->header_number == NULL)
            conf->header_number = "X-Foresatt-Number";
        if (conf->header_student_numbers == NULL)
            conf->header_student_numbers = "X-Foresatt-Student-Numbers";
        fs_authz_headers_post_config(pconf, sv, conf);
        /* "off": registered for scrubbing above under the default name, never set */
        if (!*conf->header_role)
            conf->header_role = NULL;
        if (!*conf->header_students)
            conf->header_students = NULL;
        if (!*conf->header_name)
            conf->header_name = NULL;
        if (!*conf->header_number)
            conf->header_number = NULL;
        if (!*conf->header_student_numbers)
            conf->header_student_numbers = NULL;
    }
    return OK;
}
