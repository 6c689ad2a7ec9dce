// The Android library (AAR) for builds with a real NDK and SDK. The project's CI builds the
// AAR without them (`make android`: cross/, aar/, sample-app/); this module is not run there.
// See docs/kotlin.md, "Android".
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
