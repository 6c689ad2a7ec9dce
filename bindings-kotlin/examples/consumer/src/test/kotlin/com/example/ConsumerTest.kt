package com.example

import io.tokenfetch.TokenClient
import io.tokenfetch.TokenClientConfig
import io.tokenfetch.TokenManager
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

/** The installed jar, with its native library, works from a project that only depends on it. */
class ConsumerTest {
    @Test
    fun `fetches a token from the installed jar`() {
        val base = System.getenv("TESTKIT_URL") ?: error("run with TESTKIT_URL set (scripts/with-testkit.sh)")
        val client = TokenClient(TokenClientConfig("$base/token", clientId = "consumer", clientSecret = "consumer-secret"))
        val token = client.clientCredentials("read")
        assertEquals("Bearer", token.tokenType)
        assertEquals("read", token.scope)
        assertTrue(TokenManager(client).accessToken().startsWith("at-"))
    }

    @Test
    fun `the guide's sign-in runs against testkit's provider`() {
        val base = System.getenv("TESTKIT_URL") ?: error("run with TESTKIT_URL set (scripts/with-testkit.sh)")
        val claims = signIn(base)
        assertEquals("user-42", claims.sub)
        assertEquals("$base/op/main", claims.iss)
        assertEquals(listOf("rp"), claims.aud)
    }
}
