#!/usr/bin/python3
"""Authorization benchmark: reports numbers, asserts nothing.

    bench/authz.py [--requests 20000] [--concurrency 8]

1. The cost of one access decision with a warm register cache (bench/bench_decide): what a guardian
   pays once per ForesattAuthzRecheck interval, or when the store changes.
2. The per-request cost in a real httpd (event MPM), with ab and keep-alive, of the same small static
   file served: unprotected; behind `Require foresatt-guardian-of` with a valid decision, the person
   from a trusted proxy's header (ForesattIdentity header), with and without the audit log; and behind
   the built-in login with its session cookie (decrypt + decision from the cookie).
Fixtures: tests/fixtures/make-fixtures, registry_file and store_sqlite. Run from a built tree (make) as root.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
BUILD = os.environ.get("FORESATT_BUILDDIR", SRC)
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
from fstest import paths  # noqa: E402
from fstest.httpd import Httpd  # noqa: E402
from fstest.oidc import Browser, login_conf, make_op  # noqa: E402
from fstest.world import World  # noqa: E402


def ab(url, n, c, headers=()):
    cmd = ["ab", "-q", "-k", "-n", str(n), "-c", str(c)]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=600).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    return rps, failed + (int(non2xx.group(1)) if non2xx else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=20000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()

    h = Httpd(name="bench-authz")
    op = None
    try:
        w = World(h)
        kari = w.who("KARI HANSEN")["login"]
        out = subprocess.run([os.path.join(BUILD, "bench", "bench_decide"), paths.plugin("registry_file"),
                              f"dir={w.freg}", paths.plugin("store_sqlite"), f"path={w.db}", kari, "20000"],
                             capture_output=True, text=True, timeout=600)
        print(out.stdout.strip() or out.stderr.strip())

        h.write_file("htdocs/static/page.html", "<p>" + "x" * 1000 + "</p>\n")
        h.write_file("htdocs/open/S1001/page.html", "<p>" + "x" * 1000 + "</p>\n")
        h.write_file("htdocs/elev/S1001/page.html", "<p>" + "x" * 1000 + "</p>\n")
        h.write_file("htdocs/noaudit/S1001/page.html", "<p>" + "x" * 1000 + "</p>\n")
        h.write_file("htdocs/portal/S1001/page.html", "<p>" + "x" * 1000 + "</p>\n")
        op = make_op()
        port2 = __import__("fstest.net", fromlist=["free_port"]).free_port()
        h.start(w.conf + login_conf(h, op) + f"""
ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
LogLevel warn
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{{env:MATCH_SID}}
</LocationMatch>
<LocationMatch "^/open/(?<sid>[^/]+)/">
  Require all granted
</LocationMatch>
Listen 127.0.0.1:{port2}
<VirtualHost 127.0.0.1:{port2}>
  ForesattAudit off
  ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
  <LocationMatch "^/noaudit/(?<sid>[^/]+)/">
    AuthType foresatt
    Require foresatt-guardian-of %{{env:MATCH_SID}}
  </LocationMatch>
</VirtualHost>
""", loglevel="warn")
        # the built-in login: log in once, then reuse the session cookie
        h2 = Httpd(name="bench-authz-login")
        try:
            w2 = World(h2)
            h2.write_file("htdocs/portal/S1001/page.html", "<p>" + "x" * 1000 + "</p>\n")
            h2.write_file("htdocs/static/page.html", "<p>" + "x" * 1000 + "</p>\n")
            h2.start(w2.conf + login_conf(h2, op) + """
<LocationMatch "^/portal/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
""", loglevel="warn")
            b = Browser(h2)
            assert b.login("/portal/S1001/page.html", pid=w2.who("KARI HANSEN")["login"]).status_code == 200
            cookie = b.cookie_header(h2.url("/portal/S1001/page.html"))

            cases = [
                ("static file, unprotected", h.url("/static/page.html"), []),
                ("static file, same LocationMatch, Require all granted", h.url("/open/S1001/page.html"), []),
                ("guardian-of, trusted-proxy identity, audit on", h.url("/elev/S1001/page.html"),
                 [f"X-Test-Pid: {kari}", "X-Test-Acr: idporten-loa-substantial"]),
                ("guardian-of, trusted-proxy identity, audit off",
                 f"http://127.0.0.1:{port2}/noaudit/S1001/page.html", [f"X-Test-Pid: {kari}", "X-Test-Acr: idporten-loa-substantial"]),
                ("static file, unprotected (login server)", h2.url("/static/page.html"), []),
                ("guardian-of, built-in login session cookie, audit on", h2.url("/portal/S1001/page.html"),
                 [f"Cookie: {cookie}"]),
            ]
            for _, url, hd in cases:  # warm up: decisions made, caches full
                ab(url, 2000, a.concurrency, hd)
            results = {name: [] for name, _, _ in cases}
            for _ in range(a.rounds):
                for name, url, hd in cases:
                    rps, bad = ab(url, a.requests, a.concurrency, hd)
                    if bad:
                        print(f"  ({name}: {bad} failed or non-2xx responses)")
                    results[name].append(rps)
            print(f"\nper request, event MPM, keep-alive, {a.concurrency} clients, {a.requests} requests, "
                  f"best of {a.rounds}:")
            base = {1: max(results[cases[0][0]]), 2: max(results[cases[4][0]])}
            for i, (name, _, _) in enumerate(cases):
                rps = max(results[name])
                ref = base[1] if i < 4 else base[2]
                print(f"  {name:55s} {rps:9.0f} req/s  {1e6 / rps:7.1f} us/req  "
                      f"{(ref / rps - 1) * 100:+6.1f}% vs unprotected")
        finally:
            h2.cleanup()
    finally:
        h.cleanup()
        if op:
            op.stop()


if __name__ == "__main__":
    main()
