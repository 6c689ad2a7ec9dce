//! Conversions between the core models and JavaScript: one newtype per model.
//!
//! Nothing here decides behaviour: grants, parsing, defaults and redaction come from core.

use std::sync::Arc;

use napi::bindgen_prelude::{Array, Function, Object, Unknown};
use napi::threadsafe_function::{ThreadsafeFunctionCallMode, UnknownReturnValue};
use napi::{JsValue, ValueType};
use napi_derive::napi;
use serde_json::{json, Value};
use tokenfetch::manager::OnToken;
use tokenfetch::options::table::Language;
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::store::StoreChoice;
use tokenfetch::{HttpMetadata, Redacted};

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

/// What `JSON.stringify` and `util.inspect` show of a model: its one redacted view, as the
/// core renders it for Node.
fn shown_json(model: &impl Redacted) -> Value {
    model.redacted_view().to_json(Language::Node)
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
    OptionBag::from_value("options", options_value(options)?).map_err(to_napi)
}

fn options_value(options: Option<Unknown<'_>>) -> napi::Result<OptionValue> {
    match options {
        None => Ok(OptionValue::Absent),
        Some(v) => option_value(&v, 0),
    }
}

/// `new TokenManager(client, {...})` options: the bag, and the `store` object on its own,
/// since core's [`StoreChoice::from_value`] reads it whole (`{ file }` or `{ redis, timeoutMs }`,
/// with `key`) and a bag hands out single values only.
pub fn manager_options(options: Option<Unknown<'_>>) -> napi::Result<(OptionBag, OptionValue)> {
    let value = options_value(options)?;
    let store = match &value {
        OptionValue::Map(entries) => entries
            .iter()
            .find(|(name, _)| name == "store")
            .map(|(_, store)| store.clone())
            .unwrap_or(OptionValue::Absent),
        _ => OptionValue::Absent,
    };
    let bag = OptionBag::from_value("options", value).map_err(to_napi)?;
    Ok((bag, store))
}

/// The `store` option as core opens it; `None` when it is not set.
pub fn store_choice(store: OptionValue) -> core::Result<Option<StoreChoice>> {
    match store {
        OptionValue::Absent => Ok(None),
        store => StoreChoice::from_value("store", store, "timeoutMs").map(Some),
    }
}

/// `onToken` as core calls it. Core calls it on the thread that fetched (a libuv worker, or
/// the event loop itself in a `...Sync` call), so it goes through a threadsafe function: the
/// call is queued for the event loop and the fetching thread moves on at once. It is weak, so a manager with a listener does not keep
/// the process alive. `lib/index.js` passes a wrapper that never throws: napi would turn an
/// exception here into an uncaught one, which ends the process.
pub fn on_token_listener(listener: Function<'_, TokenResponse, UnknownReturnValue>) -> napi::Result<OnToken> {
    let queued = listener
        .build_threadsafe_function::<core::TokenResponse>()
        .weak::<true>()
        .build_callback(|call| Ok(TokenResponse(call.value)))?;
    Ok(Arc::new(move |token: &core::TokenResponse| {
        // The status says only that the loop is shutting down: no one is left to tell.
        let _ = queued.call(token.clone(), ThreadsafeFunctionCallMode::NonBlocking);
    }))
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

fn whole(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

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

/// The codes of a device flow (RFC 8628 §3.2): show the user `verificationUri` and
/// `userCode` (or `verificationUriComplete`), then pass this object to
/// `client.pollDeviceToken`. `deviceCode` is secret: `toJSON`, `util.inspect` and
/// `toString` show `[redacted]`.
#[napi]
#[derive(Clone)]
pub struct DeviceAuthorization(pub(crate) core::DeviceAuthorization);

impl From<core::DeviceAuthorization> for DeviceAuthorization {
    fn from(d: core::DeviceAuthorization) -> Self {
        DeviceAuthorization(d)
    }
}

#[napi]
impl DeviceAuthorization {
    /// The code the device polls with. Secret.
    #[napi(getter)]
    pub fn device_code(&self) -> String {
        self.0.device_code.expose_str().to_owned()
    }
    /// The code the user types in.
    #[napi(getter)]
    pub fn user_code(&self) -> String {
        self.0.user_code.clone()
    }
    /// Where the user goes to type it.
    #[napi(getter)]
    pub fn verification_uri(&self) -> String {
        self.0.verification_uri.clone()
    }
    /// The same page with the code filled in, for a QR code or a link.
    #[napi(getter)]
    pub fn verification_uri_complete(&self) -> Option<String> {
        self.0.verification_uri_complete.clone()
    }
    /// Lifetime of both codes, in seconds.
    #[napi(getter)]
    pub fn expires_in(&self) -> i64 {
        whole(self.0.expires_in)
    }
    /// Seconds to wait between polls; 5 when the server names none.
    #[napi(getter)]
    pub fn interval(&self) -> i64 {
        whole(self.0.interval)
    }
    /// When the codes expire, in epoch seconds.
    #[napi(getter)]
    pub fn expires_at(&self) -> i64 {
        whole(self.0.expires_at)
    }
    /// Every other member, as JSON text; `lib/index.js` defines `extra` from it.
    #[napi(getter)]
    pub fn extra_json(&self) -> String {
        Value::Object(self.0.extra.clone()).to_string()
    }
    /// Whether the codes have expired, by this machine's clock.
    #[napi]
    pub fn is_expired(&self) -> bool {
        self.0.is_expired()
    }
    /// What `JSON.stringify` shows, as JSON text: the fields the core's debug form shows,
    /// with `deviceCode` as `[redacted]`.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
    /// The core's debug form, without the device code.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// A PKCE pair (RFC 7636): the secret `verifier` the client keeps until it redeems the code,
/// and the S256 `challenge` the authorization URL carries. Made by `Pkce.generate()` or
/// `Pkce.fromVerifier(v)`; `toJSON`, `util.inspect` and `toString` hide the verifier.
#[napi]
#[derive(Clone)]
pub struct Pkce(pub(crate) core::Pkce);

impl From<core::Pkce> for Pkce {
    fn from(p: core::Pkce) -> Self {
        Pkce(p)
    }
}

#[napi]
impl Pkce {
    /// The secret to send with the authorization code (`codeVerifier`).
    #[napi(getter)]
    pub fn verifier(&self) -> String {
        self.0.verifier().to_string()
    }
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization URL.
    #[napi(getter)]
    pub fn challenge(&self) -> String {
        self.0.challenge().to_string()
    }
    /// Always `"S256"`.
    #[napi(getter)]
    pub fn method(&self) -> String {
        self.0.method().to_string()
    }
    /// What `JSON.stringify` shows, as JSON text: the verifier as `[redacted]`.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
    /// The core's debug form, without the verifier.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// An authorization URL and what the client keeps until the user comes back: pass `state`
/// to `client.parseCallback`, and `pkce.verifier` as `codeVerifier` to
/// `client.authorizationCode`. `toJSON`, `util.inspect` and `toString` hide the verifier.
#[napi]
pub struct AuthorizationRequest(pub(crate) core::AuthorizationRequest);

impl From<core::AuthorizationRequest> for AuthorizationRequest {
    fn from(r: core::AuthorizationRequest) -> Self {
        AuthorizationRequest(r)
    }
}

#[napi]
impl AuthorizationRequest {
    /// The URL to send the user's browser to.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.0.url.clone()
    }
    /// Compare it with the callback's (`client.parseCallback`).
    #[napi(getter)]
    pub fn state(&self) -> String {
        self.0.state.clone()
    }
    #[napi(getter)]
    pub fn nonce(&self) -> Option<String> {
        self.0.nonce.clone()
    }
    /// Its verifier goes with the code to the token endpoint.
    #[napi(getter)]
    pub fn pkce(&self) -> Pkce {
        Pkce(self.0.pkce.clone())
    }
    #[napi(getter)]
    pub fn redirect_uri(&self) -> String {
        self.0.redirect_uri.clone()
    }
    /// What `JSON.stringify` shows, as JSON text: the PKCE verifier as `[redacted]`.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
    /// The core's debug form, without the verifier.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// Stops a device poll from the event loop (`lib/index.js` cancels one when the call's
/// `AbortSignal` aborts); internal to `lib/index.js`.
#[napi]
#[derive(Clone, Default)]
pub struct CancelToken(pub(crate) core::CancelToken);

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> Self {
        CancelToken::default()
    }
    /// Wakes the poll: it stops with a `cancelled` error.
    #[napi]
    pub fn cancel(&self) {
        self.0.cancel()
    }
    #[napi(getter)]
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// `client.authorizationUrl(redirectUri, {...})` options; `pkce` arrives as its own argument
/// (a `Pkce` instance cannot cross in an options bag), but is a known name.
pub fn authorization_options(bag: &OptionBag, pkce: Option<&Pkce>) -> core::Result<core::AuthorizationOptions> {
    bag.check_names(&["scope", "state", "nonce", "pkce", "extra"])?;
    Ok(core::AuthorizationOptions {
        scope: bag.text("scope")?,
        state: bag.text("state")?,
        nonce: bag.text("nonce")?,
        pkce: pkce.map(|p| p.0.clone()),
        extra: bag.pairs("extra")?.unwrap_or_default(),
    })
}
