"""The guardian's "Mine opplysninger" (<handler>profil) through a real httpd, logged in through the
ID-porten stand-in, with the file register and SQLite: what is shown, the edit of phone and e-mail
(saved for every registration, audited, shown back at once), refusals that change nothing and keep
what was typed (a bad phone, a bad address, CSRF), a protected address never in any response, the
name not editable, and the JSON API beside the page."""
import json
import os
import re
import time

import pytest

from fstest.html import assert_valid, form_fields, visible_text
from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

PROFILE = "/foresatt/profil"
JSON = {"Accept": "application/json"}
PROFILE_KEYS = {"name", "address_protected", "phone", "emails", "daily_care", "parental_responsibility",
                "addressee", "pupils", "csrf_token"}


@pytest.fixture(scope="module")
def site(httpd_factory):
    op = make_op()
    h = httpd_factory(name="selfservice-profile")
    w = World(h)
    h.start(w.conf + login_conf(h, op) + "ForesattAuditFlushInterval 1\n")
    w.httpd, w.op = h, op
    settle_after_import(w)
    yield w
    op.stop()


@pytest.fixture
def httpd(site):
    return site.httpd


def settle_after_import(w):
    """A guardian's edit wins over the roster's value when it is newer (whole seconds): edits in these
    tests come at least a second after the roster's time."""
    roster_time = os.path.getmtime(os.path.join(w.dir, "roster.csv"))
    time.sleep(max(0.0, roster_time + 1.05 - time.time()))


def login(site, who, path=PROFILE):
    b = Browser(site.httpd)
    r = b.login(path, pid=site.who(who)["login"])
    assert r.status_code == 200, r.text[:500]
    return b, r


def export(site, who):
    p = site.ctl("export", "--guardian", site.who(who)["login"])
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["registrations"]


def post_form(b, fields, **kw):
    return b.post(PROFILE, data=fields, **kw)


def the_form(r):
    return form_fields(r.text, "/foresatt/profil")


def test_guardian_sees_what_the_school_keeps(site, httpd):
    b, r = login(site, "KARI HANSEN")
    assert_valid(r.text)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.headers["Cache-Control"] == "no-store"
    assert "script-src" not in r.headers["Content-Security-Policy"]
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Content-Language"] == "nb"
    text = visible_text(r.text)
    assert "Mine opplysninger" in text
    assert "Fra Folkeregisteret" in text and "KARI HANSEN" in text and "Testveien 12" in text
    assert "meldes endringen til Folkeregisteret" in text
    # name and address are shown, never offered for editing
    fields = the_form(r)
    assert set(fields) == {"csrf", "phone", "email1", "email2", "email3", "email4"}
    assert fields["phone"] == "+4791234567" and fields["email1"] == "kari@example.no"
    # the pupils followed, named only where the guardian has access now
    rows = re.findall(r"<tr><td>(.*?)</td><td>(Ja|Nei)</td>", r.text)
    assert [(re.sub(r"<[^>]+>", "", n).strip(), a) for n, a in rows] == [
        ("EMMA HANSEN (S1001)", "Ja"), ("SOFIE HANSEN (S1002)", "Ja"), ("(S1003)", "Nei"), ("(S1004)", "Nei"),
        ("LARS HANSEN (S1005)", "Ja")]
    assert site.who("KARI HANSEN")["login"] not in r.text

    j = b.get(PROFILE, headers=JSON)
    assert j.status_code == 200 and j.headers["Content-Type"] == "application/json; charset=utf-8"
    assert j.headers["Cache-Control"] == "no-store"
    d = j.json()
    assert PROFILE_KEYS <= set(d)
    assert d["name"] == "KARI HANSEN" and d["name_source"] == "folkeregisteret"
    assert d["address"]["street"] == "Testveien 12" and d["address_protected"] is False
    assert d["phone"] == "+4791234567" and d["emails"] == ["kari@example.no"]
    assert d["daily_care"] == {s: True for s in ("S1001", "S1002", "S1003", "S1004", "S1005")}
    assert d["addressee"]["S1001"] == "main"
    assert [(p["pupil_id"], p["access"]) for p in d["pupils"]] == [
        ("S1001", True), ("S1002", True), ("S1003", False), ("S1004", False), ("S1005", True)]
    assert d["pupils"][0]["name"] == "EMMA HANSEN" and d["pupils"][2]["name"] is None
    assert d["csrf_token"] == the_form(r)["csrf"]
    assert site.who("KARI HANSEN")["login"] not in j.text


def test_per_pupil_registration_details(site, httpd):
    # PER BERG: registered by the school for S2001, without daily care, as secondary addressee, but
    # without parental responsibility in the register: shown, no access, no pupil name.
    b, r = login(site, "PER BERG")
    d = b.get(PROFILE, headers=JSON).json()
    assert d["pupils"] == [{"pupil_id": "S2001", "name": None, "access": False, "daily_care": False,
                            "parental_responsibility": True, "addressee": "secondary"}]
    assert "<td>(S2001)" in r.text.replace('<span class="merk">', "").replace("</span>", "")
    assert "Kopi" in r.text


def test_guardian_edits_phone_and_email(site, httpd):
    b, r = login(site, "OLA HANSEN")
    before = export(site, "OLA HANSEN")
    assert all(reg["edited_at"] is None for reg in before)
    fields = the_form(r)
    fields.update(phone=" 912 34 568 ", email1="Ola.Hansen@Example.NO", email2="ola@jobb.example.com")
    r = post_form(b, fields)
    assert r.status_code == 303
    assert r.headers["Location"] == httpd.url(PROFILE + "?lagret=1")
    r = b.follow(r)
    assert r.status_code == 200
    assert_valid(r.text)
    assert "Endringene er lagret." in visible_text(r.text)
    shown = the_form(r)
    assert shown["phone"] == "+4791234568"
    assert (shown["email1"], shown["email2"], shown["email3"]) == ("Ola.Hansen@example.no", "ola@jobb.example.com", "")
    # saved through the store, for every registration of the number
    after = export(site, "OLA HANSEN")
    assert len(after) == 5
    for reg in after:
        assert reg["phone"] == "+4791234568"
        assert reg["emails"] == ["Ola.Hansen@example.no", "ola@jobb.example.com"]
        assert reg["edited_at"] is not None
        assert reg["imported_phone"] == "+4791234567"  # the roster's value is kept beside it
    # a field left out keeps its value (here: every e-mail field)
    assert post_form(b, {"csrf": fields["csrf"], "phone": "+4791234569"}).status_code == 303
    reg = export(site, "OLA HANSEN")[0]
    assert reg["phone"] == "+4791234569" and reg["emails"] == ["Ola.Hansen@example.no", "ola@jobb.example.com"]
    # emptied fields: no e-mail at all, no phone
    fields = the_form(r)
    fields.update(phone="", email1="", email2="")
    assert post_form(b, fields).status_code == 303
    assert export(site, "OLA HANSEN")[0]["emails"] == []
    # audited under the pseudonym
    time.sleep(1.5)
    entries = [e for e in site.audit() if e["action"] == "contact_update"]
    assert any(e["decision"] == "ok" and re.fullmatch(r"p-[0-9a-f]{24}", e["actor"]) for e in entries), entries
    assert all(e["role"] == "guardian" and e["detail"] == PROFILE for e in entries)


def test_invalid_phone_is_refused_and_the_input_kept(site, httpd):
    b, r = login(site, "INGRID BERG")
    fields = the_form(r)
    fields.update(phone="91a 23 456", email1="ingrid@ny.example.no", email2="ingrid.berg@example.no")
    r = post_form(b, fields)
    assert r.status_code == 422
    assert r.headers["Cache-Control"] == "no-store"
    assert_valid(r.text)
    text = visible_text(r.text)
    assert "Endringene er ikke lagret." in text
    assert "Telefonnummeret kan bare ha sifre" in text
    kept = the_form(r)
    assert kept["phone"] == "91a 23 456"
    assert (kept["email1"], kept["email2"]) == ("ingrid@ny.example.no", "ingrid.berg@example.no")
    assert re.search(r'<input id="phone"[^>]*aria-invalid="true"', r.text)
    assert kept["csrf"] == fields["csrf"]
    # nothing was saved
    assert all(reg["edited_at"] is None and reg["phone"] == "+4791234567" for reg in export(site, "INGRID BERG"))
    # too short for Norway, a bad address, the same address twice: each said where it is
    for phone, emails, wants in [
            ("+47 912 34", ["ingrid@example.no"], ["har for få eller for mange sifre"]),
            ("12345", ["ingrid@example.no"], ["Skriv landskode først"]),
            ("+4791234567", ["ingrid@example", "x@y.no"], ["Dette er ikke en gyldig e-postadresse"]),
            ("+4791234567", ["a@example.no", "A@EXAMPLE.NO"], ["Denne adressen står allerede over"])]:
        f = dict(fields, phone=phone, email1=emails[0], email2=emails[1] if len(emails) > 1 else "")
        r = post_form(b, f)
        assert r.status_code == 422, phone
        assert_valid(r.text)
        for want in wants:
            assert want in visible_text(r.text), (phone, emails)
        assert the_form(r)["email1"] == emails[0]
    assert all(reg["edited_at"] is None for reg in export(site, "INGRID BERG"))
    # then a good one goes through (the refusals above were the checks, not a broken form)
    f = dict(fields, phone="+47 912 34 560", email1="ingrid@example.no", email2="")
    assert post_form(b, f).status_code == 303
    assert export(site, "INGRID BERG")[0]["phone"] == "+4791234560"


def test_csrf_is_required(site, httpd):
    b, r = login(site, "SAMIRA AHMED")
    other, _ = login(site, "GEIR DAHL")
    good = the_form(r)
    foreign = the_form(other.get(PROFILE))["csrf"]
    assert foreign != good["csrf"]
    typed = dict(good, phone="+4791111111", email1="samira@ny.example.no")
    for name, fields in [("missing", {k: v for k, v in typed.items() if k != "csrf"}),
                         ("wrong", dict(typed, csrf="A" * 22)),
                         ("another session's", dict(typed, csrf=foreign)),
                         ("empty", dict(typed, csrf=""))]:
        r = post_form(b, fields)
        assert r.status_code == 403, name
        assert_valid(r.text)
        assert "Skjemaet kom ikke fra denne siden" in visible_text(r.text), name
        assert the_form(r)["phone"] == "+4791111111", name  # no lost edit
        assert the_form(r)["csrf"] == good["csrf"], name  # ...and a good token to save it with
    # JSON: the token goes in X-CSRF-Token
    body = json.dumps({"phone": "+4791111111"})
    for name, headers in [("missing", {}), ("wrong", {"X-CSRF-Token": "nope"}),
                          ("another session's", {"X-CSRF-Token": foreign})]:
        r = b.post(PROFILE, data=body, headers=dict(JSON, **{"Content-Type": "application/json"}, **headers))
        assert r.status_code == 403, name
        assert r.json() == {"error": "csrf"}
    # a token in the form field does not count for someone else's cookie either
    r = other.post(PROFILE, data=dict(typed, csrf=good["csrf"]))
    assert r.status_code == 403
    assert all(reg["edited_at"] is None for reg in export(site, "SAMIRA AHMED"))
    assert all(reg["edited_at"] is None for reg in export(site, "GEIR DAHL"))
    # the same request with the right token is saved
    assert post_form(b, typed).status_code == 303
    assert export(site, "SAMIRA AHMED")[0]["phone"] == "+4791111111"
    time.sleep(1.5)
    denied = [e for e in site.audit() if e["action"] == "contact_update" and e["decision"] == "deny"]
    assert len(denied) >= 8 and all(e["reason"] == "csrf" for e in denied)


def test_json_post_refused_shows_the_typed_phone_in_the_page(site, httpd):
    """A JSON body without "emails" and a wrong token, answered as a page (Accept text/html or */*):
    the form shows the phone exactly as typed (it once showed the freed JSON document's bytes)."""
    b, r = login(site, "SAMIRA AHMED")
    saved, before = the_form(r), export(site, "SAMIRA AHMED")
    for accept in ("text/html", "*/*"):
        for phone in ("+47 913 13 131", "+47 (913) 13-131 " + "9" * 200, "ø" * 30):
            r = b.post(PROFILE, data=json.dumps({"phone": phone}),
                       headers={"Accept": accept, "Content-Type": "application/json", "X-CSRF-Token": "nope"})
            assert r.status_code == 403, (accept, r.status_code)
            assert r.headers["Content-Type"].startswith("text/html")
            assert_valid(r.text)
            kept = the_form(r)
            assert kept["phone"] == phone, accept
            assert [kept[f"email{i}"] for i in range(1, 5)] == [saved[f"email{i}"] for i in range(1, 5)]
    assert export(site, "SAMIRA AHMED") == before


def test_a_protected_address_is_never_in_any_response(site, httpd):
    mona = site.who("MONA STRAND")
    never = mona["never_shown"]
    b, r = login(site, "MONA STRAND")
    responses = [r]
    assert "Adressen din er skjermet i Folkeregisteret og vises derfor ikke." in visible_text(r.text)
    responses.append(b.get(PROFILE + "?lang=en"))
    assert "Your address is protected" in visible_text(responses[-1].text)
    j = b.get(PROFILE, headers=JSON)
    responses.append(j)
    assert j.json()["address_protected"] is True and "address" not in j.json()
    fields = the_form(r)
    responses.append(post_form(b, dict(fields, phone="bad")))                      # 422 page
    responses.append(post_form(b, dict(fields, csrf="x")))                         # 403 page
    responses.append(b.follow(post_form(b, dict(fields, phone="+4790000001"))))    # saved, shown again
    responses.append(b.post(PROFILE, data=json.dumps({"phone": "+4790000002"}),
                            headers=dict(JSON, **{"Content-Type": "application/json",
                                                  "X-CSRF-Token": fields["csrf"]})))
    responses.append(b.get("/foresatt/informasjon"))
    for resp in responses:
        assert resp.status_code in (200, 403, 422), resp.status_code
        for word in never:
            assert word not in resp.text, (resp.url, resp.status_code)
            assert word.lower() not in resp.text.lower()
        for value in resp.headers.values():
            assert not any(word in value for word in never)
    for word in never:
        assert word not in httpd.error_log() and word not in httpd.access_log()


def test_name_and_address_cannot_be_edited(site, httpd):
    b, r = login(site, "GEIR DAHL")
    fields = dict(the_form(r), name="ONKEL SKRUE", address="Pengebingen 1", phone="+4790000003")
    r = post_form(b, fields)
    assert r.status_code == 303
    r = b.follow(r)
    assert "GEIR DAHL" in visible_text(r.text)
    assert "ONKEL SKRUE" not in r.text and "Pengebingen" not in r.text
    r = b.post(PROFILE, data=json.dumps({"name": "ONKEL SKRUE", "address": {"street": "Pengebingen 1"},
                                         "phone": "+4790000004"}),
               headers=dict(JSON, **{"Content-Type": "application/json", "X-CSRF-Token": fields["csrf"]}))
    assert r.status_code == 200
    assert r.json()["name"] == "GEIR DAHL" and r.json()["phone"] == "+4790000004"
    for reg in export(site, "GEIR DAHL"):
        assert reg["name"] == "GEIR DAHL"
        assert reg["phone"] == "+4790000004"


def test_json_api_round_trip(site, httpd):
    b, _ = login(site, "ANNE LIE")
    d = b.get(PROFILE, headers=JSON).json()
    token = d["csrf_token"]
    hdrs = dict(JSON, **{"Content-Type": "application/json", "X-CSRF-Token": token})
    r = b.post(PROFILE, data=json.dumps({"phone": "+46 8 123 456 78",
                                         "emails": ["anne@example.no", "Anne.Lie@Example.ORG"]}), headers=hdrs)
    assert r.status_code == 200, r.text
    d = r.json()
    assert PROFILE_KEYS <= set(d)
    assert d["phone"] == "+46812345678" and d["emails"] == ["anne@example.no", "Anne.Lie@example.org"]
    assert b.get(PROFILE, headers=JSON).json()["emails"] == d["emails"]
    # a key left out keeps its value; null removes the phone
    r = b.post(PROFILE, data=json.dumps({"phone": None}), headers=hdrs)
    assert r.status_code == 200 and r.json()["phone"] is None and r.json()["emails"] == d["emails"]
    # refusals say which field and why, and change nothing
    r = b.post(PROFILE, data=json.dumps({"emails": ["anne@example.no", "not an address"]}), headers=hdrs)
    assert r.status_code == 422
    assert r.json() == {"error": "invalid", "fields": {"email2": "email_form"}}
    r = b.post(PROFILE, data=json.dumps({"phone": "+47 1"}), headers=hdrs)
    assert r.json() == {"error": "invalid", "fields": {"phone": "phone_length"}}
    r = b.post(PROFILE, data=json.dumps({"emails": [f"a{i}@example.no" for i in range(5)]}), headers=hdrs)
    assert r.status_code == 422 and r.json()["fields"] == {"email4": "email_too_many"}
    for bad in ('["phone"]', '{"phone": 4791234567}', '{"emails": "a@example.no"}', '{"phone": "1", "phone": "2"}',
                "{not json", '{"a":' * 10 + "1" + "}" * 10):
        r = b.post(PROFILE, data=bad, headers=hdrs)
        assert r.status_code == 400, bad
        assert r.json() == {"error": "bad_request"}
    r = b.post(PROFILE, data="x" * 20000, headers=hdrs)
    assert r.status_code == 413
    regs = export(site, "ANNE LIE")
    assert regs[0]["phone"] is None and regs[0]["emails"] == ["anne@example.no", "Anne.Lie@example.org"]
    # other body types are refused
    r = b.post(PROFILE, data="phone=1", headers=dict(hdrs, **{"Content-Type": "text/plain"}))
    assert r.status_code == 415


def test_english(site, httpd):
    b, r = login(site, "HILDE NILSEN")
    en = b.get(PROFILE + "?lang=en")
    assert en.status_code == 200 and en.headers["Content-Language"] == "en"
    assert_valid(en.text)
    assert '<html lang="en">' in en.text
    text = visible_text(en.text)
    assert "My details" in text and "From the National Population Register" in text
    assert "Mine opplysninger" not in text.replace("Norsk", "")
    # the form posts back in the same language: a refusal comes back in English
    assert form_fields(en.text, "/foresatt/profil") and 'action="/foresatt/profil?lang=en"' in en.text
    r = b.post(PROFILE + "?lang=en", data=dict(the_form(en), phone="abc"))
    assert r.status_code == 422 and "A phone number can only have digits" in visible_text(r.text)
    r = b.post(PROFILE + "?lang=en", data=dict(the_form(en), phone="+4790000005"))
    assert r.headers["Location"].endswith(PROFILE + "?lagret=1&lang=en")
    assert "Your changes have been saved." in visible_text(b.follow(r).text)
    # Accept-Language
    r = b.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9,nb;q=0.5"})
    assert r.headers["Content-Language"] == "en" and "My details" in r.text
    r = b.get(PROFILE, headers={"Accept": "text/html", "Accept-Language": "nb-NO,en;q=0.5"})
    assert r.headers["Content-Language"] == "nb"


def test_not_registered_as_a_guardian(site, httpd):
    # TOR LIE refused the use of his number: the school keeps none, so there is nothing to show
    b, _ = login(site, "TOR LIE", path="/foresatt/login?target=/foresatt/informasjon")
    r = b.get(PROFILE)
    assert r.status_code == 403
    assert_valid(r.text)
    assert "Skolen har ikke registrert deg som foresatt" in visible_text(r.text)
    assert b.get(PROFILE, headers=JSON).json() == {"error": "not_guardian"}
    fields = {"csrf": "x", "phone": "+4790000000"}
    assert post_form(b, fields).status_code == 403


def test_not_logged_in(site, httpd):
    b = Browser(httpd)
    r = b.get(PROFILE)
    assert r.status_code == 302 and r.headers["Location"].startswith(site.op.issuer)
    r = b.get(PROFILE, headers=JSON)
    assert r.status_code == 401
    assert r.json()["error"] == "login" and r.json()["login"] == "/foresatt/login?target=%2Fforesatt%2Fprofil"
    assert r.headers["WWW-Authenticate"] == 'Foresatt login="/foresatt/login"'
    r = b.post(PROFILE, data={"phone": "+4790000000"})
    assert r.status_code == 401
    assert_valid(r.text)
    assert "Du er ikke logget inn" in visible_text(r.text)
    # after the login the browser comes back to the page it asked for
    b, r = login(site, "KARI HANSEN", path=PROFILE + "?lang=en")
    assert r.url.endswith(PROFILE + "?lang=en") and "My details" in r.text


# The pages tell a browser navigating from script the way AuthType foresatt does (one rule,
# http/headers.c): only a navigation is sent to ID-porten; XHR, fetch and non-HTML requests get 401.
@pytest.mark.parametrize("headers, status", [
    ({"Sec-Fetch-Mode": "navigate", "Accept": "text/html"}, 302),
    ({"Accept": "*/*"}, 302),
    ({}, 302),
    ({"X-Requested-With": "XMLHttpRequest", "Accept": "text/html"}, 401),
    ({"Sec-Fetch-Mode": "cors", "Accept": "*/*"}, 401),
    ({"Sec-Fetch-Mode": "no-cors"}, 401),
    ({"Accept": "image/png"}, 401),
], ids=["navigate", "any", "html", "xhr", "fetch", "no-cors", "image"])
def test_not_logged_in_only_a_navigation_is_sent_to_the_login(site, httpd, headers, status):
    r = Browser(httpd).get(PROFILE, headers=headers)
    assert r.status_code == status
    if status == 302:
        assert r.headers["Location"].startswith(site.op.issuer)
    else:
        assert r.headers["WWW-Authenticate"] == 'Foresatt login="/foresatt/login"'


def test_methods(site, httpd):
    b, _ = login(site, "KARI HANSEN")
    r = b.request("PUT", PROFILE, data="x")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, POST"
    r = b.request("HEAD", PROFILE)
    assert r.status_code == 200 and r.text == ""
    r = b.get(PROFILE + "?lang=en&lang=nb")
    assert r.status_code == 400


def test_numbers_never_logged(site, httpd):
    time.sleep(1.5)
    text = httpd.error_log() + httpd.access_log()
    for s in site.scenarios:
        assert s["login"] not in text, s["who"]
    for e in site.audit():
        assert not re.search(r"\d{11}", "".join(e.values())), e
