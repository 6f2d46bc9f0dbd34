"""foresattctl sync: every pupil and guardian the school holds against the register (the
Folkeregister stand-in through registry_freg) in bulk lookups; the report, its exit codes and JSON,
no fødselsnummer without --show-numbers, and --apply with the register's precedence, against both
store plugins."""
import json
import os
import re
import sys

import pytest

from fstest import paths
from fstest.world import World

sys.path.insert(0, os.path.join(paths.SRCDIR, "tests", "standins"))
from freg import Freg  # noqa: E402
from maskinporten import Maskinporten  # noqa: E402

CLIENT = "foresatt-sync"
NUMBER = re.compile(r"(?<!\d)\d{11}(?!\d)")
SECRET = 'ForesattPseudonymSecret "a pseudonym secret for the sync tests"\n'


class Env:
    pass


@pytest.fixture(scope="module", params=["sqlite", "pgsql"])
def env(request, httpd_factory):
    e = Env()
    e.mp = Maskinporten()
    client = e.mp.add_client(CLIENT, kid="k1")
    e.mp.start()
    h = e.h = httpd_factory(name=f"sync-{request.param}")
    e.freg = Freg(os.path.join(h.root, "world", "freg"), maskinporten=e.mp).start()
    pem = client.private_pem()
    key = h.write_file("conf/mp.pem", pem.decode() if isinstance(pem, bytes) else pem)
    reg = (f"ForesattPlugin reg {paths.plugin('registry_freg')} base_url={e.freg.base_url} "
           f"token_url={e.mp.token_url} client_id={CLIENT} key={key} kid=k1 timeout=5")
    store = None
    if request.param == "pgsql":
        pg = request.getfixturevalue("postgres")
        pg.create_database("sync")
        store = f'ForesattPlugin st {paths.plugin("store_pgsql")} conninfo="{pg.conninfo("sync")}"'
    e.w = World(h, registry_line=reg, store_line=store, extra=SECRET)
    yield e
    e.freg.stop()
    e.mp.stop()


def sync(env, *args):
    return env.w.ctl("sync", *args)


def report(env, *args):
    p = sync(env, "--json", *args)
    assert p.returncode in (0, 5, 6), p.stderr
    return p.returncode, json.loads(p.stdout)


def items(doc, kind):
    return [i for i in doc["items"] if i["kind"] == kind]


def test_sync_compares_everyone_in_one_bulk_call_and_applies_nothing_without_apply(env):
    bulk = env.freg.bulk_calls
    p = sync(env)
    assert p.returncode == 5, (p.stdout, p.stderr)
    assert env.freg.bulk_calls == bulk + 1
    assert re.search(r"# sync: 12 pupils and 10 guardian numbers, 22 looked up in 1 register call", p.stdout), p.stdout
    assert "not applied" in p.stdout
    assert not NUMBER.search(p.stdout), "a fødselsnummer in sync's normal output"
    again = sync(env)
    assert again.returncode == 5 and again.stdout == p.stdout  # nothing was applied


def test_sync_lists_what_the_school_must_do(env):
    _, doc = report(env)
    lost = items(doc, "lost_responsibility")
    assert {i["name"] for i in lost} >= {"PER BERG"}
    per = next(i for i in lost if i["name"] == "PER BERG")
    assert per["pupils"] == ["S2001"] and per["for_school"] is True and per["person"].startswith("p-")
    unregistered = items(doc, "unregistered_responsible")
    assert [i["pupils"] for i in unregistered] == [["S6001"]]
    assert unregistered[0]["role"] == "responsible"
    assert not NUMBER.search(json.dumps(doc))
    assert doc["looked_up"] == 22 and doc["lookup_calls"] == 1 and doc["applied"] is False


def test_sync_shows_numbers_only_when_asked(env):
    _, doc = report(env, "--show-numbers")
    per = next(i for i in items(doc, "lost_responsibility") if i["name"] == "PER BERG")
    assert per["person"] == env.w.who("PER BERG")["login"]
    p = sync(env, "--show-numbers")
    assert env.w.who("PER BERG")["login"] in p.stdout


def test_sync_apply_makes_the_register_win_and_a_second_run_finds_nothing_to_apply(env):
    kari = env.w.who("KARI HANSEN")["login"]
    before = export(env, kari)
    assert all(r["address"] is None for r in before)  # the fixtures' roster has no addresses
    rc, doc = report(env, "--apply")
    assert rc == 6 and doc["applied"] is True and doc["changes"] > 0
    assert all(r["address"] == "Testveien 12, 0150 OSLO" for r in export(env, kari))
    mona = env.w.who("MONA STRAND")["login"]
    assert items(doc, "address_protected")[0]["name"] == "MONA STRAND"
    assert all(r["address"] is None for r in export(env, mona))
    rc, doc = report(env)
    assert rc == 6 and doc["changes"] == 0, doc  # only what is the school's to do is left
    assert doc["counts"]["lost_responsibility"] >= 1 and doc["counts"]["address"] == 0
    # a roster import keeps the register's details where it has precedence
    assert env.w.ctl("import", os.path.join(env.w.dir, "roster.csv")).returncode == 0
    rc, doc = report(env)
    assert rc == 6 and doc["changes"] == 0, doc


def test_sync_renamed_guardian_and_a_death(env):
    kari = env.w.who("KARI HANSEN")["login"]
    path = os.path.join(env.w.freg, kari + ".json")
    original = open(path).read()
    d = json.loads(original)
    d["navn"][0]["mellomnavn"] = "MARIE"
    per = env.w.who("PER BERG")["login"]
    per_path = os.path.join(env.w.freg, per + ".json")
    per_original = open(per_path).read()
    p = json.loads(per_original)
    p["status"] = [dict(p["status"][0], status="doed")]
    try:
        env.freg.set_document(kari, d)
        env.freg.set_document(per, p)
        rc, doc = report(env)
        assert rc == 5
        name = items(doc, "name")[0]
        assert (name["was"], name["now"]) == ("KARI HANSEN", "KARI MARIE HANSEN")
        assert [i["name"] for i in items(doc, "deceased")] == ["PER BERG"]
        assert not any(i["name"] == "PER BERG" for i in items(doc, "lost_responsibility"))
        rc, doc = report(env, "--apply")
        assert rc == 6
        assert {r["name"] for r in export(env, kari)} == {"KARI MARIE HANSEN"}
        assert env.w.ctl("purge").returncode == 0
        assert export(env, per) == []
    finally:
        env.freg.set_document(kari, json.loads(original))
        env.freg.set_document(per, json.loads(per_original))
    # the school registers him again and the register has corrected itself: the mark goes
    assert env.w.ctl("import", os.path.join(env.w.dir, "roster.csv")).returncode == 0
    rc, doc = report(env, "--apply")
    assert rc == 6
    assert {r["name"] for r in export(env, kari)} == {"KARI HANSEN"}
    assert env.w.ctl("purge").returncode == 0
    assert export(env, per)


def export(env, number):
    p = env.w.ctl("export", "--guardian", number)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["registrations"]


def test_sync_register_down_applies_nothing(env):
    env.freg.mode, env.freg.retry_after = "429", 3
    try:
        p = sync(env)
    finally:
        env.freg.mode = None
    assert p.returncode == 4 and "nothing was applied" in p.stderr and "try again" in p.stderr, p.stderr


def test_sync_refuses_bad_arguments(env):
    for args in (["--bogus"], ["--today", "2026-13-01"], ["--today"]):
        p = sync(env, *args)
        assert p.returncode == 2, (args, p.stderr)
