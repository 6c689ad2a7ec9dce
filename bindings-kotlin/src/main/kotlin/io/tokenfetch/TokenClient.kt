package io.tokenfetch

import io.tokenfetch.ffi.NativeClientConfig
import io.tokenfetch.ffi.NativeTokenClient
import io.tokenfetch.ffi.NativeTokenRequest
import io.tokenfetch.ffi.displayUrl
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.Dispatchers

/** How the client proves its identity (RFC 6749 §2.3). */
enum class AuthMethod(internal val wire: String) {
    /** HTTP Basic, id and secret form-urlencoded first (RFC 6749 §2.3.1). The default. */
    CLIENT_SECRET_BASIC("client_secret_basic"),

    /** `client_id` and `client_secret` in the body. */
    CLIENT_SECRET_POST("client_secret_post"),

    /** A public client: `client_id` in the body, no secret. */
    NONE("none"),
}

/** How the request body is encoded. */
enum class BodyEncoding(internal val wire: String) {
    FORM("form"),

    /** Some providers (Gusto) take JSON. */
    JSON("json"),
}

/**
 * Configuration of a [TokenClient]. `toString()` never shows [clientSecret], header values
 * or the token URL's query values.
 *
 * @property timeout the deadline for a whole call, retries included.
 * @property rootCertificates PEM texts of certificate authorities to trust besides the
 *   bundled web PKI roots (or besides the OS store with [useOsTrustStore]): a company's own CA.
 * @property useOsTrustStore trust the operating system's store instead of the bundled roots.
 */
data class TokenClientConfig(
    val tokenUrl: String,
    val clientId: String? = null,
    val clientSecret: String? = null,
    val authMethod: AuthMethod = AuthMethod.CLIENT_SECRET_BASIC,
    val bodyEncoding: BodyEncoding = BodyEncoding.FORM,
    val scope: String? = null,
    val audience: List<String> = emptyList(),
    val resource: List<String> = emptyList(),
    val extraParams: Map<String, String> = emptyMap(),
    val headers: Map<String, String> = emptyMap(),
    val userAgent: String? = null,
    val timeout: Duration = 30.seconds,
    val connectTimeout: Duration = 10.seconds,
    val maxRetries: Int = 2,
    val maxResponseBytes: Long = 1024L * 1024L,
    val allowInsecureHttp: Boolean = false,
    val rootCertificates: List<String> = emptyList(),
    val useOsTrustStore: Boolean = false,
) {
    override fun toString(): String =
        "TokenClientConfig(tokenUrl=${displayUrl(tokenUrl)}, clientId=$clientId, clientSecret=${clientSecret?.let { REDACTED }}, " +
            "authMethod=$authMethod, bodyEncoding=$bodyEncoding, scope=$scope, timeout=$timeout, maxRetries=$maxRetries)"

    internal fun toNative() =
        NativeClientConfig(
            tokenUrl = tokenUrl,
            clientId = clientId,
            clientSecret = clientSecret,
            authMethod = authMethod.wire,
            bodyEncoding = bodyEncoding.wire,
            scope = scope,
            audience = audience,
            resource = resource,
            extraParams = extraParams,
            headers = headers,
            userAgent = userAgent,
            // Passed as they are: the core refuses negative, infinite and out-of-range values
            // with a ConfigException naming the option, the same rule in every language.
            timeoutMs = timeout.inWholeMilliseconds,
            connectTimeoutMs = connectTimeout.inWholeMilliseconds,
            maxRetries = maxRetries,
            maxResponseBytes = maxResponseBytes,
            allowInsecureHttp = allowInsecureHttp,
            rootCertificates = rootCertificates,
            useOsTrustStore = useOsTrustStore,
        )
}

/**
 * A client for one OAuth 2.0 token endpoint. Thread-safe; share one per endpoint.
 *
 * Every network method **blocks**; on Android's main thread it throws [ConfigException]
 * instead. Each has a coroutine twin (`await...`) that runs on [Dispatchers.IO]; prefer those.
 */
class TokenClient private constructor(internal val native: NativeTokenClient) : AutoCloseable {
    constructor(config: TokenClientConfig) : this(ffiCall { NativeTokenClient(config.toNative()) })

    /** The token endpoint URL; query values show as `[redacted]`. */
    val tokenUrl: String get() = native.tokenUrl()
    val clientId: String? get() = native.clientId()

    /** The deadline for a whole call, retries included. */
    val timeout: Duration get() = ffiCall { native.timeoutMs() }.milliseconds
    val connectTimeout: Duration get() = ffiCall { native.connectTimeoutMs() }.milliseconds
    val maxRetries: Int get() = ffiCall { native.maxRetries() }
    val maxResponseBytes: Long get() = ffiCall { native.maxResponseBytes() }

    /** Client credentials grant (RFC 6749 §4.4). [params] adds body parameters. Blocks. */
    @JvmOverloads
    fun clientCredentials(scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        fetch("clientCredentials", NativeTokenRequest.clientCredentials(scope), params)

    /** Refresh token grant (RFC 6749 §6). Blocks. */
    @JvmOverloads
    fun refresh(refreshToken: String, scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        fetch("refresh", NativeTokenRequest.refreshToken(refreshToken, scope), params)

    /** Resource owner password grant (RFC 6749 §4.3). Blocks. */
    @JvmOverloads
    fun password(
        username: String,
        password: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = fetch("password", NativeTokenRequest.password(username, password, scope), params)

    /** Authorization code grant (RFC 6749 §4.1.3), with the PKCE verifier when one was used. Blocks. */
    @JvmOverloads
    fun authorizationCode(
        code: String,
        redirectUri: String? = null,
        codeVerifier: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = fetch("authorizationCode", NativeTokenRequest.authorizationCode(code, redirectUri, codeVerifier), params)

    /** Token exchange (RFC 8693). Blocks. */
    @JvmOverloads
    fun tokenExchange(
        subjectToken: String,
        subjectTokenType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = fetch("tokenExchange", NativeTokenRequest.tokenExchange(subjectToken, subjectTokenType, scope), params)

    /** One device code poll (RFC 8628 §3.4); `authorization_pending` throws [OAuthException]. Blocks. */
    @JvmOverloads
    fun deviceCode(deviceCode: String, params: Map<String, String> = emptyMap()): TokenResponse =
        fetch("deviceCode", NativeTokenRequest.deviceCode(deviceCode), params)

    /** Any grant, with the HTTP metadata of the exchange. Blocks. */
    @JvmOverloads
    fun requestToken(grantType: String, scope: String? = null, params: Map<String, String> = emptyMap()): TokenRequestResponse {
        refuseOnMainThread("TokenClient.requestToken")
        return NativeTokenRequest.custom(grantType, scope, params).use { request ->
            ffiCall { TokenRequestResponse(native.send(request)) }
        }
    }

    suspend fun awaitClientCredentials(scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        io { clientCredentials(scope, params) }

    suspend fun awaitRefresh(refreshToken: String, scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        io { refresh(refreshToken, scope, params) }

    suspend fun awaitPassword(
        username: String,
        password: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = io { password(username, password, scope, params) }

    suspend fun awaitAuthorizationCode(
        code: String,
        redirectUri: String? = null,
        codeVerifier: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = io { authorizationCode(code, redirectUri, codeVerifier, params) }

    suspend fun awaitTokenExchange(
        subjectToken: String,
        subjectTokenType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = io { tokenExchange(subjectToken, subjectTokenType, scope, params) }

    suspend fun awaitDeviceCode(deviceCode: String, params: Map<String, String> = emptyMap()): TokenResponse =
        io { deviceCode(deviceCode, params) }

    suspend fun awaitRequestToken(
        grantType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenRequestResponse = io { requestToken(grantType, scope, params) }

    private fun fetch(call: String, request: NativeTokenRequest, params: Map<String, String>): TokenResponse {
        refuseOnMainThread("TokenClient.$call")
        return request.use { base ->
            val full = if (params.isEmpty()) base else base.withParams(params)
            try {
                ffiCall { TokenResponse(native.fetch(full)) }
            } finally {
                if (full !== base) full.close()
            }
        }
    }

    /** Frees the native client now rather than at garbage collection. */
    override fun close() = native.close()

    override fun toString(): String = "TokenClient(tokenUrl=$tokenUrl, clientId=$clientId)"

    companion object {
        /** Prove's token endpoint; [env] is uat-us (default), prod-us, uat-eu or prod-eu. */
        @JvmStatic
        @JvmOverloads
        fun prove(clientId: String, clientSecret: String, env: String = "uat-us", tokenUrl: String? = null): TokenClient =
            TokenClient(ffiCall { NativeTokenClient.prove(clientId, clientSecret, env, tokenUrl) })

        /** Gusto's token endpoint; [env] is demo (default) or prod. Its default grant is `system_access`. */
        @JvmStatic
        @JvmOverloads
        fun gusto(clientId: String, clientSecret: String, env: String = "demo", tokenUrl: String? = null): TokenClient =
            TokenClient(ffiCall { NativeTokenClient.gusto(clientId, clientSecret, env, tokenUrl) })
    }
}
