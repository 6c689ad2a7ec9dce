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
class PrivateKey private constructor(
    private val text: String?,
    private val members: Map<String, String>?,
) {
    /** The key as the core reads it: text, or a JWK's members. */
    @JvmSynthetic
    internal fun toNative(): NativeOptionValue =
        members?.let { NativeOptionValue.Pairs(it) } ?: NativeOptionValue.Text(text.orEmpty())

    override fun equals(other: Any?): Boolean = other is PrivateKey && other.text == text && other.members == members

    override fun hashCode(): Int = (text?.hashCode() ?: 0) * 31 + (members?.hashCode() ?: 0)

    override fun toString(): String =
        if (members != null) "PrivateKey(jwk, kid=${members["kid"]})" else "PrivateKey(pem)"

    companion object {
        /**
         * PEM text: PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or SEC1
         * (`BEGIN EC PRIVATE KEY`), unencrypted. A JWK as JSON text is accepted too.
         */
        @JvmStatic
        fun pem(text: String): PrivateKey = PrivateKey(text, null)

        /** A JWK's members (`kty`, `d`, ...): RSA, EC on P-256 or OKP Ed25519. Its `kid` is sent. */
        @JvmStatic
        fun jwk(members: Map<String, String>): PrivateKey = PrivateKey(null, members.toMap())
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
