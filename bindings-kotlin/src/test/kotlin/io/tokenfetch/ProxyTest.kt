package io.tokenfetch

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.net.ServerSocket
import java.net.URI

/**
 * Proxies: a client's own `proxy` and `noProxy`, and the errors of a proxy that refuses or is
 * down. testkit's proxies ask for a password, reach any name under `.proxied.test` (which no
 * resolver knows), and log every tunnel and every byte sent through it. (The JVM cannot set
 * its own environment; the core, Python and Node suites test the proxy variables.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProxyTest {
    private val kit = Testkit()
    private val port = URI(kit.url).port
    private val secret = "kt-s3cret-through-the-proxy"

    @AfterAll fun stop() = kit.close()

    private fun proxiedUrl(host: String = "token.proxied.test") = "http://$host:$port/token"

    private fun client(url: String, configure: (TokenClientConfig) -> TokenClientConfig) =
        TokenClient(
            configure(
                TokenClientConfig(url, clientId = "kt-proxied", clientSecret = secret, allowInsecureHttp = true, trustEnv = false),
            ),
        )

    @Test
    fun `a client's proxy carries its fetch and resolves the name itself`() {
        kit.reset()
        val proxy = kit.proxy().get("connect_url").asText()
        val token = client(proxiedUrl()) { it.copy(proxy = proxy) }.clientCredentials()
        assertTrue(token.accessToken.startsWith("at-"))
        assertEquals(listOf("token.proxied.test:$port"), kit.proxy().get("targets").map { it.asText() })
    }

    @Test
    fun `HTTPS through an HTTP, HTTPS or SOCKS5 proxy stays end to end`() {
        for (which in listOf("connect_url", "tls_connect_url", "socks_url")) {
            kit.reset()
            val proxy = kit.proxy().get(which).asText()
            val token = TokenClient(
                TokenClientConfig(
                    kit.tls("https_url"), clientId = "kt-proxied", clientSecret = secret,
                    rootCertificates = listOf(kit.tls("ca_pem")), proxy = proxy, trustEnv = false,
                ),
            ).clientCredentials()
            assertEquals(1, kit.proxy().get("tunnels").asInt(), which)
            for (clear in listOf(secret, "grant_type", token.accessToken)) {
                assertFalse(kit.proxySaw(clear), "$clear crossed $which in clear")
            }
        }
    }

    @Test
    fun `noProxy sends its hosts direct`() {
        kit.reset()
        val proxy = kit.proxy().get("connect_url").asText()
        for (noProxy in listOf(listOf("127.0.0.1"), listOf("10.0.0.0/8", "127.0.0.0/8"), listOf("*"), listOf("127.0.0.1:$port"))) {
            client(kit.tokenUrl) { it.copy(proxy = proxy, noProxy = noProxy) }.clientCredentials()
        }
        assertEquals(0, kit.proxy().get("tunnels").asInt())
        client(kit.tokenUrl) { it.copy(proxy = proxy, noProxy = listOf("127.0.0.1:1")) }.clientCredentials()
        assertEquals(1, kit.proxy().get("tunnels").asInt())
    }

    @Test
    fun `a bad proxy is a ConfigException without its password`() {
        for (bad in listOf("ftp://me:hunter2@proxy.test:21", "proxy.test:3128", "http://me:hunter2@proxy.test/path")) {
            val e = assertThrows<ConfigException> { client("https://auth.example.com/token") { it.copy(proxy = bad) } }
            assertTrue(e.message.orEmpty().contains("proxy"), e.message)
            assertFalse(e.message.orEmpty().contains("hunter2"), e.message)
        }
        val e = assertThrows<ConfigException> { client("https://auth.example.com/token") { it.copy(noProxy = listOf("10.0.0.0/33")) } }
        assertTrue(e.message.orEmpty().contains("no_proxy entry"), e.message)
    }

    @Test
    fun `a refusing proxy is one attempt, named without its password`() {
        kit.reset()
        val at = kit.proxy().get("connect_url").asText().substringAfterLast('@')
        val config = TokenClientConfig(
            proxiedUrl(), clientId = "kt-proxied", clientSecret = secret, allowInsecureHttp = true, trustEnv = false,
            proxy = "http://tf-proxy:wr0ng-p%40ss@$at", maxRetries = 3,
        )
        assertFalse(config.toString().contains("wr0ng"), config.toString())
        val e = assertThrows<TransportException> { TokenClient(config).clientCredentials() }
        val shown = "${e.message} ${e.httpMeta} $e"
        assertTrue(e.message.orEmpty().contains("the proxy http://$at refused"), e.message)
        assertTrue(e.message.orEmpty().contains("407"), e.message)
        assertFalse(shown.contains("wr0ng"), shown)
        assertEquals(1, kit.proxy().get("refused").asInt(), "refused once, not retried")
        assertEquals(0, kit.tokenRequests())
    }

    @Test
    fun `a proxy that is down is named with the request it stopped`() {
        val downPort = ServerSocket(0).use { it.localPort }
        val down = client("https://auth.example.com/oauth/token") {
            it.copy(proxy = "http://me:hunter2@127.0.0.1:$downPort", maxRetries = 0)
        }
        val e = assertThrows<TransportException> { down.clientCredentials() }
        val message = e.message.orEmpty()
        assertTrue(message.contains("could not reach the proxy http://127.0.0.1:$downPort"), message)
        assertTrue(message.contains("POST https://auth.example.com/oauth/token"), message)
        assertFalse(message.contains("hunter2"), message)
    }
}
