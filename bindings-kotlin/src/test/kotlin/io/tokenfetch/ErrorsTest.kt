package io.tokenfetch

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.params.ParameterizedTest
import org.junit.jupiter.params.provider.CsvSource

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ErrorsTest {
    private val kit = Testkit()
    private val secret = "kt-err-secret-5a8e"

    @AfterAll fun stop() = kit.close()

    private fun failing(scenario: String) =
        TokenClient(TokenClientConfig(kit.scenarioUrl(scenario), clientId = "kt", clientSecret = secret, maxRetries = 0))

    @ParameterizedTest
    @CsvSource(
        "error_200, OAuthException, oauth, 200, invalid_grant",
        "invalid_client, OAuthException, oauth, 401, invalid_client",
        "invalid_scope, OAuthException, oauth, 400, invalid_scope",
        "prove_error, OAuthException, oauth, 400, 1001",
        "form_error, OAuthException, oauth, 200, bad_verification_code",
        "html_502, HttpStatusException, http_status, 502, ",
        "empty_503, HttpStatusException, http_status, 503, ",
        "redirect, HttpStatusException, http_status, 302, ",
        "html_200, DecodeException, decode, 200, ",
        "missing_access_token, DecodeException, decode, 200, ",
        "oversized, ResponseTooLargeException, response_too_large, 200, ",
        "reset, TransportException, transport, , ",
    )
    fun `error kinds`(scenario: String, className: String, kind: String, status: Int?, code: String?) {
        val e = assertThrows<TokenFetchException> { failing(scenario).clientCredentials() }
        assertEquals(className, e::class.simpleName)
        assertEquals(kind, e.kind)
        assertEquals(kind, e.errorKind.wire)
        assertEquals(className.removeSuffix("Exception").removePrefix("Token").uppercase(), e.errorKind.name.replace("_", ""))
        assertEquals(status, e.status)
        assertEquals(code, e.oauthCode)
        assertEquals("POST", checkNotNull(e.httpMeta).request.method)
        assertFalse(e.message.isNullOrEmpty(), "the message survives the FFI")
    }

    @Test
    fun `oauth errors carry the description`() {
        val e = assertThrows<OAuthException> { failing("invalid_client").clientCredentials() }
        assertEquals("Client authentication failed", e.errorDescription)
        assertEquals("Basic realm=\"testkit\"", e.httpMeta!!.response!!.headers["www-authenticate"])
        assertTrue(e.message!!.contains("invalid_client"))
    }

    @Test
    fun `config errors say what to fix`() {
        assertTrue(assertThrows<ConfigException> { TokenClient(TokenClientConfig("nope")) }.message!!.contains("not a valid URL"))
        assertTrue(assertThrows<ConfigException> { TokenClient(TokenClientConfig("https://a.example/t")) }.message!!.contains("client_id is required"))
        assertTrue(assertThrows<ConfigException> { TokenClient(TokenClientConfig("http://a.example/t", "a", "b")) }.message!!.contains("allow_insecure_http"))
        assertTrue(assertThrows<ConfigException> { TokenClient.prove("a", "b", "mars") }.message!!.contains("uat-us"))
    }

    @Test
    fun `no secret in any toString or message`() {
        val password = "kt-password-1c7d"
        val config = TokenClientConfig(kit.tokenUrl, clientId = "kt", clientSecret = secret)
        val c = TokenClient(config)
        val answer = c.requestToken("password", params = mapOf("username" to "ann", "password" to password))
        val token = answer.tokenResponse!!
        val secrets = listOf(secret, password, token.accessToken, token.refreshToken!!)
        val manager = TokenManager(c)
        manager.accessToken()
        val printed = mutableListOf(config.toString(), c.toString(), token.toString(), answer.toString(), answer.httpMeta.toString(), manager.toString())
        for (scenario in listOf("invalid_client", "html_502", "error_200", "missing_access_token", "reset")) {
            val e = assertThrows<TokenFetchException> { failing(scenario).requestToken("password", params = mapOf("username" to "ann", "password" to password)) }
            printed += listOf(e.toString(), e.message.orEmpty(), e.stackTraceToString(), e.httpMeta.toString())
        }
        for (text in printed) for (s in secrets) assertFalse(text.contains(s), "$s leaked in $text")
    }
}
