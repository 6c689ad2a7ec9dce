package io.tokenfetch

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import java.io.File
import java.nio.file.Files
import java.util.concurrent.ConcurrentSkipListMap
import java.util.concurrent.atomic.AtomicInteger
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/**
 * Keys instead of shared secrets: private_key_jwt, client_secret_jwt, the JWT bearer grant,
 * the Google service account and Entra workload identity presets, and client assertions from
 * a file or a [ClientAssertionProvider]. testkit verifies every signed assertion (signature,
 * `aud`, `exp`, a fresh `jti`). conformance/keys.json runs here and writes
 * target/conformance/kotlin-keys.json for conformance/report.py.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeysTest {
    private val kit = Testkit()
    private val mapper = ObjectMapper()
    private val workspace = File(System.getProperty("workspace.dir") ?: error("set -Dworkspace.dir"))
    private val doc: JsonNode = mapper.readTree(workspace.resolve("conformance/keys.json"))
    private val cases: Map<String, JsonNode> = doc["cases"].associateBy { it["name"].asText() }
    private val results = ConcurrentSkipListMap<String, String>()
    private val clientId = "jwt-client"
    private val bearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    @AfterAll
    fun finish() {
        kit.close()
        val out = workspace.resolve("target/conformance").apply { mkdirs() }
        out.resolve("kotlin-keys.json").writeText(
            mapper.writerWithDefaultPrettyPrinter().writeValueAsString(mapOf("language" to "kotlin", "results" to results)),
        )
    }

    private fun stats(): JsonNode = mapper.readTree(kit.stats())

    /** A JWK object as Kotlin's map, PEM as text. */
    private fun key(node: JsonNode): PrivateKey =
        if (node.isObject) PrivateKey.jwk(node.properties().associate { (k, v) -> k to v.asText() }) else PrivateKey.pem(node.asText())

    /** Every 24-character run of the key's text: none may appear in a message. */
    private fun fragments(node: JsonNode?): List<String> {
        if (node == null) return emptyList()
        val text = if (node.isTextual) node.asText() else node.toString()
        val body = text.lines().filterNot { it.startsWith("-----") }.joinToString("")
        return (0..body.length - 24 step 12).map { body.substring(it, it + 24) }
    }

    private fun clientFor(case: JsonNode): TokenClient =
        TokenClient(
            TokenClientConfig(
                kit.tokenUrl,
                clientId = clientId,
                privateKey = case["key"]?.let(::key),
                signingAlgorithm = case["signing_algorithm"]?.asText()?.let { wire -> SigningAlgorithm.entries.firstOrNull { it.wire == wire } ?: throw RefusedByType(wire) },
                keyId = case["key_id"]?.asText(),
                authMethod = case["auth_method"]?.asText()?.let { wire -> AuthMethod.entries.first { it.wire == wire } },
                clientSecret = case["client_secret"]?.asText(),
            ),
        )

    /** A value Kotlin's types cannot express (an algorithm outside the enum) counts as refused. */
    private class RefusedByType(val wire: String) : Exception("unknown signing algorithm \"$wire\"")

    private fun run(case: JsonNode) {
        if (case.has("expect")) {
            val client = clientFor(case)
            assertEquals(case["expect"]["algorithm"].asText(), client.signingAlgorithm?.wire)
            client.clientCredentials()
            val claims = stats()["last_claims"]
            assertEquals(listOf(clientId, clientId, kit.tokenUrl), listOf("iss", "sub", "aud").map { claims[it].asText() })
            assertEquals(60, claims["exp"].asLong() - claims["iat"].asLong())
        } else {
            val message =
                try {
                    clientFor(case)
                    error("built a client; expected a ConfigException")
                } catch (e: ConfigException) {
                    e.message.orEmpty()
                } catch (e: RefusedByType) {
                    e.message.orEmpty()
                }
            assertTrue(message.contains(case["error"]["message"].asText()), message)
            val secrets = fragments(case["key"]) + listOfNotNull(case["client_secret"]?.asText())
            assertEquals(emptyList<String>(), secrets.filter { message.contains(it) }, "the message holds key material")
        }
    }

    @TestFactory
    fun everyKeyVector(): List<DynamicTest> =
        doc["cases"].map { case ->
            val name = "keys/${case["name"].asText()}"
            DynamicTest.dynamicTest(name) {
                try {
                    run(case)
                    results[name] = "pass"
                } catch (e: Throwable) {
                    results[name] = "fail: ${e.message}"
                    throw e
                }
            }
        }

    @Test
    fun aKeyTheServerDoesNotKnowGetsInvalidClient() {
        val client = TokenClient(TokenClientConfig(kit.tokenUrl, clientId = clientId, privateKey = PrivateKey.pem(doc["untrusted"]["key"].asText())))
        assertEquals("invalid_client", assertThrows<OAuthException> { client.clientCredentials() }.oauthCode)
    }

    @Test
    fun aKeyIsNeverShown() {
        val jwk = cases.getValue("rsa-jwk")["key"]
        val config = TokenClientConfig(kit.tokenUrl, clientId = clientId, privateKey = key(jwk))
        val shown = "$config ${config.privateKey}"
        assertEquals(emptyList<String>(), fragments(jwk).filter { shown.contains(it) })
        assertTrue(shown.contains("PrivateKey(jwk, kid=rsa-jwk-1)"), shown)
        val client = TokenClient(config)
        assertEquals(AuthMethod.PRIVATE_KEY_JWT, client.authMethod)
        assertEquals(SigningAlgorithm.RS256, client.signingAlgorithm)
    }

    @Test
    fun theJwtBearerGrantAndAReplayedAssertion() {
        val client =
            TokenClient(
                TokenClientConfig(
                    kit.tokenUrl,
                    clientId = "service-7",
                    authMethod = AuthMethod.NONE,
                    privateKey = key(cases.getValue("ec-jwk")["key"]),
                    assertionSubject = "ann@example.com",
                ),
            )
        assertEquals("read", TokenManager(client, grantType = bearer, scope = "read").token().scope)
        val seen = stats()
        assertEquals(listOf("service-7", "ann@example.com"), listOf("iss", "sub").map { seen["last_claims"][it].asText() })
        val first = seen["bearer_assertions"].last().asText()
        val replay = assertThrows<OAuthException> { client.requestToken(bearer, params = mapOf("assertion" to first)) }
        assertEquals("invalid_grant", replay.oauthCode)
        assertTrue(replay.message.orEmpty().contains("replayed"))
        assertFalse(replay.message.orEmpty().contains(first))
    }

    @Test
    fun aGoogleServiceAccount() {
        val json = java.net.URI("${kit.url}/__google_service_account").toURL().readText()
        val file = Files.createTempFile("sa", ".json").toFile().apply { writeText(json) }
        val scope = "https://www.googleapis.com/auth/cloud-platform"
        val client = TokenClient.googleServiceAccount(file.path, scope = scope)
        assertEquals(scope, TokenManager(client).token().scope)
        val claims = stats()["last_claims"]
        assertEquals("robot@testkit.iam.gserviceaccount.com", claims["iss"].asText())
        assertEquals(scope, claims["scope"].asText())
        assertNull(claims["sub"])
        val delegated = TokenClient.googleServiceAccountJson(json, assertionSubject = "admin@example.com")
        TokenManager(delegated).token()
        assertEquals("admin@example.com", stats()["last_claims"]["sub"].asText())
        val other = json.replace("\"service_account\"", "\"external_account\"")
        assertTrue(assertThrows<ConfigException> { TokenClient.googleServiceAccountJson(other) }.message!!.contains("not \"service_account\""))
        file.delete()
    }

    @Test
    fun aTokenFileIsReadForEveryRequest() {
        val file = Files.createTempFile("token", "").toFile().apply { writeText("kotlin-federated-one") }
        val client = TokenClient(TokenClientConfig(kit.scenarioUrl("federated"), clientId = clientId, clientAssertionFile = file.path))
        client.clientCredentials()
        file.writeText("kotlin-federated-two")
        client.clientCredentials()
        assertEquals(listOf("kotlin-federated-one", "kotlin-federated-two"), stats()["client_assertions"].map { it.asText() }.takeLast(2))
        file.delete()
        assertTrue(assertThrows<ConfigException> { client.clientCredentials() }.message!!.contains(file.path))
    }

    @Test
    fun aProviderIsAskedForEveryRequest() {
        val calls = AtomicInteger()
        val provider =
            ClientAssertionProvider {
                val n = calls.incrementAndGet()
                if (n == 3) throw IllegalStateException("the OIDC endpoint is down")
                "kotlin-provider-$n"
            }
        val client = TokenClient(TokenClientConfig(kit.scenarioUrl("federated"), clientId = clientId, clientAssertion = provider))
        client.clientCredentials()
        client.clientCredentials()
        assertEquals(listOf("kotlin-provider-1", "kotlin-provider-2"), stats()["client_assertions"].map { it.asText() }.takeLast(2))
        assertTrue(assertThrows<ConfigException> { client.clientCredentials() }.message!!.contains("the OIDC endpoint is down"))
    }

    @Test
    fun entraWorkloadIdentityTakesItsSettings() {
        val file = Files.createTempFile("azure-identity-token", "").toFile().apply { writeText("kotlin-entra-token") }
        val client =
            TokenClient.entraWorkloadIdentity(
                clientId = "00000000-1111-2222-3333-444444444444",
                tenantId = "contoso.onmicrosoft.com",
                clientAssertionFile = file.path,
                authorityHost = "${kit.url}/scenario/federated",
            )
        assertEquals("${kit.url}/scenario/federated/contoso.onmicrosoft.com/oauth2/v2.0/token", client.tokenUrl)
        client.clientCredentials("api://x/.default")
        assertEquals("kotlin-entra-token", stats()["client_assertions"].last().asText())
        file.delete()
    }
}
