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
    tokenfetch::error::catch_panic(|| tokenfetch::TokenResponse::from_json(&body))
        .map(convert::TokenResponse::from)
        .map_err(error::to_napi)
}

/// Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing);
/// `lib/index.js` exposes it as `parseResponse`.
#[napi_derive::napi]
pub fn parse_response_native(
    status: f64,
    headers: std::collections::HashMap<String, String>,
    body: napi::bindgen_prelude::Buffer,
    received_at: Option<i64>,
    max_response_bytes: Option<f64>,
) -> napi::Result<convert::TokenResponse> {
    tokenfetch::error::catch_panic(|| {
        let status = tokenfetch::options::status_code("status", status)?;
        let limit = match max_response_bytes {
            Some(n) => tokenfetch::options::MAX_RESPONSE_BYTES.whole("maxResponseBytes", n)?,
            None => tokenfetch::client::DEFAULT_MAX_RESPONSE_BYTES,
        };
        let headers: Vec<(String, String)> = headers.into_iter().collect();
        let received_at = received_at.and_then(|t| u64::try_from(t).ok());
        tokenfetch::evaluate_response(status, &headers, &body, received_at, limit)
    })
    .map(convert::TokenResponse::from)
    .map_err(error::to_napi)
}
