"""Every ID token refusal in security.md, through a real httpd: the stand-in misbehaves one way at a
time; the callback answers with a page (not a 500), logs why, sets no session, and the guardian is
still logged out. The accepted variants (no kid, several audiences with azp, key rotation) pass."""
import re
import time

import pytest

from fstest.oidc import (PID, PROTECTED, Browser, login_conf, login_when_back, parse_set_cookie, portal_httpd,
                         set_cookie_lines)


pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    return portal_httpd(httpd_factory, op, "id-token")


def session_cookies_set(r):
    return [parse_set_cookie(x) for x in set_cookie_lines(r) if parse_set_cookie(x)[0].endswith("_session")]


def assert_refused(httpd, op, log, status=403, page="Innloggingen mislyktes"):
    httpd.expect_log(r"FS015[45]: ID token refused: " + log)
    tokens = op.requests["/token"]
    b = Browser(httpd)
    cb = b.callback("/portal/")
    assert cb.status_code == status, cb.text
    assert page in cb.text
    assert cb.headers["Cache-Control"] == "no-store"
    assert session_cookies_set(cb) == []
    assert op.requests["/token"] == tokens + 1  # the token was fetched, then refused
    # Still logged out: the protected page sends the browser to the OP again.
    assert b.get("/portal/").status_code == 302
    assert PID not in cb.text
    return cb


def assert_accepted(httpd):
    b = Browser(httpd)
    r = b.login("/portal/")
    assert r.status_code == 200 and r.text == "<p>portal</p>\n"


NOW = int(time.time())

REFUSED = [
    ({"token_mode": "bad_signature"}, "signature does not verify"),
    ({"token_mode": "alg_none"}, "(not a well-formed compact JWS|alg missing or not allowed)"),
    ({"token_mode": "hs256_pubkey"}, r"alg missing or not allowed \(RS256 only\)"),
    ({"token_mode": "header_keys_attacker"}, "signature does not verify"),
    ({"token_mode": "no_kid_attacker"}, "signature does not verify"),
    ({"claims_override": {"iss": "https://evil.example"}}, "iss is not the OP's issuer"),
    ({"claims_remove": ["iss"]}, "iss is missing"),
    ({"claims_override": {"aud": "someone-else"}}, "aud does not contain this client_id"),
    ({"claims_remove": ["aud"]}, "aud is missing"),
    ({"claims_override": {"aud": ["foresatt-test", "someone-else"]}}, "aud has 2 audiences and there is no azp"),
    ({"claims_override": {"azp": "someone-else"}}, "azp is not this client_id"),
    ({"claims_override": {"exp": NOW - 300}}, r"expired \d+ s ago"),
    ({"claims_remove": ["exp"]}, "exp is missing"),
    ({"claims_override": {"iat": NOW + 600}}, r"issued \d+ s in the future"),
    ({"claims_remove": ["iat"]}, "iat is missing"),
    ({"claims_override": {"nonce": "not-the-nonce"}}, "nonce is not the one this login sent"),
    ({"claims_remove": ["nonce"]}, "nonce is missing"),
    ({"claims_remove": ["sub"]}, "sub is missing"),
]


@pytest.mark.parametrize("switches,log", REFUSED, ids=[log[:40] for _, log in REFUSED])
def test_refused(httpd, op, switches, log):
    for k, v in switches.items():
        setattr(op, k, v)
    assert_refused(httpd, op, log)


@pytest.mark.parametrize("acr", ["idporten-loa-low", "selfregistered-email", "eidas-loa-low", "Level4"])
def test_acr_below_substantial(httpd, op, acr):
    op.acr = acr
    cb = assert_refused(httpd, op, "acr '.*' is below the required level", page="sikkerhetsniv")
    assert "Logg inn p&aring; nytt" in cb.text


def test_acr_high_required(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattAcrValues idporten-loa-high") + PROTECTED)
    try:
        op.acr = "idporten-loa-substantial"
        assert_refused(httpd, op, "acr 'idporten-loa-substantial' is below the required level", page="sikkerhetsniv")
        op.reset()
        op.acr = "idporten-loa-high"
        assert_accepted(httpd)
    finally:
        httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_invalid_pid(httpd, op):
    op.claims_override = {"pid": "20036914712"}
    cb = assert_refused(httpd, op, "pid is not a valid fodselsnummer or D-nummer", page="f&oslash;dselsnummer")
    assert "20036914712" not in cb.text


def test_no_pid(httpd, op):
    """eIDAS and e-mail logins come without pid: a page in each of the pages' languages says why and
    what to do; the refusal is logged by pseudonym, never with a number."""
    op.claims_remove = ["pid"]
    op.acr = "eidas-loa-substantial"
    cb = assert_refused(httpd, op, r"pid is missing \(this eID gives no national identity number\)",
                        page="Foresatt-tilgang krever f&oslash;dselsnummer eller D-nummer")
    assert "ta kontakt med skolen" in cb.text  # nb
    assert "Guardian access needs a Norwegian identity number" in cb.text and "contact the school" in cb.text  # en
    assert '<div lang="en">' in cb.text
    line = [x for x in httpd.new_log().splitlines() if "FS0189" in x]
    assert len(line) == 1 and re.search(r"FS0189: login refused for p-[A-Za-z0-9_-]+ \(eidas-loa-substantial\): "
                                        r"no national identity number", line[0]), line
    # The same person (same sub) gets the same pseudonym the next time.
    assert_refused(httpd, op, r"pid is missing", page="Foresatt-tilgang")
    again = [x for x in httpd.new_log().splitlines() if "FS0189" in x]
    assert again[-1].split("login refused for ")[1] == line[0].split("login refused for ")[1]


def test_jku_x5u_jwk_x5c_are_ignored_on_a_good_token(httpd, op):
    op.token_mode = "header_keys_ignored"
    assert_accepted(httpd)


def test_several_audiences_with_azp(httpd, op):
    op.claims_override = {"aud": ["foresatt-test", "someone-else"], "azp": "foresatt-test"}
    assert_accepted(httpd)


def test_higher_acr_passes_substantial(httpd, op):
    op.acr = "idporten-loa-high"
    assert_accepted(httpd)


def test_no_kid_one_key(httpd, op):
    op.jwks_without_kids = True
    op.token_mode = "no_kid"
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)  # a fresh child fetches the kid-less JWKS
    assert_accepted(httpd)


def test_no_kid_two_keys(httpd, op):
    op.rotate_keys(keep_old=True)
    op.token_mode = "no_kid"
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)
    assert op.jwks()["keys"][0]["kid"] != op.jwks()["keys"][1]["kid"]
    assert_accepted(httpd)  # signed by one of the two: verified
    op.token_mode = "no_kid_attacker"
    assert_refused(httpd, op, "signature does not verify")  # by neither: refused


def test_unknown_kid_refetches_once_then_rate_limited(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattJWKSRefetchInterval 3600") + PROTECTED)
    assert_accepted(httpd)  # warm: discovery and JWKS fetched once
    before = op.requests["/jwks.json"]
    op.token_mode = "unknown_kid"
    assert_refused(httpd, op, r"no key with this kid in the OP's JWKS \(kid no-such-kid-[0-9a-f]+\)")
    assert op.requests["/jwks.json"] == before + 1  # refetched once
    assert_refused(httpd, op, r"no key with this kid in the OP's JWKS")
    assert op.requests["/jwks.json"] == before + 1  # not again: random kids cause no fetch storm
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_key_rotation_is_picked_up(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattJWKSRefetchInterval 0") + PROTECTED)
    assert_accepted(httpd)
    before = op.requests["/jwks.json"]
    op.rotate_keys(keep_old=False)  # the OP signs with a new kid; our cached JWKS does not know it
    assert_accepted(httpd)
    assert op.requests["/jwks.json"] == before + 1
    assert_accepted(httpd)  # now cached
    assert op.requests["/jwks.json"] == before + 1
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)


def test_discovery_with_another_issuer(httpd, op):
    op.discovery_issuer = "http://127.0.0.1:9"
    httpd.reconfigure(login_conf(httpd, op) + PROTECTED)
    httpd.expect_log(r"FS0123: discovery document: issuer 'http://127.0.0.1:9' is not the configured issuer")
    r = Browser(httpd).get("/portal/")
    assert r.status_code == 503
    assert "ID-porten svarer ikke" in r.text
    assert r.headers["Cache-Control"] == "no-store"
    assert op.requests["/authorize"] == 0
    op.reset()
    r = login_when_back(httpd)  # the child pauses a few seconds after a failed fetch
    assert r.status_code == 200 and r.text == "<p>portal</p>\n"
