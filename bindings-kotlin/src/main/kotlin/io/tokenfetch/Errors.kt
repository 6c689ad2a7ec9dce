package io.tokenfetch

import io.tokenfetch.ffi.ErrorInfo
import io.tokenfetch.ffi.ErrorKind as NativeErrorKind
import io.tokenfetch.ffi.InternalException
import io.tokenfetch.ffi.NativeException

/**
 * Every tokenfetch error. [kind] is one of the contract's stable strings; the subclass says
 * the same. Messages come from the Rust core and never contain a secret.
 *
 * Unchecked (a [RuntimeException]), as in OkHttp and most JVM HTTP clients: a token fetch
 * fails for reasons the caller handles where it chooses, not at every call site. From Java,
 * catch `TokenFetchException` or one subclass; `getKind()`, `getStatus()` and `getOauthCode()`
 * tell the rest. The guide's error table says what to do about each kind.
 */
sealed class TokenFetchException(info: ErrorInfo) : RuntimeException(info.summary) {
    /** oauth, http_status, decode, response_too_large, timeout, transport, config, cancelled or id_token: [errorKind]'s string. */
    val kind: String = info.kindName

    /** [kind] as an enum, for a `when` over the kinds; each member's doc says what to do. */
    val errorKind: ErrorKind =
        when (info.kind) {
            NativeErrorKind.OAUTH -> ErrorKind.OAUTH
            NativeErrorKind.HTTP_STATUS -> ErrorKind.HTTP_STATUS
            NativeErrorKind.DECODE -> ErrorKind.DECODE
            NativeErrorKind.RESPONSE_TOO_LARGE -> ErrorKind.RESPONSE_TOO_LARGE
            NativeErrorKind.TIMEOUT -> ErrorKind.TIMEOUT
            NativeErrorKind.TRANSPORT -> ErrorKind.TRANSPORT
            NativeErrorKind.CONFIG -> ErrorKind.CONFIG
            NativeErrorKind.CANCELLED -> ErrorKind.CANCELLED
            NativeErrorKind.ID_TOKEN -> ErrorKind.ID_TOKEN
        }

    /** The HTTP status of the answer, when there was one. */
    val status: Int? = info.status?.toInt()

    /** The OAuth `error` code (`invalid_grant`, Prove's `"1001"`, ...), for [OAuthException]. */
    val oauthCode: String? = info.error

    /** The old name of [oauthCode]. */
    @get:Deprecated("the OAuth error code is oauthCode in every language", ReplaceWith("oauthCode"))
    val error: String? get() = oauthCode
    val errorDescription: String? = info.errorDescription
    val errorUri: String? = info.errorUri

    /** The HTTP exchange, when a request was sent. */
    val httpMeta: HttpMetadata? = info.httpMeta?.let(::HttpMetadata)

    /** Which check an ID token failed (`signature`, `nonce`, `exp`...), for [IdTokenException]. */
    val idTokenCheck: String? = info.idTokenCheck
}

/** The server answered with an OAuth error body (any status, 200 included). */
class OAuthException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** A non-2xx answer without a recognisable error body. */
class HttpStatusException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** A 2xx answer that is not a usable token response. */
class DecodeException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** The response body was larger than the configured cap. */
class ResponseTooLargeException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/**
 * The connect or overall deadline passed. (Not `TimeoutException`, which would shadow
 * `java.util.concurrent.TimeoutException` in any file that imports both packages.)
 */
class TokenTimeoutException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** DNS, connect, TLS or a broken connection. */
class TransportException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** The client was configured wrongly; the message says what to fix. */
class ConfigException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/**
 * A device flow poll was stopped through its [CancelToken] before the user finished. (A
 * coroutine's `awaitPollDeviceToken` ends with the coroutine's own `CancellationException`
 * instead, and a cancelled `pollDeviceTokenAsync` future with the future's.)
 */
class CancelledException internal constructor(info: ErrorInfo) : TokenFetchException(info)

/** An ID token failed validation; [idTokenCheck] names the check. Start the sign-in again. */
class IdTokenException internal constructor(info: ErrorInfo) : TokenFetchException(info)

@JvmSynthetic
internal fun ErrorInfo.toException(): TokenFetchException =
    when (kind) {
        NativeErrorKind.OAUTH -> OAuthException(this)
        NativeErrorKind.HTTP_STATUS -> HttpStatusException(this)
        NativeErrorKind.DECODE -> DecodeException(this)
        NativeErrorKind.RESPONSE_TOO_LARGE -> ResponseTooLargeException(this)
        NativeErrorKind.TIMEOUT -> TokenTimeoutException(this)
        NativeErrorKind.TRANSPORT -> TransportException(this)
        NativeErrorKind.CONFIG -> ConfigException(this)
        NativeErrorKind.CANCELLED -> CancelledException(this)
        NativeErrorKind.ID_TOKEN -> IdTokenException(this)
    }

private fun localError(kind: NativeErrorKind, kindName: String, summary: String): TokenFetchException =
    ErrorInfo(kind, kindName, summary, null, null, null, null, null, null).toException()

/** A [ConfigException] raised by the Kotlin layer itself, for a misuse the core cannot see. */
@JvmSynthetic
internal fun configError(summary: String): TokenFetchException = localError(NativeErrorKind.CONFIG, "config", summary)

/**
 * Runs a native call, turning every failure into the public exception hierarchy: core errors
 * by their kind; a call on a closed client or manager (uniffi's `IllegalStateException`) as a
 * [ConfigException]; and, as a last resort, anything uniffi reports from inside the native
 * library as a [TransportException]. No exception naming a generated class reaches callers.
 */
@JvmSynthetic
internal inline fun <T> ffiCall(block: () -> T): T =
    try {
        block()
    } catch (e: NativeException.Failed) {
        throw e.info.toException()
    } catch (e: InternalException) {
        throw localError(NativeErrorKind.TRANSPORT, "transport", "internal error in tokenfetch's native library; please report it")
    } catch (e: IllegalStateException) {
        throw localError(NativeErrorKind.CONFIG, "config", "this tokenfetch object was closed; create a new one")
    }
