"""Keys instead of shared secrets: private_key_jwt, client_secret_jwt, the JWT bearer grant,
the Google service account and Entra workload identity presets, and client assertions read
from a file or a callback. testkit verifies every signed assertion (signature, ``aud``,
``exp``, a fresh ``jti``). ``test_every_key_vector`` runs conformance/keys.json and writes
target/conformance/python-keys.json for conformance/report.py.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import tokenfetch
from tokenfetch import ConfigError, OAuthError, SigningAlgorithm, TokenClient, TokenManager

ROOT = Path(__file__).resolve().parents[2]
DOC = json.loads((ROOT / "conformance" / "keys.json").read_text(encoding="utf-8"))
CASES = {case["name"]: case for case in DOC["cases"]}
RESULTS: Dict[str, str] = {}
CLIENT_ID = "jwt-client"


def fragments(key: Any) -> List[str]:
    """Every 24-character run of the key's text: none may appear in a message."""
    text = key if isinstance(key, str) else json.dumps(key)
    body = "".join(line for line in text.splitlines() if not line.startswith("-----"))
    return [body[i : i + 24] for i in range(0, max(len(body) - 23, 0), 12)]


def client_for(kit: Any, case: Dict[str, Any]) -> TokenClient:
    options: Dict[str, Any] = {"client_id": CLIENT_ID}
    for name in ("signing_algorithm", "key_id", "auth_method", "client_secret"):
        if name in case:
            options[name] = case[name]
    if "key" in case:
        options["private_key"] = case["key"]  # a JWK object stays a dict
    return TokenClient(kit.token_url, **options)


def run(kit: Any, case: Dict[str, Any]) -> None:
    if "expect" in case:
        client = client_for(kit, case)
        assert client.signing_algorithm == case["expect"]["algorithm"]
        client.client_credentials()  # testkit verifies the signature, aud, exp and jti
        claims = kit.stats()["last_claims"]
        assert (claims["iss"], claims["sub"], claims["aud"]) == (CLIENT_ID, CLIENT_ID, kit.token_url)
        assert claims["exp"] - claims["iat"] == 60
    else:
        with pytest.raises(ConfigError) as caught:
            client_for(kit, case)
        message = str(caught.value)
        assert case["error"]["message"] in message
        secrets = fragments(case.get("key", "")) + [case.get("client_secret", "\0")]
        assert not [f for f in secrets if f in message], "the message holds key material"


@pytest.fixture(scope="module", autouse=True)
def write_report() -> Iterator[None]:
    yield
    out = ROOT / "target" / "conformance"
    out.mkdir(parents=True, exist_ok=True)
    report = {"language": "python", "results": RESULTS}
    (out / "python-keys.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


@pytest.mark.parametrize("name", list(CASES))
def test_every_key_vector(testkit: Any, name: str) -> None:
    try:
        run(testkit, CASES[name])
    except BaseException as e:
        RESULTS[f"keys/{name}"] = f"fail: {type(e).__name__}"
        raise
    RESULTS[f"keys/{name}"] = "pass"


def test_a_key_the_server_does_not_know_gets_invalid_client(testkit: Any) -> None:
    client = TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key=DOC["untrusted"]["key"])
    with pytest.raises(OAuthError) as caught:
        client.client_credentials()
    assert caught.value.oauth_code == "invalid_client"


def test_a_key_file_and_the_algorithm_enum(testkit: Any, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(CASES["rsa-pkcs8-pem"]["key"])
    client = TokenClient(
        testkit.token_url,
        client_id=CLIENT_ID,
        private_key_file=str(path),
        signing_algorithm=SigningAlgorithm.PS256,
    )
    assert client.auth_method == "private_key_jwt"
    assert client.signing_algorithm == "PS256"
    client.client_credentials()
    with pytest.raises(ConfigError, match="private key file"):
        TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key_file=str(tmp_path / "missing.pem"))


def test_a_key_is_never_shown(testkit: Any) -> None:
    jwk = CASES["rsa-jwk"]["key"]
    with pytest.raises(TypeError) as caught:
        TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key=jwk, privat_key=1)  # type: ignore[call-arg]
    assert "private_key" in str(caught.value)
    assert not [f for f in fragments(jwk) if f in str(caught.value)]
    with pytest.raises(TypeError) as wrong:
        TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key=42)  # type: ignore[arg-type]
    assert "private_key must be a string or a mapping" in str(wrong.value)


def test_the_jwt_bearer_grant_and_a_replayed_assertion(testkit: Any) -> None:
    client = TokenClient(
        testkit.token_url,
        client_id="service-7",
        auth_method="none",
        private_key=CASES["ec-jwk"]["key"],
        assertion_subject="ann@example.com",
    )
    bearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    manager = TokenManager(client, grant_type=bearer, scope="read")
    assert manager.token().scope == "read"
    claims = testkit.stats()["last_claims"]
    assert (claims["iss"], claims["sub"]) == ("service-7", "ann@example.com")
    first = testkit.stats()["bearer_assertions"][-1]
    with pytest.raises(OAuthError) as caught:
        TokenManager(client, grant_type=bearer, params={"assertion": first}, store_namespace="ann").token()
    assert caught.value.oauth_code == "invalid_grant"
    assert "replayed" in str(caught.value)
    assert first not in str(caught.value)


def google_key(kit: Any) -> Dict[str, Any]:
    with urllib.request.urlopen(f"{kit.url}/__google_service_account") as r:
        return json.load(r)


def test_a_google_service_account(testkit: Any, tmp_path: Path) -> None:
    key = google_key(testkit)
    path = tmp_path / "sa.json"
    path.write_text(json.dumps(key))
    scope = "https://www.googleapis.com/auth/cloud-platform"
    client = TokenClient.google_service_account(service_account_file=str(path), scope=scope)
    assert TokenManager(client).token().scope == scope
    claims = testkit.stats()["last_claims"]
    assert claims["iss"] == "robot@testkit.iam.gserviceaccount.com"
    assert claims["scope"] == scope and "sub" not in claims
    # The JSON as a dict, with a subject for domain-wide delegation.
    delegated = TokenClient.google_service_account(service_account=key, assertion_subject="admin@example.com")
    TokenManager(delegated).token()
    assert testkit.stats()["last_claims"]["sub"] == "admin@example.com"
    with pytest.raises(ConfigError, match='not "service_account"'):
        TokenClient.google_service_account(service_account={**key, "type": "external_account"})


def test_a_token_file_is_read_for_every_request(testkit: Any, tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("python-federated-one")
    client = TokenClient(testkit.scenario_url("federated"), client_id=CLIENT_ID, client_assertion_file=str(path))
    client.client_credentials()
    path.write_text("python-federated-two")
    client.client_credentials()
    assert testkit.stats()["client_assertions"][-2:] == ["python-federated-one", "python-federated-two"]
    path.unlink()
    with pytest.raises(ConfigError) as caught:
        client.client_credentials()
    assert str(path) in str(caught.value)


def test_a_callback_is_called_for_every_request(testkit: Any) -> None:
    calls: List[int] = []

    def assertion() -> str:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the OIDC endpoint is down")
        return f"python-callback-{len(calls)}"

    client = TokenClient(testkit.scenario_url("federated"), client_id=CLIENT_ID, client_assertion=assertion)
    client.client_credentials()
    client.client_credentials()
    assert testkit.stats()["client_assertions"][-2:] == ["python-callback-1", "python-callback-2"]
    with pytest.raises(ConfigError, match="the OIDC endpoint is down"):
        client.client_credentials()
    with pytest.raises(TypeError, match="client_assertion must be a function"):
        TokenClient(testkit.token_url, client_id=CLIENT_ID, client_assertion="not-callable")  # type: ignore[arg-type]


def test_entra_workload_identity_reads_the_azure_variables(
    testkit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "azure-identity-token"
    path.write_text("python-entra-token")
    monkeypatch.setenv("AZURE_CLIENT_ID", "00000000-1111-2222-3333-444444444444")
    monkeypatch.setenv("AZURE_TENANT_ID", "contoso.onmicrosoft.com")
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(path))
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", testkit.url)
    client = TokenClient.entra_workload_identity(headers={"X-Testkit-Scenario": "federated"})
    assert client.token_url == f"{testkit.url}/contoso.onmicrosoft.com/oauth2/v2.0/token"
    assert client.client_id == "00000000-1111-2222-3333-444444444444"
    client.client_credentials("api://x/.default")
    assert testkit.stats()["client_assertions"][-1] == "python-entra-token"
    monkeypatch.delenv("AZURE_TENANT_ID")
    with pytest.raises(ConfigError, match="AZURE_TENANT_ID is not set.*tenant_id"):
        TokenClient.entra_workload_identity()


def test_the_async_twin_has_the_presets(testkit: Any) -> None:
    key = google_key(testkit)
    client = tokenfetch.AsyncTokenClient.google_service_account(service_account=key, scope="s1")
    assert client.sync.token_url == key["token_uri"]

    async def main() -> str:
        return (await tokenfetch.AsyncTokenManager(client).token()).access_token

    assert asyncio.run(main()).startswith("at-")


def test_a_mapping_that_contains_itself_is_a_type_error_not_a_crash(testkit: Any) -> None:
    jwk: Dict[str, Any] = dict(CASES["ec-jwk"]["key"])
    jwk["self"] = jwk
    with pytest.raises(TypeError, match="private_key must be"):
        TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key=jwk)
    deep: Dict[str, Any] = {}
    for _ in range(10_000):
        deep = {"d": deep}
    with pytest.raises(TypeError):
        TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key=deep)


def test_a_path_object_names_a_file(testkit: Any, tmp_path: Path) -> None:
    path = tmp_path / "key.pem"
    path.write_text(CASES["ec-pkcs8-pem"]["key"])
    client = TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key_file=path)
    assert client.signing_algorithm == "ES256"


def test_a_fifo_or_a_device_never_blocks(testkit: Any, tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        with pytest.raises(ConfigError, match="not a regular file"):
            TokenClient(testkit.token_url, client_id=CLIENT_ID, private_key_file=path)
        client = TokenClient(testkit.scenario_url("federated"), client_id=CLIENT_ID, client_assertion_file=path)
        with pytest.raises(ConfigError, match="not a regular file"):
            client.client_credentials()


def test_a_callback_that_calls_its_own_client_is_refused_not_hung(testkit: Any) -> None:
    holder: List[TokenClient] = []

    def reenter() -> str:
        return holder[0].client_credentials().access_token

    client = TokenClient(testkit.scenario_url("federated"), client_id=CLIENT_ID, client_assertion=reenter)
    holder.append(client)
    with pytest.raises(ConfigError, match="called the client it authenticates"):
        client.client_credentials()
