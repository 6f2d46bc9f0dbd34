"""The providers on real logins: the module's own ID-porten login (the decision travels in the
encrypted session cookie and is made again when the store changes), and the interop mode with
Debian's mod_auth_openidc logging the user in (ForesattIdentity env OIDC_CLAIM_pid). Both against
the ID-porten stand-in."""
import os
import re
import time

import pytest

from fstest import paths
from fstest.oidc import Browser, decode_session, login_conf, make_op
from fstest.world import World

AUTHZ_FAILURE = r"AH01631"


def pupil_pages(h, w):
    for sid in w.pupils:
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
    h.write_file("htdocs/elev/index.html", "elev\n")
    h.write_file("htdocs/meg/index.html", "meg\n")


LOCATIONS = """
<Location /elev/>
  AuthType {authtype}
  Require foresatt-guardian
</Location>
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType {authtype}
  Require foresatt-guardian-of %{{env:MATCH_SID}}
</LocationMatch>
<Location /meg/>
  AuthType {authtype}
  Require foresatt-student
</Location>
Header always set X-Seen-Role "expr=%{{req:X-Foresatt-Role}}"
Header always set X-Seen-Students "expr=%{{req:X-Foresatt-Students}}"
Header always set X-Seen-Claim "expr=%{{req:OIDC_CLAIM_pid}}"
Header always set X-Seen-Remote-User "expr=%{{REMOTE_USER}}"
"""


# --- the built-in login -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def own(httpd_factory):
    op = make_op()
    h = httpd_factory(name="authz-login")
    w = World(h)
    pupil_pages(h, w)
    h.start(w.conf + login_conf(h, op) + LOCATIONS.format(authtype="foresatt"))
    w.httpd, w.op = h, op
    yield w
    op.stop()


def test_a_login_without_an_identity_number_is_audited_by_pseudonym(own):
    """eIDAS and e-mail logins (no pid) are refused, and the refusal is in the audit log under a
    pseudonym of ID-porten's subject, with no number anywhere."""
    h, op = own.httpd, own.op
    h.expect_log(r"FS0155: ID token refused: pid is missing")
    op.reset()
    op.claims_remove = ["pid"]
    try:
        cb = Browser(h).callback("/elev/S1001/p.txt")
        assert cb.status_code == 403 and "contact the school" in cb.text
    finally:
        op.reset()
    for _ in range(100):  # the audit writer flushes in the background
        entries = [e for e in own.audit() if e.get("action") == "login"]
        if entries:
            break
        time.sleep(0.1)
    assert len(entries) == 1, own.audit()
    e = entries[0]
    assert e["decision"] == "deny" and e["reason"] == "no_identity_number"
    assert re.fullmatch(r"p-[0-9a-f]{24}", e["actor"]) and e["actor"] in h.new_log()
    assert not re.search(r"\d{11}", " ".join(e.values()))


def test_guardian_through_the_builtin_login(own):
    h = own.httpd
    h.expect_log(AUTHZ_FAILURE)
    kari = own.who("KARI HANSEN")
    b = Browser(h)
    r = b.login("/elev/S1001/p.txt", pid=kari["login"])
    assert r.status_code == 200 and r.text == "pupil page\n"
    assert r.headers["X-Seen-Role"] == "guardian"
    assert r.headers["X-Seen-Students"] == "S1001,S1002,S1005"
    assert re.fullmatch(r"p-[0-9a-f]{24}", r.headers["X-Seen-Remote-User"])
    # the decision rides in the encrypted session cookie
    state = decode_session(b.session_cookie())["authz_state"]
    assert state.startswith("1|") and "S1001,S1002,S1005" in state
    assert kari["login"] not in state
    # the next request reads it: no new decision, so no new cookie
    r = b.get("/elev/S1002/p.txt")
    assert r.status_code == 200
    assert not any("_session=" in line for line in r.raw.headers.getlist("Set-Cookie"))
    assert b.get("/elev/S1003/p.txt").status_code == 403
    assert b.get("/meg/").status_code == 403


def test_store_change_redecides_and_reissues_the_cookie(own):
    h = own.httpd
    h.expect_log(AUTHZ_FAILURE)
    kari = own.who("KARI HANSEN")
    b = Browser(h)
    assert b.login("/elev/S1005/p.txt", pid=kari["login"]).status_code == 200
    import sqlite3
    con = sqlite3.connect(own.db, timeout=10)
    con.execute("UPDATE pupil SET consent_revoked_at = ? WHERE pupil_id = 'S1005'", (int(time.time()),))
    con.execute("UPDATE revision SET value = value + 1 WHERE id = 1")
    con.commit()
    con.close()
    deadline = time.monotonic() + 3
    while b.get("/elev/S1005/p.txt").status_code != 403:
        assert time.monotonic() < deadline, "the revoked consent was not seen"
        time.sleep(0.1)
    state = decode_session(b.session_cookie())["authz_state"]
    assert "S1005" not in state.split("|")[5].split(","), state


def test_student_through_the_builtin_login(own):
    b = Browser(own.httpd)
    emma = own.who("EMMA HANSEN")
    r = b.login("/meg/", pid=emma["login"])
    assert r.status_code == 200
    assert r.headers["X-Seen-Role"] == "student" and r.headers["X-Seen-Students"] == "S1001"


# --- mod_auth_openidc ----------------------------------------------------------------------------

MOD_AUTH_OPENIDC = "/usr/lib/apache2/modules/mod_auth_openidc.so"


@pytest.fixture(scope="module")
def interop(httpd_factory):
    if not os.path.exists(MOD_AUTH_OPENIDC):
        pytest.fail("mod_auth_openidc is missing: apt-get install libapache2-mod-auth-openidc")
    op = make_op()
    h = httpd_factory(name="authz-openidc", modules=["auth_openidc"])
    w = World(h)
    pupil_pages(h, w)
    redirect = h.url("/oidc/redirect")
    op.add_client("openidc-rp", secret="openidc-secret-0123456789", redirect_uris=[redirect])
    h.start(w.conf + f"""
OIDCProviderMetadataURL {op.metadata_url}
OIDCClientID openidc-rp
OIDCClientSecret openidc-secret-0123456789
OIDCRedirectURI {redirect}
OIDCCryptoPassphrase "another test passphrase of some length"
OIDCScope openid
OIDCPKCEMethod S256
OIDCPassClaimsAs environment
OIDCRemoteUserClaim sub
OIDCSessionType client-cookie
ForesattIdentity env OIDC_CLAIM_pid
ForesattPseudonymSecret "a test pseudonym secret of length"
<Location /oidc/>
  AuthType openid-connect
  Require valid-user
</Location>
""" + LOCATIONS.format(authtype="openid-connect"))
    w.httpd, w.op = h, op
    yield w
    op.stop()


def test_guardian_logged_in_by_mod_auth_openidc(interop):
    h = interop.httpd
    h.expect_log(AUTHZ_FAILURE)
    ingrid = interop.who("INGRID BERG")
    b = Browser(h)
    r = b.login("/elev/S2001/p.txt", pid=ingrid["login"])
    assert r.status_code == 200, r.text[:300]
    assert r.text == "pupil page\n"
    assert r.headers["X-Seen-Role"] == "guardian"
    assert r.headers["X-Seen-Students"] == "S2001"
    assert r.headers["X-Seen-Claim"] == ""  # the number is not passed on as a header
    r = b.get("/elev/S1001/p.txt")
    assert r.status_code == 403
    assert "Du har ikke tilgang til denne eleven" in r.text
    assert b.get("/meg/").status_code == 403
    # decided once: the audit log has the decisions under a pseudonym
    time.sleep(1.5)
    entries = [e for e in interop.audit() if e["detail"] in ("/elev/S2001/p.txt", "/elev/S1001/p.txt")]
    assert {(e["student_id"], e["decision"]) for e in entries} >= {("S2001", "allow"), ("S1001", "deny")}
    assert all(re.fullmatch(r"p-[0-9a-f]{24}", e["actor"]) for e in entries)
    assert ingrid["login"] not in h.error_log() + h.access_log()


def test_student_logged_in_by_mod_auth_openidc(interop):
    b = Browser(interop.httpd)
    jonas = interop.who("JONAS HANSEN")
    r = b.login("/meg/", pid=jonas["login"])
    assert r.status_code == 200
    assert r.headers["X-Seen-Role"] == "student" and r.headers["X-Seen-Students"] == "S1004"


def test_login_without_a_number_is_refused_in_words(interop):
    h = interop.httpd
    h.expect_log(AUTHZ_FAILURE)
    interop.op.claims_remove = ["pid"]
    try:
        b = Browser(h)
        r = b.login("/elev/", pid=interop.who("KARI HANSEN")["login"])
        assert r.status_code == 403
        assert "ga oss ikke f&oslash;dselsnummeret ditt" in r.text
    finally:
        interop.op.claims_remove = []
