"""Sign-in with ID tokens: the shared vectors (conformance/id_tokens.json) through
tokenfetch.validate_id_token, then a whole sign-in against testkit's OpenID provider, and every
way testkit can make an ID token wrong, each failing with its own named check.

Writes target/conformance/python-id_tokens.json for conformance/report.py.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import tokenfetch
from tokenfetch import AuthorizationRequest, IdTokenError, TokenClient

ROOT = Path(__file__).resolve().parents[2]
VECTORS = json.loads((ROOT / "conformance" / "id_tokens.json").read_text(encoding="utf-8"))
CASES: List[Tuple[str, Dict[str, Any]]] = [(f"id_tokens/{c['name']}", c) for c in VECTORS["cases"]]
RESULTS: Dict[str, str] = {}
REDIRECT = "http://app.example/callback"


def check(case: Dict[str, Any]) -> None:
    given = case["given"]
    try:
        claims = tokenfetch.validate_id_token(
            case["token"],
            jwks=json.dumps(case.get("jwks", VECTORS["jwks"])),
            issuer=given["issuer"],
            client_id=given["client_id"],
            nonce=given.get("nonce"),
            max_age=given.get("max_age"),
            access_token=given.get("access_token"),
            code=given.get("code"),
            clock_skew=given.get("clock_skew"),
            algorithms=given.get("algorithms"),
            client_secret=given.get("client_secret"),
            now=given["now"],
        )
    except IdTokenError as e:
        want = case.get("error")
        assert want is not None, f"expected claims, got {e.kind} ({e.id_token_check}): {e}"
        assert (e.kind, e.id_token_check) == (want["kind"], want["check"]), f"expected {want}, got {e.id_token_check}: {e}"
        return
    assert "claims" in case, f"expected {case['error']}, got valid claims"
    got = claims.to_dict()
    for name, want in case["claims"].items():
        if name == "extra":
            for member, value in want.items():
                assert claims.extra.get(member) == value, f"extra {member}: {claims.extra.get(member)!r}"
        else:
            assert got[name] == want, f"{name}: expected {want!r}, got {got[name]!r}"


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    out = ROOT / "target" / "conformance"
    out.mkdir(parents=True, exist_ok=True)
    (out / "python-id_tokens.json").write_text(
        json.dumps({"language": "python", "results": RESULTS}, indent=2), encoding="utf-8"
    )


@pytest.mark.parametrize("name, case", CASES, ids=[name for name, _ in CASES])
def test_vector(name: str, case: Dict[str, Any]) -> None:
    try:
        check(case)
    except AssertionError as e:
        RESULTS[name] = f"fail: {e}"
        raise
    RESULTS[name] = "pass"


# --- Against testkit's OpenID provider ----------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def follow(url: str) -> str:
    """The authorization URL followed as a browser would, to the redirect's Location."""
    try:
        urllib.request.build_opener(NoRedirect).open(url)
    except urllib.error.HTTPError as e:
        assert e.code == 302, e
        return str(e.headers["Location"])
    raise AssertionError("the authorization endpoint did not redirect")


def provider(kit: Any, flavor: str = "main") -> TokenClient:
    return TokenClient.discover(
        f"{kit.url}/op/{flavor}", client_id="rp", client_secret="rp-secret", discovery_ttl=0
    )


def sign_in(client: TokenClient, mode: str = "good", **options: Any) -> tokenfetch.TokenResponse:
    request = client.authorization_url(REDIRECT, scope="openid profile", extra={"tf_id_token": mode}, **options)
    return client.exchange_code(request, follow(request.url))


def jwks_reads(kit: Any, flavor: str = "main") -> int:
    with urllib.request.urlopen(f"{kit.url}/op/{flavor}/__stats") as r:
        return int(json.load(r)["jwks_reads"])


def test_a_sign_in_returns_the_validated_claims_of_its_own_request(own_testkit: Any) -> None:
    client = provider(own_testkit)
    assert client.validates_id_tokens
    request = client.authorization_url(REDIRECT, scope="openid")
    assert request.nonce, "an openid request gets a nonce of its own"
    # A web app keeps one value between the steps: the request as JSON.
    kept = AuthorizationRequest.from_json(request.to_json())
    assert kept == request
    token = client.exchange_code(kept, follow(request.url))
    claims = token.id_token_claims
    assert claims is not None
    assert (claims.sub, claims.aud, claims.nonce) == ("user-42", ["rp"], request.nonce)
    assert claims.extra["name"] == "Ann Example"
    assert "user-42" in repr(token) and token.access_token not in repr(token)
    # Pickling keeps the validated claims.
    assert pickle.loads(pickle.dumps(token)) == token
    assert tokenfetch.IdTokenClaims.from_json(claims.to_json()) == claims


@pytest.mark.parametrize("mode", ["good", "es256", "eddsa", "ps256"])
def test_every_algorithm_the_provider_signs_with_verifies(testkit: Any, mode: str) -> None:
    assert sign_in(provider(testkit), mode).id_token_claims is not None


BAD = [
    ("wrong-signature", "signature"),
    ("alg-none", "alg"),
    ("hs256-with-public-key", "alg"),
    ("jwk-header", "kid"),
    ("crit", "crit"),
    ("wrong-iss", "iss"),
    ("wrong-aud", "aud"),
    ("wrong-azp", "azp"),
    ("several-aud", "azp"),
    ("wrong-nonce", "nonce"),
    ("expired", "exp"),
    ("not-yet-valid", "nbf"),
    ("future-iat", "iat"),
    ("at-hash-mismatch", "at_hash"),
    ("c-hash-mismatch", "c_hash"),
    ("oversized", "size"),
    ("deep-nesting", "nesting"),
]


@pytest.mark.parametrize("mode, check", BAD)
def test_each_bad_id_token_fails_its_own_named_check(testkit: Any, mode: str, check: str) -> None:
    with pytest.raises(IdTokenError) as caught:
        sign_in(provider(testkit), mode)
    assert caught.value.kind == "id_token" and caught.value.id_token_check == check, caught.value
    assert isinstance(caught.value, tokenfetch.TokenFetchError)
    assert "eyJ" not in str(caught.value), "no message quotes the token"


def test_max_age_is_sent_and_auth_time_checked(testkit: Any) -> None:
    client = provider(testkit)
    assert "max_age=600" in client.authorization_url(REDIRECT, scope="openid", max_age=600).url
    assert sign_in(client, max_age=600).id_token_claims is not None
    with pytest.raises(IdTokenError) as caught:
        sign_in(client, "old-auth-time", max_age=600)
    assert caught.value.id_token_check == "auth_time"
    with pytest.raises(tokenfetch.ConfigError, match="max_age"):
        client.authorization_url(REDIRECT, max_age=-1)


def test_a_rotated_key_takes_one_more_read_and_made_up_kids_none(own_testkit: Any) -> None:
    client = provider(own_testkit)
    sign_in(client, "es256")
    sign_in(client, "es256")
    assert jwks_reads(own_testkit) == 1
    urllib.request.urlopen(urllib.request.Request(f"{own_testkit.url}/op/main/__rotate", method="POST")).close()
    sign_in(client, "es256")
    assert jwks_reads(own_testkit) == 2
    for _ in range(10):
        with pytest.raises(IdTokenError) as caught:
            sign_in(client, "unknown-kid")
        assert caught.value.id_token_check == "kid"
    assert jwks_reads(own_testkit) == 2


def test_threads_signing_in_at_once_read_the_jwks_once(own_testkit: Any) -> None:
    client = provider(own_testkit)
    errors: List[BaseException] = []

    def run() -> None:
        try:
            sign_in(client)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert jwks_reads(own_testkit) == 1


def test_a_jwks_too_deep_is_refused_by_name(testkit: Any) -> None:
    with pytest.raises(IdTokenError) as caught:
        sign_in(provider(testkit, "deep-jwks"))
    assert caught.value.id_token_check == "nesting"


def test_the_async_client_signs_in_the_same_way(testkit: Any) -> None:
    import asyncio

    async def main() -> tokenfetch.TokenResponse:
        client = await tokenfetch.AsyncTokenClient.discover(
            f"{testkit.url}/op/main", client_id="rp", client_secret="rp-secret"
        )
        request = client.authorization_url(REDIRECT, scope="openid")
        return await client.exchange_code(request, follow(request.url))

    assert asyncio.run(main()).id_token_claims is not None


def test_validate_id_token_checks_its_arguments() -> None:
    case = CASES[0][1]
    with pytest.raises(tokenfetch.ConfigError, match="clock_skew"):
        tokenfetch.validate_id_token(
            case["token"], jwks=json.dumps(VECTORS["jwks"]), issuer="i", client_id="c", clock_skew=float("nan")
        )
    with pytest.raises(tokenfetch.ConfigError, match="signing algorithm"):
        tokenfetch.validate_id_token(
            case["token"], jwks=json.dumps(VECTORS["jwks"]), issuer="i", client_id="c", algorithms=["RS1024"]
        )
    with pytest.raises(IdTokenError) as caught:
        tokenfetch.validate_id_token(case["token"], jwks="[]", issuer="i", client_id="c")
    assert caught.value.id_token_check == "jwks"


def test_the_guide_s_sign_in_example_runs(testkit: Any) -> None:
    import subprocess
    import sys

    example = ROOT / "bindings-python" / "examples" / "sign_in.py"
    run = subprocess.run([sys.executable, str(example), testkit.url], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "sub=user-42" in run.stdout and "nonce checked True" in run.stdout, run.stdout


def test_userinfo_answers_for_the_signed_in_user_only(testkit: Any) -> None:
    client = provider(testkit)
    token = sign_in(client)
    claims = token.id_token_claims
    assert claims is not None
    info = client.userinfo(token.access_token, expected_sub=claims.sub)
    assert info["sub"] == "user-42" and info["email"] == "ann@example.com"
    other = sign_in(client, "userinfo-other-sub")
    with pytest.raises(IdTokenError) as caught:
        client.userinfo(other.access_token, expected_sub=other.id_token_claims.sub)  # type: ignore[union-attr]
    assert caught.value.id_token_check == "sub"
    signed = provider(testkit, "signed-userinfo")
    token = sign_in(signed)
    assert signed.userinfo(token.access_token)["aud"] == "rp"


def test_the_end_session_url_carries_the_hint_the_redirect_and_the_state(testkit: Any) -> None:
    from urllib.parse import parse_qs, urlparse

    url = provider(testkit).end_session_url(
        id_token_hint="the.id.token", post_logout_redirect_uri="https://app.example/bye", state="s-1"
    )
    query = parse_qs(urlparse(url).query)
    assert query == {
        "id_token_hint": ["the.id.token"],
        "post_logout_redirect_uri": ["https://app.example/bye"],
        "state": ["s-1"],
        "client_id": ["rp"],
    }


def test_a_pushed_authorization_request_signs_in_with_only_a_reference_in_the_url(testkit: Any) -> None:
    client = provider(testkit, "par")
    # The provider requires pushed requests: a plain URL is refused before any browser sees it.
    with pytest.raises(tokenfetch.ConfigError, match="push_authorization_request"):
        client.authorization_url(REDIRECT, scope="openid")
    request = client.push_authorization_request(REDIRECT, scope="openid profile")
    assert request.request_uri is not None and request.request_uri.startswith("urn:ietf:params:oauth:request_uri:")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(request.url).query)
    assert sorted(query) == ["client_id", "request_uri"]
    kept = AuthorizationRequest.from_json(request.to_json())
    assert kept.request_uri == request.request_uri
    token = client.exchange_code(kept, follow(request.url))
    assert token.id_token_claims is not None and token.id_token_claims.nonce == request.nonce


@pytest.mark.parametrize(
    "how, says",
    [
        ("no-uri", "without a request_uri"),
        ("zero-expiry", "positive expires_in"),
        ("echo-secret", "carries a credential"),
        ("long-uri", "not a short reference"),
    ],
)
def test_a_pushed_request_s_answer_is_checked_before_it_reaches_a_browser(testkit: Any, how: str, says: str) -> None:
    client = provider(testkit, "par")
    with pytest.raises(tokenfetch.DecodeError) as caught:
        client.push_authorization_request(REDIRECT, scope="openid", extra={"tf_par": how})
    assert says in str(caught.value) and "/op/par/par" in str(caught.value)
    assert "rp-secret" not in f"{caught.value} {caught.value!r}"


def test_push_authorization_request_says_what_is_missing(testkit: Any) -> None:
    with pytest.raises(tokenfetch.ConfigError, match="pushed_authorization_request_endpoint"):
        provider(testkit).push_authorization_request(REDIRECT)
    with pytest.raises(tokenfetch.ConfigError, match="request_uri"):
        provider(testkit, "par").push_authorization_request(REDIRECT, extra={"request_uri": "urn:x"})


def test_the_async_client_pushes_in_a_worker_thread(testkit: Any) -> None:
    async def main() -> tokenfetch.TokenResponse:
        client = tokenfetch.AsyncTokenClient(client=provider(testkit, "par"))
        request = await client.push_authorization_request(REDIRECT, scope="openid")
        return await client.exchange_code(request, await asyncio.to_thread(follow, request.url))

    assert asyncio.run(main()).id_token_claims is not None
