"""foresattctl decide: the module's access rule with the configured register and store, for every
scenario tests/fixtures/make-fixtures writes, on several pinned dates (29 February, DST change days)."""
import datetime
import json
import os
import subprocess

import pytest

from fstest import paths


def last_sunday(year, month):
    d = datetime.date(year, month, 31)
    return d - datetime.timedelta(days=(d.weekday() + 1) % 7)


def pinned_dates():
    """Days after today (the roster's consents are given at import, so a day before it would see none):
    soon, the next 29 February, the next DST change days and the next New Year's Day."""
    today = datetime.date.today()
    soon = today + datetime.timedelta(days=3)
    leap = next(datetime.date(y, 2, 29) for y in range(today.year + 1, today.year + 9)
                if y % 4 == 0 and (y % 100 != 0 or y % 400 == 0))
    spring = next(d for d in (last_sunday(y, 3) for y in range(today.year, today.year + 3)) if d > today)
    autumn = next(d for d in (last_sunday(y, 10) for y in range(today.year, today.year + 3)) if d > today)
    return [d.isoformat() for d in (soon, leap, spring, autumn, datetime.date(today.year + 1, 1, 1))]


DATES = pinned_dates()
DAY = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()


def ctl(conf, *args):
    return subprocess.run([paths.tool(), "--config", conf, *args], capture_output=True, text=True, timeout=60)


def make_world(root, today, extra=""):
    """Fixtures for `today`, imported into a fresh SQLite store; returns (config path, scenarios)."""
    os.makedirs(root, exist_ok=True)
    subprocess.run([paths.FIXTURES, "--today", today, "--out", root], check=True, capture_output=True)
    conf = os.path.join(root, "foresatt.conf")
    with open(conf, "w") as f:
        f.write(f"ForesattPlugin reg {paths.plugin('registry_file')} dir={root}/freg\n"
                f"ForesattPlugin st {paths.plugin('store_sqlite')} path={root}/foresatt.db\n"
                "ForesattRegistry reg\nForesattStore st\n" + extra)
    p = ctl(conf, "import", os.path.join(root, "roster.csv"))
    assert p.returncode == 0, p.stderr
    with open(os.path.join(root, "scenarios.json")) as f:
        return conf, json.load(f)["scenarios"]


def parse(out):
    facts = {"pupils": {}, "student": None, "person": None}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "pupil":
            facts["pupils"][f[1]] = "allow" if f[2] == "allow" else f[3]
        elif f[0] == "student":
            facts["student"] = (f[1], f[2])
        elif f[0] == "person":
            facts["person"] = f[1:]
    return facts


@pytest.mark.parametrize("today", DATES)
def test_every_scenario_decides_as_expected(tmp_path, today):
    conf, scenarios = make_world(str(tmp_path), today)
    assert len(scenarios) >= 14
    for s in scenarios:
        p = ctl(conf, "decide", "--as", s["login"], "--today", today)
        assert p.returncode == 0, p.stderr
        facts = parse(p.stdout)
        # no number but the one typed
        for token in p.stdout.replace("\t", " ").split():
            assert not (token.isdigit() and len(token) == 11 and token != s["login"]), p.stdout
        if s.get("role") == "student":
            assert facts["student"] == (s["student_id"], "enrolled"), (s["who"], p.stdout)
            assert all(v != "allow" for v in facts["pupils"].values()), (s["who"], p.stdout)
            continue
        if s.get("registry") == "not_found":
            assert facts["person"] == ["not-in-register"], p.stdout
        assert facts["pupils"] == s["expect"], (today, s["who"], p.stdout)
        # the same answer pupil by pupil
        for sid, want in s["expect"].items():
            q = ctl(conf, "decide", "--as", s["login"], "--pupil", sid, "--today", today)
            assert q.returncode == 0, q.stderr
            assert parse(q.stdout)["pupils"] == {sid: want}, (today, s["who"], sid, q.stdout)


def test_explains_in_words_and_names_the_person(tmp_path):
    conf, scenarios = make_world(str(tmp_path), DAY)
    kari = next(s for s in scenarios if s["who"] == "KARI HANSEN")
    p = ctl(conf, "decide", "--as", kari["login"], "--today", DAY)
    assert "person\tin-register\tKARI HANSEN" in p.stdout
    line = next(l for l in p.stdout.splitlines() if l.startswith("pupil\tS1003\t"))
    assert f"came of age on {DAY}" in line and "no consent" in line
    tor = next(s for s in scenarios if s["who"] == "TOR LIE")
    p = ctl(conf, "decide", "--as", tor["login"], "--today", DAY)
    assert "refused the use of the number" in p.stdout


def test_pupil_outside_the_candidates(tmp_path):
    conf, scenarios = make_world(str(tmp_path), DAY)
    ingrid = next(s for s in scenarios if s["who"] == "INGRID BERG")
    p = ctl(conf, "decide", "--as", ingrid["login"], "--pupil", "S1001", "--today", DAY)
    assert p.returncode == 0
    assert parse(p.stdout)["pupils"] == {"S1001": "no_parental_responsibility"}
    p = ctl(conf, "decide", "--as", ingrid["login"], "--pupil", "S9999", "--today", DAY)
    assert parse(p.stdout)["pupils"] == {"S9999": "unknown_student"}


def test_school_registration_can_be_turned_off(tmp_path):
    conf, scenarios = make_world(str(tmp_path), DAY, "ForesattRequireSchoolRegistration off\n")
    tor = next(s for s in scenarios if s["who"] == "TOR LIE")
    p = ctl(conf, "decide", "--as", tor["login"], "--today", DAY)
    assert parse(p.stdout)["pupils"] == {"S6001": "allow"}


def shift(day, days):
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=days)).isoformat()


def test_the_day_decides(tmp_path):
    conf, scenarios = make_world(str(tmp_path), DAY)
    kari = next(s for s in scenarios if s["who"] == "KARI HANSEN")
    before = parse(ctl(conf, "decide", "--as", kari["login"], "--today", shift(DAY, -1)).stdout)["pupils"]
    on = parse(ctl(conf, "decide", "--as", kari["login"], "--today", DAY).stdout)["pupils"]
    # MAJA's responsibility entry already ended at 18 (the register says so), so the day before her
    # birthday it counts for nothing: the rule trusts the register's end over the calendar.
    assert on["S1003"] == "adult_without_consent"
    assert before["S1003"] == "no_parental_responsibility"
    # SOFIE turns 18 tomorrow: allowed today, adult the day after
    after = parse(ctl(conf, "decide", "--as", kari["login"], "--today", shift(DAY, 1)).stdout)["pupils"]
    assert on["S1002"] == "allow" and after["S1002"] == "adult_without_consent"


@pytest.mark.parametrize("args,code,words", [
    (["decide"], 2, "--as"),
    (["decide", "--as"], 2, "missing value"),
    (["decide", "--as", "20036914701"], 1, "not a valid"),
    (["decide", "--as", "20036914700", "--today", "2026-02-30"], 1, "YYYY-MM-DD"),
    (["decide", "--as", "20036914700", "--bogus", "x"], 2, "unknown argument"),
])
def test_usage_errors(tmp_path, args, code, words):
    conf, _ = make_world(str(tmp_path), DAY)
    p = ctl(conf, *args)
    assert p.returncode == code, p.stderr
    assert words in p.stderr


def test_store_down_is_a_backend_failure(tmp_path):
    conf, scenarios = make_world(str(tmp_path), DAY)
    os.chmod(tmp_path / "foresatt.db", 0)
    if os.geteuid() == 0:
        # root reads anything: replace the database with garbage instead
        (tmp_path / "foresatt.db").write_bytes(b"not a database" * 100)
        for extra in ("foresatt.db-wal", "foresatt.db-shm"):
            if (tmp_path / extra).exists():
                (tmp_path / extra).unlink()
    p = ctl(conf, "decide", "--as", scenarios[0]["login"])
    assert p.returncode in (3, 4), p.stdout + p.stderr
