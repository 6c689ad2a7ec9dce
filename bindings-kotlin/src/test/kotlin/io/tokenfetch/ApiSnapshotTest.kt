package io.tokenfetch

import java.io.File
import java.lang.reflect.Modifier
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/**
 * The jar's public Java and Kotlin surface, as `javap` would list it, against the checked-in
 * `bindings-kotlin/api/tokenfetch.api`: an unintended change to a public class, constructor,
 * method or field fails the build. After an intended one, `make api` rewrites the file, and
 * the diff shows the change for review (and for CHANGELOG.md).
 */
class ApiSnapshotTest {
    private val workspace = File(System.getProperty("workspace.dir") ?: error("set -Dworkspace.dir"))
    private val snapshot = File(workspace, "bindings-kotlin/api/tokenfetch.api")

    /** Every public class of `io.tokenfetch` (not the generated, internal `ffi` package). */
    private fun publicClasses(): List<Class<*>> {
        val root = File(TokenClient::class.java.protectionDomain.codeSource.location.toURI())
        val dir = File(root, "io/tokenfetch")
        return dir.listFiles { f -> f.isFile && f.name.endsWith(".class") }!!
            .map { Class.forName("io.tokenfetch." + it.name.removeSuffix(".class"), false, javaClass.classLoader) }
            .filter { Modifier.isPublic(it.modifiers) && !it.isSynthetic && isReachable(it) }
            .sortedBy { it.name }
    }

    /** A nested class counts when every class around it is public too. */
    private fun isReachable(c: Class<*>): Boolean = c.enclosingClass?.let { Modifier.isPublic(it.modifiers) && isReachable(it) } ?: true

    private fun render(c: Class<*>): List<String> {
        val header = buildString {
            append(Modifier.toString(c.modifiers and Modifier.classModifiers()))
            append(if (c.isInterface) " interface " else " class ").append(c.name)
            c.superclass?.takeIf { it != Any::class.java }?.let { append(" extends ").append(it.name) }
            if (c.interfaces.isNotEmpty()) append(" implements ").append(c.interfaces.joinToString { it.name }.let { it })
        }.trim()
        val members =
            (
                c.declaredConstructors.filter { Modifier.isPublic(it.modifiers) && !it.isSynthetic }.map { it.toGenericString() } +
                    c.declaredMethods.filter { Modifier.isPublic(it.modifiers) && !it.isSynthetic && !it.isBridge }.map { it.toGenericString() } +
                    c.declaredFields.filter { Modifier.isPublic(it.modifiers) && !it.isSynthetic }.map { it.toGenericString() }
                ).sorted()
        return listOf(header) + members.map { "  $it" } + ""
    }

    @Test
    fun `the public API is the checked-in one`() {
        val current = publicClasses().flatMap(::render).joinToString("\n")
        if (System.getProperty("api.update") == "true") {
            snapshot.parentFile.mkdirs()
            snapshot.writeText(current)
            return
        }
        val expected = if (snapshot.exists()) snapshot.readText() else ""
        if (expected != current) {
            val was = expected.lines().toSet()
            val now = current.lines().toSet()
            val removed = expected.lines().filter { it.isNotBlank() && it !in now }.map { "- $it" }
            val added = current.lines().filter { it.isNotBlank() && it !in was }.map { "+ $it" }
            assertEquals(
                expected,
                current,
                "the jar's public API changed (run `make api` if that is intended, and say so in CHANGELOG.md):\n" +
                    (removed + added).joinToString("\n"),
            )
        }
    }
}
