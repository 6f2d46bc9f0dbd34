"""A school's world for tests: tests/fixtures/make-fixtures documents for one day, imported into a SQLite store
that httpd's children can write, and the configuration lines that load both plugins.

    w = World(h)                      # registry_file + store_sqlite; or give registry_line / store_line
    h.start(w.conf + "...")
    w.ctl("decide", "--as", number)
"""
import datetime
import json
import os
import subprocess

from . import paths

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None


def oslo_today():
    """Today in Oslo: the date the module decides on (near midnight UTC it differs from the UTC date)."""
    return datetime.datetime.now(ZoneInfo("Europe/Oslo")).date().isoformat()


class World:
    def __init__(self, h, today=None, registry_line=None, store_line=None, extra=""):
        self.h = h
        self.today = today or oslo_today()
        self.dir = os.path.join(h.root, "world")
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o755)
        subprocess.run([paths.FIXTURES, "--today", self.today, "--out", self.dir], check=True, capture_output=True)
        self.freg = os.path.join(self.dir, "freg")
        self.db = os.path.join(h.data_dir, "foresatt.db")
        self.conf = ((registry_line or f"ForesattPlugin reg {paths.plugin('registry_file')} dir={self.freg}") + "\n" +
                     (store_line or f"ForesattPlugin st {paths.plugin('store_sqlite')} path={self.db}") + "\n" +
                     "ForesattRegistry reg\nForesattStore st\n" + extra)
        self.conf_path = h.write_file("conf/foresatt.conf", self.conf)
        p = self.ctl("import", os.path.join(self.dir, "roster.csv"))
        assert p.returncode == 0, p.stderr
        with open(os.path.join(self.dir, "scenarios.json")) as f:
            self.scenarios = json.load(f)["scenarios"]
        with open(os.path.join(self.dir, "roster.csv")) as f:
            self.pupils = sorted({line.split(",")[0] for line in f.read().splitlines()[1:]})

    def chown(self):
        """The database files to httpd's user (foresattctl ran as root)."""
        for name in os.listdir(self.h.data_dir):
            self.h.chown_service(os.path.join(self.h.data_dir, name))

    def ctl(self, *args):
        p = subprocess.run([paths.tool(), "--config", self.conf_path, *args], capture_output=True, text=True,
                           timeout=60)
        self.chown()
        return p

    def who(self, name):
        return next(s for s in self.scenarios if s["who"] == name)

    def audit(self, pupil=None):
        """The audit log as dicts (foresattctl audit)."""
        args = ["audit"] + (["--pupil", pupil] if pupil else [])
        p = self.ctl(*args)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.splitlines()
        if not lines:
            return []
        head = lines[0].split("\t")
        return [dict(zip(head, line.split("\t"))) for line in lines[1:]]
