/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>

#include "discovery.h"
#include "encoding.h"
#include "json_guard.h"
#include "par.h"

char *fst_par_request_body(apr_pool_t *pool, const fst_auth_request_t *req, fst_client_auth_t auth,
                           const char *client_secret, const char *client_assertion)
{
    return fst_client_auth_form(pool, fst_auth_request_params(pool, req), auth, client_secret, client_assertion);
}

/* A URI as RFC 9126 gives it (urn:ietf:params:oauth:request_uri:...): a scheme, then printable
 * ASCII without spaces, bounded. */
static int request_uri_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > FST_PAR_REQUEST_URI_MAX || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return strchr(s, ':') != NULL;
}

fst_par_result_t fst_par_response_parse(apr_pool_t *pool, int http_status, const char *body, size_t len,
                                        fst_par_response_t *out, const char **err)
{
    const char *jerr = NULL, *s;
    const json_t *exp;
    json_t *doc;
    fst_par_result_t rc = FST_PAR_MALFORMED;

    memset(out, 0, sizeof(*out));
    doc = fst_json_parse_object(body, len, FST_PAR_RESPONSE_MAX_BYTES, FST_JSON_MAX_DEPTH, &jerr);
    if (doc == NULL) {
        *err = apr_psprintf(pool, "PAR response (HTTP %d): %s", http_status, jerr);
        return FST_PAR_MALFORMED;
    }
    if (http_status != 201 && http_status != 200) {
        s = fst_json_string(doc, "error");
        if (s == NULL) {
            *err = apr_psprintf(pool, "the PAR endpoint answered HTTP %d without an OAuth error", http_status);
        }
        else {
            out->error = fst_printable(pool, s, 64);
            out->error_description = fst_printable(pool, fst_json_string(doc, "error_description"), 256);
            *err = apr_psprintf(pool, "the PAR endpoint answered HTTP %d, error %s", http_status, out->error);
            rc = FST_PAR_OP_ERROR;
        }
        goto end;
    }
    s = fst_json_string(doc, "request_uri");
    if (s == NULL || !request_uri_ok(s)) {
        *err = s == NULL ? "the PAR response has no request_uri" : "the PAR response's request_uri is not a URI";
        goto end;
    }
    exp = json_object_get(doc, "expires_in");
    if (!json_is_integer(exp) || json_integer_value(exp) < 1 || json_integer_value(exp) > FST_PAR_EXPIRES_MAX) {
        *err = apr_psprintf(pool, "the PAR response's expires_in is %s",
                            exp == NULL ? "missing" : "not a whole number of seconds from 1 to 3600");
        goto end;
    }
    out->request_uri = apr_pstrdup(pool, s);
    out->expires_in = (int64_t)json_integer_value(exp);
    rc = FST_PAR_OK;
end:
    json_decref(doc);
    return rc;
}

char *fst_par_authorize_url(apr_pool_t *pool, const char *authorization_endpoint, const char *client_id,
                            const char *request_uri)
{
    const char *sep = strchr(authorization_endpoint, '?') ? "&" : "?";

    return apr_pstrcat(pool, authorization_endpoint, sep, "client_id=", fst_url_encode(pool, client_id),
                       "&request_uri=", fst_url_encode(pool, request_uri), NULL);
}
