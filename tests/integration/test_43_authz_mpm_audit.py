"""The same providers under the event and prefork MPMs, and the write-behind audit log losing nothing:
entries still in a child's buffer are written when the child exits on a graceful restart and on stop
(the writer's interval is set to an hour, so only the exit can write them)."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from fstest.world import World

PID = "X-Test-Pid"
AUTHZ_FAILURE = r"AH01631"


def conf(w):
    return w.conf + f"""
ForesattIdentity header {PID} 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
ForesattAuditFlushInterval 3600
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{{env:MATCH_SID}}
</LocationMatch>
<Location /meg/>
  AuthType foresatt
  Require foresatt-student
</Location>
"""


@pytest.fixture(scope="module", params=["event", "prefork"])
def world(request, httpd_factory):
    h = httpd_factory(name=f"authz-{request.param}", mpm=request.param)
    w = World(h)
    for sid in w.pupils:
        for tag in ("p", "restart", "stop"):
            h.write_file(f"htdocs/elev/{sid}/{tag}.txt", "pupil page\n")
    h.write_file("htdocs/meg/index.html", "me\n")
    h.start(conf(w))
    w.httpd = h
    return w


@pytest.fixture
def httpd(world):
    return world.httpd


def get(h, path, who):
    return requests.get(h.url(path), headers={PID: who, "X-Test-Acr": "idporten-loa-substantial"}, timeout=15)


def test_scenarios_under_this_mpm(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    for name in ("KARI HANSEN", "PER BERG", "HILDE NILSEN", "TOR LIE", "LISE DAHL"):
        s = world.who(name)
        for sid, want in s["expect"].items():
            assert get(httpd, f"/elev/{sid}/p.txt", s["login"]).status_code == (200 if want == "allow" else 403)
    assert get(httpd, "/meg/", world.who("EMMA HANSEN")["login"]).status_code == 200


def burst(world, n, tag):
    """n decisions from several clients at once, on pages named tag; returns the status codes."""
    kari, per = world.who("KARI HANSEN")["login"], world.who("PER BERG")["login"]
    jobs = [(f"/elev/S1001/{tag}.txt", kari) if i % 3 else (f"/elev/S2001/{tag}.txt", per) for i in range(n)]
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda j: get(world.httpd, *j).status_code, jobs))
    assert set(codes) <= {200, 403}
    return codes


def entries(world, tag):
    return [e for e in world.audit() if e["detail"].endswith(f"/{tag}.txt")]


def count(world, tag):
    return len(entries(world, tag))


def wait_count(world, tag, want, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        n = count(world, tag)
        if n >= want or time.monotonic() > deadline:
            return n
        time.sleep(0.25)


def test_graceful_restart_loses_no_audit_entry(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    codes = burst(world, 120, "restart")
    time.sleep(0.5)
    assert count(world, "restart") == 0, "written before the interval: this test would prove nothing"
    httpd.restart(graceful=True)
    assert wait_count(world, "restart", len(codes)) == len(codes)
    got = entries(world, "restart")
    assert sum(1 for e in got if e["decision"] == "allow") == codes.count(200)
    assert sum(1 for e in got if e["decision"] == "deny" and e["reason"] == "no_parental_responsibility") == \
        codes.count(403)


def test_stop_loses_no_audit_entry(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    codes = burst(world, 60, "stop")
    assert count(world, "stop") == 0
    httpd.stop()
    try:
        assert count(world, "stop") == len(codes)
    finally:
        httpd.start()
