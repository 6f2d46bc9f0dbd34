/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The self-service pages' directives (server scope; a virtual host inherits what it does not set):
 *
 *   ForesattPageTemplates DIR            templates that replace the built-in ones, file by file
 *                                        (layout.nb.html, profil.en.html, stil.css, ...)
 *   ForesattInformationPage nb|en FILE   the school's information page (the page body)
 *   ForesattConsentEnd MM-DD [AGE]       a pupil's consent lasts to the end of the school year
 *                                        (MM-DD) in which they turn AGE (default 07-31 19)
 *
 * Every template is parsed once here (check_config, so configtest reports a broken one with its
 * file and line); requests only render.
 */
#include <apr_file_info.h>
#include <apr_file_io.h>
#include <apr_strings.h>

#include "pages/pages.h"

APLOG_USE_MODULE(foresatt);

#define UNSET -1
#define TEMPLATE_MAX (256 * 1024)

static const char *const tpl_base[FS_TPL_COUNT] = {"layout", "profil", "samtykke", "informasjon", "melding"};

/* What a school's information page may use. */
static const char *const info_names[] = {"base", "lang_query", NULL};

fs_pages_conf_t *fs_pages_conf_create(apr_pool_t *pool)
{
    fs_pages_conf_t *c = apr_pcalloc(pool, sizeof(*c));

    c->consent_month = UNSET;
    c->consent_day = UNSET;
    c->consent_age = UNSET;
    return c;
}

fs_pages_conf_t *fs_pages_conf_merge(apr_pool_t *pool, const fs_pages_conf_t *base, const fs_pages_conf_t *add)
{
    fs_pages_conf_t *c = apr_pcalloc(pool, sizeof(*c));
    int i;

    c->template_dir = add->template_dir ? add->template_dir : base->template_dir;
    for (i = 0; i < FST_LANG_COUNT; i++)
        c->info_file[i] = add->info_file[i] ? add->info_file[i] : base->info_file[i];
    if (add->consent_month != UNSET) {
        c->consent_month = add->consent_month;
        c->consent_day = add->consent_day;
        c->consent_age = add->consent_age;
    }
    else {
        c->consent_month = base->consent_month;
        c->consent_day = base->consent_day;
        c->consent_age = base->consent_age;
    }
    return c;
}

static fs_pages_conf_t *cmd_conf(cmd_parms *cmd)
{
    return fs_pages_conf(cmd->server);
}

const char *fs_cmd_page_templates(cmd_parms *cmd, void *dconf, const char *dir)
{
    const char *path = ap_server_root_relative(cmd->pool, dir);
    apr_finfo_t fi;

    (void)dconf;
    if (path == NULL || apr_stat(&fi, path, APR_FINFO_TYPE, cmd->temp_pool) != APR_SUCCESS || fi.filetype != APR_DIR)
        return apr_psprintf(cmd->pool, "ForesattPageTemplates %s: not a directory; give the directory that holds the "
                            "school's templates (files named like the built-in ones, e.g. layout.nb.html, stil.css)",
                            dir);
    cmd_conf(cmd)->template_dir = path;
    return NULL;
}

const char *fs_cmd_information_page(cmd_parms *cmd, void *dconf, const char *lang, const char *file)
{
    fst_lang_t l;
    const char *path = ap_server_root_relative(cmd->pool, file);

    (void)dconf;
    if (strcmp(lang, "nb") == 0)
        l = FST_LANG_NB;
    else if (strcmp(lang, "en") == 0)
        l = FST_LANG_EN;
    else
        return apr_psprintf(cmd->pool, "ForesattInformationPage %s: the language is nb or en, e.g. "
                            "ForesattInformationPage nb /etc/foresatt/informasjon.nb.html", lang);
    if (path == NULL)
        return apr_psprintf(cmd->pool, "ForesattInformationPage %s %s: not a valid path", lang, file);
    cmd_conf(cmd)->info_file[l] = path;
    return NULL;
}

const char *fs_cmd_consent_end(cmd_parms *cmd, void *dconf, const char *day, const char *age)
{
    fs_pages_conf_t *c = cmd_conf(cmd);
    int month, d;
    long a = FST_CONSENT_AGE_DEFAULT;
    char *end;

    (void)dconf;
    if (!fst_consent_rule_parse_day(day, &month, &d))
        return apr_psprintf(cmd->pool, "ForesattConsentEnd %s: give the last day of the school year as MM-DD, "
                            "e.g. ForesattConsentEnd 07-31 19", day);
    if (age != NULL) {
        a = strtol(age, &end, 10);
        if (end == age || *end || a < 0 || a > FST_CONSENT_AGE_MAX)
            return apr_psprintf(cmd->pool, "ForesattConsentEnd %s %s: the age is a whole number from 0 to %d "
                                "(the consent lasts to the end of the school year the pupil turns it; 0: the "
                                "current school year only)", day, age, FST_CONSENT_AGE_MAX);
    }
    c->consent_month = month;
    c->consent_day = d;
    c->consent_age = (int)a;
    return NULL;
}

/* --- loading ------------------------------------------------------------------------------------ */

static int fail(server_rec *s, const char *what)
{
    ap_log_error(APLOG_MARK, APLOG_EMERG, 0, s, FSLOGNO(0600) "%s", what);
    return HTTP_INTERNAL_SERVER_ERROR;
}

static const fs_builtin_template_t *builtin(const char *name)
{
    const fs_builtin_template_t *b;

    for (b = fs_builtin_templates; b->name; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

/* The text of path. 1 found, 0 absent (only when optional), -1 failed with *err. */
static int read_file(apr_pool_t *pool, const char *path, int optional, char **text, size_t *len, const char **err)
{
    apr_file_t *f;
    apr_finfo_t fi;
    apr_status_t rv;
    apr_size_t got;
    char buf[120];

    rv = apr_file_open(&f, path, APR_FOPEN_READ | APR_FOPEN_BINARY, APR_OS_DEFAULT, pool);
    if (rv != APR_SUCCESS) {
        if (optional && APR_STATUS_IS_ENOENT(rv))
            return 0;
        *err = apr_psprintf(pool, "cannot open it (%s)", apr_strerror(rv, buf, sizeof(buf)));
        return -1;
    }
    if ((rv = apr_file_info_get(&fi, APR_FINFO_SIZE | APR_FINFO_TYPE, f)) != APR_SUCCESS || fi.filetype != APR_REG) {
        apr_file_close(f);
        *err = "it is not a regular file";
        return -1;
    }
    if (fi.size > TEMPLATE_MAX) {
        apr_file_close(f);
        *err = apr_psprintf(pool, "it is larger than %d KB", TEMPLATE_MAX / 1024);
        return -1;
    }
    *text = apr_palloc(pool, (apr_size_t)fi.size + 1);
    rv = apr_file_read_full(f, *text, (apr_size_t)fi.size, &got);
    apr_file_close(f);
    if (rv != APR_SUCCESS && !(APR_STATUS_IS_EOF(rv) && got == 0)) {
        *err = apr_psprintf(pool, "cannot read it (%s)", apr_strerror(rv, buf, sizeof(buf)));
        return -1;
    }
    (*text)[got] = '\0';
    *len = got;
    return 1;
}

/* One template: the named file, else the template directory's, else the built-in. */
static int load_one(apr_pool_t *pconf, server_rec *s, fs_pages_conf_t *c, fs_tpl_id_t id, fst_lang_t lang)
{
    const char *name = apr_psprintf(pconf, "%s.%s.html", tpl_base[id], fst_lang_code(lang));
    const char *directive = NULL, *path = NULL, *err = NULL, *unknown;
    char *text = NULL;
    size_t len = 0;
    int found = 0;
    fst_tpl_t *t;

    if (id == FS_TPL_INFO && c->info_file[lang]) {
        path = c->info_file[lang];
        directive = apr_psprintf(pconf, "ForesattInformationPage %s", fst_lang_code(lang));
        found = read_file(pconf, path, 0, &text, &len, &err);
    }
    else if (c->template_dir) {
        path = apr_pstrcat(pconf, c->template_dir, "/", name, NULL);
        directive = apr_psprintf(pconf, "ForesattPageTemplates %s", c->template_dir);
        found = read_file(pconf, path, 1, &text, &len, &err);
    }
    if (found < 0)
        return fail(s, apr_psprintf(pconf, "%s: %s: %s", directive, path, err));
    if (found == 0) {
        const fs_builtin_template_t *b = builtin(name);
        if (b == NULL)
            return fail(s, apr_psprintf(pconf, "the built-in template %s is missing from this build", name));
        text = (char *)b->text;
        len = b->len;
        path = apr_pstrcat(pconf, "(built-in) ", name, NULL);
        directive = "the built-in templates";
    }
    t = fst_tpl_parse(pconf, path, text, len, &err);
    if (t == NULL)
        return fail(s, apr_psprintf(pconf, "%s: %s; fix the template", directive, err));
    if (id == FS_TPL_INFO && (unknown = fst_tpl_unknown_name(t, info_names)) != NULL)
        return fail(s, apr_psprintf(pconf, "%s: %s: {{%s}} is not a value the information page has (it has {{base}} "
                                    "and {{lang_query}}); fix the template", directive, path, unknown));
    c->tpl[id][lang] = t;
    return OK;
}

static int load_css(apr_pool_t *pconf, server_rec *s, fs_pages_conf_t *c)
{
    const char *err = NULL;
    char *text = NULL;
    size_t len = 0;
    int found = 0;

    if (c->template_dir) {
        const char *path = apr_pstrcat(pconf, c->template_dir, "/stil.css", NULL);
        found = read_file(pconf, path, 1, &text, &len, &err);
        if (found < 0)
            return fail(s, apr_psprintf(pconf, "ForesattPageTemplates %s: stil.css: %s", c->template_dir, err));
    }
    if (found == 0) {
        const fs_builtin_template_t *b = builtin("stil.css");
        if (b == NULL)
            return fail(s, "the built-in stil.css is missing from this build");
        text = (char *)b->text;
        len = b->len;
    }
    c->css = text;
    c->css_len = len;
    return OK;
}

int fs_pages_check_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *main_server)
{
    server_rec *s;
    int id, lang, rc;

    (void)ptemp;
    for (s = main_server; s; s = s->next) {
        fs_pages_conf_t *c = fs_pages_conf(s);

        c->consent.end_month = c->consent_month != UNSET ? c->consent_month : FST_CONSENT_END_MONTH_DEFAULT;
        c->consent.end_day = c->consent_day != UNSET ? c->consent_day : FST_CONSENT_END_DAY_DEFAULT;
        c->consent.age = c->consent_age != UNSET ? c->consent_age : FST_CONSENT_AGE_DEFAULT;
        for (id = 0; id < FS_TPL_COUNT; id++)
            for (lang = 0; lang < FST_LANG_COUNT; lang++)
                if ((rc = load_one(pconf, s, c, (fs_tpl_id_t)id, (fst_lang_t)lang)) != OK)
                    return rc;
        if ((rc = load_css(pconf, s, c)) != OK)
            return rc;
    }
    return OK;
}
