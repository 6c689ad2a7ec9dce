package io.tokenfetch

import io.tokenfetch.ffi.AuthorizationRequestData
import io.tokenfetch.ffi.DeviceAuthorizationData
import io.tokenfetch.ffi.IntrospectionData
import io.tokenfetch.ffi.authorizationRequestFromSessionJson
import io.tokenfetch.ffi.validateIdToken as nativeValidateIdToken
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement
import io.tokenfetch.ffi.NativeCancelToken
import io.tokenfetch.ffi.PkceData
import io.tokenfetch.ffi.ServerMetadataData
import io.tokenfetch.ffi.pkceFromVerifier
import io.tokenfetch.ffi.pkceGenerate

// The models of the endpoints beyond the token endpoint. Like TokenResponse, each wraps the
// generated record, whose data-class toString() would print every field (the device code and
// the PKCE verifier are secrets); toString() shows the core's redacted view instead.

/**
 * What an authorization server says about itself (RFC 8414 §2), as read by
 * [TokenClient.discover]. Members without a property are in [extraJson], as the server sent
 * them.
 */
class ServerMetadata internal constructor(private val data: ServerMetadataData) {
    /** The issuer, as the document names it (checked against the one asked for). */
    val issuer: String get() = data.issuer
    val authorizationEndpoint: String? get() = data.authorizationEndpoint
    val tokenEndpoint: String get() = data.tokenEndpoint
    val deviceAuthorizationEndpoint: String? get() = data.deviceAuthorizationEndpoint
    val revocationEndpoint: String? get() = data.revocationEndpoint
    val introspectionEndpoint: String? get() = data.introspectionEndpoint
    val jwksUri: String? get() = data.jwksUri

    /** Empty when the server does not say; RFC 8414 then means `client_secret_basic`. */
    val tokenEndpointAuthMethodsSupported: List<String> get() = data.tokenEndpointAuthMethodsSupported
    val codeChallengeMethodsSupported: List<String> get() = data.codeChallengeMethodsSupported
    val grantTypesSupported: List<String> get() = data.grantTypesSupported
    val scopesSupported: List<String> get() = data.scopesSupported

    /** RFC 9207: the server adds `iss` to every authorization response, so [TokenClient.parseCallback] requires it. */
    val authorizationResponseIssParameterSupported: Boolean get() = data.authorizationResponseIssParameterSupported

    /** Every other member of the document, as a JSON object. */
    val extraJson: String get() = data.extraJson

    override fun equals(other: Any?): Boolean = other is ServerMetadata && other.data == data

    override fun hashCode(): Int = data.hashCode()

    /** Every field, as the core's one redacted view shows it: secrets as `[redacted]`. */
    override fun toString(): String = data.shown
}

/**
 * An introspection response (RFC 7662 §2.2), from [TokenClient.introspect]. Only [active] is
 * always known: a server says nothing else about a token that is not active (revoked,
 * expired, unknown, or not the caller's to ask about).
 */
class Introspection internal constructor(private val data: IntrospectionData) {
    val active: Boolean get() = data.active

    /** Space-delimited scopes. */
    val scope: String? get() = data.scope
    val clientId: String? get() = data.clientId
    val username: String? get() = data.username
    val tokenType: String? get() = data.tokenType

    /** Expiry, in epoch seconds. */
    val exp: Long? get() = data.exp

    /** Issue time, in epoch seconds. */
    val iat: Long? get() = data.iat

    /** Not-before time, in epoch seconds. */
    val nbf: Long? get() = data.nbf
    val sub: String? get() = data.sub

    /** The audiences (a single string from the server becomes one entry). */
    val aud: List<String> get() = data.aud
    val iss: String? get() = data.iss
    val jti: String? get() = data.jti

    /** Every other member, as a JSON object. */
    val extraJson: String get() = data.extraJson

    override fun equals(other: Any?): Boolean = other is Introspection && other.data == data

    override fun hashCode(): Int = data.hashCode()

    /** Every field, as the core's one redacted view shows it: secrets as `[redacted]`. */
    override fun toString(): String = data.shown
}

/**
 * A device authorization response (RFC 8628 §3.2), from [TokenClient.deviceAuthorization]:
 * show the user [verificationUri] and [userCode] (or [verificationUriComplete], as a link or
 * QR code), then pass this to [TokenClient.pollDeviceToken].
 *
 * [toString] shows [deviceCode] as `[redacted]`.
 */
class DeviceAuthorization internal constructor(
    @get:JvmSynthetic @get:JvmName("nativeData") internal val data: DeviceAuthorizationData,
) {
    /** The code the device polls with. Secret: never shown by [toString]. */
    val deviceCode: String get() = data.deviceCode

    /** The code the user types in. */
    val userCode: String get() = data.userCode

    /** Where the user goes to type it. */
    val verificationUri: String get() = data.verificationUri

    /** The same page with the code filled in, when the server sends one. */
    val verificationUriComplete: String? get() = data.verificationUriComplete

    /** Lifetime of both codes, in seconds. */
    val expiresIn: Long get() = data.expiresIn

    /** Seconds to wait between polls; 5 when the server names none. */
    val interval: Long get() = data.interval

    /** When the codes expire, in epoch seconds. */
    val expiresAt: Long get() = data.expiresAt

    /** Every other member, as a JSON object. */
    val extraJson: String get() = data.extraJson

    override fun equals(other: Any?): Boolean = other is DeviceAuthorization && other.data == data

    override fun hashCode(): Int = data.hashCode()

    /** Every field, as the core's one redacted view shows it: secrets as `[redacted]`. */
    override fun toString(): String = data.shown
}

/**
 * A PKCE pair (RFC 7636): the secret [verifier] the client keeps, and the S256 [challenge]
 * it sends in the authorization URL. [toString] shows the verifier as `[redacted]`.
 */
class Pkce internal constructor(
    @get:JvmSynthetic @get:JvmName("nativeData") internal val data: PkceData,
) {
    /** The `code_verifier` to send with the authorization code. Secret: never shown by [toString]. */
    val verifier: String get() = data.verifier

    /** `BASE64URL(SHA256(verifier))`, the `code_challenge`. */
    val challenge: String get() = data.challenge

    /** Always `"S256"`: the `plain` method gives no protection against a stolen code. */
    val method: String get() = data.method

    override fun equals(other: Any?): Boolean = other is Pkce && other.data == data

    override fun hashCode(): Int = data.hashCode()

    /** Every field, as the core's one redacted view shows it: secrets as `[redacted]`. */
    override fun toString(): String = data.shown

    companion object {
        /** A fresh pair: 32 bytes from the operating system's CSPRNG, as a 43-character verifier. */
        @JvmStatic
        @Throws(TokenFetchException::class)
        fun generate(): Pkce = ffiCall { Pkce(pkceGenerate()) }

        /**
         * The pair for a verifier of your own: 43 to 128 characters, each a letter, a digit or
         * one of `-._~` (RFC 7636 §4.1); anything else is a [ConfigException].
         */
        @JvmStatic
        @Throws(TokenFetchException::class)
        fun fromVerifier(verifier: String): Pkce = ffiCall { Pkce(pkceFromVerifier(verifier)) }
    }
}

/**
 * An authorization URL and what the client keeps until the user comes back, from
 * [TokenClient.authorizationUrl]. [toString] shows the PKCE verifier as `[redacted]`.
 */
class AuthorizationRequest internal constructor(
    @get:JvmSynthetic @get:JvmName("nativeData") internal val data: AuthorizationRequestData,
) {
    /** The URL to send the user's browser to. */
    val url: String get() = data.url

    /** Pass it to [TokenClient.parseCallback] with the callback URL. */
    val state: String get() = data.state

    /** The OpenID Connect nonce sent, if any. */
    val nonce: String? get() = data.nonce

    /** Its [Pkce.verifier] goes with the code to [TokenClient.authorizationCode]. */
    val pkce: Pkce get() = Pkce(data.pkce)
    val redirectUri: String get() = data.redirectUri

    /** A pushed request's reference (RFC 9126), which [url] carries instead of the parameters; null when they are in it. */
    val requestUri: String? get() = data.requestUri

    /** The OpenID Connect `max_age` sent, if any. */
    @get:JvmSynthetic @get:JvmName("kotlinMaxAge")
    val maxAge: Duration? get() = data.maxAgeMs?.milliseconds

    /** [maxAge] as a `java.time.Duration`, for Java (API level 26 on Android). */
    @IgnoreJRERequirement
    fun getMaxAge(): java.time.Duration? = maxAge?.toJavaDuration()

    /**
     * The one value a web app keeps between the steps of a sign-in (state, nonce, PKCE
     * verifier, redirect URI), as JSON text. It holds the verifier, a secret: keep it in the
     * server-side session or an encrypted cookie. [fromSessionJson] reads it back.
     */
    fun toSessionJson(): String = data.sessionJson

    override fun equals(other: Any?): Boolean = other is AuthorizationRequest && other.data == data

    override fun hashCode(): Int = data.hashCode()

    /** Every field, as the core's one redacted view shows it: secrets as `[redacted]`. */
    override fun toString(): String = data.shown

    companion object {
        /** Reads back what [toSessionJson] wrote; anything else is a [ConfigException]. */
        @JvmStatic
        @Throws(TokenFetchException::class)
        fun fromSessionJson(text: String): AuthorizationRequest =
            ffiCall { AuthorizationRequest(authorizationRequestFromSessionJson(text)) }
    }
}

/**
 * ID tokens that arrived some other way than through a [TokenClient] (which validates its own
 * answers, reading and caching the issuer's JWKS).
 */
object IdTokens {
    /**
     * Validates [token] with a JWK Set you hold ([jwks], the document as JSON text), with no
     * network. [now] is epoch seconds (the current time when null); [algorithms] defaults to
     * RS256, PS256, ES256 and EdDSA. A failure is an [IdTokenException] whose
     * [TokenFetchException.idTokenCheck] names the check.
     */
    @JvmSynthetic
    @JvmName("kotlinValidate")
    @Throws(TokenFetchException::class)
    fun validate(
        token: String,
        jwks: String,
        issuer: String,
        clientId: String,
        nonce: String? = null,
        maxAge: Duration? = null,
        accessToken: String? = null,
        code: String? = null,
        clockSkew: Duration? = null,
        algorithms: List<String>? = null,
        clientSecret: String? = null,
        now: Long? = null,
    ): IdTokenClaims =
        validateMillis(
            token, jwks, issuer, clientId, nonce, maxAge?.inWholeMilliseconds, accessToken, code,
            clockSkew?.inWholeMilliseconds, algorithms, clientSecret, now,
        )

    /** [validate] with only what every validation needs, for Java. */
    @JvmStatic
    @Throws(TokenFetchException::class)
    fun validate(token: String, jwks: String, issuer: String, clientId: String): IdTokenClaims =
        validateMillis(token, jwks, issuer, clientId, null, null, null, null, null, null, null, null)

    /** [validate] for Java: durations as `java.time.Duration` (API level 26 on Android). */
    @JvmStatic
    @IgnoreJRERequirement
    @Throws(TokenFetchException::class)
    fun validate(
        token: String,
        jwks: String,
        issuer: String,
        clientId: String,
        nonce: String?,
        maxAge: java.time.Duration?,
        accessToken: String?,
        code: String?,
        clockSkew: java.time.Duration?,
        algorithms: List<String>?,
        clientSecret: String?,
        now: Long?,
    ): IdTokenClaims =
        validateMillis(
            token, jwks, issuer, clientId, nonce, maxAge?.toKotlinDuration()?.inWholeMilliseconds, accessToken, code,
            clockSkew?.toKotlinDuration()?.inWholeMilliseconds, algorithms, clientSecret, now,
        )

    private fun validateMillis(
        token: String,
        jwks: String,
        issuer: String,
        clientId: String,
        nonce: String?,
        maxAgeMs: Long?,
        accessToken: String?,
        code: String?,
        clockSkewMs: Long?,
        algorithms: List<String>?,
        clientSecret: String?,
        now: Long?,
    ): IdTokenClaims =
        ffiCall {
            IdTokenClaims(
                nativeValidateIdToken(token, jwks, issuer, clientId, nonce, maxAgeMs, accessToken, code, clockSkewMs, algorithms, clientSecret, now),
            )
        }
}

/**
 * Stops a device flow poll ([TokenClient.pollDeviceToken]) from another thread: [cancel]
 * wakes a poll that is waiting out its interval at once, and one that is mid-request as soon
 * as that request returns; the poll throws [CancelledException]. Thread-safe; one token may
 * stop several polls, and stays cancelled.
 */
class CancelToken {
    @get:JvmSynthetic @get:JvmName("nativeToken")
    internal val native: NativeCancelToken = ffiCall { NativeCancelToken() }

    fun cancel() = ffiCall { native.cancel() }

    val isCancelled: Boolean get() = ffiCall { native.isCancelled() }

    override fun toString(): String = "CancelToken(cancelled=$isCancelled)"
}
