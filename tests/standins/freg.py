#!/usr/bin/python3
"""A Folkeregisteret stand-in ("offentlig med hjemmel"): serves person documents from a directory
of <number>.json files (what tests/fixtures/make-fixtures writes) at the real paths.

    GET  /folkeregisteret/offentlig-med-hjemmel/api/v1/personer/{number}?part=...
    POST /folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag?part=...
         {"foedselsEllerDNummer": [...]}  ->  {"oppslag": [{"foedselsEllerDNummer", "folkeregisterperson"}]}
    GET  /folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser/feed?seq=N
         -> [{"sekvensnummer": n, "hendelse": {"folkeregisteridentifikator", "hendelsetype",
             "hendelsesdokument", "persondokument", "ajourholdstidspunkt"}}, ...]
         from N inclusive, at most page_size (1000) items; an ETag, and 304 to a matching If-None-Match
    GET  /folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser/siste/sekvensnummer
         -> 17, or {"sekvensnummer": 17} with latest_shape = "object"
    GET  /folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser/{hendelsesdokument}

Every request needs a bearer token that Maskinporten issued with the scope
folkeregister:deling/offentligmedhjemmel (401 without or with an unknown one, 403 with another scope).

In-process (pytest):
    freg = Freg(docs_dir, maskinporten=mp).start()      # freg.base_url
    freg.mode = "429"; freg.retry_after = 7              # switches (lookups)
    freg.feed_mode = "429"                               # the same switches for the event feed alone
    ... freg.calls, freg.bulk_calls, freg.numbers_asked, freg.asked, freg.connections ...
    ... freg.feed_calls, freg.feed_not_modified, freg.latest_calls ...

    freg.set_document(number, doc)        # the register changes a person (None: forgets them)
    seq = freg.append_event(number, "endringIForeldreansvar")
    freg.append_events([(number, type), ...])           # many at once; returns the last sequence number

Event sequence numbers start at first_seq (default 1) and grow by one. With gone_before set, the
events before it are gone (the register keeps 36 months): asking for them is 406.

Standalone:  /usr/bin/python3 tests/standins/freg.py --port N --dir DIR [--maskinporten-url URL | --no-auth]
    and, for a test or demo in another process (no token needed, loopback only):
    POST /_standin/events  [{"number": ..., "type": ...}, ...]   appends events
    PUT  /_standin/personer/{number}  <document>                 replaces a person's document

mode: None (normal), "404", "429" (Retry-After: retry_after), "500", "503", "slow" (sleeps delay
seconds first), "garbage" (not JSON), "huge" (a body over 32 MiB), "deep" (nesting 100000 deep),
"wrong_type" (navn as a string), "drop" (closes the connection without an answer), "truncated"
(the real answer cut off right after an identity number past its middle: not valid JSON, and a
parser that quotes the text near its error would quote that number).
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE = "/folkeregisteret/offentlig-med-hjemmel/api/v1/personer"
EVENTS = "/folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser"
STANDIN = "/_standin"
SCOPE = "folkeregister:deling/offentligmedhjemmel"
NUMBER = re.compile(r"^[0-9]{11}$")
MAX_BODY = 1024 * 1024
MAX_BULK = 1000
PAGE_SIZE = 1000


class Freg:
    def __init__(self, docs_dir, maskinporten=None, maskinporten_url=None, port=0, require_auth=True):
        self.docs_dir = str(docs_dir)
        self.maskinporten = maskinporten
        self.maskinporten_url = maskinporten_url
        self.require_auth = require_auth
        self.port = port
        self.lock = threading.Lock()
        self.server = None
        self.events = []          # the feed: dicts in sequence order
        self.first_seq = 1
        self.gone_before = None
        self.reset()

    def reset(self):
        self.mode = None
        self.retry_after = 5
        self.delay = 3.0
        self.calls = 0            # every request that reached a personer endpoint
        self.bulk_calls = 0
        self.person_calls = 0
        self.numbers_asked = 0
        self.connections = 0      # TCP connections accepted
        self.unauthorized = 0
        self.reject_tokens = 0    # answer this many of the next requests 401, as if the token were revoked
        self.last_query = None
        self.last_body = None
        self.last_headers = None
        self.asked = []           # every number a lookup asked for, in order
        self.feed_mode = None     # mode for the hendelser endpoints alone
        self.page_size = PAGE_SIZE
        self.latest_shape = "integer"   # or "object": {"sekvensnummer": n}
        self.feed_calls = 0       # feed pages asked for (304s included)
        self.feed_not_modified = 0
        self.latest_calls = 0
        self.last_feed_seq = None

    @property
    def base_url(self):
        """What the plugin's base_url= takes."""
        return f"http://127.0.0.1:{self.port}/"

    def start(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def set_document(self, number, doc):
        """The register changes a person: doc is their new document (None: the register forgets them)."""
        assert NUMBER.match(number)
        path = os.path.join(self.docs_dir, number + ".json")
        if doc is None:
            if os.path.exists(path):
                os.unlink(path)
            return
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
        os.replace(tmp, path)

    def append_event(self, number, hendelsetype, when=None):
        """One event about number at the end of the feed; returns its sequence number."""
        return self.append_events([(number, hendelsetype)], when)

    def append_events(self, items, when=None):
        """Events (number, hendelsetype) appended in order; returns the last sequence number."""
        stamp = (when or datetime.datetime.now(datetime.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self.lock:
            for number, hendelsetype in items:
                self.events.append({"sekvensnummer": self.first_seq + len(self.events), "hendelse": {
                    "folkeregisteridentifikator": number, "hendelsetype": hendelsetype,
                    "hendelsesdokument": str(uuid.uuid4()), "persondokument": str(uuid.uuid4()),
                    "ajourholdstidspunkt": stamp}})
            return self.latest_seq()

    def latest_seq(self):
        """The newest sequence number (first_seq - 1 while the feed is empty)."""
        return self.first_seq + len(self.events) - 1

    def page(self, seq):
        with self.lock:
            start = max(seq - self.first_seq, 0)
            return self.events[start:start + self.page_size]

    def document(self, number):
        if not NUMBER.match(number):
            return None
        try:
            with open(os.path.join(self.docs_dir, number + ".json"), encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    def token_ok(self, header):
        """None when the bearer token is good, else (status, message)."""
        if not self.require_auth:
            return None
        with self.lock:
            if self.reject_tokens > 0:
                self.reject_tokens -= 1
                return 401, "token tilbakekalt"
        if not header or not header.startswith("Bearer "):
            return 401, "Autentiseringsinformasjon mangler"
        token = header[7:].strip()
        if self.maskinporten is not None:
            info = self.maskinporten.introspect(token)
        elif self.maskinporten_url:
            req = urllib.request.Request(self.maskinporten_url.rstrip("/") + "/introspect",
                                         data=urllib.parse.urlencode({"token": token}).encode(),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            with urllib.request.urlopen(req, timeout=5) as r:
                info = json.load(r)
        else:
            return 401, "no token issuer configured"
        if not info.get("active"):
            return 401, "ugyldig token"
        if SCOPE not in info.get("scope", "").split():
            return 403, "Virksomheten mangler autorisasjon for tjenesten"
        return None


def cut_after_a_number(doc):
    """doc as JSON, cut off just after the digits of an identity number in its second half."""
    whole = json.dumps(doc).encode()
    m = re.compile(rb'"[0-9]{11}').search(whole, len(whole) // 2) or re.compile(rb'"[0-9]{11}').search(whole)
    return whole[:m.end()] if m else whole[:len(whole) // 2]


def _handler(freg):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            pass

        def setup(self):
            super().setup()
            with freg.lock:
                freg.connections += 1

        def send(self, status, body, ctype="application/json", headers=()):
            if isinstance(body, (dict, list)):
                body = json.dumps(body, ensure_ascii=False).encode()
            elif isinstance(body, str):
                body = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (e.g. on an oversized answer)

        def error(self, status, melding, headers=()):
            self.send(status, {"kode": f"FREG-{status}", "melding": melding}, headers=headers)

        def misbehave(self, mode=None):
            """The switched failure modes; True when one answered."""
            mode = freg.mode if mode is None else mode
            if mode == "slow":
                time.sleep(freg.delay)
                return False
            if mode == "404":
                self.error(404, "Ukjent person")
            elif mode == "429":
                self.error(429, "For mange kall", headers=[("Retry-After", str(freg.retry_after))])
            elif mode in ("500", "503"):
                self.error(int(mode), "Feil i tjenesten. Vennligst prøv igjen seinere.")
            elif mode == "garbage":
                self.send(200, b"<html><body>Service Unavailable</body></html>\x00\xff", "application/json")
            elif mode == "huge":
                self.send(200, b'{"oppslag":[' + b'{"x":"' + b"a" * (33 * 1024 * 1024) + b'"}]}')
            elif mode == "deep":
                self.send(200, b'{"oppslag":' + b"[" * 100000 + b"]" * 100000 + b"}")
            elif mode == "drop":
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(2)
            else:
                return False
            return True

        def begin(self):
            url = urllib.parse.urlsplit(self.path)
            with freg.lock:
                freg.last_query = urllib.parse.parse_qs(url.query)
                freg.last_headers = dict(self.headers)
            return url

        def authorized(self):
            denied = freg.token_ok(self.headers.get("Authorization"))
            if denied:
                with freg.lock:
                    freg.unauthorized += 1
                self.error(*denied)
                return False
            return True

        def person(self, number):
            doc = freg.document(number)
            if doc is not None and freg.mode == "wrong_type":
                doc = dict(doc, navn="KARI")
            return doc

        def events(self, url):
            """The hendelser endpoints."""
            rest = url.path[len(EVENTS) + 1:]
            with freg.lock:
                freg.calls += 1
                if rest == "feed":
                    freg.feed_calls += 1
                elif rest == "siste/sekvensnummer":
                    freg.latest_calls += 1
            if not self.authorized() or self.misbehave(freg.feed_mode):
                return
            if rest == "siste/sekvensnummer":
                n = freg.latest_seq()
                return self.send(200, {"sekvensnummer": n} if freg.latest_shape == "object" else str(n))
            if rest == "feed":
                seq = freg.last_query.get("seq", [None])[0]
                if seq is None or not re.match(r"^[0-9]{1,18}$", seq):
                    return self.error(400, "Ugyldig parameter: seq")
                seq = int(seq)
                with freg.lock:
                    freg.last_feed_seq = seq
                if freg.gone_before is not None and seq < freg.gone_before:
                    return self.error(406, "Hendelser eldre enn 36 måneder er ikke tilgjengelige")
                body = json.dumps(freg.page(seq), ensure_ascii=False).encode()
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                if self.headers.get("If-None-Match") == etag:
                    with freg.lock:
                        freg.feed_not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                return self.send(200, body, headers=[("ETag", etag)])
            with freg.lock:
                found = next((e for e in freg.events if e["hendelse"]["hendelsesdokument"] == rest), None)
            if found is None:
                return self.error(404, "Ukjent dokumentid")
            h = found["hendelse"]
            return self.send(200, {"hendelsesidentifikator": rest, "hendelsestype": h["hendelsetype"],
                                   "folkeregisteridentifikator": h["folkeregisteridentifikator"],
                                   "ajourholdstidspunkt": h["ajourholdstidspunkt"]})

        def standin(self, url, body):
            """Test hooks for another process (not part of the register's API)."""
            if url.path == STANDIN + "/events" and self.command == "POST":
                try:
                    items = [(e["number"], e["type"]) for e in json.loads(body)]
                    assert all(NUMBER.match(n) and isinstance(t, str) for n, t in items)
                except (ValueError, KeyError, TypeError, AssertionError):
                    return self.error(400, 'give [{"number": "<11 digits>", "type": "..."}]')
                return self.send(200, {"sekvensnummer": freg.append_events(items)})
            number = url.path[len(STANDIN + "/personer/"):]
            if url.path.startswith(STANDIN + "/personer/") and self.command == "PUT" and NUMBER.match(number):
                try:
                    doc = json.loads(body)
                except ValueError:
                    return self.error(400, "not JSON")
                freg.set_document(number, doc)
                return self.send(200, {})
            return self.error(404, "Feil uri")

        def do_PUT(self):
            url = self.begin()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True
                return self.error(413, "for stor forespørsel")
            return self.standin(url, self.rfile.read(length))

        def do_GET(self):
            url = self.begin()
            if url.path.startswith(EVENTS + "/"):
                return self.events(url)
            if not url.path.startswith(BASE + "/"):
                return self.error(404, "Feil uri")
            number = url.path[len(BASE) + 1:]
            with freg.lock:
                freg.calls += 1
                freg.person_calls += 1
                freg.numbers_asked += 1
                freg.asked.append(number)
            if not self.authorized() or self.misbehave():
                return
            doc = self.person(number)
            if doc is None:
                return self.error(404, "Ukjent person")
            if freg.mode == "truncated":
                return self.send(200, cut_after_a_number(doc))
            self.send(200, doc)

        def do_POST(self):
            url = self.begin()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self.close_connection = True
                return self.error(413, "for stor forespørsel")
            body = self.rfile.read(length)
            if url.path.startswith(STANDIN + "/"):
                return self.standin(url, body)
            if url.path != BASE + "/bulkoppslag":
                return self.error(404, "Feil uri")
            with freg.lock:
                freg.calls += 1
                freg.bulk_calls += 1
                freg.last_body = body
            if not self.authorized() or self.misbehave():
                return
            if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
                return self.error(400, "Content-Type må være application/json")
            try:
                numbers = json.loads(body)["foedselsEllerDNummer"]
                assert isinstance(numbers, list) and all(isinstance(n, str) for n in numbers)
            except (ValueError, KeyError, TypeError, AssertionError):
                return self.error(400, "Feil i mottatte data")
            if len(numbers) > MAX_BULK:
                return self.error(400, f"Maks {MAX_BULK} identifikatorer")
            with freg.lock:
                freg.numbers_asked += len(numbers)
                freg.asked.extend(numbers)
            if freg.mode == "truncated":
                return self.send(200, cut_after_a_number({"oppslag": [
                    {"foedselsEllerDNummer": n, "folkeregisterperson": self.person(n)} for n in numbers]}))
            ordered = "true" in freg.last_query.get("somBestilt", [])
            oppslag = []
            for n in numbers:
                doc = self.person(n)
                if doc is not None:
                    oppslag.append({"foedselsEllerDNummer": n, "folkeregisterperson": doc})
                elif ordered:
                    oppslag.append({"foedselsEllerDNummer": n, "feilmelding": {"feilmelding": "Ukjent person"}})
            self.send(200, {"oppslag": oppslag})

    return Handler


def main():
    ap = argparse.ArgumentParser(description="Folkeregisteret stand-in (loopback only)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--dir", required=True, help="directory of <number>.json person documents")
    ap.add_argument("--maskinporten-url", help="check tokens against this Maskinporten stand-in")
    ap.add_argument("--no-auth", action="store_true", help="accept requests without a token")
    a = ap.parse_args()
    if not a.no_auth and not a.maskinporten_url:
        ap.error("give --maskinporten-url URL (or --no-auth)")
    freg = Freg(a.dir, maskinporten_url=a.maskinporten_url, port=a.port, require_auth=not a.no_auth).start()
    print(f"folkeregisteret stand-in: base_url {freg.base_url} documents {a.dir}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        freg.stop()


if __name__ == "__main__":
    sys.exit(main())
