/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Our cookies in and out. Reading walks every Cookie header (HTTP/2 may split them; httpd joins
 * repeated HTTP/1.1 ones with commas); a cookie longer than FS_COOKIE_MAX is ignored before any
 * decoding. Writing always sets HttpOnly, SameSite=Lax and the Path, and Secure when
 * ForesattCookieSecure is on (the names then carry the __Host- or __Secure- prefix, which browsers
 * enforce). Every Set-Cookie goes to err_headers_out so it travels with redirects and error pages
 * too.
 */
#include <string.h>

#include <apr_strings.h>

#include "session/identity.h"

typedef struct find_ctx {
    const char *name;
    size_t name_len;
    const char *prefix;
    size_t prefix_len;
    apr_pool_t *pool;
    const char *value; /* single lookup */
    apr_array_header_t *names, *values; /* prefix lookup */
} find_ctx_t;

static void each_pair(find_ctx_t *ctx, const char *header)
{
    const char *p = header;

    while (*p) {
        const char *name, *eq, *end, *value;
        size_t nlen, vlen;

        while (*p == ' ' || *p == '\t' || *p == ';' || *p == ',')
            p++;
        if (*p == '\0')
            break;
        name = p;
        /* ';' separates cookies; ',' too, where httpd joined repeated Cookie headers (no cookie
         * value may hold a comma, RFC 6265 4.1.1). */
        end = p + strcspn(p, ";,");
        eq = memchr(name, '=', (size_t)(end - name));
        p = end;
        if (eq == NULL)
            continue;
        nlen = (size_t)(eq - name);
        while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
            nlen--;
        value = eq + 1;
        vlen = (size_t)(end - value);
        while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
            vlen--;
        if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
            value++;
            vlen -= 2;
        }
        if (vlen > FS_COOKIE_MAX)
            continue;
        if (ctx->name != NULL) {
            if (nlen == ctx->name_len && memcmp(name, ctx->name, nlen) == 0 && ctx->value == NULL)
                ctx->value = apr_pstrmemdup(ctx->pool, value, vlen);
        }
        else if (nlen > ctx->prefix_len && memcmp(name, ctx->prefix, ctx->prefix_len) == 0) {
            APR_ARRAY_PUSH(ctx->names, const char *) = apr_pstrmemdup(ctx->pool, name, nlen);
            APR_ARRAY_PUSH(ctx->values, const char *) = apr_pstrmemdup(ctx->pool, value, vlen);
        }
    }
}

static int each_header(void *data, const char *key, const char *value)
{
    (void)key;
    each_pair(data, value);
    return 1;
}

const char *fs_cookie_get(request_rec *r, const char *name)
{
    find_ctx_t ctx;

    memset(&ctx, 0, sizeof(ctx));
    ctx.name = name;
    ctx.name_len = strlen(name);
    ctx.pool = r->pool;
    apr_table_do(each_header, &ctx, r->headers_in, "Cookie", NULL);
    return ctx.value;
}

apr_array_header_t *fs_cookies_with_prefix(request_rec *r, const char *prefix, apr_array_header_t **values)
{
    find_ctx_t ctx;

    memset(&ctx, 0, sizeof(ctx));
    ctx.prefix = prefix;
    ctx.prefix_len = strlen(prefix);
    ctx.pool = r->pool;
    ctx.names = apr_array_make(r->pool, 4, sizeof(const char *));
    ctx.values = apr_array_make(r->pool, 4, sizeof(const char *));
    apr_table_do(each_header, &ctx, r->headers_in, "Cookie", NULL);
    *values = ctx.values;
    return ctx.names;
}

const char *fs_cookie_set(request_rec *r, const char *name, const char *value, const char *path, long max_age)
{
    const fs_session_conf_t *c = fs_session_conf(r->server);
    const char *line;

    if (max_age == 0)
        line = apr_psprintf(r->pool, "%s=; Path=%s; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; "
                            "SameSite=Lax%s", name, path, c->cookie_secure ? "; Secure" : "");
    else if (max_age < 0)
        line = apr_psprintf(r->pool, "%s=%s; Path=%s; HttpOnly; SameSite=Lax%s", name, value, path,
                            c->cookie_secure ? "; Secure" : "");
    else
        line = apr_psprintf(r->pool, "%s=%s; Path=%s; Max-Age=%ld; HttpOnly; SameSite=Lax%s", name, value, path,
                            max_age, c->cookie_secure ? "; Secure" : "");
    if (strlen(line) > FS_COOKIE_MAX)
        return NULL;
    apr_table_addn(r->err_headers_out, "Set-Cookie", line);
    return line;
}

typedef struct unset_ctx {
    const char *line;
    apr_array_header_t *keep;
    int found;
} unset_ctx_t;

static int collect(void *data, const char *key, const char *value)
{
    unset_ctx_t *ctx = data;

    (void)key;
    if (!ctx->found && value == ctx->line)
        ctx->found = 1;
    else
        APR_ARRAY_PUSH(ctx->keep, const char *) = value;
    return 1;
}

void fs_cookie_unset_line(request_rec *r, const char *line)
{
    unset_ctx_t ctx;
    int i;

    if (line == NULL)
        return;
    ctx.line = line;
    ctx.keep = apr_array_make(r->pool, 4, sizeof(const char *));
    ctx.found = 0;
    apr_table_do(collect, &ctx, r->err_headers_out, "Set-Cookie", NULL);
    if (!ctx.found)
        return;
    apr_table_unset(r->err_headers_out, "Set-Cookie");
    for (i = 0; i < ctx.keep->nelts; i++)
        apr_table_addn(r->err_headers_out, "Set-Cookie", APR_ARRAY_IDX(ctx.keep, i, const char *));
}
