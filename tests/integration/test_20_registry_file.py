"""The file register and foresattctl lookup: every fixture person through registry_file, graded
addresses never shown, clear exit codes, and configuration mistakes that fail configtest."""
import json
import os
import subprocess

import pytest

from fstest import paths

TODAY = "2026-12-01"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    out = tmp_path_factory.mktemp("freg-fixtures")
    subprocess.run(["/usr/bin/python3", paths.FIXTURES, "--today", TODAY, "--out", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def conf(fixtures, tmp_path_factory):
    path = tmp_path_factory.mktemp("conf") / "foresatt.conf"
    path.write_text(f"ForesattPlugin reg {paths.plugin('registry_file')} dir={fixtures / 'freg'}\n"
                    "ForesattRegistry reg\n")
    return path


def ctl(conf, *args):
    return subprocess.run([paths.tool(), "--config", str(conf), *args], capture_output=True, text=True, timeout=30)


def scenario(fixtures, who):
    doc = json.loads((fixtures / "scenarios.json").read_text())
    return next(s for s in doc["scenarios"] if s["who"] == who)


def roster(fixtures):
    import csv
    with open(fixtures / "roster.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_every_fixture_person_looks_up(fixtures, conf):
    numbers = sorted(p[:11] for p in os.listdir(fixtures / "freg"))
    p = ctl(conf, "lookup", "--json", *numbers)
    assert p.returncode == 0, p.stderr
    answers = json.loads(p.stdout)
    assert [a["query"] for a in answers] == numbers
    for a in answers:
        assert a["result"] == "found"
        person = a["person"]
        doc = json.loads((fixtures / "freg" / f"{a['query']}.json").read_text())
        assert person["number"] == doc["identifikasjonsnummer"][0]["foedselsEllerDNummer"]
        assert person["given_name"] == doc["navn"][0]["fornavn"]
        assert person["birth_date"] == doc["foedsel"][0]["foedselsdato"]
        assert person["status"] == "bosatt"
        # every responsibility entry is kept, ended ones with their end
        assert len(person["responsibilities"]) == len(doc.get("foreldreansvar", []))
        for mine, theirs in zip(person["responsibilities"], doc.get("foreldreansvar", [])):
            assert mine["responsible"] == theirs["ansvarlig"]
            assert mine["current"] == theirs["erGjeldende"]
            if not theirs["erGjeldende"]:
                assert mine["ended_at"] == theirs["opphoerstidspunkt"].replace(".000", "")


def test_guardian_and_children_for_a_login(fixtures, conf):
    """What the authorization needs for Kari: her record, then her children's in one lookup."""
    kari = scenario(fixtures, "KARI HANSEN")["login"]
    p = ctl(conf, "lookup", "--json", kari)
    assert p.returncode == 0, p.stderr
    me = json.loads(p.stdout)[0]["person"]
    children = [r["subject"] for r in me["responsibilities"]]
    assert len(children) == 5
    p = ctl(conf, "lookup", "--json", *children)
    assert p.returncode == 0, p.stderr
    for child in json.loads(p.stdout):
        entries = [r for r in child["person"]["responsibilities"] if r["responsible"] == kari]
        assert len(entries) == 1
        e = entries[0]
        assert e["current"] or e["ended_at"], e   # an ended entry carries its end


def test_strictly_confidential_address_is_never_shown(fixtures, conf):
    mona = scenario(fixtures, "MONA STRAND")
    child = next(r["student_fnr"] for r in roster(fixtures) if r["student_id"] == "S5001")
    for args in (["lookup", mona["login"], child], ["lookup", "--json", mona["login"], child]):
        p = ctl(conf, *args)
        assert p.returncode == 0, p.stderr
        for word in mona["never_shown"]:
            assert word not in p.stdout
        assert "Skjultveien" not in p.stdout and "0150" not in p.stdout
    p = ctl(conf, "lookup", mona["login"])
    assert "protected (strengtFortrolig)" in p.stdout
    p = ctl(conf, "lookup", "--json", mona["login"])
    assert json.loads(p.stdout)[0]["person"]["address"] == {"grading": "strengtFortrolig", "protected": True}


def test_d_number_guardian(fixtures, conf):
    samira = scenario(fixtures, "SAMIRA AHMED")["login"]
    p = ctl(conf, "lookup", "--json", samira)
    assert p.returncode == 0
    person = json.loads(p.stdout)[0]["person"]
    assert person["d_number"] is True
    assert person["responsibilities"][0]["kind"] == "andre"


def test_unknown_number_is_not_found(fixtures, conf):
    stranger = scenario(fixtures, "UNKNOWN")["login"]
    kari = scenario(fixtures, "KARI HANSEN")["login"]
    p = ctl(conf, "lookup", stranger)
    assert p.returncode == 1
    assert "not found in the register" in p.stdout
    p = ctl(conf, "lookup", "--json", kari, stranger)
    assert p.returncode == 1
    assert [a["result"] for a in json.loads(p.stdout)] == ["found", "not_found"]


@pytest.mark.parametrize("args,code,words", [
    (["lookup"], 2, ["give one or more numbers"]),
    (["lookup", "--colour"], 2, ["unknown option"]),
    (["lookup", "20036914712"], 1, ["not a valid identity number", "check digits"]),
    (["lookup", "../../etc/pa"], 1, ["not a valid identity number"]),
])
def test_lookup_usage(conf, args, code, words):
    p = ctl(conf, *args)
    assert p.returncode == code, p.stderr
    for w in words:
        assert w in p.stderr


def test_lookup_without_registry(tmp_path):
    c = tmp_path / "empty.conf"
    c.write_text("# nothing\n")
    p = ctl(c, "lookup", "20036914700")
    assert p.returncode == 3
    assert "no ForesattRegistry line" in p.stderr


def test_malformed_document_is_an_error_not_a_crash(tmp_path):
    d = tmp_path / "freg"
    d.mkdir()
    (d / "20036914700.json").write_text('{"identifikasjonsnummer": "oops"}')
    (d / "03851598730.json").write_text("[" * 100000)
    c = tmp_path / "c.conf"
    c.write_text(f"ForesattPlugin reg {paths.plugin('registry_file')} dir={d}\nForesattRegistry reg\n")
    p = ctl(c, "lookup", "20036914700")
    assert p.returncode == 4
    assert "identifikasjonsnummer is not an array" in p.stderr
    p = ctl(c, "lookup", "03851598730")
    assert p.returncode == 4
    assert "nested deeper" in p.stderr


# --- configuration -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def httpd(httpd_factory, fixtures):
    h = httpd_factory(name="registry-file")
    h.write_file("htdocs/hello.txt", "hello\n")
    h.start(f"ForesattPlugin reg {paths.plugin('registry_file')} dir={fixtures / 'freg'}\n"
            "ForesattRegistry reg\n"
            "ForesattRegistryCacheTTL 120\nForesattRegistryNotFoundTTL 10\nForesattRegistryCacheSize 500\n")
    return h


def test_httpd_starts_with_file_register_and_cache_settings(httpd):
    import requests
    assert requests.get(httpd.url("/hello.txt"), timeout=10).text == "hello\n"


BROKEN = [
    ("ForesattPlugin r {so}", ["ForesattPlugin r", "key 'dir' is required"]),
    ("ForesattPlugin r {so} dir=/nonexistent/freg", ["dir=/nonexistent/freg", "No such file"]),
    ("ForesattPlugin r {so} dir=/etc/hostname", ["dir=/etc/hostname", "not a directory"]),
    ("ForesattPlugin r {so} dir=relative/freg", ["give an absolute path"]),
    ("ForesattPlugin r {so} dir=/tmp colour=blue", ["unknown key 'colour'"]),
    ("ForesattRegistryCacheTTL abc", ["ForesattRegistryCacheTTL", "'abc' is not a whole number", "e.g. 300"]),
    ("ForesattRegistryCacheTTL -5", ["ForesattRegistryCacheTTL", "out of range"]),
    ("ForesattRegistryCacheTTL 100000", ["ForesattRegistryCacheTTL", "out of range (0 to 86400)"]),
    ("ForesattRegistryCacheTTL 5m", ["ForesattRegistryCacheTTL", "not a whole number"]),
    ("ForesattRegistryNotFoundTTL x", ["ForesattRegistryNotFoundTTL", "not a whole number"]),
    ("ForesattRegistryCacheSize 0", ["ForesattRegistryCacheSize", "out of range (1 to 1000000)"]),
    ("ForesattRegistryCacheTTL", ["ForesattRegistryCacheTTL", "takes one argument"]),
]


@pytest.mark.parametrize("body,words", BROKEN, ids=[w[-1][:40] for _, w in BROKEN])
def test_bad_register_configuration_fails_configtest(httpd, body, words):
    rc, out = httpd.configtest(body.format(so=paths.plugin("registry_file")))
    assert rc != 0, out
    for w in words:
        assert w in out, f"{w!r} missing from:\n{out}"


def test_good_register_configuration_passes_configtest(httpd, fixtures):
    rc, out = httpd.configtest(f"ForesattPlugin r {paths.plugin('registry_file')} dir={fixtures / 'freg'}\n"
                               "ForesattRegistry r\nForesattRegistryCacheTTL 0\nForesattRegistryCacheSize 1\n")
    assert rc == 0, out
