#!/usr/bin/python3
"""Self-service pages benchmark: reports numbers, asserts nothing.

    bench/pages.py [--requests 5000] [--concurrency 4]

Requests per second and mean time per request (ab, keep-alive, event MPM) for:
  a static file of the same size as the information page (the baseline); the public information
  page (a template rendered into the layout); "Mine opplysninger" for a logged-in guardian, as HTML
  and as JSON (store, register cache and decision per request, plus an audit entry); the consent
  page for a logged-in pupil (an access decision per guardian); and a refused phone number (form
  POST: body, CSRF, checks, the page again).
Fixtures: tests/fixtures/make-fixtures, registry_file and store_sqlite. Run from a built tree (make) as root.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
from fstest.httpd import Httpd  # noqa: E402
from fstest.oidc import Browser, login_conf, make_op  # noqa: E402
from fstest.world import World  # noqa: E402


def ab(url, n, c, headers=(), post=None):
    cmd = ["ab", "-q", "-k", "-n", str(n), "-c", str(c)]
    for h in headers:
        cmd += ["-H", h]
    if post is not None:
        f = tempfile.NamedTemporaryFile("w", delete=False, suffix=".form")
        f.write(post)
        f.close()
        cmd += ["-p", f.name, "-T", "application/x-www-form-urlencoded"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=600).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    mean = float(re.search(r"Time per request:\s+([\d.]+) \[ms\] \(mean, across", out).group(1))
    return rps, mean


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=4)
    args = ap.parse_args()
    n, c = args.requests, args.concurrency

    op = make_op()
    h = Httpd(name="bench-pages")
    w = World(h)
    try:
        h.start(w.conf + login_conf(h, op) + "ForesattAuditFlushInterval 1\n", loglevel="warn")
        info = Browser(h).get("/foresatt/informasjon").text
        h.write_file("htdocs/static.html", info)
        kari, jonas = Browser(h), Browser(h)
        kari.login("/foresatt/profil", pid=w.who("KARI HANSEN")["login"])
        jonas.login("/foresatt/samtykke", pid=w.who("JONAS HANSEN")["login"])
        token = re.search(r'name="csrf" value="([^"]+)"', kari.get("/foresatt/profil").text).group(1)
        kc, jc = "Cookie: " + kari.cookie_header(h.url("/")), "Cookie: " + jonas.cookie_header(h.url("/"))
        rows = [
            ("static file, same size as informasjon", h.url("/static.html"), (), None),
            ("informasjon (public)", h.url("/foresatt/informasjon"), (), None),
            ("profil, HTML (guardian of 5 pupils)", h.url("/foresatt/profil"), (kc,), None),
            ("profil, JSON", h.url("/foresatt/profil"), (kc, "Accept: application/json"), None),
            ("samtykke, HTML (2 guardians decided)", h.url("/foresatt/samtykke"), (jc,), None),
            ("profil POST refused (bad phone, 422)", h.url("/foresatt/profil"), (kc,),
             f"csrf={token}&phone=abc&email1=kari%40example.no"),
        ]
        print(f"{n} requests, concurrency {c}, keep-alive, event MPM, 2 cores")
        print(f"{'':42} {'req/s':>9} {'ms/req':>8}")
        for name, url, headers, post in rows:
            ab(url, min(n, 500), c, headers, post)  # warm up
            rps, mean = ab(url, n, c, headers, post)
            print(f"{name:42} {rps:9.0f} {mean:8.2f}")
    finally:
        h.cleanup()
        op.stop()


if __name__ == "__main__":
    main()
