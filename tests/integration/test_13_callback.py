"""The authorization response: state (missing, unknown, expired, replayed, from another browser),
the RFC 9207 iss parameter, OP errors, error pages that never echo the request, and the cap on state
cookies. Each refusal is a page, not a 500, and no token request is made."""
import re
import secrets
import time
import urllib.parse

import pytest
import requests

from fstest.oidc import (PROTECTED, Browser, decode_state, encode_state, login_conf, parse_set_cookie, portal_httpd,
                         set_cookie_lines)


pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    return portal_httpd(httpd_factory, op, "callback")


def to_callback(b, path="/portal/", **kw):
    """A login up to the OP's redirect back; returns the callback URL (not yet requested)."""
    r = b.authorize(b.start_login(path), **kw)
    assert r.status_code == 302
    return r.headers["Location"]


def with_params(url, **changes):
    parts = urllib.parse.urlsplit(url)
    q = dict(urllib.parse.parse_qsl(parts.query))
    for k, v in changes.items():
        if v is None:
            q.pop(k, None)
        else:
            q[k] = v
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q)))


def assert_state_refused(httpd, op, r, log):
    assert r.status_code == 400, r.text
    assert "Innloggingen kunne ikke fullf&oslash;res" in r.text
    assert r.headers["Cache-Control"] == "no-store"
    assert op.requests["/token"] == 0
    assert not [x for x in set_cookie_lines(r) if parse_set_cookie(x)[0].endswith("_session")]


def test_state_missing(httpd, op):
    b = Browser(httpd)
    url = to_callback(b)
    r = b.get(with_params(url, state=None))
    assert_state_refused(httpd, op, r, "no state parameter")
    assert "FS0160: callback refused: no state parameter" in httpd.new_log()


def test_state_unknown(httpd, op):
    b = Browser(httpd)
    url = to_callback(b)
    r = b.get(with_params(url, state=secrets.token_urlsafe(16)))
    assert_state_refused(httpd, op, r, "")
    assert "FS0160: callback refused: no state cookie for this state" in httpd.new_log()


def test_state_expired(httpd, op):
    b = Browser(httpd)
    url = to_callback(b)
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["state"]
    name = "foresatt_state_" + state
    st = decode_state(b.jar(httpd.url())[name])
    st["created"] = int(time.time()) - 601  # ForesattStateTimeout is 600
    b.jar(httpd.url())[name] = encode_state(st)
    r = b.get(url)
    assert_state_refused(httpd, op, r, "")
    assert "FS0160: callback refused: the login took longer than ForesattStateTimeout" in httpd.new_log()


def test_state_used_twice(httpd, op):
    b = Browser(httpd)
    url = to_callback(b)
    cookie = b.cookie_header(url)
    first = b.get(url)
    assert first.status_code == 302 and op.requests["/token"] == 1
    # The same callback with the same (captured) state cookie: refused server-side, no second exchange.
    r = requests.get(url, headers={"Cookie": cookie}, allow_redirects=False, timeout=10)
    assert r.status_code == 400 and "Innloggingen kunne ikke fullf&oslash;res" in r.text
    assert op.requests["/token"] == 1
    assert "FS0161: callback refused: this login state was used already" in httpd.new_log()


def test_state_not_bound_to_this_browser(httpd, op):
    a, other = Browser(httpd), Browser(httpd)
    url = to_callback(a)
    r = other.get(url)  # the code and state reach another browser (a leaked or planted link)
    assert_state_refused(httpd, op, r, "")
    # The rightful browser can still finish its own login.
    assert a.follow(a.get(url)).text == "<p>portal</p>\n"


def test_state_cookie_of_another_login(httpd, op):
    b = Browser(httpd)
    url1 = to_callback(b)
    url2 = to_callback(b, path="/portal/page.html")
    s1 = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url1).query))["state"]
    s2 = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url2).query))["state"]
    jar = b.jar(httpd.url())
    jar["foresatt_state_" + s1] = jar["foresatt_state_" + s2]
    r = b.get(url1)
    assert_state_refused(httpd, op, r, "")
    assert "FS0160: callback refused: the state cookie belongs to another state" in httpd.new_log()


def test_state_cookie_tampered(httpd, op):
    b = Browser(httpd)
    url = to_callback(b)
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["state"]
    jar = b.jar(httpd.url())
    v = jar["foresatt_state_" + state]
    jar["foresatt_state_" + state] = v[:40] + ("A" if v[40] != "A" else "B") + v[41:]
    assert_state_refused(httpd, op, b.get(url), "")
    assert "does not open with this site's keys" in httpd.new_log()


def test_duplicate_parameters_refused(httpd, op):
    b = Browser(httpd)
    url = to_callback(b)
    r = b.get(url + "&state=" + secrets.token_urlsafe(16))
    assert r.status_code == 400 and op.requests["/token"] == 0


def test_callback_only_by_get(httpd, op):
    r = requests.post(httpd.url("/foresatt/callback"), data={"code": "x"}, allow_redirects=False, timeout=10)
    assert r.status_code == 405
    r = requests.post(httpd.url("/foresatt/callback"), data="x", allow_redirects=False, timeout=10)  # no type
    assert r.status_code == 405


def test_no_code(httpd, op):
    b = Browser(httpd)
    r = b.get(with_params(to_callback(b), code=None))
    assert r.status_code == 400 and op.requests["/token"] == 0
    assert "FS0163: callback refused: no code" in httpd.new_log()


def test_iss_parameter_wrong(httpd, op):
    op.iss_param = "wrong"
    httpd.expect_log(r"FS0162: callback refused: the iss parameter is another issuer \(RFC 9207")
    b = Browser(httpd)
    r = b.get(to_callback(b))
    assert r.status_code == 400 and "Innloggingen mislyktes" in r.text
    assert op.requests["/token"] == 0


def test_iss_parameter_missing_while_advertised(httpd, op):
    op.iss_param = "missing"
    httpd.expect_log(r"FS0162: callback refused: the iss parameter is missing")
    b = Browser(httpd)
    r = b.get(to_callback(b))
    assert r.status_code == 400 and op.requests["/token"] == 0


def test_iss_parameter_missing_when_not_advertised(httpd, op):
    op.advertise_iss_param = False
    op.iss_param = "missing"
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)  # a fresh child reads the new discovery document
    try:
        assert Browser(httpd).login("/portal/").status_code == 200
    finally:
        op.reset()
        httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_user_cancels_at_the_op(httpd, op):
    b = Browser(httpd)
    r = b.get(to_callback(b, path="/portal/page.html", action="cancel"))
    assert r.status_code == 403
    assert "Innloggingen ble avbrutt" in r.text
    assert 'href="/foresatt/login?target=%2Fportal%2Fpage.html"' in r.text  # a fresh login, back to the page
    assert "The user cancelled the login" not in r.text  # the OP's error_description is not echoed
    assert op.requests["/token"] == 0
    # The state was consumed: the link is the way on, not the old callback.
    assert not [k for k in b.jar(httpd.url()) if k.startswith("foresatt_state_")]


def test_other_op_error(httpd, op):
    op.authorize_error = "server_error"
    b = Browser(httpd)
    r = b.get(to_callback(b))
    assert r.status_code == 502
    assert "Innloggingen mislyktes" in r.text and "ID-porten: server_error" in r.text


def test_error_page_never_echoes_the_query(httpd, op):
    r = requests.get(httpd.url("/foresatt/callback?error=%3Cb%3Ebad%3C%2Fb%3E&error_description=CALL+0800+HACKER"
                               "&state=%3Cscript%3Ex%3C%2Fscript%3E&code=SPOOFED-TEXT"),
                     allow_redirects=False, timeout=10)
    assert r.status_code in (400, 502)
    for spoof in ("<b>", "bad", "HACKER", "<script>", "SPOOFED"):
        assert spoof not in r.text
    r = requests.get(httpd.url("/foresatt/callback?state=x&code=SPOOFED-TEXT&iss=EVIL-ISSUER"), timeout=10)
    assert r.status_code == 400 and "SPOOFED" not in r.text and "EVIL" not in r.text


def test_token_endpoint_error_is_escaped(httpd, op):
    op.token_error = (400, {"error": "invalid_grant", "error_description": "<script>alert('x')</script>"})
    httpd.expect_log(r"FS0152: token endpoint answered HTTP 400, error invalid_grant")
    b = Browser(httpd)
    r = b.get(to_callback(b))
    assert r.status_code == 502
    assert "<script>" not in r.text
    assert "ID-porten: invalid_grant: &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in r.text


def test_token_endpoint_garbage(httpd, op):
    op.token_error = (500, "<html>Internal error</html>")
    httpd.expect_log(r"FS0153: token response \(HTTP 500\)")
    b = Browser(httpd)
    r = b.get(to_callback(b))
    assert r.status_code == 502 and "Innloggingen mislyktes" in r.text and "Internal error" not in r.text


def test_state_cookies_are_capped(httpd, op):
    b = Browser(httpd)
    states = []
    for i in range(8):
        r = b.get(f"/portal/page.html?n={i}")
        assert r.status_code == 302
        assert all(len(x) < 4096 for x in set_cookie_lines(r))
        states.append(dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["Location"]).query))["state"])
    held = [k[len("foresatt_state_"):] for k in b.jar(httpd.url()) if k.startswith("foresatt_state_")]
    assert len(held) == 5  # ForesattStateCookies default
    assert set(held) == set(states[-5:])  # the oldest were dropped
    assert "FS0141: 5 logins in flight in this browser: dropped the 1 oldest" in httpd.new_log()


def test_long_return_url_keeps_the_cookie_small(httpd, op):
    b = Browser(httpd)
    long_path = "/portal/page.html?q=" + "a" * 1900
    r = b.get(long_path)
    assert r.status_code == 302 and all(len(x) < 4096 for x in set_cookie_lines(r))
    cb = b.get(b.authorize(r).headers["Location"])
    assert cb.headers["Location"] == long_path
    # Beyond what a return URL may be: the login still works and goes home.
    b = Browser(httpd)
    r = b.get("/portal/page.html?q=" + "a" * 3000)
    assert r.status_code == 302 and all(len(x) < 4096 for x in set_cookie_lines(r))
    cb = b.get(b.authorize(r).headers["Location"])
    assert cb.headers["Location"] == "/"


def test_code_is_not_in_the_access_log(httpd, op):
    b = Browser(httpd)
    url = to_callback(b)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))["code"]
    assert b.follow(b.get(url)).status_code == 200
    log = httpd.access_log()
    assert code not in log
    assert re.search(r'"GET /foresatt/callback\?\(removed\) HTTP/1.1" 302', log)
