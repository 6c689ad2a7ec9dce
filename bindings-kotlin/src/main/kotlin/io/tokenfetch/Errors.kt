package io.tokenfetch

import io.tokenfetch.ffi.ErrorInfo
import io.tokenfetch.ffi.NativeException

/**
 * Every tokenfetch error. [kind] is one of the contract's stable strings; the subclass says
 * the same. Messages come from the Rust core and never contain a secret.
 */
sealed class TokenFetchException(info: ErrorInfo) : Exception(info.summary) {
    /** oauth, http_status, decode, response_too_large, timeout, transport or config. */
    val kind: String = info.kind

    /** The HTTP status of the answer, when there was one. */
    val status: Int? = info.status?.toInt()

    /** The OAuth `error` code (`invalid_grant`, Prove's `"1001"`, ...), for [OAuthException]. */
    val error: String? = info.error
    val errorDescription: String? = info.errorDescription
    val errorUri: String? = info.errorUri

    /** The HTTP exchange, when a request was sent. */
    val httpMeta: HttpMetadata? = info.httpMeta
}

/** The server answered with an OAuth error body (any status, 200 included). */
class OAuthException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** A non-2xx answer without a recognisable error body. */
class HttpStatusException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** A 2xx answer that is not a usable token response. */
class DecodeException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** The response body was larger than the configured cap. */
class ResponseTooLargeException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** The connect or overall deadline passed. */
class TimeoutException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** DNS, connect, TLS or a broken connection. */
class TransportException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** The client was configured wrongly; the message says what to fix. */
class ConfigException internal constructor(info: ErrorInfo) : TokenFetchException(info)

internal fun ErrorInfo.toException(): TokenFetchException =
    when (kind) {
        "oauth" -> OAuthException(this)
        "http_status" -> HttpStatusException(this)
        "decode" -> DecodeException(this)
        "response_too_large" -> ResponseTooLargeException(this)
        "timeout" -> TimeoutException(this)
        "config" -> ConfigException(this)
        else -> TransportException(this)
    }

/** Runs a native call, turning its error into the public exception hierarchy. */
internal inline fun <T> ffiCall(block: () -> T): T =
    try {
        block()
    } catch (e: NativeException.Failed) {
        throw e.info.toException()
    }
