"""The module's own pages (login, callback, logout, front-channel logout, profil, samtykke,
informasjon, stil.css, and its 404) go through httpd's normal request phases, so the site's own
rules apply to them as to any page: the production example's HSTS (`Header always set` on the
virtual host) and a `<Location /foresatt/>` header on every answer, 200s included, and a `Require`
that needs no user (here `Require ip`) refuses. A rule that needs a logged-in user cannot be met
before our login: under a site-wide `<Location />` with `AuthType foresatt` and `Require
foresatt-guardian` (as conf/production.conf has) the login, its callback and the public pages still
work; the personal pages ask for our session themselves."""
import re

import pytest
import requests

from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

HSTS = "max-age=31536000"
AUTHZ_FAILURE = r"AH01631|AH01630"

SITE = f"""
Header always set Strict-Transport-Security "{HSTS}"
<Location />
    AuthType foresatt
    <RequireAny>
        Require foresatt-guardian
        Require foresatt-student
    </RequireAny>
</Location>
<Location /foresatt/>
    Header always set X-Site-Rule "foresatt pages"
</Location>
<Location /foresatt/informasjon>
    <RequireAll>
        Require all granted
        Require not env blocked_by_site
    </RequireAll>
</Location>
SetEnvIf X-Test-Block yes blocked_by_site
"""


@pytest.fixture(scope="module")
def site(httpd_factory):
    op = make_op()
    h = httpd_factory(name="pages-site-rules")
    w = World(h)
    h.write_file("htdocs/index.html", "start\n")
    h.start(w.conf + login_conf(h, op) + SITE)
    w.httpd, w.op = h, op
    yield w
    op.stop()


def site_rules_applied(r):
    assert r.headers.get("Strict-Transport-Security") == HSTS, (r.url, r.status_code, dict(r.headers))
    assert r.headers.get("X-Site-Rule") == "foresatt pages", (r.url, r.status_code, dict(r.headers))


def test_every_page_carries_the_sites_headers(site):
    h = site.httpd
    h.expect_log(AUTHZ_FAILURE + r"|FS01|FS06")
    anonymous = Browser(h)
    pages = {
        "/foresatt/informasjon": 200,
        "/foresatt/informasjon?lang=en": 200,
        "/foresatt/stil.css": 200,
        "/foresatt/login?target=/": 302,
        "/foresatt/callback?state=nope&code=x": 400,
        "/foresatt/logout": 303,
        f"/foresatt/frontchannel-logout?iss={site.op.issuer}&sid=unknown": 200,
        "/foresatt/nothing-here": 404,
    }
    for path, status in pages.items():
        r = anonymous.get(path)
        assert r.status_code == status, (path, r.status_code, r.text[:200])
        site_rules_applied(r)
    # logged in: the personal pages, with the guardian's and the pupil's sessions
    kari = Browser(h)
    assert kari.login("/", pid=site.who("KARI HANSEN")["login"]).status_code == 200
    for path in ("/foresatt/profil", "/foresatt/profil?lang=en", "/foresatt/logout"):
        r = kari.get(path)
        assert r.status_code == 200, (path, r.status_code)
        site_rules_applied(r)
    emma = Browser(h)
    assert emma.login("/", pid=site.who("EMMA HANSEN")["login"]).status_code == 200
    r = emma.get("/foresatt/samtykke")
    assert r.status_code == 200
    site_rules_applied(r)
    # the JSON API beside the pages, and a POST
    r = kari.get("/foresatt/profil", headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    site_rules_applied(r)
    token = re.search(r'name="token" value="([^"]+)"', kari.get("/foresatt/logout").text).group(1)
    r = kari.post("/foresatt/logout", data={"token": token})
    assert r.status_code in (200, 302, 303), r.status_code  # on to ID-porten's end of session
    site_rules_applied(r)


def test_a_require_of_the_site_refuses_a_module_page(site):
    h = site.httpd
    h.expect_log(AUTHZ_FAILURE)
    assert requests.get(h.url("/foresatt/informasjon"), timeout=10).status_code == 200
    r = requests.get(h.url("/foresatt/informasjon"), headers={"X-Test-Block": "yes"}, timeout=10)
    assert r.status_code == 403
    assert r.headers.get("Strict-Transport-Security") == HSTS


def test_the_login_works_under_a_site_wide_require(site):
    """<Location /> needs a guardian or a pupil: the login's own URLs cannot need one."""
    b = Browser(site.httpd)
    r = b.login("/", pid=site.who("INGRID BERG")["login"])
    assert r.status_code == 200 and r.text == "start\n"
    callbacks = [x for x in b.history if "/foresatt/callback" in x.url]
    assert callbacks and callbacks[0].status_code == 302
    assert callbacks[0].headers.get("Strict-Transport-Security") == HSTS
