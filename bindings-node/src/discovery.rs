//! Mirrors `core/src/discovery.rs`: an issuer's metadata.

use napi_derive::napi;
use serde_json::Value;

use tokenfetch as core;

use crate::convert::shown_json;

/// What an authorization server says about itself (RFC 8414), as discovery read it
/// (`client.serverMetadata`). Nothing in it is secret.
#[napi]
pub struct ServerMetadata(pub(crate) core::ServerMetadata);

impl From<core::ServerMetadata> for ServerMetadata {
    fn from(m: core::ServerMetadata) -> Self {
        ServerMetadata(m)
    }
}

#[napi]
impl ServerMetadata {
    /// The issuer the document is for; discovery checked it is the one asked for.
    #[napi(getter)]
    pub fn issuer(&self) -> String {
        self.0.issuer.clone()
    }
    #[napi(getter)]
    pub fn authorization_endpoint(&self) -> Option<String> {
        self.0.authorization_endpoint.clone()
    }
    #[napi(getter)]
    pub fn token_endpoint(&self) -> String {
        self.0.token_endpoint.clone()
    }
    #[napi(getter)]
    pub fn device_authorization_endpoint(&self) -> Option<String> {
        self.0.device_authorization_endpoint.clone()
    }
    #[napi(getter)]
    pub fn revocation_endpoint(&self) -> Option<String> {
        self.0.revocation_endpoint.clone()
    }
    #[napi(getter)]
    pub fn introspection_endpoint(&self) -> Option<String> {
        self.0.introspection_endpoint.clone()
    }
    #[napi(getter)]
    pub fn jwks_uri(&self) -> Option<String> {
        self.0.jwks_uri.clone()
    }
    /// Empty when the server does not say; RFC 8414 then means `client_secret_basic`.
    #[napi(getter)]
    pub fn token_endpoint_auth_methods_supported(&self) -> Vec<String> {
        self.0.token_endpoint_auth_methods_supported.clone()
    }
    #[napi(getter)]
    pub fn code_challenge_methods_supported(&self) -> Vec<String> {
        self.0.code_challenge_methods_supported.clone()
    }
    #[napi(getter)]
    pub fn grant_types_supported(&self) -> Vec<String> {
        self.0.grant_types_supported.clone()
    }
    #[napi(getter)]
    pub fn scopes_supported(&self) -> Vec<String> {
        self.0.scopes_supported.clone()
    }
    /// RFC 9207: the server adds `iss` to every authorization response.
    #[napi(getter)]
    pub fn authorization_response_iss_parameter_supported(&self) -> bool {
        self.0.authorization_response_iss_parameter_supported
    }
    /// Every other member of the document, as JSON text; `lib/index.js` defines `extra` from it.
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
