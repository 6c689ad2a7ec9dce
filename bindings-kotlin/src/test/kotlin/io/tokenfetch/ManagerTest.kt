package io.tokenfetch

import java.util.concurrent.ConcurrentLinkedQueue
import java.util.concurrent.CountDownLatch
import kotlin.concurrent.thread
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManagerTest {
    private val kit = Testkit()

    @AfterAll fun stop() = kit.close()

    @BeforeEach fun reset() = kit.reset()

    private fun slow(delayMs: Int) = client(kit) { it.copy(headers = mapOf("X-Testkit-Delay-Ms" to delayMs.toString())) }

    @Test
    fun `32 threads on a cold cache make one request`() {
        val manager = TokenManager(slow(300))
        val start = CountDownLatch(1)
        val tokens = ConcurrentLinkedQueue<String>()
        val threads = (1..32).map { thread { start.await(); tokens += manager.accessToken() } }
        start.countDown()
        threads.forEach { it.join() }
        assertEquals(32, tokens.size)
        assertEquals(1, tokens.toSet().size)
        assertEquals(1, kit.tokenRequests())
    }

    @Test
    fun `coroutines share one fetch`() = runBlocking {
        val manager = TokenManager(slow(300))
        val tokens = (1..20).map { async { manager.awaitAccessToken() } }.awaitAll()
        assertEquals(1, tokens.toSet().size)
        assertEquals(1, kit.tokenRequests())
        val c = client(kit)
        val user = c.awaitPassword("ann", "pw")
        assertNotEquals(user.accessToken, c.awaitRefresh(user.refreshToken!!).accessToken)
        assertEquals("x", c.awaitRequestToken("client_credentials", "x").tokenResponse!!.scope)
    }

    @Test
    fun `invalidate fetches a new token`() {
        val manager = TokenManager(client(kit), scope = "read")
        val first = manager.authorizationHeader()
        assertEquals(first, manager.authorizationHeader())
        manager.invalidate()
        assertNotEquals(first, manager.authorizationHeader())
        assertEquals(2, kit.tokenRequests())
        assertEquals("read", manager.token().scope)
    }

    @Test
    fun `a custom grant, and lastError`() {
        val failing = client(kit, "invalid_client") { it.copy(maxRetries = 0) }
        val manager = TokenManager(failing, grantType = "password", params = mapOf("username" to "ann", "password" to "pw"))
        assertNull(manager.lastError)
        assertThrows<OAuthException> { manager.accessToken() }
        val last = manager.lastError
        assertTrue(last is OAuthException)
        assertEquals("invalid_client", last!!.oauthCode)
        assertEquals("{\"password\":1}", kit.byGrant())
    }

    @Test
    fun `the token kept on the Kotlin side lasts exactly as long as the core says`() {
        // A 2 s token with a 1 s skew is fresh for 1 s; after that a read must fetch.
        val client = client(kit) { it.copy(headers = mapOf("X-Testkit-Expires-In" to "2")) }
        val manager = TokenManager(client, refreshSkew = 1.seconds)
        val first = manager.accessToken()
        assertEquals(first, manager.token().accessToken)
        assertEquals("Bearer $first", manager.authorizationHeader())
        assertEquals(1, kit.tokenRequests())
        Thread.sleep(1_100)
        val second = manager.accessToken()
        assertNotEquals(first, second, "past the refresh point a read fetched")
        assertEquals(second, manager.accessToken())
        assertEquals(2, kit.tokenRequests())
    }

    @Test
    fun `invalidate drops the kept token`() {
        val manager = TokenManager(client(kit))
        val first = manager.accessToken()
        manager.invalidate()
        val second = manager.accessToken()
        assertNotEquals(first, second)
        manager.invalidate()
        assertNotEquals("Bearer $second", manager.authorizationHeader())
        assertEquals(3, kit.tokenRequests())
    }
}
