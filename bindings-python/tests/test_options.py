"""Options mean the same in every language: the core checks every number, and a bad one is a
ConfigError naming the option (see also test_options_conformance.py)."""

import pytest

import tokenfetch
from tokenfetch import TokenClient, TokenManager


@pytest.mark.parametrize("option", ["timeout", "connect_timeout", "max_retries", "max_response_bytes"])
@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), 1e19, 2**64 + 5, 10**400, -(10**400)])
def test_out_of_range_client_options_are_config_errors_naming_the_option(option, value):
    with pytest.raises(tokenfetch.ConfigError) as raised:
        TokenClient("https://auth.example/token", client_id="a", client_secret="b", **{option: value})
    assert option in str(raised.value)


@pytest.mark.parametrize("option", ["refresh_skew", "default_lifetime"])
@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), 1e19, 10**400, -(10**400)])
def test_out_of_range_manager_options_are_config_errors_naming_the_option(option, value):
    c = TokenClient("https://auth.example/token", client_id="a", client_secret="b")
    with pytest.raises(tokenfetch.ConfigError) as raised:
        TokenManager(c, **{option: value})
    assert option in str(raised.value)


def test_fractional_counts_are_refused_and_zero_skew_is_allowed():
    with pytest.raises(tokenfetch.ConfigError, match="max_retries"):
        TokenClient("https://auth.example/token", client_id="a", client_secret="b", max_retries=2.5)
    c = TokenClient("https://auth.example/token", client_id="a", client_secret="b", max_retries=0)
    TokenManager(c, refresh_skew=0)


@pytest.mark.parametrize("preset, env", [("prove", "uat-us"), ("gusto", "demo")])
@pytest.mark.parametrize("option", ["timeout", "max_retries"])
def test_preset_clients_check_their_numbers_too(preset, env, option):
    with pytest.raises(tokenfetch.ConfigError, match=option):
        getattr(TokenClient, preset)("a", "b", env, **{option: 10**400})


def test_numbers_of_the_wrong_type_stay_type_errors():
    with pytest.raises(TypeError, match="timeout"):
        TokenClient("https://auth.example/token", client_id="a", client_secret="b", timeout="5")  # type: ignore[arg-type]


def test_parse_response_checks_its_numbers_too():
    cases = [
        ({"status": 1000}, "status"),
        ({"status": -1}, "status"),
        ({"status": 10**400}, "status"),
        ({"max_response_bytes": -1}, "max_response_bytes"),
        ({"max_response_bytes": 10**400}, "max_response_bytes"),
        ({"received_at": -1}, "received_at"),
        ({"received_at": float("nan")}, "received_at"),
        ({"received_at": 10**400}, "received_at"),
        ({"received_at": -(10**400)}, "received_at"),
    ]
    for kwargs, name in cases:
        args = {"status": 200, "headers": {}, "body": b'{"access_token":"a"}', **kwargs}
        with pytest.raises(tokenfetch.ConfigError, match=name):
            tokenfetch.parse_response(**args)


def test_parse_response_reads_a_fractional_receive_time_rounded_down():
    token = tokenfetch.parse_response(200, {}, b'{"access_token":"a","expires_in":60}', received_at=1000.9)
    assert token.expires_at == 1060


def test_closed_sets_are_enums_and_strings_still_work():
    from tokenfetch import AuthMethod, BodyEncoding, ErrorKind, GustoEnvironment, ProveEnvironment

    by_enum = TokenClient(
        "https://auth.example/token",
        client_id="a",
        client_secret="b",
        auth_method=AuthMethod.CLIENT_SECRET_POST,
        body_encoding=BodyEncoding.JSON,
    )
    by_string = TokenClient(
        "https://auth.example/token", client_id="a", client_secret="b", auth_method="client_secret_post", body_encoding="json"
    )
    assert repr(by_enum) == repr(by_string)
    assert TokenClient.prove("a", "b", ProveEnvironment.PROD_EU).token_url == TokenClient.prove("a", "b", "prod-eu").token_url
    assert TokenClient.gusto("a", "b", GustoEnvironment.PROD).token_url.startswith("https://api.gusto.com")
    assert ErrorKind.OAUTH == "oauth" and str(ErrorKind.CONFIG) == "config"
    with pytest.raises(tokenfetch.ConfigError) as raised:
        TokenClient("ftp://x", client_id="a")
    assert raised.value.kind == ErrorKind.CONFIG
    with pytest.raises(tokenfetch.ConfigError, match="unknown auth method"):
        TokenClient("https://auth.example/token", client_id="a", auth_method="basicc")
