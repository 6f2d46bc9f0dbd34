"""Identity headers: every client-sent header with an identity header's name (the X-Foresatt- prefix,
and names the authorization registers) is removed on every path, before any module reads it, with
case and '-'/'_' not mattering; values the module sets carry no CR/LF."""
import http.client
import re
import time

import pytest

from fstest.oidc import PROTECTED, Browser, login_conf, make_op, portal_httpd

FORGED = [("X-Foresatt-User", "forged-user"), ("X_Foresatt_User", "forged-underscore"),
          ("x-foresatt-acr", "forged-acr"), ("X-FORESATT-PID", "20036914700"), ("X-Foresatt-Role", "admin"),
          ("X-Foresatt-Custom", "forged-custom"), ("X-Portal-Role", "admin")]

LOG = ('LogFormat "%m %U [%{X-Foresatt-User}i|%{X_Foresatt_User}i|%{x-foresatt-acr}i|%{X-Foresatt-Number}i|'
       '%{X-Foresatt-Role}i|%{X-Foresatt-Custom}i|%{X-Portal-Role}i]" scrub\n'
       'CustomLog logs/scrub_log scrub\n'
       'ForesattAuthzHeader role X-Portal-Role\n')


@pytest.fixture(scope="module")
def op():
    op = make_op(persons=[{"pid": "20036914700", "name": "Kari\r\nX-Injected: yes\r\n\r\n<b>"}])
    yield op
    op.stop()


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    return portal_httpd(httpd_factory, op, "headers", conf=lambda h: login_conf(h, op) + PROTECTED + LOG)


def scrub_log(httpd):
    with open(httpd.root + "/logs/scrub_log") as f:
        return f.read()


def log_mark(httpd):
    try:
        return len(scrub_log(httpd).splitlines())
    except FileNotFoundError:
        return 0


def logged(httpd, prefix, mark):
    """The first scrub_log line after mark starting with prefix; httpd writes it just after answering."""
    for _ in range(200):
        lines = [x for x in scrub_log(httpd).splitlines()[mark:] if x.startswith(prefix)]
        if lines:
            return lines[0]
        time.sleep(0.02)
    raise AssertionError(f"no log line for {prefix}")


def send(httpd, method, path, cookie=None, body=None, extra=()):
    c = http.client.HTTPConnection("127.0.0.1", httpd.port, timeout=10)
    c.putrequest(method, path)
    for k, v in list(FORGED) + list(extra):
        c.putheader(k, v)
    if cookie:
        c.putheader("Cookie", cookie)
    if body is not None:
        c.putheader("Content-Length", str(len(body)))
    c.endheaders()
    if body is not None:
        c.send(body.encode())
    r = c.getresponse()
    headers, text = r.msg, r.read().decode(errors="replace")
    c.close()
    return r.status, headers, text


PATHS = [("GET", "/open.html"), ("OPTIONS", "/open.html"), ("OPTIONS", "*"), ("GET", "/portal/"),
         ("POST", "/portal/"), ("GET", "/foresatt/login?target=/"), ("GET", "/foresatt/callback?state=x&code=y"),
         ("GET", "/foresatt/logout"), ("GET", "/foresatt/frontchannel-logout?iss=x&sid=y"), ("GET", "/nothing"),
         ("HEAD", "/open.html")]


@pytest.mark.parametrize("method,path", PATHS, ids=[f"{m} {p}" for m, p in PATHS])
def test_forged_identity_headers_removed_on_every_path(httpd, method, path):
    mark = log_mark(httpd)
    status, _, _ = send(httpd, method, path, body="x=1" if method == "POST" else None)
    assert status < 500
    line = logged(httpd, f"{method} {path.split('?')[0]}", mark)
    assert line.endswith("[-|-|-|-|-|-|-]"), line


def test_authenticated_request_sees_only_the_modules_values(httpd, op):
    b = Browser(httpd)
    assert b.login("/portal/").status_code == 200
    mark = log_mark(httpd)
    status, headers, _ = send(httpd, "GET", "/portal/page.html", cookie="foresatt_session=" + b.session_cookie())
    assert status == 200
    user = headers["X-Seen-User"]
    assert re.fullmatch(r"p-[0-9a-f]{24}", user)
    assert headers["X-Seen-Acr"] == "idporten-loa-substantial"
    assert headers["X-Seen-Number"] == ""
    line = logged(httpd, "GET /portal/page.html ", mark)
    assert line == f"GET /portal/page.html [{user}|-|idporten-loa-substantial|-|-|-|-]"


def test_values_set_by_the_module_carry_no_line_breaks(httpd, op):
    b = Browser(httpd)
    r = b.login("/portal/")
    assert r.status_code == 200
    assert r.headers["X-Seen-Name"] == "Kari  X-Injected: yes    <b>"
    assert "X-Injected" not in r.headers


def test_a_flood_of_identity_headers_is_refused(httpd):
    status, _, _ = send(httpd, "GET", "/open.html", extra=[(f"X-Foresatt-N{i}", "x") for i in range(20)])
    assert status == 400


def test_own_prefix(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, register=False, extra="ForesattHeaderPrefix X-School-")
                      + PROTECTED.replace("X-Foresatt-", "X-School-") + LOG)
    try:
        b = Browser(httpd)
        r = b.login("/portal/")
        assert re.fullmatch(r"p-[0-9a-f]{24}", r.headers["X-Seen-User"])  # now X-School-User
        mark = log_mark(httpd)
        status, _, _ = send(httpd, "GET", "/open.html", extra=[("X-School-User", "forged"), ("X_School_Acr", "x")])
        assert status == 200
        last = logged(httpd, "GET /open.html", mark)
        fields = last.split("[")[1].rstrip("]").split("|")
        # The authorization's registered names are still scrubbed under another prefix ...
        assert fields[4] == "-" and fields[6] == "-"  # X-Foresatt-Role, X-Portal-Role
        # ... while X-Foresatt-User is nobody's identity header in this configuration.
        assert fields[0] == "forged-user"
        # And the new prefix is scrubbed: the backend sees the module's X-School-User, not "forged".
        assert "forged" not in b.get("/portal/page.html", headers={"X-School-User": "forged"}).headers["X-Seen-User"]
    finally:
        httpd.reconfigure(login_conf(httpd, op, register=False) + PROTECTED + LOG)
