/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Where the browser goes after login and logout (lib/return_url.c). Invariants, checked against an
 * independent reading of the URL: an accepted URL is either a path that no browser reads as
 * another host (one leading '/', then no second '/', no '\', no control character, space or
 * non-ASCII byte anywhere), or an absolute http(s) URL whose authority has no userinfo and names
 * this site or an allowlisted origin; the origin function is idempotent.
 */
#include <ctype.h>

#include "fuzz_util.h"
#include "return_url.h"

#define OWN "https://portal.example"

static int clean(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f || *s == '\\')
            return 0;
    return 1;
}

/* The authority as a browser reads it for an http(s) URL that passed the character check,
 * lowercased, with the scheme's default port removed. NULL when there is none. */
static char *authority(apr_pool_t *pool, const char *url, int *https)
{
    const char *a;
    size_t n;
    char *out, *p;

    if (strncasecmp(url, "https://", 8) == 0) {
        *https = 1;
        a = url + 8;
    }
    else if (strncasecmp(url, "http://", 7) == 0) {
        *https = 0;
        a = url + 7;
    }
    else {
        return NULL;
    }
    n = strcspn(a, "/?#");
    out = apr_pstrmemdup(pool, a, n);
    for (p = out; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    p = strrchr(out, ':');
    if (p && strchr(p, ']') == NULL && strcmp(p + 1, *https ? "443" : "80") == 0)
        *p = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"https://other.example:8443", "http://127.0.0.1:8080", NULL};
    apr_pool_t *pool = fuzz_pool();
    char *url = fuzz_cstring(pool, data, size), *origin;
    fst_return_url_result_t rc = fst_return_url_check(pool, url, OWN, allowed);

    (void)fst_return_url_result_text(rc);
    if (rc == FST_RETURN_URL_OK) {
        FUZZ_ASSERT(*url != '\0' && strlen(url) <= FST_RETURN_URL_MAX && clean(url));
        if (url[0] == '/') {
            FUZZ_ASSERT(url[1] != '/');
        }
        else {
            int https = 0;
            char *auth = authority(pool, url, &https), *expect;
            FUZZ_ASSERT(auth != NULL && *auth != '\0' && strchr(auth, '@') == NULL);
            expect = apr_pstrcat(pool, https ? "https://" : "http://", auth, NULL);
            FUZZ_ASSERT(strcmp(expect, OWN) == 0 || strcmp(expect, allowed[0]) == 0 || strcmp(expect, allowed[1]) == 0);
        }
    }
    origin = fst_url_origin(pool, url);
    if (origin != NULL) {
        char *again = fst_url_origin(pool, origin);
        FUZZ_ASSERT(again != NULL && strcmp(again, origin) == 0);
        FUZZ_ASSERT(strchr(origin, '@') == NULL);
    }
    apr_pool_destroy(pool);
    return 0;
}
