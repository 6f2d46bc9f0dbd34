"""Plugins built for ABI 1.1 keep working with a 1.2 host: the real store_sqlite and registry_file under
a 1.1 descriptor whose operation tables end where 1.1's did (tests/plugins/abi11_wrap.c). The 1.2
slots past that end abort, so any read past struct_size kills the process and fails the test."""
import os

import pytest

from fstest import paths
from fstest.world import World


@pytest.fixture(scope="module")
def old(httpd_factory):
    h = httpd_factory(name="abi11")
    freg, db = os.path.join(h.root, "world", "freg"), os.path.join(h.data_dir, "foresatt.db")
    w = World(h, registry_line=f"ForesattPlugin reg {paths.test_plugin('registry_abi11')} dir={freg}",
              store_line=f"ForesattPlugin st {paths.test_plugin('store_abi11')} path={db}")
    return h, w


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
