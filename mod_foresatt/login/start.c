/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Starting a login: a fresh state, nonce and PKCE verifier, sealed with the return URL into a
 * short-lived state cookie named after the state (so several tabs can log in at once), and a
 * redirect to the OP, with the request in the URL or pushed first (PAR: ForesattAuthorizationRequest
 * par, or whenever the OP requires it). The number of state cookies one browser holds is capped; the oldest go
 * first, so a page that keeps starting logins cannot grow the Cookie header without bound.
 */
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <http_protocol.h>

#include "encoding.h"
#include "http/http.h"
#include "login/login.h"
#include "oidc/auth_request.h"
#include "oidc/par.h"
#include "oidc/pkce.h"
#include "return_url.h"
#include "selfservice/lang.h"

APLOG_USE_MODULE(foresatt);

const char *fs_return_url_checked(request_rec *r, const char *url)
{
    fst_return_url_result_t rc = fst_return_url_check(r->pool, url, fs_own_origin(r), NULL);

    if (rc == FST_RETURN_URL_OK)
        return url;
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0140) "return URL refused: %s",
                  fst_return_url_result_text(rc));
    return NULL;
}

typedef struct in_flight {
    const char *name;
    int64_t created; /* 0: unreadable, goes first */
} in_flight_t;

static int oldest_first(const void *a, const void *b)
{
    const in_flight_t *x = a, *y = b;

    return x->created < y->created ? -1 : x->created > y->created;
}

/* Drop state cookies so that, with the one about to be set, at most state_max remain. */
static void cap_state_cookies(request_rec *r, const fs_login_conf_t *c, const fs_session_conf_t *sc)
{
    apr_array_header_t *values, *names = fs_cookies_with_prefix(r, sc->cookie_state_prefix, &values);
    in_flight_t *list;
    int i, drop;

    if (names->nelts < c->state_max)
        return;
    list = apr_pcalloc(r->pool, sizeof(*list) * (size_t)names->nelts);
    for (i = 0; i < names->nelts; i++) {
        const char *v = APR_ARRAY_IDX(values, i, const char *);
        unsigned char *plain;
        size_t len;
        fst_login_state_t st;

        list[i].name = APR_ARRAY_IDX(names, i, const char *);
        if (fst_aead_open(sc->aead, r->pool, sc->aad_state, v, strlen(v), &plain, &len, NULL) == FST_AEAD_OK &&
            fst_login_state_decode(r->pool, plain, len, &st))
            list[i].created = st.created;
    }
    qsort(list, (size_t)names->nelts, sizeof(*list), oldest_first);
    drop = names->nelts - c->state_max + 1;
    for (i = 0; i < drop; i++)
        fs_cookie_set(r, list[i].name, "", "/", 0);
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0141) "%d logins in flight in this browser: dropped the "
                  "%d oldest", names->nelts, drop);
}

const char *fs_ui_locales(request_rec *r, const char *lang)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const char *accept = apr_table_get(r->headers_in, "Accept-Language");
    const char *code;
    size_t n;

    if (lang == NULL && (accept == NULL || *accept == '\0'))
        return c->ui_locales;
    code = fst_lang_code(fst_lang_negotiate(lang, accept));
    n = strlen(code);
    if (strncmp(c->ui_locales, code, n) == 0 && (c->ui_locales[n] == '\0' || c->ui_locales[n] == ' '))
        return c->ui_locales;
    /* The page's language first, then the configured ones. */
    return apr_pstrcat(r->pool, code, " ", c->ui_locales, NULL);
}

/* RFC 9126: push the request with the client's authentication; *url is where the browser goes
 * (client_id and request_uri only). Returns OK, or the status of the page arranged. Nothing is set
 * for the browser before this succeeds, so a failure leaves no half-started login behind. */
static int push_request(request_rec *r, const fs_op_t *op, const fst_auth_request_t *req, const char **url)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const char *err = NULL, *basic = NULL, *secret = NULL, *assertion = NULL;
    fst_par_response_t resp;
    char *body;
    size_t len;
    int status;

    if (op->discovery.par_endpoint == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0182) "ForesattAuthorizationRequest par, but the OP's "
                      "discovery document has no pushed_authorization_request_endpoint");
        return fs_page_error(r, HTTP_BAD_GATEWAY, &fs_page_op_unavailable);
    }
    if (c->client_auth == FST_CLIENT_SECRET_BASIC)
        basic = fst_token_basic_auth(r->pool, c->client_id, c->client_secret);
    else if (c->client_auth == FST_CLIENT_SECRET_POST)
        secret = c->client_secret;
    else if ((assertion = fst_client_assertion(r->pool, c->client_key, c->client_id, op->discovery.issuer,
                                               apr_time_sec(r->request_time), &err)) == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0183) "private_key_jwt: %s", err);
        return fs_page_error(r, HTTP_INTERNAL_SERVER_ERROR, &fs_page_login_failed);
    }
    if (fs_op_http(r, op->discovery.par_endpoint,
                   fst_par_request_body(r->pool, req, c->client_auth, secret, assertion), basic, &body, &len,
                   &status) != FS_OP_HTTP_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0184) "the PAR endpoint %s gave no answer: unreachable, "
                      "slower than ForesattOPTimeout, or too large", op->discovery.par_endpoint);
        return fs_page_error(r, HTTP_SERVICE_UNAVAILABLE, &fs_page_op_unavailable);
    }
    switch (fst_par_response_parse(r->pool, status, body, len, &resp, &err)) {
    case FST_PAR_OK:
        *url = fst_par_authorize_url(r->pool, op->discovery.authorization_endpoint, c->client_id, resp.request_uri);
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FSLOGNO(0185) "authorization request pushed; the OP keeps it "
                      "%" APR_INT64_T_FMT " s", resp.expires_in);
        return OK;
    case FST_PAR_OP_ERROR: {
        fs_login_page_t *page = apr_pmemdup(r->pool, &fs_page_op_unavailable, sizeof(*page));

        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0186) "%s", err);
        page->detail = apr_psprintf(r->pool, "ID-porten: %s%s%s", resp.error, resp.error_description ? ": " : "",
                                    resp.error_description ? resp.error_description : "");
        return fs_page_error(r, HTTP_BAD_GATEWAY, page);
    }
    case FST_PAR_MALFORMED:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0187) "%s", err);
    return fs_page_error(r, HTTP_BAD_GATEWAY, &fs_page_op_unavailable);
}

int fs_login_start(request_rec *r, const char *return_url)
{
    return fs_login_start_lang(r, return_url, NULL);
}

int fs_login_start_lang(request_rec *r, const char *return_url, const char *lang)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const fs_session_conf_t *sc = fs_session_conf(r->server);
    const char *err = NULL, *sealed, *url = NULL, *state, *nonce, *verifier, *cookie;
    fst_auth_request_t req;
    fst_login_state_t st;
    const fs_op_t *op;
    unsigned char *plain;
    size_t len;
    int rc;

    op = fs_op_get(r, &err);
    if (op == NULL)
        return fs_page_error(r, HTTP_SERVICE_UNAVAILABLE, &fs_page_op_unavailable);
    state = fst_random_token(r->pool, 16);
    nonce = fst_random_token(r->pool, 16);
    verifier = fst_pkce_verifier(r->pool);
    if (state == NULL || nonce == NULL || verifier == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_CRIT, 0, r, FSLOGNO(0142) "the OS gave no random bytes");
        return HTTP_INTERNAL_SERVER_ERROR;
    }

    req.authorization_endpoint = op->discovery.authorization_endpoint;
    req.client_id = c->client_id;
    req.redirect_uri = fs_redirect_uri(r);
    req.scope = c->scope;
    req.state = state;
    req.nonce = nonce;
    req.code_challenge = fst_pkce_challenge(r->pool, verifier);
    req.acr_values = sc->acr_values;
    req.ui_locales = fs_ui_locales(r, lang);
    req.prompt = c->prompt;
    if (c->auth_request == FS_AUTH_REQUEST_PAR || op->discovery.require_par) {
        if ((rc = push_request(r, op, &req, &url)) != OK)
            return rc;
    }
    else {
        url = fst_auth_request_url(r->pool, &req);
    }

    st.state = state;
    st.nonce = nonce;
    st.code_verifier = verifier;
    st.return_url = return_url;
    st.created = apr_time_sec(r->request_time);
    plain = fst_login_state_encode(r->pool, &st, &len);
    sealed = plain ? fst_aead_seal(sc->aead, r->pool, sc->aad_state, plain, len) : NULL;
    if (sealed == NULL && plain != NULL)
        return HTTP_INTERNAL_SERVER_ERROR;
    cap_state_cookies(r, c, sc);
    cookie = apr_pstrcat(r->pool, sc->cookie_state_prefix, state, NULL);
    if (sealed == NULL || fs_cookie_set(r, cookie, sealed, "/", c->state_timeout) == NULL) {
        /* Only a very long return URL can do this: go home afterwards instead. */
        st.return_url = "/";
        plain = fst_login_state_encode(r->pool, &st, &len);
        sealed = plain ? fst_aead_seal(sc->aead, r->pool, sc->aad_state, plain, len) : NULL;
        if (sealed == NULL)
            return HTTP_INTERNAL_SERVER_ERROR;
        fs_cookie_set(r, cookie, sealed, "/", c->state_timeout);
    }

    fs_page_headers(r, NULL);
    apr_table_setn(r->headers_out, "Location", url);
    ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, FSLOGNO(0143) "login started, sent to the OP");
    return HTTP_MOVED_TEMPORARILY;
}

/* <handler>login?target=<url>: a login the portal asks for (e.g. a "Log in" link). */
int fs_handle_login(request_rec *r)
{
    apr_table_t *params = fs_query_params(r, r->args);
    const char *target;

    if (r->method_number != M_GET)
        return HTTP_METHOD_NOT_ALLOWED;
    if (params == NULL)
        return fs_page_error(r, HTTP_BAD_REQUEST, &fs_page_bad_request);
    target = apr_table_get(params, "target");
    if (target == NULL)
        target = "/";
    else if (fs_return_url_checked(r, target) == NULL)
        return fs_page_error(r, HTTP_BAD_REQUEST, &fs_page_bad_request);
    return fs_login_start_lang(r, target, apr_table_get(params, "lang"));
}
