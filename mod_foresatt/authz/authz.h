/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * authz/: authorization. The `Require foresatt-*` providers, the decision carried with the session,
 * what the portal receives, the pages a refused guardian sees and the audit trail.
 *
 *   config.c     directives and the configuration struct below
 *   providers.c  the providers (foresatt-guardian, foresatt-guardian-of, foresatt-student)
 *   decision.c   decide once per session interval; the state carried in the session
 *   headers.c    what the portal receives: who is logged in (any AuthType foresatt request), and
 *                the role, pupils and name on requests our providers allowed; no-store
 *   pages.c      the 403 and 503 pages, in bokmål and English
 *   outcome.c    the request's outcome into the audit log: allowed before anything is served,
 *                refused when the request ends
 *   audit.c      the per-child write-behind audit writers, entries coalesced per window
 */
#ifndef FS_AUTHZ_H
#define FS_AUTHZ_H

#include <apr_thread_mutex.h>

#include "core/core.h"
#include "policy/rule.h"
#include "session/identity.h"

#define FS_AUTHZ_RECHECK_DEFAULT apr_time_from_sec(300)
#define FS_AUTHZ_REVISION_CHECK_DEFAULT apr_time_from_sec(1)
#define FS_AUDIT_FLUSH_DEFAULT apr_time_from_sec(1)
#define FS_AUDIT_BUFFER_DEFAULT 4096
#define FS_AUDIT_WINDOW_DEFAULT 60 /* seconds */
#define FS_AUTHZ_MAX_PUPILS 32 /* allowed pupils, and refused ones, carried in one decision; more is a data error */

struct fs_authz_child;
struct fs_audit;

/* ForesattPassIdentity: the person's fields go to the backend as request headers, environment
 * variables, or both. */
#define FS_PASS_TO_HEADERS 1
#define FS_PASS_TO_ENV 2

/* The person's fields the backend is told, by index into pass_header / pass_env. The CSRF token
 * goes as Logout-Token: the name the portal knows it by (it guards the self-service forms too). */
typedef enum fs_pass_field {
    FS_PASS_USER,
    FS_PASS_ACR,
    FS_PASS_NAME,
    FS_PASS_NUMBER,
    FS_PASS_CSRF_TOKEN,
    FS_PASS_FIELDS
} fs_pass_field_t;

typedef struct fs_authz_conf {
    apr_interval_time_t recheck;        /* ForesattAuthzRecheck; -1 unset */
    apr_interval_time_t revision_check; /* ForesattAuthzRevisionCheck; -1 unset */
    int require_school_registration;    /* ForesattRequireSchoolRegistration; -1 unset */
    int pass_numbers;                   /* ForesattPassNumbers; -1 unset */
    const char *header_role;            /* ForesattAuthzHeader role NAME|off */
    const char *header_students;
    const char *header_name;
    const char *header_number;          /* only with ForesattPassNumbers on */
    const char *header_student_numbers; /* only with ForesattPassNumbers on */
    int audit;                          /* ForesattAudit; -1 unset */
    apr_interval_time_t audit_flush;    /* ForesattAuditFlushInterval; -1 unset */
    int audit_buffer;                   /* ForesattAuditBuffer; -1 unset */
    int audit_window;                   /* ForesattAuditWindow, seconds (0: every request); -1 unset */
    int pass_identity;                  /* ForesattPassIdentity: FS_PASS_TO_* bits; -1 unset */

    /* post_config: the names the person's fields go under, fixed once (not per request) */
    const char *pass_header[FS_PASS_FIELDS]; /* X-Foresatt-User, ... (under ForesattHeaderPrefix) */
    const char *pass_env[FS_PASS_FIELDS];    /* FORESATT_USER, ... */
    struct ap_filter_rec_t *no_store_filter; /* headers.c's output filter, looked up once */
    struct fs_authz_child *child;       /* per child process: set in child_init */
    struct fs_audit *audit_writer;      /* per child: this server's audit writer (NULL: off, or it did
                                         * not start: then nothing is served that needs an entry) */
} fs_authz_conf_t;

/* config.c */
void *fs_authz_create_server(apr_pool_t *pool);
void *fs_authz_merge_server(apr_pool_t *pool, void *base, void *add);
const char *fs_cmd_authz_recheck(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_authz_revision_check(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_require_school_registration(cmd_parms *cmd, void *dconf, int on);
const char *fs_cmd_pass_numbers(cmd_parms *cmd, void *dconf, int on);
const char *fs_cmd_authz_header(cmd_parms *cmd, void *dconf, const char *what, const char *name);
const char *fs_cmd_audit(cmd_parms *cmd, void *dconf, int on);
const char *fs_cmd_audit_flush(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_audit_buffer(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_audit_window(cmd_parms *cmd, void *dconf, const char *arg);
const char *fs_cmd_pass_identity(cmd_parms *cmd, void *dconf, const char *v);
int fs_authz_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void fs_authz_child_init(apr_pool_t *pchild, server_rec *s);
void fs_authz_register_hooks(apr_pool_t *pool);

static inline fs_authz_conf_t *fs_authz_conf(const server_rec *s)
{
    return fs_server_conf(s)->authz;
}

/* The decision for this request's person, as carried in the session (decision.c). Pointers
 * into the state string; nothing is allocated to read it. */
typedef struct fs_span {
    const char *p;
    apr_size_t len;
} fs_span_t;

typedef struct fs_decision {
    apr_time_t decided_at;
    int64_t revision;
    fs_span_t student;          /* the person's own pupil id when an enrolled pupil, else empty */
    fs_span_t name;             /* display name from the register */
    fs_span_t allowed;          /* comma-separated pupil ids the person may see as guardian */
    fs_span_t denied;           /* id:reason,... for the other candidates */
    fs_span_t allowed_numbers;  /* comma-separated numbers, parallel to allowed (ForesattPassNumbers) */
} fs_decision_t;

typedef enum fs_decide_result {
    FS_DECIDE_OK = 0,
    FS_DECIDE_UNAVAILABLE /* register or store failed: 503 */
} fs_decide_result_t;

/* The decision for the person, from the session when fresh, else computed and stored back.
 * retry_after is set (seconds) on FS_DECIDE_UNAVAILABLE. */
fs_decide_result_t fs_authz_decision(request_rec *r, const fs_identity_t *id, const fs_decision_t **out,
                                     unsigned *retry_after);

/* What one keep-alive connection keeps while its requests carry the same session cookie (session's
 * fs_session_kept): the cookie's decision decoded, and what the portal receives built from it. */
struct fs_authz_portal;
typedef struct fs_authz_kept {
    const fs_authz_conf_t *conf;  /* the server it was made for */
    apr_pool_t *pool;             /* lives as long as the cookie on this connection */
    const char *state;            /* the session's state string decision was decoded from */
    fs_decision_t decision;
    struct fs_authz_portal *portal[3][2]; /* headers.c: by the role granted (none, guardian, pupil)
                                           * and AuthType foresatt (no, yes) */
} fs_authz_kept_t;

/* This request's, when it has our session opened from the connection's remembered cookie; NULL
 * otherwise (build per request then). */
fs_authz_kept_t *fs_authz_kept(request_rec *r);

/* This child changed the store (a consent given or revoked): its next decision asks the store for
 * the revision at once, not after ForesattAuthzRevisionCheck. Other children notice within that. */
void fs_authz_store_changed(const server_rec *s);

/* Pupil ids travel in headers and in the state format: 1-64 letters, digits and . _ - only.
 * NULL is not one. */
int fs_pupil_id_ok(const char *id);

/* Non-zero when id is one of the comma-separated ids in list. */
int fs_span_list_has(fs_span_t list, const char *id);

/* The reason recorded for a denied candidate, or -1 when id is not among them. */
int fs_decision_denied_reason(const fs_decision_t *d, const char *id);

/* Encode / decode the session state (exposed for the unit tests of the format). */
const char *fs_decision_encode(apr_pool_t *pool, const fs_decision_t *d);
int fs_decision_decode(const char *state, fs_decision_t *d);

/* What the providers concluded on this request (providers.c), for pages and headers. */
typedef enum fs_page {
    FS_PAGE_NONE = 0,
    FS_PAGE_GENERIC,          /* nothing to say about this pupil */
    FS_PAGE_NO_PUPILS,        /* foresatt-guardian with nobody to see */
    FS_PAGE_NOT_REGISTERED,
    FS_PAGE_NOT_ENROLLED,
    FS_PAGE_ADULT,
    FS_PAGE_NOT_STUDENT,
    FS_PAGE_NO_NUMBER,        /* logged in, but the login carried no number */
    FS_PAGE_LOW_ACR,          /* logged in elsewhere below ForesattAcrValues */
    FS_PAGE_UNAVAILABLE       /* 503 */
} fs_page_t;

/* One line's answer about one pupil (or about nobody), audited with the request's outcome. */
typedef struct fs_authz_line {
    foresatt_role_t role;
    const char *pupil_id;  /* NULL: the line named no pupil (foresatt-guardian with nobody to see) */
    int granted;           /* the line granted */
    const char *reason;    /* why it refused; NULL when it granted */
    const char *decision;  /* "error" when the line could not decide; NULL: from the outcome */
    struct fs_authz_line *next;
} fs_authz_line_t;

/* What our providers concluded on one request, kept with it (fs_request_t.authz). */
typedef struct fs_authz_request {
    const fs_identity_t *identity;
    const fs_decision_t *decision;
    int decided;              /* decision looked up (or failed) on this request, or taken from its parent */
    int unavailable;
    unsigned retry_after;
    fs_page_t page;           /* the most telling refusal on this request */
    int granted_guardian;     /* a foresatt-guardian* line granted */
    int granted_student;
    fs_authz_line_t *lines;   /* what each line said, newest first */
    int audited;              /* the lines went to the audit log with the outcome */
} fs_authz_request_t;

/* This request's (made on first use; a subrequest's or internal redirect's starts with the identity
 * and decision of the request it came from), or the one kept, NULL when none. */
fs_authz_request_t *fs_authz_request(request_rec *r);
fs_authz_request_t *fs_authz_request_kept(const request_rec *r);

/* pages.c: the page for the refusal, installed from the insert_error_filter hook. */
void fs_authz_pages_register_hooks(apr_pool_t *pool);
const char *fs_authz_page_text(fs_page_t page);

/* headers.c */
void fs_authz_headers_register_hooks(apr_pool_t *pool);
/* post_config: every name a header of ours may have is never the client's; the person's fields'
 * names; the no-store filter. */
void fs_authz_headers_post_config(apr_pool_t *pconf, server_rec *s, fs_authz_conf_t *conf);

/* outcome.c */
void fs_authz_outcome_register_hooks(apr_pool_t *pool);

/* audit.c: one writer per store and audit settings in each child (virtual hosts that agree share it). */
typedef struct fs_audit fs_audit_t;
#define FS_AUDIT_REFUSED_BY_SITE "refused_by_site_rules" /* the line granted; the request was refused */
apr_status_t fs_audit_create(apr_pool_t *pchild, server_rec *s, fst_plugin_t *store, const fs_authz_conf_t *conf,
                             fs_audit_t **audit);
/* Queue an entry about this request (its path and time); coalesce: into its window's entry with
 * the requests of the same person, pupil, action, decision and reason (the self-service pages'
 * changes are entries of their own). Strings are copied (action at most 23 bytes). 0 when it is
 * queued, or this server does not audit (ForesattAudit off); -1 when it is not (no writer while
 * auditing is on, or the buffer stays full; logged): refuse what the entry was for. */
int fs_audit_record(request_rec *r, foresatt_role_t role, const char *actor, const char *pupil_id, const char *action,
                    const char *decision, const char *reason, int coalesce);

#endif
