/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Page templates: a small logic-less syntax, parsed once (at configuration time) and rendered per
 * request. Every substitution is HTML-escaped; the only unescaped insertion is {{>name}}, which
 * takes HTML this engine rendered itself (fst_tvars_html), so no request data can reach a page
 * unescaped.
 *
 *   {{name}}                 the text value of name, escaped (absent: nothing)
 *   {{#name}} ... {{/name}}  a list: once per item, with the item's values; a true flag or a
 *                            non-empty text: once; otherwise nothing
 *   {{^name}} ... {{/name}}  the opposite: once when name is absent, false, empty or an empty list
 *   {{>name}}                HTML from fst_tvars_html (a page body inside the layout)
 *   {{! comment }}           nothing
 * Names are [a-z0-9_.-]; a name not found in an item is looked up in the enclosing scopes. Any
 * other use of "{{" is a parse error, so a typo in a school's template fails configtest. A section
 * or comment tag alone on its line removes that line from the output.
 */
#ifndef FST_SELFSERVICE_TEMPLATE_H
#define FST_SELFSERVICE_TEMPLATE_H

#include <stddef.h>
#include <apr_pools.h>

#include "utf8.h" /* fst_utf8_valid: templates and pages are UTF-8 */

typedef struct fst_tpl fst_tpl_t;
typedef struct fst_tvars fst_tvars_t;

/* Parse text (len bytes, need not be NUL-terminated). NULL with *err ("NAME:LINE: what") when the
 * template is malformed or not UTF-8. The result is immutable and may be shared by threads. */
fst_tpl_t *fst_tpl_parse(apr_pool_t *pool, const char *name, const char *text, size_t len, const char **err);

/* The first name the template uses that is not in allowed (NULL-terminated), or NULL when it uses
 * only those: a school's template is checked against what the page provides. */
const char *fst_tpl_unknown_name(const fst_tpl_t *tpl, const char *const *allowed);

/* The name given at parse time. */
const char *fst_tpl_name(const fst_tpl_t *tpl);

/* Render with vars (may be NULL). Returns a NUL-terminated string; *len (may be NULL) gets its length. */
char *fst_tpl_render(apr_pool_t *pool, const fst_tpl_t *tpl, const fst_tvars_t *vars, size_t *len);

/* Values for one rendering. Strings are not copied: they must live as long as the vars. */
fst_tvars_t *fst_tvars_make(apr_pool_t *pool);
/* Text, escaped when rendered (cleaned: invalid UTF-8 and control characters become U+FFFD). NULL unsets. */
void fst_tvars_set(fst_tvars_t *vars, const char *name, const char *value);
void fst_tvars_flag(fst_tvars_t *vars, const char *name, int on);
/* Append an item to the list name and return its scope. */
fst_tvars_t *fst_tvars_item(fst_tvars_t *vars, const char *name);
/* HTML for {{>name}}; only ever the output of fst_tpl_render. */
void fst_tvars_html(fst_tvars_t *vars, const char *name, const char *html);

/* s with invalid UTF-8 and control characters (other than tab and newline) replaced by U+FFFD; the
 * same pointer when nothing needed replacing. For text that must be valid UTF-8 (pages, JSON). */
const char *fst_utf8_clean(apr_pool_t *pool, const char *s);


#endif
