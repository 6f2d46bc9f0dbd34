/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * What a refused guardian sees: a plain page in bokmål and English that says why in words a parent
 * understands, and nothing about pupils they may not see (a pupil they hold no responsibility for,
 * or an id that does not exist, get the same words). A register or store that cannot be reached
 * gives 503 and "try again later".
 *
 * mod_authz_core answers a refusal after login with 401 (or 403 with AuthzSendForbiddenOnFailure),
 * and an error with 500. When one of our providers refused, the insert_error_filter hook (run by
 * ap_send_error_response before it writes the body) turns that into 403 or 503 with our page,
 * Cache-Control: no-store and no WWW-Authenticate. An ErrorDocument the site configured still wins.
 * The pages are ASCII with HTML entities, since httpd sends error pages as ISO-8859-1.
 */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <mod_core.h>
#include <http_request.h>

#include "authz/authz.h"

APLOG_USE_MODULE(foresatt);

#define RETRY_AFTER_DEFAULT 30

#define PAGE_HEAD(title_nb, title_en)                                                                         \
    "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta name=\"viewport\" content=\"width=device-width\">\n"   \
    "<title>" title_nb " / " title_en "</title>\n"                                                            \
    "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.5}"        \
    "hr{margin:2em 0}</style>\n</head>\n<body>\n<main>\n"
#define PAGE_NB(title, text) "<section lang=\"nb\">\n<h1>" title "</h1>\n" text "\n</section>\n<hr>\n"
#define PAGE_EN(title, text) "<section lang=\"en\">\n<h1>" title "</h1>\n" text "\n</section>\n"
#define PAGE_TAIL "</main>\n</body>\n</html>\n"

#define CONTACT_NB "<p>Kontakt skolen hvis du mener dette er feil.</p>"
#define CONTACT_EN "<p>Please contact the school if you believe this is wrong.</p>"

#define DENIED(nb, en)                                                                                        \
    PAGE_HEAD("Ingen tilgang", "No access")                                                                   \
    PAGE_NB("Ingen tilgang", nb) PAGE_EN("No access", en) PAGE_TAIL

static const char page_generic[] = DENIED(
    "<p>Du har ikke tilgang til denne eleven.</p>\n"
    "<p>Som foresatt f&aring;r du tilgang til elever du har foreldreansvar for etter Folkeregisteret, og som "
    "skolen har registrert deg som foresatt for.</p>\n" CONTACT_NB,
    "<p>You do not have access to this pupil.</p>\n"
    "<p>As a guardian you have access to pupils you hold parental responsibility for according to the "
    "National Population Register (Folkeregisteret), and whom the school has registered you as a guardian "
    "for.</p>\n" CONTACT_EN);

static const char page_no_pupils[] = DENIED(
    "<p>Vi fant ingen elever ved skolen som du har tilgang til som foresatt.</p>\n"
    "<p>Som foresatt f&aring;r du tilgang til elever under 18 &aring;r som du har foreldreansvar for etter "
    "Folkeregisteret, og som skolen har registrert deg som foresatt for.</p>\n" CONTACT_NB,
    "<p>We found no pupils at this school whom you have access to as a guardian.</p>\n"
    "<p>As a guardian you have access to pupils under 18 you hold parental responsibility for according to "
    "the National Population Register (Folkeregisteret), and whom the school has registered you as a guardian "
    "for.</p>\n" CONTACT_EN);

static const char page_not_registered[] = DENIED(
    "<p>Skolen har ikke registrert deg som foresatt med f&oslash;dselsnummeret ditt, og derfor kan du ikke "
    "logge inn her.</p>\n"
    "<p>Kontakt skolen for &aring; bli registrert. Har du reservert deg mot at skolen bruker "
    "f&oslash;dselsnummeret ditt, f&aring;r du informasjonen fra skolen p&aring; papir i stedet.</p>",
    "<p>The school has not registered you as a guardian with your national identity number, so you cannot "
    "sign in here.</p>\n"
    "<p>Please contact the school to be registered. If you have declined the school's use of your national "
    "identity number, the school sends you its information on paper instead.</p>");

static const char page_not_enrolled[] = DENIED(
    "<p>Eleven g&aring;r ikke lenger ved skolen, og derfor er tilgangen din avsluttet.</p>\n" CONTACT_NB,
    "<p>The pupil is no longer enrolled at the school, so your access has ended.</p>\n" CONTACT_EN);

static const char page_adult[] = DENIED(
    "<p>Eleven har fylt 18 &aring;r. Da har ikke foresatte lenger tilgang, med mindre eleven selv samtykker "
    "til det.</p>\n"
    "<p>Eleven kan gi samtykke n&aring;r som helst, og kan ogs&aring; trekke det tilbake.</p>",
    "<p>The pupil has turned 18. From then on guardians no longer have access, unless the pupil consents to "
    "it.</p>\n"
    "<p>The pupil can give consent at any time, and can also withdraw it.</p>");

static const char page_not_student[] = DENIED(
    "<p>Denne siden er for elever ved skolen, og du er ikke registrert som elev her.</p>\n" CONTACT_NB,
    "<p>This page is for pupils of the school, and you are not registered as a pupil here.</p>\n" CONTACT_EN);

static const char page_no_number[] = DENIED(
    "<p>Innloggingen ga oss ikke f&oslash;dselsnummeret ditt, s&aring; vi kan ikke sjekke hvem du har tilgang "
    "til.</p>\n<p>Logg ut og inn igjen med ID-porten.</p>",
    "<p>Your sign-in did not give us your national identity number, so we cannot check whom you have access "
    "to.</p>\n<p>Please sign out and sign in again with ID-porten.</p>");

static const char page_low_acr[] = DENIED(
    "<p>Du logget inn med et lavere sikkerhetsniv&aring; enn denne tjenesten krever.</p>\n"
    "<p>Logg ut og inn igjen med ID-porten, med BankID, Buypass eller Commfides.</p>",
    "<p>You signed in with a lower level of assurance than this service requires.</p>\n"
    "<p>Please sign out and sign in again with ID-porten, using BankID, Buypass or Commfides.</p>");

static const char page_unavailable[] =
    PAGE_HEAD("Midlertidig utilgjengelig", "Temporarily unavailable")
    PAGE_NB("Midlertidig utilgjengelig",
            "<p>Vi f&aring;r ikke sjekket tilgangen din akkurat n&aring;.</p>\n"
            "<p>Pr&oslash;v igjen om litt.</p>")
    PAGE_EN("Temporarily unavailable",
            "<p>We cannot check your access right now.</p>\n<p>Please try again in a little while.</p>")
    PAGE_TAIL;

const char *fs_authz_page_text(fs_page_t page)
{
    switch (page) {
    case FS_PAGE_GENERIC:
        return page_generic;
    case FS_PAGE_NO_PUPILS:
        return page_no_pupils;
    case FS_PAGE_NOT_REGISTERED:
        return page_not_registered;
    case FS_PAGE_NOT_ENROLLED:
        return page_not_enrolled;
    case FS_PAGE_ADULT:
        return page_adult;
    case FS_PAGE_NOT_STUDENT:
        return page_not_student;
    case FS_PAGE_NO_NUMBER:
        return page_no_number;
    case FS_PAGE_LOW_ACR:
        return page_low_acr;
    case FS_PAGE_UNAVAILABLE:
        return page_unavailable;
    case FS_PAGE_NONE:
        break;
    }
    return NULL;
}

static void insert_error_filter(request_rec *r)
{
    fs_authz_request_t *q;
    int status;

    q = fs_authz_request_kept(r);
    if (q == NULL)
        return;
    /* Refused by the combination (RequireNone, Require not) rather than by one of our lines: the
     * person is logged in, so it is still a 403, not another login. */
    if (q->page == FS_PAGE_NONE && r->status == HTTP_UNAUTHORIZED && r->user != NULL && q->identity != NULL)
        q->page = FS_PAGE_GENERIC;
    if (q->page == FS_PAGE_NONE)
        return;
    if (r->status != HTTP_UNAUTHORIZED && r->status != HTTP_FORBIDDEN && r->status != HTTP_INTERNAL_SERVER_ERROR)
        return;
    /* A 500 that is not ours (a broken expression, say) stays a 500. */
    if (r->status == HTTP_INTERNAL_SERVER_ERROR && q->page != FS_PAGE_UNAVAILABLE)
        return;
    status = q->page == FS_PAGE_UNAVAILABLE ? HTTP_SERVICE_UNAVAILABLE : HTTP_FORBIDDEN;
    if (ap_response_code_string(r, ap_index_of_response(r->status)) == NULL)
        ap_custom_response(r, r->status, fs_authz_page_text(q->page));
    r->status = status;
    r->status_line = NULL;
    /* err_headers_out become the error response's headers */
    apr_table_unset(r->err_headers_out, "WWW-Authenticate");
    apr_table_unset(r->headers_out, "WWW-Authenticate");
    apr_table_setn(r->err_headers_out, "Cache-Control", "no-store");
    if (status == HTTP_SERVICE_UNAVAILABLE)
        apr_table_setn(r->err_headers_out, "Retry-After",
                       apr_itoa(r->pool, q->retry_after ? (int)q->retry_after : RETRY_AFTER_DEFAULT));
}

void fs_authz_pages_register_hooks(apr_pool_t *pool)
{
    (void)pool;
    ap_hook_insert_error_filter(insert_error_filter, NULL, NULL, APR_HOOK_MIDDLE);
}
