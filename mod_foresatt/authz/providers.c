/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The authorization providers, registered the httpd way so RequireAll / RequireAny / RequireNone and
 * `Require not` combine them with any other:
 *
 *   Require foresatt-guardian              a guardian who may see at least one pupil
 *   Require foresatt-guardian-of <expr>    a guardian who may see this pupil (an ap_expr, parsed once
 *                                          at configuration time, e.g. %{env:MATCH_SID})
 *   Require foresatt-student               an enrolled pupil, logged in themselves
 *
 * Nobody logged in: AUTHZ_DENIED_NO_USER, so the login starts. Register or store unreachable:
 * AUTHZ_GENERAL_ERROR, shown as a 503 page (fail closed). Each line notes what it said about which
 * pupil; the request's outcome, allowed or refused by the whole of its Require lines, is what the
 * audit log records (outcome.c).
 */
#include <ap_expr.h>
#include <ap_provider.h>
#include <apr_strings.h>
#include <http_request.h>
#include <mod_auth.h>

#include "authz/authz.h"
#include "policy/access.h"
#include "store.h"

APLOG_USE_MODULE(foresatt);

#define USED_KEY "foresatt-authz-used"

fs_authz_request_t *fs_authz_request(request_rec *r)
{
    fs_request_t *kept = fs_request(r);
    fs_authz_request_t *q = kept->authz;
    const fs_request_t *from;

    if (q != NULL)
        return q;
    q = kept->authz = apr_pcalloc(r->pool, sizeof(*q));
    /* A subrequest or an internal redirect decides for the same person: it takes the identity and
     * the decision its parent (or the request it replaced) already has, nothing else. */
    from = r->main ? fs_request_kept(r->main) : r->prev ? fs_request_kept(r->prev) : NULL;
    if (from != NULL && from->authz != NULL && from->authz->decided && !from->authz->unavailable) {
        q->decided = 1;
        q->identity = from->authz->identity;
        q->decision = from->authz->decision;
    }
    return q;
}

fs_authz_request_t *fs_authz_request_kept(const request_rec *r)
{
    const fs_request_t *kept = fs_request_kept(r);

    return kept ? kept->authz : NULL;
}

/* The more telling refusal wins when several lines refuse on one request. */
static int page_rank(fs_page_t page)
{
    switch (page) {
    case FS_PAGE_UNAVAILABLE:
        return 9;
    case FS_PAGE_ADULT:
        return 8;
    case FS_PAGE_NOT_ENROLLED:
        return 7;
    case FS_PAGE_NOT_REGISTERED:
        return 6;
    case FS_PAGE_NO_PUPILS: /* before "not a pupil": a guardian refused at a page for guardians or pupils */
        return 5;
    case FS_PAGE_NOT_STUDENT:
        return 4;
    case FS_PAGE_LOW_ACR:
    case FS_PAGE_NO_NUMBER:
        return 3;
    case FS_PAGE_GENERIC:
        return 2;
    case FS_PAGE_NONE:
        break;
    }
    return 0;
}

static void refuse_with(fs_authz_request_t *q, fs_page_t page)
{
    if (page_rank(page) > page_rank(q->page))
        q->page = page;
}

/* Only clauses 2-4 may be told: the guardian holds responsibility for that pupil already. */
static fs_page_t page_for(int reason)
{
    switch (reason) {
    case FST_REASON_NOT_REGISTERED_BY_SCHOOL:
        return FS_PAGE_NOT_REGISTERED;
    case FST_REASON_STUDENT_NOT_ENROLLED:
        return FS_PAGE_NOT_ENROLLED;
    case FST_REASON_ADULT_WITHOUT_CONSENT:
        return FS_PAGE_ADULT;
    default:
        return FS_PAGE_GENERIC;
    }
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* What one line said about one pupil (or about none), audited with the request's outcome
 * (outcome.c): granted with reason NULL, or refused for reason; decision "error" when the line
 * could not decide. Each once per request. */
static void note(request_rec *r, fs_authz_request_t *q, foresatt_role_t role, const char *pupil_id, int granted,
                 const char *reason, const char *decision)
{
    fs_authz_line_t *l;

    for (l = q->lines; l; l = l->next)
        if (l->role == role && l->granted == granted && same_str(l->pupil_id, pupil_id) &&
            same_str(l->reason, reason) && same_str(l->decision, decision))
            return;
    l = apr_palloc(r->pool, sizeof(*l));
    l->role = role;
    l->pupil_id = pupil_id;
    l->granted = granted;
    l->reason = reason;
    l->decision = decision;
    l->next = q->lines;
    q->lines = l;
}

/* The identity and the decision for this request, once. NULL with *status set when there is none. */
static fs_authz_request_t *prepare(request_rec *r, authz_status *status)
{
    fs_authz_request_t *q = fs_authz_request(r);

    if (!q->decided) {
        q->decided = 1;
        q->identity = fs_identity_get(r);
        if (q->identity != NULL && q->identity->pid != NULL &&
            fs_authz_decision(r, q->identity, &q->decision, &q->retry_after) != FS_DECIDE_OK)
            q->unavailable = 1;
    }
    if (q->identity == NULL || q->identity->pid == NULL) {
        /* The session said why (FS0545) when the login was not strong enough. */
        if (q->identity == NULL && fs_identity_refusal(r, NULL) == FS_IDENTITY_REFUSED_LOW_ACR) {
            refuse_with(q, FS_PAGE_LOW_ACR);
            *status = AUTHZ_DENIED;
            return NULL;
        }
        ap_log_rerror(APLOG_MARK, APLOG_INFO, 0, r, FSLOGNO(0520)
                      "user %s is logged in, but without a fødselsnummer to decide on", r->user);
        refuse_with(q, FS_PAGE_NO_NUMBER);
        *status = AUTHZ_DENIED;
        return NULL;
    }
    if (q->unavailable) {
        refuse_with(q, FS_PAGE_UNAVAILABLE);
        *status = AUTHZ_GENERAL_ERROR;
        return NULL;
    }
    return q;
}

/* The reason a guardian with nobody to see is told: the one that got furthest through the rule. */
static int best_denied_reason(const fs_decision_t *d)
{
    int best = -1;
    const char *p = d->denied.p, *end = d->denied.p + d->denied.len;

    while (p < end) {
        const char *comma = memchr(p, ',', (apr_size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *colon = memchr(p, ':', (apr_size_t)(stop - p));
        if (colon && colon + 1 < stop) {
            int reason = colon[1] - '0';
            if (page_rank(page_for(reason)) > page_rank(page_for(best)))
                best = reason;
        }
        p = stop + 1;
    }
    return best;
}

static authz_status check_guardian(request_rec *r, const char *line, const void *parsed)
{
    authz_status status;
    fs_authz_request_t *q;
    const char *p, *end;
    int reason;

    (void)line;
    (void)parsed;
    if (r->user == NULL)
        return AUTHZ_DENIED_NO_USER;
    if ((q = prepare(r, &status)) == NULL)
        return status;
    if (q->decision->allowed.len > 0) {
        p = q->decision->allowed.p;
        end = p + q->decision->allowed.len;
        while (p < end) {
            const char *comma = memchr(p, ',', (apr_size_t)(end - p));
            const char *stop = comma ? comma : end;
            note(r, q, FORESATT_ROLE_GUARDIAN, apr_pstrmemdup(r->pool, p, (apr_size_t)(stop - p)), 1, NULL, NULL);
            p = stop + 1;
        }
        q->granted_guardian = 1;
        return AUTHZ_GRANTED;
    }
    reason = best_denied_reason(q->decision);
    refuse_with(q, page_for(reason) == FS_PAGE_GENERIC ? FS_PAGE_NO_PUPILS : page_for(reason));
    note(r, q, FORESATT_ROLE_GUARDIAN, NULL, 0,
         fst_reason_name(reason < 0 ? FST_REASON_NO_PARENTAL_RESPONSIBILITY : (fst_reason_t)reason), NULL);
    return AUTHZ_DENIED;
}

static authz_status check_guardian_of(request_rec *r, const char *line, const void *parsed)
{
    const ap_expr_info_t *expr = parsed;
    const char *err = NULL, *sid;
    authz_status status;
    fs_authz_request_t *q;
    int reason;

    (void)line;
    if (r->user == NULL)
        return AUTHZ_DENIED_NO_USER;
    sid = ap_expr_str_exec(r, expr, &err);
    if (err != NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0521)
                      "Require foresatt-guardian-of: cannot evaluate the pupil id expression: %s", err);
        return AUTHZ_GENERAL_ERROR;
    }
    if ((q = prepare(r, &status)) == NULL)
        return status;
    if (sid != NULL && *sid && fs_span_list_has(q->decision->allowed, sid)) {
        q->granted_guardian = 1;
        note(r, q, FORESATT_ROLE_GUARDIAN, sid, 1, NULL, NULL);
        return AUTHZ_GRANTED;
    }
    reason = sid && *sid ? fs_decision_denied_reason(q->decision, sid) : FST_REASON_UNKNOWN_STUDENT;
    if (reason < 0) {
        /* Not among this person's candidates: tell apart a pupil the school has from an unknown id,
         * for the audit log only (the page says the same either way). No register lookup. */
        foresatt_pupil_t *pupil;
        foresatt_status_t st;

        reason = FST_REASON_UNKNOWN_STUDENT;
        if (fs_pupil_id_ok(sid)) {
            switch (fst_store_pupil_by_id(fs_server_conf(r->server)->store, sid, r->pool, &pupil, &st)) {
            case FORESATT_OK:
                reason = FST_REASON_NO_PARENTAL_RESPONSIBILITY;
                break;
            case FORESATT_NOT_FOUND:
                break;
            default:
                ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, FSLOGNO(0522) "store: %.*s", (int)sizeof(st.message),
                              st.message);
                q->unavailable = 1;
                refuse_with(q, FS_PAGE_UNAVAILABLE);
                note(r, q, FORESATT_ROLE_GUARDIAN, sid, 0, "store_unavailable", "error");
                return AUTHZ_GENERAL_ERROR;
            }
        }
    }
    refuse_with(q, page_for(reason));
    note(r, q, FORESATT_ROLE_GUARDIAN, fs_pupil_id_ok(sid) ? sid : NULL, 0, fst_reason_name((fst_reason_t)reason),
         NULL);
    return AUTHZ_DENIED;
}

static authz_status check_student(request_rec *r, const char *line, const void *parsed)
{
    authz_status status;
    fs_authz_request_t *q;

    (void)line;
    (void)parsed;
    if (r->user == NULL)
        return AUTHZ_DENIED_NO_USER;
    if ((q = prepare(r, &status)) == NULL)
        return status;
    if (q->decision->student.len > 0) {
        q->granted_student = 1;
        note(r, q, FORESATT_ROLE_STUDENT, apr_pstrmemdup(r->pool, q->decision->student.p, q->decision->student.len),
             1, NULL, NULL);
        return AUTHZ_GRANTED;
    }
    refuse_with(q, FS_PAGE_NOT_STUDENT);
    note(r, q, FORESATT_ROLE_STUDENT, NULL, 0, "unknown_student", NULL);
    return AUTHZ_DENIED;
}

/* --- configuration time ------------------------------------------------------------------------ */

static void note_used(cmd_parms *cmd)
{
    apr_pool_userdata_setn((void *)1, USED_KEY, NULL, cmd->pool);
}

static const char *parse_guardian(cmd_parms *cmd, const char *line, const void **parsed)
{
    (void)parsed;
    if (line != NULL && *line != '\0')
        return apr_psprintf(cmd->pool, "Require foresatt-guardian takes no argument (got '%s'); for one pupil use "
                            "Require foresatt-guardian-of <pupil id expression>", line);
    note_used(cmd);
    return NULL;
}

static const char *parse_student(cmd_parms *cmd, const char *line, const void **parsed)
{
    (void)parsed;
    if (line != NULL && *line != '\0')
        return apr_psprintf(cmd->pool, "Require foresatt-student takes no argument (got '%s')", line);
    note_used(cmd);
    return NULL;
}

static const char *parse_guardian_of(cmd_parms *cmd, const char *line, const void **parsed)
{
    const char *err = NULL;
    ap_expr_info_t *expr;

    if (line == NULL || *line == '\0')
        return "Require foresatt-guardian-of: give the pupil id as an expression, "
               "e.g. Require foresatt-guardian-of %{env:MATCH_SID}";
    expr = ap_expr_parse_cmd(cmd, line, AP_EXPR_FLAG_STRING_RESULT, &err, NULL);
    if (err != NULL)
        return apr_psprintf(cmd->pool, "Require foresatt-guardian-of: cannot parse '%s': %s", line, err);
    *parsed = expr;
    note_used(cmd);
    return NULL;
}

static const authz_provider guardian_provider = {check_guardian, parse_guardian};
static const authz_provider guardian_of_provider = {check_guardian_of, parse_guardian_of};
static const authz_provider student_provider = {check_student, parse_student};

/* The providers need both plugins, and an external identity a pseudonym key that outlives a restart
 * when decisions are audited: say so at configtest rather than with 503s or new names later. */
static int check_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s)
{
    void *used = NULL;
    server_rec *sv;

    (void)plog;
    (void)ptemp;
    /* Every access decision is logged, or access is not given: a store that keeps no audit log
     * cannot serve a server that audits (whether its decisions come from the providers, the
     * self-service pages or the login). */
    for (sv = s; sv; sv = sv->next) {
        fs_server_conf_t *conf = fs_server_conf(sv);

        if (conf->store != NULL && conf->authz->audit != 0 && !FST_STORE_HAS(conf->store, audit_append)) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, sv, FSLOGNO(0549)
                         "ForesattStore %s (server %s): the plugin %s keeps no audit log (it has no audit_append), "
                         "while ForesattAudit is on: every access decision must be logged; use a store that keeps "
                         "one (store_sqlite, store_pgsql), or set ForesattAudit off",
                         conf->store->name, sv->server_hostname ? sv->server_hostname : "(main)",
                         conf->store->desc->name);
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    apr_pool_userdata_get(&used, USED_KEY, pconf);
    if (used == NULL)
        return OK;
    for (sv = s; sv; sv = sv->next) {
        fs_server_conf_t *conf = fs_server_conf(sv);
        const fs_session_conf_t *session = conf->session;

        if (conf->registry == NULL || conf->store == NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, sv, FSLOGNO(0523)
                         "Require foresatt-*: the server %s has no %s; declare the plugins with ForesattPlugin "
                         "and name them with ForesattRegistry and ForesattStore",
                         sv->server_hostname ? sv->server_hostname : "(main)",
                         conf->registry == NULL && conf->store == NULL ? "ForesattRegistry and no ForesattStore"
                         : conf->registry == NULL                      ? "ForesattRegistry"
                                                                       : "ForesattStore");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
        /* An external identity's pseudonym key comes from these; without either it is made at
         * every start, and the audit log would hold a new name for each person after each restart. */
        if ((session->identity_mode == FS_IDENTITY_MODE_ENV || session->identity_mode == FS_IDENTITY_MODE_HEADER) &&
            conf->authz->audit != 0 && session->pseudonym_secret == NULL && session->passphrase == NULL) {
            ap_log_error(APLOG_MARK, APLOG_EMERG, 0, sv, FSLOGNO(0546)
                         "ForesattIdentity (server %s) without ForesattPseudonymSecret, while ForesattAudit is on: "
                         "the audit log would name each person by a pseudonym that changes at every restart; set "
                         "ForesattPseudonymSecret to a long random secret and keep it, the same on every server "
                         "(openssl rand -base64 32), or turn ForesattAudit off",
                         sv->server_hostname ? sv->server_hostname : "(main)");
            return HTTP_INTERNAL_SERVER_ERROR;
        }
    }
    return OK;
}


void fs_authz_register_hooks(apr_pool_t *pool)
{
    ap_register_auth_provider(pool, AUTHZ_PROVIDER_GROUP, "foresatt-guardian", AUTHZ_PROVIDER_VERSION,
                              &guardian_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(pool, AUTHZ_PROVIDER_GROUP, "foresatt-guardian-of", AUTHZ_PROVIDER_VERSION,
                              &guardian_of_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_register_auth_provider(pool, AUTHZ_PROVIDER_GROUP, "foresatt-student", AUTHZ_PROVIDER_VERSION,
                              &student_provider, AP_AUTH_INTERNAL_PER_CONF);
    ap_hook_check_config(check_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_post_config(fs_authz_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    fs_authz_pages_register_hooks(pool);
    fs_authz_headers_register_hooks(pool);
    fs_authz_outcome_register_hooks(pool);
}
