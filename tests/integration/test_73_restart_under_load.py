"""Graceful restarts under load (event MPM): wrk drives a protected page with a logged-in guardian's
session cookie while httpd is restarted gracefully three times. Every answer wrk gets is a 200 (no
session is lost: nobody is sent back to the login, nobody gets a 503), and every request httpd
served (its access log) has its audit entry: none is lost while children are replaced.

test_43 covers the graceful restart and the stop without load, under event and prefork; test_19
keeps sessions and logouts across a graceful restart under each MPM."""
import os
import re
import shutil
import sqlite3
import subprocess
import time

import pytest

from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

WRK = shutil.which("wrk")
PAGE = "/elev/S1001/p.txt"

COUNT_STATUSES = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  io.write("STATUSES")
  for code, n in pairs(total) do io.write(string.format(" %d=%d", code, n)) end
  io.write("\\n")
end
"""


@pytest.fixture(scope="module")
def site(httpd_factory):
    if WRK is None:
        pytest.fail("wrk is missing: apt-get install wrk (scripts/debian-packages lists it)")
    op = make_op()
    h = httpd_factory(name="restart-load")
    w = World(h)
    h.write_file("htdocs/elev/S1001/p.txt", "pupil page\n")
    h.write_file("conf/status.lua", COUNT_STATUSES)
    h.start(w.conf + login_conf(h, op) + """
ForesattAuditFlushInterval 1
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
""")
    w.httpd, w.op = h, op
    yield w
    op.stop()


def audit_allows(w):
    con = sqlite3.connect(w.db, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM audit WHERE pupil_id = 'S1001' AND decision = 'allow' "
                           "AND detail = ?", (PAGE,)).fetchone()[0]
    finally:
        con.close()


def served(h):
    return sum(1 for line in h.access_log().splitlines() if f'"GET {PAGE} HTTP/1.1" 200 ' in line)


def test_graceful_restarts_under_load_lose_no_session_and_no_audit_entry(site):
    h = site.httpd
    b = Browser(h)
    r = b.login(PAGE, pid=site.who("KARI HANSEN")["login"])
    assert r.status_code == 200
    r = b.get(PAGE)  # the decision now rides in the cookie
    assert r.status_code == 200
    cookie = b.cookie_header(h.url(PAGE))
    before_served = served(h)

    wrk = subprocess.Popen([WRK, "-t2", "-c8", "-d8s", "-s", os.path.join(h.root, "conf", "status.lua"),
                            "-H", f"Cookie: {cookie}", h.url(PAGE)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        for _ in range(3):
            time.sleep(1.5)
            h.restart(graceful=True)
        out, _ = wrk.communicate(timeout=60)
    finally:
        if wrk.poll() is None:
            wrk.kill()
    statuses = dict((int(c), int(n)) for c, n in re.findall(r"(\d+)=(\d+)", out.split("STATUSES")[1]))
    print(out)
    assert set(statuses) == {200}, f"answers other than 200 under restarts: {statuses}"
    got = statuses[200]
    assert got > 1000, "too little load to prove anything"

    # every 200 served for this page since the server started (the log is the truth; a response may
    # be served and its connection closed before wrk reads it) has exactly one audit entry
    assert served(h) - before_served >= got
    deadline = time.monotonic() + 20
    while audit_allows(site) < served(h) and time.monotonic() < deadline:
        time.sleep(0.25)
    assert audit_allows(site) == served(h), "audit entries lost (or made up) across the restarts"
    # and the session still works after the last restart
    assert b.get(PAGE).status_code == 200
