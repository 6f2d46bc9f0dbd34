"""The login in tests: an ID-porten stand-in wired to an httpd, and a browser that logs in.

    op = make_op()                                   # started; stop it with op.stop()
    h.start(login_conf(h, op) + '<Location /portal/>AuthType foresatt\\nRequire valid-user</Location>')
    b = Browser(h)
    r = b.login("/portal/", pid="20036914700")       # follows every hop, returns the final response
    b.set_cookies("Set-Cookie lines of the last response") ...

Browser keeps cookies itself (requests' jar would refuse the Secure/__Host- ones over http and
share them across ports); it follows redirects one hop at a time so tests can look at each.
"""
import base64
import json
import os
import re
import sys
import time
import urllib.parse

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import paths

sys.path.insert(0, os.path.join(paths.SRCDIR, "tests", "standins"))
from idporten import IdPorten  # noqa: E402

CLIENT_ID = "foresatt-test"
CLIENT_SECRET = "test-secret-0123456789"
PASSPHRASE = "a test passphrase of enough length"
PID = "20036914700"
TIMEOUT = 20


def make_op(**kw):
    op = IdPorten(**kw)
    return op.start()


def client_key(h, kid="client-key-1"):
    """An RSA key for private_key_jwt: written as PEM into the server root; returns (path, public JWK)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path = h.write_file("conf/client.pem", pem.decode(), mode=0o600)
    n = key.public_key().public_numbers()
    b64 = lambda i, size: base64.urlsafe_b64encode(i.to_bytes(size, "big")).rstrip(b"=").decode()  # noqa: E731
    return path, {"kty": "RSA", "kid": kid, "e": b64(n.e, 3), "n": b64(n.n, 256)}


def login_conf(h, op, client_id=CLIENT_ID, auth="client_secret_basic", extra="", register=True, key=None,
               post_logout=None):
    """Directives for the login against op; registers the client at op unless register is False."""
    redirect = h.url("/foresatt/callback")
    post_logout = post_logout or [h.url("/")]
    if register:
        op.add_client(client_id, secret=CLIENT_SECRET, redirect_uris=[redirect],
                      public_jwk=key[1] if key else None, post_logout_redirect_uris=post_logout)
    lines = [f"ForesattProviderMetadataURL {op.metadata_url}",
             f"ForesattClientID {client_id}",
             f"ForesattClientAuth {auth}",
             f"ForesattCryptoPassphrase \"{PASSPHRASE}\"",
             "ForesattCookieSecure Off",
             "ForesattOPTimeout 3"]
    if auth != "private_key_jwt":
        lines.append(f"ForesattClientSecret {CLIENT_SECRET}")
    else:
        lines.append(f"ForesattClientKey {key[0]} {key[1]['kid']}")
    for u in post_logout:
        lines.append(f"ForesattPostLogoutRedirectURI {u}")
    return "\n".join(lines) + "\n" + extra + "\n"


PROTECTED = """
<Location /portal/>
  AuthType foresatt
  Require valid-user
  Header always set X-Seen-User "expr=%{req:X-Foresatt-User}"
  Header always set X-Seen-Acr "expr=%{req:X-Foresatt-Acr}"
  Header always set X-Seen-Name "expr=%{req:X-Foresatt-Name}"
  Header always set X-Seen-Number "expr=%{req:X-Foresatt-Number}"
  Header always set X-Seen-Env-User "expr=%{reqenv:FORESATT_USER}"
  Header always set X-Seen-Remote-User "expr=%{REMOTE_USER}"
  Header always set X-Seen-Logout-Token "expr=%{req:X-Foresatt-Logout-Token}"
</Location>
"""


def portal(h):
    """A static portal with a page at /portal/ and /portal/page.html, and an open page /open.html."""
    h.write_file("htdocs/portal/index.html", "<p>portal</p>\n")
    h.write_file("htdocs/portal/page.html", "<p>page</p>\n")
    h.write_file("htdocs/open.html", "<p>open</p>\n")
    h.write_file("htdocs/index.html", "<p>home</p>\n")


def portal_httpd(httpd_factory, op, name, conf=None):
    """An httpd (from the httpd_factory fixture) serving portal() and started with conf(h), by default
    login_conf(h, op) + PROTECTED: the login against op in front of /portal/."""
    h = httpd_factory(name=name)
    portal(h)
    h.start(conf(h) if conf else login_conf(h, op) + PROTECTED)
    return h


def set_cookie_lines(r):
    return r.raw.headers.getlist("Set-Cookie")


def parse_set_cookie(line):
    """(name, value, {attribute: value}) of one Set-Cookie line; attribute names lowercased."""
    parts = [p.strip() for p in line.split(";")]
    name, _, value = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        k, _, v = p.partition("=")
        attrs[k.lower()] = v
    return name, value, attrs


class Browser:
    def __init__(self, h, headers=None):
        self.h = h
        self.s = requests.Session()
        # httpd closes idle keep-alive connections (KeepAliveTimeout); a request racing that close is
        # sent again on a new connection instead of failing the test.
        retry = Retry(total=2, connect=2, read=2, status=0, redirect=0,
                      raise_on_status=False)
        self.s.mount("http://", HTTPAdapter(max_retries=retry))
        self.cookies = {}  # (origin) -> {name: value}
        self.headers = headers or {"Accept": "text/html,application/xhtml+xml"}
        self.history = []

    # --- cookies -------------------------------------------------------------------------------
    def jar(self, url):
        return self.cookies.setdefault(urllib.parse.urlsplit(url).netloc, {})

    def take_cookies(self, url, r):
        jar = self.jar(url)
        for line in set_cookie_lines(r):
            name, value, attrs = parse_set_cookie(line)
            if attrs.get("max-age") == "0":
                jar.pop(name, None)
            else:
                jar[name] = value

    def cookie_header(self, url):
        path = urllib.parse.urlsplit(url).path
        jar = self.jar(url)
        # The logout cookie is path-scoped to the logout handler, as a browser would honour.
        items = [f"{k}={v}" for k, v in jar.items() if not k.endswith("_logout") or path.endswith("/logout")]
        return "; ".join(items)

    def session_cookie(self):
        return next((v for k, v in self.jar(self.h.url()).items() if k.endswith("_session")), None)

    # --- requests ------------------------------------------------------------------------------
    def request(self, method, url, headers=None, **kw):
        if url.startswith("/"):
            url = self.h.url(url)
        hdrs = dict(self.headers)
        hdrs.update(headers or {})
        cookie = self.cookie_header(url)
        if cookie and "Cookie" not in hdrs:
            hdrs["Cookie"] = cookie
        r = self.s.request(method, url, headers=hdrs, allow_redirects=False, timeout=TIMEOUT, **kw)
        self.take_cookies(url, r)
        self.history.append(r)
        return r

    def get(self, url, **kw):
        return self.request("GET", url, **kw)

    def post(self, url, **kw):
        return self.request("POST", url, **kw)

    def follow(self, r, limit=10):
        while r.status_code in (301, 302, 303, 307) and limit > 0:
            r = self.get(urllib.parse.urljoin(r.url, r.headers["Location"]))
            limit -= 1
        return r

    # --- the login -----------------------------------------------------------------------------
    def start_login(self, path="/portal/"):
        """GET a protected page; returns the redirect to the OP's authorize endpoint."""
        r = self.get(path)
        assert r.status_code == 302, (r.status_code, r.text[:500])
        return r

    def authorize(self, r_to_op, pid=PID, action="login"):
        """At the OP: show the person chooser and submit it. Returns the OP's redirect to the callback."""
        page = self.get(r_to_op.headers["Location"])
        assert page.status_code == 200, page.text
        tx = re.search(r'name="tx" value="([^"]+)"', page.text).group(1)
        op_origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(page.url))
        return self.post(op_origin + "/authorize/login", data={"tx": tx, "pid_typed": pid, "action": action})

    def login(self, path="/portal/", pid=PID):
        """The whole login; returns the final response (the page, normally)."""
        back = self.authorize(self.start_login(path), pid=pid)
        assert back.status_code == 302, back.text
        return self.follow(self.get(back.headers["Location"]))

    def callback(self, path="/portal/", pid=PID, **authorize_kw):
        """Login up to the callback; returns the callback's own response (not followed)."""
        back = self.authorize(self.start_login(path), pid=pid, **authorize_kw)
        assert back.status_code == 302, back.text
        return self.get(back.headers["Location"])


def login_when_back(httpd, path="/portal/", within=30):
    """A login once the OP answers again. A child whose first fetch of the OP's metadata failed
    pauses a few seconds before it asks again; until then new logins get the 503 page."""
    deadline = time.monotonic() + within
    while Browser(httpd).get(path).status_code != 302:
        assert time.monotonic() < deadline, "the login did not come back"
        time.sleep(0.25)
    return Browser(httpd).login(path)


def decode_jwt_claims(token):
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


# --- the module's cookies, opened and forged with the configured passphrase -------------------------
# Same construction as lib/session/cookie_crypto.c: HKDF-SHA256(passphrase, "mod_foresatt v1",
# purpose) -> AES-256-GCM key; base64url(version 1 | IV 12 | ciphertext | tag 16); associated
# data = version byte + "<kind>|<client_id>|<ServerName host>".
import struct  # noqa: E402

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: E402


def cookie_key(passphrase=PASSPHRASE, purpose="session cookie"):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"mod_foresatt v1",
                info=purpose.encode()).derive(passphrase.encode())


def _b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64u_dec(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def aad(kind, host="127.0.0.1", client_id=CLIENT_ID):
    return f"{kind}|{client_id}|{host}".encode()


def seal(plain, kind, passphrase=PASSPHRASE, host="127.0.0.1", client_id=CLIENT_ID):
    iv = os.urandom(12)
    ct = AESGCM(cookie_key(passphrase)).encrypt(iv, plain, b"\x01" + aad(kind, host, client_id))
    return _b64u(b"\x01" + iv + ct)


def unseal(text, kind, passphrase=PASSPHRASE, host="127.0.0.1", client_id=CLIENT_ID):
    raw = _b64u_dec(text)
    assert raw[0] == 1
    return AESGCM(cookie_key(passphrase)).decrypt(raw[1:13], raw[13:], b"\x01" + aad(kind, host, client_id))


class Record:
    """lib/session/record.c: a kind byte, then fixed fields; ints 64-bit BE, strings u16 length."""

    def __init__(self, data):
        self.data, self.pos = data, 1

    def bytes(self, n):
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def int(self):
        return struct.unpack(">q", self.bytes(8))[0]

    def str(self):
        n = struct.unpack(">H", self.bytes(2))[0]
        return None if n == 0xFFFF else self.bytes(n).decode()


def _put_str(s):
    if s is None:
        return b"\xff\xff"
    b = s.encode()
    return struct.pack(">H", len(b)) + b


SESSION_FIELDS = ("pid", "pseudonym", "sub", "acr", "sid", "name", "authz_state", "csrf_token")


def decode_session(cookie_value, **kw):
    r = Record(unseal(cookie_value, "session", **kw))
    s = {"id": r.bytes(16), "sid_key": r.bytes(16), "created": r.int(), "auth_time": r.int(), "expires": r.int(),
         "idle_until": r.int(), "issued": r.int()}
    for f in SESSION_FIELDS:
        s[f] = r.str()
    return s


def encode_session(s, **kw):
    data = b"S" + s["id"] + s["sid_key"] + b"".join(struct.pack(">q", s[k]) for k in
                                                     ("created", "auth_time", "expires", "idle_until", "issued"))
    data += b"".join(_put_str(s[f]) for f in SESSION_FIELDS)
    return seal(data, "session", **kw)


def decode_state(cookie_value, **kw):
    r = Record(unseal(cookie_value, "state", **kw))
    return {"state": r.str(), "nonce": r.str(), "code_verifier": r.str(), "return_url": r.str(), "created": r.int()}


def encode_state(st, **kw):
    data = b"L" + b"".join(_put_str(st[k]) for k in ("state", "nonce", "code_verifier", "return_url"))
    data += struct.pack(">q", st["created"])
    return seal(data, "state", **kw)
