"""The pupil's consent (<handler>samtykke) through a real httpd, logged in through the ID-porten
stand-in, with the file register and SQLite: the guardians' access and until when, consent given and
revoked with the guardians' access following on their very next request (their decision rides in
their own session cookie), the consent's end (ForesattConsentEnd), CSRF, the JSON API, and the
audit trail. Across processes (prefork), the change reaches the others within
ForesattAuthzRevisionCheck."""
import datetime
import json
import os
import re
import time

import pytest

from fstest.html import assert_valid, form_fields, visible_text
from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World, oslo_today

CONSENT = "/foresatt/samtykke"
JSON = {"Accept": "application/json"}
AUTHZ_FAILURE = r"AH01631"  # mod_authz_core logs a refusal of a logged-in user at error level

PORTAL = """
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
"""


def make_site(httpd_factory, name, mpm="event", extra=""):
    op = make_op()
    h = httpd_factory(name=name, mpm=mpm)
    w = World(h)
    for sid in w.pupils:
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
    h.start(w.conf + login_conf(h, op) + "ForesattAuditFlushInterval 1\n" + PORTAL + extra)
    w.httpd, w.op = h, op
    return w


@pytest.fixture(scope="module")
def site(httpd_factory):
    w = make_site(httpd_factory, "selfservice-consent")
    yield w
    w.op.stop()


@pytest.fixture
def httpd(site):
    return site.httpd


def login(site, who, path=CONSENT, pid=None):
    b = Browser(site.httpd)
    r = b.login(path, pid=pid or site.who(who)["login"])
    return b, r


def birth_date(site, number):
    with open(os.path.join(site.freg, number + ".json")) as f:
        return datetime.date.fromisoformat(json.load(f)["foedsel"][0]["foedselsdato"])


def consent_last_day(birth, today, month=7, day=31, age=19):
    """ForesattConsentEnd's rule, written again here: the end of the school year the pupil turns
    `age`, and no earlier than the end of the current school year."""
    year = today.year if today <= datetime.date(today.year, month, day) else today.year + 1
    return datetime.date(max(year, birth.year + age), month, day)


def eighteenth(birth):
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # 29 February
        return datetime.date(birth.year + 18, 3, 1)


NB_MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember"]


def nb_date(d):
    return f"{d.day}. {NB_MONTHS[d.month - 1]} {d.year}"


def guardian_cells(text):
    """[(name, access text)] from the guardians' table."""
    rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td></tr>", text)
    return [(n, a) for n, a in rows]


def post_action(b, page_text, action, **kw):
    fields = None
    for f in re.finditer(r'<form method="post" action="(/foresatt/samtykke[^"]*)">(.*?)</form>', page_text, re.S):
        if f'name="action" value="{action}"' in f.group(2):
            fields = form_fields(f.group(0))
            url = f.group(1)
    assert fields is not None, f"no {action} button on the page"
    fields.update(kw.pop("override", {}))
    return b.post(url, data=fields, **kw)


def test_adult_pupil_gives_then_revokes_and_the_guardians_follow(site, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    jonas_pid = site.who("JONAS HANSEN")["login"]
    today = datetime.date.fromisoformat(oslo_today())
    until = consent_last_day(birth_date(site, jonas_pid), today)

    # the guardians, logged in before anything changes: their decision rides in their cookie
    kari, r = login(site, "KARI HANSEN", path="/elev/S1001/p.txt")
    assert r.status_code == 200
    ola, r = login(site, "OLA HANSEN", path="/elev/S1001/p.txt")
    assert r.status_code == 200
    assert kari.get("/elev/S1004/p.txt").status_code == 403
    assert ola.get("/elev/S1004/p.txt").status_code == 403

    jonas, r = login(site, "JONAS HANSEN")
    assert r.status_code == 200
    assert_valid(r.text)
    assert r.headers["Cache-Control"] == "no-store"
    text = visible_text(r.text)
    assert "Samtykke til foresattes tilgang" in text and "Du har ikke gitt samtykke." in text
    assert "JONAS HANSEN" in text and "(S1004)" in text
    assert f"Gi samtykke til og med {nb_date(until)}" in text
    assert guardian_cells(r.text) == [("KARI HANSEN", "Nei: du har fylt 18 og ikke samtykket"),
                                      ("OLA HANSEN", "Nei: du har fylt 18 og ikke samtykket")]

    r = post_action(jonas, r.text, "give")
    assert r.status_code == 303 and r.headers["Location"] == httpd.url(CONSENT + "?lagret=gitt")
    r = jonas.follow(r)
    assert_valid(r.text)
    text = visible_text(r.text)
    assert "Samtykket ditt er registrert." in text
    assert f"Samtykket gjelder til og med {nb_date(until)}." in text
    assert guardian_cells(r.text) == [("KARI HANSEN", f"Ja, til og med {nb_date(until)}"),
                                      ("OLA HANSEN", f"Ja, til og med {nb_date(until)}")]
    # the guardians' very next request
    r = kari.get("/elev/S1004/p.txt")
    assert r.status_code == 200 and r.text == "pupil page\n"
    assert ola.get("/elev/S1004/p.txt").status_code == 200

    r = post_action(jonas, jonas.get(CONSENT).text, "revoke")
    assert r.status_code == 303 and r.headers["Location"].endswith("?lagret=trukket")
    r = jonas.follow(r)
    text = visible_text(r.text)
    assert "Samtykket ditt er trukket tilbake." in text
    assert f"Du trakk samtykket tilbake {nb_date(today)}." in text
    assert guardian_cells(r.text)[0] == ("KARI HANSEN", "Nei: du har fylt 18 og ikke samtykket")
    assert kari.get("/elev/S1004/p.txt").status_code == 403
    assert ola.get("/elev/S1004/p.txt").status_code == 403
    # their other pupils are untouched
    assert kari.get("/elev/S1001/p.txt").status_code == 200

    # revoking again: nothing to revoke, nothing changes
    r = jonas.follow(post_action(jonas, r.text, "give", override={"action": "revoke"}))
    assert "Du hadde ikke noe samtykke å trekke tilbake." in visible_text(r.text)

    # every step audited, under the pupil's pseudonym, never the number
    time.sleep(1.5)
    entries = [e for e in site.audit("S1004") if e["action"].startswith("consent")]
    steps = [(e["action"], e["decision"]) for e in entries]
    for want in [("consent_view", "allow"), ("consent_give", "ok"), ("consent_revoke", "ok")]:
        assert want in steps, steps
    assert all(e["role"] == "student" and re.fullmatch(r"p-[0-9a-f]{24}", e["actor"]) for e in entries)
    assert len({e["actor"] for e in entries}) == 1
    guardian_entries = [e for e in site.audit("S1004") if e["action"] == "access"]
    assert ("allow", "deny") == tuple(sorted({e["decision"] for e in guardian_entries}))
    assert jonas_pid not in httpd.error_log() + httpd.access_log()


def test_minor_sees_access_until_the_day_before_18(site, httpd):
    emma_pid = site.who("EMMA HANSEN")["login"]
    birth = birth_date(site, emma_pid)
    today = datetime.date.fromisoformat(oslo_today())
    day_before = eighteenth(birth) - datetime.timedelta(days=1)
    emma, r = login(site, "EMMA HANSEN")
    assert r.status_code == 200
    text = visible_text(r.text)
    assert f"Til du fyller 18 år ({nb_date(eighteenth(birth))})" in text
    assert guardian_cells(r.text) == [("KARI HANSEN", f"Ja, til og med {nb_date(day_before)}"),
                                      ("OLA HANSEN", f"Ja, til og med {nb_date(day_before)}")]
    d = emma.get(CONSENT, headers=JSON).json()
    assert d["adult"] is False and d["coming_of_age"] == eighteenth(birth).isoformat()
    assert [(g["name"], g["access"], g["until"]) for g in d["guardians"]] == [
        ("KARI HANSEN", True, day_before.isoformat()), ("OLA HANSEN", True, day_before.isoformat())]
    # consent given in advance: access lasts to the end of the consent instead
    r = emma.follow(post_action(emma, r.text, "give"))
    until = consent_last_day(birth, today)
    assert guardian_cells(r.text)[0] == ("KARI HANSEN", f"Ja, til og med {nb_date(max(until, day_before))}")
    r = emma.follow(post_action(emma, r.text, "revoke"))
    assert guardian_cells(r.text)[0] == ("KARI HANSEN", f"Ja, til og med {nb_date(day_before)}")


def test_json_api_round_trip(site, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    b, _ = login(site, "JONAS HANSEN")
    d = b.get(CONSENT, headers=JSON).json()
    assert {"consent", "guardians", "pupil_id", "csrf_token", "consent_offer_until"} <= set(d)
    assert d["pupil_id"] == "S1004" and d["consent"]["given"] is False and d["consent"]["until"] is None
    hdrs = dict(JSON, **{"Content-Type": "application/json", "X-CSRF-Token": d["csrf_token"]})
    r = b.post(CONSENT, data=json.dumps({"action": "give"}), headers=hdrs)
    assert r.status_code == 200, r.text
    g = r.json()
    assert g["consent"]["given"] is True and g["consent"]["until"] == d["consent_offer_until"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", g["consent"]["given_at"])
    assert [(x["name"], x["access"], x["until"], x["reason"]) for x in g["guardians"]] == [
        ("KARI HANSEN", True, d["consent_offer_until"], None), ("OLA HANSEN", True, d["consent_offer_until"], None)]
    kari, _ = login(site, "KARI HANSEN", path="/elev/S1004/p.txt")
    assert kari.get("/elev/S1004/p.txt").status_code == 200
    r = b.post(CONSENT, data=json.dumps({"action": "revoke"}), headers=hdrs)
    assert r.status_code == 200 and r.json()["consent"]["given"] is False
    assert r.json()["consent"]["revoked_at"] is not None
    assert r.json()["guardians"][0]["reason"] == "adult_without_consent"
    assert kari.get("/elev/S1004/p.txt").status_code == 403
    for bad in ('{"action": "maybe"}', '{}', '{"action": 1}', '[]'):
        r = b.post(CONSENT, data=bad, headers=hdrs)
        assert r.status_code == 400, bad
        assert r.json() == {"error": "bad_request"}


def test_csrf_is_required(site, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    jonas, r = login(site, "JONAS HANSEN")
    emma, r2 = login(site, "EMMA HANSEN")
    foreign = form_fields(r2.text, "/foresatt/samtykke")["csrf"]
    for name, override in [("missing", {"csrf": None}), ("wrong", {"csrf": "B" * 22}),
                           ("another session's", {"csrf": foreign})]:
        fields = form_fields(r.text, "/foresatt/samtykke")
        fields.update(override)
        fields = {k: v for k, v in fields.items() if v is not None}
        resp = jonas.post(CONSENT, data=fields)
        assert resp.status_code == 403, name
        assert_valid(resp.text)
        assert "Ingenting er endret." in visible_text(resp.text)
    hdrs = dict(JSON, **{"Content-Type": "application/json"})
    for headers in ({}, {"X-CSRF-Token": foreign}):
        resp = jonas.post(CONSENT, data=json.dumps({"action": "give"}), headers=dict(hdrs, **headers))
        assert resp.status_code == 403 and resp.json() == {"error": "csrf"}
    assert jonas.get(CONSENT, headers=JSON).json()["consent"]["given"] is False
    kari, _ = login(site, "KARI HANSEN", path="/elev/S1001/p.txt")
    assert kari.get("/elev/S1004/p.txt").status_code == 403


def test_only_enrolled_pupils(site, httpd):
    kari, _ = login(site, "KARI HANSEN", path="/elev/S1001/p.txt")
    r = kari.get(CONSENT)
    assert r.status_code == 403
    assert_valid(r.text)
    assert "Denne siden er for elever ved skolen" in visible_text(r.text)
    assert kari.get(CONSENT, headers=JSON).json() == {"error": "not_pupil"}
    # a pupil who has left (S4001, in the roster as "left")
    gone, r = login(site, None, path="/foresatt/login?target=/foresatt/informasjon", pid=pupil_number(site, "S4001"))
    r = gone.get(CONSENT)
    assert r.status_code == 403 and "Du er ikke elev her lenger" in visible_text(r.text)
    fields = {"csrf": "x", "action": "give"}
    assert gone.post(CONSENT, data=fields).status_code == 403


def pupil_number(site, sid):
    with open(os.path.join(site.dir, "roster.csv")) as f:
        for line in f.read().splitlines()[1:]:
            cols = line.split(",")
            if cols[0] == sid:
                return cols[1]
    raise KeyError(sid)


def test_english(site, httpd):
    b, _ = login(site, "JONAS HANSEN")
    r = b.get(CONSENT + "?lang=en")
    assert_valid(r.text)
    text = visible_text(r.text)
    assert "Consent to guardian access" in text and "You have not given consent." in text
    assert "Give consent until" in text
    assert guardian_cells(r.text)[0] == ("KARI HANSEN", "No: you have turned 18 and not consented")


# --- across processes ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def prefork(httpd_factory):
    w = make_site(httpd_factory, "selfservice-consent-prefork", mpm="prefork")
    yield w
    w.op.stop()


def test_other_processes_follow_within_the_revision_check(prefork):
    """Prefork: every request may land in another child. The child that changed the consent sees
    it at once; the others within ForesattAuthzRevisionCheck (default 1 s)."""
    h = prefork.httpd
    h.expect_log(AUTHZ_FAILURE)
    kari, r = login(prefork, "KARI HANSEN", path="/elev/S1001/p.txt")
    assert r.status_code == 200
    jonas, r = login(prefork, "JONAS HANSEN")
    for action, want in (("give", 200), ("revoke", 403)):
        assert jonas.follow(post_action(jonas, jonas.get(CONSENT).text, action)).status_code == 200
        changed = time.monotonic()
        while True:
            got = kari.get("/elev/S1004/p.txt").status_code
            if got == want:
                break
            assert time.monotonic() - changed < 2.5, f"after {action}: still {got}"
            time.sleep(0.05)
        # and it stays so in every child
        for _ in range(10):
            assert kari.get("/elev/S1004/p.txt").status_code == want
