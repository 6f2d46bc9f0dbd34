#!/usr/bin/python3
# Copyright 2026 The mod_foresatt authors
# SPDX-License-Identifier: Apache-2.0
"""The whole product on loopback: httpd with mod_foresatt, the ID-porten stand-in, the file register
and SQLite, and the example school portal behind `Require foresatt-*`. Started by ./demo, which has
installed the Debian packages and built the tree first.

    ./demo                  start, print the URL and the test persons, stay up until Ctrl-C
    ./demo --port 8090      httpd on this port (default 8080, or a free one when 8080 is taken)
    ./demo --check          start, check that every part answers, stop (exit 0 when all is well)

Everything lives in one temporary directory (httpd's ServerRoot, the register's documents, the
database, the logs) that is removed on exit, as are the processes, also on errors.
"""
import argparse
import datetime
import grp
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover - Debian 12's Python has it
    ZoneInfo = None

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILDDIR = os.path.abspath(os.environ.get("FORESATT_BUILDDIR") or SRCDIR)
PYTHON = "/usr/bin/python3"
DEFAULT_PORT = 8080

REASONS = {
    "adult_without_consent": "18 or older, no consent",
    "no_parental_responsibility": "no parental responsibility in the register",
    "not_registered_by_school": "refused the school's use of the number: no digital access, informed on paper",
    "student_not_enrolled": "has left the school",
    "unknown_student": "not a pupil here",
}


class DemoError(Exception):
    """Something the person running the demo can act on; printed without a traceback."""


class Stop(BaseException):
    """SIGTERM or SIGHUP: stop as on Ctrl-C."""


# --- where things are ----------------------------------------------------------------------------

def makefile_value(name):
    """A value configure wrote into the Makefile (e.g. HTTPD), or None."""
    try:
        with open(os.path.join(BUILDDIR, "Makefile"), encoding="utf-8") as f:
            for line in f:
                m = re.match(rf"^{name} = (.*)$", line.rstrip("\n"))
                if m:
                    return m.group(1).strip() or None
    except OSError:
        pass
    return None


def find_fixtures():
    """The synthetic register and roster come from the tree's own generator."""
    path = os.path.join(SRCDIR, "tests", "fixtures", "make-fixtures")
    if not os.path.isfile(path):
        raise DemoError(f"the fixture generator {os.path.relpath(path, SRCDIR)} is missing from the checkout")
    return path


def built(relpath):
    path = os.path.join(BUILDDIR, relpath)
    if not os.path.exists(path):
        raise DemoError(f"{relpath} is not built; run ./demo (it builds) or make")
    return path


def service_user():
    """httpd will not run its children as root: as root they run as www-data."""
    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        try:
            pw = pwd.getpwnam(name)
            return name, grp.getgrgid(pw.pw_gid).gr_name, pw.pw_uid, pw.pw_gid
        except KeyError:
            continue
    raise DemoError("running as root, but there is no www-data user for httpd's children")


def port_is_free(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as httpd binds: old connections don't count
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, what, timeout=60.0, log=None):
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise DemoError(f"{what} did not come up within {timeout:.0f} s" + (f"; its log:\n{log()}" if log else ""))
        time.sleep(0.05)


def port_answers(port):
    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
        return True


def oslo_today():
    now = datetime.datetime.now(ZoneInfo("Europe/Oslo")) if ZoneInfo else datetime.datetime.now()
    return now.date().isoformat()


# --- the test persons ----------------------------------------------------------------------------

def display_name(who):
    return " ".join(part.capitalize() for part in who.split())


def describe(scenario, guardian_scenarios):
    """What logging in as this person shows, in a few words, from scenarios.json."""
    if scenario.get("role") == "student":
        sid = scenario["student_id"]
        adult = any(g["expect"].get(sid) == "adult_without_consent" for g in guardian_scenarios)
        if adult:
            return f"pupil {sid}, 18: can give consent so the guardians see {sid} again"
        return f"pupil {sid}, under 18"
    if scenario.get("registry") == "not_found":
        return "not in the register: refused"
    expect = scenario.get("expect", {})
    allowed = sorted(p for p, v in expect.items() if v == "allow")
    refused = {}
    for p, v in sorted(expect.items()):
        if v != "allow":
            refused.setdefault(v, []).append(p)
    parts = []
    if allowed:
        parts.append("sees " + ", ".join(allowed))
    for reason, pupils in refused.items():
        text = REASONS.get(reason, reason.replace("_", " "))
        parts.append(("not " if allowed else "refused ") + ", ".join(pupils) + f" ({text})")
    note = "; ".join(parts)
    if scenario["login"][0] in "4567":
        note += "; logs in with a D-number"
    if scenario.get("never_shown"):
        note += "; the pupil's address is confidential and never shown"
    return note


def persons_from(scenarios):
    guardians = [s for s in scenarios if "expect" in s]
    return [{"pid": s["login"], "name": display_name(s["who"]) if s["who"] != "UNKNOWN" else "Ukjent person",
             "note": describe(s, guardians), "scenario": s} for s in scenarios]


ROLE_WORDS = {"far": "a father", "mor": "a mother", "medmor": "a co-mother"}


def parent_word(world, login):
    """'a father', 'a mother'... as the register's family relations of a child name this person."""
    freg = os.path.join(world, "freg")
    for name in sorted(os.listdir(freg)):
        try:
            with open(os.path.join(freg, name), encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        for rel in doc.get("familierelasjon", []):
            if rel.get("relatertPerson") == login and rel.get("minRolleForPerson") == "barn":
                return ROLE_WORDS.get(rel.get("relatertPersonsRolle"), "a parent")
    return "a parent"


def highlights(persons, world):
    """The four to try first, each with what it shows: a parent who sees their children, a parent
    without parental responsibility, a pupil who can give consent, the guardian who refused the
    number."""
    def first(pred):
        return next((p for p in persons if pred(p["scenario"])), None)

    def allowed(s):
        return sum(1 for v in s.get("expect", {}).values() if v == "allow")

    parent = max((p for p in persons if allowed(p["scenario"]) > 0), key=lambda p: allowed(p["scenario"]),
                 default=None)
    refused = first(lambda s: s.get("expect") and set(s["expect"].values()) == {"no_parental_responsibility"})
    pupil = first(lambda s: s.get("role") == "student" and any(
        q["scenario"].get("expect", {}).get(s["student_id"]) == "adult_without_consent" for q in persons))
    paper = first(lambda s: "not_registered_by_school" in s.get("expect", {}).values())
    picks = []
    if parent:
        picks.append((parent, f"{parent_word(world, parent['pid'])}: {parent['note']}"))
    if refused:
        picks.append((refused, f"{parent_word(world, refused['pid'])} without parental responsibility: refused"))
    if pupil:
        picks.append((pupil, pupil["note"]))
    if paper:
        picks.append((paper, "a guardian who refused the school's use of the number: no digital access, "
                             "informed on paper"))
    return picks


# --- the demo ------------------------------------------------------------------------------------

class Demo:
    def __init__(self, port, port_given):
        self.port = port
        self.port_given = port_given
        self.root = None
        self.procs = {}  # name -> Popen
        self.user = service_user()
        self.httpd = makefile_value("HTTPD") or "/usr/sbin/apache2"
        self.modules_dir = makefile_value("HTTPD_MODULES_DIR") or "/usr/lib/apache2/modules"
        self.env = dict(os.environ)
        self.httpd_env = dict(os.environ)
        preload = os.environ.get("FORESATT_SANITIZER_PRELOAD") or makefile_value("SANITIZER_PRELOAD")
        if preload:  # a sanitizer build: httpd itself is not instrumented, so it gets the runtime preloaded
            self.httpd_env["LD_PRELOAD"] = preload
            self.httpd_env.setdefault("ASAN_OPTIONS", "detect_leaks=0:use_sigaltstack=0")

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def log(self, msg):
        print(msg, flush=True)

    # --- setting up ------------------------------------------------------------------------------
    def prepare(self):
        module = built("mod_foresatt/.libs/mod_foresatt.so")
        built("plugins/registry_file/.libs/registry_file.so")
        built("plugins/store_sqlite/.libs/store_sqlite.so")
        self.ctl = built("tools/foresattctl/foresattctl")
        fixtures = find_fixtures()
        if not port_is_free(self.port):
            if self.port_given:
                raise DemoError(f"port {self.port} is taken; pick another with ./demo --port N")
            self.port = free_port()

        self.root = tempfile.mkdtemp(prefix="foresatt-demo-")
        os.chmod(self.root, 0o755)
        for d in ("conf", "logs", "run", "data"):
            os.makedirs(self.path(d))
        if self.user:
            for d in ("run", "data"):
                os.chown(self.path(d), self.user[2], self.user[3])

        # The register's documents and the school's roster for today.
        self.today = oslo_today()
        p = subprocess.run([PYTHON, fixtures, "--today", self.today, "--out", self.path("world")],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise DemoError("tests/fixtures/make-fixtures failed:\n" + p.stderr)
        with open(self.path("world", "scenarios.json"), encoding="utf-8") as f:
            self.persons = persons_from(json.load(f)["scenarios"])
        with open(self.path("conf", "persons.json"), "w", encoding="utf-8") as f:
            json.dump([{k: p[k] for k in ("pid", "name", "note")} for p in self.persons], f, ensure_ascii=False,
                      indent=1)

        self.origin = f"http://127.0.0.1:{self.port}"
        self.start_idporten()
        values = {
            "ROOT": self.root,
            "PORT": str(self.port),
            "USER": f"User {self.user[0]}\nGroup {self.user[1]}" if self.user else "",
            "MODULES": self.modules_dir,
            "MODULE": module,
            "PLUGINS": os.path.join(BUILDDIR, "plugins"),
            "OP": f"http://127.0.0.1:{self.op_port}",
            "CLIENT_SECRET": self.client_secret,
            "PASSPHRASE": secrets.token_urlsafe(32),
        }
        with open(os.path.join(HERE, "httpd.conf.in"), encoding="utf-8") as f:
            conf = f.read()
        for k, v in values.items():
            conf = conf.replace(f"@{k}@", v)
        left = re.findall(r"@[A-Z_]+@", conf)
        if left:
            raise DemoError(f"httpd.conf.in: no value for {', '.join(sorted(set(left)))}")
        self.conf = self.path("conf", "httpd.conf")
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(conf)

        # The school's roster into the store, through the administrators' tool; the register's event
        # journal followed from its (empty) start, so the events appended to it are applied.
        self.run_ctl("import", self.path("world", "roster.csv"))
        self.run_ctl("follow", "--once")

    def run_ctl(self, *args):
        p = subprocess.run([self.ctl, "--config", self.conf, *args], capture_output=True, text=True,
                           env=self.env)
        if p.returncode != 0:
            raise DemoError(f"foresattctl {' '.join(args)} failed ({p.returncode}):\n{p.stdout}{p.stderr}")
        if self.user:  # the database files to httpd's user
            for name in os.listdir(self.path("data")):
                os.chown(self.path("data", name), self.user[2], self.user[3])
        return p.stdout

    def spawn(self, name, argv, env=None):
        out = open(self.path("logs", f"{name}.log"), "wb")
        # Its own session: Ctrl-C reaches only this script, which stops everything in order.
        self.procs[name] = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True, env=env or self.env)
        out.close()
        return self.procs[name]

    def start_idporten(self):
        """The stand-in picks its own free port (no race with other programs) and prints it."""
        self.client_secret = secrets.token_urlsafe(24)
        self.spawn("idporten", [PYTHON, os.path.join(SRCDIR, "tests", "standins", "idporten.py"),
                                "--port", "0", "--persons", self.path("conf", "persons.json"),
                                "--client-id", "demo", f"--client-secret={self.client_secret}",  # may start with '-'
                                "--redirect-uri", f"{self.origin}/foresatt/callback",
                                "--post-logout-redirect-uri", f"{self.origin}/logget-ut"])

        def announced():
            with open(self.path("logs", "idporten.log"), errors="replace") as f:
                m = re.search(r"stand-in at http://127\.0\.0\.1:(\d+) ", f.read())
            self.op_port = int(m.group(1)) if m else None
            return self.alive() and self.op_port is not None
        wait_until(announced, "the ID-porten stand-in", log=lambda: self.tail("idporten"))

    def start(self):
        sock = self.path("run", "portal.sock")
        owner = ["--owner", f"{self.user[2]}:{self.user[3]}"] if self.user else []
        self.spawn("portal", [PYTHON, os.path.join(HERE, "portal.py"), "--socket", sock, *owner])

        p = subprocess.run([self.httpd, "-t", "-f", self.conf], capture_output=True, text=True, env=self.httpd_env)
        if p.returncode != 0:
            raise DemoError(f"httpd refused the configuration {self.conf}:\n{p.stdout}{p.stderr}")
        self.spawn("httpd", [self.httpd, "-f", self.conf, "-DFOREGROUND"], env=self.httpd_env)

        wait_until(lambda: self.alive() and port_answers(self.op_port), "the ID-porten stand-in")
        wait_until(lambda: self.alive() and os.path.exists(sock), "the example portal", log=lambda: self.tail("portal"))
        wait_until(lambda: self.alive() and port_answers(self.port), "httpd", log=lambda: self.tail("httpd"))

    def alive(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise DemoError(f"{name} stopped (exit {proc.returncode}); its log:\n{self.tail(name)}")
        return True

    def tail(self, name, lines=30):
        path = self.path("logs", "error_log" if name == "httpd" else f"{name}.log")
        try:
            with open(path, errors="replace") as f:
                text = f.read().splitlines()
        except OSError:
            return "(no log)"
        if name == "httpd":
            try:
                with open(self.path("logs", "httpd.log"), errors="replace") as f:
                    text = f.read().splitlines() + text
            except OSError:
                pass
        return "\n".join(text[-lines:])

    # --- checking that it works ------------------------------------------------------------------
    def get(self, url):
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *a, **kw):
                return None
        opener = urllib.request.build_opener(NoRedirect)
        req = urllib.request.Request(url, headers={"Accept": "text/html"})
        try:
            with opener.open(req, timeout=10) as r:
                return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode("utf-8", "replace")

    def check(self):
        """Every part answers: httpd sends a visitor to the stand-in's person chooser, which lists
        the test persons; the register and the store decide as the fixtures expect."""
        status, headers, _ = self.get(self.origin + "/")
        location = headers.get("Location", "")
        if status != 302 or not location.startswith(f"http://127.0.0.1:{self.op_port}/authorize?"):
            raise DemoError(f"httpd did not send a visitor to the ID-porten stand-in (status {status}, "
                            f"Location {location!r}); httpd's log:\n{self.tail('httpd')}")
        status, _, body = self.get(location)
        if status != 200 or not all(p["pid"] in body for p in self.persons):
            raise DemoError(f"the stand-in's person chooser did not list the test persons (status {status})")
        parent = highlights(self.persons, self.path("world"))[0][0]
        out = self.run_ctl("decide", "--as", parent["pid"])
        for pupil, expected in parent["scenario"]["expect"].items():
            got = "allow" if re.search(rf"^pupil\t{pupil}\tallow", out, re.M) else "deny"
            if got != ("allow" if expected == "allow" else "deny"):
                raise DemoError(f"the register and the store disagree with the fixtures for {pupil}:\n{out}")
        self.alive()

    # --- telling the person what to do -----------------------------------------------------------
    def banner(self):
        picks = highlights(self.persons, self.path("world"))
        width = max(len(p["name"]) for p, _ in picks)
        lines = ["", f"mod_foresatt demo: open {self.origin}/", "",
                 "Log in at the ID-porten stand-in (\"choose a test person\") as:"]
        for p, why in picks:
            lines.append(f"  {p['name']:<{width}}  {p['pid']}  {why}")
        lines += [f"  (all {len(self.persons)} test persons, with what each shows, are on the login page)", "",
                  f"The school's records, as on {self.today}, with the administrators' tool:",
                  f"  {self.ctl} --config {self.conf} paper-list",
                  f"  {self.ctl} --config {self.conf} audit",
                  "The register's changes: edit a person in " + self.path("world", "freg") + "/, then add a line",
                  "to " + self.path("world", "events.jsonl") + ", e.g.",
                  '  {"sekvensnummer": 1, "hendelse": {"folkeregisteridentifikator": "<number>", '
                  '"hendelsetype": "endringIAdressebeskyttelse"}}',
                  f"  and apply it: {self.ctl} --config {self.conf} follow --once",
                  f"Logs: {self.path('logs')}/", "",
                  "Press Ctrl-C to stop; everything is removed.", "Ready."]
        self.log("\n".join(lines))

    def serve(self):
        while True:
            time.sleep(1)
            self.alive()

    # --- cleaning up -----------------------------------------------------------------------------
    def stop(self):
        for name in ("httpd", "portal", "idporten"):
            proc = self.procs.pop(name, None)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            # Whatever is left of its process group: httpd's children outlive a parent that died.
            deadline = time.monotonic() + 5
            while True:
                proc.poll()  # reaps it, so a dead parent is not counted in its group
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    break
                if time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            if proc.poll() is None:
                proc.wait()
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description="The mod_foresatt demo on loopback.")
    ap.add_argument("--port", type=int, help=f"httpd's port (default {DEFAULT_PORT}, or a free one when it is "
                                             "taken; also FORESATT_DEMO_PORT)")
    ap.add_argument("--check", action="store_true", help="start, check every part, stop")
    args = ap.parse_args(argv)
    port = args.port or int(os.environ.get("FORESATT_DEMO_PORT") or 0)

    def on_signal(signum, frame):
        raise Stop()
    # Also when started in the background, where the shell had SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    demo = Demo(port or DEFAULT_PORT, port_given=bool(port))
    started = time.monotonic()
    rc = 0
    try:
        demo.log("demo: starting httpd with mod_foresatt, the ID-porten stand-in, the register and the store ...")
        demo.prepare()
        demo.start()
        demo.check()
        demo.log(f"demo: all parts answer ({time.monotonic() - started:.1f} s); working directory {demo.root}")
        if args.check:
            demo.log("demo: check passed")
            return 0
        demo.banner()
        demo.serve()
    except (KeyboardInterrupt, Stop):
        pass
    except DemoError as e:
        print(f"demo: {e}", file=sys.stderr, flush=True)
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the cleanup
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        demo.stop()
        print("demo: stopped; processes ended and temporary files removed", flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
