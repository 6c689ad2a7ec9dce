'use strict'
// The public API of the `tokenfetch` package: a thin typed layer over the generated native
// loader (../index.js). It adds Promise ergonomics, AbortSignal and typed errors; every
// decision about tokens is made by the Rust core.

const { inspect } = require('node:util')
const native = require('../index.js')
const errors = require('./errors.js')

const { convert, guard } = errors
const { TokenRequest, TokenResponse, TokenRequestResponse } = native

function abortError(signal) {
  const reason = signal.reason
  if (reason instanceof Error) return reason
  return new DOMException('The operation was aborted', 'AbortError')
}

/**
 * Awaits a native Promise, with typed errors. An aborted `signal` rejects at once; the native
 * call cannot be interrupted mid-request, so it finishes in the background and is discarded.
 */
function settle(promise, signal) {
  const typed = promise.catch((err) => {
    throw convert(err)
  })
  if (!signal) return typed
  if (signal.aborted) {
    typed.catch(() => {})
    return Promise.reject(abortError(signal))
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    typed.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

function withParams(request, params) {
  if (!params) return request
  const pairs = Array.isArray(params) ? params : Object.entries(params)
  return pairs.reduce((req, [name, value]) => req.withParam(String(name), String(value)), request)
}

class TokenClient {
  #native

  /** @param {import('./index').TokenClientOptions} options */
  constructor(options) {
    this.#native = options instanceof native.NativeTokenClient ? options : guard(() => new native.NativeTokenClient(options))
  }

  static prove(options) {
    return new TokenClient(guard(() => native.NativeTokenClient.prove(options)))
  }

  static gusto(options) {
    return new TokenClient(guard(() => native.NativeTokenClient.gusto(options)))
  }

  get tokenUrl() {
    return this.#native.tokenUrl
  }

  get clientId() {
    return this.#native.clientId
  }

  /** The deadline for a whole call, retries included. */
  get timeoutMs() {
    return this.#native.timeoutMs
  }
  get connectTimeoutMs() {
    return this.#native.connectTimeoutMs
  }
  get maxRetries() {
    return this.#native.maxRetries
  }
  get maxResponseBytes() {
    return this.#native.maxResponseBytes
  }

  /** @internal the native client, for TokenManager. */
  get _native() {
    return this.#native
  }

  clientCredentials({ scope, params, signal } = {}) {
    return this.#fetch(TokenRequest.clientCredentials(scope), params, signal)
  }
  clientCredentialsSync({ scope, params } = {}) {
    return this.#fetchSync(TokenRequest.clientCredentials(scope), params)
  }

  refresh(refreshToken, { scope, params, signal } = {}) {
    return this.#fetch(TokenRequest.refreshToken(refreshToken, scope), params, signal)
  }
  refreshSync(refreshToken, { scope, params } = {}) {
    return this.#fetchSync(TokenRequest.refreshToken(refreshToken, scope), params)
  }

  password(username, password, { scope, params, signal } = {}) {
    return this.#fetch(TokenRequest.password(username, password, scope), params, signal)
  }
  passwordSync(username, password, { scope, params } = {}) {
    return this.#fetchSync(TokenRequest.password(username, password, scope), params)
  }

  authorizationCode(code, { redirectUri, codeVerifier, params, signal } = {}) {
    return this.#fetch(TokenRequest.authorizationCode(code, redirectUri, codeVerifier), params, signal)
  }
  authorizationCodeSync(code, { redirectUri, codeVerifier, params } = {}) {
    return this.#fetchSync(TokenRequest.authorizationCode(code, redirectUri, codeVerifier), params)
  }

  tokenExchange(subjectToken, subjectTokenType, { scope, params, signal } = {}) {
    return this.#fetch(TokenRequest.tokenExchange(subjectToken, subjectTokenType, scope), params, signal)
  }
  tokenExchangeSync(subjectToken, subjectTokenType, { scope, params } = {}) {
    return this.#fetchSync(TokenRequest.tokenExchange(subjectToken, subjectTokenType, scope), params)
  }

  deviceCode(deviceCode, { params, signal } = {}) {
    return this.#fetch(TokenRequest.deviceCode(deviceCode), params, signal)
  }
  deviceCodeSync(deviceCode, { params } = {}) {
    return this.#fetchSync(TokenRequest.deviceCode(deviceCode), params)
  }

  #fetch(request, params, signal) {
    // An already-aborted call starts no native work at all.
    if (signal?.aborted) return Promise.reject(abortError(signal))
    return settle(this.#native.fetch(withParams(request, params)), signal)
  }
  #fetchSync(request, params) {
    return guard(() => this.#native.fetchSync(withParams(request, params)))
  }

  /** Any grant, resolving to `{ httpMeta, tokenResponse }`. */
  requestToken({ grantType, scope, params, signal }) {
    if (signal?.aborted) return Promise.reject(abortError(signal))
    return settle(this.#native.send(withParams(TokenRequest.custom(grantType, scope), params)), signal)
  }
  requestTokenSync({ grantType, scope, params }) {
    return guard(() => this.#native.sendSync(withParams(TokenRequest.custom(grantType, scope), params)))
  }

  /** Runs a `TokenRequest` built by hand. */
  send(request, { signal } = {}) {
    if (signal?.aborted) return Promise.reject(abortError(signal))
    return settle(this.#native.send(request), signal)
  }

  toJSON() {
    return { tokenUrl: this.tokenUrl, clientId: this.clientId }
  }

  [inspect.custom](depth, options, inspectFn = inspect) {
    return `TokenClient ${inspectFn(this.toJSON(), options)}`
  }
}

class TokenManager {
  #native
  #client
  /** The one native fetch in flight, which every waiting caller shares. */
  #inflight = null

  constructor(client, options = {}) {
    if (!(client instanceof TokenClient)) throw new TypeError('TokenManager needs a TokenClient')
    this.#client = client
    // Core checks every option: unknown names, wrong types and ranges are ConfigErrors.
    this.#native = guard(() => new native.NativeTokenManager(client._native, options))
  }

  get client() {
    return this.#client
  }

  /** How long before expiry the cache refreshes (capped at half the lifetime). */
  get refreshSkewMs() {
    return this.#native.refreshSkewMs
  }
  /** How long a token without expires_in is used. */
  get defaultLifetimeMs() {
    return this.#native.defaultLifetimeMs
  }

  /**
   * A valid token. A fresh cached token is returned without leaving the event loop. When a
   * fetch is due, one native call runs on the thread pool and every caller awaits that same
   * Promise, so waiting callers hold no libuv worker; an aborted `signal` releases its caller
   * at once while the shared fetch goes on (bounded by the client's timeout).
   */
  token({ signal } = {}) {
    if (signal?.aborted) return Promise.reject(abortError(signal))
    const fresh = this.#native.freshToken()
    if (fresh) return Promise.resolve(fresh)
    if (!this.#inflight) {
      const settled = () => {
        this.#inflight = null
      }
      this.#inflight = this.#native.token().catch((err) => {
        throw convert(err)
      })
      this.#inflight.then(settled, settled)
    }
    return settle(this.#inflight, signal)
  }
  tokenSync() {
    return guard(() => this.#native.tokenSync())
  }

  accessToken(options) {
    return this.token(options).then((t) => t.accessToken)
  }
  accessTokenSync() {
    return guard(() => this.#native.accessTokenSync())
  }

  authorizationHeader(options) {
    return this.token(options).then((t) => t.authorizationHeader())
  }
  authorizationHeaderSync() {
    return guard(() => this.#native.authorizationHeaderSync())
  }

  /** Drops the cached token; call it when an API answers 401. */
  invalidate() {
    this.#native.invalidate()
  }

  /** The error of the last failed fetch (e.g. a failed early refresh), until one succeeds. */
  get lastError() {
    const payload = this.#native.lastErrorPayload()
    return payload ? errors.fromPayload(payload) : null
  }

  toJSON() {
    return { tokenUrl: this.#client.tokenUrl }
  }

  [inspect.custom](depth, options, inspectFn = inspect) {
    return `TokenManager ${inspectFn(this.toJSON(), options)}`
  }
}

// Server JSON crosses from Rust as text (see extraJson in src/convert.rs); parse it here.
Object.defineProperty(TokenResponse.prototype, 'extra', {
  get() {
    return JSON.parse(this.extraJson)
  },
  enumerable: false,
  configurable: true,
})
TokenResponse.prototype.toJSON = function () {
  return JSON.parse(this.redactedJson())
}
TokenRequestResponse.prototype.toJSON = function () {
  return JSON.parse(this.redactedJson())
}
// The native classes show nothing through util.inspect (their fields are getters), so give
// them the redacted view toJSON() returns.
TokenResponse.prototype[inspect.custom] = function (depth, options, inspectFn = inspect) {
  return `TokenResponse ${inspectFn(this.toJSON(), options)}`
}
TokenRequestResponse.prototype[inspect.custom] = function (depth, options, inspectFn = inspect) {
  return `TokenRequestResponse ${inspectFn(this.toJSON(), options)}`
}
TokenRequest.prototype[inspect.custom] = function () {
  return `TokenRequest { grantType: '${this.grantType}' }`
}
/** Parses a token response body (JSON or form-encoded) with the same leniency as a fetch. */
TokenResponse.fromJson = function fromJson(body) {
  return guard(() => native.parseTokenResponseNative(body))
}

/**
 * Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing), for
 * responses your own HTTP stack received. `receivedAt` (epoch seconds) sets `expiresAt`.
 */
function parseResponse(status, headers, body, { receivedAt, maxResponseBytes } = {}) {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const flat = headers instanceof Headers ? Object.fromEntries(headers) : { ...headers }
  return guard(() => native.parseResponseNative(status, flat, bytes, receivedAt ?? null, maxResponseBytes ?? null))
}

/** Parses a token response body; the same as `TokenResponse.fromJson(body)`. */
function parseTokenResponse(body) {
  return TokenResponse.fromJson(body)
}

/**
 * A fetch-compatible function that adds `Authorization` from `manager`, and on a 401
 * invalidates the token and retries once. The request body must be re-sendable (string,
 * Buffer, URLSearchParams...), as for any retry.
 */
function withBearer(manager, fetchFn = globalThis.fetch) {
  if (typeof fetchFn !== 'function') throw new TypeError('withBearer needs a fetch function (Node >= 18 has one)')
  return async function fetchWithBearer(input, init = {}) {
    const send = async () => {
      const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined))
      headers.set('authorization', await manager.authorizationHeader({ signal: init.signal ?? undefined }))
      return fetchFn(input, { ...init, headers })
    }
    const first = await send()
    if (first.status !== 401) return first
    manager.invalidate()
    await first.body?.cancel()
    return send()
  }
}

module.exports = {
  TokenClient,
  TokenManager,
  TokenRequest,
  TokenResponse,
  TokenRequestResponse,
  // The seed models' names.
  V3TokenResponse: TokenResponse,
  PostTokenResponse: TokenResponse,
  Authentication: TokenResponse,
  V3TokenRequestResponse: TokenRequestResponse,
  parseTokenResponse,
  parseResponse,
  withBearer,
  TokenFetchError: errors.TokenFetchError,
  OAuthError: errors.OAuthError,
  HttpStatusError: errors.HttpStatusError,
  DecodeError: errors.DecodeError,
  ResponseTooLargeError: errors.ResponseTooLargeError,
  TimeoutError: errors.TimeoutError,
  TransportError: errors.TransportError,
  ConfigError: errors.ConfigError,
  version: native.version(),
}
