"""When the OP is slow, down or hostile: bounded timeouts, a clear 503 (or 502) page, no access, and
the server keeps serving; a stale copy of the OP's metadata serves while the OP is unreachable.
Then the event, worker and prefork MPMs: logins, the shared table of ended sessions across child
processes, and graceful restarts."""
import os
import threading
import time
import urllib.parse

import pytest
import requests

from fstest import paths
from fstest.net import free_port
from fstest.oidc import PROTECTED, Browser, login_conf, login_when_back, make_op, portal

NAV = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def op():
    op = make_op()
    yield op
    op.stop()


def conf(h, op, extra=""):
    return login_conf(h, op, register=False, extra="ForesattOPTimeout 2\n" + extra) + PROTECTED


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    h = httpd_factory(name="robust")
    portal(h)
    login_conf(h, op)  # registers the client
    h.start(conf(h, op))
    return h


@pytest.fixture(autouse=True)
def fresh_op(op):
    op.reset()


def fresh_child(httpd, op, extra=""):
    """A graceful restart: new children with an empty OP cache."""
    httpd.reconfigure(conf(httpd, op, extra))


def assert_alive(httpd):
    assert requests.get(httpd.url("/open.html"), timeout=10).status_code == 200


def test_slow_token_endpoint(httpd, op):
    op.slow = {"/token": 4}
    httpd.expect_log(r"FS0151: the token endpoint .* gave no answer: unreachable, slower than ForesattOPTimeout")
    httpd.expect_log(r"FS0120: liboauth2 .*(Timeout|timed out)")
    b = Browser(httpd)
    url = b.authorize(b.start_login("/portal/")).headers["Location"]
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("r", b.get(url)))
    t.start()
    while op.requests["/token"] == 0:
        time.sleep(0.02)
    # While one login waits on the OP, everyone else is served.
    assert_alive(httpd)
    assert "r" not in result
    t.join(30)
    r = result["r"]
    assert r.status_code == 503 and "ID-porten svarer ikke" in r.text
    assert b.get("/portal/").status_code == 302  # no access
    assert_alive(httpd)


@pytest.mark.parametrize("path", ["/token", "/jwks.json", "/.well-known/openid-configuration"])
def test_dead_endpoints(httpd, op, path):
    fresh_child(httpd, op)
    op.dead = {path}
    httpd.expect_log(r"FS0120: liboauth2")
    httpd.expect_log(r"FS01(23|51): ")
    b = Browser(httpd)
    if path == "/token":
        r = b.get(b.authorize(b.start_login("/portal/")).headers["Location"])
    else:
        r = b.get("/portal/")
    assert r.status_code == 503 and "ID-porten svarer ikke" in r.text
    assert r.headers["Cache-Control"] == "no-store"
    assert_alive(httpd)
    op.dead = set()
    assert login_when_back(httpd).status_code == 200  # back when the OP is


def test_op_not_there_at_all(httpd, op):
    gone = f"http://127.0.0.1:{free_port()}/.well-known/openid-configuration"
    httpd.reconfigure(conf(httpd, op).replace(op.metadata_url, gone))
    try:
        httpd.expect_log(r"FS0120: liboauth2")
        httpd.expect_log(r"FS0123: the discovery document at .* could not be fetched")
        r = Browser(httpd).get("/portal/")
        assert r.status_code == 503 and "ID-porten svarer ikke" in r.text
        assert_alive(httpd)
    finally:
        fresh_child(httpd, op)


def test_stale_metadata_while_the_op_is_down(httpd, op):
    fresh_child(httpd, op, "ForesattProviderRefresh 1")
    try:
        assert Browser(httpd).login("/portal/").status_code == 200
        op.dead = {"/.well-known/openid-configuration", "/jwks.json"}
        time.sleep(1.2)
        httpd.expect_log(r"FS0122: the discovery document .* could not be fetched .*; using the copy from")
        httpd.expect_log(r"FS0120: liboauth2")
        r = Browser(httpd).get("/portal/")
        assert r.status_code == 302 and r.headers["Location"].startswith(op.url("/authorize?"))
        op.dead = set()
    finally:
        fresh_child(httpd, op)


@pytest.mark.parametrize("kind", ["huge", "deep"])
@pytest.mark.parametrize("path", ["/.well-known/openid-configuration", "/jwks.json", "/token"])
def test_hostile_json_from_the_op(httpd, op, kind, path):
    fresh_child(httpd, op)
    setattr(op, kind, {path})
    httpd.expect_log(r"FS01(20|23|51|53): ")
    b = Browser(httpd)
    if path == "/token":
        r = b.get(b.authorize(b.start_login("/portal/")).headers["Location"])
        assert r.status_code in (502, 503)
    else:
        r = b.get("/portal/")
        assert r.status_code == 503
    assert "ID-porten" in r.text
    assert_alive(httpd)


def test_hostile_requests(httpd, op):
    # POST without Content-Type, to a protected page and to each handler.
    for path, expect in (("/portal/", 401), ("/foresatt/callback", 405), ("/foresatt/logout", 415),
                         ("/foresatt/login", 405)):
        r = requests.post(httpd.url(path), data=b"\x00\xff" * 100, timeout=10, allow_redirects=False)
        assert r.status_code == expect, path
    # Huge header and huge cookie: httpd's limits answer 400; nothing breaks.
    r = requests.get(httpd.url("/portal/"), headers={"X-Big": "a" * 20000}, timeout=10)
    assert r.status_code == 400
    r = requests.get(httpd.url("/portal/"), headers={"Cookie": "foresatt_session=" + "A" * 9000}, timeout=10)
    assert r.status_code == 400
    r = requests.get(httpd.url("/portal/"), headers=dict(NAV, Cookie="foresatt_session=" + "A" * 7000),
                     timeout=10, allow_redirects=False)
    assert r.status_code == 302
    # A query that cannot be decoded.
    r = requests.get(httpd.url("/foresatt/callback?state=%zz&code=%00"), timeout=10)
    assert r.status_code == 400
    assert_alive(httpd)
    assert "exit signal" not in httpd.error_log()


# --- the MPMs ------------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["event", "worker", "prefork"])
def mpm_httpd(request, httpd_factory, op):
    if not os.path.exists(os.path.join(paths.HTTPD_MODULES_DIR, f"mod_mpm_{request.param}.so")):
        pytest.skip(f"no mpm_{request.param}")
    h = httpd_factory(name=f"mpm-{request.param}", mpm=request.param)
    portal(h)
    login_conf(h, op)
    h.start(conf(h, op))
    return h


def replay(h, cookie, n=24):
    """The same session cookie n times over fresh connections (so prefork spreads them over children)."""
    codes = set()
    for _ in range(n):
        r = requests.get(h.url("/portal/"), headers=dict(NAV, Cookie="foresatt_session=" + cookie,
                                                         Connection="close"),
                         allow_redirects=False, timeout=10)
        codes.add(r.status_code)
    return codes


def test_mpm_login_and_shared_logout(mpm_httpd, op):
    h = mpm_httpd
    b = Browser(h)
    r = b.login("/portal/")
    assert r.status_code == 200
    cookie = b.session_cookie()
    assert replay(h, cookie) == {200}
    token = r.headers["X-Seen-Logout-Token"]
    assert b.post("/foresatt/logout", data={"token": token}).status_code == 200
    assert replay(h, cookie) == {302}  # every child knows the session ended


def test_mpm_frontchannel_logout_reaches_every_child(mpm_httpd, op):
    h = mpm_httpd
    b = Browser(h)
    assert b.login("/portal/").status_code == 200
    cookie = b.session_cookie()
    r = requests.get(h.url("/foresatt/frontchannel-logout?" + urllib.parse.urlencode(
        {"iss": op.issuer, "sid": op.last_sid})), timeout=10)
    assert r.status_code == 200
    assert replay(h, cookie) == {302}


def test_mpm_graceful_restart_keeps_sessions_and_logouts(mpm_httpd, op):
    h = mpm_httpd
    alive, ended = Browser(h), Browser(h)
    assert alive.login("/portal/").status_code == 200
    r = ended.login("/portal/")
    ended_cookie = ended.session_cookie()
    ended.post("/foresatt/logout", data={"token": r.headers["X-Seen-Logout-Token"]})
    h.restart(graceful=True)
    assert replay(h, alive.session_cookie(), 8) == {200}
    assert replay(h, ended_cookie, 8) == {302}  # the table survived the restart
    assert Browser(h).login("/portal/").status_code == 200
