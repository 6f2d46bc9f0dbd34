"""The login's directives: a bad value or a missing required one fails `apachectl configtest` with the
directive's name and what to do; a good configuration passes; AuthType foresatt without a login
fails configtest, and where configtest cannot see it (.htaccess) it is refused at request time with
a log line, not silently open; a login on a server whose name httpd would guess fails configtest."""
import re
import subprocess

import pytest
import requests

from fstest import paths

from fstest.oidc import CLIENT_ID, CLIENT_SECRET, PASSPHRASE, client_key

META = "http://127.0.0.1:9/.well-known/openid-configuration"
GOOD = (f"ForesattProviderMetadataURL {META}\nForesattClientID {CLIENT_ID}\n"
        f"ForesattClientSecret {CLIENT_SECRET}\nForesattCryptoPassphrase \"{PASSPHRASE}\"\n")


@pytest.fixture(scope="module")
def httpd(httpd_factory):
    h = httpd_factory(name="login-config")
    h.write_file("htdocs/portal/index.html", "portal\n")
    h.write_file("htdocs/portal/.htaccess", "AuthType foresatt\nRequire valid-user\n")
    h.start(f'<Directory "{h.htdocs}/portal">\n AllowOverride AuthConfig\n</Directory>\n')
    return h


def without(line):
    return "\n".join(x for x in GOOD.splitlines() if not x.startswith(line)) + "\n"


BROKEN = [
    (without("ForesattProviderMetadataURL"), ["ForesattProviderMetadataURL is missing", "discovery URL"]),
    (without("ForesattClientID"), ["ForesattClientID is missing"]),
    (without("ForesattCryptoPassphrase"), ["ForesattCryptoPassphrase is missing", "openssl rand"]),
    (without("ForesattClientSecret"), ["ForesattClientAuth client_secret_basic needs ForesattClientSecret"]),
    (GOOD + "ForesattClientAuth private_key_jwt\n",
     ["ForesattClientAuth private_key_jwt needs ForesattClientKey"]),
    (GOOD + "ForesattClientAuth private_key_jwt\nForesattClientKey /nonexistent/client.pem\n",
     ["ForesattClientKey", "cannot open /nonexistent/client.pem"]),
    (GOOD + "ForesattClientAuth private_key_jwt\nForesattClientKey /etc/hostname\n",
     ["ForesattClientKey", "holds no PEM private key"]),
    (GOOD + "ForesattClientAuth client_secret_jwt\n",
     ["ForesattClientAuth", "not one of client_secret_basic, client_secret_post, private_key_jwt"]),
    (GOOD + "ForesattAcrValues idporten-loa-low\n", ["ForesattAcrValues", "idporten-loa-substantial"]),
    (GOOD + "ForesattAcrValues selfregistered-email\n", ["ForesattAcrValues", "not allowed"]),
    (GOOD.replace(META, "http://idporten.example/.well-known/openid-configuration"),
     ["ForesattProviderMetadataURL", "is not an https URL"]),
    (GOOD.replace(META, "http://127.0.0.1:9/meta.json"),
     ["ForesattProviderIssuer is missing", "/.well-known/openid-configuration"]),
    (GOOD + "ForesattCryptoPassphrase short\n", ["ForesattCryptoPassphrase", "at least 16 characters"]),
    (GOOD + f"ForesattCryptoPassphrase \"{PASSPHRASE}\" short\n", ["ForesattCryptoPassphrase", "at least 16"]),
    (GOOD + "ForesattRedirectURI //evil.example/cb\n", ["ForesattRedirectURI", "not a plain path"]),
    (GOOD + "ForesattRedirectURI callback\n", ["ForesattRedirectURI", "neither a path nor an https URL"]),
    (GOOD + "ForesattRedirectURI /\n", ["ForesattRedirectURI", "must not be the site root"]),
    (GOOD + "ForesattHandlerPath foresatt\n", ["ForesattHandlerPath", "starts and ends with '/'"]),
    (GOOD + "ForesattHandlerPath /a/../b/\n", ["ForesattHandlerPath"]),
    (GOOD + "ForesattSessionIdleTimeout soon\n", ["ForesattSessionIdleTimeout", "not a whole number of seconds"]),
    (GOOD + "ForesattSessionMaxAge 0\n", ["ForesattSessionMaxAge", "from 1 to"]),
    (GOOD + "ForesattClockSkew 3600\n", ["ForesattClockSkew", "from 0 to 300"]),
    (GOOD + "ForesattOPTimeout 0\n", ["ForesattOPTimeout"]),
    (GOOD + "ForesattStateCookies 50\n", ["ForesattStateCookies", "from 1 to 10"]),
    (GOOD + "ForesattUILocales de\n", ["ForesattUILocales", "'de' is not one of ID-porten's languages"]),
    (GOOD + "ForesattScope profile\n", ["ForesattScope", "must include 'openid'"]),
    (GOOD + "ForesattPrompt consent\n", ["ForesattPrompt", "'login' or 'off'"]),
    (GOOD + "ForesattCookieName __Host-x\n", ["ForesattCookieName"]),
    (GOOD + "ForesattCookieName 'a b'\n", ["ForesattCookieName", "letters, digits"]),
    (GOOD + "ForesattPassIdentity cookies\n", ["ForesattPassIdentity", "headers, env, both, off"]),
    (GOOD + "ForesattHeaderPrefix X_\n", ["ForesattHeaderPrefix"]),
    (GOOD + "ForesattPostLogoutRedirectURI //evil.example/\n", ["ForesattPostLogoutRedirectURI"]),
    (GOOD + "ForesattPostLogoutRedirectURI http://evil.example/\n", ["ForesattPostLogoutRedirectURI"]),
    (GOOD + "ForesattCookieSecure maybe\n", ["ForesattCookieSecure"]),
    (GOOD + "<VirtualHost 127.0.0.1:*>\nForesattRevocationTableSize 1024\n</VirtualHost>\n",
     ["ForesattRevocationTableSize", "outside <VirtualHost>"]),
    ("<VirtualHost 127.0.0.1:*>\nServerName vhost.test\nForesattClientID x\n</VirtualHost>\n",
     ["ForesattProviderMetadataURL is missing", "vhost.test"]),
    ("<Location /portal/>\n AuthType foresatt\n Require valid-user\n</Location>\n",
     ["AuthType foresatt in <Location /portal/>", "no login configuration", "ForesattProviderMetadataURL"]),
    ("<LocationMatch \"^/elev/(?<sid>[^/]+)/\">\n AuthType foresatt\n Require valid-user\n</LocationMatch>\n",
     ["AuthType foresatt in <LocationMatch ^/elev/(?<sid>[^/]+)/>", "no login configuration"]),
    ("<Directory /srv>\n <Files x.html>\n  AuthType Foresatt\n  Require valid-user\n </Files>\n</Directory>\n",
     ["AuthType foresatt in <Directory /srv/> <Files x.html>", "no login configuration"]),
    ("<VirtualHost 127.0.0.1:*>\n" + GOOD + "</VirtualHost>\n", ["ServerName is missing", "ServerName portal.skole.no"]),
]


@pytest.mark.parametrize("body,words", BROKEN, ids=[w[0][:50] for _, w in BROKEN])
def test_bad_login_configuration_fails_configtest(httpd, body, words):
    rc, out = httpd.configtest(body)
    assert rc != 0, out
    for w in words:
        assert w in out, f"{w!r} missing from:\n{out}"


def test_good_configurations_pass(httpd):
    path, jwk = client_key(httpd)
    for body in (GOOD,
                 GOOD + "ForesattClientAuth client_secret_post\n",
                 without("ForesattClientSecret") + f"ForesattClientKey {path} {jwk['kid']}\n",
                 GOOD + "ForesattAcrValues idporten-loa-high\nForesattUILocales nn\nForesattPrompt login\n"
                        "ForesattSessionIdleTimeout 600\nForesattSessionMaxAge 3600\nForesattHandlerPath /login/\n"
                        "ForesattRedirectURI https://skole.example.no/login/cb\nForesattScope \"openid profile\"\n"
                        "ForesattPostLogoutRedirectURI / https://skole.example.no/bye\n"
                        "ForesattRevocationTableSize 1024\n",
                 GOOD + f"ForesattCryptoPassphrase \"new {PASSPHRASE}\" \"{PASSPHRASE}\"\n"):
        rc, out = httpd.configtest(body)
        assert rc == 0, body + out


def test_login_directives_inherit_into_virtual_hosts(httpd):
    # Everything set globally; the vhost sets nothing and still passes as a complete login.
    rc, out = httpd.configtest(GOOD + "<VirtualHost 127.0.0.1:*>\nServerName v.test\n</VirtualHost>\n")
    assert rc == 0, out


def test_authtype_of_another_module_and_a_trusted_proxy_pass_without_a_login(httpd):
    for body in ("<Location /portal/>\n AuthType Basic\n AuthName x\n Require valid-user\n</Location>\n",
                 "ForesattIdentity header X-Pid 127.0.0.1 acr=X-Acr\n"
                 "<Location /portal/>\n AuthType foresatt\n Require valid-user\n</Location>\n",
                 "<IfDefine NOT_DEFINED>\n<Location /portal/>\n AuthType foresatt\n</Location>\n</IfDefine>\n"):
        rc, out = httpd.configtest(body)
        assert rc == 0, body + out


def test_a_login_where_httpd_guesses_the_name_fails_configtest(httpd):
    """The cookies are bound to ServerName: without one (here at the top level, the only server)
    httpd takes the machine's name, another on each server behind a load balancer."""
    text = re.sub(r"^ServerName .*$", "", httpd.config_text(GOOD), flags=re.M)
    conf = httpd.write_file("conf/no-name.conf", text)
    p = subprocess.run([paths.HTTPD, "-t", "-f", conf], capture_output=True, text=True, timeout=60,
                       env=paths.httpd_env())
    assert p.returncode != 0, p.stdout + p.stderr
    assert "ServerName is missing" in p.stderr and "ServerName portal.skole.no" in p.stderr, p.stderr
    # a virtual host on * takes the main server's explicit name: that is a name
    rc, out = httpd.configtest("<VirtualHost *:*>\n" + GOOD + "</VirtualHost>\n")
    assert rc == 0, out


def test_authtype_foresatt_in_htaccess_without_a_login_is_an_error_not_open(httpd):
    httpd.expect_log(r"FS0180: AuthType foresatt is used for /portal/, but this server has no "
                     r"ForesattProviderMetadataURL")
    r = requests.get(httpd.url("/portal/"), timeout=10)
    assert r.status_code == 500
    assert "portal" not in r.text
