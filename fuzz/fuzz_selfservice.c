/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What the self-service pages take from a browser or a school (lib/selfservice): a template (the
 * school's information page), values rendered into a page (typed input shown again), phone and
 * e-mail checks, and Accept-Language. Invariants: a rendered value never carries markup or
 * invalid UTF-8 into the page; a phone or address that passes is in its normal form, and passes
 * again unchanged; a template either parses or says where it is wrong.
 */
#include "fuzz_util.h"
#include "selfservice/contact.h"
#include "selfservice/lang.h"
#include "selfservice/template.h"

#define SHELL "<p title=\"{{v}}\">[{{#items}}{{v}}{{/items}}]</p>"
#define SHELL_TEXT "<p title=\"\">[]</p>"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *pool = fuzz_pool();
    char *text = fuzz_cstring(pool, data, size);
    const char *err = NULL, *out = NULL, *again = NULL;
    fst_tpl_t *t;
    fst_tvars_t *v = fst_tvars_make(pool);
    fst_contact_error_t rc;
    char *html;
    size_t len, i;

    /* The input as a value: escaped and cleaned wherever it lands. */
    fst_tvars_set(v, "v", text);
    fst_tvars_flag(v, "on", size % 2);
    fst_tvars_set(fst_tvars_item(v, "items"), "v", text);
    t = fst_tpl_parse(pool, "shell", SHELL, strlen(SHELL), &err);
    FUZZ_ASSERT(t != NULL);
    html = fst_tpl_render(pool, t, v, &len);
    FUZZ_ASSERT(strlen(html) == len);
    FUZZ_ASSERT(fst_utf8_valid(html, len));
    FUZZ_ASSERT(len >= strlen(SHELL_TEXT));
    {
        /* Between the shell's own characters, no markup character survives. */
        const char *value = html + strlen("<p title=\"");
        const char *end = strstr(value, "\">[");
        FUZZ_ASSERT(end != NULL);
        for (; value < end; value++)
            FUZZ_ASSERT(strchr("<>\"'", *value) == NULL);
    }
    FUZZ_ASSERT(fst_utf8_valid(fst_utf8_clean(pool, text), strlen(fst_utf8_clean(pool, text))));

    /* The input as a template (a school's information page). */
    err = NULL;
    t = fst_tpl_parse(pool, "input.html", (const char *)data, size, &err);
    if (t == NULL)
        FUZZ_ASSERT(err != NULL && strncmp(err, "input.html", 10) == 0);
    else {
        static const char *const allowed[] = {"v", "on", "items", NULL};
        html = fst_tpl_render(pool, t, v, &len);
        FUZZ_ASSERT(strlen(html) == len);
        (void)fst_tpl_unknown_name(t, allowed);
    }

    /* Phone and e-mail. */
    rc = fst_contact_phone(pool, text, &out);
    if (rc == FST_CONTACT_OK) {
        FUZZ_ASSERT(out != NULL);
        if (*out) {
            FUZZ_ASSERT(out[0] == '+' && strlen(out) >= 9 && strlen(out) <= 16);
            for (i = 1; out[i]; i++)
                FUZZ_ASSERT(out[i] >= '0' && out[i] <= '9');
            FUZZ_ASSERT(fst_contact_phone(pool, out, &again) == FST_CONTACT_OK && strcmp(again, out) == 0);
        }
    }
    rc = fst_contact_email(pool, text, &out);
    if (rc == FST_CONTACT_OK) {
        FUZZ_ASSERT(strlen(out) <= FORESATT_MAX_EMAIL_LEN && strchr(out, '@') != NULL);
        for (i = 0; out[i]; i++)
            FUZZ_ASSERT((unsigned char)out[i] > 0x20 && (unsigned char)out[i] < 0x7f && out[i] != ';');
        FUZZ_ASSERT(fst_contact_email(pool, out, &again) == FST_CONTACT_OK && strcmp(again, out) == 0);
    }
    {
        const char *list[FORESATT_MAX_EMAILS + 2] = {text, "", text, out}, *norm[FORESATT_MAX_EMAILS];
        size_t n = 0, bad = 0;
        rc = fst_contact_emails(pool, list, 4, norm, &n, &bad);
        FUZZ_ASSERT(n <= FORESATT_MAX_EMAILS && bad < 4);
    }

    /* Accept-Language and ?lang=. */
    FUZZ_ASSERT(fst_lang_negotiate(text, text) <= FST_LANG_EN);
    FUZZ_ASSERT(fst_lang_negotiate(NULL, text) <= FST_LANG_EN);
    apr_pool_destroy(pool);
    return 0;
}
