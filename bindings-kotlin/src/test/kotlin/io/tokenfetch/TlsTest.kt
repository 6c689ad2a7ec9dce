package io.tokenfetch

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows

/** TLS against the testkit's HTTPS listeners, whose certificates a generated CA signed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {
    private val kit = Testkit()
    private val ca = kit.tls("ca_pem")

    @AfterAll fun stop() = kit.close()

    private fun httpsClient(url: String, configure: (TokenClientConfig) -> TokenClientConfig = { it }) =
        TokenClient(configure(TokenClientConfig(url, clientId = "kt", clientSecret = "kt-tls", maxRetries = 0)))

    @Test
    fun `a private CA can be trusted`() {
        val token = httpsClient(kit.tls("https_url")) { it.copy(rootCertificates = listOf(ca)) }.clientCredentials()
        assertTrue(token.accessToken.startsWith("at-"))
    }

    @Test
    fun `without the CA the issuer is unknown`() {
        val e = assertThrows<TransportException> { httpsClient(kit.tls("https_url")).clientCredentials() }
        assertTrue(e.message.orEmpty().contains("unknown issuer"), e.message)
        assertEquals("transport", e.kind)
    }

    @Test
    fun `an expired certificate and a wrong host name are refused even with the CA`() {
        for ((url, says) in listOf(kit.tls("expired_url") to "expired", kit.tls("wrong_host_url") to "not valid for this host name")) {
            val e = assertThrows<TransportException> { httpsClient(url) { it.copy(rootCertificates = listOf(ca)) }.clientCredentials() }
            assertTrue(e.message.orEmpty().contains(says), e.message)
        }
    }

    @Test
    fun `the OS trust store takes extra CAs`() {
        assertThrows<TransportException> { httpsClient(kit.tls("https_url")) { it.copy(useOsTrustStore = true) }.clientCredentials() }
        httpsClient(kit.tls("https_url")) { it.copy(useOsTrustStore = true, rootCertificates = listOf(ca)) }.clientCredentials()
    }

    @Test
    fun `a PEM without a certificate is a ConfigException`() {
        assertThrows<ConfigException> { httpsClient("https://auth.example/token") { it.copy(rootCertificates = listOf("not a pem")) } }
    }
}
