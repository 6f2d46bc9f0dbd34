/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Authorization: the `Require foresatt-*` providers, the decision carried with the session, the
 * pages a refused guardian sees, the headers the portal receives and the audit trail.
 *
 *   authz/config.c     directives and the configuration struct below
 *   authz/providers.c  the providers (foresatt-guardian, foresatt-guardian-of, foresatt-student)
 *   authz/decision.c   decide once per session interval; the state carried in the session
 *   authz/pages.c      the 403 and 503 pages, in bokmål and English
 *   authz/headers.c    what the portal receives on allowed requests
 *   audit.c            the per-child write-behind audit buffer
 *   (scrub.c, the login's: client-sent identity headers removed on every request)
 *   session/external.c ForesattIdentity: the person from mod_auth_openidc or a trusted proxy
 */
#ifndef FS_AUTHZ_H
#define FS_AUTHZ_H

#include <apr_thread_mutex.h>

#include "core/core.h"
#include "session/identity.h"
#include "policy/rule.h"

#define FS_AUTHZ_RECHECK_DEFAULT apr_time_from_sec(300)
#define FS_AUTHZ_REVISION_CHECK_DEFAULT apr_time_from_sec(1)
#define FS_AUDIT_FLUSH_DEFAULT apr_time_from_sec(1)
#define FS_AUDIT_BUFFER_DEFAULT 4096
#define FS_AUTHZ_MAX_PUPILS 32 /* pupils carried in one decision; more is a data error */

struct fs_authz_child;
struct fs_audit;

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
    struct fs_authz_child *child;       /* per child process: set in child_init */
    /* ForesattIdentity (session/external.c) */
    int identity_mode;                  /* FS_IDENTITY_MODE_* */
    const char *identity_source;        /* the variable or header name */
    apr_array_header_t *trusted;        /* apr_ipsubnet_t *: proxies whose header is believed */
    const unsigned char *pseudonym_key; /* this server's key for external pseudonyms: set in post_config */
} fs_authz_conf_t;

#define FS_IDENTITY_MODE_UNSET 0
#define FS_IDENTITY_MODE_SESSION 1 /* our own login (default) */
#define FS_IDENTITY_MODE_ENV 2     /* an environment variable another module set at login */
#define FS_IDENTITY_MODE_HEADER 3  /* a header from a trusted proxy */

/* authz/config.c */
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
int fs_authz_post_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp, server_rec *s);
void fs_authz_child_init(apr_pool_t *pchild, server_rec *s);
void fs_authz_register_hooks(apr_pool_t *pool);

static inline fs_authz_conf_t *fs_authz_conf(const server_rec *s)
{
    return fs_server_conf(s)->authz;
}

/* The decision for this request's person, as carried in the session (authz/decision.c). Pointers
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

/* What the providers concluded on this request (authz/providers.c), for pages and headers. */
typedef enum fs_page {
    FS_PAGE_NONE = 0,
    FS_PAGE_GENERIC,          /* nothing to say about this pupil */
    FS_PAGE_NO_PUPILS,        /* foresatt-guardian with nobody to see */
    FS_PAGE_NOT_REGISTERED,
    FS_PAGE_NOT_ENROLLED,
    FS_PAGE_ADULT,
    FS_PAGE_NOT_STUDENT,
    FS_PAGE_NO_NUMBER,        /* logged in, but the login carried no number */
    FS_PAGE_UNAVAILABLE       /* 503 */
} fs_page_t;

typedef struct fs_authz_request {
    const fs_identity_t *identity;
    const fs_decision_t *decision;
    int decided;              /* decision looked up (or failed) on this request */
    int unavailable;
    unsigned retry_after;
    fs_page_t page;           /* the most telling refusal on this request */
    int granted_guardian;     /* a foresatt-guardian* line granted */
    int granted_student;
} fs_authz_request_t;

fs_authz_request_t *fs_authz_request(request_rec *r);

/* authz/pages.c: the page for the refusal, installed from the insert_error_filter hook. */
void fs_authz_pages_register_hooks(apr_pool_t *pool);
const char *fs_authz_page_text(fs_page_t page);

/* authz/headers.c */
void fs_authz_headers_register_hooks(apr_pool_t *pool);
void fs_authz_headers_register_scrub(apr_pool_t *pconf, const fs_authz_conf_t *conf);

/* audit.c */
typedef struct fs_audit fs_audit_t;
fs_audit_t *fs_authz_child_audit(const server_rec *s); /* NULL when auditing is off */
apr_status_t fs_audit_create(apr_pool_t *pchild, server_rec *s, fst_plugin_t *store, int capacity,
                             apr_interval_time_t flush, fs_audit_t **audit);
/* Queue one entry; copies every string. Fails (non-zero) only when the buffer stays full. */
int fs_audit_add(fs_audit_t *audit, request_rec *r, foresatt_role_t role, const char *actor, const char *pupil_id,
                 const char *decision, const char *reason);
/* The same for another action than "access" (the self-service pages: "contact_update", "consent_give", ...;
 * at most 23 bytes). The detail is the request's path, as for access. */
int fs_audit_event(fs_audit_t *audit, request_rec *r, foresatt_role_t role, const char *actor, const char *pupil_id,
                   const char *action, const char *decision, const char *reason);

/* session/external.c */
const char *fs_cmd_identity(cmd_parms *cmd, void *dconf, const char *args);
const fs_identity_t *fs_identity_external_get(request_rec *r);
void fs_identity_external_register_hooks(apr_pool_t *pool);
int fs_identity_external_post_config(apr_pool_t *pconf, server_rec *s);

#endif
