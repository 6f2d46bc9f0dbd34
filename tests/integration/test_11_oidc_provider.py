"""The login against an OpenID provider nobody here wrote: npm oidc-provider (OpenID Certified),
configured like ID-porten (tests/standins/oidc-provider.mjs): all three client authentications,
acr refusals, key rotation, a person without pid, PAR (asked for and required), RP-initiated logout
by POST and by GET (at an OP that takes only GET), after a key rotation, and front-channel and
back-channel logout. One OP and one httpd for the module; the httpd is reconfigured as needed."""
import re
import urllib.parse

import pytest

from fstest.oidc import CLIENT_SECRET, PID, PROTECTED, client_key, login_conf, portal
from fstest.oidc_provider import OPBrowser

AUTHS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]


@pytest.fixture(scope="module")
def site(httpd_factory, oidc_provider):
    """The httpd, and a conf(auth, extra) that registers the client for that auth at the OP and
    returns the login directives."""
    h = httpd_factory(name="oidc-provider")
    portal(h)
    key = client_key(h)

    def conf(auth="client_secret_basic", extra=""):
        client_id = f"fs-{auth}"
        oidc_provider.add_client(client_id, auth, redirect_uri=h.url("/foresatt/callback"),
                                 post_logout=[h.url("/")], secret=CLIENT_SECRET if auth != "private_key_jwt" else None,
                                 jwk=key[1] if auth == "private_key_jwt" else None,
                                 frontchannel_logout_uri=h.url("/foresatt/frontchannel-logout"),
                                 backchannel_logout_uri=h.url("/foresatt/backchannel-logout"))
        # Keys rotate several times a minute here: every unknown kid may fetch the JWKS again.
        return login_conf(h, oidc_provider, client_id=client_id, auth=auth, register=False,
                          key=key if auth == "private_key_jwt" else None,
                          extra="ForesattJWKSRefetchInterval 0\n" + extra) + PROTECTED

    for auth in AUTHS:  # registered once, so reconfiguring later only swaps the module's side
        conf(auth)
    h.start(conf())
    h.conf = conf
    h.auth = "client_secret_basic"
    h.extra = ""
    return h


@pytest.fixture
def httpd(site, oidc_provider):
    oidc_provider.reset()
    return site


def use(h, auth="client_secret_basic", extra=""):
    if (h.auth, h.extra) != (auth, extra):
        h.reconfigure(h.conf(auth, extra))
        h.auth, h.extra = auth, extra


@pytest.fixture
def basic(httpd):
    """The httpd with client_secret_basic and no extra directives, whatever the test before it did."""
    use(httpd)
    return httpd


def logged_in(h, op, **kw):
    b = OPBrowser(h, op)
    r = b.login("/portal/", **kw)
    assert r.status_code == 200 and r.text == "<p>portal</p>\n", (r.status_code, r.text[:300])
    return b, r


@pytest.mark.parametrize("auth", AUTHS)
def test_login_with_each_client_authentication(httpd, oidc_provider, auth):
    use(httpd, auth)
    b, r = logged_in(httpd, oidc_provider)
    assert r.headers["X-Seen-Acr"] == "idporten-loa-substantial"
    assert r.headers["X-Seen-User"] and PID not in r.headers["X-Seen-User"]


def test_acr_below_the_minimum_is_refused(basic, oidc_provider):
    basic.expect_log(r"FS0155: ID token refused: acr 'idporten-loa-low' is below the required level")
    cb = OPBrowser(basic, oidc_provider).callback("/portal/", acr="idporten-loa-low")
    assert cb.status_code == 403 and "sikkerhetsniv" in cb.text
    use(basic, extra="ForesattAcrValues idporten-loa-high")
    basic.expect_log(r"FS0155: ID token refused: acr 'idporten-loa-substantial' is below the required level")
    cb = OPBrowser(basic, oidc_provider).callback("/portal/", acr="idporten-loa-substantial")
    assert cb.status_code == 403 and "sikkerhetsniv" in cb.text
    b, r = logged_in(basic, oidc_provider, acr="idporten-loa-high")
    assert r.headers["X-Seen-Acr"] == "idporten-loa-high"


def test_signing_key_rotation(basic, oidc_provider):
    logged_in(basic, oidc_provider)
    kids = oidc_provider.rotate_keys(keep_old=True)
    assert len(kids) == 2
    logged_in(basic, oidc_provider)  # a new kid: the module fetches the JWKS again
    kids = oidc_provider.rotate_keys(keep_old=False)
    assert len(kids) == 1
    logged_in(basic, oidc_provider)


def test_person_without_pid_is_refused(basic, oidc_provider):
    basic.expect_log(r"FS0155: ID token refused: pid is missing")
    cb = OPBrowser(basic, oidc_provider).callback("/portal/", pid="")
    assert cb.status_code == 403 and "Foresatt-tilgang krever f&oslash;dselsnummer eller D-nummer" in cb.text
    assert "contact the school" in cb.text
    assert "FS0189: login refused for p-" in basic.new_log()


def session_copy(b):
    """The session cookie as a Cookie header, to replay after logout."""
    name, value = next((k, v) for k, v in b.jar(b.h.url()).items() if k.endswith("_session"))
    return f"{name}={value}"


def asks_again(b, h):
    """The OP's session is over: a new login shows its login page."""
    return "/interaction/" in b.follow(b.get(b.start_login("/portal/").headers["Location"])).url


def test_rp_initiated_logout_by_post(basic, oidc_provider):
    b, r = logged_in(basic, oidc_provider)
    copied = session_copy(b)
    r = b.post("/foresatt/logout", data={"token": r.headers["X-Seen-Logout-Token"]})
    action = oidc_provider.url("/session/end")
    assert r.status_code == 200 and f'<form method="post" action="{action}">' in r.text, r.text[:500]
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', r.text))
    assert form["id_token_hint"] and form["post_logout_redirect_uri"] == basic.url("/")
    done = b.confirm_logout(b.post(action, data=form))
    # The OP's front-channel page (the module is registered for it), then back to the portal.
    frames, onward = b.frontchannel_iframes(done)
    assert onward == basic.url("/") + "?state=" + form["state"] and [f.status_code for f in frames] == [200]
    assert OPBrowser(basic, oidc_provider).get("/portal/", headers={"Cookie": copied}).status_code == 302
    assert asks_again(b, basic)


def test_frontchannel_logout_from_the_op(basic, oidc_provider):
    b, _ = logged_in(basic, oidc_provider)
    copied = session_copy(b)
    # The person logs out at the OP itself (another service's logout, or ID-porten's own page).
    done = b.confirm_logout(b.get(oidc_provider.url("/session/end")))
    frames, _ = b.frontchannel_iframes(done)
    assert [f.status_code for f in frames] == [200]
    assert oidc_provider.state()["frontchannel"][0].startswith(basic.url("/foresatt/frontchannel-logout?iss="))
    assert OPBrowser(basic, oidc_provider).get("/portal/", headers={"Cookie": copied}).status_code == 302
    assert asks_again(b, basic)


def query(url):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))


@pytest.mark.parametrize("auth", AUTHS)
def test_par_with_each_client_authentication(httpd, oidc_provider, auth):
    use(httpd, auth, "ForesattAuthorizationRequest par")
    b = OPBrowser(httpd, oidc_provider)
    to_op = b.start_login("/portal/")
    assert set(query(to_op.headers["Location"])) == {"client_id", "request_uri"}
    back = b.authorize(to_op)
    r = b.follow(b.get(back.headers["Location"]))
    assert r.status_code == 200 and r.text == "<p>portal</p>\n"


def test_par_required_by_the_op(httpd, oidc_provider):
    oidc_provider.set(require_par=True)
    assert oidc_provider.discovery()["require_pushed_authorization_requests"] is True
    httpd.reconfigure(httpd.conf())  # new children read the discovery document again
    httpd.auth, httpd.extra = "client_secret_basic", ""
    b = OPBrowser(httpd, oidc_provider)
    to_op = b.start_login("/portal/")
    assert set(query(to_op.headers["Location"])) == {"client_id", "request_uri"}
    r = b.follow(b.get(b.authorize(to_op).headers["Location"]))
    assert r.status_code == 200
    oidc_provider.set(require_par=False)
    httpd.reconfigure(httpd.conf())


def test_backchannel_logout_from_the_op(basic, oidc_provider):
    b, _ = logged_in(basic, oidc_provider)
    copied = session_copy(b)
    # The person logs out at the OP (another service, or ID-porten's own page): the OP's server
    # posts a logout token to ours before the browser moves on.
    b.confirm_logout(b.get(oidc_provider.url("/session/end")))
    delivered = oidc_provider.state()["backchannel"]
    assert [d["ok"] for d in delivered] == [True], delivered
    assert "FS0188: back-channel logout: the OP ended a session" in basic.new_log()
    assert OPBrowser(basic, oidc_provider).get("/portal/", headers={"Cookie": copied}).status_code == 302


def logout_at_the_op(b, h, op, method):
    """The portal's logout button, then the OP's confirmation; returns where the OP sends the browser."""
    token = b.get("/portal/").headers["X-Seen-Logout-Token"]
    r = b.post("/foresatt/logout", data={"token": token})
    if method == "GET":
        assert r.status_code == 303 and r.headers["Location"].startswith(op.url("/session/end?")), r.text[:300]
        page = b.get(r.headers["Location"])
        fields = query(r.headers["Location"])
    else:
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', r.text))
        page = b.post(op.url("/session/end"), data=fields)
    done = b.confirm_logout(page)
    if done.status_code == 200:
        _, onward = b.frontchannel_iframes(done)
        return fields, onward
    return fields, done.headers["Location"]


def test_rp_initiated_logout_by_get_at_an_op_that_takes_only_get(httpd, oidc_provider):
    oidc_provider.set(end_session_methods=["GET"])
    use(httpd, extra="ForesattEndSessionMethod GET")
    b, _ = logged_in(httpd, oidc_provider)
    copied = session_copy(b)
    fields, onward = logout_at_the_op(b, httpd, oidc_provider, "GET")
    assert fields["id_token_hint"] and fields["client_id"] == "fs-client_secret_basic"
    assert onward == httpd.url("/") + "?state=" + fields["state"]
    assert OPBrowser(httpd, oidc_provider).get("/portal/", headers={"Cookie": copied}).status_code == 302
    assert asks_again(b, httpd)


def test_post_logout_at_an_op_that_takes_only_get_meets_404(basic, oidc_provider):
    """Why ForesattEndSessionMethod exists: oidc-provider's default takes no POST there."""
    oidc_provider.set(end_session_methods=["GET"])
    b, r = logged_in(basic, oidc_provider)
    r = b.post("/foresatt/logout", data={"token": r.headers["X-Seen-Logout-Token"]})
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', r.text))
    assert b.post(oidc_provider.url("/session/end"), data=fields).status_code == 404


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_logout_after_the_op_rotated_its_keys_away(httpd, oidc_provider, method):
    use(httpd, extra=f"ForesattEndSessionMethod {method}")
    b, _ = logged_in(httpd, oidc_provider)
    oidc_provider.rotate_keys(keep_old=False)
    fields, onward = logout_at_the_op(b, httpd, oidc_provider, method)
    assert "id_token_hint" not in fields and fields["client_id"] == "fs-client_secret_basic"
    assert onward == httpd.url("/") + "?state=" + fields["state"]
    assert "FS0181: logout: the OP can no longer verify the ID token" in httpd.new_log()
