package io.tokenfetch

import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/** Options mean the same in every language; every failure is a TokenFetchException. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OptionsTest {
    private val kit = Testkit()

    @AfterAll fun stop() = kit.close()

    private val base = TokenClientConfig("https://auth.example/token", clientId = "a", clientSecret = "b")

    private fun refused(option: String, build: () -> Any) {
        val e = assertThrows<ConfigException> { build() }
        assertTrue(e.message.orEmpty().contains(option), "${e.message} names $option")
    }

    @Test
    fun `out-of-range numbers are ConfigExceptions naming the option`() {
        for (d in listOf((-1).milliseconds, Duration.ZERO, Duration.INFINITE, 2.seconds * 1_000_000)) {
            refused("timeout") { TokenClient(base.copy(timeout = d)) }
            refused("connectTimeout") { TokenClient(base.copy(connectTimeout = d)) }
        }
        for (n in listOf(-1, 11, Int.MAX_VALUE)) refused("maxRetries") { TokenClient(base.copy(maxRetries = n)) }
        for (n in listOf(-1L, 0L, Long.MAX_VALUE)) refused("maxResponseBytes") { TokenClient(base.copy(maxResponseBytes = n)) }
        val client = TokenClient(base)
        refused("refreshSkew") { TokenManager(client, refreshSkew = (-1).seconds) }
        refused("defaultLifetime") { TokenManager(client, defaultLifetime = Duration.INFINITE) }
        refused("grantType") { TokenManager(client, params = mapOf("a" to "b")) }
        TokenManager(client, refreshSkew = Duration.ZERO).close()
        // A receive time before 1970 or past the year 9999 is refused, as in Python and Node,
        // not taken as "no receive time".
        val body = """{"access_token":"a","expires_in":60}""".toByteArray()
        for (t in listOf(-1L, 253_402_300_800L)) refused("receivedAt") { parseResponse(200, emptyMap(), body, receivedAt = t) }
        assertTrue(parseResponse(200, emptyMap(), body, receivedAt = 1_000L).expiresAt == 1_060L)
    }

    @Test
    fun `a closed client is a ConfigException, not an internal class's exception`() {
        val client = TokenClient(base)
        client.close()
        val e = assertThrows<ConfigException> { client.clientCredentials() }
        assertTrue(e.message.orEmpty().contains("closed"), e.message)
    }

    @Test
    fun `a cancelled await returns at once`() {
        val slow = client(kit) { it.copy(timeout = 10.seconds, headers = mapOf("X-Testkit-Delay-Ms" to "5000")) }
        val started = System.nanoTime()
        assertThrows<TimeoutCancellationException> {
            runBlocking { withTimeout(300.milliseconds) { slow.awaitClientCredentials() } }
        }
        val tookMs = (System.nanoTime() - started) / 1_000_000
        // Generous for a loaded machine; without cancellation this waits the full 5 s.
        assertTrue(tookMs < 1000, "withTimeout(300 ms) returned after $tookMs ms")
    }

    @Test
    fun `every grant method takes params`() {
        // echo_json answers every grant with an error describing the request as received.
        val c = client(kit, "echo_json") { it.copy(maxRetries = 0) }
        val p = mapOf("tenant" to "t-1")
        val calls: List<() -> Any> =
            listOf(
                { c.clientCredentials(params = p) },
                { c.refresh("rt-x", params = p) },
                { c.password("ann", "pw", params = p) },
                { c.authorizationCode("code-x", params = p) },
                { c.tokenExchange("subj-1", "urn:ietf:params:oauth:token-type:jwt", params = p) },
                { c.deviceCode("dc-x", params = p) },
            )
        for (call in calls) {
            val e = assertThrows<OAuthException> { call() }
            assertTrue(e.errorDescription.orEmpty().contains("param tenant = t-1"), e.errorDescription)
        }
    }
}
