"""foresattctl follow through a real httpd: Folkeregisteret's event feed (the stand-in, through
registry_freg and a Maskinporten token) reaches the school's sessions and store. Guardians log in
through the ID-porten stand-in, so their decisions ride in the session cookie; the register cache
and the decisions are kept for an hour here, so only follow's invalidations can change them.

Against both store plugins (SQLite, and a real PostgreSQL)."""
import copy
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from fstest import paths
from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

sys.path.insert(0, os.path.join(paths.SRCDIR, "tests", "standins"))
from freg import Freg  # noqa: E402
from maskinporten import Maskinporten  # noqa: E402

sys.path.insert(0, paths.FIXTURES_DIR)
import idnumbers  # noqa: E402

CLIENT = "foresatt-follow"
AUTHZ_FAILURE = r"AH01631"
JSON = {"Accept": "application/json"}
# SAMIRA AHMED's fødselsnummer once her D-number is replaced (synthetic, born 1985-07-30)
NEW_NUMBER = next(n for n in (idnumbers.make(datetime.date(1985, 7, 30), i) for i in range(400, 500, 2)) if n)
INTERVAL = 1


class Env:
    pass


@pytest.fixture(scope="module", params=["sqlite", "pgsql"])
def env(request, httpd_factory):
    e = Env()
    e.kind = request.param
    e.mp = Maskinporten()
    client = e.mp.add_client(CLIENT, kid="k1")
    e.mp.start()
    e.op = make_op()
    h = e.h = httpd_factory(name=f"follow-{e.kind}")
    e.freg = Freg(os.path.join(h.root, "world", "freg"), maskinporten=e.mp).start()
    pem = client.private_pem()
    key = h.write_file("conf/mp.pem", pem.decode() if isinstance(pem, bytes) else pem)
    reg = (f"ForesattPlugin reg {paths.plugin('registry_freg')} base_url={e.freg.base_url} "
           f"token_url={e.mp.token_url} client_id={CLIENT} key={key} kid=k1 timeout=5")
    store = None
    if e.kind == "pgsql":
        pg = request.getfixturevalue("postgres")
        pg.create_database("follow")
        store = f'ForesattPlugin st {paths.plugin("store_pgsql")} conninfo="{pg.conninfo("follow")}"'
    e.w = World(h, registry_line=reg, store_line=store, extra=login_conf(h, e.op))
    for sid in e.w.pupils:
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
    h.start(e.w.conf + """
ForesattRegistryCacheTTL 3600
ForesattAuthzRecheck 3600
ForesattAuditFlushInterval 1
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
""")
    e.originals = {}
    yield e
    e.freg.stop()
    e.mp.stop()
    e.op.stop()


@pytest.fixture
def httpd(env):
    return env.h


@pytest.fixture(autouse=True)
def register_as_it_was(env):
    """Every test starts with the register's documents as the fixtures wrote them and the feed
    followed to its end."""
    env.freg.feed_mode = None
    assert follow(env, "--once").returncode == 0  # the feed followed to its end (the first: where it is)
    yield
    for number, doc in env.originals.items():
        env.freg.set_document(number, doc)
    if env.originals:
        env.freg.append_events([(n, "personErOppdatert") for n in env.originals])
        env.originals.clear()
        assert follow(env, "--once").returncode == 0


def doc(env, number):
    with open(os.path.join(env.w.freg, number + ".json")) as f:
        d = json.load(f)
    env.originals.setdefault(number, copy.deepcopy(d))
    return d


def change(env, number, d, event):
    env.freg.set_document(number, d)
    return env.freg.append_event(number, event)


def follow(env, *args):
    return env.w.ctl("follow", *args)


def follow_service(env, *args):
    """foresattctl follow as the systemd unit runs it (conf/foresatt-follow.service's arguments)."""
    unit = open(os.path.join(paths.SRCDIR, "conf", "foresatt-follow.service")).read()
    line = re.search(r"^ExecStart=\S+ --config \S+ (follow .*)$", unit, re.M).group(1).split()
    line = [a if a != "60" else str(INTERVAL) for a in line]
    return subprocess.Popen([paths.tool(), "--config", env.w.conf_path, *line, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop(p):
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=30)
    return p.returncode, out, err


def wait_for(fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.1)


def number_of(env, name):
    return env.w.who(name)["login"]


def pupil_number(env, sid):
    with open(os.path.join(env.w.dir, "roster.csv")) as f:
        return next(line.split(",")[1] for line in f if line.startswith(sid + ","))


def end_responsibility(d, guardian):
    for entry in d["foreldreansvar"]:
        if entry.get("ansvarlig") == guardian:
            entry["erGjeldende"] = False
            entry["opphoerstidspunkt"] = "2021-03-01T00:00:00Z"


def test_follow_starts_at_the_newest_event(env, httpd):
    """The first round only records where the feed is; what happened before is sync's job."""
    last = env.freg.append_events([(number_of(env, "KARI HANSEN"), "endringIForeldreansvar")] * 3)
    asked = len(env.freg.asked)
    p = follow(env, "--once", "--feed", "another")  # a position of its own: a first round
    assert p.returncode == 0, p.stderr
    assert f"started at sequence {last + 1}" in p.stdout, p.stdout
    assert len(env.freg.asked) == asked
    p = follow(env, "--once", "--feed", "another")
    assert p.returncode == 0 and "0 events read" in p.stdout, p.stdout


def test_responsibility_removed_mid_session_refuses_the_next_request(env, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    kari = number_of(env, "KARI HANSEN")
    b = Browser(httpd)
    assert b.login("/elev/S1001/p.txt", pid=kari).status_code == 200
    assert b.get("/elev/S1002/p.txt").status_code == 200
    service = follow_service(env)
    try:
        # a court ends the mother's parental responsibility for S1001
        child = pupil_number(env, "S1001")
        d = doc(env, child)
        end_responsibility(d, kari)
        change(env, child, d, "endringIForeldreansvar")
        # within one follow interval (and the module's one-second revision check)
        assert wait_for(lambda: b.get("/elev/S1001/p.txt").status_code == 403, 2 * INTERVAL + 5)
        assert b.get("/elev/S1002/p.txt").status_code == 200  # her other child is hers still
    finally:
        rc, out, err = stop(service)
    assert rc == 0, err
    assert re.search(r"1 applied", out), out


def test_protected_address_disappears_from_the_profile_and_the_export_at_once(env, httpd):
    kari = number_of(env, "KARI HANSEN")
    b = Browser(httpd)
    assert b.login("/foresatt/profil", pid=kari).status_code == 200
    r = b.get("/foresatt/profil", headers=JSON)
    assert r.status_code == 200 and r.json()["address"]["street"] == "Testveien 12"
    p = env.w.ctl("sync", "--apply")  # the register's address into the store first
    assert p.returncode in (0, 6), p.stderr
    assert all(reg["address"] == "Testveien 12, 0150 OSLO" for reg in export(env, kari))
    assert follow(env, "--once").returncode == 0

    d = doc(env, kari)
    for a in d["bostedsadresse"]:
        a["adressegradering"] = "fortrolig"
    change(env, kari, d, "endringIAdressebeskyttelse")
    p = follow(env, "--once")
    assert p.returncode == 0 and "address_protected 1" in p.stdout, p.stdout
    time.sleep(1.1)  # ForesattAuthzRevisionCheck: each child reads the store's revision once a second
    page = b.get("/foresatt/profil", headers=JSON).json()
    assert "address" not in page and page["address_protected"] is True
    assert "Testveien" not in json.dumps(page)
    assert "Testveien" not in b.get("/foresatt/profil").text
    assert all(reg["address"] is None for reg in export(env, kari))
    # a roster that still carries her address does not bring it back
    roster = os.path.join(env.w.dir, "roster-with-addresses.csv")
    with open(os.path.join(env.w.dir, "roster.csv")) as f:
        lines = f.read().splitlines()
    with open(roster, "w") as f:
        f.write(lines[0] + ",guardian_address\n")
        for line in lines[1:]:
            f.write(line + ',"Testveien 12, 0150 OSLO"\n')
    p = env.w.ctl("import", roster)
    assert p.returncode == 0, p.stderr
    assert all(reg["address"] is None for reg in export(env, kari))
    assert any(reg["address"] for reg in export(env, number_of(env, "OLA HANSEN")))
    assert env.w.ctl("import", os.path.join(env.w.dir, "roster.csv")).returncode == 0


def export(env, number):
    p = env.w.ctl("export", "--guardian", number)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["registrations"]


def export_audit(env, number):
    p = env.w.ctl("export", "--guardian", number)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["audit"]


def test_dnumber_becomes_a_foedselsnummer(env, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    samira = number_of(env, "SAMIRA AHMED")
    assert samira[0] in "4567", "SAMIRA AHMED should have a D-number in the fixtures"
    child = pupil_number(env, "S3001")
    b = Browser(httpd)
    assert b.login("/elev/S3001/p.txt", pid=samira).status_code == 200
    assert wait_for(lambda: any(e["student_id"] == "S3001" and e["decision"] == "allow"
                                for e in export_audit(env, samira)), 10)
    registrations = export(env, samira)
    assert [r["student_id"] for r in registrations] == ["S3001"]

    # the register: the D-number ceases, the fødselsnummer is in use; the child's record names her by it
    d = doc(env, samira)
    d["identifikasjonsnummer"] = [
        dict(d["identifikasjonsnummer"][0], foedselsEllerDNummer=NEW_NUMBER, identifikatortype="foedselsnummer",
             status="iBruk"),
        dict(d["identifikasjonsnummer"][0], status="opphoert", erGjeldende=False,
             opphoerstidspunkt="2026-01-01T00:00:00Z")]
    env.originals.setdefault(NEW_NUMBER, None)
    env.freg.set_document(NEW_NUMBER, d)
    c = doc(env, child)
    for part in ("foreldreansvar", "familierelasjon"):
        for entry in c.get(part, []):
            for k in ("ansvarlig", "relatertPerson"):
                if entry.get(k) == samira:
                    entry[k] = NEW_NUMBER
    env.freg.set_document(child, c)
    changed_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    time.sleep(1.1)  # whole seconds: what comes next is after changed_at
    change(env, samira, d, "endringIIdentifikasjonsnummer")
    p = follow(env, "--once")
    assert p.returncode == 0 and "number 1" in p.stdout, p.stdout
    time.sleep(1.1)

    # the new number logs in and keeps the registrations; the old one sees nobody
    b2 = Browser(httpd)
    assert b2.login("/elev/S3001/p.txt", pid=NEW_NUMBER).status_code == 200, env.w.ctl("decide", "--as", NEW_NUMBER).stdout
    b3 = Browser(httpd)
    assert b3.login("/elev/S3001/p.txt", pid=samira).status_code == 403
    moved = export(env, NEW_NUMBER)
    assert [r["student_id"] for r in moved] == ["S3001"]
    assert moved[0]["phone"] == registrations[0]["phone"] and moved[0]["name"] == registrations[0]["name"]
    assert export(env, samira) == []
    # the audit history moved with her: what was decided under the D-number is the new number's now
    assert any(e["student_id"] == "S3001" and e["decision"] == "allow" and e["time"] <= changed_at
               for e in export_audit(env, NEW_NUMBER))
    assert export_audit(env, samira) == [] or not any(e["time"] <= changed_at for e in export_audit(env, samira))
    # the school's roster still names the D-number: it is read as the new number
    assert env.w.ctl("import", os.path.join(env.w.dir, "roster.csv")).returncode == 0
    assert [r["student_id"] for r in export(env, NEW_NUMBER)] == ["S3001"]
    assert export(env, samira) == []
    decided = env.w.ctl("decide", "--as", samira)
    assert decided.returncode == 0 and "person\tnumber-ended" in decided.stdout


def test_death_ends_access_and_goes_to_retention(env, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    ola = number_of(env, "OLA HANSEN")
    assert export(env, ola)
    d = doc(env, ola)
    d["status"] = [dict(d["status"][0], status="doed")]
    change(env, ola, d, "personErDoed")
    p = follow(env, "--once")
    assert p.returncode == 0 and "deceased 1" in p.stdout, p.stdout
    decided = env.w.ctl("decide", "--as", ola)
    assert "person\tnumber-ended" in decided.stdout and "\tallow" not in decided.stdout
    assert export(env, ola)  # kept until the retention job runs
    p = env.w.ctl("purge")
    assert p.returncode == 0, p.stderr
    assert export(env, ola) == []
    assert export(env, number_of(env, "KARI HANSEN"))  # nobody else's
    assert env.w.ctl("import", os.path.join(env.w.dir, "roster.csv")).returncode == 0


def test_ten_thousand_events_three_about_the_school_three_lookups(env, httpd):
    assert follow(env, "--once").returncode == 0
    school = [number_of(env, "INGRID BERG"), pupil_number(env, "S4001"), number_of(env, "GEIR DAHL")]
    strangers = [f"{10000000000 + i:011d}" for i in range(9997)]
    events = [(n, "endringIStatus") for n in strangers[:3000]] + [(school[0], "endringIFamilierelasjon")] + \
             [(n, "endringIStatus") for n in strangers[3000:6000]] + [(school[1], "endringIAdressebeskyttelse")] + \
             [(n, "endringIStatus") for n in strangers[6000:]] + [(school[2], "personErOppdatert")]
    assert len(events) == 10000
    env.freg.append_events(events)
    asked, feed_calls = len(env.freg.asked), env.freg.feed_calls
    p = follow(env, "--once")
    assert p.returncode == 0, p.stderr
    assert "10000 events read" in p.stdout and "3 about the school's persons, 3 looked up" in p.stdout, p.stdout
    assert sorted(env.freg.asked[asked:]) == sorted(school)  # never a stranger
    assert env.freg.feed_calls - feed_calls == 11  # ten pages and the empty one after them


def test_follow_stopped_and_started_resumes_without_reapplying(env, httpd):
    assert follow(env, "--once").returncode == 0
    hilde = number_of(env, "HILDE NILSEN")
    service = follow_service(env, "--verbose")
    try:
        first = env.freg.append_events([("10000000001", "endringIStatus"), (hilde, "endringIStatus")])
        assert wait_for(lambda: env.freg.last_feed_seq is not None and env.freg.last_feed_seq > first, 10)
    finally:
        rc, out, err = stop(service)
    assert rc == 0, err
    assert out.count(f"event {first} ") == 1, out
    assert "p-" in out and hilde not in out  # pseudonyms in the log, never the number
    asked = len(env.freg.asked)
    second = env.freg.append_event(hilde, "endringIFamilierelasjon")
    p = follow(env, "--once", "--verbose")
    assert p.returncode == 0, p.stderr
    assert f"event {second} " in p.stdout and f"event {first} " not in p.stdout, p.stdout
    assert env.freg.asked[asked:] == [hilde]
    # a round with nothing new asks the register with the ETag it had: 304
    service = follow_service(env)
    try:
        nm = env.freg.feed_not_modified
        assert wait_for(lambda: env.freg.feed_not_modified > nm, 3 * INTERVAL + 5)
    finally:
        rc, out, err = stop(service)
    assert rc == 0, err


def test_rate_limited_feed_applies_nothing_and_resumes(env, httpd):
    assert follow(env, "--once").returncode == 0
    hilde = number_of(env, "HILDE NILSEN")
    seq = env.freg.append_event(hilde, "endringIStatus")
    env.freg.feed_mode, env.freg.retry_after = "429", 7
    p = follow(env, "--once")
    assert p.returncode == 4 and "429" in p.stderr and "try again" in p.stderr, (p.stdout, p.stderr)
    env.freg.feed_mode = None
    p = follow(env, "--once", "--verbose")
    assert p.returncode == 0 and f"event {seq} " in p.stdout, p.stdout


def test_follow_refuses_bad_arguments(env, httpd):
    for args in (["--interval", "0"], ["--interval", "x"], ["--from", "-3"], ["--bogus"],
                 ["--from-latest", "--from", "3"]):
        p = follow(env, *args)
        assert p.returncode == 2, (args, p.stderr)
        assert "foresattctl follow" in p.stderr
