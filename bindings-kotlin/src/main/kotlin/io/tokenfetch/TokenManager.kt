package io.tokenfetch

import io.tokenfetch.ffi.NativeTokenManager
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds

/**
 * A thread-safe token cache: one fetch however many threads ask, refreshed before expiry,
 * refresh tokens used and rotated, the old token served if an early refresh fails.
 *
 * @param scope scope for the grant.
 * @param grantType a grant other than the client's default (client credentials, or the
 *   preset's), e.g. `"password"` with [params].
 * @param refreshSkew refresh this long before expiry (capped at half the lifetime); default 60 s.
 * @param defaultLifetime lifetime assumed for a token without `expires_in`; default 5 minutes.
 *
 * The plain methods **block**, and on Android's main thread they throw [ConfigException]
 * instead, even when a cached token would do: whether a call waits depends on the clock. The
 * `await...` twins run on `Dispatchers.IO` and are safe anywhere.
 */
class TokenManager @JvmOverloads constructor(
    val client: TokenClient,
    scope: String? = null,
    grantType: String? = null,
    params: Map<String, String> = emptyMap(),
    refreshSkew: Duration? = null,
    defaultLifetime: Duration? = null,
) : AutoCloseable {
    private val native: NativeTokenManager =
        ffiCall {
            // Passed as they are: the core checks the grant (params need a grantType) and the
            // durations (negative or infinite is a ConfigException), as in every language.
            NativeTokenManager(
                client.native,
                grantType,
                params,
                scope,
                refreshSkew?.inWholeMilliseconds,
                defaultLifetime?.inWholeMilliseconds,
            )
        }

    /** How long before expiry the cache refreshes (capped at half the lifetime). */
    val refreshSkew: Duration get() = ffiCall { native.refreshSkewMs() }.milliseconds

    /** How long a token without `expires_in` is used. */
    val defaultLifetime: Duration get() = ffiCall { native.defaultLifetimeMs() }.milliseconds

    /** A valid access token. Blocks when it has to fetch. */
    fun accessToken(): String {
        refuseOnMainThread("TokenManager.accessToken")
        return ffiCall { native.accessToken() }
    }

    /** The whole cached token response. Blocks when it has to fetch. */
    fun token(): TokenResponse {
        refuseOnMainThread("TokenManager.token")
        return ffiCall { TokenResponse(native.token()) }
    }

    /** `"Bearer <token>"` for a valid token. Blocks when it has to fetch. */
    fun authorizationHeader(): String {
        refuseOnMainThread("TokenManager.authorizationHeader")
        return ffiCall { native.authorizationHeader() }
    }

    /** Drops the cached token; call it when an API answers 401. */
    fun invalidate() = ffiCall { native.invalidate() }

    /** The error of the last failed fetch (e.g. a failed early refresh), until one succeeds. */
    val lastError: TokenFetchException? get() = ffiCall { native.lastError() }?.toException()

    suspend fun awaitAccessToken(): String = io { accessToken() }

    suspend fun awaitToken(): TokenResponse = io { token() }

    suspend fun awaitAuthorizationHeader(): String = io { authorizationHeader() }

    override fun close() = native.close()

    override fun toString(): String = "TokenManager(tokenUrl=${client.tokenUrl})"
}
