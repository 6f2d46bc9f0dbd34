"""Sessions: a damaged, foreign or old cookie means no session (a fresh login), never a crash; the
times in the cookie rule (idle timeout that really extends, absolute maximum); the cookie is re-issued
only when needed; a second passphrase still opens old cookies; another site's cookie does not open."""
import http.client
import os
import socket
import time

import pytest
import requests

from fstest import paths
from fstest.oidc import (PASSPHRASE, PID, PROTECTED, Browser, decode_session, encode_session, login_conf, portal_httpd,
                         set_cookie_lines)

NAV = {"Accept": "text/html"}


pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    return portal_httpd(httpd_factory, op, "session")


def get_with_cookie(httpd, cookie, path="/portal/", host=None):
    headers = dict(NAV, Cookie=cookie)
    if host:
        headers["Host"] = host
    return requests.get(httpd.url(path), headers=headers, allow_redirects=False, timeout=10)


def logged_in_cookie(httpd):
    b = Browser(httpd)
    assert b.login("/portal/").status_code == 200
    return b.session_cookie()


def sample_session(**changes):
    now = int(time.time())
    s = {"id": os.urandom(16), "sid_key": bytes(16), "created": now - 10, "auth_time": now - 10,
         "expires": now + 3600, "idle_until": now + 600, "issued": now - 10, "pid": PID,
         "pseudonym": "p-000000000000000000000000", "sub": "sub", "acr": "idporten-loa-substantial", "sid": None,
         "name": None, "authz_state": None, "csrf_token": "forged-csrf-token"}
    s.update(changes)
    return s


def assert_no_session(r):
    assert r.status_code == 302, (r.status_code, r.text[:300])
    assert "/authorize?" in r.headers["Location"]


def test_a_forged_cookie_with_the_right_key_works(httpd):
    """The control for the tests below: a cookie sealed the module's way with valid times opens."""
    r = get_with_cookie(httpd, "foresatt_session=" + encode_session(sample_session()))
    assert r.status_code == 200 and r.headers["X-Seen-User"] == "p-000000000000000000000000"


@pytest.mark.parametrize("mutate", [
    lambda v: v[:-1],                                   # truncated
    lambda v: v[: len(v) // 2],                         # truncated more
    lambda v: v[:20] + ("B" if v[20] == "A" else "A") + v[21:],   # flipped bits early (IV)
    lambda v: v[:-5] + ("B" if v[-5] == "A" else "A") + v[-4:],   # flipped bits late (tag)
    lambda v: v[:60] + ("B" if v[60] == "A" else "A") + v[61:],   # flipped bits in the ciphertext
    lambda v: v + "AAAA",                               # extended
    lambda v: "",                                       # empty
    lambda v: "not*base64url!",                         # garbage
    lambda v: "A" * 5000,                               # oversized
    lambda v: v.replace("-", "+").replace("_", "/"),    # standard base64
], ids=["truncated1", "truncated-half", "flip-iv", "flip-tag", "flip-ct", "extended", "empty", "garbage",
        "oversized", "std-base64"])
def test_damaged_cookie_is_no_session(httpd, mutate):
    value = logged_in_cookie(httpd)
    r = get_with_cookie(httpd, "foresatt_session=" + mutate(value))
    assert_no_session(r)


def test_wrong_key_and_other_site(httpd):
    assert_no_session(get_with_cookie(httpd, "foresatt_session=" +
                                      encode_session(sample_session(), passphrase="another passphrase, long enough")))
    assert_no_session(get_with_cookie(httpd, "foresatt_session=" + encode_session(sample_session(), host="other.test")))
    assert_no_session(get_with_cookie(httpd, "foresatt_session=" +
                                      encode_session(sample_session(), client_id="another-client")))
    assert "FS0130: session cookie refused" in httpd.new_log()


@pytest.mark.parametrize("changes,why", [
    ({"expires": int(time.time()) - 1}, "maximum session age passed"),
    ({"idle_until": int(time.time()) - 1}, "idle timeout passed"),
    ({"issued": int(time.time()) + 600, "created": int(time.time()) + 600}, "issued in the future"),
], ids=["expired", "idle", "future"])
def test_times_in_the_cookie_rule(httpd, changes, why):
    r = get_with_cookie(httpd, "foresatt_session=" + encode_session(sample_session(**changes)))
    assert_no_session(r)
    assert f"ended: {why}" in httpd.new_log()


@pytest.mark.parametrize("cookie", [
    ";", "=", ";;;=;;", "foresatt_session", "foresatt_session=", "foresatt_session=;foresatt_session=x",
    '"', "foresatt_session=\"\"", "foresatt_session=\"abc", "a=b; " * 500, "foresatt_state_=x",
    "foresatt_session_chunks=1000; foresatt_session_0=x; foresatt_session_999=y",
], ids=lambda c: repr(c[:30]))
def test_odd_cookie_headers_do_not_crash(httpd, cookie):
    r = get_with_cookie(httpd, cookie)
    assert r.status_code in (302, 400)
    assert requests.get(httpd.url("/open.html"), timeout=10).status_code == 200


def test_many_cookie_headers(httpd):
    value = logged_in_cookie(httpd)
    # Split over many Cookie lines (as HTTP/2 may): ours is found among them.
    c = http.client.HTTPConnection("127.0.0.1", httpd.port, timeout=10)
    c.putrequest("GET", "/portal/")
    for i in range(40):
        c.putheader("Cookie", f"junk{i}=x")
    c.putheader("Cookie", "foresatt_session=" + value)
    c.putheader("Accept", "text/html")
    c.endheaders()
    resp = c.getresponse()
    assert resp.status == 200
    c.close()


def test_cookie_reissued_only_when_needed(httpd):
    b = Browser(httpd)
    b.login("/portal/")
    for _ in range(3):
        r = b.get("/portal/page.html")
        assert r.status_code == 200
        assert set_cookie_lines(r) == []  # fresh session: nothing to re-issue


def test_idle_timeout_extends_and_maximum_holds(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattSessionIdleTimeout 4\nForesattSessionMaxAge 7") + PROTECTED)
    try:
        b = Browser(httpd)
        assert b.login("/portal/").status_code == 200
        cookie_a = b.session_cookie()
        s = decode_session(cookie_a)
        assert s["idle_until"] - s["issued"] == 4 and s["expires"] - s["created"] == 7
        time.sleep(2.0)
        r = b.get("/portal/page.html")  # a quarter of the idle window has passed: re-issued
        assert r.status_code == 200 and len(set_cookie_lines(r)) == 1
        cookie_b = b.session_cookie()
        assert decode_session(cookie_b)["idle_until"] > s["idle_until"]
        time.sleep(2.5)
        assert_no_session(get_with_cookie(httpd, "foresatt_session=" + cookie_a))  # idle: A was not used
        r = b.get("/portal/page.html")  # B was active: still in
        assert r.status_code == 200
        time.sleep(3.1)
        assert_no_session(b.get("/portal/page.html"))  # active all along, but the maximum age is over
        assert "ended: maximum session age passed" in httpd.new_log()
    finally:
        httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_passphrase_rollover(httpd, op):
    old_cookie = logged_in_cookie(httpd)
    new = "the next passphrase, long enough"
    conf = login_conf(httpd, op, register=False).replace(f'ForesattCryptoPassphrase "{PASSPHRASE}"',
                                                           f'ForesattCryptoPassphrase "{new}" "{PASSPHRASE}"')
    httpd.reconfigure(conf + PROTECTED)
    try:
        r = get_with_cookie(httpd, "foresatt_session=" + old_cookie)
        assert r.status_code == 200  # the previous passphrase still opens it
        resealed = next(line for line in set_cookie_lines(r) if line.startswith("foresatt_session="))
        resealed = resealed.split(";")[0].split("=", 1)[1]
        assert decode_session(resealed, passphrase=new)["pid"] == PID  # re-issued under the new one
        only_new = conf.replace(f'"{new}" "{PASSPHRASE}"', f'"{new}"')
        httpd.reconfigure(only_new + PROTECTED)
        assert_no_session(get_with_cookie(httpd, "foresatt_session=" + old_cookie))
        assert get_with_cookie(httpd, "foresatt_session=" + resealed).status_code == 200
    finally:
        httpd.reconfigure(login_conf(httpd, op, register=False) + PROTECTED)


def test_another_virtual_hosts_cookie(httpd, op):
    vhosts = (f"<VirtualHost 127.0.0.1:{httpd.port}>\n  ServerName 127.0.0.1:{httpd.port}\n</VirtualHost>\n"
              f"<VirtualHost 127.0.0.1:{httpd.port}>\n  ServerName other.test\n</VirtualHost>\n")
    httpd.reconfigure(login_conf(httpd, op, register=False) + PROTECTED + vhosts)
    try:
        cookie = logged_in_cookie(httpd)
        assert get_with_cookie(httpd, "foresatt_session=" + cookie).status_code == 200
        # Same passphrase and client, another site: the cookie does not open there.
        assert_no_session(get_with_cookie(httpd, "foresatt_session=" + cookie, host="other.test"))
    finally:
        httpd.reconfigure(login_conf(httpd, op, register=False) + PROTECTED)


def test_still_serving_after_all_that(httpd):
    assert Browser(httpd).login("/portal/").status_code == 200
    assert "exit signal" not in httpd.error_log()


def test_one_connection_remembers_no_more_than_its_last_cookie(httpd, op):
    """A keep-alive connection remembers the last cookie that opened (the per-request path skips the
    decrypt when the same cookie comes again). Whatever it remembers, each request is its own: other
    people's cookies on the same connection (a proxy that reuses connections) are theirs, a damaged
    cookie after a good one is refused, and a session that ended, by logout or by time, ends on a
    connection that already opened it."""
    conn = http.client.HTTPConnection("127.0.0.1", httpd.port, timeout=10)
    sockets = set()

    def get(cookie):
        conn.request("GET", "/portal/", headers=dict(NAV, Cookie="foresatt_session=" + cookie))
        r = conn.getresponse()
        r.read()
        sockets.add(id(conn.sock))
        return r

    a = encode_session(sample_session(pseudonym="p-aaaaaaaaaaaaaaaaaaaaaaaa"))
    b = encode_session(sample_session(pseudonym="p-bbbbbbbbbbbbbbbbbbbbbbbb"))
    for cookie, who in ((a, "a"), (a, "a"), (b, "b"), (a, "a"), (b, "b")):
        r = get(cookie)
        assert r.status == 200 and r.getheader("X-Seen-User") == "p-" + who * 24
    assert get(a[:-1]).status == 302  # damaged, right after the same cookie whole
    assert get(a[:-2] + ("B" if a[-2] == "A" else "A") + a[-1]).status == 302
    assert get(a).status == 200

    # Logged out elsewhere: the connection that opened the cookie refuses it from then on.
    browser = Browser(httpd)
    assert browser.login("/portal/").status_code == 200
    real = browser.session_cookie()
    r = get(real)
    assert r.status == 200
    token = r.getheader("X-Seen-Logout-Token")
    assert browser.post("/foresatt/logout", data={"token": token}).status_code in (200, 302, 303)
    assert get(real).status == 302

    # Ended by time: the same cookie, remembered, is refused once its absolute end has passed.
    while time.time() % 1 > 0.3:
        time.sleep(0.05)
    now = int(time.time())
    short = encode_session(sample_session(pseudonym="p-cccccccccccccccccccccccc", expires=now + 1))
    assert get(short).status == 200
    time.sleep(now + 1.05 - time.time())
    assert get(short).status == 302
    assert len(sockets) == 1, "the connection was not kept alive: nothing above was about one connection"
    conn.close()


def test_session_rules_of_idportens_guide(httpd, op):
    """By default the local session is no longer than ID-porten's own: 30 minutes idle, 120 at most;
    amr (which eID was used) decides nothing: an odd one or none logs in the same."""
    s = decode_session(logged_in_cookie(httpd))
    assert s["idle_until"] - s["issued"] == 1800
    assert s["expires"] - s["created"] == 7200
    for amr in (["eIDAS"], "not-a-list", None):
        op.reset()
        if amr is None:
            op.claims_remove = ["amr"]
        else:
            op.claims_override = {"amr": amr}
        assert decode_session(logged_in_cookie(httpd))["acr"] == "idporten-loa-substantial"


def _children_rss_kb(httpd):
    total = 0
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) != httpd.proc_pid:
                    continue
            with open(f"/proc/{d}/status") as f:
                total += int(next(line for line in f if line.startswith("VmRSS:")).split()[1])
        except (OSError, ValueError, StopIteration):
            pass
    return total


def _pipelined(httpd, hosts, cookie, rounds):
    """rounds requests on one keep-alive connection, the Host header cycling through hosts; the
    status codes, in order."""
    sock = socket.create_connection(("127.0.0.1", httpd.port), timeout=30)
    reader = sock.makefile("rb")
    codes = []
    try:
        for start in range(0, rounds, 200):
            batch = range(start, min(rounds, start + 200))
            sock.sendall(b"".join(f"GET /portal/page.html HTTP/1.1\r\nHost: {hosts[i % len(hosts)]}\r\n"
                                  f"Accept: application/json\r\nCookie: foresatt_session={cookie}\r\n\r\n".encode()
                                  for i in batch))
            for _ in batch:
                status = reader.readline()
                length = 0
                for line in iter(reader.readline, b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                reader.read(length)
                codes.append(int(status.split()[1]))
    finally:
        reader.close()
        sock.close()
    return codes


def test_switching_sites_on_one_connection_keeps_memory_flat(httpd, op):
    """One keep-alive connection whose requests alternate between two sites: each switch once made a
    new cookie opener (OpenSSL contexts) on the connection's pool, kept until the connection closed.
    30,000 requests later the children hold no more than a few MB more than after the first 2,000,
    and the cookie opens on its own site and only there, every time."""
    hosts = (f"127.0.0.1:{httpd.port}", "other.test")
    vhosts = "".join(f"<VirtualHost 127.0.0.1:{httpd.port}>\n  ServerName {h}\n</VirtualHost>\n" for h in hosts)
    httpd.reconfigure(login_conf(httpd, op, register=False) + PROTECTED + vhosts + "MaxKeepAliveRequests 0\n")
    try:
        cookie = logged_in_cookie(httpd)
        assert _pipelined(httpd, hosts, cookie, 2000) == [200, 401] * 1000  # warmed up: pools at their size
        before = _children_rss_kb(httpd)
        codes = _pipelined(httpd, hosts, cookie, 30000)
        grown = _children_rss_kb(httpd) - before
        assert codes == [200, 401] * 15000
        if not paths.SANITIZER_PRELOAD:  # ASan keeps freed memory in quarantine: RSS says nothing there
            assert grown < 4096, f"the children grew by {grown} kB"
    finally:
        httpd.reconfigure(login_conf(httpd, op, register=False) + PROTECTED)
