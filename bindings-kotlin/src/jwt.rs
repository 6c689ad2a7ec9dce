//! Mirrors `core/src/jwt/`: a client assertion made elsewhere, from a Kotlin
//! `ClientAssertionProvider`. (Keys cross as options: PEM text, or a JWK's members.)

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use tokenfetch::jwt::AssertionCallback;

/// What a `ClientAssertionProvider` gave: the assertion, or the message of what it threw.
/// `TokenClient.kt`'s bridge catches the exception, so nothing unexpected crosses.
#[derive(uniffi::Enum)]
pub enum NativeAssertion {
    Ok { value: String },
    Failed { message: String },
}

/// Asked for a client assertion for every request (`ClientAssertionProvider` in Kotlin).
#[uniffi::export(callback_interface)]
pub trait NativeAssertionProvider: Send + Sync {
    fn assertion(&self) -> NativeAssertion;
}

/// The core's assertion callback over a Kotlin provider. A panic (uniffi's answer to an
/// unexpected callback failure) becomes the callback's error, never the caller's crash.
pub fn assertion_callback(provider: Box<dyn NativeAssertionProvider>) -> Arc<AssertionCallback> {
    Arc::new(
        move |_time_left| match std::panic::catch_unwind(AssertUnwindSafe(|| provider.assertion())) {
            Ok(NativeAssertion::Ok { value }) => Ok(value),
            Ok(NativeAssertion::Failed { message }) => Err(message),
            Err(_) => Err("the ClientAssertionProvider failed unexpectedly".into()),
        },
    )
}
