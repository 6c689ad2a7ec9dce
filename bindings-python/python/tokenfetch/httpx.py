"""``httpx`` integration: ``tokenfetch.httpx.BearerAuth``, for ``Client`` and ``AsyncClient``.

    import httpx
    from tokenfetch.httpx import BearerAuth

    client = httpx.Client(auth=BearerAuth(manager))

Install with ``pip install tokenfetch[httpx]``.
"""

from __future__ import annotations

import asyncio
from typing import AsyncGenerator, Generator, Union

try:
    import httpx as _httpx
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("tokenfetch.httpx needs the httpx package: pip install 'tokenfetch[httpx]'") from exc

from ._async import AsyncTokenManager
from ._native import TokenManager

__all__ = ["BearerAuth"]


class BearerAuth(_httpx.Auth):
    """Adds ``Authorization: Bearer <token>`` from a ``TokenManager``.

    On a 401 it invalidates the cached token and re-sends the request once. With an
    ``AsyncClient`` the token comes from the manager's awaitable methods (an
    ``AsyncTokenManager``) or a worker thread (a ``TokenManager``), never blocking the loop.
    Either kind of manager works with either kind of client.
    """

    requires_response_body = False

    def __init__(self, manager: Union[TokenManager, AsyncTokenManager]) -> None:
        self.manager = manager

    def _sync_manager(self) -> TokenManager:
        return self.manager.sync if isinstance(self.manager, AsyncTokenManager) else self.manager

    async def _header(self) -> str:
        if isinstance(self.manager, AsyncTokenManager):
            return await self.manager.authorization_header()
        return await asyncio.to_thread(self.manager.authorization_header)

    def sync_auth_flow(self, request: _httpx.Request) -> Generator[_httpx.Request, _httpx.Response, None]:
        manager = self._sync_manager()
        request.headers["Authorization"] = manager.authorization_header()
        response = yield request
        if response.status_code == 401:
            manager.invalidate()
            request.headers["Authorization"] = manager.authorization_header()
            yield request

    async def async_auth_flow(self, request: _httpx.Request) -> AsyncGenerator[_httpx.Request, _httpx.Response]:
        request.headers["Authorization"] = await self._header()
        response = yield request
        if response.status_code == 401:
            self.manager.invalidate()
            request.headers["Authorization"] = await self._header()
            yield request

    def __repr__(self) -> str:
        return f"BearerAuth({self.manager!r})"
