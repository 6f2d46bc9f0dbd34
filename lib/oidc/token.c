/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_strings.h>
#include <openssl/evp.h>

#include "discovery.h"
#include "encoding.h"
#include "json_guard.h"
#include "token.h"

fst_client_auth_t fst_client_auth_parse(const char *name)
{
    if (name == NULL)
        return FST_CLIENT_AUTH_UNKNOWN;
    if (strcmp(name, "client_secret_basic") == 0)
        return FST_CLIENT_SECRET_BASIC;
    if (strcmp(name, "client_secret_post") == 0)
        return FST_CLIENT_SECRET_POST;
    if (strcmp(name, "private_key_jwt") == 0)
        return FST_PRIVATE_KEY_JWT;
    return FST_CLIENT_AUTH_UNKNOWN;
}

const char *fst_client_auth_name(fst_client_auth_t auth)
{
    switch (auth) {
    case FST_CLIENT_SECRET_BASIC:
        return "client_secret_basic";
    case FST_CLIENT_SECRET_POST:
        return "client_secret_post";
    case FST_PRIVATE_KEY_JWT:
        return "private_key_jwt";
    case FST_CLIENT_AUTH_UNKNOWN:
        break;
    }
    return "none";
}

static char *add(apr_pool_t *pool, char *body, const char *name, const char *value)
{
    return apr_pstrcat(pool, body, *body ? "&" : "", name, "=", fst_url_encode(pool, value), NULL);
}

char *fst_token_request_body(apr_pool_t *pool, const fst_token_request_t *req)
{
    char *body = "";

    body = add(pool, body, "grant_type", "authorization_code");
    body = add(pool, body, "code", req->code);
    body = add(pool, body, "redirect_uri", req->redirect_uri);
    body = add(pool, body, "code_verifier", req->code_verifier);
    body = add(pool, body, "client_id", req->client_id);
    return fst_client_auth_form(pool, body, req->auth, req->client_secret, req->client_assertion);
}

char *fst_client_auth_form(apr_pool_t *pool, const char *body, fst_client_auth_t auth, const char *client_secret,
                           const char *client_assertion)
{
    char *out = apr_pstrdup(pool, body);

    if (auth == FST_CLIENT_SECRET_POST)
        out = add(pool, out, "client_secret", client_secret);
    if (auth == FST_PRIVATE_KEY_JWT) {
        out = add(pool, out, "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        out = add(pool, out, "client_assertion", client_assertion);
    }
    return out;
}

char *fst_token_basic_auth(apr_pool_t *pool, const char *client_id, const char *client_secret)
{
    const char *plain = apr_pstrcat(pool, fst_url_encode(pool, client_id), ":", fst_url_encode(pool, client_secret),
                                    NULL);
    size_t len = strlen(plain);
    unsigned char *out = apr_palloc(pool, 4 * ((len + 2) / 3) + 1);

    EVP_EncodeBlock(out, (const unsigned char *)plain, (int)len);
    return apr_pstrcat(pool, "Basic ", (char *)out, NULL);
}

char *fst_printable(apr_pool_t *pool, const char *s, size_t max)
{
    size_t i, n;
    char *out;

    if (s == NULL)
        return NULL;
    n = strnlen(s, max);
    out = apr_pstrmemdup(pool, s, n);
    for (i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] >= 0x7f)
            out[i] = '?';
    return out;
}

fst_token_result_t fst_token_response_parse(apr_pool_t *pool, int http_status, const char *body, size_t len,
                                            fst_token_response_t *out, const char **err)
{
    const char *jerr = NULL, *s;
    json_t *doc;
    fst_token_result_t rc;

    memset(out, 0, sizeof(*out));
    doc = fst_json_parse_object(body, len, FST_TOKEN_RESPONSE_MAX_BYTES, FST_JSON_MAX_DEPTH, &jerr);
    if (doc == NULL) {
        *err = apr_psprintf(pool, "token response (HTTP %d): %s", http_status, jerr);
        return FST_TOKEN_MALFORMED;
    }
    if (http_status != 200) {
        s = fst_json_string(doc, "error");
        if (s == NULL) {
            *err = apr_psprintf(pool, "token endpoint answered HTTP %d without an OAuth error", http_status);
            rc = FST_TOKEN_MALFORMED;
        }
        else {
            out->error = fst_printable(pool, s, 64);
            out->error_description = fst_printable(pool, fst_json_string(doc, "error_description"), 256);
            *err = apr_psprintf(pool, "token endpoint answered HTTP %d, error %s", http_status, out->error);
            rc = FST_TOKEN_OP_ERROR;
        }
        json_decref(doc);
        return rc;
    }
    s = fst_json_string(doc, "id_token");
    if (s == NULL || *s == '\0') {
        *err = "token response has no id_token";
        json_decref(doc);
        return FST_TOKEN_MALFORMED;
    }
    out->id_token = apr_pstrdup(pool, s);
    json_decref(doc);
    return FST_TOKEN_OK;
}
