"""A guardian logs in through a real httpd against the ID-porten stand-in, with each of the three
client authentication methods, and reaches the protected page; what the request to the OP carries,
what the backend sees, what the cookies look like, and who gets a redirect versus a 401."""
import re
import urllib.parse

import pytest
import requests

from fstest.oidc import (CLIENT_ID, PID, PROTECTED, Browser, client_key, decode_session, login_conf, parse_set_cookie,
                         portal, set_cookie_lines)


pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    h = httpd_factory(name="login-flow")
    portal(h)
    h.key = client_key(h)
    h.start(login_conf(h, op, key=h.key) + PROTECTED)
    return h


def params_of(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


@pytest.mark.parametrize("method", ["client_secret_basic", "client_secret_post", "private_key_jwt"])
def test_happy_path_each_client_auth(httpd, op, method):
    httpd.reconfigure(login_conf(httpd, op, auth=method, key=httpd.key) + PROTECTED)
    b = Browser(httpd)
    r = b.login("/portal/")
    assert r.status_code == 200 and r.text == "<p>portal</p>\n"
    assert [t["method"] for t in op.token_requests] == [method]
    form = op.token_requests[0]["form"]
    assert form["client_id"] == CLIENT_ID  # posted with every method (ID-porten wants it with private_key_jwt)
    assert form["grant_type"] == "authorization_code" and len(form["code_verifier"]) == 43
    if method == "client_secret_basic":
        assert "client_secret" not in form
    if method == "private_key_jwt":
        assert "client_secret" not in form
        assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    # The session works for further requests without another trip to the OP.
    r2 = b.get("/portal/page.html")
    assert r2.status_code == 200 and r2.text == "<p>page</p>\n"
    assert op.requests["/token"] == 1


def test_authorization_request(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattPrompt login\nForesattUILocales nn") + PROTECTED)
    b = Browser(httpd)
    r = b.start_login("/portal/")
    loc = r.headers["Location"]
    assert loc.startswith(op.url("/authorize?"))
    p = params_of(loc)
    assert p["response_type"] == "code"
    assert p["client_id"] == CLIENT_ID
    assert p["redirect_uri"] == httpd.url("/foresatt/callback")
    assert p["scope"] == "openid"
    assert p["code_challenge_method"] == "S256" and re.fullmatch(r"[A-Za-z0-9_-]{43}", p["code_challenge"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", p["state"]) and re.fullmatch(r"[A-Za-z0-9_-]{22,}", p["nonce"])
    assert p["acr_values"] == "idporten-loa-substantial"
    assert p["ui_locales"] == "nn"
    assert p["prompt"] == "login"
    assert r.headers["Cache-Control"] == "no-store"
    # Another login gets a new state, nonce and verifier.
    p2 = params_of(Browser(httpd).start_login("/portal/").headers["Location"])
    assert p2["state"] != p["state"] and p2["nonce"] != p["nonce"] and p2["code_challenge"] != p["code_challenge"]
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)
    p3 = params_of(Browser(httpd).start_login("/portal/").headers["Location"])
    assert "prompt" not in p3 and p3["ui_locales"] == "nb"


def test_nothing_in_the_request_weakens_pkce(httpd, op):
    b = Browser(httpd)
    for path in ("/portal/?code_challenge_method=plain", "/foresatt/login?code_challenge_method=plain&target=/portal/"):
        p = params_of(b.get(path).headers["Location"])
        assert p["code_challenge_method"] == "S256"
        assert len(p["code_challenge"]) == 43


def test_backend_sees_pseudonym_not_pid(httpd, op):
    b = Browser(httpd)
    r = b.login("/portal/")
    user = r.headers["X-Seen-User"]
    assert re.fullmatch(r"p-[0-9a-f]{24}", user)
    assert r.headers["X-Seen-Remote-User"] == user
    assert r.headers["X-Seen-Env-User"] == user
    assert r.headers["X-Seen-Acr"] == "idporten-loa-substantial"
    assert r.headers["X-Seen-Name"] == "Kari Nordmann"
    assert r.headers["X-Seen-Number"] == ""  # only with ForesattPassNumbers on
    assert PID not in str(r.headers)
    # The same person gets the same pseudonym on another login; another person another one.
    assert Browser(httpd).login("/portal/").headers["X-Seen-User"] == user
    assert Browser(httpd).login("/portal/", pid="30108299939").headers["X-Seen-User"] != user
    # The access log shows the pseudonym as the user, never the number.
    log = httpd.access_log()
    assert f" {user} " in log
    assert PID not in log


def test_pass_number_when_asked(httpd, op):
    # ForesattPassNumbers is the one switch for numbers, also on pages behind Require valid-user.
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattPassNumbers on\nForesattPassIdentity headers") + PROTECTED)
    r = Browser(httpd).login("/portal/")
    assert r.headers["X-Seen-Number"] == PID
    assert r.headers["X-Seen-Env-User"] == ""  # headers only
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattPassIdentity env") + PROTECTED)
    r = Browser(httpd).login("/portal/")
    assert r.headers["X-Seen-User"] == "" and r.headers["X-Seen-Env-User"].startswith("p-")
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_cookie_flags_plain_http_test_setup(httpd, op):
    b = Browser(httpd)
    r = b.start_login("/portal/")
    (state_line,) = set_cookie_lines(r)
    name, _, attrs = parse_set_cookie(state_line)
    assert name.startswith("foresatt_state_")
    assert "httponly" in attrs and attrs["samesite"] == "Lax" and attrs["path"] == "/"
    assert attrs["max-age"] == "600"
    back = b.authorize(r)
    cb = b.get(back.headers["Location"])
    lines = {parse_set_cookie(x)[0]: parse_set_cookie(x)[2] for x in set_cookie_lines(cb)}
    assert lines["foresatt_session"].keys() >= {"httponly", "samesite", "path"}
    assert lines["foresatt_session"]["samesite"] == "Lax" and lines["foresatt_session"]["path"] == "/"
    assert "max-age" not in lines["foresatt_session"]  # a browser-session cookie; the server enforces the times
    assert lines["foresatt_logout"]["path"] == "/foresatt/logout"  # the ID token only goes to the logout handler
    assert lines[name]["max-age"] == "0"  # the state cookie is consumed
    assert all(len(x) < 4096 for x in set_cookie_lines(cb))


def test_cookie_flags_secure(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattCookieSecure On") + PROTECTED)
    b = Browser(httpd)
    r = b.start_login("/portal/")
    name, _, attrs = parse_set_cookie(set_cookie_lines(r)[0])
    assert name.startswith("__Host-foresatt_state_") and "secure" in attrs and attrs["path"] == "/"
    cb = b.get(b.authorize(r).headers["Location"])
    lines = {parse_set_cookie(x)[0]: parse_set_cookie(x)[2] for x in set_cookie_lines(cb)}
    s = lines["__Host-foresatt_session"]
    assert "secure" in s and "httponly" in s and s["samesite"] == "Lax" and s["path"] == "/" and "domain" not in s
    assert "secure" in lines["__Secure-foresatt_logout"]
    assert b.follow(cb).status_code == 200
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_protected_response_is_no_store(httpd, op):
    b = Browser(httpd)
    r = b.login("/portal/")
    assert r.headers["Cache-Control"] == "no-store"
    assert requests.get(httpd.url("/open.html"), timeout=10).headers.get("Cache-Control") is None
    # Whatever the backend (here mod_headers) says about caching, a protected page is not stored.
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED + '<Location /portal/>\n'
                      '  Header set Cache-Control "public, max-age=3600"\n  Header set Expires "Thu, 01 Jan 2099 00:00:00 GMT"\n'
                      '</Location>\n')
    try:
        r = Browser(httpd).login("/portal/")
        assert r.headers["Cache-Control"] == "no-store" and "Expires" not in r.headers
    finally:
        httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_new_session_id_at_every_login(httpd, op):
    b = Browser(httpd)
    b.login("/portal/")
    first = decode_session(b.session_cookie())
    # The same browser logs in again (the portal's "log in" link), its old cookie still in the jar.
    r = b.get("/foresatt/login?target=/portal/page.html")
    assert b.follow(b.get(b.authorize(r).headers["Location"])).status_code == 200
    second = decode_session(b.session_cookie())
    assert first["id"] != second["id"]
    assert len(second["id"]) == 16 and second["id"] != bytes(16)
    assert second["pid"] == PID and second["acr"] == "idporten-loa-substantial"
    assert second["expires"] - second["created"] == 7200


def test_returns_to_the_page_first_asked_for(httpd, op):
    b = Browser(httpd)
    back = b.authorize(b.start_login("/portal/page.html?x=1&y=%C3%A5"))
    cb = b.get(back.headers["Location"])
    assert cb.status_code == 302 and cb.headers["Location"] == "/portal/page.html?x=1&y=%C3%A5"
    assert cb.headers["Cache-Control"] == "no-store"


def test_login_handler_with_target(httpd, op):
    b = Browser(httpd)
    r = b.get("/foresatt/login?target=%2Fportal%2Fpage.html")
    assert r.status_code == 302 and r.headers["Location"].startswith(op.url("/authorize?"))
    cb = b.get(b.authorize(r).headers["Location"])
    assert cb.headers["Location"] == "/portal/page.html"
    r = b.get("/foresatt/login")  # no target: home
    cb = b.get(b.authorize(r).headers["Location"])
    assert cb.headers["Location"] == "/"


@pytest.mark.parametrize("headers,method", [
    ({"Sec-Fetch-Mode": "cors", "Accept": "*/*"}, "GET"),
    ({"X-Requested-With": "XMLHttpRequest", "Accept": "text/html"}, "GET"),
    ({"Accept": "application/json"}, "GET"),
    ({"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"}, "POST"),
    ({"Sec-Fetch-Mode": "no-cors"}, "GET"),
], ids=["fetch", "xhr", "json", "post", "no-cors"])
def test_non_navigation_gets_401(httpd, op, headers, method):
    r = requests.request(method, httpd.url("/portal/"), headers=headers, allow_redirects=False, timeout=10)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == 'Foresatt login="/foresatt/login"'
    assert r.headers["Cache-Control"] == "no-store"
    assert op.requests["/.well-known/openid-configuration"] == 0 or "Set-Cookie" not in r.headers


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Mode": "navigate", "Accept": "text/html"},
                                     {"Accept": "*/*"}, {}], ids=["navigate", "any", "none"])
def test_navigation_gets_redirect(httpd, headers):
    r = requests.get(httpd.url("/portal/"), headers=headers, allow_redirects=False, timeout=10)
    assert r.status_code == 302


def test_unknown_handler_path_is_404_page(httpd):
    r = requests.get(httpd.url("/foresatt/nothing-here?x=<script>"), timeout=10)
    assert r.status_code == 404
    assert r.text.startswith("<!DOCTYPE html>")
    assert "Siden finnes ikke" in r.text and "<script>" not in r.text
    assert r.headers["Cache-Control"] == "no-store"


def test_redirect_uri_inside_the_protected_area(httpd, op):
    """The callback works even where a <Location> demands a login (it is served before access control)."""
    cb = httpd.url("/portal/callback")
    op.add_client(CLIENT_ID, secret="test-secret-0123456789", redirect_uris=[cb],
                  post_logout_redirect_uris=[httpd.url("/")])
    httpd.reconfigure(login_conf(httpd, op, register=False, extra="ForesattRedirectURI /portal/callback") + PROTECTED)
    b = Browser(httpd)
    r = b.start_login("/portal/page.html")
    assert params_of(r.headers["Location"])["redirect_uri"] == cb
    assert b.follow(b.get(b.authorize(r).headers["Location"])).text == "<p>page</p>\n"
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_host_and_forwarded_headers_do_not_change_urls(httpd, op):
    r = requests.get(httpd.url("/portal/"), allow_redirects=False, timeout=10,
                     headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example",
                              "X-Forwarded-Proto": "https", "X-Forwarded-Port": "443"})
    assert r.status_code == 302
    assert params_of(r.headers["Location"])["redirect_uri"] == httpd.url("/foresatt/callback")


def test_ui_locales_follows_the_page_language(httpd, op):
    """ID-porten's pages in the language of ours: the browser's, or <handler>login?lang=; then
    ForesattUILocales (nb here)."""
    english = Browser(httpd, headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.8"})
    assert params_of(english.start_login("/portal/").headers["Location"])["ui_locales"] == "en nb"
    bokmal = Browser(httpd, headers={"Accept": "text/html", "Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})
    assert params_of(bokmal.start_login("/portal/").headers["Location"])["ui_locales"] == "nb"
    r = Browser(httpd).get("/foresatt/login?target=/portal/&lang=en")
    assert params_of(r.headers["Location"])["ui_locales"] == "en nb"
