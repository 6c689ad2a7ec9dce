//! The native client and manager. Calls block; `TokenClient.kt` documents that and adds the
//! coroutine twins on `Dispatchers.IO`.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use tokenfetch::error::catch_panic;
use tokenfetch::manager::ManagerOptions;
use tokenfetch::options::{self, OptionBag, OptionValue};
use tokenfetch::store::StoreChoice;
use tokenfetch::{
    AuthMethod, BodyEncoding, GustoEnvironment, ProveEnvironment, RetryPolicy, TokenClient, TokenClientBuilder,
    TokenManager,
};

use crate::convert::{
    on_token_from, AuthorizationOptionsData, AuthorizationRequestData, DeviceAuthorizationData, IntrospectionData,
    NativeCancelToken, NativeTokenListener, NativeTokenRequest, NativeTokenStore, ServerMetadataData,
    TokenRequestResponseData, TokenResponseData,
};
use crate::error::{ErrorInfo, NativeError};

/// Everything `TokenClientConfig.kt` carries across (internal: its generated `toString`
/// would show the secret, so users never hold one).
#[derive(uniffi::Record)]
pub struct NativeClientConfig {
    /// Required for a client built from its token URL; on a discovered client, it replaces the
    /// discovered token endpoint.
    pub token_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// None: the core's choice (client_secret_basic, or on a discovered client one the
    /// server lists).
    pub auth_method: Option<String>,
    pub body_encoding: String,
    pub scope: Option<String>,
    pub audience: Vec<String>,
    pub resource: Vec<String>,
    pub extra_params: HashMap<String, String>,
    pub headers: HashMap<String, String>,
    pub user_agent: Option<String>,
    /// Signed, as Kotlin holds them: core refuses negative values with a ConfigException
    /// rather than the binding wrapping or clamping them.
    pub timeout_ms: i64,
    pub connect_timeout_ms: i64,
    pub max_retries: i32,
    pub max_response_bytes: i64,
    pub allow_insecure_http: bool,
    /// PEM texts of authorities to trust besides the bundled roots (or the OS store).
    pub root_certificates: Vec<String>,
    pub use_os_trust_store: bool,
    pub issuer: Option<String>,
    pub authorization_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
    pub revocation_endpoint: Option<String>,
    pub introspection_endpoint: Option<String>,
    /// None: the core's default (an hour).
    pub discovery_ttl_ms: Option<i64>,
}

fn user_agent() -> String {
    format!("tokenfetch/{} (kotlin)", tokenfetch::VERSION)
}

fn sorted(map: HashMap<String, String>) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = map.into_iter().collect();
    pairs.sort();
    pairs
}

#[derive(uniffi::Object)]
pub struct NativeTokenClient {
    inner: TokenClient,
}

#[uniffi::export]
impl NativeTokenClient {
    #[uniffi::constructor]
    pub fn new(config: NativeClientConfig) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| {
            let bag = OptionBag::new(vec![(
                "tokenUrl".into(),
                config.token_url.clone().map_or(OptionValue::Absent, OptionValue::Text),
            )]);
            let token_url = bag.required_text("tokenUrl")?;
            configure(TokenClient::builder(token_url), config)?.build()
        })?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    /// A client for the server at `issuer`, from its discovery document. Blocks.
    #[uniffi::constructor]
    pub fn discover(issuer: String, config: NativeClientConfig) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| {
            let mut builder = TokenClient::discover(issuer);
            if let Some(url) = &config.token_url {
                builder = builder.token_url(url.clone());
            }
            configure(builder, config)?.build()
        })?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    #[uniffi::constructor]
    pub fn prove(
        client_id: String,
        client_secret: String,
        env: String,
        token_url: Option<String>,
    ) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| {
            let builder = TokenClientBuilder::prove(ProveEnvironment::from_str(&env)?, client_id, client_secret);
            preset(builder, token_url)
        })?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    #[uniffi::constructor]
    pub fn gusto(
        client_id: String,
        client_secret: String,
        env: String,
        token_url: Option<String>,
    ) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| {
            let builder = TokenClientBuilder::gusto(GustoEnvironment::from_str(&env)?, client_id, client_secret);
            preset(builder, token_url)
        })?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    pub fn token_url(&self) -> String {
        self.inner.token_url().to_string()
    }

    pub fn client_id(&self) -> Option<String> {
        self.inner.client_id().map(str::to_string)
    }

    pub fn timeout_ms(&self) -> f64 {
        self.inner.timeout().as_secs_f64() * 1000.0
    }

    pub fn connect_timeout_ms(&self) -> f64 {
        self.inner.connect_timeout().as_secs_f64() * 1000.0
    }

    pub fn max_retries(&self) -> i32 {
        i32::try_from(self.inner.retry_policy().max_retries).unwrap_or(i32::MAX)
    }

    pub fn max_response_bytes(&self) -> i64 {
        i64::try_from(self.inner.max_response_bytes()).unwrap_or(i64::MAX)
    }

    pub fn fetch(&self, request: Arc<NativeTokenRequest>) -> Result<TokenResponseData, NativeError> {
        Ok(catch_panic(|| self.inner.fetch(&request.0))?.into())
    }

    pub fn send(&self, request: Arc<NativeTokenRequest>) -> Result<TokenRequestResponseData, NativeError> {
        Ok(catch_panic(|| self.inner.send(&request.0))?.into())
    }

    pub fn issuer(&self) -> Option<String> {
        self.inner.issuer().map(str::to_string)
    }

    pub fn server_metadata(&self) -> Option<ServerMetadataData> {
        self.inner.server_metadata().map(ServerMetadataData::from)
    }

    pub fn revoke(&self, token: String, token_type_hint: Option<String>) -> Result<(), NativeError> {
        Ok(catch_panic(|| self.inner.revoke(&token, token_type_hint.as_deref()))?)
    }

    pub fn introspect(&self, token: String, token_type_hint: Option<String>) -> Result<IntrospectionData, NativeError> {
        Ok(catch_panic(|| self.inner.introspect(&token, token_type_hint.as_deref()))?.into())
    }

    pub fn device_authorization(&self, scope: Option<String>) -> Result<DeviceAuthorizationData, NativeError> {
        Ok(catch_panic(|| self.inner.device_authorization(scope.as_deref()))?.into())
    }

    /// Polls until the user decides; `cancel` stops it with a `cancelled` error. Blocks.
    pub fn poll_device_token(
        &self,
        authorization: DeviceAuthorizationData,
        cancel: Arc<NativeCancelToken>,
    ) -> Result<TokenResponseData, NativeError> {
        let authorization = tokenfetch::DeviceAuthorization::from(authorization);
        Ok(catch_panic(|| self.inner.poll_device_token_cancellable(&authorization, &cancel.0))?.into())
    }

    pub fn authorization_url(
        &self,
        redirect_uri: String,
        options: AuthorizationOptionsData,
    ) -> Result<AuthorizationRequestData, NativeError> {
        Ok(catch_panic(|| {
            let options = tokenfetch::AuthorizationOptions::try_from(options)?;
            self.inner.authorization_url(&redirect_uri, options)
        })?
        .into())
    }

    pub fn parse_callback(&self, callback_url: String, expected_state: String) -> Result<String, NativeError> {
        Ok(catch_panic(|| {
            self.inner.parse_callback(&callback_url, &expected_state)
        })?)
    }
}

/// Everything but the token URL or issuer, onto `b`. Kotlin's names for the numeric options,
/// as `TokenClientConfig` spells them.
fn configure(mut b: TokenClientBuilder, c: NativeClientConfig) -> tokenfetch::Result<TokenClientBuilder> {
    let max_retries = options::MAX_RETRIES.whole("maxRetries", f64::from(c.max_retries))?;
    if let Some(method) = &c.auth_method {
        b = b.auth_method(AuthMethod::from_str(method)?);
    }
    if let Some(ms) = c.discovery_ttl_ms {
        b = b.discovery_ttl(options::DISCOVERY_TTL.duration_from_millis("discoveryTtl", ms as f64)?);
    }
    b = b
        .body_encoding(BodyEncoding::from_str(&c.body_encoding)?)
        .user_agent(c.user_agent.unwrap_or_else(user_agent))
        .timeout(options::TIMEOUT.duration_from_millis("timeout", c.timeout_ms as f64)?)
        .connect_timeout(options::CONNECT_TIMEOUT.duration_from_millis("connectTimeout", c.connect_timeout_ms as f64)?)
        .retry(RetryPolicy {
            max_retries: u32::try_from(max_retries).unwrap_or(u32::MAX),
            ..RetryPolicy::default()
        })
        .max_response_bytes(options::MAX_RESPONSE_BYTES.whole("maxResponseBytes", c.max_response_bytes as f64)?)
        .allow_insecure_http(c.allow_insecure_http)
        .use_os_trust_store(c.use_os_trust_store);
    for pem in c.root_certificates {
        b = b.root_certificates_pem(pem);
    }
    if let Some(v) = c.client_id {
        b = b.client_id(v);
    }
    if let Some(v) = c.client_secret {
        b = b.client_secret(v);
    }
    if let Some(v) = c.scope {
        b = b.scope(v);
    }
    for v in c.audience {
        b = b.audience(v);
    }
    for v in c.resource {
        b = b.resource(v);
    }
    for (k, v) in sorted(c.extra_params) {
        b = b.extra_param(k, v);
    }
    for (k, v) in sorted(c.headers) {
        b = b.header(k, v);
    }
    if let Some(v) = c.issuer {
        b = b.issuer(v);
    }
    if let Some(v) = c.authorization_endpoint {
        b = b.authorization_endpoint(v);
    }
    if let Some(v) = c.device_authorization_endpoint {
        b = b.device_authorization_endpoint(v);
    }
    if let Some(v) = c.revocation_endpoint {
        b = b.revocation_endpoint(v);
    }
    if let Some(v) = c.introspection_endpoint {
        b = b.introspection_endpoint(v);
    }
    Ok(b)
}

fn preset(mut builder: TokenClientBuilder, token_url: Option<String>) -> tokenfetch::Result<TokenClient> {
    builder = builder.user_agent(user_agent());
    if let Some(url) = token_url {
        builder = builder.token_url(url);
    }
    builder.build()
}

/// A token with how many milliseconds, from now, it needs no fetch.
#[derive(uniffi::Record)]
pub struct FreshToken {
    pub token: TokenResponseData,
    pub fresh_for_ms: i64,
}

#[derive(uniffi::Object)]
pub struct NativeTokenManager {
    inner: TokenManager,
}

#[uniffi::export]
impl NativeTokenManager {
    /// The grant is `grant_type` with `params`, or the client's default grant; `scope`
    /// applies to it. Durations in milliseconds, named as `TokenManager.kt` spells them.
    /// `store` shares the token with other processes (see `core/src/store`).
    #[uniffi::constructor]
    #[allow(clippy::too_many_arguments)] // one per Kotlin option; a record would only rename them
    pub fn new(
        client: Arc<NativeTokenClient>,
        grant_type: Option<String>,
        params: HashMap<String, String>,
        scope: Option<String>,
        refresh_skew_ms: Option<i64>,
        default_lifetime_ms: Option<i64>,
        store: Option<NativeTokenStore>,
        store_namespace: Option<String>,
        lease_time_ms: Option<i64>,
        on_token: Option<Box<dyn NativeTokenListener>>,
    ) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| {
            let text = |v: Option<String>| v.map_or(OptionValue::Absent, OptionValue::Text);
            let params = if params.is_empty() {
                OptionValue::Absent
            } else {
                OptionValue::Map(
                    sorted(params)
                        .into_iter()
                        .map(|(k, v)| (k, OptionValue::Text(v)))
                        .collect(),
                )
            };
            let bag = OptionBag::new(vec![
                ("grantType".into(), text(grant_type)),
                ("params".into(), params),
                ("scope".into(), text(scope)),
            ]);
            let request = bag.grant(["grantType", "params", "scope"], client.inner.default_request())?;
            let mut options = ManagerOptions::default();
            if let Some(ms) = refresh_skew_ms {
                options.refresh_skew =
                    tokenfetch::options::REFRESH_SKEW.duration_from_millis("refreshSkew", ms as f64)?;
            }
            if let Some(ms) = default_lifetime_ms {
                options.default_lifetime =
                    tokenfetch::options::DEFAULT_LIFETIME.duration_from_millis("defaultLifetime", ms as f64)?;
            }
            if let Some(ms) = lease_time_ms {
                options.lease_time =
                    Some(tokenfetch::options::LEASE_TIME.duration_from_millis("leaseTime", ms as f64)?);
            }
            if let Some(store) = store {
                StoreChoice::try_from(store)?.apply(&mut options);
            }
            options.store_namespace = store_namespace;
            options.on_token = on_token.map(on_token_from);
            TokenManager::with_options(client.inner.clone(), request, options)
        })?;
        Ok(Arc::new(NativeTokenManager { inner }))
    }

    pub fn access_token(&self) -> Result<String, NativeError> {
        Ok(catch_panic(|| self.inner.access_token())?)
    }

    pub fn token(&self) -> Result<TokenResponseData, NativeError> {
        Ok(catch_panic(|| self.inner.token())?.into())
    }

    pub fn authorization_header(&self) -> Result<String, NativeError> {
        Ok(catch_panic(|| self.inner.authorization_header())?)
    }

    /// The cached token and how long it stays fresh, when it needs no fetch. The Kotlin layer
    /// answers reads from it until then without calling here: each JNA call costs microseconds.
    pub fn fresh_token_for(&self) -> Option<FreshToken> {
        self.inner.fresh_token_for().map(|(token, fresh_for)| FreshToken {
            fresh_for_ms: i64::try_from(fresh_for.as_millis()).unwrap_or(i64::MAX),
            token: token.into(),
        })
    }

    pub fn invalidate(&self) {
        self.inner.invalidate()
    }

    pub fn refresh_skew_ms(&self) -> f64 {
        self.inner.options().refresh_skew.as_secs_f64() * 1000.0
    }

    pub fn lease_time_ms(&self) -> f64 {
        self.inner.lease_time().as_secs_f64() * 1000.0
    }

    pub fn default_lifetime_ms(&self) -> f64 {
        self.inner.options().default_lifetime.as_secs_f64() * 1000.0
    }

    pub fn last_error(&self) -> Option<ErrorInfo> {
        self.inner.last_error().as_ref().map(ErrorInfo::from)
    }
}
