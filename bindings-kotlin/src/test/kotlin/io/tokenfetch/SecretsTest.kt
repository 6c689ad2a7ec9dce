package io.tokenfetch

import java.net.URLEncoder
import java.nio.charset.StandardCharsets.UTF_8
import java.util.Base64
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.ValueSource

/**
 * No secret in any output, in any encoding, against a server that echoes the request back.
 * Every credential holds `space & + = / % " \ : @ é`; every output a user could print
 * (message, toString, metadata) is scanned for every form of every credential: raw,
 * form-encoded (`+` and `%20`), percent-encoded in either hex case, JSON-escaped,
 * HTML-escaped, the decoded Basic pair and the Basic base64 (standard and URL-safe, with and
 * without padding).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecretsTest {
    private val kit = Testkit()

    @AfterAll fun stop() = kit.close()

    private val hostile = "s p&c+e=/%\"\\:@é"
    private val clientId = "my id:é"
    private val secrets =
        listOf(
            "client-secret", "query-key", "assertion", "api-key", "subscription", "password",
            "refresh", "code", "verifier", "device", "subject", "actor",
        ).associateWith { "$it-$hostile-end" }

    private fun form(s: String): String = URLEncoder.encode(s, UTF_8)

    private fun lowerHex(s: String): String = Regex("%[0-9A-F]{2}").replace(s) { it.value.lowercase() }

    private fun forms(secret: String): Set<String> {
        val form = form(secret)
        val uri = form.replace("+", "%20").replace("*", "%2A").replace("~", "%7E")
        val json = secret.replace("\\", "\\\\").replace("\"", "\\\"")
        val jsonAscii = json.map { if (it.code < 128) it.toString() else "\\u%04x".format(it.code) }.joinToString("")
        val html = secret.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;")
        return setOf(secret, form, form.replace("+", "%20"), lowerHex(form), uri, lowerHex(uri), json, jsonAscii, html)
    }

    private fun basicForms(id: String, secret: String): Set<String> {
        val pair = "${form(id)}:${form(secret)}"
        val std = Base64.getEncoder().encodeToString(pair.toByteArray())
        val url = Base64.getUrlEncoder().encodeToString(pair.toByteArray())
        return setOf(pair, "$id:$secret", std, std.trimEnd('='), url, url.trimEnd('='))
    }

    private val forbidden: List<Pair<String, String>> =
        secrets.flatMap { (name, value) -> forms(value).map { name to it } } +
            basicForms(clientId, secrets.getValue("client-secret")).map { "Basic credentials" to it }

    private fun leaks(text: String): List<String> = forbidden.filter { text.contains(it.second) }.map { "${it.first} as ${it.second}" }

    private fun config(scenario: String, authMethod: AuthMethod, bodyEncoding: BodyEncoding): TokenClientConfig =
            TokenClientConfig(
                "${kit.scenarioUrl(scenario)}?api_key=${form(secrets.getValue("query-key"))}",
                clientId = clientId,
                clientSecret = secrets.getValue("client-secret"),
                authMethod = authMethod,
                bodyEncoding = bodyEncoding,
                extraParams = mapOf("client_assertion" to secrets.getValue("assertion")),
                headers = mapOf("X-Api-Key" to secrets.getValue("api-key"), "Ocp-Apim-Subscription-Key" to secrets.getValue("subscription")),
                maxRetries = 0,
            )

    private val grants: List<Pair<String, Map<String, String>>> =
        listOf(
            "client_credentials" to emptyMap(),
            "password" to mapOf("username" to "ann", "password" to secrets.getValue("password")),
            "refresh_token" to mapOf("refresh_token" to secrets.getValue("refresh")),
            "authorization_code" to
                mapOf("code" to secrets.getValue("code"), "redirect_uri" to "app://cb", "code_verifier" to secrets.getValue("verifier")),
            "urn:ietf:params:oauth:grant-type:device_code" to mapOf("device_code" to secrets.getValue("device")),
            "urn:ietf:params:oauth:grant-type:token-exchange" to
                mapOf(
                    "subject_token" to secrets.getValue("subject"),
                    "subject_token_type" to "urn:ietf:params:oauth:token-type:jwt",
                    "actor_token" to secrets.getValue("actor"),
                ),
        )

    @ParameterizedTest
    @ValueSource(strings = ["echo_html", "echo_json", "echo_form", "echo_text", "echo_headers", "echo"])
    fun `no credential is echoed back in any encoding`(scenario: String) {
        val printed = mutableListOf<String>()
        for (authMethod in listOf(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST)) {
            for (bodyEncoding in listOf(BodyEncoding.FORM, BodyEncoding.JSON)) {
                val config = config(scenario, authMethod, bodyEncoding)
                val c = TokenClient(config)
                printed += listOf(config.toString(), c.toString(), c.tokenUrl)
                for ((grantType, params) in grants) {
                    try {
                        val answer = c.requestToken(grantType, params = params)
                        printed += listOf(answer.toString(), answer.httpMeta.toString(), answer.tokenResponse.toString())
                    } catch (e: TokenFetchException) {
                        printed += listOf(e.toString(), e.message.orEmpty(), e.httpMeta.toString(), e.stackTraceToString())
                    }
                }
            }
        }
        assertTrue(printed.any { it.contains(REDACTED) }, "$scenario echoed nothing")
        assertEquals(emptyList<String>(), printed.flatMap(::leaks).take(5))
    }

    /**
     * The revocation, introspection and device authorization endpoints pointed at an echoing
     * server: the token sent there and the client's own credentials stay out of every output.
     */
    @ParameterizedTest
    @ValueSource(strings = ["echo_html", "echo_json", "echo_form", "echo_text", "echo_headers"])
    fun `no credential sent to the other endpoints is echoed back`(scenario: String) {
        val echo = kit.scenarioUrl(scenario)
        val base = config(scenario, AuthMethod.CLIENT_SECRET_BASIC, BodyEncoding.FORM)
        val c = TokenClient(base.copy(revocationEndpoint = echo, introspectionEndpoint = echo, deviceAuthorizationEndpoint = echo))
        val token = secrets.getValue("subject")
        val printed = mutableListOf<String>()
        val calls = listOf({ c.revoke(token, "access_token") }, { c.introspect(token) }, { c.deviceAuthorization("read") })
        for (call in calls) {
            try {
                printed += call().toString()
            } catch (e: TokenFetchException) {
                printed += listOf(e.toString(), e.message.orEmpty(), e.httpMeta.toString(), e.stackTraceToString())
            }
        }
        assertTrue(printed.any { it.contains(REDACTED) }, "$scenario echoed nothing")
        assertEquals(emptyList<String>(), printed.flatMap(::leaks).take(5))
    }

    @Test
    fun `the scan catches each form it claims to`() {
        val secret = secrets.getValue("client-secret")
        for (leaked in forms(secret) + basicForms(clientId, secret)) {
            assertTrue(leaks("... $leaked ...").isNotEmpty(), leaked)
        }
    }

    @Test
    fun `a URL with credentials is never echoed in a config error`() {
        for (url in listOf("https://id:s3cr3t-pw@auth.example/token", "https://id:s3cr3t-pw@[::1/token")) {
            val e = assertThrows<ConfigException> { TokenClient(TokenClientConfig(url, clientId = "x", clientSecret = "y")) }
            assertFalse(e.message.orEmpty().contains("s3cr3t"), e.message)
        }
    }

    /** testkit's echo_200 endpoints copy the request, Authorization header included, into a 200 answer's members. */
    @Test
    fun `a successful answer echoing the request shows no credential in toString`() {
        val id = "echo-id"
        val secret = "echo-secret-5a7d"
        val basic = Base64.getEncoder().encodeToString("$id:$secret".toByteArray(UTF_8))
        val client =
            TokenClient(
                TokenClientConfig(
                    kit.tokenUrl, clientId = id, clientSecret = secret,
                    introspectionEndpoint = "${kit.url}/echo_200/introspect",
                    deviceAuthorizationEndpoint = "${kit.url}/echo_200/device_authorization",
                ),
            )
        client.use {
            for (shown in listOf(it.introspect("tok-en-secret").toString(), it.deviceAuthorization("read").toString())) {
                for (value in listOf(secret, basic, "tok-en-secret")) {
                    assertFalse(shown.contains(value), "$value in $shown")
                }
            }
        }
    }
}
