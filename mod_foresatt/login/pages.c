/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * The login's pages: plain HTML in Norwegian bokmål with English below, never echoing the request
 * (no query parameter is ever shown), with anything that came from a peer escaped. Pages are pure
 * ASCII (HTML entities for æ, ø, å) so they read right whether httpd labels them utf-8 (our
 * handlers) or iso-8859-1 (error documents). Every page and redirect is Cache-Control: no-store.
 */
#include <apr_strings.h>
#include <http_core.h>
#include <http_protocol.h>
#include <http_request.h>

#include "encoding.h"
#include "http/http.h"
#include "login/login.h"

#define STYLE "body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em;line-height:1.5}"

const fs_login_page_t fs_page_op_unavailable = {
    "ID-porten svarer ikke",
    "Innloggingen kan ikke gjennomf&oslash;res akkurat n&aring; fordi ID-porten ikke svarer. Pr&oslash;v igjen om "
    "litt.",
    "ID-porten is not responding",
    "You cannot log in right now because ID-porten is not responding. Please try again in a little while.",
    NULL, NULL, NULL, NULL};

const fs_login_page_t fs_page_login_failed = {
    "Innloggingen mislyktes",
    "Vi kunne ikke bekrefte innloggingen fra ID-porten. Start innloggingen p&aring; nytt.",
    "The login failed",
    "We could not verify the login from ID-porten. Please start the login again.",
    NULL, NULL, NULL, NULL};

const fs_login_page_t fs_page_state_invalid = {
    "Innloggingen kunne ikke fullf&oslash;res",
    "Innloggingen er utl&oslash;pt, allerede brukt eller startet i en annen nettleser. Start innloggingen p&aring; "
    "nytt.",
    "The login could not be completed",
    "The login has expired, was already used or was started in another browser. Please start the login again.",
    NULL, NULL, NULL, NULL};

const fs_login_page_t fs_page_bad_request = {
    "Ugyldig foresp&oslash;rsel", "Foresp&oslash;rselen kan ikke behandles.",
    "Bad request", "The request cannot be processed.", NULL, NULL, NULL, NULL};

const fs_login_page_t fs_page_not_found = {
    "Siden finnes ikke", "Denne siden finnes ikke.", "Not found", "This page does not exist.", NULL, NULL, NULL,
    NULL};

void fs_page_headers(request_rec *r, const char *frame_ancestors)
{
    fs_security_headers(r,
                        apr_pstrcat(r->pool, "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                                    "form-action 'self'; frame-ancestors ",
                                    frame_ancestors ? frame_ancestors : "'none'", NULL),
                        frame_ancestors != NULL, "no-store");
}

const char *fs_page_html(request_rec *r, const fs_login_page_t *p)
{
    const char *href = p->link_href ? fst_html_escape(r->pool, p->link_href) : NULL;
    const char *link_nb = href ? apr_psprintf(r->pool, "<p><a href=\"%s\">%s</a></p>", href, p->link_nb) : "";
    const char *link_en = href ? apr_psprintf(r->pool, "<p><a href=\"%s\">%s</a></p>", href, p->link_en) : "";
    const char *detail = p->detail ? apr_psprintf(r->pool, "<p><small>%s</small></p>",
                                                  fst_html_escape(r->pool, p->detail))
                                   : "";

    return apr_psprintf(r->pool,
                        "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\">"
                        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                        "<title>%s</title><style>" STYLE "</style></head>\n<body><main>\n"
                        "<h1>%s</h1>\n<p>%s</p>\n%s\n<hr>\n<div lang=\"en\"><h2>%s</h2>\n<p>%s</p>\n%s</div>\n%s\n"
                        "</main></body></html>\n",
                        p->title_nb, p->title_nb, p->text_nb, link_nb, p->title_en, p->text_en, link_en, detail);
}

int fs_page_send(request_rec *r, int status, const fs_login_page_t *page)
{
    fs_page_headers(r, NULL);
    r->status = status;
    ap_set_content_type(r, "text/html; charset=utf-8");
    if (!r->header_only)
        ap_rputs(fs_page_html(r, page), r);
    return OK;
}

int fs_page_error(request_rec *r, int status, const fs_login_page_t *page)
{
    fs_page_headers(r, NULL);
    /* Text (not a URL): ap_custom_response marks it with the leading quote itself. */
    ap_custom_response(r, status, fs_page_html(r, page));
    return status;
}
