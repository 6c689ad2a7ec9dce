//! The native client and manager. Calls block; `TokenClient.kt` documents that and adds the
//! coroutine twins on `Dispatchers.IO`.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use tokenfetch::manager::ManagerOptions;
use tokenfetch::{
    AuthMethod, BodyEncoding, GustoEnvironment, ProveEnvironment, RetryPolicy, TokenClient, TokenClientBuilder,
    TokenManager,
};

use crate::convert::{NativeTokenRequest, TokenRequestResponseData, TokenResponseData};
use crate::error::{ErrorInfo, NativeError};

/// Everything `TokenClientConfig.kt` carries across (internal: its generated `toString`
/// would show the secret, so users never hold one).
#[derive(uniffi::Record)]
pub struct NativeClientConfig {
    pub token_url: String,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub auth_method: String,
    pub body_encoding: String,
    pub scope: Option<String>,
    pub audience: Vec<String>,
    pub resource: Vec<String>,
    pub extra_params: HashMap<String, String>,
    pub headers: HashMap<String, String>,
    pub user_agent: Option<String>,
    pub timeout_ms: u64,
    pub connect_timeout_ms: u64,
    pub max_retries: u32,
    pub max_response_bytes: u64,
    pub allow_insecure_http: bool,
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
        let c = config;
        let mut b = TokenClient::builder(c.token_url)
            .auth_method(AuthMethod::from_str(&c.auth_method)?)
            .body_encoding(BodyEncoding::from_str(&c.body_encoding)?)
            .user_agent(c.user_agent.unwrap_or_else(user_agent))
            .timeout(Duration::from_millis(c.timeout_ms))
            .connect_timeout(Duration::from_millis(c.connect_timeout_ms))
            .retry(RetryPolicy {
                max_retries: c.max_retries,
                ..RetryPolicy::default()
            })
            .max_response_bytes(c.max_response_bytes)
            .allow_insecure_http(c.allow_insecure_http);
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
        Ok(Arc::new(NativeTokenClient { inner: b.build()? }))
    }

    #[uniffi::constructor]
    pub fn prove(
        client_id: String,
        client_secret: String,
        env: String,
        token_url: Option<String>,
    ) -> Result<Arc<Self>, NativeError> {
        let builder = TokenClientBuilder::prove(ProveEnvironment::from_str(&env)?, client_id, client_secret);
        preset(builder, token_url)
    }

    #[uniffi::constructor]
    pub fn gusto(
        client_id: String,
        client_secret: String,
        env: String,
        token_url: Option<String>,
    ) -> Result<Arc<Self>, NativeError> {
        let builder = TokenClientBuilder::gusto(GustoEnvironment::from_str(&env)?, client_id, client_secret);
        preset(builder, token_url)
    }

    pub fn token_url(&self) -> String {
        self.inner.token_url().to_string()
    }

    pub fn client_id(&self) -> Option<String> {
        self.inner.client_id().map(str::to_string)
    }

    pub fn fetch(&self, request: Arc<NativeTokenRequest>) -> Result<TokenResponseData, NativeError> {
        Ok(self.inner.fetch(&request.0)?.into())
    }

    pub fn send(&self, request: Arc<NativeTokenRequest>) -> Result<TokenRequestResponseData, NativeError> {
        Ok(self.inner.send(&request.0)?.into())
    }
}

fn preset(mut builder: TokenClientBuilder, token_url: Option<String>) -> Result<Arc<NativeTokenClient>, NativeError> {
    builder = builder.user_agent(user_agent());
    if let Some(url) = token_url {
        builder = builder.token_url(url);
    }
    Ok(Arc::new(NativeTokenClient {
        inner: builder.build()?,
    }))
}

#[derive(uniffi::Object)]
pub struct NativeTokenManager {
    inner: TokenManager,
}

#[uniffi::export]
impl NativeTokenManager {
    /// `request` defaults to the client's default grant; `scope` applies to it.
    #[uniffi::constructor]
    pub fn new(
        client: Arc<NativeTokenClient>,
        request: Option<Arc<NativeTokenRequest>>,
        scope: Option<String>,
        refresh_skew_ms: Option<u64>,
        default_lifetime_ms: Option<u64>,
    ) -> Arc<Self> {
        let request = request
            .map(|r| r.0.clone())
            .unwrap_or_else(|| client.inner.default_request())
            .scope_opt(scope.as_deref());
        let mut options = ManagerOptions::default();
        if let Some(ms) = refresh_skew_ms {
            options.refresh_skew = Duration::from_millis(ms);
        }
        if let Some(ms) = default_lifetime_ms {
            options.default_lifetime = Duration::from_millis(ms);
        }
        Arc::new(NativeTokenManager {
            inner: TokenManager::with_options(client.inner.clone(), request, options),
        })
    }

    pub fn access_token(&self) -> Result<String, NativeError> {
        Ok(self.inner.access_token()?)
    }

    pub fn token(&self) -> Result<TokenResponseData, NativeError> {
        Ok(self.inner.token()?.into())
    }

    pub fn authorization_header(&self) -> Result<String, NativeError> {
        Ok(self.inner.authorization_header()?)
    }

    pub fn invalidate(&self) {
        self.inner.invalidate()
    }

    pub fn last_error(&self) -> Option<ErrorInfo> {
        self.inner.last_error().as_ref().map(ErrorInfo::from)
    }
}
