"""Checked by ``mypy --strict --warn-unused-ignores`` (make test-python), not run: the stubs type
every constructor's options from the core's table, so a type checker refuses a misspelt option
or a value of the wrong type. An ignore that stops being needed fails the check."""

from tokenfetch import (
    AsyncTokenClient,
    AsyncTokenManager,
    AuthMethod,
    FileStore,
    ProveEnvironment,
    TokenClient,
    TokenManager,
)

client = TokenClient(
    "https://auth.example/token",
    client_id="id",
    client_secret="secret",
    auth_method="client_secret_post",
    timeout=5,
    max_retry_wait=2.5,
    headers={"X-Api-Key": "k"},
    root_certificates=b"-----BEGIN CERTIFICATE-----",
)
TokenClient("https://auth.example/token", timeot=5)  # type: ignore[call-arg]
TokenClient("https://auth.example/token", timeout="5")  # type: ignore[arg-type]
TokenClient("https://auth.example/token", auth_method="basicc")  # type: ignore[arg-type]
TokenClient.prove("id", "secret", "prod-us", max_retry_wait=1.0)
TokenClient.prove("id", "secret", connect_timeout=1.0)  # type: ignore[call-arg]
TokenClient.discover("https://as.example", discovery_ttl=0)
TokenClient.discover("https://as.example", token_endpoint="x")  # type: ignore[call-arg]

manager = TokenManager(client, scope="read", refresh_skew=30, store=FileStore("/tmp/x"), on_token=print)
TokenManager(client, refresh_skwe=30)  # type: ignore[call-arg]
AsyncTokenManager(AsyncTokenClient("https://auth.example/token", max_retries=1), lease_time=60)
AsyncTokenClient("https://auth.example/token", max_retry=1)  # type: ignore[call-arg]

TokenClient("https://auth.example/token", auth_method=AuthMethod.NONE, client_id="public")
TokenClient.prove("id", "secret", ProveEnvironment.UAT_EU)
