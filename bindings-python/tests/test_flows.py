"""Beyond the token endpoint, against testkit: discovery, revocation, introspection, the
device flow (its polling rules, cancelling it, Ctrl-C) and authorization URLs with PKCE.
The same flows against a real provider are in test_oidc.py."""

from __future__ import annotations

import asyncio
import pickle
import signal
import threading
import time
import urllib.parse
from typing import Any

import pytest

import tokenfetch
from tokenfetch import AsyncTokenClient, CancelToken, Pkce, TokenClient

from conftest import Kit

ID, SECRET = "py-flows-client", "py-flows-secret-3b8e"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 7636 appendix B.
RFC7636_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC7636_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def discovered(kit: Kit, **options: Any) -> TokenClient:
    options.setdefault("client_secret", SECRET)
    options.setdefault("discovery_ttl", 0)
    return TokenClient.discover(kit.url, client_id=ID, **options)


def device_client(kit: Kit, script: str = "") -> TokenClient:
    """A public client whose device endpoint plays one testkit script."""
    endpoint = f"{kit.url}/device_authorization" + (f"/{script}" if script else "")
    return TokenClient(kit.token_url, client_id=ID, auth_method="none", device_authorization_endpoint=endpoint)


def later(seconds: float, action: Any, *args: Any) -> threading.Timer:
    timer = threading.Timer(seconds, action, args)
    timer.start()
    return timer


# --- discovery ---------------------------------------------------------------------------


def test_discovery_takes_every_endpoint_from_the_document(kit: Kit) -> None:
    client = discovered(kit)
    assert client.token_url == kit.token_url
    assert client.issuer == kit.url
    metadata = client.server_metadata
    assert metadata is not None
    assert (metadata.issuer, metadata.token_endpoint) == (kit.url, kit.token_url)
    assert metadata.authorization_endpoint == f"{kit.url}/authorize"
    assert metadata.device_authorization_endpoint == f"{kit.url}/device_authorization"
    assert metadata.revocation_endpoint == f"{kit.url}/revoke"
    assert metadata.introspection_endpoint == f"{kit.url}/introspect"
    assert metadata.code_challenge_methods_supported == ["S256"]
    assert DEVICE_GRANT in metadata.grant_types_supported
    assert metadata.authorization_response_iss_parameter_supported is True
    assert metadata.jwks_uri is None and metadata.extra == {}
    assert "revoke" in repr(metadata)
    assert client.client_credentials().access_token


def test_without_an_auth_method_the_document_decides(kit: Kit) -> None:
    def sent_by(client: TokenClient) -> Any:
        answer = client.request_token("client_credentials").token_response
        assert answer is not None
        return answer.extra["echo"]

    # With a secret: client_secret_basic, the first the document lists.
    seen = sent_by(discovered(kit, token_url=kit.scenario_url("echo")))
    assert (seen["client_id"], seen["client_secret"]) == (ID, SECRET)
    assert seen["headers"]["authorization"].startswith("Basic ")
    # Without one: a public client, which sends its id alone.
    public = TokenClient.discover(kit.url, client_id="public-app", token_url=kit.scenario_url("echo"))
    seen = sent_by(public)
    assert seen["params"]["client_id"] == "public-app"
    assert "authorization" not in seen["headers"] and "client_secret" not in seen["params"]
    # Chosen by the caller: kept.
    seen = sent_by(discovered(kit, auth_method="client_secret_post", token_url=kit.scenario_url("echo")))
    assert seen["params"]["client_secret"] == SECRET


def test_a_document_is_reused_while_fresh_until_the_cache_is_cleared(own_testkit: Kit) -> None:
    def discover(ttl: float) -> TokenClient:
        return TokenClient.discover(own_testkit.url, client_id=ID, client_secret=SECRET, discovery_ttl=ttl)

    discover(60)
    # Only a cached document can build a client once the server is gone.
    own_testkit.stop()
    assert discover(60).token_url == own_testkit.token_url
    with pytest.raises(tokenfetch.TransportError):
        discover(0)
    tokenfetch.clear_discovery_cache()
    with pytest.raises(tokenfetch.TransportError):
        discover(60)


def test_a_server_without_a_document_is_a_typed_error_naming_it(kit: Kit) -> None:
    with pytest.raises(tokenfetch.TokenFetchError) as raised:
        TokenClient.discover(f"{kit.url}/nowhere", client_id=ID, client_secret=SECRET)
    assert raised.value.status == 404
    assert raised.value.http_meta is not None
    assert raised.value.http_meta.request.url.endswith("/nowhere/.well-known/openid-configuration")

    with pytest.raises(tokenfetch.ConfigError, match="issuer URL"):
        TokenClient.discover("ftp://example.com")


@pytest.mark.parametrize("ttl", [-1, 86_401, float("nan"), pytest.param(10**400, id="10**400")])
def test_discovery_ttl_is_checked_like_every_number(kit: Kit, ttl: float) -> None:
    with pytest.raises(tokenfetch.ConfigError, match="discovery_ttl"):
        discovered(kit, discovery_ttl=ttl)


@pytest.mark.parametrize("ttl", [0, 0.5, 86_400])
def test_discovery_ttl_may_be_zero_and_at_most_a_day(kit: Kit, ttl: float) -> None:
    assert discovered(kit, discovery_ttl=ttl).token_url == kit.token_url


# --- revocation and introspection --------------------------------------------------------


def test_revoke_then_introspect_shows_the_token_inactive(kit: Kit) -> None:
    client = discovered(kit)
    token = client.client_credentials()

    live = client.introspect(token.access_token, "access_token")
    assert live.active is True
    assert (live.client_id, live.token_type, live.scope) == (ID, "Bearer", "read write")
    assert live.iat is not None and live.aud == []

    client.revoke(token.access_token, "access_token")
    revoked = client.introspect(token.access_token)
    assert revoked.active is False
    assert (revoked.scope, revoked.client_id, revoked.exp) == (None, None, None)
    assert token.access_token not in repr(live) + repr(revoked)


def test_endpoints_a_client_lacks_are_config_errors_that_say_how_to_get_them(kit: Kit) -> None:
    client = TokenClient(kit.token_url, client_id=ID, client_secret=SECRET)
    assert (client.issuer, client.server_metadata) == (None, None)
    with pytest.raises(tokenfetch.ConfigError, match="revocation_endpoint"):
        client.revoke("t")
    with pytest.raises(tokenfetch.ConfigError, match="introspection_endpoint"):
        client.introspect("t")
    with pytest.raises(tokenfetch.ConfigError, match="device_authorization_endpoint"):
        client.device_authorization()
    with pytest.raises(tokenfetch.ConfigError, match="discover"):
        client.authorization_url("https://app.example/cb")


def test_endpoints_can_be_given_without_discovery(kit: Kit) -> None:
    client = TokenClient(
        kit.token_url,
        client_id=ID,
        client_secret=SECRET,
        issuer=kit.url,
        revocation_endpoint=f"{kit.url}/revoke",
        introspection_endpoint=f"{kit.url}/introspect",
        authorization_endpoint=f"{kit.url}/authorize",
    )
    assert client.issuer == kit.url and client.server_metadata is None
    token = client.client_credentials()
    client.revoke(token.access_token)
    assert client.introspect(token.access_token).active is False
    assert client.authorization_url("https://app.example/cb").url.startswith(f"{kit.url}/authorize?")
    with pytest.raises(tokenfetch.ConfigError, match="revocation_endpoint"):
        TokenClient(kit.token_url, client_id=ID, client_secret=SECRET, revocation_endpoint="not a url")


# --- the device flow ---------------------------------------------------------------------


def test_the_device_flow_polls_until_approved(kit: Kit) -> None:
    client = device_client(kit)
    authorization = client.device_authorization("read")
    assert authorization.interval == 1 and authorization.expires_in == 600
    assert authorization.user_code.startswith("WDJB-")
    assert authorization.verification_uri == f"{kit.url}/device"
    assert authorization.verification_uri_complete == f"{kit.url}/device?user_code={authorization.user_code}"
    assert authorization.expires_at >= time.time() + 590 and not authorization.is_expired()

    token = client.poll_device_token(authorization)
    assert token.access_token and token.refresh_token
    assert kit.stats()["by_grant"][DEVICE_GRANT] == 2, "one authorization_pending, then the token"


def test_slow_down_adds_five_seconds_to_the_interval(kit: Kit) -> None:
    """testkit refuses a poll sooner than the interval plus 5 s after its slow_down, so a
    token means the wait was kept."""
    client = device_client(kit, "slow_down")
    authorization = client.device_authorization()
    started = time.monotonic()
    assert client.poll_device_token(authorization).access_token
    assert time.monotonic() - started >= 1 + 6


@pytest.mark.parametrize("code", ["expired_token", "access_denied"])
def test_expired_token_and_access_denied_end_the_poll_as_oauth_errors(kit: Kit, code: str) -> None:
    client = device_client(kit, code)
    with pytest.raises(tokenfetch.OAuthError) as raised:
        client.poll_device_token(client.device_authorization())
    assert (raised.value.kind, raised.value.oauth_code, raised.value.status) == ("oauth", code, 400)


def test_a_cancelled_poll_raises_cancelled_error_at_once(kit: Kit) -> None:
    client = device_client(kit, "slow_down")
    authorization = client.device_authorization()
    cancel = CancelToken()
    assert not cancel.cancelled
    started = time.monotonic()
    # Past the first poll (1 s), into the 6 s wait slow_down asked for. The timer is a
    # Python thread: it runs only because the poll released the GIL.
    later(1.5, cancel.cancel)
    with pytest.raises(tokenfetch.OperationCancelledError) as raised:
        client.poll_device_token(authorization, cancel=cancel)
    assert time.monotonic() - started < 3
    assert raised.value.kind == "cancelled" and raised.value.status is None
    assert isinstance(raised.value, tokenfetch.TokenFetchError) and tokenfetch.OperationCancelledError.kind == "cancelled"
    assert pickle.loads(pickle.dumps(raised.value)).kind == "cancelled"
    assert cancel.cancelled and repr(cancel) == "CancelToken(cancelled=True)"


def test_a_token_cancelled_before_the_poll_stops_it_before_any_request(kit: Kit) -> None:
    client = device_client(kit)
    authorization = client.device_authorization()
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(tokenfetch.OperationCancelledError):
        client.poll_device_token(authorization, cancel=cancel)
    assert kit.stats()["by_grant"].get(DEVICE_GRANT, 0) == 0


def test_ctrl_c_interrupts_a_poll_and_stops_it(kit: Kit) -> None:
    assert threading.current_thread() is threading.main_thread(), "signals reach the main thread"
    client = device_client(kit, "slow_down")
    authorization = client.device_authorization()
    cancel = CancelToken()
    started = time.monotonic()
    later(1.5, signal.pthread_kill, threading.main_thread().ident, signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        client.poll_device_token(authorization, cancel=cancel)
    assert time.monotonic() - started < 3
    # The core's poll was cancelled too, so it does not poll on unobserved.
    assert cancel.cancelled


# --- asyncio -----------------------------------------------------------------------------


def test_the_async_client_discovers_revokes_introspects_and_polls(kit: Kit) -> None:
    async def main() -> None:
        client = await AsyncTokenClient.discover(kit.url, client_id=ID, client_secret=SECRET, discovery_ttl=0)
        assert client.issuer == kit.url and client.server_metadata is not None
        token = await client.client_credentials()
        assert (await client.introspect(token.access_token)).active
        await client.revoke(token.access_token, "access_token")
        assert not (await client.introspect(token.access_token, "access_token")).active

        request = client.authorization_url("https://app.example/cb", state="s-1")
        iss = urllib.parse.quote(kit.url, safe="")
        assert client.parse_callback(f"https://app.example/cb?code=c-9&state=s-1&iss={iss}", request.state) == "c-9"

        device = AsyncTokenClient(client=device_client(kit))
        authorization = await device.device_authorization("read")
        assert (await device.poll_device_token(authorization)).refresh_token

    asyncio.run(main())


def test_cancelling_the_task_cancels_the_poll_in_its_thread(kit: Kit) -> None:
    client = AsyncTokenClient(client=device_client(kit, "slow_down"))

    async def main() -> float:
        authorization = await client.device_authorization()
        poll = asyncio.ensure_future(client.poll_device_token(authorization))
        await asyncio.sleep(1.5)
        started = time.monotonic()
        poll.cancel()
        with pytest.raises(asyncio.CancelledError):
            await poll
        return time.monotonic() - started

    started = time.monotonic()
    assert asyncio.run(main()) < 0.5
    # asyncio.run waits for the worker thread; it ends soon after because the core's poll
    # was cancelled, not after the 6 s slow_down wait and another poll.
    assert time.monotonic() - started < 3


# --- PKCE, authorization URLs and callbacks ----------------------------------------------


def test_pkce_follows_rfc7636() -> None:
    pkce = Pkce.from_verifier(RFC7636_VERIFIER)
    assert (pkce.verifier, pkce.challenge, pkce.method) == (RFC7636_VERIFIER, RFC7636_CHALLENGE, "S256")
    assert pkce == Pkce.from_verifier(RFC7636_VERIFIER)

    generated, other = Pkce.generate(), Pkce.generate()
    assert len(generated.verifier) == 43 and generated.verifier != other.verifier
    assert Pkce.from_verifier(generated.verifier).challenge == generated.challenge
    assert len(Pkce.from_verifier("a" * 128).verifier) == 128


@pytest.mark.parametrize("verifier", ["a" * 42, "a" * 129, "a" * 43 + "+secret", ""])
def test_a_verifier_outside_the_rules_is_a_config_error_that_does_not_quote_it(verifier: str) -> None:
    with pytest.raises(tokenfetch.ConfigError, match="code_verifier") as raised:
        Pkce.from_verifier(verifier)
    assert raised.value.kind == "config"
    if len(verifier) >= 43:
        assert verifier not in str(raised.value) and "secret" not in str(raised.value)


def test_the_authorization_url_carries_state_and_an_s256_challenge_and_the_callback_is_checked(kit: Kit) -> None:
    client = discovered(kit)
    request = client.authorization_url(
        "https://app.example/cb",
        scope="openid read",
        nonce="n-1",
        pkce=Pkce.from_verifier(RFC7636_VERIFIER),
        extra={"prompt": "login"},
    )
    url = urllib.parse.urlsplit(request.url)
    query = dict(urllib.parse.parse_qsl(url.query))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{kit.url}/authorize"
    assert query == {
        "response_type": "code",
        "client_id": ID,
        "redirect_uri": "https://app.example/cb",
        "scope": "openid read",
        "state": request.state,
        "nonce": "n-1",
        "code_challenge": RFC7636_CHALLENGE,
        "code_challenge_method": "S256",
        "prompt": "login",
    }
    assert len(request.state) >= 32, f"a random state: {request.state}"
    assert (request.nonce, request.redirect_uri) == ("n-1", "https://app.example/cb")
    assert request.pkce.verifier == RFC7636_VERIFIER and RFC7636_VERIFIER not in request.url

    iss = urllib.parse.quote(kit.url, safe="")
    back = f"https://app.example/cb?code=c-1&state={request.state}&iss={iss}"
    assert client.parse_callback(back, request.state) == "c-1"

    with pytest.raises(tokenfetch.ConfigError, match="state"):
        client.parse_callback(f"https://app.example/cb?code=c-1&state=forged&iss={iss}", request.state)
    # testkit promises `iss` (RFC 9207), so a callback without it is refused.
    with pytest.raises(tokenfetch.ConfigError, match="iss"):
        client.parse_callback(f"https://app.example/cb?code=c-1&state={request.state}", request.state)
    with pytest.raises(tokenfetch.OAuthError) as denied:
        client.parse_callback(f"https://app.example/cb?error=access_denied&state={request.state}&iss={iss}", request.state)
    assert (denied.value.oauth_code, denied.value.status) == ("access_denied", None)


def test_authorization_url_chooses_what_is_left_out_and_refuses_what_it_sets(kit: Kit) -> None:
    client = discovered(kit, scope="read")
    first, second = client.authorization_url("https://app.example/cb"), client.authorization_url("https://app.example/cb")
    assert first.state != second.state and first.pkce != second.pkce
    assert dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(first.url).query))["scope"] == "read"
    assert client.authorization_url("https://app.example/cb", state="mine").state == "mine"
    with pytest.raises(tokenfetch.ConfigError, match="code_challenge"):
        client.authorization_url("https://app.example/cb", extra=[("code_challenge", "x")])
    with pytest.raises(tokenfetch.ConfigError, match="redirect_uri"):
        client.authorization_url("not a url")


# --- secrets -----------------------------------------------------------------------------


def test_device_code_and_verifier_never_appear_in_a_repr(kit: Kit) -> None:
    client = device_client(kit)
    authorization = client.device_authorization()
    assert authorization.device_code.startswith("dc-")
    shown = repr(authorization) + str(authorization)
    assert authorization.device_code not in shown
    assert "device_code='[redacted]'" in shown and authorization.user_code in shown

    pkce = Pkce.from_verifier(RFC7636_VERIFIER)
    request = discovered(kit).authorization_url("https://app.example/cb", pkce=pkce)
    for shown in (repr(pkce), str(pkce), repr(request), str(request)):
        assert RFC7636_VERIFIER not in shown
        assert "verifier='[redacted]'" in shown and RFC7636_CHALLENGE in shown
