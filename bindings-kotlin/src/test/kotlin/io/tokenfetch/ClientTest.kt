package io.tokenfetch

import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientTest {
    private val kit = Testkit()

    @AfterAll fun stop() = kit.close()

    @BeforeEach fun reset() = kit.reset()

    private fun echo(c: TokenClient, grantType: String = "client_credentials", params: Map<String, String> = emptyMap()): String =
        c.requestToken(grantType, params = params).tokenResponse!!.extraJson

    @Test
    fun `toString is the core's one view, the same fields as Python's repr and Node's toJSON`() {
        val body = """{"access_token":"at-1","token_type":"bearer","expires_in":"3600","refresh_token":"rt-1",""" +
            """"scope":"a b","echo":{"client_secret":"cs-1","note":"it's"}}"""
        assertEquals(
            "TokenResponse(accessToken=[redacted], tokenType=Bearer, expiresIn=3600, refreshToken=[redacted], " +
                "refreshExpiresIn=null, idToken=null, scope=a b, createdAt=null, expiresAt=null, " +
                """extra={"echo":{"client_secret":"[redacted]","note":"it's"}})""",
            TokenResponse.fromJson(body).toString(),
        )
    }

    @Test
    fun `client credentials with basic auth`() {
        val seen = echo(client(kit, "echo"))
        assertTrue(seen.contains("\"grant_type\":\"client_credentials\""), seen)
        assertTrue(seen.contains("\"client_id\":\"kt-client\""), seen)
        assertTrue(seen.contains("\"client_secret\":\"kt-secret-6d2f\""), seen)
        assertTrue(seen.contains("(kotlin)\""), seen)

        val token = client(kit).clientCredentials("read")
        assertTrue(token.accessToken.startsWith("at-"))
        assertEquals("Bearer", token.tokenType)
        assertEquals(3600L, token.expiresIn)
        assertEquals("read", token.scope)
        assertEquals("Bearer ${token.accessToken}", token.authorizationHeader())
    }

    @Test
    fun `a Retry-After longer than maxRetryWait is returned at once, a shorter one waited for`() {
        // rate_limited answers 429 with Retry-After: 1 once, then a token.
        val impatient = client(kit, "rate_limited") { it.copy(maxRetryWait = 500.milliseconds) }
        assertEquals(500.milliseconds, impatient.maxRetryWait)
        val e = assertThrows<OAuthException> { impatient.clientCredentials() }
        assertEquals(429, e.status)
        assertEquals(1, kit.tokenRequests())
        kit.reset()
        assertTrue(client(kit, "rate_limited") { it.copy(maxRetryWait = 2.seconds) }.clientCredentials().accessToken.startsWith("at-"))
        assertEquals(2, kit.tokenRequests())
        // Left out, the cap is the core's default, or the timeout if that is shorter.
        assertEquals(5.seconds, client(kit) { it.copy(timeout = 5.seconds) }.maxRetryWait)
        val refused = assertThrows<ConfigException> { client(kit) { it.copy(timeout = 5.seconds, maxRetryWait = 6.seconds) } }
        assertTrue(refused.message!!.contains("maxRetryWait must be at most timeout"), refused.message)
    }

    @Test
    fun `special characters in basic credentials`() {
        val c = TokenClient(
            TokenClientConfig(kit.scenarioUrl("echo"), clientId = "cc special:id", clientSecret = "p@ss:w0rd+/= &%"),
        )
        val seen = echo(c)
        assertTrue(seen.contains("\"client_id\":\"cc special:id\""), seen)
        assertTrue(seen.contains("\"client_secret\":\"p@ss:w0rd+/= &%\""), seen)
    }

    @Test
    fun `client secret post with a JSON body`() {
        val c = client(kit, "echo") { it.copy(authMethod = AuthMethod.CLIENT_SECRET_POST, bodyEncoding = BodyEncoding.JSON, extraParams = mapOf("tenant" to "t1")) }
        val seen = echo(c)
        assertTrue(seen.contains("\"content-type\":\"application/json\""), seen)
        assertTrue(seen.contains("\"params\":{\"client_id\":\"kt-client\",\"client_secret\":\"kt-secret-6d2f\",\"grant_type\":\"client_credentials\",\"tenant\":\"t1\"}"), seen)
    }

    @Test
    fun `every grant`() {
        val c = client(kit)
        val user = c.password("ann", "pw", "profile")
        assertEquals("profile", user.scope)
        val rt = checkNotNull(user.refreshToken)
        assertNotEquals(user.accessToken, c.refresh(rt).accessToken)
        assertNotNull(c.authorizationCode("abc", "https://app/cb", "v".repeat(43)).refreshToken)
        val exchanged = c.tokenExchange("subject", "urn:ietf:params:oauth:token-type:jwt", "down")
        assertTrue(exchanged.extraJson.contains("urn:ietf:params:oauth:token-type:access_token"))
        val pending = assertThrows<OAuthException> { c.deviceCode("dc-kt") }
        assertEquals("authorization_pending", pending.oauthCode)
        assertTrue(c.deviceCode("dc-kt").accessToken.startsWith("at-"))
        assertNotNull(c.requestToken("urn:testkit:custom", params = mapOf("assertion" to "a.b.c")).tokenResponse)
        assertTrue(kit.byGrant().contains("\"refresh_token\":1"), kit.byGrant())
    }

    @ParameterizedTest
    @CsvSource(
        "string_expires, 3600, Bearer",
        "float_expires, 3599, Bearer",
        "no_expires, , Bearer",
        "lowercase_bearer, 3600, Bearer",
        "no_token_type, 3600, Bearer",
        "created_at_epoch, 7200, Bearer",
        "form_encoded, 3600, Bearer",
    )
    fun `lenient parsing`(scenario: String, expiresIn: Long?, tokenType: String) {
        val token = client(kit, scenario).clientCredentials("read write")
        assertEquals(expiresIn, token.expiresIn)
        assertEquals(tokenType, token.tokenType)
    }

    @Test
    fun `scope arrays and epoch created_at`() {
        assertEquals(listOf("read", "write"), client(kit, "scope_array").clientCredentials("read write").scopes)
        assertTrue(client(kit, "created_at_epoch").clientCredentials().createdAt!!.endsWith("Z"))
        assertNull(client(kit, "no_expires").clientCredentials().expiresAt)
    }

    @Test
    fun `requestToken returns redacted HTTP metadata`() {
        val answer: V3TokenRequestResponse = client(kit).requestToken("password", params = mapOf("username" to "ann", "password" to "pw-3"))
        val token = answer.v3TokenResponse!!
        val meta: HttpMetadata = answer.httpMeta
        assertEquals("POST", meta.request.method)
        assertEquals(kit.tokenUrl, meta.request.url)
        assertEquals("Basic [redacted]", meta.request.headers["authorization"])
        val response = meta.response!!
        assertEquals(200, response.status)
        assertTrue(!response.body.contains(token.accessToken))
        assertTrue(response.elapsedMs >= 0)
    }

    @Test
    fun presets() {
        val prove = TokenClient.prove("p", "s", "uat-us", kit.tokenUrl)
        assertEquals("https://platform.eu.proveapis.com/token", TokenClient.prove("p", "s", "prod-eu").tokenUrl)
        // The enum and the string read from configuration are the same environment.
        assertEquals(TokenClient.prove("p", "s", "prod-eu").tokenUrl, TokenClient.prove("p", "s", ProveEnvironment.PROD_EU).tokenUrl)
        assertEquals(TokenClient.gusto("g", "s", "demo").tokenUrl, TokenClient.gusto("g", "s", GustoEnvironment.DEMO).tokenUrl)
        assertEquals("Bearer", prove.clientCredentials().tokenType)
        val gusto = TokenClient.gusto("g", "s", tokenUrl = "${kit.url}/oauth/token")
        assertEquals("https://api.gusto.com/oauth/token", TokenClient.gusto("g", "s", "prod").tokenUrl)
        assertTrue(TokenManager(gusto).accessToken().startsWith("at-"))
        assertEquals("{\"client_credentials\":1,\"system_access\":1}", kit.byGrant())
    }

    @Test
    fun `fromJson, toJson round trip and the seed aliases`() {
        val t: V3TokenResponse = TokenResponse.fromJson("""{"access_token":"a","expires_in":"60","scope":["x","y"],"tenant":"t"}""")
        assertEquals(60L, t.expiresIn)
        assertEquals(listOf("x", "y"), t.scopes)
        assertEquals("""{"tenant":"t"}""", t.extraJson)
        assertEquals(t, TokenResponse.fromJson(t.toJson()))
        val p: PostTokenResponse = TokenResponse.fromJson("""{"access_token":"b"}""")
        val a: Authentication = p
        assertEquals("Bearer", a.tokenType)
        // The old name still works (deprecated: it meant something else in Rust).
        @Suppress("DEPRECATION")
        val old = parseTokenResponse("""{"access_token":"b"}""")
        assertEquals(p, old)
    }

    @Test
    fun timeouts() {
        val slow = client(kit, "slow") { it.copy(timeout = 300.milliseconds, headers = it.headers + ("X-Testkit-Delay-Ms" to "3000")) }
        val e = assertThrows<TokenTimeoutException> { slow.clientCredentials() }
        assertEquals("timeout", e.kind)
    }
}
