"""TokenClient: every grant, client authentication, lenient parsing, presets, metadata."""

import pytest

import tokenfetch
from tokenfetch import TokenClient

ID, SECRET = "py-client", "py-secret-5e1d"


def client(kit, scenario=None, **options):
    url = kit.scenario_url(scenario) if scenario else kit.token_url
    return TokenClient(url, client_id=ID, client_secret=SECRET, **options)


def echo(c, grant_type="client_credentials", **kwargs):
    return c.request_token(grant_type, **kwargs).token_response.extra["echo"]


def test_client_credentials_with_basic_auth(kit):
    seen = echo(client(kit, "echo"), scope="read write")
    assert seen["params"]["grant_type"] == "client_credentials"
    assert seen["params"]["scope"] == "read write"
    assert (seen["client_id"], seen["client_secret"]) == (ID, SECRET)
    assert seen["headers"]["user-agent"].endswith("(python)")

    token = client(kit).client_credentials()
    assert token.access_token.startswith("at-")
    assert token.token_type == "Bearer"
    assert token.expires_in == 3600
    assert token.authorization_header() == f"Bearer {token.access_token}"


def test_special_characters_in_basic_credentials(kit):
    c = TokenClient(
        kit.scenario_url("echo"), client_id="cc special:id", client_secret="p@ss:w0rd+/= &%"
    )
    seen = echo(c)
    assert (seen["client_id"], seen["client_secret"]) == ("cc special:id", "p@ss:w0rd+/= &%")


def test_client_secret_post_and_json_body(kit):
    c = client(kit, "echo", auth_method="client_secret_post", body_encoding="json", scope="default", extra_params={"tenant": "t1"})
    seen = echo(c)
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["params"] == {
        "grant_type": "client_credentials",
        "scope": "default",
        "tenant": "t1",
        "client_id": ID,
        "client_secret": SECRET,
    }


def test_public_client_sends_only_its_id(kit):
    c = TokenClient(kit.scenario_url("echo"), client_id="public-app", auth_method="none")
    seen = echo(c, "authorization_code", params={"code": "c0de", "code_verifier": "v" * 43})
    assert seen["params"]["client_id"] == "public-app"
    assert "client_secret" not in seen["params"]


def test_every_grant(kit):
    c = client(kit)
    user = c.password("ann", "pw", scope="profile")
    assert user.scope == "profile" and user.refresh_token
    assert c.refresh(user.refresh_token).access_token != user.access_token
    assert c.authorization_code("abc", redirect_uri="https://app/cb", code_verifier="v" * 43).refresh_token
    exchanged = c.token_exchange("subject", "urn:ietf:params:oauth:token-type:jwt", scope="down")
    assert exchanged.extra["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    with pytest.raises(tokenfetch.OAuthError) as pending:
        c.device_code("dc-py")
    assert pending.value.oauth_code == "authorization_pending"
    assert c.device_code("dc-py").access_token
    custom = c.request_token("urn:testkit:custom", params=[("resource", "https://a"), ("resource", "https://b")])
    assert custom.token_response is not None
    assert kit.stats()["by_grant"]["refresh_token"] == 1


@pytest.mark.parametrize(
    "scenario, field, expected",
    [
        ("string_expires", "expires_in", 3600),
        ("float_expires", "expires_in", 3599),
        ("no_expires", "expires_in", None),
        ("lowercase_bearer", "token_type", "Bearer"),
        ("no_token_type", "token_type", "Bearer"),
        ("scope_array", "scope", "read write"),
        ("created_at_epoch", "expires_in", 7200),
        ("form_encoded", "token_type", "Bearer"),
    ],
)
def test_lenient_parsing(kit, scenario, field, expected):
    token = client(kit, scenario).client_credentials("read write")
    assert getattr(token, field) == expected


def test_expires_at_is_receive_time_plus_lifetime(kit):
    import time

    token = client(kit).client_credentials()
    assert abs(token.expires_at - (time.time() + 3600)) < 10


def test_request_token_returns_redacted_http_metadata(kit):
    answer = client(kit).request_token("password", params={"username": "ann", "password": "pw-77"})
    token = answer.token_response
    assert answer.v3_token_response == token
    meta = answer.http_meta
    assert (meta.request.method, meta.request.url) == ("POST", kit.token_url)
    assert meta.request.headers["authorization"] == "Basic [redacted]"
    assert meta.response.status == 200
    assert meta.response.headers["content-type"] == "application/json"
    assert token.access_token not in meta.response.body
    assert '"token_type":"Bearer"' in meta.response.body
    assert meta.to_dict()["request"]["method"] == "POST"

    slow = TokenClient(kit.token_url, client_id=ID, client_secret=SECRET, headers={"X-Testkit-Delay-Ms": "150"})
    timed = slow.request_token("client_credentials").http_meta.response
    assert timed.elapsed_ms >= 150, "elapsed covers the server's 150 ms delay"
    assert timed.elapsed == timed.elapsed_ms / 1000


def test_prove_preset(kit):
    c = TokenClient.prove("prove-id", "prove-secret", "uat-us", token_url=kit.token_url)
    assert c.token_url == kit.token_url
    assert TokenClient.prove("i", "s", "prod-eu").token_url == "https://platform.eu.proveapis.com/token"
    token = c.client_credentials()
    assert token.token_type == "Bearer"
    assert kit.stats()["by_grant"] == {"client_credentials": 1}


def test_gusto_preset_uses_system_access(kit):
    c = TokenClient.gusto("gusto-id", "gusto-secret", token_url=f"{kit.url}/oauth/token")
    assert TokenClient.gusto("i", "s", "prod").token_url == "https://api.gusto.com/oauth/token"
    manager = tokenfetch.TokenManager(c)
    assert manager.access_token().startswith("at-")
    assert kit.stats()["by_grant"] == {"system_access": 1}


def test_a_retry_after_longer_than_max_retry_wait_is_returned_at_once(kit):
    # rate_limited answers 429 with Retry-After: 1 once, then a token.
    impatient = client(kit, "rate_limited", max_retry_wait=0.5)
    assert impatient.max_retry_wait == 0.5
    with pytest.raises(tokenfetch.OAuthError) as raised:
        impatient.client_credentials()
    assert raised.value.status == 429
    assert kit.token_requests() == 1
    kit.reset()
    assert client(kit, "rate_limited", max_retry_wait=2).client_credentials().access_token.startswith("at-")
    assert kit.token_requests() == 2
    # Left out, the cap is the core's default, or the timeout if that is shorter.
    assert client(kit, timeout=5).max_retry_wait == 5
    with pytest.raises(tokenfetch.ConfigError, match="max_retry_wait must be at most timeout"):
        client(kit, timeout=5, max_retry_wait=6)


def test_options_are_keywords_the_core_checks():
    # A misspelt keyword is a TypeError, as for any Python function, naming the closest option.
    with pytest.raises(TypeError, match="did you mean `max_retry_wait`"):
        TokenClient("https://auth.example/token", client_id="a", max_retry_wiat=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="allow_insecure_http must be a boolean, not str"):
        TokenClient("https://auth.example/token", client_id="a", allow_insecure_http="yes")  # type: ignore[arg-type]
    # None is "left out": the core's default applies.
    c = TokenClient("https://auth.example/token", client_id="a", client_secret="b", timeout=None)
    assert c.timeout == 30
    with pytest.raises(TypeError, match="env"):
        TokenClient.prove("a", "b", env="uat-us", env2="x")  # type: ignore[call-arg]
    # Any real number converts, as before: Decimal, Fraction (but not a bool or a string).
    from decimal import Decimal
    from fractions import Fraction

    assert TokenClient("https://auth.example/token", client_id="a", client_secret="b", timeout=Decimal("1.5")).timeout == 1.5  # type: ignore[arg-type]
    assert TokenClient("https://auth.example/token", client_id="a", client_secret="b", timeout=Fraction(1, 2)).timeout == 0.5  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="timeout must be a number, not bool"):
        TokenClient("https://auth.example/token", client_id="a", timeout=True)
    # A header that is not a string is named by its name, never its value.
    with pytest.raises(TypeError, match='headers must hold strings: the value of "X-Count", of type int') as raised:
        TokenClient("https://auth.example/token", client_id="a", headers={"X-Secret": "s3cr3t-v4lue", "X-Count": 1})  # type: ignore[dict-item]
    assert "s3cr3t" not in str(raised.value)
    # PEM as bytearray is read like bytes; a PEM with no certificate is the core's ConfigError.
    with pytest.raises(tokenfetch.ConfigError):
        TokenClient("https://auth.example/token", client_id="a", root_certificates=bytearray(b"no pem here"))  # type: ignore[arg-type]
