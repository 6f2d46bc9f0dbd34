"""Faults on the login's path, mid-run, through a real httpd: the ID-porten stand-in down, slow or
answering garbage while logged-in users keep working. A valid session needs nothing from the OP, so
it is served throughout; a new login gets the 503 page; nothing crashes; the login works again as
soon as the OP is back. And a JWKS whose key values cjose's decoder cannot survive ("e":"A=AB"):
before the fix in lib/oidc/jwks.c this killed the child at every login.

Already covered in test_19 and not repeated here: the token endpoint slower than
ForesattOPTimeout, each endpoint dead, no OP at all, the stale metadata while the OP is down, and
2 MB or 100 000-deep JSON from each endpoint."""
import re
import threading
import time

import pytest
import requests

from fstest.oidc import PROTECTED, Browser, login_conf, login_when_back, make_op, portal

OP_DOWN = r"FS01(20|22|23|51|53): "
DISCOVERY = "/.well-known/openid-configuration"
ENDPOINTS = [DISCOVERY, "/jwks.json", "/token"]


@pytest.fixture(scope="module")
def op():
    op = make_op()
    yield op
    op.stop()


def conf(h, op):
    return login_conf(h, op, register=False, extra="ForesattOPTimeout 2\nForesattProviderRefresh 1\n") + PROTECTED


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    h = httpd_factory(name="faults-op")
    portal(h)
    login_conf(h, op)  # registers the client
    h.start(conf(h, op))
    return h


@pytest.fixture(autouse=True)
def op_back(op):
    op.reset()
    yield
    op.reset()


def new_child(httpd, op):
    """A graceful restart: children with an empty metadata cache, so the next login fetches."""
    httpd.reconfigure(conf(httpd, op))


def new_login(httpd):
    """A fresh browser's login attempt, up to what the module answers at the callback (or before)."""
    b = Browser(httpd)
    r = b.get("/portal/")
    if r.status_code != 302:
        return r
    r = b.authorize(r)
    return b.get(r.headers["Location"]) if r.status_code == 302 else r


def served(b):
    r = b.get("/portal/page.html")
    return r.status_code == 200 and r.text == "<p>page</p>\n"


@pytest.mark.parametrize("fault", ["dead", "garbage"])
def test_sessions_served_while_the_op_is_gone(httpd, op, fault):
    new_child(httpd, op)
    kari = Browser(httpd)
    assert kari.login("/portal/").status_code == 200
    httpd.expect_log(OP_DOWN)
    httpd.expect_log(r"FS0120: liboauth2")
    setattr(op, fault, set(ENDPOINTS))
    time.sleep(1.1)  # past ForesattProviderRefresh: the next login fetches again
    for _ in range(3):
        r = new_login(httpd)
        assert r.status_code in (502, 503) and "ID-porten" in r.text
        assert r.headers["Cache-Control"] == "no-store"
        assert served(kari)
    setattr(op, fault, set())
    assert Browser(httpd).login("/portal/").status_code == 200
    assert served(kari)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_one_endpoint_answers_garbage(httpd, op, path):
    new_child(httpd, op)
    httpd.expect_log(OP_DOWN)
    op.garbage = {path}
    r = new_login(httpd)
    assert r.status_code in (502, 503) and "ID-porten" in r.text
    assert "Bad Gateway" not in r.text  # the OP's page is not passed on
    op.garbage = set()
    assert login_when_back(httpd).status_code == 200


def test_slow_op_holds_only_the_login(httpd, op):
    new_child(httpd, op)
    kari = Browser(httpd)
    assert kari.login("/portal/").status_code == 200
    httpd.expect_log(OP_DOWN)
    httpd.expect_log(r"FS0120: liboauth2 .*(Timeout|timed out)")
    time.sleep(1.1)
    op.slow = {p: 4 for p in ENDPOINTS}
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("r", new_login(httpd)))
    t.start()
    deadline = time.monotonic() + 10
    while op.requests["/.well-known/openid-configuration"] + op.requests["/token"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for _ in range(10):
        assert served(kari)
    assert t.is_alive()
    t.join(30)
    assert result["r"].status_code in (502, 503)
    op.slow = {}
    assert Browser(httpd).login("/portal/").status_code == 200


def test_cold_start_fetches_once_per_child(httpd, op):
    """No metadata yet and a slow OP: eight browsers at once wait for one fetch per child (ServerLimit
    2), not eight fetches, and all of them go on to ID-porten."""
    new_child(httpd, op)
    op.slow = {DISCOVERY: 1}
    answers = [None] * 8

    def start(i):
        answers[i] = Browser(httpd).get("/portal/")

    threads = [threading.Thread(target=start, args=(i,)) for i in range(len(answers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(r is not None and r.status_code == 302 and r.headers["Location"].startswith(op.url("/authorize?"))
               for r in answers), [r.status_code if r is not None else None for r in answers]
    assert 1 <= op.requests[DISCOVERY] <= 2, op.requests
    assert op.requests["/jwks.json"] == op.requests[DISCOVERY]


def test_failed_fetch_is_not_retried_at_once(httpd, op):
    """With no copy and the OP down, a child tries once; the requests after it get the 503 page at
    once, without asking the OP again, for a few seconds; then the login works again."""
    new_child(httpd, op)
    httpd.expect_log(OP_DOWN)
    op.dead = {DISCOVERY}
    for _ in range(6):
        r = Browser(httpd).get("/portal/")
        assert r.status_code == 503 and "ID-porten" in r.text
    assert 1 <= op.requests[DISCOVERY] <= 2, op.requests
    asked = op.requests[DISCOVERY]
    op.dead = set()
    r = Browser(httpd).get("/portal/")
    assert r.status_code == 503 and op.requests[DISCOVERY] == asked  # still within the pause
    assert login_when_back(httpd).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_an_answer_without_end_is_cut_off(httpd, op, path):
    """An endpoint that streams an answer without end: the module stops reading at its HTTP client's
    limit (1 MB in liboauth2 1.4.5.4, what the log line says), answers with the error page, and the
    child lives. Without a limit it would read until ForesattOPTimeout, at loopback speed."""
    new_child(httpd, op)
    httpd.expect_log(OP_DOWN)
    op.endless = {path}
    r = new_login(httpd)
    assert r.status_code in (502, 503) and "ID-porten" in r.text
    deadline = time.monotonic() + 30
    while path not in op.endless_sent:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert op.endless_sent[path] < 32 << 20, op.endless_sent
    assert re.search(r"FS0120: .*larger than", httpd.error_log())
    op.endless = set()
    assert login_when_back(httpd).status_code == 200


HOSTILE = [{"kty": "RSA", "use": "sig", "kid": "bad-e", "e": "A=AB", "n": "AQAB"},
           {"kty": "RSA", "use": "sig", "kid": "bad-p", "e": "AQAB", "n": "AQAB", "p": "A=AB", "q": "A=AB"},
           {"kty": "oct", "k": "A=AB"}]


def test_jwks_that_aborted_cjose(httpd, op):
    """The OP's JWKS carries keys whose values made cjose's base64url decoder abort the process.
    With a good key beside them the login works; with only those the login fails with a page. The
    child survives both (a crash would reset the connection and log 'exit signal')."""
    good = op.jwks
    new_child(httpd, op)
    op.jwks = lambda: {"keys": HOSTILE + good()["keys"]}
    try:
        kari = Browser(httpd)
        assert kari.login("/portal/").status_code == 200
        new_child(httpd, op)
        httpd.expect_log(r"FS01(2[0-9]|5[0-9]): ")
        op.jwks = lambda: {"keys": HOSTILE}
        for _ in range(3):
            r = new_login(httpd)  # a requests.ConnectionError here would be a dead child
            assert r.status_code in (502, 503) and "ID-porten" in r.text
        assert served(kari)
    finally:
        del op.jwks
    new_child(httpd, op)
    assert Browser(httpd).login("/portal/").status_code == 200
    assert "exit signal" not in httpd.error_log()


def test_still_serving(httpd):
    assert requests.get(httpd.url("/open.html"), timeout=10).status_code == 200
