#!/usr/bin/python3
"""Roster import memory: reports numbers, asserts nothing.

    bench/roster_memory.py [--rows 50000,8000] [--backends sqlite,pgsql]

For each size: a roster with every field quoted (tests/integration/fstest/roster.py: two guardians
per pupil, an address with a comma, a doubled quote and a line break), then foresattctl import
--dry-run (reading and checking only) and a real import into a fresh store, each with its peak
resident set (ru_maxrss of the finished process) and time. The goal: a fully quoted 50,000-row
roster imports under 64 MB. Run from a built tree (make); PostgreSQL is a throwaway server from
tests/integration/fstest/postgres.py.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
from fstest import paths  # noqa: E402
from fstest.postgres import Postgres  # noqa: E402
from fstest.roster import write_roster  # noqa: E402


def run(cmd):
    """(peak RSS in MB, seconds) of one run of cmd, which must succeed."""
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.execv(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    dt = time.monotonic() - t0
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed (wait status {status})")
    return usage.ru_maxrss / 1024.0, dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", default="50000,8000", help="comma-separated roster sizes")
    ap.add_argument("--backends", default="sqlite,pgsql")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="fs-bench-roster-")
    os.chmod(work, 0o755)
    pg = None
    try:
        print(f"{'rows':>7} {'file MB':>8} {'store':>7} {'dry-run MB':>11} {'import MB':>10} {'import s':>9}")
        for rows in (int(x) for x in a.rows.split(",")):
            roster = os.path.join(work, f"quoted-{rows}.csv")
            write_roster(roster, rows, quoted=True)
            size = os.path.getsize(roster) / 1e6
            for kind in a.backends.split(","):
                if kind == "pgsql" and not os.path.exists(paths.plugin("store_pgsql")):
                    print(f"{rows:7d} {size:8.1f} {kind:>7}  not built (no libpq)")
                    continue
                if kind == "sqlite":
                    params = f"path={work}/store-{rows}.db"
                else:
                    if pg is None:
                        pg = Postgres(fast=False).start()
                    db = f"bench{rows}"
                    pg.create_database(db)
                    params = f'conninfo="{pg.conninfo(db)}"'
                conf = os.path.join(work, f"{kind}-{rows}.conf")
                with open(conf, "w") as f:
                    f.write(f"ForesattPlugin st {paths.plugin('store_' + kind)} {params}\nForesattStore st\n")
                ctl = [paths.tool(), "--config", conf, "import"]
                dry, _ = run(ctl + ["--dry-run", roster])
                rss, dt = run(ctl + [roster])
                print(f"{rows:7d} {size:8.1f} {kind:>7} {dry:11.1f} {rss:10.1f} {dt:9.2f}")
    finally:
        if pg:
            pg.cleanup()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
