package io.tokenfetch

import java.util.concurrent.CancellationException
import java.util.concurrent.CompletableFuture
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.asExecutor
import kotlinx.coroutines.future.await

/**
 * Runs a blocking native call on [Dispatchers.IO], for Java's `...Async` twins. Cancelling the
 * future completes it at once with a `CancellationException`. The native call cannot be
 * interrupted; it finishes in the background, bounded by the client's timeout, and its result
 * is dropped. The core's state stays consistent either way (a token fetched by an abandoned
 * manager call is still cached).
 */
@JvmSynthetic
internal fun <T> async(block: () -> T): CompletableFuture<T> = CompletableFuture.supplyAsync(block, ioExecutor)

/**
 * [async] for a native call that watches [cancel]: cancelling the future also cancels the
 * token, so the call itself stops (a device flow poll returns at once) rather than running on
 * in the background. Its result, a [CancelledException], is dropped.
 */
@JvmSynthetic
internal fun <T> async(cancel: CancelToken, block: () -> T): CompletableFuture<T> =
    async(block).also { future ->
        future.whenComplete { _, error -> if (error is CancellationException) cancel.cancel() }
    }

/**
 * The coroutine twins: the same future, awaited cancellably. Cancelling the calling coroutine
 * (`withTimeout`, a closed scope) cancels the future, so both twins mean the same by
 * construction.
 */
@JvmSynthetic
internal suspend fun <T> io(block: () -> T): T = async(block).await()

private val ioExecutor = Dispatchers.IO.asExecutor()

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
@JvmSynthetic
internal fun refuseOnMainThread(call: String) {
    if (androidMainThreadCheck?.invoke() == true) {
        val twin = "await" + call.substringAfter('.').replaceFirstChar { it.uppercase() }
        throw configError(
            "$call() blocks on the network and was called on Android's main thread; " +
                "call $twin() from a coroutine, ${call}Async() from Java, or $call() from a background thread",
        )
    }
}
