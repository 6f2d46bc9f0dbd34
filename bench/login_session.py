#!/usr/bin/python3
"""Login benchmark: what a valid session costs per request. Reports numbers, asserts nothing.

    bench/login_session.py [--requests 40000] [--concurrency 8] [--rounds 3] [--mpm event]

First bench/bench_session: the session check alone (open, decode, times, ended-session lookup), in
microseconds. Then one httpd (the module loaded, logged in against the ID-porten stand-in) serves the same small static
file three ways: unprotected, under AuthType foresatt with a valid session cookie (one cookie
decrypt and one shared-memory lookup per request, plus the identity headers and no-store), and,
if Debian's mod_auth_openidc is installed, under AuthType openid-connect with its session cookie
(its cache in shared memory). Each is measured with ab (keep-alive) in alternating rounds; the
best round of each is reported with the overhead against the unprotected file. Run from a built
tree (make), as root or not.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
from fstest import paths  # noqa: E402
from fstest.httpd import Httpd  # noqa: E402
from fstest.oidc import Browser, CLIENT_ID, CLIENT_SECRET, login_conf, make_op  # noqa: E402

BODY = "x" * 512 + "\n"


def ab(url, n, c, cookie=None):
    cmd = ["ab", "-q", "-k", "-n", str(n), "-c", str(c), "-H", "Accept: text/html"]
    if cookie:
        cmd += ["-C", cookie]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    return rps, failed + (int(non2xx.group(1)) if non2xx else 0)


def openidc_conf(h, op):
    mod = os.path.join(paths.HTTPD_MODULES_DIR, "mod_auth_openidc.so")
    if not os.path.exists(mod):
        return None, ""
    redirect = h.url("/oidc/redirect")
    op.add_client("openidc-bench", secret=CLIENT_SECRET, redirect_uris=[redirect])
    return mod, f"""
LoadModule auth_openidc_module {mod}
OIDCProviderMetadataURL {op.metadata_url}
OIDCClientID openidc-bench
OIDCClientSecret {CLIENT_SECRET}
OIDCRedirectURI {redirect}
OIDCCryptoPassphrase "bench passphrase for mod_auth_openidc"
OIDCCookieSameSite On
OIDCSessionType server-cache
OIDCCacheType shm
OIDCPKCEMethod S256
OIDCAuthRequestParams acr_values=idporten-loa-substantial
OIDCSSLValidateServer Off
<Location /oidc/>
  AuthType openid-connect
  Require valid-user
</Location>
"""


def openidc_login(h, op):
    """Log in through mod_auth_openidc with the same stand-in; returns its session cookie."""
    b = Browser(h)
    r = b.get("/oidc/file.html")
    if r.status_code != 302:
        return None
    back = b.authorize(r)
    cb = b.get(back.headers["Location"])
    b.follow(cb)
    jar = b.jar(h.url())
    name = next((k for k in jar if k.startswith("mod_auth_openidc_session")), None)
    return f"{name}={jar[name]}" if name else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=40000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mpm", default="event")
    args = ap.parse_args()

    build = os.environ.get("FORESATT_BUILDDIR", SRC)
    out = subprocess.run([os.path.join(build, "bench", "bench_session"), "200000"], capture_output=True, text=True)
    print(out.stdout.strip() or out.stderr.strip())

    op = make_op()
    h = Httpd(mpm=args.mpm, name="bench-login")
    try:
        for d in ("open", "portal", "oidc"):
            h.write_file(f"htdocs/{d}/file.html", BODY)
        mod, openidc = openidc_conf(h, op)
        conf = login_conf(h, op) + """
<Location /portal/>
  AuthType foresatt
  Require valid-user
</Location>
""" + openidc
        h.start(conf, loglevel="warn")
        b = Browser(h)
        assert b.login("/portal/file.html").status_code == 200
        ours = "foresatt_session=" + b.session_cookie()
        theirs = openidc_login(h, op) if mod else None

        cases = [("static, unprotected", h.url("/open/file.html"), None),
                 ("AuthType foresatt, valid session", h.url("/portal/file.html"), ours)]
        if theirs:
            cases.append(("mod_auth_openidc, valid session", h.url("/oidc/file.html"), theirs))
        for name, url, cookie in cases:  # warm up
            ab(url, min(2000, args.requests), args.concurrency, cookie)
        best = {name: 0.0 for name, _, _ in cases}
        errors = {name: 0 for name, _, _ in cases}
        for _ in range(args.rounds):
            for name, url, cookie in cases:
                rps, bad = ab(url, args.requests, args.concurrency, cookie)
                best[name] = max(best[name], rps)
                errors[name] += bad
        base = best[cases[0][0]]
        print(f"mpm {args.mpm}, {args.requests} requests x {args.rounds} rounds, concurrency {args.concurrency}, "
              f"{len(BODY)}-byte file, keep-alive; best round:")
        for name, _, _ in cases:
            rps = best[name]
            cost = (1 / rps - 1 / base) * 1e6 if rps else float("nan")
            print(f"  {name:36s} {rps:10.0f} req/s  {100 * (base - rps) / base:6.1f}% slower  "
                  f"(+{cost:.1f} us/request)  errors/non-2xx: {errors[name]}")
        if not theirs:
            print("  (mod_auth_openidc not measured: libapache2-mod-auth-openidc is not installed"
                  + (" or its login failed" if mod else "") + ")")
    finally:
        h.cleanup()
        op.stop()


if __name__ == "__main__":
    main()
