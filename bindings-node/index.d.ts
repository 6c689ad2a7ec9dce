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

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/**
 * A cached token and how many milliseconds, from now, it needs no fetch
 * (`TokenManager.freshTokenFor`); internal to `lib/index.js`.
 */
export declare class FreshToken {
  get token(): TokenResponse
  get freshForMs(): number
}

export declare class NativeTokenClient {
  constructor(options: Record<string, unknown>)
  static prove(options: Record<string, unknown>): NativeTokenClient
  static gusto(options: Record<string, unknown>): NativeTokenClient
  get tokenUrl(): string
  get clientId(): string | null
  get timeoutMs(): number
  get connectTimeoutMs(): number
  get maxRetries(): number
  get maxResponseBytes(): number
  /** The client's default grant (client credentials, or the preset's). */
  defaultRequest(): TokenRequest
  fetch(request: TokenRequest): Promise<TokenResponse>
  fetchSync(request: TokenRequest): TokenResponse
  send(request: TokenRequest): Promise<TokenRequestResponse>
  sendSync(request: TokenRequest): TokenRequestResponse
}

export declare class NativeTokenManager {
  /**
   * `options`: `scope`, `grantType` and `params` (the grant; the client's default grant
   * when no `grantType` is given), `refreshSkewMs`, `defaultLifetimeMs`.
   */
  constructor(client: NativeTokenClient, options?: Record<string, unknown>)
  accessTokenSync(): string
  token(): Promise<TokenResponse>
  tokenSync(): TokenResponse
  authorizationHeaderSync(): string
  get refreshSkewMs(): number
  get defaultLifetimeMs(): number
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
 * Checks a per-call options object (`{ scope, params, signal }`) as the constructors' are
 * checked: an unknown name or a wrongly typed value is a `ConfigError` naming it. `texts` are
 * the names whose values must be strings; `others` the other names allowed (`params` must be
 * an object of strings or pairs; `receivedAt` and `maxResponseBytes` numbers).
 */
export declare function checkCallOptions(options: unknown, texts: string[], others: string[]): void

/**
 * Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing);
 * `lib/index.js` exposes it as `parseResponse`.
 */
export declare function parseResponseNative(status: number, headers: Record<string, string>, body: Buffer, receivedAt?: number | undefined | null, maxResponseBytes?: number | undefined | null): TokenResponse

/** Parses a token response body; `lib/index.js` exposes it as `TokenResponse.fromJson`. */
export declare function parseTokenResponseNative(body: string): TokenResponse

/** The core's version, as `require('tokenfetch').version`. */
export declare function version(): string
