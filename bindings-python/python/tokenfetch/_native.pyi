"""Type stubs for the native module. Checked against the built module by mypy.stubtest."""

import builtins
import os
import pathlib
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

from typing_extensions import Literal, Unpack, deprecated

from tokenfetch._options import (
    ClientOptions,
    DiscoverOptions,
    EntraWorkloadIdentityOptions,
    GoogleServiceAccountOptions,
    ManagerOptions,
    PresetOptions,
)

__all__ = [
    "AuthorizationRequest",
    "CancelToken",
    "ConfigError",
    "DecodeError",
    "DeviceAuthorization",
    "FileStore",
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
    "__version__",
    "clear_discovery_cache",
    "parse_response",
    "validate_id_token",
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
    def _from_state(state: str, claims: Optional[str] = None) -> TokenResponse: ...
    @property
    def access_token(self) -> str: ...
    @property
    def id_token_claims(self) -> Optional[IdTokenClaims]:
        """The claims of ``id_token``, once the client validated it; None otherwise."""
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
    def __reduce__(self) -> Tuple[Any, Tuple[str, Optional[str]]]: ...

@final
class IdTokenClaims:
    """The claims of a validated ID token; claims without an attribute are in ``extra``."""

    @staticmethod
    def from_json(text: str) -> IdTokenClaims:
        """Read back what ``to_json()`` wrote; nothing is validated."""
    @property
    def iss(self) -> str: ...
    @property
    def sub(self) -> str: ...
    @property
    def aud(self) -> List[str]: ...
    @property
    def exp(self) -> int: ...
    @property
    def iat(self) -> int: ...
    @property
    def auth_time(self) -> Optional[int]: ...
    @property
    def nonce(self) -> Optional[str]: ...
    @property
    def acr(self) -> Optional[str]: ...
    @property
    def amr(self) -> List[str]: ...
    @property
    def azp(self) -> Optional[str]: ...
    @property
    def sid(self) -> Optional[str]: ...
    @property
    def extra(self) -> Dict[str, Any]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...

def validate_id_token(
    token: str,
    *,
    jwks: str,
    issuer: str,
    client_id: str,
    nonce: Optional[str] = None,
    max_age: Optional[float] = None,
    access_token: Optional[str] = None,
    code: Optional[str] = None,
    clock_skew: Optional[float] = None,
    algorithms: Optional[List[str]] = None,
    client_secret: Optional[str] = None,
    now: Optional[float] = None,
) -> IdTokenClaims:
    """Validate an ID token with a JWK Set you hold (the document as text), with no network.

    A failure raises ``IdTokenError``; its ``id_token_check`` names the check that failed.
    """

def parse_response(
    status: int,
    headers: _Params,
    body: bytes,
    received_at: Optional[float] = None,
    max_response_bytes: Optional[int] = None,
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
class ServerMetadata:
    """What an authorization server says about itself (RFC 8414 / OpenID Connect discovery)."""

    @property
    def issuer(self) -> str: ...
    @property
    def authorization_endpoint(self) -> Optional[str]: ...
    @property
    def token_endpoint(self) -> str: ...
    @property
    def device_authorization_endpoint(self) -> Optional[str]: ...
    @property
    def revocation_endpoint(self) -> Optional[str]: ...
    @property
    def introspection_endpoint(self) -> Optional[str]: ...
    @property
    def jwks_uri(self) -> Optional[str]: ...
    @property
    def token_endpoint_auth_methods_supported(self) -> List[str]:
        """Empty when the server does not say (RFC 8414 then means ``client_secret_basic``)."""
    @property
    def code_challenge_methods_supported(self) -> List[str]: ...
    @property
    def grant_types_supported(self) -> List[str]: ...
    @property
    def scopes_supported(self) -> List[str]: ...
    @property
    def authorization_response_iss_parameter_supported(self) -> bool:
        """RFC 9207: the server adds ``iss`` to every authorization response."""
    @property
    def extra(self) -> Dict[str, Any]:
        """Every other member of the document, as the server sent it."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class Introspection:
    """What the server says about a token (RFC 7662). Inactive tokens have only ``active``."""

    @property
    def active(self) -> bool: ...
    @property
    def scope(self) -> Optional[str]: ...
    @property
    def client_id(self) -> Optional[str]: ...
    @property
    def username(self) -> Optional[str]: ...
    @property
    def token_type(self) -> Optional[str]: ...
    @property
    def exp(self) -> Optional[int]:
        """Expiry, in epoch seconds."""
    @property
    def iat(self) -> Optional[int]:
        """Issue time, in epoch seconds."""
    @property
    def nbf(self) -> Optional[int]:
        """Not-before time, in epoch seconds."""
    @property
    def sub(self) -> Optional[str]: ...
    @property
    def aud(self) -> List[str]:
        """The audiences; a single string from the server is a list of one."""
    @property
    def iss(self) -> Optional[str]: ...
    @property
    def jti(self) -> Optional[str]: ...
    @property
    def extra(self) -> Dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class DeviceAuthorization:
    """The codes of a device flow (RFC 8628). ``repr()`` never shows ``device_code``."""

    @property
    def device_code(self) -> str:
        """The code the device polls with. Secret."""
    @property
    def user_code(self) -> str:
        """The code the user types in."""
    @property
    def verification_uri(self) -> str:
        """Where the user goes to type it."""
    @property
    def verification_uri_complete(self) -> Optional[str]:
        """The same page with the code filled in, for a QR code or a link."""
    @property
    def expires_in(self) -> int:
        """Lifetime of both codes, in seconds."""
    @property
    def interval(self) -> int:
        """Seconds to wait between polls; 5 when the server names none."""
    @property
    def expires_at(self) -> int:
        """When the codes expire, in epoch seconds."""
    @property
    def extra(self) -> Dict[str, Any]: ...
    def is_expired(self) -> bool:
        """Whether the codes have expired, by this machine's clock."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class Pkce:
    """A PKCE pair (RFC 7636). ``repr()`` never shows the verifier."""

    @staticmethod
    def generate() -> Pkce:
        """A fresh pair: a 43-character verifier from the operating system's CSPRNG."""
    @staticmethod
    def from_verifier(verifier: str) -> Pkce:
        """The pair for a verifier you chose: 43 to 128 letters, digits or ``-._~``."""
    @property
    def verifier(self) -> str:
        """The secret sent with the authorization code (``code_verifier``)."""
    @property
    def challenge(self) -> str:
        """``BASE64URL(SHA256(verifier))``, sent in the authorization URL."""
    @property
    def method(self) -> str:
        """Always ``"S256"``."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class AuthorizationRequest:
    """An authorization URL and what to keep until the user comes back."""

    @property
    def url(self) -> str:
        """The URL to send the user's browser to."""
    @property
    def state(self) -> str:
        """Compare it with the callback's (``parse_callback`` does)."""
    @property
    def nonce(self) -> Optional[str]: ...
    @property
    def pkce(self) -> Pkce:
        """Its verifier goes with the code to the token endpoint."""
    @property
    def redirect_uri(self) -> str: ...
    @property
    def max_age(self) -> Optional[int]: ...
    @property
    def request_uri(self) -> Optional[str]:
        """A pushed request's reference (RFC 9126), which ``url`` carries instead of the parameters."""
    def to_json(self) -> str:
        """What a web app keeps between the steps; it holds the PKCE verifier, a secret."""
    @staticmethod
    def from_json(text: str) -> AuthorizationRequest: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class CancelToken:
    """Stops a ``poll_device_token`` from another thread with ``OperationCancelledError``."""

    def __new__(cls) -> CancelToken: ...
    def cancel(self) -> None:
        """Cancels every poll using this token; safe from any thread, and more than once."""
    @property
    def cancelled(self) -> bool: ...

@final
class FileStore:
    """A directory that managers of several processes on one machine share tokens through.

    ``key``: 32 raw bytes, or base64 text of 32 bytes, to seal entries with AES-256-GCM.
    Without one the files hold bearer tokens in the clear. ``previous_keys``: keys that only
    open entries, while a key rotation rolls out (each entry is sealed with ``key`` at its next refresh).
    ``repr()`` never shows a key.
    """

    def __new__(
        cls,
        directory: Union[str, os.PathLike[str]],
        *,
        key: Union[bytes, str, None] = None,
        previous_keys: Sequence[Union[bytes, str]] = ...,
    ) -> FileStore: ...
    @property
    def directory(self) -> pathlib.Path: ...
    @property
    def sealed(self) -> bool:
        """Whether entries are sealed with a key (AES-256-GCM)."""

@final
class RedisStore:
    """A Redis that managers on many machines share tokens through.

    ``timeout``: seconds each command (and connecting) may take. ``key`` and
    ``previous_keys`` as for ``FileStore``. A plain ``redis://`` URL may name only a loopback
    host (the password and tokens would cross the network in the clear) unless
    ``allow_insecure=True``; use ``rediss://``. ``repr()`` shows the URL without user,
    password or query values, and never a key.
    """

    def __new__(
        cls,
        url: str,
        *,
        key: Union[bytes, str, None] = None,
        timeout: Optional[float] = None,
        previous_keys: Sequence[Union[bytes, str]] = ...,
        allow_insecure: bool = False,
    ) -> RedisStore: ...
    @property
    def url(self) -> str:
        """The URL without its user, password or query values."""
    @property
    def timeout(self) -> float:
        """Seconds each Redis command (and connecting) may take before the manager fetches alone."""
    @property
    def sealed(self) -> bool:
        """Whether entries are sealed with a key (AES-256-GCM)."""

def clear_discovery_cache() -> None:
    """Forget every cached discovery document; the next ``discover`` reads its issuer's again."""

@final
class TokenClient:
    """A client for one OAuth 2.0 token endpoint. Thread-safe; share one per endpoint."""

    def __new__(cls, token_url: str, **options: Unpack[ClientOptions]) -> TokenClient:
        """A client for the token endpoint at ``token_url``.

        ``options`` (typed by ``ClientOptions``, listed in the guide) are checked by the core:
        an unknown name or a value of the wrong type raises ``TypeError``, a number out of
        range ``ConfigError``. Left out, or ``None``, each takes the core's default.
        """
    @staticmethod
    def discover(issuer: str, **options: Unpack[DiscoverOptions]) -> TokenClient:
        """A client built from the issuer's discovery document (RFC 8414, else OpenID Connect).

        Blocks while it reads the document (the GIL released). Documents are cached per
        issuer for ``discovery_ttl`` seconds. Without ``auth_method`` the method comes from
        the document (no secret: ``"none"``).
        """
    @staticmethod
    def prove(
        client_id: str, client_secret: str, env: Optional[str] = None, **options: Unpack[PresetOptions]
    ) -> TokenClient:
        """A client for Prove: ``env`` is ``uat-us``, ``prod-us``, ``uat-eu`` or ``prod-eu`` (left out, the core's default)."""
    @staticmethod
    def gusto(
        client_id: str, client_secret: str, env: Optional[str] = None, **options: Unpack[PresetOptions]
    ) -> TokenClient:
        """A client for Gusto: ``env`` is ``demo`` or ``prod`` (left out, the core's default); its grant is ``system_access``."""
    @staticmethod
    def google_service_account(**options: Unpack[GoogleServiceAccountOptions]) -> TokenClient:
        """A Google service account, from ``service_account_file`` (or ``service_account``, the
        key's JSON as text or a dict; else the file ``GOOGLE_APPLICATION_CREDENTIALS`` names).

        It signs the JWT bearer grant with the file's key, ``iss`` its ``client_email``; its
        default grant (used by ``TokenManager``) asks for ``scope``. Only ``"type":
        "service_account"`` files are accepted.
        """
    @staticmethod
    def entra_workload_identity(**options: Unpack[EntraWorkloadIdentityOptions]) -> TokenClient:
        """Microsoft Entra ID workload identity, from ``AZURE_CLIENT_ID``, ``AZURE_TENANT_ID``,
        ``AZURE_FEDERATED_TOKEN_FILE`` and ``AZURE_AUTHORITY_HOST``; an option given replaces
        its variable. The token file is read again for every request."""
    @property
    def token_url(self) -> str: ...
    @property
    def auth_method(self) -> str:
        """How the client authenticates: ``client_secret_basic``, ``private_key_jwt``, ..."""
    @property
    def signing_algorithm(self) -> Optional[str]:
        """The JWS algorithm of the assertions it signs (``RS256``, ``ES256``, ...), or ``None``."""
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
    def max_retry_wait(self) -> float:
        """The longest ``Retry-After`` wait honoured, in seconds: ``max_retry_wait``, or the timeout if shorter."""
    @property
    def max_response_bytes(self) -> int: ...
    @property
    def issuer(self) -> Optional[str]:
        """The issuer the client trusts: discovered, or ``issuer=``."""
    @property
    def server_metadata(self) -> Optional[ServerMetadata]:
        """The discovery document the client was built from, if any."""
    def revoke(self, token: str, token_type_hint: Optional[str] = None) -> None:
        """Revoke a token (RFC 7009); ``token_type_hint`` is ``"access_token"`` or ``"refresh_token"``."""
    def introspect(self, token: str, token_type_hint: Optional[str] = None) -> Introspection:
        """Ask the server about a token (RFC 7662); an inactive token is not an error."""
    def device_authorization(self, scope: Optional[str] = None) -> DeviceAuthorization:
        """Start the device flow (RFC 8628): the codes to show the user."""
    def poll_device_token(
        self, authorization: DeviceAuthorization, *, cancel: Optional[CancelToken] = None
    ) -> TokenResponse:
        """Poll until the user approves, denies (``access_denied``) or the code expires.

        Blocks with the GIL released. ``cancel.cancel()`` stops it with ``OperationCancelledError``;
        Ctrl-C stops it with ``KeyboardInterrupt`` (and cancels ``cancel``).
        """
    def authorization_url(
        self,
        redirect_uri: str,
        *,
        scope: Optional[str] = None,
        state: Optional[str] = None,
        nonce: Optional[str] = None,
        pkce: Optional[Pkce] = None,
        extra: Optional[_Params] = None,
        max_age: Optional[float] = None,
    ) -> AuthorizationRequest:
        """The URL that starts the authorization code flow, with state, PKCE and (openid) a nonce."""
    def push_authorization_request(
        self,
        redirect_uri: str,
        *,
        scope: Optional[str] = None,
        state: Optional[str] = None,
        nonce: Optional[str] = None,
        pkce: Optional[Pkce] = None,
        extra: Optional[_Params] = None,
        max_age: Optional[float] = None,
    ) -> AuthorizationRequest:
        """``authorization_url`` with the parameters pushed first (RFC 9126); the URL carries a ``request_uri``."""
    def exchange_code(self, request: AuthorizationRequest, callback_url: str) -> TokenResponse:
        """The callback checked, the code exchanged, the ID token validated against ``request``."""
    @property
    def validates_id_tokens(self) -> bool: ...
    def userinfo(self, access_token: str, *, expected_sub: Optional[str] = None) -> Dict[str, Any]:
        """The user's claims from the userinfo endpoint; another user's answer raises ``IdTokenError``."""
    def end_session_url(
        self,
        *,
        id_token_hint: Optional[str] = None,
        post_logout_redirect_uri: Optional[str] = None,
        state: Optional[str] = None,
    ) -> str:
        """The URL that signs the user out at the provider (RP-Initiated Logout)."""
    def parse_callback(self, url: str, expected_state: str) -> str:
        """The code in the redirect back, once its ``state`` and ``iss`` are checked."""
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
    """A thread-safe token cache: one fetch however many threads ask, refreshed before expiry.
    With ``store=``, one fetch for every process sharing that store."""

    def __new__(cls, client: TokenClient, **options: Unpack[ManagerOptions]) -> TokenManager:
        """A cache over ``client``. ``options`` (typed by ``ManagerOptions``, listed in the guide)
        are checked by the core; left out, or ``None``, each takes the core's default."""
    def access_token(self) -> str: ...
    def token(self) -> TokenResponse: ...
    def authorization_header(self) -> str: ...
    @property
    def refresh_skew(self) -> float:
        """Seconds before expiry at which the cache refreshes (capped at half the lifetime)."""
    @property
    def default_lifetime(self) -> float:
        """Seconds a token without ``expires_in`` is used."""
    @property
    def lease_time(self) -> float:
        """Seconds one process's fetch may hold the others up, with a store (the option, or the
        core's default, computed from the client's timeout)."""
    def fresh_token(self) -> Optional[TokenResponse]:
        """The cached token when no fetch is due, else None. Never blocks or fetches."""
    def invalidate(self) -> None: ...
    @property
    def last_error(self) -> Optional[TokenFetchError]: ...
    @property
    def client(self) -> TokenClient: ...

class TokenFetchError(Exception):
    """Base class of every tokenfetch error. ``kind`` says which; each subclass's docstring
    says what to do about it."""

    kind: Optional[
        Literal["oauth", "http_status", "decode", "response_too_large", "timeout", "transport", "config", "cancelled", "id_token"]
    ]
    status: Optional[int]
    oauth_code: Optional[str]
    """The OAuth ``error`` code the server sent (``invalid_grant``...), for an ``OAuthError``."""
    error_description: Optional[str]
    error_uri: Optional[str]
    http_meta: Optional[HttpMetadata]
    id_token_check: Optional[str]
    """Which check an ID token failed (``signature``, ``nonce``, ``exp``...), for an ``IdTokenError``."""
    @property
    @deprecated("use .oauth_code")
    def error(self) -> Optional[str]:
        """Deprecated: ``oauth_code``, its name in every language."""
    @error.setter
    @deprecated("use .oauth_code")
    def error(self, value: Optional[str]) -> None: ...

class OAuthError(TokenFetchError):
    """The server refused the request; ``oauth_code`` says why."""

class HttpStatusError(TokenFetchError):
    """An HTTP error without an OAuth error body: check the token URL, or retry a 5xx later."""

class DecodeError(TokenFetchError):
    """A success answer that is not a token response: check the token URL."""

class ResponseTooLargeError(TokenFetchError):
    """The answer was larger than ``max_response_bytes``."""

class TimeoutError(TokenFetchError, builtins.TimeoutError):
    """The server did not answer in time: retry later, or raise ``timeout``."""

class TransportError(TokenFetchError, builtins.ConnectionError):
    """The server could not be reached: check the host, network and certificates; retry later."""

class ConfigError(TokenFetchError, builtins.ValueError):
    """The configuration or an argument is wrong; the message says what to fix."""

class OperationCancelledError(TokenFetchError):
    """The call was cancelled by its caller before it finished."""

class IdTokenError(TokenFetchError):
    """An ID token failed validation; ``id_token_check`` names the check. Start the sign-in again."""
