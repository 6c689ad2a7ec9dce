//! Native half of the `tokenfetch` npm package. `lib/index.js` is the public API.
//!
//! - `convert`: model classes (newtypes over the core models) and option objects;
//! - `error`: the one encoding of core errors for JavaScript;
//! - `tasks`: the generic `AsyncTask` that runs core calls on the libuv pool;
//! - `client`: the native client and manager.

mod client;
mod convert;
mod error;
mod tasks;

/// The core's version, as `require('tokenfetch').version`.
#[napi_derive::napi]
pub fn version() -> String {
    tokenfetch::VERSION.to_string()
}

/// Parses a token response body; `lib/index.js` exposes it as `TokenResponse.fromJson`.
#[napi_derive::napi]
pub fn parse_token_response_native(body: String) -> napi::Result<convert::TokenResponse> {
    tokenfetch::TokenResponse::from_json(&body)
        .map(convert::TokenResponse::from)
        .map_err(error::to_napi)
}
