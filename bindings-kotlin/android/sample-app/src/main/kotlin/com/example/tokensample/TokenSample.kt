package com.example.tokensample

import io.tokenfetch.ConfigException
import io.tokenfetch.OAuthException
import io.tokenfetch.TokenClient
import io.tokenfetch.TokenClientConfig
import io.tokenfetch.TokenFetchException
import io.tokenfetch.TokenManager
import io.tokenfetch.okhttp.BearerInterceptor
import kotlinx.coroutines.runBlocking
import okhttp3.OkHttpClient
import okhttp3.Request

/**
 * What an app does with tokenfetch, written as app code is. The app's own R8 rules
 * (proguard-app.pro) keep only this class, as an app keeps its entry points; everything it
 * reaches in tokenfetch, JNA, the coroutines and OkHttp is kept, or not, by R8 itself and the
 * AAR's consumer rules. The Robolectric tests call it after shrinking.
 */
class TokenSample(
    tokenUrl: String,
    clientId: String,
    clientSecret: String?,
) : AutoCloseable {
    private val client = TokenClient(
        TokenClientConfig(tokenUrl, clientId = clientId, clientSecret = clientSecret, allowInsecureHttp = true),
    )
    private val manager = TokenManager(client)
    private val http = OkHttpClient.Builder().addInterceptor(BearerInterceptor(manager)).build()

    /** The blocking call: throws on Android's main thread, works on any other. */
    fun blockingAccessToken(): String = manager.accessToken()

    /** The coroutine twin; its native call runs on Dispatchers.IO wherever it is awaited from. */
    fun awaitAccessToken(): String = runBlocking { manager.awaitAccessToken() }

    /** A client credentials grant on the client itself, through the coroutine twin. */
    fun awaitClientCredentials(scope: String?): String = runBlocking { client.awaitClientCredentials(scope).accessToken }

    /** GETs [url] through OkHttp with the manager's bearer token; the HTTP status. */
    fun getWithBearer(url: String): Int =
        http.newCall(Request.Builder().url(url).build()).execute().use { it.code }

    /** How a failed fetch reaches the app: the error's kind, OAuth code and message. */
    private fun failureOf(block: () -> Unit): String =
        try {
            block()
            "no error"
        } catch (e: OAuthException) {
            "oauth ${e.oauthCode}: ${e.message}"
        } catch (e: ConfigException) {
            "config: ${e.message}"
        } catch (e: TokenFetchException) {
            "${e.kind}: ${e.message}"
        }

    /** [failureOf] for the manager's blocking call. */
    fun blockingFailure(): String = failureOf { blockingAccessToken() }

    /** [failureOf] for the client's own blocking grant. */
    fun clientCredentialsFailure(): String = failureOf { client.clientCredentials() }

    override fun close() {
        manager.close()
        client.close()
    }

    companion object {
        /** Builds and drops [count] clients, for the cleaner test. */
        @JvmStatic
        fun churn(tokenUrl: String, count: Int) {
            repeat(count) { TokenClient(TokenClientConfig(tokenUrl, clientId = "churn", clientSecret = "churn-secret", allowInsecureHttp = true)) }
        }
    }
}
