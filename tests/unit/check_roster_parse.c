/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The roster parser: RFC 4180 quoting, UTF-8, and every validation rule.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "roster/csv.h"
#include "roster/roster.h"

#define HEADER                                                                                                 \
    "student_id,student_fnr,school,status,consent_extended,guardian_fnr,guardian_name,guardian_phone,"         \
    "guardian_email,daily_care,parental_responsibility,addressee,fnr_use\n"
/* synthetic numbers: pupils born 2009 and 2008, guardians 1980 and 1978 */
#define PUPIL1 "01850950047"
#define PUPIL2 "03820850024"
#define G1 "14838000089"
#define G2 "02897800260"
#define ROW1 "S1," PUPIL1 ",VGS,active,,"  G1 ",KARI HANSEN,+4791234567,kari@example.no,yes,yes,main,accepted\n"
#define ROW2 "S1," PUPIL1 ",VGS,active,," G2 ",OLA HANSEN,+4791234568,ola@example.no,yes,yes,secondary,accepted\n"

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

static fst_roster_t *parse(const char *text)
{
    return fst_roster_parse(pool, text, strlen(text));
}

/* The file is rejected with exactly one problem, on this line, whose text contains want. */
static void rejected(const char *text, int line, const char *want)
{
    fst_roster_t *r = parse(text);

    ck_assert_msg(r->n_problems >= 1, "accepted: %s", text);
    ck_assert_int_eq(r->problems[0].line, line);
    ck_assert_msg(strstr(apr_pstrcat(pool, r->problems[0].column ? r->problems[0].column : "", " ",
                                     r->problems[0].reason, NULL),
                         want) != NULL,
                  "problem '%s %s' does not say '%s'", r->problems[0].column ? r->problems[0].column : "",
                  r->problems[0].reason, want);
}

START_TEST(good_roster)
{
    fst_roster_t *r = parse(HEADER ROW1 ROW2 "S2," PUPIL2 ",VGS,left,yes,,,,,,,,\n");

    ck_assert_int_eq(r->n_problems, 0);
    ck_assert_int_eq(r->n_rows, 3);
    ck_assert_int_eq(r->n_pupils, 2);
    ck_assert_str_eq(r->rows[0].pupil_id, "S1");
    ck_assert_str_eq(r->rows[0].pupil_number, PUPIL1);
    ck_assert_str_eq(r->rows[0].guardian_number, G1);
    ck_assert_str_eq(r->rows[0].guardian_name, "KARI HANSEN");
    ck_assert_str_eq(r->rows[0].guardian_phone, "+4791234567");
    ck_assert_str_eq(r->rows[0].guardian_emails, "kari@example.no");
    ck_assert_ptr_null(r->rows[0].guardian_address);
    ck_assert_int_eq(r->rows[0].enrollment, FORESATT_ENROLLMENT_ACTIVE);
    ck_assert_int_eq(r->rows[0].consent_extended, 0);
    ck_assert_int_eq(r->rows[0].daily_care, 1);
    ck_assert_int_eq(r->rows[0].addressee, FORESATT_ADDRESSEE_MAIN);
    ck_assert_int_eq(r->rows[0].fnr_use, FORESATT_FNR_USE_ACCEPTED);
    ck_assert_int_eq(r->rows[1].addressee, FORESATT_ADDRESSEE_SECONDARY);
    ck_assert_int_eq(r->rows[2].enrollment, FORESATT_ENROLLMENT_LEFT);
    ck_assert_int_eq(r->rows[2].consent_extended, 1);
    ck_assert_ptr_null(r->rows[2].guardian_name);
    ck_assert_ptr_null(r->rows[2].guardian_number);
}
END_TEST

START_TEST(refused_guardian)
{
    fst_roster_t *r = parse(HEADER "S1," PUPIL1 ",VGS,active,,,TOR LIE,,,yes,yes,secondary,refused\n");

    ck_assert_int_eq(r->n_problems, 0);
    ck_assert_ptr_null(r->rows[0].guardian_number);
    ck_assert_str_eq(r->rows[0].guardian_name, "TOR LIE");
    ck_assert_int_eq(r->rows[0].fnr_use, FORESATT_FNR_USE_REFUSED);
    ck_assert_ptr_null(r->rows[0].guardian_phone);
    ck_assert_ptr_null(r->rows[0].guardian_emails);
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",TOR LIE,,,yes,yes,secondary,refused\n", 2,
             "guardian_fnr must be empty when fnr_use is refused");
}
END_TEST

START_TEST(header_in_any_order_with_address)
{
    fst_roster_t *r = parse("fnr_use,addressee,parental_responsibility,daily_care,guardian_email,guardian_phone,"
                            "guardian_name,guardian_fnr,consent_extended,status,school,student_fnr,student_id,"
                            "guardian_address\r\n"
                            "refused,main,yes,no,,,TOR LIE,,no,completed,VGS," PUPIL1 ",S9,\"Gata 1\r\n0150 OSLO\"\r\n");

    ck_assert_int_eq(r->n_problems, 0);
    ck_assert_str_eq(r->rows[0].pupil_id, "S9");
    ck_assert_int_eq(r->rows[0].enrollment, FORESATT_ENROLLMENT_COMPLETED);
    ck_assert_str_eq(r->rows[0].guardian_address, "Gata 1\r\n0150 OSLO");
    ck_assert_int_eq(r->rows[0].daily_care, 0);
}
END_TEST

START_TEST(quoting)
{
    fst_roster_t *r = parse(HEADER "\"S1\",\"" PUPIL1 "\",\"V,GS\",active,\"\"," G1
                                   ",\"HANSEN, \"\"KARI\"\"\",,\"a@x.no; b@y.no\",yes,yes,main,accepted\n");

    ck_assert_int_eq(r->n_problems, 0);
    ck_assert_str_eq(r->rows[0].school, "V,GS");
    ck_assert_str_eq(r->rows[0].guardian_name, "HANSEN, \"KARI\"");
    ck_assert_str_eq(r->rows[0].guardian_emails, "a@x.no;b@y.no");
    ck_assert_int_eq(r->rows[0].consent_extended, 0);

    /* a BOM, CRLF, no final newline, blank lines */
    r = parse("\xef\xbb\xbf" "student_id,student_fnr,school,status,consent_extended,guardian_fnr,guardian_name,"
              "guardian_phone,guardian_email,daily_care,parental_responsibility,addressee,fnr_use\r\n\r\n"
              "S1," PUPIL1 ",VGS,active,,,,,,,,,");
    ck_assert_int_eq(r->n_problems, 0);
    ck_assert_int_eq(r->n_rows, 1);

    rejected(HEADER "S1," PUPIL1 ",VG\"S,active,,,,,,,,,\n", 2, "quote inside an unquoted field");
    rejected(HEADER "S1," PUPIL1 ",\"VGS\"x,active,,,,,,,,,\n", 2, "text after the closing quote");
    rejected(HEADER "S1," PUPIL1 ",\"VGS,active,,,,,,,,,\nS2\n", 2, "never closed");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,,,,,,,,\n", 2, "has 12 fields, the header has 13");
    rejected(HEADER "S1," PUPIL1 ",VGS\r,active,,,,,,,,,\n", 2, "carriage return");
}
END_TEST

START_TEST(line_numbers_count_quoted_newlines)
{
    /* line 2 holds a two-line quoted name (refused: a control character); the next row starts on 4 */
    fst_roster_t *r = parse(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",\"KARI\nHANSEN\",,,yes,yes,main,accepted\n"
                                   "S2," PUPIL2 ",VGS,gone,,,,,,,,,\n");

    ck_assert_int_eq(r->n_problems, 2);
    ck_assert_int_eq(r->problems[0].line, 2);
    ck_assert_str_eq(r->problems[0].reason, "contains a control character");
    ck_assert_int_eq(r->problems[1].line, 4);
    ck_assert_str_eq(r->problems[1].column, "status");
}
END_TEST

START_TEST(utf8)
{
    fst_roster_t *r = parse(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",BJØRN ÅSE Ærlig,,,yes,yes,main,accepted\n");
    ck_assert_int_eq(r->n_problems, 0);
    ck_assert_str_eq(r->rows[0].guardian_name, "BJØRN ÅSE Ærlig");

    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",BJ\xd8RN,,,yes,yes,main,accepted\n", 2, "invalid UTF-8");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,,,,,,,,,\n" "S2," PUPIL2 ",\xc0\xaf,active,,,,,,,,,\n", 3,
             "invalid UTF-8");                                                   /* overlong */
    rejected(HEADER "S1," PUPIL1 ",\xed\xa0\x80,active,,,,,,,,,\n", 2, "invalid UTF-8"); /* surrogate */
    rejected(HEADER "S1," PUPIL1 ",\xf4\x90\x80\x80,active,,,,,,,,,\n", 2, "invalid UTF-8"); /* > U+10FFFF */
    rejected(HEADER "S1," PUPIL1 ",\xe2\x82,active,,,,,,,,,\n", 2, "invalid UTF-8");          /* truncated */
    ck_assert_uint_eq(fst_utf8_invalid_at("ab\xe2\x82\xac", 5), 0);
    ck_assert_uint_eq(fst_utf8_invalid_at("ab\xe2\x82", 4), 3);
    ck_assert_uint_eq(fst_utf8_invalid_at("\xff", 1), 1);
    {
        static const char nul[] = HEADER "S1," PUPIL1 ",V\0GS,active,,,,,,,,,\n";
        r = fst_roster_parse(pool, nul, sizeof(nul) - 1);
        ck_assert_int_eq(r->n_problems, 1);
        ck_assert_str_eq(r->problems[0].reason, "a NUL byte");
    }
}
END_TEST

START_TEST(header_problems)
{
    rejected("", 0, "the file is empty");
    rejected(HEADER, 0, "header but no rows");
    rejected("student_id,student_fnr\nS1," PUPIL1 "\n", 1, "school is missing from the header");
    rejected("student_id,student_fnr,school,status,consent_extended,guardian_fnr,guardian_name,guardian_phone,"
             "guardian_email,daily_care,parental_responsibility,addressee,fnr_use,colour\n",
             1, "unknown column 'colour'");
    rejected("student_id,student_id,student_fnr,school,status,consent_extended,guardian_fnr,guardian_name,"
             "guardian_phone,guardian_email,daily_care,parental_responsibility,addressee,fnr_use\n",
             1, "student_id appears twice");
    /* Found by fuzz/fuzz_roster.c: a file without its header line had its first row quoted back as
     * unknown columns, fødselsnummer included. Only word-like names are quoted now. */
    {
        fst_roster_t *r = parse("S1," PUPIL1 ",VGS,active,," G1 ",KARI,,,yes,yes,main,accepted\n");
        size_t k;
        ck_assert_int_ge(r->n_problems, 1);
        for (k = 0; k < r->n_listed; k++) {
            ck_assert_ptr_null(strstr(r->problems[k].reason, PUPIL1));
            ck_assert_ptr_null(strstr(r->problems[k].reason, G1));
        }
        ck_assert_str_eq(r->problems[1].reason,
                         "unknown column 2 in the header, and it is not a column name (is the header line missing?)");
    }
}
END_TEST

START_TEST(pupil_rules)
{
    rejected(HEADER ",", 2, "has 2 fields");
    rejected(HEADER "," PUPIL1 ",VGS,active,,,,,,,,,\n", 2, "student_id is empty");
    rejected(HEADER " S1," PUPIL1 ",VGS,active,,,,,,,,,\n", 2, "student_id has blanks");
    rejected(HEADER "S1,,VGS,active,,,,,,,,,\n", 2, "student_fnr is empty");
    rejected(HEADER "S1,01850950048,VGS,active,,,,,,,,,\n", 2, "student_fnr is not a valid");
    rejected(HEADER "S1,0185095004,VGS,active,,,,,,,,,\n", 2, "not 11 digits");
    rejected(HEADER "S1," PUPIL1 ",,active,,,,,,,,,\n", 2, "school is empty");
    rejected(HEADER "S1," PUPIL1 ",VGS,,,,,,,,,,\n", 2, "status is empty");
    rejected(HEADER "S1," PUPIL1 ",VGS,Active,,,,,,,,,\n", 2, "status must be active, left or completed");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,ja,,,,,,,,\n", 2, "consent_extended must be yes or no");
    {
        char *long_id = apr_pstrcat(pool, HEADER, "S", apr_psprintf(pool, "%065d", 1), ",", PUPIL1,
                                    ",VGS,active,,,,,,,,,\n", NULL);
        rejected(long_id, 2, "student_id is longer than 64 bytes");
    }
    /* the rows of one pupil must agree, and one number is one pupil */
    rejected(HEADER ROW1 "S1," PUPIL1 ",VGS,left,," G2 ",OLA,,,yes,yes,main,accepted\n", 3,
             "student_id given on line 2 with a different");
    rejected(HEADER ROW1 "S2," PUPIL1 ",VGS,active,,,,,,,,,\n", 3, "is also the number of the student on line 2");
}
END_TEST

START_TEST(guardian_rules)
{
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",,,,yes,yes,main,accepted\n", 2, "guardian_name is empty");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,,,KARI,,,yes,yes,main,accepted\n", 2,
             "guardian_fnr is empty, but fnr_use is accepted");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,,14838000088,KARI,,,yes,yes,main,accepted\n", 2,
             "guardian_fnr is not a valid");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," PUPIL1 ",KARI,,,yes,yes,main,accepted\n", 2,
             "the pupil's own number");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,,yes,yes,main,\n", 2, "fnr_use is empty");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,,yes,yes,main,maybe\n", 2,
             "fnr_use must be accepted or refused");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,,,yes,main,accepted\n", 2, "daily_care is empty");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,,ja,yes,main,accepted\n", 2,
             "daily_care must be yes or no");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,,yes,1,main,accepted\n", 2,
             "parental_responsibility must be yes or no");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,,yes,yes,primary,accepted\n", 2,
             "addressee must be main, secondary or empty");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,call me,,yes,yes,main,accepted\n", 2,
             "guardian_phone may hold only digits");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,12,,yes,yes,main,accepted\n", 2,
             "guardian_phone has too few digits");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,+47 123456789012345678901234567890,,yes,yes,main,"
                    "accepted\n",
             2, "guardian_phone is longer than");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,kari.example.no,yes,yes,main,accepted\n", 2,
             "guardian_email address 1 is not an e-mail address");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,a@x.no;b@,yes,yes,main,accepted\n", 2,
             "guardian_email address 2 is not");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,," G1 ",KARI,,a@x.no;b@x.no;c@x.no;d@x.no;e@x.no,yes,yes,main,"
                    "accepted\n",
             2, "more than 4 addresses");
    /* the same guardian twice for one pupil */
    rejected(HEADER ROW1 ROW1, 3, "the same guardian is registered for this student on line 2");
    rejected(HEADER "S1," PUPIL1 ",VGS,active,,,TOR LIE,,,yes,yes,main,refused\n"
                    "S1," PUPIL1 ",VGS,active,,,TOR LIE,,,yes,yes,main,refused\n",
             3, "same guardian");
}
END_TEST

START_TEST(every_problem_is_listed)
{
    fst_roster_t *r = parse(HEADER "S1,x,VGS,active,,,,,,,,,\n" ROW1 "S3," PUPIL2 ",VGS,nope,,,,,,,,,\n"
                                   "S4,," ",nope,,,,,,,,,\n");

    ck_assert_int_eq(r->n_problems, 5);
    ck_assert_int_eq(r->problems[0].line, 2);
    ck_assert_int_eq(r->problems[1].line, 4);
    ck_assert_int_eq(r->problems[2].line, 5);
    ck_assert_int_eq(r->problems[4].line, 5);
    /* no number from the file appears in a reason */
    for (size_t i = 0; i < r->n_listed; i++)
        ck_assert_ptr_null(strstr(r->problems[i].reason, PUPIL2));
}
END_TEST

START_TEST(problem_list_is_capped)
{
    char *text = apr_pstrdup(pool, HEADER);
    fst_roster_t *r;
    int i;

    for (i = 0; i < FST_ROSTER_MAX_ERRORS + 20; i++)
        text = apr_pstrcat(pool, text, "S1," PUPIL1 ",VGS,bad,,,,,,,,,\n", NULL);
    r = parse(text);
    ck_assert_int_eq(r->n_problems, FST_ROSTER_MAX_ERRORS + 20);
    ck_assert_int_eq(r->n_listed, FST_ROSTER_MAX_ERRORS);
}
END_TEST

static Suite *roster_suite(void)
{
    Suite *s = suite_create("roster");
    TCase *tc = tcase_create("parse");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, good_roster);
    tcase_add_test(tc, refused_guardian);
    tcase_add_test(tc, header_in_any_order_with_address);
    tcase_add_test(tc, quoting);
    tcase_add_test(tc, line_numbers_count_quoted_newlines);
    tcase_add_test(tc, utf8);
    tcase_add_test(tc, header_problems);
    tcase_add_test(tc, pupil_rules);
    tcase_add_test(tc, guardian_rules);
    tcase_add_test(tc, every_problem_is_listed);
    tcase_add_test(tc, problem_list_is_capped);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(roster_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
