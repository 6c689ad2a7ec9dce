//! Mirrors `core/src/discovery.rs`: `ServerMetadataData` and the discovery cache.

use crate::convert::json_text;
use crate::convert::kotlin_shown;

/// An issuer's discovery document ([`tokenfetch::discovery::ServerMetadata`]).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ServerMetadataData {
    pub issuer: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: String,
    pub device_authorization_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    pub jwks_uri: Option<String>,
    pub token_endpoint_auth_methods_supported: Vec<String>,
    pub code_challenge_methods_supported: Vec<String>,
    pub grant_types_supported: Vec<String>,
    pub scopes_supported: Vec<String>,
    pub authorization_response_iss_parameter_supported: bool,
    /// The other members, as a JSON object.
    pub extra_json: String,
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

impl From<&tokenfetch::ServerMetadata> for ServerMetadataData {
    fn from(m: &tokenfetch::ServerMetadata) -> Self {
        let shown = kotlin_shown(m);
        let m = m.clone();
        ServerMetadataData {
            shown,
            issuer: m.issuer,
            authorization_endpoint: m.authorization_endpoint,
            token_endpoint: m.token_endpoint,
            device_authorization_endpoint: m.device_authorization_endpoint,
            revocation_endpoint: m.revocation_endpoint,
            introspection_endpoint: m.introspection_endpoint,
            jwks_uri: m.jwks_uri,
            token_endpoint_auth_methods_supported: m.token_endpoint_auth_methods_supported,
            code_challenge_methods_supported: m.code_challenge_methods_supported,
            grant_types_supported: m.grant_types_supported,
            scopes_supported: m.scopes_supported,
            authorization_response_iss_parameter_supported: m.authorization_response_iss_parameter_supported,
            extra_json: json_text(m.extra),
        }
    }
}

/// Forgets every cached discovery document.
#[uniffi::export]
pub fn clear_discovery_cache() {
    tokenfetch::discovery::clear_discovery_cache()
}
