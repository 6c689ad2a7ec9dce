package io.tokenfetch

import io.tokenfetch.ffi.NativeTokenManager
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement

/**
 * A thread-safe token cache: one fetch however many threads ask, refreshed before expiry,
 * refresh tokens used and rotated, the old token served if an early refresh fails.
 *
 * From Kotlin, `TokenManager(client, scope = "read", refreshSkew = 30.seconds)` (every argument
 * but the client is optional). From Java, `new TokenManager(client)`, or
 * `TokenManager.builder(client).scope("read").refreshSkew(Duration.ofSeconds(30)).build()`.
 *
 * - scope: scope for the grant.
 * - grantType: a grant other than the client's default (client credentials, or the preset's),
 *   e.g. `"password"` with params.
 * - refreshSkew: refresh this long before expiry (capped at half the lifetime); default 60 s.
 * - defaultLifetime: lifetime assumed for a token without `expires_in`; default 5 minutes.
 *
 * The plain methods **block**, and on Android's main thread they throw [ConfigException]
 * instead, even when a cached token would do: whether a call waits depends on the clock. The
 * `await...` twins (Kotlin coroutines) and the `...Async` twins (Java futures) run on
 * `Dispatchers.IO` and are safe anywhere.
 */
class TokenManager private constructor(
    val client: TokenClient,
    private val native: NativeTokenManager,
) : AutoCloseable {
    /** A manager of [client]'s default grant, with the default timing. */
    @Throws(TokenFetchException::class)
    constructor(client: TokenClient) : this(client, newNative(client, null, emptyMap(), null, null, null))

    /** How long before expiry the cache refreshes (capped at half the lifetime). */
    @get:JvmSynthetic @get:JvmName("kotlinRefreshSkew")
    val refreshSkew: Duration get() = ffiCall { native.refreshSkewMs() }.milliseconds

    /** How long a token without `expires_in` is used. */
    @get:JvmSynthetic @get:JvmName("kotlinDefaultLifetime")
    val defaultLifetime: Duration get() = ffiCall { native.defaultLifetimeMs() }.milliseconds

    /** [refreshSkew] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getRefreshSkew(): java.time.Duration = refreshSkew.toJavaDuration()

    /** [defaultLifetime] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getDefaultLifetime(): java.time.Duration = defaultLifetime.toJavaDuration()

    /**
     * The core's cached token while it needs no fetch, with the `System.nanoTime()` until
     * which it does not. Reads answer from it without a native call (each JNA call costs
     * microseconds); [invalidate] drops it. The only state kept on this side.
     */
    private class Fresh(val token: TokenResponse, val header: String, val untilNanos: Long)

    @Volatile
    private var fresh: Fresh? = null
    private val freshLock = Any()

    private fun freshNow(): Fresh? = fresh?.takeIf { System.nanoTime() - it.untilNanos < 0 }

    /** The token, from [fresh] or from the core (which fetches when due); refreshes [fresh]. */
    private fun current(): Fresh {
        freshNow()?.let { return it }
        val token = ffiCall { TokenResponse(native.token()) }
        // Under the lock, so that an invalidate() between the two calls is not undone.
        val kept =
            synchronized(freshLock) {
                val now = System.nanoTime()
                fresh = ffiCall { native.freshTokenFor() }?.let {
                    val fresher = TokenResponse(it.token)
                    Fresh(fresher, fresher.authorizationHeader(), now + TimeUnit.MILLISECONDS.toNanos(it.freshForMs))
                }
                fresh
            }
        // A token that is valid but already due for a refresh (a lifetime shorter than the
        // skew) is answered once and not kept.
        return kept ?: Fresh(token, token.authorizationHeader(), System.nanoTime())
    }

    /** A valid access token. Blocks when it has to fetch. */
    @Throws(TokenFetchException::class)
    fun accessToken(): String {
        refuseOnMainThread("TokenManager.accessToken")
        return current().token.accessToken
    }

    /** The whole cached token response. Blocks when it has to fetch. */
    @Throws(TokenFetchException::class)
    fun token(): TokenResponse {
        refuseOnMainThread("TokenManager.token")
        return current().token
    }

    /** `"Bearer <token>"` for a valid token. Blocks when it has to fetch. */
    @Throws(TokenFetchException::class)
    fun authorizationHeader(): String {
        refuseOnMainThread("TokenManager.authorizationHeader")
        return current().header
    }

    /** Drops the cached token; call it when an API answers 401. */
    fun invalidate() =
        synchronized(freshLock) {
            fresh = null
            ffiCall { native.invalidate() }
        }

    /** The error of the last failed fetch (e.g. a failed early refresh), until one succeeds. */
    val lastError: TokenFetchException? get() = ffiCall { native.lastError() }?.toException()

    @JvmSynthetic
    suspend fun awaitAccessToken(): String = io { accessToken() }

    @JvmSynthetic
    suspend fun awaitToken(): TokenResponse = io { token() }

    @JvmSynthetic
    suspend fun awaitAuthorizationHeader(): String = io { authorizationHeader() }

    /** [accessToken] without blocking the caller. */
    fun accessTokenAsync(): CompletableFuture<String> = async { accessToken() }

    /** [token] without blocking the caller. */
    fun tokenAsync(): CompletableFuture<TokenResponse> = async { token() }

    /** [authorizationHeader] without blocking the caller. */
    fun authorizationHeaderAsync(): CompletableFuture<String> = async { authorizationHeader() }

    override fun close() = native.close()

    override fun toString(): String = "TokenManager(tokenUrl=${client.tokenUrl})"

    /**
     * Builds a [TokenManager] step by step, the way Java code configures one. Each setter
     * returns this builder. Unset values are the core's defaults; [build] checks them all and
     * throws [ConfigException] naming the one to fix.
     */
    class Builder internal constructor(private val client: TokenClient) {
        private var scope: String? = null
        private var grantType: String? = null
        private var params: Map<String, String> = emptyMap()

        // Milliseconds, as the core takes them.
        private var refreshSkewMs: Long? = null
        private var defaultLifetimeMs: Long? = null

        fun scope(scope: String?): Builder = apply { this.scope = scope }

        /** A grant other than the client's default, e.g. `"password"`; [params] needs one. */
        fun grantType(grantType: String?): Builder = apply { this.grantType = grantType }

        /** Body parameters of the grant ([grantType] must be set). */
        fun params(params: Map<String, String>): Builder = apply { this.params = params.toMap() }

        /** Refresh this long before expiry (capped at half the lifetime); default 60 s. */
        @IgnoreJRERequirement
        fun refreshSkew(refreshSkew: java.time.Duration): Builder = refreshSkew(refreshSkew.toKotlinDuration())

        @JvmSynthetic
        @JvmName("kotlinRefreshSkew")
        fun refreshSkew(refreshSkew: Duration): Builder = apply { refreshSkewMs = refreshSkew.inWholeMilliseconds }

        /** The lifetime assumed for a token without `expires_in`; default 5 minutes. */
        @IgnoreJRERequirement
        fun defaultLifetime(defaultLifetime: java.time.Duration): Builder = defaultLifetime(defaultLifetime.toKotlinDuration())

        @JvmSynthetic
        @JvmName("kotlinDefaultLifetime")
        fun defaultLifetime(defaultLifetime: Duration): Builder = apply { defaultLifetimeMs = defaultLifetime.inWholeMilliseconds }

        @Throws(TokenFetchException::class)
        fun build(): TokenManager =
            TokenManager(client, newNative(client, grantType, params, scope, refreshSkewMs, defaultLifetimeMs))
    }

    companion object {
        /** A builder for a manager of [client]'s tokens. */
        @JvmStatic
        fun builder(client: TokenClient): Builder = Builder(client)

        // Passed as they are: the core checks the grant (params need a grantType) and the
        // durations (negative or infinite is a ConfigException), as in every language.
        private fun newNative(
            client: TokenClient,
            grantType: String?,
            params: Map<String, String>,
            scope: String?,
            refreshSkewMs: Long?,
            defaultLifetimeMs: Long?,
        ): NativeTokenManager =
            ffiCall { NativeTokenManager(client.native, grantType, params, scope, refreshSkewMs, defaultLifetimeMs) }
    }
}

/**
 * A [TokenManager] with Kotlin's named arguments: every argument but [client] is optional.
 * Java calls `new TokenManager(client)` or [TokenManager.builder].
 */
@JvmSynthetic
@JvmName("newTokenManager")
fun TokenManager(
    client: TokenClient,
    scope: String? = null,
    grantType: String? = null,
    params: Map<String, String> = emptyMap(),
    refreshSkew: Duration? = null,
    defaultLifetime: Duration? = null,
): TokenManager =
    TokenManager.builder(client).scope(scope).grantType(grantType).params(params).let { builder ->
        refreshSkew?.let { builder.refreshSkew(it) }
        defaultLifetime?.let { builder.defaultLifetime(it) }
        builder.build()
    }
