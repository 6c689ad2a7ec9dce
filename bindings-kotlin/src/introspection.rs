//! Mirrors `core/src/introspection.rs`: `IntrospectionData`.

use crate::convert::kotlin_shown;
use crate::convert::{json_text, to_i64};

/// An introspection response ([`tokenfetch::Introspection`]).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct IntrospectionData {
    pub active: bool,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub username: Option<String>,
    pub token_type: Option<String>,
    pub exp: Option<i64>,
    pub iat: Option<i64>,
    pub nbf: Option<i64>,
    pub sub: Option<String>,
    pub aud: Vec<String>,
    pub iss: Option<String>,
    pub jti: Option<String>,
    pub extra_json: String,
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

impl From<tokenfetch::Introspection> for IntrospectionData {
    fn from(i: tokenfetch::Introspection) -> Self {
        IntrospectionData {
            shown: kotlin_shown(&i),
            active: i.active,
            scope: i.scope,
            client_id: i.client_id,
            username: i.username,
            token_type: i.token_type,
            exp: to_i64(i.exp),
            iat: to_i64(i.iat),
            nbf: to_i64(i.nbf),
            sub: i.sub,
            aud: i.aud,
            iss: i.iss,
            jti: i.jti,
            extra_json: json_text(i.extra),
        }
    }
}
