"""foresattctl's store commands against both backends: import (good, bad and re-imported rosters),
purge on pinned dates, paper-list, export, audit filters, exit codes, and no numbers in the output."""
import csv
import io
import json
import os
import re
import resource
import sqlite3
import subprocess

import pytest

from fstest import paths
from fstest.roster import ADDRESS, write_roster
from fstest.store import make_fixtures, new_store

TODAY = "2026-12-01"
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    d = tmp_path_factory.mktemp("fixtures")
    roster = make_fixtures(d, TODAY)
    # the roster's time is its mtime: a day before the pinned date
    os.utime(roster, (1795996800, 1795996800))  # 2026-11-30T00:00:00Z
    with open(roster, encoding="utf-8") as f:
        text = f.read()
    rows = list(csv.DictReader(io.StringIO(text)))
    return {"dir": str(d), "roster": roster, "text": text, "rows": rows,
            "number": {r["guardian_name"]: r["guardian_fnr"] for r in rows if r["guardian_fnr"]}}


@pytest.fixture(params=["sqlite", "pgsql"])
def store(request, tmp_path):
    postgres = request.getfixturevalue("postgres") if request.param == "pgsql" else None
    return new_store(request.param, tmp_path, postgres)


def ctl(conf, *args):
    return subprocess.run([paths.tool(), "--config", conf, *args], capture_output=True, text=True, timeout=120)


def no_numbers(p):
    found = ELEVEN_DIGITS.findall(p.stdout + p.stderr)
    assert not found, f"an identity number was printed:\n{p.stdout}{p.stderr}"


def snapshot(store):
    """Everything the store holds, for 'nothing changed' checks."""
    return [store.sql("SELECT pupil_id, number, school, enrollment, consent_given_at, updated_at FROM pupil "
                      "ORDER BY pupil_id"),
            store.sql("SELECT pupil_id, gkey, name, phone, emails, imported_at, daily_care, addressee FROM guardian "
                      "ORDER BY pupil_id, gkey"),
            store.sql("SELECT value FROM revision")]


def imported(store, fixtures, tmp_path, extra=""):
    conf = store.write_config(tmp_path, extra)
    p = ctl(conf, "import", fixtures["roster"])
    assert p.returncode == 0, p.stderr
    return conf


# --- import -------------------------------------------------------------------------------------

def test_import_and_reimport(store, fixtures, tmp_path):
    conf = store.write_config(tmp_path)
    p = ctl(conf, "import", fixtures["roster"])
    assert p.returncode == 0, p.stderr
    assert "20 rows, 12 students" in p.stdout
    assert "students: 12 added, 0 updated" in p.stdout
    assert "guardians: 20 added, 0 updated, 0 removed" in p.stdout
    no_numbers(p)
    assert store.sql("SELECT count(*) FROM pupil") == "12"
    assert store.sql("SELECT count(*) FROM guardian") == "20"
    assert store.sql("SELECT count(*) FROM guardian WHERE number IS NULL") == "1"  # TOR LIE refused
    assert store.sql("SELECT count(*) FROM pupil WHERE consent_given_at = 1795996800") == "1"  # S1005
    before = snapshot(store)
    p = ctl(conf, "import", fixtures["roster"])
    assert p.returncode == 0, p.stderr
    assert "students: 0 added, 0 updated" in p.stdout
    assert "guardians: 0 added, 0 updated, 0 removed" in p.stdout
    assert snapshot(store) == before


def test_import_applies_a_changed_roster(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    text = fixtures["text"].replace("+4791234567,kari@example.no", "+4790000001,kari@example.no;k@x.no")
    text = "\n".join(line for line in text.splitlines() if "OLA HANSEN" not in line) + "\n"
    text = text.replace("S4002,", "S4002X,")  # a new student id for Eva
    changed = tmp_path / "changed.csv"
    changed.write_text(text.replace(",S4002X", ",S4002X"), encoding="utf-8")
    p = ctl(conf, "import", str(changed))
    assert p.returncode == 0, p.stderr
    assert "guardians: 1 added, 5 updated, 5 removed" in p.stdout  # Kari x5 updated; Ola x5 gone; Eva's new
    assert store.sql("SELECT count(*) FROM guardian WHERE name = 'OLA HANSEN'") == "0"
    assert store.sql("SELECT DISTINCT emails FROM guardian WHERE name = 'KARI HANSEN'") == "kari@example.no;k@x.no"
    assert store.sql("SELECT count(*) FROM pupil WHERE pupil_id = 'S4002'") == "1"  # not in the file: kept


def test_fully_quoted_roster_imports_in_linear_memory(tmp_path):
    """Every field quoted once made the reader allocate the rest of the file per field: 5,000 rows
    needed tens of GB of address space and crashed under a limit. Under 512 MB of address space the
    import completes with every row and every quoted value intact. (A sanitizer build reserves
    terabytes of shadow memory, so there the import runs without the limit; bench/roster_memory.py
    measures the peak.)"""
    store = new_store("sqlite", tmp_path)
    roster = tmp_path / "quoted.csv"
    ids = write_roster(str(roster), 5000, quoted=True)
    conf = store.write_config(tmp_path)

    def limit():
        if not paths.SANITIZER_PRELOAD:
            resource.setrlimit(resource.RLIMIT_AS, (512 << 20, 512 << 20))

    p = subprocess.run([paths.tool(), "--config", conf, "import", str(roster)], capture_output=True, text=True,
                       timeout=300, preexec_fn=limit)
    assert p.returncode == 0, (p.returncode, p.stderr[-2000:])
    assert "5000 rows, 2500 students" in p.stdout
    assert "guardians: 5000 added, 0 updated, 0 removed" in p.stdout
    no_numbers(p)
    assert store.sql("SELECT count(*) FROM pupil") == "2500"
    assert store.sql(f"SELECT count(*) FROM guardian WHERE pupil_id = '{ids[-1]}'") == "2"
    con = sqlite3.connect(store.params.split("=", 1)[1])
    try:
        addresses = dict(con.execute("SELECT pupil_id, address FROM guardian WHERE name LIKE '% 0'").fetchall())
    finally:
        con.close()
    assert addresses[ids[0]] == ADDRESS.format(i=0) and addresses[ids[-1]] == ADDRESS.format(i=len(ids) - 1)


def rejected_roster(fixtures, edit):
    return edit(fixtures["text"])


BAD = [
    ("bad-check-digits", lambda t: t.replace(t.split("\n")[1].split(",")[1], t.split("\n")[1].split(",")[1][:10] +
                                             str((int(t.split("\n")[1].split(",")[1][10]) + 1) % 10), 1),
     [":2: student_fnr is not a valid fødselsnummer or D-nummer"]),
    ("unknown-status", lambda t: t.replace(",active,", ",gone,", 1), [":2: status must be active, left or completed"]),
    ("missing-id", lambda t: t.replace("\nS1001,", "\n,", 1), [":2: student_id is empty"]),
    ("refused-with-number", lambda t: t.replace("secondary,accepted", "secondary,refused", 1),
     [":3: guardian_fnr must be empty when fnr_use is refused"]),
    ("accepted-without-number", lambda t: re.sub(r"\nS1001,(\d+),OSLO-VGS-01,active,,\d+,", r"\nS1001,\1,OSLO-VGS-01,active,,,", t, 1),
     [":2: guardian_fnr is empty, but fnr_use is accepted"]),
    ("bad-yes-no", lambda t: t.replace(",yes,yes,main,", ",ja,yes,main,", 1), [":2: daily_care must be yes or no"]),
    ("bad-addressee", lambda t: t.replace(",main,", ",primary,", 1), [":2: addressee must be main, secondary or empty"]),
    ("bad-email", lambda t: t.replace("kari@example.no", "kari.example.no", 1), [":2: guardian_email address 1"]),
    ("missing-column", lambda t: t.replace("fnr_use", "fnr_usage", 1),
     [":1: unknown column 'fnr_usage'", ":1: fnr_use is missing from the header"]),
    ("invalid-utf8", lambda t: t.replace("KARI HANSEN", "KARI H\udcf8NSEN", 1), [":2: invalid UTF-8"]),
    ("stray-quote", lambda t: t.replace("KARI HANSEN", 'KARI "K" HANSEN', 1), [":2: a quote inside an unquoted field"]),
    ("unclosed-quote", lambda t: t.replace("KARI HANSEN", '"KARI HANSEN', 1), [":2: a quoted field opened on line 2"]),
    ("student-disagrees", lambda t: t.replace("S1002,", "S1001,", 1), ["student_id given on line 2 with a different"]),
    ("same-guardian-twice", lambda t: t + t.split("\n")[1] + "\n", [":22: the same guardian is registered"]),
    ("several-problems", lambda t: t.replace(",active,", ",gone,", 2).replace("\nS1005,", "\n,", 1),
     [":2: status", ":3: status", "student_id is empty", ":10: student_id is empty", "rejected (3 problems)"]),
]


@pytest.mark.parametrize("name,edit,words", BAD, ids=[b[0] for b in BAD])
def test_bad_roster_changes_nothing(store, fixtures, tmp_path, name, edit, words):
    conf = imported(store, fixtures, tmp_path)
    before = snapshot(store)
    bad = tmp_path / f"{name}.csv"
    bad.write_bytes(edit(fixtures["text"]).encode("utf-8", "surrogateescape"))
    p = ctl(conf, "import", str(bad))
    assert p.returncode == 1, p.stdout + p.stderr
    for w in words:
        assert w in p.stderr, f"{w!r} not in:\n{p.stderr}"
    assert "nothing was imported" in p.stderr
    no_numbers(p)
    assert snapshot(store) == before


def test_bad_roster_into_empty_store(store, fixtures, tmp_path):
    conf = store.write_config(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text(fixtures["text"] + "S9999,12345678901,X,active,,,,,,,,,\n", encoding="utf-8")
    p = ctl(conf, "import", str(bad))
    assert p.returncode == 1
    assert ":22: student_fnr is not a valid" in p.stderr
    ctl(conf, "audit")  # opens the store: the schema exists, the data does not
    assert store.sql("SELECT count(*) FROM pupil") == "0"


def test_import_dry_run(store, fixtures, tmp_path):
    conf = store.write_config(tmp_path)
    p = ctl(conf, "import", "--dry-run", fixtures["roster"])
    assert p.returncode == 0, p.stderr
    assert "is valid: 20 rows, 12 students (dry run: nothing imported)" in p.stdout
    ctl(conf, "audit")
    assert store.sql("SELECT count(*) FROM pupil") == "0"


def test_import_shows_contact_conflicts(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    kari = fixtures["number"]["KARI HANSEN"]
    store.sql(f"INSERT INTO contact_edit VALUES ('{kari}', '+4798765432', 'kari@new.no', 1796083200)")
    p = ctl(conf, "import", fixtures["roster"])
    assert p.returncode == 0, p.stderr
    assert "contact conflicts: 5" in p.stdout
    assert "conflict: student S1001, guardian KARI HANSEN: the guardian's own phone/e-mail " \
           "(2026-12-01T00:00:00Z) is newer than and stays in effect over the roster's (2026-11-30T00:00:00Z)" \
        in p.stdout
    no_numbers(p)
    out = json.loads(ctl(conf, "export", "--guardian", kari).stdout)
    assert {r["phone"] for r in out["registrations"]} == {"+4798765432"}


def test_import_time_option(store, fixtures, tmp_path):
    # a roster copied without its time: --time says when the school exported it
    conf = store.write_config(tmp_path)
    p = ctl(conf, "import", "--time", "2026-11-15T08:30:00Z", fixtures["roster"])
    assert p.returncode == 0, p.stderr
    assert store.sql("SELECT DISTINCT imported_at FROM guardian") == "1794731400"
    p = ctl(conf, "import", "--time", "2026-11-16", fixtures["roster"])  # 00:00 Oslo = 23:00 UTC the day before
    assert p.returncode == 0
    assert store.sql("SELECT DISTINCT imported_at FROM guardian") == "1794731400"  # unchanged values keep their time
    for bad in ("yesterday", "2026-11-15T08:30:00", "2026-11-15T25:00:00Z", "2026-02-30"):
        assert ctl(conf, "import", "--time", bad, fixtures["roster"]).returncode == 2, bad


# --- purge --------------------------------------------------------------------------------------

def test_purge_on_pinned_dates(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    before = snapshot(store)
    p = ctl(conf, "purge", "--dry-run", "--today", TODAY)
    assert p.returncode == 0, p.stderr
    # S4001 left; S1003 (18 today) and S1004 adults without consent; S1005 has consent
    assert "students checked: 12 (left or completed: 1; 18 or older without consent: 2)" in p.stdout
    assert "guardian data to delete: 3 students, 5 guardian rows" in p.stdout
    assert "dry run: nothing deleted" in p.stdout
    assert snapshot(store) == before
    p = ctl(conf, "purge", "--today", TODAY)
    assert p.returncode == 0, p.stderr
    assert "guardian data deleted: 3 students, 5 guardian rows" in p.stdout
    no_numbers(p)
    left = store.sql("SELECT string_agg(DISTINCT pupil_id, ',' ORDER BY pupil_id) FROM guardian") if \
        store.kind == "pgsql" else store.sql("SELECT group_concat(pupil_id) FROM "
                                             "(SELECT DISTINCT pupil_id FROM guardian ORDER BY pupil_id)")
    assert left == "S1001,S1002,S1005,S2001,S3001,S4002,S5001,S6001,S7001"
    assert store.sql("SELECT count(*) FROM pupil") == "12"  # the students stay
    p = ctl(conf, "purge", "--today", TODAY)
    assert "guardian data deleted: 0 students, 0 guardian rows" in p.stdout
    # the next day Sofie (S1002) is 18 without consent
    p = ctl(conf, "purge", "--today", "2026-12-02")
    assert "guardian data deleted: 1 students, 2 guardian rows" in p.stdout


def test_purge_birth_dates_from_the_register(store, fixtures, tmp_path):
    reg = f"ForesattPlugin reg {paths.plugin('registry_file')} dir={fixtures['dir']}/freg\nForesattRegistry reg\n"
    conf = imported(store, fixtures, tmp_path, reg)
    p = ctl(conf, "purge", "--dry-run", "--today", TODAY)
    assert p.returncode == 0, p.stderr
    assert "birth dates from: the register" in p.stdout
    assert "guardian data to delete: 3 students, 5 guardian rows" in p.stdout
    # the register's birth date wins over the number's: make Emma (S1001) 20 in the register
    emma = next(r["student_fnr"] for r in fixtures["rows"] if r["student_id"] == "S1001")
    path = os.path.join(fixtures["dir"], "freg", emma + ".json")
    with open(path) as f:
        doc = json.load(f)
    saved = json.dumps(doc)
    doc["foedsel"][0]["foedselsdato"] = "2006-01-01"
    with open(path, "w") as f:
        json.dump(doc, f)
    try:
        p = ctl(conf, "purge", "--dry-run", "--today", TODAY)
        assert "18 or older without consent: 3" in p.stdout
    finally:
        with open(path, "w") as f:
            f.write(saved)


def test_purge_consents_and_audit_retention(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path, "ForesattAuditRetention 1 year\n")
    # consent of S2001 ended yesterday; S3001's was revoked; two audit entries old, one recent
    store.sql("UPDATE pupil SET consent_given_at = 1700000000, consent_until = 1795996800 WHERE pupil_id = 'S2001'")
    store.sql("UPDATE pupil SET consent_given_at = 1700000000, consent_revoked_at = 1750000000 "
              "WHERE pupil_id = 'S3001'")
    store.sql("INSERT INTO audit (at, actor, role, pupil_id, action, decision) VALUES "
              "(1700000000, 'ps:a', 1, 'S1001', 'access', 'allow'), (1733011200, 'ps:b', 1, 'S1001', 'access', 'deny'),"
              "(1779926400, 'ps:c', 1, 'S1001', 'access', 'allow')")
    p = ctl(conf, "purge", "--today", TODAY)
    assert p.returncode == 0, p.stderr
    assert "ended consents deleted: 2" in p.stdout
    assert "audit entries deleted: 2 (older than 2025-12-01; ForesattAuditRetention 1 year)" in p.stdout
    assert store.sql("SELECT actor FROM audit") == "ps:c"


def test_purge_without_retention_keeps_audit(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    store.sql("INSERT INTO audit (at, actor, role, action, decision) VALUES (1000000000, 'ps:old', 1, 'x', 'ok')")
    p = ctl(conf, "purge", "--today", TODAY)
    assert "no ForesattAuditRetention: audit entries are kept" in p.stdout
    assert store.sql("SELECT count(*) FROM audit") == "1"


# --- paper-list, export, audit ------------------------------------------------------------------

def paper(p):
    assert p.returncode == 0, p.stderr
    return list(csv.DictReader(io.StringIO(p.stdout)))


def test_paper_list(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    rows = paper(ctl(conf, "paper-list", "--today", TODAY))
    assert rows == [{"student_id": "S6001", "school": "OSLO-VGS-01", "guardian_name": "TOR LIE",
                     "addressee": "secondary", "daily_care": "yes", "parental_responsibility": "yes",
                     "address": "", "address_source": "none"}]


def test_paper_list_addresses(store, fixtures, tmp_path):
    # Mona Strand refuses too: her son's address is strictly confidential and must never be printed.
    # Tor Lie's roster row carries an address; the register fills in where the roster has none.
    text = fixtures["text"].replace("MONA STRAND,+4791234567,mona@example.no,yes,yes,main,accepted",
                                    "MONA STRAND,+4791234567,mona@example.no,yes,yes,main,refused")
    text = re.sub(r"(S5001,\d+,OSLO-VGS-01,active,,)\d+,", r"\1,", text)
    lines = text.splitlines()
    lines[0] += ",guardian_address"
    lines = [line + (',"Gata 1, 0150 OSLO"' if "TOR LIE" in line else ",") for line in lines[:1]] + \
            [line + (',"Gata 1, 0150 OSLO"' if "TOR LIE" in line else ",") for line in lines[1:]]
    lines[0] = lines[0][:-1]
    roster = tmp_path / "roster-addr.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = f"ForesattPlugin reg {paths.plugin('registry_file')} dir={fixtures['dir']}/freg\nForesattRegistry reg\n"
    conf = store.write_config(tmp_path, reg)
    p = ctl(conf, "import", str(roster))
    assert p.returncode == 0, p.stderr
    p = ctl(conf, "paper-list", "--today", TODAY)
    rows = {r["guardian_name"]: r for r in paper(p)}
    assert rows["TOR LIE"]["address"] == "Gata 1, 0150 OSLO" and rows["TOR LIE"]["address_source"] == "roster"
    assert rows["MONA STRAND"]["address"] == "" and rows["MONA STRAND"]["address_source"] == "protected"
    assert "Skjultveien" not in p.stdout
    no_numbers(p)
    # without the roster's address the register's (ungraded) address of the student is used
    roster.write_text("\n".join(lines).replace('"Gata 1, 0150 OSLO"', "") + "\n", encoding="utf-8")
    assert ctl(conf, "import", str(roster)).returncode == 0
    rows = {r["guardian_name"]: r for r in paper(ctl(conf, "paper-list", "--today", TODAY))}
    assert rows["TOR LIE"]["address"] == "Testveien 12, 0150 OSLO"
    assert rows["TOR LIE"]["address_source"] == "register-student"
    # a guardian without daily care lives elsewhere: the student's address is not theirs
    roster.write_text("\n".join(lines).replace('"Gata 1, 0150 OSLO"', "").replace(
        "TOR LIE,+4791234567,tor@example.no,yes,", "TOR LIE,+4791234567,tor@example.no,no,") + "\n", encoding="utf-8")
    assert ctl(conf, "import", str(roster)).returncode == 0
    rows = {r["guardian_name"]: r for r in paper(ctl(conf, "paper-list", "--today", TODAY))}
    assert rows["TOR LIE"]["daily_care"] == "no"
    assert rows["TOR LIE"]["address"] == "" and rows["TOR LIE"]["address_source"] == "none"


def test_paper_list_leaves_out_students_not_informed(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    store.sql("UPDATE pupil SET enrollment = 2 WHERE pupil_id = 'S6001'")
    assert paper(ctl(conf, "paper-list", "--today", TODAY)) == []
    assert len(paper(ctl(conf, "paper-list", "--all", "--today", TODAY))) == 1


def test_export(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    kari = fixtures["number"]["KARI HANSEN"]
    p = ctl(conf, "export", "--guardian", kari)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["guardian"] == kari
    assert [r["student_id"] for r in doc["registrations"]] == ["S1001", "S1002", "S1003", "S1004", "S1005"]
    r = doc["registrations"][0]
    assert r["name"] == "KARI HANSEN" and r["school"] == "OSLO-VGS-01" and r["student_enrollment"] == "active"
    assert r["phone"] == "+4791234567" and r["emails"] == ["kari@example.no"]
    assert r["imported_at"] == "2026-11-30T00:00:00Z" and r["edited_at"] is None
    assert r["daily_care"] is True and r["addressee"] == "main" and r["fnr_use"] == "accepted"
    # the children's numbers are not the guardian's data
    emma = next(x["student_fnr"] for x in fixtures["rows"] if x["student_id"] == "S1001")
    assert emma not in p.stdout
    # a number the store does not know: an empty answer; an invalid one: exit 1
    p = ctl(conf, "export", "--guardian", "20036914700")
    assert p.returncode == 0 and json.loads(p.stdout)["registrations"] == []
    assert "keeps nothing about this number" in p.stderr
    p = ctl(conf, "export", "--guardian", "20036914712")
    assert p.returncode == 1 and "check digits" in p.stderr
    assert "20036914712" not in p.stderr


def test_audit_filters(store, fixtures, tmp_path):
    conf = imported(store, fixtures, tmp_path)
    store.sql("INSERT INTO audit (at, actor, role, pupil_id, action, decision, reason, detail) VALUES "
              "(1764500000, 'ps:a', 1, 'S1001', 'access', 'allow', NULL, '/p/'),"
              "(1764590400, 'ps:b', 1, 'S2001', 'access', 'deny', 'no_parental_responsibility', '/p/x'),"
              "(1764600000, 'ps:c', 2, 'S1001', 'consent_give', 'ok', NULL, NULL)")

    def listed(*args):
        p = ctl(conf, "audit", *args)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.splitlines()
        assert lines[0] == "time\trole\tactor\tstudent_id\taction\tdecision\treason\tdetail"
        return [line.split("\t") for line in lines[1:]]

    rows = listed()
    assert [r[2] for r in rows] == ["ps:a", "ps:b", "ps:c"]
    assert rows[1] == ["2025-12-01T12:00:00Z", "guardian", "ps:b", "S2001", "access", "deny",
                       "no_parental_responsibility", "/p/x"]
    assert rows[2][1] == "student" and rows[2][6] == "-"
    assert [r[2] for r in listed("--pupil", "S1001")] == ["ps:a", "ps:c"]
    assert [r[2] for r in listed("--since", "2025-12-01")] == ["ps:b", "ps:c"]
    assert [r[2] for r in listed("--until", "2025-12-01")] == ["ps:a"]
    assert [r[2] for r in listed("--pupil", "S1001", "--since", "2025-12-01")] == ["ps:c"]
    assert [r[2] for r in listed("--limit", "1")] == ["ps:a"]
    assert listed("--pupil", "S9999") == []
    assert ctl(conf, "audit", "--since", "yesterday").returncode == 2
    assert ctl(conf, "audit", "--limit", "0").returncode == 2
    assert ctl(conf, "audit", "--pupil").returncode == 2


# --- errors and exit codes ----------------------------------------------------------------------

@pytest.mark.parametrize("command", ["import", "purge", "paper-list", "audit", "export"])
def test_help(command):
    p = subprocess.run([paths.tool(), command, "--help"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0
    assert p.stdout.startswith(f"usage: foresattctl {command}")
    assert "Exit status" in p.stdout
    p = subprocess.run([paths.tool(), "--help"], capture_output=True, text=True, timeout=30)
    assert f"  {command} " in p.stdout


@pytest.mark.parametrize("args", [["import"], ["import", "a.csv", "b.csv"], ["import", "--force", "a.csv"],
                                  ["purge", "--today", "2026-13-01"], ["purge", "now"], ["paper-list", "x"],
                                  ["export"], ["export", "--guardian"], ["audit", "--colour", "x"]])
def test_usage_errors(tmp_path, args):
    conf = tmp_path / "c.conf"
    conf.write_text("")
    p = ctl(str(conf), *args)
    assert p.returncode == 2, p.stderr
    assert p.stderr


def test_config_errors(tmp_path, fixtures):
    empty = tmp_path / "empty.conf"
    empty.write_text("# nothing\n")
    for args in (["import", fixtures["roster"]], ["purge"], ["paper-list"], ["audit"],
                 ["export", "--guardian", "20036914700"]):
        p = ctl(str(empty), *args)
        assert p.returncode == 3, (args, p.stderr)
        assert "no ForesattStore line" in p.stderr
    bad = tmp_path / "bad.conf"
    bad.write_text(f"ForesattPlugin st {paths.plugin('store_sqlite')} path={tmp_path}/s.db\nForesattStore st\n"
                   "ForesattAuditRetention 2 fortnights\n")
    p = ctl(str(bad), "purge")
    assert p.returncode == 3
    assert "ForesattAuditRetention 2 fortnights: give a period such as" in p.stderr
    p = ctl(str(bad), "import", str(tmp_path / "missing.csv"))
    assert p.returncode == 1 and "cannot read" in p.stderr


def test_store_unreachable_is_a_backend_failure(tmp_path, fixtures):
    conf = tmp_path / "pg.conf"
    conf.write_text(f'ForesattPlugin st {paths.plugin("store_pgsql")} '
                    f'conninfo="host=127.0.0.1 port=1 dbname=x user=postgres connect_timeout=2"\nForesattStore st\n')
    if not os.path.exists(paths.plugin("store_pgsql")):
        pytest.skip("built without libpq")
    p = ctl(str(conf), "import", fixtures["roster"])
    assert p.returncode == 4, p.stderr
    assert "cannot connect to PostgreSQL" in p.stderr
    # a SQLite file this user cannot write
    import tempfile
    import shutil
    ro = tempfile.mkdtemp(prefix="fs-ro-")
    os.chmod(ro, 0o755)
    open(os.path.join(ro, "s.db"), "wb").close()
    # the tool and the plugin beside it: the tree may sit where nobody cannot reach (a home of 0700)
    tool = shutil.copy(paths.tool(), ro)
    plugin = shutil.copy(paths.plugin("store_sqlite"), ro)
    sqlite_conf = os.path.join(ro, "ro.conf")
    with open(sqlite_conf, "w") as f:
        f.write(f"ForesattPlugin st {plugin} path={ro}/s.db\nForesattStore st\n")
    os.chmod(os.path.join(ro, "s.db"), 0o444)
    os.chmod(ro, 0o555)
    try:
        cmd = [tool, "--config", sqlite_conf, "audit"]
        p = subprocess.run((["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []) + cmd,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 4, p.stderr
        assert "failed to start in this process" in p.stderr
    finally:
        os.chmod(ro, 0o755)
        shutil.rmtree(ro, ignore_errors=True)


# --- the configuration as httpd reads it -----------------------------------------------------------

def _ctl_in(conf, *args):
    return subprocess.run([paths.tool(), "--config", str(conf), *args], capture_output=True, text=True, timeout=120)


def _rows(db):
    if not os.path.exists(db):
        return 0
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM guardian").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def test_sites_that_differ_need_vhost(tmp_path):
    """Two sites with their own ForesattStore: the tool once took the last line it saw. Now it refuses,
    naming both lines, and --vhost NAME picks the site (ServerName with scheme and port, or alias)."""
    plugin = paths.plugin("store_sqlite")
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    conf = tmp_path / "sites.conf"
    conf.write_text(f"ForesattPlugin a {plugin} path={a}\nForesattPlugin b {plugin} path={b}\nForesattStore a\n"
                    "<VirtualHost 127.0.0.1:8080>\n  ServerName a.example\n</VirtualHost>\n"
                    "<VirtualHost 127.0.0.1:8080>\n  ServerName https://b.example:443\n  ServerAlias www.b.example\n"
                    "  ForesattStore b\n</VirtualHost>\n")
    roster = tmp_path / "roster.csv"
    write_roster(str(roster), 4, quoted=False)
    p = _ctl_in(conf, "import", str(roster))
    assert p.returncode == 3, p.stdout + p.stderr
    assert f"{conf}:3" in p.stderr and f"{conf}:10" in p.stderr and "--vhost" in p.stderr
    assert "ForesattStore" in p.stderr and "b.example" in p.stderr
    assert _rows(a) == 0 and _rows(b) == 0  # nothing imported anywhere
    p = _ctl_in(conf.parent / conf.name, "--vhost", "b.example", "import", str(roster))
    assert p.returncode == 0, p.stderr
    assert _rows(b) == 4 and _rows(a) == 0
    assert _ctl_in(conf, "--vhost=www.b.example", "import", str(roster)).returncode == 0
    p = _ctl_in(conf, "--vhost", "a.example", "import", str(roster))
    assert p.returncode == 0, p.stderr
    assert _rows(a) == 4
    p = _ctl_in(conf, "--vhost", "c.example", "plugins")
    assert p.returncode == 3 and "a.example, b.example" in p.stderr
    # sites that agree need no --vhost
    conf.write_text(conf.read_text().replace("  ForesattStore b\n", "  ForesattStore a\n"))
    assert _ctl_in(conf, "import", str(roster)).returncode == 0


def test_pseudonym_keys_that_differ_need_vhost(tmp_path):
    """A site with its own ForesattPseudonymSecret names people differently in the audit log: the tool
    refuses to guess (without printing a secret) until --vhost says which site."""
    plugin = paths.plugin("store_sqlite")
    conf = tmp_path / "keys.conf"
    conf.write_text(f"ForesattPlugin st {plugin} path={tmp_path / 's.db'}\nForesattStore st\n"
                    'ForesattCryptoPassphrase "main passphrase"\n'
                    "<VirtualHost 127.0.0.1:8080>\n  ServerName a.example\n</VirtualHost>\n"
                    "<VirtualHost 127.0.0.1:8080>\n  ServerName b.example\n"
                    '  ForesattPseudonymSecret "b secret"\n</VirtualHost>\n')
    p = _ctl_in(conf, "audit", "--guardian", "14838000089")
    assert p.returncode == 3, p.stdout + p.stderr
    assert "pseudonym key" in p.stderr and f"{conf}:3" in p.stderr and f"{conf}:9" in p.stderr
    assert "main passphrase" not in p.stderr and "b secret" not in p.stderr
    for site in ("a.example", "b.example"):
        assert _ctl_in(conf, "--vhost", site, "audit", "--guardian", "14838000089").returncode == 0, site
    # the same secret under either directive is the same key: no difference
    conf.write_text(conf.read_text().replace('"b secret"', '"main passphrase"'))
    assert _ctl_in(conf, "audit", "--guardian", "14838000089").returncode == 0


def test_ifdefine_and_sections_as_httpd_reads_them(tmp_path):
    """<IfDefine> with the -D names httpd is given, Define, <IfModule> by the LoadModule lines, lines in
    per-directory sections ignored, and a setting in a section the tool cannot judge refused."""
    plugin = paths.plugin("store_sqlite")
    test_db, prod_db = str(tmp_path / "test.db"), str(tmp_path / "prod.db")
    conf = tmp_path / "defines.conf"
    conf.write_text(f"LoadModule foresatt_module {paths.module()}\n"
                    f"ForesattPlugin test {plugin} path={test_db}\n"
                    "<IfDefine PROD>\n"
                    f"  ForesattPlugin prod {plugin} path={prod_db}\n"
                    "  ForesattStore prod\n"
                    "</IfDefine>\n"
                    "<IfDefine !PROD>\n  ForesattStore test\n</IfDefine>\n"
                    "<IfDefine NEVER>\n  ForesattPlugin broken /nonexistent/plugin.so\n</IfDefine>\n"
                    "<IfModule mod_nonexistent.c>\n  ForesattStore nobody\n</IfModule>\n"
                    "<IfModule foresatt_module>\n  <Location /x/>\n    ForesattStore nobody\n  </Location>\n"
                    "</IfModule>\n")
    roster = tmp_path / "roster.csv"
    write_roster(str(roster), 2, quoted=False)
    p = _ctl_in(conf, "import", str(roster))
    assert p.returncode == 0, p.stderr
    assert _rows(test_db) == 2 and _rows(prod_db) == 0
    p = _ctl_in(conf, "-D", "PROD", "import", str(roster))
    assert p.returncode == 0, p.stderr
    assert _rows(prod_db) == 2
    # Define in the file counts as -D does
    conf.write_text("Define PROD\n" + conf.read_text())
    assert _ctl_in(conf, "plugins").stdout.count("ForesattStore") == 1
    assert "prod\tstore" in _ctl_in(conf, "plugins").stdout
    # a setting where the tool cannot tell whether httpd reads it
    unsure = tmp_path / "unsure.conf"
    unsure.write_text(f"ForesattPlugin test {plugin} path={test_db}\n<If \"%{{HTTP_HOST}} == 'x'\">\n"
                      "  ForesattStore test\n</If>\n")
    p = _ctl_in(unsure, "plugins")
    assert p.returncode == 3 and f"{unsure}:3" in p.stderr and "ForesattStore" in p.stderr
    broken = tmp_path / "broken.conf"
    broken.write_text(f"<IfDefine X>\nForesattPlugin test {plugin} path={test_db}\n")
    p = _ctl_in(broken, "plugins")
    assert p.returncode == 3 and "not closed" in p.stderr
