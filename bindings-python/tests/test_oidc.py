"""Against a real OpenID Connect server nobody here wrote: panva's oidc-provider.

``make test`` starts it on 127.0.0.1 (scripts/with-oidc.sh) and names it in ``OIDC_URL``; its
clients and resource servers are in testkit/oidc/fixtures.json. Without ``OIDC_URL`` the suite
is skipped, unless ``TOKENFETCH_REQUIRE_OIDC`` is set (``make test`` sets it).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict

import pytest

import tokenfetch
from tokenfetch import TokenClient, TokenManager

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = json.loads((ROOT / "testkit/oidc/fixtures.json").read_text("utf-8"))
ISSUER = os.environ.get("OIDC_URL")

if not ISSUER and os.environ.get("TOKENFETCH_REQUIRE_OIDC"):
    raise RuntimeError("TOKENFETCH_REQUIRE_OIDC is set but OIDC_URL is not: run under scripts/with-oidc.sh")
pytestmark = pytest.mark.skipif(not ISSUER, reason="OIDC_URL is not set (make test starts oidc-provider)")


KEYS = json.loads((ROOT / "conformance/keys.json").read_text("utf-8"))


def key_case(name: str) -> str:
    """The private key of one case of conformance/keys.json (``untrusted``: one no server knows)."""
    if name == "untrusted":
        return str(KEYS["untrusted"]["key"])
    return str(next(c["key"] for c in KEYS["cases"] if c["name"] == name))


def client(role: str, **options: Any) -> TokenClient:
    c = FIXTURES["clients"][role]
    options.setdefault("client_secret", c.get("client_secret"))
    if "key_case" in c:
        options.setdefault("private_key", key_case(c["key_case"]))
    return TokenClient(
        f"{ISSUER}/token", client_id=c["client_id"], auth_method=c["token_endpoint_auth_method"], **options
    )


def resource(role: str) -> str:
    return str(FIXTURES["resources"][role]["indicator"])


def issued_to(role: str) -> int:
    with urllib.request.urlopen(f"{ISSUER}/__stats") as r:
        return int(json.load(r)["issued"].get(FIXTURES["clients"][role]["client_id"], 0))


def jwt_claims(token: str) -> Dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_client_credentials_with_client_secret_basic() -> None:
    answer = client("basic").request_token("client_credentials", scope="read")
    token = answer.token_response
    assert token is not None
    assert (token.token_type, token.scope, token.expires_in) == ("Bearer", "read", 600)
    assert token.expires_at is not None
    response = answer.http_meta.response
    assert response is not None and response.status == 200
    assert answer.http_meta.request.headers["authorization"] == "Basic [redacted]"


def test_client_credentials_with_client_secret_post() -> None:
    assert client("post").client_credentials(scope="read write").scope == "read write"


def test_an_id_and_secret_with_reserved_characters_authenticate() -> None:
    assert FIXTURES["clients"]["special"]["client_id"] == "cc special:id"
    assert client("special").client_credentials(scope="read").token_type == "Bearer"


def test_resource_indicators_choose_a_jwt_or_an_opaque_token() -> None:
    jwt = client("basic", resource=[resource("jwt")]).client_credentials(scope="read")
    claims = jwt_claims(jwt.access_token)
    assert (claims["aud"], claims["client_id"], jwt.expires_in) == (resource("jwt"), "tf-basic", 3600)

    opaque = client("basic", resource=[resource("opaque")]).client_credentials()
    assert "." not in opaque.access_token, "an opaque token is not a JWT"
    assert opaque.expires_in == 3600


def test_a_wrong_secret_is_invalid_client_with_status_401() -> None:
    with pytest.raises(tokenfetch.OAuthError) as raised:
        client("basic", client_secret="not-the-secret").client_credentials()
    assert (raised.value.kind, raised.value.oauth_code, raised.value.status) == ("oauth", "invalid_client", 401)
    assert "not-the-secret" not in str(raised.value)


def test_a_scope_the_client_may_not_have_is_invalid_scope() -> None:
    with pytest.raises(tokenfetch.OAuthError) as raised:
        client("read_only").client_credentials(scope="write")
    assert (raised.value.oauth_code, raised.value.status) == ("invalid_scope", 400)


@pytest.mark.parametrize("role", ["device_public", "device_confidential"])
def test_device_flow_clients_get_codes_and_are_told_to_wait(role: str) -> None:
    c = FIXTURES["clients"][role]
    form = {"client_id": c["client_id"], "scope": "openid read"}
    if "client_secret" in c:
        form["client_secret"] = c["client_secret"]
    with urllib.request.urlopen(f"{ISSUER}/device/auth", urllib.parse.urlencode(form).encode()) as r:
        codes = json.load(r)
    assert isinstance(codes["user_code"], str) and isinstance(codes["verification_uri"], str)
    with pytest.raises(tokenfetch.OAuthError) as raised:
        client(role).device_code(codes["device_code"])
    assert raised.value.oauth_code == "authorization_pending"


def test_the_manager_refreshes_a_short_lived_token_once_per_lifetime() -> None:
    """Four threads read a 5-second token for 6.5 s. With a 1 s skew the manager fetches at
    about 0 s and 4 s: one token per lifetime, never an expired one, never two fetches at once."""
    manager = TokenManager(client("cache", resource=[resource("short_lived")]), refresh_skew=1.0)
    issued_before = issued_to("cache")
    seen: Dict[str, int] = {}
    reads = []
    failures = []
    deadline = time.monotonic() + 6.5

    def read() -> None:
        count = 0
        try:
            while time.monotonic() < deadline:
                token = manager.token()
                now = time.time()
                assert token.expires_at is not None and token.expires_in == 5
                # expires_at is whole seconds rounded down from when the answer arrived, so a
                # token the manager (on its monotonic clock, from when the request was sent)
                # still holds valid may be up to a second past its label; never more.
                assert now < token.expires_at + 1, f"handed out a token that expired at {token.expires_at}"
                seen[token.access_token] = token.expires_at
                count += 1
                time.sleep(0.02)
        except BaseException as e:  # reported from the main thread
            failures.append(e)
        reads.append(count)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not failures, failures
    assert sum(reads) > 400, f"the readers ran ({sum(reads)} reads)"
    assert len(seen) == 2, "one token per lifetime across 6.5 s: fetched at ~0 s and ~4 s"
    assert issued_to("cache") - issued_before == len(seen), "the manager fetched once per lifetime"


def discovered(role: str) -> TokenClient:
    """A fixture client built from the issuer alone: every endpoint, and how to
    authenticate, come from the provider's discovery document."""
    c = FIXTURES["clients"][role]
    assert ISSUER is not None
    return TokenClient.discover(ISSUER, client_id=c["client_id"], client_secret=c.get("client_secret"))


def act_as_user(verification_uri_complete: str, choice: str) -> None:
    """Plays the user in a browser: testkit/oidc/approve.mjs submits the provider's own forms
    (the user code, a login, the consent) and presses Continue or Abort."""
    script = ROOT / "testkit/oidc/approve.mjs"
    done = subprocess.run(
        ["node", str(script), verification_uri_complete, choice], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ("approved" if choice == "approve" else "denied")


def test_discovery_reads_the_openid_configuration() -> None:
    client = discovered("basic")
    assert client.token_url == f"{ISSUER}/token"
    assert client.issuer == ISSUER
    metadata = client.server_metadata
    assert metadata is not None and metadata.issuer == ISSUER
    assert metadata.device_authorization_endpoint == f"{ISSUER}/device/auth"
    assert metadata.revocation_endpoint and metadata.introspection_endpoint
    assert "S256" in metadata.code_challenge_methods_supported
    assert metadata.jwks_uri and "claims_supported" in metadata.extra
    assert client.client_credentials(scope="read").scope == "read"


def test_a_revoked_token_introspects_as_inactive() -> None:
    client = discovered("basic")
    token = client.client_credentials(scope="read")
    live = client.introspect(token.access_token, "access_token")
    assert live.active and live.client_id == FIXTURES["clients"]["basic"]["client_id"]
    assert live.exp is not None and live.scope == "read"
    client.revoke(token.access_token, "access_token")
    assert not client.introspect(token.access_token, "access_token").active
    # Revoking a token the server never issued is still a success (RFC 7009 §2.2).
    client.revoke("never-issued")


@pytest.mark.parametrize("role", ["device_public", "device_confidential"])
def test_the_device_flow_end_to_end_with_a_user_who_approves(role: str) -> None:
    client = discovered(role)
    authorization = client.device_authorization("openid offline_access read")
    assert authorization.device_code not in repr(authorization)
    assert authorization.verification_uri_complete is not None
    act_as_user(authorization.verification_uri_complete, "approve")
    token = client.poll_device_token(authorization)
    assert token.id_token and token.refresh_token
    assert jwt_claims(token.id_token)["aud"] == FIXTURES["clients"][role]["client_id"]


def test_the_device_flow_ends_with_access_denied_when_the_user_aborts() -> None:
    client = discovered("device_public")
    authorization = client.device_authorization("openid read")
    assert authorization.verification_uri_complete is not None
    act_as_user(authorization.verification_uri_complete, "deny")
    with pytest.raises(tokenfetch.OAuthError) as raised:
        client.poll_device_token(authorization)
    assert (raised.value.kind, raised.value.oauth_code) == ("oauth", "access_denied")


@pytest.mark.parametrize("role", ["jwt_rs256", "jwt_es256", "secret_jwt"])
def test_keys_and_hmac_secrets_authenticate_where_the_server_registered_them(role: str) -> None:
    assert client(role).client_credentials("read").access_token


def test_a_key_the_server_never_saw_is_invalid_client() -> None:
    with pytest.raises(tokenfetch.OAuthError) as caught:
        client("jwt_es256", private_key=key_case("untrusted")).client_credentials("read")
    assert caught.value.oauth_code == "invalid_client"


def sign_in_through_the_forms(authorization_url: str, redirect_uri: str) -> str:
    """Plays the user's browser through the provider's own login and consent forms
    (testkit/oidc/approve.mjs) up to the redirect back to the app, and returns that URL."""
    script = ROOT / "testkit/oidc/approve.mjs"
    done = subprocess.run(
        ["node", str(script), authorization_url, "sign-in", redirect_uri], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def web_client() -> TokenClient:
    c = FIXTURES["clients"]["web"]
    return TokenClient.discover(str(ISSUER), client_id=c["client_id"], client_secret=c["client_secret"])


def test_a_whole_sign_in_through_the_provider_s_forms_validates_its_id_token() -> None:
    c = FIXTURES["clients"]["web"]
    client = web_client()
    assert client.validates_id_tokens
    redirect_uri = c["redirect_uris"][0]
    request = client.authorization_url(redirect_uri, scope="openid offline_access read", extra={"prompt": "consent"})
    callback = sign_in_through_the_forms(request.url, redirect_uri)
    token = client.exchange_code(tokenfetch.AuthorizationRequest.from_json(request.to_json()), callback)
    claims = token.id_token_claims
    assert claims is not None and claims.iss == ISSUER and claims.aud == [c["client_id"]]
    assert claims.nonce == request.nonce
    # Userinfo answers for the same user; a refresh keeps iss, sub and aud.
    assert client.userinfo(token.access_token, expected_sub=claims.sub)["sub"] == claims.sub
    assert token.refresh_token
    refreshed = client.refresh(token.refresh_token)
    assert refreshed.id_token_claims is not None and refreshed.id_token_claims.sub == claims.sub
    # The code is spent: a second exchange is the provider's invalid_grant, not a second token.
    with pytest.raises(tokenfetch.OAuthError) as caught:
        client.exchange_code(request, callback)
    assert caught.value.oauth_code == "invalid_grant"
    logout = urllib.parse.urlparse(
        client.end_session_url(id_token_hint=token.id_token, post_logout_redirect_uri=c["post_logout_redirect_uris"][0])
    )
    assert logout.path == "/session/end"


def test_a_callback_for_another_sign_in_is_refused_before_its_code_is_spent() -> None:
    c = FIXTURES["clients"]["web"]
    client = web_client()
    redirect_uri = c["redirect_uris"][0]
    first = client.authorization_url(redirect_uri, scope="openid")
    second = client.authorization_url(redirect_uri, scope="openid")
    callback = sign_in_through_the_forms(first.url, redirect_uri)
    with pytest.raises(tokenfetch.ConfigError, match="state"):
        client.exchange_code(second, callback)
    # The first request's own exchange still works: nothing was sent for the refused one.
    assert client.exchange_code(first, callback).id_token_claims is not None


def test_a_pushed_authorization_request_signs_in_through_the_provider_s_forms() -> None:
    c = FIXTURES["clients"]["web"]
    client = web_client()
    redirect_uri = c["redirect_uris"][0]
    request = client.push_authorization_request(redirect_uri, scope="openid")
    assert request.request_uri is not None and "code_challenge" not in request.url
    token = client.exchange_code(request, sign_in_through_the_forms(request.url, redirect_uri))
    assert token.id_token_claims is not None and token.id_token_claims.nonce == request.nonce
