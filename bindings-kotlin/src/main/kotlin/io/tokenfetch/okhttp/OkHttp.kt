package io.tokenfetch.okhttp

import io.tokenfetch.TokenFetchException
import io.tokenfetch.TokenManager
import java.io.IOException
import okhttp3.Authenticator
import okhttp3.Interceptor
import okhttp3.Request
import okhttp3.Response
import okhttp3.Route

/**
 * Adds `Authorization` from a [TokenManager] to every request; on a 401 it invalidates the
 * token and retries once (unless [retryOn401] is false, e.g. when a [TokenAuthenticator]
 * handles that). Token failures surface as [IOException]s, as OkHttp requires.
 *
 * `OkHttpClient.Builder().addInterceptor(BearerInterceptor(manager))`
 */
class BearerInterceptor @JvmOverloads constructor(
    private val manager: TokenManager,
    private val retryOn401: Boolean = true,
) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val first = chain.proceed(chain.request().withBearer(header(manager)))
        if (!retryOn401 || first.code != 401) return first
        first.close()
        manager.invalidate()
        return chain.proceed(chain.request().withBearer(header(manager)))
    }
}

/**
 * An OkHttp [Authenticator]: on a 401, invalidates the token and answers with the request
 * carrying a fresh one, once. Pair it with `BearerInterceptor(manager, retryOn401 = false)`.
 *
 * `OkHttpClient.Builder().authenticator(TokenAuthenticator(manager))`
 */
class TokenAuthenticator(private val manager: TokenManager) : Authenticator {
    override fun authenticate(route: Route?, response: Response): Request? {
        if (response.priorResponse != null) return null
        manager.invalidate()
        return response.request.withBearer(header(manager))
    }
}

private fun Request.withBearer(value: String): Request = newBuilder().header("Authorization", value).build()

private fun header(manager: TokenManager): String =
    try {
        manager.authorizationHeader()
    } catch (e: TokenFetchException) {
        throw IOException("could not get an access token: ${e.message}", e)
    }
