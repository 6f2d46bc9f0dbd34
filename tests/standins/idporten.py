#!/usr/bin/python3
"""A local stand-in for ID-porten (OpenID Connect provider), for tests and the demo.

Standard library plus python3-cryptography. In-process from pytest:

    op = IdPorten()
    op.add_client("client-1", secret="s3cret", redirect_uris=["http://127.0.0.1:8080/foresatt/callback"])
    op.start()
    ... op.issuer, op.requests["/token"], op.token_mode = "bad_signature", ...
    op.stop()

Standalone (the demo; a human picks a test person on the login page):

    /usr/bin/python3 tests/standins/idporten.py --port 8081 --persons persons.json \\
        --client-id demo --client-secret demo-secret --redirect-uri http://127.0.0.1:8080/foresatt/callback

Endpoints: /.well-known/openid-configuration, /authorize (a "choose a test person" page that posts
to /authorize/login), /par (pushed authorization requests, RFC 9126: the client's own
authentication method, single-use request_uri with an expiry; /authorize then takes only client_id
and request_uri), /token (client_secret_basic, client_secret_post, private_key_jwt; PKCE S256;
single-use codes), /jwks.json (with key rotation), /endsession (RP-initiated logout, GET or POST,
or GET only; id_token_hint or client_id). Back-channel logout (OpenID Connect Back-Channel Logout
1.0): send_backchannel_logout() posts a logout token signed with the OP's key to a client's
registered URI, once, with 2 s connect and 5 s read timeouts, as ID-porten does; an end-session
call sends one to every client of that OP session that registered a URI.

Misbehaviour switches (attributes; reset() puts them back):
    token_mode        None | "bad_signature" | "alg_none" | "hs256_pubkey" | "unknown_kid" | "no_kid"
                      (the same modes apply to logout tokens, see send_backchannel_logout)
                      | "no_kid_attacker" (no kid, signed by a key not in the JWKS)
                      | "header_keys_attacker" (jku/x5u/jwk/x5c point at an attacker key that signed it)
                      | "header_keys_ignored" (the same headers on a token we signed properly)
    claims_override   dict merged into the ID token's claims (e.g. {"iss": "https://evil"})
    claims_remove     list of claim names to drop (e.g. ["pid"])
    acr               the acr the ID token claims (default: what the RP asked for)
    authorize_error   e.g. "access_denied": /authorize/login answers with this error
    iss_param         "ok" | "missing" | "wrong"
    advertise_iss_param  bool: authorization_response_iss_parameter_supported in discovery
    discovery_issuer  another issuer in the discovery document
    jwks_without_kids publish the keys without kid
    token_error       (status, dict): the token endpoint answers with this OAuth error
    slow              {path: seconds}: wait before answering
    dead              {path, ...}: drop the connection without answering
    huge              {path, ...}: answer with a 2 MB JSON document
    deep              {path, ...}: answer with JSON nested 100 000 deep
    garbage           {path, ...}: answer 200 with an HTML error page (a proxy in the way)
    require_par       discovery says require_pushed_authorization_requests; /authorize refuses
                      anything but a pushed request
    advertise_par     bool: the PAR endpoint in discovery (default True)
    par_expires_in    seconds a request_uri lives (default 60)
    par_lifetime      seconds it really lives, when not what expires_in said (0: expired on arrival)
    par_error         (status, dict): the PAR endpoint answers with this OAuth error
    par_response      dict: the PAR endpoint answers 201 with this instead (e.g. no request_uri)
    end_session_methods  {"GET", "POST"} (default); {"GET"}: a POST to /endsession answers 404
    backchannel_on_end_session  bool (default True): an end-session call sends logout tokens
Counters: requests[path] (every request, by path), and lists: token_requests (form and client
auth method of each), par_requests (form, client auth method and refusal of each), logouts
(end_session calls), backchannel_deliveries (uri, claims, status, body of each logout token sent).
"""
import argparse
import base64
import collections
import hashlib
import hmac
import html
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

DEFAULT_PERSONS = [
    {"pid": "20036914700", "name": "Kari Nordmann"},
    {"pid": "30108299939", "name": "Ola Nordmann"},
    {"pid": "55102499947", "name": "Dina D-nummer"},
]
ACR_LEVELS = {"idporten-loa-low": 1, "idporten-loa-substantial": 2, "idporten-loa-high": 3}
LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
PAR_URN = "urn:ietf:params:oauth:request_uri:"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Key:
    def __init__(self, kid):
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self, with_kid=True):
        n = self.private.public_key().public_numbers()
        d = {"kty": "RSA", "use": "sig", "alg": "RS256", "e": b64u(n.e.to_bytes(3, "big")),
             "n": b64u(n.n.to_bytes(256, "big"))}
        if with_kid:
            d["kid"] = self.kid
        return d

    def public_pem(self):
        return self.private.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, data):
        return self.private.sign(data, padding.PKCS1v15(), hashes.SHA256())


def jwt_encode(header, claims, signer):
    head = b64u(json.dumps(header, separators=(",", ":")).encode())
    body = b64u(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{head}.{body}".encode()
    sig = signer(signing_input) if signer else b""
    return f"{head}.{body}.{b64u(sig)}"


def verify_rs256(token, public_key):
    """Claims of a JWT signed RS256 by public_key, or None."""
    try:
        head, body, sig = token.split(".")
        header = json.loads(b64u_decode(head))
        if header.get("alg") != "RS256":
            return None
        public_key.verify(b64u_decode(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        return json.loads(b64u_decode(body))
    except Exception:  # noqa: BLE001 - any failure means "not verified"
        return None


def public_key_from_jwk(jwk):
    n = int.from_bytes(b64u_decode(jwk["n"]), "big")
    e = int.from_bytes(b64u_decode(jwk["e"]), "big")
    return rsa.RSAPublicNumbers(e, n).public_key()


class IdPorten:
    def __init__(self, port=0, persons=None, host="127.0.0.1"):
        self.host = host
        self.port = port
        self.persons = list(persons or DEFAULT_PERSONS)
        self.clients = {}
        self.keys = [Key("key-1")]
        self._attacker_key = None
        self.lock = threading.Lock()
        self.server = None
        self.thread = None
        self.reset()

    # --- configuration -------------------------------------------------------------------------
    def reset(self):
        """Back to good behaviour; counters cleared."""
        with getattr(self, "lock", threading.Lock()):
            self.token_mode = None
            self.claims_override = {}
            self.claims_remove = []
            self.acr = None
            self.authorize_error = None
            self.iss_param = "ok"
            self.advertise_iss_param = True
            self.discovery_issuer = None
            self.jwks_without_kids = False
            self.token_error = None
            self.require_par = False
            self.advertise_par = True
            self.par_expires_in = 60
            self.par_lifetime = None
            self.par_error = None
            self.par_response = None
            self.par_requests = []
            self.pushed = {}
            self.end_session_methods = {"GET", "POST"}
            self.backchannel_on_end_session = True
            self.backchannel_deliveries = []
            self.sessions = {}
            self.slow = {}
            self.dead = set()
            self.huge = set()
            self.deep = set()
            self.garbage = set()
            self.endless = set()  # paths that stream an answer without end, until the client hangs up
            self.endless_sent = {}  # path -> bytes sent when the client hung up (or the stream's cap)
            self.requests = collections.Counter()
            self.token_requests = []
            self.logouts = []
            self.transactions = {}
            self.codes = {}
            self.used_jtis = set()
            self.last_sid = None
            self.last_id_token = None
            self.access_tokens = []

    def add_client(self, client_id, secret=None, redirect_uris=(), public_jwk=None, post_logout_redirect_uris=(),
                   auth_method=None, backchannel_logout_uri=None):
        """auth_method: the one client authentication the client registered (None: any it can do),
        as ID-porten's self-service portal registers one per client. backchannel_logout_uri: where
        logout tokens for this client go."""
        self.clients[client_id] = {"secret": secret, "redirect_uris": list(redirect_uris), "jwk": public_jwk,
                                   "post_logout_redirect_uris": list(post_logout_redirect_uris),
                                   "auth_method": auth_method, "backchannel_logout_uri": backchannel_logout_uri}

    def rotate_keys(self, keep_old=True):
        """A new signing key (new kid). The old one stays in the JWKS unless keep_old is False."""
        with self.lock:
            new = Key(f"key-{len(self.keys) + 1}-{secrets.token_hex(2)}")
            self.keys = ([new] + self.keys) if keep_old else [new]
            return new

    @property
    def attacker_key(self):
        """A key with our kid that is not ours (made when first needed: RSA keys take a while)."""
        if self._attacker_key is None:
            self._attacker_key = Key("key-1")
        return self._attacker_key

    @property
    def signing_key(self):
        return self.keys[0]

    @property
    def origin(self):
        return f"http://{self.host}:{self.port}"

    @property
    def issuer(self):
        return self.origin

    @property
    def metadata_url(self):
        return self.origin + "/.well-known/openid-configuration"

    def url(self, path):
        return self.origin + path

    def discovery(self):
        return {
            "issuer": self.discovery_issuer or self.issuer,
            "authorization_endpoint": self.url("/authorize"),
            "token_endpoint": self.url("/token"),
            "jwks_uri": self.url("/jwks.json"),
            "end_session_endpoint": self.url("/endsession"),
            **({"pushed_authorization_request_endpoint": self.url("/par")} if self.advertise_par else {}),
            "require_pushed_authorization_requests": self.require_par,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post",
                                                      "private_key_jwt"],
            "acr_values_supported": ["idporten-loa-substantial", "idporten-loa-high"],
            "ui_locales_supported": ["nb", "nn", "en", "se"],
            "authorization_response_iss_parameter_supported": self.advertise_iss_param,
            "frontchannel_logout_supported": True,
            "frontchannel_logout_session_supported": True,
            "backchannel_logout_supported": True,
            "backchannel_logout_session_supported": True,
        }

    def jwks(self):
        return {"keys": [k.jwk(with_kid=not self.jwks_without_kids) for k in self.keys]}

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self):
        op = self

        class Handler(_Handler):
            stand_in = op

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, name="idporten", daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # --- tokens --------------------------------------------------------------------------------
    def sub_for(self, pid, client_id):
        return b64u(hashlib.sha256(f"{client_id}|{pid}".encode()).digest())[:43]

    def id_token(self, tx, client_id):
        now = int(time.time())
        acr = self.acr or tx.get("acr") or "idporten-loa-substantial"
        claims = {"iss": self.issuer, "aud": client_id, "sub": self.sub_for(tx["pid"], client_id),
                  "pid": tx["pid"], "acr": acr, "amr": ["BankID"], "auth_time": now, "iat": now, "exp": now + 120,
                  "nonce": tx["nonce"], "sid": tx["sid"], "locale": "nb", "jti": secrets.token_urlsafe(16)}
        if tx.get("name"):
            claims["name"] = tx["name"]
        claims.update(self.claims_override)
        for c in self.claims_remove:
            claims.pop(c, None)
        return self.sign_jwt(claims, self.token_mode, "JWT")

    def sign_jwt(self, claims, mode=None, typ="JWT"):
        """claims signed with the OP's key, or mis-signed as mode says (see token_mode)."""
        key = self.signing_key
        header = {"alg": "RS256", "kid": key.kid, "typ": typ}
        if mode == "alg_none":
            return jwt_encode({"alg": "none", "typ": typ}, claims, None)
        if mode == "hs256_pubkey":
            secret = key.public_pem()
            return jwt_encode({"alg": "HS256", "kid": key.kid, "typ": typ}, claims,
                              lambda data: hmac.new(secret, data, hashlib.sha256).digest())
        if mode == "bad_signature":
            token = jwt_encode(header, claims, key.sign)
            head, body, sig = token.split(".")
            raw = bytearray(b64u_decode(sig))
            raw[10] ^= 0x01
            return f"{head}.{body}.{b64u(bytes(raw))}"
        if mode == "unknown_kid":
            header["kid"] = "no-such-kid-" + secrets.token_hex(4)
        if mode == "no_kid":
            header.pop("kid")
        if mode == "no_kid_attacker":
            header.pop("kid")
            return jwt_encode(header, claims, self.attacker_key.sign)
        if mode in ("header_keys_attacker", "header_keys_ignored"):
            attacker = self.attacker_key
            header.update({"jku": "http://127.0.0.1:9/evil-jwks.json", "x5u": "http://127.0.0.1:9/evil.pem",
                           "jwk": attacker.jwk(), "x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]})
            if mode == "header_keys_attacker":
                return jwt_encode(header, claims, attacker.sign)
        return jwt_encode(header, claims, key.sign)

    def check_client_auth(self, handler, form):
        """(client_id, method) when the client authenticated with the method it registered, else
        (None, reason)."""
        cid, method = self._client_auth(handler, form)
        if cid is not None:
            registered = self.clients[cid].get("auth_method")
            if registered and registered != method:
                return None, f"client registered {registered}, authenticated with {method}"
        return cid, method

    def _client_auth(self, handler, form):
        auth = handler.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                cid, secret = urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret)
            except Exception:  # noqa: BLE001
                return None, "malformed basic auth"
            client = self.clients.get(cid)
            if client and client["secret"] and hmac.compare_digest(client["secret"], secret):
                if form.get("client_id", cid) != cid:
                    return None, "client_id differs from the basic auth user"
                return cid, "client_secret_basic"
            return None, "wrong client secret (basic)"
        if form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            cid = form.get("client_id")
            client = self.clients.get(cid)
            if not client or not client["jwk"]:
                return None, "unknown client or no key registered"
            try:
                header = json.loads(b64u_decode(form.get("client_assertion", "").split(".")[0]))
            except Exception:  # noqa: BLE001
                return None, "malformed assertion"
            if header.get("kid") != client["jwk"].get("kid"):
                return None, "assertion kid is not the registered key's"
            claims = verify_rs256(form.get("client_assertion", ""), public_key_from_jwk(client["jwk"]))
            now = time.time()
            if claims is None:
                return None, "assertion signature"
            if claims.get("iss") != cid or claims.get("sub") != cid:
                return None, "assertion iss/sub"
            if claims.get("aud") not in (self.issuer, self.url("/token"), self.url("/par")):
                return None, "assertion aud"
            if not (claims.get("exp", 0) > now and claims.get("exp", 0) - claims.get("iat", 0) <= 120):
                return None, "assertion exp"
            if not claims.get("jti") or claims["jti"] in self.used_jtis:
                return None, "assertion jti missing or reused"
            self.used_jtis.add(claims["jti"])
            return cid, "private_key_jwt"
        cid = form.get("client_id")
        client = self.clients.get(cid)
        if client and client["secret"] and "client_secret" in form:
            if hmac.compare_digest(client["secret"], form["client_secret"]):
                return cid, "client_secret_post"
            return None, "wrong client secret (post)"
        return None, "no client authentication"


    # --- back-channel logout --------------------------------------------------------------------
    def logout_token(self, client_id, sid=None, sub=None, claims_override=None, claims_remove=(), mode=None,
                     typ="logout+jwt"):
        """A back-channel logout token for client_id (Back-Channel Logout 1.0 §2.4), signed with the
        OP's key; claims_override / claims_remove / mode make the bad ones."""
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": client_id, "iat": now, "exp": now + 120,
                  "jti": secrets.token_urlsafe(16), "events": {LOGOUT_EVENT: {}}}
        if sid is not None:
            claims["sid"] = sid
        if sub is not None:
            claims["sub"] = sub
        claims.update(claims_override or {})
        for c in claims_remove:
            claims.pop(c, None)
        return self.sign_jwt(claims, mode, typ)

    def send_backchannel_logout(self, uri=None, client_id=None, sid=None, sub=None, token=None, **token_kw):
        """POST a logout token to uri (default: the client's registered URI): one attempt, 2 s to
        connect, 5 s to read. token: send this text as logout_token instead of making one. Returns
        (status, headers, body); status is None when the RP gave no answer."""
        client_id = client_id or next(iter(self.clients))
        uri = uri or self.clients[client_id]["backchannel_logout_uri"]
        if token is None:
            token = self.logout_token(client_id, sid=sid, sub=sub, **token_kw)
        body = urllib.parse.urlencode({"logout_token": token}).encode()
        target = urllib.parse.urlsplit(uri)
        status, headers, text = None, {}, ""
        try:
            conn = _http_connection(target, connect_timeout=2, read_timeout=5)
            path = target.path + ("?" + target.query if target.query else "")
            conn.request("POST", path or "/", body=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            resp = conn.getresponse()
            status, headers, text = resp.status, dict(resp.getheaders()), resp.read().decode(errors="replace")
            conn.close()
        except OSError as e:
            text = str(e)
        with self.lock:
            self.backchannel_deliveries.append({"uri": uri, "client_id": client_id, "token": token,
                                                "status": status, "body": text})
        return status, headers, text

    def logout_everywhere(self, sid):
        """End the OP session sid: a logout token to every client of it that registered a URI."""
        with self.lock:
            session = self.sessions.pop(sid, None)
        if session is None:
            return []
        sent = []
        for client_id in sorted(session["clients"]):
            client = self.clients.get(client_id)
            if client and client.get("backchannel_logout_uri"):
                sent.append(self.send_backchannel_logout(client_id=client_id, sid=sid,
                                                         sub=session["subs"].get(client_id)))
        return sent


def _http_connection(target, connect_timeout, read_timeout):
    """An HTTP(S) connection that connects within connect_timeout and then reads with read_timeout."""
    import http.client
    cls = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    conn = cls(target.hostname, target.port, timeout=connect_timeout)
    conn.connect()
    conn.sock.settimeout(read_timeout)
    return conn


class _Handler(BaseHTTPRequestHandler):
    stand_in = None
    server_version = "IdPortenStandIn/1.0"

    def log_message(self, fmt, *args):  # keep pytest output clean
        pass

    # --- plumbing ------------------------------------------------------------------------------
    def _misbehave(self, path):
        op = self.stand_in
        with op.lock:
            op.requests[path] += 1
            delay = op.slow.get(path, 0)
            dead = path in op.dead
            huge = path in op.huge
            deep = path in op.deep
            garbage = path in op.garbage
            endless = path in op.endless
        if delay:
            time.sleep(delay)
        if dead:
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.close_connection = True
            return True
        if huge:
            body = b'{"padding":"' + b"A" * (2 * 1024 * 1024) + b'"}'
            self._send(200, body, "application/json")
            return True
        if deep:
            body = b"[" * 100000 + b"]" * 100000
            self._send(200, body, "application/json")
            return True
        if garbage:
            self._send(200, b"<html><body><h1>502 Bad Gateway</h1></body></html>\n", "text/html")
            return True
        if endless:
            self._stream_without_end(path)
            return True
        return False

    def _stream_without_end(self, path, cap=1 << 30):
        """A JSON string that never closes, until the client hangs up (or cap bytes)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        sent, chunk = 0, b"A" * 65536
        try:
            self.wfile.write(b'{"padding":"')
            while sent < cap:
                self.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass
        self.close_connection = True
        with self.stand_in.lock:
            self.stand_in.endless_sent[path] = sent

    def _send(self, status, body, ctype="application/json", headers=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, obj):
        self._send(status, json.dumps(obj))

    def _redirect(self, url):
        self._send(302, "", "text/plain", [("Location", url)])

    def _form(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        return dict(urllib.parse.parse_qsl(raw, keep_blank_values=True))

    def _query(self):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))

    # --- routes --------------------------------------------------------------------------------
    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if self._misbehave(path):
            return
        op = self.stand_in
        if path == "/.well-known/openid-configuration":
            return self._json(200, op.discovery())
        if path == "/jwks.json":
            return self._json(200, op.jwks())
        if path == "/authorize":
            return self.authorize(self._query())
        if path == "/endsession":
            return self.end_session(self._query())
        self._send(404, '{"error":"not_found"}')

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        if self._misbehave(path):
            return
        if path == "/token":
            return self.token(self._form())
        if path == "/par":
            return self.par(self._form())
        if path == "/authorize/login":
            return self.authorize_login(self._form())
        if path == "/endsession":
            if "POST" not in self.stand_in.end_session_methods:
                return self._send(404, "<p>Not found: this end-session endpoint takes GET only</p>",
                                  "text/html; charset=utf-8")
            return self.end_session(self._form())
        self._send(404, '{"error":"not_found"}')

    def _bad_authorize(self, text):
        return self._send(400, "<p>" + html.escape(text) + "</p>", "text/html; charset=utf-8")

    def _pushed_request(self, q):
        """The pushed request a browser's /authorize names: (params, None) or (None, why not)."""
        op = self.stand_in
        extra = sorted(set(q) - {"client_id", "request_uri"})
        if extra:
            return None, "with a pushed request the browser carries only client_id and request_uri, not " + \
                ", ".join(extra)
        with op.lock:
            pushed = op.pushed.get(q["request_uri"])
            if pushed is None:
                return None, "unknown request_uri"
            if pushed["used"]:
                return None, "request_uri already used"
            if pushed["expires"] < time.time():
                return None, "request_uri expired"
            if pushed["client_id"] != q.get("client_id"):
                return None, "client_id is not the one that pushed the request"
            pushed["used"] = True
        return dict(pushed["params"]), None

    def authorize(self, q):
        op = self.stand_in
        if "request_uri" in q:
            q, why = self._pushed_request(q)
            if q is None:
                return self._bad_authorize(why)
        elif op.require_par:
            return self._bad_authorize("this OP requires pushed authorization requests")
        client = op.clients.get(q.get("client_id"))
        if client is None or q.get("redirect_uri") not in client["redirect_uris"]:
            return self._send(400, "<p>Unknown client or redirect_uri</p>", "text/html; charset=utf-8")
        problems = self._request_problems(q)
        if problems:
            return self._send(400, "<p>" + html.escape("; ".join(problems)) + "</p>", "text/html; charset=utf-8")
        self._chooser(q)

    @staticmethod
    def _request_problems(q):
        problems = []
        if q.get("response_type") != "code":
            problems.append("response_type must be code")
        if not q.get("state") or not q.get("nonce"):
            problems.append("state and nonce are mandatory")
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43:
            problems.append("PKCE S256 is mandatory")
        if "openid" not in q.get("scope", "").split():
            problems.append("scope must include openid")
        return problems

    def par(self, form):
        """RFC 9126 §2: the client authenticates as registered, the request is checked like one at
        /authorize, and the answer is a single-use request_uri that expires."""
        op = self.stand_in
        cid, method = op.check_client_auth(self, form)
        record = {"form": dict(form), "method": method, "client_id": cid, "refused": None}
        with op.lock:
            op.par_requests.append(record)

        def refuse(status, error, description):
            record["refused"] = description
            return self._json(status, {"error": error, "error_description": description})

        if op.par_error:
            status, body = op.par_error
            record["refused"] = body.get("error")
            return self._json(status, body)
        if cid is None:
            return refuse(401, "invalid_client", method)
        if "request_uri" in form:
            return refuse(400, "invalid_request", "request_uri must not be pushed")
        if form.get("client_id") != cid:
            return refuse(400, "invalid_request", "client_id is missing or not the authenticated client")
        client = op.clients[cid]
        if form.get("redirect_uri") not in client["redirect_uris"]:
            return refuse(400, "invalid_request", "redirect_uri is not registered")
        problems = self._request_problems(form)
        if problems:
            return refuse(400, "invalid_request", "; ".join(problems))
        if op.par_response is not None:
            return self._json(201, op.par_response)
        params = {k: v for k, v in form.items()
                  if k not in ("client_secret", "client_assertion", "client_assertion_type")}
        uri = PAR_URN + secrets.token_urlsafe(24)
        with op.lock:
            op.pushed[uri] = {"params": params, "client_id": cid, "used": False,
                              "expires": time.time() + (op.par_expires_in if op.par_lifetime is None
                                                        else op.par_lifetime)}
        self._json(201, {"request_uri": uri, "expires_in": op.par_expires_in})

    def _chooser(self, q):
        op = self.stand_in
        tx = secrets.token_urlsafe(16)
        with op.lock:
            op.transactions[tx] = dict(q)
        persons = "\n".join(
            f'<li><label><input type="radio" name="pid" value="{html.escape(p["pid"])}"> '
            f'{html.escape(p.get("name", ""))} ({html.escape(p["pid"])})</label>'
            + (f'<br><small>{html.escape(p["note"])}</small>' if p.get("note") else "") + '</li>'
            for p in op.persons)
        page = f"""<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><title>ID-porten (test)</title>
<style>body{{font-family:sans-serif;max-width:36em;margin:2em auto}}</style></head>
<body><h1>ID-porten &ndash; testinnlogging</h1>
<p>Velg en testperson, eller skriv et f&oslash;dselsnummer. / Choose a test person, or type a number.</p>
<form method="post" action="/authorize/login">
<input type="hidden" name="tx" value="{tx}">
<ul>{persons}</ul>
<p><label>F&oslash;dselsnummer: <input type="text" name="pid_typed" inputmode="numeric"></label></p>
<p><button type="submit" name="action" value="login">Logg inn</button>
<button type="submit" name="action" value="cancel">Avbryt</button></p>
</form></body></html>"""
        self._send(200, page, "text/html; charset=utf-8")

    def authorize_login(self, form):
        op = self.stand_in
        with op.lock:
            q = op.transactions.pop(form.get("tx", ""), None)
        if q is None:
            return self._send(400, "<p>Unknown or used transaction</p>", "text/html; charset=utf-8")
        params = {"state": q["state"]}
        if op.iss_param == "ok":
            params["iss"] = op.issuer
        elif op.iss_param == "wrong":
            params["iss"] = "http://127.0.0.1:9/not-the-issuer"
        if form.get("action") == "cancel" or op.authorize_error:
            params["error"] = op.authorize_error or "access_denied"
            params["error_description"] = "The user cancelled the login"
            return self._redirect(q["redirect_uri"] + "?" + urllib.parse.urlencode(params))
        pid = (form.get("pid_typed") or form.get("pid") or "").strip()
        person = next((p for p in op.persons if p["pid"] == pid), {"pid": pid})
        code = secrets.token_urlsafe(32)
        sid = secrets.token_urlsafe(12)
        acr_asked = (q.get("acr_values") or "idporten-loa-substantial").split()[0]
        with op.lock:
            op.codes[code] = {"client_id": q["client_id"], "redirect_uri": q["redirect_uri"],
                              "challenge": q["code_challenge"], "nonce": q["nonce"], "pid": pid,
                              "name": person.get("name"), "acr": person.get("acr", acr_asked), "sid": sid,
                              "expires": time.time() + 60, "used": False}
            op.last_sid = sid
            op.sessions[sid] = {"clients": {q["client_id"]}, "subs": {q["client_id"]: op.sub_for(pid, q["client_id"])}}
        params["code"] = code
        self._redirect(q["redirect_uri"] + "?" + urllib.parse.urlencode(params))

    def token(self, form):
        op = self.stand_in
        cid, method = op.check_client_auth(self, form)
        with op.lock:
            op.token_requests.append({"form": dict(form), "method": method, "client_id": cid})
        if op.token_error:
            status, body = op.token_error
            return self._json(status, body)
        if cid is None:
            return self._json(401, {"error": "invalid_client", "error_description": method})
        if form.get("grant_type") != "authorization_code":
            return self._json(400, {"error": "unsupported_grant_type"})
        with op.lock:
            grant = op.codes.get(form.get("code", ""))
            if grant is None or grant["used"] or grant["expires"] < time.time():
                return self._json(400, {"error": "invalid_grant", "error_description": "code unknown or used"})
            grant["used"] = True
        if grant["client_id"] != cid or grant["redirect_uri"] != form.get("redirect_uri"):
            return self._json(400, {"error": "invalid_grant", "error_description": "client or redirect_uri"})
        verifier = form.get("code_verifier", "")
        if not verifier or b64u(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
            return self._json(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
        id_token = op.id_token(grant, cid)
        access_token = secrets.token_urlsafe(32)
        with op.lock:
            op.last_id_token = id_token
            op.access_tokens.append(access_token)
        self._json(200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 120,
                         "id_token": id_token, "scope": "openid"})

    def end_session(self, params):
        """RP-Initiated Logout 1.0 §2-3: id_token_hint (verified against the current keys; one that
        does not verify is an error) or client_id names the client; post_logout_redirect_uri must be
        one it registered. Ends the OP session the hint names and sends the back-channel logouts."""
        op = self.stand_in
        hint = params.get("id_token_hint")
        claims = None
        if hint:
            for key in op.keys:
                claims = verify_rs256(hint, key.private.public_key())
                if claims:
                    break
        target = params.get("post_logout_redirect_uri")
        with op.lock:
            op.logouts.append({"method": self.command, "params": dict(params), "valid_hint": claims is not None})
        if hint and claims is None:
            return self._send(400, "<p>The id_token_hint could not be verified</p>", "text/html; charset=utf-8")
        client_id = claims.get("aud") if claims else params.get("client_id")
        if claims and params.get("client_id") not in (None, client_id):
            return self._send(400, "<p>client_id does not match the id_token_hint</p>", "text/html; charset=utf-8")
        client = op.clients.get(client_id)
        if client is None or target not in client["post_logout_redirect_uris"]:
            return self._send(400, "<p>Unknown id_token_hint or unregistered post_logout_redirect_uri</p>",
                              "text/html; charset=utf-8")
        if claims and claims.get("sid") and op.backchannel_on_end_session:
            op.logout_everywhere(claims["sid"])
        url = target
        if params.get("state"):
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode({"state": params["state"]})
        self._redirect(url)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--persons", help="JSON file: a list of {\"pid\": ..., \"name\": ..., \"note\": ...}; the note "
                    "(what this person shows) is only on the chooser page, never in a token")
    ap.add_argument("--client-id", default="demo")
    ap.add_argument("--client-secret", default="demo-secret")
    ap.add_argument("--client-jwk", help="JSON file with the client's public JWK (for private_key_jwt)")
    ap.add_argument("--redirect-uri", action="append", default=[])
    ap.add_argument("--post-logout-redirect-uri", action="append", default=[])
    args = ap.parse_args(argv)
    persons = None
    if args.persons:
        with open(args.persons, encoding="utf-8") as f:
            persons = json.load(f)
    op = IdPorten(port=args.port, persons=persons, host=args.host)
    jwk = None
    if args.client_jwk:
        with open(args.client_jwk, encoding="utf-8") as f:
            jwk = json.load(f)
    op.add_client(args.client_id, secret=args.client_secret, public_jwk=jwk,
                  redirect_uris=args.redirect_uri or ["http://127.0.0.1:8080/foresatt/callback"],
                  post_logout_redirect_uris=args.post_logout_redirect_uri or ["http://127.0.0.1:8080/"])
    op.start()
    print(f"ID-porten stand-in at {op.issuer} (issuer), {len(op.persons)} test persons", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        op.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
