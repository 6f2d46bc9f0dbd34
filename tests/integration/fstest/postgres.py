"""A real, throwaway PostgreSQL server for tests and benchmarks: initdb in a temp dir, a free loopback
port, trust authentication for user postgres, stopped and removed afterwards.

    pg = Postgres().start()
    pg.conninfo("foresatt")        # "host=127.0.0.1 port=... dbname=foresatt user=postgres"
    pg.create_database("foresatt")
    pg.psql("SELECT 1", "foresatt")
    pg.restart()                   # a real restart: clients lose their sessions
    pg.cleanup()

initdb refuses to run as root, so as root the server runs as the 'postgres' user (runuser).
From the shell (the C conformance suite, benchmarks):

    python3 tests/integration/fstest/postgres.py [--db NAME] -- COMMAND ARGS...

starts a server, creates NAME (default foresatt), runs COMMAND with FORESATT_PG_CONNINFO set, stops
the server and exits with COMMAND's status.
"""
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

if __package__ in (None, ""):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from fstest.net import free_port, wait_for_port  # noqa: E402
else:
    from .net import free_port, wait_for_port


def pg_bindir():
    """Debian's server binaries, newest version first; PG_BINDIR overrides."""
    if os.environ.get("PG_BINDIR"):
        return os.environ["PG_BINDIR"]
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]), reverse=True)
    for d in dirs:
        if os.path.exists(os.path.join(d, "initdb")):
            return d
    raise RuntimeError("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin); "
                       "install Debian's postgresql package (scripts/install-deps does)")


class Postgres:
    def __init__(self, fast=True, options=()):
        self.bindir = pg_bindir()
        self.fast = fast  # fsync off: tests need no durability
        self.extra_options = list(options)  # more "-c name=value" for the server
        self.root = None
        self.port = None
        self.as_user = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
                self.as_user = "postgres"
            except KeyError:
                self.as_user = "nobody"

    def _cmd(self, *args):
        cmd = [os.path.join(self.bindir, args[0]), *args[1:]]
        return ["runuser", "-u", self.as_user, "--", *cmd] if self.as_user else cmd

    def _run(self, *args, timeout=120):
        p = subprocess.run(self._cmd(*args), capture_output=True, text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({p.returncode}):\n{p.stdout}{p.stderr}\n{self.log()}")
        return p.stdout

    @property
    def data_dir(self):
        return os.path.join(self.root, "data")

    @property
    def log_path(self):
        return os.path.join(self.root, "server.log")

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()[-4000:]
        except (OSError, TypeError):
            return ""

    def start(self):
        self.root = tempfile.mkdtemp(prefix="fs-pg-")
        os.chmod(self.root, 0o755)
        if self.as_user:
            pw = pwd.getpwnam(self.as_user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", self.data_dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale",
                  "--no-sync")
        self.port = free_port()
        self._start_server()
        return self

    def _options(self):
        opts = [f"-p {self.port}", f"-k {self.root}", "-c listen_addresses=127.0.0.1", "-c max_connections=200"]
        if self.fast:
            opts += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        return " ".join(opts + self.extra_options)

    def give(self, path, mode=0o600):
        """A file the server reads (TLS key and certificate): owned by the server's user."""
        if self.as_user:
            pw = pwd.getpwnam(self.as_user)
            os.chown(path, pw.pw_uid, pw.pw_gid)
        os.chmod(path, mode)

    def _start_server(self):
        self._run("pg_ctl", "-D", self.data_dir, "-l", self.log_path, "-o", self._options(), "-w", "-t", "60",
                  "start")
        wait_for_port(self.port, timeout=30)

    def restart(self):
        """Stop (fast: sessions are cut) and start again on the same port."""
        self._run("pg_ctl", "-D", self.data_dir, "-m", "fast", "-w", "stop")
        self._start_server()

    def stop(self, mode="immediate"):
        """immediate (default, for cleanup) loses commits not yet flushed when fast=True; tests that
        start the server again stop it with mode="fast"."""
        if self.root and os.path.exists(os.path.join(self.data_dir, "postmaster.pid")):
            subprocess.run(self._cmd("pg_ctl", "-D", self.data_dir, "-m", mode, "-w", "stop"),
                           capture_output=True, timeout=60)

    def start_again(self):
        """After stop(mode="fast"): the same data, port and settings."""
        self._start_server()

    def cleanup(self):
        self.stop()
        if self.root and not os.environ.get("FORESATT_KEEP_TMP"):
            shutil.rmtree(self.root, ignore_errors=True)

    def conninfo(self, dbname="postgres", **extra):
        words = [f"host=127.0.0.1 port={self.port} dbname={dbname} user=postgres"]
        words += [f"{k}={v}" for k, v in extra.items()]
        return " ".join(words)

    def psql(self, sql, dbname="postgres"):
        p = subprocess.run([os.path.join(self.bindir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-d", self.conninfo(dbname), "-c", sql], capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"psql failed: {p.stderr}")
        return p.stdout.strip()

    def create_database(self, name):
        self.psql(f'CREATE DATABASE "{name}"')
        return name


def main(argv):
    db = "foresatt"
    if argv[:1] == ["--db"]:
        db, argv = argv[1], argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    pg = Postgres().start()
    try:
        pg.create_database(db)
        env = dict(os.environ, FORESATT_PG_CONNINFO=pg.conninfo(db))
        return subprocess.run(argv, env=env).returncode
    finally:
        pg.cleanup()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
