"""Authorization through a real httpd: every fixture scenario for today (Oslo), Require combinations,
the 403 page, what the portal receives, header scrubbing, configuration errors and the audit log.
The person comes from a trusted proxy's header (ForesattIdentity header), the same providers as with
the built-in login."""
import datetime
import os
import re
import time

import pytest
import requests

from fstest.net import free_port
from fstest.roster import synthetic_numbers
from fstest.world import World

PID = "X-Test-Pid"
ACR = "X-Test-Acr"
AUTHZ_FAILURE = r"AH01631"  # mod_authz_core logs every refusal of a logged-in user at error level

ECHO = """
Header always set X-Seen-Role "expr=%{req:X-Foresatt-Role}"
Header always set X-Seen-Students "expr=%{req:X-Foresatt-Students}"
Header always set X-Seen-Name "expr=%{req:X-Foresatt-Name}"
Header always set X-Seen-Number "expr=%{req:X-Foresatt-Number}"
Header always set X-Seen-Extra "expr=%{req:X_Foresatt_Role}%{req:X-Test-Pid}"
"""

LOCATIONS = """
ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
ForesattAuditFlushInterval 1
<Location /elev/>
  AuthType foresatt
  Require foresatt-guardian
</Location>
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
<LocationMatch "^/lc/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{toupper:%{env:MATCH_SID}}
</LocationMatch>
<Location /meg/>
  AuthType foresatt
  Require foresatt-student
</Location>
<Location /any/>
  AuthType foresatt
  <RequireAny>
    Require foresatt-student
    Require foresatt-guardian-of S1001
  </RequireAny>
</Location>
<Location /all/>
  AuthType foresatt
  <RequireAll>
    Require foresatt-guardian
    Require foresatt-guardian-of S4002
  </RequireAll>
</Location>
<Location /none/>
  AuthType foresatt
  <RequireAll>
    Require foresatt-guardian
    <RequireNone>
      Require foresatt-guardian-of S1001
    </RequireNone>
  </RequireAll>
</Location>
<Location /not/>
  AuthType foresatt
  <RequireAll>
    Require foresatt-guardian
    Require not foresatt-student
  </RequireAll>
</Location>
<Location /literal/>
  AuthType foresatt
  Require foresatt-guardian-of S2001
</Location>
<Location /ip-or-guardian/>
  AuthType foresatt
  <RequireAny>
    Require ip 127.0.0.1
    Require foresatt-guardian
  </RequireAny>
</Location>
"""


def site(h, w, extra=""):
    for sid in w.pupils + ["S9999"]:
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
        h.write_file(f"htdocs/lc/{sid.lower()}/p.txt", "pupil page\n")
    for d in ("elev", "meg", "any", "all", "none", "not", "literal", "open", "ip-or-guardian"):
        h.write_file(f"htdocs/{d}/index.html", f"{d}\n")
    return w.conf + LOCATIONS + ECHO + extra


@pytest.fixture(scope="module")
def world(httpd_factory):
    h = httpd_factory(name="authz")
    w = World(h)
    h.start(site(h, w))
    w.httpd = h
    return w


@pytest.fixture
def httpd(world):
    return world.httpd


def get(h, path, who=None, headers=None):
    hd = dict(headers or {})
    if who is not None:
        hd[PID] = who
        hd.setdefault(ACR, "idporten-loa-substantial")
    return requests.get(h.url(path), headers=hd, timeout=10, allow_redirects=False)


def guardians(w):
    return [s for s in w.scenarios if s.get("role") != "student"]


def test_every_scenario(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    for s in guardians(world):
        allowed = sorted(sid for sid, d in s["expect"].items() if d == "allow")
        for sid in world.pupils:
            r = get(httpd, f"/elev/{sid}/p.txt", s["login"])
            want = 200 if s["expect"].get(sid) == "allow" else 403
            assert r.status_code == want, (s["who"], sid, s["expect"].get(sid), r.status_code)
        r = get(httpd, "/elev/", s["login"])
        assert r.status_code == (200 if allowed else 403), s["who"]
        if allowed:
            assert r.headers["X-Seen-Role"] == "guardian"
            assert r.headers["X-Seen-Students"] == ",".join(allowed)
            assert r.headers["X-Seen-Name"] == s["who"] or s["who"] == "UNKNOWN"
        assert get(httpd, "/meg/", s["login"]).status_code == 403, s["who"]


def test_students(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    for s in world.scenarios:
        if s.get("role") != "student":
            continue
        r = get(httpd, "/meg/", s["login"])
        assert r.status_code == 200, s["who"]
        assert r.headers["X-Seen-Role"] == "student"
        assert r.headers["X-Seen-Students"] == s["student_id"]
        assert r.headers["X-Seen-Name"] == s["who"]
        # a pupil is not their own guardian
        assert get(httpd, f"/elev/{s['student_id']}/p.txt", s["login"]).status_code == 403


def test_not_logged_in_is_asked_to_log_in(httpd):
    r = get(httpd, "/elev/S1001/p.txt")
    assert r.status_code == 401
    assert "pupil page" not in r.text


def test_the_refusal_page_says_why_and_nothing_more(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    kari, per, hilde, tor = (world.who(n)["login"] for n in ("KARI HANSEN", "PER BERG", "HILDE NILSEN", "TOR LIE"))

    adult = get(httpd, "/elev/S1003/p.txt", kari)
    assert adult.status_code == 403
    assert adult.headers["Cache-Control"] == "no-store"
    assert "WWW-Authenticate" not in adult.headers
    assert "Eleven har fylt 18 &aring;r" in adult.text and "The pupil has turned 18" in adult.text
    assert "<html lang=\"nb\">" in adult.text and "lang=\"en\"" in adult.text

    assert "g&aring;r ikke lenger ved skolen" in get(httpd, "/elev/S4001/p.txt", hilde).text
    assert "not registered you as a guardian" in get(httpd, "/elev/S6001/p.txt", tor).text
    assert "ingen elever" in get(httpd, "/elev/", world.who("LISE DAHL")["login"]).text.lower()

    # No responsibility, someone else's child, and an id that does not exist: the same page, byte for byte
    no_resp = get(httpd, "/elev/S2001/p.txt", per)
    stranger = get(httpd, "/elev/S2001/p.txt", kari)
    unknown = get(httpd, "/elev/S9999/p.txt", kari)
    assert no_resp.status_code == stranger.status_code == unknown.status_code == 403
    assert no_resp.text == stranger.text == unknown.text
    assert "Du har ikke tilgang til denne eleven" in no_resp.text
    for page in (adult, no_resp, unknown):
        assert not re.search(r"S\d{4}", page.text)
        assert not re.search(r"\d{11}", page.text)
        for s in world.scenarios:
            assert s["who"] not in page.text


def test_refused_registrations_do_not_crowd_out_allowed_pupils(httpd_factory):
    """Kari with 40 more registrations, all for pupils who have left (refused; with her two adults, 42), whose ids sort before
    her own children's: a decision carries 32 pupils of each kind, so her children are still
    allowed (once the refused ones filled the decision and cut them off), and the log says that
    refused pupils were left out."""
    h = httpd_factory(name="authz-many")
    w = World(h)
    kari = w.who("KARI HANSEN")["login"]
    roster = os.path.join(w.dir, "roster.csv")
    with open(roster, encoding="utf-8") as f:
        text = f.read()
    numbers = [n for n in synthetic_numbers(datetime.date(2008, 3, 1), 60) if n not in text][:40]
    with open(roster, "a", encoding="utf-8") as f:
        for i, n in enumerate(numbers):
            f.write(f"S0{i:03d},{n},OSLO-VGS-01,left,,{kari},KARI HANSEN,+4791234567,kari@example.no,"
                    "yes,yes,main,accepted\n")
    p = w.ctl("import", roster)
    assert p.returncode == 0, p.stderr
    h.start(site(h, w))
    h.expect_log(AUTHZ_FAILURE)
    h.expect_log(r"FS0514: decision for p-[0-9a-f]+: 10 refused pupil\(s\) past the 32")
    for sid in ("S1001", "S1002", "S1005"):
        r = get(h, f"/elev/{sid}/p.txt", kari)
        assert r.status_code == 200 and r.text == "pupil page\n", sid
    assert get(h, "/elev/S0000/p.txt", kari).status_code == 403
    assert get(h, "/elev/S1003/p.txt", kari).status_code == 403  # 18, no consent: still refused
    assert re.search(r"FS0514: decision for p-[0-9a-f]+: 10 refused pupil\(s\) past the 32", h.error_log())


def test_require_combinations(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    kari, emma, ingrid, hilde, jonas = (world.who(n)["login"] for n in
                                       ("KARI HANSEN", "EMMA HANSEN", "INGRID BERG", "HILDE NILSEN", "JONAS HANSEN"))
    # RequireAny: a pupil, or the guardian of S1001
    assert get(httpd, "/any/", kari).status_code == 200
    assert get(httpd, "/any/", emma).status_code == 200
    assert get(httpd, "/any/", emma).headers["X-Seen-Role"] == "student"
    assert get(httpd, "/any/", ingrid).status_code == 403
    # RequireAll
    assert get(httpd, "/all/", hilde).status_code == 200
    assert get(httpd, "/all/", kari).status_code == 403
    # RequireNone inside RequireAll
    assert get(httpd, "/none/", ingrid).status_code == 200
    assert get(httpd, "/none/", kari).status_code == 403
    # Require not
    assert get(httpd, "/not/", kari).status_code == 200
    assert get(httpd, "/not/", jonas).status_code == 403
    # a literal pupil id, and an expression with a function
    assert get(httpd, "/literal/", ingrid).status_code == 200
    assert get(httpd, "/literal/", kari).status_code == 403
    assert get(httpd, "/lc/s2001/p.txt", ingrid).status_code == 200
    assert get(httpd, "/lc/s2001/p.txt", kari).status_code == 403
    # another provider granting: no guardian headers for the portal
    r = get(httpd, "/ip-or-guardian/", kari)
    assert r.status_code == 200 and r.headers["X-Seen-Role"] == ""


def test_client_sent_identity_headers_are_removed(world, httpd):
    forged = {"X-Foresatt-Role": "guardian", "X-Foresatt-Students": "S2001", "X-Foresatt-Name": "Mallory",
              "X-Foresatt-Number": "12345678901", "X_Foresatt_Role": "guardian", "x-foresatt-students": "S1"}
    open_page = get(httpd, "/open/", headers=forged)
    assert open_page.status_code == 200
    for h in ("X-Seen-Role", "X-Seen-Students", "X-Seen-Name", "X-Seen-Number", "X-Seen-Extra"):
        assert open_page.headers[h] == "", h
    # on a protected page the module's values replace them
    r = get(httpd, "/elev/S2001/p.txt", world.who("INGRID BERG")["login"], headers=forged)
    assert r.status_code == 200
    assert r.headers["X-Seen-Students"] == "S2001"
    assert r.headers["X-Seen-Name"] == "INGRID BERG"
    assert r.headers["X-Seen-Number"] == ""  # only with ForesattPassNumbers on
    # the identity header itself never reaches the portal
    assert r.headers["X-Seen-Extra"] == ""


def test_audit_log_holds_the_decisions(world, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    geir, lise = world.who("GEIR DAHL")["login"], world.who("LISE DAHL")["login"]
    marker = f"/elev/S7001/p.txt"
    assert get(httpd, marker, geir).status_code == 200
    assert get(httpd, marker, lise).status_code == 403
    deadline = time.monotonic() + 10
    while True:
        entries = [e for e in world.audit(pupil="S7001") if e["detail"] == marker]
        # earlier tests' denials share the marker: wait for this test's allow too (written behind)
        if {"allow", "deny"} <= {e["decision"] for e in entries} or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    decisions = sorted((e["decision"], e["reason"]) for e in entries)
    assert decisions[-2:] == [("allow", "-"), ("deny", "no_parental_responsibility")] or \
        ("allow", "-") in decisions and ("deny", "no_parental_responsibility") in decisions, entries
    for e in entries:
        assert re.fullmatch(r"p-[0-9a-f]{24}", e["actor"]), e
        assert e["role"] == "guardian"
    # never a number, anywhere it writes
    everything = "\n".join("\t".join(e.values()) for e in world.audit())
    logs = httpd.error_log() + httpd.access_log()
    for s in world.scenarios:
        assert s["login"] not in everything
        assert s["login"] not in logs


def test_remote_user_is_the_pseudonym(world, httpd):
    get(httpd, "/elev/S2001/p.txt", world.who("INGRID BERG")["login"])
    # httpd writes the access log after the response has gone out: wait for the line.
    deadline = time.monotonic() + 5
    while "/elev/S2001/p.txt" not in httpd.access_log() and time.monotonic() < deadline:
        time.sleep(0.05)
    last = [line for line in httpd.access_log().splitlines() if "/elev/S2001/p.txt" in line][-1]
    assert re.search(r" p-[0-9a-f]{24} ", last), last


def test_untrusted_peer_cannot_assert_an_identity(httpd_factory):
    h = httpd_factory(name="authz-untrusted")
    w = World(h)
    port = free_port()
    # the header is believed only from 10.9.9.9; the test client is 127.0.0.1
    h.start(site(h, w).replace("ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr",
                               "ForesattIdentity header X-Test-Pid 10.9.9.9 acr=X-Test-Acr"))
    r = get(h, "/elev/S2001/p.txt", w.who("INGRID BERG")["login"])
    assert r.status_code == 401
    r = get(h, "/open/", w.who("INGRID BERG")["login"])
    assert r.status_code == 200 and r.headers["X-Seen-Extra"] == ""
    assert port  # another port was not needed


CONFIG_ERRORS = [
    ("<Location /x/>\n  Require foresatt-guardian-of\n</Location>", ["foresatt-guardian-of", "give the pupil id"]),
    ("<Location /x/>\n  Require foresatt-guardian S1\n</Location>", ["foresatt-guardian takes no argument"]),
    ("<Location /x/>\n  Require foresatt-student me\n</Location>", ["foresatt-student takes no argument"]),
    ("<Location /x/>\n  Require foresatt-guardian-of %{env:\n</Location>", ["foresatt-guardian-of", "cannot parse"]),
    ("ForesattAuthzRecheck soon", ["ForesattAuthzRecheck", "not a number of seconds"]),
    ("ForesattAuthzHeader colour X-Colour", ["ForesattAuthzHeader", "unknown header 'colour'"]),
    ("ForesattAuthzHeader role X:Role", ["not a valid header name"]),
    ("ForesattAuditBuffer 3", ["ForesattAuditBuffer", "from 16"]),
    ("ForesattIdentity header X-Pid", ["ForesattIdentity header", "trusted proxy"]),
    ("ForesattIdentity header X-Pid 10.0.0.0/99", ["not an IP address or network"]),
    ("ForesattIdentity cookie", ["ForesattIdentity", "unknown source 'cookie'"]),
]


@pytest.mark.parametrize("body,words", CONFIG_ERRORS, ids=[w[-1][:30] for _, w in CONFIG_ERRORS])
def test_configuration_errors_fail_configtest(world, httpd, body, words):
    rc, out = httpd.configtest(world.conf + body)
    assert rc != 0, out
    for word in words:
        assert word in out, out


def test_providers_without_plugins_fail_configtest(httpd):
    rc, out = httpd.configtest("<Location /x/>\n AuthType Basic\n AuthName x\n Require foresatt-guardian\n</Location>")
    assert rc != 0
    assert "Require foresatt-*" in out and "ForesattRegistry" in out and "ForesattStore" in out


def test_good_configuration_passes(world, httpd):
    rc, out = httpd.configtest(world.conf + LOCATIONS + "ForesattAuthzRecheck 60\nForesattAuthzHeader name off\n")
    assert rc == 0, out


def test_numbers_and_header_names_when_the_administrator_asks(httpd_factory):
    import hashlib
    import hmac
    from fstest.oidc import cookie_key

    h = httpd_factory(name="authz-numbers")
    w = World(h)
    secret = "pseudonym secret for the tests"
    h.start(site(h, w, """
ForesattPassNumbers on
ForesattAuthzHeader role X-Rolle
ForesattAuthzHeader name off
ForesattPseudonymSecret "%s"
Header always set X-Seen-Rolle "expr=%%{req:X-Rolle}"
Header always set X-Seen-Student-Numbers "expr=%%{req:X-Foresatt-Student-Numbers}"
Header always set X-Seen-User "expr=%%{REMOTE_USER}"
""" % secret))
    kari = w.who("KARI HANSEN")["login"]
    r = get(h, "/elev/S1001/p.txt", kari, headers={"X-Rolle": "forged", "X-Foresatt-Role": "forged"})
    assert r.status_code == 200
    assert r.headers["X-Seen-Rolle"] == "guardian"
    assert r.headers["X-Seen-Role"] == ""  # renamed: the default name is not set, and the client's copy is gone
    assert r.headers["X-Seen-Name"] == ""  # turned off
    assert r.headers["X-Seen-Number"] == kari
    numbers = r.headers["X-Seen-Student-Numbers"].split(",")
    assert len(numbers) == 3 and all(len(n) == 11 and n.isdigit() for n in numbers)
    # the pseudonym is the login's: HMAC-SHA256 under the key derived from ForesattPseudonymSecret
    want = "p-" + hmac.new(cookie_key(secret, "pseudonym"), kari.encode(), hashlib.sha256).hexdigest()[:24]
    assert r.headers["X-Seen-User"] == want
    # forged copies of the renamed header are removed on open pages too
    assert get(h, "/open/", headers={"X-Rolle": "guardian"}).headers["X-Seen-Rolle"] == ""


def test_export_and_audit_by_guardian_find_what_that_person_did(httpd_factory):
    # The right of access covers the audit log: foresattctl finds a person's entries by the same
    # pseudonym the module logs, computed from the configuration's key, and nobody else's.
    import json

    h = httpd_factory(name="authz-export")
    w = World(h)
    h.start(site(h, w, 'ForesattPseudonymSecret "export test secret"\n'))
    h.expect_log(AUTHZ_FAILURE)
    w.conf_path = h.write_file("conf/foresatt.conf", w.conf + 'ForesattPseudonymSecret "export test secret"\n')
    kari, ingrid = w.who("KARI HANSEN")["login"], w.who("INGRID BERG")["login"]
    assert get(h, "/elev/S1001/p.txt", kari).status_code == 200
    assert get(h, "/elev/S2001/p.txt", kari).status_code == 403
    assert get(h, "/elev/S2001/p.txt", ingrid).status_code == 200
    deadline = time.monotonic() + 10
    while len(w.audit()) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)

    p = w.ctl("export", "--guardian", kari)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    seen = sorted((e["student_id"], e["decision"], e["detail"]) for e in doc["audit"])
    assert ("S1001", "allow", "/elev/S1001/p.txt") in seen
    assert ("S2001", "deny", "/elev/S2001/p.txt") in seen
    assert not any(sid == "S2001" and d == "allow" for sid, d, _ in seen), "Ingrid's entry in Kari's export"

    p = w.ctl("audit", "--guardian", kari)
    assert p.returncode == 0, p.stderr
    rows = p.stdout.splitlines()[1:]
    assert rows and len(rows) == len(doc["audit"])
    actors = {r.split("\t")[2] for r in rows}
    assert len(actors) == 1 and kari not in p.stdout

    assert w.ctl("audit", "--guardian", "12345678901").returncode == 1


def test_export_without_a_key_says_the_audit_cannot_be_linked(world, httpd):
    import json

    p = world.ctl("export", "--guardian", world.who("KARI HANSEN")["login"])
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["audit"] is None
    assert "cannot be linked" in p.stderr
    p = world.ctl("audit", "--guardian", world.who("KARI HANSEN")["login"])
    assert p.returncode == 3
    assert "needs ForesattPseudonymSecret or ForesattCryptoPassphrase" in p.stderr


def test_pseudonym_secret_in_a_virtual_host_is_that_host_s(httpd_factory):
    # ForesattPseudonymSecret set inside <VirtualHost> keys that host's pseudonyms (it was once read
    # from the main server only, and a vhost's secret was silently ignored).
    import hashlib
    import hmac
    from fstest.oidc import cookie_key

    h = httpd_factory(name="authz-vhost-pseudonym")
    w = World(h)
    main_secret, vhost_secret = "main server secret", "virtual host secret"
    body = site(h, w, f"""
ForesattPseudonymSecret "{main_secret}"
Header always set X-Seen-User "expr=%{{REMOTE_USER}}"
<VirtualHost *:{h.port}>
  ServerName 127.0.0.1
</VirtualHost>
<VirtualHost *:{h.port}>
  ServerName other.test
  DocumentRoot "{h.htdocs}"
  ForesattPseudonymSecret "{vhost_secret}"
  Header always set X-Seen-User "expr=%{{REMOTE_USER}}"
</VirtualHost>
""")
    h.start(body)
    kari = w.who("KARI HANSEN")["login"]

    def want(secret):
        return "p-" + hmac.new(cookie_key(secret, "pseudonym"), kari.encode(), hashlib.sha256).hexdigest()[:24]

    r = get(h, "/elev/S1001/p.txt", kari)
    assert r.status_code == 200 and r.headers["X-Seen-User"] == want(main_secret)
    r = get(h, "/elev/S1001/p.txt", kari, headers={"Host": "other.test"})
    assert r.status_code == 200, r.status_code
    assert r.headers["X-Seen-User"] == want(vhost_secret)
