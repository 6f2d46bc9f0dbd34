/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The self-service pages' common ground (pages/pages.h): which page, which language (?lang=, then
 * Accept-Language, then bokmål), HTML or JSON (Accept: application/json), who is logged in (our
 * session: a browser is sent to the login, anything else gets 401), the POST body (a form, or JSON
 * with the CSRF token in X-CSRF-Token), rendering into the layout with the security headers, and
 * the audit trail.
 *
 * Headers on every page: Content-Security-Policy without scripts (default-src 'none'; styles and
 * images from this site only; forms post only here; no framing), X-Frame-Options DENY, nosniff,
 * no referrer, Vary: Accept, Accept-Language. Personal pages are Cache-Control: no-store.
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

#include "authz/authz.h"
#include "encoding.h"
#include "http/http.h"
#include "json_guard.h"
#include "login/login.h"
#include "pages/pages.h"
#include "selfservice/contact_input.h"

APLOG_USE_MODULE(foresatt);

#define CSP "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; " \
            "frame-ancestors 'none'"
#define CSP_JSON "default-src 'none'; frame-ancestors 'none'"

static const char *const months_nb[12] = {"januar", "februar", "mars",      "april",   "mai",      "juni",
                                          "juli",   "august",  "september", "oktober", "november", "desember"};
static const char *const months_en[12] = {"January", "February", "March",     "April",   "May",      "June",
                                          "July",    "August",   "September", "October", "November", "December"};

/* --- small pieces ------------------------------------------------------------------------------- */

const char *fs_ss_iso_date(apr_pool_t *pool, fst_date_t d)
{
    return apr_psprintf(pool, "%04d-%02d-%02d", d.year, d.month, d.day);
}

const char *fs_ss_date(fs_ss_t *q, fst_date_t d)
{
    if (d.month < 1 || d.month > 12)
        return fs_ss_iso_date(q->r->pool, d);
    if (q->lang == FST_LANG_EN)
        return apr_psprintf(q->r->pool, "%d %s %04d", d.day, months_en[d.month - 1], d.year);
    return apr_psprintf(q->r->pool, "%d. %s %04d", d.day, months_nb[d.month - 1], d.year);
}

json_t *fs_ss_json_str(fs_ss_t *q, const char *s)
{
    json_t *j;

    if (s == NULL)
        return json_null();
    j = json_string(fst_utf8_clean(q->r->pool, s));
    return j ? j : json_null();
}

static const char *base_path(fs_ss_t *q)
{
    return fs_login_conf(q->r->server)->handler_path;
}

/* The path of this page (and language), e.g. "/foresatt/profil?lang=en". */
static const char *page_path(fs_ss_t *q, const char *page)
{
    return apr_pstrcat(q->r->pool, base_path(q), page, q->lang_query, NULL);
}

int fs_ss_audit(fs_ss_t *q, foresatt_role_t role, const char *pupil_id, const char *action, const char *decision,
                const char *reason)
{
    /* Each view and change an entry of its own (not coalesced). */
    if (fs_audit_record(q->r, role, q->id ? q->id->pseudonym : NULL, pupil_id, action, decision, reason, 0) != 0) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, q->r, FSLOGNO(0601) "%s by %s could not be audited",
                      action, q->id && q->id->pseudonym ? q->id->pseudonym : "-");
        return -1;
    }
    return 0;
}

/* --- responses ---------------------------------------------------------------------------------- */

static void security_headers(request_rec *r, const char *csp, int personal)
{
    fs_security_headers(r, csp, 0, personal ? "no-store" : "no-cache");
    apr_table_setn(r->err_headers_out, "Vary", "Accept, Accept-Language, Cookie");
}

static int write_body(request_rec *r, int status, const char *type, const char *body, size_t len)
{
    r->status = status;
    ap_set_content_type(r, type);
    ap_set_content_length(r, (apr_off_t)len);
    if (!r->header_only)
        ap_rwrite(body, (int)len, r);
    return OK;
}

fst_tvars_t *fs_ss_vars(fs_ss_t *q)
{
    fst_tvars_t *v = fst_tvars_make(q->r->pool);

    fst_tvars_set(v, "base", base_path(q));
    fst_tvars_set(v, "lang_query", q->lang_query);
    fst_tvars_set(v, "csrf", q->csrf);
    return v;
}

static int send_in_layout(fs_ss_t *q, int status, fs_tpl_id_t tpl, const fst_tvars_t *vars, int personal,
                          const char *page_flag)
{
    request_rec *r = q->r;
    fst_tvars_t *lv = fs_ss_vars(q);
    fst_lang_t other = q->lang == FST_LANG_EN ? FST_LANG_NB : FST_LANG_EN;
    size_t len;
    char *html;

    fst_tvars_html(lv, "content", fst_tpl_render(r->pool, q->conf->tpl[tpl][q->lang], vars, NULL));
    fst_tvars_flag(lv, page_flag, 1);
    fst_tvars_flag(lv, "logged_in", q->session != NULL);
    fst_tvars_flag(lv, "login", fs_login_conf(r->server)->enabled);
    fst_tvars_set(lv, "switch_href", apr_pstrcat(r->pool, base_path(q), q->page, "?lang=", fst_lang_code(other), NULL));
    html = fst_tpl_render(r->pool, q->conf->tpl[FS_TPL_LAYOUT][q->lang], lv, &len);
    security_headers(r, CSP, personal || q->session != NULL);
    apr_table_setn(r->err_headers_out, "Content-Language", fst_lang_code(q->lang));
    return write_body(r, status, "text/html; charset=utf-8", html, len);
}

int fs_ss_send_page(fs_ss_t *q, int status, fs_tpl_id_t tpl, const fst_tvars_t *vars, int personal)
{
    return send_in_layout(q, status, tpl, vars, personal, apr_pstrcat(q->r->pool, "page_", q->page, NULL));
}

int fs_ss_send_json(fs_ss_t *q, int status, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    int rc;

    json_decref(body);
    if (text == NULL)
        return HTTP_INTERNAL_SERVER_ERROR;
    security_headers(q->r, CSP_JSON, 1);
    rc = write_body(q->r, status, "application/json; charset=utf-8", apr_pstrdup(q->r->pool, text), strlen(text));
    free(text);
    return rc;
}

int fs_ss_send_message(fs_ss_t *q, int status, const char *what)
{
    fst_tvars_t *v;

    if (q->json) {
        json_t *body = json_pack("{s:s}", "error", what);
        if (strcmp(what, "login") == 0)
            json_object_set_new(body, "login", fs_ss_json_str(q, apr_pstrcat(q->r->pool, base_path(q), "login?target=",
                                                                             fst_url_encode(q->r->pool,
                                                                                            page_path(q, q->page)),
                                                                             NULL)));
        return fs_ss_send_json(q, status, body);
    }
    v = fs_ss_vars(q);
    fst_tvars_flag(v, apr_pstrcat(q->r->pool, "msg_", what, NULL), 1);
    fst_tvars_set(v, "login_href", apr_pstrcat(q->r->pool, base_path(q), "login?target=",
                                               fst_url_encode(q->r->pool, page_path(q, q->page)), NULL));
    return send_in_layout(q, status, FS_TPL_MESSAGE, v, 1, "page_melding");
}

int fs_ss_redirect(fs_ss_t *q, const char *query)
{
    const char *path = apr_pstrcat(q->r->pool, base_path(q), q->page, "?", query,
                                   *q->lang_query ? "&" : "", *q->lang_query ? q->lang_query + 1 : "", NULL);

    security_headers(q->r, CSP, 1);
    apr_table_setn(q->r->headers_out, "Location", fs_absolute_url(q->r, path));
    return HTTP_SEE_OTHER;
}

static int send_css(request_rec *r, fs_pages_conf_t *conf)
{
    if (r->method_number != M_GET) {
        apr_table_setn(r->err_headers_out, "Allow", "GET, HEAD");
        return HTTP_METHOD_NOT_ALLOWED;
    }
    apr_table_setn(r->err_headers_out, "X-Content-Type-Options", "nosniff");
    apr_table_setn(r->err_headers_out, "Cache-Control", "public, max-age=3600");
    return write_body(r, HTTP_OK, "text/css; charset=utf-8", conf->css, conf->css_len);
}

/* --- who, and what they sent -------------------------------------------------------------------- */

int fs_ss_logged_in(fs_ss_t *q, int *rc)
{
    request_rec *r = q->r;
    const fs_identity_t *id = fs_identity_get(r);
    const fst_session_t *s = fs_session_current(r);

    if (id != NULL && s != NULL && id->source == FS_IDENTITY_SESSION) {
        q->id = id;
        q->session = s;
        q->csrf = fs_csrf_token(s);
        if (id->pid == NULL || *id->pid == '\0') {
            *rc = fs_ss_send_message(q, HTTP_FORBIDDEN, "no_number");
            return 0;
        }
        return 1;
    }
    /* A page the browser navigates to (not JSON, not script) may be sent to the login. */
    if (!q->json && fs_is_navigation(r)) {
        const char *back = fs_return_url_checked(r, page_path(q, q->page));
        *rc = fs_login_start(r, back ? back : "/");
        return 0;
    }
    apr_table_setn(r->err_headers_out, "WWW-Authenticate", fs_login_conf(r->server)->www_authenticate);
    *rc = fs_ss_send_message(q, HTTP_UNAUTHORIZED, "login");
    return 0;
}

int fs_ss_read_body(fs_ss_t *q, apr_table_t **form, json_t **json, int *rc)
{
    request_rec *r = q->r;
    const char *ct = apr_table_get(r->headers_in, "Content-Type");
    int status = HTTP_BAD_REQUEST;

    *form = NULL;
    *json = NULL;
    if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0 && (ct[16] == '\0' || ct[16] == ';' ||
                                                                       ct[16] == ' ')) {
        const char *err = NULL;
        size_t len;
        char *text = fs_request_body(r, FST_SS_JSON_BODY_MAX, &len, &status);

        if (text != NULL) {
            *json = fst_json_parse_object(text, len, FST_SS_JSON_BODY_MAX, FST_SS_JSON_DEPTH_MAX, &err);
            if (*json != NULL)
                return 1;
            ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0602) "%s: JSON body refused: %s", q->page, err);
            status = HTTP_BAD_REQUEST;
        }
    }
    else {
        *form = fs_form_params(r, &status);
        if (*form != NULL)
            return 1;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0603) "%s: request body refused (%d)", q->page, status);
    *rc = fs_ss_send_message(q, status, "bad_request");
    return 0;
}

int fs_ss_csrf_ok(fs_ss_t *q, apr_table_t *form)
{
    const char *token = apr_table_get(q->r->headers_in, "X-CSRF-Token");

    if (token == NULL && form != NULL)
        token = apr_table_get(form, "csrf");
    if (token != NULL && q->csrf != NULL && fst_str_equal(token, q->csrf))
        return 1;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, q->r, FSLOGNO(0604) "%s: %s CSRF token from %s", q->page,
                  token ? "wrong" : "no", q->id && q->id->pseudonym ? q->id->pseudonym : "-");
    return 0;
}

/* --- the information page ----------------------------------------------------------------------- */

static int page_info(fs_ss_t *q)
{
    if (q->json) {
        json_t *body = json_object();
        json_object_set_new(body, "page", json_string("informasjon"));
        json_object_set_new(body, "lang", json_string(fst_lang_code(q->lang)));
        json_object_set_new(body, "html", fs_ss_json_str(q, fst_tpl_render(q->r->pool,
                                                                           q->conf->tpl[FS_TPL_INFO][q->lang],
                                                                           fs_ss_vars(q), NULL)));
        return fs_ss_send_json(q, HTTP_OK, body);
    }
    return fs_ss_send_page(q, HTTP_OK, FS_TPL_INFO, fs_ss_vars(q), 0);
}

/* --- dispatch ----------------------------------------------------------------------------------- */

static int wants_json(request_rec *r)
{
    const char *accept = apr_table_get(r->headers_in, "Accept");

    return accept != NULL && ap_strcasestr(accept, "application/json") != NULL && !ap_strcasestr(accept, "text/html");
}

/* Answer `page` (the path after the handler path) when it is one of ours, else DECLINED.
 * login_enabled: this server has our own login; without it, or without a ForesattStore and
 * ForesattRegistry, only the public pages (informasjon, stil.css) exist. */
static int handle(request_rec *r, const char *page, int login_enabled)
{
    fs_pages_conf_t *conf = fs_pages_conf(r->server);
    fs_ss_t q;
    fst_lang_t chosen;
    const char *lang;
    int personal;

    if (strcmp(page, "stil.css") == 0)
        return send_css(r, conf);
    if (strcmp(page, "informasjon") == 0)
        personal = 0;
    else if (login_enabled && fs_server_conf(r->server)->store && fs_server_conf(r->server)->registry &&
             (strcmp(page, "profil") == 0 || strcmp(page, "samtykke") == 0))
        personal = 1;
    else
        return DECLINED;

    memset(&q, 0, sizeof(q));
    q.r = r;
    q.conf = conf;
    q.page = page;
    q.json = wants_json(r);
    q.lang_query = "";
    q.query = fs_query_params(r, r->args);
    lang = q.query ? apr_table_get(q.query, "lang") : NULL;
    q.lang = fst_lang_negotiate(lang, apr_table_get(r->headers_in, "Accept-Language"));
    if (fst_lang_parse(lang, &chosen))
        q.lang_query = apr_pstrcat(r->pool, "?lang=", fst_lang_code(chosen), NULL);
    if (q.query == NULL)
        return fs_ss_send_message(&q, HTTP_BAD_REQUEST, "bad_request");
    if (r->method_number != M_GET && !(personal && r->method_number == M_POST)) {
        apr_table_setn(r->err_headers_out, "Allow", personal ? "GET, HEAD, POST" : "GET, HEAD");
        return fs_ss_send_message(&q, HTTP_METHOD_NOT_ALLOWED, "bad_request");
    }
    if (!personal) {
        /* Whoever is logged in gets the logout button, and the page is then not cached. */
        if (login_enabled && fs_identity_get(r) != NULL && (q.session = fs_session_current(r)) != NULL)
            q.csrf = fs_csrf_token(q.session);
        return page_info(&q);
    }
    if (strcmp(page, "profil") == 0)
        return fs_page_profile(&q);
    return fs_page_consent(&q);
}

/* Where the server has no login of ours, the public pages are still the module's (with a login,
 * login/handlers.c claimed the whole handler path already). */
static int translate(request_rec *r)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const char *page;

    if (r->main != NULL || c->enabled || r->uri == NULL || fs_own_url(r) ||
        strncmp(r->uri, c->handler_path, c->handler_path_len) != 0)
        return DECLINED;
    page = r->uri + c->handler_path_len;
    if (strcmp(page, "informasjon") != 0 && strcmp(page, "stil.css") != 0)
        return DECLINED;
    fs_own_url_mark(r);
    return OK;
}

static int handler(request_rec *r)
{
    const fs_login_conf_t *c;
    int rc;

    if (!fs_own_url(r))
        return DECLINED;
    c = fs_login_conf(r->server);
    if (strncmp(r->uri, c->handler_path, c->handler_path_len) != 0)
        return DECLINED;
    rc = handle(r, r->uri + c->handler_path_len, c->enabled);
    if (rc != DECLINED)
        return rc;
    /* Under the handler path, and neither the login's (its handler ran first) nor ours. */
    return fs_page_error(r, HTTP_NOT_FOUND, &fs_page_not_found);
}

void fs_pages_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    /* After the login's (login/handlers.c), which claims and answers its own names. */
    ap_hook_translate_name(translate, NULL, NULL, APR_HOOK_REALLY_FIRST + 1);
    ap_hook_handler(handler, NULL, NULL, APR_HOOK_FIRST + 1);
}
