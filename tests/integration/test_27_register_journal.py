"""registry_file's event journal (events=FILE): the register's event feed as a file, for the demo and
tests. foresattctl follow reads it through the plugin as it reads Folkeregisteret's feed."""
import json
import os

import pytest

from fstest import paths
from fstest.world import World


@pytest.fixture(scope="module")
def w(httpd_factory):
    h = httpd_factory(name="journal")
    freg = os.path.join(h.root, "world", "freg")
    journal = os.path.join(h.root, "world", "events.jsonl")
    w = World(h, registry_line=f"ForesattPlugin reg {paths.plugin('registry_file')} dir={freg} events={journal}")
    w.journal = journal
    w.httpd = h
    return w


def event(w, seq, number, kind):
    with open(w.journal, "a") as f:
        f.write(json.dumps({"sekvensnummer": seq, "hendelse": {"folkeregisteridentifikator": number,
                                                              "hendelsetype": kind}}) + "\n")


def test_a_missing_journal_is_an_empty_feed(w):
    assert not os.path.exists(w.journal)
    p = w.ctl("follow", "--once")
    assert p.returncode == 0 and "started at sequence 1" in p.stdout, (p.stdout, p.stderr)


def test_an_event_in_the_journal_is_applied(w):
    kari = w.who("KARI HANSEN")["login"]
    path = os.path.join(w.freg, kari + ".json")
    doc = json.load(open(path))
    for a in doc["bostedsadresse"]:
        a["adressegradering"] = "strengtFortrolig"
    with open(path, "w") as f:
        json.dump(doc, f)
    with open(w.journal, "a") as f:
        f.write("# the register's events, one per line\n\n")
    event(w, 1, "10000000001", "endringIStatus")
    event(w, 2, kari, "endringIAdressebeskyttelse")
    p = w.ctl("follow", "--once")
    assert p.returncode == 0, p.stderr
    assert "2 events read" in p.stdout and "1 about the school's persons" in p.stdout, p.stdout
    assert "address_protected 1" in p.stdout
    p = w.ctl("export", "--guardian", kari)
    assert all(r["address"] is None for r in json.loads(p.stdout)["registrations"])
    assert "0 events read" in w.ctl("follow", "--once").stdout


def test_a_bad_line_stops_the_round_and_changes_nothing(w):
    ola = w.who("OLA HANSEN")["login"]
    with open(w.journal, "a") as f:
        f.write('{"sekvensnummer": 3, "hendelse": {"hendelsetype": "personErDoed"}}\n')
    p = w.ctl("follow", "--once")
    assert p.returncode == 4, p.stdout
    assert "events.jsonl line 5" in p.stderr and "folkeregisteridentifikator" in p.stderr, p.stderr
    assert ola not in p.stderr
    lines = open(w.journal).read().splitlines()[:-1]
    with open(w.journal, "w") as f:
        f.write("\n".join(lines) + "\n")
    event(w, 2, ola, "personErDoed")  # not after the line before
    p = w.ctl("follow", "--once")
    assert p.returncode == 4 and "sekvensnummer 2 does not follow 2" in p.stderr, p.stderr
    lines = open(w.journal).read().splitlines()[:-1]
    with open(w.journal, "w") as f:
        f.write("\n".join(lines) + "\n")
    event(w, 7, ola, "endringIStatus")
    p = w.ctl("follow", "--once")
    assert p.returncode == 0 and "1 applied" in p.stdout, (p.stdout, p.stderr)


def test_events_key_is_checked_at_configtest(w):
    h = w.httpd
    for value, words in (("events.jsonl", "give the absolute path"),
                         ("/nonexistent/dir/events.jsonl", "does not exist"),
                         (w.freg, "not a regular file")):
        rc, out = h.configtest(f"ForesattPlugin reg {paths.plugin('registry_file')} dir={w.freg} events={value}\n"
                               "ForesattRegistry reg\n")
        assert rc != 0 and words in out and "events=" in out, out
