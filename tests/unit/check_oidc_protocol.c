/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * PKCE, the authorization request (in the URL or pushed), the token request and response,
 * private_key_jwt.
 */
#include <string.h>
#include <unistd.h>

#include <apr_strings.h>
#include <jansson.h>

#include "encoding.h"
#include "jwt_helper.h"
#include "oidc/auth_request.h"
#include "oidc/client_assertion.h"
#include "oidc/jwks.h"
#include "oidc/jws_verify.h"
#include "oidc/par.h"
#include "oidc/pkce.h"
#include "oidc/token.h"

static test_key_t *client_key;
static void key_once(void);
#define UNIT_BEFORE_ALL key_once
#include "unit_main.h"

static void key_once(void)
{
    static apr_pool_t *keep;

    apr_initialize();
    apr_pool_create(&keep, NULL);
    client_key = test_key_new(keep, 2048, NULL);
}

START_TEST(pkce)
{
    char *v = fst_pkce_verifier(pool), *w = fst_pkce_verifier(pool);
    size_t i;

    /* RFC 7636 appendix B. */
    ck_assert_str_eq(fst_pkce_challenge(pool, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
                     "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    ck_assert_int_eq(strlen(v), 43);
    ck_assert_str_ne(v, w);
    for (i = 0; v[i]; i++)
        ck_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", v[i]) != NULL);
}
END_TEST

START_TEST(authorization_request)
{
    fst_auth_request_t req = {"https://login.test.idporten.no/authorize", "client 1", "https://rp/cb?x=1",
                              "openid profile", "st", "no", "ch", "idporten-loa-substantial", "nb", NULL};
    char *url = fst_auth_request_url(pool, &req);

    ck_assert_str_eq(url, "https://login.test.idporten.no/authorize?response_type=code&client_id=client%201"
                          "&redirect_uri=https%3A%2F%2Frp%2Fcb%3Fx%3D1&scope=openid%20profile&state=st&nonce=no"
                          "&code_challenge=ch&code_challenge_method=S256&acr_values=idporten-loa-substantial"
                          "&ui_locales=nb");
    req.authorization_endpoint = "https://op/authorize?tenant=a";
    req.prompt = "login";
    req.acr_values = NULL;
    req.ui_locales = NULL;
    url = fst_auth_request_url(pool, &req);
    ck_assert(strncmp(url, "https://op/authorize?tenant=a&response_type=code&", 49) == 0);
    ck_assert_ptr_nonnull(strstr(url, "&prompt=login"));
    ck_assert_ptr_null(strstr(url, "acr_values"));
    ck_assert_ptr_nonnull(strstr(url, "&code_challenge_method=S256"));
}
END_TEST

START_TEST(token_request)
{
    fst_token_request_t req = {FST_CLIENT_SECRET_BASIC, "c&d", "https://rp/cb", "ver", "cid", "s3cret", "jwt.jwt.sig"};
    char *body = fst_token_request_body(pool, &req);

    ck_assert_str_eq(body, "grant_type=authorization_code&code=c%26d&redirect_uri=https%3A%2F%2Frp%2Fcb"
                           "&code_verifier=ver&client_id=cid");
    req.auth = FST_CLIENT_SECRET_POST;
    ck_assert_ptr_nonnull(strstr(fst_token_request_body(pool, &req), "&client_id=cid&client_secret=s3cret"));
    req.auth = FST_PRIVATE_KEY_JWT;
    body = fst_token_request_body(pool, &req);
    ck_assert_ptr_nonnull(strstr(body, "&client_id=cid&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3A"
                                       "client-assertion-type%3Ajwt-bearer&client_assertion=jwt.jwt.sig"));
    ck_assert_ptr_null(strstr(body, "s3cret"));
    /* RFC 6749 2.3.1: form-encode before base64. "a:b" and "c d" -> "a%3Ab:c%20d" */
    ck_assert_str_eq(fst_token_basic_auth(pool, "a:b", "c d"), "Basic YSUzQWI6YyUyMGQ=");
    ck_assert_int_eq(fst_client_auth_parse("private_key_jwt"), FST_PRIVATE_KEY_JWT);
    ck_assert_int_eq(fst_client_auth_parse("client_secret_jwt"), FST_CLIENT_AUTH_UNKNOWN);
    ck_assert_int_eq(fst_client_auth_parse(NULL), FST_CLIENT_AUTH_UNKNOWN);
    ck_assert_str_eq(fst_client_auth_name(FST_CLIENT_SECRET_POST), "client_secret_post");
}
END_TEST

static fst_token_result_t parse(int status, const char *body, fst_token_response_t *r, const char **err)
{
    return fst_token_response_parse(pool, status, body, strlen(body), r, err);
}

START_TEST(token_response)
{
    fst_token_response_t r;
    const char *err = NULL;

    ck_assert_int_eq(parse(200, "{\"id_token\":\"a.b.c\",\"access_token\":\"x\",\"token_type\":\"Bearer\"}", &r, &err),
                     FST_TOKEN_OK);
    ck_assert_str_eq(r.id_token, "a.b.c");
    ck_assert_int_eq(parse(200, "{\"access_token\":\"x\"}", &r, &err), FST_TOKEN_MALFORMED);
    ck_assert_str_eq(err, "token response has no id_token");
    ck_assert_int_eq(parse(200, "{\"id_token\":\"\"}", &r, &err), FST_TOKEN_MALFORMED);
    ck_assert_int_eq(parse(200, "<html>", &r, &err), FST_TOKEN_MALFORMED);
    ck_assert_int_eq(parse(400, "{\"error\":\"invalid_grant\",\"error_description\":\"<b>\\u0007bad</b>\"}", &r, &err),
                     FST_TOKEN_OP_ERROR);
    ck_assert_str_eq(r.error, "invalid_grant");
    ck_assert_str_eq(r.error_description, "<b>?bad</b>"); /* printable only; pages escape it */
    ck_assert_str_eq(err, "token endpoint answered HTTP 400, error invalid_grant");
    ck_assert_int_eq(parse(500, "{\"message\":\"oops\"}", &r, &err), FST_TOKEN_MALFORMED);
    ck_assert_int_eq(parse(502, "Bad gateway", &r, &err), FST_TOKEN_MALFORMED);
    ck_assert_ptr_nonnull(strstr(err, "HTTP 502"));
    ck_assert_str_eq(fst_printable(pool, "abc\r\ndef", 5), "abc??");
    ck_assert_ptr_null(fst_printable(pool, NULL, 5));
}
END_TEST

START_TEST(client_key_loading)
{
    const char *err = NULL;
    char path[] = "/tmp/fs-unit-notkey-XXXXXX";
    int fd = mkstemp(path);
    test_key_t *weak;
    fst_client_key_t *key;

    ck_assert(write(fd, "hello\n", 6) == 6);
    close(fd);
    ck_assert_ptr_null(fst_client_key_load(pool, "/nonexistent/key.pem", NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "cannot open /nonexistent/key.pem"));
    ck_assert_ptr_null(fst_client_key_load(pool, path, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "holds no PEM private key"));
    unlink(path);
    weak = test_key_new(pool, 1024, NULL);
    ck_assert_ptr_null(fst_client_key_load(pool, weak->pem_path, NULL, &err));
    ck_assert_ptr_nonnull(strstr(err, "1024-bit RSA key"));
    unlink(weak->pem_path);
    key = fst_client_key_load(pool, client_key->pem_path, "my-kid", &err);
    ck_assert_ptr_nonnull(key);
    ck_assert_str_eq(fst_client_key_kid(key), "my-kid");
    key = fst_client_key_load(pool, client_key->pem_path, NULL, &err);
    ck_assert_int_eq(strlen(fst_client_key_kid(key)), 43); /* RFC 7638 thumbprint */
    ck_assert_ptr_nonnull(strstr(fst_client_key_public_jwk(pool, key), fst_client_key_kid(key)));
}
END_TEST

START_TEST(client_assertion)
{
    const char *err = NULL, *kid = NULL;
    fst_client_key_t *key = fst_client_key_load(pool, client_key->pem_path, "kid-1", &err);
    char *jwt = fst_client_assertion(pool, key, "client-1", "https://test.idporten.no", 1700000000, &err);
    char *jwt2 = fst_client_assertion(pool, key, "client-1", "https://test.idporten.no", 1700000000, &err);
    const char *jwks_text = apr_psprintf(pool, "{\"keys\":[%s]}", fst_client_key_public_jwk(pool, key));
    fst_jwks_t *jwks = NULL;
    char *payload = NULL;
    size_t len = 0;
    json_t *claims;

    ck_assert_ptr_nonnull(jwt);
    ck_assert_int_eq(fst_jwks_parse(pool, jwks_text, strlen(jwks_text), &jwks, &err), FST_JWKS_OK);
    ck_assert_int_eq(fst_jws_verify(pool, jwt, jwks, &payload, &len, &kid), FST_JWS_OK);
    ck_assert_str_eq(kid, "kid-1");
    claims = json_loads(payload, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(claims, "iss")), "client-1");
    ck_assert_str_eq(json_string_value(json_object_get(claims, "sub")), "client-1");
    ck_assert_str_eq(json_string_value(json_object_get(claims, "aud")), "https://test.idporten.no");
    ck_assert_int_eq(json_integer_value(json_object_get(claims, "iat")), 1700000000);
    ck_assert_int_eq(json_integer_value(json_object_get(claims, "exp")), 1700000000 + FST_CLIENT_ASSERTION_LIFETIME);
    ck_assert_int_ge(strlen(json_string_value(json_object_get(claims, "jti"))), 32);
    json_decref(claims);
    /* A fresh jti each time. */
    ck_assert_str_ne(jwt, jwt2);
}
END_TEST

static fst_par_result_t par_parse(int status, const char *body, fst_par_response_t *r, const char **err)
{
    return fst_par_response_parse(pool, status, body, strlen(body), r, err);
}

START_TEST(pushed_authorization_request)
{
    fst_auth_request_t req = {"https://login.test.idporten.no/authorize", "client 1", "https://rp/cb",
                              "openid", "st", "no", "ch", "idporten-loa-high", "nn", NULL};
    char *body;
    const char *url;

    /* Every parameter of the request, and the client authentication the token request would use. */
    body = fst_par_request_body(pool, &req, FST_CLIENT_SECRET_BASIC, "s3cret", NULL);
    ck_assert_str_eq(body, "response_type=code&client_id=client%201&redirect_uri=https%3A%2F%2Frp%2Fcb"
                           "&scope=openid&state=st&nonce=no&code_challenge=ch&code_challenge_method=S256"
                           "&acr_values=idporten-loa-high&ui_locales=nn");
    body = fst_par_request_body(pool, &req, FST_CLIENT_SECRET_POST, "s3cret", NULL);
    ck_assert_ptr_nonnull(strstr(body, "&ui_locales=nn&client_secret=s3cret"));
    body = fst_par_request_body(pool, &req, FST_PRIVATE_KEY_JWT, "s3cret", "a.b.c");
    ck_assert_ptr_nonnull(strstr(body, "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type"
                                       "%3Ajwt-bearer&client_assertion=a.b.c"));
    ck_assert_ptr_null(strstr(body, "s3cret"));
    /* The browser carries client_id and request_uri, nothing else. */
    url = fst_par_authorize_url(pool, req.authorization_endpoint, "client 1",
                                "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c");
    ck_assert_str_eq(url, "https://login.test.idporten.no/authorize?client_id=client%201&request_uri="
                          "urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3A6esc_11ACC5bwc014ltc14eY22c");
    ck_assert_str_eq(fst_par_authorize_url(pool, "https://op/a?t=1", "c", "urn:x"),
                     "https://op/a?t=1&client_id=c&request_uri=urn%3Ax");
}
END_TEST

START_TEST(pushed_authorization_response)
{
    fst_par_response_t r;
    const char *err = NULL;

    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:ietf:params:oauth:request_uri:abc\",\"expires_in\":60}",
                               &r, &err), FST_PAR_OK);
    ck_assert_str_eq(r.request_uri, "urn:ietf:params:oauth:request_uri:abc");
    ck_assert_int_eq(r.expires_in, 60);
    ck_assert_int_eq(par_parse(200, "{\"request_uri\":\"urn:x:y\",\"expires_in\":3600}", &r, &err), FST_PAR_OK);
    /* The OP's errors (RFC 9126 2.3), shown printable only. */
    ck_assert_int_eq(par_parse(401, "{\"error\":\"invalid_client\",\"error_description\":\"no\\u0007auth\"}", &r,
                               &err), FST_PAR_OP_ERROR);
    ck_assert_str_eq(r.error, "invalid_client");
    ck_assert_str_eq(r.error_description, "no?auth");
    ck_assert_str_eq(err, "the PAR endpoint answered HTTP 401, error invalid_client");
    ck_assert_int_eq(par_parse(400, "{\"error\":\"invalid_request\"}", &r, &err), FST_PAR_OP_ERROR);
    ck_assert_ptr_null(r.error_description);
    /* Everything else is malformed: no half-started login from it. */
    ck_assert_int_eq(par_parse(500, "{\"message\":\"oops\"}", &r, &err), FST_PAR_MALFORMED);
    ck_assert_str_eq(err, "the PAR endpoint answered HTTP 500 without an OAuth error");
    ck_assert_int_eq(par_parse(201, "<html>", &r, &err), FST_PAR_MALFORMED);
    ck_assert_int_eq(par_parse(201, "{\"expires_in\":60}", &r, &err), FST_PAR_MALFORMED);
    ck_assert_str_eq(err, "the PAR response has no request_uri");
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"no scheme\",\"expires_in\":60}", &r, &err),
                     FST_PAR_MALFORMED);
    ck_assert_str_eq(err, "the PAR response's request_uri is not a URI");
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:a\\nb\",\"expires_in\":60}", &r, &err),
                     FST_PAR_MALFORMED);
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"\",\"expires_in\":60}", &r, &err), FST_PAR_MALFORMED);
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:x\"}", &r, &err), FST_PAR_MALFORMED);
    ck_assert_str_eq(err, "the PAR response's expires_in is missing");
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:x\",\"expires_in\":0}", &r, &err), FST_PAR_MALFORMED);
    ck_assert_str_eq(err, "the PAR response's expires_in is not a whole number of seconds from 1 to 3600");
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:x\",\"expires_in\":-5}", &r, &err), FST_PAR_MALFORMED);
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:x\",\"expires_in\":3601}", &r, &err),
                     FST_PAR_MALFORMED);
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:x\",\"expires_in\":\"60\"}", &r, &err),
                     FST_PAR_MALFORMED);
    ck_assert_int_eq(par_parse(201, "{\"request_uri\":\"urn:x\",\"expires_in\":6.5}", &r, &err), FST_PAR_MALFORMED);
    ck_assert_ptr_null(r.request_uri);
}
END_TEST

UNIT_MAIN("oidc_protocol", pkce, authorization_request, pushed_authorization_request, pushed_authorization_response,
          token_request, token_response, client_key_loading, client_assertion)
