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
}

impl TryFrom<AuthorizationOptionsData> for tokenfetch::AuthorizationOptions {
    type Error = tokenfetch::Error;

    fn try_from(o: AuthorizationOptionsData) -> tokenfetch::Result<Self> {
        let mut extra: Vec<_> = o.extra.into_iter().collect();
        // Sorted, so the URL is the same every run (a Kotlin map's order does not cross).
        extra.sort();
        Ok(tokenfetch::AuthorizationOptions {
            scope: o.scope,
            state: o.state,
            nonce: o.nonce,
            pkce: o.pkce.map(tokenfetch::Pkce::try_from).transpose()?,
            extra,
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
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

impl From<tokenfetch::AuthorizationRequest> for AuthorizationRequestData {
    fn from(r: tokenfetch::AuthorizationRequest) -> Self {
        AuthorizationRequestData {
            shown: kotlin_shown(&r),
            pkce: PkceData::from(&r.pkce),
            url: r.url,
            state: r.state,
            nonce: r.nonce,
            redirect_uri: r.redirect_uri,
        }
    }
}
