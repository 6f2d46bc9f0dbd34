/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The redirect URI: the OP sends the browser back here with code, state and iss (or an error).
 * In order, each step refusing with a page (never a 500) and a log line that says why:
 *   1. the state cookie named by `state` must open, match and be young; it is consumed (deleted,
 *      and recorded as used in the shared table, so a replay fails on every child);
 *   2. an OP error (access_denied: the user cancelled) gets a page with a link to try again;
 *   3. iss (RFC 9207) must be the issuer, and present when the OP says it sends it;
 *   4. the code is exchanged with the PKCE verifier and the configured client authentication;
 *   5. the ID token's signature (RS256, keys from the JWKS only; one rate-limited refetch for an
 *      unknown kid) and every claim are checked;
 *   6. a new session (fresh random id: no fixation) is sealed into the session cookie, the ID token
 *      into the logout cookie (sent only to the logout handler), and the browser goes back to where
 *      it was.
 */
#include <string.h>

#include <apr_strings.h>
#include <http_protocol.h>

#include "encoding.h"
#include "hash.h"
#include "http/http.h"
#include "login/login.h"
#include "oidc/jws_verify.h"

APLOG_USE_MODULE(foresatt);

#define CODE_MAX 4096

static const fs_login_page_t page_cancelled = {
    "Innloggingen ble avbrutt",
    "Du avbr&oslash;t innloggingen i ID-porten, eller ID-porten avviste den.",
    "The login was cancelled",
    "You cancelled the login at ID-porten, or ID-porten refused it.",
    NULL, "Logg inn p&aring; nytt", "Log in again", NULL};

static const fs_login_page_t page_acr = {
    "For lavt sikkerhetsniv&aring;",
    "Du m&aring; logge inn med en elektronisk ID p&aring; sikkerhetsniv&aring; betydelig eller h&oslash;yt "
    "(for eksempel BankID, Buypass eller Commfides).",
    "Level of assurance too low",
    "You must log in with an electronic ID at level substantial or high (for example BankID, Buypass or "
    "Commfides).",
    NULL, "Logg inn p&aring; nytt", "Log in again", NULL};

static const fs_login_page_t page_no_pid = {
    "Mangler f&oslash;dselsnummer",
    "Innloggingen ga ikke et gyldig f&oslash;dselsnummer eller D-nummer, og det trengs for &aring; finne barna du "
    "er foresatt for. Logg inn med en annen elektronisk ID.",
    "No national identity number",
    "The login did not give a valid Norwegian national identity number or D number, which is needed to find the "
    "children you are a guardian of. Please log in with another electronic ID.",
    NULL, "Logg inn p&aring; nytt", "Log in again", NULL};

/* eIDAS and e-mail logins come without pid: the person may be a guardian, but the register cannot
 * say so without a Norwegian number, and the school can sort it out on paper. */
static const fs_login_page_t page_no_identity_number = {
    "Foresatt-tilgang krever f&oslash;dselsnummer eller D-nummer",
    "Du logget inn med en elektronisk ID som ikke gir et norsk f&oslash;dselsnummer eller D-nummer (for eksempel en "
    "europeisk eID eller innlogging med e-post). Tilgang for foresatte krever et slikt nummer, fordi det er "
    "Folkeregisteret som avgj&oslash;r hvem som er foresatt for en elev. Har du BankID, Buypass eller "
    "Commfides, kan du logge inn med den. Ellers: ta kontakt med skolen, s&aring; f&aring;r du informasjonen "
    "p&aring; annen m&aring;te.",
    "Guardian access needs a Norwegian identity number",
    "You logged in with an electronic ID that gives no Norwegian national identity number or D number (for "
    "example a European eID or a login with e-mail). Guardian access needs such a number, because the National "
    "Population Register decides who is a pupil's guardian. If you have BankID, Buypass or Commfides, you can log "
    "in with it. Otherwise, please contact the school, and they will give you the information another way.",
    NULL, "Logg inn p&aring; nytt", "Log in again", NULL};

static int oauth_error_code(const char *s)
{
    size_t i;

    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return 0;
    for (i = 0; s[i]; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
            return 0;
    return 1;
}

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return 0;
    return 1;
}

static int is_token(const char *s, size_t max)
{
    size_t i;

    for (i = 0; s[i]; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '_'))
            return 0;
    return i > 0 && i <= max;
}

/* A page with a link to log in again, back to where the user was going. */
static int page_with_retry(request_rec *r, int status, const fs_login_page_t *base, const char *return_url)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    fs_login_page_t *page = apr_pmemdup(r->pool, base, sizeof(*base));

    page->link_href = apr_pstrcat(r->pool, c->handler_path, "login?target=",
                                  fst_url_encode(r->pool, return_url ? return_url : "/"), NULL);
    if (page->link_nb == NULL) {
        page->link_nb = "Logg inn p&aring; nytt";
        page->link_en = "Log in again";
    }
    return fs_page_error(r, status, page);
}

/* The state cookie for this state, opened and checked; NULL with a reason in *why. */
static const fst_login_state_t *take_state(request_rec *r, const char *state, const char **why)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const fs_session_conf_t *sc = fs_session_conf(r->server);
    int64_t now = apr_time_sec(r->request_time);
    fst_login_state_t *st;
    const char *name, *cookie;
    unsigned char *plain;
    size_t len;

    if (state == NULL) {
        *why = "no state parameter";
        return NULL;
    }
    if (!is_token(state, 64)) {
        *why = "a malformed state parameter";
        return NULL;
    }
    name = apr_pstrcat(r->pool, sc->cookie_state_prefix, state, NULL);
    cookie = fs_cookie_get(r, name);
    if (cookie == NULL) {
        *why = "no state cookie for this state (unknown state, used already, or another browser)";
        return NULL;
    }
    /* Consumed whatever happens next. */
    fs_cookie_set(r, name, "", "/", 0);
    st = apr_pcalloc(r->pool, sizeof(*st));
    if (fst_aead_open(sc->aead, r->pool, sc->aad_state, cookie, strlen(cookie), &plain, &len, NULL) != FST_AEAD_OK ||
        !fst_login_state_decode(r->pool, plain, len, st)) {
        *why = "the state cookie does not open with this site's keys";
        return NULL;
    }
    if (!fst_str_equal(st->state, state)) {
        *why = "the state cookie belongs to another state";
        return NULL;
    }
    if (st->created + c->state_timeout < now || st->created > now + sc->clock_skew) {
        *why = "the login took longer than ForesattStateTimeout";
        return NULL;
    }
    return st;
}

static void state_key(const char *state, unsigned char key[FST_REVOCATION_KEY_LEN])
{
    unsigned char digest[32];

    fst_sha256_parts(digest, "login state", state, NULL);
    memcpy(key, digest, FST_REVOCATION_KEY_LEN);
}

/* Exchange the code. On success *id_token; else the status to answer with (page set). */
static int redeem_code(request_rec *r, const fs_op_t *op, const fst_login_state_t *st, const char *code,
                       const char **id_token)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    fst_token_request_t req;
    fst_token_response_t resp;
    const char *err = NULL, *basic = NULL;
    char *body;
    size_t len;
    int status;

    memset(&req, 0, sizeof(req));
    req.auth = c->client_auth;
    req.code = code;
    req.redirect_uri = fs_redirect_uri(r);
    req.code_verifier = st->code_verifier;
    req.client_id = c->client_id;
    if (req.auth == FST_CLIENT_SECRET_POST)
        req.client_secret = c->client_secret;
    else if (req.auth == FST_CLIENT_SECRET_BASIC)
        basic = fst_token_basic_auth(r->pool, c->client_id, c->client_secret);
    else {
        req.client_assertion = fst_client_assertion(r->pool, c->client_key, c->client_id, op->discovery.issuer,
                                                    apr_time_sec(r->request_time), &err);
        if (req.client_assertion == NULL) {
            ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0150) "private_key_jwt: %s", err);
            return page_with_retry(r, HTTP_INTERNAL_SERVER_ERROR, &fs_page_login_failed, st->return_url);
        }
    }
    if (fs_op_http(r, op->discovery.token_endpoint, fst_token_request_body(r->pool, &req), basic, &body, &len,
                   &status) != FS_OP_HTTP_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0151) "the token endpoint %s gave no answer: "
                      "unreachable, slower than ForesattOPTimeout, or over the HTTP client's 1 MB",
                      op->discovery.token_endpoint);
        return page_with_retry(r, HTTP_SERVICE_UNAVAILABLE, &fs_page_op_unavailable, st->return_url);
    }
    switch (fst_token_response_parse(r->pool, status, body, len, &resp, &err)) {
    case FST_TOKEN_OK:
        *id_token = resp.id_token;
        return OK;
    case FST_TOKEN_OP_ERROR: {
        fs_login_page_t *page = apr_pmemdup(r->pool, &fs_page_login_failed, sizeof(fs_login_page_t));

        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0152) "%s", err);
        page->detail = apr_psprintf(r->pool, "ID-porten: %s%s%s", resp.error,
                                    resp.error_description ? ": " : "",
                                    resp.error_description ? resp.error_description : "");
        return page_with_retry(r, HTTP_BAD_GATEWAY, page, st->return_url);
    }
    case FST_TOKEN_MALFORMED:
        break;
    }
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0153) "%s", err);
    return page_with_retry(r, HTTP_BAD_GATEWAY, &fs_page_login_failed, st->return_url);
}

/* Verify the ID token. On success *claims; else the status to answer with (page set). */
static int verify_id_token(request_rec *r, const fs_op_t *op, const fst_login_state_t *st, const char *id_token,
                           fst_id_token_claims_t *claims)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    fst_id_token_expect_t expect;
    fst_id_token_result_t rc;
    fst_jws_result_t jrc;
    const char *kid = NULL, *err = NULL;
    char *payload = NULL;
    size_t len = 0;

    jrc = fst_jws_verify(r->pool, id_token, op->jwks, &payload, &len, &kid);
    if (jrc == FST_JWS_UNKNOWN_KID) {
        const fs_op_t *fresh = fs_op_refetch_jwks(r, op, &err);
        if (fresh != NULL)
            jrc = fst_jws_verify(r->pool, id_token, fresh->jwks, &payload, &len, &kid);
    }
    if (jrc != FST_JWS_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0154) "ID token refused: %s (kid %s)",
                      fst_jws_result_text(jrc), kid ? fst_printable(r->pool, kid, 64) : "none");
        return page_with_retry(r, HTTP_FORBIDDEN, &fs_page_login_failed, st->return_url);
    }
    expect.issuer = op->discovery.issuer;
    expect.client_id = c->client_id;
    expect.nonce = st->nonce;
    expect.min_acr = fs_session_conf(r->server)->min_acr;
    expect.now = apr_time_sec(r->request_time);
    expect.skew = fs_session_conf(r->server)->clock_skew;
    rc = fst_id_token_check(r->pool, payload, len, &expect, claims, &err);
    if (rc == FST_ID_TOKEN_OK)
        return OK;
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0155) "ID token refused: %s", err);
    if (rc == FST_ID_TOKEN_ACR)
        return page_with_retry(r, HTTP_FORBIDDEN, &page_acr, st->return_url);
    if (rc == FST_ID_TOKEN_NO_PID) {
        /* By pseudonym, as every access decision: of the OP's subject, there being no number. */
        const char *who = fs_pseudonym(r, apr_pstrcat(r->pool, "sub:", claims->sub, NULL));

        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0189) "login refused for %s (%s): no national "
                      "identity number", who, claims->acr);
        fs_audit_note(r, who, "login", "deny", "no_identity_number");
        return page_with_retry(r, HTTP_FORBIDDEN, &page_no_identity_number, st->return_url);
    }
    if (rc == FST_ID_TOKEN_PID)
        return page_with_retry(r, HTTP_FORBIDDEN, &page_no_pid, st->return_url);
    return page_with_retry(r, HTTP_FORBIDDEN, &fs_page_login_failed, st->return_url);
}

static int start_session(request_rec *r, const fs_op_t *op, const fst_id_token_claims_t *claims,
                         const char *id_token)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const fs_session_conf_t *sc = fs_session_conf(r->server);
    int64_t now = apr_time_sec(r->request_time);
    fst_session_t s;
    fst_logout_hint_t hint;
    unsigned char *plain;
    const char *sealed;
    size_t len;

    memset(&s, 0, sizeof(s));
    if (!fst_random_bytes(s.id, sizeof(s.id)))
        return 0;
    if (claims->sid != NULL)
        fs_ended_op_session_key(op->discovery.issuer, claims->sid, s.sid_key);
    s.created = now;
    s.auth_time = claims->auth_time;
    s.expires = now + sc->max_age;
    fst_session_start_window(&s, now, sc->idle_timeout);
    s.pid = claims->pid;
    s.pseudonym = fs_pseudonym(r, claims->pid);
    s.sub = claims->sub;
    s.acr = claims->acr;
    s.sid = claims->sid;
    s.name = claims->name;
    s.authz_state = NULL;
    s.csrf_token = fst_random_token(r->pool, 16);
    if (s.csrf_token == NULL || !fs_session_send(r, &s))
        return 0;

    /* The ID token, for id_token_hint at logout; sent only to the logout handler. */
    memcpy(hint.session_id, s.id, sizeof(s.id));
    hint.expires = s.expires;
    hint.id_token = id_token;
    plain = fst_logout_hint_encode(r->pool, &hint, &len);
    sealed = plain ? fst_aead_seal(sc->aead, r->pool, sc->aad_logout, plain, len) : NULL;
    if (sealed == NULL ||
        fs_cookie_set(r, sc->cookie_logout, sealed, apr_pstrcat(r->pool, c->handler_path, "logout", NULL),
                      sc->max_age) == NULL)
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0156) "the ID token is too large to keep for logout; "
                      "logout will not name the session to ID-porten");
    ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0157) "login: %s (%s)", s.pseudonym, s.acr);
    return 1;
}

int fs_handle_callback(request_rec *r)
{
    const fs_login_conf_t *c = fs_login_conf(r->server);
    const fs_session_conf_t *sc = fs_session_conf(r->server);
    apr_table_t *params;
    const char *state, *code, *error, *iss, *why = NULL, *err = NULL, *id_token = NULL, *back;
    const fst_login_state_t *st;
    const fs_op_t *op;
    fst_id_token_claims_t claims;
    unsigned char key[FST_REVOCATION_KEY_LEN];
    int rc;

    if (r->method_number != M_GET)
        return fs_page_error(r, HTTP_METHOD_NOT_ALLOWED, &fs_page_bad_request);
    params = fs_query_params(r, r->args);
    /* The code must not reach the access log (%r, %q, %U%q): the request line keeps only the path. */
    r->the_request = apr_pstrcat(r->pool, r->method, " ", c->redirect_path, "?(removed) ", r->protocol, NULL);
    r->unparsed_uri = apr_pstrdup(r->pool, c->redirect_path);
    r->args = NULL;
    if (params == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0158) "callback refused: malformed query");
        return page_with_retry(r, HTTP_BAD_REQUEST, &fs_page_state_invalid, NULL);
    }
    state = apr_table_get(params, "state");
    code = apr_table_get(params, "code");
    error = apr_table_get(params, "error");
    iss = apr_table_get(params, "iss");
    st = take_state(r, state, &why);

    if (error != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0159) "the OP answered the login with error %s",
                      oauth_error_code(error) ? error : "(malformed)");
        if (st != NULL) {
            state_key(st->state, key);
            fs_ended_add(r, key, st->created + c->state_timeout + sc->clock_skew);
        }
        if (strcmp(error, "access_denied") == 0 || strcmp(error, "login_required") == 0 ||
            strcmp(error, "consent_required") == 0)
            return page_with_retry(r, HTTP_FORBIDDEN, &page_cancelled, st ? st->return_url : NULL);
        {
            fs_login_page_t *page = apr_pmemdup(r->pool, &fs_page_login_failed, sizeof(fs_login_page_t));
            /* Only a well-formed error code is shown; error_description never: it is request input. */
            page->detail = oauth_error_code(error) ? apr_pstrcat(r->pool, "ID-porten: ", error, NULL) : NULL;
            return page_with_retry(r, HTTP_BAD_GATEWAY, page, st ? st->return_url : NULL);
        }
    }
    if (st == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0160) "callback refused: %s", why);
        return page_with_retry(r, HTTP_BAD_REQUEST, &fs_page_state_invalid, NULL);
    }
    state_key(st->state, key);
    if (fs_ended_has(sc, key, apr_time_sec(r->request_time))) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0161) "callback refused: this login state was used "
                      "already");
        return page_with_retry(r, HTTP_BAD_REQUEST, &fs_page_state_invalid, st->return_url);
    }
    fs_ended_add(r, key, st->created + c->state_timeout + sc->clock_skew);

    op = fs_op_get(r, &err);
    if (op == NULL)
        return page_with_retry(r, HTTP_SERVICE_UNAVAILABLE, &fs_page_op_unavailable, st->return_url);
    if (iss != NULL ? strcmp(iss, op->discovery.issuer) != 0 : op->discovery.iss_parameter_supported) {
        ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, r, FSLOGNO(0162) "callback refused: the iss parameter is %s "
                      "(RFC 9207; expected %s)", iss ? "another issuer" : "missing", op->discovery.issuer);
        return page_with_retry(r, HTTP_BAD_REQUEST, &fs_page_login_failed, st->return_url);
    }
    if (code == NULL || *code == '\0' || strlen(code) > CODE_MAX || !printable(code)) {
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0163) "callback refused: %s code",
                      code ? "malformed" : "no");
        return page_with_retry(r, HTTP_BAD_REQUEST, &fs_page_login_failed, st->return_url);
    }
    if ((rc = redeem_code(r, op, st, code, &id_token)) != OK)
        return rc;
    if ((rc = verify_id_token(r, op, st, id_token, &claims)) != OK)
        return rc;

    /* No fixation: whatever session cookie the browser had is replaced by one with a new random id. */
    if (!start_session(r, op, &claims, id_token)) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0164) "the session could not be sealed");
        return page_with_retry(r, HTTP_INTERNAL_SERVER_ERROR, &fs_page_login_failed, st->return_url);
    }
    back = fs_return_url_checked(r, st->return_url);
    fs_page_headers(r, NULL);
    apr_table_setn(r->headers_out, "Location", back ? back : "/");
    return HTTP_MOVED_TEMPORARILY;
}
