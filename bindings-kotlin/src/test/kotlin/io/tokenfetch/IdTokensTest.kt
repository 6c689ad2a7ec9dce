package io.tokenfetch

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import java.io.File
import java.net.HttpURLConnection
import java.net.URI
import java.util.concurrent.ConcurrentSkipListMap
import java.util.concurrent.Executors
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.opentest4j.AssertionFailedError

/**
 * Sign-in with ID tokens: the shared vectors (conformance/id_tokens.json) through
 * [IdTokens.validate], then a whole sign-in against testkit's OpenID provider, and every way
 * testkit can make an ID token wrong, each failing with its own named check. Writes
 * target/conformance/kotlin-id_tokens.json for conformance/report.py.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IdTokensTest {
    private val mapper = ObjectMapper()
    private val workspace = File(System.getProperty("workspace.dir") ?: error("set -Dworkspace.dir"))
    private val vectors = mapper.readTree(workspace.resolve("conformance/id_tokens.json"))
    private val results = ConcurrentSkipListMap<String, String>()
    private val kit = Testkit()
    private val redirect = "http://app.example/callback"

    @AfterAll
    fun finish() {
        kit.close()
        val out = workspace.resolve("target/conformance").apply { mkdirs() }
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.resolve("kotlin-id_tokens.json"), mapOf("language" to "kotlin", "results" to results))
    }

    @TestFactory
    fun vectors(): List<DynamicTest> =
        vectors["cases"].map { case ->
            val name = "id_tokens/${case["name"].asText()}"
            DynamicTest.dynamicTest(name) {
                try {
                    check(case)
                } catch (e: AssertionFailedError) {
                    results[name] = "fail: ${e.message}"
                    throw e
                }
                results[name] = "pass"
            }
        }

    private fun JsonNode.text(name: String): String? = get(name)?.takeIf { it.isTextual }?.asText()

    private fun check(case: JsonNode) {
        val given = case["given"]
        val claims =
            try {
                IdTokens.validate(
                    token = case["token"].asText(),
                    jwks = mapper.writeValueAsString(case["jwks"] ?: vectors["jwks"]),
                    issuer = given["issuer"].asText(),
                    clientId = given["client_id"].asText(),
                    nonce = given.text("nonce"),
                    maxAge = given["max_age"]?.takeIf { it.isNumber }?.asLong()?.seconds,
                    accessToken = given.text("access_token"),
                    code = given.text("code"),
                    clockSkew = given["clock_skew"]?.takeIf { it.isNumber }?.asLong()?.seconds,
                    algorithms = given["algorithms"]?.map { it.asText() },
                    clientSecret = given.text("client_secret"),
                    now = given["now"].asLong(),
                )
            } catch (e: IdTokenException) {
                val want = case["error"] ?: throw AssertionFailedError("expected claims, got ${e.idTokenCheck}: ${e.message}")
                assertEquals(want["kind"].asText() to want["check"].asText(), e.kind to e.idTokenCheck, e.message)
                return
            }
        val want = case["claims"] ?: throw AssertionFailedError("expected ${case["error"]}, got valid claims")
        val extra = mapper.readTree(claims.extraJson)
        for ((name, value) in want.properties()) {
            when (name) {
                "extra" -> value.properties().forEach { (member, v) -> assertEquals(v, extra[member], "extra $member") }
                "sub" -> assertEquals(value.asText(), claims.sub)
                "iss" -> assertEquals(value.asText(), claims.iss)
                "azp" -> assertEquals(value.asText(), claims.azp)
                "aud" -> assertEquals(value.map { it.asText() }, claims.aud)
                else -> throw AssertionFailedError("the runner does not compare $name yet")
            }
        }
    }

    // --- Against testkit's OpenID provider ----------------------------------------------------

    private fun provider(base: Testkit = kit, flavor: String = "main"): TokenClient =
        TokenClient.discover("${base.url}/op/$flavor", TokenClientConfig(clientId = "rp", clientSecret = "rp-secret", discoveryTtl = Duration.ZERO))

    /** The authorization URL followed as a browser would, to the redirect's Location. */
    private fun follow(url: String): String {
        val connection = URI(url).toURL().openConnection() as HttpURLConnection
        connection.instanceFollowRedirects = false
        assertEquals(302, connection.responseCode)
        return connection.getHeaderField("Location")
    }

    private fun signIn(client: TokenClient, mode: String = "good", maxAge: Duration? = null): TokenResponse {
        val extra = mapOf("tf_id_token" to mode)
        val request =
            if (maxAge == null) {
                client.authorizationUrl(redirect, scope = "openid profile", extra = extra)
            } else {
                client.authorizationUrl(redirect, scope = "openid profile", extra = extra, maxAge = maxAge)
            }
        return client.exchangeCode(request, follow(request.url))
    }

    private fun jwksReads(base: Testkit): Int {
        val body = URI("${base.url}/op/main/__stats").toURL().readText()
        return mapper.readTree(body)["jwks_reads"].asInt()
    }

    @Test
    fun `a sign-in returns the validated claims of its own request`() {
        val client = provider()
        assertTrue(client.validatesIdTokens)
        val request = client.authorizationUrl(redirect, scope = "openid")
        val nonce = request.nonce
        assertNotNull(nonce, "an openid request gets a nonce of its own")
        val kept = AuthorizationRequest.fromSessionJson(request.toSessionJson())
        assertEquals(request, kept)
        val token = client.exchangeCode(kept, follow(request.url))
        val claims = token.idTokenClaims!!
        assertEquals(Triple("user-42", listOf("rp"), nonce), Triple(claims.sub, claims.aud, claims.nonce))
        assertEquals("Ann Example", mapper.readTree(claims.extraJson)["name"].asText())
        assertFalse(token.toString().contains(token.accessToken))
        assertTrue(claims.toString().contains("user-42"))
    }

    @Test
    fun `every algorithm the provider signs with verifies`() {
        val client = provider()
        for (mode in listOf("good", "es256", "eddsa", "ps256")) assertNotNull(signIn(client, mode).idTokenClaims, mode)
    }

    @Test
    fun `each bad ID token fails its own named check`() {
        val client = provider()
        val cases =
            mapOf(
                "wrong-signature" to "signature", "alg-none" to "alg", "hs256-with-public-key" to "alg", "jwk-header" to "kid",
                "crit" to "crit", "wrong-iss" to "iss", "wrong-aud" to "aud", "wrong-azp" to "azp", "several-aud" to "azp",
                "wrong-nonce" to "nonce", "expired" to "exp", "not-yet-valid" to "nbf", "future-iat" to "iat",
                "at-hash-mismatch" to "at_hash", "c-hash-mismatch" to "c_hash", "oversized" to "size", "deep-nesting" to "nesting",
            )
        for ((mode, check) in cases) {
            val e = assertThrows<IdTokenException>(mode) { signIn(client, mode) }
            assertEquals(check, e.idTokenCheck, "$mode: ${e.message}")
            assertEquals(ErrorKind.ID_TOKEN, e.errorKind)
            assertFalse(e.message!!.contains("eyJ"), "no message quotes the token")
        }
    }

    @Test
    fun `max age is sent and auth_time checked`() {
        val client = provider()
        assertTrue(client.authorizationUrl(redirect, scope = "openid", maxAge = 600.seconds).url.contains("max_age=600"))
        assertNotNull(signIn(client, maxAge = 600.seconds).idTokenClaims)
        assertEquals("auth_time", assertThrows<IdTokenException> { signIn(client, "old-auth-time", 600.seconds) }.idTokenCheck)
        assertThrows<ConfigException> { client.authorizationUrl(redirect, maxAge = (-1).milliseconds) }
    }

    @Test
    fun `a rotated key takes one more JWKS read and made-up kids none`() {
        Testkit().use { own ->
            val client = provider(own)
            signIn(client, "es256")
            signIn(client, "es256")
            assertEquals(1, jwksReads(own))
            (URI("${own.url}/op/main/__rotate").toURL().openConnection() as HttpURLConnection).apply { requestMethod = "POST" }.inputStream.close()
            signIn(client, "es256")
            assertEquals(2, jwksReads(own))
            repeat(10) { assertEquals("kid", assertThrows<IdTokenException> { signIn(client, "unknown-kid") }.idTokenCheck) }
            assertEquals(2, jwksReads(own))
        }
    }

    @Test
    fun `concurrent sign-ins read the JWKS once`() {
        Testkit().use { own ->
            val client = provider(own)
            val pool = Executors.newFixedThreadPool(8)
            try {
                (1..8).map { pool.submit<TokenResponse> { signIn(client) } }.forEach { assertNotNull(it.get().idTokenClaims) }
            } finally {
                pool.shutdown()
            }
            assertEquals(1, jwksReads(own))
        }
    }

    @Test
    fun `the suspend twin signs in the same way`() =
        runBlocking {
            val client = provider()
            val request = client.authorizationUrl(redirect, scope = "openid")
            assertNotNull(client.awaitExchangeCode(request, follow(request.url)).idTokenClaims)
        }

    @Test
    fun `userinfo answers for the signed-in user only and the end session URL carries its parameters`() {
        val client = provider()
        val token = signIn(client)
        val info = mapper.readTree(client.userinfo(token.accessToken, token.idTokenClaims!!.sub))
        assertEquals("user-42", info["sub"].asText())
        val other = signIn(client, "userinfo-other-sub")
        assertEquals("sub", assertThrows<IdTokenException> { client.userinfo(other.accessToken, other.idTokenClaims!!.sub) }.idTokenCheck)
        val signed = provider(kit, "signed-userinfo")
        assertEquals("rp", mapper.readTree(signed.userinfo(signIn(signed).accessToken))["aud"].asText())
        val url = client.endSessionUrl("the.id.token", "https://app.example/bye", "s-1")
        assertTrue(url.contains("id_token_hint=the.id.token") && url.contains("state=s-1") && url.contains("client_id=rp"), url)
    }

    @Test
    fun `validate checks its own arguments`() {
        val token = vectors["cases"][0]["token"].asText()
        val jwks = mapper.writeValueAsString(vectors["jwks"])
        assertThrows<ConfigException> { IdTokens.validate(token, jwks, "i", "c", clockSkew = (-5).seconds) }
        assertThrows<ConfigException> { IdTokens.validate(token, jwks, "i", "c", algorithms = listOf("RS1024")) }
        assertEquals("jwks", assertThrows<IdTokenException> { IdTokens.validate(token, "[]", "i", "c") }.idTokenCheck)
        assertThrows<ConfigException> { AuthorizationRequest.fromSessionJson("not json") }
    }

    @Test
    fun `a config prints its ID token algorithms by name and its certificates by count`() {
        val printed = TokenClientConfig(
            "https://idp.example/token",
            idTokenAlgorithms = listOf("ES256", "EdDSA"),
            rootCertificates = listOf("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"),
        ).toString()
        assertTrue("idTokenAlgorithms=[ES256, EdDSA]" in printed, printed)
        assertTrue("rootCertificates=1 PEM" in printed, printed)
    }

    @Test
    fun `a pushed authorization request signs in with only a reference in the URL`() {
        val client = provider(flavor = "par")
        // The provider requires pushed requests: a plain URL is refused before any browser sees it.
        val refused = assertThrows<ConfigException> { client.authorizationUrl(redirect, scope = "openid") }
        assertTrue("pushAuthorizationRequest" in refused.message.orEmpty(), refused.message)
        val request = client.pushAuthorizationRequest(redirect, scope = "openid profile")
        assertTrue(request.requestUri.orEmpty().startsWith("urn:ietf:params:oauth:request_uri:"), request.toString())
        val names = URI(request.url).rawQuery.split('&').map { it.substringBefore('=') }.sorted()
        assertEquals(listOf("client_id", "request_uri"), names)
        val kept = AuthorizationRequest.fromSessionJson(request.toSessionJson())
        assertEquals(request.requestUri, kept.requestUri)
        val token = client.exchangeCode(kept, follow(request.url))
        assertEquals(request.nonce, token.idTokenClaims?.nonce)
        val suspended = runBlocking { client.awaitPushAuthorizationRequest(redirect, scope = "openid") }
        assertNotNull(suspended.requestUri)
    }

    @Test
    fun `a pushed request's answer is checked before it reaches a browser`() {
        val client = provider(flavor = "par")
        for ((how, says) in listOf(
            "no-uri" to "without a request_uri",
            "zero-expiry" to "positive expires_in",
            "echo-secret" to "carries a credential",
            "long-uri" to "not a short reference",
        )) {
            val e = assertThrows<TokenFetchException> {
                client.pushAuthorizationRequest(redirect, scope = "openid", extra = mapOf("tf_par" to how))
            }
            assertEquals("decode", e.kind, "$how: ${e.message}")
            assertTrue(says in e.message.orEmpty() && "/op/par/par" in e.message.orEmpty(), e.message)
            assertFalse("rp-secret" in e.toString(), e.toString())
        }
        val missing = assertThrows<ConfigException> { provider().pushAuthorizationRequest(redirect) }
        assertTrue("pushed_authorization_request_endpoint" in missing.message.orEmpty(), missing.message)
    }
}
