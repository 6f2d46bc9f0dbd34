/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Who a request comes from: the contract between the login (authentication) and the authorization
 * providers. The login fills it from the session cookie; with `ForesattIdentity` it comes from a
 * trusted upstream instead (mod_auth_openidc's OIDC_CLAIM_pid, or a header set by a trusted proxy).
 */
#ifndef FS_IDENTITY_H
#define FS_IDENTITY_H

#include <httpd.h>

typedef enum fs_identity_source {
    FS_IDENTITY_SESSION = 1, /* our own login and session cookie */
    FS_IDENTITY_EXTERNAL = 2 /* ForesattIdentity: another module or a trusted proxy logged the user in */
} fs_identity_source_t;

typedef struct fs_identity {
    fs_identity_source_t source;
    const char *pid;        /* fødselsnummer / D-nummer from the ID token. Never log it. */
    const char *pseudonym;  /* keyed hash of pid: what logs, the audit log and REMOTE_USER show */
    const char *sub;        /* ID-porten's pairwise subject; NULL for external identities */
    const char *acr;        /* level of assurance the login met */
    const char *name;       /* display name when known, else NULL */
    const char *session_id; /* our random session id; NULL for external identities */
    const char *sid;        /* the OP's session id, for front-channel logout; may be NULL */
    apr_time_t authenticated_at;
    apr_time_t expires_at;  /* the session's absolute end */
    const char *authz_state; /* opaque to the login: the authorization's cached decision, or NULL */
} fs_identity_t;

/* The identity of this request, or NULL when nobody is logged in. Computed once per request
 * (the cookie is decrypted at most once) and cached in the request's config vector. */
const fs_identity_t *fs_identity_get(request_rec *r);

/* Replace the authorization state carried with the session. For our own sessions the session
 * cookie is re-issued on this response; for external identities the caller keeps its own cache. */
void fs_identity_set_authz_state(request_rec *r, const char *state);

#endif
