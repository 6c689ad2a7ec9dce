//! Mirrors `core/src/authorize.rs`: PKCE, authorization options and authorization requests.

use std::collections::HashMap;

use crate::convert::kotlin_shown;
use crate::error::NativeError;

/// A PKCE pair ([`tokenfetch::Pkce`]). The verifier is a secret: internal, wrapped by `Pkce`
/// in Kotlin.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct PkceData {
    pub verifier: String,
    pub challenge: String,
    pub method: String,
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

impl From<&tokenfetch::Pkce> for PkceData {
    fn from(p: &tokenfetch::Pkce) -> Self {
        PkceData {
            shown: kotlin_shown(p),
            verifier: p.verifier().to_string(),
            challenge: p.challenge().to_string(),
            method: p.method().to_string(),
        }
    }
}

impl TryFrom<PkceData> for tokenfetch::Pkce {
    type Error = tokenfetch::Error;

    /// The core's pair again, from its verifier (the challenge is derived, never trusted).
    fn try_from(d: PkceData) -> tokenfetch::Result<Self> {
        tokenfetch::Pkce::from_verifier(d.verifier)
    }
}

/// A fresh PKCE pair from the operating system's CSPRNG.
#[uniffi::export]
pub fn pkce_generate() -> Result<PkceData, NativeError> {
    Ok(PkceData::from(&tokenfetch::error::catch_panic(
        tokenfetch::Pkce::generate,
    )?))
}

/// The PKCE pair for a caller's verifier (43 to 128 unreserved characters).
#[uniffi::export]
pub fn pkce_from_verifier(verifier: String) -> Result<PkceData, NativeError> {
    Ok(PkceData::from(&tokenfetch::error::catch_panic(|| {
        tokenfetch::Pkce::from_verifier(verifier)
    })?))
}

/// What goes into an authorization URL besides the redirect URI
/// ([`tokenfetch::AuthorizationOptions`]).
#[derive(Clone, uniffi::Record)]
pub struct AuthorizationOptionsData {
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub pkce: Option<PkceData>,
    pub extra: HashMap<String, String>,
    /// OpenID Connect `max_age`, in milliseconds (Kotlin's `Duration`).
    pub max_age_ms: Option<i64>,
}

impl TryFrom<AuthorizationOptionsData> for tokenfetch::AuthorizationOptions {
    type Error = tokenfetch::Error;

    fn try_from(o: AuthorizationOptionsData) -> tokenfetch::Result<Self> {
        let mut extra: Vec<_> = o.extra.into_iter().collect();
        // Sorted, so the URL is the same every run (a Kotlin map's order does not cross).
        extra.sort_unstable();
        Ok(tokenfetch::AuthorizationOptions {
            scope: o.scope,
            state: o.state,
            nonce: o.nonce,
            pkce: o.pkce.map(tokenfetch::Pkce::try_from).transpose()?,
            extra,
            max_age: o
                .max_age_ms
                .map(|ms| tokenfetch::options::MAX_AGE.duration_from_millis("maxAge", ms as f64))
                .transpose()?,
        })
    }
}

/// An authorization URL and what to keep until the callback
/// ([`tokenfetch::AuthorizationRequest`]).
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuthorizationRequestData {
    pub url: String,
    pub state: String,
    pub nonce: Option<String>,
    pub pkce: PkceData,
    pub redirect_uri: String,
    /// The `max_age` sent, in milliseconds.
    pub max_age_ms: Option<i64>,
    /// A pushed request's reference (RFC 9126), which `url` carries instead of the parameters.
    pub request_uri: Option<String>,
    /// The core's own form of the request (its `to_json`), which the code exchange reads back.
    pub session_json: String,
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

impl From<tokenfetch::AuthorizationRequest> for AuthorizationRequestData {
    fn from(r: tokenfetch::AuthorizationRequest) -> Self {
        AuthorizationRequestData {
            shown: kotlin_shown(&r),
            session_json: r.to_json(),
            max_age_ms: r.max_age.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            pkce: PkceData::from(&r.pkce),
            url: r.url,
            state: r.state,
            nonce: r.nonce,
            redirect_uri: r.redirect_uri,
            request_uri: r.request_uri,
        }
    }
}

/// Reads back what `AuthorizationRequest.toSessionJson()` wrote.
#[uniffi::export]
pub fn authorization_request_from_session_json(text: String) -> Result<AuthorizationRequestData, NativeError> {
    Ok(tokenfetch::error::catch_panic(|| tokenfetch::AuthorizationRequest::from_json(&text))?.into())
}

/// Validates an ID token with a JWK Set the caller holds, with no network
/// ([`tokenfetch::id_token::validate_with_jwks`]). Durations in milliseconds; `now` in epoch
/// seconds.
#[uniffi::export]
#[allow(clippy::too_many_arguments)]
pub fn validate_id_token(
    token: String,
    jwks: String,
    issuer: String,
    client_id: String,
    nonce: Option<String>,
    max_age_ms: Option<i64>,
    access_token: Option<String>,
    code: Option<String>,
    clock_skew_ms: Option<i64>,
    algorithms: Option<Vec<String>>,
    client_secret: Option<String>,
    now: Option<i64>,
) -> Result<crate::model::IdTokenClaimsData, NativeError> {
    use tokenfetch::options::{CLOCK_SKEW, MAX_AGE};
    let claims = tokenfetch::error::catch_panic(|| {
        let options = tokenfetch::id_token::ValidationOptions {
            nonce,
            max_age: max_age_ms
                .map(|ms| MAX_AGE.duration_from_millis("maxAge", ms as f64))
                .transpose()?,
            access_token,
            code,
            clock_skew: clock_skew_ms
                .map(|ms| CLOCK_SKEW.duration_from_millis("clockSkew", ms as f64))
                .transpose()?,
            algorithms: algorithms
                .map(|names| names.iter().map(|n| n.parse()).collect::<tokenfetch::Result<Vec<_>>>())
                .transpose()?,
            client_secret,
            now: now
                .map(|t| tokenfetch::options::epoch_seconds("now", t as f64))
                .transpose()?,
            previous: None,
        };
        tokenfetch::id_token::validate_with_jwks(&token, &jwks, &issuer, &client_id, &options)
    })?;
    Ok(crate::model::IdTokenClaimsData::from(&claims))
}
