package io.tokenfetch

import io.tokenfetch.ffi.AuthorizationOptionsData
import io.tokenfetch.ffi.NativeOption
import io.tokenfetch.ffi.NativeOptionValue
import io.tokenfetch.ffi.NativeTokenClient
import io.tokenfetch.ffi.NativeTokenRequest
import io.tokenfetch.ffi.clearDiscoveryCache as nativeClearDiscoveryCache
import java.util.concurrent.CompletableFuture
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.future.await
import org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement

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
    constructor(config: TokenClientConfig) : this(
        ffiCall { NativeTokenClient(config.toNative(), config.clientAssertion?.let(::AssertionBridge)) },
    )

    /** The token endpoint URL; query values show as `[redacted]`. */
    val tokenUrl: String get() = native.tokenUrl()
    val clientId: String? get() = native.clientId()

    /** How the client authenticates: the [AuthMethod] chosen, discovered or implied by its key. */
    val authMethod: AuthMethod get() = ffiCall { native.authMethod() }.let { wire -> AuthMethod.entries.first { it.wire == wire } }

    /** The algorithm of the assertions it signs; null when it signs none. */
    val signingAlgorithm: SigningAlgorithm?
        get() = ffiCall { native.signingAlgorithm() }?.let { wire -> SigningAlgorithm.entries.first { it.wire == wire } }

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

    /** The longest `Retry-After` wait honoured: [TokenClientConfig.maxRetryWait], or [timeout] if shorter. */
    @get:JvmSynthetic @get:JvmName("kotlinMaxRetryWait")
    val maxRetryWait: Duration get() = ffiCall { native.maxRetryWaitMs() }.milliseconds

    /** [maxRetryWait] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getMaxRetryWait(): java.time.Duration = maxRetryWait.toJavaDuration()
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
     * configured one; [nonce] (OpenID Connect) is made at random for the `openid` scope
     * unless given; [extra] adds query parameters (`prompt`, `login_hint`, ...) but may not
     * replace the ones above; [maxAge] asks for a recent sign-in (whole seconds on the wire),
     * and the ID token's `auth_time` is then checked. Keep the returned request until the
     * callback ([AuthorizationRequest.toSessionJson]), then pass it to [exchangeCode]. No
     * network call.
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
    ): AuthorizationRequest = authorizationUrlWith(redirectUri, scope, state, nonce, pkce, extra, null)

    /** [authorizationUrl] with OpenID Connect's `max_age`: the ID token's `auth_time` is then checked. */
    @JvmSynthetic
    @JvmName("kotlinAuthorizationUrl")
    @Throws(TokenFetchException::class)
    fun authorizationUrl(
        redirectUri: String,
        scope: String? = null,
        state: String? = null,
        nonce: String? = null,
        pkce: Pkce? = null,
        extra: Map<String, String> = emptyMap(),
        maxAge: Duration,
    ): AuthorizationRequest = authorizationUrlWith(redirectUri, scope, state, nonce, pkce, extra, maxAge.inWholeMilliseconds)

    /** [authorizationUrl] with OpenID Connect's `max_age`, for Java (API level 26 on Android). */
    @IgnoreJRERequirement
    @Throws(TokenFetchException::class)
    fun authorizationUrl(
        redirectUri: String,
        scope: String?,
        state: String?,
        nonce: String?,
        pkce: Pkce?,
        extra: Map<String, String>,
        maxAge: java.time.Duration,
    ): AuthorizationRequest =
        authorizationUrlWith(redirectUri, scope, state, nonce, pkce, extra, maxAge.toKotlinDuration().inWholeMilliseconds)

    private fun authorizationUrlWith(
        redirectUri: String,
        scope: String?,
        state: String?,
        nonce: String?,
        pkce: Pkce?,
        extra: Map<String, String>,
        maxAgeMs: Long?,
    ): AuthorizationRequest =
        ffiCall {
            val options = AuthorizationOptionsData(scope, state, nonce, pkce?.data, extra, maxAgeMs)
            AuthorizationRequest(native.authorizationUrl(redirectUri, options))
        }

    /**
     * [authorizationUrl] with its parameters pushed first (RFC 9126): they go to the
     * `pushed_authorization_request_endpoint` with the client's authentication, and the URL
     * carries only `client_id` and the server's [AuthorizationRequest.requestUri]. The same
     * request to keep and complete with [exchangeCode]. Blocks for one request.
     */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun pushAuthorizationRequest(
        redirectUri: String,
        scope: String? = null,
        state: String? = null,
        nonce: String? = null,
        pkce: Pkce? = null,
        extra: Map<String, String> = emptyMap(),
    ): AuthorizationRequest = pushAuthorizationRequestWith(redirectUri, scope, state, nonce, pkce, extra, null)

    /** [pushAuthorizationRequest] with OpenID Connect's `max_age`. */
    @JvmSynthetic
    @JvmName("kotlinPushAuthorizationRequest")
    @Throws(TokenFetchException::class)
    fun pushAuthorizationRequest(
        redirectUri: String,
        scope: String? = null,
        state: String? = null,
        nonce: String? = null,
        pkce: Pkce? = null,
        extra: Map<String, String> = emptyMap(),
        maxAge: Duration,
    ): AuthorizationRequest =
        pushAuthorizationRequestWith(redirectUri, scope, state, nonce, pkce, extra, maxAge.inWholeMilliseconds)

    /** [pushAuthorizationRequest] with OpenID Connect's `max_age`, for Java (API level 26 on Android). */
    @IgnoreJRERequirement
    @Throws(TokenFetchException::class)
    fun pushAuthorizationRequest(
        redirectUri: String,
        scope: String?,
        state: String?,
        nonce: String?,
        pkce: Pkce?,
        extra: Map<String, String>,
        maxAge: java.time.Duration,
    ): AuthorizationRequest =
        pushAuthorizationRequestWith(redirectUri, scope, state, nonce, pkce, extra, maxAge.toKotlinDuration().inWholeMilliseconds)

    private fun pushAuthorizationRequestWith(
        redirectUri: String,
        scope: String?,
        state: String?,
        nonce: String?,
        pkce: Pkce?,
        extra: Map<String, String>,
        maxAgeMs: Long?,
    ): AuthorizationRequest {
        refuseOnMainThread("TokenClient.pushAuthorizationRequest")
        return ffiCall {
            val options = AuthorizationOptionsData(scope, state, nonce, pkce?.data, extra, maxAgeMs)
            AuthorizationRequest(native.pushAuthorizationRequest(redirectUri, options))
        }
    }

    /**
     * The sign-in's last step: checks [callbackUrl] against [request] (its `state` and `iss`),
     * exchanges the code with the request's PKCE verifier, and validates the ID token against
     * the same request (its nonce and max age). The claims are on
     * [TokenResponse.idTokenClaims]; a token that fails a check is an [IdTokenException]. Blocks.
     */
    @Throws(TokenFetchException::class)
    fun exchangeCode(request: AuthorizationRequest, callbackUrl: String): TokenResponse {
        refuseOnMainThread("TokenClient.exchangeCode")
        return ffiCall { TokenResponse(native.exchangeCode(request.data, callbackUrl)) }
    }

    /**
     * The user's claims from the userinfo endpoint (OIDC Core §5.3), with the sign-in's access
     * token, as the text of one JSON object. With [expectedSub] (the ID token's `sub`), an
     * answer for another user is an [IdTokenException] (check `sub`). A signed answer is
     * verified with the issuer's keys. Blocks.
     */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun userinfo(accessToken: String, expectedSub: String? = null): String {
        refuseOnMainThread("TokenClient.userinfo")
        return ffiCall { native.userinfo(accessToken, expectedSub) }
    }

    @JvmSynthetic
    suspend fun awaitUserinfo(accessToken: String, expectedSub: String? = null): String = io { userinfo(accessToken, expectedSub) }

    /** The URL that signs the user out at the provider (RP-Initiated Logout). No network call. */
    @JvmOverloads
    @Throws(TokenFetchException::class)
    fun endSessionUrl(idTokenHint: String? = null, postLogoutRedirectUri: String? = null, state: String? = null): String =
        ffiCall { native.endSessionUrl(idTokenHint, postLogoutRedirectUri, state) }

    /** Whether ID tokens in this client's answers are validated (it knows its issuer, client id and JWKS). */
    val validatesIdTokens: Boolean get() = ffiCall { native.validatesIdTokens() }

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
    suspend fun awaitExchangeCode(request: AuthorizationRequest, callbackUrl: String): TokenResponse =
        io { exchangeCode(request, callbackUrl) }

    /** [pushAuthorizationRequest], suspending instead of blocking. */
    @JvmSynthetic
    @JvmName("kotlinAwaitPushAuthorizationRequest")
    suspend fun awaitPushAuthorizationRequest(
        redirectUri: String,
        scope: String? = null,
        state: String? = null,
        nonce: String? = null,
        pkce: Pkce? = null,
        extra: Map<String, String> = emptyMap(),
        maxAge: Duration? = null,
    ): AuthorizationRequest =
        io { pushAuthorizationRequestWith(redirectUri, scope, state, nonce, pkce, extra, maxAge?.inWholeMilliseconds) }

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
        /** Prove's token endpoint in [env]. */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun prove(clientId: String, clientSecret: String, env: ProveEnvironment, tokenUrl: String? = null): TokenClient =
            prove(clientId, clientSecret, env.wire, tokenUrl)

        /**
         * Prove's token endpoint; [env] is a [ProveEnvironment]'s string, as read from
         * configuration (null: the core's default).
         */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun prove(clientId: String, clientSecret: String, env: String? = null, tokenUrl: String? = null): TokenClient =
            TokenClient(ffiCall { NativeTokenClient.prove(presetOptions(clientId, clientSecret, env, tokenUrl)) })

        /** Gusto's token endpoint in [env]. Its default grant is `system_access`. */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun gusto(clientId: String, clientSecret: String, env: GustoEnvironment, tokenUrl: String? = null): TokenClient =
            gusto(clientId, clientSecret, env.wire, tokenUrl)

        /**
         * Gusto's token endpoint; [env] is a [GustoEnvironment]'s string, as read from
         * configuration (null: the core's default). Its default grant is `system_access`.
         */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun gusto(clientId: String, clientSecret: String, env: String? = null, tokenUrl: String? = null): TokenClient =
            TokenClient(ffiCall { NativeTokenClient.gusto(presetOptions(clientId, clientSecret, env, tokenUrl)) })

        /**
         * A Google service account, from its JSON key file at [serviceAccountFile]: it signs the
         * JWT bearer grant with the file's key (`iss` its `client_email`, `kid` its
         * `private_key_id`) at its `token_uri`. [scope] is what a [TokenManager] asks for;
         * [assertionSubject] is a user to act for (domain-wide delegation). Only
         * `"type": "service_account"` files are accepted.
         */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun googleServiceAccount(
            serviceAccountFile: String,
            scope: String? = null,
            assertionSubject: String? = null,
            tokenUrl: String? = null,
        ): TokenClient = google("serviceAccountFile", serviceAccountFile, scope, assertionSubject, tokenUrl)

        /** [googleServiceAccount] from the key file's JSON text (from a secrets manager, say). */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun googleServiceAccountJson(
            json: String,
            scope: String? = null,
            assertionSubject: String? = null,
            tokenUrl: String? = null,
        ): TokenClient = google("serviceAccount", json, scope, assertionSubject, tokenUrl)

        private fun google(source: String, value: String, scope: String?, subject: String?, tokenUrl: String?): TokenClient =
            TokenClient(
                ffiCall {
                    NativeTokenClient.googleServiceAccount(
                        buildList {
                            add(NativeOption(source, NativeOptionValue.Text(value)))
                            scope?.let { add(NativeOption("scope", NativeOptionValue.Text(it))) }
                            subject?.let { add(NativeOption("assertionSubject", NativeOptionValue.Text(it))) }
                            tokenUrl?.let { add(NativeOption("tokenUrl", NativeOptionValue.Text(it))) }
                        },
                    )
                },
            )

        /**
         * Microsoft Entra ID workload identity: [clientId], [tenantId], [clientAssertionFile]
         * and [authorityHost] default to `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`,
         * `AZURE_FEDERATED_TOKEN_FILE` and `AZURE_AUTHORITY_HOST`, as the Azure webhook sets
         * them. The token file is read again for every request, since the platform rotates it.
         */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun entraWorkloadIdentity(
            clientId: String? = null,
            tenantId: String? = null,
            clientAssertionFile: String? = null,
            authorityHost: String? = null,
        ): TokenClient =
            TokenClient(
                ffiCall {
                    NativeTokenClient.entraWorkloadIdentity(
                        buildList {
                            clientId?.let { add(NativeOption("clientId", NativeOptionValue.Text(it))) }
                            tenantId?.let { add(NativeOption("tenantId", NativeOptionValue.Text(it))) }
                            clientAssertionFile?.let { add(NativeOption("clientAssertionFile", NativeOptionValue.Text(it))) }
                            authorityHost?.let { add(NativeOption("authorityHost", NativeOptionValue.Text(it))) }
                        },
                    )
                },
            )

        private fun presetOptions(clientId: String, clientSecret: String, env: String?, tokenUrl: String?): List<NativeOption> =
            buildList {
                add(NativeOption("clientId", NativeOptionValue.Text(clientId)))
                add(NativeOption("clientSecret", NativeOptionValue.Text(clientSecret)))
                env?.let { add(NativeOption("env", NativeOptionValue.Text(it))) }
                tokenUrl?.let { add(NativeOption("tokenUrl", NativeOptionValue.Text(it))) }
            }

        /**
         * A client for the server at [issuer], built from its discovery document: RFC 8414's
         * `/.well-known/oauth-authorization-server`, else OpenID Connect's
         * `/.well-known/openid-configuration`. The document's `issuer` must be [issuer] (a
         * trailing `/` aside). Every endpoint comes from it, and, unless [config] sets
         * `authMethod`, the client authentication method too. [config] gives the credentials
         * and every other option; leave its `tokenUrl` out.
         *
         * Blocks on the network, up to the configured timeout, unless a document for [issuer]
         * read within `discoveryTtl` is cached in this process.
         */
        @JvmStatic
        @JvmOverloads
        @Throws(TokenFetchException::class)
        fun discover(issuer: String, config: TokenClientConfig = TokenClientConfig()): TokenClient {
            refuseOnMainThread("TokenClient.discover")
            return TokenClient(
                ffiCall { NativeTokenClient.discover(issuer, config.toNative(), config.clientAssertion?.let(::AssertionBridge)) },
            )
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
