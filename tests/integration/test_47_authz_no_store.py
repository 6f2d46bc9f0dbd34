"""Every response a foresatt provider allowed carries `Cache-Control: no-store` and nothing that
says otherwise, whatever produced it: a portal behind mod_proxy that says `public, max-age=600`
(under an external identity, ForesattIdentity header, and under our own login), a static file with
mod_expires and `Header set Cache-Control`, a directory index (mod_dir's subrequest). And httpd's
own cache (mod_cache, in front of everything) stores none of it: a second person, or nobody, never
gets a guardian's page from it."""
import pytest
import requests

from fstest.backend import Backend
from fstest.net import free_port
from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

AUTHZ_FAILURE = r"AH01631|AH01630"
SUBSTANTIAL = "idporten-loa-substantial"


def cacheable(req):
    return 200, {"Content-Type": "text/plain", "Cache-Control": "public, max-age=600",
                 "Expires": "Thu, 01 Dec 2099 16:00:00 GMT", "Pragma": "cache"}, f"portal {req.path}".encode()


RECIPE = """
<LocationMatch "^/{prefix}/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{{env:MATCH_SID}}
</LocationMatch>
"""


@pytest.fixture(scope="module")
def site(httpd_factory):
    op = make_op()
    backend = Backend(cacheable).start()
    h = httpd_factory(name="authz-no-store", modules=["proxy", "proxy_http", "expires", "cache", "cache_socache",
                                                     "socache_shmcb"])
    w = World(h)
    for sid in w.pupils:
        h.write_file(f"htdocs/files/{sid}/p.txt", f"file of {sid}\n")
        h.write_file(f"htdocs/files/{sid}/index.html", f"index of {sid}\n")
    h.write_file("htdocs/login/index.html", "in\n")
    proxy_vhost = f"""
Listen 127.0.0.1:PORT
<VirtualHost 127.0.0.1:PORT>
ServerName 127.0.0.1
ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ProxyPass /portal/ {backend.url}/portal/
{RECIPE.format(prefix="portal")}
</VirtualHost>
"""
    port = free_port()
    h.start(w.conf + login_conf(h, op) + f"""
CacheSocache shmcb
CacheEnable socache /
CacheIgnoreNoLastMod On
CacheDefaultExpire 600
ProxyPass /portal/ {backend.url}/portal/
ExpiresActive On
ExpiresDefault "access plus 1 hour"
<Location /files/>
  Header set Cache-Control "public, max-age=3600"
</Location>
<Location /login/>
  AuthType foresatt
  Require valid-user
</Location>
""" + RECIPE.format(prefix="portal") + RECIPE.format(prefix="files") + proxy_vhost.replace("PORT", str(port)))
    w.httpd, w.op, w.backend, w.proxy_port = h, op, backend, port
    yield w
    backend.stop()
    op.stop()


def no_store_only(r):
    assert r.headers.get("Cache-Control") == "no-store", (r.url, dict(r.headers))
    assert "Expires" not in r.headers and "Pragma" not in r.headers, (r.url, dict(r.headers))


def test_a_proxied_page_under_an_external_identity_is_no_store(site):
    ingrid = site.who("INGRID BERG")["login"]
    url = f"http://127.0.0.1:{site.proxy_port}/portal/S2001/page"
    before = len(site.backend.requests)
    r = requests.get(url, headers={"X-Test-Pid": ingrid, "X-Test-Acr": SUBSTANTIAL}, timeout=20)
    assert r.status_code == 200 and r.text == "portal /portal/S2001/page"
    assert len(site.backend.requests) == before + 1
    no_store_only(r)


def test_a_proxied_page_under_our_login_is_no_store(site):
    b = Browser(site.httpd)
    assert b.login("/login/", pid=site.who("KARI HANSEN")["login"]).status_code == 200
    r = b.get("/portal/S1001/page")
    assert r.status_code == 200 and r.text == "portal /portal/S1001/page"
    no_store_only(r)


def test_static_files_and_directory_indexes_are_no_store(site):
    b = Browser(site.httpd)
    assert b.login("/login/", pid=site.who("KARI HANSEN")["login"]).status_code == 200
    for path, text in (("/files/S1001/p.txt", "file of S1001\n"), ("/files/S1001/", "index of S1001\n")):
        r = b.get(path)
        assert r.status_code == 200 and r.text == text, (path, r.status_code)
        no_store_only(r)


def test_httpds_cache_keeps_no_guardians_page(site):
    """mod_cache answers from its quick handler, before any access check: had it stored the page,
    anybody would get it."""
    h = site.httpd
    h.expect_log(AUTHZ_FAILURE)
    b = Browser(site.httpd)
    assert b.login("/login/", pid=site.who("KARI HANSEN")["login"]).status_code == 200
    for _ in range(2):
        before = len(site.backend.requests)
        assert b.get("/portal/S1002/cached").status_code == 200
        assert len(site.backend.requests) == before + 1, "served from httpd's cache"
    anonymous = requests.get(h.url("/portal/S1002/cached"), headers={"Accept": "application/json"}, timeout=20,
                             allow_redirects=False)
    assert anonymous.status_code == 401, anonymous.status_code
    assert "portal" not in anonymous.text
    assert b.get("/files/S1002/p.txt").status_code == 200
    r = requests.get(h.url("/files/S1002/p.txt"), headers={"Accept": "application/json"}, timeout=20,
                     allow_redirects=False)
    assert r.status_code == 401 and "file of" not in r.text
