"""How fresh a decision is, and failing closed: the decision is made once per session interval and
reused with no register call; a change in the register is seen after ForesattAuthzRecheck; a consent
revoked in the store takes effect on the next request (the store's revision); a register or store
that cannot be reached gives a 503 page. Real peers: registry_freg against the Folkeregister and
Maskinporten stand-ins, store_pgsql against a real PostgreSQL that the test stops and starts."""
import json
import os
import sys
import time

import pytest
import requests

from fstest import paths
from fstest.net import free_port
from fstest.postgres import Postgres
from fstest.world import World

sys.path.insert(0, os.path.join(paths.SRCDIR, "tests", "standins"))
from freg import Freg  # noqa: E402
from maskinporten import Maskinporten  # noqa: E402

PID = "X-Test-Pid"
CLIENT = "foresatt-authz"
RECHECK = 3
AUTHZ_FAILURE = r"AH01631"
UNAVAILABLE = r"FS05(10|11)|FS0702|store_pgsql|register"


class Env:
    pass


@pytest.fixture(scope="module")
def env(httpd_factory):
    e = Env()
    e.mp = Maskinporten()
    client = e.mp.add_client(CLIENT, kid="k1")
    e.mp.start()
    e.pg = Postgres().start()
    e.pg.create_database("authz")
    h = httpd_factory(name="authz-fresh")
    e.h = h
    e.freg = Freg(os.path.join(h.root, "world", "freg"), maskinporten=e.mp).start()
    key = h.write_file("conf/mp.pem", client.private_pem().decode() if isinstance(client.private_pem(), bytes)
                       else client.private_pem())
    reg = (f"ForesattPlugin reg {paths.plugin('registry_freg')} base_url={e.freg.base_url} "
           f"token_url={e.mp.token_url} client_id={CLIENT} key={key} kid=k1 timeout=2")
    store = f'ForesattPlugin st {paths.plugin("store_pgsql")} conninfo="{e.pg.conninfo("authz")}"'
    e.w = World(h, registry_line=reg, store_line=store)
    e.port2 = free_port()
    for sid in e.w.pupils:
        h.write_file(f"htdocs/elev/{sid}/p.txt", "pupil page\n")
    h.start(e.w.conf + f"""
ForesattIdentity header {PID} 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
ForesattRegistryCacheTTL 0
ForesattRegistryNotFoundTTL 0
ForesattAuthzRecheck {RECHECK}
ForesattAuthzRevisionCheck 1
<LocationMatch "^/elev/(?<sid>[^/]+)/">
  AuthType foresatt
  Require foresatt-guardian-of %{{env:MATCH_SID}}
</LocationMatch>
Listen 127.0.0.1:{e.port2}
<VirtualHost 127.0.0.1:{e.port2}>
  # decisions kept for an hour here: only the store's revision can change them
  ForesattAuthzRecheck 3600
</VirtualHost>
""")
    yield e
    e.freg.stop()
    e.mp.stop()
    e.pg.cleanup()


@pytest.fixture
def httpd(env):
    return env.h


@pytest.fixture(autouse=True)
def well_behaved(env):
    env.freg.mode = None
    yield
    env.freg.mode = None


def get(env, path, who, port=None):
    url = f"http://127.0.0.1:{port or env.h.port}{path}"
    return requests.get(url, headers={PID: who, "X-Test-Acr": "idporten-loa-substantial"}, timeout=15)


def wait_for(fn, timeout):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(0.1)


def test_decision_is_reused_within_the_interval(env, httpd):
    ingrid = env.w.who("INGRID BERG")["login"]
    time.sleep(RECHECK + 0.2)  # any earlier decision has expired
    assert get(env, "/elev/S2001/p.txt", ingrid).status_code == 200
    calls = env.freg.calls
    assert calls > 0
    for _ in range(20):
        assert get(env, "/elev/S2001/p.txt", ingrid).status_code == 200
    assert env.freg.calls == calls, "a request with a fresh decision asked the register"
    time.sleep(RECHECK + 0.2)
    assert get(env, "/elev/S2001/p.txt", ingrid).status_code == 200
    assert env.freg.calls > calls, "the decision was not made again after the interval"


def test_register_change_is_seen_after_the_interval(env, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    ingrid = env.w.who("INGRID BERG")["login"]
    nora_number = next(n for n, doc in docs(env) if names(doc) == "NORA BERG")
    path = os.path.join(env.w.freg, nora_number + ".json")
    original = open(path).read()
    time.sleep(RECHECK + 0.2)
    assert get(env, "/elev/S2001/p.txt", ingrid).status_code == 200
    doc = json.loads(original)
    for entry in doc["foreldreansvar"]:  # the register ends the mother's responsibility
        entry["erGjeldende"] = False
        entry["opphoerstidspunkt"] = "2020-06-01T00:00:00Z"
    try:
        with open(path, "w") as f:
            json.dump(doc, f)
        assert get(env, "/elev/S2001/p.txt", ingrid).status_code == 200  # the decision of this interval
        assert wait_for(lambda: get(env, "/elev/S2001/p.txt", ingrid).status_code == 403, RECHECK + 2)
    finally:
        with open(path, "w") as f:
            f.write(original)
    assert wait_for(lambda: get(env, "/elev/S2001/p.txt", ingrid).status_code == 200, RECHECK + 2)


def docs(env):
    for name in os.listdir(env.w.freg):
        with open(os.path.join(env.w.freg, name)) as f:
            yield name[:-5], json.load(f)


def names(doc):
    n = doc["navn"][0]
    return f"{n['fornavn']} {n['etternavn']}"


def sql(env, statement):
    return env.pg.psql(statement, "authz")


def test_consent_revoked_takes_effect_at_once(env, httpd):
    httpd.expect_log(AUTHZ_FAILURE)
    kari = env.w.who("KARI HANSEN")["login"]
    r = get(env, "/elev/S1005/p.txt", kari, port=env.port2)
    assert r.status_code == 200
    now = int(time.time())
    # what consent_revoke does: the pupil withdraws consent; the store's revision moves
    sql(env, f"UPDATE pupil SET consent_revoked_at = {now} WHERE pupil_id = 'S1005'; "
             "UPDATE revision SET value = value + 1 WHERE id = 1")
    try:
        t0 = time.monotonic()
        assert wait_for(lambda: get(env, "/elev/S1005/p.txt", kari, port=env.port2).status_code == 403, 3)
        assert time.monotonic() - t0 < 3
        page = get(env, "/elev/S1005/p.txt", kari, port=env.port2)
        assert "The pupil has turned 18" in page.text
    finally:
        sql(env, "UPDATE pupil SET consent_revoked_at = 0 WHERE pupil_id = 'S1005'; "
                 "UPDATE revision SET value = value + 1 WHERE id = 1")
    assert wait_for(lambda: get(env, "/elev/S1005/p.txt", kari, port=env.port2).status_code == 200, 3)


def test_register_down_fails_closed(env, httpd):
    httpd.expect_log(UNAVAILABLE)
    anne, geir = env.w.who("ANNE LIE")["login"], env.w.who("GEIR DAHL")["login"]
    time.sleep(RECHECK + 0.2)
    assert get(env, "/elev/S7001/p.txt", geir).status_code == 200  # decided now
    env.freg.mode = "429"
    env.freg.retry_after = 7
    r = get(env, "/elev/S6001/p.txt", anne)  # nobody decided for her yet
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "7"
    assert r.headers["Cache-Control"] == "no-store"
    assert "Pr&oslash;v igjen om litt" in r.text and "try again in a little while" in r.text
    assert "pupil page" not in r.text
    # a decision made this interval needs no register: still answered
    assert get(env, "/elev/S7001/p.txt", geir).status_code == 200
    env.freg.mode = "drop"
    assert get(env, "/elev/S6001/p.txt", anne).status_code == 503
    env.freg.mode = None
    assert get(env, "/elev/S6001/p.txt", anne).status_code == 200


def test_store_down_fails_closed(env, httpd):
    httpd.expect_log(UNAVAILABLE)
    geir = env.w.who("GEIR DAHL")["login"]
    assert get(env, "/elev/S7001/p.txt", geir).status_code == 200
    env.pg.stop(mode="fast")
    try:
        time.sleep(1.2)  # past ForesattAuthzRevisionCheck: the next request asks the store
        r = get(env, "/elev/S7001/p.txt", geir)
        assert r.status_code == 503
        assert "Midlertidig utilgjengelig" in r.text
    finally:
        env.pg.start_again()
    assert wait_for(lambda: get(env, "/elev/S7001/p.txt", geir).status_code == 200, 10)
