"""requests and httpx adapters against a protected resource that answers 401 once."""

import asyncio

import httpx
import pytest
import requests

import tokenfetch
from tokenfetch import TokenClient, TokenManager
from tokenfetch.httpx import BearerAuth as HttpxBearerAuth
from tokenfetch.requests import BearerAuth as RequestsBearerAuth


def manager(kit):
    return TokenManager(TokenClient(kit.token_url, client_id="py", client_secret="s"))


def test_requests_adapter_retries_once_after_401(kit):
    session = requests.Session()
    session.auth = RequestsBearerAuth(manager(kit))
    response = session.get(f"{kit.url}/protected")
    assert response.status_code == 200
    assert len(response.history) == 1 and response.history[0].status_code == 401
    assert kit.token_requests() == 2, "the 401 invalidated the token and a new one was fetched"
    assert session.get(f"{kit.url}/protected").status_code == 200
    assert kit.token_requests() == 2


def test_httpx_adapter_retries_once_after_401(kit):
    with httpx.Client(auth=HttpxBearerAuth(manager(kit))) as client:
        response = client.get(f"{kit.url}/protected")
        assert response.status_code == 200
        assert kit.token_requests() == 2
        assert client.get(f"{kit.url}/protected").status_code == 200
        assert kit.token_requests() == 2


def test_httpx_async_adapter(kit):
    async def main():
        async with httpx.AsyncClient(auth=HttpxBearerAuth(manager(kit))) as client:
            return (await client.get(f"{kit.url}/protected")).status_code

    assert asyncio.run(main()) == 200
    assert kit.token_requests() == 2


def test_httpx_adapter_takes_an_async_manager_in_either_client(kit):
    from tokenfetch import AsyncTokenManager

    auth = HttpxBearerAuth(AsyncTokenManager(TokenClient(kit.token_url, client_id="py", client_secret="s")))

    async def main():
        async with httpx.AsyncClient(auth=auth) as client:
            return (await client.get(f"{kit.url}/protected")).status_code

    assert asyncio.run(main()) == 200
    with httpx.Client(auth=auth) as client:
        assert client.get(f"{kit.url}/protected").status_code == 200


def test_every_grant_method_takes_params_as_a_dict_or_pairs(kit):
    # echo_json answers every grant with an error describing the request as received.
    c = TokenClient(kit.scenario_url("echo_json"), client_id="py", client_secret="s")
    jwt = "urn:ietf:params:oauth:token-type:jwt"
    calls = [
        lambda params: c.client_credentials(params=params),
        lambda params: c.refresh("rt-x", params=params),
        lambda params: c.password("ann", "pw", params=params),
        lambda params: c.authorization_code("code-x", params=params),
        lambda params: c.token_exchange("subj-1", jwt, params=params),
        lambda params: c.device_code("dc-x", params=params),
    ]
    for call in calls:
        for params in [{"tenant": "t-1"}, [("tenant", "t-1")]]:
            with pytest.raises(tokenfetch.OAuthError) as raised:
                call(params)
            assert "param tenant = t-1" in (raised.value.error_description or "")
