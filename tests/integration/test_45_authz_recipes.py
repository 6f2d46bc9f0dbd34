"""Every per-pupil recipe the project ships (conf/*.conf, docs/*.md, README.md, the demo's site) fails
closed: a URL under the pupil prefix that does not name exactly one pupil the guardian may see is
refused by httpd before the portal sees it.

Each recipe's <Location>/<LocationMatch> sections run as they stand, each in a virtual host of one
httpd, in front of a lenient portal (mod_proxy to a Python server) that reads a pupil from a URL the
way careless application servers do: ';' path parameters dropped, backslashes as slashes, dot
segments resolved, case folded, and a pupil in the query (elev=...) before the one in the path. The
guardian (KARI HANSEN) may see S1001, S1002 and S1005; S1003 is her adult child without consent,
S2001 a stranger's. The mod_auth_openidc example's AuthType is run as `AuthType foresatt` (the
authorization is the same; test_44 runs that example's way of logging in)."""
import glob
import http.client
import os
import re
import time
import urllib.parse

import pytest

from fstest import paths
from fstest.backend import Backend
from fstest.net import free_port
from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

AUTHZ_FAILURE = r"AH01631|AH01630"


def recipe_sources():
    """{name: text} of every shipped text with a per-pupil recipe."""
    files = (sorted(glob.glob(os.path.join(paths.SRCDIR, "conf", "*.conf")))
             + sorted(glob.glob(os.path.join(paths.SRCDIR, "docs", "*.md")))
             + [os.path.join(paths.SRCDIR, "README.md"),
                os.path.join(paths.SRCDIR, "examples", "demo", "httpd.conf.in")])
    out = {}
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        name = os.path.relpath(path, paths.SRCDIR)
        if path.endswith(".md"):
            blocks = [b for b in re.findall(r"```apache\n(.*?)```", text, re.S) if "foresatt-guardian-of" in b]
            for i, block in enumerate(blocks):
                out[f"{name}#{i + 1}"] = block
        elif "foresatt-guardian-of" in text:
            out[name] = text
    return out


def sections(text):
    """The recipe: its <Location> and <LocationMatch> sections, in order, as they stand."""
    blocks = [m.group(0) for m in re.finditer(r"^[ \t]*<(Location(?:Match)?)\b[^>]*>.*?^[ \t]*</\1>", text,
                                               re.S | re.M)]
    assert any("foresatt-guardian-of" in b for b in blocks), text
    return "\n".join(blocks).replace("AuthType openid-connect", "AuthType foresatt")


RECIPES = recipe_sources()


# The pupil a careless portal would show for a path and query.
def careless_pupil(raw_path):
    path, _, query = raw_path.partition("?")
    path = urllib.parse.unquote(path.replace("\\", "/"))
    segments = []
    for seg in path.split("/"):
        seg = seg.split(";", 1)[0]
        if seg in ("", "."):
            continue
        if seg == "..":
            if segments:
                segments.pop()
            continue
        segments.append(seg)
    if not segments or segments[0].lower() != "elev":
        return None
    asked = urllib.parse.parse_qs(query).get("elev")
    if asked:
        return asked[0].upper()
    return segments[1].upper().rstrip(".") if len(segments) > 1 else None


def answer(req):
    pupil = careless_pupil(req.path)
    return 200, {"Content-Type": "text/plain"}, (f"pupil {pupil}" if pupil else "page").encode()


# Kari may see S1001 (and S1002, S1005); every one of these is refused.
TRICKS = [
    "/elev/S2001.txt",                    # no trailing slash: a file beside the pupils' folders
    "/elev/S2001",                        # no trailing slash
    "/elev/",                             # no pupil named
    "/elev",
    "/elev/S1001/..;/S2001/p.txt",        # ';' in a dot segment
    "/elev/S1001;/../S2001/p.txt",
    "/elev;x/S2001/p.txt",                # ';' on the prefix
    "/x/..;/elev/S2001/p.txt",            # ';' before the prefix
    "/elev/S1001;jsessionid=1/p.txt",     # a ';' parameter on the id
    "/elev/S1001./p.txt",                 # a trailing dot
    "/elev/s1001/p.txt",                  # case folding of the id
    "/ELEV/S2001/p.txt",                  # case folding of the prefix
    "/Elev/S1001/p.txt",
    "/elev/%53%32%30%30%31/p.txt",        # an encoded id
    "/elev/S1001%2F..%2FS2001/p.txt",     # encoded slashes
    "/elev/S1001/%2e%2e/S2001/p.txt",     # an encoded dot segment
    "/elev/S1001/../S2001/p.txt",         # a dot segment
    "/elev/S1001/%2e%2e%3b/S2001/p.txt",  # an encoded ';' dot segment
    "/elev//S2001/p.txt",                 # doubled slashes
    "//elev/S2001/p.txt",
    "/elev/S1001\\..\\S2001/p.txt",       # backslashes
    "/elev/S1001%5c..%5cS2001/p.txt",
    "/elev/S1001,S2001/p.txt",            # a list for an id
    "/elev/S1001%20/p.txt",
    "/elev/S1001/p.txt?elev=S2001",       # a second id in the query
    "/elev/S1001/?elev=S1003",
    "/elev/S1001/?elev=S1002",
    "/elev/S2001?/elev/S1001/",           # the allowed id only in the query
    "/elev/S1003/p.txt",                  # her adult child, no consent
    "/elev/S2001/p.txt",                  # a stranger's child
]


@pytest.fixture(scope="module")
def site(httpd_factory):
    op = make_op()
    backend = Backend(answer).start()
    h = httpd_factory(name="authz-recipes", modules=["proxy", "proxy_http"])
    w = World(h)
    ports = {name: free_port() for name in RECIPES}
    vhosts = "".join(f"""
Listen 127.0.0.1:{port}
<VirtualHost 127.0.0.1:{port}>
ServerName 127.0.0.1
ProxyPass /foresatt/ !
ProxyPass / {backend.url}/
{sections(RECIPES[name])}
</VirtualHost>
""" for name, port in ports.items())
    h.write_file("htdocs/start/index.html", "start\n")
    h.start(w.conf + login_conf(h, op) + """
<Location /start/>
  AuthType foresatt
  Require valid-user
</Location>
""" + vhosts)
    b = Browser(h)
    assert b.login("/start/", pid=w.who("KARI HANSEN")["login"]).status_code == 200
    w.httpd = h
    yield h, backend, ports, b.cookie_header(h.url("/start/")), w
    backend.stop()
    op.stop()


def get(port, raw_path, cookie):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        c.putrequest("GET", raw_path, skip_accept_encoding=True)
        c.putheader("Cookie", cookie)
        c.putheader("Accept", "text/html")
        c.endheaders()
        r = c.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        c.close()


def test_the_shipped_recipes_are_found():
    names = set(RECIPES)
    for must in ("conf/production.conf", "conf/mod-auth-openidc.conf", "README.md#1",
                 "examples/demo/httpd.conf.in"):
        assert must in names, sorted(names)
    assert any(n.startswith("docs/authorization.md#") for n in names)
    assert any(n.startswith("docs/portal-developers.md#") for n in names)


@pytest.mark.parametrize("recipe", sorted(RECIPES))
def test_recipe_refuses_every_path_trick(site, recipe):
    h, backend, ports, cookie, _ = site
    h.expect_log(AUTHZ_FAILURE + r"|AH10244|AH00126|AH01071")
    port = ports[recipe]
    # the recipe works: her own child's page reaches the portal
    status, body = get(port, "/elev/S1001/p.txt", cookie)
    assert (status, body) == (200, "pupil S1001"), f"{recipe}: /elev/S1001/p.txt: {status} {body[:200]}"
    leaks = []
    for trick in TRICKS:
        before = len(backend.requests)
        status, body = get(port, trick, cookie)
        if len(backend.requests) != before or status < 400:
            leaks.append(f"{trick}: {status}, the portal saw {[r.path for r in backend.requests[before:]]} "
                         f"and answered {body[:40]!r}")
    assert not leaks, f"{recipe} lets through:\n" + "\n".join(leaks)


def test_no_trick_is_audited_as_allowed(site):
    """The refused tricks leave no "allow" in the audit log."""
    h, backend, ports, cookie, w = site
    h.expect_log(AUTHZ_FAILURE)
    port = ports["conf/production.conf"]
    for trick in ("/elev/S1001/p.txt?elev=S2001", "/elev/S1001/?elev=S1002", "/elev/S1001;x/p.txt"):
        assert get(port, trick, cookie)[0] == 403
    assert get(port, "/elev/S1001/p.txt?lang=en", cookie)[0] == 200
    time.sleep(1.5)  # ForesattAuditFlushInterval
    allowed = [e["detail"] for e in w.audit() if e["decision"] == "allow"]
    assert "/elev/S1001/p.txt" in allowed
    assert not [d for d in allowed if ";" in d or "?" in d or d == "/elev/S1001/"], allowed
