/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <apr_hash.h>
#include <apr_strings.h>
#include <apr_tables.h>

#include "csv.h"
#include "fnr.h"
#include "roster.h"

#define MAX_ROWS 1000000

enum col {
    C_STUDENT_ID, C_STUDENT_FNR, C_SCHOOL, C_STATUS, C_CONSENT, C_GUARDIAN_FNR, C_GUARDIAN_NAME, C_PHONE, C_EMAIL,
    C_DAILY_CARE, C_PARENTAL, C_ADDRESSEE, C_FNR_USE, C_ADDRESS, N_COLS
};

static const char *const col_names[N_COLS] = {
    "student_id", "student_fnr", "school", "status", "consent_extended", "guardian_fnr", "guardian_name",
    "guardian_phone", "guardian_email", "daily_care", "parental_responsibility", "addressee", "fnr_use",
    "guardian_address",
};
#define FIRST_OPTIONAL C_ADDRESS

typedef struct parser {
    apr_pool_t *pool;
    fst_roster_t *roster;
    apr_array_header_t *problems;
    int line;
} parser_t;

typedef struct pupil_seen {
    int line;
    const foresatt_roster_row_t *row;
} pupil_seen_t;

static void problem(parser_t *ps, int line, const char *column, const char *reason)
{
    ps->roster->n_problems++;
    if (ps->problems->nelts < FST_ROSTER_MAX_ERRORS) {
        fst_roster_problem_t *p = apr_array_push(ps->problems);
        p->line = line;
        p->column = column;
        p->reason = reason;
    }
}

static int has_control(const char *s, int allow_newline)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && !(allow_newline && (c == '\n' || c == '\r'))) || c == 0x7f)
            return 1;
    }
    return 0;
}

static int padded(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t');
}

/* Free text: length, no control characters, no surrounding blanks. */
static int check_text(parser_t *ps, enum col c, const char *v, size_t max, int required, int allow_newline)
{
    if (*v == '\0') {
        if (required)
            problem(ps, ps->line, col_names[c], "is empty");
        return !required;
    }
    if (strlen(v) > max) {
        problem(ps, ps->line, col_names[c], apr_psprintf(ps->pool, "is longer than %d bytes", (int)max));
        return 0;
    }
    if (has_control(v, allow_newline)) {
        problem(ps, ps->line, col_names[c], "contains a control character");
        return 0;
    }
    if (padded(v)) {
        problem(ps, ps->line, col_names[c], "has blanks before or after the value");
        return 0;
    }
    return 1;
}

static int check_number(parser_t *ps, enum col c, const char *v)
{
    fst_id_error_t err = fst_id_parse(v, NULL);

    if (err == FST_ID_OK)
        return 1;
    problem(ps, ps->line, col_names[c],
            apr_psprintf(ps->pool, "is not a valid fødselsnummer or D-nummer: %s", fst_id_error_text(err)));
    return 0;
}

/* yes / no; empty allowed where empty_means_no. Returns 0/1, or -1 after a problem. */
static int yes_no(parser_t *ps, enum col c, const char *v, int empty_means_no)
{
    if (strcmp(v, "yes") == 0)
        return 1;
    if (strcmp(v, "no") == 0 || (empty_means_no && *v == '\0'))
        return 0;
    problem(ps, ps->line, col_names[c],
            *v ? "must be yes or no" : (empty_means_no ? "must be yes, no or empty" : "is empty (give yes or no)"));
    return -1;
}

static const char *check_phone(parser_t *ps, const char *v, int *ok)
{
    size_t digits = 0;
    const char *s;

    if (*v == '\0')
        return NULL;
    if (strlen(v) > FORESATT_MAX_PHONE_LEN) {
        problem(ps, ps->line, col_names[C_PHONE], apr_psprintf(ps->pool, "is longer than %d characters",
                                                                FORESATT_MAX_PHONE_LEN));
        *ok = 0;
        return NULL;
    }
    for (s = v; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!(*s == '+' && s == v) && *s != ' ' && *s != '-') {
            problem(ps, ps->line, col_names[C_PHONE], "may hold only digits, a leading +, spaces and dashes");
            *ok = 0;
            return NULL;
        }
    }
    if (digits < 3) {
        problem(ps, ps->line, col_names[C_PHONE], "has too few digits to be a phone number");
        *ok = 0;
        return NULL;
    }
    return v;
}

static int email_ok(const char *e, size_t len)
{
    const char *at = memchr(e, '@', len);
    size_t i;

    if (len == 0 || len > FORESATT_MAX_EMAIL_LEN || at == NULL || at == e || at == e + len - 1)
        return 0;
    if (memchr(at + 1, '@', (size_t)(e + len - at - 1)) != NULL || memchr(at + 1, '.', (size_t)(e + len - at - 1)) == NULL)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)e[i];
        if (c <= 0x20 || c == 0x7f || c == ',' || c == '"' || c == '<' || c == '>')
            return 0;
    }
    return 1;
}

/* "a@x.no; b@y.no" -> "a@x.no;b@y.no" */
static const char *check_emails(parser_t *ps, const char *v, int *ok)
{
    char *out = apr_palloc(ps->pool, strlen(v) + 1), *o = out;
    const char *s = v;
    int count = 0;

    if (*v == '\0')
        return NULL;
    while (*s) {
        const char *end = strchr(s, ';');
        size_t len;
        if (end == NULL)
            end = s + strlen(s);
        while (s < end && *s == ' ')
            s++;
        len = (size_t)(end - s);
        while (len > 0 && s[len - 1] == ' ')
            len--;
        if (!email_ok(s, len)) {
            problem(ps, ps->line, col_names[C_EMAIL],
                    apr_psprintf(ps->pool, "address %d is not an e-mail address (addresses are separated by ';')",
                                 count + 1));
            *ok = 0;
            return NULL;
        }
        if (++count > FORESATT_MAX_EMAILS) {
            problem(ps, ps->line, col_names[C_EMAIL],
                    apr_psprintf(ps->pool, "has more than %d addresses", FORESATT_MAX_EMAILS));
            *ok = 0;
            return NULL;
        }
        if (o != out)
            *o++ = ';';
        memcpy(o, s, len);
        o += len;
        s = *end ? end + 1 : end;
    }
    *o = '\0';
    return out;
}

static int word_like(const char *s)
{
    size_t n = 0;

    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '_' || s[n] == '-'))
            return 0;
    return n > 0;
}

static int header(parser_t *ps, const fst_csv_record_t *rec, int *index)
{
    int i, c, ok = 1;

    for (c = 0; c < N_COLS; c++)
        index[c] = -1;
    for (i = 0; i < rec->n_fields; i++) {
        for (c = 0; c < N_COLS; c++)
            if (strcmp(rec->fields[i], col_names[c]) == 0)
                break;
        if (c == N_COLS) {
            /* Quoted only when it reads as a column name: a file without its header line has a
             * data row here, and a reason never repeats a number from the file. */
            problem(ps, rec->line, NULL,
                    word_like(rec->fields[i])
                        ? apr_psprintf(ps->pool, "unknown column '%.40s' in the header", rec->fields[i])
                        : apr_psprintf(ps->pool, "unknown column %d in the header, and it is not a column name "
                                       "(is the header line missing?)", i + 1));
            ok = 0;
        } else if (index[c] >= 0) {
            problem(ps, rec->line, col_names[c], "appears twice in the header");
            ok = 0;
        } else {
            index[c] = i;
        }
    }
    for (c = 0; c < FIRST_OPTIONAL; c++) {
        if (index[c] < 0) {
            problem(ps, rec->line, col_names[c], "is missing from the header");
            ok = 0;
        }
    }
    return ok;
}

static const char *keep(parser_t *ps, const char *v)
{
    return v ? apr_pstrdup(ps->pool, v) : NULL;
}

static void row(parser_t *ps, const fst_csv_record_t *rec, const int *index, apr_array_header_t *rows,
                apr_hash_t *pupils, apr_hash_t *pupil_numbers, apr_hash_t *guardian_keys)
{
    const char *f[N_COLS];
    foresatt_roster_row_t r;
    int c, ok = 1, v, any_guardian = 0;
    pupil_seen_t *seen;

    memset(&r, 0, sizeof(r));
    if (rec->n_fields != index[N_COLS]) {
        problem(ps, rec->line, NULL,
                apr_psprintf(ps->pool, "has %d fields, the header has %d", rec->n_fields, index[N_COLS]));
        return;
    }
    for (c = 0; c < N_COLS; c++)
        f[c] = index[c] >= 0 ? rec->fields[index[c]] : "";

    if (check_text(ps, C_STUDENT_ID, f[C_STUDENT_ID], FORESATT_MAX_ID_LEN, 1, 0))
        r.pupil_id = f[C_STUDENT_ID];
    else
        ok = 0;
    if (*f[C_STUDENT_FNR] == '\0') {
        problem(ps, ps->line, col_names[C_STUDENT_FNR], "is empty");
        ok = 0;
    } else if (check_number(ps, C_STUDENT_FNR, f[C_STUDENT_FNR])) {
        r.pupil_number = f[C_STUDENT_FNR];
    } else {
        ok = 0;
    }
    if (check_text(ps, C_SCHOOL, f[C_SCHOOL], FORESATT_MAX_ID_LEN, 1, 0))
        r.school = f[C_SCHOOL];
    else
        ok = 0;
    if (strcmp(f[C_STATUS], "active") == 0) {
        r.enrollment = FORESATT_ENROLLMENT_ACTIVE;
    } else if (strcmp(f[C_STATUS], "left") == 0) {
        r.enrollment = FORESATT_ENROLLMENT_LEFT;
    } else if (strcmp(f[C_STATUS], "completed") == 0) {
        r.enrollment = FORESATT_ENROLLMENT_COMPLETED;
    } else {
        problem(ps, ps->line, col_names[C_STATUS],
                *f[C_STATUS] ? "must be active, left or completed" : "is empty (give active, left or completed)");
        ok = 0;
    }
    if ((v = yes_no(ps, C_CONSENT, f[C_CONSENT], 1)) < 0)
        ok = 0;
    else
        r.consent_extended = v;

    for (c = C_GUARDIAN_FNR; c < N_COLS; c++)
        if (c != C_ADDRESS || index[C_ADDRESS] >= 0)
            any_guardian |= *f[c] != '\0';

    if (any_guardian) {
        if (check_text(ps, C_GUARDIAN_NAME, f[C_GUARDIAN_NAME], FORESATT_MAX_NAME_LEN, 1, 0))
            r.guardian_name = f[C_GUARDIAN_NAME];
        else
            ok = 0;
        if (strcmp(f[C_FNR_USE], "accepted") == 0) {
            r.fnr_use = FORESATT_FNR_USE_ACCEPTED;
            if (*f[C_GUARDIAN_FNR] == '\0') {
                problem(ps, ps->line, col_names[C_GUARDIAN_FNR], "is empty, but fnr_use is accepted");
                ok = 0;
            } else if (check_number(ps, C_GUARDIAN_FNR, f[C_GUARDIAN_FNR])) {
                r.guardian_number = f[C_GUARDIAN_FNR];
                if (r.pupil_number && strcmp(r.guardian_number, r.pupil_number) == 0) {
                    problem(ps, ps->line, col_names[C_GUARDIAN_FNR], "is the pupil's own number");
                    ok = 0;
                }
            } else {
                ok = 0;
            }
        } else if (strcmp(f[C_FNR_USE], "refused") == 0) {
            r.fnr_use = FORESATT_FNR_USE_REFUSED;
            if (*f[C_GUARDIAN_FNR] != '\0') {
                problem(ps, ps->line, col_names[C_GUARDIAN_FNR],
                        "must be empty when fnr_use is refused (the school keeps no number for this guardian)");
                ok = 0;
            }
        } else {
            problem(ps, ps->line, col_names[C_FNR_USE],
                    *f[C_FNR_USE] ? "must be accepted or refused" : "is empty (give accepted or refused)");
            ok = 0;
        }
        r.guardian_phone = check_phone(ps, f[C_PHONE], &ok);
        r.guardian_emails = check_emails(ps, f[C_EMAIL], &ok);
        if ((v = yes_no(ps, C_DAILY_CARE, f[C_DAILY_CARE], 0)) < 0)
            ok = 0;
        else
            r.daily_care = v;
        if ((v = yes_no(ps, C_PARENTAL, f[C_PARENTAL], 0)) < 0)
            ok = 0;
        else
            r.parental_responsibility = v;
        if (strcmp(f[C_ADDRESSEE], "main") == 0) {
            r.addressee = FORESATT_ADDRESSEE_MAIN;
        } else if (strcmp(f[C_ADDRESSEE], "secondary") == 0) {
            r.addressee = FORESATT_ADDRESSEE_SECONDARY;
        } else if (*f[C_ADDRESSEE] == '\0') {
            r.addressee = FORESATT_ADDRESSEE_NONE;
        } else {
            problem(ps, ps->line, col_names[C_ADDRESSEE], "must be main, secondary or empty");
            ok = 0;
        }
        if (check_text(ps, C_ADDRESS, f[C_ADDRESS], FORESATT_MAX_ADDRESS_LEN, 0, 1))
            r.guardian_address = *f[C_ADDRESS] ? f[C_ADDRESS] : NULL;
        else
            ok = 0;
    }
    if (!ok)
        return;

    /* The rows of one pupil agree; one number is one pupil; one guardian once per pupil. */
    seen = apr_hash_get(pupils, r.pupil_id, APR_HASH_KEY_STRING);
    if (seen) {
        const foresatt_roster_row_t *p = seen->row;
        if (strcmp(p->pupil_number, r.pupil_number) != 0 || strcmp(p->school, r.school) != 0 ||
            p->enrollment != r.enrollment || p->consent_extended != r.consent_extended) {
            problem(ps, ps->line, NULL,
                    apr_psprintf(ps->pool,
                                 "student_id given on line %d with a different student_fnr, school, status or "
                                 "consent_extended",
                                 seen->line));
            return;
        }
        /* the pupil's words once, shared by the pupil's rows */
        r.pupil_id = p->pupil_id;
        r.pupil_number = p->pupil_number;
        r.school = p->school;
    } else {
        const pupil_seen_t *other = apr_hash_get(pupil_numbers, r.pupil_number, APR_HASH_KEY_STRING);
        if (other) {
            problem(ps, ps->line, col_names[C_STUDENT_FNR],
                    apr_psprintf(ps->pool, "is also the number of the student on line %d", other->line));
            return;
        }
    }
    /* The record lives in the parser's scratch pool: what the row keeps moves to the roster's. */
    if (!seen) {
        r.pupil_id = apr_pstrdup(ps->pool, r.pupil_id);
        r.pupil_number = apr_pstrdup(ps->pool, r.pupil_number);
        r.school = apr_pstrdup(ps->pool, r.school);
    }
    r.guardian_number = keep(ps, r.guardian_number);
    r.guardian_name = keep(ps, r.guardian_name);
    r.guardian_address = keep(ps, r.guardian_address);
    r.guardian_phone = keep(ps, r.guardian_phone);
    /* guardian_emails: check_emails wrote it in the roster's pool */
    if (r.guardian_name) {
        const char *key = apr_pstrcat(ps->pool, r.pupil_id, "\x1f",
                                      r.guardian_number ? r.guardian_number : "name:", r.guardian_number ? "" :
                                      r.guardian_name, NULL);
        const int *line = apr_hash_get(guardian_keys, key, APR_HASH_KEY_STRING);
        if (line) {
            problem(ps, ps->line, NULL,
                    apr_psprintf(ps->pool, "the same guardian is registered for this student on line %d", *line));
            return;
        }
        apr_hash_set(guardian_keys, key, APR_HASH_KEY_STRING, apr_pmemdup(ps->pool, &ps->line, sizeof(int)));
    }
    *(foresatt_roster_row_t *)apr_array_push(rows) = r;
    if (!seen) {
        seen = apr_palloc(ps->pool, sizeof(*seen));
        seen->line = ps->line;
        seen->row = apr_pmemdup(ps->pool, &r, sizeof(r)); /* the rows array moves as it grows */
        apr_hash_set(pupils, r.pupil_id, APR_HASH_KEY_STRING, seen);
        apr_hash_set(pupil_numbers, r.pupil_number, APR_HASH_KEY_STRING, seen);
    }
}

fst_roster_t *fst_roster_parse(apr_pool_t *pool, const char *data, size_t len)
{
    fst_roster_t *roster = apr_pcalloc(pool, sizeof(*roster));
    apr_array_header_t *rows = apr_array_make(pool, 256, sizeof(foresatt_roster_row_t));
    apr_hash_t *pupils = apr_hash_make(pool), *numbers = apr_hash_make(pool), *gkeys = apr_hash_make(pool);
    parser_t ps = {pool, roster, apr_array_make(pool, 8, sizeof(fst_roster_problem_t)), 0};
    fst_csv_t csv;
    fst_csv_record_t rec;
    const char *err = NULL;
    int index[N_COLS + 1], have_header = 0; /* index[N_COLS]: the header's width */
    fst_csv_result_t rc;
    apr_pool_t *scratch;

    /* Each record in a scratch pool cleared for the next: the roster keeps only what its rows
     * hold, so memory is the file plus the rows. */
    apr_pool_create(&scratch, pool);
    fst_csv_init(&csv, data, len);
    while (apr_pool_clear(scratch), (rc = fst_csv_next(&csv, scratch, &rec, &err)) != FST_CSV_END) {
        if (rc == FST_CSV_ERROR) {
            /* The reader cannot tell where the next record starts: stop here. */
            problem(&ps, rec.line, NULL, apr_pstrdup(pool, err));
            break;
        }
        ps.line = rec.line;
        if (!have_header) {
            have_header = 1;
            if (!header(&ps, &rec, index))
                break;
            index[N_COLS] = rec.n_fields;
            continue;
        }
        if ((size_t)rows->nelts >= MAX_ROWS) {
            problem(&ps, rec.line, NULL, apr_psprintf(pool, "more than %d rows", MAX_ROWS));
            break;
        }
        row(&ps, &rec, index, rows, pupils, numbers, gkeys);
    }
    if (!have_header && roster->n_problems == 0)
        problem(&ps, 0, NULL, "the file is empty (expected a header line and rows)");
    else if (have_header && rows->nelts == 0 && roster->n_problems == 0)
        problem(&ps, 0, NULL, "the file has a header but no rows");
    apr_pool_destroy(scratch);
    roster->rows = (foresatt_roster_row_t *)rows->elts;
    roster->n_rows = (size_t)rows->nelts;
    roster->n_pupils = apr_hash_count(pupils);
    roster->problems = (fst_roster_problem_t *)ps.problems->elts;
    roster->n_listed = (size_t)ps.problems->nelts;
    return roster;
}
