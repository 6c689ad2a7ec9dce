package io.tokenfetch

import com.fasterxml.jackson.databind.JsonNode
import com.fasterxml.jackson.databind.ObjectMapper
import com.fasterxml.jackson.databind.node.JsonNodeFactory
import java.io.File
import java.util.Base64
import java.util.concurrent.ConcurrentSkipListMap
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.TestInstance
import org.opentest4j.AssertionFailedError

/**
 * The shared conformance vectors (conformance/\*.json) through [parseResponse].
 * Writes target/conformance/kotlin.json for conformance/report.py.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConformanceTest {
    private val mapper = ObjectMapper()
    private val workspace = File(System.getProperty("workspace.dir") ?: error("set -Dworkspace.dir"))
    private val results = ConcurrentSkipListMap<String, String>()

    private fun cases(): List<Pair<String, JsonNode>> =
        workspace.resolve("conformance").listFiles { f -> f.extension == "json" && f.name !in setOf("options.json", "keys.json", "id_tokens.json") }!!.sortedBy { it.name }.flatMap { file ->
            mapper.readTree(file)["cases"].map { "${file.nameWithoutExtension}/${it["name"].asText()}" to it }
        }

    @TestFactory
    fun vectors(): List<DynamicTest> {
        val cases = cases()
        assertTrue(cases.size >= 60, "only ${cases.size} vectors")
        return cases.map { (name, case) ->
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
    }

    private fun body(case: JsonNode): ByteArray {
        val raw = case["body_base64"]?.takeIf { it.isTextual }?.let { Base64.getDecoder().decode(it.asText()) }
            ?: (case["body"]?.takeIf { it.isTextual }?.asText() ?: "").toByteArray(Charsets.UTF_8)
        val padTo = case["body_pad_to"]?.asInt() ?: return raw
        return raw + ByteArray(padTo - raw.size) { ' '.code.toByte() }
    }

    private fun canonical(t: TokenResponse): Map<String, JsonNode> {
        val n = JsonNodeFactory.instance
        fun text(v: String?): JsonNode = v?.let { n.textNode(it) } ?: n.nullNode()
        fun num(v: Long?): JsonNode = v?.let { n.numberNode(it) } ?: n.nullNode()
        return mapOf(
            "access_token" to text(t.accessToken),
            "token_type" to text(t.tokenType),
            "expires_in" to num(t.expiresIn),
            "refresh_token" to text(t.refreshToken),
            "refresh_expires_in" to num(t.refreshExpiresIn),
            "id_token" to text(t.idToken),
            "scope" to text(t.scope),
            "created_at" to text(t.createdAt),
            "extra" to mapper.readTree(t.extraJson),
            "expires_at" to num(t.expiresAt),
        )
    }

    /** JSON equality where numbers compare by value. */
    private fun same(a: JsonNode, b: JsonNode): Boolean =
        when {
            a.isNumber && b.isNumber -> a.asDouble() == b.asDouble()
            a.isArray && b.isArray -> a.size() == b.size() && (0 until a.size()).all { same(a[it], b[it]) }
            a.isObject && b.isObject ->
                a.size() == b.size() && a.fieldNames().asSequence().all { k -> b.has(k) && same(a[k], b[k]) }
            else -> a == b
        }

    private fun check(case: JsonNode) {
        val headers = case["headers"].fields().asSequence().associate { it.key to it.value.asText() }
        val receivedAt = case["received_at"]?.asLong()
        val token = try {
            parseResponse(case["status"].asInt(), headers, body(case), receivedAt)
        } catch (e: TokenFetchException) {
            val want = assertNotNull(case["error"], "expected a token, got ${e.kind} error: ${e.message}").let { case["error"] }
            assertEquals(want["kind"].asText(), e.kind, "expected a ${want["kind"]} error, got ${e.kind} (${e.message})")
            want["code"]?.takeIf { !it.isNull }?.let { assertEquals(it.asText(), e.oauthCode) }
            return
        }
        val expect = case["expect"] ?: throw AssertionFailedError("expected a ${case["error"]["kind"]} error, got a token $token")
        val got = canonical(token)
        for ((field, want) in expect.fields()) {
            val actual = got.getValue(field)
            if (!same(actual, want)) throw AssertionFailedError("$field: expected $want, got $actual")
        }
    }

    @AfterAll
    fun writeResults() {
        val out = workspace.resolve("target/conformance").apply { mkdirs() }
        mapper.writerWithDefaultPrettyPrinter().writeValue(out.resolve("kotlin.json"), mapOf("language" to "kotlin", "results" to results))
    }
}
