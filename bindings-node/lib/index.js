'use strict'
// The public API of the `tokenfetch` package: a thin typed layer over the generated native
// loader (../index.js). It adds Promise ergonomics, AbortSignal and typed errors; every
// decision about tokens is made by the Rust core.

const { inspect, deprecate } = require('node:util')
const native = loadNative()
const errors = require('./errors.js')

const { convert, guard } = errors
const events = require('./events.js')
events.install(native)

// The generated loader's own message blames npm; ours tells apart the three ways a load
// fails and says what to do about each. The loader's attempts stay in `cause`.
function loadNative() {
  try {
    return require('../index.js')
  } catch (cause) {
    throw new Error(loadFailure(cause), { cause })
  }
}

function loadFailure(cause) {
  const platform = `${process.platform}-${process.arch}`
  const reasons = []
  for (let e = cause; e && reasons.length < 64; e = e.cause) reasons.push(String(e.message ?? e))
  // Only with NAPI_RS_ENFORCE_VERSION_CHECK set does the loader refuse another version.
  const mismatch = reasons.find((m) => m.includes('version mismatch'))
  if (mismatch) {
    const { version } = require('../package.json')
    return (
      `tokenfetch ${version}: the installed @tokenfetch/binding package for ${platform} is another version ` +
      `(${mismatch.trim()}). Reinstall tokenfetch so that npm installs the matching one.`
    )
  }
  // An addon that exists but does not load (a libc too old, a corrupt file) says why.
  const broken = reasons.find((m) => !m.startsWith('Cannot find module') && !m.startsWith('Cannot find native binding'))
  if (broken) return `tokenfetch: the native addon for ${platform} was found but does not load: ${broken}`
  return (
    `tokenfetch: no native addon loads on ${platform}. Prebuilt addons ` +
    'come from the optional dependencies @tokenfetch/binding-<platform> (linux x64 and arm64 with ' +
    'glibc or musl, darwin x64 and arm64, win32 x64): reinstall without --omit=optional. ' +
    'Elsewhere, build one from a checkout with a Rust toolchain: npm install <checkout>/bindings-node'
  )
}
const { TokenRequest, TokenResponse, TokenRequestResponse, ServerMetadata, Introspection, DeviceAuthorization, Pkce, AuthorizationRequest } =
  native

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

/** The call's options, after the core has checked their names and types. */
function callOptions(options, texts, others) {
  native.checkCallOptions(options ?? {}, texts, others)
  const o = options ?? {}
  if (o.signal != null && !(o.signal instanceof AbortSignal)) {
    throw new errors.ConfigError({ kind: 'config', message: 'invalid configuration: signal must be an AbortSignal' })
  }
  return o
}

// `requestToken({ grantType }, { signal })` would otherwise drop the second object, signal
// and all, without a word.
function oneOptionsObject(method) {
  return configError(`${method}({ grantType, ... }) takes one options object; put signal in it`)
}

function configError(message) {
  return new errors.ConfigError({ kind: 'config', message: `invalid configuration: ${message}` })
}

function requiredText(o, name) {
  if (typeof o[name] !== 'string') {
    throw new errors.ConfigError({ kind: 'config', message: `invalid configuration: ${name} is required` })
  }
  return o[name]
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
    this.#native =
      options instanceof native.NativeTokenClient
        ? options
        : guard(() => new native.NativeTokenClient(options, assertionSource(options?.clientAssertion)))
  }

  static prove(options) {
    return new TokenClient(guard(() => native.NativeTokenClient.prove(options)))
  }

  static gusto(options) {
    return new TokenClient(guard(() => native.NativeTokenClient.gusto(options)))
  }

  static googleServiceAccount(options) {
    return new TokenClient(guard(() => native.NativeTokenClient.googleServiceAccount(options)))
  }

  static entraWorkloadIdentity(options) {
    return new TokenClient(guard(() => native.NativeTokenClient.entraWorkloadIdentity(options)))
  }

  /**
   * A client built from an issuer's discovery document (RFC 8414, else OpenID Connect's),
   * read on the thread pool and cached per issuer for `discoveryTtlMs`. Every endpoint, and
   * the auth method when none is given, comes from the document.
   */
  static discover(issuer, options) {
    try {
      return native.NativeTokenClient.discover(issuer, options, assertionSource(options?.clientAssertion)).then(
        (client) => new TokenClient(client),
        (err) => {
          throw convert(err)
        },
      )
    } catch (err) {
      return Promise.reject(convert(err))
    }
  }
  static discoverSync(issuer, options) {
    return new TokenClient(
      guard(() => native.NativeTokenClient.discoverSync(issuer, options, assertionSource(options?.clientAssertion))),
    )
  }

  get tokenUrl() {
    return this.#native.tokenUrl
  }

  get clientId() {
    return this.#native.clientId
  }

  get authMethod() {
    return this.#native.authMethod
  }

  get signingAlgorithm() {
    return this.#native.signingAlgorithm ?? null
  }

  /** The issuer the client trusts (RFC 9207): discovered, or the `issuer` option. */
  get issuer() {
    return this.#native.issuer
  }
  /** The discovery document the client was built from; `null` for a client built by hand. */
  get serverMetadata() {
    return this.#native.serverMetadata
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
  get maxRetryWaitMs() {
    return this.#native.maxRetryWaitMs
  }
  get maxResponseBytes() {
    return this.#native.maxResponseBytes
  }

  /** @internal the native client, for TokenManager. */
  get _native() {
    return this.#native
  }

  clientCredentials(options) {
    return this.#run(options, ['scope'], (o) => TokenRequest.clientCredentials(o.scope))
  }
  clientCredentialsSync(options) {
    return this.#runSync(options, ['scope'], (o) => TokenRequest.clientCredentials(o.scope))
  }

  refresh(refreshToken, options) {
    return this.#run(options, ['scope'], (o) => TokenRequest.refreshToken(refreshToken, o.scope))
  }
  refreshSync(refreshToken, options) {
    return this.#runSync(options, ['scope'], (o) => TokenRequest.refreshToken(refreshToken, o.scope))
  }

  password(username, password, options) {
    return this.#run(options, ['scope'], (o) => TokenRequest.password(username, password, o.scope))
  }
  passwordSync(username, password, options) {
    return this.#runSync(options, ['scope'], (o) => TokenRequest.password(username, password, o.scope))
  }

  authorizationCode(code, options) {
    const texts = ['redirectUri', 'codeVerifier']
    return this.#run(options, texts, (o) => TokenRequest.authorizationCode(code, o.redirectUri, o.codeVerifier))
  }
  authorizationCodeSync(code, options) {
    const texts = ['redirectUri', 'codeVerifier']
    return this.#runSync(options, texts, (o) => TokenRequest.authorizationCode(code, o.redirectUri, o.codeVerifier))
  }

  tokenExchange(subjectToken, subjectTokenType, options) {
    return this.#run(options, ['scope'], (o) => TokenRequest.tokenExchange(subjectToken, subjectTokenType, o.scope))
  }
  tokenExchangeSync(subjectToken, subjectTokenType, options) {
    return this.#runSync(options, ['scope'], (o) => TokenRequest.tokenExchange(subjectToken, subjectTokenType, o.scope))
  }

  deviceCode(deviceCode, options) {
    return this.#run(options, [], () => TokenRequest.deviceCode(deviceCode))
  }
  deviceCodeSync(deviceCode, options) {
    return this.#runSync(options, [], () => TokenRequest.deviceCode(deviceCode))
  }

  /**
   * One grant call: the core checks the call's options (unknown names and wrong types are
   * ConfigErrors), and any failure, even a wrongly typed argument, rejects the Promise.
   */
  #run(options, texts, build, send = false) {
    try {
      const o = callOptions(options, texts, ['params', 'signal'])
      if (o.signal?.aborted) return Promise.reject(abortError(o.signal))
      const request = withParams(build(o), o.params)
      return settle(send ? this.#native.send(request) : this.#native.fetch(request), o.signal)
    } catch (err) {
      return Promise.reject(convert(err))
    }
  }
  #runSync(options, texts, build, send = false) {
    return guard(() => {
      const o = callOptions(options, texts, ['params'])
      const request = withParams(build(o), o.params)
      return send ? this.#native.sendSync(request) : this.#native.fetchSync(request)
    })
  }

  /**
   * Any grant, resolving to `{ httpMeta, tokenResponse }`: by `{ grantType, scope, params }`,
   * or a `TokenRequest` built by hand (then the options hold only `signal`).
   */
  requestToken(request, options) {
    if (request instanceof TokenRequest) {
      return this.#call(options, [], (o) => this.#native.send(request))
    }
    if (options !== undefined) return Promise.reject(oneOptionsObject('requestToken'))
    const grant = (o) => TokenRequest.custom(requiredText(o, 'grantType'), o.scope)
    return this.#run(request, ['grantType', 'scope'], grant, true)
  }
  requestTokenSync(request, options) {
    if (request instanceof TokenRequest) {
      return this.#callSync(options, [], () => this.#native.sendSync(request))
    }
    if (options !== undefined) throw oneOptionsObject('requestTokenSync')
    const grant = (o) => TokenRequest.custom(requiredText(o, 'grantType'), o.scope)
    return this.#runSync(request, ['grantType', 'scope'], grant, true)
  }

  /** Revokes a token (RFC 7009); `tokenTypeHint` is 'access_token' or 'refresh_token'. */
  revoke(token, options) {
    return this.#call(options, ['tokenTypeHint'], (o) => this.#native.revoke(token, o.tokenTypeHint))
  }
  revokeSync(token, options) {
    this.#callSync(options, ['tokenTypeHint'], (o) => this.#native.revokeSync(token, o.tokenTypeHint))
  }

  /** What the server says about a token (RFC 7662); an inactive token is `active: false`. */
  introspect(token, options) {
    return this.#call(options, ['tokenTypeHint'], (o) => this.#native.introspect(token, o.tokenTypeHint))
  }
  introspectSync(token, options) {
    return this.#callSync(options, ['tokenTypeHint'], (o) => this.#native.introspectSync(token, o.tokenTypeHint))
  }

  /** Starts the device flow (RFC 8628): the codes to show the user. */
  deviceAuthorization(options) {
    return this.#call(options, ['scope'], (o) => this.#native.deviceAuthorization(o.scope))
  }
  deviceAuthorizationSync(options) {
    return this.#callSync(options, ['scope'], (o) => this.#native.deviceAuthorizationSync(o.scope))
  }

  /**
   * Polls the token endpoint until the user approves (the token), denies (`access_denied`)
   * or the code expires (`expired_token`), at the server's interval. An abort of `signal`
   * stops the poll in the core and rejects with the signal's reason. The poll waits on a
   * thread of its own, not the libuv pool; there is no sync twin, which would block the event
   * loop for minutes.
   */
  pollDeviceToken(authorization, options) {
    try {
      const { signal } = callOptions(options, [], ['signal'])
      if (!(authorization instanceof DeviceAuthorization)) {
        throw configError('authorization must be the DeviceAuthorization that deviceAuthorization() resolved to')
      }
      if (signal?.aborted) return Promise.reject(abortError(signal))
      const cancel = new native.CancelToken()
      const polling = this.#native.pollDeviceToken(authorization, cancel)
      if (!signal) return settle(polling)
      const onAbort = () => cancel.cancel()
      signal.addEventListener('abort', onAbort, { once: true })
      const stop = () => signal.removeEventListener('abort', onAbort)
      polling.then(stop, stop)
      return settle(polling, signal)
    } catch (err) {
      return Promise.reject(convert(err))
    }
  }

  /**
   * The URL that starts the authorization code flow, with a random `state` and a fresh PKCE
   * pair unless given. Keep the result until the callback. No I/O.
   */
  authorizationUrl(redirectUri, options) {
    return guard(() => {
      const pkce = options?.pkce
      if (pkce != null && !(pkce instanceof Pkce)) throw configError('pkce must be a Pkce (Pkce.generate() or Pkce.fromVerifier(v))')
      return this.#native.authorizationUrl(redirectUri, options, pkce ?? null)
    })
  }

  /**
   * `authorizationUrl` with its parameters pushed first (RFC 9126): they go to the
   * `pushed_authorization_request_endpoint` with the client's authentication, and the URL
   * carries only `client_id` and the server's `requestUri`. One request, on the libuv pool.
   */
  pushAuthorizationRequest(redirectUri, options) {
    try {
      const pkce = options?.pkce
      if (pkce != null && !(pkce instanceof Pkce)) throw configError('pkce must be a Pkce (Pkce.generate() or Pkce.fromVerifier(v))')
      return settle(this.#native.pushAuthorizationRequest(redirectUri, options, pkce ?? null))
    } catch (err) {
      return Promise.reject(convert(err))
    }
  }
  pushAuthorizationRequestSync(redirectUri, options) {
    return guard(() => {
      const pkce = options?.pkce
      if (pkce != null && !(pkce instanceof Pkce)) throw configError('pkce must be a Pkce (Pkce.generate() or Pkce.fromVerifier(v))')
      return this.#native.pushAuthorizationRequestSync(redirectUri, options, pkce ?? null)
    })
  }

  /**
   * The authorization code in the URL the user was redirected back to, after checking its
   * `state` (and its `iss`, RFC 9207). An error callback throws an OAuthError with no status.
   */
  parseCallback(callbackUrl, expectedState) {
    return guard(() => this.#native.parseCallback(callbackUrl, expectedState))
  }

  /**
   * The sign-in's last step: checks the callback URL against `request` (its `state` and
   * `iss`), exchanges the code with the request's PKCE verifier, and validates the ID token
   * against the same request (its `nonce`, `maxAgeMs`). The claims are on `idTokenClaims`.
   */
  exchangeCode(request, callbackUrl) {
    try {
      if (!(request instanceof AuthorizationRequest)) {
        throw configError('exchangeCode(request, callbackUrl) takes the AuthorizationRequest authorizationUrl() returned')
      }
      return settle(this.#native.exchangeCode(request, callbackUrl))
    } catch (err) {
      return Promise.reject(convert(err))
    }
  }
  exchangeCodeSync(request, callbackUrl) {
    return guard(() => {
      if (!(request instanceof AuthorizationRequest)) {
        throw configError('exchangeCodeSync(request, callbackUrl) takes the AuthorizationRequest authorizationUrl() returned')
      }
      return this.#native.exchangeCodeSync(request, callbackUrl)
    })
  }

  /**
   * The user's claims from the userinfo endpoint (OIDC Core §5.3), with the sign-in's access
   * token. With `expectedSub` (the ID token's `sub`), an answer for another user rejects with
   * an IdTokenError (check `sub`). A signed answer is verified with the issuer's keys.
   */
  userinfo(accessToken, options) {
    try {
      const o = callOptions(options, ['expectedSub'], [])
      return settle(this.#native.userinfoJson(accessToken, o.expectedSub ?? null)).then((text) => JSON.parse(text))
    } catch (err) {
      return Promise.reject(convert(err))
    }
  }
  userinfoSync(accessToken, options) {
    return guard(() => {
      const o = callOptions(options, ['expectedSub'], [])
      return JSON.parse(this.#native.userinfoJsonSync(accessToken, o.expectedSub ?? null))
    })
  }

  /** The URL that signs the user out at the provider (RP-Initiated Logout). No I/O. */
  endSessionUrl(options) {
    return guard(() => {
      const o = callOptions(options, ['idTokenHint', 'postLogoutRedirectUri', 'state'], [])
      return this.#native.endSessionUrl(o.idTokenHint ?? null, o.postLogoutRedirectUri ?? null, o.state ?? null)
    })
  }

  /** Whether ID tokens in this client's answers are validated (it knows its issuer, client id and JWKS). */
  get validatesIdTokens() {
    return this.#native.validatesIdTokens
  }

  /** A call of the endpoints beyond the token endpoint; its options are checked by the core. */
  #call(options, texts, start) {
    try {
      const o = callOptions(options, texts, ['signal'])
      if (o.signal?.aborted) return Promise.reject(abortError(o.signal))
      return settle(start(o), o.signal)
    } catch (err) {
      return Promise.reject(convert(err))
    }
  }
  #callSync(options, texts, run) {
    return guard(() => run(callOptions(options, texts, [])))
  }

  toJSON() {
    return { tokenUrl: this.tokenUrl, clientId: this.clientId }
  }

  [inspect.custom](depth, options, inspectFn = inspect) {
    return `TokenClient ${inspectFn(this.toJSON(), options)}`
  }
}

/**
 * The `onToken` option as the native manager calls it: on the event loop, with each token the
 * manager fetched. What the caller's function throws (or its Promise rejects with) becomes a
 * process warning: the token was fetched and is returned to every caller regardless, and an
 * uncaught exception would end the process.
 */
function tokenListener(onToken) {
  if (onToken == null) return undefined
  if (typeof onToken !== 'function') throw configError(`onToken must be a function, got ${describe(onToken)}`)
  return (token) => {
    try {
      const result = onToken(token)
      if (typeof result?.then === 'function') result.then(undefined, listenerFailed)
    } catch (err) {
      listenerFailed(err)
    }
  }
}

function listenerFailed(err) {
  process.emitWarning(`tokenfetch: onToken threw (the token was still returned): ${err?.message ?? String(err)}`, {
    type: 'TokenFetchWarning',
    code: 'TOKENFETCH_ON_TOKEN',
    detail: typeof err?.stack === 'string' ? err.stack : undefined,
  })
}

/**
 * The `clientAssertion` option as the native client calls it, once per request from a worker
 * thread: always a Promise, resolving to the string the caller's function returns (or
 * resolves to) and rejecting with its error's message.
 */
function assertionSource(clientAssertion) {
  if (clientAssertion == null) return undefined
  if (typeof clientAssertion !== 'function') {
    throw configError(`clientAssertion must be a function returning the assertion, got ${describe(clientAssertion)}`)
  }
  return () =>
    Promise.resolve()
      .then(clientAssertion)
      .then((assertion) => {
        if (typeof assertion !== 'string') throw new TypeError(`it returned ${describe(assertion)}, not a string`)
        return assertion
      })
      .catch((err) => Promise.reject(reason(err)))
}

/** What a thrown value says, as a string, whatever was thrown (even an object without a prototype). */
function reason(err) {
  try {
    const message = err?.message ?? err
    return typeof message === 'string' ? message : String(message)
  } catch {
    return `it threw ${describe(err)}`
  }
}

/** A value's type as core's messages name it ("a number", "an object"). */
function describe(value) {
  if (Array.isArray(value)) return 'an array'
  const type = typeof value
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}

class TokenManager {
  #native
  #client
  /** The one native fetch in flight, which every waiting caller shares. */
  #inflight = null
  /**
   * The core's cached token while no fetch is due, with the `performance.now()` until which
   * none is: a read answers from it without a native call. `invalidate()` drops it. The only
   * state kept on this side.
   */
  #fresh = null

  constructor(client, options = {}) {
    if (!(client instanceof TokenClient)) throw new TypeError('TokenManager needs a TokenClient')
    this.#client = client
    // Core checks every option: unknown names, wrong types and ranges are ConfigErrors. A
    // function crosses on its own: the options object goes over as plain values.
    const onToken = tokenListener(options?.onToken)
    this.#native = guard(() => new native.NativeTokenManager(client._native, options, onToken))
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

  get leaseTimeMs() {
    return this.#native.leaseTimeMs
  }

  #freshNow() {
    const fresh = this.#fresh
    if (fresh !== null && performance.now() < fresh.until) {
      if (events.state.listening) events.cacheHit(fresh.token)
      return fresh
    }
    return null
  }

  /** Asks the core for its fresh token (never blocks) and keeps it; `null` when a fetch is due. */
  #remember() {
    const found = this.#native.freshTokenFor()
    if (!found) {
      this.#fresh = null
      return null
    }
    const token = found.token
    this.#fresh = {
      token,
      accessToken: token.accessToken,
      header: token.authorizationHeader(),
      until: performance.now() + found.freshForMs,
    }
    return this.#fresh
  }

  /** The fresh token kept here, or the core's; a synchronous native call when neither is. */
  #currentSync() {
    const fresh = this.#freshNow() ?? this.#remember()
    if (fresh) return fresh
    const token = guard(() => this.#native.tokenSync())
    return this.#remember() ?? { token, accessToken: token.accessToken, header: token.authorizationHeader() }
  }

  /**
   * A valid token. A fresh cached token is returned without leaving the event loop. When a
   * fetch is due, one native call runs on the thread pool and every caller awaits that same
   * Promise, so waiting callers hold no libuv worker; an aborted `signal` releases its caller
   * at once while the shared fetch goes on (bounded by the client's timeout).
   */
  token(options) {
    return this.#current(options).then((f) => f.token)
  }
  tokenSync() {
    return this.#currentSync().token
  }

  accessToken(options) {
    // The common case, a fresh token and no options, allocates one resolved Promise.
    const fresh = options === undefined ? this.#freshNow() : null
    if (fresh) return Promise.resolve(fresh.accessToken)
    return this.#current(options).then((f) => f.accessToken)
  }
  accessTokenSync() {
    return this.#currentSync().accessToken
  }

  authorizationHeader(options) {
    const fresh = options === undefined ? this.#freshNow() : null
    if (fresh) return Promise.resolve(fresh.header)
    return this.#current(options).then((f) => f.header)
  }
  authorizationHeaderSync() {
    return this.#currentSync().header
  }

  #current(options) {
    let signal
    try {
      signal = callOptions(options, [], ['signal']).signal
    } catch (err) {
      return Promise.reject(convert(err))
    }
    if (signal?.aborted) return Promise.reject(abortError(signal))
    const fresh = this.#freshNow() ?? this.#remember()
    if (fresh) return Promise.resolve(fresh)
    if (!this.#inflight) {
      const settled = () => {
        this.#inflight = null
      }
      this.#inflight = this.#native.token().then(
        (token) => this.#remember() ?? { token, accessToken: token.accessToken, header: token.authorizationHeader() },
        (err) => {
          throw convert(err)
        },
      )
      this.#inflight.then(settled, settled)
    }
    return settle(this.#inflight, signal)
  }

  /** Drops the cached token; call it when an API answers 401. */
  invalidate() {
    this.#fresh = null
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
// The validated ID token's claims, parsed from the JSON text the addon hands over.
Object.defineProperty(TokenResponse.prototype, 'idTokenClaims', {
  get() {
    const json = this.idTokenClaimsJson
    return json == null ? null : JSON.parse(json)
  },
  enumerable: false,
  configurable: true,
})
// What a web app keeps between the steps of a sign-in, read back with its errors typed.
AuthorizationRequest.fromSessionJson = function fromSessionJson(text) {
  return guard(() => native.authorizationRequestFromSessionJson(text))
}
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
// The models of the other endpoints: `extra` parsed, and the same redacted view for
// JSON.stringify and util.inspect (the device code and the PKCE verifier never shown).
for (const Model of [ServerMetadata, Introspection, DeviceAuthorization, Pkce, AuthorizationRequest]) {
  if ('extraJson' in Model.prototype) {
    Object.defineProperty(Model.prototype, 'extra', {
      get() {
        return JSON.parse(this.extraJson)
      },
      enumerable: false,
      configurable: true,
    })
  }
  Model.prototype.toJSON = function () {
    return JSON.parse(this.redactedJson())
  }
  Model.prototype[inspect.custom] = function (depth, options, inspectFn = inspect) {
    return `${Model.name} ${inspectFn(this.toJSON(), options)}`
  }
}
/** A fresh PKCE pair: a 43-character verifier from the OS's CSPRNG, and its S256 challenge. */
Pkce.generate = function generate() {
  return guard(() => native.pkceGenerateNative())
}
/** The PKCE pair for a verifier you chose: 43 to 128 letters, digits or `-._~` (RFC 7636). */
Pkce.fromVerifier = function fromVerifier(verifier) {
  return guard(() => native.pkceFromVerifierNative(verifier))
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
function parseResponse(status, headers, body, options) {
  const { receivedAt, maxResponseBytes } = guard(() => callOptions(options, [], ['receivedAt', 'maxResponseBytes']))
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  const flat = headers instanceof Headers ? Object.fromEntries(headers) : { ...headers }
  return guard(() => native.parseResponseNative(status, flat, bytes, receivedAt ?? null, maxResponseBytes ?? null))
}

/**
 * Validates an ID token with a JWK Set you already hold, with no network: for a token that
 * arrived some other way (a client validates its own answers itself). `options.jwks` is the
 * JWK Set (an object or its JSON text); `issuer` and `clientId` are required; `nonce`,
 * `maxAgeMs`, `accessToken`, `code`, `clockSkewMs`, `algorithms`, `clientSecret` and `now`
 * (epoch seconds) are optional. A failure throws an IdTokenError naming the check.
 */
function validateIdToken(token, options) {
  return guard(() => {
    if (options == null || typeof options !== 'object') throw configError('validateIdToken(token, { jwks, issuer, clientId }) needs its options')
    const { jwks, ...rest } = options
    if (jwks == null) throw configError('validateIdToken needs jwks: the issuer\'s JWK Set, as an object or JSON text')
    const text = typeof jwks === 'string' ? jwks : JSON.stringify(jwks)
    return JSON.parse(native.validateIdTokenJson(token, text, rest))
  })
}

/** Forgets every cached discovery document: the next client built reads its issuer's again. */
function clearDiscoveryCache() {
  guard(() => native.clearDiscoveryCache())
}

// Old names, kept as aliases that warn once (CHANGELOG.md): one name per concept in every
// language, and `parseTokenResponse` meant "classify an HTTP answer" in Rust.
TokenClient.prototype.send = deprecate(function send(request, options) {
  if (!(request instanceof TokenRequest)) {
    return Promise.reject(configError('send(request) takes a TokenRequest (it is renamed requestToken)'))
  }
  return this.requestToken(request, options)
}, 'TokenClient.send(request) is renamed requestToken(request)', 'TOKENFETCH_DEP_SEND')
const parseTokenResponse = deprecate(
  (body) => TokenResponse.fromJson(body),
  'parseTokenResponse(body) is renamed TokenResponse.fromJson(body)',
  'TOKENFETCH_DEP_PARSE_TOKEN_RESPONSE',
)

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
  ServerMetadata,
  Introspection,
  DeviceAuthorization,
  Pkce,
  AuthorizationRequest,
  clearDiscoveryCache,
  // The seed models' names.
  V3TokenResponse: TokenResponse,
  PostTokenResponse: TokenResponse,
  Authentication: TokenResponse,
  V3TokenRequestResponse: TokenRequestResponse,
  parseTokenResponse,
  parseResponse,
  validateIdToken,
  withBearer,
  TokenFetchError: errors.TokenFetchError,
  OAuthError: errors.OAuthError,
  HttpStatusError: errors.HttpStatusError,
  DecodeError: errors.DecodeError,
  ResponseTooLargeError: errors.ResponseTooLargeError,
  TimeoutError: errors.TimeoutError,
  TransportError: errors.TransportError,
  ConfigError: errors.ConfigError,
  CancelledError: errors.CancelledError,
  IdTokenError: errors.IdTokenError,
  version: native.version(),
  /** The diagnostics channel every event is published on. */
  EVENTS_CHANNEL: events.CHANNEL,
}
