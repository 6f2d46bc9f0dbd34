"""The self-service pages when the store will not take a change: another writer holds SQLite's
write lock past the plugin's busy_timeout. The pages still show (reads go on under WAL); a change
is refused with 503, nothing is saved, the guardian's input stays in the form and the pupil's
consent stays as it was; once the lock is gone the same request goes through."""
import json
import os
import sqlite3
import time

import pytest

from fstest import paths
from fstest.html import assert_valid, form_fields, visible_text
from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

STORE_FAILED = r"FS0612|FS0621"


@pytest.fixture(scope="module")
def site(httpd_factory):
    op = make_op()
    h = httpd_factory(name="selfservice-faults")
    db = os.path.join(h.data_dir, "foresatt.db")
    w = World(h, store_line=f"ForesattPlugin st {paths.plugin('store_sqlite')} path={db} busy_timeout=200")
    h.start(w.conf + login_conf(h, op))
    w.httpd, w.op = h, op
    time.sleep(max(0.0, os.path.getmtime(os.path.join(w.dir, "roster.csv")) + 1.05 - time.time()))
    yield w
    op.stop()


class WriteLock:
    """Hold the database's write lock, as a long import would."""

    def __init__(self, db):
        self.con = sqlite3.connect(db, timeout=5, isolation_level=None)

    def __enter__(self):
        self.con.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc):
        self.con.execute("ROLLBACK")
        self.con.close()


def export(site, who):
    p = site.ctl("export", "--guardian", site.who(who)["login"])
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["registrations"]


def test_contact_edit_refused_while_the_store_is_busy_keeps_the_input(site):
    h = site.httpd
    h.expect_log(STORE_FAILED)
    b = Browser(h)
    r = b.login("/foresatt/profil", pid=site.who("KARI HANSEN")["login"])
    fields = dict(form_fields(r.text, "/foresatt/profil"), phone="+47 912 34 999", email2="kari@jobb.example.no")
    with WriteLock(site.db):
        r = b.post("/foresatt/profil", data=fields)
        assert r.status_code == 503
        assert_valid(r.text)
        text = visible_text(r.text)
        assert "Vi får ikke lagret akkurat nå" in text
        kept = form_fields(r.text, "/foresatt/profil")
        assert kept["phone"] == "+47 912 34 999" and kept["email2"] == "kari@jobb.example.no"
        j = b.post("/foresatt/profil", data=json.dumps({"phone": "+4791234999"}),
                   headers={"Accept": "application/json", "Content-Type": "application/json",
                            "X-CSRF-Token": fields["csrf"]})
        assert j.status_code == 503 and j.json() == {"error": "unavailable"}
        # the same JSON answered as a page: the phone as typed, after the document is freed
        p = b.post("/foresatt/profil", data=json.dumps({"phone": "+47 912 34 998"}),
                   headers={"Accept": "text/html", "Content-Type": "application/json",
                            "X-CSRF-Token": fields["csrf"]})
        assert p.status_code == 503 and form_fields(p.text, "/foresatt/profil")["phone"] == "+47 912 34 998"
        # reading still works while the lock is held
        assert b.get("/foresatt/profil").status_code == 200
    assert all(reg["edited_at"] is None for reg in export(site, "KARI HANSEN"))
    # the same form, posted again once the store takes it
    r = b.post("/foresatt/profil", data=kept)
    assert r.status_code == 303
    assert export(site, "KARI HANSEN")[0]["phone"] == "+4791234999"
    assert "FS0612" in h.error_log()


def test_consent_refused_while_the_store_is_busy_changes_nothing(site):
    h = site.httpd
    h.expect_log(STORE_FAILED)
    b = Browser(h)
    r = b.login("/foresatt/samtykke", pid=site.who("JONAS HANSEN")["login"])
    fields = form_fields(r.text, "/foresatt/samtykke")
    assert fields["action"] == "give"
    with WriteLock(site.db):
        r = b.post("/foresatt/samtykke", data=fields)
        assert r.status_code == 503
        assert_valid(r.text)
        assert "Ingenting er endret." in visible_text(r.text)
    assert b.get("/foresatt/samtykke", headers={"Accept": "application/json"}).json()["consent"]["given"] is False
    r = b.post("/foresatt/samtykke", data=fields)
    assert r.status_code == 303
    assert b.get("/foresatt/samtykke", headers={"Accept": "application/json"}).json()["consent"]["given"] is True
    time.sleep(1.5)
    steps = [(e["action"], e["decision"], e["reason"]) for e in site.audit("S1004")]
    assert ("consent_give", "error", "store") in steps and ("consent_give", "ok", "-") in steps


def test_register_failing_still_shows_the_store_and_takes_the_edit(site):
    """The register fails for this guardian (the file register cannot read the document): the page
    says so, shows the school's name and no address, access as not known, and still saves an edit."""
    h = site.httpd
    h.expect_log(r"FS040\d|FS0511")
    anne = site.who("ANNE LIE")["login"]
    doc = os.path.join(site.freg, anne + ".json")
    b = Browser(h)
    r = b.login("/foresatt/login?target=/foresatt/informasjon", pid=anne)
    assert r.status_code == 200
    os.chmod(doc, 0)
    try:
        r = b.get("/foresatt/profil")
        assert r.status_code == 200
        assert_valid(r.text)
        text = visible_text(r.text)
        assert "Folkeregisteret svarer ikke akkurat nå" in text
        assert "ANNE LIE (slik skolen har registrert det)" in text
        assert "Ingen adresse å vise." in text and "Vet ikke nå" in text
        d = b.get("/foresatt/profil", headers={"Accept": "application/json"}).json()
        assert d["register_unavailable"] is True and d["name_source"] == "school" and "address" not in d
        assert [p["access"] for p in d["pupils"]] == [None]
        r = b.post("/foresatt/profil", data=dict(form_fields(r.text, "/foresatt/profil"), phone="+4790000077"))
        assert r.status_code == 303
    finally:
        os.chmod(doc, 0o644)
    assert export(site, "ANNE LIE")[0]["phone"] == "+4790000077"
