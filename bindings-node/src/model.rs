//! Mirrors `core/src/model.rs`: the token response, the request-and-answer pair and the HTTP
//! metadata as JavaScript sees them.

use napi_derive::napi;
use serde_json::{json, Value};
use tokenfetch::HttpMetadata;

use tokenfetch as core;

use crate::convert::{seconds, shown_json};

/// A token response. Fields are getters; `toJSON()` and `util.inspect` hide the tokens.
#[napi]
#[derive(Clone)]
pub struct TokenResponse(pub(crate) core::TokenResponse);

impl From<core::TokenResponse> for TokenResponse {
    fn from(t: core::TokenResponse) -> Self {
        TokenResponse(t)
    }
}

#[napi]
impl TokenResponse {
    #[napi(getter)]
    pub fn access_token(&self) -> String {
        self.0.access_token.clone()
    }
    #[napi(getter)]
    pub fn token_type(&self) -> String {
        self.0.token_type.clone()
    }
    /// Lifetime in seconds.
    #[napi(getter)]
    pub fn expires_in(&self) -> Option<i64> {
        seconds(self.0.expires_in)
    }
    #[napi(getter)]
    pub fn refresh_token(&self) -> Option<String> {
        self.0.refresh_token.clone()
    }
    #[napi(getter)]
    pub fn refresh_expires_in(&self) -> Option<i64> {
        seconds(self.0.refresh_expires_in)
    }
    #[napi(getter)]
    pub fn id_token(&self) -> Option<String> {
        self.0.id_token.clone()
    }
    #[napi(getter)]
    pub fn scope(&self) -> Option<String> {
        self.0.scope.clone()
    }
    /// RFC 3339.
    #[napi(getter)]
    pub fn created_at(&self) -> Option<String> {
        self.0.created_at.clone()
    }
    /// Every other member the server sent, as JSON text. Server JSON crosses as text, never
    /// through napi's serde conversion, which has failed on numbers it cannot hold;
    /// `lib/index.js` defines `extra` by parsing it.
    #[napi(getter)]
    pub fn extra_json(&self) -> String {
        Value::Object(self.0.extra.clone()).to_string()
    }
    /// Absolute expiry in epoch seconds.
    #[napi(getter)]
    pub fn expires_at(&self) -> Option<i64> {
        seconds(self.0.expires_at)
    }
    /// The validated ID token's claims as JSON text (`lib/index.js` defines `idTokenClaims`
    /// by parsing it); null without them.
    #[napi(getter)]
    pub fn id_token_claims_json(&self) -> Option<String> {
        self.0.id_token_claims.as_ref().map(|c| claims_json(c).to_string())
    }
    /// The granted scopes as an array.
    #[napi(getter)]
    pub fn scopes(&self) -> Vec<String> {
        self.0.scopes().into_iter().map(str::to_string).collect()
    }
    /// `"Bearer <accessToken>"`.
    #[napi]
    pub fn authorization_header(&self) -> String {
        self.0.authorization_header()
    }
    /// The response in wire names, tokens included: for storage you control, never for logs.
    /// `TokenResponse.fromJson` reads it back to an equal value.
    #[napi]
    pub fn to_wire_json(&self) -> String {
        self.0.to_json()
    }
    /// True when both hold the same values.
    #[napi]
    pub fn equals(&self, other: &TokenResponse) -> bool {
        self.0 == other.0
    }
    /// What `JSON.stringify` shows (as JSON text; `lib/index.js` defines `toJSON` from it):
    /// every field, with the tokens replaced by `[redacted]`.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
    /// A one-line summary without the token.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        self.0.to_string()
    }
}

/// One token request as sent and answered (the seeds' `V3TokenRequestResponse`).
#[napi]
pub struct TokenRequestResponse(pub(crate) core::TokenRequestResponse);

impl From<core::TokenRequestResponse> for TokenRequestResponse {
    fn from(r: core::TokenRequestResponse) -> Self {
        TokenRequestResponse(r)
    }
}

#[napi]
impl TokenRequestResponse {
    #[napi(getter, ts_return_type = "HttpMetadata")]
    pub fn http_meta(&self) -> Value {
        http_meta_json(&self.0.http_meta)
    }
    #[napi(getter)]
    pub fn token_response(&self) -> Option<TokenResponse> {
        self.0.token_response.clone().map(TokenResponse)
    }
    /// The seeds' name for `tokenResponse`.
    #[napi(getter)]
    pub fn v3_token_response(&self) -> Option<TokenResponse> {
        self.token_response()
    }
    /// What `JSON.stringify` shows, as JSON text (see `TokenResponse.redactedJson`).
    #[napi]
    pub fn redacted_json(&self) -> String {
        json!({
            "httpMeta": self.http_meta(),
            "tokenResponse": self.0.token_response.as_ref().map(shown_json),
        })
        .to_string()
    }
}

/// `HttpMetadata` as a plain object in Node names (it holds no secrets: core redacted them).
pub fn http_meta_json(meta: &HttpMetadata) -> Value {
    json!({
        "request": {
            "method": meta.request.method,
            "url": meta.request.url,
            "headers": meta.request.headers,
        },
        "response": meta.response.as_ref().map(|r| json!({
            "status": r.status,
            "headers": r.headers,
            "body": r.body,
            "bodyTruncated": r.body_truncated,
            "elapsedMs": r.elapsed_ms,
        })),
    })
}

/// An `IdTokenClaims` as JavaScript sees it: camelCase fields, `null` for absent ones.
pub fn claims_json(claims: &core::IdTokenClaims) -> Value {
    json!({
        "iss": claims.iss,
        "sub": claims.sub,
        "aud": claims.aud,
        "exp": claims.exp,
        "iat": claims.iat,
        "authTime": claims.auth_time,
        "nonce": claims.nonce,
        "acr": claims.acr,
        "amr": claims.amr,
        "azp": claims.azp,
        "sid": claims.sid,
        "extra": Value::Object(claims.extra.clone()),
    })
}
