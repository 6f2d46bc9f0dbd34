/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * Phone and e-mail checks (contact.h).
 */
#include <string.h>
#include <strings.h>

#include <apr_lib.h>
#include <apr_strings.h>

#include "selfservice/contact.h"

#define E164_MIN_DIGITS 8
#define E164_MAX_DIGITS 15
#define LOCAL_MAX 64
#define LABEL_MAX 63
#define DOMAIN_MAX 253

static const char *trim(apr_pool_t *pool, const char *s, size_t *len)
{
    size_t n;

    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    *len = n;
    return apr_pstrmemdup(pool, s, n);
}

fst_contact_error_t fst_contact_phone(apr_pool_t *pool, const char *in, const char **out)
{
    char digits[FST_PHONE_INPUT_MAX + 1];
    size_t len, i, n = 0;
    int plus = 0;
    const char *s;

    *out = "";
    if (in == NULL)
        return FST_CONTACT_OK;
    s = trim(pool, in, &len);
    if (len == 0)
        return FST_CONTACT_OK;
    if (len > FST_PHONE_INPUT_MAX)
        return FST_CONTACT_TOO_LONG;
    for (i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digits[n++] = c;
        else if (c == '+' && i == 0)
            plus = 1;
        else if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')')
            return FST_CONTACT_PHONE_CHARACTERS;
    }
    digits[n] = '\0';
    if (n == 0)
        return FST_CONTACT_PHONE_CHARACTERS;
    if (!plus && n > 2 && digits[0] == '0' && digits[1] == '0') {
        memmove(digits, digits + 2, n - 1);
        n -= 2;
        plus = 1;
    }
    if (!plus) {
        if (n != 8)
            return FST_CONTACT_PHONE_COUNTRY;
        *out = apr_pstrcat(pool, "+47", digits, NULL);
        return FST_CONTACT_OK;
    }
    if (n < E164_MIN_DIGITS || n > E164_MAX_DIGITS || digits[0] == '0')
        return FST_CONTACT_PHONE_LENGTH;
    if (digits[0] == '4' && digits[1] == '7' && n != 10)
        return FST_CONTACT_PHONE_LENGTH;
    if (n + 1 > FORESATT_MAX_PHONE_LEN)
        return FST_CONTACT_TOO_LONG;
    *out = apr_pstrcat(pool, "+", digits, NULL);
    return FST_CONTACT_OK;
}

static int atext(char c)
{
    return apr_isalnum(c) || (c != '\0' && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static int local_ok(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] == '.') {
            if (s[i + 1] == '.')
                return 0;
        }
        else if (!atext(s[i]) || (unsigned char)s[i] >= 0x80)
            return 0;
    }
    return 1;
}

static int domain_ok(const char *s, size_t n)
{
    size_t i = 0, labels = 0;
    const char *last = s;
    size_t last_len = 0;

    if (n == 0 || n > DOMAIN_MAX)
        return 0;
    while (i <= n) {
        size_t start = i, len;
        while (i < n && s[i] != '.')
            i++;
        len = i - start;
        if (len == 0 || len > LABEL_MAX || s[start] == '-' || s[i - 1] == '-')
            return 0;
        for (size_t k = start; k < i; k++)
            if (!apr_isalnum(s[k]) && s[k] != '-')
                return 0;
        last = s + start;
        last_len = len;
        labels++;
        i++; /* past the dot (or the end) */
    }
    if (labels < 2)
        return 0;
    if (last_len >= 4 && strncasecmp(last, "xn--", 4) == 0)
        return 1;
    if (last_len < 2)
        return 0;
    for (i = 0; i < last_len; i++)
        if (!apr_isalpha(last[i]))
            return 0;
    return 1;
}

fst_contact_error_t fst_contact_email(apr_pool_t *pool, const char *in, const char **out)
{
    size_t len, i;
    const char *s, *at;
    char *norm;

    *out = NULL;
    if (in == NULL)
        return FST_CONTACT_EMAIL_FORM;
    s = trim(pool, in, &len);
    if (len > FORESATT_MAX_EMAIL_LEN)
        return FST_CONTACT_TOO_LONG;
    at = strrchr(s, '@');
    if (at == NULL || !local_ok(s, (size_t)(at - s)) || !domain_ok(at + 1, strlen(at + 1)))
        return FST_CONTACT_EMAIL_FORM;
    norm = apr_pstrdup(pool, s);
    for (i = (size_t)(at - s) + 1; norm[i]; i++)
        norm[i] = (char)apr_tolower(norm[i]);
    *out = norm;
    return FST_CONTACT_OK;
}

fst_contact_error_t fst_contact_emails(apr_pool_t *pool, const char *const *in, size_t n_in,
                                       const char *out[FORESATT_MAX_EMAILS], size_t *n_out, size_t *bad)
{
    size_t i, j, n = 0;

    *n_out = 0;
    *bad = 0;
    for (i = 0; i < n_in; i++) {
        const char *norm;
        size_t len;
        fst_contact_error_t rc;

        if (in[i] == NULL || (trim(pool, in[i], &len), len == 0))
            continue;
        *bad = i;
        if ((rc = fst_contact_email(pool, in[i], &norm)) != FST_CONTACT_OK)
            return rc;
        for (j = 0; j < n; j++)
            if (strcasecmp(out[j], norm) == 0)
                return FST_CONTACT_EMAIL_DUPLICATE;
        if (n == FORESATT_MAX_EMAILS)
            return FST_CONTACT_EMAIL_TOO_MANY;
        out[n++] = norm;
    }
    *n_out = n;
    return FST_CONTACT_OK;
}

const char *fst_contact_error_name(fst_contact_error_t err)
{
    switch (err) {
    case FST_CONTACT_OK:
        return "ok";
    case FST_CONTACT_TOO_LONG:
        return "too_long";
    case FST_CONTACT_PHONE_CHARACTERS:
        return "phone_characters";
    case FST_CONTACT_PHONE_COUNTRY:
        return "phone_country_code";
    case FST_CONTACT_PHONE_LENGTH:
        return "phone_length";
    case FST_CONTACT_EMAIL_FORM:
        return "email_form";
    case FST_CONTACT_EMAIL_DUPLICATE:
        return "email_duplicate";
    case FST_CONTACT_EMAIL_TOO_MANY:
        return "email_too_many";
    }
    return "invalid";
}
