package io.tokenfetch

import io.tokenfetch.ffi.NativeClientConfig
import io.tokenfetch.ffi.NativeTokenClient
import io.tokenfetch.ffi.NativeTokenRequest
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

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
 * Configuration of a [TokenClient]. `toString()` never shows [clientSecret].
 *
 * @property timeout the deadline for a whole call, retries included.
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
) {
    override fun toString(): String =
        "TokenClientConfig(tokenUrl=$tokenUrl, clientId=$clientId, clientSecret=${clientSecret?.let { REDACTED }}, " +
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
            // Non-positive values become 0, which the core rejects with a ConfigException.
            timeoutMs = timeout.inWholeMilliseconds.coerceAtLeast(0).toULong(),
            connectTimeoutMs = connectTimeout.inWholeMilliseconds.coerceAtLeast(0).toULong(),
            maxRetries = maxRetries.coerceAtLeast(0).toUInt(),
            maxResponseBytes = maxResponseBytes.coerceAtLeast(0).toULong(),
            allowInsecureHttp = allowInsecureHttp,
        )
}

/**
 * A client for one OAuth 2.0 token endpoint. Thread-safe; share one per endpoint.
 *
 * Every network method **blocks**: never call it on Android's main thread. Each has a
 * coroutine twin (`await...`) that runs on [Dispatchers.IO]; prefer those.
 */
class TokenClient private constructor(internal val native: NativeTokenClient) : AutoCloseable {
    constructor(config: TokenClientConfig) : this(ffiCall { NativeTokenClient(config.toNative()) })

    val tokenUrl: String get() = native.tokenUrl()
    val clientId: String? get() = native.clientId()

    /** Client credentials grant (RFC 6749 §4.4). Blocks. */
    @JvmOverloads
    fun clientCredentials(scope: String? = null): TokenResponse = fetch(NativeTokenRequest.clientCredentials(scope))

    /** Refresh token grant (RFC 6749 §6). Blocks. */
    @JvmOverloads
    fun refresh(refreshToken: String, scope: String? = null): TokenResponse =
        fetch(NativeTokenRequest.refreshToken(refreshToken, scope))

    /** Resource owner password grant (RFC 6749 §4.3). Blocks. */
    @JvmOverloads
    fun password(username: String, password: String, scope: String? = null): TokenResponse =
        fetch(NativeTokenRequest.password(username, password, scope))

    /** Authorization code grant (RFC 6749 §4.1.3), with the PKCE verifier when one was used. Blocks. */
    @JvmOverloads
    fun authorizationCode(code: String, redirectUri: String? = null, codeVerifier: String? = null): TokenResponse =
        fetch(NativeTokenRequest.authorizationCode(code, redirectUri, codeVerifier))

    /** Token exchange (RFC 8693). Blocks. */
    @JvmOverloads
    fun tokenExchange(subjectToken: String, subjectTokenType: String, scope: String? = null): TokenResponse =
        fetch(NativeTokenRequest.tokenExchange(subjectToken, subjectTokenType, scope))

    /** One device code poll (RFC 8628 §3.4); `authorization_pending` throws [OAuthException]. Blocks. */
    fun deviceCode(deviceCode: String): TokenResponse = fetch(NativeTokenRequest.deviceCode(deviceCode))

    /** Any grant, with the HTTP metadata of the exchange. Blocks. */
    @JvmOverloads
    fun requestToken(grantType: String, scope: String? = null, params: Map<String, String> = emptyMap()): TokenRequestResponse =
        NativeTokenRequest.custom(grantType, scope, params).use { request ->
            ffiCall { TokenRequestResponse(native.send(request)) }
        }

    suspend fun awaitClientCredentials(scope: String? = null): TokenResponse = io { clientCredentials(scope) }

    suspend fun awaitRefresh(refreshToken: String, scope: String? = null): TokenResponse = io { refresh(refreshToken, scope) }

    suspend fun awaitPassword(username: String, password: String, scope: String? = null): TokenResponse =
        io { password(username, password, scope) }

    suspend fun awaitAuthorizationCode(code: String, redirectUri: String? = null, codeVerifier: String? = null): TokenResponse =
        io { authorizationCode(code, redirectUri, codeVerifier) }

    suspend fun awaitTokenExchange(subjectToken: String, subjectTokenType: String, scope: String? = null): TokenResponse =
        io { tokenExchange(subjectToken, subjectTokenType, scope) }

    suspend fun awaitDeviceCode(deviceCode: String): TokenResponse = io { deviceCode(deviceCode) }

    suspend fun awaitRequestToken(
        grantType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenRequestResponse = io { requestToken(grantType, scope, params) }

    private fun fetch(request: NativeTokenRequest): TokenResponse =
        request.use { ffiCall { TokenResponse(native.fetch(it)) } }

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

internal suspend fun <T> io(block: () -> T): T = withContext(Dispatchers.IO) { block() }
