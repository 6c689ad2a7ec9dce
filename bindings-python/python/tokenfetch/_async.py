"""asyncio twins of TokenClient and TokenManager.

The Rust core is synchronous; a fetch runs in a worker thread (``asyncio.to_thread``),
which releases the GIL while it waits on the network, so the event loop keeps running.
Cancelling ``AsyncTokenClient.poll_device_token`` cancels the core's poll with a
``CancelToken``, so its worker thread stops too instead of polling on for minutes.

``AsyncTokenManager`` answers a fresh cached token on the event loop, with no thread at
all. When a fetch is due, one worker runs it and every waiting task awaits that same
future, so a thousand waiting tasks hold one thread, not a thousand. Cancelling a waiting
task returns at once; the shared fetch goes on, bounded by the client's timeout, and its
token is cached for the next caller.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Sequence, Tuple, Union

from ._native import (
    AuthorizationRequest,
    CancelToken,
    DeviceAuthorization,
    Introspection,
    Pkce,
    ServerMetadata,
    TokenClient,
    TokenFetchError,
    TokenManager,
    TokenRequestResponse,
    TokenResponse,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._options import (
        ClientOptions,
        DiscoverOptions,
        EntraWorkloadIdentityOptions,
        GoogleServiceAccountOptions,
        ManagerOptions,
        PresetOptions,
    )

Params = Union[Mapping[str, str], Sequence[Tuple[str, str]]]


class AsyncTokenClient:
    """``TokenClient`` with awaitable methods. Takes the same arguments, or wraps a client."""

    def __init__(
        self, token_url: Optional[str] = None, *, client: Optional[TokenClient] = None, **options: Unpack[ClientOptions]
    ) -> None:
        if client is None:
            if token_url is None:
                raise TypeError("AsyncTokenClient needs a token_url or client=")
            client = TokenClient(token_url, **options)
        elif token_url is not None or options:
            raise TypeError("pass either client= or the TokenClient arguments, not both")
        self.sync = client

    @classmethod
    def prove(
        cls, client_id: str, client_secret: str, env: Optional[str] = None, **options: Unpack[PresetOptions]
    ) -> "AsyncTokenClient":
        return cls(client=TokenClient.prove(client_id, client_secret, env, **options))

    @classmethod
    def gusto(
        cls, client_id: str, client_secret: str, env: Optional[str] = None, **options: Unpack[PresetOptions]
    ) -> "AsyncTokenClient":
        return cls(client=TokenClient.gusto(client_id, client_secret, env, **options))

    @classmethod
    def google_service_account(cls, **options: Unpack[GoogleServiceAccountOptions]) -> "AsyncTokenClient":
        return cls(client=TokenClient.google_service_account(**options))

    @classmethod
    def entra_workload_identity(cls, **options: Unpack[EntraWorkloadIdentityOptions]) -> "AsyncTokenClient":
        return cls(client=TokenClient.entra_workload_identity(**options))

    @classmethod
    async def discover(cls, issuer: str, **options: Unpack[DiscoverOptions]) -> "AsyncTokenClient":
        """``TokenClient.discover`` in a worker thread: takes the same keywords."""
        return cls(client=await asyncio.to_thread(TokenClient.discover, issuer, **options))

    @property
    def issuer(self) -> Optional[str]:
        return self.sync.issuer

    @property
    def server_metadata(self) -> Optional[ServerMetadata]:
        return self.sync.server_metadata

    async def revoke(self, token: str, token_type_hint: Optional[str] = None) -> None:
        await asyncio.to_thread(self.sync.revoke, token, token_type_hint)

    async def introspect(self, token: str, token_type_hint: Optional[str] = None) -> Introspection:
        return await asyncio.to_thread(self.sync.introspect, token, token_type_hint)

    async def device_authorization(self, scope: Optional[str] = None) -> DeviceAuthorization:
        return await asyncio.to_thread(self.sync.device_authorization, scope)

    async def poll_device_token(self, authorization: DeviceAuthorization) -> TokenResponse:
        """Polls until the user approves, denies or the code expires. Cancelling the task
        raises ``asyncio.CancelledError`` at once and stops the poll in its worker thread."""
        cancel = CancelToken()
        try:
            return await asyncio.to_thread(self.sync.poll_device_token, authorization, cancel=cancel)
        except asyncio.CancelledError:
            cancel.cancel()
            raise

    def authorization_url(
        self,
        redirect_uri: str,
        *,
        scope: Optional[str] = None,
        state: Optional[str] = None,
        nonce: Optional[str] = None,
        pkce: Optional[Pkce] = None,
        extra: Optional[Params] = None,
        max_age: Optional[float] = None,
    ) -> AuthorizationRequest:
        """The same as ``TokenClient.authorization_url``: no I/O, so not a coroutine."""
        return self.sync.authorization_url(
            redirect_uri, scope=scope, state=state, nonce=nonce, pkce=pkce, extra=extra, max_age=max_age
        )

    async def push_authorization_request(
        self,
        redirect_uri: str,
        *,
        scope: Optional[str] = None,
        state: Optional[str] = None,
        nonce: Optional[str] = None,
        pkce: Optional[Pkce] = None,
        extra: Optional[Params] = None,
        max_age: Optional[float] = None,
    ) -> AuthorizationRequest:
        """``TokenClient.push_authorization_request``: the parameters pushed (RFC 9126) in a
        worker thread, the URL carrying the server's ``request_uri``."""
        return await asyncio.to_thread(
            self.sync.push_authorization_request,
            redirect_uri,
            scope=scope,
            state=state,
            nonce=nonce,
            pkce=pkce,
            extra=extra,
            max_age=max_age,
        )

    async def exchange_code(self, request: AuthorizationRequest, callback_url: str) -> TokenResponse:
        """``TokenClient.exchange_code``: the callback checked, the code exchanged, the ID token
        validated against ``request``."""
        return await asyncio.to_thread(self.sync.exchange_code, request, callback_url)

    @property
    def validates_id_tokens(self) -> bool:
        return self.sync.validates_id_tokens

    async def userinfo(self, access_token: str, *, expected_sub: Optional[str] = None) -> Dict[str, Any]:
        """``TokenClient.userinfo``: the user's claims from the userinfo endpoint."""
        return await asyncio.to_thread(self.sync.userinfo, access_token, expected_sub=expected_sub)

    def end_session_url(
        self,
        *,
        id_token_hint: Optional[str] = None,
        post_logout_redirect_uri: Optional[str] = None,
        state: Optional[str] = None,
    ) -> str:
        """The same as ``TokenClient.end_session_url``: no I/O, so not a coroutine."""
        return self.sync.end_session_url(
            id_token_hint=id_token_hint, post_logout_redirect_uri=post_logout_redirect_uri, state=state
        )

    def parse_callback(self, url: str, expected_state: str) -> str:
        """The same as ``TokenClient.parse_callback``: no I/O, so not a coroutine."""
        return self.sync.parse_callback(url, expected_state)

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
    """``TokenManager`` with awaitable methods, sharing the core's cache and single flight.

    Takes ``TokenManager``'s keywords. ``on_token`` runs on the worker thread that fetched,
    not on the event loop: hand work to the loop with ``loop.call_soon_threadsafe``.
    """

    def __init__(self, client: Union[TokenClient, AsyncTokenClient], **options: Unpack[ManagerOptions]) -> None:
        sync_client = client.sync if isinstance(client, AsyncTokenClient) else client
        self.sync = TokenManager(sync_client, **options)
        # The fetch in flight on each event loop, which every waiting task shares.
        self._inflight: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Future[TokenResponse]]" = (
            weakref.WeakKeyDictionary()
        )

    async def token(self) -> TokenResponse:
        fresh = self.sync.fresh_token()
        if fresh is not None:
            return fresh
        loop = asyncio.get_running_loop()
        shared = self._inflight.get(loop)
        if shared is None or shared.done():
            shared = asyncio.ensure_future(asyncio.to_thread(self.sync.token))
            # Retrieve the outcome even when every waiter was cancelled, so asyncio does not
            # warn about an exception nobody read.
            shared.add_done_callback(lambda f: f.cancelled() or f.exception())
            self._inflight[loop] = shared
        return await asyncio.shield(shared)

    async def access_token(self) -> str:
        return (await self.token()).access_token

    async def authorization_header(self) -> str:
        return (await self.token()).authorization_header()

    def invalidate(self) -> None:
        self.sync.invalidate()

    @property
    def last_error(self) -> Optional[TokenFetchError]:
        return self.sync.last_error

    def __repr__(self) -> str:
        return f"Async{self.sync!r}"
