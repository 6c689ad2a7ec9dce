#!/usr/bin/env bash
# Builds libtokenfetch_kotlin.so for the Android ABIs with cargo-ndk and generates the
# Android flavour of the Kotlin bindings. Run from the workspace root (Gradle's buildRust
# task does), with ANDROID_NDK_HOME set:
#
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android i686-linux-android
#   cargo install cargo-ndk
#   bash bindings-kotlin/android/build-android.sh <jniLibs-dir> <generated-sources-dir>
set -euo pipefail
jni_libs=${1:?jniLibs output directory}
generated=${2:?generated sources directory}

# The same link rules `make android` checks (cross/check_so.py): a soname, which bionic
# requires from API 23, and LOAD segments aligned for Android 15's 16 KB pages. Only for the
# Android builds: the host build below must stay unstripped for uniffi-bindgen.
RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-soname,libtokenfetch_kotlin.so -C link-arg=-Wl,-z,max-page-size=16384 -C strip=symbols" \
cargo ndk \
  -t arm64-v8a -t armeabi-v7a -t x86_64 -t x86 \
  -o "$jni_libs" \
  build --release -p tokenfetch-kotlin --lib

# Bindings come from a host build of the same crate (not stripped, so uniffi can read its
# metadata), with the Android config.
cargo build --release -p tokenfetch-kotlin
target/release/uniffi-bindgen generate \
  --library target/release/libtokenfetch_kotlin.so \
  --language kotlin --no-format \
  --config bindings-kotlin/uniffi-android.toml \
  --out-dir "$generated"
