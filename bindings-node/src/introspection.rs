//! Mirrors `core/src/introspection.rs`: what the server says about a token.

use napi_derive::napi;
use serde_json::Value;

use tokenfetch as core;

use crate::convert::{seconds, shown_json};

/// What the server says about a token (RFC 7662). An expired, revoked or unknown token has
/// `active: false` and, usually, nothing else.
#[napi]
pub struct Introspection(pub(crate) core::Introspection);

impl From<core::Introspection> for Introspection {
    fn from(i: core::Introspection) -> Self {
        Introspection(i)
    }
}

#[napi]
impl Introspection {
    #[napi(getter)]
    pub fn active(&self) -> bool {
        self.0.active
    }
    #[napi(getter)]
    pub fn scope(&self) -> Option<String> {
        self.0.scope.clone()
    }
    #[napi(getter)]
    pub fn client_id(&self) -> Option<String> {
        self.0.client_id.clone()
    }
    #[napi(getter)]
    pub fn username(&self) -> Option<String> {
        self.0.username.clone()
    }
    #[napi(getter)]
    pub fn token_type(&self) -> Option<String> {
        self.0.token_type.clone()
    }
    /// Expiry, in epoch seconds.
    #[napi(getter)]
    pub fn exp(&self) -> Option<i64> {
        seconds(self.0.exp)
    }
    /// Issue time, in epoch seconds.
    #[napi(getter)]
    pub fn iat(&self) -> Option<i64> {
        seconds(self.0.iat)
    }
    /// Not-before time, in epoch seconds.
    #[napi(getter)]
    pub fn nbf(&self) -> Option<i64> {
        seconds(self.0.nbf)
    }
    #[napi(getter)]
    pub fn sub(&self) -> Option<String> {
        self.0.sub.clone()
    }
    /// The audiences (a single string from the server becomes one entry).
    #[napi(getter)]
    pub fn aud(&self) -> Vec<String> {
        self.0.aud.clone()
    }
    #[napi(getter)]
    pub fn iss(&self) -> Option<String> {
        self.0.iss.clone()
    }
    #[napi(getter)]
    pub fn jti(&self) -> Option<String> {
        self.0.jti.clone()
    }
    /// Every other member, as JSON text; `lib/index.js` defines `extra` from it.
    #[napi(getter)]
    pub fn extra_json(&self) -> String {
        Value::Object(self.0.extra.clone()).to_string()
    }
    /// What `JSON.stringify` shows, as JSON text: every field.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
}
