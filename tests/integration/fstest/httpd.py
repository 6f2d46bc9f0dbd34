"""A real Apache httpd in its own ServerRoot on a free loopback port, with mod_foresatt loaded.

    h = Httpd(mpm="event")
    h.start(conf='''<Location /p/> ... </Location>''')
    requests.get(h.url("/p/"))
    h.stop()

Error-log discipline (as mod_md's tests): after each test the new lines of the error log are
checked; a line at warn or above fails the test unless the test said it expected it with
h.expect_log(regex). Lines are matched by level, not by text, so a new warning is never missed.
"""
import grp
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time

from . import paths
from .net import free_port, wait_for_port

BASE_MODULES = ["mpm_{mpm}", "authn_core", "authz_core", "authz_user", "authz_host", "mime", "dir",
                "headers", "setenvif", "env", "alias"]
PROBLEM = re.compile(r"\[(?:[a-z_]+:)?(warn|error|crit|alert|emerg)\]|AddressSanitizer|LeakSanitizer|runtime error:"
                     r"|Segmentation fault|exit signal")


def service_user():
    """httpd refuses to run its children as root; tests run them as www-data when started as root."""
    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        try:
            pw = pwd.getpwnam(name)
            return name, grp.getgrgid(pw.pw_gid).gr_name, pw.pw_uid, pw.pw_gid
        except KeyError:
            continue
    return None


class Httpd:
    def __init__(self, mpm="event", modules=(), name="httpd"):
        self.mpm = mpm
        self.modules = list(modules)
        self.root = tempfile.mkdtemp(prefix=f"fs-{name}-")
        os.chmod(self.root, 0o755)
        for d in ("conf", "logs", "run", "htdocs", "data"):
            os.makedirs(os.path.join(self.root, d), exist_ok=True)
        os.chmod(os.path.join(self.root, "htdocs"), 0o755)
        self.user = service_user()
        if self.user:
            os.chown(os.path.join(self.root, "data"), self.user[2], self.user[3])
        self.port = free_port()
        self.proc_pid = None
        self.conf_body = ""
        self.log_offset = 0
        self.expected = []

    # --- paths and URLs ------------------------------------------------------------------------
    @property
    def data_dir(self):
        """Writable by httpd's children (SQLite databases and the like)."""
        return os.path.join(self.root, "data")

    @property
    def htdocs(self):
        return os.path.join(self.root, "htdocs")

    @property
    def error_log_path(self):
        return os.path.join(self.root, "logs", "error_log")

    @property
    def access_log_path(self):
        return os.path.join(self.root, "logs", "access_log")

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def url(self, path="/"):
        return self.origin + path

    def write_file(self, relpath, content, mode=0o644):
        path = os.path.join(self.root, relpath)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w" if isinstance(content, str) else "wb") as f:
            f.write(content)
        os.chmod(path, mode)
        return path

    def chown_service(self, path):
        """Give a file or directory to the user httpd's children run as."""
        if self.user:
            os.chown(path, self.user[2], self.user[3])

    # --- configuration -------------------------------------------------------------------------
    def config_text(self, body, loglevel="info", load_foresatt=True):
        mods = [m.format(mpm=self.mpm) for m in BASE_MODULES] + self.modules
        lines = [f'ServerRoot "{self.root}"',
                 f'DefaultRuntimeDir "{self.root}/run"',
                 f'PidFile "{self.root}/run/httpd.pid"',
                 f"Listen 127.0.0.1:{self.port}",
                 f"ServerName 127.0.0.1:{self.port}"]
        for m in mods:
            lines.append(f"LoadModule {m}_module {paths.HTTPD_MODULES_DIR}/mod_{m}.so")
        if load_foresatt:
            lines.append(f"LoadModule foresatt_module {paths.module()}")
        if self.user:
            lines += [f"User {self.user[0]}", f"Group {self.user[1]}"]
        lines += [f'ErrorLog "{self.error_log_path}"',
                  f"LogLevel {loglevel}",
                  'LogFormat "%h %l %u %t \\"%r\\" %>s %b" common',
                  f'CustomLog "{self.access_log_path}" common',
                  "TypesConfig /etc/mime.types",
                  f'DocumentRoot "{self.htdocs}"',
                  f'<Directory "{self.htdocs}">\n  Require all granted\n</Directory>',
                  "Timeout 30",
                  "KeepAliveTimeout 2",
                  "GracefulShutdownTimeout 5"]
        if self.mpm in ("event", "worker"):
            lines += ["StartServers 1", "ServerLimit 2", "ThreadsPerChild 16", "MaxRequestWorkers 32",
                      "MinSpareThreads 1", "MaxSpareThreads 32"]
        else:
            lines += ["StartServers 2", "MinSpareServers 1", "MaxSpareServers 4", "MaxRequestWorkers 8"]
        return "\n".join(lines) + "\n" + body + "\n"

    def configtest(self, body, loglevel="warn"):
        """Run httpd -t on a configuration; returns (exit code, combined output)."""
        conf = self.write_file("conf/configtest.conf", self.config_text(body, loglevel))
        p = subprocess.run([paths.HTTPD, "-t", "-f", conf], capture_output=True, text=True, timeout=60,
                           env=paths.httpd_env())
        return p.returncode, p.stdout + p.stderr

    # --- lifecycle -----------------------------------------------------------------------------
    def _conf_path(self):
        return os.path.join(self.root, "conf", "httpd.conf")

    def start(self, body=None, loglevel="info"):
        if body is not None:
            self.conf_body = body
        self.write_file("conf/httpd.conf", self.config_text(self.conf_body, loglevel))
        p = subprocess.run([paths.HTTPD, "-f", self._conf_path(), "-k", "start"], capture_output=True, text=True,
                           timeout=60, env=paths.httpd_env())
        if p.returncode != 0:
            raise RuntimeError(f"httpd did not start ({p.returncode}):\n{p.stdout}{p.stderr}\n{self.error_log()}")
        wait_for_port(self.port)
        self.proc_pid = self._read_pid()
        return self

    def _read_pid(self, timeout=10):
        path = os.path.join(self.root, "run", "httpd.pid")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(path) as f:
                    return int(f.read().strip())
            except (OSError, ValueError):
                time.sleep(0.05)
        raise TimeoutError("httpd wrote no pid file")

    def reconfigure(self, body, loglevel="info", graceful=True):
        """New configuration for the running server (graceful restart)."""
        self.conf_body = body
        self.write_file("conf/httpd.conf", self.config_text(body, loglevel))
        self.restart(graceful)

    def restart(self, graceful=True):
        before = os.path.getsize(self.error_log_path) if os.path.exists(self.error_log_path) else 0
        os.kill(self.proc_pid, signal.SIGUSR1 if graceful else signal.SIGHUP)
        # Wait for the parent to log that it is running again.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with open(self.error_log_path, errors="replace") as f:
                f.seek(before)
                if "resuming normal operations" in f.read():
                    wait_for_port(self.port)
                    return
            time.sleep(0.05)
        raise TimeoutError("httpd did not come back after restart:\n" + self.error_log())

    def stop(self):
        if self.proc_pid is None:
            return
        subprocess.run([paths.HTTPD, "-f", self._conf_path(), "-k", "stop"], capture_output=True, timeout=60,
                       env=paths.httpd_env())
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(self.proc_pid, 0)
                time.sleep(0.05)
            except ProcessLookupError:
                break
        else:
            os.kill(self.proc_pid, signal.SIGKILL)
        self.proc_pid = None

    def cleanup(self):
        self.stop()
        if os.environ.get("FORESATT_KEEP_TMP"):
            return
        shutil.rmtree(self.root, ignore_errors=True)

    # --- logs ----------------------------------------------------------------------------------
    def error_log(self):
        try:
            with open(self.error_log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def access_log(self):
        try:
            with open(self.access_log_path, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def expect_log(self, pattern):
        """This test provokes a log line at warn or above matching pattern; do not fail on it."""
        self.expected.append(re.compile(pattern))

    def mark_log(self):
        self.log_offset = len(self.error_log())
        self.expected = []

    def new_log(self):
        return self.error_log()[self.log_offset:]

    def unexpected_log_lines(self):
        bad = []
        for line in self.new_log().splitlines():
            if PROBLEM.search(line) and not any(p.search(line) for p in self.expected):
                bad.append(line)
        return bad
