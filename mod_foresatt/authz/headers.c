/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the portal behind the module receives on a request one of our providers allowed:
 *   X-Foresatt-Role      guardian | student
 *   X-Foresatt-Students  the pupil ids the person may see (a guardian), or their own (a pupil)
 *   X-Foresatt-Name      the display name from the register
 * and, only with ForesattPassNumbers on, X-Foresatt-Number (the person's own number) and
 * X-Foresatt-Student-Numbers (the allowed pupils' numbers). Names are configurable
 * (ForesattAuthzHeader); the client's copies of every one of them are removed (scrub.c).
 */
#include <apr_strings.h>
#include <http_request.h>

#include "authz/authz.h"
#include "http/http.h"

APLOG_USE_MODULE(foresatt);

static void set(request_rec *r, const char *name, fs_span_t value)
{
    if (name != NULL)
        apr_table_setn(r->headers_in, name, fs_header_clean(r->pool, apr_pstrmemdup(r->pool, value.p, value.len)));
}

static int fixups(request_rec *r)
{
    fs_authz_conf_t *conf;
    fs_authz_request_t *q;
    const fs_decision_t *d;
    void *v = NULL;
    fs_span_t role, number;

    apr_pool_userdata_get(&v, "foresatt-authz-request", r->pool);
    q = v;
    if (q == NULL)
        return DECLINED;
    /* The request was allowed: a refusal recorded on the way (RequireAny) is not its answer. */
    q->page = FS_PAGE_NONE;
    if (!(q->granted_guardian || q->granted_student) || q->decision == NULL)
        return DECLINED;
    conf = fs_authz_conf(r->server);
    d = q->decision;
    role.p = q->granted_guardian ? "guardian" : "student";
    role.len = strlen(role.p);
    set(r, conf->header_role, role);
    set(r, conf->header_students, q->granted_guardian ? d->allowed : d->student);
    if (d->name.len > 0)
        set(r, conf->header_name, d->name);
    if (conf->pass_numbers > 0) {
        number.p = q->identity->pid;
        number.len = strlen(number.p);
        set(r, conf->header_number, number);
        if (q->granted_guardian)
            set(r, conf->header_student_numbers, d->allowed_numbers);
    }
    /* Personal data: no shared cache may keep it. (A subrequest's headers are merged into its
     * parent's by mod_dir's fast redirect; set it once, on the request itself.) */
    if (r->main == NULL)
        apr_table_setn(r->headers_out, "Cache-Control", "no-store");
    return DECLINED;
}

void fs_authz_headers_register_scrub(apr_pool_t *pconf, const fs_authz_conf_t *conf)
{
    fs_scrub_register(pconf, "X-Foresatt-Role");
    fs_scrub_register(pconf, "X-Foresatt-Students");
    fs_scrub_register(pconf, "X-Foresatt-Name");
    fs_scrub_register(pconf, "X-Foresatt-Number");
    fs_scrub_register(pconf, "X-Foresatt-Student-Numbers");
    fs_scrub_register(pconf, conf->header_role);
    fs_scrub_register(pconf, conf->header_students);
    fs_scrub_register(pconf, conf->header_name);
    fs_scrub_register(pconf, conf->header_number);
    fs_scrub_register(pconf, conf->header_student_numbers);
}

void fs_authz_headers_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_fixups(fixups, NULL, NULL, APR_HOOK_REALLY_FIRST);
}
