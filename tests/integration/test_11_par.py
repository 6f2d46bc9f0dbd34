"""Pushed authorization requests (RFC 9126) through a real httpd against the ID-porten stand-in:
ForesattAuthorizationRequest par pushes the request with the configured client authentication and
sends the browser with client_id and request_uri only; an OP that requires PAR gets it without the
directive; an OP error at the PAR endpoint is the 502/503 page with no login half started."""
import urllib.parse

import pytest

from fstest.oidc import PROTECTED, Browser, client_key, login_conf, portal

pytestmark = pytest.mark.usefixtures("fresh_op")


@pytest.fixture(scope="module")
def httpd(httpd_factory, op):
    h = httpd_factory(name="par")
    portal(h)
    h.key = client_key(h)
    h.start(conf(h, op))
    return h


def conf(h, op, auth="client_secret_basic", extra="ForesattAuthorizationRequest par"):
    key = h.key if auth == "private_key_jwt" else None
    c = login_conf(h, op, auth=auth, key=key, extra=extra) + PROTECTED
    op.clients["foresatt-test"]["auth_method"] = auth
    return c


def query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


@pytest.mark.parametrize("auth", ["client_secret_basic", "client_secret_post", "private_key_jwt"])
def test_par_login_with_each_client_authentication(httpd, op, auth):
    httpd.reconfigure(conf(httpd, op, auth))
    try:
        b = Browser(httpd)
        to_op = b.start_login("/portal/")
        q = query(to_op.headers["Location"])
        assert set(q) == {"client_id", "request_uri"} and q["client_id"] == "foresatt-test"
        assert q["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
        pushed = op.par_requests[-1]
        assert pushed["method"] == auth and pushed["refused"] is None
        for p in ("state", "nonce", "code_challenge", "redirect_uri", "acr_values", "ui_locales"):
            assert p in pushed["form"]
        assert pushed["form"]["code_challenge_method"] == "S256"
        back = b.authorize(to_op)
        r = b.follow(b.get(back.headers["Location"]))
        assert r.status_code == 200 and r.text == "<p>portal</p>\n"
    finally:
        httpd.reconfigure(conf(httpd, op))


def assert_no_half_started_login(r):
    assert not any("_state_" in line.split("=")[0] for line in r.raw.headers.getlist("Set-Cookie")), \
        r.raw.headers.getlist("Set-Cookie")
    assert "Location" not in r.headers


def test_par_refused_by_the_op(httpd, op):
    op.par_error = (400, {"error": "invalid_request", "error_description": "bad <request>"})
    httpd.expect_log(r"FS0186: the PAR endpoint answered HTTP 400, error invalid_request")
    r = Browser(httpd).get("/portal/")
    assert r.status_code == 502 and "ID-porten: invalid_request: bad &lt;request&gt;" in r.text
    assert_no_half_started_login(r)


def test_par_without_client_authentication_is_refused_by_the_op(httpd, op):
    # The OP expects another method than the module sends: it answers invalid_client.
    op.clients["foresatt-test"]["auth_method"] = "private_key_jwt"
    httpd.expect_log(r"FS0186: the PAR endpoint answered HTTP 401, error invalid_client")
    r = Browser(httpd).get("/portal/")
    assert r.status_code == 502 and "invalid_client" in r.text
    assert op.par_requests[-1]["refused"].startswith("client registered private_key_jwt")
    assert_no_half_started_login(r)
    op.clients["foresatt-test"]["auth_method"] = "client_secret_basic"


@pytest.mark.parametrize("bad", [{"expires_in": 60}, {"request_uri": "urn:x", "expires_in": 0},
                                 {"request_uri": "no uri", "expires_in": 60}])
def test_par_answer_malformed(httpd, op, bad):
    op.par_response = bad
    httpd.expect_log(r"FS0187: the PAR response")
    r = Browser(httpd).get("/portal/")
    assert r.status_code == 502
    assert_no_half_started_login(r)


def test_par_endpoint_unreachable(httpd, op):
    op.dead = {"/par"}
    httpd.expect_log(r"FS0184: the PAR endpoint .* gave no answer")
    httpd.expect_log(r"FS0120: liboauth2 oauth2_http_call: curl_easy_perform\(\) failed on: .*/par")
    r = Browser(httpd).get("/portal/")
    assert r.status_code == 503
    assert_no_half_started_login(r)


def test_request_uri_expired_or_reused_at_the_op(httpd, op):
    b = Browser(httpd)
    to_op = b.start_login("/portal/")
    assert b.get(to_op.headers["Location"]).status_code == 200
    # The same request_uri again (a reload, a replay): the OP refuses it.
    again = b.get(to_op.headers["Location"])
    assert again.status_code == 400 and "request_uri already used" in again.text
    op.par_lifetime = 0
    late = b.get(b.start_login("/portal/").headers["Location"])
    assert late.status_code == 400 and "request_uri expired" in late.text


def test_par_when_the_op_requires_it(httpd, op):
    httpd.reconfigure(conf(httpd, op, extra=""))
    try:
        b = Browser(httpd)
        assert set(query(b.start_login("/portal/").headers["Location"])) != {"client_id", "request_uri"}
        op.require_par = True
        httpd.reconfigure(conf(httpd, op, extra=""))  # the discovery document is read again
        assert b.login("/portal/").status_code == 200
        assert op.par_requests and op.par_requests[-1]["refused"] is None
    finally:
        httpd.reconfigure(conf(httpd, op))


def test_configtest_names_a_bad_value(httpd, op):
    rc, out = httpd.configtest(login_conf(httpd, op, extra="ForesattAuthorizationRequest pushed") + PROTECTED)
    assert rc != 0 and "ForesattAuthorizationRequest: 'pushed' is not 'redirect' or 'par'" in out
    rc, out = httpd.configtest(login_conf(httpd, op, extra="ForesattEndSessionMethod PUT") + PROTECTED)
    assert rc != 0 and "ForesattEndSessionMethod: 'PUT' is not 'POST' or 'GET'" in out
