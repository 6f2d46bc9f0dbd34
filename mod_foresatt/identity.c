/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Who a request comes from (identity.h). Until the built-in login lands (issue 3) the only source
 * is ForesattIdentity (identity_external.c); the login adds the session source here.
 */
#include "authz.h"
#include "identity.h"

const fs_identity_t *fs_identity_get(request_rec *r)
{
    return fs_identity_external_get(r);
}

void fs_identity_set_authz_state(request_rec *r, const char *state)
{
    /* External identities keep their decisions in the authorization's per-child cache. */
    (void)r;
    (void)state;
}
