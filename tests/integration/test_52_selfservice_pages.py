"""The self-service pages as pages: every page and message valid HTML5 in both languages, the
public information page (built-in, and the school's own through ForesattInformationPage), the
stylesheet, the headers, a site without the built-in login, and configuration mistakes that fail
configtest with the directive and what to do."""
import os
import re

import pytest
import requests

from fstest.html import assert_valid, problems, visible_text
from fstest.oidc import Browser, login_conf, make_op
from fstest.world import World

INFO = "/foresatt/informasjon"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def site(httpd_factory):
    op = make_op()
    h = httpd_factory(name="selfservice-pages")
    w = World(h)
    h.start(w.conf + login_conf(h, op))
    w.httpd, w.op = h, op
    yield w
    op.stop()


@pytest.fixture
def httpd(site):
    return site.httpd


def get(h, path, headers=None):
    return requests.get(h.url(path), headers=headers or {}, timeout=10, allow_redirects=False)


def test_the_checker_catches_invalid_html():
    # the validity check used below can fail
    assert problems("<!DOCTYPE html><html lang=nb><head><title>x</title></head><body><p>ok</p></body></html>") == []
    assert problems("<html><head><title>x</title></head><body></body></html>")
    assert problems("<!DOCTYPE html><html><head><title>x</title></head><body><div><p>x</div></body></html>")
    assert problems("<!DOCTYPE html><html><head><title>x</title></head><body><p id=a></p><p id=a></p></body></html>")
    assert problems('<!DOCTYPE html><html><head><title>x</title></head><body><label for="nope">x</label>'
                    '</body></html>')
    assert problems("<!DOCTYPE html><html><head><title>x</title></head><body><p a=1 a=2>x</p></body></html>")


def test_information_page_is_public_and_says_what_it_must(site, httpd):
    r = get(httpd, INFO)
    assert r.status_code == 200
    assert_valid(r.text)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Set-Cookie" not in r.headers
    assert "script-src" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    text = visible_text(r.text)
    for words in ("ID-porten", "Folkeregisteret", "fødselsnummeret", "Hva skolen lagrer om deg", "Hvor lenge",
                  "deler ikke opplysningene", "reservere deg", "på papir"):
        assert words in text, words
    en = get(httpd, INFO + "?lang=en")
    assert_valid(en.text)
    text = visible_text(en.text)
    for words in ("ID-porten", "National Population Register", "For how long", "shares the information about you "
                  "with no one", "refuse the school's use of your national identity number", "on paper"):
        assert words in text, words
    # no login, so no logout button and no personal links
    assert "logout" not in r.text
    assert get(httpd, INFO, headers={"Accept-Language": "en-US,en"}).headers["Content-Language"] == "en"
    j = get(httpd, INFO, headers=JSON)
    assert j.status_code == 200 and j.json()["lang"] == "nb" and "Folkeregisteret" in j.json()["html"]


def test_logged_in_visitors_get_the_logout_button_and_no_caching(site, httpd):
    b = Browser(httpd)
    r = b.login("/foresatt/login?target=/foresatt/informasjon", pid=site.who("KARI HANSEN")["login"])
    assert r.status_code == 200
    assert r.headers["Cache-Control"] == "no-store"
    assert_valid(r.text)
    assert re.search(r'<form class="logout" method="post" action="/foresatt/logout">\s*'
                     r'<input type="hidden" name="token" value="[A-Za-z0-9_-]{22}">', r.text)
    # the button logs out (the token is the session's CSRF token)
    token = re.search(r'name="token" value="([^"]+)"', r.text).group(1)
    r = b.post("/foresatt/logout", data={"token": token})
    assert r.status_code in (200, 303)
    assert b.get("/foresatt/profil", headers=JSON).status_code == 401


def test_every_page_and_message_is_valid_html(site, httpd):
    pages = []
    kari = Browser(httpd)
    pages.append(kari.login("/foresatt/profil", pid=site.who("KARI HANSEN")["login"]))
    token = re.search(r'name="csrf" value="([^"]+)"', pages[-1].text).group(1)
    for lang in ("", "?lang=en"):
        pages.append(kari.get("/foresatt/profil" + lang))
        pages.append(kari.get("/foresatt/samtykke" + lang))                            # not a pupil
        pages.append(kari.post("/foresatt/profil" + lang, data={"csrf": token, "phone": "x", "email1": "<b>"}))
        pages.append(kari.post("/foresatt/profil" + lang, data={"csrf": "bad", "phone": "1"}))
        pages.append(kari.get(INFO + lang))
        pages.append(kari.request("DELETE", "/foresatt/profil" + lang))                # 405
        pages.append(get(httpd, "/foresatt/profil" + lang, headers={"Accept": "application/xhtml+xml",
                                                                   "Sec-Fetch-Mode": "cors"}))  # 401
        pages.append(kari.post("/foresatt/profil" + lang, data="a=%zz",
                               headers={"Content-Type": "application/x-www-form-urlencoded"}))  # 400
    jonas = Browser(httpd)
    pages.append(jonas.login("/foresatt/samtykke", pid=site.who("JONAS HANSEN")["login"]))
    pages.append(jonas.get("/foresatt/samtykke?lang=en"))
    pages.append(jonas.get("/foresatt/profil?lang=en"))                                 # not a guardian
    statuses = set()
    for r in pages:
        assert r.headers["Content-Type"] == "text/html; charset=utf-8", r.url
        assert_valid(r.text)
        assert r.headers["X-Frame-Options"] == "DENY"
        statuses.add(r.status_code)
    assert statuses == {200, 400, 401, 403, 405, 422}
    # what was typed is escaped where it is shown again
    refused = pages[3]
    assert refused.status_code == 422 and 'value="&lt;b&gt;"' in refused.text and "<b>" not in refused.text


def test_stylesheet(site, httpd):
    r = get(httpd, "/foresatt/stil.css")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "font-family" in r.text and r.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.post(httpd.url("/foresatt/stil.css"), timeout=10).status_code == 405


def test_unknown_pages_under_the_handler_path(site, httpd):
    assert get(httpd, "/foresatt/profil/").status_code == 404
    assert get(httpd, "/foresatt/nothing").status_code == 404
    assert get(httpd, "/foresatt/informasjon?lang=en&lang=en").status_code == 400
    r = get(httpd, "/foresatt/informasjon?lang=xx")
    assert r.status_code == 200 and r.headers["Content-Language"] == "nb"


SCHOOL_NB = """{{! the school's own words }}
<h1>Velkommen til Eksempel videregående</h1>
<p>Her står <strong>skolens</strong> egen tekst. <a href="{{base}}profil{{lang_query}}">Mine opplysninger</a>.</p>
"""

SCHOOL_EN = "<h1>Welcome to Example Upper Secondary</h1>\n<p>The school's own text.</p>\n"


def test_the_schools_own_information_page(httpd_factory):
    h = httpd_factory(name="selfservice-school")
    nb = h.write_file("conf/info.nb.html", SCHOOL_NB)
    h.write_file("conf/info.en.html", SCHOOL_EN)
    tpl = os.path.join(h.root, "templates")
    os.makedirs(tpl)
    with open(os.path.join(tpl, "stil.css"), "w") as f:
        f.write("body { color: #123456; }\n")
    # no login here: the information page and the stylesheet still exist, the personal pages do not
    h.start(f"ForesattInformationPage nb {nb}\nForesattInformationPage en conf/info.en.html\n"
            f"ForesattPageTemplates {tpl}\n")
    r = get(h, INFO)
    assert r.status_code == 200
    assert_valid(r.text)
    assert "Velkommen til Eksempel videregående" in r.text
    assert '<a href="/foresatt/profil">' not in r.text.split("<main>")[0]  # no personal pages in the menu
    assert "Om foresattes tilgang" not in visible_text(r.text)
    assert "Welcome to Example Upper Secondary" in get(h, INFO + "?lang=en").text
    assert get(h, "/foresatt/stil.css").text == "body { color: #123456; }\n"
    assert get(h, "/foresatt/profil").status_code == 404
    assert get(h, "/other").status_code == 404


@pytest.mark.parametrize("conf,words", [
    ("ForesattInformationPage nb {bad_syntax}", ["ForesattInformationPage nb", "info.nb.html:3:",
                                                "section {{#oops}} is not closed", "fix the template"]),
    ("ForesattInformationPage nb {unknown_name}", ["{{skolenavn}} is not a value the information page has"]),
    ("ForesattInformationPage en {missing}", ["ForesattInformationPage en", "nope.html", "cannot open it"]),
    ("ForesattInformationPage se {ok}", ["ForesattInformationPage se: the language is nb or en"]),
    ("ForesattPageTemplates {missing}", ["ForesattPageTemplates", "not a directory"]),
    ("ForesattPageTemplates {badtpl_dir}", ["ForesattPageTemplates", "profil.nb.html:1:", "a tag is"]),
    ("ForesattConsentEnd 02-29", ["ForesattConsentEnd 02-29: give the last day of the school year as MM-DD"]),
    ("ForesattConsentEnd 7-31", ["ForesattConsentEnd 7-31"]),
    ("ForesattConsentEnd 06-20 99", ["the age is a whole number from 0 to 30"]),
    ("ForesattConsentEnd", ["ForesattConsentEnd"]),
])
def test_configuration_mistakes_fail_configtest(httpd_factory, conf, words):
    h = httpd_factory(name="selfservice-configtest")
    files = {"bad_syntax": h.write_file("conf/info.nb.html", "<h1>x</h1>\n<p>\n{{#oops}}\n"),
             "unknown_name": h.write_file("conf/unknown.nb.html", "<p>{{skolenavn}}</p>\n"),
             "ok": h.write_file("conf/ok.html", "<p>ok</p>\n"),
             "missing": os.path.join(h.root, "conf", "nope.html")}
    files["badtpl_dir"] = os.path.dirname(h.write_file("tpl/profil.nb.html", "{{ bad tag }}\n"))
    rc, out = h.configtest(conf.format(**files))
    assert rc != 0, out
    for w in words:
        assert w in out, f"{w!r} missing from:\n{out}"


def test_good_configuration_passes_configtest(httpd_factory):
    h = httpd_factory(name="selfservice-configtest-ok")
    nb = h.write_file("conf/info.nb.html", SCHOOL_NB)
    rc, out = h.configtest(f"ForesattInformationPage nb {nb}\nForesattConsentEnd 06-20 19\n"
                           "<VirtualHost 127.0.0.1:1>\nForesattConsentEnd 07-31 0\n</VirtualHost>\n")
    assert rc == 0, out


def test_another_handler_path(httpd_factory):
    op = make_op()
    try:
        h = httpd_factory(name="selfservice-path")
        w = World(h)
        h.start(w.conf + login_conf(h, op) + "ForesattHandlerPath /skole/\n")
        r = get(h, "/skole/informasjon")
        assert r.status_code == 200
        assert_valid(r.text)
        assert 'href="/skole/stil.css"' in r.text and 'href="/skole/profil"' in r.text
        assert get(h, "/skole/stil.css").status_code == 200
        assert get(h, "/foresatt/informasjon").status_code == 404
        r = get(h, "/skole/profil", headers=JSON)
        assert r.status_code == 401 and r.json()["login"] == "/skole/login?target=%2Fskole%2Fprofil"
        r = get(h, "/skole/samtykke")
        assert r.status_code == 302 and r.headers["Location"].startswith(op.issuer)
    finally:
        op.stop()
