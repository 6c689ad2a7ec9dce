//! Mirrors `core/src/manager/`: the `on_token` callback over a Kotlin listener. (The native
//! manager itself, `NativeTokenManager`, is in `client.rs`.)

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use tokenfetch::manager::OnToken;

use crate::model::TokenResponseData;

/// Told each token a manager fetched (`TokenListener` in Kotlin).
#[uniffi::export(callback_interface)]
pub trait NativeTokenListener: Send + Sync {
    fn on_token(&self, token: TokenResponseData);
}

/// The core's `on_token` over a Kotlin listener. `TokenManager.kt` catches whatever the
/// listener throws; what would still cross (uniffi turns an unexpected callback error into a
/// panic) is caught here, because a listener must never fail the call that fetched.
pub fn on_token_from(listener: Box<dyn NativeTokenListener>) -> OnToken {
    Arc::new(move |token: &tokenfetch::TokenResponse| {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| listener.on_token(token.clone().into())));
    })
}
