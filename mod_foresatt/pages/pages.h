/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * pages/: the self-service pages under ForesattHandlerPath (default /foresatt/), served from their
 * own quick handler, which runs right after the login's (login/handlers.c):
 *
 *   profil        the guardian's "Mine opplysninger": GET shows, POST saves phone and e-mail
 *   samtykke      the pupil's consent that extends guardian access past 18: GET, POST give/revoke
 *   informasjon   the school's public information page
 *   stil.css      the pages' stylesheet
 *
 * Plain server-rendered HTML (no JavaScript) in bokmål or English, with a JSON API beside each page
 * (Accept: application/json). Files:
 *   config.c       directives, and the templates parsed once at configuration time
 *   selfservice.c  dispatch, language, login and CSRF checks, rendering, JSON, audit
 *   profile.c      profil
 *   consent.c      samtykke
 *   templates/     the built-in templates (compiled in by scripts/embed-templates);
 *                  conf/informasjon.*.html the built-in information page
 */
#ifndef FS_PAGES_H
#define FS_PAGES_H

#include <httpd.h>
#include <http_config.h>
#include <jansson.h>

#include "core/core.h"
#include "selfservice/consent_period.h"
#include "selfservice/lang.h"
#include "selfservice/template.h"
#include "session/identity.h"

/* Generated: every built-in template by file name; ends with a NULL name. */
typedef struct fs_builtin_template {
    const char *name;
    const char *text;
    size_t len;
} fs_builtin_template_t;
extern const fs_builtin_template_t fs_builtin_templates[];

typedef enum fs_tpl_id {
    FS_TPL_LAYOUT = 0, /* layout.LANG.html: the frame, with the page in {{>content}} */
    FS_TPL_PROFILE,    /* profil.LANG.html */
    FS_TPL_CONSENT,    /* samtykke.LANG.html */
    FS_TPL_INFO,       /* informasjon.LANG.html */
    FS_TPL_MESSAGE,    /* melding.LANG.html */
    FS_TPL_COUNT
} fs_tpl_id_t;

typedef struct fs_pages_conf {
    /* --- directives (NULL / -1: not given here) --- */
    const char *template_dir;              /* ForesattPageTemplates DIR */
    const char *info_file[FST_LANG_COUNT]; /* ForesattInformationPage nb|en FILE */
    int consent_month, consent_day;        /* ForesattConsentEnd MM-DD [AGE] */
    int consent_age;

    /* --- check_config: parsed once, read-only afterwards --- */
    const fst_tpl_t *tpl[FS_TPL_COUNT][FST_LANG_COUNT];
    const char *css;
    size_t css_len;
    fst_consent_rule_t consent;
} fs_pages_conf_t;

static inline fs_pages_conf_t *fs_pages_conf(const server_rec *s)
{
    return fs_server_conf(s)->pages;
}

/* config.c */
fs_pages_conf_t *fs_pages_conf_create(apr_pool_t *pool);
fs_pages_conf_t *fs_pages_conf_merge(apr_pool_t *pool, const fs_pages_conf_t *base, const fs_pages_conf_t *add);
const char *fs_cmd_page_templates(cmd_parms *cmd, void *dconf, const char *dir);
const char *fs_cmd_information_page(cmd_parms *cmd, void *dconf, const char *lang, const char *file);
const char *fs_cmd_consent_end(cmd_parms *cmd, void *dconf, const char *day, const char *age);
int fs_pages_check_config(apr_pool_t *pconf, apr_pool_t *ptemp, server_rec *s);

/* selfservice.c: the quick handler of the pages under the handler path. */
void fs_pages_register_hooks(apr_pool_t *pool);

/* --- shared by the pages ---------------------------------------------------------------------- */

typedef struct fs_ss {
    request_rec *r;
    fs_pages_conf_t *conf;
    const char *page;             /* "profil", "samtykke", "informasjon" */
    fst_lang_t lang;
    const char *lang_query;       /* "?lang=en" when the visitor chose it with ?lang=, else "" */
    int json;                     /* answer with JSON (Accept: application/json) */
    apr_table_t *query;
    const fs_identity_t *id;      /* the logged-in person (our session), after fs_ss_logged_in */
    const fst_session_t *session;
    const char *csrf;             /* the session's CSRF token */
} fs_ss_t;

/* 1 when someone with a number is logged in with our session (q->id, q->session, q->csrf set);
 * otherwise 0, the response is arranged and the handler returns *rc. */
int fs_ss_logged_in(fs_ss_t *q, int *rc);

/* Values every page body sees: base, lang_query, csrf. */
fst_tvars_t *fs_ss_vars(fs_ss_t *q);

/* The page (template tpl with vars) in the layout, as the response. personal: no-store. */
int fs_ss_send_page(fs_ss_t *q, int status, fs_tpl_id_t tpl, const fst_tvars_t *vars, int personal);
/* A short message: melding.LANG.html with flag msg_<what> set, or JSON {"error": what}. */
int fs_ss_send_message(fs_ss_t *q, int status, const char *what);
/* body as the response (its reference is taken). */
int fs_ss_send_json(fs_ss_t *q, int status, json_t *body);
/* 303 See Other to this page with query (e.g. "lagret=1"), the chosen language kept. */
int fs_ss_redirect(fs_ss_t *q, const char *query);

/* The POST body: a form (*form) or a JSON object (*json, the caller json_decref()s). 1 on success;
 * 0 when refused, the response arranged, and the handler returns *rc. */
int fs_ss_read_body(fs_ss_t *q, apr_table_t **form, json_t **json, int *rc);
/* The CSRF token from X-CSRF-Token, or the form's csrf field, matches the session's. */
int fs_ss_csrf_ok(fs_ss_t *q, apr_table_t *form);

/* A JSON string of s (cleaned to valid UTF-8), or null. */
json_t *fs_ss_json_str(fs_ss_t *q, const char *s);
/* A date as the page shows it ("31.07.2027", "31 July 2027") and as JSON shows it ("2027-07-31"). */
const char *fs_ss_date(fs_ss_t *q, fst_date_t d);
const char *fs_ss_iso_date(apr_pool_t *pool, fst_date_t d);

/* One entry in the audit log (write-behind, authz/audit.c), actor = the person's pseudonym. 0 when queued
 * or auditing is off; non-zero when the buffer stayed full. */
int fs_ss_audit(fs_ss_t *q, foresatt_role_t role, const char *pupil_id, const char *action, const char *decision,
                const char *reason);

/* profile.c, consent.c */
int fs_page_profile(fs_ss_t *q);
int fs_page_consent(fs_ss_t *q);

#endif
