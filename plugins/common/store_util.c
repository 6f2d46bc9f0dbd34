/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_util.h"
#include "utf8.h"

int su_list_push(su_list_t *list, void *item)
{
    if (list->n == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 16;
        void **items = realloc(list->items, cap * sizeof(void *));
        if (items == NULL)
            return 0;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->n++] = item;
    return 1;
}

void su_list_free(su_list_t *list)
{
    free(list->items);
    memset(list, 0, sizeof(*list));
}

void **su_list_to_arena(const foresatt_host_t *host, foresatt_arena_t *arena, su_list_t *list, size_t *n)
{
    void **out = host->alloc(arena, (list->n ? list->n : 1) * sizeof(void *));

    if (list->n)
        memcpy(out, list->items, list->n * sizeof(void *));
    *n = list->n;
    su_list_free(list);
    return out;
}

int su_str_ok(const char *s, size_t max)
{
    return s != NULL && *s != '\0' && strlen(s) <= max;
}

int su_opt_str_ok(const char *s, size_t max)
{
    return s == NULL || strlen(s) <= max;
}

int su_number_ok(const char *s)
{
    size_t i;

    if (s == NULL || strlen(s) != 11)
        return 0;
    for (i = 0; i < 11; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int su_audit_entry_ok(const foresatt_audit_entry_t *e, const char **why)
{
    if (!su_str_ok(e->actor, FORESATT_MAX_AUDIT_FIELD_LEN) || !su_str_ok(e->action, FORESATT_MAX_AUDIT_FIELD_LEN) ||
        !su_str_ok(e->decision, FORESATT_MAX_AUDIT_FIELD_LEN)) {
        *why = "actor, action and decision are required (at most 128 bytes each)";
        return 0;
    }
    if (!su_opt_str_ok(e->reason, FORESATT_MAX_AUDIT_FIELD_LEN) || !su_opt_str_ok(e->pupil_id, FORESATT_MAX_ID_LEN) ||
        !su_opt_str_ok(e->detail, FORESATT_MAX_AUDIT_DETAIL_LEN)) {
        *why = "reason, pupil_id or detail is too long";
        return 0;
    }
    if (e->role < FORESATT_ROLE_GUARDIAN || e->role > FORESATT_ROLE_ADMIN) {
        *why = "unknown role";
        return 0;
    }
    return 1;
}

int su_roster_row_ok(const foresatt_roster_row_t *r, const char **why)
{
    if (!su_str_ok(r->pupil_id, FORESATT_MAX_ID_LEN) || !su_number_ok(r->pupil_number) ||
        !su_str_ok(r->school, FORESATT_MAX_ID_LEN) || r->enrollment < FORESATT_ENROLLMENT_ACTIVE ||
        r->enrollment > FORESATT_ENROLLMENT_COMPLETED) {
        *why = "a row has a bad pupil id, number, school or enrollment";
        return 0;
    }
    if (r->guardian_name == NULL)
        return 1;
    if (!su_str_ok(r->guardian_name, FORESATT_MAX_NAME_LEN) ||
        !su_opt_str_ok(r->guardian_address, FORESATT_MAX_ADDRESS_LEN) ||
        !su_opt_str_ok(r->guardian_phone, FORESATT_MAX_PHONE_LEN) ||
        !su_opt_str_ok(r->guardian_emails, FORESATT_MAX_EMAILS * (FORESATT_MAX_EMAIL_LEN + 1)) ||
        r->addressee < FORESATT_ADDRESSEE_NONE || r->addressee > FORESATT_ADDRESSEE_SECONDARY) {
        *why = "a guardian row has a bad name, address, phone, e-mail or addressee";
        return 0;
    }
    if (r->fnr_use == FORESATT_FNR_USE_ACCEPTED ? !su_number_ok(r->guardian_number)
        : r->fnr_use == FORESATT_FNR_USE_REFUSED ? r->guardian_number != NULL
                                                : 1) {
        *why = "a guardian row's number does not match its fnr_use (accepted needs one, refused has none)";
        return 0;
    }
    return 1;
}

char *su_guardian_key(const foresatt_roster_row_t *r, char *buf, size_t size)
{
    if (r->guardian_number)
        snprintf(buf, size, "%s", r->guardian_number);
    else
        snprintf(buf, size, "name:%s", r->guardian_name);
    return buf;
}

void su_guardian_effective(const foresatt_host_t *host, foresatt_arena_t *arena, foresatt_guardian_t *g)
{
    int edited = g->edited_at != 0 && g->edited_at > g->imported_at;
    const char *emails = edited ? g->edited_emails : g->imported_emails;
    const char *s;

    g->phone = edited ? g->edited_phone : g->imported_phone;
    if (g->phone && *g->phone == '\0')
        g->phone = NULL;
    g->n_emails = 0;
    for (s = emails; s && *s && g->n_emails < FORESATT_MAX_EMAILS;) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        char *e = host->alloc(arena, len + 1);
        memcpy(e, s, len);
        if (len)
            g->emails[g->n_emails++] = e;
        s = end ? end + 1 : s + len;
    }
}

int su_utf8_ok(const char *s)
{
    return s == NULL || fst_utf8_valid(s, strlen(s));
}

char *su_utf8_clean(const char *s)
{
    const unsigned char *p, *end;
    char *out, *o;
    size_t n;

    if (su_utf8_ok(s) || (out = malloc(strlen(s) + 1)) == NULL)
        return NULL;
    end = (const unsigned char *)s + strlen(s);
    for (p = (const unsigned char *)s, o = out; *p;) {
        if ((n = fst_utf8_seq(p, (size_t)(end - p))) == 0) {
            *o++ = '?';
            p++;
        } else {
            memcpy(o, p, n);
            o += n;
            p += n;
        }
    }
    *o = '\0';
    return out;
}

foresatt_result_t su_contact_args(const char *number, const char *phone, const char *const *emails, size_t n_emails,
                                  int64_t at, char *joined, foresatt_status_t *status)
{
    size_t i, off = 0;

    if (!su_number_ok(number))
        return plugin_say(status, FORESATT_ERROR, "the guardian number must be 11 digits");
    if (!su_opt_str_ok(phone, FORESATT_MAX_PHONE_LEN) || !su_utf8_ok(phone))
        return plugin_say(status, FORESATT_ERROR, "the phone number is longer than %d bytes or not UTF-8",
                          FORESATT_MAX_PHONE_LEN);
    if (n_emails > FORESATT_MAX_EMAILS || (n_emails && emails == NULL))
        return plugin_say(status, FORESATT_ERROR, "at most %d e-mail addresses", FORESATT_MAX_EMAILS);
    if (at <= 0)
        return plugin_say(status, FORESATT_ERROR, "the time of the edit is required");
    for (i = 0; i < n_emails; i++) {
        if (!su_str_ok(emails[i], FORESATT_MAX_EMAIL_LEN) || strchr(emails[i], ';') || !strchr(emails[i], '@') ||
            !su_utf8_ok(emails[i]))
            return plugin_say(status, FORESATT_ERROR, "e-mail address %zu is empty, too long or not an address", i + 1);
        off += (size_t)snprintf(joined + off, SU_EMAILS_MAX - off, "%s%s", i ? ";" : "", emails[i]);
    }
    joined[off] = '\0';
    return FORESATT_OK;
}

foresatt_result_t su_consent_args(const char *pupil_id, int64_t at, int64_t until, foresatt_status_t *status)
{
    if (!su_str_ok(pupil_id, FORESATT_MAX_ID_LEN))
        return plugin_say(status, FORESATT_ERROR, "no pupil id given, or too long");
    if (at <= 0 || until < 0 || (until && until <= at))
        return plugin_say(status, FORESATT_ERROR, "the consent's times are wrong (at > 0, until 0 or after at)");
    return FORESATT_OK;
}

int su_register_change_ok(const foresatt_register_change_t *c, const char **why)
{
    if (c == NULL || c->struct_size < sizeof(*c) || !su_number_ok(c->number)) {
        *why = "a change without a valid 11-digit number";
        return 0;
    }
    switch (c->kind) {
    case FORESATT_CHANGE_RECHECK:
    case FORESATT_CHANGE_ADDRESS_PROTECTED:
    case FORESATT_CHANGE_DECEASED:
    case FORESATT_CHANGE_ALIVE:
        return 1;
    case FORESATT_CHANGE_GUARDIAN_DETAILS:
        if (!su_str_ok(c->name, FORESATT_MAX_NAME_LEN) || !su_opt_str_ok(c->address, FORESATT_MAX_ADDRESS_LEN) ||
            !su_utf8_ok(c->name) || !su_utf8_ok(c->address)) {
            *why = "guardian details without a name, or with a name or address too long or not UTF-8";
            return 0;
        }
        return 1;
    case FORESATT_CHANGE_NUMBER:
        if (!su_number_ok(c->new_number) || strcmp(c->number, c->new_number) == 0 || (c->actor == NULL) != (c->new_actor == NULL) ||
            !su_opt_str_ok(c->actor, FORESATT_MAX_AUDIT_FIELD_LEN) ||
            !su_opt_str_ok(c->new_actor, FORESATT_MAX_AUDIT_FIELD_LEN)) {
            *why = "a number change without another valid number, or with one pseudonym of the two";
            return 0;
        }
        return 1;
    }
    *why = "a change of a kind this store does not know";
    return 0;
}

foresatt_result_t su_register_args(const foresatt_register_change_t *changes, size_t n, const char *feed,
                                   int64_t feed_sequence, foresatt_status_t *status)
{
    const char *why = NULL;
    size_t i;

    if (n > 0 && changes == NULL)
        return plugin_say(status, FORESATT_ERROR, "register_apply: no changes given");
    if (feed != NULL && (!su_str_ok(feed, FORESATT_MAX_ID_LEN) || !su_utf8_ok(feed) || feed_sequence < 0))
        return plugin_say(status, FORESATT_ERROR, "register_apply: a feed name of 1 to %d bytes and a sequence number "
                                               "of 0 or more", FORESATT_MAX_ID_LEN);
    if (feed == NULL && n == 0)
        return plugin_say(status, FORESATT_ERROR, "register_apply: neither changes nor a feed position");
    for (i = 0; i < n; i++)
        if (!su_register_change_ok(&changes[i], &why))
            return plugin_say(status, FORESATT_ERROR, "change %zu: %s; nothing was applied", i + 1, why);
    return FORESATT_OK;
}

foresatt_result_t su_held_args(const char *const *numbers, size_t n, const unsigned *held, foresatt_status_t *status)
{
    size_t i;

    if ((n > 0 && (numbers == NULL || held == NULL)) || n > SU_HELD_MAX)
        return plugin_say(status, FORESATT_ERROR, "numbers_held: at most %d numbers and a result array", SU_HELD_MAX);
    for (i = 0; i < n; i++)
        if (!su_number_ok(numbers[i]))
            return plugin_say(status, FORESATT_ERROR, "numbers_held: number %zu is not 11 digits", i + 1);
    return FORESATT_OK;
}
