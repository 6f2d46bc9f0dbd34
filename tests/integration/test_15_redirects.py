"""Where the browser may be sent after login and logout: a path on this site or this site's origin
(the logout's target: one of ForesattPostLogoutRedirectURI); every trick in security.md refused."""
import http.client
import urllib.parse

import pytest

from fstest.oidc import PROTECTED, Browser, decode_state, login_conf, parse_set_cookie, portal_httpd, set_cookie_lines


pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    return portal_httpd(httpd_factory, op, "redirects", conf=lambda h: login_conf(
        h, op, post_logout=[h.url("/"), h.url("/bye.html"), "https://portal.example.no/farvel"]) + PROTECTED)


def tricks(httpd):
    own = f"127.0.0.1:{httpd.port}"
    return [
        "//evil.example/",
        "/\\evil.example/",
        "\\/evil.example/",
        "/\tevil.example/",
        "/\t/evil.example/",
        "https:evil.example",
        "http:evil.example",
        f"http://{own}@evil.example/",
        f"http://{own}.evil.example/",
        f"http://127.0.0.1.evil.example:{httpd.port}/",
        "http://evil.example/",
        f"https://{own}/",  # another scheme is another origin
        "/ok\r\nSet-Cookie: pwned=1",
        "/ok\nLocation: http://evil.example/",
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "/" + "a" * 3000,
        " //evil.example/",
    ]


def test_login_target_tricks_refused(httpd, op):
    for target in tricks(httpd):
        r = Browser(httpd).get("/foresatt/login?target=" + urllib.parse.quote(target, safe=""))
        assert r.status_code == 400, target
        assert "Location" not in r.headers, target
        assert "evil" not in r.text and "pwned" not in r.text, target
    assert op.requests["/authorize"] == 0


def test_login_targets_accepted(httpd, op):
    for target in ("/portal/page.html", "/portal/?a=b&c=%2F%2Fevil", f"{httpd.url('/portal/page.html')}",
                   "/%2F%2Fevil.example/"):
        b = Browser(httpd)
        r = b.get("/foresatt/login?target=" + urllib.parse.quote(target, safe=""))
        assert r.status_code == 302, target
        cb = b.get(b.authorize(r).headers["Location"])
        assert cb.headers["Location"] == target


def raw_get(httpd, path):
    c = http.client.HTTPConnection("127.0.0.1", httpd.port, timeout=10)
    c.putrequest("GET", path, skip_accept_encoding=True)
    c.putheader("Accept", "text/html")
    c.endheaders()
    r = c.getresponse()
    headers = r.msg
    r.read()
    c.close()
    return r.status, headers


def test_protocol_relative_request_path_does_not_become_the_return_url(httpd, op):
    # "//portal/page.html" reaches the protected page (httpd merges the slashes), but sending the
    # browser back to it after login would mean host "portal": the login goes home instead.
    status, headers = raw_get(httpd, "//portal/page.html")
    assert status == 302
    (line,) = headers.get_all("Set-Cookie")
    name, value, _ = parse_set_cookie(line)
    assert decode_state(value)["return_url"] == "/"
    status, headers = raw_get(httpd, "/portal/page.html?x=1")
    assert decode_state(parse_set_cookie(headers.get_all("Set-Cookie")[0])[1])["return_url"] == "/portal/page.html?x=1"


def logged_in(httpd):
    b = Browser(httpd)
    r = b.login("/portal/")
    return b, r.headers["X-Seen-Logout-Token"]


def test_logout_target_tricks_refused(httpd, op):
    b, token = logged_in(httpd)
    for target in tricks(httpd) + [httpd.url("/portal/"), "/portal/"]:  # same-origin but not registered: refused too
        r = b.post("/foresatt/logout", data={"token": token, "target": target})
        assert r.status_code == 400, target
        assert "Location" not in r.headers and "evil" not in r.text
        r = Browser(httpd).get("/foresatt/logout?target=" + urllib.parse.quote(target, safe=""))
        assert r.status_code == 400 and "Location" not in r.headers, target
    assert b.get("/portal/").status_code == 200  # none of that logged anyone out


@pytest.mark.parametrize("target,sent", [
    (None, "/"), ("/bye.html", "/bye.html"), ("BYE", "/bye.html"), ("https://portal.example.no/farvel", None)])
def test_logout_targets_registered(httpd, op, target, sent):
    b, token = logged_in(httpd)
    data = {"token": token}
    if target == "BYE":
        data["target"] = httpd.url("/bye.html")
    elif target:
        data["target"] = target
    r = b.post("/foresatt/logout", data=data)
    assert r.status_code == 200
    expected = httpd.url(sent) if sent else "https://portal.example.no/farvel"
    assert f'name="post_logout_redirect_uri" value="{expected}"' in r.text


def test_logout_without_session_goes_to_the_registered_page_only(httpd, op):
    r = Browser(httpd).get("/foresatt/logout")
    assert r.status_code == 303 and r.headers["Location"] == httpd.url("/")
    r = Browser(httpd).get("/foresatt/logout?target=" + urllib.parse.quote(httpd.url("/bye.html"), safe=""))
    assert r.status_code == 303 and r.headers["Location"] == httpd.url("/bye.html")
    assert r.headers["Cache-Control"] == "no-store"
    for line in set_cookie_lines(r):
        assert "evil" not in line
