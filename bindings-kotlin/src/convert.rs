//! Records and objects over the core models. Nothing here decides behaviour.
//!
//! `TokenResponseData` is a uniffi Record, so its generated Kotlin `data class` would print the
//! tokens in `toString()`: it never reaches users. `Models.kt` wraps it in a class whose
//! `toString()` is the record's `shown`, the core's redacted view rendered for Kotlin. The
//! same holds for every model with a secret or a server's members (`DeviceAuthorizationData`,
//! `PkceData`, ...): `Flows.kt` wraps each, and no Kotlin code knows which fields are secret. `NativeTokenStore` carries a store's
//! encryption key: `TokenStore.kt` wraps it in classes that never print the key.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use serde_json::{Map, Value};
use tokenfetch::manager::OnToken;
use tokenfetch::options::table::Language;
use tokenfetch::options::OptionValue;
use tokenfetch::store::StoreChoice;
use tokenfetch::Redacted;

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
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

/// A model's one redacted view, as the core renders it for Kotlin's `toString`.
fn kotlin_shown(model: &impl Redacted) -> String {
    model.redacted_view().render(Language::Kotlin)
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

/// A URL as tokenfetch shows it: query values and userinfo redacted; `[redacted]` when it
/// does not parse (it may hold credentials).
#[uniffi::export]
pub fn display_url(url: String) -> String {
    url::Url::parse(url.trim())
        .map(|u| tokenfetch::redact::display_url(&u))
        .unwrap_or_else(|_| tokenfetch::REDACTED.to_string())
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
        let received_at = received_at.and_then(|t| u64::try_from(t).ok());
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

// --- Beyond the token endpoint: discovery, introspection, the device flow, PKCE -----------

fn json_text(map: Map<String, Value>) -> String {
    Value::Object(map).to_string()
}

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

/// A device authorization response ([`tokenfetch::DeviceAuthorization`]). Holds the device
/// code, a secret: internal, wrapped by `DeviceAuthorization` in Kotlin, and converted back
/// unchanged to poll with.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct DeviceAuthorizationData {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: i64,
    pub interval: i64,
    pub expires_at: i64,
    pub extra_json: String,
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

impl From<tokenfetch::DeviceAuthorization> for DeviceAuthorizationData {
    fn from(a: tokenfetch::DeviceAuthorization) -> Self {
        let seconds = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        DeviceAuthorizationData {
            shown: kotlin_shown(&a),
            device_code: a.device_code.expose_str().to_owned(),
            user_code: a.user_code,
            verification_uri: a.verification_uri,
            verification_uri_complete: a.verification_uri_complete,
            expires_in: seconds(a.expires_in),
            interval: seconds(a.interval),
            expires_at: seconds(a.expires_at),
            extra_json: json_text(a.extra),
        }
    }
}

impl From<DeviceAuthorizationData> for tokenfetch::DeviceAuthorization {
    fn from(d: DeviceAuthorizationData) -> Self {
        let extra = match serde_json::from_str::<Value>(&d.extra_json) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let seconds = |n: i64| u64::try_from(n).unwrap_or(0);
        tokenfetch::DeviceAuthorization {
            device_code: d.device_code.into(),
            user_code: d.user_code,
            verification_uri: d.verification_uri,
            verification_uri_complete: d.verification_uri_complete,
            expires_in: seconds(d.expires_in),
            interval: seconds(d.interval),
            expires_at: seconds(d.expires_at),
            extra,
        }
    }
}

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

/// Stops a device flow poll from another thread ([`tokenfetch::CancelToken`]).
#[derive(uniffi::Object)]
pub struct NativeCancelToken(pub(crate) tokenfetch::CancelToken);

#[uniffi::export]
impl NativeCancelToken {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self(tokenfetch::CancelToken::new()))
    }
    pub fn cancel(&self) {
        self.0.cancel()
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// Forgets every cached discovery document.
#[uniffi::export]
pub fn clear_discovery_cache() {
    tokenfetch::discovery::clear_discovery_cache()
}

// --- Shared token stores ------------------------------------------------------------------

/// A shared token store as `TokenStore.kt` describes it. Internal: its generated `toString`
/// would print the key.
#[derive(Clone, uniffi::Enum)]
pub enum NativeTokenStore {
    /// A directory shared by the processes of one machine; `previous_keys` only open entries.
    File {
        directory: String,
        key: Option<String>,
        previous_keys: Vec<String>,
    },
    /// One Redis for many machines; `timeout_ms` is each command's timeout (None: the core's default),
    /// and `allow_insecure` lets plain `redis://` name a host other than loopback.
    Redis {
        url: String,
        key: Option<String>,
        timeout_ms: Option<i64>,
        previous_keys: Vec<String>,
        allow_insecure: bool,
    },
}

impl TryFrom<NativeTokenStore> for StoreChoice {
    type Error = tokenfetch::Error;

    /// Opened by core's options reader, so a wrong key, URL or timeout is refused in the same
    /// words as in Node, under the names `TokenStore.kt` uses (`store.timeout`).
    fn try_from(store: NativeTokenStore) -> tokenfetch::Result<StoreChoice> {
        let text = |v: Option<String>| v.map_or(OptionValue::Absent, OptionValue::Text);
        let texts = |keys: Vec<String>| OptionValue::List(keys.into_iter().map(OptionValue::Text).collect());
        let entries = match store {
            NativeTokenStore::File {
                directory,
                key,
                previous_keys,
            } => vec![
                ("file".into(), OptionValue::Text(directory)),
                ("key".into(), text(key)),
                ("previousKeys".into(), texts(previous_keys)),
            ],
            NativeTokenStore::Redis {
                url,
                key,
                timeout_ms,
                previous_keys,
                allow_insecure,
            } => vec![
                ("redis".into(), OptionValue::Text(url)),
                ("key".into(), text(key)),
                (
                    "timeout".into(),
                    // Every Long is a number core can judge; one past its range is refused there.
                    timeout_ms.map_or(OptionValue::Absent, |ms| OptionValue::Number(ms as f64)),
                ),
                ("previousKeys".into(), texts(previous_keys)),
                ("allowInsecure".into(), OptionValue::Bool(allow_insecure)),
            ],
        };
        StoreChoice::from_value("store", OptionValue::Map(entries), "timeout")
    }
}

/// Told each token a manager fetched (`TokenListener` in Kotlin).
#[uniffi::export(callback_interface)]
pub trait NativeTokenListener: Send + Sync {
    fn on_token(&self, token: TokenResponseData);
}

/// The core's `on_token` over a Kotlin listener. `TokenManager.kt` catches whatever the
/// listener throws; what would still cross (uniffi turns an unexpected callback error into a
/// panic) is caught here, because a listener must never fail the call that fetched.
pub fn on_token_from(listener: Box<dyn NativeTokenListener>) -> OnToken {
    Arc::new(move |token: &tokenfetch::TokenResponse| {
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| listener.on_token(token.clone().into())));
    })
}
