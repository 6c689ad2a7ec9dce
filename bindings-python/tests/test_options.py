"""Options mean the same in every language: the core checks every number, and a bad one is a
ConfigError naming the option (see also test_options_conformance.py)."""

import pytest

import tokenfetch
from tokenfetch import TokenClient, TokenManager


@pytest.mark.parametrize("option", ["timeout", "connect_timeout", "max_retries", "max_response_bytes"])
@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), 1e19, 2**64 + 5])
def test_out_of_range_client_options_are_config_errors_naming_the_option(option, value):
    with pytest.raises(tokenfetch.ConfigError) as raised:
        TokenClient("https://auth.example/token", client_id="a", client_secret="b", **{option: value})
    assert option in str(raised.value)


@pytest.mark.parametrize("option", ["refresh_skew", "default_lifetime"])
@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), 1e19])
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


def test_parse_response_checks_its_numbers_too():
    for kwargs, name in [({"status": 1000}, "status"), ({"status": -1}, "status"), ({"max_response_bytes": -1}, "max_response_bytes")]:
        args = {"status": 200, "headers": {}, "body": b'{"access_token":"a"}', **kwargs}
        with pytest.raises(tokenfetch.ConfigError, match=name):
            tokenfetch.parse_response(**args)
