"""The store plugins: the same C conformance suite on SQLite and on a real PostgreSQL, and what only a
real server shows: restarts, busy databases, concurrent processes, migrations, append-only audit."""
import os
import re
import subprocess
import threading

import pytest

from fstest import paths
from fstest.store import new_store

SUITE = os.path.join(paths.BUILDDIR, "tests", "store", "check_store_conformance")
PROBE = os.path.join(paths.BUILDDIR, "tests", "store", "store_probe")


def schema_version(plugin):
    """The newest migration in the plugin's schema.h ("/* N: ... */" before each)."""
    with open(os.path.join(paths.SRCDIR, "plugins", plugin, "schema.h")) as f:
        return max(int(n) for n in re.findall(r"^\s*/\* (\d+):", f.read(), re.M))


def run_suite(env):
    p = subprocess.run([SUITE], env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "100%: Checks: " in p.stdout and "Failures: 0, Errors: 0" in p.stdout, p.stdout
    return p.stdout


def test_conformance_sqlite(tmp_path):
    env = dict(os.environ, FORESATT_STORE_PLUGIN=paths.plugin("store_sqlite"),
               FORESATT_STORE_PARAMS=f"path={tmp_path}/@DB@.db", FORESATT_BUILDDIR=paths.BUILDDIR)
    run_suite(env)


def test_conformance_pgsql(postgres):
    # a schema per test case (@DB@), all in one throwaway server
    env = dict(os.environ, FORESATT_STORE_PLUGIN=paths.plugin("store_pgsql"),
               FORESATT_STORE_PARAMS=f'conninfo="{postgres.conninfo()}" schema=@DB@', FORESATT_BUILDDIR=paths.BUILDDIR)
    run_suite(env)


class Probe:
    """tests/store/store_probe: one process holding the plugin across calls."""

    def __init__(self, store):
        self.p = subprocess.Popen([PROBE], env=store.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        ready = self.p.stdout.readline().strip()
        assert ready == "READY", ready + self.p.stderr.read()

    def ask(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().strip()

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)
        return self.p.stderr.read()


def test_pgsql_reconnects_after_server_restart(postgres, tmp_path):
    store = new_store("pgsql", tmp_path, postgres)
    probe = Probe(store)
    try:
        assert probe.ask("revision").startswith("OK ")
        assert probe.ask("audit before-restart") == "OK"
        postgres.restart()
        # the session the plugin held is gone; the next calls reconnect by themselves
        assert probe.ask("revision").startswith("OK "), "a read after the restart failed"
        assert probe.ask("audit after-restart") == "OK"
        assert probe.ask("pupil S404") == "NOT_FOUND"
        postgres.restart()
        assert probe.ask("audit after-second-restart") == "OK", "a write after a restart failed"
    finally:
        log = probe.close()
    assert "reconnected to PostgreSQL" in log
    assert store.sql("SELECT string_agg(actor, ',' ORDER BY id) FROM audit") == \
        "before-restart,after-restart,after-second-restart"


def test_pgsql_server_down_is_temporary(postgres, tmp_path):
    store = new_store("pgsql", tmp_path, postgres)
    probe = Probe(store)
    try:
        postgres.stop(mode="fast")
        answer = probe.ask("revision")
        assert answer.startswith("TEMPORARY "), answer
        postgres.start_again()
        assert probe.ask("revision").startswith("OK ")
    finally:
        probe.close()


def test_pgsql_migrations_run_once_under_concurrency(postgres, tmp_path):
    # eight processes start at once on a fresh schema: one migrates, the others wait and find it done
    store = new_store("pgsql", tmp_path, postgres)
    probes = []
    threads = [threading.Thread(target=lambda: probes.append(Probe(store))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(probes) == 8
        for p in probes:
            assert p.ask("revision").startswith("OK ")
    finally:
        for p in probes:
            p.close()
    versions = ",".join(str(v) for v in range(1, schema_version("store_pgsql") + 1))
    assert store.sql("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_version") == versions


def test_pgsql_tls_options_reach_libpq(postgres, tmp_path):
    # sslmode is passed through untouched: this server has no TLS, so 'require' must fail to connect
    store = new_store("pgsql", tmp_path, postgres)
    store.params = store.params.replace('user=postgres"', 'user=postgres sslmode=require"')
    p = subprocess.run([PROBE], env=store.env(), input="", capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert "server does not support SSL" in p.stderr, p.stderr
    store.params = store.params.replace("sslmode=require", "sslmode=disable")
    p = subprocess.run([PROBE], env=store.env(), input="revision\n", capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "OK " in p.stdout, p.stderr


@pytest.mark.parametrize("kind", ["sqlite", "pgsql"])
def test_audit_is_append_only_in_the_database(kind, tmp_path, request):
    postgres = request.getfixturevalue("postgres") if kind == "pgsql" else None
    store = new_store(kind, tmp_path, postgres)
    probe = Probe(store)
    try:
        assert probe.ask("audit ps:one") == "OK"
    finally:
        probe.close()
    with pytest.raises(Exception) as e:
        store.sql("UPDATE audit SET decision = 'allow'")
    assert "append-only" in str(e.value)
    assert store.sql("SELECT decision FROM audit") == "ok"


def test_sqlite_many_processes_at_once(tmp_path):
    # prefork: many processes append and read at once; WAL and the busy timeout keep every call working
    store = new_store("sqlite", tmp_path)
    script = "".join(f"audit ps:{i}\nrevision\n" for i in range(50))
    procs = [subprocess.Popen([PROBE], env=store.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    outs = [p.communicate(script, timeout=120) for p in procs]
    for out, err in outs:
        lines = out.splitlines()
        assert lines[0] == "READY", err
        assert all(line.startswith("OK") for line in lines[1:]), out + err
    assert store.sql("SELECT count(*) FROM audit") == str(8 * 50)
    assert store.sql("PRAGMA journal_mode") == "wal"
    assert store.sql("SELECT max(version) FROM schema_version") == str(schema_version("store_sqlite"))
    assert store.sql("SELECT count(*) FROM schema_version") == str(schema_version("store_sqlite"))


def test_sqlite_busy_beyond_timeout_is_temporary(tmp_path):
    store = new_store("sqlite", tmp_path)
    store.params += " busy_timeout=200"
    probe = Probe(store)
    try:
        import sqlite3
        holder = sqlite3.connect(store.params.split()[0][len("path="):], isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        answer = probe.ask("audit ps:blocked")
        assert answer.startswith("TEMPORARY ") and "busy" in answer, answer
        holder.execute("ROLLBACK")
        holder.close()
        assert probe.ask("audit ps:after") == "OK"
        assert probe.ask("revision").startswith("OK ")
    finally:
        probe.close()
    assert store.sql("SELECT group_concat(actor) FROM audit") == "ps:after"


def test_sqlite_refuses_a_newer_schema(tmp_path):
    store = new_store("sqlite", tmp_path)
    probe = Probe(store)
    probe.close()
    store.sql("INSERT INTO schema_version VALUES (99, 0)")
    p = subprocess.run([PROBE], env=store.env(), input="", capture_output=True, text=True, timeout=60)
    assert p.returncode == 2
    assert (f"schema version 99, newer than this plugin's {schema_version('store_sqlite')}; upgrade mod_foresatt"
            in p.stderr)


def test_sqlite_new_file_is_private(tmp_path):
    store = new_store("sqlite", tmp_path)
    Probe(store).close()
    db = store.params[len("path="):]
    assert oct(os.stat(db).st_mode & 0o777) == "0o640"


def make_tls(directory):
    """A CA and a server certificate for 127.0.0.1 (python3-cryptography), and a second, unrelated CA."""
    import datetime
    import ipaddress
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def ca(cn):
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(cn)).public_key(key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                .not_valid_after(now + datetime.timedelta(days=2))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                .sign(key, hashes.SHA256()))
        return key, cert

    ca_key, ca_cert = ca("test CA")
    _, other_cert = ca("another CA")
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca_cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = {}
    for fname, data in (("ca.pem", ca_cert.public_bytes(serialization.Encoding.PEM)),
                        ("other-ca.pem", other_cert.public_bytes(serialization.Encoding.PEM)),
                        ("server.crt", cert.public_bytes(serialization.Encoding.PEM)),
                        ("server.key", key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.TraditionalOpenSSL,
                                                         serialization.NoEncryption()))):
        path = os.path.join(directory, fname)
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o644)
        files[fname] = path
    return files


def test_pgsql_over_verified_tls():
    from fstest.postgres import Postgres
    if not os.path.exists(paths.plugin("store_pgsql")):
        pytest.skip("built without libpq")
    import tempfile
    d = tempfile.mkdtemp(prefix="fs-tls-")
    os.chmod(d, 0o755)
    tls = make_tls(d)
    pg = Postgres(options=["-c ssl=on", f"-c ssl_cert_file={tls['server.crt']}", f"-c ssl_key_file={tls['server.key']}"])
    pg.give(tls["server.key"], 0o600)
    try:
        pg.start()
        base = f'conninfo="{pg.conninfo()} sslmode=verify-full sslrootcert={tls["ca.pem"]}"'
        env = dict(os.environ, FORESATT_STORE_PLUGIN=paths.plugin("store_pgsql"), FORESATT_STORE_PARAMS=base)
        p = subprocess.Popen([PROBE], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        assert p.stdout.readline().strip() == "READY", p.stderr.read()
        p.stdin.write("audit ps:tls\n")
        p.stdin.flush()
        assert p.stdout.readline().strip() == "OK"
        # the plugin's session is encrypted
        assert pg.psql("SELECT bool_and(s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                       "WHERE a.application_name = 'mod_foresatt'") == "t"
        p.stdin.close()
        p.wait(timeout=30)
        # a server certificate from another CA is refused
        env["FORESATT_STORE_PARAMS"] = base.replace("ca.pem", "other-ca.pem")
        q = subprocess.run([PROBE], env=env, input="", capture_output=True, text=True, timeout=60)
        assert q.returncode == 2
        assert "certificate verify failed" in q.stderr, q.stderr
    finally:
        pg.cleanup()
        import shutil
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("kind", ["sqlite", "pgsql"])
def test_tool_imports_while_servers_append(kind, tmp_path, request):
    # the web servers keep deciding and auditing while the administrator imports and purges
    from fstest.store import make_fixtures
    postgres = request.getfixturevalue("postgres") if kind == "pgsql" else None
    store = new_store(kind, tmp_path, postgres)
    roster = make_fixtures(tmp_path / "fx", "2026-12-01")
    conf = store.write_config(tmp_path)
    script = "".join(f"audit ps:{i}\npupil S1001\nrevision\n" for i in range(150))
    procs = [subprocess.Popen([PROBE], env=store.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in procs:
        assert p.stdout.readline().strip() == "READY"
        p.stdin.write(script)
        p.stdin.flush()
    for _ in range(3):
        for args in (["import", roster], ["purge", "--today", "2026-12-01"]):
            r = subprocess.run([paths.tool(), "--config", conf, *args], capture_output=True, text=True, timeout=120)
            assert r.returncode == 0, r.stderr
    for p in procs:
        out, err = p.communicate(timeout=120)
        answers = out.splitlines()
        assert len(answers) == 450, err
        assert all(a.startswith(("OK", "NOT_FOUND")) for a in answers), [a for a in answers if not a.startswith(
            ("OK", "NOT_FOUND"))][:3]
    assert store.sql("SELECT count(*) FROM audit") == str(4 * 150)
