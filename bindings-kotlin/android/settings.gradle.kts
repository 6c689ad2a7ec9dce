// The Android library (AAR). Not built on the project's CI machines: they cannot download
// the Android SDK/NDK or a Gradle distribution. See docs/kotlin.md, "Android".
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}
dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}
rootProject.name = "tokenfetch-android"
