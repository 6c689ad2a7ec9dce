package io.tokenfetch

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import java.io.File
import java.util.concurrent.ConcurrentSkipListMap
import kotlin.math.abs
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance
import org.opentest4j.AssertionFailedError

/**
 * conformance/options.json: the same option value means the same thing in every language.
 * Each value goes through the real constructors as a Kotlin caller passes it (durations as
 * `kotlin.time.Duration`), and the normalised value is read back from the client or manager.
 * A value Kotlin's types cannot express (a NaN `Duration`, a fractional `Int`) counts as
 * refused. Writes target/conformance/kotlin-options.json for conformance/report.py.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OptionsConformanceTest {
    private val mapper = ObjectMapper()
    private val workspace = File(System.getProperty("workspace.dir") ?: error("set -Dworkspace.dir"))
    private val results = ConcurrentSkipListMap<String, String>()
    private val base = TokenClientConfig("https://auth.example/token", clientId = "a", clientSecret = "b")

    /** Kotlin's name for each option. */
    private val spelling =
        mapOf(
            "timeout" to "timeout", "connect_timeout" to "connectTimeout", "max_retries" to "maxRetries", "max_retry_wait" to "maxRetryWait", "max_backoff" to "maxBackoff",
            "max_response_bytes" to "maxResponseBytes", "refresh_skew" to "refreshSkew", "default_lifetime" to "defaultLifetime",
            "lease_time" to "leaseTime", "store_timeout" to "timeout", "discovery_ttl" to "discoveryTtl",
        )

    private class RefusedByType(why: String) : Exception(why)

    private fun number(node: JsonNode): Double = if (node.isTextual) node.asText().toDouble() else node.asDouble()

    private fun duration(value: Double): Duration =
        try {
            value.seconds
        } catch (e: IllegalArgumentException) {
            throw RefusedByType("$value is no Duration")
        }

    private fun whole(value: Double, max: Double): Double {
        if (value.isNaN() || value != Math.floor(value) || abs(value) > max) throw RefusedByType("$value does not fit")
        return value
    }

    /** The normalised value (milliseconds for durations) the API makes of `value`. */
    private fun apply(option: String, value: Double): Double =
        when (option) {
            "timeout" -> TokenClient(base.copy(timeout = duration(value))).use { it.timeout.inWholeMicroseconds / 1000.0 }
            "connect_timeout" ->
                TokenClient(base.copy(connectTimeout = duration(value))).use { it.connectTimeout.inWholeMicroseconds / 1000.0 }
            // Nothing reads it back in Kotlin: an accepted value is taken as the expected one.
            "max_backoff" -> {
                val wait = duration(value)
                TokenClient(base.copy(maxBackoff = wait)).close()
                wait.inWholeMicroseconds / 1000.0
            }
            "max_retry_wait" ->
                TokenClient(base.copy(maxRetryWait = duration(value))).use { it.maxRetryWait.inWholeMicroseconds / 1000.0 }
            "max_retries" -> TokenClient(base.copy(maxRetries = whole(value, Int.MAX_VALUE.toDouble()).toInt())).use { it.maxRetries.toDouble() }
            "max_response_bytes" ->
                TokenClient(base.copy(maxResponseBytes = whole(value, Long.MAX_VALUE.toDouble()).toLong())).use { it.maxResponseBytes.toDouble() }
            "refresh_skew" ->
                TokenManager(TokenClient(base), refreshSkew = duration(value)).use { it.refreshSkew.inWholeMicroseconds / 1000.0 }
            "default_lifetime" ->
                TokenManager(TokenClient(base), defaultLifetime = duration(value)).use { it.defaultLifetime.inWholeMicroseconds / 1000.0 }
            // It applies only with a store; the default client's 30 s timeout makes its floor 35 s.
            "lease_time" -> {
                val dir = java.nio.file.Files.createTempDirectory("tokenfetch-options").resolve("store").toString()
                TokenManager(TokenClient(base), store = TokenStore.File(dir), leaseTime = duration(value)).use {
                    it.leaseTime.inWholeMicroseconds / 1000.0
                }
            }
            // Checked when a manager opens the store; nothing reads an accepted value back.
            "store_timeout" -> {
                val timeout = duration(value)
                TokenManager(TokenClient(base), store = TokenStore.Redis("redis://127.0.0.1:1", timeout = timeout)).close()
                timeout.inWholeMicroseconds / 1000.0
            }
            // An issuer that refuses connections: a transport error once the options are accepted.
            "discovery_ttl" -> {
                val ttl = duration(value)
                try {
                    TokenClient.discover("http://127.0.0.1:9", TokenClientConfig(clientId = "a", allowInsecureHttp = true, discoveryTtl = ttl)).close()
                } catch (e: ConfigException) {
                    throw e
                } catch (e: TokenFetchException) {
                    // accepted
                }
                ttl.inWholeMicroseconds / 1000.0
            }
            else -> throw AssertionFailedError("unknown option $option")
        }

    private fun check(case: JsonNode) {
        val option = case["option"].asText()
        val got =
            try {
                apply(option, number(case["value"]))
            } catch (e: RefusedByType) {
                if (case["error"] == null) throw AssertionFailedError("expected ${case["expect"]}, but ${e.message}")
                return
            } catch (e: ConfigException) {
                if (case["error"] == null) throw AssertionFailedError("expected ${case["expect"]}, got a ConfigException: ${e.message}")
                val name = spelling.getValue(option)
                if (!e.message.orEmpty().contains(name)) throw AssertionFailedError("the error names $name: ${e.message}")
                return
            }
        val want = case["expect"] ?: throw AssertionFailedError("expected a ConfigException, got $got")
        if (abs(got - number(want)) > 1e-6) throw AssertionFailedError("expected $want, got $got")
    }

    @TestFactory
    fun vectors(): List<DynamicTest> =
        mapper.readTree(workspace.resolve("conformance/options.json"))["cases"].map { case ->
            val name = "options/${case["name"].asText()}"
            DynamicTest.dynamicTest(name) {
                try {
                    check(case)
                } catch (e: Throwable) {
                    results[name] = "fail: ${e.message}"
                    throw e
                }
                results[name] = "pass"
            }
        }

    @AfterAll
    fun writeResults() {
        val out = workspace.resolve("target/conformance").apply { mkdirs() }
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.resolve("kotlin-options.json"), mapOf("language" to "kotlin", "results" to results))
    }
}
