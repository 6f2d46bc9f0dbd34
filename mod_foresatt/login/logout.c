/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Logout.
 *
 * RP-initiated (<handler>logout): a POST with the session's CSRF token (the portal gets it as
 * X-Foresatt-Logout-Token / FORESATT_LOGOUT_TOKEN; a GET shows a page with that form, so a link
 * cannot log anyone out). The session id goes into the shared table of ended sessions, so the old
 * cookie is useless here even if it was copied; both cookies are deleted; then the browser posts
 * id_token_hint and a registered post_logout_redirect_uri to the OP's end_session_endpoint (POST:
 * no token in a URL). A `target` must be one of ForesattPostLogoutRedirectURI: no open redirect.
 *
 * Front-channel (<handler>frontchannel-logout?iss=&sid=): the OP loads it in an iframe, where our
 * cookies are usually absent; so it ends every session of that OP session (sid) through the
 * shared table, and only when iss is our OP and sid is given. The page may be framed by the OP
 * (CSP frame-ancestors) and carries no X-Frame-Options.
 */
#include <string.h>

#include <apr_strings.h>
#include <http_protocol.h>
#include <openssl/evp.h>

#include "encoding.h"
#include "hash.h"
#include "http/http.h"
#include "login/login.h"
#include "return_url.h"

APLOG_USE_MODULE(foresatt);

#define AUTO_SUBMIT "document.forms[0].submit();"

static const fs_login_page_t page_confirm = {
    "Logg ut", "Vil du logge ut?", "Log out", "Do you want to log out?", NULL, NULL, NULL, NULL};

static const fs_login_page_t page_csrf = {
    "Utloggingen ble avvist",
    "Utloggingen kom ikke fra denne siden. Bruk utloggingsknappen i portalen.",
    "Logout refused",
    "The logout request did not come from this site. Please use the logout button in the portal.",
    NULL, NULL, NULL, NULL};

static const fs_login_page_t page_logged_out = {
    "Logget ut", "Du er logget ut.", "Logged out", "You are logged out.", NULL, NULL, NULL, NULL};

static const char *form_html(request_rec *r, const char *token, const char *target)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const char *action = fst_html_escape(r->pool, apr_pstrcat(r->pool, c->handler_path, "logout", NULL));

    return apr_psprintf(r->pool,
                        "<form method=\"post\" action=\"%s\"><input type=\"hidden\" name=\"token\" value=\"%s\">%s"
                        "<button type=\"submit\">Logg ut / Log out</button></form>",
                        action, fst_html_escape(r->pool, token),
                        target ? apr_psprintf(r->pool, "<input type=\"hidden\" name=\"target\" value=\"%s\">",
                                              fst_html_escape(r->pool, target))
                               : "");
}

/* The post-logout URI to send to the OP: target when it is one of the configured ones, else the
 * first configured. NULL when target is given but not allowed. */
static const char *post_logout_uri(request_rec *r, const char *target)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const char **origins = apr_pcalloc(r->pool, sizeof(char *) * ((size_t)c->post_logout_uris->nelts + 1));
    fst_return_url_result_t rc;
    int i, n = 0;

    if (target == NULL)
        return fs_absolute_url(r, APR_ARRAY_IDX(c->post_logout_uris, 0, const char *));
    for (i = 0; i < c->post_logout_uris->nelts; i++) {
        const char *o = fst_url_origin(r->pool, APR_ARRAY_IDX(c->post_logout_uris, i, const char *));
        if (o != NULL)
            origins[n++] = o;
    }
    rc = fst_return_url_check(r->pool, target, fs_own_origin(r), origins);
    if (rc != FST_RETURN_URL_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0169) "logout target refused: %s",
                      fst_return_url_result_text(rc));
        return NULL;
    }
    for (i = 0; i < c->post_logout_uris->nelts; i++) {
        const char *allowed = fs_absolute_url(r, APR_ARRAY_IDX(c->post_logout_uris, i, const char *));
        if (strcmp(fs_absolute_url(r, target), allowed) == 0)
            return allowed;
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0170) "logout target refused: not one of "
                  "ForesattPostLogoutRedirectURI");
    return NULL;
}

static int redirect_see_other(request_rec *r, const char *url)
{
    fs_page_headers(r, NULL);
    apr_table_setn(r->headers_out, "Location", url);
    return HTTP_SEE_OTHER;
}

/* The ID token kept for this session, or NULL. */
static const char *id_token_hint(request_rec *r, const fst_session_t *s)
{
    const fs_session_conf_t *c = fs_session_conf(r->server);
    const char *cookie = fs_cookie_get(r, c->cookie_logout);
    fst_logout_hint_t hint;
    unsigned char *plain;
    size_t len;

    if (cookie == NULL ||
        fst_aead_open(c->aead, r->pool, c->aad_logout, cookie, strlen(cookie), &plain, &len, NULL) != FST_AEAD_OK ||
        !fst_logout_hint_decode(r->pool, plain, len, &hint) ||
        !fst_mem_equal(hint.session_id, s->id, sizeof(s->id)))
        return NULL;
    return hint.id_token;
}

static const char *csp_script_hash(request_rec *r)
{
    unsigned char digest[FST_SHA256_LEN], b64[64];

    fst_sha256(AUTO_SUBMIT, strlen(AUTO_SUBMIT), digest);
    EVP_EncodeBlock(b64, digest, sizeof(digest));
    return apr_psprintf(r->pool, "'sha256-%s'", (const char *)b64);
}

/* The page that posts the logout to the OP: that form and nothing else. form-action also covers the
 * redirects that follow the POST (browsers check each hop), so the OP sending the browser back to
 * the post-logout URI must be allowed too. */
static int post_to_op(request_rec *r, const char *endpoint, const char *id_token, const char *post_logout)
{
    const char *origin = fst_url_origin(r->pool, endpoint);
    const char *back = fst_url_origin(r->pool, post_logout);

    fs_security_headers(r,
                        apr_psprintf(r->pool, "default-src 'none'; script-src %s; form-action %s%s%s; "
                                     "base-uri 'none'; frame-ancestors 'none'", csp_script_hash(r),
                                     origin ? origin : "'none'", origin && back ? " " : "", origin && back ? back : ""),
                        0, "no-store");
    ap_set_content_type(r, "text/html; charset=utf-8");
    r->status = HTTP_OK;
    if (r->header_only)
        return OK;
    ap_rputs(apr_psprintf(r->pool,
                          "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\">"
                          "<title>Logger ut / Logging out</title></head>\n<body>\n"
                          "<form method=\"post\" action=\"%s\">"
                          "<input type=\"hidden\" name=\"id_token_hint\" value=\"%s\">"
                          "<input type=\"hidden\" name=\"post_logout_redirect_uri\" value=\"%s\">"
                          "<noscript><p>Logg ut av ID-porten / Log out of ID-porten "
                          "<button type=\"submit\">Fortsett / Continue</button></p></noscript></form>\n"
                          "<script>" AUTO_SUBMIT "</script>\n</body></html>\n",
                          fst_html_escape(r->pool, endpoint), fst_html_escape(r->pool, id_token),
                          fst_html_escape(r->pool, post_logout)),
             r);
    return OK;
}

/* The request's parameters and where the OP sends the browser afterwards; NULL with the refusal
 * page arranged in *rc. */
static apr_table_t *logout_request(request_rec *r, const char **post_logout, int *rc)
{
    int status = HTTP_BAD_REQUEST;
    apr_table_t *params = r->method_number == M_GET ? fs_query_params(r, r->args) : fs_form_params(r, &status);

    if (params == NULL || (*post_logout = post_logout_uri(r, apr_table_get(params, "target"))) == NULL) {
        *rc = fs_page_error(r, params ? HTTP_BAD_REQUEST : status, &fs_page_bad_request);
        return NULL;
    }
    return params;
}

int fs_handle_logout(request_rec *r)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const fs_session_conf_t *sc = fs_session_conf(r->server);
    const fst_session_t *s;
    apr_table_t *params;
    const char *post_logout, *token, *hint, *err = NULL;
    const fs_op_t *op;
    int rc;

    if (r->method_number != M_GET && r->method_number != M_POST)
        return fs_page_error(r, HTTP_METHOD_NOT_ALLOWED, &fs_page_bad_request);
    if ((params = logout_request(r, &post_logout, &rc)) == NULL)
        return rc;
    s = fs_session_current(r);
    if (s == NULL)
        return redirect_see_other(r, post_logout);
    if (r->method_number == M_GET) {
        /* A GET changes nothing: it offers the form. */
        fs_login_page_t *page = apr_pmemdup(r->pool, &page_confirm, sizeof(page_confirm));

        page->text_nb = apr_pstrcat(r->pool, page_confirm.text_nb, "</p>",
                                    form_html(r, fs_csrf_token(s), apr_table_get(params, "target")), "<p>", NULL);
        return fs_page_send(r, HTTP_OK, page);
    }
    token = apr_table_get(params, "token");
    if (token == NULL || !fst_str_equal(token, fs_csrf_token(s))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0171) "logout refused for %s: %s CSRF token",
                      s->pseudonym, token ? "wrong" : "no");
        return fs_page_error(r, HTTP_FORBIDDEN, &page_csrf);
    }

    hint = id_token_hint(r, s);
    fs_ended_add(r, s->id, s->expires + sc->clock_skew);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0172) "logout: %s", s->pseudonym);
    fs_session_drop(r);
    fs_cookie_set(r, sc->cookie_logout, "", apr_pstrcat(r->pool, c->handler_path, "logout", NULL), 0);

    op = fs_op_get(r, &err);
    if (op == NULL || op->discovery.end_session_endpoint == NULL || hint == NULL)
        return redirect_see_other(r, post_logout);
    return post_to_op(r, op->discovery.end_session_endpoint, hint, post_logout);
}

/* The OP's origins, for frame-ancestors. */
static const char *op_origins(request_rec *r, const fs_op_t *op)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const char *urls[3], *out = "";
    int i, j;

    urls[0] = op ? op->discovery.issuer : c->issuer;
    urls[1] = op ? op->discovery.authorization_endpoint : NULL;
    urls[2] = op ? op->discovery.end_session_endpoint : NULL;
    for (i = 0; i < 3; i++) {
        const char *o = urls[i] ? fst_url_origin(r->pool, urls[i]) : NULL;
        int seen = 0;
        if (o == NULL)
            continue;
        for (j = 0; j < i; j++)
            if (urls[j] && fst_url_origin(r->pool, urls[j]) && strcmp(fst_url_origin(r->pool, urls[j]), o) == 0)
                seen = 1;
        if (!seen)
            out = apr_pstrcat(r->pool, out, *out ? " " : "", o, NULL);
    }
    return *out ? out : "'none'";
}

int fs_handle_frontchannel_logout(request_rec *r)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const fs_session_conf_t *sc = fs_session_conf(r->server);
    apr_table_t *params;
    const char *iss, *sid, *err = NULL, *issuer;
    const fs_op_t *op;
    const fs_login_page_t *page = &page_logged_out;
    int status = HTTP_OK;

    if (r->method_number != M_GET)
        return fs_page_error(r, HTTP_METHOD_NOT_ALLOWED, &fs_page_bad_request);
    op = fs_op_get(r, &err);
    issuer = op ? op->discovery.issuer : c->issuer;
    params = fs_query_params(r, r->args);
    iss = params ? apr_table_get(params, "iss") : NULL;
    sid = params ? apr_table_get(params, "sid") : NULL;
    if (iss != NULL && sid != NULL && strcmp(iss, issuer) == 0 && *sid != '\0' && strlen(sid) <= 512) {
        unsigned char digest[FST_SHA256_LEN];
        const fst_session_t *s;

        fst_sha256_parts(digest, "op session", issuer, sid, NULL);
        fs_ended_add(r, digest, apr_time_sec(r->request_time) + sc->max_age + sc->clock_skew);
        s = fs_session_current(r);
        if (s != NULL && memcmp(s->sid_key, digest, sizeof(s->sid_key)) == 0)
            fs_session_drop(r);
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0173) "front-channel logout: the OP ended a session");
    }
    else {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0174) "front-channel logout ignored: iss must be the "
                      "OP's issuer and sid must be given");
        page = &fs_page_bad_request;
        status = HTTP_BAD_REQUEST;
    }
    fs_page_headers(r, op_origins(r, op));
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (!r->header_only)
        ap_rputs(fs_page_html(r, page), r);
    return OK;
}
