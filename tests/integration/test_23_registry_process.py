"""registry_freg in one long-lived, many-threaded process (as in an httpd child), driven by
tests/plugins/registry_probe through the lookup cache: one Maskinporten token shared by every
thread and reused, connections reused, a revoked token replaced once, and the register calls one
guardian's login costs with and without the cache, counted in the stand-ins."""
import json
import os
import subprocess
import sys

import pytest

from fstest import paths

sys.path.insert(0, os.path.join(paths.SRCDIR, "tests", "standins"))
from freg import Freg  # noqa: E402
from maskinporten import Maskinporten  # noqa: E402

TODAY = "2026-12-01"
PROBE = os.path.join(paths.BUILDDIR, "tests", "plugins", "registry_probe")


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    out = tmp_path_factory.mktemp("freg-fixtures")
    subprocess.run(["/usr/bin/python3", paths.FIXTURES, "--today", TODAY, "--out", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def mp(tmp_path_factory):
    m = Maskinporten()
    m.client = m.add_client("probe-client", kid="k1")
    m.key_path = tmp_path_factory.mktemp("key") / "client.pem"
    m.key_path.write_bytes(m.client.private_pem())
    m.start()
    yield m
    m.stop()


@pytest.fixture(scope="module")
def freg(fixtures, mp):
    f = Freg(fixtures / "freg", maskinporten=mp).start()
    yield f
    f.stop()


@pytest.fixture(autouse=True)
def fresh(mp, freg):
    mp.reset()
    freg.reset()


@pytest.fixture(scope="module")
def people(fixtures):
    doc = json.loads((fixtures / "scenarios.json").read_text())
    by_who = {s["who"]: s["login"] for s in doc["scenarios"]}
    numbers = sorted(p[:11] for p in os.listdir(fixtures / "freg"))
    return by_who, numbers


def probe(freg, mp, *args, plugin="registry_freg", timeout="2"):
    params = [f"base_url={freg.base_url}", f"token_url={mp.token_url}", "client_id=probe-client",
              f"key={mp.key_path}", "kid=k1", f"timeout={timeout}"]
    p = subprocess.run([PROBE, paths.plugin(plugin), *args, "--", *params], capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_one_token_for_many_threads_and_requests(freg, mp, people):
    _, numbers = people
    mp.delay = 0.3  # the grant is slow, so every thread needs the token while it is being fetched
    out = probe(freg, mp, "--ttl", "0", "--threads", "8", "--rounds", "3", *numbers[:8])
    assert out["ok"] == 8 * 3 * 8
    assert mp.token_requests == 1          # one grant at a time, shared by all threads, reused after
    assert freg.unauthorized == 0
    assert freg.bulk_calls == out["backend_calls"] >= 8 * 3   # nothing cached (ttl 0), so many calls
    assert freg.connections <= 8           # connections are kept and reused, not one per call
    assert freg.connections < freg.bulk_calls


def test_revoked_token_is_replaced_once(freg, mp, people):
    by_who, _ = people
    freg.reject_tokens = 1
    out = probe(freg, mp, by_who["KARI HANSEN"])
    assert out["ok"] == 1
    assert freg.unauthorized == 1
    assert mp.token_requests == 2


def test_token_refused_twice_is_an_error(freg, mp, people):
    by_who, _ = people
    freg.reject_tokens = 2
    out = probe(freg, mp, by_who["KARI HANSEN"])
    assert out["error"] == 1
    assert "refused the Maskinporten token (401)" in out["last_message"]
    assert mp.token_requests == 2          # one retry, not a loop


def test_cache_cuts_register_calls_per_guardian(freg, mp, people):
    by_who, _ = people
    kari = by_who["KARI HANSEN"]
    # With the cache: the first login costs 2 calls (the guardian, then all children in one batch);
    # 4 threads x 10 logins more cost nothing within the lifetime.
    out = probe(freg, mp, "--ttl", "300", "--threads", "4", "--rounds", "10", "--guardian", kari)
    assert out["ok"] == 4 * 10 * 2
    assert freg.bulk_calls == 2
    assert freg.numbers_asked == 1 + 5
    assert out["backend_calls"] == 2
    assert mp.token_requests == 1
    # Without it (ttl 0), one thread: two calls per login.
    freg.reset()
    out = probe(freg, mp, "--ttl", "0", "--threads", "1", "--rounds", "10", "--guardian", kari)
    assert freg.bulk_calls == 20


def test_outage_is_shared_and_not_cached(freg, mp, people):
    by_who, _ = people
    freg.mode = "429"
    freg.retry_after = 11
    out = probe(freg, mp, "--ttl", "300", "--threads", "8", "--rounds", "2", by_who["KARI HANSEN"])
    assert out["temporary"] == 16 and out["ok"] == 0
    assert out["last_retry_after"] == 11
    assert "rate limiting (429)" in out["last_message"]
    assert freg.bulk_calls == out["backend_calls"] <= 16   # concurrent askers share one call
    assert freg.bulk_calls >= 2                            # and failures are not remembered


def test_file_register_through_the_cache(freg, mp, people, fixtures):
    """The same guardian through registry_file: the same call pattern (it has lookup_batch too)."""
    by_who, _ = people
    p = subprocess.run([PROBE, paths.plugin("registry_file"), "--threads", "4", "--rounds", "5", "--guardian",
                        by_who["KARI HANSEN"], "--", f"dir={fixtures / 'freg'}"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["ok"] == 4 * 5 * 2 and out["backend_calls"] == 2
