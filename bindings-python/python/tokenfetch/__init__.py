"""tokenfetch: an OAuth 2.0 token client with a Rust core.

Fetch, parse, cache and refresh access tokens, with the same behaviour in Python, Node,
Kotlin and Rust. Network calls release the GIL, so threads fetch in parallel.

    from tokenfetch import TokenClient, TokenManager

    client = TokenClient("https://auth.example.com/oauth/token",
                         client_id="my-client", client_secret="...")
    manager = TokenManager(client, scope="read")
    headers = {"Authorization": manager.authorization_header()}
"""

from ._native import (
    AuthorizationRequest,
    CancelledError,
    CancelToken,
    ConfigError,
    DecodeError,
    DeviceAuthorization,
    FileStore,
    HttpMetadata,
    HttpRequestMeta,
    HttpResponseMeta,
    HttpStatusError,
    Introspection,
    OAuthError,
    Pkce,
    RedisStore,
    ResponseTooLargeError,
    ServerMetadata,
    TimeoutError,
    TokenClient,
    TokenFetchError,
    TokenManager,
    TokenRequestResponse,
    TokenResponse,
    TransportError,
    __version__,
    clear_discovery_cache,
    parse_response,
)
# Not typing.TYPE_CHECKING: importing typing would cost more than the rest of the package
# (type checkers treat any constant of this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._async import AsyncTokenClient, AsyncTokenManager

# The seed models' names for the same classes.
V3TokenResponse = TokenResponse
PostTokenResponse = TokenResponse
Authentication = TokenResponse
V3TokenRequestResponse = TokenRequestResponse
HTTPMetadata = HttpMetadata


def __getattr__(name: str) -> object:
    # The asyncio twins load on first use: importing asyncio was four fifths of
    # `import tokenfetch` (about 38 ms of 45), paid by every program, async or not.
    if name in ("AsyncTokenClient", "AsyncTokenManager"):
        from . import _async

        return getattr(_async, name)
    raise AttributeError(f"module 'tokenfetch' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def parse_token_response(body: str) -> TokenResponse:
    """Parse a token response body; the same as ``TokenResponse.from_json(body)``."""
    return TokenResponse.from_json(body)


__all__ = [
    "AsyncTokenClient",
    "AsyncTokenManager",
    "Authentication",
    "AuthorizationRequest",
    "CancelToken",
    "CancelledError",
    "ConfigError",
    "DecodeError",
    "DeviceAuthorization",
    "FileStore",
    "HTTPMetadata",
    "HttpMetadata",
    "HttpRequestMeta",
    "HttpResponseMeta",
    "HttpStatusError",
    "Introspection",
    "OAuthError",
    "Pkce",
    "PostTokenResponse",
    "RedisStore",
    "ResponseTooLargeError",
    "ServerMetadata",
    "TimeoutError",
    "TokenClient",
    "TokenFetchError",
    "TokenManager",
    "TokenRequestResponse",
    "TokenResponse",
    "TransportError",
    "V3TokenRequestResponse",
    "V3TokenResponse",
    "__version__",
    "clear_discovery_cache",
    "parse_response",
    "parse_token_response",
]
