//! Records and objects over the core models. Nothing here decides behaviour.
//!
//! `TokenResponseData` is a uniffi Record, so its generated Kotlin `data class` would print the
//! tokens in `toString()`: it never reaches users. `Models.kt` wraps it in a class whose
//! `toString()` shows no token, and asks [`redacted_extra_json`] for the `extra` members.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

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
}

fn to_i64(v: Option<u64>) -> Option<i64> {
    v.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

fn to_u64(v: Option<i64>) -> Option<u64> {
    v.map(|n| u64::try_from(n).unwrap_or(0))
}

impl From<tokenfetch::TokenResponse> for TokenResponseData {
    fn from(t: tokenfetch::TokenResponse) -> Self {
        TokenResponseData {
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
        }
    }
}

/// The `extra` members with secret values (at any depth) replaced, as core decides: what
/// `TokenResponse.toString()` shows of them.
#[uniffi::export]
pub fn redacted_extra_json(data: TokenResponseData) -> String {
    Value::Object(tokenfetch::TokenResponse::from(data).redacted_extra()).to_string()
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

/// A URL as tokenfetch shows it: query values and userinfo redacted; `[redacted]` when it
/// does not parse (it may hold credentials).
#[uniffi::export]
pub fn display_url(url: String) -> String {
    url::Url::parse(url.trim())
        .map(|u| tokenfetch::redact::display_url(&u))
        .unwrap_or_else(|_| tokenfetch::REDACTED.to_string())
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
        let received_at = received_at.and_then(|t| u64::try_from(t).ok());
        tokenfetch::evaluate_response(status, &headers, &body, received_at, limit)
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

/// A grant, built only through core's constructors (grant parameter names live in Rust).
#[derive(uniffi::Object)]
pub struct NativeTokenRequest(pub(crate) tokenfetch::TokenRequest);

#[uniffi::export]
impl NativeTokenRequest {
    #[uniffi::constructor]
    pub fn client_credentials(scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::client_credentials().scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn refresh_token(refresh_token: String, scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::refresh_token(refresh_token).scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn password(username: String, password: String, scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::password(username, password).scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn authorization_code(code: String, redirect_uri: Option<String>, code_verifier: Option<String>) -> Arc<Self> {
        Arc::new(Self(tokenfetch::TokenRequest::authorization_code(
            code,
            redirect_uri.as_deref(),
            code_verifier.as_deref(),
        )))
    }
    #[uniffi::constructor]
    pub fn device_code(device_code: String) -> Arc<Self> {
        Arc::new(Self(tokenfetch::TokenRequest::device_code(device_code)))
    }
    #[uniffi::constructor]
    pub fn token_exchange(subject_token: String, subject_token_type: String, scope: Option<String>) -> Arc<Self> {
        Arc::new(Self(
            tokenfetch::TokenRequest::token_exchange(subject_token, subject_token_type).scope_opt(scope.as_deref()),
        ))
    }
    #[uniffi::constructor]
    pub fn custom(grant_type: String, scope: Option<String>, params: HashMap<String, String>) -> Arc<Self> {
        let mut params: Vec<_> = params.into_iter().collect();
        params.sort();
        let request = params.into_iter().fold(
            tokenfetch::TokenRequest::custom(grant_type).scope_opt(scope.as_deref()),
            |r, (k, v)| r.param(k, v),
        );
        Arc::new(Self(request))
    }
    /// A copy with more parameters (sorted by name, so the request is the same every run).
    pub fn with_params(&self, params: HashMap<String, String>) -> Arc<Self> {
        let mut pairs: Vec<_> = params.into_iter().collect();
        pairs.sort();
        let request = pairs.into_iter().fold(self.0.clone(), |r, (k, v)| r.param(k, v));
        Arc::new(Self(request))
    }
    pub fn grant_type(&self) -> String {
        self.0.grant_type().to_string()
    }
}
