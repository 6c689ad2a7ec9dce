'use strict'
// Typed errors. The native addon sends each core error as JSON behind MARKER
// (bindings-node/src/error.rs); this module is the one place that turns it into a class.

const MARKER = '\u0001tokenfetch:'

class TokenFetchError extends Error {
  constructor(info) {
    super(info.message)
    this.name = new.target.name
    /** One of: oauth, http_status, decode, response_too_large, timeout, transport, config, cancelled, id_token. */
    this.kind = info.kind
    /** The OAuth `error` code the server sent (`invalid_grant`...), for kind `oauth`. */
    this.oauthCode = info.code ?? null
    /**
     * Node's error code, as Node code reads `.code` (an errno-style constant, not the
     * server's): `ERR_TOKENFETCH_` and the kind, `ERR_TOKENFETCH_OAUTH` say.
     */
    this.code = info.kind ? `ERR_TOKENFETCH_${String(info.kind).toUpperCase()}` : 'ERR_TOKENFETCH'
    this.status = info.status ?? null
    this.errorDescription = info.errorDescription ?? null
    this.errorUri = info.errorUri ?? null
    this.httpMeta = info.httpMeta ?? null
    /** Which check an ID token failed (`signature`, `nonce`, `exp`...), for an IdTokenError. */
    this.idTokenCheck = info.idTokenCheck ?? null
  }
}

class OAuthError extends TokenFetchError {}
class HttpStatusError extends TokenFetchError {}
class DecodeError extends TokenFetchError {}
class ResponseTooLargeError extends TokenFetchError {}
class TimeoutError extends TokenFetchError {}
class TransportError extends TokenFetchError {}
class ConfigError extends TokenFetchError {}
/** A device poll stopped by its caller (`pollDeviceToken` rejects with the signal's reason instead). */
class CancelledError extends TokenFetchError {}
/** An ID token failed validation; `idTokenCheck` names the check. Start the sign-in again. */
class IdTokenError extends TokenFetchError {}

const CLASSES = {
  oauth: OAuthError,
  http_status: HttpStatusError,
  decode: DecodeError,
  response_too_large: ResponseTooLargeError,
  timeout: TimeoutError,
  transport: TransportError,
  config: ConfigError,
  cancelled: CancelledError,
  id_token: IdTokenError,
}

function fromPayload(info) {
  const Class = CLASSES[info.kind] || TokenFetchError
  return new Class(info)
}

/** napi's codes for an argument of the wrong type (a number where a string belongs). */
const WRONG_TYPE = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
])

/**
 * The typed error for a native error: core errors by their kind, and napi's argument-type
 * errors as a ConfigError. Any other value is returned unchanged.
 */
function convert(err) {
  if (err && typeof err.message === 'string' && err.message.startsWith(MARKER)) {
    return fromPayload(JSON.parse(err.message.slice(MARKER.length)))
  }
  if (err && WRONG_TYPE.has(err.code)) {
    return new ConfigError({ kind: 'config', message: `invalid configuration: ${err.message}` })
  }
  return err
}

/** Runs `fn`, rethrowing native errors as typed ones. */
function guard(fn) {
  try {
    return fn()
  } catch (err) {
    throw convert(err)
  }
}

module.exports = {
  TokenFetchError,
  OAuthError,
  HttpStatusError,
  DecodeError,
  ResponseTooLargeError,
  TimeoutError,
  TransportError,
  ConfigError,
  CancelledError,
  IdTokenError,
  convert,
  guard,
  fromPayload,
}
