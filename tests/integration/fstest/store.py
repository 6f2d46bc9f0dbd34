"""The school's store in tests: one fresh store per test on SQLite or PostgreSQL, its ForesattPlugin
line, and direct SQL for what a test must check or prepare behind the plugin's back.

    store = new_store("sqlite", tmp_path)           # or new_store("pgsql", tmp_path, postgres)
    conf = store.write_config(tmp_path)             # ForesattPlugin + ForesattStore lines
    store.sql("SELECT count(*) FROM guardian")      # -> "3"
"""
import itertools
import os
import sqlite3
import subprocess

from . import paths

_serial = itertools.count(1)


class Store:
    def __init__(self, kind, params, sql):
        self.kind = kind
        self.params = params  # the key=value words after the plugin's path
        self._sql = sql

    @property
    def plugin_path(self):
        return paths.plugin("store_" + self.kind)

    def plugin_line(self, name="store"):
        return f"ForesattPlugin {name} {self.plugin_path} {self.params}\nForesattStore {name}\n"

    def write_config(self, directory, extra=""):
        path = os.path.join(str(directory), f"foresatt-{self.kind}.conf")
        with open(path, "w") as f:
            f.write(self.plugin_line() + extra)
        return path

    def env(self):
        """For tests/store/store_probe and the conformance suite."""
        return dict(os.environ, FORESATT_STORE_PLUGIN=self.plugin_path, FORESATT_STORE_PARAMS=self.params)

    def sql(self, statement):
        return self._sql(statement)


def new_store(kind, directory, postgres=None):
    n = next(_serial)
    if kind == "sqlite":
        db = os.path.join(str(directory), f"store{n}.db")

        def run(statement):
            con = sqlite3.connect(db, timeout=10)
            try:
                rows = con.execute(statement).fetchall()
                con.commit()
            finally:
                con.close()
            return "\n".join("|".join("" if v is None else str(v) for v in r) for r in rows)
        return Store("sqlite", f"path={db}", run)
    if kind == "pgsql":
        schema = f"s{os.getpid()}_{n}"

        def run(statement):
            return postgres.psql(f'SET search_path TO "{schema}"; {statement}', "postgres")
        return Store("pgsql", f'conninfo="{postgres.conninfo("postgres")}" schema={schema}', run)
    raise ValueError(kind)


def make_fixtures(directory, today):
    """tests/fixtures/make-fixtures for a pinned day: DIR/roster.csv, DIR/freg/, DIR/scenarios.json."""
    subprocess.run(["/usr/bin/python3", paths.FIXTURES, "--today", today, "--out", str(directory)], check=True,
                   capture_output=True)
    return os.path.join(str(directory), "roster.csv")
