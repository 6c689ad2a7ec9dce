"""Every error kind, with its class and attributes; and no secret in any message or repr."""

import pytest

import tokenfetch
from tokenfetch import TokenClient

SECRET = "py-err-secret-81f0"


def failing(kit, scenario, **options):
    options.setdefault("max_retries", 0)
    return TokenClient(
        kit.scenario_url(scenario), client_id="py", client_secret=SECRET, **options
    )


@pytest.mark.parametrize(
    "scenario, cls, kind, status, code",
    [
        ("error_200", tokenfetch.OAuthError, "oauth", 200, "invalid_grant"),
        ("invalid_client", tokenfetch.OAuthError, "oauth", 401, "invalid_client"),
        ("invalid_scope", tokenfetch.OAuthError, "oauth", 400, "invalid_scope"),
        ("prove_error", tokenfetch.OAuthError, "oauth", 400, "1001"),
        ("form_error", tokenfetch.OAuthError, "oauth", 200, "bad_verification_code"),
        ("html_502", tokenfetch.HttpStatusError, "http_status", 502, None),
        ("empty_503", tokenfetch.HttpStatusError, "http_status", 503, None),
        ("redirect", tokenfetch.HttpStatusError, "http_status", 302, None),
        ("html_200", tokenfetch.DecodeError, "decode", 200, None),
        ("missing_access_token", tokenfetch.DecodeError, "decode", 200, None),
        ("oversized", tokenfetch.ResponseTooLargeError, "response_too_large", 200, None),
        ("reset", tokenfetch.TransportError, "transport", None, None),
    ],
)
def test_error_kinds(kit, scenario, cls, kind, status, code):
    with pytest.raises(cls) as raised:
        failing(kit, scenario).client_credentials()
    e = raised.value
    assert isinstance(e, tokenfetch.TokenFetchError)
    assert (e.kind, e.status, e.oauth_code) == (kind, status, code)
    assert type(e).kind == kind
    assert e.http_meta is not None and e.http_meta.request.method == "POST"


def test_oauth_error_description(kit):
    with pytest.raises(tokenfetch.OAuthError) as raised:
        failing(kit, "invalid_client").client_credentials()
    assert raised.value.error_description == "Client authentication failed"
    assert raised.value.http_meta.response.headers["www-authenticate"] == 'Basic realm="testkit"'
    assert "invalid_client" in str(raised.value)


def test_timeout(kit):
    c = TokenClient(
        kit.token_url,
        client_id="py",
        client_secret=SECRET,
        timeout=0.3,
        headers={"X-Testkit-Delay-Ms": "3000"},
    )
    with pytest.raises(tokenfetch.TimeoutError) as raised:
        c.client_credentials()
    assert raised.value.kind == "timeout"


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"token_url": "not a url"}, "not a valid URL"),
        ({"token_url": "http://auth.example.com/token", "client_id": "a", "client_secret": "b"}, "allow_insecure_http"),
        ({"token_url": "https://a.example/token"}, "client_id is required"),
        ({"token_url": "https://a.example/token", "client_id": "a"}, "client_secret is required"),
        ({"token_url": "https://a.example/token", "client_id": "a", "client_secret": "b", "auth_method": "magic"}, "unknown auth method"),
        ({"token_url": "https://a.example/token", "client_id": "a", "client_secret": "b", "timeout": -1}, "timeout must be"),
    ],
)
def test_config_errors_say_what_to_fix(kwargs, fragment):
    url = kwargs.pop("token_url")
    with pytest.raises(tokenfetch.ConfigError) as raised:
        TokenClient(url, **kwargs)
    assert raised.value.kind == "config"
    assert fragment in str(raised.value)


def test_preset_environment_errors():
    with pytest.raises(tokenfetch.ConfigError, match="uat-us, prod-us"):
        TokenClient.prove("i", "s", "mars")


def test_no_secret_in_repr_or_messages(kit):
    password = "py-password-4c2b"
    c = TokenClient(kit.token_url, client_id="py", client_secret=SECRET)
    answer = c.request_token("password", params={"username": "ann", "password": password})
    token = answer.token_response
    secrets = [SECRET, password, token.access_token, token.refresh_token]
    printed = [repr(c), repr(token), str(token), repr(answer), repr(answer.http_meta), str(answer.http_meta.to_dict())]
    manager = tokenfetch.TokenManager(c)
    manager.access_token()
    printed.append(repr(manager))
    for scenario in ["invalid_client", "html_502", "error_200", "missing_access_token", "reset"]:
        with pytest.raises(tokenfetch.TokenFetchError) as raised:
            failing(kit, scenario).request_token("password", params={"username": "ann", "password": password})
        e = raised.value
        printed += [str(e), repr(e), repr(e.http_meta), str(e.http_meta.to_dict()), repr(e.args)]
    for text in printed:
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked in {text!r}"


def test_each_error_is_also_the_builtin_a_python_user_catches(kit):
    with pytest.raises(ValueError):
        TokenClient("ftp://auth.example/token", client_id="a")
    slow = TokenClient(kit.scenario_url("slow"), client_id="a", client_secret="b", timeout=0.2, max_retries=0)
    with pytest.raises(TimeoutError) as timed_out:
        slow.client_credentials()
    assert isinstance(timed_out.value, tokenfetch.TimeoutError)
    unreachable = TokenClient("http://127.0.0.1:9/token", client_id="a", client_secret="b", max_retries=0)
    with pytest.raises(ConnectionError) as refused:
        unreachable.client_credentials()
    assert isinstance(refused.value, tokenfetch.TransportError)
    # What each kind means to do is its class's docstring, from the core.
    assert "retry later" in (tokenfetch.TimeoutError.__doc__ or "")
    assert "sign in again" in (tokenfetch.OAuthError.__doc__ or "")


def test_old_names_still_work_and_warn_once():
    import asyncio
    import warnings

    # A star import brings no CancelledError to shadow asyncio's.
    star: dict = {}
    exec("from asyncio import *\nfrom tokenfetch import *", star)
    assert star["CancelledError"] is asyncio.CancelledError
    assert "CancelledError" not in tokenfetch.__all__
    assert asyncio.CancelledError is not tokenfetch.OperationCancelledError
    with warnings.catch_warnings(record=True) as caught:
        # Python's default filter: each place that uses an old name is told once.
        warnings.simplefilter("default")
        for _ in range(3):
            assert tokenfetch.CancelledError is tokenfetch.OperationCancelledError
        e = tokenfetch.OAuthError("x")
        e.oauth_code = "invalid_grant"
        for _ in range(3):
            assert e.error == "invalid_grant"
        # An exception pickled by an earlier release sets `.error`: it lands in oauth_code.
        old = tokenfetch.OAuthError("y")
        old.error = "invalid_client"
        assert old.oauth_code == "invalid_client"
    messages = [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]
    assert sum("CancelledError is deprecated" in m for m in messages) == 1, messages
    assert sum(".error is deprecated" in m for m in messages) == 2, messages
    # A star import shadows no builtin: `except TimeoutError` still catches every timeout.
    assert "TimeoutError" not in tokenfetch.__all__
    alone: dict = {}
    exec("from tokenfetch import *", alone)
    assert "TimeoutError" not in alone
    assert issubclass(tokenfetch.TimeoutError, TimeoutError)
