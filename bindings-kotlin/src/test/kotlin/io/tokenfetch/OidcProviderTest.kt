package io.tokenfetch

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import java.io.File
import java.net.URI
import java.net.URLEncoder
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.Base64
import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource

/**
 * Against a real OpenID Connect server nobody here wrote: panva's oidc-provider. `make test`
 * starts it on 127.0.0.1 (scripts/with-oidc.sh) and names it in `OIDC_URL`; its clients and
 * resource servers are in testkit/oidc/fixtures.json. Without `OIDC_URL` the tests are skipped,
 * unless `TOKENFETCH_REQUIRE_OIDC` is set (`make test` sets it).
 */
class OidcProviderTest {
    private val issuer: String? = System.getenv("OIDC_URL")
    private val mapper = ObjectMapper()
    private val fixtures: JsonNode =
        mapper.readTree(File(System.getProperty("workspace.dir") ?: error("set -Dworkspace.dir"), "testkit/oidc/fixtures.json"))
    private val http = HttpClient.newHttpClient()

    @BeforeEach
    fun requireServer() {
        check(issuer != null || System.getenv("TOKENFETCH_REQUIRE_OIDC") == null) {
            "TOKENFETCH_REQUIRE_OIDC is set but OIDC_URL is not: run under scripts/with-oidc.sh"
        }
        assumeTrue(issuer != null, "OIDC_URL is not set (make test starts oidc-provider)")
    }

    private fun fixture(role: String): JsonNode = fixtures["clients"][role]

    private fun resource(role: String): String = fixtures["resources"][role]["indicator"].asText()

    private val keys: JsonNode =
        mapper.readTree(File(System.getProperty("workspace.dir") ?: error("set -Dworkspace.dir"), "conformance/keys.json"))

    /** The private key of one case of conformance/keys.json (`untrusted`: one no server knows). */
    private fun keyCase(name: String): PrivateKey =
        PrivateKey.pem(if (name == "untrusted") keys["untrusted"]["key"].asText() else keys["cases"].first { it["name"].asText() == name }["key"].asText())

    private fun client(
        role: String,
        secret: String? = null,
        resource: List<String> = emptyList(),
        key: PrivateKey? = null,
    ): TokenClient {
        val c = fixture(role)
        return TokenClient(
            TokenClientConfig(
                tokenUrl = "$issuer/token",
                clientId = c["client_id"].asText(),
                clientSecret = secret ?: c["client_secret"]?.asText(),
                authMethod = AuthMethod.entries.first { it.wire == c["token_endpoint_auth_method"].asText() },
                privateKey = key ?: c["key_case"]?.asText()?.let(::keyCase),
                resource = resource,
            ),
        )
    }

    @Test
    fun `keys and HMAC secrets authenticate where the server registered them`() {
        for (role in listOf("jwt_rs256", "jwt_es256", "secret_jwt")) {
            assertTrue(client(role).clientCredentials("read").accessToken.isNotEmpty(), role)
        }
        val impostor = client("jwt_es256", key = keyCase("untrusted"))
        assertEquals("invalid_client", assertThrows<OAuthException> { impostor.clientCredentials("read") }.oauthCode)
    }

    private fun issuedTo(role: String): Long {
        val stats = http.send(HttpRequest.newBuilder(URI("$issuer/__stats")).build(), HttpResponse.BodyHandlers.ofString())
        return mapper.readTree(stats.body())["issued"][fixture(role)["client_id"].asText()]?.asLong() ?: 0
    }

    private fun jwtClaims(token: String): JsonNode = mapper.readTree(Base64.getUrlDecoder().decode(token.split('.')[1]))

    @Test
    fun `client credentials with client_secret_basic`() {
        val answer = client("basic").requestToken("client_credentials", scope = "read")
        val token = checkNotNull(answer.tokenResponse) { "a token on success" }
        assertEquals("Bearer", token.tokenType)
        assertEquals("read", token.scope)
        assertEquals(600L, token.expiresIn)
        assertNotNull(token.expiresAt)
        assertEquals(200, answer.httpMeta.response?.status)
        assertEquals("Basic [redacted]", answer.httpMeta.request.headers["authorization"])
    }

    @Test
    fun `client credentials with client_secret_post`() {
        assertEquals("read write", client("post").clientCredentials("read write").scope)
    }

    @Test
    fun `an id and secret with reserved characters authenticate`() {
        assertEquals("cc special:id", fixture("special")["client_id"].asText())
        assertEquals("Bearer", client("special").clientCredentials("read").tokenType)
    }

    @Test
    fun `resource indicators choose a JWT or an opaque token`() {
        val jwt = client("basic", resource = listOf(resource("jwt"))).clientCredentials("read")
        val claims = jwtClaims(jwt.accessToken)
        assertEquals(resource("jwt"), claims["aud"].asText())
        assertEquals("tf-basic", claims["client_id"].asText())
        assertEquals(3600L, jwt.expiresIn)

        val opaque = client("basic", resource = listOf(resource("opaque"))).clientCredentials()
        assertFalse('.' in opaque.accessToken, "an opaque token is not a JWT")
        assertEquals(3600L, opaque.expiresIn)
    }

    @Test
    fun `a wrong secret is invalid_client with status 401`() {
        val e = assertThrows<OAuthException> { client("basic", secret = "not-the-secret").clientCredentials() }
        assertEquals("oauth", e.kind)
        assertEquals("invalid_client", e.oauthCode)
        assertEquals(401, e.status)
        assertFalse(e.message!!.contains("not-the-secret"))
    }

    @Test
    fun `a scope the client may not have is invalid_scope`() {
        val e = assertThrows<OAuthException> { client("read_only").clientCredentials("write") }
        assertEquals("invalid_scope", e.oauthCode)
        assertEquals(400, e.status)
    }

    @ParameterizedTest
    @ValueSource(strings = ["device_public", "device_confidential"])
    fun `device flow clients get codes and are told to wait`(role: String) {
        val c = fixture(role)
        val form =
            listOfNotNull("client_id" to c["client_id"].asText(), "scope" to "openid read", c["client_secret"]?.let { "client_secret" to it.asText() })
                .joinToString("&") { (k, v) -> "$k=${URLEncoder.encode(v, Charsets.UTF_8)}" }
        val request =
            HttpRequest.newBuilder(URI("$issuer/device/auth"))
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build()
        val codes = mapper.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body())
        assertTrue(codes["user_code"].isTextual && codes["verification_uri"].isTextual)
        val e = assertThrows<OAuthException> { client(role).deviceCode(codes["device_code"].asText()) }
        assertEquals("authorization_pending", e.oauthCode)
    }

    /** A client built from the issuer alone: every endpoint and the auth method come from the provider's metadata. */
    private fun discovered(role: String): TokenClient {
        val c = fixture(role)
        return TokenClient.discover(issuer!!, TokenClientConfig(clientId = c["client_id"].asText(), clientSecret = c["client_secret"]?.asText()))
    }

    /**
     * Plays the user in a browser: testkit/oidc/approve.mjs submits the provider's own forms
     * (the user code, a login, the consent) and presses Continue ("approve") or Abort ("deny").
     */
    private fun actAsUser(verificationUriComplete: String, choice: String) {
        val script = File(System.getProperty("workspace.dir"), "testkit/oidc/approve.mjs").path
        val process = ProcessBuilder("node", script, verificationUriComplete, choice).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val printed = process.inputStream.bufferedReader().use { it.readText() }.trim()
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "approve.mjs finished")
        assertEquals(0, process.exitValue(), printed)
        assertEquals(if (choice == "approve") "approved" else "denied", printed)
    }

    @Test
    fun `discovery from the issuer finds every endpoint`() {
        val client = discovered("basic")
        assertEquals("$issuer/token", client.tokenUrl)
        assertEquals(issuer, client.issuer)
        val metadata = checkNotNull(client.serverMetadata)
        assertEquals(issuer, metadata.issuer)
        assertEquals("$issuer/device/auth", metadata.deviceAuthorizationEndpoint)
        assertNotNull(metadata.revocationEndpoint)
        assertNotNull(metadata.introspectionEndpoint)
        assertTrue("S256" in metadata.codeChallengeMethodsSupported, metadata.toString())
        assertEquals("read", client.clientCredentials("read").scope)
    }

    @Test
    fun `a revoked token introspects as inactive`() {
        val client = discovered("basic")
        val token = client.clientCredentials("read")
        val live = client.introspect(token.accessToken, "access_token")
        assertTrue(live.active)
        assertEquals(fixture("basic")["client_id"].asText(), live.clientId)
        assertNotNull(live.exp)
        client.revoke(token.accessToken, "access_token")
        assertFalse(client.introspect(token.accessToken, "access_token").active)
        // Revoking a token the server does not know is still a success (RFC 7009 §2.2).
        client.revoke("never-issued")
    }

    @ParameterizedTest
    @ValueSource(strings = ["device_public", "device_confidential"])
    fun `the device flow end to end with a user who approves`(role: String) {
        val client = discovered(role)
        val auth = client.deviceAuthorization("openid offline_access read")
        actAsUser(checkNotNull(auth.verificationUriComplete), "approve")
        val token = client.pollDeviceToken(auth)
        assertNotNull(token.idToken, "openid was granted")
        assertNotNull(token.refreshToken, "offline_access was granted")
    }

    @Test
    fun `the device flow ends with access_denied when the user aborts`() =
        runBlocking {
            val client = discovered("device_public")
            val auth = client.awaitDeviceAuthorization("openid read")
            actAsUser(checkNotNull(auth.verificationUriComplete), "deny")
            val e = assertThrows<OAuthException> { client.awaitPollDeviceToken(auth) }
            assertEquals("access_denied", e.oauthCode)
        }

    /**
     * Plays the user's browser through the provider's login and consent forms, up to the
     * redirect back to the app, and returns that URL (the callback the app's handler reads).
     */
    private fun signInThroughTheForms(authorizationUrl: String, redirectUri: String): String {
        val script = File(System.getProperty("workspace.dir"), "testkit/oidc/approve.mjs").path
        val process = ProcessBuilder("node", script, authorizationUrl, "sign-in", redirectUri).redirectError(ProcessBuilder.Redirect.INHERIT).start()
        val printed = process.inputStream.bufferedReader().use { it.readText() }.trim()
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "approve.mjs finished")
        assertEquals(0, process.exitValue(), printed)
        return printed
    }

    @Test
    fun `a whole sign-in through the provider's forms validates its ID token`() {
        val c = fixture("web")
        val client = discovered("web")
        assertTrue(client.validatesIdTokens)
        val redirectUri = c["redirect_uris"][0].asText()
        val request = client.authorizationUrl(redirectUri, scope = "openid offline_access read", extra = mapOf("prompt" to "consent"))
        val callback = signInThroughTheForms(request.url, redirectUri)
        // What a web app keeps in its session between the two steps.
        val kept = AuthorizationRequest.fromSessionJson(request.toSessionJson())
        val token = client.exchangeCode(kept, callback)
        val claims = checkNotNull(token.idTokenClaims)
        assertEquals(issuer, claims.iss)
        assertEquals(listOf(c["client_id"].asText()), claims.aud)
        assertEquals(request.nonce, claims.nonce)
        val info = mapper.readTree(client.userinfo(token.accessToken, expectedSub = claims.sub))
        assertEquals(claims.sub, info["sub"].asText())
        val refreshed = client.refresh(checkNotNull(token.refreshToken))
        assertEquals(claims.sub, checkNotNull(refreshed.idTokenClaims).sub)
        // The code is spent: a second exchange is the provider's invalid_grant, not a second token.
        val again = assertThrows<OAuthException> { client.exchangeCode(request, callback) }
        assertEquals("invalid_grant", again.oauthCode)
        val logout = URI(client.endSessionUrl(token.idToken, c["post_logout_redirect_uris"][0].asText()))
        assertEquals("/session/end", logout.path)
    }

    @Test
    fun `a pushed authorization request signs in through the provider's forms`() {
        val c = fixture("web")
        val client = discovered("web")
        val redirectUri = c["redirect_uris"][0].asText()
        val request = client.pushAuthorizationRequest(redirectUri, scope = "openid")
        assertNotNull(request.requestUri)
        assertFalse("code_challenge" in request.url, request.url)
        val token = client.exchangeCode(request, signInThroughTheForms(request.url, redirectUri))
        assertEquals(request.nonce, token.idTokenClaims?.nonce)
    }

    @Test
    fun `a callback for another sign-in is refused before its code is spent`() {
        val client = discovered("web")
        val redirectUri = fixture("web")["redirect_uris"][0].asText()
        val first = client.authorizationUrl(redirectUri, scope = "openid")
        val second = client.authorizationUrl(redirectUri, scope = "openid")
        val callback = signInThroughTheForms(first.url, redirectUri)
        val refused = assertThrows<ConfigException> { client.exchangeCode(second, callback) }
        assertTrue("state" in refused.message.orEmpty(), refused.message)
        assertNotNull(client.exchangeCode(first, callback).idTokenClaims)
    }

    /**
     * Four threads read a 5-second token for 6.5 s. With a 1 s skew the manager fetches at about
     * 0 s and 4 s: one token per lifetime, never an expired one, never two fetches at once.
     */
    @Test
    fun `the manager refreshes a short-lived token once per lifetime`() {
        val manager = TokenManager(client("cache", resource = listOf(resource("short_lived"))), refreshSkew = 1.seconds)
        val issuedBefore = issuedTo("cache")
        val seen = ConcurrentHashMap<String, Long>()
        val deadline = System.nanoTime() + 6_500_000_000L
        val pool = Executors.newFixedThreadPool(4)
        val readers =
            (1..4).map {
                pool.submit<Int> {
                    var reads = 0
                    while (System.nanoTime() < deadline) {
                        val token = manager.token()
                        val expiresAt = token.expiresAt!!
                        assertEquals(5L, token.expiresIn)
                        assertTrue(System.currentTimeMillis() / 1000.0 < expiresAt, "handed out a token that expired at $expiresAt")
                        seen[token.accessToken] = expiresAt
                        reads++
                        Thread.sleep(20)
                    }
                    reads
                }
            }
        val reads = readers.sumOf { it.get() }
        pool.shutdown()
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS))

        assertTrue(reads > 400, "the readers ran ($reads reads)")
        assertEquals(2, seen.size, "one token per lifetime across 6.5 s: fetched at ~0 s and ~4 s")
        assertEquals(seen.size.toLong(), issuedTo("cache") - issuedBefore, "the manager fetched once per lifetime")
        manager.close()
    }
}
