"""The ID-porten stand-in itself refuses what ID-porten refuses in pushed authorization requests and
RP-initiated logout, and sends back-channel logout tokens good and bad: so the module's tests
against it mean something. (The module's side is in the PAR and logout tests.)"""
import base64
import hashlib
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from fstest.oidc import decode_jwt_claims
from fstest.oidc import make_op

SECRET = "standin-secret"
REDIRECT = "http://127.0.0.1:9/cb"
BACK = "http://127.0.0.1:9/"
VERIFIER = "v" * 43
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def op():
    op = make_op()
    op.add_client("basic-client", secret=SECRET, redirect_uris=[REDIRECT], post_logout_redirect_uris=[BACK],
                  auth_method="client_secret_basic")
    op.add_client("post-client", secret=SECRET, redirect_uris=[REDIRECT], post_logout_redirect_uris=[BACK],
                  auth_method="client_secret_post")
    yield op
    op.stop()


@pytest.fixture(autouse=True)
def clean(op):
    op.reset()


def request_params(client_id="basic-client", **over):
    p = {"response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT, "scope": "openid",
         "state": "st", "nonce": "no", "code_challenge": CHALLENGE, "code_challenge_method": "S256",
         "acr_values": "idporten-loa-substantial"}
    p.update(over)
    return {k: v for k, v in p.items() if v is not None}


def push(op, form, auth=("basic-client", SECRET)):
    return requests.post(op.url("/par"), data=form, auth=auth, timeout=10)


def authorize(op, **query):
    return requests.get(op.url("/authorize"), params=query, timeout=10, allow_redirects=False)


def test_discovery_names_the_par_endpoint(op):
    d = requests.get(op.metadata_url, timeout=10).json()
    assert d["pushed_authorization_request_endpoint"] == op.url("/par")
    assert d["require_pushed_authorization_requests"] is False
    assert d["backchannel_logout_supported"] is True
    op.require_par = True
    assert requests.get(op.metadata_url, timeout=10).json()["require_pushed_authorization_requests"] is True


def test_pushed_request_then_authorize_with_request_uri_only(op):
    r = push(op, request_params())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["request_uri"].startswith("urn:ietf:params:oauth:request_uri:") and body["expires_in"] == 60
    page = authorize(op, client_id="basic-client", request_uri=body["request_uri"])
    assert page.status_code == 200 and 'name="tx"' in page.text
    assert op.par_requests[-1]["method"] == "client_secret_basic"


def test_par_refuses_a_missing_or_wrong_client_authentication(op):
    r = push(op, request_params(), auth=None)
    assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert r.json()["error_description"] == "no client authentication"
    r = push(op, request_params(), auth=("basic-client", "wrong"))
    assert r.status_code == 401
    # The method registered for the client, and no other.
    r = push(op, dict(request_params(), client_secret=SECRET), auth=None)
    assert r.status_code == 401
    assert r.json()["error_description"] == "client registered client_secret_basic, authenticated with " \
                                            "client_secret_post"
    r = push(op, dict(request_params("post-client"), client_secret=SECRET), auth=None)
    assert r.status_code == 201, r.text


def test_par_checks_the_request_itself(op):
    for over, why in [({"redirect_uri": "http://127.0.0.1:9/other"}, "redirect_uri is not registered"),
                      ({"code_challenge_method": "plain"}, "PKCE S256 is mandatory"),
                      ({"nonce": None}, "state and nonce are mandatory"),
                      ({"request_uri": "urn:x"}, "request_uri must not be pushed"),
                      ({"client_id": None}, "client_id is missing or not the authenticated client")]:
        r = push(op, request_params(**over))
        assert r.status_code == 400, (over, r.text)
        assert why in r.json()["error_description"], (over, r.text)
    r = push(op, request_params(client_id="post-client"))
    assert r.status_code == 401 and r.json()["error_description"] == "client_id differs from the basic auth user"


def test_request_uri_is_single_use_expires_and_travels_alone(op):
    uri = push(op, request_params()).json()["request_uri"]
    extra = authorize(op, client_id="basic-client", request_uri=uri, scope="openid")
    assert extra.status_code == 400 and "only client_id and request_uri, not scope" in extra.text
    assert authorize(op, client_id="post-client", request_uri=uri).status_code == 400
    assert authorize(op, client_id="basic-client", request_uri=uri).status_code == 200
    again = authorize(op, client_id="basic-client", request_uri=uri)
    assert again.status_code == 400 and "request_uri already used" in again.text
    assert "unknown request_uri" in authorize(op, client_id="basic-client", request_uri=uri + "x").text
    op.par_expires_in = 0
    uri = push(op, request_params()).json()["request_uri"]
    expired = authorize(op, client_id="basic-client", request_uri=uri)
    assert expired.status_code == 400 and "request_uri expired" in expired.text


def test_required_par_refuses_a_plain_authorization_request(op):
    op.require_par = True
    r = authorize(op, **request_params())
    assert r.status_code == 400 and "requires pushed authorization requests" in r.text


def test_par_misbehaviour_switches(op):
    op.par_error = (503, {"error": "temporarily_unavailable"})
    r = push(op, request_params())
    assert r.status_code == 503 and r.json()["error"] == "temporarily_unavailable"
    op.par_error = None
    op.par_response = {"expires_in": 60}
    assert push(op, request_params()).json() == {"expires_in": 60}


def id_token_hint(op, client_id="basic-client", sid="sid-1"):
    return op.sign_jwt({"iss": op.issuer, "aud": client_id, "sub": "s", "sid": sid, "iat": 1, "exp": 2})


def test_end_session_by_get_or_post_and_get_only(op):
    params = {"id_token_hint": id_token_hint(op), "post_logout_redirect_uri": BACK, "state": "s1"}
    for method in ("GET", "POST"):
        r = requests.request(method, op.url("/endsession"), **({"params": params} if method == "GET"
                                                                 else {"data": params}),
                             timeout=10, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"] == BACK + "?state=s1", (method, r.text)
    op.end_session_methods = {"GET"}
    r = requests.post(op.url("/endsession"), data=params, timeout=10, allow_redirects=False)
    assert r.status_code == 404
    assert requests.get(op.url("/endsession"), params=params, timeout=10, allow_redirects=False).status_code == 302
    assert [x["method"] for x in op.logouts] == ["GET", "POST", "GET"]


def test_end_session_refuses_a_hint_it_cannot_verify_but_takes_client_id(op):
    hint = id_token_hint(op)
    op.rotate_keys(keep_old=False)
    r = requests.get(op.url("/endsession"), params={"id_token_hint": hint, "post_logout_redirect_uri": BACK,
                                                    "client_id": "basic-client"}, timeout=10, allow_redirects=False)
    assert r.status_code == 400 and "could not be verified" in r.text
    r = requests.get(op.url("/endsession"), params={"client_id": "basic-client", "post_logout_redirect_uri": BACK},
                     timeout=10, allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == BACK
    r = requests.get(op.url("/endsession"), params={"client_id": "basic-client",
                                                    "post_logout_redirect_uri": "http://127.0.0.1:9/x"},
                     timeout=10, allow_redirects=False)
    assert r.status_code == 400
    r = requests.get(op.url("/endsession"), params={"id_token_hint": id_token_hint(op), "client_id": "post-client",
                                                    "post_logout_redirect_uri": BACK},
                     timeout=10, allow_redirects=False)
    assert r.status_code == 400 and "client_id does not match" in r.text


class Receiver:
    """A back-channel logout URI: records each POST and answers 200."""

    def __init__(self):
        got = self.got = []

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                got.append(dict(urllib.parse.parse_qsl(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/bcl"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def header(token):
    return json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))


def test_backchannel_logout_tokens_good_and_bad(op):
    rx = Receiver()
    try:
        op.clients["basic-client"]["backchannel_logout_uri"] = rx.url
        status, _, _ = op.send_backchannel_logout(client_id="basic-client", sid="sid-9")
        assert status == 200
        token = rx.got[-1]["logout_token"]
        assert header(token) == {"alg": "RS256", "kid": op.signing_key.kid, "typ": "logout+jwt"}
        c = decode_jwt_claims(token)
        assert c["iss"] == op.issuer and c["aud"] == "basic-client" and c["sid"] == "sid-9" and c["jti"]
        assert c["events"] == {"http://schemas.openid.net/event/backchannel-logout": {}} and "nonce" not in c
        op.send_backchannel_logout(client_id="basic-client", sub="s", mode="alg_none",
                                   claims_override={"nonce": "n"}, claims_remove=["events"])
        token = rx.got[-1]["logout_token"]
        assert header(token)["alg"] == "none" and token.endswith(".")
        c = decode_jwt_claims(token)
        assert c["nonce"] == "n" and "events" not in c and c["sub"] == "s" and "sid" not in c
        op.send_backchannel_logout(client_id="basic-client", token="not-a-token")
        assert rx.got[-1] == {"logout_token": "not-a-token"}
        assert [d["status"] for d in op.backchannel_deliveries] == [200, 200, 200]
        # Nobody there: one attempt, no answer.
        status, _, _ = op.send_backchannel_logout(uri="http://127.0.0.1:9/", client_id="basic-client", sid="x")
        assert status is None and len(op.backchannel_deliveries) == 4
    finally:
        op.clients["basic-client"]["backchannel_logout_uri"] = None
        rx.stop()


def test_end_session_sends_the_backchannel_logouts_of_that_op_session(op):
    rx = Receiver()
    try:
        op.clients["post-client"]["backchannel_logout_uri"] = rx.url
        op.sessions["sid-7"] = {"clients": {"basic-client", "post-client"}, "subs": {"post-client": "sub-p"}}
        r = requests.get(op.url("/endsession"), params={"id_token_hint": id_token_hint(op, sid="sid-7"),
                                                        "post_logout_redirect_uri": BACK},
                         timeout=10, allow_redirects=False)
        assert r.status_code == 302
        assert len(rx.got) == 1
        c = decode_jwt_claims(rx.got[0]["logout_token"])
        assert c["aud"] == "post-client" and c["sid"] == "sid-7" and c["sub"] == "sub-p"
        assert "sid-7" not in op.sessions
    finally:
        op.clients["post-client"]["backchannel_logout_uri"] = None
        rx.stop()
