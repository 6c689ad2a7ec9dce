package io.tokenfetch

import io.tokenfetch.okhttp.BearerInterceptor
import io.tokenfetch.okhttp.TokenAuthenticator
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.mockwebserver.MockResponse
import okhttp3.mockwebserver.MockWebServer
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OkHttpTest {
    private val kit = Testkit()

    @AfterAll fun stop() = kit.close()

    @BeforeEach fun reset() = kit.reset()

    private fun get(http: OkHttpClient, api: MockWebServer): Int =
        http.newCall(Request.Builder().url(api.url("/things")).build()).execute().use { it.code }

    @Test
    fun `the interceptor adds the bearer header and retries once after a 401`() {
        MockWebServer().use { api ->
            api.enqueue(MockResponse().setResponseCode(401))
            api.enqueue(MockResponse().setResponseCode(200).setBody("ok"))
            val manager = TokenManager(client(kit))
            val http = OkHttpClient.Builder().addInterceptor(BearerInterceptor(manager)).build()
            assertEquals(200, get(http, api))
            val first = api.takeRequest().getHeader("Authorization")
            val second = api.takeRequest().getHeader("Authorization")
            assertNotEquals(first, second, "the retry carried a fresh token")
            assertEquals(manager.authorizationHeader(), second)
            assertEquals(2, kit.tokenRequests())
        }
    }

    @Test
    fun `the authenticator refreshes once on a 401`() {
        MockWebServer().use { api ->
            api.enqueue(MockResponse().setResponseCode(401))
            api.enqueue(MockResponse().setResponseCode(401))
            api.enqueue(MockResponse().setResponseCode(401))
            val manager = TokenManager(client(kit))
            val http = OkHttpClient.Builder()
                .addInterceptor(BearerInterceptor(manager, retryOn401 = false))
                .authenticator(TokenAuthenticator(manager))
                .build()
            assertEquals(401, get(http, api), "a second 401 is returned, not retried for ever")
            assertEquals(2, api.requestCount)
            assertEquals(2, kit.tokenRequests())
        }
    }
}
