/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>

#include <apr_strings.h>

#include "discovery.h"
#include "json_guard.h"

#define URL_MAX 2048

int fst_url_is_secure(const char *url)
{
    static const char *const loopback[] = {"http://127.0.0.1", "http://localhost", "http://[::1]", NULL};
    size_t i;

    if (url == NULL || strlen(url) > URL_MAX)
        return 0;
    for (i = 0; url[i]; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
            return 0;
    if (strncasecmp(url, "https://", 8) == 0)
        return url[8] != '\0' && url[8] != '/';
    for (i = 0; loopback[i]; i++) {
        size_t n = strlen(loopback[i]);
        if (strncasecmp(url, loopback[i], n) == 0 && (url[n] == ':' || url[n] == '/' || url[n] == '\0'))
            return 1;
    }
    return 0;
}

/* "absent" passes: the OP need not advertise; when it does, value must be in the list. */
static int advertises(const json_t *doc, const char *member, const char *value)
{
    const json_t *list = json_object_get(doc, member), *item;
    size_t i;

    if (list == NULL)
        return 1;
    if (!json_is_array(list))
        return 0;
    json_array_foreach(list, i, item)
        if (json_is_string(item) && strcmp(json_string_value(item), value) == 0)
            return 1;
    return 0;
}

static const char *shown(apr_pool_t *pool, const char *s)
{
    /* Enough to recognise the value in a log line, bounded so a hostile document cannot flood it. */
    size_t i, n = strnlen(s, 80);
    char *out = apr_pstrmemdup(pool, s, n);

    for (i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
            out[i] = '?';
    return strlen(s) > 80 ? apr_pstrcat(pool, out, "...", NULL) : out;
}

fst_discovery_result_t fst_discovery_parse(apr_pool_t *pool, const char *text, size_t len, const char *expected_issuer,
                                           const char *token_auth_method, fst_discovery_t *out, const char **err)
{
    static const char *const required[] = {"authorization_endpoint", "token_endpoint", "jwks_uri", NULL};
    fst_discovery_result_t rc = FST_DISCOVERY_OK;
    const char *jerr = NULL, *issuer, *v;
    const json_t *flag;
    json_t *doc;
    size_t i;

    memset(out, 0, sizeof(*out));
    doc = fst_json_parse_object(text, len, FST_DISCOVERY_MAX_BYTES, FST_JSON_MAX_DEPTH, &jerr);
    if (doc == NULL) {
        *err = apr_psprintf(pool, "discovery document: %s", jerr);
        return FST_DISCOVERY_MALFORMED;
    }
    issuer = fst_json_string(doc, "issuer");
    if (issuer == NULL) {
        *err = "discovery document: no issuer";
        rc = FST_DISCOVERY_INCOMPLETE;
        goto end;
    }
    if (strcmp(issuer, expected_issuer) != 0) {
        *err = apr_psprintf(pool, "discovery document: issuer '%s' is not the configured issuer '%s'",
                            shown(pool, issuer), expected_issuer);
        rc = FST_DISCOVERY_ISSUER_MISMATCH;
        goto end;
    }
    for (i = 0; required[i]; i++) {
        v = fst_json_string(doc, required[i]);
        if (v == NULL || !fst_url_is_secure(v)) {
            *err = apr_psprintf(pool, "discovery document: %s is %s", required[i],
                                v ? "not an https URL" : "missing");
            rc = FST_DISCOVERY_INCOMPLETE;
            goto end;
        }
    }
    v = fst_json_string(doc, "end_session_endpoint");
    if (v != NULL && !fst_url_is_secure(v)) {
        *err = "discovery document: end_session_endpoint is not an https URL";
        rc = FST_DISCOVERY_INCOMPLETE;
        goto end;
    }
    v = fst_json_string(doc, "pushed_authorization_request_endpoint");
    if (json_object_get(doc, "pushed_authorization_request_endpoint") != NULL && (v == NULL || !fst_url_is_secure(v))) {
        *err = "discovery document: pushed_authorization_request_endpoint is not an https URL";
        rc = FST_DISCOVERY_INCOMPLETE;
        goto end;
    }
    if (json_is_true(json_object_get(doc, "require_pushed_authorization_requests")) && v == NULL) {
        *err = "discovery document: require_pushed_authorization_requests without a "
               "pushed_authorization_request_endpoint";
        rc = FST_DISCOVERY_INCOMPLETE;
        goto end;
    }
    if (!advertises(doc, "response_types_supported", "code") ||
        !advertises(doc, "code_challenge_methods_supported", "S256") ||
        !advertises(doc, "id_token_signing_alg_values_supported", "RS256") ||
        (token_auth_method && !advertises(doc, "token_endpoint_auth_methods_supported", token_auth_method))) {
        *err = apr_psprintf(pool, "discovery document: the OP does not offer response_type code, PKCE S256, "
                            "RS256 ID tokens and client authentication %s together",
                            token_auth_method ? token_auth_method : "(any)");
        rc = FST_DISCOVERY_UNSUPPORTED;
        goto end;
    }
    out->issuer = apr_pstrdup(pool, issuer);
    out->authorization_endpoint = apr_pstrdup(pool, fst_json_string(doc, "authorization_endpoint"));
    out->token_endpoint = apr_pstrdup(pool, fst_json_string(doc, "token_endpoint"));
    out->jwks_uri = apr_pstrdup(pool, fst_json_string(doc, "jwks_uri"));
    v = fst_json_string(doc, "end_session_endpoint");
    out->end_session_endpoint = v ? apr_pstrdup(pool, v) : NULL;
    flag = json_object_get(doc, "authorization_response_iss_parameter_supported");
    out->iss_parameter_supported = json_is_true(flag);
    v = fst_json_string(doc, "pushed_authorization_request_endpoint");
    out->par_endpoint = v ? apr_pstrdup(pool, v) : NULL;
    out->require_par = json_is_true(json_object_get(doc, "require_pushed_authorization_requests"));
end:
    json_decref(doc);
    return rc;
}
