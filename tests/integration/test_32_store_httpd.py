"""The store plugins inside a real httpd: configuration mistakes fail configtest with the directive and
what to do; nothing is opened in the parent; each child opens its own connection (SQLite file owned
by httpd's user, PostgreSQL sessions), and requests decide and audit through the store, also across
a PostgreSQL restart."""
import os
import subprocess
import time

import pytest
import requests

from fstest import paths
from fstest.store import make_fixtures

TODAY = None  # the module decides on today's date; fixtures are made for it


def sqlite_line(path, extra=""):
    return f"ForesattPlugin st {paths.plugin('store_sqlite')} path={path} {extra}\nForesattStore st\n"


def pgsql_line(conninfo, extra=""):
    return f'ForesattPlugin st {paths.plugin("store_pgsql")} conninfo="{conninfo}" {extra}\nForesattStore st\n'


@pytest.fixture(scope="module")
def httpd(httpd_factory):
    return httpd_factory(name="store", mpm="event")


SQLITE_BROKEN = [
    ("", ["ForesattPlugin st", "store_sqlite.so", "path= is required"]),
    ("path=relative.db", ["ForesattPlugin st", "path=relative.db: give an absolute path"]),
    ("path=/nonexistent/dir/fs.db", ["ForesattPlugin st", "the directory /nonexistent/dir does not exist",
                                     "install -d -o www-data"]),
    ("path=/etc/hostname", ["ForesattPlugin st", "the file exists but is not an SQLite database"]),
    ("path=/tmp/x.db colour=blue", ["ForesattPlugin st", "unknown key 'colour' (known: path, busy_timeout)"]),
    ("path=/tmp/x.db busy_timeout=soon", ["ForesattPlugin st", "busy_timeout=soon: give milliseconds"]),
]


@pytest.mark.parametrize("params,words", SQLITE_BROKEN, ids=[w[-1][:30] for _, w in SQLITE_BROKEN])
def test_sqlite_configtest_errors(httpd, params, words):
    rc, out = httpd.configtest(f"ForesattPlugin st {paths.plugin('store_sqlite')} {params}\nForesattStore st")
    assert rc != 0, out
    for w in words:
        assert w in out, f"{w!r} not in {out}"


PGSQL_BROKEN = [
    ("", ["ForesattPlugin st", "conninfo= is required", "conninfo=\"host=db1"]),
    ('conninfo="host=db1 dbname"', ["ForesattPlugin st", "conninfo is not a libpq connection string"]),
    ('conninfo="host=db1 colour=blue"', ["ForesattPlugin st", "invalid connection option \"colour\""]),
    ('conninfo="host=db1 password=hunter2 dbname"', ["conninfo is not a libpq connection string: check its syntax"]),
    ('conninfo="host=db1" schema=Bad-Name', ["ForesattPlugin st", "schema=Bad-Name: give a plain lower-case name"]),
    ('conninfo="host=db1" port=5432', ["ForesattPlugin st", "unknown key 'port' (known: conninfo, schema, timeout)"]),
]


@pytest.mark.parametrize("params,words", PGSQL_BROKEN, ids=[w[-1][:30] for _, w in PGSQL_BROKEN])
def test_pgsql_configtest_errors(httpd, params, words):
    if not os.path.exists(paths.plugin("store_pgsql")):
        pytest.skip("built without libpq")
    rc, out = httpd.configtest(f"ForesattPlugin st {paths.plugin('store_pgsql')} {params}\nForesattStore st")
    assert rc != 0, out
    for w in words:
        assert w in out, f"{w!r} not in {out}"
    assert "hunter2" not in out


@pytest.mark.parametrize("value,ok", [("2 years", True), ("18 months", True), ("400d", True), ("1 day", True),
                                      ("forever", False), ("0 days", False), ("3 weeks", False)])
def test_audit_retention_directive(httpd, value, ok):
    rc, out = httpd.configtest(f"ForesattAuditRetention {value}")
    if ok:
        assert rc == 0, out
    else:
        assert rc != 0
        assert f"ForesattAuditRetention {value}:" in out


def test_sqlite_opened_in_the_child_as_httpd_user(httpd_factory):
    h = httpd_factory(name="store-sqlite", mpm="prefork")
    db = os.path.join(h.data_dir, "foresatt.db")
    rc, out = h.configtest(sqlite_line(db))
    assert rc == 0, out
    assert not os.path.exists(db), "configtest (create() in the parent) must not open the database"
    h.write_file("htdocs/x.txt", "x\n")
    h.start(sqlite_line(db))
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(db) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.exists(db), "no child opened the database"
        assert requests.get(h.url("/x.txt"), timeout=10).status_code == 200
        st = os.stat(db)
        if h.user:
            assert (st.st_uid, st.st_gid) == (h.user[2], h.user[3]), "the database is not httpd's user's"
        assert oct(st.st_mode & 0o777) == "0o640"
        assert subprocess.run(["sqlite3", db, "PRAGMA journal_mode"], capture_output=True, text=True).stdout.strip() \
            == "wal"
        h.restart(graceful=True)
        assert requests.get(h.url("/x.txt"), timeout=10).status_code == 200
        assert "failed to start" not in h.error_log()
    finally:
        h.stop()


def test_sqlite_directory_httpd_cannot_write_fails_configtest(httpd):
    """Started as root, httpd's children run as User: a directory (or database) only root may write
    is refused at configtest, not in every child."""
    if not httpd.user:
        pytest.skip("needs root to run httpd's children as another user")
    ro = os.path.join(httpd.root, "ro-config")
    os.makedirs(ro, exist_ok=True)
    os.chmod(ro, 0o755)  # root's: httpd's user cannot create the database or its -wal file here
    rc, out = httpd.configtest(sqlite_line(os.path.join(ro, "fs.db")))
    assert rc != 0, out
    for w in ("ForesattPlugin st", "cannot write the directory", ro, "chown www-data:www-data"):
        assert w in out, f"{w!r} not in {out}"
    # a writable directory, but a database file of root's
    db = os.path.join(httpd.data_dir, "roots.db")
    subprocess.run(["sqlite3", db, "PRAGMA user_version = 1"], check=True)
    os.chmod(db, 0o644)
    rc, out = httpd.configtest(sqlite_line(db))
    assert rc != 0, out
    assert "cannot write the database" in out, out
    httpd.chown_service(db)
    rc, out = httpd.configtest(sqlite_line(db))
    assert rc == 0, out


def set_extended_acl(path):
    """A POSIX access ACL beyond the mode bits (a named user without rights): the host cannot tell
    from the bits alone who may write, so configtest lets it pass."""
    import struct
    entries = [(0x01, 7, 0xFFFFFFFF), (0x02, 0, 54321), (0x04, 5, 0xFFFFFFFF), (0x10, 5, 0xFFFFFFFF),
               (0x20, 5, 0xFFFFFFFF)]  # user::rwx user:54321:--- group::r-x mask::r-x other::r-x
    os.setxattr(path, "system.posix_acl_access",
                struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *e) for e in entries))


def test_sqlite_unwritable_directory_is_logged_in_the_child(httpd_factory):
    """What configtest cannot tell (an access control list) still fails in the child, in words."""
    h = httpd_factory(name="store-ro", mpm="prefork")
    ro = os.path.join(h.root, "ro")
    os.makedirs(ro)
    os.chmod(ro, 0o755)  # root's: httpd's user cannot create the database here
    if not h.user:
        pytest.skip("needs root to run httpd's children as another user")
    set_extended_acl(ro)
    h.expect_log(r"FS0003.*plugin 'st' failed to start in this process: cannot open")
    h.write_file("htdocs/x.txt", "x\n")
    h.start(sqlite_line(os.path.join(ro, "fs.db")))
    try:
        deadline = time.monotonic() + 10
        while "FS0003" not in h.error_log() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "the directory must be writable by this user" in h.error_log()
        assert h.unexpected_log_lines() == [], "only the expected line"
    finally:
        h.stop()


PORTAL = """
ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
ForesattAuditFlushInterval 1
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
"""


def pg_connections(postgres):
    return int(postgres.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mod_foresatt'"))


def test_pgsql_in_httpd_end_to_end(httpd_factory, postgres, tmp_path):
    from fstest.world import oslo_today
    db = postgres.create_database("portal")
    conninfo = postgres.conninfo(db)
    h = httpd_factory(name="store-pg", mpm="prefork")
    world = os.path.join(h.root, "world")  # httpd's children read the register documents
    os.makedirs(world)
    os.chmod(world, 0o755)
    roster = make_fixtures(world, oslo_today())
    yesterday = time.time() - 86400
    os.utime(roster, (yesterday, yesterday))
    import csv
    rows = list(csv.DictReader(open(roster, encoding="utf-8")))
    kari = next(r["guardian_fnr"] for r in rows if r["guardian_name"] == "KARI HANSEN")
    ingrid = next(r["guardian_fnr"] for r in rows if r["guardian_name"] == "INGRID BERG")
    conf = (f"ForesattPlugin reg {paths.plugin('registry_file')} dir={world}/freg\nForesattRegistry reg\n"
            + pgsql_line(conninfo) + PORTAL)
    conf_path = h.write_file("conf/foresatt.conf", conf)
    p = subprocess.run([paths.tool(), "--config", conf_path, "import", roster], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    for sid in ("S1001", "S1003", "S2001"):
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")

    before = pg_connections(postgres)
    rc, out = h.configtest(conf)
    assert rc == 0, out
    assert pg_connections(postgres) == before, "configtest connected to PostgreSQL"
    h.expect_log(r"AH01631")  # mod_authz_core logs each refusal
    h.start(conf)
    try:
        def get(sid, who):
            return requests.get(h.url(f"/elev/{sid}/p.txt"), headers={"X-Test-Pid": who, "X-Test-Acr": "idporten-loa-substantial"}, timeout=10).status_code

        # Children open their session in child_init; the parent may answer before they have forked.
        deadline = time.monotonic() + 15
        while pg_connections(postgres) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pg_connections(postgres) >= 1, "no child opened a PostgreSQL session"
        assert get("S1001", kari) == 200
        assert get("S1003", kari) == 403  # 18 today, no consent
        postgres.restart()                # every child's session is cut
        assert get("S2001", ingrid) == 200, "a decision after the restart failed"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            n = int(postgres.psql("SELECT count(*) FROM audit", db))
            if n >= 3:
                break
            time.sleep(0.2)
        decisions = postgres.psql("SELECT string_agg(pupil_id || ':' || decision, ',' ORDER BY id) FROM audit", db)
        assert "S1001:allow" in decisions and "S1003:deny" in decisions and "S2001:allow" in decisions, decisions
        assert kari not in postgres.psql("SELECT string_agg(actor, ',') FROM audit", db)
        assert "NOTICE" not in h.error_log()
    finally:
        h.stop()
