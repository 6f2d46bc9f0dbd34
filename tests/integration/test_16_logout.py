"""Logout: RP-initiated (a POST with the session's CSRF token; the old cookie is useless server-side
afterwards; the OP gets id_token_hint and a registered post_logout_redirect_uri by POST) and
front-channel (acts only when iss and sid both match; frameable by the OP only)."""
import base64
import hashlib
import os
import re
import subprocess
import urllib.parse

import pytest
import requests

from fstest.oidc import PROTECTED, Browser, login_conf, make_op, parse_set_cookie, portal_httpd, set_cookie_lines

NAV = {"Accept": "text/html"}


pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    return portal_httpd(httpd_factory, op, "logout")


def logged_in(httpd):
    b = Browser(httpd)
    r = b.login("/portal/")
    assert r.status_code == 200
    return b, r.headers["X-Seen-Logout-Token"]


def still_in(httpd, cookie):
    r = requests.get(httpd.url("/portal/"), headers=dict(NAV, Cookie="foresatt_session=" + cookie),
                     allow_redirects=False, timeout=10)
    return r.status_code == 200


def test_get_offers_a_form_and_changes_nothing(httpd, op):
    b, token = logged_in(httpd)
    r = b.get("/foresatt/logout")
    assert r.status_code == 200
    assert re.search(r'<form method="post" action="/foresatt/logout"><input type="hidden" name="token" value="'
                     + re.escape(token) + '">', r.text)
    assert r.headers["Cache-Control"] == "no-store" and r.headers["X-Frame-Options"] == "DENY"
    assert still_in(httpd, b.session_cookie())


def test_post_needs_the_csrf_token(httpd, op):
    b, token = logged_in(httpd)
    for data in ({"other": "field"}, {"token": "x" * 22}, {"token": token[:-1] + ("A" if token[-1] != "A" else "B")}):
        r = b.post("/foresatt/logout", data=data)
        assert r.status_code == 403 and "Utloggingen ble avvist" in r.text
    assert "FS0171: logout refused for p-" in httpd.new_log()
    # A token is bound to its session: another session's token does not work here.
    other_b, other_token = logged_in(httpd)
    assert b.post("/foresatt/logout", data={"token": other_token}).status_code == 403
    assert still_in(httpd, b.session_cookie())


def test_post_body_must_be_a_form(httpd, op):
    b, token = logged_in(httpd)
    cookie = b.cookie_header(httpd.url("/foresatt/logout"))
    r = requests.post(httpd.url("/foresatt/logout"), data=f"token={token}", timeout=10,
                      headers={"Cookie": cookie, "Content-Type": ""})
    assert r.status_code == 415
    req = requests.Request("POST", httpd.url("/foresatt/logout"), data=f"token={token}",
                           headers={"Cookie": cookie}).prepare()
    assert "Content-Type" not in req.headers  # POST without Content-Type
    assert requests.Session().send(req, timeout=10).status_code == 415
    r = requests.post(httpd.url("/foresatt/logout"), json={"token": token}, headers={"Cookie": cookie}, timeout=10)
    assert r.status_code == 415
    r = requests.post(httpd.url("/foresatt/logout"), data="token=" + "a" * 20000, timeout=10,
                      headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert still_in(httpd, b.session_cookie())


def test_rp_initiated_logout(httpd, op):
    b, token = logged_in(httpd)
    old = b.session_cookie()
    r = b.post("/foresatt/logout", data={"token": token})
    assert r.status_code == 200
    # Both cookies deleted.
    deleted = {parse_set_cookie(x)[0]: parse_set_cookie(x)[2] for x in set_cookie_lines(r)}
    assert deleted["foresatt_session"]["max-age"] == "0"
    assert deleted["foresatt_logout"]["max-age"] == "0" and deleted["foresatt_logout"]["path"] == "/foresatt/logout"
    # The page posts to the OP's end_session_endpoint and holds nothing else.
    assert f'<form method="post" action="{op.url("/endsession")}">' in r.text
    hint = re.search(r'name="id_token_hint" value="([^"]+)"', r.text).group(1)
    assert hint == op.last_id_token
    assert f'name="post_logout_redirect_uri" value="{httpd.url("/")}"' in r.text
    assert r.text.rstrip().endswith("</html>") and r.text.count("<html") == 1 and "portal" not in r.text
    assert r.headers["Cache-Control"] == "no-store"
    script = re.search(r"<script>(.*?)</script>", r.text).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = r.headers["Content-Security-Policy"]
    assert f"script-src 'sha256-{digest}'" in csp and f"form-action {op.origin}" in csp
    assert "frame-ancestors 'none'" in csp
    assert hint not in r.url  # never in a URL
    # The old cookie is useless on the server now, even if someone kept a copy.
    assert not still_in(httpd, old)
    assert "ended: logged out" in httpd.new_log()
    # The OP accepts the hint and sends the browser to the registered page.
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]+)"', r.text))
    end = b.post(op.url("/endsession"), data=fields)
    assert end.status_code == 302 and end.headers["Location"].startswith(httpd.url("/") + "?state=")
    assert end.headers["Location"] == httpd.url("/") + "?state=" + fields["state"]
    assert fields["client_id"] == "foresatt-test"
    assert op.logouts[-1]["valid_hint"] and op.logouts[-1]["method"] == "POST"
    # And a new login starts afresh.
    assert b.login("/portal/").status_code == 200
    assert b.session_cookie() != old


def test_logout_without_the_id_token_cookie_is_local(httpd, op):
    b, token = logged_in(httpd)
    old = b.session_cookie()
    b.jar(httpd.url()).pop("foresatt_logout")
    r = b.post("/foresatt/logout", data={"token": token})
    assert r.status_code == 303 and r.headers["Location"] == httpd.url("/")
    assert not still_in(httpd, old)


def test_logout_when_not_logged_in(httpd, op):
    r = Browser(httpd).post("/foresatt/logout", data={"token": "whatever"})
    assert r.status_code == 303 and r.headers["Location"] == httpd.url("/")
    r = Browser(httpd).get("/foresatt/logout")
    assert r.status_code == 303


def frontchannel(httpd, **params):
    # As the OP's iframe loads it: no cookies of ours come along.
    return requests.get(httpd.url("/foresatt/frontchannel-logout?" + urllib.parse.urlencode(params)), timeout=10)


def test_frontchannel_logout(httpd, op):
    b, _ = logged_in(httpd)
    sid = op.last_sid
    other, _ = logged_in(httpd)  # another OP session (another sid)
    r = frontchannel(httpd, iss=op.issuer, sid=sid)
    assert r.status_code == 200 and "Logget ut" in r.text
    assert "X-Frame-Options" not in r.headers
    csp = r.headers["Content-Security-Policy"]
    assert f"frame-ancestors {op.origin}" in csp
    assert r.headers["Cache-Control"] == "no-store"
    assert not still_in(httpd, b.session_cookie())
    assert still_in(httpd, other.session_cookie())  # only that OP session ended


@pytest.mark.parametrize("params", [
    {"iss": "http://127.0.0.1:9", "sid": "SID"},
    {"sid": "SID"},
    {"iss": "ISS"},
    {},
    {"iss": "ISS", "sid": ""},
], ids=["wrong-iss", "no-iss", "no-sid", "nothing", "empty-sid"])
def test_frontchannel_needs_iss_and_sid(httpd, op, params):
    b, _ = logged_in(httpd)
    params = {k: (op.last_sid if v == "SID" else op.issuer if v == "ISS" else v) for k, v in params.items()}
    r = frontchannel(httpd, **params)
    assert r.status_code == 400
    assert "X-Frame-Options" not in r.headers and f"frame-ancestors {op.origin}" in r.headers["Content-Security-Policy"]
    assert still_in(httpd, b.session_cookie())


def test_frontchannel_unknown_sid_harms_nobody(httpd, op):
    b, _ = logged_in(httpd)
    r = frontchannel(httpd, iss=op.issuer, sid="some-other-sid")
    assert r.status_code == 200
    assert still_in(httpd, b.session_cookie())


def _our_semaphores(httpd):
    """The System V semaphores whose last user is one of this httpd's processes."""
    ours = {httpd.proc_pid}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == httpd.proc_pid:
                        ours.add(int(d))
            except (OSError, ValueError, IndexError):
                pass
    found = []
    with open("/proc/sysvipc/sem") as f:
        semids = [line.split()[1] for line in f.read().splitlines()[1:] if line.strip()]
    for semid in semids:
        out = subprocess.run(["ipcs", "-s", "-i", semid], capture_output=True, text=True).stdout
        pids = [int(line.split()[4]) for line in out.splitlines() if re.match(r"\s*\d+\s+\d+\s+\d+\s+\d+\s+\d+", line)]
        if any(p in ours for p in pids):
            found.append(semid)
    return found


def test_a_logout_that_cannot_be_recorded_says_so(httpd_factory):
    """The table of ended sessions cannot be written (its lock is gone: the sysvsem mutex removed
    under httpd): the logout is not reported as done. The user gets a 503 page saying they are still
    logged in, the session cookie is kept (to try again with) and still works, and the log says why."""
    op = make_op()  # its own OP: registering this httpd's client would replace the module's
    try:
        _unrecorded_logout(httpd_factory, op)
    finally:
        op.stop()


def _unrecorded_logout(httpd_factory, op):
    h = portal_httpd(httpd_factory, op, "logout-unrecorded",
                     conf=lambda h: login_conf(h, op) + PROTECTED + "Mutex sysvsem foresatt-revocation\n")
    first, token = logged_in(h)
    assert first.post("/foresatt/logout", data={"token": token}).status_code == 200  # the lock is used once
    sems = _our_semaphores(h)
    assert len(sems) == 1, sems
    subprocess.run(["ipcrm", "-s", sems[0]], check=True)
    h.expect_log(r"FS0114: cannot lock the table of ended sessions")
    h.expect_log(r"FS0166: logout of p-[0-9a-f]+ not recorded")
    b, token = logged_in(h)
    r = b.post("/foresatt/logout", data={"token": token})
    assert r.status_code == 503
    assert "du er fortsatt logget inn" in r.text and "you are still logged in" in r.text
    assert not any(parse_set_cookie(x)[0] == "foresatt_session" for x in set_cookie_lines(r))
    assert still_in(h, b.session_cookie())
    assert re.search(r"FS0166: logout of p-[0-9a-f]+ not recorded", h.error_log())


def test_an_id_token_too_long_to_keep_is_said_so(httpd, op):
    """An ID token over the 8 KB a cookie record holds: the login works, the log says the token is
    not kept for logout, no logout cookie is set (once a record with the token missing was sealed
    and sent), and logout is local."""
    op.claims_override = {"padding": "p" * 9000}
    b = Browser(httpd)
    r = b.callback("/portal/")
    assert r.status_code == 302
    assert [parse_set_cookie(x)[0] for x in set_cookie_lines(r)].count("foresatt_logout") == 0
    assert re.search(r"FS0156: the ID token is too large to keep for logout", httpd.new_log())
    assert b.follow(r).status_code == 200
    token = b.get("/portal/").headers["X-Seen-Logout-Token"]
    old = b.session_cookie()
    r = b.post("/foresatt/logout", data={"token": token})
    assert r.status_code == 303 and r.headers["Location"] == httpd.url("/")
    assert not still_in(httpd, old)
