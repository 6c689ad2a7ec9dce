//! Native half of the `tokenfetch` npm package. `lib/index.js` is the public API.
//!
//! - `model`, `grant`, `discovery`, `introspection`, `device`, `authorize`: the model classes
//!   (newtypes over the core models), each in the module named after the core's;
//! - `convert`: option objects and the conversions the model classes share;
//! - `error`: the one encoding of core errors for JavaScript;
//! - `tasks`: the generic `AsyncTask` that runs core calls on the libuv pool, and the thread
//!   of its own a device poll waits on;
//! - `client`: the native client and manager;
//! - `events`: the core's events, queued for `lib/events.js`.

mod authorize;
mod client;
mod convert;
mod device;
mod discovery;
mod error;
pub mod events;
mod grant;
mod introspection;
mod model;
mod tasks;

/// The core's version, as `require('tokenfetch').version`.
#[napi_derive::napi]
pub fn version() -> String {
    tokenfetch::VERSION.to_string()
}

/// Parses a token response body; `lib/index.js` exposes it as `TokenResponse.fromJson`.
#[napi_derive::napi]
pub fn parse_token_response_native(body: String) -> napi::Result<model::TokenResponse> {
    tokenfetch::error::catch_panic(|| tokenfetch::TokenResponse::from_json(&body))
        .map(model::TokenResponse::from)
        .map_err(error::to_napi)
}

/// A fresh PKCE pair; `lib/index.js` exposes it as `Pkce.generate`.
#[napi_derive::napi]
pub fn pkce_generate_native() -> napi::Result<authorize::Pkce> {
    tokenfetch::error::catch_panic(tokenfetch::Pkce::generate)
        .map(authorize::Pkce::from)
        .map_err(error::to_napi)
}

/// The PKCE pair for a chosen verifier; `lib/index.js` exposes it as `Pkce.fromVerifier`.
#[napi_derive::napi]
pub fn pkce_from_verifier_native(verifier: String) -> napi::Result<authorize::Pkce> {
    tokenfetch::error::catch_panic(|| tokenfetch::Pkce::from_verifier(verifier))
        .map(authorize::Pkce::from)
        .map_err(error::to_napi)
}

/// Forgets every cached discovery document, so the next client built for an issuer reads
/// its document again.
#[napi_derive::napi]
pub fn clear_discovery_cache() -> napi::Result<()> {
    tokenfetch::error::catch_panic(|| {
        tokenfetch::clear_discovery_cache();
        Ok(())
    })
    .map_err(error::to_napi)
}

/// Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing);
/// `lib/index.js` exposes it as `parseResponse`.
#[napi_derive::napi]
pub fn parse_response_native(
    status: f64,
    headers: std::collections::HashMap<String, String>,
    body: napi::bindgen_prelude::Buffer,
    received_at: Option<f64>,
    max_response_bytes: Option<f64>,
) -> napi::Result<model::TokenResponse> {
    tokenfetch::error::catch_panic(|| {
        let status = tokenfetch::options::status_code("status", status)?;
        let limit = match max_response_bytes {
            Some(n) => tokenfetch::options::MAX_RESPONSE_BYTES.whole("maxResponseBytes", n)?,
            None => tokenfetch::client::DEFAULT_MAX_RESPONSE_BYTES,
        };
        let headers: Vec<(String, String)> = headers.into_iter().collect();
        let received_at = received_at
            .map(|t| tokenfetch::options::epoch_seconds("receivedAt", t))
            .transpose()?;
        tokenfetch::parse_response(status, &headers, &body, received_at, limit)
    })
    .map(model::TokenResponse::from)
    .map_err(error::to_napi)
}

/// Checks a per-call options object (`{ scope, params, signal }`) as the constructors' are
/// checked: an unknown name or a wrongly typed value is a `ConfigError` naming it. `texts` are
/// the names whose values must be strings; `others` the other names allowed (`params` must be
/// an object of strings or pairs; `receivedAt` and `maxResponseBytes` numbers).
#[napi_derive::napi(ts_args_type = "options: unknown, texts: string[], others: string[]")]
pub fn check_call_options(
    options: Option<napi::bindgen_prelude::Unknown<'_>>,
    texts: Vec<String>,
    others: Vec<String>,
) -> napi::Result<()> {
    let bag = convert::option_bag(options)?;
    tokenfetch::error::catch_panic(|| {
        let known: Vec<&str> = texts.iter().chain(&others).map(String::as_str).collect();
        bag.check_names(&known)?;
        for name in &texts {
            bag.text(name)?;
        }
        for name in &others {
            match name.as_str() {
                "params" => drop(bag.pairs(name)?),
                "receivedAt" | "maxResponseBytes" => drop(bag.number(name)?),
                _ => {}
            }
        }
        Ok(())
    })
    .map_err(error::to_napi)
}

/// Reads back what `AuthorizationRequest.toSessionJson()` wrote; `lib/index.js` exposes it as
/// `AuthorizationRequest.fromSessionJson`.
#[napi_derive::napi]
pub fn authorization_request_from_session_json(text: String) -> napi::Result<authorize::AuthorizationRequest> {
    tokenfetch::error::catch_panic(|| tokenfetch::AuthorizationRequest::from_json(&text))
        .map(authorize::AuthorizationRequest)
        .map_err(error::to_napi)
}

/// Validates an ID token with a JWK Set you hold (`jwks`, the document as text), with no
/// network. Options: `issuer`, `clientId` (required), `nonce`, `maxAgeMs`, `accessToken`,
/// `code`, `clockSkewMs`, `algorithms`, `clientSecret`, `now` (epoch seconds). Returns the
/// claims as JSON text; `lib/index.js` parses them.
#[napi_derive::napi(ts_args_type = "token: string, jwks: string, options: Record<string, unknown>")]
pub fn validate_id_token_json(
    token: String,
    jwks: String,
    options: Option<napi::bindgen_prelude::Unknown<'_>>,
) -> napi::Result<String> {
    let bag = convert::option_bag(options)?;
    tokenfetch::error::catch_panic(|| {
        bag.check_names(&[
            "issuer",
            "clientId",
            "nonce",
            "maxAgeMs",
            "accessToken",
            "code",
            "clockSkewMs",
            "algorithms",
            "clientSecret",
            "now",
        ])?;
        let options = tokenfetch::id_token::ValidationOptions {
            nonce: bag.text("nonce")?,
            max_age: bag.millis("maxAgeMs", tokenfetch::options::MAX_AGE)?,
            access_token: bag.text("accessToken")?,
            code: bag.text("code")?,
            clock_skew: bag.millis("clockSkewMs", tokenfetch::options::CLOCK_SKEW)?,
            algorithms: bag
                .text_or_texts("algorithms")?
                .map(|names| names.iter().map(|n| n.parse()).collect::<tokenfetch::Result<Vec<_>>>())
                .transpose()?,
            client_secret: bag.text("clientSecret")?,
            now: bag
                .number("now")?
                .map(|t| tokenfetch::options::epoch_seconds("now", t))
                .transpose()?,
            previous: None,
        };
        let claims = tokenfetch::id_token::validate_with_jwks(
            &token,
            &jwks,
            &bag.required_text("issuer")?,
            &bag.required_text("clientId")?,
            &options,
        )?;
        Ok(model::claims_json(&claims).to_string())
    })
    .map_err(error::to_napi)
}
