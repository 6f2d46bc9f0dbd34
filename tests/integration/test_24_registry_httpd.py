"""The module with registry_freg against the Maskinporten and Folkeregisteret stand-ins, through a
real httpd and the Require foresatt-* providers: guardians get the same decisions as with the file
register, the register cache cuts register calls (counted in the stand-in), the token is fetched
once per child and reused, and a register that is down gives a clear 503 page, not a crash."""
import os
import sys

import pytest
import requests

from fstest import paths
from fstest.world import World

sys.path.insert(0, os.path.join(paths.SRCDIR, "tests", "standins"))
from freg import Freg  # noqa: E402
from maskinporten import Maskinporten  # noqa: E402

PID = "X-Test-Pid"
AUTHZ_FAILURE = r"AH01631"
UNAVAILABLE = r"FS0402|FS0511|AH01631|AH01630"

LOCATIONS = """
ForesattIdentity header X-Test-Pid 127.0.0.1 acr=X-Test-Acr
ForesattPseudonymSecret "a test pseudonym secret of length"
ForesattAuditFlushInterval 1
<Location /elev/>
  AuthType foresatt
  Require foresatt-guardian
</Location>
"""


class Setup:
    def __init__(self, httpd_factory, name, ttl):
        self.h = httpd_factory(name=name)
        self.w = World(self.h)
        self.mp = Maskinporten()
        client = self.mp.add_client("school", kid="k1")
        self.mp.start()
        self.freg = Freg(self.w.freg, maskinporten=self.mp).start()
        key = self.h.write_file("conf/maskinporten.pem", client.private_pem(), mode=0o600)
        self.h.chown_service(key)
        self.h.write_file("htdocs/elev/index.html", "elev\n")
        self.h.start(f"ForesattPlugin freg {paths.plugin('registry_freg')} base_url={self.freg.base_url} "
                     f"token_url={self.mp.token_url} client_id=school key={key} kid=k1 timeout=2\n"
                     f"ForesattPlugin st {paths.plugin('store_sqlite')} path={self.w.db}\n"
                     "ForesattRegistry freg\nForesattStore st\n"
                     f"ForesattRegistryCacheTTL {ttl}\n" + LOCATIONS)

    def get(self, who):
        return requests.get(self.h.url("/elev/"), headers={PID: who, "X-Test-Acr": "idporten-loa-substantial"}, timeout=15)

    def stop(self):
        self.freg.stop()
        self.mp.stop()


@pytest.fixture(scope="module")
def cached(httpd_factory):
    s = Setup(httpd_factory, "registry-httpd", 300)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def uncached(httpd_factory):
    s = Setup(httpd_factory, "registry-httpd-nocache", 0)
    yield s
    s.stop()


def test_cache_cuts_register_calls(cached, uncached):
    """Kari and Ola share five children: with the cache, Ola's decision asks the register only for
    Ola; without it, for Ola and every child again."""
    calls = {}
    for s in (cached, uncached):
        s.h.expect_log(AUTHZ_FAILURE)
        kari, ola = s.w.who("KARI HANSEN")["login"], s.w.who("OLA HANSEN")["login"]
        assert s.get(kari).status_code == 200
        after_kari = s.freg.numbers_asked
        assert s.get(ola).status_code == 200
        calls[s] = (after_kari, s.freg.numbers_asked - after_kari)
    print("register numbers asked (kari, ola): cached", calls[cached], "uncached", calls[uncached])
    kari_cached, ola_cached = calls[cached]
    kari_uncached, ola_uncached = calls[uncached]
    assert kari_cached == kari_uncached >= 2   # the guardian, then the children
    assert ola_cached == 1                     # only Ola; the children come from the cache
    assert ola_uncached == kari_uncached       # everything again
    # and a guardian's repeated requests cost the register nothing (the decision is kept too)
    before = cached.freg.numbers_asked
    for _ in range(5):
        assert cached.get(cached.w.who("KARI HANSEN")["login"]).status_code == 200
    assert cached.freg.numbers_asked == before


def test_same_decisions_as_the_file_register(cached):
    cached.h.expect_log(AUTHZ_FAILURE)
    for s in cached.w.scenarios:
        if s.get("role") == "student":
            continue
        allowed = any(d == "allow" for d in s["expect"].values())
        r = cached.get(s["login"])
        assert r.status_code == (200 if allowed else 403), (s["who"], r.status_code)


def test_token_fetched_once_per_child_and_reused(cached):
    # Every guardian above needed the register; the children's token was asked for once each.
    assert cached.freg.bulk_calls >= 10
    assert 1 <= cached.mp.token_requests <= 2      # ServerLimit 2 in the test httpd
    assert cached.mp.refusals == []
    assert cached.freg.unauthorized == 0


# one guardian per case: a decision, once made, is kept (ForesattAuthzRecheck)
DOWN = [("500", None, "INGRID BERG"), ("429", "7", "HILDE NILSEN"), ("slow", None, "SAMIRA AHMED"),
        ("garbage", None, "ANNE LIE"), ("drop", None, "GEIR DAHL")]


@pytest.mark.parametrize("mode,retry_after,name", DOWN, ids=[d[0] for d in DOWN])
def test_register_down_gives_a_clear_503(uncached, mode, retry_after, name):
    s = uncached
    s.h.expect_log(UNAVAILABLE)
    s.h.expect_log(r"FS0403")
    who = s.w.who(name)["login"]
    s.freg.mode = mode
    s.freg.retry_after = 7
    s.freg.delay = 3
    try:
        r = s.get(who)
    finally:
        s.freg.mode = None
    assert r.status_code == 503
    assert "try again" in r.text
    assert who not in r.text
    if retry_after:
        assert r.headers.get("Retry-After") == retry_after
    # the server keeps serving, and the guardian gets in once the register is back
    assert s.get(who).status_code == 200
    log = s.h.new_log()
    assert "FS0402" in log or "FS0403" in log
    assert who not in log  # no number in the error log


def test_maskinporten_down_gives_a_clear_503(uncached):
    s = uncached
    s.h.expect_log(UNAVAILABLE)
    # a fresh child would need a token; make every grant fail and forget the current token by
    # revoking it at the register
    s.mp.fail_status = 503
    s.freg.reject_tokens = 1
    try:
        r = s.get(s.w.who("MONA STRAND")["login"])
    finally:
        s.mp.fail_status = None
    assert r.status_code == 503
    assert "try again" in r.text
