"""registry_freg against the Maskinporten and Folkeregisteret stand-ins, driven by foresattctl lookup:
the same answers as registry_file for every login scenario, numbers kept out of URLs, and every
failure mode (404, 429, 500, slow, garbage, oversized, too deep, dropped, token refused) with its
message and exit code. Configuration mistakes fail configtest."""
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
CLIENT = "foresatt-test"
SCOPE = "folkeregister:deling/offentligmedhjemmel"


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    out = tmp_path_factory.mktemp("freg-fixtures")
    subprocess.run(["/usr/bin/python3", paths.FIXTURES, "--today", TODAY, "--out", str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def mp():
    m = Maskinporten()
    m.client = m.add_client(CLIENT, kid="k1")
    m.other = m.add_client("someone-else", kid="k9", scopes=["some:other"])
    m.start()
    yield m
    m.stop()


@pytest.fixture(scope="module")
def freg(fixtures, mp):
    f = Freg(fixtures / "freg", maskinporten=mp).start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def keys(tmp_path_factory, mp):
    d = tmp_path_factory.mktemp("keys")
    (d / "client.pem").write_bytes(mp.client.private_pem())
    (d / "client.crt").write_bytes(mp.client.cert_pem())
    (d / "other.pem").write_bytes(mp.other.private_pem())
    (d / "other.crt").write_bytes(mp.other.cert_pem())
    return d


@pytest.fixture(autouse=True)
def fresh(request):
    """Each test starts with well-behaved stand-ins and zeroed counters."""
    for name in ("mp", "freg"):
        if name in request.fixturenames:
            request.getfixturevalue(name).reset()
    yield


def freg_line(freg, mp, keys, **over):
    kv = {"base_url": freg.base_url, "token_url": mp.token_url, "client_id": CLIENT,
          "key": str(keys / "client.pem"), "kid": "k1", "timeout": "2"}
    kv.update(over)
    args = " ".join(f"{k}={v}" for k, v in kv.items() if v is not None)
    return f"ForesattPlugin reg {paths.plugin('registry_freg')} {args}\nForesattRegistry reg\n"


def write_conf(tmp_path, text, name="foresatt.conf"):
    p = tmp_path / name
    p.write_text(text)
    return p


def ctl(conf, *args):
    return subprocess.run([paths.tool(), "--config", str(conf), *args], capture_output=True, text=True, timeout=60)


def scenarios(fixtures):
    return json.loads((fixtures / "scenarios.json").read_text())["scenarios"]


# --- the same register answer through both plugins ------------------------------------------------

def register_view(conf, login):
    """What the authorization asks for one login: the guardian, then every child named in their
    responsibilities, in one lookup."""
    p = ctl(conf, "lookup", "--json", login)
    if p.returncode == 1:
        return {"guardian": "not_found"}
    assert p.returncode == 0, p.stderr
    guardian = json.loads(p.stdout)[0]
    children = sorted({r["subject"] for r in guardian["person"]["responsibilities"]})
    view = {"guardian": guardian, "children": []}
    if children:
        p = ctl(conf, "lookup", "--json", *children)
        assert p.returncode == 0, p.stderr
        view["children"] = json.loads(p.stdout)
    return view


def test_same_answers_through_file_and_freg(fixtures, freg, mp, keys, tmp_path):
    file_conf = write_conf(tmp_path, f"ForesattPlugin reg {paths.plugin('registry_file')} dir={fixtures / 'freg'}\n"
                                     "ForesattRegistry reg\n", "file.conf")
    freg_conf = write_conf(tmp_path, freg_line(freg, mp, keys), "freg.conf")
    logins = [s["login"] for s in scenarios(fixtures)]
    assert len(logins) >= 12
    compared = 0
    for login in logins:
        via_file = register_view(file_conf, login)
        via_freg = register_view(freg_conf, login)
        assert via_file == via_freg, login
        compared += 1 + len(via_file.get("children", []))
    assert compared > 20
    assert freg.bulk_calls > 0 and freg.person_calls == 0  # always bulkoppslag


def test_one_token_and_one_bulk_call_per_lookup(freg, mp, keys, tmp_path, fixtures):
    conf = write_conf(tmp_path, freg_line(freg, mp, keys))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    children = [r["subject"] for r in
                json.loads(ctl(conf, "lookup", "--json", kari).stdout)[0]["person"]["responsibilities"]]
    mp.reset()
    freg.reset()
    p = ctl(conf, "lookup", kari, *children)
    assert p.returncode == 0, p.stderr
    assert mp.token_requests == 1
    assert freg.bulk_calls == 1
    assert freg.numbers_asked == 1 + len(children)


def test_numbers_stay_out_of_urls(freg, mp, keys, tmp_path, fixtures):
    conf = write_conf(tmp_path, freg_line(freg, mp, keys))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    assert ctl(conf, "lookup", kari).returncode == 0
    assert freg.last_query == {"part": ["person-basis", "relasjon-utvidet"]}
    assert json.loads(freg.last_body) == {"foedselsEllerDNummer": [kari]}
    assert freg.last_headers["Content-Type"] == "application/json"
    assert freg.last_headers["Authorization"].startswith("Bearer ")


def test_x5c_instead_of_kid(freg, mp, keys, tmp_path, fixtures):
    conf = write_conf(tmp_path, freg_line(freg, mp, keys, kid=None, x5c=keys / "client.crt"))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    p = ctl(conf, "lookup", kari)
    assert p.returncode == 0, p.stderr
    assert mp.refusals == []


# --- failure modes ------------------------------------------------------------------------------------

FAILURES = [
    # (freg.mode, exit code, words on stderr or stdout)
    ("404", 1, ["not found in the register"]),
    ("429", 4, ["unavailable for now", "rate limiting (429)", "retry after 7 s"]),
    ("500", 4, ["unavailable for now", "Folkeregisteret answered 500"]),
    ("503", 4, ["unavailable for now", "Folkeregisteret answered 503"]),
    ("slow", 4, ["unavailable for now", "did not answer within 1 s"]),
    ("garbage", 4, ["the register (reg) failed", "not valid JSON"]),
    ("huge", 4, ["failed", "larger than the 33554432 bytes allowed"]),
    ("deep", 4, ["failed", "nested deeper than 24 levels"]),
    ("wrong_type", 4, ["failed", "navn is not an array"]),
    ("drop", 4, ["unavailable for now", "Folkeregisteret unreachable"]),
]


@pytest.mark.parametrize("mode,code,words", FAILURES, ids=[f[0] for f in FAILURES])
def test_register_failure_modes(freg, mp, keys, tmp_path, fixtures, mode, code, words):
    conf = write_conf(tmp_path, freg_line(freg, mp, keys, timeout="1"))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    freg.mode = mode
    freg.retry_after = 7
    freg.delay = 3
    p = ctl(conf, "lookup", kari)
    out = p.stdout + p.stderr
    assert p.returncode == code, out
    for w in words:
        assert w in out
    assert kari not in p.stderr  # never a number in an error message
    assert freg.bulk_calls == 1


def test_register_down(freg, mp, keys, tmp_path, fixtures):
    from fstest.net import free_port
    conf = write_conf(tmp_path, freg_line(freg, mp, keys, base_url=f"http://127.0.0.1:{free_port()}/"))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    p = ctl(conf, "lookup", kari)
    assert p.returncode == 4
    assert "unavailable for now" in p.stderr and "Folkeregisteret unreachable" in p.stderr


TOKEN_REFUSED = [
    # (plugin settings, the stand-in's reason)
    ({"audience": "http://127.0.0.1:1/"}, "invalid audience"),
    ({"kid": "wrong-kid"}, "kid is not registered"),
    ({"client_id": "nobody"}, "unknown client"),
    ({"scope": "folkeregister:deling/privat"}, "not allowed the scope"),
    ({"key": "other.pem"}, "invalid signature"),
    ({"kid": None, "x5c": "other.crt", "key": "other.pem"}, "x5c certificate is not registered"),
]


@pytest.mark.parametrize("over,reason", TOKEN_REFUSED, ids=[r for _, r in TOKEN_REFUSED])
def test_token_refused(freg, mp, keys, tmp_path, fixtures, over, reason):
    over = {k: (str(keys / v) if k in ("key", "x5c") and v else v) for k, v in over.items()}
    conf = write_conf(tmp_path, freg_line(freg, mp, keys, **over))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    p = ctl(conf, "lookup", kari)
    assert p.returncode == 4, p.stdout + p.stderr
    assert "Maskinporten refused the token request (400" in p.stderr
    assert reason in p.stderr
    assert mp.refusals and reason in mp.refusals[-1]
    assert freg.calls == 0  # no token, no register call


def test_maskinporten_unavailable(freg, mp, keys, tmp_path, fixtures):
    conf = write_conf(tmp_path, freg_line(freg, mp, keys))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    mp.fail_status = 503
    mp.retry_after = 9
    p = ctl(conf, "lookup", kari)
    assert p.returncode == 4
    assert "unavailable for now: Maskinporten answered 503 (it asks to retry after 9 s)" in p.stderr
    mp.fail_status = None
    mp.delay = 3
    p = ctl(conf, "lookup", kari)
    assert p.returncode == 4
    assert "Maskinporten did not answer within 2 s" in p.stderr


def test_register_refuses_wrong_scope_token(freg, mp, keys, tmp_path, fixtures):
    """A token for another scope gets 403 from the register: an error, not a retry."""
    conf = write_conf(tmp_path, freg_line(freg, mp, keys, client_id="someone-else", kid="k9",
                                          key=keys / "other.pem", scope="some:other"))
    kari = next(s for s in scenarios(fixtures) if s["who"] == "KARI HANSEN")["login"]
    p = ctl(conf, "lookup", kari)
    assert p.returncode == 4
    assert "refused access (403)" in p.stderr


# --- configuration ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def httpd(httpd_factory):
    return httpd_factory(name="registry-freg")


def test_configtest_accepts_a_good_line(httpd, freg, mp, keys):
    rc, out = httpd.configtest(freg_line(freg, mp, keys))
    assert rc == 0, out


BROKEN = [
    ({"base_url": None}, ["keys base_url, token_url, client_id and key are required", "missing: base_url"]),
    ({"key": None}, ["missing: key"]),
    ({"kid": None}, ["give exactly one of kid="]),
    ({"x5c": "client.crt"}, ["give exactly one of kid="]),
    ({"base_url": "http://freg.example.org/"}, ["base_url=http://freg.example.org/", "use https://"]),
    ({"token_url": "ftp://127.0.0.1/token"}, ["token_url=ftp://127.0.0.1/token", "give an https:// URL"]),
    ({"key": "/nonexistent/key.pem"}, ["key=/nonexistent/key.pem", "No such file"]),
    ({"key": "client.crt"}, ["not a PEM private key"]),
    ({"key": "small.pem"}, ["at least 2048 bits"]),
    ({"kid": None, "x5c": "other.crt"}, ["x5c=", "does not belong to key="]),
    ({"kid": None, "x5c": "client.pem"}, ["no PEM certificate in the file"]),
    ({"timeout": "0"}, ["timeout=0", "from 1 to 120"]),
    ({"timeout": "ten"}, ["timeout=ten"]),
    ({"ca_file": "/nonexistent/ca.pem"}, ["ca_file=/nonexistent/ca.pem"]),
    ({"colour": "blue"}, ["unknown key 'colour'"]),
    ({"client_id": ""}, ["key 'client_id' has an empty value"]),
]


@pytest.mark.parametrize("over,words", BROKEN, ids=[w[-1][:40] for _, w in BROKEN])
def test_bad_freg_line_fails_configtest(httpd, freg, mp, keys, over, words):
    if not (keys / "small.pem").exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
        (keys / "small.pem").write_bytes(small.private_bytes(serialization.Encoding.PEM,
                                                             serialization.PrivateFormat.TraditionalOpenSSL,
                                                             serialization.NoEncryption()))
    over = {k: (str(keys / v) if k in ("key", "x5c") and v and not v.startswith("/") else v)
            for k, v in over.items()}
    rc, out = httpd.configtest(freg_line(freg, mp, keys, **over))
    assert rc != 0, out
    assert "ForesattPlugin reg" in out
    for w in words:
        assert w in out, f"{w!r} missing from:\n{out}"
