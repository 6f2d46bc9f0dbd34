/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The request's outcome in the audit log. A provider only notes what its line said (providers.c):
 * whether the request is allowed is known once the whole of its Require lines answered (RequireAll,
 * RequireAny, RequireNone, `Require not`). So each noted line is audited with the outcome:
 *
 *   allowed  at fixups, the last of them, before a handler serves anything: "allow", with the
 *            line's own reason when the line refused and the combination let the request in. An
 *            entry that cannot be queued refuses the request (503): no data without its entry.
 *   refused  when the request ends (log_transaction), for each request of the chain (the internal
 *            redirects an error page or a handler made) not audited as allowed: "deny" with the
 *            line's reason, or refused_by_site_rules for a line that granted.
 *
 * Entries are coalesced (audit.c). A subrequest's allowed lines are audited unless its main request
 * noted the same (mod_dir's index page, an SSI include of the same pupil: one page, one entry); a
 * refused subrequest served nothing and is not audited.
 */
#include <string.h>

#include <http_protocol.h>
#include <http_request.h>

#include "authz/authz.h"

APLOG_USE_MODULE(foresatt);

static int same_str(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int same_line(const fs_authz_line_t *a, const fs_authz_line_t *b)
{
    return a->role == b->role && a->granted == b->granted && same_str(a->pupil_id, b->pupil_id) &&
           same_str(a->reason, b->reason) && same_str(a->decision, b->decision);
}

/* A main request (or one above it) noted this line: the page it serves already has the entry. */
static int noted_above(request_rec *r, const fs_authz_line_t *line)
{
    for (r = r->main; r != NULL; r = r->main) {
        const fs_authz_request_t *q = fs_authz_request_kept(r);
        const fs_authz_line_t *l;

        for (l = q ? q->lines : NULL; l; l = l->next)
            if (same_line(l, line))
                return 1;
    }
    return 0;
}

/* Every line of q with the request's outcome; -1 when an entry could not be queued. */
static int audit_lines(request_rec *r, fs_authz_request_t *q, int allowed)
{
    const char *actor = q->identity ? q->identity->pseudonym : NULL;
    const fs_authz_line_t *l;
    int failed = 0;

    q->audited = 1;
    for (l = q->lines; l; l = l->next) {
        const char *decision = l->decision ? l->decision : allowed ? "allow" : "deny";
        const char *reason = l->granted ? (allowed ? NULL : FS_AUDIT_REFUSED_BY_SITE) : l->reason;

        if (r->main != NULL && noted_above(r, l))
            continue;
        if (fs_audit_record(r, l->role, actor, l->pupil_id, "access", decision, reason, 1) != 0)
            failed = 1;
    }
    return failed ? -1 : 0;
}

/* Allowed: the whole authorization said yes, and every other fixup ran. */
static int audit_allowed(request_rec *r)
{
    fs_authz_request_t *q = fs_authz_request_kept(r);

    if (q == NULL || q->lines == NULL || q->audited)
        return DECLINED;
    if (audit_lines(r, q, 1) != 0) {
        /* Every access decision is logged, or access is not given: the 503 page (pages.c). */
        q->unavailable = 1;
        q->page = FS_PAGE_UNAVAILABLE;
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    return DECLINED;
}

/* The request ended: what was noted and never allowed was refused. */
static int audit_refused(request_rec *r)
{
    while (r->prev != NULL)
        r = r->prev;
    for (; r != NULL; r = r->next) {
        fs_authz_request_t *q = fs_authz_request_kept(r);

        if (q != NULL && q->lines != NULL && !q->audited)
            audit_lines(r, q, 0);
    }
    return DECLINED;
}

void fs_authz_outcome_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_fixups(audit_allowed, NULL, NULL, APR_HOOK_REALLY_LAST);
    ap_hook_log_transaction(audit_refused, NULL, NULL, APR_HOOK_MIDDLE);
}
