/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Logout.
 *
 * RP-initiated (<handler>logout): a POST with the session's CSRF token (the portal gets it as
 * X-Foresatt-Logout-Token / FORESATT_LOGOUT_TOKEN; a GET shows a page with that form, so a link
 * cannot log anyone out). The session id goes into the shared table of ended sessions, so the old
 * cookie is useless here even if it was copied; both cookies are deleted; then the browser takes
 * id_token_hint, client_id, a registered post_logout_redirect_uri and a state to the OP's
 * end_session_endpoint: a POST by default (no token in a URL), a redirect with ForesattEndSessionMethod
 * GET. A `target` must be one of ForesattPostLogoutRedirectURI: no open redirect.
 *
 * Front-channel (<handler>frontchannel-logout?iss=&sid=): the OP loads it in an iframe, where our
 * cookies are usually absent; so it ends every session of that OP session (sid) through the
 * shared table, and only when iss is our OP and sid is given. The page may be framed by the OP
 * (CSP frame-ancestors) and carries no X-Frame-Options.
 *
 * Back-channel (<handler>backchannel-logout, Back-Channel Logout 1.0): the OP POSTs a logout_token
 * from its server. It is verified as strictly as an ID token (alg allowlist and the OP's JWKS; iss,
 * aud, iat within the clock skew, a jti never seen before, the logout event, no nonce) and ends
 * every session of the OP session it names (sid) through the same shared table as front-channel
 * logout. 200 when done; 400 with an OAuth-style JSON error otherwise; never cached.
 */
#include <string.h>

#include <apr_strings.h>
#include <http_protocol.h>
#include <openssl/evp.h>

#include "encoding.h"
#include "hash.h"
#include "http/http.h"
#include "login/login.h"
#include "oidc/jws_verify.h"
#include "oidc/logout_token.h"
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

static const fs_login_page_t page_not_recorded = {
    "Utloggingen ble ikke fullf&oslash;rt",
    "Vi fikk ikke registrert utloggingen, s&aring; du er fortsatt logget inn. Pr&oslash;v igjen om litt.",
    "Logout not completed",
    "The logout could not be recorded, so you are still logged in. Please try again shortly.",
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
static int post_to_op(request_rec *r, const fst_end_session_request_t *req)
{
    const char *origin = fst_url_origin(r->pool, req->endpoint);
    const char *back = fst_url_origin(r->pool, req->post_logout_redirect_uri);
    fst_param_t params[FST_END_SESSION_PARAMS];
    const char *fields = "";
    int i, n = fst_end_session_params(req, params);

    fs_security_headers(r,
                        apr_psprintf(r->pool, "default-src 'none'; script-src %s; form-action %s%s%s; "
                                     "base-uri 'none'; frame-ancestors 'none'", csp_script_hash(r),
                                     origin ? origin : "'none'", origin && back ? " " : "", origin && back ? back : ""),
                        0, "no-store");
    ap_set_content_type(r, "text/html; charset=utf-8");
    r->status = HTTP_OK;
    if (r->header_only)
        return OK;
    for (i = 0; i < n; i++)
        fields = apr_pstrcat(r->pool, fields, "<input type=\"hidden\" name=\"", params[i].name, "\" value=\"",
                             fst_html_escape(r->pool, params[i].value), "\">", NULL);
    ap_rputs(apr_psprintf(r->pool,
                          "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\">"
                          "<title>Logger ut / Logging out</title></head>\n<body>\n"
                          "<form method=\"post\" action=\"%s\">%s"
                          "<noscript><p>Logg ut av ID-porten / Log out of ID-porten "
                          "<button type=\"submit\">Fortsett / Continue</button></p></noscript></form>\n"
                          "<script>" AUTO_SUBMIT "</script>\n</body></html>\n",
                          fst_html_escape(r->pool, req->endpoint), fields),
             r);
    return OK;
}

/* The ID token still names the session to the OP only while the OP can verify it: after a key
 * rotation that dropped its key, the OP would refuse the whole logout (and keep its single sign-on),
 * so it is left out and client_id alone says whose post-logout URIs apply. The JWKS is fetched
 * again first (as often as ForesattJWKSRefetchInterval allows), since a logout can come long after
 * the login. */
static const char *verifiable_hint(request_rec *r, const fs_op_t *op, const char *hint)
{
    const fs_op_t *fresh;
    const char *err = NULL, *kid = NULL;
    char *payload = NULL;
    size_t len = 0;
    fst_jws_result_t jrc;

    if (hint == NULL)
        return NULL;
    fresh = fs_op_refetch_jwks(r, op, &err);
    jrc = fst_jws_verify(r->pool, hint, (fresh ? fresh : op)->jwks, &payload, &len, &kid);
    if (jrc == FST_JWS_OK)
        return hint;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0181) "logout: the OP can no longer verify the ID token "
                  "(%s, kid %s): sending client_id instead of id_token_hint", fst_jws_result_text(jrc),
                  kid ? fst_printable(r->pool, kid, 64) : "none");
    return NULL;
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
    fst_end_session_request_t req;
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
    /* Unrecorded, a copy of the cookie would still work: say so, and keep the session to retry with. */
    if (fs_ended_add(r, s->id, s->expires + sc->clock_skew) != FS_ENDED_RECORDED) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0166) "logout of %s not recorded in the table of ended "
                      "sessions: the session stays valid and the user is told to try again", s->pseudonym);
        return fs_page_error(r, HTTP_SERVICE_UNAVAILABLE, &page_not_recorded);
    }
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0172) "logout: %s", s->pseudonym);
    fs_session_drop(r);
    fs_cookie_set(r, sc->cookie_logout, "", apr_pstrcat(r->pool, c->handler_path, "logout", NULL), 0);

    op = fs_op_get(r, &err);
    if (op == NULL || op->discovery.end_session_endpoint == NULL || hint == NULL)
        return redirect_see_other(r, post_logout);
    memset(&req, 0, sizeof(req));
    req.endpoint = op->discovery.end_session_endpoint;
    req.id_token_hint = verifiable_hint(r, op, hint);
    req.client_id = c->client_id;
    req.post_logout_redirect_uri = post_logout;
    req.state = fst_random_token(r->pool, 16);
    req.ui_locales = fs_ui_locales(r, NULL);
    if (c->end_session_method == FST_END_SESSION_GET)
        return redirect_see_other(r, fst_end_session_url(r->pool, &req));
    return post_to_op(r, &req);
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
        unsigned char digest[FST_REVOCATION_KEY_LEN];
        const fst_session_t *s;

        fs_ended_op_session(r, issuer, sid);
        fs_ended_op_session_key(issuer, sid, digest);
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

/* Back-Channel Logout 1.0 §2.8: 200, or 400 with an error object; never cached. */
static int backchannel_answer(request_rec *r, int status, const char *error, const char *description)
{
    fs_security_headers(r, "default-src 'none'; frame-ancestors 'none'", 0, "no-store");
    r->status = status;
    if (error == NULL) {
        ap_set_content_type(r, "text/plain; charset=utf-8");
        return OK;
    }
    ap_set_content_type(r, "application/json");
    if (!r->header_only)
        ap_rprintf(r, "{\"error\":\"%s\",\"error_description\":\"%s\"}\n", error, description);
    return OK;
}

int fs_handle_backchannel_logout(request_rec *r)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const fs_session_conf_t *sc = fs_session_conf(r->server);
    const char *token, *err = NULL, *kid = NULL;
    const fs_op_t *op;
    apr_table_t *params;
    fst_logout_token_expect_t expect;
    fst_logout_token_claims_t claims;
    fst_logout_token_result_t lrc;
    fst_jws_result_t jrc;
    unsigned char key[FST_SHA256_LEN];
    int64_t now = apr_time_sec(r->request_time);
    char *payload = NULL;
    size_t len = 0;
    int status = HTTP_BAD_REQUEST;

    if (r->method_number != M_POST) {
        apr_table_setn(r->err_headers_out, "Allow", "POST");
        return backchannel_answer(r, HTTP_METHOD_NOT_ALLOWED, "invalid_request", "the logout token is POSTed");
    }
    params = fs_form_params(r, &status);
    token = params ? apr_table_get(params, "logout_token") : NULL;
    if (token == NULL || *token == '\0' || strlen(token) > FST_LOGOUT_TOKEN_MAX_BYTES) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0175) "back-channel logout refused: no logout_token "
                      "form field");
        return backchannel_answer(r, HTTP_BAD_REQUEST, "invalid_request", "a logout_token form field is required");
    }
    op = fs_op_get(r, &err);
    if (op == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0176) "back-channel logout not done: %s", err);
        return backchannel_answer(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                                  "the OP's keys cannot be fetched now");
    }
    jrc = fst_jws_verify(r->pool, token, op->jwks, &payload, &len, &kid);
    if (jrc == FST_JWS_UNKNOWN_KID) {
        const fs_op_t *fresh = fs_op_refetch_jwks(r, op, &err);
        if (fresh != NULL)
            jrc = fst_jws_verify(r->pool, token, fresh->jwks, &payload, &len, &kid);
    }
    if (jrc != FST_JWS_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0177) "back-channel logout refused: %s (kid %s)",
                      fst_jws_result_text(jrc), kid ? fst_printable(r->pool, kid, 64) : "none");
        return backchannel_answer(r, HTTP_BAD_REQUEST, "invalid_request", "the logout token's signature is refused");
    }
    expect.issuer = op->discovery.issuer;
    expect.client_id = c->client_id;
    expect.now = now;
    expect.skew = sc->clock_skew;
    lrc = fst_logout_token_check(r->pool, payload, len, &expect, &claims, &err);
    if (lrc != FST_LOGOUT_TOKEN_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0177) "back-channel logout refused: %s", err);
        return backchannel_answer(r, HTTP_BAD_REQUEST, "invalid_request",
                                  apr_psprintf(r->pool, "the logout token's %s is refused",
                                               fst_logout_token_result_text(lrc)));
    }
    if (claims.sid == NULL) {
        /* Sessions are found by the OP's sid; ID-porten always sends it. */
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0178) "back-channel logout refused: no sid (a logout "
                      "by sub alone is not supported)");
        return backchannel_answer(r, HTTP_BAD_REQUEST, "invalid_request", "the logout token must name a sid");
    }
    /* jti: once. Kept as long as its iat can pass the clock-skew check. */
    fst_sha256_parts(key, "logout token jti", op->discovery.issuer, claims.jti, NULL);
    switch (fs_ended_add_once(r, key, claims.iat + 2 * (int64_t)sc->clock_skew + 1)) {
    case FS_ENDED_RECORDED:
        break;
    case FS_ENDED_ALREADY:
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0179) "back-channel logout refused: the logout "
                      "token's jti was used before (a replay)");
        return backchannel_answer(r, HTTP_BAD_REQUEST, "invalid_request", "the logout token was used before");
    case FS_ENDED_NO_TABLE:
    case FS_ENDED_LOCK_FAILED:
        return backchannel_answer(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                                  "the table of ended sessions is not available");
    }
    if (fs_ended_op_session(r, op->discovery.issuer, claims.sid) != FS_ENDED_RECORDED)
        return backchannel_answer(r, HTTP_SERVICE_UNAVAILABLE, "temporarily_unavailable",
                                  "the table of ended sessions is not available");
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0188) "back-channel logout: the OP ended a session");
    return backchannel_answer(r, HTTP_OK, NULL, NULL);
}
