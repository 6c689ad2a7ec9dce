"""Type stubs for the native module. Checked against the built module by mypy.stubtest."""

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

__all__ = [
    "ConfigError",
    "DecodeError",
    "HttpMetadata",
    "HttpRequestMeta",
    "HttpResponseMeta",
    "HttpStatusError",
    "OAuthError",
    "ResponseTooLargeError",
    "TimeoutError",
    "TokenClient",
    "TokenFetchError",
    "TokenManager",
    "TokenRequestResponse",
    "TokenResponse",
    "TransportError",
    "__version__",
    "parse_response",
]

__version__: str

_Params = Union[Mapping[str, str], Sequence[Tuple[str, str]]]

@final
class TokenResponse:
    """An access token response. Immutable; ``repr()`` never shows a token."""

    def __new__(
        cls,
        access_token: str,
        token_type: str = "Bearer",
        expires_in: Optional[int] = None,
        refresh_token: Optional[str] = None,
        refresh_expires_in: Optional[int] = None,
        id_token: Optional[str] = None,
        scope: Optional[str] = None,
        created_at: Optional[str] = None,
        extra: Optional[Dict[str, Any]] = None,
        expires_at: Optional[int] = None,
    ) -> TokenResponse: ...
    @staticmethod
    def from_json(body: str) -> TokenResponse:
        """Parse a token response body (JSON or form-encoded) leniently."""
    @staticmethod
    def _from_state(state: str) -> TokenResponse: ...
    @property
    def access_token(self) -> str: ...
    @property
    def token_type(self) -> str: ...
    @property
    def expires_in(self) -> Optional[int]: ...
    @property
    def refresh_token(self) -> Optional[str]: ...
    @property
    def refresh_expires_in(self) -> Optional[int]: ...
    @property
    def id_token(self) -> Optional[str]: ...
    @property
    def scope(self) -> Optional[str]: ...
    @property
    def created_at(self) -> Optional[str]: ...
    @property
    def extra(self) -> Dict[str, Any]: ...
    @property
    def expires_at(self) -> Optional[int]: ...
    @property
    def scopes(self) -> List[str]: ...
    def authorization_header(self) -> str: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...

def parse_response(
    status: int,
    headers: _Params,
    body: bytes,
    received_at: Optional[float] = None,
    max_response_bytes: int = 1048576,
) -> TokenResponse:
    """Classify one HTTP answer exactly as a fetch does (body cap, then lenient parsing).

    `received_at` (epoch seconds, fractions rounded down) sets `expires_at`. A number out
    of range, a status outside 100-599 or a cap outside 1 byte-64 MiB is a `ConfigError`.
    """

@final
class HttpRequestMeta:
    @staticmethod
    def _from_state(state: str) -> HttpRequestMeta: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    @property
    def method(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def headers(self) -> Dict[str, str]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class HttpResponseMeta:
    @staticmethod
    def _from_state(state: str) -> HttpResponseMeta: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    @property
    def status(self) -> int: ...
    @property
    def headers(self) -> Dict[str, str]: ...
    @property
    def body(self) -> str: ...
    @property
    def body_truncated(self) -> bool: ...
    @property
    def elapsed(self) -> float: ...
    @property
    def elapsed_ms(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class HttpMetadata:
    @staticmethod
    def _from_state(state: str) -> HttpMetadata: ...
    def __reduce__(self) -> Tuple[Any, Tuple[str]]: ...
    @property
    def request(self) -> HttpRequestMeta: ...
    @property
    def response(self) -> Optional[HttpResponseMeta]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class TokenRequestResponse:
    @property
    def http_meta(self) -> HttpMetadata: ...
    @property
    def token_response(self) -> Optional[TokenResponse]: ...
    @property
    def v3_token_response(self) -> Optional[TokenResponse]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class TokenClient:
    """A client for one OAuth 2.0 token endpoint. Thread-safe; share one per endpoint."""

    def __new__(
        cls,
        token_url: str,
        *,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        auth_method: str = "client_secret_basic",
        body_encoding: str = "form",
        scope: Optional[str] = None,
        audience: Optional[Sequence[str]] = None,
        resource: Optional[Sequence[str]] = None,
        extra_params: Optional[Mapping[str, str]] = None,
        headers: Optional[Mapping[str, str]] = None,
        user_agent: Optional[str] = None,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        max_retries: int = 2,
        max_response_bytes: int = 1048576,
        allow_insecure_http: bool = False,
        root_certificates: Union[str, bytes, Sequence[str], None] = None,
        use_os_trust_store: bool = False,
    ) -> TokenClient: ...
    @staticmethod
    def prove(
        client_id: str,
        client_secret: str,
        env: str = "uat-us",
        *,
        token_url: Optional[str] = None,
        timeout: float = 30.0,
        max_retries: int = 2,
    ) -> TokenClient: ...
    @staticmethod
    def gusto(
        client_id: str,
        client_secret: str,
        env: str = "demo",
        *,
        token_url: Optional[str] = None,
        timeout: float = 30.0,
        max_retries: int = 2,
    ) -> TokenClient: ...
    @property
    def token_url(self) -> str: ...
    @property
    def client_id(self) -> Optional[str]: ...
    @property
    def timeout(self) -> float:
        """The deadline for a whole call in seconds, retries included."""
    @property
    def connect_timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def max_response_bytes(self) -> int: ...
    def client_credentials(self, scope: Optional[str] = None, *, params: Optional[_Params] = None) -> TokenResponse: ...
    def refresh(
        self, refresh_token: str, scope: Optional[str] = None, *, params: Optional[_Params] = None
    ) -> TokenResponse: ...
    def password(
        self, username: str, password: str, scope: Optional[str] = None, *, params: Optional[_Params] = None
    ) -> TokenResponse: ...
    def authorization_code(
        self,
        code: str,
        *,
        redirect_uri: Optional[str] = None,
        code_verifier: Optional[str] = None,
        params: Optional[_Params] = None,
    ) -> TokenResponse: ...
    def token_exchange(
        self,
        subject_token: str,
        subject_token_type: str,
        *,
        scope: Optional[str] = None,
        params: Optional[_Params] = None,
    ) -> TokenResponse: ...
    def device_code(self, device_code: str, *, params: Optional[_Params] = None) -> TokenResponse: ...
    def request_token(
        self, grant_type: str, *, scope: Optional[str] = None, params: Optional[_Params] = None
    ) -> TokenRequestResponse: ...

@final
class TokenManager:
    """A thread-safe token cache: one fetch however many threads ask, refreshed before expiry."""

    def __new__(
        cls,
        client: TokenClient,
        *,
        scope: Optional[str] = None,
        grant_type: Optional[str] = None,
        params: Optional[_Params] = None,
        refresh_skew: float = 60.0,
        default_lifetime: float = 300.0,
    ) -> TokenManager: ...
    def access_token(self) -> str: ...
    def token(self) -> TokenResponse: ...
    def authorization_header(self) -> str: ...
    @property
    def refresh_skew(self) -> float:
        """Seconds before expiry at which the cache refreshes (capped at half the lifetime)."""
    @property
    def default_lifetime(self) -> float:
        """Seconds a token without ``expires_in`` is used."""
    def fresh_token(self) -> Optional[TokenResponse]:
        """The cached token when no fetch is due, else None. Never blocks or fetches."""
    def invalidate(self) -> None: ...
    @property
    def last_error(self) -> Optional[TokenFetchError]: ...
    @property
    def client(self) -> TokenClient: ...

class TokenFetchError(Exception):
    """Base class of every tokenfetch error."""

    kind: Optional[str]
    status: Optional[int]
    error: Optional[str]
    error_description: Optional[str]
    error_uri: Optional[str]
    http_meta: Optional[HttpMetadata]

class OAuthError(TokenFetchError): ...
class HttpStatusError(TokenFetchError): ...
class DecodeError(TokenFetchError): ...
class ResponseTooLargeError(TokenFetchError): ...
class TimeoutError(TokenFetchError): ...
class TransportError(TokenFetchError): ...
class ConfigError(TokenFetchError): ...
