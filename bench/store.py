#!/usr/bin/python3
"""Store benchmark: reports numbers, asserts nothing.

    bench/store.py [--rows 50000] [--backends sqlite,pgsql] [--audit 20000]

For each backend, on a fresh store: foresattctl import of a synthetic roster of --rows rows (half as
many students, two guardians each), the same roster again (nothing changes), a roster with one
guardian in ten changed, a purge on a date where a fifth of the students left and a tenth are
adults without consent; then the audit append rate (one entry per call, batches of 100, and eight
threads at once). PostgreSQL is a throwaway server from tests/integration/fstest/postgres.py with
its default durability (fsync on). Run from a built tree (make), as root or not.
"""
import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
BUILD = os.environ.get("FORESATT_BUILDDIR", SRC)
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
from fstest import paths  # noqa: E402
from fstest.postgres import Postgres  # noqa: E402

sys.path.insert(0, paths.FIXTURES_DIR)
import idnumbers  # noqa: E402  (valid synthetic identity numbers)

TODAY = datetime.date(2026, 12, 1)
HEADER = ("student_id,student_fnr,school,status,consent_extended,guardian_fnr,guardian_name,guardian_phone,"
          "guardian_email,daily_care,parental_responsibility,addressee,fnr_use\n")


def numbers(born_from, count):
    """count distinct valid synthetic numbers, born on consecutive days from born_from."""
    out, day = [], born_from
    while len(out) < count:
        r = idnumbers.individual_numbers(day.year)
        for i in range(r.start, r.stop, 7):
            n = idnumbers.make(day, i)
            if n:
                out.append(n)
                if len(out) == count:
                    break
        day += datetime.timedelta(days=1)
    return out


def write_roster(path, rows, changed=False):
    pupils = rows // 2
    kids = numbers(datetime.date(2009, 1, 1), pupils)
    adults = numbers(datetime.date(1975, 1, 1), pupils * 2)
    grown = numbers(datetime.date(2007, 1, 1), pupils // 10 + 1)  # students past 18 on TODAY
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER)
        for i in range(pupils):
            status = "left" if i % 5 == 0 else "active"
            kid = kids[i]
            if i % 10 == 1:  # an adult: born 2007
                kid = grown[i // 10]
            for g in range(2):
                refused = g == 1 and i % 25 == 0
                phone = "+479%07d" % ((i * 2 + g + (1 if changed and i % 10 == 3 else 0)) % 10000000)
                f.write(f"P{i:06d},{kid},OSLO-VGS-01,{status},,{'' if refused else adults[2 * i + g]},"
                        f"GUARDIAN {i} {g},{phone},g{i}x{g}@example.no,yes,yes,{'main' if g == 0 else 'secondary'},"
                        f"{'refused' if refused else 'accepted'}\n")
    os.utime(path, (time.time() - 86400, time.time() - 86400))


def timed(cmd, env=None):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
    return dt, p.stdout


def audit_rates(plugin, params, n):
    env = dict(os.environ, FORESATT_STORE_PLUGIN=plugin, FORESATT_STORE_PARAMS=params)
    probe = os.path.join(BUILD, "tests", "store", "store_probe")
    script = f"bench-audit {n // 4} 1 1\nbench-audit {n} 100 1\nbench-audit {n} 1 8\n"
    p = subprocess.run([probe], input=script, capture_output=True, text=True, env=env, timeout=900)
    lines = p.stdout.splitlines()[1:]
    if len(lines) != 3 or not all(x.startswith("OK ") for x in lines):
        raise RuntimeError(p.stdout + p.stderr)
    return [int(x.split()[1]) for x in lines]


def run_backend(kind, rows, audit_n, work):
    pg = None
    try:
        if kind == "sqlite":
            params = f"path={work}/bench.db"
        else:
            pg = Postgres(fast=False).start()
            pg.create_database("bench")
            params = f'conninfo="{pg.conninfo("bench")}"'
        plugin = paths.plugin("store_" + kind)
        conf = os.path.join(work, f"{kind}.conf")
        with open(conf, "w") as f:
            f.write(f"ForesattPlugin st {plugin} {params}\nForesattStore st\n")
        ctl = [paths.tool(), "--config", conf]
        roster, changed = os.path.join(work, "roster.csv"), os.path.join(work, "changed.csv")
        results = {}
        results["import (new)"], out = timed(ctl + ["import", roster])
        results["import (same again)"], _ = timed(ctl + ["import", roster])
        results["import (1 in 10 changed)"], out2 = timed(ctl + ["import", changed])
        results["purge"], purge_out = timed(ctl + ["purge", "--today", TODAY.isoformat()])
        results["purge (nothing left)"], _ = timed(ctl + ["purge", "--today", TODAY.isoformat()])
        deleted = re.search(r"guardian data deleted: (\d+) students, (\d+) guardian rows", purge_out)
        rates = audit_rates(plugin, params, audit_n)
        return results, deleted.groups(), rates
    finally:
        if pg:
            pg.cleanup()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=50000)
    ap.add_argument("--backends", default="sqlite,pgsql")
    ap.add_argument("--audit", type=int, default=20000, help="entries per audit run")
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="fs-bench-")
    os.chmod(work, 0o755)
    try:
        t0 = time.monotonic()
        write_roster(os.path.join(work, "roster.csv"), a.rows)
        write_roster(os.path.join(work, "changed.csv"), a.rows, changed=True)
        print(f"roster: {a.rows} rows, {a.rows // 2} students (generated in {time.monotonic() - t0:.1f} s)")
        for kind in a.backends.split(","):
            if kind == "pgsql" and not os.path.exists(paths.plugin("store_pgsql")):
                print("pgsql: not built (no libpq)")
                continue
            results, deleted, rates = run_backend(kind, a.rows, a.audit, work)
            print(f"\n{kind}:")
            for name, dt in results.items():
                print(f"  {name:28s} {dt:7.2f} s")
            print(f"  (purge deleted the guardian data of {deleted[0]} students, {deleted[1]} rows)")
            print(f"  audit append, 1 entry per call:        {rates[0]:9d} entries/s")
            print(f"  audit append, batches of 100:          {rates[1]:9d} entries/s")
            print(f"  audit append, 1 per call, 8 threads:   {rates[2]:9d} entries/s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
