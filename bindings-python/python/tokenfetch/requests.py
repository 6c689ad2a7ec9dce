"""``requests`` integration: ``tokenfetch.requests.BearerAuth``.

    import requests
    from tokenfetch.requests import BearerAuth

    session = requests.Session()
    session.auth = BearerAuth(manager)

Install with ``pip install tokenfetch[requests]``.
"""

from __future__ import annotations

from typing import Any

try:
    import requests as _requests
    from requests.auth import AuthBase
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("tokenfetch.requests needs the requests package: pip install 'tokenfetch[requests]'") from exc

from ._native import TokenManager

__all__ = ["BearerAuth"]


class BearerAuth(AuthBase):
    """Adds ``Authorization: Bearer <token>`` from a ``TokenManager``.

    On a 401 answer it invalidates the cached token and re-sends the request once with a
    fresh token. A second 401 is returned to the caller as is.
    """

    def __init__(self, manager: TokenManager) -> None:
        self.manager = manager

    def __call__(self, request: _requests.PreparedRequest) -> _requests.PreparedRequest:
        request.headers["Authorization"] = self.manager.authorization_header()
        request.register_hook("response", self._retry_once_on_401)
        return request

    def _retry_once_on_401(self, response: _requests.Response, **kwargs: Any) -> _requests.Response:
        if response.status_code != 401 or getattr(response.request, "_tokenfetch_retried", False):
            return response
        self.manager.invalidate()
        response.content  # read the body so the connection can be reused
        response.close()
        retry = response.request.copy()
        retry._tokenfetch_retried = True  # type: ignore[attr-defined]
        retry.headers["Authorization"] = self.manager.authorization_header()
        connection = response.connection  # type: ignore[attr-defined]
        again: _requests.Response = connection.send(retry, **kwargs)
        again.history.append(response)
        again.request = retry
        return again

    def __repr__(self) -> str:
        return f"BearerAuth({self.manager!r})"
