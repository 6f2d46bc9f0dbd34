/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The page template engine (template.h): a tree of nodes parsed once, rendered into a growing
 * buffer from the request's pool.
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "encoding.h"
#include "selfservice/template.h"

#define MAX_DEPTH 16 /* sections inside sections */
#define MAX_NAME 64

typedef enum node_kind { N_TEXT, N_VAR, N_HTML, N_SECTION, N_INVERTED } node_kind_t;

typedef struct node {
    node_kind_t kind;
    const char *text; /* N_TEXT: the text; others: the name */
    size_t len;
    apr_array_header_t *children; /* struct node, for sections */
} node_t;

struct fst_tpl {
    const char *name;
    apr_array_header_t *nodes;
};

typedef enum value_kind { V_TEXT, V_FLAG, V_LIST, V_HTML } value_kind_t;

typedef struct value {
    value_kind_t kind;
    const char *text;
    int on;
    apr_array_header_t *items; /* fst_tvars_t * */
} value_t;

struct fst_tvars {
    apr_pool_t *pool;
    const fst_tvars_t *parent;
    apr_hash_t *values;
};

/* --- UTF-8 ------------------------------------------------------------------------------------ */

static int control(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n') || c == 0x7f;
}

const char *fst_utf8_clean(apr_pool_t *pool, const char *s)
{
    size_t n, i, k;
    char *out, *o;

    if (s == NULL)
        return NULL;
    n = strlen(s);
    for (i = 0; i < n; i += k) {
        k = fst_utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0 || (k == 1 && control((unsigned char)s[i])))
            break;
    }
    if (i == n)
        return s;
    out = o = apr_palloc(pool, n * 3 + 1);
    for (i = 0; i < n; i += k) {
        k = fst_utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0 || (k == 1 && control((unsigned char)s[i]))) {
            memcpy(o, "\xef\xbf\xbd", 3);
            o += 3;
            k = 1;
        }
        else {
            memcpy(o, s + i, k);
            o += k;
        }
    }
    *o = '\0';
    return out;
}

/* --- parsing ---------------------------------------------------------------------------------- */

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

typedef struct parser {
    apr_pool_t *pool;
    const char *name;
    const char *start, *p, *end;
    const char *err;
} parser_t;

static int line_of(const parser_t *ps, const char *at)
{
    int line = 1;
    const char *q;

    for (q = ps->start; q < at; q++)
        if (*q == '\n')
            line++;
    return line;
}

static int fail(parser_t *ps, const char *at, const char *what)
{
    ps->err = apr_psprintf(ps->pool, "%s:%d: %s", ps->name, line_of(ps, at), what);
    return 0;
}

static node_t *push(apr_array_header_t *nodes, node_kind_t kind, const char *text, size_t len)
{
    node_t *n = apr_array_push(nodes);

    n->kind = kind;
    n->text = text;
    n->len = len;
    n->children = NULL;
    return n;
}

/* A section or comment tag alone on its line (only blanks around it) takes the whole line with it,
 * so the templates can be laid out readably without blank lines in the pages. */
static void standalone(const parser_t *ps, const char *open, const char *end, const char **text_end,
                       const char **after)
{
    const char *line = open, *q;

    while (line > ps->p && (line[-1] == ' ' || line[-1] == '\t'))
        line--;
    if (line != ps->start && line[-1] != '\n')
        return;
    if (line < ps->p)
        return;
    for (q = end; q < ps->end && (*q == ' ' || *q == '\t' || *q == '\r'); q++)
        ;
    if (q < ps->end && *q != '\n')
        return;
    *text_end = line;
    *after = q < ps->end ? q + 1 : q;
}

/* Parse until {{/closing}} (closing NULL: until the end). */
static int parse_nodes(parser_t *ps, apr_array_header_t *nodes, const char *closing, const char *opened, int depth)
{
    while (ps->p < ps->end) {
        const char *open = NULL, *q, *tag, *close, *nm, *text_end, *after;
        size_t nlen;
        char sigil;

        for (q = ps->p; q + 1 < ps->end; q++)
            if (q[0] == '{' && q[1] == '{') {
                open = q;
                break;
            }
        if (open == NULL) {
            push(nodes, N_TEXT, ps->p, (size_t)(ps->end - ps->p));
            ps->p = ps->end;
            break;
        }
        tag = open + 2;
        close = NULL;
        for (q = tag; q + 1 < ps->end; q++)
            if (q[0] == '}' && q[1] == '}') {
                close = q;
                break;
            }
        if (close == NULL) {
            if (open > ps->p)
                push(nodes, N_TEXT, ps->p, (size_t)(open - ps->p));
            return fail(ps, open, "'{{' without '}}'");
        }
        sigil = *tag;
        text_end = open;
        after = close + 2;
        if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!')
            standalone(ps, open, close + 2, &text_end, &after);
        if (text_end > ps->p)
            push(nodes, N_TEXT, ps->p, (size_t)(text_end - ps->p));
        ps->p = after;
        if (sigil == '!')
            continue;
        nm = (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>') ? tag + 1 : tag;
        while (nm < close && *nm == ' ')
            nm++;
        for (nlen = 0; nm + nlen < close && name_char(nm[nlen]); nlen++)
            ;
        for (q = nm + nlen; q < close && *q == ' '; q++)
            ;
        if (nlen == 0 || q != close)
            return fail(ps, open, "a tag is {{name}}, {{#name}}, {{^name}}, {{/name}}, {{>name}} or {{! comment}}, "
                                  "with a name of a-z, 0-9, '_', '.', '-'");
        if (nlen > MAX_NAME)
            return fail(ps, open, "name too long");
        switch (sigil) {
        case '#':
        case '^': {
            node_t *n;
            const char *inner = apr_pstrmemdup(ps->pool, nm, nlen);
            if (depth >= MAX_DEPTH)
                return fail(ps, open, "sections nested too deep");
            n = push(nodes, sigil == '#' ? N_SECTION : N_INVERTED, inner, nlen);
            n->children = apr_array_make(ps->pool, 8, sizeof(node_t));
            if (!parse_nodes(ps, n->children, inner, open, depth + 1))
                return 0;
            break;
        }
        case '/':
            if (closing == NULL || strlen(closing) != nlen || memcmp(closing, nm, nlen) != 0)
                return fail(ps, open, apr_psprintf(ps->pool, "{{/%.*s}} closes no open section%s%s", (int)nlen, nm,
                                                   closing ? "; open: " : "", closing ? closing : ""));
            return 1;
        case '>':
            push(nodes, N_HTML, apr_pstrmemdup(ps->pool, nm, nlen), nlen);
            break;
        default:
            push(nodes, N_VAR, apr_pstrmemdup(ps->pool, nm, nlen), nlen);
        }
    }
    if (closing != NULL)
        return fail(ps, opened, apr_psprintf(ps->pool, "section {{#%s}} is not closed", closing));
    return 1;
}

fst_tpl_t *fst_tpl_parse(apr_pool_t *pool, const char *name, const char *text, size_t len, const char **err)
{
    fst_tpl_t *t = apr_pcalloc(pool, sizeof(*t));
    parser_t ps;
    char *copy;

    name = name ? name : "template";
    if (!fst_utf8_valid(text, len)) {
        *err = apr_psprintf(pool, "%s: not UTF-8 text", name);
        return NULL;
    }
    if (memchr(text, '\0', len) != NULL) {
        *err = apr_psprintf(pool, "%s: contains a NUL byte", name);
        return NULL;
    }
    copy = apr_pstrmemdup(pool, text, len);
    memset(&ps, 0, sizeof(ps));
    ps.pool = pool;
    ps.name = name;
    ps.start = ps.p = copy;
    ps.end = copy + len;
    t->name = apr_pstrdup(pool, name);
    t->nodes = apr_array_make(pool, 16, sizeof(node_t));
    if (!parse_nodes(&ps, t->nodes, NULL, NULL, 0)) {
        *err = ps.err;
        return NULL;
    }
    return t;
}

static const char *unknown_in(const apr_array_header_t *nodes, const char *const *allowed)
{
    int i;

    for (i = 0; i < nodes->nelts; i++) {
        const node_t *n = &APR_ARRAY_IDX(nodes, i, node_t);
        const char *const *a;
        const char *bad;

        if (n->kind == N_TEXT)
            continue;
        for (a = allowed; *a && strcmp(*a, n->text) != 0; a++)
            ;
        if (*a == NULL)
            return n->text;
        if (n->children && (bad = unknown_in(n->children, allowed)) != NULL)
            return bad;
    }
    return NULL;
}

const char *fst_tpl_unknown_name(const fst_tpl_t *tpl, const char *const *allowed)
{
    return unknown_in(tpl->nodes, allowed);
}

const char *fst_tpl_name(const fst_tpl_t *tpl)
{
    return tpl->name;
}

/* --- values ----------------------------------------------------------------------------------- */

fst_tvars_t *fst_tvars_make(apr_pool_t *pool)
{
    fst_tvars_t *v = apr_palloc(pool, sizeof(*v));

    v->pool = pool;
    v->parent = NULL;
    v->values = apr_hash_make(pool);
    return v;
}

static value_t *slot(fst_tvars_t *v, const char *name, value_kind_t kind)
{
    value_t *val = apr_hash_get(v->values, name, APR_HASH_KEY_STRING);

    if (val == NULL || val->kind != kind) {
        val = apr_pcalloc(v->pool, sizeof(*val));
        val->kind = kind;
        apr_hash_set(v->values, name, APR_HASH_KEY_STRING, val);
    }
    return val;
}

void fst_tvars_set(fst_tvars_t *v, const char *name, const char *value)
{
    if (value == NULL)
        apr_hash_set(v->values, name, APR_HASH_KEY_STRING, NULL);
    else
        slot(v, name, V_TEXT)->text = value;
}

void fst_tvars_flag(fst_tvars_t *v, const char *name, int on)
{
    slot(v, name, V_FLAG)->on = on != 0;
}

fst_tvars_t *fst_tvars_item(fst_tvars_t *v, const char *name)
{
    value_t *val = slot(v, name, V_LIST);
    fst_tvars_t *item = fst_tvars_make(v->pool);

    if (val->items == NULL)
        val->items = apr_array_make(v->pool, 4, sizeof(fst_tvars_t *));
    item->parent = v;
    APR_ARRAY_PUSH(val->items, fst_tvars_t *) = item;
    return item;
}

void fst_tvars_html(fst_tvars_t *v, const char *name, const char *html)
{
    slot(v, name, V_HTML)->text = html;
}

static const value_t *lookup(const fst_tvars_t *v, const char *name)
{
    for (; v; v = v->parent) {
        const value_t *val = apr_hash_get(v->values, name, APR_HASH_KEY_STRING);
        if (val)
            return val;
    }
    return NULL;
}

/* --- rendering -------------------------------------------------------------------------------- */

typedef struct buf {
    apr_pool_t *pool;
    char *data;
    size_t len, cap;
} buf_t;

static void put(buf_t *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        char *d;
        while (cap < b->len + n + 1)
            cap *= 2;
        d = apr_palloc(b->pool, cap);
        if (b->len)
            memcpy(d, b->data, b->len);
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void put_escaped(buf_t *b, const char *s)
{
    const char *escaped = fst_html_escape(b->pool, fst_utf8_clean(b->pool, s));

    put(b, escaped, strlen(escaped));
}

static int truthy(const value_t *val)
{
    if (val == NULL)
        return 0;
    switch (val->kind) {
    case V_TEXT:
    case V_HTML:
        return val->text != NULL && *val->text != '\0';
    case V_FLAG:
        return val->on;
    case V_LIST:
        return val->items != NULL && val->items->nelts > 0;
    }
    return 0;
}

static void render_nodes(buf_t *b, const apr_array_header_t *nodes, const fst_tvars_t *v)
{
    int i, j;

    for (i = 0; i < nodes->nelts; i++) {
        const node_t *n = &APR_ARRAY_IDX(nodes, i, node_t);
        const value_t *val;

        switch (n->kind) {
        case N_TEXT:
            put(b, n->text, n->len);
            break;
        case N_VAR:
            val = lookup(v, n->text);
            if (val && val->kind == V_TEXT && val->text)
                put_escaped(b, val->text);
            break;
        case N_HTML:
            val = lookup(v, n->text);
            if (val && val->kind == V_HTML && val->text)
                put(b, val->text, strlen(val->text));
            break;
        case N_SECTION:
            val = lookup(v, n->text);
            if (val && val->kind == V_LIST && val->items) {
                for (j = 0; j < val->items->nelts; j++)
                    render_nodes(b, n->children, APR_ARRAY_IDX(val->items, j, const fst_tvars_t *));
            }
            else if (truthy(val))
                render_nodes(b, n->children, v);
            break;
        case N_INVERTED:
            if (!truthy(lookup(v, n->text)))
                render_nodes(b, n->children, v);
            break;
        }
    }
}

char *fst_tpl_render(apr_pool_t *pool, const fst_tpl_t *tpl, const fst_tvars_t *vars, size_t *len)
{
    buf_t b;

    memset(&b, 0, sizeof(b));
    b.pool = pool;
    put(&b, "", 0);
    render_nodes(&b, tpl->nodes, vars);
    b.data[b.len] = '\0';
    if (len)
        *len = b.len;
    return b.data;
}
