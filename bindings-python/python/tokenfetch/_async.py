"""asyncio twins of TokenClient and TokenManager.

The Rust core is synchronous; these run each call in a worker thread
(``asyncio.to_thread``), which releases the GIL while it waits on the network, so the
event loop keeps running. Single flight still holds: concurrent ``await
manager.access_token()`` calls share one fetch, because the cache is the core's.
"""

from __future__ import annotations

import asyncio
from typing import Any, Mapping, Optional, Sequence, Tuple, Union

from ._native import TokenClient, TokenFetchError, TokenManager, TokenRequestResponse, TokenResponse

Params = Union[Mapping[str, str], Sequence[Tuple[str, str]]]


class AsyncTokenClient:
    """``TokenClient`` with awaitable methods. Takes the same arguments, or wraps a client."""

    def __init__(self, token_url: Optional[str] = None, *, client: Optional[TokenClient] = None, **options: Any) -> None:
        if client is None:
            if token_url is None:
                raise TypeError("AsyncTokenClient needs a token_url or client=")
            client = TokenClient(token_url, **options)
        elif token_url is not None or options:
            raise TypeError("pass either client= or the TokenClient arguments, not both")
        self.sync = client

    @classmethod
    def prove(cls, client_id: str, client_secret: str, env: str = "uat-us", **options: Any) -> "AsyncTokenClient":
        return cls(client=TokenClient.prove(client_id, client_secret, env, **options))

    @classmethod
    def gusto(cls, client_id: str, client_secret: str, env: str = "demo", **options: Any) -> "AsyncTokenClient":
        return cls(client=TokenClient.gusto(client_id, client_secret, env, **options))

    async def client_credentials(self, scope: Optional[str] = None, *, params: Optional[Params] = None) -> TokenResponse:
        return await asyncio.to_thread(self.sync.client_credentials, scope, params=params)

    async def refresh(
        self, refresh_token: str, scope: Optional[str] = None, *, params: Optional[Params] = None
    ) -> TokenResponse:
        return await asyncio.to_thread(self.sync.refresh, refresh_token, scope, params=params)

    async def password(
        self, username: str, password: str, scope: Optional[str] = None, *, params: Optional[Params] = None
    ) -> TokenResponse:
        return await asyncio.to_thread(self.sync.password, username, password, scope, params=params)

    async def authorization_code(
        self,
        code: str,
        *,
        redirect_uri: Optional[str] = None,
        code_verifier: Optional[str] = None,
        params: Optional[Params] = None,
    ) -> TokenResponse:
        return await asyncio.to_thread(
            self.sync.authorization_code, code, redirect_uri=redirect_uri, code_verifier=code_verifier, params=params
        )

    async def token_exchange(
        self,
        subject_token: str,
        subject_token_type: str,
        *,
        scope: Optional[str] = None,
        params: Optional[Params] = None,
    ) -> TokenResponse:
        return await asyncio.to_thread(
            self.sync.token_exchange, subject_token, subject_token_type, scope=scope, params=params
        )

    async def device_code(self, device_code: str, *, params: Optional[Params] = None) -> TokenResponse:
        return await asyncio.to_thread(self.sync.device_code, device_code, params=params)

    async def request_token(
        self, grant_type: str, *, scope: Optional[str] = None, params: Optional[Params] = None
    ) -> TokenRequestResponse:
        return await asyncio.to_thread(self.sync.request_token, grant_type, scope=scope, params=params)

    def __repr__(self) -> str:
        return f"Async{self.sync!r}"


class AsyncTokenManager:
    """``TokenManager`` with awaitable methods, sharing the core's cache and single flight."""

    def __init__(self, client: Union[TokenClient, AsyncTokenClient], **options: Any) -> None:
        sync_client = client.sync if isinstance(client, AsyncTokenClient) else client
        self.sync = TokenManager(sync_client, **options)

    async def access_token(self) -> str:
        return await asyncio.to_thread(self.sync.access_token)

    async def token(self) -> TokenResponse:
        return await asyncio.to_thread(self.sync.token)

    async def authorization_header(self) -> str:
        return await asyncio.to_thread(self.sync.authorization_header)

    def invalidate(self) -> None:
        self.sync.invalidate()

    @property
    def last_error(self) -> Optional[TokenFetchError]:
        return self.sync.last_error

    def __repr__(self) -> str:
        return f"Async{self.sync!r}"
