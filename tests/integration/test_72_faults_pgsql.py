"""Faults in the store's path, mid-run, through a real httpd with the PostgreSQL plugin: the server
stopped while guardians are being served, and a server that does not answer (a lock held by
another session, as during a long migration or a stuck transaction). Protected requests fail
closed with the 503 page, open pages are served, nothing crashes, access comes back with the
server, and every decision logged before or around the outage reaches the audit table.

Already covered elsewhere: a PostgreSQL restart cutting every child's session (test_32), the
SQLite store busy (test_54), the file register's store down (test_42)."""
import os
import subprocess
import threading
import time

import pytest
import requests

from fstest import paths
from fstest.world import World

PID = "X-Test-Pid"
STORE_DOWN = r"FS0510|FS0511|FS0522|FS070[0-9]|AH01630|AH01631|PostgreSQL|postgres"

LOCATIONS = """
ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
ForesattAuditFlushInterval 1
ForesattAuthzRevisionCheck 1
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
"""


class Site:
    def __init__(self, httpd_factory, postgres, name, store_params=""):
        self.pg = postgres
        self.db = postgres.create_database(name)
        self.h = httpd_factory(name=f"faults-{name}")
        store = (f"ForesattPlugin st {paths.plugin('store_pgsql')} "
                 f"conninfo=\"{postgres.conninfo(self.db)}\" {store_params}")
        self.w = World(self.h, store_line=store)
        for sid in self.w.pupils:
            self.h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
        self.h.write_file("htdocs/open.html", "open\n")
        self.h.start(self.w.conf + LOCATIONS)

    def get(self, name, sid):
        return requests.get(self.h.url(f"/elev/{sid}/p.txt"), headers={PID: self.w.who(name)["login"], "X-Test-Acr": "idporten-loa-substantial"}, timeout=60)

    def audit_allows(self, sid):
        return int(self.pg.psql(f"SELECT count(*) FROM audit WHERE pupil_id = '{sid}' AND decision = 'allow'",
                                self.db))


@pytest.fixture(scope="module")
def site(httpd_factory, postgres):
    return Site(httpd_factory, postgres, "faultsdown", "timeout=2")


def wait_for(cond, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_store_stopped_mid_run(site):
    site.h.expect_log(STORE_DOWN)
    ok = 0
    for _ in range(20):
        assert site.get("INGRID BERG", "S2001").status_code == 200
        ok += 1
    site.pg.stop(mode="fast")  # at most a second of decisions is still queued in the children
    try:
        time.sleep(1.2)  # past ForesattAuthzRevisionCheck: the next request asks the store
        for _ in range(5):
            r = site.get("INGRID BERG", "S2001")
            assert r.status_code == 503 and "try again" in r.text
            assert requests.get(site.h.url("/open.html"), timeout=10).status_code == 200
    finally:
        site.pg.start_again()
    wait_for(lambda: site.get("INGRID BERG", "S2001").status_code == 200)
    ok += 1
    # every decision that gave access is in the audit table, including those queued at the stop
    wait_for(lambda: site.audit_allows("S2001") >= ok)
    assert site.audit_allows("S2001") == ok


def locked(site, table, seconds):
    """Another session holds an exclusive lock on table for seconds (a stuck transaction)."""
    sql = f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep({seconds}); COMMIT;"
    p = subprocess.Popen([os.path.join(site.pg.bindir, "psql"), "-X", "-q", "-d", site.pg.conninfo(site.db),
                          "-c", sql], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: int(site.pg.psql(
        f"SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        f"WHERE c.relname = '{table}' AND l.mode = 'AccessExclusiveLock' AND l.granted", site.db)) == 1)
    return p


# one new guardian per case: a decision, once made, is kept
LOCKS = [("revision", "SAMIRA AHMED", "S3001"), ("guardian", "HILDE NILSEN", "S4002")]


@pytest.mark.parametrize("table,name,sid", LOCKS, ids=[lk[0] for lk in LOCKS])
def test_store_not_answering_is_bounded(site, table, name, sid):
    """A lock held for 60 s: the request that needs the locked table ends with the 503 page within
    the plugin's bound (timeout=2: statement_timeout) instead of waiting a minute, a decided guardian
    is served meanwhile, and once the lock goes the new guardian gets in. Without the bound the
    request waited out the lock, and httpd could not even stop its child (SIGKILL, losing whatever
    audit entries it still held)."""
    site.h.expect_log(STORE_DOWN)
    assert site.get("KARI HANSEN", "S1001").status_code == 200
    holder = locked(site, table, 60)
    try:
        time.sleep(1.2)  # past ForesattAuthzRevisionCheck: the next request asks the store
        result = {}
        t = threading.Thread(target=lambda: result.setdefault("r", site.get(name, sid)))
        t.start()
        t.join(30)
        assert not t.is_alive(), "a request waited on the store without bound"
        r = result["r"]
        assert r.status_code == 503 and "try again" in r.text
        if table == "guardian":  # the revision is readable: a decided guardian is served meanwhile
            assert site.get("KARI HANSEN", "S1001").status_code == 200
        assert requests.get(site.h.url("/open.html"), timeout=10).status_code == 200
    finally:
        # the backend sleeps on with the lock whether or not its client is there: end it
        site.pg.psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' "
                     "AND pid <> pg_backend_pid()", site.db)
        holder.wait(10)
    wait_for(lambda: site.get(name, sid).status_code == 200, timeout=30)


@pytest.mark.parametrize("value", ["0", "3601", "ten", ""])
def test_timeout_key_checked_at_configtest(site, value):
    line = (f"ForesattPlugin st2 {paths.plugin('store_pgsql')} conninfo=\"{site.pg.conninfo(site.db)}\" "
            f"timeout={value}\n")
    rc, out = site.h.configtest(line)
    assert rc != 0 and "timeout=" in out and "whole seconds from 1 to 3600" in out, out
