"""Logout as ID-porten does it today: back-channel logout (a logout token POSTed by the OP's server,
every refusal of Back-Channel Logout 1.0), the end-session request by GET as well as by POST, and an
OP that rotated away the key of the ID token still sends the person to the portal's page."""
import re
import time

import pytest
import requests

from fstest.oidc import PROTECTED, Browser, decode_jwt_claims, login_conf, portal

NAV = {"Accept": "text/html"}
EVENT = "http://schemas.openid.net/event/backchannel-logout"

pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    h = httpd_factory(name="backchannel")
    portal(h)
    h.start(login_conf(h, op, extra="ForesattJWKSRefetchInterval 0") + PROTECTED)
    op.clients["foresatt-test"]["backchannel_logout_uri"] = h.url("/foresatt/backchannel-logout")
    return h


def logged_in(h):
    b = Browser(h)
    r = b.login("/portal/")
    assert r.status_code == 200
    return b, r.headers["X-Seen-Logout-Token"]


def still_in(h, cookie):
    r = requests.get(h.url("/portal/"), headers=dict(NAV, Cookie="foresatt_session=" + cookie),
                     allow_redirects=False, timeout=10)
    return r.status_code == 200


def sid_of_last_login(op):
    return decode_jwt_claims(op.last_id_token)["sid"]


def test_backchannel_logout_ends_the_session(httpd, op):
    b, _ = logged_in(httpd)
    other, _ = logged_in(httpd)  # another person: untouched
    status, headers, body = op.send_backchannel_logout(client_id="foresatt-test", sid=sid_of_last_login(op))
    assert status == 200, body
    assert headers["Cache-Control"] == "no-store"
    assert not still_in(httpd, other.session_cookie())
    assert still_in(httpd, b.session_cookie())
    assert "FS0188: back-channel logout: the OP ended a session" in httpd.new_log()


def test_end_session_at_the_op_sends_the_backchannel_logout(httpd, op):
    b, token = logged_in(httpd)
    copied = b.session_cookie()
    hint = op.last_id_token
    # Another service of the same ID-porten session logs out there: ID-porten tells us by back channel.
    end = requests.get(op.url("/endsession"), params={"id_token_hint": hint,
                                                      "post_logout_redirect_uri": httpd.url("/")},
                       allow_redirects=False, timeout=10)
    assert end.status_code == 302
    assert [d["status"] for d in op.backchannel_deliveries] == [200]
    assert not still_in(httpd, copied)


def refusal(httpd, op, expect, **kw):
    """A bad logout token: 400 with the spec's JSON error, and the session lives on."""
    b, _ = logged_in(httpd)
    sid = sid_of_last_login(op)
    httpd.expect_log(r"FS017[5-9]: back-channel logout refused")
    kw.setdefault("sid", sid)
    status, headers, body = op.send_backchannel_logout(client_id="foresatt-test", **kw)
    assert status == 400, body
    assert headers["Content-Type"] == "application/json" and headers["Cache-Control"] == "no-store"
    assert body.startswith('{"error":"invalid_request","error_description":"') and expect in body, body
    assert still_in(httpd, b.session_cookie())
    return b


NOW = int(time.time())

REFUSED = [
    ({"mode": "alg_none"}, "signature"),
    ({"mode": "hs256_pubkey"}, "signature"),
    ({"mode": "bad_signature"}, "signature"),
    ({"mode": "no_kid_attacker"}, "signature"),
    ({"claims_override": {"iss": "https://evil.example"}}, "iss"),
    ({"claims_override": {"aud": "someone-else"}}, "aud"),
    ({"claims_override": {"iat": NOW - 3600}}, "iat"),
    ({"claims_override": {"iat": NOW + 3600}}, "iat"),
    ({"claims_remove": ["iat"]}, "iat"),
    ({"claims_override": {"exp": NOW - 3600}}, "exp"),
    ({"claims_remove": ["jti"]}, "jti"),
    ({"claims_remove": ["events"]}, "events"),
    ({"claims_override": {"events": {"http://schemas.openid.net/event/other": {}}}}, "events"),
    ({"claims_override": {"events": {EVENT: "yes"}}}, "events"),
    ({"claims_override": {"nonce": "n-1"}}, "nonce"),
    ({"sid": None}, "sid/sub"),
]


@pytest.mark.parametrize("kw,expect", REFUSED, ids=[f"{i}-{e}" for i, (_, e) in enumerate(REFUSED)])
def test_backchannel_refusals(httpd, op, kw, expect):
    refusal(httpd, op, f"the logout token's {expect} is refused" if expect != "signature"
            else "the logout token's signature is refused", **kw)


def test_backchannel_sub_alone_is_refused(httpd, op):
    refusal(httpd, op, "the logout token must name a sid", sid=None, sub="some-sub")


def test_backchannel_jti_is_single_use(httpd, op):
    b, _ = logged_in(httpd)
    token = op.logout_token("foresatt-test", sid="not-a-session-of-ours")
    assert op.send_backchannel_logout(client_id="foresatt-test", token=token)[0] == 200
    httpd.expect_log(r"FS0179: back-channel logout refused: the logout token's jti was used before")
    status, _, body = op.send_backchannel_logout(client_id="foresatt-test", token=token)
    assert status == 400 and "the logout token was used before" in body
    assert still_in(httpd, b.session_cookie())


def test_backchannel_malformed_requests(httpd, op):
    httpd.expect_log(r"FS0175: back-channel logout refused")
    url = httpd.url("/foresatt/backchannel-logout")
    r = requests.post(url, data={"other": "x"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    r = requests.get(url, timeout=10)
    assert r.status_code == 405 and r.headers["Allow"] == "POST" and r.headers["Cache-Control"] == "no-store"
    httpd.expect_log(r"FS0177: back-channel logout refused: not a well-formed compact JWS")
    assert op.send_backchannel_logout(client_id="foresatt-test", token="a.b.c")[0] == 400


def test_backchannel_after_a_key_rotation(httpd, op):
    b, _ = logged_in(httpd)
    op.rotate_keys(keep_old=False)  # an unknown kid: the JWKS is fetched again
    status, _, body = op.send_backchannel_logout(client_id="foresatt-test", sid=sid_of_last_login(op))
    assert status == 200, body
    assert not still_in(httpd, b.session_cookie())


def test_end_session_by_get(httpd, op):
    httpd.reconfigure(login_conf(httpd, op, extra="ForesattJWKSRefetchInterval 0\nForesattEndSessionMethod GET")
                      + PROTECTED)
    try:
        op.end_session_methods = {"GET"}
        b, token = logged_in(httpd)
        copied = b.session_cookie()
        r = b.post("/foresatt/logout", data={"token": token})
        assert r.status_code == 303
        to = r.headers["Location"]
        assert to.startswith(op.url("/endsession") + "?id_token_hint=")
        for p in ("&client_id=foresatt-test", "&post_logout_redirect_uri=", "&state="):
            assert p in to
        end = b.get(to)
        assert end.status_code == 302 and end.headers["Location"].startswith(httpd.url("/") + "?state=")
        assert op.logouts[-1]["method"] == "GET" and op.logouts[-1]["valid_hint"]
        assert not still_in(httpd, copied)
    finally:
        httpd.reconfigure(login_conf(httpd, op, extra="ForesattJWKSRefetchInterval 0") + PROTECTED)


def test_post_to_a_get_only_op_is_what_the_directive_is_for(httpd, op):
    """The default POST meets 404 at an OP that takes only GET (the reason for the directive)."""
    op.end_session_methods = {"GET"}
    b, token = logged_in(httpd)
    r = b.post("/foresatt/logout", data={"token": token})
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]+)"', r.text))
    assert b.post(op.url("/endsession"), data=fields).status_code == 404


def test_logout_after_the_op_rotated_its_keys_away(httpd, op):
    b, token = logged_in(httpd)
    op.rotate_keys(keep_old=False)
    httpd.mark_log()
    r = b.post("/foresatt/logout", data={"token": token})
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]+)"', r.text))
    assert "id_token_hint" not in fields and fields["client_id"] == "foresatt-test"
    end = b.post(op.url("/endsession"), data=fields)
    assert end.status_code == 302 and end.headers["Location"].startswith(httpd.url("/") + "?state=")
    assert "FS0181: logout: the OP can no longer verify the ID token" in httpd.new_log()
