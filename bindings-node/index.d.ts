/** Any JSON value, as the server sent it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** The HTTP exchange behind a token request; credentials are redacted. */
export interface HttpMetadata {
  /** The request as sent. */
  request: HttpRequestMeta
  /** The response as received; null when none arrived. */
  response: HttpResponseMeta | null
}

/** The request as sent. Header names are lower case; credentials show as `[redacted]`. */
export interface HttpRequestMeta {
  method: string
  url: string
  headers: Record<string, string>
}

/** The response as received. The body is text, secret members redacted, at most 64 KiB. */
export interface HttpResponseMeta {
  status: number
  headers: Record<string, string>
  body: string
  bodyTruncated: boolean
  elapsedMs: number
}

/** The claims of a validated ID token; claims without a field of their own are in `extra`. */
export interface IdTokenClaims {
  iss: string
  sub: string
  aud: string[]
  exp: number
  iat: number
  authTime: number | null
  nonce: string | null
  acr: string | null
  amr: string[]
  azp: string | null
  sid: string | null
  extra: Record<string, JsonValue>
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/**
 * An authorization URL and what the client keeps until the user comes back: pass `state`
 * to `client.parseCallback`, and `pkce.verifier` as `codeVerifier` to
 * `client.authorizationCode`. `toJSON`, `util.inspect` and `toString` hide the verifier.
 */
export declare class AuthorizationRequest {
  /** The URL to send the user's browser to. */
  get url(): string
  /** Compare it with the callback's (`client.parseCallback`). */
  get state(): string
  get nonce(): string | null
  /** Its verifier goes with the code to the token endpoint. */
  get pkce(): Pkce
  get redirectUri(): string
  /** The `max_age` sent, in milliseconds (whole seconds on the wire). */
  get maxAgeMs(): number | null
  /**
   * The reference the server gave a pushed request's parameters (RFC 9126), which `url`
   * carries instead of them; null when they are in the URL.
   */
  get requestUri(): string | null
  /**
   * The one value a web app keeps between the steps of a sign-in (state, nonce, PKCE
   * verifier, redirect URI), as JSON text. It holds the verifier, a secret: keep it in the
   * server-side session or an encrypted cookie.
   */
  toSessionJson(): string
  /** What `JSON.stringify` shows, as JSON text: the PKCE verifier as `[redacted]`. */
  redactedJson(): string
  /** The core's debug form, without the verifier. */
  toString(): string
}

/**
 * Stops a device poll from the event loop (`lib/index.js` cancels one when the call's
 * `AbortSignal` aborts); internal to `lib/index.js`.
 */
export declare class CancelToken {
  constructor()
  /** Wakes the poll: it stops with a `cancelled` error. */
  cancel(): void
  get isCancelled(): boolean
}

/**
 * The codes of a device flow (RFC 8628 §3.2): show the user `verificationUri` and
 * `userCode` (or `verificationUriComplete`), then pass this object to
 * `client.pollDeviceToken`. `deviceCode` is secret: `toJSON`, `util.inspect` and
 * `toString` show `[redacted]`.
 */
export declare class DeviceAuthorization {
  /** The code the device polls with. Secret. */
  get deviceCode(): string
  /** The code the user types in. */
  get userCode(): string
  /** Where the user goes to type it. */
  get verificationUri(): string
  /** The same page with the code filled in, for a QR code or a link. */
  get verificationUriComplete(): string | null
  /** Lifetime of both codes, in seconds. */
  get expiresIn(): number
  /** Seconds to wait between polls; 5 when the server names none. */
  get interval(): number
  /** When the codes expire, in epoch seconds. */
  get expiresAt(): number
  /** Every other member, as JSON text; `lib/index.js` defines `extra` from it. */
  get extraJson(): string
  /** Whether the codes have expired, by this machine's clock. */
  isExpired(): boolean
  /**
   * What `JSON.stringify` shows, as JSON text: the fields the core's debug form shows,
   * with `deviceCode` as `[redacted]`.
   */
  redactedJson(): string
  /** The core's debug form, without the device code. */
  toString(): string
}

/**
 * A cached token and how many milliseconds, from now, it needs no fetch
 * (`TokenManager.freshTokenFor`); internal to `lib/index.js`.
 */
export declare class FreshToken {
  get token(): TokenResponse
  get freshForMs(): number
}

/**
 * What the server says about a token (RFC 7662). An expired, revoked or unknown token has
 * `active: false` and, usually, nothing else.
 */
export declare class Introspection {
  get active(): boolean
  get scope(): string | null
  get clientId(): string | null
  get username(): string | null
  get tokenType(): string | null
  /** Expiry, in epoch seconds. */
  get exp(): number | null
  /** Issue time, in epoch seconds. */
  get iat(): number | null
  /** Not-before time, in epoch seconds. */
  get nbf(): number | null
  get sub(): string | null
  /** The audiences (a single string from the server becomes one entry). */
  get aud(): Array<string>
  get iss(): string | null
  get jti(): string | null
  /** Every other member, as JSON text; `lib/index.js` defines `extra` from it. */
  get extraJson(): string
  /** What `JSON.stringify` shows, as JSON text: every field. */
  redactedJson(): string
}

export declare class NativeTokenClient {
  constructor(options: Record<string, unknown>, clientAssertion?: () => Promise<string>)
  /** A Google service account (`serviceAccountFile`, or `serviceAccount` as text or an object). */
  static googleServiceAccount(options: Record<string, unknown>): NativeTokenClient
  /** Entra ID workload identity, from the `AZURE_*` variables unless an option replaces one. */
  static entraWorkloadIdentity(options: Record<string, unknown>): NativeTokenClient
  /** How the client authenticates (`client_secret_basic`, `private_key_jwt`, ...). */
  get authMethod(): string
  /** The JWS algorithm of the assertions it signs, or `null`. */
  get signingAlgorithm(): string | null
  static prove(options: Record<string, unknown>): NativeTokenClient
  static gusto(options: Record<string, unknown>): NativeTokenClient
  /**
   * Builds a client from an issuer's discovery document (RFC 8414, else OpenID Connect's),
   * read on the libuv pool. Bad options reject the Promise as a bad document does.
   */
  static discover(issuer: string, options?: Record<string, unknown>, clientAssertion?: () => Promise<string>): Promise<NativeTokenClient>
  /** `discover`, blocking the calling thread. */
  static discoverSync(issuer: string, options?: Record<string, unknown>, clientAssertion?: () => Promise<string>): NativeTokenClient
  get tokenUrl(): string
  get clientId(): string | null
  get timeoutMs(): number
  get connectTimeoutMs(): number
  get maxRetries(): number
  get maxRetryWaitMs(): number
  get maxResponseBytes(): number
  /** The client's default grant (client credentials, or the preset's). */
  defaultRequest(): TokenRequest
  fetch(request: TokenRequest): Promise<TokenResponse>
  fetchSync(request: TokenRequest): TokenResponse
  send(request: TokenRequest): Promise<TokenRequestResponse>
  sendSync(request: TokenRequest): TokenRequestResponse
  /** The issuer the client trusts: discovered, or the `issuer` option. */
  get issuer(): string | null
  /** The discovery document the client was built from, if any. */
  get serverMetadata(): ServerMetadata | null
  revoke(token: string, tokenTypeHint?: string | undefined | null): Promise<void>
  revokeSync(token: string, tokenTypeHint?: string | undefined | null): void
  introspect(token: string, tokenTypeHint?: string | undefined | null): Promise<Introspection>
  introspectSync(token: string, tokenTypeHint?: string | undefined | null): Introspection
  deviceAuthorization(scope?: string | undefined | null): Promise<DeviceAuthorization>
  deviceAuthorizationSync(scope?: string | undefined | null): DeviceAuthorization
  /**
   * Polls until the user decides; `cancel` stops it with a `cancelled` error. It runs on a
   * thread of its own: it waits for minutes, and would hold a libuv worker all along.
   */
  pollDeviceToken(authorization: DeviceAuthorization, cancel: CancelToken): Promise<TokenResponse>
  /** `options`: `scope`, `state`, `nonce`, `extra`; the `pkce` option comes as `pkce`. */
  authorizationUrl(redirectUri: string, options: Record<string, unknown> | undefined | null, pkce: Pkce | undefined | null): AuthorizationRequest
  /** `authorizationUrl` with its parameters pushed first (RFC 9126), on the libuv pool. */
  pushAuthorizationRequest(redirectUri: string, options: Record<string, unknown> | undefined | null, pkce: Pkce | undefined | null): Promise<AuthorizationRequest>
  pushAuthorizationRequestSync(redirectUri: string, options: Record<string, unknown> | undefined | null, pkce: Pkce | undefined | null): AuthorizationRequest
  /**
   * The authorization code in the URL the user was sent back to, after checking its
   * `state` and `iss`.
   */
  parseCallback(callbackUrl: string, expectedState: string): string
  /**
   * The sign-in's last step: the callback checked against `request`, the code exchanged,
   * the ID token validated against the same request.
   */
  exchangeCode(request: AuthorizationRequest, callbackUrl: string): Promise<TokenResponse>
  exchangeCodeSync(request: AuthorizationRequest, callbackUrl: string): TokenResponse
  /** The userinfo endpoint's claims as JSON text (`lib/index.js` parses them). */
  userinfoJson(accessToken: string, expectedSub?: string | undefined | null): Promise<string>
  userinfoJsonSync(accessToken: string, expectedSub?: string | undefined | null): string
  /** The URL that signs the user out at the provider (RP-Initiated Logout). No I/O. */
  endSessionUrl(idTokenHint?: string | undefined | null, postLogoutRedirectUri?: string | undefined | null, state?: string | undefined | null): string
  /** Whether ID tokens in this client's answers are validated (issuer, client id, JWKS). */
  get validatesIdTokens(): boolean
}

export declare class NativeTokenManager {
  /**
   * `options`: `scope`, `grantType` and `params` (the grant; the client's default grant
   * when no `grantType` is given), `refreshSkewMs`, `defaultLifetimeMs`, `store`
   * (`{ file }` or `{ redis, timeoutMs }`, with `key`), `storeNamespace`, `leaseTimeMs`.
   * `onToken` is called with each token this manager fetches; it must not throw.
   */
  constructor(client: NativeTokenClient, options?: Record<string, unknown>, onToken?: (token: TokenResponse) => void)
  accessTokenSync(): string
  token(): Promise<TokenResponse>
  tokenSync(): TokenResponse
  authorizationHeaderSync(): string
  get refreshSkewMs(): number
  get defaultLifetimeMs(): number
  /**
   * How long one process's fetch may hold the others up, with a store (the option, or its
   * default: twice the client's timeout plus 5 s).
   */
  get leaseTimeMs(): number
  /**
   * The cached token when no fetch is due, with how long it stays so; else `null`. Never
   * blocks: `lib/index.js` keeps it and answers reads from it on the event loop, without
   * calling here, until then.
   */
  freshTokenFor(): FreshToken | null
  invalidate(): void
  /** The structured form of the last fetch error, for `lib/errors.js`. */
  lastErrorPayload(): Record<string, JsonValue> | null
}

/**
 * A PKCE pair (RFC 7636): the secret `verifier` the client keeps until it redeems the code,
 * and the S256 `challenge` the authorization URL carries. Made by `Pkce.generate()` or
 * `Pkce.fromVerifier(v)`; `toJSON`, `util.inspect` and `toString` hide the verifier.
 */
export declare class Pkce {
  /** The secret to send with the authorization code (`codeVerifier`). */
  get verifier(): string
  /** `BASE64URL(SHA256(verifier))`, sent in the authorization URL. */
  get challenge(): string
  /** Always `"S256"`. */
  get method(): string
  /** What `JSON.stringify` shows, as JSON text: the verifier as `[redacted]`. */
  redactedJson(): string
  /** The core's debug form, without the verifier. */
  toString(): string
}

/**
 * What an authorization server says about itself (RFC 8414), as discovery read it
 * (`client.serverMetadata`). Nothing in it is secret.
 */
export declare class ServerMetadata {
  /** The issuer the document is for; discovery checked it is the one asked for. */
  get issuer(): string
  get authorizationEndpoint(): string | null
  get tokenEndpoint(): string
  get deviceAuthorizationEndpoint(): string | null
  get revocationEndpoint(): string | null
  get introspectionEndpoint(): string | null
  get jwksUri(): string | null
  /** Empty when the server does not say; RFC 8414 then means `client_secret_basic`. */
  get tokenEndpointAuthMethodsSupported(): Array<string>
  get codeChallengeMethodsSupported(): Array<string>
  get grantTypesSupported(): Array<string>
  get scopesSupported(): Array<string>
  /** RFC 9207: the server adds `iss` to every authorization response. */
  get authorizationResponseIssParameterSupported(): boolean
  /** Every other member of the document, as JSON text; `lib/index.js` defines `extra` from it. */
  get extraJson(): string
  /** What `JSON.stringify` shows, as JSON text: every field. */
  redactedJson(): string
}

/**
 * A grant to run: built only through core's constructors, so the grants' parameter names
 * are written once, in Rust.
 */
export declare class TokenRequest {
  static clientCredentials(scope?: string | undefined | null): TokenRequest
  static refreshToken(refreshToken: string, scope?: string | undefined | null): TokenRequest
  static password(username: string, password: string, scope?: string | undefined | null): TokenRequest
  static authorizationCode(code: string, redirectUri?: string | undefined | null, codeVerifier?: string | undefined | null): TokenRequest
  static deviceCode(deviceCode: string): TokenRequest
  static tokenExchange(subjectToken: string, subjectTokenType: string, scope?: string | undefined | null): TokenRequest
  /** Any grant type, e.g. `urn:ietf:params:oauth:grant-type:jwt-bearer` or Gusto's `system_access`. */
  static custom(grantType: string, scope?: string | undefined | null): TokenRequest
  /** A copy with one more parameter (repeat a name to send it several times). */
  withParam(name: string, value: string): TokenRequest
  get grantType(): string
}

/** One token request as sent and answered (the seeds' `V3TokenRequestResponse`). */
export declare class TokenRequestResponse {
  get httpMeta(): HttpMetadata
  get tokenResponse(): TokenResponse | null
  /** The seeds' name for `tokenResponse`. */
  get v3TokenResponse(): TokenResponse | null
  /** What `JSON.stringify` shows, as JSON text (see `TokenResponse.redactedJson`). */
  redactedJson(): string
}

/** A token response. Fields are getters; `toJSON()` and `util.inspect` hide the tokens. */
export declare class TokenResponse {
  get accessToken(): string
  get tokenType(): string
  /** Lifetime in seconds. */
  get expiresIn(): number | null
  get refreshToken(): string | null
  get refreshExpiresIn(): number | null
  get idToken(): string | null
  get scope(): string | null
  /** RFC 3339. */
  get createdAt(): string | null
  /**
   * Every other member the server sent, as JSON text. Server JSON crosses as text, never
   * through napi's serde conversion, which has failed on numbers it cannot hold;
   * `lib/index.js` defines `extra` by parsing it.
   */
  get extraJson(): string
  /** Absolute expiry in epoch seconds. */
  get expiresAt(): number | null
  /**
   * The validated ID token's claims as JSON text (`lib/index.js` defines `idTokenClaims`
   * by parsing it); null without them.
   */
  get idTokenClaimsJson(): string | null
  /** The granted scopes as an array. */
  get scopes(): Array<string>
  /** `"Bearer <accessToken>"`. */
  authorizationHeader(): string
  /**
   * The response in wire names, tokens included: for storage you control, never for logs.
   * `TokenResponse.fromJson` reads it back to an equal value.
   */
  toWireJson(): string
  /** True when both hold the same values. */
  equals(other: TokenResponse): boolean
  /**
   * What `JSON.stringify` shows (as JSON text; `lib/index.js` defines `toJSON` from it):
   * every field, with the tokens replaced by `[redacted]`.
   */
  redactedJson(): string
  /** A one-line summary without the token. */
  toString(): string
}

/**
 * Reads back what `AuthorizationRequest.toSessionJson()` wrote; `lib/index.js` exposes it as
 * `AuthorizationRequest.fromSessionJson`.
 */
export declare function authorizationRequestFromSessionJson(text: string): AuthorizationRequest

/**
 * Checks a per-call options object (`{ scope, params, signal }`) as the constructors' are
 * checked: an unknown name or a wrongly typed value is a `ConfigError` naming it. `texts` are
 * the names whose values must be strings; `others` the other names allowed (`params` must be
 * an object of strings or pairs; `receivedAt` and `maxResponseBytes` numbers).
 */
export declare function checkCallOptions(options: unknown, texts: string[], others: string[]): void

/**
 * Forgets every cached discovery document, so the next client built for an issuer reads
 * its document again.
 */
export declare function clearDiscoveryCache(): void

/**
 * Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing);
 * `lib/index.js` exposes it as `parseResponse`.
 */
export declare function parseResponseNative(status: number, headers: Record<string, string>, body: Buffer, receivedAt?: number | undefined | null, maxResponseBytes?: number | undefined | null): TokenResponse

/** Parses a token response body; `lib/index.js` exposes it as `TokenResponse.fromJson`. */
export declare function parseTokenResponseNative(body: string): TokenResponse

/** The PKCE pair for a chosen verifier; `lib/index.js` exposes it as `Pkce.fromVerifier`. */
export declare function pkceFromVerifierNative(verifier: string): Pkce

/** A fresh PKCE pair; `lib/index.js` exposes it as `Pkce.generate`. */
export declare function pkceGenerateNative(): Pkce

/** The lowest level the listener wants, or `null` for none. */
export declare function setEventLevel(level?: string | undefined | null): void

/** Installs `listener` for every event of the process, at `level` (`null`: none yet). */
export declare function setEventListener(listener: (arg: string) => unknown, level?: string | undefined | null): void

/**
 * Validates an ID token with a JWK Set you hold (`jwks`, the document as text), with no
 * network. Options: `issuer`, `clientId` (required), `nonce`, `maxAgeMs`, `accessToken`,
 * `code`, `clockSkewMs`, `algorithms`, `clientSecret`, `now` (epoch seconds). Returns the
 * claims as JSON text; `lib/index.js` parses them.
 */
export declare function validateIdTokenJson(token: string, jwks: string, options: Record<string, unknown>): string

/** The core's version, as `require('tokenfetch').version`. */
export declare function version(): string
