package io.tokenfetch

import io.tokenfetch.ffi.NativeAssertion
import io.tokenfetch.ffi.NativeAssertionProvider
import io.tokenfetch.ffi.NativeOptionValue

/**
 * A private key for `private_key_jwt` and the JWT bearer grant ([TokenClientConfig.privateKey]).
 * The core parses and checks it once, when the client is built; a key it cannot use is a
 * [ConfigException] saying why, never showing the key. `toString` shows only its form and
 * `kid`.
 */
sealed class PrivateKey {
    /** The key as the core reads it: text, or a JWK's members. */
    @JvmSynthetic
    @JvmName("toNativeKey")
    internal fun toNative(): NativeOptionValue =
        when (this) {
            is Text -> NativeOptionValue.Text(text)
            is Jwk -> NativeOptionValue.Pairs(members)
        }

    private class Text(val text: String) : PrivateKey() {
        override fun equals(other: Any?): Boolean = other is Text && other.text == text

        override fun hashCode(): Int = text.hashCode()

        override fun toString(): String = "PrivateKey(pem)"
    }

    private class Jwk(val members: Map<String, String>) : PrivateKey() {
        override fun equals(other: Any?): Boolean = other is Jwk && other.members == members

        override fun hashCode(): Int = members.hashCode()

        override fun toString(): String = "PrivateKey(jwk, kid=${members["kid"]})"
    }

    companion object {
        /**
         * PEM text: PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or SEC1
         * (`BEGIN EC PRIVATE KEY`), unencrypted. A JWK as JSON text is accepted too.
         */
        @JvmStatic
        fun pem(text: String): PrivateKey = Text(text)

        /** A JWK's members (`kty`, `d`, ...): RSA, EC on P-256 or OKP Ed25519. Its `kid` is sent. */
        @JvmStatic
        fun jwk(members: Map<String, String>): PrivateKey = Jwk(members.toMap())
    }
}

/**
 * Returns a client assertion made elsewhere, for every request: GitHub Actions' OIDC token, a
 * token from a secrets manager ([TokenClientConfig.clientAssertion]). It is called on the
 * thread that fetches; what it throws is a [ConfigException] carrying its message.
 */
fun interface ClientAssertionProvider {
    fun assertion(): String
}

/** Hands a [ClientAssertionProvider]'s answer, or what it threw, to the core. */
internal class AssertionBridge(private val provider: ClientAssertionProvider) : NativeAssertionProvider {
    override fun assertion(): NativeAssertion =
        try {
            NativeAssertion.Ok(provider.assertion())
        } catch (e: Exception) {
            NativeAssertion.Failed(e.message ?: e.javaClass.name)
        }
}
