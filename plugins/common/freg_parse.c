/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Folkeregister person documents to foresatt_person_t (see freg.h for what is kept and why).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "freg_parse.h"
#include "json_guard.h"

typedef struct ctx {
    const foresatt_host_t *host;
    foresatt_arena_t *arena;
    int64_t now;
    foresatt_status_t *status;
} ctx_t;

static foresatt_result_t fail(ctx_t *c, const char *fmt, ...) FORESATT_PRINTF(2, 3);

static foresatt_result_t fail(ctx_t *c, const char *fmt, ...)
{
    va_list ap;

    if (c->status) {
        va_start(ap, fmt);
        vsnprintf(c->status->message, sizeof(c->status->message), fmt, ap);
        va_end(ap);
    }
    return FORESATT_ERROR;
}

int freg_number_shape(const char *s)
{
    size_t i;

    if (s == NULL)
        return 0;
    for (i = 0; i < 11; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[11] == '\0';
}

int freg_depth_ok(const char *json, size_t len, int max_depth)
{
    return fst_json_depth(json, len, max_depth) <= max_depth; /* unbalanced (-1): jansson refuses it */
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0, i;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dim[m - 1];
}

/* YYYY-MM-DD; returns the rest of the string or NULL. */
static const char *parse_date(const char *s, int *y, int *m, int *d)
{
    if (!digits(s, 4, y) || s[4] != '-' || !digits(s + 5, 2, m) || s[7] != '-' || !digits(s + 8, 2, d))
        return NULL;
    if (*m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
        return NULL;
    return s + 10;
}

int freg_parse_time(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
    const char *p;

    if (s == NULL || (p = parse_date(s, &y, &mo, &d)) == NULL)
        return 0;
    if ((*p != 'T' && *p != 't' && *p != ' ') || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi))
        return 0;
    p += 6;
    sec = 0;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec))
            return 0;
        p += 3;
        if (*p == '.') {
            p++;
            if (*p < '0' || *p > '9')
                return 0;
            while (*p >= '0' && *p <= '9')
                p++;
        }
    }
    if (h > 23 || mi > 59 || sec > 60)
        return 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return 0;
        p += 6;
    } else {
        return 0; /* a time without an offset is ambiguous */
    }
    if (*p != '\0')
        return 0;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec -
           sign * (oh * 3600 + om * 60);
    return 1;
}

/* --- typed access to one entry's fields --------------------------------------------------- */

/* A field of one type (a string or an object): absent or null -> *out NULL and OK; another type -> error. */
static foresatt_result_t get_field(ctx_t *c, json_t *obj, const char *part, const char *key, json_type type,
                                   json_t **out)
{
    json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return FORESATT_OK;
    if (json_typeof(v) != type)
        return fail(c, "register answer: %s.%s is not %s", part, key, type == JSON_STRING ? "a string" : "an object");
    *out = v;
    return FORESATT_OK;
}

static foresatt_result_t get_string(ctx_t *c, json_t *obj, const char *part, const char *key, const char **out)
{
    json_t *v;
    foresatt_result_t rc = get_field(c, obj, part, key, JSON_STRING, &v);

    *out = v ? json_string_value(v) : NULL;
    return rc;
}

static foresatt_result_t get_time(ctx_t *c, json_t *obj, const char *part, const char *key, int64_t *out)
{
    const char *s;

    *out = 0;
    if (get_string(c, obj, part, key, &s) != FORESATT_OK)
        return FORESATT_ERROR;
    if (s != NULL && !freg_parse_time(s, out))
        return fail(c, "register answer: %s.%s is not a date-time", part, key);
    return FORESATT_OK;
}

typedef struct meta {
    int gjeldende; /* erGjeldende true */
    int64_t valid_from;
    int64_t ended_at;
} meta_t;

/* Entry i of a part: an object, and its validity. */
static foresatt_result_t get_meta(ctx_t *c, json_t *entry, const char *part, size_t i, meta_t *m)
{
    json_t *g;

    memset(m, 0, sizeof(*m));
    if (!json_is_object(entry))
        return fail(c, "register answer: %s[%zu] is not an object", part, i);
    g = json_object_get(entry, "erGjeldende");
    if (g != NULL && !json_is_boolean(g) && !json_is_null(g))
        return fail(c, "register answer: %s.erGjeldende is not a boolean", part);
    m->gjeldende = g != NULL && json_is_true(g);
    if (get_time(c, entry, part, "gyldighetstidspunkt", &m->valid_from) != FORESATT_OK ||
        get_time(c, entry, part, "opphoerstidspunkt", &m->ended_at) != FORESATT_OK)
        return FORESATT_ERROR;
    return FORESATT_OK;
}

static int is_current(const ctx_t *c, const meta_t *m)
{
    return m->gjeldende && (m->ended_at == 0 || m->ended_at > c->now);
}

/* The array of a part: absent -> NULL and OK; wrong type or too long -> error. */
static foresatt_result_t get_part(ctx_t *c, json_t *doc, const char *part, json_t **out)
{
    json_t *v = json_object_get(doc, part);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return FORESATT_OK;
    if (!json_is_array(v))
        return fail(c, "register answer: %s is not an array", part);
    if (json_array_size(v) > FREG_MAX_ENTRIES)
        return fail(c, "register answer: %s has more than %u entries", part, FREG_MAX_ENTRIES);
    *out = v;
    return FORESATT_OK;
}

/* The first current entry of a single-valued part, or NULL. Every entry must be an object. */
static foresatt_result_t current_entry(ctx_t *c, json_t *doc, const char *part, json_t **out)
{
    json_t *arr, *e;
    size_t i;
    meta_t m;

    *out = NULL;
    if (get_part(c, doc, part, &arr) != FORESATT_OK)
        return FORESATT_ERROR;
    json_array_foreach(arr, i, e) {
        if (get_meta(c, e, part, i, &m) != FORESATT_OK)
            return FORESATT_ERROR;
        if (is_current(c, &m) && *out == NULL)
            *out = e;
    }
    return FORESATT_OK;
}

/* One result per entry of a part's array, in the arena; NULL for none. */
static void *room_for_entries(ctx_t *c, json_t *arr, size_t size)
{
    size_t n = json_array_size(arr);

    return n ? c->host->alloc(c->arena, size * n) : NULL;
}

static const char *sdup(ctx_t *c, const char *s)
{
    return s ? c->host->strdup(c->arena, s) : NULL;
}

/* --- the parts ------------------------------------------------------------------------------- */

static foresatt_result_t parse_identity(ctx_t *c, json_t *doc, foresatt_person_t *p)
{
    json_t *arr, *e;
    size_t i;

    if (get_part(c, doc, "identifikasjonsnummer", &arr) != FORESATT_OK)
        return FORESATT_ERROR;
    json_array_foreach(arr, i, e) {
        const char *number, *status, *type;
        meta_t m;

        if (get_meta(c, e, "identifikasjonsnummer", i, &m) != FORESATT_OK ||
            get_string(c, e, "identifikasjonsnummer", "foedselsEllerDNummer", &number) != FORESATT_OK ||
            get_string(c, e, "identifikasjonsnummer", "status", &status) != FORESATT_OK ||
            get_string(c, e, "identifikasjonsnummer", "identifikatortype", &type) != FORESATT_OK)
            return FORESATT_ERROR;
        if (!is_current(c, &m) || status == NULL || strcmp(status, "iBruk") != 0)
            continue;
        if (!freg_number_shape(number))
            return fail(c, "register answer: identifikasjonsnummer[%zu].foedselsEllerDNummer is not 11 digits", i);
        p->number = sdup(c, number);
        p->is_dnumber = type != NULL && strcmp(type, "dNummer") == 0;
        return FORESATT_OK;
    }
    return fail(c, "register answer: the person has no identity number in use (identifikasjonsnummer iBruk)");
}

static foresatt_result_t parse_name(ctx_t *c, json_t *doc, foresatt_person_t *p)
{
    json_t *e;
    const char *given, *middle, *family;

    if (current_entry(c, doc, "navn", &e) != FORESATT_OK)
        return FORESATT_ERROR;
    if (e == NULL)
        return FORESATT_OK;
    if (get_string(c, e, "navn", "fornavn", &given) != FORESATT_OK ||
        get_string(c, e, "navn", "mellomnavn", &middle) != FORESATT_OK ||
        get_string(c, e, "navn", "etternavn", &family) != FORESATT_OK)
        return FORESATT_ERROR;
    p->given_name = sdup(c, given);
    p->middle_name = sdup(c, middle);
    p->family_name = sdup(c, family);
    return FORESATT_OK;
}

/* A string of a single-valued part's current entry; NULL when there is none. */
static foresatt_result_t current_string(ctx_t *c, json_t *doc, const char *part, const char *key, const char **out)
{
    json_t *e;

    *out = NULL;
    if (current_entry(c, doc, part, &e) != FORESATT_OK)
        return FORESATT_ERROR;
    return e ? get_string(c, e, part, key, out) : FORESATT_OK;
}

static foresatt_result_t parse_birth(ctx_t *c, json_t *doc, foresatt_person_t *p)
{
    const char *date;
    int y, m, d;

    if (current_string(c, doc, "foedsel", "foedselsdato", &date) != FORESATT_OK)
        return FORESATT_ERROR;
    if (date == NULL)
        return FORESATT_OK; /* only the year is known */
    if (parse_date(date, &y, &m, &d) == NULL || date[10] != '\0')
        return fail(c, "register answer: foedsel.foedselsdato is not a date (YYYY-MM-DD)");
    p->birth_date = sdup(c, date);
    return FORESATT_OK;
}

static foresatt_result_t parse_status(ctx_t *c, json_t *doc, foresatt_person_t *p)
{
    const char *status;

    if (current_string(c, doc, "status", "status", &status) != FORESATT_OK)
        return FORESATT_ERROR;
    p->status = sdup(c, status);
    return FORESATT_OK;
}

static foresatt_grading_t grading_of(const char *s)
{
    if (s == NULL || strcmp(s, "ugradert") == 0)
        return FORESATT_GRADING_NONE;
    if (strcmp(s, "klientadresse") == 0)
        return FORESATT_GRADING_CLIENT;
    if (strcmp(s, "fortrolig") == 0)
        return FORESATT_GRADING_CONFIDENTIAL;
    return FORESATT_GRADING_STRICTLY_CONFIDENTIAL; /* strengtFortrolig, and anything unknown */
}

static int hidden(foresatt_grading_t g)
{
    return g >= FORESATT_GRADING_CONFIDENTIAL;
}

/* A sub-object that may be absent; wrong type -> error. */
static foresatt_result_t get_object(ctx_t *c, json_t *obj, const char *part, const char *key, json_t **out)
{
    return get_field(c, obj, part, key, JSON_OBJECT, out);
}

static foresatt_result_t parse_address(ctx_t *c, json_t *doc, foresatt_person_t *p)
{
    json_t *e, *protection, *road, *matrikkel, *number, *post;
    const char *grading, *level, *street = NULL, *house = NULL, *letter = NULL, *code = NULL, *town = NULL,
                                  *municipality = NULL;
    foresatt_grading_t g;

    if (current_entry(c, doc, "bostedsadresse", &e) != FORESATT_OK ||
        current_entry(c, doc, "adressebeskyttelse", &protection) != FORESATT_OK)
        return FORESATT_ERROR;
    if (get_string(c, protection, "adressebeskyttelse", "graderingsnivaa", &level) != FORESATT_OK)
        return FORESATT_ERROR;
    if (e == NULL)
        return FORESATT_OK;
    if (get_string(c, e, "bostedsadresse", "adressegradering", &grading) != FORESATT_OK)
        return FORESATT_ERROR;
    g = grading_of(grading);
    if (protection && grading_of(level) > g)
        g = grading_of(level);
    p->has_address = 1;
    p->address.grading = g;
    if (hidden(g))
        return FORESATT_OK; /* carry nothing of a protected address */

    if (get_object(c, e, "bostedsadresse", "vegadresse", &road) != FORESATT_OK ||
        get_object(c, e, "bostedsadresse", "matrikkeladresse", &matrikkel) != FORESATT_OK)
        return FORESATT_ERROR;
    if (road) {
        if (get_string(c, road, "vegadresse", "adressenavn", &street) != FORESATT_OK ||
            get_string(c, road, "vegadresse", "kommunenummer", &municipality) != FORESATT_OK ||
            get_object(c, road, "vegadresse", "adressenummer", &number) != FORESATT_OK ||
            get_object(c, road, "vegadresse", "poststed", &post) != FORESATT_OK)
            return FORESATT_ERROR;
        if (number && (get_string(c, number, "adressenummer", "husnummer", &house) != FORESATT_OK ||
                       get_string(c, number, "adressenummer", "husbokstav", &letter) != FORESATT_OK))
            return FORESATT_ERROR;
    } else if (matrikkel) {
        if (get_string(c, matrikkel, "matrikkeladresse", "adressetilleggsnavn", &street) != FORESATT_OK ||
            get_object(c, matrikkel, "matrikkeladresse", "poststed", &post) != FORESATT_OK)
            return FORESATT_ERROR;
    } else {
        post = NULL; /* ukjentBosted and the like: an address without a street */
    }
    if (post && (get_string(c, post, "poststed", "postnummer", &code) != FORESATT_OK ||
                 get_string(c, post, "poststed", "poststedsnavn", &town) != FORESATT_OK))
        return FORESATT_ERROR;
    p->address.street = sdup(c, street);
    if (house && letter) {
        char *hn = c->host->alloc(c->arena, strlen(house) + strlen(letter) + 1);
        strcpy(hn, house);
        strcat(hn, letter);
        p->address.house_number = hn;
    } else {
        p->address.house_number = sdup(c, house);
    }
    p->address.postal_code = sdup(c, code);
    p->address.post_town = sdup(c, town);
    p->address.municipality = sdup(c, municipality);
    return FORESATT_OK;
}

static foresatt_result_t optional_number(ctx_t *c, json_t *e, const char *part, size_t i, const char *key,
                                         const char **out)
{
    if (get_string(c, e, part, key, out) != FORESATT_OK)
        return FORESATT_ERROR;
    if (*out != NULL && !freg_number_shape(*out))
        return fail(c, "register answer: %s[%zu].%s is not 11 digits", part, i, key);
    return FORESATT_OK;
}

/* Reads entry i of a multi-valued part (an object, m its validity) into result; *keep 0 drops it. */
typedef foresatt_result_t (*read_entry_fn)(ctx_t *c, json_t *e, const char *part, size_t i, const meta_t *m,
                                           void *result, int *keep);

/* Every entry of a multi-valued part through read; *results one per kept entry (NULL for none). */
static foresatt_result_t parse_entries(ctx_t *c, json_t *doc, const char *part, size_t size, read_entry_fn read,
                                       void **results, size_t *n)
{
    json_t *arr, *e;
    char *out;
    size_t i;

    *n = 0;
    if (get_part(c, doc, part, &arr) != FORESATT_OK)
        return FORESATT_ERROR;
    out = room_for_entries(c, arr, size);
    json_array_foreach(arr, i, e) {
        meta_t m;
        int keep = 0;

        if (get_meta(c, e, part, i, &m) != FORESATT_OK ||
            read(c, e, part, i, &m, out + *n * size, &keep) != FORESATT_OK)
            return FORESATT_ERROR;
        *n += keep != 0;
    }
    *results = out;
    return FORESATT_OK;
}

static foresatt_result_t read_responsibility(ctx_t *c, json_t *e, const char *part, size_t i, const meta_t *m,
                                             void *result, int *keep)
{
    foresatt_responsibility_t *out = result;
    const char *kind, *responsible, *subject;

    if (get_string(c, e, part, "ansvar", &kind) != FORESATT_OK ||
        optional_number(c, e, part, i, "ansvarlig", &responsible) != FORESATT_OK ||
        optional_number(c, e, part, i, "ansvarssubjekt", &subject) != FORESATT_OK)
        return FORESATT_ERROR;
    *keep = is_current(c, m) || m->ended_at != 0; /* else superseded, never ended: not a fact */
    if (*keep) {
        out->kind = sdup(c, kind ? kind : "ukjent");
        out->responsible = sdup(c, responsible);
        out->subject = sdup(c, subject);
        out->current = is_current(c, m);
        out->valid_from = m->valid_from;
        out->ended_at = m->ended_at;
    }
    return FORESATT_OK;
}

static foresatt_result_t read_relation(ctx_t *c, json_t *e, const char *part, size_t i, const meta_t *m,
                                       void *result, int *keep)
{
    foresatt_relation_t *out = result;
    const char *related, *role, *mine;

    if (optional_number(c, e, part, i, "relatertPerson", &related) != FORESATT_OK ||
        get_string(c, e, part, "relatertPersonsRolle", &role) != FORESATT_OK ||
        get_string(c, e, part, "minRolleForPerson", &mine) != FORESATT_OK)
        return FORESATT_ERROR;
    *keep = is_current(c, m);
    if (*keep) {
        out->related = sdup(c, related);
        out->related_role = sdup(c, role);
        out->my_role = sdup(c, mine);
    }
    return FORESATT_OK;
}

static foresatt_result_t person_from_json(ctx_t *c, json_t *doc, foresatt_person_t **person)
{
    foresatt_person_t *p;
    void *responsibilities, *relations;

    if (!json_is_object(doc))
        return fail(c, "register answer: the person document is not a JSON object");
    p = c->host->alloc(c->arena, sizeof(*p));
    p->struct_size = sizeof(*p);
    if (parse_identity(c, doc, p) != FORESATT_OK || parse_name(c, doc, p) != FORESATT_OK ||
        parse_birth(c, doc, p) != FORESATT_OK || parse_status(c, doc, p) != FORESATT_OK ||
        parse_address(c, doc, p) != FORESATT_OK ||
        parse_entries(c, doc, "foreldreansvar", sizeof(foresatt_responsibility_t), read_responsibility,
                      &responsibilities, &p->n_responsibilities) != FORESATT_OK ||
        parse_entries(c, doc, "familierelasjon", sizeof(foresatt_relation_t), read_relation, &relations,
                      &p->n_relations) != FORESATT_OK)
        return FORESATT_ERROR;
    p->responsibilities = responsibilities;
    p->relations = relations;
    *person = p;
    return FORESATT_OK;
}

/* jansson's own text quotes the document near the error ("near '\"14838000089\"'"), and status
 * messages reach the logs: say what is wrong in fixed words, never with the document's content. */
static const char *json_problem(const json_error_t *err)
{
    switch (json_error_code(err)) {
    case json_error_invalid_utf8:
        return "invalid UTF-8";
    case json_error_premature_end_of_input:
        return "the document ends early";
    case json_error_end_of_input_expected:
        return "text after the document";
    case json_error_null_character:
    case json_error_null_byte_in_key:
        return "a NUL character";
    case json_error_duplicate_key:
        return "a key given twice";
    case json_error_numeric_overflow:
        return "a number out of range";
    case json_error_stack_overflow:
        return "nested too deeply";
    case json_error_out_of_memory:
        return "out of memory";
    default:
        return "a syntax error";
    }
}

static foresatt_result_t load(ctx_t *c, const char *json, size_t len, size_t max, json_t **out)
{
    json_error_t err;

    *out = NULL;
    if (json == NULL || len == 0)
        return fail(c, "register answer: empty");
    if (len > max)
        return fail(c, "register answer: %zu bytes, more than the %zu allowed", len, max);
    if (!freg_depth_ok(json, len, FREG_MAX_DEPTH))
        return fail(c, "register answer: nested deeper than %d levels", FREG_MAX_DEPTH);
    *out = json_loadb(json, len, JSON_REJECT_DUPLICATES, &err);
    if (*out == NULL)
        return fail(c, "register answer: not valid JSON (%s at line %d, column %d)", json_problem(&err), err.line,
                    err.column);
    return FORESATT_OK;
}

foresatt_result_t freg_parse_person(const foresatt_host_t *host, foresatt_arena_t *arena, const char *json,
                                    size_t len, int64_t now, foresatt_person_t **person,
                                    foresatt_status_t *status)
{
    ctx_t c = {host, arena, now, status};
    json_t *doc;
    foresatt_result_t rc;

    *person = NULL;
    if (load(&c, json, len, FREG_MAX_DOCUMENT, &doc) != FORESATT_OK)
        return FORESATT_ERROR;
    rc = person_from_json(&c, doc, person);
    json_decref(doc);
    if (rc != FORESATT_OK)
        *person = NULL;
    return rc;
}

foresatt_result_t freg_parse_bulk(const foresatt_host_t *host, foresatt_arena_t *arena, const char *json,
                                  size_t len, int64_t now, const char *const *numbers, size_t n,
                                  foresatt_person_t **persons, foresatt_status_t *status)
{
    ctx_t c = {host, arena, now, status};
    json_t *doc, *list, *e;
    foresatt_result_t rc = FORESATT_OK;
    size_t i, k;

    for (k = 0; k < n; k++)
        persons[k] = NULL;
    if (load(&c, json, len, FREG_MAX_BULK, &doc) != FORESATT_OK)
        return FORESATT_ERROR;
    list = json_is_object(doc) ? json_object_get(doc, "oppslag") : NULL;
    if (!json_is_array(list)) {
        json_decref(doc);
        return fail(&c, "register answer: no 'oppslag' array in the bulk answer");
    }
    json_array_foreach(list, i, e) {
        const char *number;
        json_t *person;

        if (!json_is_object(e)) {
            rc = fail(&c, "register answer: oppslag[%zu] is not an object", i);
            break;
        }
        if (get_string(&c, e, "oppslag", "foedselsEllerDNummer", &number) != FORESATT_OK) {
            rc = FORESATT_ERROR;
            break;
        }
        person = json_object_get(e, "folkeregisterperson");
        if (number == NULL || person == NULL || json_is_null(person))
            continue; /* a feilmelding for a number: not found */
        for (k = 0; k < n; k++) {
            if (persons[k] == NULL && strcmp(numbers[k], number) == 0) {
                rc = person_from_json(&c, person, &persons[k]);
                break;
            }
        }
        if (rc != FORESATT_OK)
            break;
    }
    json_decref(doc);
    if (rc != FORESATT_OK)
        for (k = 0; k < n; k++)
            persons[k] = NULL;
    return rc;
}
