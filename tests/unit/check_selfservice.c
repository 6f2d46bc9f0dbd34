/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The self-service pages' core: templates (escaping, sections, parse errors), phone and e-mail
 * checks, the language choice and the consent's end.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_pools.h>

#include "selfservice/consent_period.h"
#include "selfservice/contact.h"
#include "selfservice/contact_input.h"
#include "selfservice/lang.h"
#include "selfservice/template.h"

static apr_pool_t *pool;

static void setup(void)
{
    apr_initialize();
    apr_pool_create(&pool, NULL);
}

static void teardown(void)
{
    apr_pool_destroy(pool);
    apr_terminate();
}

static fst_tpl_t *parse(const char *text)
{
    const char *err = NULL;
    fst_tpl_t *t = fst_tpl_parse(pool, "t.html", text, strlen(text), &err);

    ck_assert_msg(t != NULL, "parse failed: %s", err ? err : "?");
    return t;
}

static const char *parse_error(const char *text)
{
    const char *err = NULL;
    fst_tpl_t *t = fst_tpl_parse(pool, "t.html", text, strlen(text), &err);

    ck_assert_msg(t == NULL, "parsed, but should not: %s", text);
    ck_assert_ptr_nonnull(err);
    return err;
}

static const char *render(const char *text, const fst_tvars_t *v)
{
    return fst_tpl_render(pool, parse(text), v, NULL);
}

/* --- templates -------------------------------------------------------------------------------- */

START_TEST(template_escapes_every_substitution)
{
    fst_tvars_t *v = fst_tvars_make(pool);

    fst_tvars_set(v, "name", "<script>alert('x')</script> & \"q\"");
    ck_assert_str_eq(render("<p title=\"{{name}}\">{{ name }}</p>", v),
                     "<p title=\"&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;\">"
                     "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;q&quot;</p>");
    /* absent: nothing; text is kept byte for byte, UTF-8 included */
    ck_assert_str_eq(render("a{{missing}}b \xc3\xb8", v), "ab \xc3\xb8");
    /* invalid UTF-8 and control characters in a value become U+FFFD */
    fst_tvars_set(v, "bad", "a\xff" "b\x01" "c\xc3\xa5");
    ck_assert_str_eq(render("{{bad}}", v), "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xc3\xa5");
}
END_TEST

START_TEST(template_sections)
{
    fst_tvars_t *v = fst_tvars_make(pool), *item;

    fst_tvars_flag(v, "yes", 1);
    fst_tvars_flag(v, "no", 0);
    fst_tvars_set(v, "empty", "");
    fst_tvars_set(v, "title", "T");
    ck_assert_str_eq(render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}{{^no}}!N{{/no}}{{#empty}}E{{/empty}}{{^empty}}!E{{/empty}}"
                            "{{#title}}[{{title}}]{{/title}}{{^absent}}!A{{/absent}}", v),
                     "Y!N!E[T]!A");
    item = fst_tvars_item(v, "rows");
    fst_tvars_set(item, "n", "1");
    item = fst_tvars_item(v, "rows");
    fst_tvars_set(item, "n", "<2>");
    fst_tvars_flag(item, "last", 1);
    /* items see their own values first, then the enclosing ones */
    ck_assert_str_eq(render("{{#rows}}{{n}}{{title}}{{#last}}.{{/last}}{{^last}},{{/last}}{{/rows}}{{^rows}}none{{/rows}}", v),
                     "1T,&lt;2&gt;T.");
    ck_assert_str_eq(render("{{^nothing}}none{{/nothing}}{{#nothing}}x{{/nothing}}", v), "none");
    /* nested lists */
    fst_tvars_set(fst_tvars_item(item, "emails"), "e", "a@b.no");
    ck_assert_str_eq(render("{{#rows}}{{#emails}}<{{e}}>{{/emails}}{{/rows}}", v), "<a@b.no>");
}
END_TEST

START_TEST(template_standalone_lines)
{
    fst_tvars_t *v = fst_tvars_make(pool);

    fst_tvars_flag(v, "on", 1);
    /* a section or comment tag alone on its line takes the line with it */
    ck_assert_str_eq(render("<ul>\n  {{#on}}\n  <li>x</li>\n  {{/on}}\n{{! note }}\n</ul>\n", v), "<ul>\n  <li>x</li>\n</ul>\n");
    ck_assert_str_eq(render("{{^on}}\nno\n{{/on}}\nend", v), "end");
    ck_assert_str_eq(render("{{#on}}\r\nyes\r\n{{/on}}", v), "yes\r\n");
    /* not alone: kept as written */
    ck_assert_str_eq(render("a {{#on}}b{{/on}} c\n", v), "a b c\n");
    ck_assert_str_eq(render("<p>{{#on}}\nx\n{{/on}}</p>", v), "<p>\nx\n</p>");
}
END_TEST

START_TEST(template_html_only_from_the_engine)
{
    fst_tvars_t *inner = fst_tvars_make(pool), *outer = fst_tvars_make(pool);
    const char *body;

    fst_tvars_set(inner, "x", "<b>");
    body = render("<p>{{x}}</p>", inner);
    fst_tvars_html(outer, "content", body);
    fst_tvars_set(outer, "content_text", "<i>");
    ck_assert_str_eq(render("<main>{{>content}}</main>", outer), "<main><p>&lt;b&gt;</p></main>");
    /* {{>}} of a text value, or {{}} of an HTML value, inserts nothing */
    ck_assert_str_eq(render("{{>content_text}}|{{content}}", outer), "|");
}
END_TEST

START_TEST(template_parse_errors_name_the_line)
{
    ck_assert_str_eq(parse_error("a\nb {{#x}}\nc"), "t.html:2: section {{#x}} is not closed");
    ck_assert_str_eq(parse_error("a\n{{/x}}"), "t.html:2: {{/x}} closes no open section");
    ck_assert_str_eq(parse_error("{{#x}}{{/y}}"), "t.html:1: {{/y}} closes no open section; open: x");
    ck_assert_ptr_nonnull(strstr(parse_error("{{{raw}}}"), "t.html:1: a tag is"));
    ck_assert_ptr_nonnull(strstr(parse_error("{{Name}}"), "a tag is"));
    ck_assert_ptr_nonnull(strstr(parse_error("{{a b}}"), "a tag is"));
    ck_assert_ptr_nonnull(strstr(parse_error("{{}}"), "a tag is"));
    ck_assert_str_eq(parse_error("x {{name"), "t.html:1: '{{' without '}}'");
    ck_assert_str_eq(parse_error("\xff"), "t.html: not UTF-8 text");
    {
        const char *err = NULL;
        ck_assert_ptr_null(fst_tpl_parse(pool, "n.html", "a\0b", 3, &err));
        ck_assert_str_eq(err, "n.html: contains a NUL byte");
    }
    /* comments and single braces are fine */
    ck_assert_str_eq(render("{{! a comment }}a{b}c} {", NULL), "a{b}c} {");
}
END_TEST

START_TEST(template_names_checked)
{
    static const char *const allowed[] = {"base", "lang_query", NULL};

    ck_assert_ptr_null(fst_tpl_unknown_name(parse("<a href=\"{{base}}x{{lang_query}}\">{{! a note }}</a>"), allowed));
    ck_assert_str_eq(fst_tpl_unknown_name(parse("{{base}}{{bsae}}"), allowed), "bsae");
    ck_assert_str_eq(fst_tpl_unknown_name(parse("{{#base}}{{^x}}{{/x}}{{/base}}"), allowed), "x");
    ck_assert_str_eq(fst_tpl_unknown_name(parse("{{>content}}"), allowed), "content");
}
END_TEST

START_TEST(template_depth_is_bounded)
{
    char text[2048] = "";
    int i;

    for (i = 0; i < 20; i++)
        strcat(text, "{{#a}}");
    ck_assert_ptr_nonnull(strstr(parse_error(text), "nested too deep"));
}
END_TEST

START_TEST(utf8_clean)
{
    const char *ok = "Bj\xc3\xb8rn";

    ck_assert_ptr_eq(fst_utf8_clean(pool, ok), ok);
    ck_assert_str_eq(fst_utf8_clean(pool, "\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd"); /* overlong */
    ck_assert_str_eq(fst_utf8_clean(pool, "\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
    ck_assert_str_eq(fst_utf8_clean(pool, "a\tb\nc\rd"), "a\tb\nc\xef\xbf\xbd" "d");
    ck_assert(fst_utf8_valid("\xf0\x9f\x98\x80", 4));
    ck_assert(!fst_utf8_valid("\xf0\x9f\x98", 3));
    ck_assert(!fst_utf8_valid("\xf5\x80\x80\x80", 4));
}
END_TEST

/* --- contact data ----------------------------------------------------------------------------- */

static void phone_ok(const char *in, const char *want)
{
    const char *out = NULL;
    fst_contact_error_t rc = fst_contact_phone(pool, in, &out);

    ck_assert_msg(rc == FST_CONTACT_OK, "'%s' refused: %s", in, fst_contact_error_name(rc));
    ck_assert_str_eq(out, want);
}

static void phone_bad(const char *in, fst_contact_error_t want)
{
    const char *out = NULL;
    fst_contact_error_t rc = fst_contact_phone(pool, in, &out);

    ck_assert_msg(rc == want, "'%s': got %s, want %s", in, fst_contact_error_name(rc), fst_contact_error_name(want));
}

START_TEST(phones)
{
    phone_ok("+4791234567", "+4791234567");
    phone_ok(" +47 912 34 567 ", "+4791234567");
    phone_ok("912 34 567", "+4791234567");
    phone_ok("0047 912-34-567", "+4791234567");
    phone_ok("+46 (8) 123 456 78", "+46812345678");
    phone_ok("+1 415.555.2671", "+14155552671");
    phone_ok("", "");
    phone_ok("   ", "");
    phone_ok(NULL, "");
    phone_bad("12345", FST_CONTACT_PHONE_COUNTRY);
    phone_bad("912345678", FST_CONTACT_PHONE_COUNTRY);
    phone_bad("+47 912 34 56", FST_CONTACT_PHONE_LENGTH);
    phone_bad("+47 912 34 5678", FST_CONTACT_PHONE_LENGTH);
    phone_bad("+1234567", FST_CONTACT_PHONE_LENGTH);
    phone_bad("+1234567890123456", FST_CONTACT_PHONE_LENGTH);
    phone_bad("+0123456789", FST_CONTACT_PHONE_LENGTH);
    phone_bad("+47 9123456a", FST_CONTACT_PHONE_CHARACTERS);
    phone_bad("91+234567", FST_CONTACT_PHONE_CHARACTERS);
    phone_bad("++4791234567", FST_CONTACT_PHONE_CHARACTERS);
    phone_bad("<script>", FST_CONTACT_PHONE_CHARACTERS);
    phone_bad("+47\n91234567", FST_CONTACT_PHONE_CHARACTERS);
    phone_bad("- - -", FST_CONTACT_PHONE_CHARACTERS);
    phone_bad("+47 9 1 2 3 4 5 6 7 - - - - - - - - - - - - - -", FST_CONTACT_TOO_LONG);
}
END_TEST

static void email_ok(const char *in, const char *want)
{
    const char *out = NULL;
    fst_contact_error_t rc = fst_contact_email(pool, in, &out);

    ck_assert_msg(rc == FST_CONTACT_OK, "'%s' refused: %s", in, fst_contact_error_name(rc));
    ck_assert_str_eq(out, want);
}

static void email_bad(const char *in, fst_contact_error_t want)
{
    const char *out = NULL;
    fst_contact_error_t rc = fst_contact_email(pool, in, &out);

    ck_assert_msg(rc == want, "'%s': got %s", in, fst_contact_error_name(rc));
}

START_TEST(emails)
{
    char local[80], domain[300], longest[300];

    email_ok("kari@example.no", "kari@example.no");
    email_ok("  Kari.Hansen+skole@Example.NO ", "Kari.Hansen+skole@example.no");
    email_ok("o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk");
    email_ok("a@xn--kbenhavn-54a.xn--dk-7ia", "a@xn--kbenhavn-54a.xn--dk-7ia");
    email_bad("kari", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@", FST_CONTACT_EMAIL_FORM);
    email_bad("@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@example", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@example.n", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@example.123", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@-example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@example-.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@example..no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@.example.no", FST_CONTACT_EMAIL_FORM);
    email_bad(".kari@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari.@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("ka..ri@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("ka ri@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@exa mple.no", FST_CONTACT_EMAIL_FORM);
    email_bad("\"kari\"@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@[127.0.0.1]", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@example.no;ola@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@example.no\r\nBcc: x@y.no", FST_CONTACT_EMAIL_FORM);
    email_bad("k\xc3\xa5ri@example.no", FST_CONTACT_EMAIL_FORM);
    email_bad("kari@ex\xc3\xa5mple.no", FST_CONTACT_EMAIL_FORM);
    email_bad("", FST_CONTACT_EMAIL_FORM);
    memset(local, 'a', 65);
    local[65] = '\0';
    email_bad(strcat(local, "@example.no"), FST_CONTACT_EMAIL_FORM);
    memset(domain, 0, sizeof(domain));
    strcpy(domain, "a@");
    memset(domain + 2, 'b', 64);
    email_bad(strcat(domain, ".no"), FST_CONTACT_EMAIL_FORM);
    /* 254 bytes is the most; 255 is too long */
    strcpy(longest, "a@");
    while (strlen(longest) < 254 - 3)
        strcat(longest, strlen(longest) % 50 == 49 ? "." : "b");
    strcat(longest, ".no");
    ck_assert_int_eq(strlen(longest), 254);
    email_ok(longest, longest);
    strcat(longest, "x");
    email_bad(longest, FST_CONTACT_TOO_LONG);
}
END_TEST

START_TEST(email_lists)
{
    const char *out[FORESATT_MAX_EMAILS];
    const char *two[] = {"a@example.no", "", "  ", "b@example.no"};
    const char *dup[] = {"a@example.no", "A@EXAMPLE.NO"};
    const char *bad[] = {"a@example.no", "nope"};
    const char *five[] = {"a@x.no", "b@x.no", "c@x.no", "d@x.no", "e@x.no"};
    size_t n, at;

    ck_assert_int_eq(fst_contact_emails(pool, two, 4, out, &n, &at), FST_CONTACT_OK);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(out[1], "b@example.no");
    ck_assert_int_eq(fst_contact_emails(pool, dup, 2, out, &n, &at), FST_CONTACT_EMAIL_DUPLICATE);
    ck_assert_int_eq(at, 1);
    ck_assert_int_eq(fst_contact_emails(pool, bad, 2, out, &n, &at), FST_CONTACT_EMAIL_FORM);
    ck_assert_int_eq(at, 1);
    ck_assert_int_eq(fst_contact_emails(pool, five, 5, out, &n, &at), FST_CONTACT_EMAIL_TOO_MANY);
    ck_assert_int_eq(at, 4);
    ck_assert_int_eq(fst_contact_emails(pool, two, 0, out, &n, &at), FST_CONTACT_OK);
    ck_assert_int_eq(n, 0);
}
END_TEST

/* --- the profile POST's input ---------------------------------------------------------------- */

static json_t *doc(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);

    ck_assert_msg(j != NULL, "%s", e.text);
    return j;
}

START_TEST(contact_input_outlives_the_document)
{
    foresatt_guardian_t saved = {.phone = "+4790000000", .n_emails = 2, .emails = {"a@x.no", "b@x.no"}};
    fst_contact_input_t in;
    json_t *j;

    /* phone only: the saved addresses kept, the typed phone copied before the document goes */
    j = doc("{\"phone\":\"+47 913 13 131\"}");
    ck_assert_int_eq(fst_contact_input_json(pool, j, &saved, &in), 1);
    json_decref(j);
    ck_assert_str_eq(in.phone, "+47 913 13 131");
    ck_assert_str_eq(in.emails[0], "a@x.no");
    ck_assert_str_eq(in.emails[1], "b@x.no");
    ck_assert_ptr_null(in.emails[2]);
    ck_assert(in.emails[0] != saved.emails[0]);
    fst_contact_input_check(pool, &in);
    ck_assert_int_eq(in.invalid, 0);
    ck_assert_str_eq(in.phone_norm, "+4791313131");
    ck_assert_int_eq(in.n_emails, 2);

    /* emails only: the saved phone kept */
    j = doc("{\"emails\":[\"c@x.no\"]}");
    ck_assert_int_eq(fst_contact_input_json(pool, j, &saved, &in), 1);
    json_decref(j);
    ck_assert_str_eq(in.phone, "+4790000000");
    ck_assert_str_eq(in.emails[0], "c@x.no");

    /* null removes the phone; five addresses are too many, not a shape error */
    j = doc("{\"phone\":null,\"emails\":[\"a@x.no\",\"b@x.no\",\"c@x.no\",\"d@x.no\",\"e@x.no\"]}");
    ck_assert_int_eq(fst_contact_input_json(pool, j, &saved, &in), 1);
    json_decref(j);
    ck_assert_str_eq(in.phone, "");
    ck_assert_int_eq(in.invalid, 1);
    ck_assert_int_eq(in.email_error[FORESATT_MAX_EMAILS - 1], FST_CONTACT_EMAIL_TOO_MANY);
    ck_assert_str_eq(in.emails[3], "d@x.no");

    /* wrong shapes */
    {
        static const char *const bad[] = {"{\"phone\":5}", "{\"emails\":\"a@x.no\"}", "{\"emails\":[1]}",
                                          "{\"phone\":[\"+4790000000\"]}"};
        size_t i;

        for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            j = doc(bad[i]);
            ck_assert_msg(fst_contact_input_json(pool, j, &saved, &in) == 0, "%s", bad[i]);
            json_decref(j);
        }
    }
}
END_TEST

START_TEST(contact_input_from_a_form)
{
    foresatt_guardian_t saved = {.phone = NULL, .n_emails = 1, .emails = {"a@x.no"}};
    apr_table_t *form = apr_table_make(pool, 4);
    fst_contact_input_t in;

    /* nothing sent: the saved data (no phone is "") */
    fst_contact_input_form(pool, form, &saved, &in);
    ck_assert_str_eq(in.phone, "");
    ck_assert_str_eq(in.emails[0], "a@x.no");
    /* one e-mail field sent: the form's fields replace all four */
    apr_table_set(form, "email2", "b@x.no");
    apr_table_set(form, "phone", "bad");
    fst_contact_input_form(pool, form, &saved, &in);
    ck_assert_ptr_null(in.emails[0]);
    ck_assert_str_eq(in.emails[1], "b@x.no");
    fst_contact_input_check(pool, &in);
    ck_assert_int_eq(in.invalid, 1);
    ck_assert_int_ne(in.phone_error, FST_CONTACT_OK);
    ck_assert_str_eq(in.first_error, fst_contact_error_name(in.phone_error));
}
END_TEST

/* --- language --------------------------------------------------------------------------------- */

START_TEST(language)
{
    ck_assert_int_eq(fst_lang_negotiate(NULL, NULL), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate("en", NULL), FST_LANG_EN);
    ck_assert_int_eq(fst_lang_negotiate("nb", "en"), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate("xx", "en-GB,en;q=0.8"), FST_LANG_EN);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "nb-NO,nb;q=0.9,en;q=0.8"), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "en-US,en;q=0.9,nb;q=0.8"), FST_LANG_EN);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "de, en;q=0.5, nn;q=0.7"), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "de, no;q=0.1, en;q=0.5"), FST_LANG_EN);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "en;q=0"), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "en;q=garbage"), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "*"), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate(NULL, "eng, english"), FST_LANG_NB);
    ck_assert_int_eq(fst_lang_negotiate(NULL, ",,; ;q=1,en"), FST_LANG_EN);
    ck_assert_str_eq(fst_lang_code(FST_LANG_EN), "en");
    ck_assert_str_eq(fst_lang_code(FST_LANG_NB), "nb");
}
END_TEST

/* --- the consent's end ------------------------------------------------------------------------ */

static int64_t oslo(int y, int m, int d)
{
    fst_date_t date = {y, m, d};
    return fst_oslo_day_start(date);
}

START_TEST(consent_end)
{
    fst_consent_rule_t rule = {7, 31, 19};
    fst_date_t born2008 = {2008, 3, 10}, born2007 = {2007, 1, 5}, born2009 = {2009, 9, 1};
    int m, d;

    /* Turns 18 in March 2026, 19 in 2027: to the end of July 2027. */
    ck_assert_int_eq(fst_consent_end(&rule, &born2008, oslo(2026, 4, 1)), oslo(2027, 8, 1));
    /* Turned 19 in January 2026, still at school in November 2026: the current school year. */
    ck_assert_int_eq(fst_consent_end(&rule, &born2007, oslo(2026, 11, 28)), oslo(2027, 8, 1));
    /* ...and in June 2026: the school year that ends this summer. */
    ck_assert_int_eq(fst_consent_end(&rule, &born2007, oslo(2026, 6, 1)), oslo(2026, 8, 1));
    /* The last instant of the school year still belongs to it. */
    ck_assert_int_eq(fst_consent_end(&rule, &born2007, oslo(2026, 8, 1) - 1), oslo(2026, 8, 1));
    ck_assert_int_eq(fst_consent_end(&rule, &born2007, oslo(2026, 8, 1)), oslo(2027, 8, 1));
    /* Given before 18, in advance. */
    ck_assert_int_eq(fst_consent_end(&rule, &born2009, oslo(2026, 11, 28)), oslo(2028, 8, 1));
    /* Unknown birth date or age 0: the current school year. */
    ck_assert_int_eq(fst_consent_end(&rule, NULL, oslo(2026, 11, 28)), oslo(2027, 8, 1));
    rule.age = 0;
    ck_assert_int_eq(fst_consent_end(&rule, &born2009, oslo(2026, 11, 28)), oslo(2027, 8, 1));
    /* A school year that ends 20 June. */
    rule.end_month = 6;
    rule.end_day = 20;
    rule.age = 19;
    ck_assert_int_eq(fst_consent_end(&rule, &born2008, oslo(2026, 6, 21)), oslo(2027, 6, 21));
    ck_assert_int_eq(fst_consent_last_day(oslo(2027, 6, 21)).day, 20);
    /* End of December: the next day is in the next year. */
    rule.end_month = 12;
    rule.end_day = 31;
    ck_assert_int_eq(fst_consent_end(&rule, &born2008, oslo(2026, 4, 1)), oslo(2028, 1, 1));

    ck_assert(fst_consent_rule_parse_day("07-31", &m, &d) && m == 7 && d == 31);
    ck_assert(fst_consent_rule_parse_day("06-20", &m, &d) && m == 6 && d == 20);
    ck_assert(!fst_consent_rule_parse_day("02-29", &m, &d));
    ck_assert(!fst_consent_rule_parse_day("13-01", &m, &d));
    ck_assert(!fst_consent_rule_parse_day("7-31", &m, &d));
    ck_assert(!fst_consent_rule_parse_day("07-31x", &m, &d));
    ck_assert(!fst_consent_rule_parse_day("07/31", &m, &d));
    ck_assert(!fst_consent_rule_parse_day(NULL, &m, &d));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("selfservice");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, template_escapes_every_substitution);
    tcase_add_test(tc, template_sections);
    tcase_add_test(tc, template_standalone_lines);
    tcase_add_test(tc, template_html_only_from_the_engine);
    tcase_add_test(tc, template_parse_errors_name_the_line);
    tcase_add_test(tc, template_names_checked);
    tcase_add_test(tc, template_depth_is_bounded);
    tcase_add_test(tc, utf8_clean);
    tcase_add_test(tc, phones);
    tcase_add_test(tc, emails);
    tcase_add_test(tc, email_lists);
    tcase_add_test(tc, contact_input_outlives_the_document);
    tcase_add_test(tc, contact_input_from_a_form);
    tcase_add_test(tc, language);
    tcase_add_test(tc, consent_end);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
