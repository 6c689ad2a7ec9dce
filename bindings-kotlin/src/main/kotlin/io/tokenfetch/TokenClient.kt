package io.tokenfetch

import io.tokenfetch.ffi.AuthorizationOptionsData
import io.tokenfetch.ffi.NativeClientConfig
import io.tokenfetch.ffi.NativeTokenClient
import io.tokenfetch.ffi.NativeTokenRequest
import io.tokenfetch.ffi.clearDiscoveryCache as nativeClearDiscoveryCache
import io.tokenfetch.ffi.displayUrl
import java.util.concurrent.CompletableFuture
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.future.await
import org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement

/** How the client proves its identity (RFC 6749 §2.3). */
enum class AuthMethod(@get:JvmSynthetic @get:JvmName("wire") internal val wire: String) {
    /** HTTP Basic, id and secret form-urlencoded first (RFC 6749 §2.3.1). The default. */
    CLIENT_SECRET_BASIC("client_secret_basic"),

    /** `client_id` and `client_secret` in the body. */
    CLIENT_SECRET_POST("client_secret_post"),

    /** A public client: `client_id` in the body, no secret. */
    NONE("none"),
}

/** How the request body is encoded. */
enum class BodyEncoding(@get:JvmSynthetic @get:JvmName("wire") internal val wire: String) {
    FORM("form"),

    /** Some providers (Gusto) take JSON. */
    JSON("json"),
}

/**
 * Configuration of a [TokenClient]. Immutable; `toString()` never shows [clientSecret], header
 * values or the token URL's query values.
 *
 * From Kotlin, call the constructor with named arguments and change a copy with [copy]:
 * ```
 * TokenClientConfig(tokenUrl, clientId = "id", clientSecret = secret, timeout = 10.seconds)
 * ```
 * From Java, use the builder (the constructor takes `kotlin.time.Duration`, which Java cannot
 * pass, so Java does not see it):
 * ```
 * TokenClientConfig.builder(tokenUrl).clientId("id").clientSecret(secret)
 *     .timeout(Duration.ofSeconds(10)).build();
 * ```
 * Nothing is checked here: [TokenClient]'s constructor checks every value and throws
 * [ConfigException] naming the option to fix, the same rule in every language.
 *
 * For a client built from an issuer's discovery document ([TokenClient.discover]), leave
 * [tokenUrl] out: every endpoint comes from the document.
 *
 * @property tokenUrl the token endpoint. Required by [TokenClient]'s constructor; on a
 *   discovered client, it replaces the discovered token endpoint.
 * @property authMethod null (the default) means `client_secret_basic`, or, on a discovered
 *   client, one the server lists (`none` for a client without a secret).
 * @property timeout the deadline for a whole call, retries included.
 * @property rootCertificates PEM texts of certificate authorities to trust besides the
 *   bundled web PKI roots (or besides the OS store with [useOsTrustStore]): a company's own CA.
 * @property useOsTrustStore trust the operating system's store instead of the bundled roots.
 * @property issuer the issuer this client trusts, for a client not built by discovery: an
 *   authorization callback's `iss` must then match it (RFC 9207). Discovery sets it.
 * @property authorizationEndpoint where [TokenClient.authorizationUrl] sends the user.
 *   Discovery sets it, as it sets the three below.
 * @property deviceAuthorizationEndpoint RFC 8628's device authorization endpoint.
 * @property revocationEndpoint RFC 7009's revocation endpoint.
 * @property introspectionEndpoint RFC 7662's introspection endpoint.
 * @property discoveryTtl how long a discovery document read for one client is reused by the
 *   next client built for the same issuer in this process; null is the core's default (an
 *   hour), zero reads it every time, at most a day.
 */
class TokenClientConfig(
    val tokenUrl: String? = null,
    val clientId: String? = null,
    val clientSecret: String? = null,
    val authMethod: AuthMethod? = null,
    val bodyEncoding: BodyEncoding = BodyEncoding.FORM,
    val scope: String? = null,
    val audience: List<String> = emptyList(),
    val resource: List<String> = emptyList(),
    val extraParams: Map<String, String> = emptyMap(),
    val headers: Map<String, String> = emptyMap(),
    val userAgent: String? = null,
    @get:JvmSynthetic @get:JvmName("kotlinTimeout")
    val timeout: Duration = DEFAULT_TIMEOUT,
    @get:JvmSynthetic @get:JvmName("kotlinConnectTimeout")
    val connectTimeout: Duration = DEFAULT_CONNECT_TIMEOUT,
    val maxRetries: Int = DEFAULT_MAX_RETRIES,
    val maxResponseBytes: Long = DEFAULT_MAX_RESPONSE_BYTES,
    val allowInsecureHttp: Boolean = false,
    val rootCertificates: List<String> = emptyList(),
    val useOsTrustStore: Boolean = false,
    val issuer: String? = null,
    val authorizationEndpoint: String? = null,
    val deviceAuthorizationEndpoint: String? = null,
    val revocationEndpoint: String? = null,
    val introspectionEndpoint: String? = null,
    @get:JvmSynthetic @get:JvmName("kotlinDiscoveryTtl")
    val discoveryTtl: Duration? = null,
) {
    /** [timeout] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getTimeout(): java.time.Duration = timeout.toJavaDuration()

    /** [connectTimeout] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getConnectTimeout(): java.time.Duration = connectTimeout.toJavaDuration()

    /** [discoveryTtl] as a `java.time.Duration`, for Java; null when left to the core's default. */
    @IgnoreJRERequirement
    fun getDiscoveryTtl(): java.time.Duration? = discoveryTtl?.toJavaDuration()

    /** A copy with some values changed, as a data class's `copy` would make. */
    @JvmSynthetic
    @JvmName("kotlinCopy")
    fun copy(
        tokenUrl: String? = this.tokenUrl,
        clientId: String? = this.clientId,
        clientSecret: String? = this.clientSecret,
        authMethod: AuthMethod? = this.authMethod,
        bodyEncoding: BodyEncoding = this.bodyEncoding,
        scope: String? = this.scope,
        audience: List<String> = this.audience,
        resource: List<String> = this.resource,
        extraParams: Map<String, String> = this.extraParams,
        headers: Map<String, String> = this.headers,
        userAgent: String? = this.userAgent,
        timeout: Duration = this.timeout,
        connectTimeout: Duration = this.connectTimeout,
        maxRetries: Int = this.maxRetries,
        maxResponseBytes: Long = this.maxResponseBytes,
        allowInsecureHttp: Boolean = this.allowInsecureHttp,
        rootCertificates: List<String> = this.rootCertificates,
        useOsTrustStore: Boolean = this.useOsTrustStore,
        issuer: String? = this.issuer,
        authorizationEndpoint: String? = this.authorizationEndpoint,
        deviceAuthorizationEndpoint: String? = this.deviceAuthorizationEndpoint,
        revocationEndpoint: String? = this.revocationEndpoint,
        introspectionEndpoint: String? = this.introspectionEndpoint,
        discoveryTtl: Duration? = this.discoveryTtl,
    ): TokenClientConfig =
        TokenClientConfig(
            tokenUrl, clientId, clientSecret, authMethod, bodyEncoding, scope, audience, resource, extraParams,
            headers, userAgent, timeout, connectTimeout, maxRetries, maxResponseBytes, allowInsecureHttp,
            rootCertificates, useOsTrustStore, issuer, authorizationEndpoint, deviceAuthorizationEndpoint,
            revocationEndpoint, introspectionEndpoint, discoveryTtl,
        )

    /** A builder holding this configuration's values, to change some of them (from Java). */
    fun newBuilder(): Builder = Builder(this)

    private fun values(): List<Any?> =
        listOf(
            tokenUrl, clientId, clientSecret, authMethod, bodyEncoding, scope, audience, resource, extraParams,
            headers, userAgent, timeout, connectTimeout, maxRetries, maxResponseBytes, allowInsecureHttp,
            rootCertificates, useOsTrustStore, issuer, authorizationEndpoint, deviceAuthorizationEndpoint,
            revocationEndpoint, introspectionEndpoint, discoveryTtl,
        )

    override fun equals(other: Any?): Boolean = other is TokenClientConfig && other.values() == values()

    override fun hashCode(): Int = values().hashCode()

    override fun toString(): String =
        "TokenClientConfig(tokenUrl=${tokenUrl?.let(::displayUrl)}, clientId=$clientId, clientSecret=${clientSecret?.let { REDACTED }}, " +
            // The method's name, not the enum itself: R8 8.13 unboxes the enum to an int and,
            // when an app never sets it, passes a null constant in that int's place in the
            // string concatenation, which the JVM verifier rejects (the sample app's R8 test).
            "authMethod=${authMethod?.name}, bodyEncoding=$bodyEncoding, scope=$scope, timeout=$timeout, maxRetries=$maxRetries, " +
            "issuer=${issuer?.let(::displayUrl)})"

    @JvmSynthetic
    @JvmName("toNativeConfig")
    internal fun toNative() =
        NativeClientConfig(
            tokenUrl = tokenUrl,
            clientId = clientId,
            clientSecret = clientSecret,
            authMethod = authMethod?.wire,
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
            issuer = issuer,
            authorizationEndpoint = authorizationEndpoint,
            deviceAuthorizationEndpoint = deviceAuthorizationEndpoint,
            revocationEndpoint = revocationEndpoint,
            introspectionEndpoint = introspectionEndpoint,
            discoveryTtlMs = discoveryTtl?.inWholeMilliseconds,
        )

    /**
     * Builds a [TokenClientConfig] step by step, the way Java code configures a client.
     * Every setter returns this builder; [build] may be called more than once.
     */
    class Builder internal constructor(private var config: TokenClientConfig) {
        /** The token endpoint; on a discovered client, it replaces the discovered one. */
        fun tokenUrl(tokenUrl: String?): Builder = apply { config = config.copy(tokenUrl = tokenUrl) }

        fun clientId(clientId: String?): Builder = apply { config = config.copy(clientId = clientId) }

        fun clientSecret(clientSecret: String?): Builder = apply { config = config.copy(clientSecret = clientSecret) }

        /** Null (the default): `CLIENT_SECRET_BASIC`, or on a discovered client one the server lists. */
        fun authMethod(authMethod: AuthMethod?): Builder = apply { config = config.copy(authMethod = authMethod) }

        fun bodyEncoding(bodyEncoding: BodyEncoding): Builder = apply { config = config.copy(bodyEncoding = bodyEncoding) }

        fun scope(scope: String?): Builder = apply { config = config.copy(scope = scope) }

        fun audience(audience: List<String>): Builder = apply { config = config.copy(audience = audience.toList()) }

        fun resource(resource: List<String>): Builder = apply { config = config.copy(resource = resource.toList()) }

        fun extraParams(extraParams: Map<String, String>): Builder = apply { config = config.copy(extraParams = extraParams.toMap()) }

        /** Adds one body parameter to [extraParams]. */
        fun extraParam(name: String, value: String): Builder = apply { config = config.copy(extraParams = config.extraParams + (name to value)) }

        fun headers(headers: Map<String, String>): Builder = apply { config = config.copy(headers = headers.toMap()) }

        /** Adds one header to [headers]. Its value is treated as a credential in every output. */
        fun header(name: String, value: String): Builder = apply { config = config.copy(headers = config.headers + (name to value)) }

        fun userAgent(userAgent: String?): Builder = apply { config = config.copy(userAgent = userAgent) }

        /** The deadline for a whole call, retries included; default 30 s. */
        @IgnoreJRERequirement
        fun timeout(timeout: java.time.Duration): Builder = timeout(timeout.toKotlinDuration())

        @JvmSynthetic
        @JvmName("kotlinTimeout")
        fun timeout(timeout: Duration): Builder = apply { config = config.copy(timeout = timeout) }

        /** The deadline for connecting, within [timeout]; default 10 s. */
        @IgnoreJRERequirement
        fun connectTimeout(connectTimeout: java.time.Duration): Builder = connectTimeout(connectTimeout.toKotlinDuration())

        @JvmSynthetic
        @JvmName("kotlinConnectTimeout")
        fun connectTimeout(connectTimeout: Duration): Builder = apply { config = config.copy(connectTimeout = connectTimeout) }

        /** Retries of a transient failure (connect error, 5xx, 429); 0 to 10, default 2. */
        fun maxRetries(maxRetries: Int): Builder = apply { config = config.copy(maxRetries = maxRetries) }

        /** The largest response body read; default 1 MiB. */
        fun maxResponseBytes(maxResponseBytes: Long): Builder = apply { config = config.copy(maxResponseBytes = maxResponseBytes) }

        /** Allows plain `http://` to a host that is not loopback (loopback always is). It sends the secret in clear text. */
        fun allowInsecureHttp(allowInsecureHttp: Boolean): Builder = apply { config = config.copy(allowInsecureHttp = allowInsecureHttp) }

        fun rootCertificates(rootCertificates: List<String>): Builder =
            apply { config = config.copy(rootCertificates = rootCertificates.toList()) }

        fun useOsTrustStore(useOsTrustStore: Boolean): Builder = apply { config = config.copy(useOsTrustStore = useOsTrustStore) }

        /** The issuer this client trusts, for a client not built by discovery (RFC 9207's `iss` check). */
        fun issuer(issuer: String?): Builder = apply { config = config.copy(issuer = issuer) }

        /** Where [TokenClient.authorizationUrl] sends the user; discovery sets it. */
        fun authorizationEndpoint(url: String?): Builder = apply { config = config.copy(authorizationEndpoint = url) }

        /** RFC 8628's device authorization endpoint; discovery sets it. */
        fun deviceAuthorizationEndpoint(url: String?): Builder = apply { config = config.copy(deviceAuthorizationEndpoint = url) }

        /** RFC 7009's revocation endpoint; discovery sets it. */
        fun revocationEndpoint(url: String?): Builder = apply { config = config.copy(revocationEndpoint = url) }

        /** RFC 7662's introspection endpoint; discovery sets it. */
        fun introspectionEndpoint(url: String?): Builder = apply { config = config.copy(introspectionEndpoint = url) }

        /** How long a discovery document is reused for the same issuer; default an hour, zero never, at most a day. */
        @IgnoreJRERequirement
        fun discoveryTtl(discoveryTtl: java.time.Duration?): Builder = apply { config = config.copy(discoveryTtl = discoveryTtl?.toKotlinDuration()) }

        @JvmSynthetic
        @JvmName("kotlinDiscoveryTtl")
        fun discoveryTtl(discoveryTtl: Duration): Builder = apply { config = config.copy(discoveryTtl = discoveryTtl) }

        fun build(): TokenClientConfig = config
    }

    companion object {
        /** A builder for a client of [tokenUrl], every other value at its default. */
        @JvmStatic
        fun builder(tokenUrl: String): Builder = Builder(TokenClientConfig(tokenUrl))

        /** A builder without a token URL, for [TokenClient.discover], every value at its default. */
        @JvmStatic
        fun builder(): Builder = Builder(TokenClientConfig())
    }
}

private val DEFAULT_TIMEOUT = 30.seconds
private val DEFAULT_CONNECT_TIMEOUT = 10.seconds
private const val DEFAULT_MAX_RETRIES = 2
private const val DEFAULT_MAX_RESPONSE_BYTES = 1024L * 1024L

/**
 * A client for one OAuth 2.0 token endpoint. Thread-safe; share one per endpoint.
 *
 * Every network method **blocks**; on Android's main thread it throws [ConfigException]
 * instead. Each has two non-blocking twins that run it on [Dispatchers.IO]: a coroutine one for
 * Kotlin (`awaitClientCredentials`) and a `CompletableFuture` one for Java
 * (`clientCredentialsAsync`). Cancelling either means the same: the caller stops waiting at
 * once, and the fetch already sent finishes in the background within [timeout], its result
 * dropped.
 *
 * Failures are [TokenFetchException]s, unchecked. A future completes exceptionally with one
 * (wrapped in `CompletionException` or `ExecutionException` by `join()` and `get()`).
 *
 * Besides the token endpoint, a client knows the server's other endpoints when it was built
 * with [discover] (or given them in [TokenClientConfig]): [revoke], [introspect], the device
 * flow ([deviceAuthorization], [pollDeviceToken]) and the authorization code flow's front
 * channel ([authorizationUrl], [parseCallback]). A call to an endpoint the client does not
 * know throws [ConfigException] saying how to get it.
 */
class TokenClient private constructor(
    @get:JvmSynthetic @get:JvmName("nativeClient") internal val native: NativeTokenClient,
) : AutoCloseable {
    @Throws(TokenFetchException::class)
    constructor(config: TokenClientConfig) : this(ffiCall { NativeTokenClient(config.toNative()) })

    /** The token endpoint URL; query values show as `[redacted]`. */
    val tokenUrl: String get() = native.tokenUrl()
    val clientId: String? get() = native.clientId()

    /** The deadline for a whole call, retries included. */
    @get:JvmSynthetic @get:JvmName("kotlinTimeout")
    val timeout: Duration get() = ffiCall { native.timeoutMs() }.milliseconds

    @get:JvmSynthetic @get:JvmName("kotlinConnectTimeout")
    val connectTimeout: Duration get() = ffiCall { native.connectTimeoutMs() }.milliseconds

    /** [timeout] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getTimeout(): java.time.Duration = timeout.toJavaDuration()

    /** [connectTimeout] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getConnectTimeout(): java.time.Duration = connectTimeout.toJavaDuration()

    val maxRetries: Int get() = ffiCall { native.maxRetries() }
    val maxResponseBytes: Long get() = ffiCall { native.maxResponseBytes() }

    /** The issuer the client trusts: discovered, or [TokenClientConfig.issuer]. */
    val issuer: String? get() = ffiCall { native.issuer() }

    /** The discovery document the client was built from; null for a client not built by [discover]. */
    val serverMetadata: ServerMetadata? get() = ffiCall { native.serverMetadata() }?.let(::ServerMetadata)

    /** Client credentials grant (RFC 6749 §4.4). [params] adds body parameters. Blocks. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun clientCredentials(scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        fetch("clientCredentials", NativeTokenRequest.clientCredentials(scope), params)

    /** Refresh token grant (RFC 6749 §6). Blocks. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun refresh(refreshToken: String, scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        fetch("refresh", NativeTokenRequest.refreshToken(refreshToken, scope), params)

    /** Resource owner password grant (RFC 6749 §4.3). Blocks. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun password(
        username: String,
        password: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = fetch("password", NativeTokenRequest.password(username, password, scope), params)

    /** Authorization code grant (RFC 6749 §4.1.3), with the PKCE verifier when one was used. Blocks. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun authorizationCode(
        code: String,
        redirectUri: String? = null,
        codeVerifier: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = fetch("authorizationCode", NativeTokenRequest.authorizationCode(code, redirectUri, codeVerifier), params)

    /** Token exchange (RFC 8693). Blocks. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun tokenExchange(
        subjectToken: String,
        subjectTokenType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = fetch("tokenExchange", NativeTokenRequest.tokenExchange(subjectToken, subjectTokenType, scope), params)

    /** One device code poll (RFC 8628 §3.4); `authorization_pending` throws [OAuthException]. Blocks. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun deviceCode(deviceCode: String, params: Map<String, String> = emptyMap()): TokenResponse =
        fetch("deviceCode", NativeTokenRequest.deviceCode(deviceCode), params)

    /**
     * Revokes a token (RFC 7009): an access token, or a refresh token and the grant behind it.
     * [tokenTypeHint] is `"access_token"` or `"refresh_token"`, when known. Revoking a token the
     * server does not know succeeds too. Blocks.
     */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun revoke(token: String, tokenTypeHint: String? = null) {
        refuseOnMainThread("TokenClient.revoke")
        ffiCall { native.revoke(token, tokenTypeHint) }
    }

    /**
     * Asks the server about a token (RFC 7662). An expired, revoked or unknown token gives
     * `active == false`, not an exception. Blocks.
     */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun introspect(token: String, tokenTypeHint: String? = null): Introspection {
        refuseOnMainThread("TokenClient.introspect")
        return ffiCall { Introspection(native.introspect(token, tokenTypeHint)) }
    }

    /**
     * Starts the device flow (RFC 8628 §3.1): the codes to show the user. [scope] replaces the
     * configured one. Pass the result to [pollDeviceToken]. Blocks.
     */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun deviceAuthorization(scope: String? = null): DeviceAuthorization {
        refuseOnMainThread("TokenClient.deviceAuthorization")
        return ffiCall { DeviceAuthorization(native.deviceAuthorization(scope)) }
    }

    /**
     * Polls the token endpoint until the user approves (the token), denies ([OAuthException]
     * `access_denied`) or the code expires (`expired_token`; with a null `status` when they
     * expire before the next poll is due). It waits the
     * server's `interval` between polls, and five seconds more after each `slow_down`.
     *
     * Blocks for as long as the user takes. [cancel] stops it from another thread: a poll
     * waiting out its interval returns at once, one mid-request when that request returns,
     * with [CancelledException]. From a coroutine, [awaitPollDeviceToken] is cancelled with
     * the coroutine.
     */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun pollDeviceToken(authorization: DeviceAuthorization, cancel: CancelToken? = null): TokenResponse {
        refuseOnMainThread("TokenClient.pollDeviceToken")
        val token = cancel ?: CancelToken()
        try {
            return ffiCall { TokenResponse(native.pollDeviceToken(authorization.data, token.native)) }
        } finally {
            if (cancel == null) token.native.close()
        }
    }

    /**
     * The URL that starts the authorization code flow, from the `authorization_endpoint`. A
     * random [state] and a PKCE pair are made when not given; [scope] defaults to the
     * configured one; [nonce] (OpenID Connect) is sent only when given; [extra] adds query
     * parameters (`prompt`, `login_hint`, ...) but may not replace the ones above. Keep the
     * returned request until the callback: pass its `state` to [parseCallback], then its
     * `pkce.verifier` and `redirectUri` to [authorizationCode]. No network call.
     */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun authorizationUrl(
        redirectUri: String,
        scope: String? = null,
        state: String? = null,
        nonce: String? = null,
        pkce: Pkce? = null,
        extra: Map<String, String> = emptyMap(),
    ): AuthorizationRequest =
        ffiCall {
            AuthorizationRequest(native.authorizationUrl(redirectUri, AuthorizationOptionsData(scope, state, nonce, pkce?.data, extra)))
        }

    /**
     * The authorization code in the URL the user was redirected back to. Its `state` must be
     * [expectedState] and its `iss`, when sent (or promised by the server's metadata), this
     * client's [issuer] (RFC 9207); otherwise [ConfigException], and its code must not be used.
     * An `error` in the callback is an [OAuthException] with that code and no status. No
     * network call.
     */
    @Throws(TokenFetchException::class)
    fun parseCallback(callbackUrl: String, expectedState: String): String =
        ffiCall { native.parseCallback(callbackUrl, expectedState) }

    /** Any grant, with the HTTP metadata of the exchange. Blocks. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun requestToken(grantType: String, scope: String? = null, params: Map<String, String> = emptyMap()): TokenRequestResponse {
        refuseOnMainThread("TokenClient.requestToken")
        return NativeTokenRequest.custom(grantType, scope, params).use { request ->
            ffiCall { TokenRequestResponse(native.send(request)) }
        }
    }

    // --- Kotlin: suspend twins (hidden from Java, which cannot pass a Continuation) ---------

    @JvmSynthetic
    suspend fun awaitClientCredentials(scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        io { clientCredentials(scope, params) }

    @JvmSynthetic
    suspend fun awaitRefresh(refreshToken: String, scope: String? = null, params: Map<String, String> = emptyMap()): TokenResponse =
        io { refresh(refreshToken, scope, params) }

    @JvmSynthetic
    suspend fun awaitPassword(
        username: String,
        password: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = io { password(username, password, scope, params) }

    @JvmSynthetic
    suspend fun awaitAuthorizationCode(
        code: String,
        redirectUri: String? = null,
        codeVerifier: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = io { authorizationCode(code, redirectUri, codeVerifier, params) }

    @JvmSynthetic
    suspend fun awaitTokenExchange(
        subjectToken: String,
        subjectTokenType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenResponse = io { tokenExchange(subjectToken, subjectTokenType, scope, params) }

    @JvmSynthetic
    suspend fun awaitDeviceCode(deviceCode: String, params: Map<String, String> = emptyMap()): TokenResponse =
        io { deviceCode(deviceCode, params) }

    @JvmSynthetic
    suspend fun awaitRequestToken(
        grantType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): TokenRequestResponse = io { requestToken(grantType, scope, params) }

    @JvmSynthetic
    suspend fun awaitRevoke(token: String, tokenTypeHint: String? = null): Unit = io { revoke(token, tokenTypeHint) }

    @JvmSynthetic
    suspend fun awaitIntrospect(token: String, tokenTypeHint: String? = null): Introspection = io { introspect(token, tokenTypeHint) }

    @JvmSynthetic
    suspend fun awaitDeviceAuthorization(scope: String? = null): DeviceAuthorization = io { deviceAuthorization(scope) }

    /**
     * [pollDeviceToken] for coroutines. Cancelling the coroutine (`withTimeout`, a closed scope,
     * `job.cancel()`) cancels the poll itself: it ends with the coroutine's
     * `CancellationException` at once, and the native poll stops as well, not at its next
     * request.
     */
    @JvmSynthetic
    suspend fun awaitPollDeviceToken(authorization: DeviceAuthorization): TokenResponse = pollDeviceTokenAsync(authorization).await()

    // --- Java: CompletableFuture twins ---------------------------------------------------

    /** [clientCredentials] without blocking the caller. */
    @JvmOverloads
    fun clientCredentialsAsync(scope: String? = null, params: Map<String, String> = emptyMap()): CompletableFuture<TokenResponse> =
        async { clientCredentials(scope, params) }

    /** [refresh] without blocking the caller. */
    @JvmOverloads
    fun refreshAsync(
        refreshToken: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): CompletableFuture<TokenResponse> = async { refresh(refreshToken, scope, params) }

    /** [password] without blocking the caller. */
    @JvmOverloads
    fun passwordAsync(
        username: String,
        password: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): CompletableFuture<TokenResponse> = async { password(username, password, scope, params) }

    /** [authorizationCode] without blocking the caller. */
    @JvmOverloads
    fun authorizationCodeAsync(
        code: String,
        redirectUri: String? = null,
        codeVerifier: String? = null,
        params: Map<String, String> = emptyMap(),
    ): CompletableFuture<TokenResponse> = async { authorizationCode(code, redirectUri, codeVerifier, params) }

    /** [tokenExchange] without blocking the caller. */
    @JvmOverloads
    fun tokenExchangeAsync(
        subjectToken: String,
        subjectTokenType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): CompletableFuture<TokenResponse> = async { tokenExchange(subjectToken, subjectTokenType, scope, params) }

    /** [deviceCode] without blocking the caller. */
    @JvmOverloads
    fun deviceCodeAsync(deviceCode: String, params: Map<String, String> = emptyMap()): CompletableFuture<TokenResponse> =
        async { deviceCode(deviceCode, params) }

    /** [requestToken] without blocking the caller. */
    @JvmOverloads
    fun requestTokenAsync(
        grantType: String,
        scope: String? = null,
        params: Map<String, String> = emptyMap(),
    ): CompletableFuture<TokenRequestResponse> = async { requestToken(grantType, scope, params) }

    /** [revoke] without blocking the caller. */
    @JvmOverloads
    fun revokeAsync(token: String, tokenTypeHint: String? = null): CompletableFuture<Void?> =
        async {
            revoke(token, tokenTypeHint)
            null
        }

    /** [introspect] without blocking the caller. */
    @JvmOverloads
    fun introspectAsync(token: String, tokenTypeHint: String? = null): CompletableFuture<Introspection> =
        async { introspect(token, tokenTypeHint) }

    /** [deviceAuthorization] without blocking the caller. */
    @JvmOverloads
    fun deviceAuthorizationAsync(scope: String? = null): CompletableFuture<DeviceAuthorization> = async { deviceAuthorization(scope) }

    /**
     * [pollDeviceToken] without blocking the caller. Cancelling the future (`cancel(true)` or
     * `cancel(false)`) completes it with a `CancellationException` at once and stops the poll.
     */
    fun pollDeviceTokenAsync(authorization: DeviceAuthorization): CompletableFuture<TokenResponse> {
        val cancel = CancelToken()
        return async(cancel) { pollDeviceToken(authorization, cancel) }
    }

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
        @Throws(TokenFetchException::class)
        fun prove(clientId: String, clientSecret: String, env: String = "uat-us", tokenUrl: String? = null): TokenClient =
            TokenClient(ffiCall { NativeTokenClient.prove(clientId, clientSecret, env, tokenUrl) })

        /** Gusto's token endpoint; [env] is demo (default) or prod. Its default grant is `system_access`. */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun gusto(clientId: String, clientSecret: String, env: String = "demo", tokenUrl: String? = null): TokenClient =
            TokenClient(ffiCall { NativeTokenClient.gusto(clientId, clientSecret, env, tokenUrl) })

        /**
         * A client for the server at [issuer], built from its discovery document: RFC 8414's
         * `/.well-known/oauth-authorization-server`, else OpenID Connect's
         * `/.well-known/openid-configuration`. The document's `issuer` must be [issuer] (a
         * trailing `/` aside). Every endpoint comes from it, and, unless [config] sets
         * `authMethod`, the client authentication method too. [config] gives the credentials
         * and every other option; leave its `tokenUrl` out.
         *
         * Blocks on the network, up to the configured timeout, unless a document for [issuer]
         * read within `discoveryTtl` (an hour by default) is cached in this process.
         */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun discover(issuer: String, config: TokenClientConfig = TokenClientConfig()): TokenClient {
            refuseOnMainThread("TokenClient.discover")
            return TokenClient(ffiCall { NativeTokenClient.discover(issuer, config.toNative()) })
        }

        /** [discover] for coroutines, on `Dispatchers.IO`. */
        @JvmSynthetic
        suspend fun awaitDiscover(issuer: String, config: TokenClientConfig = TokenClientConfig()): TokenClient =
            io { discover(issuer, config) }

        /** [discover] without blocking the caller. */
        @JvmStatic
        @JvmOverloads
        fun discoverAsync(issuer: String, config: TokenClientConfig = TokenClientConfig()): CompletableFuture<TokenClient> =
            async { discover(issuer, config) }

        /**
         * Forgets every cached discovery document, so the next [discover] reads its issuer's
         * again (after a server's endpoints or keys changed, say).
         */
        @JvmStatic
        fun clearDiscoveryCache() = nativeClearDiscoveryCache()
    }
}
