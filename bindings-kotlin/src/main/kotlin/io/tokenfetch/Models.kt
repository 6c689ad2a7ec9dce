@file:JvmName("TokenFetch")

package io.tokenfetch

import io.tokenfetch.ffi.HttpMetadata as NativeHttpMetadata
import io.tokenfetch.ffi.HttpRequestMeta as NativeHttpRequestMeta
import io.tokenfetch.ffi.HttpResponseMeta as NativeHttpResponseMeta
import io.tokenfetch.ffi.IdTokenClaimsData
import io.tokenfetch.ffi.TokenRequestResponseData
import io.tokenfetch.ffi.TokenResponseData
import io.tokenfetch.ffi.authorizationHeader as nativeAuthorizationHeader
import io.tokenfetch.ffi.defaultMaxResponseBytes as nativeDefaultMaxResponseBytes
import io.tokenfetch.ffi.parseResponse as nativeParseResponse
import io.tokenfetch.ffi.parseTokenResponse as nativeParseTokenResponse
import io.tokenfetch.ffi.tokenResponseToJson

/**
 * An access token response (RFC 6749 §5.1), normalised by the Rust core.
 *
 * Not a `data class` on purpose: its `toString()` shows every field but the tokens
 * (they print as `[redacted]`), so a `TokenResponse` can be logged.
 */
class TokenResponse internal constructor(private val data: TokenResponseData) {
    /** The access token. Secret: never shown by [toString]. */
    val accessToken: String get() = data.accessToken

    /** `"Bearer"` for any casing of bearer, and when the server sent none. */
    val tokenType: String get() = data.tokenType

    /** Lifetime in seconds. */
    val expiresIn: Long? get() = data.expiresIn

    /** Secret: never shown by [toString]. */
    val refreshToken: String? get() = data.refreshToken
    val refreshExpiresIn: Long? get() = data.refreshExpiresIn

    /** OpenID Connect ID token. Secret: never shown by [toString]. */
    val idToken: String? get() = data.idToken

    /** Granted scopes, space-delimited. */
    val scope: String? get() = data.scope

    /** RFC 3339. */
    val createdAt: String? get() = data.createdAt

    /** Every other member the server sent, as a JSON object. */
    val extraJson: String get() = data.extraJson

    /** Absolute expiry in epoch seconds: receive time + [expiresIn]. */
    val expiresAt: Long? get() = data.expiresAt

    /**
     * The claims of [idToken], once the client validated it against its issuer's keys (issuer,
     * audience, expiry, nonce...); null without an ID token, from a client that does not
     * validate them, and on a response parsed by hand.
     */
    val idTokenClaims: IdTokenClaims? get() = data.idTokenClaims?.let(::IdTokenClaims)

    /** The granted scopes as a list. */
    val scopes: List<String> get() = scope?.split(' ')?.filter { it.isNotEmpty() } ?: emptyList()

    /** `"Bearer <accessToken>"`. */
    fun authorizationHeader(): String = nativeAuthorizationHeader(data)

    /** Wire JSON, tokens included: for storage you control, never for logs. [fromJson] reads it back. */
    fun toJson(): String = tokenResponseToJson(data)

    override fun equals(other: Any?): Boolean = other is TokenResponse && other.data == data

    override fun hashCode(): Int = data.hashCode()

    /** Every field but the tokens, which show as `[redacted]` (as do secret members of extra). */
    override fun toString(): String = data.shown

    companion object {
        /** Parses a token response body (JSON or form-encoded) with the same leniency as a fetch. */
        @JvmStatic
        fun fromJson(body: String): TokenResponse = ffiCall { TokenResponse(nativeParseTokenResponse(body)) }
    }
}

/**
 * Renamed [TokenResponse.fromJson], its name in every language (in Rust, `parse_token_response`
 * classified a whole HTTP answer, which is [parseResponse] here: one name meant two things).
 */
@Deprecated("Renamed TokenResponse.fromJson(body)", ReplaceWith("TokenResponse.fromJson(body)"))
fun parseTokenResponse(body: String): TokenResponse = TokenResponse.fromJson(body)

/**
 * Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing), for
 * responses your own HTTP stack received. [receivedAt] (epoch seconds) sets `expiresAt`.
 */
@JvmOverloads
fun parseResponse(
    status: Int,
    headers: Map<String, String>,
    body: ByteArray,
    receivedAt: Long? = null,
    maxResponseBytes: Long = nativeDefaultMaxResponseBytes(),
): TokenResponse =
    ffiCall {
        TokenResponse(nativeParseResponse(status, headers, body, receivedAt, maxResponseBytes))
    }

/** One token request as sent and answered (the seeds' `V3TokenRequestResponse`). */
data class TokenRequestResponse(val httpMeta: HttpMetadata, val tokenResponse: TokenResponse?) {
    /** The seeds' name for [tokenResponse]. */
    val v3TokenResponse: TokenResponse? get() = tokenResponse

    internal constructor(data: TokenRequestResponseData) :
        this(HttpMetadata(data.httpMeta), data.tokenResponse?.let(::TokenResponse))
}

/**
 * The claims of a validated ID token. The protocol claims are properties; every other claim
 * (`name`, `email`, a provider's own) is in [extraJson]. [sub] with [iss] is the stable key for
 * a user. Nothing here is a secret, so [toString] shows every claim.
 */
data class IdTokenClaims(
    val iss: String,
    val sub: String,
    /** The audiences, always a list. */
    val aud: List<String>,
    /** Expiry, epoch seconds. */
    val exp: Long,
    /** Issued at, epoch seconds. */
    val iat: Long,
    /** When the user authenticated, epoch seconds. */
    val authTime: Long?,
    val nonce: String?,
    val acr: String?,
    val amr: List<String>,
    val azp: String?,
    val sid: String?,
    /** Every other claim, as the text of one JSON object. */
    val extraJson: String,
) {
    internal constructor(native: IdTokenClaimsData) : this(
        native.iss,
        native.sub,
        native.aud,
        native.exp,
        native.iat,
        native.authTime,
        native.nonce,
        native.acr,
        native.amr,
        native.azp,
        native.sid,
        native.extraJson,
    )
}

/** The HTTP exchange behind a token request, safe to log: the core redacted every credential. */
data class HttpMetadata(
    /** The request as sent. */
    val request: HttpRequestMeta,
    /** The response as received; null when none arrived (connection refused, timeout). */
    val response: HttpResponseMeta?,
) {
    internal constructor(native: NativeHttpMetadata) :
        this(HttpRequestMeta(native.request), native.response?.let(::HttpResponseMeta))
}

/** The request as sent. Header names are lower case; credentials show as `[redacted]`. */
data class HttpRequestMeta(val method: String, val url: String, val headers: Map<String, String>) {
    internal constructor(native: NativeHttpRequestMeta) : this(native.method, native.url, native.headers.toMap())
}

/** The response as received. The body is text, secret members redacted, at most 64 KiB. */
data class HttpResponseMeta(
    val status: Int,
    val headers: Map<String, String>,
    val body: String,
    val bodyTruncated: Boolean,
    val elapsedMs: Long,
) {
    internal constructor(native: NativeHttpResponseMeta) :
        this(native.status, native.headers.toMap(), native.body, native.bodyTruncated, native.elapsedMs)
}

// The seed models' names.
typealias V3TokenResponse = TokenResponse
typealias PostTokenResponse = TokenResponse
typealias Authentication = TokenResponse
typealias V3TokenRequestResponse = TokenRequestResponse
typealias HTTPMetadata = HttpMetadata

/** What a redacted secret looks like in any output. */
const val REDACTED: String = "[redacted]"
