#!/usr/bin/python3
"""A Maskinporten stand-in: the JWT-bearer grant (RFC 7523) as Maskinporten checks it.

In-process (pytest):
    mp = Maskinporten()
    key = mp.add_client("my-client", kid="k1", scopes=["folkeregister:deling/offentligmedhjemmel"])
    mp.start()            # mp.token_url, mp.audience ("http://127.0.0.1:PORT/")
    ... mp.token_requests, mp.refusals[-1] ...
    mp.stop()

Standalone (for the demo):
    /usr/bin/python3 tests/standins/maskinporten.py --port 8401 --client my-client \
        --key-out /tmp/mp-client.pem --kid k1

Every assertion rule the real one enforces is checked, and each refusal is answered as the real one
does (400 with an OAuth error): wrong grant_type, malformed JWT, alg not RS256/384/512, neither kid
nor x5c, unknown client (iss), a kid or certificate not registered for it, bad signature, aud not
exactly the issuer with its trailing slash, iat more than 10 s off, exp in the past or more than
120 s after iat, a jti seen before, a scope the client may not have, a 'resource' claim.

Switches (attributes): fail_status (answer every request with this HTTP status), retry_after,
delay (seconds before answering), expires_in (lifetime of issued tokens), garbage (bytes: answer
every token request 200 with this body, e.g. an HTML error page or a token answer cut short).
Counters: token_requests, refusals (list of error descriptions), issued (token -> info).
Tokens are opaque; Freg's stand-in checks them with introspect(token) in-process or POST /introspect.
"""
import argparse
import base64
import json
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}
MAX_BODY = 64 * 1024


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class Refused(Exception):
    def __init__(self, error, description, status=400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


class Client:
    def __init__(self, client_id, key, kid, cert, scopes):
        self.client_id, self.key, self.kid, self.cert, self.scopes = client_id, key, kid, cert, set(scopes)

    def private_pem(self):
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                      serialization.NoEncryption())

    def cert_pem(self):
        return self.cert.public_bytes(serialization.Encoding.PEM) if self.cert else None


def self_signed(key, name):
    import datetime
    subject = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, name)])
    now = datetime.datetime.utcnow()
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))


class Maskinporten:
    def __init__(self, port=0):
        self.port = port
        self.clients = {}
        self.lock = threading.Lock()
        self.seen_jti = set()
        self.issued = {}
        self.token_requests = 0
        self.refusals = []
        self.fail_status = None
        self.retry_after = None
        self.delay = 0.0
        self.expires_in = 120
        self.garbage = None
        self.server = None
        self.thread = None

    # --- clients ---------------------------------------------------------------------------------
    def add_client(self, client_id, kid="k1", scopes=("folkeregister:deling/offentligmedhjemmel",), key=None,
                   with_cert=True):
        """Register a client; returns it (its private key for the plugin's key= file: client.private_pem())."""
        key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = self_signed(key, client_id) if with_cert else None
        c = Client(client_id, key, kid, cert, scopes)
        self.clients[client_id] = c
        return c

    # --- lifecycle -------------------------------------------------------------------------------
    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def audience(self):
        return self.origin + "/"

    @property
    def token_url(self):
        return self.origin + "/token"

    def start(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def reset(self):
        with self.lock:
            self.token_requests = 0
            self.refusals = []
            self.fail_status = None
            self.retry_after = None
            self.delay = 0.0
            self.expires_in = 120
            self.garbage = None

    # --- the grant -------------------------------------------------------------------------------
    def grant(self, form):
        if form.get("grant_type") != GRANT:
            raise Refused("unsupported_grant_type", "grant_type must be " + GRANT)
        assertion = form.get("assertion", "")
        parts = assertion.split(".")
        if len(parts) != 3:
            raise Refused("invalid_grant", "the assertion is not a JWS in compact form")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            raise Refused("invalid_grant", "the assertion is not valid base64url JSON")
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise Refused("invalid_grant", "the assertion header and claims must be objects")
        alg = header.get("alg")
        if alg not in HASHES:
            raise Refused("invalid_grant", f"alg {alg!r} not accepted (RS256, RS384, RS512)")
        if "kid" not in header and "x5c" not in header:
            raise Refused("invalid_client", "the assertion header has neither kid nor x5c")
        client = self.clients.get(claims.get("iss"))
        if client is None:
            raise Refused("invalid_client", "unknown client (iss)")
        if "x5c" in header:
            chain = header["x5c"]
            if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
                raise Refused("invalid_client", "x5c must be a non-empty array of base64 certificates")
            try:
                leaf = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
            except ValueError:
                raise Refused("invalid_client", "x5c[0] is not a certificate")
            if client.cert is None or leaf.public_bytes(serialization.Encoding.DER) != \
                    client.cert.public_bytes(serialization.Encoding.DER):
                raise Refused("invalid_client", "the x5c certificate is not registered for this client")
        elif header.get("kid") != client.kid:
            raise Refused("invalid_client", "the kid is not registered for this client")
        try:
            client.key.public_key().verify(signature, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(),
                                           HASHES[alg]())
        except InvalidSignature:
            raise Refused("invalid_grant", "invalid signature")
        if claims.get("aud") != self.audience:
            raise Refused("invalid_grant", f"invalid audience (expected {self.audience})")
        now = time.time()
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise Refused("invalid_grant", "iat and exp must be integers")
        if abs(iat - now) > 10:
            raise Refused("invalid_grant", "iat is more than 10 seconds off")
        if exp <= now:
            raise Refused("invalid_grant", "the assertion has expired")
        if exp - iat > 120:
            raise Refused("invalid_grant", "exp is more than 120 seconds after iat")
        jti = claims.get("jti")
        if not isinstance(jti, str) or not jti:
            raise Refused("invalid_grant", "jti is missing")
        if "resource" in claims:
            raise Refused("invalid_target", "resource is not used for this scope")
        scope = claims.get("scope")
        if not isinstance(scope, str) or not scope:
            raise Refused("invalid_scope", "scope is missing")
        wanted = set(scope.split())
        if not wanted <= client.scopes:
            raise Refused("invalid_scope", "the client is not allowed the scope asked for")
        with self.lock:
            if jti in self.seen_jti:
                raise Refused("invalid_grant", "the jti has been used before")
            self.seen_jti.add(jti)
            token = secrets.token_urlsafe(32)
            self.issued[token] = {"client_id": client.client_id, "scope": scope, "exp": now + self.expires_in}
        return {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in, "scope": scope}

    def introspect(self, token):
        """{'active': bool, 'scope': ..., 'client_id': ...} as RFC 7662 says."""
        with self.lock:
            info = self.issued.get(token)
        if info is None or info["exp"] <= time.time():
            return {"active": False}
        return {"active": True, **info}


def _handler(mp):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def reply(self, status, obj, headers=()):
            body = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def form(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n > MAX_BODY:
                raise Refused("invalid_request", "request too large")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype != "application/x-www-form-urlencoded":
                self.rfile.read(n)
                raise Refused("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
            return dict(urllib.parse.parse_qsl(self.rfile.read(n).decode(), keep_blank_values=True))

        def do_POST(self):
            if self.path == "/introspect":
                try:
                    self.reply(200, mp.introspect(self.form().get("token", "")))
                except Refused as e:
                    self.reply(e.status, {"error": e.error, "error_description": e.description})
                return
            if self.path != "/token":
                self.reply(404, {"error": "not_found"})
                return
            with mp.lock:
                mp.token_requests += 1
            if mp.delay:
                time.sleep(mp.delay)
            try:
                form = self.form()
                if mp.garbage is not None:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(mp.garbage)))
                    self.end_headers()
                    self.wfile.write(mp.garbage)
                    return
                if mp.fail_status:
                    headers = [("Retry-After", str(mp.retry_after))] if mp.retry_after is not None else []
                    self.reply(mp.fail_status, {"error": "server_error", "error_description": "switched off"}, headers)
                    return
                self.reply(200, mp.grant(form))
            except Refused as e:
                with mp.lock:
                    mp.refusals.append(e.description)
                self.reply(e.status, {"error": e.error, "error_description": e.description})

        def do_GET(self):
            if self.path == "/.well-known/oauth-authorization-server":
                self.reply(200, {"issuer": mp.audience, "token_endpoint": mp.token_url,
                                 "grant_types_supported": [GRANT],
                                 "token_endpoint_auth_methods_supported": ["private_key_jwt"]})
            else:
                self.reply(404, {"error": "not_found"})

    return Handler


def main():
    ap = argparse.ArgumentParser(description="Maskinporten stand-in (loopback only)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--client", default="foresatt-demo")
    ap.add_argument("--kid", default="k1")
    ap.add_argument("--scope", action="append", default=None)
    ap.add_argument("--key-out", help="write the client's private key (PEM) here")
    ap.add_argument("--cert-out", help="write the client's certificate (PEM, for x5c=) here")
    a = ap.parse_args()
    mp = Maskinporten(a.port)
    c = mp.add_client(a.client, kid=a.kid, scopes=a.scope or ["folkeregister:deling/offentligmedhjemmel"])
    if a.key_out:
        with open(a.key_out, "wb") as f:
            f.write(c.private_pem())
    if a.cert_out:
        with open(a.cert_out, "wb") as f:
            f.write(c.cert_pem())
    mp.start()
    print(f"maskinporten stand-in: token_url {mp.token_url} audience {mp.audience} client {a.client}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        mp.stop()


if __name__ == "__main__":
    sys.exit(main())
