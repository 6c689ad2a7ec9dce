package io.tokenfetch

import io.tokenfetch.ffi.NativeTokenListener
import io.tokenfetch.ffi.NativeTokenManager
import io.tokenfetch.ffi.TokenResponseData
import java.util.concurrent.CompletableFuture
import java.util.concurrent.TimeUnit
import java.util.logging.Level
import java.util.logging.Logger
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement

/**
 * A thread-safe token cache: one fetch however many threads ask, refreshed before expiry,
 * refresh tokens used and rotated, the old token served if an early refresh fails.
 *
 * From Kotlin, `TokenManager(client, scope = "read", refreshSkew = 45.seconds)` (every argument
 * but the client is optional). From Java, `new TokenManager(client)`, or
 * `TokenManager.builder(client).scope("read").refreshSkew(Duration.ofSeconds(45)).build()`.
 *
 * - scope: scope for the grant.
 * - grantType: a grant other than the client's default (client credentials, or the preset's),
 *   e.g. `"password"` with params.
 * - refreshSkew: refresh this long before expiry (capped at half the lifetime).
 * - defaultLifetime: lifetime assumed for a token without `expires_in`.
 * - store: a [TokenStore] shared with other processes (a directory, or Redis), so that they
 *   make one fetch between them per token lifetime. A store that fails never fails a call:
 *   the manager fetches alone and [lastError] says why.
 * - storeNamespace: with a store, what tells this manager's entry apart from others with the
 *   same client, grant and scope. Required for grants that act for one user (a refresh
 *   token, an authorization or device code, token exchange, JWT and SAML assertions): name
 *   the user.
 * - leaseTime: with a store, how long one process may take to fetch while the others wait
 *   for it; it must leave room for the client's timeout.
 * - onToken: a [TokenListener] told each token this manager fetched (not the ones it read
 *   from the store), on the thread that fetched, to persist it your own way.
 *
 * Each option left out takes the core's default; the guide's option table lists every
 * default and range, generated from the core.
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
    constructor(client: TokenClient) : this(client, Builder(client).newNative())

    /** How long before expiry the cache refreshes (capped at half the lifetime). */
    @get:JvmSynthetic @get:JvmName("kotlinRefreshSkew")
    val refreshSkew: Duration get() = ffiCall { native.refreshSkewMs() }.milliseconds

    /** How long a token without `expires_in` is used. */
    @get:JvmSynthetic @get:JvmName("kotlinDefaultLifetime")
    val defaultLifetime: Duration get() = ffiCall { native.defaultLifetimeMs() }.milliseconds

    /** With a store, how long one process's fetch may hold the others up: the option, or the core's default for this client's timeout. */
    @get:JvmSynthetic @get:JvmName("kotlinLeaseTime")
    val leaseTime: Duration get() = ffiCall { native.leaseTimeMs() }.milliseconds

    /** [leaseTime] as a `java.time.Duration`, for Java. */
    @IgnoreJRERequirement
    fun getLeaseTime(): java.time.Duration = leaseTime.toJavaDuration()

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

    /**
     * The error of the last failed fetch (e.g. a failed early refresh), until one succeeds;
     * or, with a [TokenStore], why the store could not be used when the call went on without it.
     */
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
        private var leaseTimeMs: Long? = null

        private var store: TokenStore? = null
        private var storeNamespace: String? = null
        private var onToken: TokenListener? = null

        fun scope(scope: String?): Builder = apply { this.scope = scope }

        /** A grant other than the client's default, e.g. `"password"`; [params] needs one. */
        fun grantType(grantType: String?): Builder = apply { this.grantType = grantType }

        /** Body parameters of the grant ([grantType] must be set). */
        fun params(params: Map<String, String>): Builder = apply { this.params = params.toMap() }

        /** Refresh this long before expiry (capped at half the lifetime). */
        @IgnoreJRERequirement
        fun refreshSkew(refreshSkew: java.time.Duration): Builder = refreshSkew(refreshSkew.toKotlinDuration())

        @JvmSynthetic
        @JvmName("kotlinRefreshSkew")
        fun refreshSkew(refreshSkew: Duration): Builder = apply { refreshSkewMs = refreshSkew.inWholeMilliseconds }

        /** The lifetime assumed for a token without `expires_in`. */
        @IgnoreJRERequirement
        fun defaultLifetime(defaultLifetime: java.time.Duration): Builder = defaultLifetime(defaultLifetime.toKotlinDuration())

        @JvmSynthetic
        @JvmName("kotlinDefaultLifetime")
        fun defaultLifetime(defaultLifetime: Duration): Builder = apply { defaultLifetimeMs = defaultLifetime.inWholeMilliseconds }

        /** Shares the token with other processes through [store]; null (the default): none. */
        fun store(store: TokenStore?): Builder = apply { this.store = store }

        /**
         * With a store, keeps this manager's entry apart from others of the same client, grant
         * and scope. Required for grants that act for one user (the user's id, say).
         */
        fun storeNamespace(storeNamespace: String?): Builder = apply { this.storeNamespace = storeNamespace }

        /** With a store, how long one process may take to fetch while the others wait. */
        @IgnoreJRERequirement
        fun leaseTime(leaseTime: java.time.Duration): Builder = leaseTime(leaseTime.toKotlinDuration())

        @JvmSynthetic
        @JvmName("kotlinLeaseTime")
        fun leaseTime(leaseTime: Duration): Builder = apply { leaseTimeMs = leaseTime.inWholeMilliseconds }

        /** Told each token this manager fetches; see [TokenListener]. */
        fun onToken(onToken: TokenListener?): Builder = apply { this.onToken = onToken }

        @Throws(TokenFetchException::class)
        fun build(): TokenManager = TokenManager(client, newNative())

        // Passed as they are: the core checks the grant (params need a grantType), the
        // durations (negative or infinite is a ConfigException) and the store, as in every
        // language.
        @JvmSynthetic
        @JvmName("newNativeManager")
        internal fun newNative(): NativeTokenManager =
            ffiCall {
                NativeTokenManager(
                    client.native,
                    grantType,
                    params,
                    scope,
                    refreshSkewMs,
                    defaultLifetimeMs,
                    store?.native,
                    storeNamespace,
                    leaseTimeMs,
                    onToken?.let(::ListenerBridge),
                )
            }
    }

    /**
     * Hands the core's tokens to a [TokenListener]. Whatever the listener throws stays here
     * (logged as a warning): it must not fail the call that fetched, and an exception thrown
     * back into the native library would.
     */
    private class ListenerBridge(private val listener: TokenListener) : NativeTokenListener {
        override fun onToken(token: TokenResponseData) {
            try {
                listener.onToken(TokenResponse(token))
            } catch (e: Throwable) {
                // Throwable, not Exception: an Error (an assertion in a test) would otherwise
                // cross into the native library too.
                Logger.getLogger(TokenManager::class.java.name)
                    .log(Level.WARNING, "a TokenManager onToken listener threw; the call it fetched for goes on", e)
            }
        }
    }

    companion object {
        /** A builder for a manager of [client]'s tokens. */
        @JvmStatic
        fun builder(client: TokenClient): Builder = Builder(client)
    }
}

/**
 * Told each token a [TokenManager] fetched: to persist it your own way, or to log a refresh.
 * Not called for tokens the manager read from its [TokenStore] (the process that fetched them
 * was told). Called on the thread that fetched, after other processes are free to read the
 * token, so keep it short. Whatever it throws is logged and does not fail the call.
 *
 * From Java, a lambda: `builder.onToken(token -> save(token.toJson()))`.
 */
fun interface TokenListener {
    fun onToken(token: TokenResponse)
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
    store: TokenStore? = null,
    storeNamespace: String? = null,
    leaseTime: Duration? = null,
    onToken: TokenListener? = null,
): TokenManager =
    TokenManager.builder(client).scope(scope).grantType(grantType).params(params)
        .store(store).storeNamespace(storeNamespace).onToken(onToken)
        .let { builder ->
            refreshSkew?.let { builder.refreshSkew(it) }
            defaultLifetime?.let { builder.defaultLifetime(it) }
            leaseTime?.let { builder.leaseTime(it) }
            builder.build()
        }
