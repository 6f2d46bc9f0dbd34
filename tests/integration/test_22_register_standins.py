"""The stand-ins themselves refuse what the real services refuse: every Maskinporten assertion rule,
and Folkeregisteret's token and request checks. (The plugin's side is in test_21.)"""
import base64
import json
import os
import sys
import time
import uuid

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from fstest import paths

sys.path.insert(0, os.path.join(paths.SRCDIR, "tests", "standins"))
from freg import Freg  # noqa: E402
from maskinporten import GRANT, Maskinporten  # noqa: E402

SCOPE = "folkeregister:deling/offentligmedhjemmel"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(key, header, claims):
    signing = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    sig = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing + "." + b64(sig)


@pytest.fixture(scope="module")
def mp():
    m = Maskinporten()
    m.client = m.add_client("c1", kid="k1")
    m.start()
    yield m
    m.stop()


def claims(mp, **over):
    now = int(time.time())
    c = {"aud": mp.audience, "iss": "c1", "scope": SCOPE, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def post(mp, assertion, grant_type=GRANT):
    return requests.post(mp.token_url, data={"grant_type": grant_type, "assertion": assertion}, timeout=10)


def test_good_assertion_gets_a_token(mp):
    r = post(mp, jwt(mp.client.key, {"alg": "RS256", "kid": "k1"}, claims(mp)))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 120 and body["scope"] == SCOPE
    assert mp.introspect(body["access_token"])["active"] is True


def test_x5c_assertion_gets_a_token(mp):
    x5c = [base64.b64encode(mp.client.cert.public_bytes(Encoding.DER)).decode()]
    r = post(mp, jwt(mp.client.key, {"alg": "RS256", "x5c": x5c}, claims(mp)))
    assert r.status_code == 200, r.text


STRANGER = rsa.generate_private_key(public_exponent=65537, key_size=2048)

REFUSED = [
    # (header, claims override, key, error, description)
    ({"alg": "RS256", "kid": "k1"}, {"aud": "http://127.0.0.1:1/"}, None, "invalid_grant", "invalid audience"),
    ({"alg": "RS256", "kid": "k1"}, {"aud": "AUD_NO_SLASH"}, None, "invalid_grant", "invalid audience"),
    ({"alg": "RS256", "kid": "k1"}, {"exp": "LONG"}, None, "invalid_grant", "more than 120 seconds"),
    ({"alg": "RS256", "kid": "k1"}, {"exp": "PAST"}, None, "invalid_grant", "expired"),
    ({"alg": "RS256", "kid": "k1"}, {"iat": "FUTURE"}, None, "invalid_grant", "iat is more than 10 seconds off"),
    ({"alg": "RS256"}, {}, None, "invalid_client", "neither kid nor x5c"),
    ({"alg": "RS256", "kid": "k1"}, {}, STRANGER, "invalid_grant", "invalid signature"),
    ({"alg": "RS256", "kid": "k1"}, {"iss": "nobody"}, None, "invalid_client", "unknown client"),
    ({"alg": "RS256", "kid": "k2"}, {}, None, "invalid_client", "kid is not registered"),
    ({"alg": "RS256", "kid": "k1"}, {"scope": "folkeregister:deling/privat"}, None, "invalid_scope", "not allowed"),
    ({"alg": "RS256", "kid": "k1"}, {"scope": None}, None, "invalid_scope", "scope is missing"),
    ({"alg": "RS256", "kid": "k1"}, {"jti": None}, None, "invalid_grant", "jti is missing"),
    ({"alg": "HS256", "kid": "k1"}, {}, None, "invalid_grant", "alg 'HS256' not accepted"),
    ({"alg": "none", "kid": "k1"}, {}, None, "invalid_grant", "alg 'none' not accepted"),
    ({"alg": "RS256", "kid": "k1"}, {"resource": "https://freg"}, None, "invalid_target", "resource"),
    ({"alg": "RS256", "x5c": ["bm90IGEgY2VydA=="]}, {}, None, "invalid_client", "x5c[0] is not a certificate"),
]


@pytest.mark.parametrize("header,over,key,error,why", REFUSED, ids=[r[4] for r in REFUSED])
def test_maskinporten_refuses(mp, header, over, key, error, why):
    now = int(time.time())
    special = {"AUD_NO_SLASH": mp.audience.rstrip("/"), "LONG": now + 121, "PAST": now - 1, "FUTURE": now + 60}
    over = {k: special.get(v, v) if isinstance(v, str) else v for k, v in over.items()}
    if over.get("iat") == now + 60:
        over["exp"] = now + 100
    r = post(mp, jwt(key or mp.client.key, header, claims(mp, **over)))
    assert r.status_code == 400
    assert r.json()["error"] == error
    assert why in r.json()["error_description"]


def test_maskinporten_refuses_a_reused_jti(mp):
    c = claims(mp)
    assert post(mp, jwt(mp.client.key, {"alg": "RS256", "kid": "k1"}, c)).status_code == 200
    c2 = dict(c, iat=c["iat"], exp=c["exp"])
    r = post(mp, jwt(mp.client.key, {"alg": "RS256", "kid": "k1"}, c2))
    assert r.status_code == 400 and "jti has been used before" in r.json()["error_description"]


def test_maskinporten_refuses_bad_requests(mp):
    good = jwt(mp.client.key, {"alg": "RS256", "kid": "k1"}, claims(mp))
    r = post(mp, good, grant_type="client_credentials")
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    r = post(mp, "not.a-jwt")
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = requests.post(mp.token_url, json={"grant_type": GRANT, "assertion": good}, timeout=10)
    assert r.status_code == 400 and "Content-Type" in r.json()["error_description"]


# --- Folkeregisteret -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def freg(mp, tmp_path_factory):
    d = tmp_path_factory.mktemp("docs")
    (d / "20036914700.json").write_text(json.dumps({"identifikasjonsnummer": [
        {"erGjeldende": True, "status": "iBruk", "foedselsEllerDNummer": "20036914700",
         "identifikatortype": "foedselsnummer"}]}))
    f = Freg(d, maskinporten=mp).start()
    yield f
    f.stop()


def token(mp, scope=SCOPE, client="c1"):
    if client not in mp.clients:
        mp.add_client(client, kid="kx", scopes=[scope])
    c = mp.clients[client]
    r = post(mp, jwt(c.key, {"alg": "RS256", "kid": c.kid}, claims(mp, iss=client, scope=scope)))
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


BULK = "folkeregisteret/offentlig-med-hjemmel/api/v1/personer/bulkoppslag?part=person-basis&part=relasjon-utvidet"


def test_freg_bulk_and_get(freg, mp):
    h = {"Authorization": "Bearer " + token(mp)}
    r = requests.post(freg.base_url + BULK, json={"foedselsEllerDNummer": ["20036914700", "03851598730"]},
                      headers=h, timeout=10)
    assert r.status_code == 200
    assert [o["foedselsEllerDNummer"] for o in r.json()["oppslag"]] == ["20036914700"]
    r = requests.post(freg.base_url + BULK + "&somBestilt=true",
                      json={"foedselsEllerDNummer": ["20036914700", "03851598730"]}, headers=h, timeout=10)
    assert r.json()["oppslag"][1]["feilmelding"]["feilmelding"] == "Ukjent person"
    base = freg.base_url + "folkeregisteret/offentlig-med-hjemmel/api/v1/personer/"
    assert requests.get(base + "20036914700", headers=h, timeout=10).status_code == 200
    assert requests.get(base + "03851598730", headers=h, timeout=10).status_code == 404


def test_freg_requires_a_valid_token_with_the_scope(freg, mp):
    body = {"foedselsEllerDNummer": ["20036914700"]}
    assert requests.post(freg.base_url + BULK, json=body, timeout=10).status_code == 401
    r = requests.post(freg.base_url + BULK, json=body, headers={"Authorization": "Bearer forged"}, timeout=10)
    assert r.status_code == 401 and r.json()["kode"] == "FREG-401"
    other = token(mp, scope="folkeregister:deling/privat", client="c-privat")
    r = requests.post(freg.base_url + BULK, json=body, headers={"Authorization": "Bearer " + other}, timeout=10)
    assert r.status_code == 403


def test_freg_refuses_malformed_bulk_requests(freg, mp):
    h = {"Authorization": "Bearer " + token(mp)}
    r = requests.post(freg.base_url + BULK, data="20036914700", headers=dict(h, **{"Content-Type": "text/plain"}),
                      timeout=10)
    assert r.status_code == 400
    r = requests.post(freg.base_url + BULK, json={"foedselsEllerDNummer": "20036914700"}, headers=h, timeout=10)
    assert r.status_code == 400
    r = requests.post(freg.base_url + BULK, json={"foedselsEllerDNummer": ["20036914700"] * 1001}, headers=h,
                      timeout=10)
    assert r.status_code == 400


# --- Folkeregisteret's event feed ----------------------------------------------------------------

EVENTS = "folkeregisteret/offentlig-med-hjemmel/api/v1/hendelser/"


@pytest.fixture
def feed(mp, tmp_path):
    f = Freg(tmp_path, maskinporten=mp).start()
    yield f
    f.stop()


def test_feed_pages_from_seq_inclusive(feed, mp):
    h = {"Authorization": "Bearer " + token(mp)}
    last = feed.append_events([("20036914700", "endringIStatus")] * 2500)
    assert last == 2500
    r = requests.get(feed.base_url + EVENTS + "feed?seq=1", headers=h, timeout=10)
    page = r.json()
    assert r.status_code == 200 and len(page) == 1000
    assert [i["sekvensnummer"] for i in page] == list(range(1, 1001))
    assert set(page[0]["hendelse"]) == {"folkeregisteridentifikator", "hendelsetype", "hendelsesdokument",
                                        "persondokument", "ajourholdstidspunkt"}
    page = requests.get(feed.base_url + EVENTS + "feed?seq=2001", headers=h, timeout=10).json()
    assert [i["sekvensnummer"] for i in page] == list(range(2001, 2501))
    assert requests.get(feed.base_url + EVENTS + "feed?seq=2501", headers=h, timeout=10).json() == []
    doc = requests.get(feed.base_url + EVENTS + page[0]["hendelse"]["hendelsesdokument"], headers=h, timeout=10)
    assert doc.json()["hendelsestype"] == "endringIStatus"


def test_feed_latest_sequence_number_in_both_shapes(feed, mp):
    h = {"Authorization": "Bearer " + token(mp)}
    url = feed.base_url + EVENTS + "siste/sekvensnummer"
    assert requests.get(url, headers=h, timeout=10).json() == 0
    feed.append_event("20036914700", "personErDoed")
    assert requests.get(url, headers=h, timeout=10).json() == 1
    feed.latest_shape = "object"
    assert requests.get(url, headers=h, timeout=10).json() == {"sekvensnummer": 1}


def test_feed_etag_and_not_modified(feed, mp):
    h = {"Authorization": "Bearer " + token(mp)}
    url = feed.base_url + EVENTS + "feed?seq=1"
    r = requests.get(url, headers=h, timeout=10)
    etag = r.headers["ETag"]
    assert r.json() == []
    r = requests.get(url, headers=dict(h, **{"If-None-Match": etag}), timeout=10)
    assert r.status_code == 304 and r.content == b"" and feed.feed_not_modified == 1
    feed.append_event("20036914700", "endringIAdressebeskyttelse")
    r = requests.get(url, headers=dict(h, **{"If-None-Match": etag}), timeout=10)
    assert r.status_code == 200 and len(r.json()) == 1 and r.headers["ETag"] != etag


def test_feed_rate_limits_refuses_and_forgets(feed, mp):
    h = {"Authorization": "Bearer " + token(mp)}
    assert requests.get(feed.base_url + EVENTS + "feed?seq=1", timeout=10).status_code == 401
    assert requests.get(feed.base_url + EVENTS + "feed?seq=x", headers=h, timeout=10).status_code == 400
    feed.feed_mode, feed.retry_after = "429", 9
    r = requests.get(feed.base_url + EVENTS + "feed?seq=1", headers=h, timeout=10)
    assert r.status_code == 429 and r.headers["Retry-After"] == "9"
    # lookups are not throttled by the feed's switch
    r = requests.post(feed.base_url + BULK, json={"foedselsEllerDNummer": ["20036914700"]}, headers=h, timeout=10)
    assert r.status_code == 200
    feed.feed_mode = None
    feed.append_events([("20036914700", "endringIStatus")] * 5)
    feed.gone_before = 3
    assert requests.get(feed.base_url + EVENTS + "feed?seq=2", headers=h, timeout=10).status_code == 406
    assert len(requests.get(feed.base_url + EVENTS + "feed?seq=3", headers=h, timeout=10).json()) == 3


def test_feed_test_hooks_from_another_process(feed, mp):
    h = {"Authorization": "Bearer " + token(mp)}
    r = requests.post(feed.base_url + "_standin/events", json=[{"number": "20036914700", "type": "personErDoed"}],
                      timeout=10)
    assert r.json() == {"sekvensnummer": 1}
    assert requests.post(feed.base_url + "_standin/events", json=[{"number": "x"}], timeout=10).status_code == 400
    doc = {"identifikasjonsnummer": [{"erGjeldende": True, "status": "iBruk", "foedselsEllerDNummer": "20036914700",
                                      "identifikatortype": "foedselsnummer"}], "status": [{"erGjeldende": True,
                                                                                           "status": "doed"}]}
    assert requests.put(feed.base_url + "_standin/personer/20036914700", json=doc, timeout=10).status_code == 200
    r = requests.get(feed.base_url + "folkeregisteret/offentlig-med-hjemmel/api/v1/personer/20036914700",
                     headers=h, timeout=10)
    assert r.json()["status"][0]["status"] == "doed"
    assert feed.asked == ["20036914700"]
