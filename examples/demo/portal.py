#!/usr/bin/env python3
# Copyright 2026 The mod_foresatt authors
# SPDX-License-Identifier: Apache-2.0
"""A small example school portal for the demo: it sits behind httpd (mod_proxy) and builds its pages
from the headers mod_foresatt sends: X-Foresatt-Role, X-Foresatt-Students, X-Foresatt-Name, and
X-Foresatt-Logout-Token for the logout button.

It trusts those headers because only httpd can reach it (httpd removes any client-sent copies):
with --socket it listens on a Unix socket that only httpd's user may open; with --port, on
127.0.0.1. A real portal must do the same: never be reachable except through httpd.

    /                    start page: who you are and the pupils you follow
    /elev/<id>/          a pupil's overview (httpd has checked Require foresatt-guardian-of)
    /elev/<id>/kontaktlaerer, /elev/<id>/fravaer, /elev/<id>/karakterer
    /meg/                a pupil's own pages (httpd has checked Require foresatt-student)
    /logget-ut           where ID-porten sends the browser after logout (public)
"""
import argparse
import hashlib
import html
import os
import random
import re
import socketserver
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SUBJECTS = ["Norsk", "Matematikk", "Engelsk", "Naturfag", "Historie", "Kroppsøving", "Samfunnskunnskap"]
TEACHERS = ["Astrid Lund", "Bjørn Eide", "Camilla Vik", "Dag Solberg", "Elin Moe"]
PUPIL_PATH = re.compile(r"^/elev/([A-Za-z0-9_-]{1,32})/(|kontaktlaerer|fravaer|karakterer)$")
OWN_PATH = re.compile(r"^/meg/(|kontaktlaerer|fravaer|karakterer)$")


def rng(pupil):
    return random.Random(hashlib.sha256(pupil.encode()).digest())


def logout_button(token):
    """mod_foresatt logs out on a POST that carries the session's token: a link alone cannot log anyone out."""
    if not token:
        return '<a href="/foresatt/logout">Logg ut</a>'
    return ('<form class="logout" method="post" action="/foresatt/logout">'
            f'<input type="hidden" name="token" value="{html.escape(token)}">'
            '<button type="submit">Logg ut</button></form>')


def page(title, body, name=None, logout_token=None):
    who = (f'<div class="who">Innlogget som <span id="who">{html.escape(name)}</span> {logout_button(logout_token)}</div>'
           if name else "")
    return f"""<!doctype html>
<html lang="nb"><head><meta charset="utf-8"><title>{html.escape(title)} – Eksempel vgs</title>
<style>body{{font-family:sans-serif;max-width:46em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}
.who{{color:#555;margin:.5em 0}}nav a{{margin-right:1em}}form.logout{{display:inline}}</style></head>
<body><header><strong>Eksempel videregående skole</strong>{who}</header>
<h1>{html.escape(title)}</h1>
{body}
</body></html>"""


def pupil_page(pupil, section, base=None):
    r = rng(pupil)
    base = base or f"/elev/{pupil}/"
    nav = (f'<nav><a href="{base}">Oversikt</a><a href="{base}kontaktlaerer">Kontaktlærer</a>'
           f'<a href="{base}fravaer">Fravær</a><a href="{base}karakterer">Karakterer</a></nav>')
    if section == "kontaktlaerer":
        return f"Kontaktlærer for elev {pupil}", nav + (
            f"<p>Kontaktlærer: <strong>{r.choice(TEACHERS)}</strong>, telefon 22 00 00 {r.randint(10, 99)}.</p>"
            f"<p>Neste elevsamtale: uke {r.randint(2, 50)}.</p>")
    if section == "fravaer":
        rows = "".join(f"<tr><td>{s}</td><td>{r.randint(0, 6)} timer</td><td>{r.randint(0, 2)} dager</td></tr>"
                       for s in SUBJECTS)
        return f"Fravær for elev {pupil}", nav + f"<table><tr><th>Fag</th><th>Timer</th><th>Dager</th></tr>{rows}</table>"
    if section == "karakterer":
        rows = "".join(f"<tr><td>{s}</td><td>{r.randint(2, 6)}</td></tr>" for s in SUBJECTS)
        return f"Karakterer for elev {pupil}", nav + f"<table><tr><th>Fag</th><th>Halvårsvurdering</th></tr>{rows}</table>"
    return f"Elev {pupil}", nav + "<p>Velg kontaktlærer, fravær eller karakterer.</p>"


class Portal(BaseHTTPRequestHandler):
    server_version = "ExamplePortal/1.0"

    def log_message(self, fmt, *args):  # keep the demo's terminal quiet
        pass

    def send_page(self, status, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def header(self, name):
        """A header mod_foresatt set: UTF-8 bytes, which http.server decoded as ISO-8859-1."""
        value = self.headers.get(name, "")
        try:
            return value.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return value

    def do_GET(self):
        role = self.header("X-Foresatt-Role")
        name = self.header("X-Foresatt-Name") or None
        token = self.header("X-Foresatt-Logout-Token") or None
        pupils = [p for p in self.header("X-Foresatt-Students").split(",") if p]
        path = self.path.split("?", 1)[0]
        if path == "/logget-ut":
            return self.send_page(200, page("Logget ut", '<p>Du er logget ut.</p><p><a href="/">Logg inn igjen</a></p>'))
        if path == "/":
            if role == "student":
                body = ("<p>Du er logget inn som elev.</p>"
                        '<p><a href="/meg/">Mine sider</a></p>'
                        '<p><a href="/foresatt/samtykke">Samtykke: la foresatte se opplysninger etter at du fyller 18'
                        "</a></p>")
            elif pupils:
                items = "".join(f'<li><a href="/elev/{html.escape(p)}/">Elev {html.escape(p)}</a></li>' for p in pupils)
                body = (f"<p>Du følger disse elevene:</p><ul>{items}</ul>"
                        '<p><a href="/foresatt/profil">Mine opplysninger</a></p>')
            else:
                body = "<p>Du har ikke tilgang til opplysninger om noen elever.</p>"
            return self.send_page(200, page("Foresattportal", body, name, token))
        m = PUPIL_PATH.match(path)
        if m:
            title, body = pupil_page(m.group(1), m.group(2))
            return self.send_page(200, page(title, body, name, token))
        m = OWN_PATH.match(path)
        if m and role == "student" and pupils:  # httpd has checked Require foresatt-student
            title, body = pupil_page(pupils[0], m.group(1), base="/meg/")
            return self.send_page(200, page(title, body, name, token))
        self.send_page(404, page("Fant ikke siden", "<p>Siden finnes ikke.</p>", name, token))


class UnixPortal(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class UnixHandler(Portal):
    def address_string(self):  # a Unix socket's peer has no address
        return "httpd"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", type=int, help="listen on 127.0.0.1:PORT")
    where.add_argument("--socket", help="listen on this Unix socket (created; mode 0600 unless --owner)")
    ap.add_argument("--owner", help="uid:gid to give the socket to (httpd's user), when run as root")
    a = ap.parse_args()
    if a.port is not None:
        server = ThreadingHTTPServer(("127.0.0.1", a.port), Portal)
    else:
        old = os.umask(0o177)
        try:
            server = UnixPortal(a.socket, UnixHandler)
        finally:
            os.umask(old)
        if a.owner:
            uid, gid = (int(x) for x in a.owner.split(":"))
            os.chown(a.socket, uid, gid)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
