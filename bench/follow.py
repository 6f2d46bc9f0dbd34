#!/usr/bin/python3
"""The register's changes reaching the school: reports numbers, asserts nothing.

    bench/follow.py [--pupils 2000] [--rounds 5] [--stores sqlite,pgsql] [--json FILE]

A synthetic school of --pupils pupils, each with two responsible parents (tests/fixtures'
families), in the Folkeregister stand-in behind registry_freg with a Maskinporten token, imported
into a fresh store. Then, with `foresattctl follow --once` (a whole process, as a timer runs it):

  - an empty round (nothing new: the process, the token, one feed read, the position);
  - a page of 1000 events touching 0, 10 and 100 of the school's persons (the rest strangers):
    wall time, register lookups (numbers and calls) and feed reads per round;

and `foresattctl sync` over the whole school (compare only, then --apply): wall time, numbers
looked up and register calls. Medians of --rounds runs. Run from a built tree (make).
"""
import argparse
import datetime
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRC, "tests", "integration"))
sys.path.insert(0, os.path.join(SRC, "tests", "standins"))
from fstest import paths  # noqa: E402
from fstest.postgres import Postgres  # noqa: E402
from freg import Freg  # noqa: E402
from maskinporten import Maskinporten  # noqa: E402

sys.path.insert(0, paths.FIXTURES_DIR)
import families  # noqa: E402

TODAY = datetime.date(2026, 12, 1)
HEADER = ",".join(families.ROSTER_COLUMNS) + "\n"


def school(n_pupils, out):
    """n_pupils pupils of 15 to 17 with two parents each: register documents and a roster."""
    w = families.World(TODAY)
    start = datetime.date(2009, 1, 1)
    for i in range(n_pupils):
        born = start + datetime.timedelta(days=i % 900)
        mother = w.person(f"MOR{i}", "BENCH", datetime.date(1975, 1, 1) + datetime.timedelta(days=i % 3000), "kvinne")
        father = w.person(f"FAR{i}", "BENCH", datetime.date(1973, 1, 1) + datetime.timedelta(days=i % 3000), "mann")
        child = w.person(f"BARN{i}", "BENCH", born, "kvinne" if i % 2 else "mann")
        for parent, role in ((mother, "mor"), (father, "far")):
            w.child_of(child, parent, role)
            w.responsible(child, parent, "felles")
        w.enrol(f"B{i:05d}", child, [(mother, "yes", "main", "accepted"), (father, "yes", "secondary", "accepted")])
    os.makedirs(os.path.join(out, "freg"), exist_ok=True)
    for p in w.persons:
        with open(os.path.join(out, "freg", p.number + ".json"), "w") as f:
            json.dump(p.document(), f)
    with open(os.path.join(out, "roster.csv"), "w") as f:
        f.write(HEADER)
        for row in w.roster:
            f.write(",".join(row[c] for c in families.ROSTER_COLUMNS) + "\n")
    guardians = [p.number for p in w.persons if p.given.startswith(("MOR", "FAR"))]
    pupils = [p.number for p in w.persons if p.given.startswith("BARN")]
    return pupils, guardians


def ctl(conf, *args, ok=(0,)):
    t0 = time.monotonic()
    p = subprocess.run([paths.tool(), "--config", conf, *args], capture_output=True, text=True)
    dt = time.monotonic() - t0
    if p.returncode not in ok:
        raise RuntimeError(f"foresattctl {' '.join(args)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    return dt, p


def strangers(n, rng):
    return [f"{rng.randrange(10**10, 10**11):011d}" for _ in range(n)]


def run_store(kind, args, tmp, pupils, guardians, pg):
    mp = Maskinporten()
    client = mp.add_client("bench-follow", kid="k1")
    mp.start()
    freg = Freg(os.path.join(tmp, "freg"), maskinporten=mp).start()
    key = os.path.join(tmp, f"mp-{kind}.pem")
    pem = client.private_pem()
    with open(key, "w") as f:
        f.write(pem.decode() if isinstance(pem, bytes) else pem)
    if kind == "pgsql":
        pg.create_database(f"bench_follow_{os.getpid()}")
        store = f'ForesattPlugin st {paths.plugin("store_pgsql")} conninfo="{pg.conninfo(f"bench_follow_{os.getpid()}")}"'
    else:
        store = f"ForesattPlugin st {paths.plugin('store_sqlite')} path={tmp}/bench-{kind}.db"
    conf = os.path.join(tmp, f"foresatt-{kind}.conf")
    with open(conf, "w") as f:
        f.write(f"ForesattPlugin reg {paths.plugin('registry_freg')} base_url={freg.base_url} "
                f"token_url={mp.token_url} client_id=bench-follow key={key} kid=k1 timeout=30\n"
                f"{store}\nForesattRegistry reg\nForesattStore st\n"
                'ForesattPseudonymSecret "a pseudonym secret for the benchmark"\n')
    result = {"store": kind}
    try:
        ctl(conf, "import", os.path.join(tmp, "roster.csv"))
        ctl(conf, "follow", "--once")  # the first round records where the feed is
        rng = random.Random(16)
        school_numbers = pupils + guardians

        def round_with(k):
            touched = rng.sample(school_numbers, k)
            events = [(n, "endringIStatus") for n in strangers(1000 - k, rng)] + \
                     [(n, "endringIForeldreansvar") for n in touched]
            rng.shuffle(events)
            freg.append_events(events)
            before = (freg.numbers_asked, freg.bulk_calls, freg.feed_calls)
            dt, _ = ctl(conf, "follow", "--once")
            return dt, freg.numbers_asked - before[0], freg.bulk_calls - before[1], freg.feed_calls - before[2]

        rows = []
        empty = []
        for _ in range(args.rounds):
            before = freg.feed_calls
            dt, _ = ctl(conf, "follow", "--once")
            empty.append((dt, freg.feed_calls - before))
        rows.append({"touching": "empty round", "seconds": statistics.median(e[0] for e in empty),
                     "looked_up": 0, "lookup_calls": 0, "feed_reads": empty[0][1]})
        for k in (0, 10, 100):
            runs = [round_with(k) for _ in range(args.rounds)]
            rows.append({"touching": k, "seconds": statistics.median(r[0] for r in runs),
                         "looked_up": runs[0][1], "lookup_calls": runs[0][2], "feed_reads": runs[0][3]})
        result["follow"] = rows

        sync = []
        for _ in range(args.rounds):
            before = (freg.numbers_asked, freg.bulk_calls)
            dt, p = ctl(conf, "sync", "--json", ok=(0, 5, 6))
            sync.append((dt, freg.numbers_asked - before[0], freg.bulk_calls - before[1]))
        doc = json.loads(p.stdout)
        dt_apply, _ = ctl(conf, "sync", "--apply", ok=(0, 5, 6))
        result["sync"] = {"pupils": doc["pupils"], "guardians": doc["guardians"],
                          "seconds": statistics.median(s[0] for s in sync), "looked_up": sync[0][1],
                          "lookup_calls": sync[0][2], "changes": doc["changes"], "apply_seconds": dt_apply}
    finally:
        freg.stop()
        mp.stop()
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pupils", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--stores", default="sqlite,pgsql")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fs-bench-follow-")
    pg = None
    results = []
    try:
        t0 = time.monotonic()
        pupils, guardians = school(args.pupils, tmp)
        print(f"school: {len(pupils)} pupils, {len(guardians)} guardians ({time.monotonic() - t0:.1f} s to make)")
        for kind in args.stores.split(","):
            if kind == "pgsql" and pg is None:
                if not os.path.exists(paths.plugin("store_pgsql")):
                    print("pgsql: not built, skipped")
                    continue
                pg = Postgres().start()
            results.append(run_store(kind, args, tmp, pupils, guardians, pg))
    finally:
        if pg:
            pg.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)
    for r in results:
        print(f"\n{r['store']}: foresattctl follow --once, a page of 1000 events (median of {args.rounds})")
        print(f"  {'touching':>12} {'seconds':>8} {'looked up':>10} {'calls':>6} {'feed reads':>11}")
        for row in r["follow"]:
            print(f"  {str(row['touching']):>12} {row['seconds']:8.3f} {row['looked_up']:10d} {row['lookup_calls']:6d} "
                  f"{row['feed_reads']:11d}")
        s = r["sync"]
        print(f"{r['store']}: foresattctl sync, {s['pupils']} pupils and {s['guardians']} guardian numbers: "
              f"{s['seconds']:.2f} s, {s['looked_up']} numbers in {s['lookup_calls']} register calls; "
              f"--apply ({s['changes']} changes) {s['apply_seconds']:.2f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"pupils": args.pupils, "rounds": args.rounds, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
