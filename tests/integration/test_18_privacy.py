"""Nothing secret reaches httpd's logs: after logins (all three client authentications), page views,
refusals and logouts, neither the error log nor the access log holds the fødselsnummer, a code, a
token, a client secret or assertion, a PKCE verifier, the passphrase or a cookie value; at the default
level and stricter (info), and not even at debug (liboauth2's debug dumps are capped away)."""
import re

import pytest

from fstest.oidc import (CLIENT_SECRET, PASSPHRASE, PID, PROTECTED, Browser, client_key, login_conf, make_op,
                         portal, set_cookie_lines)


@pytest.fixture(scope="module")
def op():
    op = make_op()
    yield op
    op.stop()


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    h = httpd_factory(name="privacy")
    portal(h)
    h.key = client_key(h)
    h.start(login_conf(h, op, key=h.key) + PROTECTED)
    return h


def exercise(httpd, op):
    """Everything the login does, once; returns every secret value that went by."""
    secrets = {PID, CLIENT_SECRET, PASSPHRASE}
    b = Browser(httpd)
    r = b.login("/portal/")
    assert r.status_code == 200
    b.get("/portal/page.html")
    token = r.headers["X-Seen-Logout-Token"]
    for hop in b.history:
        for line in set_cookie_lines(hop):
            value = line.split(";")[0].split("=", 1)[1]
            if len(value) > 8:
                secrets.add(value)
    secrets.update(op.codes.keys())
    secrets.add(op.last_id_token)
    secrets.update(op.access_tokens)
    for t in op.token_requests:
        for k in ("code", "code_verifier", "client_assertion", "client_secret"):
            if t["form"].get(k):
                secrets.add(t["form"][k])
    out = b.post("/foresatt/logout", data={"token": token})
    assert out.status_code == 200
    # A refused login and a front-channel logout as well.
    op.token_mode = "bad_signature"
    httpd.expect_log(r"FS0154: ID token refused")
    assert Browser(httpd).callback("/portal/").status_code == 403
    secrets.update(op.codes.keys())
    secrets.add(op.last_id_token)
    op.token_mode = None
    Browser(httpd).login("/portal/")
    secrets.add(op.last_id_token)
    secrets.update(op.codes.keys())
    return secrets


def assert_clean(httpd, secrets):
    logs = {"error log": httpd.error_log(), "access log": httpd.access_log()}
    for where, text in logs.items():
        for s in secrets:
            assert s not in text, f"a secret ({s[:12]}...) is in the {where}"
    # The pid is also never there in any disguise (e.g. in a URL-encoded form).
    assert not re.search(r"2003691\D?4700", logs["error log"] + logs["access log"])


@pytest.mark.parametrize("auth", ["client_secret_basic", "client_secret_post", "private_key_jwt"])
def test_logs_hold_no_secrets_at_info(httpd, op, auth):
    op.reset()
    httpd.reconfigure(login_conf(httpd, op, auth=auth, key=httpd.key) + PROTECTED, loglevel="info")
    assert_clean(httpd, exercise(httpd, op))
    assert re.search(r"FS0157: login: p-[0-9a-f]{24} \(idporten-loa-substantial\)", httpd.error_log())


@pytest.mark.parametrize("auth", ["client_secret_post", "private_key_jwt"])
def test_logs_hold_no_secrets_even_at_debug(httpd, op, auth):
    op.reset()
    httpd.reconfigure(login_conf(httpd, op, auth=auth, key=httpd.key) + PROTECTED, loglevel="debug")
    try:
        assert_clean(httpd, exercise(httpd, op))
        assert "[foresatt:debug]" in httpd.error_log()  # debug really was on
    finally:
        httpd.reconfigure(login_conf(httpd, op, key=httpd.key) + PROTECTED, loglevel="info")


def test_remote_user_in_the_access_log_is_the_pseudonym(httpd, op):
    op.reset()
    r = Browser(httpd).login("/portal/")
    user = r.headers["X-Seen-User"]
    assert re.search(rf'127\.0\.0\.1 - {user} \[[^]]+\] "GET /portal/ HTTP/1\.1" 200', httpd.access_log())
