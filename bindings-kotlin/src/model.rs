//! Mirrors `core/src/model.rs`: the token models as uniffi records, and the core's
//! `parse_response` (`core/src/parse.rs`) and token response helpers over them.
//!
//! `TokenResponseData` is a uniffi Record, so its generated Kotlin `data class` would print the
//! tokens in `toString()`: it never reaches users. `Models.kt` wraps it in a class whose
//! `toString()` is the record's `shown`, the core's redacted view rendered for Kotlin
//! (`convert::kotlin_shown`). The same holds for every model with a secret or a server's members
//! (`DeviceAuthorizationData`, `PkceData`, ...): `Flows.kt` wraps each, and no Kotlin code
//! knows which fields are secret.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::convert::{kotlin_shown, to_i64, to_u64};
use crate::error::NativeError;

#[derive(Debug, Clone, uniffi::Record)]
pub struct TokenResponseData {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: Option<i64>,
    pub refresh_token: Option<String>,
    pub refresh_expires_in: Option<i64>,
    pub id_token: Option<String>,
    pub scope: Option<String>,
    pub created_at: Option<String>,
    /// The other members, as a JSON object.
    pub extra_json: String,
    pub expires_at: Option<i64>,
    /// The validated ID token's claims.
    pub id_token_claims: Option<IdTokenClaimsData>,
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

/// [`tokenfetch::IdTokenClaims`]: nothing in it is a secret, so `IdTokenClaims` in Kotlin is a
/// data class built from it field by field.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IdTokenClaimsData {
    pub iss: String,
    pub sub: String,
    pub aud: Vec<String>,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: Option<i64>,
    pub nonce: Option<String>,
    pub acr: Option<String>,
    pub amr: Vec<String>,
    pub azp: Option<String>,
    pub sid: Option<String>,
    /// The other claims, as a JSON object.
    pub extra_json: String,
    /// Every claim as one JSON object (`IdTokenClaims.toJson`).
    pub json: String,
}

impl From<&tokenfetch::IdTokenClaims> for IdTokenClaimsData {
    fn from(c: &tokenfetch::IdTokenClaims) -> Self {
        IdTokenClaimsData {
            iss: c.iss.clone(),
            sub: c.sub.clone(),
            aud: c.aud.clone(),
            exp: to_i64(Some(c.exp)).unwrap_or(i64::MAX),
            iat: to_i64(Some(c.iat)).unwrap_or(i64::MAX),
            auth_time: to_i64(c.auth_time),
            nonce: c.nonce.clone(),
            acr: c.acr.clone(),
            amr: c.amr.clone(),
            azp: c.azp.clone(),
            sid: c.sid.clone(),
            extra_json: Value::Object(c.extra.clone()).to_string(),
            json: c.to_json(),
        }
    }
}

impl From<tokenfetch::TokenResponse> for TokenResponseData {
    fn from(t: tokenfetch::TokenResponse) -> Self {
        TokenResponseData {
            id_token_claims: t.id_token_claims.as_ref().map(IdTokenClaimsData::from),
            shown: kotlin_shown(&t),
            extra_json: Value::Object(t.extra.clone()).to_string(),
            access_token: t.access_token,
            token_type: t.token_type,
            expires_in: to_i64(t.expires_in),
            refresh_token: t.refresh_token,
            refresh_expires_in: to_i64(t.refresh_expires_in),
            id_token: t.id_token,
            scope: t.scope,
            created_at: t.created_at,
            expires_at: to_i64(t.expires_at),
        }
    }
}

impl From<TokenResponseData> for tokenfetch::TokenResponse {
    fn from(d: TokenResponseData) -> Self {
        let extra = match serde_json::from_str::<Value>(&d.extra_json) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        tokenfetch::TokenResponse {
            access_token: d.access_token,
            token_type: d.token_type,
            expires_in: to_u64(d.expires_in),
            refresh_token: d.refresh_token,
            refresh_expires_in: to_u64(d.refresh_expires_in),
            id_token: d.id_token,
            scope: d.scope,
            created_at: d.created_at,
            extra,
            expires_at: to_u64(d.expires_at),
            // Claims were validated by the core when the token arrived; read back as stored.
            id_token_claims: d
                .id_token_claims
                .and_then(|c| tokenfetch::IdTokenClaims::from_json(&c.json).ok()),
        }
    }
}

/// `"Bearer <token>"`, as core builds it.
#[uniffi::export]
pub fn authorization_header(data: TokenResponseData) -> String {
    tokenfetch::TokenResponse::from(data).authorization_header()
}

/// Wire JSON (tokens included), which `parse_token_response` reads back.
#[uniffi::export]
pub fn token_response_to_json(data: TokenResponseData) -> String {
    tokenfetch::TokenResponse::from(data).to_json()
}

/// Parses a token response body with the same leniency as a fetch.
#[uniffi::export]
pub fn parse_token_response(body: String) -> Result<TokenResponseData, NativeError> {
    Ok(tokenfetch::error::catch_panic(|| tokenfetch::TokenResponse::from_json(&body))?.into())
}

/// The core's cap on a response body, the default of `parseResponse`'s `maxResponseBytes`.
#[uniffi::export]
pub fn default_max_response_bytes() -> i64 {
    i64::try_from(tokenfetch::client::DEFAULT_MAX_RESPONSE_BYTES).unwrap_or(i64::MAX)
}

/// Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing).
#[uniffi::export]
pub fn parse_response(
    status: i32,
    headers: HashMap<String, String>,
    body: Vec<u8>,
    received_at: Option<i64>,
    max_response_bytes: i64,
) -> Result<TokenResponseData, NativeError> {
    let token = tokenfetch::error::catch_panic(|| {
        let status = tokenfetch::options::status_code("status", f64::from(status))?;
        let limit = tokenfetch::options::MAX_RESPONSE_BYTES.whole("maxResponseBytes", max_response_bytes as f64)?;
        let headers: Vec<(String, String)> = headers.into_iter().collect();
        let received_at = received_at
            .map(|t| tokenfetch::options::epoch_seconds("receivedAt", t as f64))
            .transpose()?;
        tokenfetch::parse_response(status, &headers, &body, received_at, limit)
    })?;
    Ok(token.into())
}

/// The request as sent; no secrets (core redacted them).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpRequestMeta {
    pub method: String,
    pub url: String,
    pub headers: HashMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpResponseMeta {
    /// `Int`, not `UShort`: Kotlin compares it with literals (`status == 401`) and the
    /// exceptions' `status` is an `Int` too.
    pub status: i32,
    pub headers: HashMap<String, String>,
    pub body: String,
    pub body_truncated: bool,
    pub elapsed_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct HttpMetadata {
    pub request: HttpRequestMeta,
    pub response: Option<HttpResponseMeta>,
}

impl From<&tokenfetch::HttpMetadata> for HttpMetadata {
    fn from(m: &tokenfetch::HttpMetadata) -> Self {
        HttpMetadata {
            request: HttpRequestMeta {
                method: m.request.method.clone(),
                url: m.request.url.clone(),
                headers: m.request.headers.clone().into_iter().collect(),
            },
            response: m.response.as_ref().map(|r| HttpResponseMeta {
                status: i32::from(r.status),
                headers: r.headers.clone().into_iter().collect(),
                body: r.body.clone(),
                body_truncated: r.body_truncated,
                elapsed_ms: i64::try_from(r.elapsed_ms).unwrap_or(i64::MAX),
            }),
        }
    }
}

#[derive(Debug, Clone, uniffi::Record)]
pub struct TokenRequestResponseData {
    pub http_meta: HttpMetadata,
    pub token_response: Option<TokenResponseData>,
}

impl From<tokenfetch::TokenRequestResponse> for TokenRequestResponseData {
    fn from(r: tokenfetch::TokenRequestResponse) -> Self {
        TokenRequestResponseData {
            http_meta: HttpMetadata::from(&r.http_meta),
            token_response: r.token_response.map(TokenResponseData::from),
        }
    }
}
