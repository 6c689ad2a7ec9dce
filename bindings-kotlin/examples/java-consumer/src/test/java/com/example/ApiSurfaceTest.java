package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tokenfetch.TokenClient;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What javap shows of the jar's public classes, held to what Java can use: no Kotlin-mangled
 * names, no async path that needs a Continuation, no Kotlin Duration, no internal member, and
 * a way to build each object without Kotlin's DefaultConstructorMarker. The generated bindings
 * (io.tokenfetch.ffi) are not API and are left out.
 */
class ApiSurfaceTest {
    private static final List<String> KOTLIN_ONLY_TYPES =
            List.of("kotlin.coroutines.Continuation", "kotlin.time.Duration", "kotlin.jvm.internal.DefaultConstructorMarker");

    static List<Class<?>> publicClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        File jar = new File(TokenClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Class<?>> classes = new ArrayList<>();
        try (JarFile file = new JarFile(jar)) {
            for (Enumeration<JarEntry> e = file.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (!name.startsWith("io/tokenfetch/") || name.startsWith("io/tokenfetch/ffi/") || !name.endsWith(".class")) {
                    continue;
                }
                Class<?> c = Class.forName(name.replace('/', '.').replace(".class", ""), false, TokenClient.class.getClassLoader());
                if (Modifier.isPublic(c.getModifiers()) && !c.isSynthetic()) {
                    classes.add(c);
                }
            }
        }
        return classes;
    }

    private static List<Executable> publicMembers(Class<?> c) {
        List<Executable> members = new ArrayList<>(Arrays.asList(c.getDeclaredConstructors()));
        members.addAll(Arrays.asList(c.getDeclaredMethods()));
        members.removeIf(m -> !Modifier.isPublic(m.getModifiers()));
        return members;
    }

    private static String describe(Executable m) {
        return m.getDeclaringClass().getName() + "." + m.getName()
                + Arrays.stream(m.getParameterTypes()).map(Class::getName).collect(Collectors.joining(", ", "(", ")"));
    }

    /** A Kotlin companion object: Java reaches it through its outer class's static field. */
    private static boolean isCompanionObject(Class<?> c) {
        Class<?> outer = c.getEnclosingClass();
        return outer != null && Arrays.stream(outer.getDeclaredFields())
                .anyMatch(f -> Modifier.isStatic(f.getModifiers()) && f.getType() == c);
    }

    @Test
    void theJarHasTheApiClasses() throws Exception {
        List<String> names = publicClasses().stream().map(Class::getSimpleName).collect(Collectors.toList());
        for (String expected : List.of("TokenClient", "TokenClientConfig", "Builder", "TokenManager", "TokenResponse",
                "TokenFetchException", "OAuthException", "CancelledException", "TokenFetch", "ServerMetadata", "Introspection",
                "DeviceAuthorization", "AuthorizationRequest", "Pkce", "CancelToken")) {
            assertTrue(names.contains(expected), expected + " in " + names);
        }
    }

    @Test
    void noMangledNames() throws Exception {
        List<String> mangled = new ArrayList<>();
        for (Class<?> c : publicClasses()) {
            for (Executable m : publicMembers(c)) {
                if (m instanceof Constructor) {
                    continue;
                }
                // Kotlin mangles value-class signatures with '-' and internal members with
                // '$module'; javap shows synthetic members too, so they count. Only the
                // compiler's synthetic bridges ('$default' for default arguments, 'access$'
                // for private access) may carry a '$', as javac's own do.
                String name = m.getName();
                boolean bridge = m.isSynthetic() && (name.endsWith("$default") || name.startsWith("access$"));
                if (name.contains("-") || (name.contains("$") && !bridge)) {
                    mangled.add(describe(m));
                }
            }
        }
        assertEquals(List.of(), mangled);
    }

    @Test
    void nothingJavaCanCallTakesOrReturnsAKotlinOnlyType() throws Exception {
        List<String> leaks = new ArrayList<>();
        for (Class<?> c : publicClasses()) {
            for (Executable m : publicMembers(c)) {
                if (m.isSynthetic()) {
                    continue; // javac does not offer synthetic members to Java code
                }
                List<Class<?>> types = new ArrayList<>(Arrays.asList(m.getParameterTypes()));
                if (m instanceof Method) {
                    types.add(((Method) m).getReturnType());
                }
                for (Class<?> t : types) {
                    if (KOTLIN_ONLY_TYPES.contains(t.getName())) {
                        leaks.add(describe(m) + " uses " + t.getName());
                    }
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    @Test
    void everyConfigurableObjectCanBeBuiltWithoutKotlin() throws Exception {
        List<String> unbuildable = new ArrayList<>();
        for (Class<?> c : publicClasses()) {
            if (Modifier.isAbstract(c.getModifiers()) || isCompanionObject(c)) {
                continue;
            }
            List<Constructor<?>> constructors = new ArrayList<>(Arrays.asList(c.getDeclaredConstructors()));
            constructors.removeIf(k -> !Modifier.isPublic(k.getModifiers()));
            boolean onlySynthetic = !constructors.isEmpty() && constructors.stream().allMatch(Constructor::isSynthetic);
            boolean hasBuilder = Arrays.stream(c.getDeclaredMethods())
                    .anyMatch(m -> m.getName().equals("builder") && Modifier.isStatic(m.getModifiers()) && !m.isSynthetic());
            if (onlySynthetic && !hasBuilder) {
                unbuildable.add(c.getName());
            }
        }
        assertEquals(List.of(), unbuildable);
    }
}
