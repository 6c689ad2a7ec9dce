"""requests and httpx adapters against a protected resource that answers 401 once."""

import asyncio

import httpx
import requests

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
