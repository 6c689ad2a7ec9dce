//! The uniffi half of the Kotlin package. Generated Kotlin (package `io.tokenfetch.ffi`) is
//! internal; the public API is the hand-written layer in `src/main/kotlin/io/tokenfetch/`.
//!
//! - `model`, `grant`, `discovery`, `introspection`, `device`, `authorize`, `store`, `manager`,
//!   `jwt`:
//!   records and objects over the core models, one module per core module;
//! - `convert`: the conversions those modules share;
//! - `error`: the one error type, carrying the core error's structured form;
//! - `client`: the native client and manager.

// uniffi serialises errors across the FFI by value; boxing the error would only add a
// pointer chase before that copy.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!();

mod authorize;
mod client;
mod convert;
mod device;
mod discovery;
mod error;
mod grant;
mod introspection;
mod jwt;
mod manager;
mod model;
mod store;

/// The core's version.
#[uniffi::export]
pub fn version() -> String {
    tokenfetch::VERSION.to_string()
}
