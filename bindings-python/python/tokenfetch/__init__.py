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
    CancelToken,
    ConfigError,
    DecodeError,
    DeviceAuthorization,
    FileStore,
    HttpMetadata,
    HttpRequestMeta,
    HttpResponseMeta,
    HttpStatusError,
    IdTokenClaims,
    IdTokenError,
    Introspection,
    OAuthError,
    OperationCancelledError,
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
    validate_id_token,
)
# Not typing.TYPE_CHECKING: importing typing would cost more than the rest of the package
# (type checkers treat any constant of this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._async import AsyncTokenClient, AsyncTokenManager
    from ._native import OperationCancelledError as CancelledError  # deprecated name
    from ._choices import AuthMethod, BodyEncoding, ErrorKind, GustoEnvironment, ProveEnvironment, SigningAlgorithm

# Loaded on first use, like the asyncio twins: `enum` is not otherwise imported.
_CHOICES = ("AuthMethod", "BodyEncoding", "ErrorKind", "GustoEnvironment", "ProveEnvironment", "SigningAlgorithm")

# The seed models' names for the same classes.
V3TokenResponse = TokenResponse
PostTokenResponse = TokenResponse
Authentication = TokenResponse
V3TokenRequestResponse = TokenRequestResponse
HTTPMetadata = HttpMetadata


# Old names, kept working. Each use warns (a DeprecationWarning); Python's warning filters show
# it once per place it is used, and CHANGELOG.md lists them.
_RENAMED = {"CancelledError": ("OperationCancelledError", OperationCancelledError)}


def _deprecated(old: str, new: str) -> None:
    import warnings

    warnings.warn(f"tokenfetch: {old} is deprecated; use {new}", DeprecationWarning, stacklevel=3)


def _get_error(self: TokenFetchError) -> object:
    _deprecated("TokenFetchError.error", "TokenFetchError.oauth_code")
    return self.oauth_code


def _set_error(self: TokenFetchError, value: object) -> None:
    # An exception pickled by an earlier release carries `error`, and unpickling sets it.
    _deprecated("TokenFetchError.error", "TokenFetchError.oauth_code")
    self.oauth_code = value  # type: ignore[assignment]


# `.error` was the OAuth error code's name; `.oauth_code` is its name in every language.
TokenFetchError.error = property(_get_error, _set_error)  # type: ignore[assignment,method-assign]


def __getattr__(name: str) -> object:
    # The asyncio twins load on first use: importing asyncio was four fifths of
    # `import tokenfetch` (about 38 ms of 45), paid by every program, async or not.
    if name in ("AsyncTokenClient", "AsyncTokenManager"):
        from . import _async

        return getattr(_async, name)
    if name in _CHOICES:
        from . import _choices

        return getattr(_choices, name)
    if name in _RENAMED:
        new, value = _RENAMED[name]
        _deprecated(name, new)
        return value
    raise AttributeError(f"module 'tokenfetch' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def parse_token_response(body: str) -> TokenResponse:
    """Deprecated: use ``TokenResponse.from_json(body)``, its name in every language.

    (In Rust, ``parse_token_response`` classified a whole HTTP answer, which is
    ``parse_response`` here: one name meant two things.)
    """
    _deprecated("parse_token_response(body)", "TokenResponse.from_json(body)")
    return TokenResponse.from_json(body)


__all__ = [
    "AsyncTokenClient",
    "AsyncTokenManager",
    "AuthMethod",
    "Authentication",
    "AuthorizationRequest",
    "BodyEncoding",
    "CancelToken",
    "ConfigError",
    "DecodeError",
    "DeviceAuthorization",
    "ErrorKind",
    "FileStore",
    "GustoEnvironment",
    "HTTPMetadata",
    "HttpMetadata",
    "HttpRequestMeta",
    "HttpResponseMeta",
    "HttpStatusError",
    "IdTokenClaims",
    "IdTokenError",
    "Introspection",
    "OAuthError",
    "OperationCancelledError",
    "Pkce",
    "PostTokenResponse",
    "ProveEnvironment",
    "RedisStore",
    "ResponseTooLargeError",
    "ServerMetadata",
    "SigningAlgorithm",
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
    "validate_id_token",
]
