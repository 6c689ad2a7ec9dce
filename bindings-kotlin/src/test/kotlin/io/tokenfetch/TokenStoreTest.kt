package io.tokenfetch

import java.nio.file.Files
import java.nio.file.Path
import java.util.Base64
import java.util.UUID
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.time.Duration
import kotlin.time.Duration.Companion.hours
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assertions.fail
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir

/** Managers sharing a token through a [TokenStore]: the file store always, Redis when one is given. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenStoreTest {
    private val kit = Testkit()

    @AfterAll fun stop() = kit.close()

    @TempDir lateinit var tmp: Path

    /** A store directory of this test's own (the class's temporary directory may be shared). */
    private lateinit var storeDir: String

    @BeforeEach
    fun reset() {
        kit.reset()
        storeDir = tmp.resolve("tokens-${UUID.randomUUID()}").toString()
    }

    private fun key(): String = Base64.getEncoder().encodeToString(ByteArray(32) { (it * 7 + 1).toByte() })

    /** A config error, whose message must contain each of [expected]. */
    private fun refused(vararg expected: String, build: () -> Unit): ConfigException {
        val e = assertThrows<ConfigException> { build() }
        for (text in expected) {
            assertTrue(e.message.orEmpty().contains(text), "\"${e.message}\" should contain \"$text\"")
        }
        return e
    }

    // --- The file store ---------------------------------------------------------------------

    @Test
    fun `a second manager over one file store adopts the first one's token`() {
        val store = TokenStore.File(storeDir)
        val first = TokenManager(client(kit), store = store).accessToken()
        val second = TokenManager(client(kit), store = store)
        assertEquals(first, second.accessToken())
        assertEquals(1, kit.tokenRequests(), "one fetch between the two managers")
        assertNull(second.lastError)
    }

    @Test
    fun `a sealed store holds no token in the clear, and a manager without the key, or with another, keeps its own`() {
        val token = TokenManager(client(kit), store = TokenStore.File(storeDir, key())).accessToken()
        val entries = Files.list(Path.of(storeDir)).use { files -> files.iterator().asSequence().filter { it.toString().endsWith(".json") && !it.toString().contains("tokenfetch-salt") }.toList() }
        assertEquals(1, entries.size, "one entry in $storeDir")
        assertFalse(String(Files.readAllBytes(entries[0])).contains(token), "the access token is not in the file")
        assertEquals(token, TokenManager(client(kit), store = TokenStore.File(storeDir, key())).accessToken())
        assertEquals(1, kit.tokenRequests())

        val keyless = TokenManager(client(kit), store = TokenStore.File(storeDir))
        assertNotEquals(token, keyless.accessToken(), "without the key the entry cannot be read: fetched")
        assertEquals(2, kit.tokenRequests())
        assertNull(keyless.lastError, "sealed and plain managers keep separate entries")
        val wrongKey = TokenManager(client(kit), store = TokenStore.File(storeDir, Base64.getEncoder().encodeToString(ByteArray(32) { 9 })))
        assertNotEquals(token, wrongKey.accessToken())
        assertNull(wrongKey.lastError, "another key is another deployment: entries of its own")
    }

    @Test
    fun `a file store on a regular file is a ConfigException`() {
        val file = Files.createFile(tmp.resolve("not-a-directory"))
        refused("is not a directory", file.toString()) { TokenManager(client(kit), store = TokenStore.File(file.toString())) }
    }

    @Test
    fun `a key that is not 32 bytes is a ConfigException`() {
        val short = Base64.getEncoder().encodeToString(ByteArray(16))
        refused("32 bytes") { TokenManager(client(kit), store = TokenStore.File(storeDir, short)) }
        refused("32 bytes") { TokenManager(client(kit), store = TokenStore.Redis("redis://127.0.0.1:1", "not base64!")) }
    }

    @Test
    fun `a store prints neither its key nor a Redis password`() {
        val key = key()
        val file = TokenStore.File(storeDir, key)
        assertEquals("TokenStore.File(directory=$storeDir, sealed=true)", file.toString())
        val redis = TokenStore.Redis("redis://:hunter22@127.0.0.1:6379/2", key, 250.milliseconds)
        assertFalse(redis.toString().contains("hunter22"), redis.toString())
        assertFalse(redis.toString().contains(key), redis.toString())
        assertTrue(redis.toString().contains("127.0.0.1:6379"), redis.toString())
        assertEquals(250.milliseconds, redis.timeout)
        assertEquals(java.time.Duration.ofMillis(250), redis.getTimeout())
        assertEquals(TokenStore.Redis("redis://:hunter22@127.0.0.1:6379/2", key, java.time.Duration.ofMillis(250)), redis)
        assertNotEquals(TokenStore.Redis("redis://:hunter22@127.0.0.1:6379/2"), redis)
        assertFalse(TokenStore.Redis("redis://127.0.0.1").isSealed)
        assertEquals("TokenStore.Redis(url=redis://127.0.0.1, timeout=default, sealed=false)", TokenStore.Redis("redis://127.0.0.1").toString())
        // Nor does a manager holding one.
        val manager = TokenManager(client(kit), store = file)
        assertFalse(manager.toString().contains(key), manager.toString())
    }

    @Test
    fun `a Redis URL of another scheme is a ConfigException that shows no password`() {
        val e = refused("redis://") { TokenManager(client(kit), store = TokenStore.Redis("http://x")) }
        assertEquals("config", e.kind)
        val secret = refused { TokenManager(client(kit), store = TokenStore.Redis("http://user:hunter22@x")) }
        assertFalse(secret.message.orEmpty().contains("hunter22"), secret.message)
        val badKey = refused("32 bytes") { TokenManager(client(kit), store = TokenStore.Redis("redis://:hunter22@x", "short")) }
        assertFalse(badKey.message.orEmpty().contains("hunter22"), badKey.message)
    }

    @Test
    fun `out-of-range store timeouts and lease times are ConfigExceptions naming the option as Kotlin spells it`() {
        for (d in listOf((-1).milliseconds, Duration.ZERO, Duration.INFINITE, 2.minutes)) {
            refused("store.timeout") {
                TokenManager(client(kit), store = TokenStore.Redis("redis://127.0.0.1:1", timeout = d))
            }
        }
        for (d in listOf((-1).milliseconds, Duration.ZERO, Duration.INFINITE, 2.hours)) {
            refused("leaseTime") { TokenManager(client(kit), store = TokenStore.File(storeDir), leaseTime = d) }
        }
        // The same names through Java's builder and java.time.
        refused("store.timeout") {
            TokenManager.builder(client(kit))
                .store(TokenStore.Redis("redis://127.0.0.1:1", null, java.time.Duration.ofSeconds(-1)))
                .build()
        }
        refused("leaseTime") {
            TokenManager.builder(client(kit)).store(TokenStore.File(storeDir)).leaseTime(java.time.Duration.ofDays(1)).build()
        }
        // In range, they build.
        TokenManager(
            client(kit),
            store = TokenStore.Redis("redis://127.0.0.1:1", timeout = 1.minutes),
            leaseTime = 1.hours,
        ).close()
    }

    @Test
    fun `a wrong password, another tenant header or another secret parameter is asked of the server`() {
        val store = TokenStore.File(storeDir)
        fun password(pw: String) =
            TokenManager(client(kit), grantType = "password", params = mapOf("username" to "ann", "password" to pw), store = store)
        password("hunter2").use { it.accessToken() }
        val e = assertThrows<OAuthException> { password("wrong-password").use { it.accessToken() } }
        assertEquals("invalid_grant", e.oauthCode)
        fun tenant(apiKey: String) =
            TokenManager(
                TokenClient(TokenClientConfig(kit.tokenUrl, clientId = "public", authMethod = AuthMethod.NONE, headers = mapOf("X-Api-Key" to apiKey))),
                store = store,
            )
        fun custom(apiKey: String) =
            TokenManager(client(kit), grantType = "urn:testkit:api-key", params = mapOf("api_key" to apiKey), store = store)
        for (make in listOf(::tenant, ::custom)) {
            val one = make("key-quxx").use { it.accessToken() }
            assertNotEquals(one, make("key-zulu").use { it.accessToken() })
            assertEquals(one, make("key-quxx").use { it.accessToken() })
        }
        assertEquals(6, kit.tokenRequests())
    }

    @Test
    fun `an entry made 0644 never makes a refresh token worker replay`() {
        val c = client(kit, "rotate_strict")
        val rt0 = c.password("ann", "hunter2").refreshToken!!
        val grant = mapOf("refresh_token" to rt0)
        TokenManager(c, grantType = "refresh_token", params = grant, store = TokenStore.File(storeDir)).use { it.accessToken() }
        val entry = java.io.File(storeDir).listFiles()!!.single { it.name.startsWith("tokenfetch-v2-") && it.name.endsWith(".json") }
        java.nio.file.Files.setPosixFilePermissions(entry.toPath(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"))
        val e =
            assertThrows<ConfigException> {
                TokenManager(c, grantType = "refresh_token", params = grant, store = TokenStore.File(storeDir)).use { it.accessToken() }
            }
        assertTrue(e.message!!.contains("chmod 600") && e.message!!.contains("nothing was sent"), e.message)
        assertEquals(1, kit.requestsWithGrant("refresh_token"))
    }

    @Test
    fun `previous keys open entries during a rotation, and plain redis off loopback needs allowingInsecure`() {
        val old = key()
        val new = Base64.getEncoder().encodeToString(ByteArray(32) { 3 })
        val token = TokenManager(client(kit), store = TokenStore.File(storeDir, old)).use { it.accessToken() }
        val rotating = TokenStore.File(storeDir, new).withPreviousKeys(old)
        val next =
            TokenManager(client(kit), store = rotating).use {
                assertEquals(token, it.accessToken())
                // Its next fetch seals the entry with the new key: a manager with that key alone reads it.
                it.invalidate()
                it.accessToken()
            }
        assertEquals(next, TokenManager(client(kit), store = TokenStore.File(storeDir, new)).use { it.accessToken() })
        assertEquals(2, kit.tokenRequests())
        assertFalse(rotating.toString().contains(old), "toString shows no key")
        refused("rediss://", "allowInsecure") { TokenManager(client(kit), store = TokenStore.Redis("redis://:pw-9f3@redis.internal:6379")) }
        TokenManager(client(kit), store = TokenStore.Redis("redis://redis.internal:6379").allowingInsecure()).close()
    }

    // --- onToken ------------------------------------------------------------------------------

    @Test
    fun `onToken is told once, on the fetching thread, of the token this manager fetched`() {
        val store = TokenStore.File(storeDir)
        val seen = CopyOnWriteArrayList<String>()
        val threads = CopyOnWriteArrayList<Thread>()
        val fetcher = TokenManager(client(kit), store = store, onToken = { seen += it.accessToken; threads += Thread.currentThread() })
        val token = fetcher.accessToken()
        assertEquals(token, fetcher.accessToken())
        assertEquals(listOf(token), seen)
        assertEquals(listOf(Thread.currentThread()), threads)
        // A manager that reads the token from the store fetched nothing, so is told nothing.
        val readerSaw = CopyOnWriteArrayList<String>()
        assertEquals(token, TokenManager(client(kit), store = store, onToken = { readerSaw += it.accessToken }).accessToken())
        assertEquals(listOf<String>(), readerSaw)
        assertEquals(1, kit.tokenRequests())
    }

    @Test
    fun `a throwing onToken does not fail the call`() {
        val throwing = TokenManager(client(kit), onToken = { throw IllegalStateException("listener failed") })
        assertTrue(throwing.accessToken().isNotEmpty())
        assertNull(throwing.lastError)
        // An Error too (a failed assertion in a listener), through Java's builder and a lambda.
        val calls = CopyOnWriteArrayList<TokenResponse>()
        val erring =
            TokenManager.builder(client(kit))
                .store(TokenStore.File(storeDir))
                .leaseTime(java.time.Duration.ofSeconds(35))
                .onToken(TokenListener { calls += it; throw AssertionError("listener asserted") })
                .build()
        val token = erring.accessToken()
        assertEquals(listOf(token), calls.map { it.accessToken })
        erring.invalidate()
        assertNotEquals(token, erring.accessToken(), "the manager still works after the listener threw")
        assertEquals(2, calls.size)
    }

    // --- Redis --------------------------------------------------------------------------------

    /**
     * The Redis to test against (TOKENFETCH_REDIS_URL), or the test is skipped, saying why;
     * with TOKENFETCH_REQUIRE_REDIS=1 a missing URL fails it instead.
     */
    private fun redisUrl(): String {
        val url = System.getenv("TOKENFETCH_REDIS_URL").orEmpty()
        if (url.isEmpty() && System.getenv("TOKENFETCH_REQUIRE_REDIS") == "1") {
            fail<Unit>("TOKENFETCH_REQUIRE_REDIS=1 but TOKENFETCH_REDIS_URL is not set")
        }
        assumeTrue(url.isNotEmpty(), "set TOKENFETCH_REDIS_URL (e.g. redis://127.0.0.1:6379) to test the Redis store")
        return url
    }

    /** A scope no other test (or concurrent suite sharing the Redis) uses: a cold entry. */
    private fun uniqueScope(): String = "store-test-${UUID.randomUUID()}"

    @Test
    fun `two managers over one Redis make one fetch`() {
        val store = TokenStore.Redis(redisUrl())
        val scope = uniqueScope()
        val first = TokenManager(client(kit), scope = scope, store = store)
        val second = TokenManager(client(kit), scope = scope, store = store)
        assertEquals(first.accessToken(), second.accessToken())
        assertEquals(1, kit.tokenRequests())
        assertNull(second.lastError)
    }

    @Test
    fun `a sealed Redis store shares its token with managers holding the key`() {
        val store = TokenStore.Redis(redisUrl(), key(), 2.seconds)
        val scope = uniqueScope()
        val token = TokenManager(client(kit), scope = scope, store = store).accessToken()
        assertEquals(token, TokenManager(client(kit), scope = scope, store = store).accessToken())
        assertEquals(1, kit.tokenRequests())
    }

    @Test
    fun `a Redis that cannot be reached still gives a token, and lastError names Redis`() {
        val manager = TokenManager(client(kit), store = TokenStore.Redis("redis://127.0.0.1:1", timeout = 300.milliseconds))
        assertTrue(manager.accessToken().isNotEmpty())
        val why = manager.lastError
        assertNotNull(why, "the store's failure is reported")
        assertTrue(why!!.message.orEmpty().contains("Redis"), why.message)
    }
}
