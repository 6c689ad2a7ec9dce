package io.tokenfetch

import java.net.URI
import java.net.URLDecoder
import java.net.URLEncoder
import java.nio.charset.StandardCharsets.UTF_8
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/**
 * Beyond the token endpoint, against testkit: discovery, revocation, introspection, the device
 * flow's polling rules and its cancellation, PKCE and authorization URLs. (The same flows
 * against a real provider are in OidcProviderTest.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlowsTest {
    private val kit = Testkit()

    @AfterAll fun stop() = kit.close()

    private val credentials = TokenClientConfig(clientId = "kt-flows", clientSecret = "kt-flows-secret-3e1b", discoveryTtl = Duration.ZERO)

    private fun discovered(): TokenClient = TokenClient.discover(kit.url, credentials)

    /** A public client polling one of testkit's scripted device codes (slow_down, expired_token, ...). */
    private fun deviceClient(script: String = ""): TokenClient =
        TokenClient(
            TokenClientConfig(
                kit.tokenUrl,
                clientId = "kt-device",
                authMethod = AuthMethod.NONE,
                deviceAuthorizationEndpoint = "${kit.url}/device_authorization$script",
            ),
        )

    private val devicePolls: Int get() = kit.requestsWithGrant("urn:ietf:params:oauth:grant-type:device_code")

    private fun query(url: String): Map<String, String> =
        URI(url).rawQuery.split('&').associate {
            val (name, value) = it.split('=', limit = 2)
            URLDecoder.decode(name, UTF_8) to URLDecoder.decode(value, UTF_8)
        }

    @Test
    fun `discovery takes every endpoint from the issuer's metadata`() {
        val client = discovered()
        assertEquals("${kit.url}/token", client.tokenUrl)
        assertEquals(kit.url, client.issuer)
        val metadata = checkNotNull(client.serverMetadata)
        assertEquals(kit.url, metadata.issuer)
        assertEquals("${kit.url}/revoke", metadata.revocationEndpoint)
        assertEquals("${kit.url}/introspect", metadata.introspectionEndpoint)
        assertEquals("${kit.url}/device_authorization", metadata.deviceAuthorizationEndpoint)
        assertEquals(listOf("S256"), metadata.codeChallengeMethodsSupported)
        assertTrue(metadata.authorizationResponseIssParameterSupported)
        assertTrue(metadata.toString().contains("revocationEndpoint=${kit.url}/revoke"), metadata.toString())
        assertTrue(client.clientCredentials("read").accessToken.startsWith("at-"))

        // A client from a token URL has no document.
        assertNull(client(kit).serverMetadata)
    }

    @Test
    fun `a discovered document is reused within its ttl until the cache is cleared`() {
        val other = Testkit()
        val config = credentials.copy(discoveryTtl = 1.minutes)
        TokenClient.discover(other.url, config)
        other.close()
        // The server is gone: only the cached document can still build a client.
        assertEquals("${other.url}/token", TokenClient.discover(other.url, config).tokenUrl)
        TokenClient.clearDiscoveryCache()
        assertThrows<TransportException> { TokenClient.discover(other.url, config) }
    }

    @Test
    fun `discovery and endpoint options are checked like every other option`() {
        assertTrue(assertThrows<ConfigException> { TokenClient.discover("ftp://example.com") }.message!!.contains("issuer URL"))
        assertTrue(assertThrows<ConfigException> { TokenClient(TokenClientConfig(clientId = "x")) }.message!!.contains("tokenUrl is required"))
        for (ttl in listOf((-1).milliseconds, 2.days)) {
            val e = assertThrows<ConfigException> { TokenClient.discover(kit.url, credentials.copy(discoveryTtl = ttl)) }
            assertTrue(e.message!!.contains("discoveryTtl"), e.message)
        }
        val e = assertThrows<ConfigException> { TokenClient(TokenClientConfig(kit.tokenUrl, "x", "y", revocationEndpoint = "http://auth.example/revoke")) }
        assertTrue(e.message!!.contains("allow_insecure_http"), e.message)
    }

    @Test
    fun `an endpoint the client lacks is a config error saying how to get it`() {
        val plain = client(kit)
        assertTrue(assertThrows<ConfigException> { plain.revoke("t") }.message!!.contains("revocation_endpoint"))
        assertTrue(assertThrows<ConfigException> { plain.authorizationUrl("https://app/cb") }.message!!.contains("discover"))
    }

    @Test
    fun `revoke, then introspect shows the token inactive`() {
        val client = discovered()
        val token = client.clientCredentials("read")
        val before = client.introspect(token.accessToken, "access_token")
        assertTrue(before.active)
        assertEquals("kt-flows", before.clientId)
        assertEquals(listOf("read", "write"), before.scope?.split(' '))
        client.revoke(token.accessToken, "access_token")
        val after = client.introspect(token.accessToken)
        assertFalse(after.active)
        assertNull(after.scope)
        assertEquals("{}", after.extraJson)
    }

    @Test
    fun `the coroutine and future twins make the same calls`() =
        runBlocking {
            val client = TokenClient.awaitDiscover(kit.url, credentials)
            val token = client.awaitClientCredentials()
            assertTrue(client.awaitIntrospect(token.accessToken).active)
            client.revokeAsync(token.accessToken).join()
            assertFalse(client.introspectAsync(token.accessToken).join().active)
            assertEquals(1L, client.awaitDeviceAuthorization("read").interval)
        }

    @Test
    fun `the device flow polls until the user approves`() {
        val client = deviceClient()
        val auth = client.deviceAuthorization("read")
        assertEquals(1L, auth.interval)
        assertEquals(600L, auth.expiresIn)
        assertTrue(auth.userCode.startsWith("WDJB-"))
        assertEquals("${auth.verificationUri}?user_code=${auth.userCode}", auth.verificationUriComplete)
        val before = devicePolls
        val token = client.pollDeviceToken(auth)
        assertNotNull(token.refreshToken)
        assertEquals(2, devicePolls - before, "one authorization_pending, then the token")
    }

    /** testkit refuses a poll sooner than interval + 5 s after a slow_down: success proves the wait. */
    @Test
    fun `slow_down adds five seconds to the interval`() {
        val client = deviceClient("/slow_down")
        val started = TimeSource.Monotonic.markNow()
        assertTrue(client.pollDeviceToken(client.deviceAuthorization()).accessToken.startsWith("at-"))
        assertTrue(started.elapsedNow() >= 6.seconds, "${started.elapsedNow()}")
    }

    @Test
    fun `expired_token and access_denied end the poll as OAuth errors`() {
        for (code in listOf("expired_token", "access_denied")) {
            val client = deviceClient("/$code")
            val e = assertThrows<OAuthException> { client.pollDeviceToken(client.deviceAuthorization()) }
            assertEquals(code, e.oauthCode)
            assertEquals("oauth", e.kind)
        }
    }

    @Test
    fun `a CancelToken stops a blocking poll during its wait`() {
        val client = deviceClient("/slow_down")
        val auth = client.deviceAuthorization()
        val cancel = CancelToken()
        val started = TimeSource.Monotonic.markNow()
        // Past the first poll (at 1 s), into the 6 s wait that slow_down asked for.
        Thread {
            Thread.sleep(1500)
            cancel.cancel()
        }.start()
        val e = assertThrows<CancelledException> { client.pollDeviceToken(auth, cancel) }
        assertEquals("cancelled", e.kind)
        assertTrue(cancel.isCancelled)
        assertEquals("CancelToken(cancelled=true)", cancel.toString())
        assertTrue(started.elapsedNow() < 3.seconds, "returned ${started.elapsedNow()} after starting")
    }

    /**
     * Cancelling the coroutine ends it at once, and stops the native poll too: had it gone on
     * waiting, it would have polled again (and got its token) at about 7 s.
     */
    @Test
    fun `cancelling the coroutine cancels the poll`() =
        runBlocking {
            val client = deviceClient("/slow_down")
            val auth = client.deviceAuthorization()
            val before = devicePolls
            val started = TimeSource.Monotonic.markNow()
            val poll = async(Dispatchers.Default) { client.awaitPollDeviceToken(auth) }
            delay(1500)
            assertEquals(1, devicePolls - before, "the first poll was answered slow_down")
            poll.cancel()
            val ended =
                try {
                    poll.await()
                    null
                } catch (e: CancellationException) {
                    e
                }
            assertNotNull(ended, "the coroutine ends with CancellationException")
            assertTrue(started.elapsedNow() < 3.seconds, "ended ${started.elapsedNow()} after starting")
            delay(8.seconds - started.elapsedNow())
            assertEquals(1, devicePolls - before, "no poll after the cancellation")
        }

    @Test
    fun `the device code never shows`() {
        val auth = deviceClient().deviceAuthorization()
        assertTrue(auth.deviceCode.startsWith("dc-"))
        assertFalse(auth.toString().contains(auth.deviceCode), auth.toString())
        assertTrue(auth.toString().contains("deviceCode=[redacted]"), auth.toString())
        assertTrue(auth.toString().contains(auth.userCode), auth.toString())
    }

    @Test
    fun `PKCE follows RFC 7636 and never shows its verifier`() {
        val pkce = Pkce.fromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", pkce.challenge)
        assertEquals("S256", pkce.method)
        assertEquals("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", pkce.verifier)
        assertEquals("Pkce(verifier=[redacted], challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM, method=S256)", pkce.toString())

        val e = assertThrows<ConfigException> { Pkce.fromVerifier("a".repeat(42)) }
        assertTrue(e.message!!.contains("43 to 128"), e.message)
        val bad = assertThrows<ConfigException> { Pkce.fromVerifier("${"a".repeat(43)}+secret") }
        assertFalse(bad.message!!.contains("secret"), bad.message)

        val generated = Pkce.generate()
        assertEquals(43, generated.verifier.length)
        assertNotEquals(generated, Pkce.generate())
        assertEquals(generated, Pkce.fromVerifier(generated.verifier))
    }

    @Test
    fun `the authorization URL carries state and an S256 challenge, and the callback is checked`() {
        val client = discovered()
        val pkce = Pkce.fromVerifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        val request = client.authorizationUrl("https://app.example/cb", scope = "openid read", nonce = "n-1", pkce = pkce, extra = mapOf("prompt" to "login"))
        assertTrue(request.url.startsWith("${kit.url}/authorize?"), request.url)
        val q = query(request.url)
        assertEquals("code", q["response_type"])
        assertEquals("kt-flows", q["client_id"])
        assertEquals("https://app.example/cb", q["redirect_uri"])
        assertEquals("openid read", q["scope"])
        assertEquals("n-1", q["nonce"])
        assertEquals("login", q["prompt"])
        assertEquals("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", q["code_challenge"])
        assertEquals("S256", q["code_challenge_method"])
        assertEquals(request.state, q["state"])
        assertTrue(request.state.length >= 32, "a random state: ${request.state}")
        assertEquals(pkce, request.pkce)
        assertEquals("https://app.example/cb", request.redirectUri)
        for (shown in listOf(request.url, request.toString())) assertFalse(shown.contains(pkce.verifier), shown)

        val iss = URLEncoder.encode(kit.url, UTF_8)
        val state = request.state
        assertEquals("c-1", client.parseCallback("https://app.example/cb?code=c-1&state=$state&iss=$iss", state))
        assertThrows<ConfigException> { client.parseCallback("https://app.example/cb?code=c-1&state=forged&iss=$iss", state) }
        // testkit's metadata promises iss (RFC 9207): a callback without it is refused.
        assertThrows<ConfigException> { client.parseCallback("https://app.example/cb?code=c-1&state=$state", state) }
        val denied = assertThrows<OAuthException> { client.parseCallback("https://app.example/cb?error=access_denied&state=$state&iss=$iss", state) }
        assertEquals("access_denied", denied.oauthCode)
        assertNull(denied.status, "the error came through the browser, not as an HTTP answer")

        // Left out, the state and the PKCE pair are made fresh for each request.
        val fresh = client.authorizationUrl("https://app.example/cb")
        assertNotEquals(fresh.state, client.authorizationUrl("https://app.example/cb").state)
        assertEquals(fresh.pkce.challenge, query(fresh.url)["code_challenge"])
    }
}
