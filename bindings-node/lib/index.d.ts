// Types of the public API. The model classes come from the generated ../index.d.ts.
import type { HttpMetadata, HttpRequestMeta, HttpResponseMeta, IdTokenClaims, JsonValue } from '../index'
import {
  AuthorizationRequest,
  DeviceAuthorization,
  Introspection,
  Pkce,
  ServerMetadata,
  TokenRequest,
  TokenRequestResponse,
  TokenResponse,
} from '../index'

export type { HttpMetadata, HttpRequestMeta, HttpResponseMeta, IdTokenClaims, JsonValue }

// Generated from the core's option table (`make docs`): every option's name, type, default,
// range and doc.
import type {
  TokenClientOptions,
  DiscoverOptions,
  ProveOptions,
  GustoOptions,
  GoogleServiceAccountOptions,
  EntraWorkloadIdentityOptions,
  TokenManagerOptions,
} from './options'
export type {
  TokenClientOptions,
  DiscoverOptions,
  PresetOptions,
  ProveOptions,
  GustoOptions,
  GoogleServiceAccountOptions,
  EntraWorkloadIdentityOptions,
  TokenManagerOptions,
} from './options'
export { AuthorizationRequest, DeviceAuthorization, Introspection, Pkce, ServerMetadata, TokenRequest, TokenRequestResponse, TokenResponse }

// What lib/index.js adds to the generated classes.
declare module '../index' {
  interface TokenResponse {
    /** Every other member the server sent. */
    readonly extra: Record<string, JsonValue>
    /**
     * The claims of `idToken`, once the client validated it against its issuer's keys; null
     * without an ID token, from a client that does not validate them, or on a parsed response.
     */
    readonly idTokenClaims: IdTokenClaims | null
    /** What `JSON.stringify` shows: every field, with the tokens replaced by `[redacted]`. */
    toJSON(): Record<string, JsonValue>
  }
  namespace TokenResponse {
    /** Parses a token response body (JSON or form-encoded) with the same leniency as a fetch. */
    function fromJson(body: string): TokenResponse
  }
  interface TokenRequestResponse {
    /** What `JSON.stringify` shows: the metadata, and the token with its secrets redacted. */
    toJSON(): { httpMeta: HttpMetadata; tokenResponse: Record<string, JsonValue> | null }
  }
  interface ServerMetadata {
    /** Every other member of the document, as the server sent it. */
    readonly extra: Record<string, JsonValue>
    /** What `JSON.stringify` shows: every field. */
    toJSON(): Record<string, JsonValue>
  }
  interface Introspection {
    /** Every other member the server sent (`cnf`, custom claims...). */
    readonly extra: Record<string, JsonValue>
    /** What `JSON.stringify` shows: every field. */
    toJSON(): Record<string, JsonValue>
  }
  interface DeviceAuthorization {
    /** Every other member the server sent. */
    readonly extra: Record<string, JsonValue>
    /** What `JSON.stringify` shows: the fields, with `deviceCode` as `[redacted]` (and no `extra`). */
    toJSON(): Record<string, JsonValue>
  }
  interface Pkce {
    /** What `JSON.stringify` shows: `challenge` and `method`, with `verifier` as `[redacted]`. */
    toJSON(): { verifier: string; challenge: string; method: string }
  }
  namespace Pkce {
    /** A fresh pair: a 43-character verifier from the operating system's CSPRNG, and its S256 challenge. */
    function generate(): Pkce
    /**
     * The pair for a verifier you chose: 43 to 128 letters, digits or `-._~` (RFC 7636 §4.1);
     * anything else throws a `ConfigError` that does not show the verifier.
     */
    function fromVerifier(verifier: string): Pkce
  }
  interface AuthorizationRequest {
    /** What `JSON.stringify` shows: the fields, with the PKCE verifier as `[redacted]`. */
    toJSON(): Record<string, JsonValue>
  }
  namespace AuthorizationRequest {
    /** Reads back what `toSessionJson()` wrote; a text that is not one throws a ConfigError. */
    function fromSessionJson(text: string): AuthorizationRequest
  }
}

/** The seed models' names for the same classes. */
export declare const V3TokenResponse: typeof TokenResponse
export type V3TokenResponse = TokenResponse
export declare const PostTokenResponse: typeof TokenResponse
export type PostTokenResponse = TokenResponse
export declare const Authentication: typeof TokenResponse
export type Authentication = TokenResponse
export declare const V3TokenRequestResponse: typeof TokenRequestResponse
export type V3TokenRequestResponse = TokenRequestResponse
export type HTTPMetadata = HttpMetadata

/** Body parameters: an object, or `[name, value]` pairs to repeat a name. */
export type Params = Record<string, string> | ReadonlyArray<readonly [string, string]>

export interface CallOptions {
  /** Rejects the Promise with an AbortError when aborted. */
  signal?: AbortSignal
}
export interface ScopeOptions extends CallOptions {
  scope?: string
  /** More body parameters for this request. */
  params?: Params
}

/** `revoke` and `introspect` options. */
export interface TokenHintOptions extends CallOptions {
  /** 'access_token' or 'refresh_token', when known. */
  tokenTypeHint?: string
}

/** `authorizationUrl` options. What is left out is chosen: a random `state`, a fresh PKCE pair, the client's scope. */
export interface AuthorizationUrlOptions {
  scope?: string
  state?: string
  /** OpenID Connect `nonce`; with the `openid` scope a random one is made when left out. */
  nonce?: string
  pkce?: Pkce
  /** OpenID Connect `max_age`, in milliseconds (whole seconds on the wire): the ID token's `auth_time` is then checked. */
  maxAgeMs?: number
  /** More query parameters (`prompt`, `login_hint`...); they may not replace the ones tokenfetch sets. */
  extra?: Params
}

/** A client for one OAuth 2.0 token endpoint. Safe to share. */
export declare class TokenClient {
  constructor(options: TokenClientOptions)
  static prove(options: ProveOptions): TokenClient
  static gusto(options: GustoOptions): TokenClient
  /**
   * A Google service account, from `serviceAccountFile` (or `serviceAccount`, the key's JSON as
   * text or an object; else the file `GOOGLE_APPLICATION_CREDENTIALS` names). It signs the JWT
   * bearer grant with the file's key; its default grant (a `TokenManager`'s) asks for `scope`.
   * Only `"type": "service_account"` files are accepted.
   */
  static googleServiceAccount(options?: GoogleServiceAccountOptions): TokenClient
  /**
   * Microsoft Entra ID workload identity, from `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`,
   * `AZURE_FEDERATED_TOKEN_FILE` and `AZURE_AUTHORITY_HOST`; an option given replaces its
   * variable. The token file is read again for every request.
   */
  static entraWorkloadIdentity(options?: EntraWorkloadIdentityOptions): TokenClient
  /** How the client authenticates: `client_secret_basic`, `private_key_jwt`, ... */
  readonly authMethod: string
  /** The JWS algorithm of the assertions it signs (`RS256`, `ES256`, ...), or `null`. */
  readonly signingAlgorithm: string | null
  /**
   * A client built from an issuer's discovery document (RFC 8414's, else OpenID Connect's),
   * read on the thread pool and cached per issuer. A document for another issuer is refused.
   */
  static discover(issuer: string, options?: DiscoverOptions): Promise<TokenClient>
  /** `discover`, blocking until the document is read (or taken from the cache). */
  static discoverSync(issuer: string, options?: DiscoverOptions): TokenClient
  /** Query values redacted. */
  readonly tokenUrl: string
  readonly clientId: string | null
  /** The issuer the client trusts (RFC 9207): discovered, or the `issuer` option. */
  readonly issuer: string | null
  /** The discovery document the client was built from; null for a client built by hand. */
  readonly serverMetadata: ServerMetadata | null
  /** The deadline for a whole call, retries included. */
  readonly timeoutMs: number
  readonly connectTimeoutMs: number
  readonly maxRetries: number
  /** The longest `Retry-After` wait honoured: `maxRetryWaitMs`, or the timeout if shorter. */
  readonly maxRetryWaitMs: number
  readonly maxResponseBytes: number

  clientCredentials(options?: ScopeOptions): Promise<TokenResponse>
  clientCredentialsSync(options?: { scope?: string; params?: Params }): TokenResponse
  refresh(refreshToken: string, options?: ScopeOptions): Promise<TokenResponse>
  refreshSync(refreshToken: string, options?: { scope?: string; params?: Params }): TokenResponse
  password(username: string, password: string, options?: ScopeOptions): Promise<TokenResponse>
  passwordSync(username: string, password: string, options?: { scope?: string; params?: Params }): TokenResponse
  authorizationCode(
    code: string,
    options?: { redirectUri?: string; codeVerifier?: string; params?: Params } & CallOptions,
  ): Promise<TokenResponse>
  authorizationCodeSync(code: string, options?: { redirectUri?: string; codeVerifier?: string; params?: Params }): TokenResponse
  tokenExchange(subjectToken: string, subjectTokenType: string, options?: ScopeOptions): Promise<TokenResponse>
  tokenExchangeSync(subjectToken: string, subjectTokenType: string, options?: { scope?: string; params?: Params }): TokenResponse
  /** One RFC 8628 poll; `authorization_pending` rejects with an OAuthError. */
  deviceCode(deviceCode: string, options?: { params?: Params } & CallOptions): Promise<TokenResponse>
  deviceCodeSync(deviceCode: string, options?: { params?: Params }): TokenResponse
  /** Any grant, with the HTTP metadata of the exchange. */
  requestToken(options: { grantType: string; scope?: string; params?: Params } & CallOptions): Promise<TokenRequestResponse>
  /** A `TokenRequest` built by hand, with the HTTP metadata of the exchange. */
  requestToken(request: TokenRequest, options?: CallOptions): Promise<TokenRequestResponse>
  requestTokenSync(options: { grantType: string; scope?: string; params?: Params }): TokenRequestResponse
  requestTokenSync(request: TokenRequest): TokenRequestResponse
  /** @deprecated Renamed `requestToken(request)`. */
  send(request: TokenRequest, options?: CallOptions): Promise<TokenRequestResponse>

  /** Revokes a token (RFC 7009). A token the server never knew is revoked too (a 200). */
  revoke(token: string, options?: TokenHintOptions): Promise<void>
  revokeSync(token: string, options?: { tokenTypeHint?: string }): void
  /** What the server says about a token (RFC 7662); an expired, revoked or unknown one is `active: false`. */
  introspect(token: string, options?: TokenHintOptions): Promise<Introspection>
  introspectSync(token: string, options?: { tokenTypeHint?: string }): Introspection
  /** Starts the device flow (RFC 8628): the codes to show the user. `scope` replaces the client's. */
  deviceAuthorization(options?: { scope?: string } & CallOptions): Promise<DeviceAuthorization>
  deviceAuthorizationSync(options?: { scope?: string }): DeviceAuthorization
  /**
   * Polls until the user approves (the token), denies (`OAuthError` `access_denied`) or the
   * codes expire (`expired_token`), waiting the server's interval (5 s more after each
   * `slow_down`). Aborting `signal` stops the poll and rejects with `signal.reason`. It waits
   * on a thread of its own, not the libuv pool; there is no sync twin.
   */
  pollDeviceToken(authorization: DeviceAuthorization, options?: CallOptions): Promise<TokenResponse>
  /** The URL that starts the authorization code flow (no I/O). Keep the result until the callback. */
  authorizationUrl(redirectUri: string, options?: AuthorizationUrlOptions): AuthorizationRequest
  /**
   * `authorizationUrl` with its parameters pushed first (RFC 9126) to the
   * `pushed_authorization_request_endpoint`; the URL carries only `client_id` and `requestUri`.
   */
  pushAuthorizationRequest(redirectUri: string, options?: AuthorizationUrlOptions): Promise<AuthorizationRequest>
  pushAuthorizationRequestSync(redirectUri: string, options?: AuthorizationUrlOptions): AuthorizationRequest
  /**
   * The code in the URL the user was sent back to, after checking `state` (and `iss`, RFC
   * 9207): a mismatch is a `ConfigError`; an error callback an `OAuthError` with status null.
   */
  parseCallback(callbackUrl: string, expectedState: string): string
  /**
   * The sign-in's last step: the callback checked against `request`, the code exchanged with
   * its PKCE verifier, the ID token validated against its nonce; the claims are on `idTokenClaims`.
   */
  exchangeCode(request: AuthorizationRequest, callbackUrl: string): Promise<TokenResponse>
  exchangeCodeSync(request: AuthorizationRequest, callbackUrl: string): TokenResponse
  /** Whether ID tokens in this client's answers are validated (issuer, client id, JWKS). */
  readonly validatesIdTokens: boolean
  /**
   * The user's claims from the userinfo endpoint; with `expectedSub` (the ID token's `sub`),
   * an answer for another user rejects with an IdTokenError (check `sub`).
   */
  userinfo(accessToken: string, options?: { expectedSub?: string }): Promise<Record<string, JsonValue>>
  userinfoSync(accessToken: string, options?: { expectedSub?: string }): Record<string, JsonValue>
  /** The URL that signs the user out at the provider (RP-Initiated Logout). No I/O. */
  endSessionUrl(options?: { idTokenHint?: string; postLogoutRedirectUri?: string; state?: string }): string
  toJSON(): { tokenUrl: string; clientId: string | null }
}

/**
 * Where managers share their token across processes: exactly one of `file` or `redis`.
 *
 * `key` (32 bytes as base64, e.g. `crypto.randomBytes(32).toString('base64')`) seals each
 * entry with AES-256-GCM. Without it the store holds bearer tokens in the clear: anyone who
 * can read the directory or the Redis can use them.
 */
export type StoreOptions = FileStoreOptions | RedisStoreOptions

/** A directory shared by the processes of one machine (created with mode 0700 if missing). */
export interface FileStoreOptions {
  file: string
  /** 32 bytes as base64: seals the entries. */
  key?: string
  /** Keys that only open entries while a key rotation rolls out; each entry is sealed with `key` at its next refresh. */
  previousKeys?: string[]
  redis?: never
  timeoutMs?: never
  allowInsecure?: never
}

/** One Redis shared by many machines: `redis://`, `rediss://` (TLS) or `unix://`. */
export interface RedisStoreOptions {
  redis: string
  /** 32 bytes as base64: seals the entries. */
  key?: string
  /** Keys that only open entries while a key rotation rolls out; each entry is sealed with `key` at its next refresh. */
  previousKeys?: string[]
  /** How long each Redis command may take before the manager fetches on its own, in milliseconds; left out, the core's default (the guide lists it). */
  timeoutMs?: number
  /** Lets a plain `redis://` URL name a host other than loopback (the password and tokens then cross the network in the clear). Default false. */
  allowInsecure?: boolean
  file?: never
}

/** A token cache: one fetch however many callers ask, refreshed before expiry. */
export declare class TokenManager {
  constructor(client: TokenClient, options?: TokenManagerOptions)
  readonly client: TokenClient
  /** How long before expiry the cache refreshes (capped at half the lifetime). */
  readonly refreshSkewMs: number
  /** How long a token without expires_in is used. */
  readonly defaultLifetimeMs: number
  /** How long one process's fetch may hold the others up, with a store (leaseTimeMs, or twice the client's timeout plus 5000). */
  readonly leaseTimeMs: number
  accessToken(options?: CallOptions): Promise<string>
  accessTokenSync(): string
  token(options?: CallOptions): Promise<TokenResponse>
  tokenSync(): TokenResponse
  authorizationHeader(options?: CallOptions): Promise<string>
  authorizationHeaderSync(): string
  /** Drops the cached token; call it when an API answers 401. */
  invalidate(): void
  /** The error of the last failed fetch, until one succeeds. */
  readonly lastError: TokenFetchError | null
  toJSON(): { tokenUrl: string }
}

export type ErrorKind =
  | 'oauth'
  | 'http_status'
  | 'decode'
  | 'response_too_large'
  | 'timeout'
  | 'transport'
  | 'config'
  | 'cancelled'
  | 'id_token'

export declare class TokenFetchError extends Error {
  readonly kind: ErrorKind
  /** The OAuth `error` code the server sent (`invalid_grant`...), for kind 'oauth'. */
  readonly oauthCode: string | null
  /**
   * Node's error code: `ERR_TOKENFETCH_` and the kind (`ERR_TOKENFETCH_OAUTH`), as Node code
   * reads `.code`. It used to hold the OAuth code, now `oauthCode` (a breaking change).
   */
  readonly code: `ERR_TOKENFETCH_${Uppercase<ErrorKind>}` | 'ERR_TOKENFETCH'
  readonly status: number | null
  readonly errorDescription: string | null
  readonly errorUri: string | null
  readonly httpMeta: HttpMetadata | null
  /** Which check an ID token failed (`signature`, `nonce`, `exp`...), for an IdTokenError. */
  readonly idTokenCheck: string | null
}
export declare class OAuthError extends TokenFetchError {}
export declare class HttpStatusError extends TokenFetchError {}
export declare class DecodeError extends TokenFetchError {}
export declare class ResponseTooLargeError extends TokenFetchError {}
export declare class TimeoutError extends TokenFetchError {}
export declare class TransportError extends TokenFetchError {}
export declare class ConfigError extends TokenFetchError {}
/**
 * The core's `cancelled` kind: a device poll stopped before the user decided.
 * `pollDeviceToken` rejects with its signal's reason instead, as Node APIs do.
 */
export declare class CancelledError extends TokenFetchError {}
/** An ID token failed validation; `idTokenCheck` names the check. Start the sign-in again. */
export declare class IdTokenError extends TokenFetchError {}

/** `validateIdToken` options; `jwks`, `issuer` and `clientId` are required. */
export interface ValidateIdTokenOptions {
  /** The issuer's JWK Set, as an object or its JSON text. */
  jwks: string | Record<string, JsonValue>
  issuer: string
  clientId: string
  nonce?: string
  maxAgeMs?: number
  accessToken?: string
  code?: string
  clockSkewMs?: number
  algorithms?: string | string[]
  clientSecret?: string
  /** The time to check against, epoch seconds; the current time by default. */
  now?: number
}

/** Validates an ID token with a JWK Set you hold, with no network; throws an IdTokenError naming the failed check. */
export declare function validateIdToken(token: string, options: ValidateIdTokenOptions): IdTokenClaims

/** Forgets every cached discovery document: the next client built reads its issuer's again. */
export declare function clearDiscoveryCache(): void

/** @deprecated Renamed `TokenResponse.fromJson(body)`. */
export declare function parseTokenResponse(body: string): TokenResponse

/** Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing). */
export declare function parseResponse(
  status: number,
  headers: Record<string, string> | Headers,
  body: string | Uint8Array,
  options?: { receivedAt?: number; maxResponseBytes?: number },
): TokenResponse

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** A fetch that adds the bearer header from `manager`, and retries once after a 401. */
export declare function withBearer(manager: TokenManager, fetchFn?: FetchLike): FetchLike

export declare const version: string

/**
 * What tokenfetch is doing, as published on the `tokenfetch` diagnostics channel
 * (`diagnostics_channel.subscribe('tokenfetch', (event) => ...)`) and printed with
 * `NODE_DEBUG=tokenfetch`. Events are built only while one of the two listens. No event
 * carries a secret: URLs are shown with their query values redacted.
 */
export interface TokenfetchEvent {
  /** `request.start`, `request.end`, `retry`, `cache.hit`, `cache.miss`, `cache.refresh`,
   * `cache.stale_served`, `single_flight.wait`, `store.read`, `store.write`,
   * `store.fallback`, `discovery.fetch` or `jwks.fetch`. */
  name: string
  level: 'debug' | 'info' | 'warn'
  /** One line for a person: the name, then each field as `key=value`. */
  message: string
  fields: Record<string, string | number | boolean>
}

/** The diagnostics channel every event is published on. */
export declare const EVENTS_CHANNEL: 'tokenfetch'
