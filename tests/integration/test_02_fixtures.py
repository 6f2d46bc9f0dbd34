# Copyright 2026 The mod_foresatt authors
# SPDX-License-Identifier: Apache-2.0
"""tests/fixtures/make-fixtures, the synthetic world the other tests, the demo and bench/ stand on:
every number valid to the module's own validator and encoding its person's birth date and sex; the
records on both sides of a relation agree; on every day of a leap year and a half (29 February, the
DST changes) the pupils are as old as the expected decisions say and the register ends a parent's
responsibility at midnight in Oslo on the 18th birthday; bad arguments write nothing; one day gives
the same files every time and replaces another day's. Where an older generator of the same families
exists beside the checkout (shared/fixtures), both must expect the same decisions: skipped otherwise."""
import csv
import datetime
import json
import os
import subprocess
import sys

import pytest

from fstest import paths

sys.path.insert(0, paths.FIXTURES_DIR)
import families  # noqa: E402

from zoneinfo import ZoneInfo  # noqa: E402

OSLO = ZoneInfo("Europe/Oslo")
DAY = "2026-12-01"


def make(out, today=DAY, *extra):
    return subprocess.run([paths.FIXTURES, "--today", today, "--out", str(out), *extra], capture_output=True,
                          text=True, timeout=60)


def load(out):
    docs = {}
    for name in os.listdir(out / "freg"):
        docs[name[:-5]] = json.loads((out / "freg" / name).read_text(encoding="utf-8"))
    with open(out / "roster.csv", newline="", encoding="utf-8") as f:
        roster = list(csv.DictReader(f))
    scenarios = json.loads((out / "scenarios.json").read_text(encoding="utf-8"))
    return docs, roster, scenarios


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("fixtures")
    p = make(out)
    assert p.returncode == 0, p.stderr
    return load(out)


def age(born, today):
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- the numbers ---------------------------------------------------------------------------------

def test_every_number_is_valid_synthetic_and_encodes_its_person(world):
    docs, roster, scenarios = world
    numbers = set(docs) | {r["student_fnr"] for r in roster} | {r["guardian_fnr"] for r in roster if r["guardian_fnr"]} \
        | {s["login"] for s in scenarios["scenarios"]}
    assert len(docs) >= 20
    for n in sorted(numbers):
        p = subprocess.run([paths.tool(), "check-id", n], capture_output=True, text=True, timeout=10)
        assert p.returncode == 0, (n, p.stdout)
        kind = p.stdout.strip()
        assert kind in ("synthetic", "synthetic dnr"), (n, kind)   # month + 80: no real person's
        if n not in docs:
            continue
        doc = docs[n]
        ident = doc["identifikasjonsnummer"][0]
        assert ident["foedselsEllerDNummer"] == n and ident["status"] == "iBruk"
        assert (ident["identifikatortype"] == "dNummer") == (kind == "synthetic dnr"), n
        born = datetime.date.fromisoformat(doc["foedsel"][0]["foedselsdato"])
        day = int(n[0:2]) - (40 if kind.endswith("dnr") else 0)
        assert (day, int(n[2:4]) - 80, int(n[4:6])) == (born.day, born.month, born.year % 100), n
        individual = int(n[6:9])
        assert (individual < 500) == (born.year < 2000), n      # the century is in the individual number
        assert individual % 2 == (1 if doc["kjoenn"][0]["kjoenn"] == "mann" else 0), n
    assert len({s["login"] for s in scenarios["scenarios"]}) == len(scenarios["scenarios"])


def test_the_unknown_login_is_not_in_the_register(world):
    docs, _, scenarios = world
    unknown = [s for s in scenarios["scenarios"] if s.get("registry") == "not_found"]
    assert unknown and all(s["login"] not in docs for s in unknown)
    assert all(s["login"] in docs for s in scenarios["scenarios"] if s.get("registry") != "not_found")


# --- the register's records ----------------------------------------------------------------------

def test_both_sides_of_every_relation_agree(world):
    docs, _, _ = world
    for number, doc in docs.items():
        for r in doc.get("familierelasjon", []):
            other = docs[r["relatertPerson"]]
            back = [x for x in other.get("familierelasjon", []) if x["relatertPerson"] == number]
            assert back and back[0]["relatertPersonsRolle"] == r["minRolleForPerson"], number
            assert back[0]["minRolleForPerson"] == r["relatertPersonsRolle"], number
        for e in doc.get("foreldreansvar", []):
            assert number in (e["ansvarssubjekt"], e["ansvarlig"])
            other = docs[e["ansvarlig"] if number == e["ansvarssubjekt"] else e["ansvarssubjekt"]]
            assert e in other["foreldreansvar"], number
            assert e["erGjeldende"] == ("opphoerstidspunkt" not in e), number


def test_roster_matches_the_register(world):
    docs, roster, _ = world
    assert list(roster[0].keys()) == list(families.ROSTER_COLUMNS)
    for r in roster:
        child = docs[r["student_fnr"]]
        if r["fnr_use"] == "refused":
            assert r["guardian_fnr"] == ""
            continue
        g = docs[r["guardian_fnr"]]
        assert r["guardian_name"] == f'{g["navn"][0]["fornavn"]} {g["navn"][0]["etternavn"]}'
        related = {x["relatertPerson"] for x in child.get("familierelasjon", [])} | \
                  {e["ansvarlig"] for e in child.get("foreldreansvar", [])}
        assert r["guardian_fnr"] in related, r   # the school registers people the register links to the child


# --- ages on every day ---------------------------------------------------------------------------

def days(first, last):
    d = first
    while d <= last:
        yield d
        d += datetime.timedelta(days=1)


def test_ages_and_ends_of_responsibility_on_every_day():
    """From 1 June 2027 to 31 December 2028: 29 February 2028 and the DST changes of both years."""
    for today in days(datetime.date(2027, 6, 1), datetime.date(2028, 12, 31)):
        w = families.build(today)
        by_name = {p.name: p for p in w.persons}
        born = {p.number: p.born for p in w.persons}
        sofie, maja = by_name["SOFIE HANSEN"].born, by_name["MAJA HANSEN"].born
        # 18 tomorrow and 18 today; nobody turns 18 on 29 February (18 years earlier was a common
        # year), so then the nearest birthday is a day further off
        tomorrow, yesterday = today + datetime.timedelta(days=1), today - datetime.timedelta(days=1)
        leap_day_between = (2, 29) in ((tomorrow.month, tomorrow.day), (today.month, today.day))
        assert age(sofie, today) == 17, today
        assert age(sofie, tomorrow) == 18 or (leap_day_between and age(sofie, tomorrow + (tomorrow - today)) == 18), today
        assert age(maja, today) == 18, today
        assert age(maja, yesterday) == 17 or (today.month, today.day) == (2, 29), today
        consent = {r["student_id"] for r in w.roster if r["consent_extended"] == "yes"}
        pupil = {r["student_id"]: r["student_fnr"] for r in w.roster}
        for s in w.scenarios:
            for sid, outcome in s.get("expect", {}).items():
                years = age(born[pupil[sid]], today)
                if outcome == families.ADULT:
                    assert years >= 18 and sid not in consent, (today, s["who"], sid)
                elif outcome == families.ALLOW:
                    assert years < 18 or sid in consent, (today, s["who"], sid)
        for p in w.persons:
            for e in p.responsibility:
                if e["ansvarssubjekt"] != p.number or e["erGjeldende"] or e["ansvar"] != "felles":
                    continue
                if p.family == "DAHL":
                    continue   # ended by the register, not by age
                end = datetime.datetime.strptime(e["opphoerstidspunkt"], "%Y-%m-%dT%H:%M:%SZ")
                local = end.replace(tzinfo=datetime.timezone.utc).astimezone(OSLO)
                assert (local.hour, local.minute, local.second) == (0, 0, 0), (today, p.name, e)
                month_of = datetime.date(p.born.year + 18, p.born.month, 1)
                came_of_age = next(d for d in days(month_of, today) if age(p.born, d) == 18)
                assert local.date() == came_of_age, (today, p.name, e)


# --- the command ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args,words", [
    (["--today", "2026-02-30"], "not a date"),
    (["--today", "1.12.2026"], "not a date"),
    (["--today", "20261201"], "not a date"),
    (["--today", "2099-06-01"], "no identity numbers"),
])
def test_bad_arguments_write_nothing(tmp_path, args, words):
    out = tmp_path / "out"
    p = subprocess.run([paths.FIXTURES, *args, "--out", str(out)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2, p.stdout + p.stderr
    assert words in p.stderr
    assert not out.exists()


def test_one_day_gives_the_same_files_and_replaces_another_day(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert make(a, "2028-02-29").returncode == 0
    assert make(b, DAY).returncode == 0
    p = make(b, "2028-02-29")
    assert p.returncode == 0 and "for 2028-02-29" in p.stdout
    assert sorted(os.listdir(a / "freg")) == sorted(os.listdir(b / "freg"))
    for name in ("roster.csv", "scenarios.json", *(f"freg/{n}" for n in os.listdir(a / "freg"))):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert not [n for n in os.listdir(b / "freg") if not n.endswith(".json")]
    assert make(tmp_path / "c", DAY, "--quiet").stdout == ""


# --- the optional cross-check --------------------------------------------------------------------

def older_generator():
    """shared/fixtures/make-freg-fixtures beside the checkout (or beside a worktree's folder), if any."""
    for up in ("..", os.path.join("..", "..")):
        path = os.path.abspath(os.path.join(paths.SRCDIR, up, "shared", "fixtures", "make-freg-fixtures"))
        if os.path.isfile(path):
            return path
    return None


@pytest.mark.skipif(older_generator() is None, reason="no shared/fixtures generator beside the checkout")
@pytest.mark.parametrize("today", [DAY, "2028-02-28", "2028-02-29", "2028-03-01", "2027-03-28", "2027-10-31"])
def test_cross_check_with_the_older_generator(tmp_path, today):
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    assert make(mine, today).returncode == 0
    subprocess.run(["/usr/bin/python3", older_generator(), "--today", today, "--out", str(theirs)], check=True,
                   capture_output=True, timeout=60)
    docs, roster, scenarios = load(mine)
    their_docs, their_roster, their_scenarios = load(theirs)

    def decisions(ss):
        return {s["who"]: {k: v for k, v in s.items() if k != "login"} for s in ss["scenarios"]}
    assert decisions(scenarios) == decisions(their_scenarios)

    def births(ds):
        return {f'{d["navn"][0]["fornavn"]} {d["navn"][0]["etternavn"]}': d["foedsel"][0]["foedselsdato"]
                for d in ds.values()}
    assert births(docs) == births(their_docs)

    def rows(rs):
        return [{k: v for k, v in r.items() if not k.endswith("_fnr")} for r in rs]
    assert rows(roster) == rows(their_roster)
