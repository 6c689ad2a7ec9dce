package io.tokenfetch

import io.tokenfetch.ffi.NativeTokenStore
import io.tokenfetch.ffi.displayUrl
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration
import org.codehaus.mojo.animal_sniffer.IgnoreJRERequirement

/**
 * Where [TokenManager]s keep their token so that every process of a deployment shares one
 * fetch per token lifetime: pass one as the manager's `store`.
 *
 * - [File]: a directory on one machine, shared by its processes.
 * - [Redis]: one Redis for many machines.
 *
 * A store is a description, checked when a manager is built (a wrong key, URL, timeout or
 * directory is a [ConfigException] then; so is plain `redis://` to a host other than
 * loopback, unless [Redis.allowingInsecure]). `key` seals the stored entries with AES-256-GCM:
 * 32 bytes as base64 (`openssl rand -base64 32`). **Without a key the store holds bearer
 * tokens in the clear**: protect the directory, or the Redis, as you would the client secret.
 *
 * A store that fails at run time never fails a call: the manager fetches on its own, and
 * [TokenManager.lastError] says what went wrong with the store. [toString] never shows the
 * key, nor a password in a Redis URL.
 */
sealed class TokenStore private constructor(
    // What crosses to the core. Its generated toString would print the key: never called.
    @get:JvmSynthetic @get:JvmName("nativeStore") internal val native: NativeTokenStore,
) {
    /** True when entries are sealed with a key. */
    val isSealed: Boolean
        get() =
            when (val n = native) {
                is NativeTokenStore.File -> n.key != null
                is NativeTokenStore.Redis -> n.key != null
            }

    override fun equals(other: Any?): Boolean = other is TokenStore && other.native == native

    override fun hashCode(): Int = native.hashCode()

    /**
     * Tokens in files under [directory] (created, mode 0700, when missing), shared by the
     * processes of this machine (`new TokenStore.File(dir)` from Java).
     */
    class File private constructor(private val file: NativeTokenStore.File) : TokenStore(file) {
        @JvmOverloads
        constructor(directory: String, key: String? = null) : this(NativeTokenStore.File(directory, key, emptyList()))

        val directory: String get() = file.directory

        /**
         * The same store, also opening entries sealed with [keys] (32 bytes as base64 each): a
         * key rotation in progress. Each entry is sealed with `key` at its next refresh.
         */
        fun withPreviousKeys(vararg keys: String): File = File(file.copy(previousKeys = keys.toList()))

        override fun toString(): String = "TokenStore.File(directory=$directory, sealed=$isSealed)"
    }

    /**
     * Tokens in the Redis at `url` (`redis://`, `rediss://` for TLS, or `unix://`), shared by
     * every machine that uses it. [timeout] bounds each Redis command (null: the core's default; at most
     * a minute): a slow Redis costs a call at most that before the manager fetches alone.
     * From Java, `new TokenStore.Redis(url)`, `(url, key)` or `(url, key, Duration)`.
     *
     * The URL is not a property: it may carry Redis's password. [toString] shows it redacted.
     */
    class Redis private constructor(private val redis: NativeTokenStore.Redis) : TokenStore(redis) {
        @JvmOverloads
        constructor(url: String, key: String? = null) : this(native(url, key, null))

        /** Kotlin: `TokenStore.Redis(url, timeout = 200.milliseconds)`. */
        constructor(url: String, key: String? = null, timeout: Duration) :
            this(native(url, key, timeout.inWholeMilliseconds))

        @IgnoreJRERequirement
        constructor(url: String, key: String?, timeout: java.time.Duration?) :
            this(native(url, key, timeout?.toKotlinDuration()?.inWholeMilliseconds))

        /** The same store, also opening entries sealed with [keys]: see [File.withPreviousKeys]. */
        fun withPreviousKeys(vararg keys: String): Redis = Redis(redis.copy(previousKeys = keys.toList()))

        /**
         * The same store, allowed to use plain `redis://` to a host other than loopback. The
         * Redis password and (without a key) the tokens then cross the network in the clear;
         * prefer `rediss://`.
         */
        fun allowingInsecure(): Redis = Redis(redis.copy(allowInsecure = true))

        /** The per-command timeout, or null for the core's default. */
        @get:JvmSynthetic @get:JvmName("kotlinTimeout")
        val timeout: Duration? get() = redis.timeoutMs?.milliseconds

        /** [timeout] as a `java.time.Duration`, for Java. */
        @IgnoreJRERequirement
        fun getTimeout(): java.time.Duration? = timeout?.toJavaDuration()

        private companion object {
            fun native(url: String, key: String?, timeoutMs: Long?) =
                NativeTokenStore.Redis(url, key, timeoutMs, emptyList(), false)
        }

        /** The URL with its password (and query values) redacted, as every tokenfetch message shows it. */
        override fun toString(): String =
            "TokenStore.Redis(url=${displayUrl(redis.url)}, timeout=${timeout ?: "default"}, sealed=$isSealed)"
    }
}
