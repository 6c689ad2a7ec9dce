// Android library module: the same hand-written Kotlin as the JVM jar (../src/main/kotlin),
// bindings generated with uniffi-android.toml (android = true), and the Rust library built
// for every Android ABI by cargo-ndk into build/jniLibs/<abi>/.
plugins {
    id("com.android.library") version "8.7.3"
    id("org.jetbrains.kotlin.android") version "2.2.21"
    `maven-publish`
}

val workspace = rootDir.parentFile.parentFile
val generatedBindings = layout.buildDirectory.dir("generated/uniffi")
val jniLibsDir = layout.buildDirectory.dir("jniLibs")

android {
    namespace = "io.tokenfetch"
    compileSdk = 35

    defaultConfig {
        // The level `make android` derives (cross/check_so.py and aar/pom.xml's kotlin.min.sdk).
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets["main"].apply {
        java.srcDirs(file("../src/main/kotlin"), generatedBindings)
        jniLibs.srcDirs(jniLibsDir)
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_11
        targetCompatibility = JavaVersion.VERSION_11
    }

    publishing {
        singleVariant("release") { withSourcesJar() }
    }
}

kotlin {
    jvmToolchain(17)
    // The same bytecode level as compileOptions (and as aar/pom.xml), or Gradle refuses the
    // mismatch between the Kotlin and Java targets.
    compilerOptions { jvmTarget.set(org.jetbrains.kotlin.gradle.dsl.JvmTarget.JVM_11) }
}

dependencies {
    // The @aar flavour ships JNA's own libjnidispatch.so for every Android ABI.
    implementation("net.java.dev.jna:jna:5.17.0@aar")
    implementation("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
    compileOnly("com.squareup.okhttp3:okhttp:4.12.0")
    // @RequiresApi in the generated Android cleaner (class retention: compile only).
    compileOnly("androidx.annotation:annotation:1.9.1")
}

// cargo-ndk builds libtokenfetch_kotlin.so for arm64-v8a, armeabi-v7a, x86_64 and x86, and
// uniffi-bindgen generates the Android flavour of the bindings.
val buildRust by tasks.registering(Exec::class) {
    group = "build"
    description = "Builds the Rust library for every Android ABI and generates the Kotlin bindings."
    workingDir = workspace
    commandLine(
        "bash", "bindings-kotlin/android/build-android.sh",
        jniLibsDir.get().asFile.absolutePath,
        generatedBindings.get().asFile.absolutePath,
    )
}

tasks.named("preBuild") { dependsOn(buildRust) }

publishing {
    publications {
        register<MavenPublication>("release") {
            groupId = "io.tokenfetch"
            artifactId = "tokenfetch-android"
            version = "0.1.0"
            afterEvaluate { from(components["release"]) }
        }
    }
}
