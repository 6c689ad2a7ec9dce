package io.tokenfetch

import java.io.BufferedReader
import java.io.InputStreamReader
import java.net.HttpURLConnection
import java.net.URI

/** Starts the testkit token server for a test class, and stops it by its process. */
class Testkit : AutoCloseable {
    private val process: Process =
        ProcessBuilder(System.getProperty("testkit.bin") ?: error("set -Dtestkit.bin"), "--exit-on-stdin-eof")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start()
    val url: String
    val tokenUrl: String get() = "$url/token"

    /** The token endpoint playing one scenario. The scenario goes in the path: tokenfetch
     * treats header values as credentials and scrubs them from answers. */
    fun scenarioUrl(name: String): String = "$url/scenario/$name/token"

    init {
        val line = BufferedReader(InputStreamReader(process.inputStream)).readLine() ?: error("testkit printed nothing")
        require(line.startsWith("TESTKIT_URL=")) { "testkit printed $line" }
        url = line.removePrefix("TESTKIT_URL=")
    }

    fun stats(): String = request("GET", "/__stats")

    /** `GET /__tls`: the CA (PEM) and the HTTPS token URLs, as one member of its JSON. */
    fun tls(member: String): String =
        com.fasterxml.jackson.databind.ObjectMapper().readTree(request("GET", "/__tls")).get(member).asText()

    /** `GET /__proxy`: testkit's proxies (`connect_url`, `socks_url`, with their password) and
     * the `tunnels`, `targets` and `refused` so far. */
    fun proxy(): com.fasterxml.jackson.databind.JsonNode =
        com.fasterxml.jackson.databind.ObjectMapper().readTree(request("GET", "/__proxy"))

    /** Whether `text` crossed a proxy's tunnel in clear. */
    fun proxySaw(text: String): Boolean =
        com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(request("GET", "/__proxy/saw?text=" + java.net.URLEncoder.encode(text, "UTF-8")))
            .get("saw").asBoolean()

    /** The server's count of token requests. */
    fun tokenRequests(): Int = Regex("\"token_requests\":(\\d+)").find(stats())!!.groupValues[1].toInt()

    /** Token requests with one grant type. */
    fun requestsWithGrant(grant: String): Int =
        Regex("\"${Regex.escape(grant)}\":(\\d+)").find(byGrant())?.groupValues?.get(1)?.toInt() ?: 0

    /** Requests per grant type, e.g. `{"password":1}`. */
    fun byGrant(): String = Regex("\"by_grant\":(\\{[^}]*\\})").find(stats())!!.groupValues[1]

    fun reset() {
        request("POST", "/__reset")
    }

    private fun request(method: String, path: String): String {
        val connection = URI("$url$path").toURL().openConnection() as HttpURLConnection
        connection.requestMethod = method
        return connection.inputStream.bufferedReader().use { it.readText() }
    }

    override fun close() {
        process.outputStream.close()
        process.destroy()
        process.waitFor()
    }
}

fun client(kit: Testkit, scenario: String? = null, configure: (TokenClientConfig) -> TokenClientConfig = { it }): TokenClient {
    val url = if (scenario == null) kit.tokenUrl else kit.scenarioUrl(scenario)
    return TokenClient(configure(TokenClientConfig(url, clientId = "kt-client", clientSecret = "kt-secret-6d2f")))
}
