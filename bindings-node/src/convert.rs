//! Conversions between the core models and JavaScript: one newtype per model.
//!
//! Nothing here decides behaviour: grants, parsing, defaults and redaction come from core.

use napi::bindgen_prelude::{Array, Object, Unknown};
use napi::{JsValue, ValueType};
use napi_derive::napi;
use serde_json::{json, Value};
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::{HttpMetadata, REDACTED};

use crate::error::to_napi;

use tokenfetch as core;

/// A token response. Fields are getters; `toJSON()` and `util.inspect` hide the tokens.
#[napi]
#[derive(Clone)]
pub struct TokenResponse(pub(crate) core::TokenResponse);

impl From<core::TokenResponse> for TokenResponse {
    fn from(t: core::TokenResponse) -> Self {
        TokenResponse(t)
    }
}

fn seconds(value: Option<u64>) -> Option<i64> {
    value.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
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
        self.redacted_value().to_string()
    }
    /// A one-line summary without the token.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        self.0.to_string()
    }
}

impl TokenResponse {
    fn redacted_value(&self) -> Value {
        let t = &self.0;
        let secret = |v: &Option<String>| v.as_ref().map(|_| REDACTED);
        json!({
            "accessToken": REDACTED,
            "tokenType": t.token_type,
            "expiresIn": t.expires_in,
            "refreshToken": secret(&t.refresh_token),
            "refreshExpiresIn": t.refresh_expires_in,
            "idToken": secret(&t.id_token),
            "scope": t.scope,
            "createdAt": t.created_at,
            "extra": Value::Object(t.redacted_extra()),
            "expiresAt": t.expires_at,
        })
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
            "tokenResponse": self.0.token_response.clone().map(|t| TokenResponse(t).redacted_value()),
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

/// A grant to run: built only through core's constructors, so the grants' parameter names
/// are written once, in Rust.
#[napi]
#[derive(Clone)]
pub struct TokenRequest(pub(crate) core::TokenRequest);

#[napi]
impl TokenRequest {
    #[napi(factory)]
    pub fn client_credentials(scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::client_credentials().scope_opt(scope.as_deref()))
    }
    #[napi(factory)]
    pub fn refresh_token(refresh_token: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::refresh_token(refresh_token).scope_opt(scope.as_deref()))
    }
    #[napi(factory)]
    pub fn password(username: String, password: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::password(username, password).scope_opt(scope.as_deref()))
    }
    #[napi(factory)]
    pub fn authorization_code(code: String, redirect_uri: Option<String>, code_verifier: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::authorization_code(
            code,
            redirect_uri.as_deref(),
            code_verifier.as_deref(),
        ))
    }
    #[napi(factory)]
    pub fn device_code(device_code: String) -> Self {
        TokenRequest(core::TokenRequest::device_code(device_code))
    }
    #[napi(factory)]
    pub fn token_exchange(subject_token: String, subject_token_type: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::token_exchange(subject_token, subject_token_type).scope_opt(scope.as_deref()))
    }
    /// Any grant type, e.g. `urn:ietf:params:oauth:grant-type:jwt-bearer` or Gusto's `system_access`.
    #[napi(factory)]
    pub fn custom(grant_type: String, scope: Option<String>) -> Self {
        TokenRequest(core::TokenRequest::custom(grant_type).scope_opt(scope.as_deref()))
    }
    /// A copy with one more parameter (repeat a name to send it several times).
    #[napi]
    pub fn with_param(&self, name: String, value: String) -> TokenRequest {
        TokenRequest(self.0.clone().param(name, value))
    }
    #[napi(getter)]
    pub fn grant_type(&self) -> String {
        self.0.grant_type().to_string()
    }
}

/// A JavaScript options object as core's [`OptionBag`], which checks every name, type and
/// range (so `{ timeoutMs: -1 }` and `{ timeout: 5 }` are `ConfigError`s naming the option).
pub fn option_bag(options: Option<Unknown<'_>>) -> napi::Result<OptionBag> {
    let value = match options {
        None => OptionValue::Absent,
        Some(v) => option_value(&v, 0)?,
    };
    OptionBag::from_value("options", value).map_err(to_napi)
}

/// Nested options (headers, params) are shallow; the depth bound keeps a cyclic object from
/// recursing for ever.
const MAX_OPTION_DEPTH: usize = 4;

/// No option holds more items than this; a longer array (`new Array(2 ** 32 - 1)`) is refused
/// before anything is allocated for it.
const MAX_OPTION_ITEMS: u32 = 10_000;

fn option_value(value: &Unknown<'_>, depth: usize) -> napi::Result<OptionValue> {
    // SAFETY: each `cast` follows the `get_type` (or `is_array`) check for that type.
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => OptionValue::Absent,
        ValueType::Boolean => OptionValue::Bool(unsafe { value.cast::<bool>()? }),
        ValueType::Number => OptionValue::Number(unsafe { value.cast::<f64>()? }),
        ValueType::String => OptionValue::Text(unsafe { value.cast::<String>()? }),
        ValueType::Object if depth < MAX_OPTION_DEPTH => {
            if value.is_array()? {
                let array = unsafe { value.cast::<Array<'_>>()? };
                if array.len() > MAX_OPTION_ITEMS {
                    return Ok(OptionValue::Other(format!("array of over {MAX_OPTION_ITEMS} items")));
                }
                let mut items = Vec::new();
                for i in 0..array.len() {
                    let item = array.get::<Unknown<'_>>(i)?;
                    items.push(match item {
                        Some(item) => option_value(&item, depth + 1)?,
                        None => OptionValue::Absent,
                    });
                }
                OptionValue::List(items)
            } else {
                let object = unsafe { value.cast::<Object<'_>>()? };
                let mut entries = Vec::new();
                for key in Object::keys(&object)? {
                    let item = object.get::<Unknown<'_>>(&key)?;
                    let item = match item {
                        Some(item) => option_value(&item, depth + 1)?,
                        None => OptionValue::Absent,
                    };
                    entries.push((key, item));
                }
                OptionValue::Map(entries)
            }
        }
        ValueType::Object => OptionValue::Other("deeply nested object".into()),
        other => OptionValue::Other(other.to_string().to_ascii_lowercase()),
    })
}
