//! The native `TokenClient` and `TokenManager`. `lib/index.js` wraps them with the public API
//! (AbortSignal, typed errors); every network call here is an `AsyncTask` or a `...Sync` twin.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::AsyncTask;
use napi_derive::napi;
use tokenfetch::manager::ManagerOptions;
use tokenfetch::{
    AuthMethod, BodyEncoding, GustoEnvironment, ProveEnvironment, RetryPolicy, TokenClient, TokenClientBuilder,
    TokenManager,
};

use crate::convert::{
    PresetOptions, TokenClientOptions, TokenManagerOptions, TokenRequest, TokenRequestResponse, TokenResponse,
};
use crate::error::{payload, to_napi};
use crate::tasks::Blocking;

fn user_agent() -> String {
    format!("tokenfetch/{} (node)", tokenfetch::VERSION)
}

fn millis(ms: u32) -> Duration {
    Duration::from_millis(u64::from(ms))
}

#[napi]
pub struct NativeTokenClient {
    pub(crate) inner: TokenClient,
}

#[napi]
impl NativeTokenClient {
    #[napi(constructor)]
    pub fn new(options: TokenClientOptions) -> napi::Result<Self> {
        let o = options;
        let mut b = TokenClient::builder(o.token_url).user_agent(user_agent());
        if let Some(m) = o.auth_method {
            b = b.auth_method(AuthMethod::from_str(&m).map_err(to_napi)?);
        }
        if let Some(e) = o.body_encoding {
            b = b.body_encoding(BodyEncoding::from_str(&e).map_err(to_napi)?);
        }
        if let Some(v) = o.client_id {
            b = b.client_id(v);
        }
        if let Some(v) = o.client_secret {
            b = b.client_secret(v);
        }
        if let Some(v) = o.scope {
            b = b.scope(v);
        }
        for v in o.audience.unwrap_or_default() {
            b = b.audience(v);
        }
        for v in o.resource.unwrap_or_default() {
            b = b.resource(v);
        }
        let mut params: Vec<_> = o.extra_params.unwrap_or_default().into_iter().collect();
        params.sort();
        for (k, v) in params {
            b = b.extra_param(k, v);
        }
        let mut headers: Vec<_> = o.headers.unwrap_or_default().into_iter().collect();
        headers.sort();
        for (k, v) in headers {
            b = b.header(k, v);
        }
        if let Some(v) = o.user_agent {
            b = b.user_agent(v);
        }
        if let Some(v) = o.timeout_ms {
            b = b.timeout(millis(v));
        }
        if let Some(v) = o.connect_timeout_ms {
            b = b.connect_timeout(millis(v));
        }
        if let Some(v) = o.max_retries {
            b = b.retry(RetryPolicy {
                max_retries: v,
                ..RetryPolicy::default()
            });
        }
        if let Some(v) = o.max_response_bytes {
            b = b.max_response_bytes(u64::from(v));
        }
        if let Some(v) = o.allow_insecure_http {
            b = b.allow_insecure_http(v);
        }
        Ok(NativeTokenClient {
            inner: b.build().map_err(to_napi)?,
        })
    }

    #[napi(factory)]
    pub fn prove(options: PresetOptions) -> napi::Result<Self> {
        let env = ProveEnvironment::from_str(options.env.as_deref().unwrap_or("uat-us")).map_err(to_napi)?;
        let builder = TokenClientBuilder::prove(env, options.client_id.clone(), options.client_secret.clone());
        preset(builder, options)
    }

    #[napi(factory)]
    pub fn gusto(options: PresetOptions) -> napi::Result<Self> {
        let env = GustoEnvironment::from_str(options.env.as_deref().unwrap_or("demo")).map_err(to_napi)?;
        let builder = TokenClientBuilder::gusto(env, options.client_id.clone(), options.client_secret.clone());
        preset(builder, options)
    }

    #[napi(getter)]
    pub fn token_url(&self) -> String {
        self.inner.token_url().to_string()
    }

    #[napi(getter)]
    pub fn client_id(&self) -> Option<String> {
        self.inner.client_id().map(str::to_string)
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
        self.inner.fetch(&request.0).map(TokenResponse::from).map_err(to_napi)
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
        self.inner
            .send(&request.0)
            .map(TokenRequestResponse::from)
            .map_err(to_napi)
    }
}

fn preset(mut builder: TokenClientBuilder, options: PresetOptions) -> napi::Result<NativeTokenClient> {
    builder = builder.user_agent(user_agent());
    if let Some(url) = options.token_url {
        builder = builder.token_url(url);
    }
    if let Some(ms) = options.timeout_ms {
        builder = builder.timeout(millis(ms));
    }
    if let Some(n) = options.max_retries {
        builder = builder.retry(RetryPolicy {
            max_retries: n,
            ..RetryPolicy::default()
        });
    }
    Ok(NativeTokenClient {
        inner: builder.build().map_err(to_napi)?,
    })
}

#[napi]
pub struct NativeTokenManager {
    inner: Arc<TokenManager>,
}

#[napi]
impl NativeTokenManager {
    #[napi(constructor)]
    pub fn new(
        client: &NativeTokenClient,
        request: Option<&TokenRequest>,
        options: Option<TokenManagerOptions>,
    ) -> Self {
        let mut request = request
            .map(|r| r.0.clone())
            .unwrap_or_else(|| client.inner.default_request());
        let mut manager_options = ManagerOptions::default();
        if let Some(o) = options {
            request = request.scope_opt(o.scope.as_deref());
            if let Some(ms) = o.refresh_skew_ms {
                manager_options.refresh_skew = millis(ms);
            }
            if let Some(ms) = o.default_lifetime_ms {
                manager_options.default_lifetime = millis(ms);
            }
        }
        NativeTokenManager {
            inner: Arc::new(TokenManager::with_options(
                client.inner.clone(),
                request,
                manager_options,
            )),
        }
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn access_token(&self) -> AsyncTask<Blocking<String>> {
        let manager = self.inner.clone();
        AsyncTask::new(Blocking::new(move || manager.access_token()))
    }

    #[napi]
    pub fn access_token_sync(&self) -> napi::Result<String> {
        self.inner.access_token().map_err(to_napi)
    }

    #[napi(ts_return_type = "Promise<TokenResponse>")]
    pub fn token(&self) -> AsyncTask<Blocking<TokenResponse>> {
        let manager = self.inner.clone();
        AsyncTask::new(Blocking::new(move || manager.token().map(TokenResponse::from)))
    }

    #[napi]
    pub fn token_sync(&self) -> napi::Result<TokenResponse> {
        self.inner.token().map(TokenResponse::from).map_err(to_napi)
    }

    #[napi(ts_return_type = "Promise<string>")]
    pub fn authorization_header(&self) -> AsyncTask<Blocking<String>> {
        let manager = self.inner.clone();
        AsyncTask::new(Blocking::new(move || manager.authorization_header()))
    }

    #[napi]
    pub fn authorization_header_sync(&self) -> napi::Result<String> {
        self.inner.authorization_header().map_err(to_napi)
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
