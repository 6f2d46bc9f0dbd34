/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "return_url.h"

static size_t scheme_length(const char *url)
{
    if (strncasecmp(url, "https://", 8) == 0)
        return 8;
    if (strncasecmp(url, "http://", 7) == 0)
        return 7;
    return 0;
}

/* The host[:port] part must be a plain hostname or IP literal with an optional numeric port. */
static int authority_ok(const char *a, size_t len)
{
    size_t i, colon = len;

    if (len == 0)
        return 0;
    if (a[0] == '[') { /* IPv6 literal */
        const char *end = memchr(a, ']', len);
        if (end == NULL)
            return 0;
        i = (size_t)(end - a) + 1;
        if (i < len && a[i] != ':')
            return 0;
        colon = i;
    }
    else {
        for (i = 0; i < len; i++) {
            unsigned char c = (unsigned char)a[i];
            if (c == ':') {
                colon = i;
                break;
            }
            if (!(apr_isalnum(c) || c == '-' || c == '.'))
                return 0;
        }
        if (colon == 0)
            return 0;
    }
    if (colon < len) {
        if (colon + 1 == len || len - colon - 1 > 5)
            return 0;
        for (i = colon + 1; i < len; i++)
            if (!apr_isdigit(a[i]))
                return 0;
    }
    return 1;
}

char *fst_url_origin(apr_pool_t *pool, const char *url)
{
    size_t sl, alen;
    const char *auth;
    char *origin, *p;
    int https;

    if (url == NULL || (sl = scheme_length(url)) == 0)
        return NULL;
    https = sl == 8;
    auth = url + sl;
    alen = strcspn(auth, "/?#");
    if (memchr(auth, '@', alen) != NULL || memchr(auth, '\\', alen) != NULL || !authority_ok(auth, alen))
        return NULL;
    origin = apr_pstrcat(pool, https ? "https://" : "http://", apr_pstrmemdup(pool, auth, alen), NULL);
    for (p = origin; *p; p++)
        *p = (char)apr_tolower(*p);
    /* Drop the scheme's default port so https://h:443 and https://h are one origin. */
    p = strrchr(origin + sl, ':');
    if (p != NULL && strchr(p, ']') == NULL && strcmp(p + 1, https ? "443" : "80") == 0)
        *p = '\0';
    return origin;
}

fst_return_url_result_t fst_return_url_check(apr_pool_t *pool, const char *url, const char *own_origin,
                                             const char *const *allowed)
{
    size_t len, i;
    char *origin;
    int ok = 0;

    if (url == NULL || *url == '\0')
        return FST_RETURN_URL_EMPTY;
    len = strlen(url);
    if (len > FST_RETURN_URL_MAX)
        return FST_RETURN_URL_TOO_LONG;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '\\')
            return FST_RETURN_URL_BAD_CHARACTER;
    }
    if (url[0] == '/')
        return url[1] == '/' ? FST_RETURN_URL_BAD_FORM : FST_RETURN_URL_OK;
    if (scheme_length(url) == 0)
        return FST_RETURN_URL_BAD_FORM;
    {
        const char *auth = url + scheme_length(url);
        size_t alen = strcspn(auth, "/?#");
        if (memchr(auth, '@', alen) != NULL)
            return FST_RETURN_URL_USERINFO;
    }
    origin = fst_url_origin(pool, url);
    if (origin == NULL)
        return FST_RETURN_URL_BAD_FORM;
    if (own_origin != NULL && strcmp(origin, own_origin) == 0)
        ok = 1;
    for (i = 0; !ok && allowed != NULL && allowed[i] != NULL; i++)
        ok = strcmp(origin, allowed[i]) == 0;
    return ok ? FST_RETURN_URL_OK : FST_RETURN_URL_OTHER_ORIGIN;
}

const char *fst_return_url_result_text(fst_return_url_result_t result)
{
    switch (result) {
    case FST_RETURN_URL_OK:
        return "ok";
    case FST_RETURN_URL_EMPTY:
        return "empty";
    case FST_RETURN_URL_TOO_LONG:
        return "longer than 2048 characters";
    case FST_RETURN_URL_BAD_CHARACTER:
        return "contains a control character, space, backslash or non-ASCII byte";
    case FST_RETURN_URL_BAD_FORM:
        return "neither a path nor an absolute http(s) URL";
    case FST_RETURN_URL_USERINFO:
        return "carries user information (user@host)";
    case FST_RETURN_URL_OTHER_ORIGIN:
        return "points to another origin";
    }
    return "invalid";
}
