"""Where the person comes from, per virtual host (ForesattIdentity), on one httpd with several:

    main server   ForesattIdentity header X-Pid 127.0.0.1 acr=X-Acr     (the test client is trusted)
    vhost login   ForesattIdentity session: the built-in login, and only it
    vhost oidc    ForesattIdentity env OIDC_CLAIM_pid: Debian's mod_auth_openidc logs in, and only it
    vhost high    the same, with ForesattAcrValues idporten-loa-high
    vhost other   ForesattIdentity header X-Foresatt-Pid 10.9.9.9 acr=X-Foresatt-Acr (another proxy)
    vhost school  ForesattHeaderPrefix X-School-

Every identity header the module knows of (any vhost's ForesattIdentity header and acr header, any
prefix) is removed on every vhost, in '-' and '_' spellings, unless that vhost trusts its sender;
a trusted sender's header is believed only under its exact name. A vhost honours its own source
only: a session cookie of ours is no identity where mod_auth_openidc logs in, and a trusted proxy's
header is none where our own login does. External identities carry the acr the other module or
the proxy passed, and ForesattAcrValues applies to it."""
import os
import subprocess

import pytest
import requests

from fstest import paths
from fstest.net import free_port
from fstest.oidc import CLIENT_ID, CLIENT_SECRET, Browser, login_conf, make_op
from fstest.world import World

MOD_AUTH_OPENIDC = "/usr/lib/apache2/modules/mod_auth_openidc.so"
AUTHZ_FAILURE = r"AH01631|AH01630"
FORGED = ["X-Pid", "X_Pid", "X-Acr", "X_Acr", "X-Foresatt-Pid", "X_Foresatt_Pid", "X-Foresatt-Acr",
          "X_Foresatt_Acr", "X-School-Role", "X_School_Role", "X-Foresatt-Role", "x_foresatt_students"]
SEEN = "|".join("%{req:" + n + "}" for n in FORGED)

SITE = """
Header always set X-Seen-Forged "expr={seen}"
Header always set X-Seen-Role "expr=%{{req:X-Foresatt-Role}}"
Header always set X-Seen-Students "expr=%{{req:X-Foresatt-Students}}"
<Location /elev/>
  AuthType {auth}
  Require foresatt-guardian
</Location>
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType {auth}
  Require foresatt-guardian-of %{{env:MATCH_SID}}
</LocationMatch>
"""


def site(auth):
    return SITE.format(seen=SEEN, auth=auth)


def vhost(port, body):
    return f"""
Listen 127.0.0.1:{port}
<VirtualHost 127.0.0.1:{port}>
ServerName 127.0.0.1
{body}
</VirtualHost>
"""


def openidc(op, port, client):
    redirect = f"http://127.0.0.1:{port}/oidc/redirect"
    op.add_client(client, secret="openidc-secret-0123456789", redirect_uris=[redirect])
    return f"""
OIDCProviderMetadataURL {op.metadata_url}
OIDCClientID {client}
OIDCClientSecret openidc-secret-0123456789
OIDCRedirectURI {redirect}
OIDCCryptoPassphrase "another test passphrase of some length"
OIDCScope openid
OIDCPKCEMethod S256
OIDCPassClaimsAs environment
OIDCRemoteUserClaim sub
OIDCSessionType client-cookie
ForesattIdentity env OIDC_CLAIM_pid
<Location /oidc/>
  AuthType openid-connect
  Require valid-user
</Location>
"""


@pytest.fixture(scope="module")
def site_(httpd_factory):
    if not os.path.exists(MOD_AUTH_OPENIDC):
        pytest.fail("mod_auth_openidc is missing: apt-get install libapache2-mod-auth-openidc")
    op = make_op()
    h = httpd_factory(name="identity-sources", modules=["auth_openidc"])
    w = World(h)
    for sid in w.pupils:
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
    h.write_file("htdocs/elev/index.html", "elev\n")
    h.write_file("htdocs/open/x.txt", "open\n")
    h.write_file("htdocs/start/index.html", "start\n")
    ports = {name: free_port() for name in ("login", "oidc", "high", "other", "school")}
    op.add_client(CLIENT_ID, secret=CLIENT_SECRET, redirect_uris=[f"http://127.0.0.1:{ports['login']}/foresatt/callback"],
                  post_logout_redirect_uris=[h.url("/")])
    h.start(w.conf + login_conf(h, op, register=False) + "ForesattPseudonymSecret \"a pseudonym secret of length\"\n"
            + "ForesattIdentity header X-Pid 127.0.0.1 acr=X-Acr\n" + site("foresatt")
            + vhost(ports["login"], "ForesattIdentity session\n" + site("foresatt")
                    + "<Location /start/>\n  AuthType foresatt\n  Require valid-user\n</Location>\n")
            + vhost(ports["oidc"], openidc(op, ports["oidc"], "rp-oidc") + site("openid-connect"))
            + vhost(ports["high"], openidc(op, ports["high"], "rp-high") + "ForesattAcrValues idporten-loa-high\n"
                    + site("openid-connect"))
            + vhost(ports["other"], "ForesattIdentity header X-Foresatt-Pid 10.9.9.9 acr=X-Foresatt-Acr\n"
                    + site("foresatt"))
            + vhost(ports["school"], "ForesattIdentity session\nForesattHeaderPrefix X-School-\n" + site("foresatt")))
    w.httpd, w.op, w.ports = h, op, ports
    yield w
    op.stop()


def url(w, vhost, path):
    return f"http://127.0.0.1:{w.ports[vhost]}{path}" if vhost != "main" else w.httpd.url(path)


def forged(pid, acr="idporten-loa-substantial"):
    headers = {}
    for name in FORGED:
        headers[name] = acr if "acr" in name.lower() else pid if "pid" in name.lower() else "guardian"
    return headers


@pytest.mark.parametrize("vhost", ["main", "login", "oidc", "other", "school"])
def test_forged_identity_headers_are_removed_on_every_vhost(site_, vhost):
    """Item 8: on an open page, none of the module's identity headers reaches the portal, whichever
    vhost declared it; where the vhost trusts the sender (main), it is consumed, not passed on."""
    ingrid = site_.who("INGRID BERG")["login"]
    r = requests.get(url(site_, vhost, "/open/x.txt"), headers=forged(ingrid), timeout=20)
    assert r.status_code == 200
    assert r.headers["X-Seen-Forged"] == "|" * (len(FORGED) - 1), r.headers["X-Seen-Forged"]


def test_a_trusted_header_counts_only_under_its_own_name(site_):
    h = site_.httpd
    h.expect_log(AUTHZ_FAILURE)
    ingrid = site_.who("INGRID BERG")["login"]
    ok = {"X-Pid": ingrid, "X-Acr": "idporten-loa-substantial"}
    r = requests.get(h.url("/elev/S2001/p.txt"), headers=ok, timeout=20)
    assert r.status_code == 200 and r.headers["X-Seen-Students"] == "S2001"
    for spelled in ({"X_Pid": ingrid, "X-Acr": "idporten-loa-substantial"},
                    {"X-Pid": ingrid, "X_Acr": "idporten-loa-substantial"}):
        r = requests.get(h.url("/elev/S2001/p.txt"), headers=spelled, timeout=20)
        assert r.status_code in (401, 403), (spelled, r.status_code)


def test_an_untrusted_peer_is_nobody_on_its_vhost(site_):
    ingrid = site_.who("INGRID BERG")["login"]
    r = requests.get(url(site_, "other", "/elev/S2001/p.txt"),
                     headers={"X-Foresatt-Pid": ingrid, "X-Foresatt-Acr": "idporten-loa-substantial"}, timeout=20)
    assert r.status_code == 401


def test_session_vhost_ignores_a_trusted_proxy_header(site_):
    """Item 9: ForesattIdentity session is our login only: the main server's trusted header is no
    identity there (a browser is sent to log in, an API client gets 401)."""
    ingrid = site_.who("INGRID BERG")["login"]
    r = requests.get(url(site_, "login", "/elev/S2001/p.txt"), allow_redirects=False, timeout=20,
                     headers={"X-Pid": ingrid, "X-Acr": "idporten-loa-substantial", "Accept": "application/json"})
    assert r.status_code == 401, r.status_code
    assert r.headers.get("X-Seen-Role", "") == ""


def kari_session(site_):
    b = Browser(site_.httpd)
    r = b.login(url(site_, "login", "/start/"), pid=site_.who("KARI HANSEN")["login"])
    assert r.status_code == 200
    assert b.get(url(site_, "login", "/elev/S1001/p.txt")).status_code == 200
    return b.cookie_header(url(site_, "login", "/start/"))


def test_our_session_cookie_is_no_identity_where_mod_auth_openidc_logs_in(site_):
    """Item 9: Kari's session cookie of ours, sent along with Ingrid's mod_auth_openidc login, does
    not make the request Kari's."""
    h = site_.httpd
    h.expect_log(AUTHZ_FAILURE)
    ours = kari_session(site_)
    b = Browser(h)
    jar = b.jar(url(site_, "oidc", "/"))
    for part in ours.split("; "):
        name, _, value = part.partition("=")
        jar[name] = value
    r = b.login(url(site_, "oidc", "/elev/S2001/p.txt"), pid=site_.who("INGRID BERG")["login"])
    assert r.status_code == 200, r.text[:300]
    assert r.headers["X-Seen-Students"] == "S2001"
    assert any(k.endswith("_session") for k in jar), "the test sends our session cookie along"
    assert b.get(url(site_, "oidc", "/elev/S1001/p.txt")).status_code == 403


def test_acr_from_mod_auth_openidc_is_checked(site_):
    """Item 10: the acr mod_auth_openidc passes (OIDC_CLAIM_acr) meets ForesattAcrValues, or the
    guardian is refused with a page that says why."""
    h, op = site_.httpd, site_.op
    h.expect_log(AUTHZ_FAILURE)
    ingrid = site_.who("INGRID BERG")["login"]
    try:
        op.acr = "idporten-loa-low"
        b = Browser(h)
        r = b.login(url(site_, "oidc", "/elev/S2001/p.txt"), pid=ingrid)
        assert r.status_code == 403
        assert "sikkerhetsniv" in r.text and "level of assurance" in r.text
        assert ingrid not in r.text
        op.acr = "idporten-loa-substantial"
        b = Browser(h)
        r = b.login(url(site_, "high", "/elev/S2001/p.txt"), pid=ingrid)  # ForesattAcrValues idporten-loa-high
        assert r.status_code == 403 and "sikkerhetsniv" in r.text
        op.acr = "idporten-loa-high"
        b = Browser(h)
        r = b.login(url(site_, "high", "/elev/S2001/p.txt"), pid=ingrid)
        assert r.status_code == 200 and r.headers["X-Seen-Students"] == "S2001"
    finally:
        op.acr = None
    assert "FS0545" in h.error_log()


def test_acr_from_a_trusted_proxy_is_checked(site_):
    h = site_.httpd
    h.expect_log(AUTHZ_FAILURE)
    ingrid = site_.who("INGRID BERG")["login"]
    for acr, status in (("idporten-loa-low", 403), ("selfregistered-email", 403), (None, 403),
                        ("idporten-loa-substantial", 200), ("idporten-loa-high", 200)):
        headers = {"X-Pid": ingrid}
        if acr:
            headers["X-Acr"] = acr
        r = requests.get(h.url("/elev/S2001/p.txt"), headers=headers, timeout=20)
        assert r.status_code == status, (acr, r.status_code)


CONFIG_ERRORS = [
    ("ForesattIdentity header X-Pid 127.0.0.1", ["ForesattIdentity header", "acr="]),
    ("ForesattIdentity header X-Pid 127.0.0.1 acr=", ["ForesattIdentity header", "acr="]),
    ("ForesattIdentity env OIDC_CLAIM_pid acr=", ["ForesattIdentity env", "acr="]),
    ("ForesattIdentity env OIDC_CLAIM_pid colour=blue", ["ForesattIdentity env"]),
]


@pytest.mark.parametrize("body,words", CONFIG_ERRORS, ids=[b[:50] for b, _ in CONFIG_ERRORS])
def test_identity_configuration_errors(httpd_factory, body, words):
    h = httpd_factory(name="identity-config")
    rc, out = h.configtest(body)
    assert rc != 0, out
    for word in words:
        assert word in out, f"{word!r} not in {out}"


def plugins(h):
    os.makedirs(os.path.join(h.root, "freg"), exist_ok=True)
    return (f"ForesattPlugin reg {paths.plugin('registry_file')} dir={h.root}/freg\n"
            f"ForesattPlugin st {paths.plugin('store_sqlite')} path={h.data_dir}/fs.db\n"
            "ForesattRegistry reg\nForesattStore st\n"
            "<Location /elev/>\n  AuthType openid-connect\n  Require foresatt-guardian\n</Location>\n")


def test_external_identity_without_a_pseudonym_secret_while_auditing_fails_configtest(httpd_factory):
    """Item 15: the audit log would name each person anew after every restart."""
    h = httpd_factory(name="identity-secret", modules=["auth_openidc"])
    rc, out = h.configtest(plugins(h) + "ForesattIdentity env OIDC_CLAIM_pid\n")
    assert rc != 0, out
    for word in ("FS0546", "ForesattIdentity", "ForesattPseudonymSecret", "ForesattAudit off"):
        assert word in out, f"{word!r} not in {out}"
    for fix in ('ForesattPseudonymSecret "a test pseudonym secret of length"\n', "ForesattAudit off\n"):
        rc, out = h.configtest(plugins(h) + "ForesattIdentity env OIDC_CLAIM_pid\n" + fix)
        assert rc == 0, fix + out


def test_a_pseudonym_key_that_cannot_be_made_fails_configtest(httpd_factory):
    """Item 15: FS0540 (the key derivation failed) at configtest, not only when httpd starts:
    here OpenSSL is configured with the null provider only, so it has no HKDF."""
    h = httpd_factory(name="identity-openssl")
    openssl_conf = h.write_file("conf/openssl.cnf", "openssl_conf = init\n[init]\nproviders = providers\n"
                                "[providers]\nnull = null\n[null]\nactivate = 1\n")
    conf = h.write_file("conf/c.conf", h.config_text('ForesattPseudonymSecret "a test pseudonym secret of length"\n'
                                                     "ForesattIdentity env OIDC_CLAIM_pid\n", "warn"))
    p = subprocess.run([paths.HTTPD, "-t", "-f", conf], capture_output=True, text=True, timeout=60,
                       env=dict(paths.httpd_env(), OPENSSL_CONF=openssl_conf))
    assert p.returncode != 0, p.stdout + p.stderr
    assert "FS0540: ForesattIdentity: OpenSSL offers no HKDF" in p.stderr, p.stderr
