"""The audit log records what the request's whole authorization decided, and fails closed.

- The outcome, not the line: a `Require foresatt-*` line that grants inside a RequireAll another line
  refuses (or inside RequireNone) is audited as a refusal; a line that refuses inside a combination
  that lets the request in is audited as allowed, with the line's reason.
- Subrequests and internal redirects take the person and the decision from the request they came
  from and decide for their own URL: an SSI include of another pupil's page, an error page under
  another pupil's path; an included pupil's page is audited (one page, one entry per pupil).
- Virtual hosts that share a store keep their own audit settings (ForesattAudit, the interval).
- A store that keeps no audit log fails configtest while ForesattAudit is on; a child whose writer
  did not start serves no pupil data (503).
"""
import os
import resource
import time

import pytest
import requests

from fstest import paths
from fstest.world import World

PID = "X-Test-Pid"
AUTHZ_FAILURE = r"AH01631|AH01630"
SECRET = 'ForesattPseudonymSecret "a test pseudonym secret of some length"'


def site(w):
    return w.conf + f"""
LoadModule include_module {paths.HTTPD_MODULES_DIR}/mod_include.so
ForesattIdentity header {PID} 127.0.0.1 acr=X-Test-Acr
{SECRET}
ForesattAuditWindow 0
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{{env:MATCH_SID}}
  ErrorDocument 404 /elev/S1001/sorry.txt
</LocationMatch>
<Directory "{w.h.htdocs}/elev">
  Options +Includes
  AddOutputFilter INCLUDES .shtml
</Directory>
<Location /all/>
  AuthType foresatt
  <RequireAll>
    Require foresatt-guardian-of S1001
    Require user somebody-else
  </RequireAll>
</Location>
<Location /none/>
  AuthType foresatt
  <RequireAll>
    Require valid-user
    <RequireNone>
      Require foresatt-guardian-of S1001
    </RequireNone>
  </RequireAll>
</Location>
<Location /any/>
  AuthType foresatt
  <RequireAny>
    Require foresatt-guardian-of S2001
    Require valid-user
  </RequireAny>
</Location>
"""


@pytest.fixture(scope="module")
def world(httpd_factory):
    h = httpd_factory(name="audit")
    w = World(h)
    for sid in ("S1001", "S1002", "S2001"):
        h.write_file(f"htdocs/elev/{sid}/part.txt", f"part of {sid}\n")
        h.write_file(f"htdocs/elev/{sid}/sorry.txt", f"sorry page of {sid}\n")
    h.write_file("htdocs/elev/S1001/page.shtml",
                 "own: <!--#include virtual=\"/elev/S1001/part.txt\" -->"
                 "sibling: <!--#include virtual=\"/elev/S1002/part.txt\" -->"
                 "other: <!--#include virtual=\"/elev/S2001/part.txt\" -->\n")
    for d in ("all", "none", "any"):
        h.write_file(f"htdocs/{d}/p.txt", "page\n")
    h.start(site(w))
    w.httpd = h
    return w


@pytest.fixture
def httpd(world):
    return world.httpd


def get(h, path, who, host=None):
    headers = {PID: who, "X-Test-Acr": "idporten-loa-substantial"}
    if host:
        headers["Host"] = host
    return requests.get(h.url(path), headers=headers, timeout=15)


def entries(world, path, timeout=10, want=1):
    """The audit entries whose path is path, once at least want are there (the writer's interval)."""
    deadline = time.monotonic() + timeout
    while True:
        got = [e for e in world.audit() if e["detail"] == path]
        if len(got) >= want or time.monotonic() > deadline:
            return got
        time.sleep(0.25)


def kari(world):
    return world.who("KARI HANSEN")["login"]


def per(world):
    return world.who("PER BERG")["login"]


# --- the outcome, not the line -------------------------------------------------------------------

def test_a_granting_line_refused_by_require_all_is_audited_as_refused(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    assert get(httpd, "/all/p.txt", kari(world)).status_code == 403
    got = entries(world, "/all/p.txt")
    assert [(e["student_id"], e["decision"], e["reason"]) for e in got] == \
        [("S1001", "deny", "refused_by_site_rules")]


def test_require_none_inverts_the_audit_with_the_request(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    # KARI may see S1001: RequireNone refuses her, and the log says so.
    assert get(httpd, "/none/p.txt", kari(world)).status_code == 403
    # PER may not: the request is let in, and the log says allowed, with the line's reason.
    assert get(httpd, "/none/p.txt", per(world)).status_code == 200
    got = entries(world, "/none/p.txt", want=2)
    assert sorted((e["student_id"], e["decision"], e["reason"]) for e in got) == \
        [("S1001", "allow", "no_parental_responsibility"), ("S1001", "deny", "refused_by_site_rules")]


def test_require_any_allowed_by_another_line_keeps_our_line_s_reason(world, httpd):
    assert get(httpd, "/any/p.txt", kari(world)).status_code == 200
    got = entries(world, "/any/p.txt")
    assert [(e["student_id"], e["decision"], e["reason"]) for e in got] == \
        [("S2001", "allow", "no_parental_responsibility")]


# --- subrequests and internal redirects ------------------------------------------------------------

def test_an_include_of_another_pupil_is_decided_for_its_own_url(world, httpd):
    r = get(httpd, "/elev/S1001/page.shtml", kari(world))
    assert r.status_code == 200
    assert "own: part of S1001" in r.text
    assert "sibling: part of S1002" in r.text  # KARI's other child
    assert "part of S2001" not in r.text        # not hers: the include is refused
    # The page and the sibling's part each have an entry; the own part is the page's; the refused
    # include served nothing and has none.
    assert [(e["student_id"], e["decision"]) for e in entries(world, "/elev/S1001/page.shtml")] == \
        [("S1001", "allow")]
    assert [(e["student_id"], e["decision"]) for e in entries(world, "/elev/S1002/part.txt")] == \
        [("S1002", "allow")]
    assert entries(world, "/elev/S1001/part.txt", timeout=1) == []
    assert entries(world, "/elev/S2001/part.txt", timeout=1) == []


def test_an_error_page_under_another_pupil_is_decided_for_its_own_url(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    # KARI's 404 under her child's path shows the error page under S1001, which she may see.
    r = get(httpd, "/elev/S1001/missing.txt", kari(world))
    assert r.status_code == 404 and "sorry page of S1001" in r.text
    # INGRID may see S2001 only: her 404 there would show S1001's page, but that internal redirect
    # is decided for S1001 and refused.
    ingrid = world.who("INGRID BERG")["login"]
    r = get(httpd, "/elev/S2001/missing.txt", ingrid)
    assert r.status_code == 404
    assert "S1001" not in r.text
    assert [(e["student_id"], e["decision"]) for e in entries(world, "/elev/S1001/missing.txt")] == \
        [("S1001", "allow")]
    assert [(e["student_id"], e["decision"]) for e in entries(world, "/elev/S2001/missing.txt")] == \
        [("S2001", "allow")]
    got = entries(world, "/elev/S1001/sorry.txt", want=2)
    assert sorted((e["student_id"], e["decision"], e["reason"]) for e in got) == \
        [("S1001", "allow", "-"), ("S1001", "deny", "no_parental_responsibility")]


# --- virtual hosts sharing a store ----------------------------------------------------------------

def vhosts(w):
    base = f"""
LoadModule include_module {paths.HTTPD_MODULES_DIR}/mod_include.so
ForesattIdentity header {PID} 127.0.0.1 acr=X-Test-Acr
{SECRET}
ForesattAuditWindow 0
"""
    port = w.h.port
    loc = """  <LocationMatch "^/elev/(?<sid>[^/]+)/">
    AuthType foresatt
    Require foresatt-guardian-of %{env:MATCH_SID}
  </LocationMatch>"""
    return w.conf + base + f"""
<VirtualHost 127.0.0.1:{port}>
  ServerName quick.test
{loc}
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
  ServerName slow.test
  ForesattAuditFlushInterval 3600
{loc}
</VirtualHost>
<VirtualHost 127.0.0.1:{port}>
  ServerName unaudited.test
  ForesattAudit off
{loc}
</VirtualHost>
"""


def test_virtual_hosts_sharing_a_store_keep_their_own_audit_settings(httpd_factory):
    h = httpd_factory(name="audit-vhosts")
    w = World(h)
    for host in ("quick", "slow", "unaudited"):
        h.write_file(f"htdocs/elev/S1001/{host}.txt", "page\n")
    h.start(vhosts(w))
    who = w.who("KARI HANSEN")["login"]
    for host in ("quick", "slow", "unaudited"):
        assert get(h, f"/elev/S1001/{host}.txt", who, host=f"{host}.test").status_code == 200
    # quick.test writes within its second; slow.test holds its entry for an hour (or until the
    # child exits); unaudited.test never writes one.
    assert len(entries(w, "/elev/S1001/quick.txt")) == 1
    assert entries(w, "/elev/S1001/slow.txt", timeout=2) == []
    h.restart(graceful=True)
    assert len(entries(w, "/elev/S1001/slow.txt")) == 1
    assert entries(w, "/elev/S1001/unaudited.txt", timeout=1) == []


# --- failing closed -------------------------------------------------------------------------------

def no_audit_store(w):
    return f"ForesattPlugin noaudit {paths.test_plugin('store_no_audit')} path={w.db}\n"


def test_a_store_without_an_audit_log_fails_configtest_while_auditing(httpd_factory):
    h = httpd_factory(name="audit-configtest")
    w = World(h, store_line=f"ForesattPlugin st {paths.test_plugin('store_no_audit')} path="
                            f"{os.path.join(h.data_dir, 'foresatt.db')}")
    body = w.conf + f"ForesattIdentity header {PID} 127.0.0.1 acr=X-Test-Acr\n{SECRET}\n" + """
<Location /elev/>
  AuthType foresatt
  Require foresatt-guardian
</Location>
"""
    rc, out = h.configtest(body)
    assert rc != 0
    assert "FS0549" in out and "ForesattStore st" in out and "ForesattAudit off" in out and "audit_append" in out
    rc, out = h.configtest(body + "ForesattAudit off\n")
    assert rc == 0, out


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: httpd's children run as another user")
def test_a_child_whose_writer_did_not_start_serves_no_pupil_data(httpd_factory):
    h = httpd_factory(name="audit-nowriter", mpm="prefork")
    w = World(h)
    h.write_file("htdocs/elev/S1001/p.txt", "pupil page\n")
    h.start(w.conf + f"""
ForesattIdentity header {PID} 127.0.0.1 acr=X-Test-Acr
{SECRET}
ForesattAuditWindow 0
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{{env:MATCH_SID}}
</LocationMatch>
""")
    who = w.who("KARI HANSEN")["login"]
    assert get(h, "/elev/S1001/p.txt", who).status_code == 200
    # Children forked from now on, as httpd's user, may not start a thread: their audit writer fails.
    limit = resource.prlimit(h.proc_pid, resource.RLIMIT_NPROC)
    resource.prlimit(h.proc_pid, resource.RLIMIT_NPROC, (1, limit[1]))
    h.expect_log(r"FS0515|FS0705")
    h.restart(graceful=True)
    deadline = time.monotonic() + 15
    while "FS0515" not in h.error_log() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "FS0515" in h.error_log()
    before = len(entries(w, "/elev/S1001/p.txt", timeout=1))
    for _ in range(4):
        r = get(h, "/elev/S1001/p.txt", who)
        assert r.status_code == 503
        assert "pupil page" not in r.text
        assert r.headers.get("Retry-After")
    assert len(entries(w, "/elev/S1001/p.txt", timeout=1)) == before
    resource.prlimit(h.proc_pid, resource.RLIMIT_NPROC, limit)
