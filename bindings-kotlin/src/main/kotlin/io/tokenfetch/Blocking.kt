package io.tokenfetch

import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.future.await

/**
 * Runs a blocking native call on [Dispatchers.IO] and awaits it cancellably: when the calling
 * coroutine is cancelled (`withTimeout`, a closed scope), this returns at once. The native
 * call cannot be interrupted; it finishes in the background, bounded by the client's timeout,
 * and its result is dropped. The core's state stays consistent either way (a token fetched by
 * an abandoned manager call is still cached).
 */
internal suspend fun <T> io(block: () -> T): T =
    CompletableFuture.supplyAsync(block, Dispatchers.IO.asExecutor()).await()

/**
 * Android's main looper, found by reflection because the same sources build the JVM jar,
 * where `android.os.Looper` does not exist (and this is null).
 */
private val androidMainThreadCheck: (() -> Boolean)? =
    try {
        val looper = Class.forName("android.os.Looper")
        val mainLooper = looper.getMethod("getMainLooper")
        val myLooper = looper.getMethod("myLooper")
        ({ myLooper.invoke(null)?.let { it == mainLooper.invoke(null) } ?: false })
    } catch (e: ReflectiveOperationException) {
        null
    } catch (e: LinkageError) {
        null
    }

/**
 * Refuses a blocking call on Android's main thread. Android throws
 * `NetworkOnMainThreadException` for its own sockets but cannot see the native library's,
 * so a fetch there would freeze the UI (and risk an ANR) without a word; this says so instead.
 */
internal fun refuseOnMainThread(call: String) {
    if (androidMainThreadCheck?.invoke() == true) {
        val twin = "await" + call.substringAfter('.').replaceFirstChar { it.uppercase() }
        throw configError(
            "$call() blocks on the network and was called on Android's main thread; " +
                "call $twin() from a coroutine, or call $call() from a background thread",
        )
    }
}
