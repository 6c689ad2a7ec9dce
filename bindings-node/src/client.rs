//! The native `TokenClient` and `TokenManager`. `lib/index.js` wraps them with the public API
//! (AbortSignal, typed errors); every network call here is an `AsyncTask` or a `...Sync` twin.

use std::str::FromStr;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Unknown};
use napi_derive::napi;
use tokenfetch::error::catch_panic;
use tokenfetch::manager::ManagerOptions;
use tokenfetch::options::{self, OptionBag};
use tokenfetch::{
    AuthMethod, BodyEncoding, GustoEnvironment, ProveEnvironment, RetryPolicy, TokenClient, TokenClientBuilder,
    TokenManager,
};

use crate::convert::{option_bag, TokenRequest, TokenRequestResponse, TokenResponse};
use crate::error::{payload, to_napi};
use crate::tasks::Blocking;

fn user_agent() -> String {
    format!("tokenfetch/{} (node)", tokenfetch::VERSION)
}

/// `new TokenClient({...})` options, as JavaScript spells them.
const CLIENT_OPTIONS: &[&str] = &[
    "tokenUrl",
    "clientId",
    "clientSecret",
    "authMethod",
    "bodyEncoding",
    "scope",
    "audience",
    "resource",
    "extraParams",
    "headers",
    "userAgent",
    "timeoutMs",
    "connectTimeoutMs",
    "maxRetries",
    "maxResponseBytes",
    "allowInsecureHttp",
    "rootCertificates",
    "useOsTrustStore",
];

/// `TokenClient.prove({...})` and `TokenClient.gusto({...})` options.
const PRESET_OPTIONS: &[&str] = &["clientId", "clientSecret", "env", "tokenUrl", "timeoutMs", "maxRetries"];

/// `new TokenManager(client, {...})` options.
const MANAGER_OPTIONS: &[&str] = &["scope", "grantType", "params", "refreshSkewMs", "defaultLifetimeMs"];

/// The options every way of building a client shares: deadlines and retries.
fn apply_limits(bag: &OptionBag, mut b: TokenClientBuilder) -> tokenfetch::Result<TokenClientBuilder> {
    if let Some(v) = bag.millis("timeoutMs", options::TIMEOUT)? {
        b = b.timeout(v);
    }
    if let Some(v) = bag.whole("maxRetries", options::MAX_RETRIES)? {
        b = b.retry(RetryPolicy {
            max_retries: u32::try_from(v).unwrap_or(u32::MAX),
            ..RetryPolicy::default()
        });
    }
    Ok(b)
}

fn client_from(bag: &OptionBag) -> tokenfetch::Result<TokenClient> {
    bag.check_names(CLIENT_OPTIONS)?;
    let mut b = TokenClient::builder(bag.required_text("tokenUrl")?).user_agent(user_agent());
    if let Some(m) = bag.text("authMethod")? {
        b = b.auth_method(AuthMethod::from_str(&m)?);
    }
    if let Some(e) = bag.text("bodyEncoding")? {
        b = b.body_encoding(BodyEncoding::from_str(&e)?);
    }
    if let Some(v) = bag.text("clientId")? {
        b = b.client_id(v);
    }
    if let Some(v) = bag.text("clientSecret")? {
        b = b.client_secret(v);
    }
    if let Some(v) = bag.text("scope")? {
        b = b.scope(v);
    }
    for v in bag.texts("audience")?.unwrap_or_default() {
        b = b.audience(v);
    }
    for v in bag.texts("resource")?.unwrap_or_default() {
        b = b.resource(v);
    }
    for (k, v) in bag.pairs("extraParams")?.unwrap_or_default() {
        b = b.extra_param(k, v);
    }
    for (k, v) in bag.pairs("headers")?.unwrap_or_default() {
        b = b.header(k, v);
    }
    if let Some(v) = bag.text("userAgent")? {
        b = b.user_agent(v);
    }
    if let Some(v) = bag.millis("connectTimeoutMs", options::CONNECT_TIMEOUT)? {
        b = b.connect_timeout(v);
    }
    if let Some(v) = bag.whole("maxResponseBytes", options::MAX_RESPONSE_BYTES)? {
        b = b.max_response_bytes(v);
    }
    if let Some(v) = bag.flag("allowInsecureHttp")? {
        b = b.allow_insecure_http(v);
    }
    for pem in bag.text_or_texts("rootCertificates")?.unwrap_or_default() {
        b = b.root_certificates_pem(pem);
    }
    if let Some(v) = bag.flag("useOsTrustStore")? {
        b = b.use_os_trust_store(v);
    }
    apply_limits(bag, b)?.build()
}

fn preset_from(bag: &OptionBag, make: PresetMaker) -> tokenfetch::Result<TokenClient> {
    bag.check_names(PRESET_OPTIONS)?;
    let (id, secret) = (bag.required_text("clientId")?, bag.required_text("clientSecret")?);
    let mut b = make(bag.text("env")?, id, secret)?.user_agent(user_agent());
    if let Some(url) = bag.text("tokenUrl")? {
        b = b.token_url(url);
    }
    apply_limits(bag, b)?.build()
}

type PresetMaker = fn(Option<String>, String, String) -> tokenfetch::Result<TokenClientBuilder>;

#[napi]
pub struct NativeTokenClient {
    pub(crate) inner: TokenClient,
}

#[napi]
impl NativeTokenClient {
    #[napi(constructor, ts_args_type = "options: Record<string, unknown>")]
    pub fn new(options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let inner = catch_panic(|| client_from(&bag)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    #[napi(factory, ts_args_type = "options: Record<string, unknown>")]
    pub fn prove(options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let make: PresetMaker = |env, id, secret| {
            let env = ProveEnvironment::from_str(env.as_deref().unwrap_or("uat-us"))?;
            Ok(TokenClientBuilder::prove(env, id, secret))
        };
        let inner = catch_panic(|| preset_from(&bag, make)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    #[napi(factory, ts_args_type = "options: Record<string, unknown>")]
    pub fn gusto(options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let make: PresetMaker = |env, id, secret| {
            let env = GustoEnvironment::from_str(env.as_deref().unwrap_or("demo"))?;
            Ok(TokenClientBuilder::gusto(env, id, secret))
        };
        let inner = catch_panic(|| preset_from(&bag, make)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    #[napi(getter)]
    pub fn token_url(&self) -> String {
        self.inner.token_url().to_string()
    }

    #[napi(getter)]
    pub fn client_id(&self) -> Option<String> {
        self.inner.client_id().map(str::to_string)
    }

    #[napi(getter)]
    pub fn timeout_ms(&self) -> f64 {
        self.inner.timeout().as_secs_f64() * 1000.0
    }

    #[napi(getter)]
    pub fn connect_timeout_ms(&self) -> f64 {
        self.inner.connect_timeout().as_secs_f64() * 1000.0
    }

    #[napi(getter)]
    pub fn max_retries(&self) -> u32 {
        self.inner.retry_policy().max_retries
    }

    #[napi(getter)]
    pub fn max_response_bytes(&self) -> f64 {
        self.inner.max_response_bytes() as f64
    }

    /// The client's default grant (client credentials, or the preset's).
    #[napi]
    pub fn default_request(&self) -> TokenRequest {
        TokenRequest(self.inner.default_request())
    }

    #[napi(ts_return_type = "Promise<TokenResponse>")]
    pub fn fetch(&self, request: &TokenRequest) -> AsyncTask<Blocking<TokenResponse>> {
        let (client, request) = (self.inner.clone(), request.0.clone());
        AsyncTask::new(Blocking::new(move || client.fetch(&request).map(TokenResponse::from)))
    }

    #[napi]
    pub fn fetch_sync(&self, request: &TokenRequest) -> napi::Result<TokenResponse> {
        catch_panic(|| self.inner.fetch(&request.0))
            .map(TokenResponse::from)
            .map_err(to_napi)
    }

    #[napi(ts_return_type = "Promise<TokenRequestResponse>")]
    pub fn send(&self, request: &TokenRequest) -> AsyncTask<Blocking<TokenRequestResponse>> {
        let (client, request) = (self.inner.clone(), request.0.clone());
        AsyncTask::new(Blocking::new(move || {
            client.send(&request).map(TokenRequestResponse::from)
        }))
    }

    #[napi]
    pub fn send_sync(&self, request: &TokenRequest) -> napi::Result<TokenRequestResponse> {
        catch_panic(|| self.inner.send(&request.0))
            .map(TokenRequestResponse::from)
            .map_err(to_napi)
    }
}

fn manager_from(client: &TokenClient, bag: &OptionBag) -> tokenfetch::Result<TokenManager> {
    bag.check_names(MANAGER_OPTIONS)?;
    let request = bag.grant(["grantType", "params", "scope"], client.default_request())?;
    let mut manager_options = ManagerOptions::default();
    if let Some(v) = bag.millis("refreshSkewMs", options::REFRESH_SKEW)? {
        manager_options.refresh_skew = v;
    }
    if let Some(v) = bag.millis("defaultLifetimeMs", options::DEFAULT_LIFETIME)? {
        manager_options.default_lifetime = v;
    }
    TokenManager::with_options(client.clone(), request, manager_options)
}

#[napi]
pub struct NativeTokenManager {
    inner: Arc<TokenManager>,
}

#[napi]
impl NativeTokenManager {
    /// `options`: `scope`, `grantType` and `params` (the grant; the client's default grant
    /// when no `grantType` is given), `refreshSkewMs`, `defaultLifetimeMs`.
    #[napi(
        constructor,
        ts_args_type = "client: NativeTokenClient, options?: Record<string, unknown>"
    )]
    pub fn new(client: &NativeTokenClient, options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let manager = catch_panic(|| manager_from(&client.inner, &bag)).map_err(to_napi)?;
        Ok(NativeTokenManager {
            inner: Arc::new(manager),
        })
    }

    #[napi]
    pub fn access_token_sync(&self) -> napi::Result<String> {
        catch_panic(|| self.inner.access_token()).map_err(to_napi)
    }

    #[napi(ts_return_type = "Promise<TokenResponse>")]
    pub fn token(&self) -> AsyncTask<Blocking<TokenResponse>> {
        let manager = self.inner.clone();
        AsyncTask::new(Blocking::new(move || manager.token().map(TokenResponse::from)))
    }

    #[napi]
    pub fn token_sync(&self) -> napi::Result<TokenResponse> {
        catch_panic(|| self.inner.token())
            .map(TokenResponse::from)
            .map_err(to_napi)
    }

    #[napi]
    pub fn authorization_header_sync(&self) -> napi::Result<String> {
        catch_panic(|| self.inner.authorization_header()).map_err(to_napi)
    }

    #[napi(getter)]
    pub fn refresh_skew_ms(&self) -> f64 {
        self.inner.options().refresh_skew.as_secs_f64() * 1000.0
    }

    #[napi(getter)]
    pub fn default_lifetime_ms(&self) -> f64 {
        self.inner.options().default_lifetime.as_secs_f64() * 1000.0
    }

    /// The cached token when no fetch is due, with how long it stays so; else `null`. Never
    /// blocks: `lib/index.js` keeps it and answers reads from it on the event loop, without
    /// calling here, until then.
    #[napi]
    pub fn fresh_token_for(&self) -> Option<FreshToken> {
        self.inner.fresh_token_for().map(|(token, fresh_for)| FreshToken {
            token,
            fresh_for_ms: fresh_for.as_secs_f64() * 1000.0,
        })
    }

    #[napi]
    pub fn invalidate(&self) {
        self.inner.invalidate()
    }

    /// The structured form of the last fetch error, for `lib/errors.js`.
    #[napi(ts_return_type = "Record<string, JsonValue> | null")]
    pub fn last_error_payload(&self) -> Option<serde_json::Value> {
        self.inner.last_error().map(|e| payload(&e))
    }
}

/// A cached token and how many milliseconds, from now, it needs no fetch
/// (`TokenManager.freshTokenFor`); internal to `lib/index.js`.
#[napi]
pub struct FreshToken {
    token: tokenfetch::TokenResponse,
    fresh_for_ms: f64,
}

#[napi]
impl FreshToken {
    #[napi(getter)]
    pub fn token(&self) -> TokenResponse {
        TokenResponse::from(self.token.clone())
    }

    #[napi(getter)]
    pub fn fresh_for_ms(&self) -> f64 {
        self.fresh_for_ms
    }
}
