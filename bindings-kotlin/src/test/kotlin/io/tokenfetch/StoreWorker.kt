@file:JvmName("StoreWorkerKt")

package io.tokenfetch

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.CountDownLatch
import kotlin.concurrent.thread
import kotlin.system.exitProcess

/**
 * One process of `make test-shared-store` (scripts/check_shared_store.py): a manager over the
 * Redis at TF_REDIS_URL, eight threads asking it for a token once TF_START_AT_MS (epoch ms)
 * has come, and a line `TOKEN <token>` for each distinct token they got. The Rust, Python and
 * Node workers do the same with the same client and scope, so the four processes between
 * them must make exactly one fetch.
 *
 * Run with `java -cp target/test-classes:target/classes:<test classpath> io.tokenfetch.StoreWorkerKt`.
 */
fun main() {
    fun env(name: String): String = System.getenv(name)?.takeIf { it.isNotEmpty() } ?: fail("$name is not set")

    val tokenUrl = env("TF_TOKEN_URL")
    val redisUrl = env("TF_REDIS_URL")
    val scope = env("TF_SCOPE")
    val startAt = env("TF_START_AT_MS").toLongOrNull() ?: fail("TF_START_AT_MS is not a number of milliseconds")

    // Everything that takes time (the JVM, the native library, the client) before the start.
    val client = TokenClient(TokenClientConfig(tokenUrl, clientId = "store-client", clientSecret = "store-secret-5b1e"))
    val manager = TokenManager(client, scope = scope, store = TokenStore.Redis(redisUrl))
    val go = CountDownLatch(1)
    val tokens = ConcurrentHashMap.newKeySet<String>()
    val failures = ConcurrentHashMap.newKeySet<String>()
    val threads =
        (1..8).map {
            thread {
                go.await()
                try {
                    tokens += manager.accessToken()
                } catch (e: TokenFetchException) {
                    failures += "${e.kind}: ${e.message}"
                }
            }
        }
    Thread.sleep(maxOf(0L, startAt - System.currentTimeMillis()))
    go.countDown()
    threads.forEach { it.join() }

    manager.lastError?.let { System.err.println("store_worker (kotlin): last error: ${it.message}") }
    if (failures.isNotEmpty()) fail(failures.joinToString("; "))
    tokens.sorted().forEach { println("TOKEN $it") }
    System.out.flush()
    exitProcess(0)
}

private fun fail(message: String): Nothing {
    System.err.println("store_worker (kotlin): $message")
    exitProcess(1)
}
