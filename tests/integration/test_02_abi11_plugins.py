"""Plugins built for ABI 1.1 keep working with a 1.2 host: the real store_sqlite and registry_file under
a 1.1 descriptor whose operation tables end where 1.1's did (tests/plugins/abi11_wrap.c). The 1.2
slots past that end abort, so any read past struct_size kills the process and fails the test."""
import os
import time

import pytest
import requests

from fstest import paths
from fstest.world import World


@pytest.fixture(scope="module")
def old(httpd_factory):
    h = httpd_factory(name="abi11")
    freg, db = os.path.join(h.root, "world", "freg"), os.path.join(h.data_dir, "foresatt.db")
    w = World(h, registry_line=f"ForesattPlugin reg {paths.test_plugin('registry_abi11')} dir={freg}",
              store_line=f"ForesattPlugin st {paths.test_plugin('store_abi11')} path={db}")
    return h, w


@pytest.fixture
def httpd(old):
    return old[0]


def test_abi11_plugins_load_and_start(old):
    h, w = old
    p = w.ctl("plugins")
    assert p.returncode == 0, p.stderr
    names = {line.split("\t")[0]: line.split("\t")[2] for line in p.stdout.splitlines()}
    assert names == {"reg": "registry_abi11 1.0", "st": "store_abi11 1.0"}
    rc, out = h.configtest(w.conf)
    assert rc == 0, out


def test_abi11_plugins_decide_as_before(old):
    _, w = old
    kari = w.who("KARI HANSEN")
    p = w.ctl("decide", "--as", kari["login"])
    assert p.returncode == 0, p.stderr
    got = {f[1]: ("allow" if f[2] == "allow" else f[3])
           for f in (line.split("\t") for line in p.stdout.splitlines()) if f[0] == "pupil"}
    assert got == kari["expect"]


def test_follow_and_sync_say_what_a_11_plugin_lacks(old):
    _, w = old
    p = w.ctl("follow", "--once")
    assert p.returncode == 3 and "has no event feed" in p.stderr and "ABI 1.1" in p.stderr, p.stderr
    p = w.ctl("sync", "--apply")
    assert p.returncode == 3 and "needs ABI 1.2" in p.stderr, p.stderr
    p = w.ctl("sync")  # comparing needs nothing new
    assert p.returncode in (5, 6), p.stderr
    assert "# sync: 12 pupils" in p.stdout


def test_httpd_decides_with_a_11_store(old, httpd):
    """The module reads the store's revision and never the 1.2 invalidations past a 1.1 table's end
    (which would abort the child: the error log's discipline catches that)."""
    h, w = old
    for sid in w.pupils:
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
    h.start(w.conf + """
ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a pseudonym secret for the 1.1 plugins"
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{env:MATCH_SID}
</LocationMatch>
""")
    kari = w.who("KARI HANSEN")["login"]
    r = requests.get(h.url("/elev/S1001/p.txt"), headers={"X-Test-Pid": kari, "X-Test-Acr": "idporten-loa-substantial"}, timeout=10)
    assert r.status_code == 200 and r.text == "pupil page\n"
    # a roster import moves the revision: the next decision reads it (and nothing past the table)
    assert w.ctl("import", os.path.join(w.dir, "roster.csv")).returncode == 0
    time.sleep(1.1)
    r = requests.get(h.url("/elev/S1002/p.txt"), headers={"X-Test-Pid": kari, "X-Test-Acr": "idporten-loa-substantial"}, timeout=10)
    assert r.status_code == 200
