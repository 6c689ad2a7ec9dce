//! The native `TokenClient` and `TokenManager`. `lib/index.js` wraps them with the public API
//! (AbortSignal, typed errors); every network call here is an `AsyncTask` or a `...Sync` twin.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Function, Object, Unknown};
use napi::threadsafe_function::UnknownReturnValue;
use napi::Env;
use napi_derive::napi;
use tokenfetch::error::catch_panic;
use tokenfetch::manager::OnToken;
use tokenfetch::options::table::{self, Language, Preset};
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::{TokenClient, TokenManager};

use crate::authorize::{authorization_options, AuthorizationRequest, Pkce};
use crate::convert::{assertion_callback, manager_options, on_token_listener, option_bag, store_choice};
use crate::device::{CancelToken, DeviceAuthorization};
use crate::discovery::ServerMetadata;
use crate::error::{payload, to_napi};
use crate::grant::TokenRequest;
use crate::introspection::Introspection;
use crate::model::{TokenRequestResponse, TokenResponse};
use crate::tasks::{on_own_thread, Blocking};

/// The bag with the `clientAssertion` function, which crosses on its own (see
/// [`assertion_callback`]).
fn with_assertion(bag: OptionBag, function: Option<Function<'_, (), Unknown<'static>>>) -> napi::Result<OptionBag> {
    Ok(match function {
        Some(function) => bag.with_client_assertion(assertion_callback(function)?),
        None => bag,
    })
}

#[napi]
pub struct NativeTokenClient {
    pub(crate) inner: TokenClient,
}

#[napi]
impl NativeTokenClient {
    #[napi(
        constructor,
        ts_args_type = "options: Record<string, unknown>, clientAssertion?: () => Promise<string>"
    )]
    pub fn new(
        options: Option<Unknown<'_>>,
        client_assertion: Option<Function<'_, (), Unknown<'static>>>,
    ) -> napi::Result<Self> {
        let bag = with_assertion(option_bag(options)?, client_assertion)?;
        let inner = catch_panic(|| table::build_client(&bag, Language::Node)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    /// A Google service account (`serviceAccountFile`, or `serviceAccount` as text or an object).
    #[napi(factory, ts_args_type = "options: Record<string, unknown>")]
    pub fn google_service_account(options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let inner = catch_panic(|| table::google_client(&bag, Language::Node)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    /// Entra ID workload identity, from the `AZURE_*` variables unless an option replaces one.
    #[napi(factory, ts_args_type = "options: Record<string, unknown>")]
    pub fn entra_workload_identity(options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let inner = catch_panic(|| table::entra_client(&bag, Language::Node)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    /// How the client authenticates (`client_secret_basic`, `private_key_jwt`, ...).
    #[napi(getter)]
    pub fn auth_method(&self) -> &'static str {
        self.inner.auth_method().as_str()
    }

    /// The JWS algorithm of the assertions it signs, or `null`.
    #[napi(getter)]
    pub fn signing_algorithm(&self) -> Option<&'static str> {
        self.inner.signing_algorithm().map(|a| a.as_str())
    }

    #[napi(factory, ts_args_type = "options: Record<string, unknown>")]
    pub fn prove(options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let inner = catch_panic(|| table::preset_client(Preset::Prove, &bag, Language::Node)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    #[napi(factory, ts_args_type = "options: Record<string, unknown>")]
    pub fn gusto(options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let bag = option_bag(options)?;
        let inner = catch_panic(|| table::preset_client(Preset::Gusto, &bag, Language::Node)).map_err(to_napi)?;
        Ok(NativeTokenClient { inner })
    }

    /// Builds a client from an issuer's discovery document (RFC 8414, else OpenID Connect's),
    /// read on the libuv pool. Bad options reject the Promise as a bad document does.
    #[napi(
        ts_args_type = "issuer: string, options?: Record<string, unknown>, clientAssertion?: () => Promise<string>",
        ts_return_type = "Promise<NativeTokenClient>"
    )]
    pub fn discover(
        issuer: String,
        options: Option<Unknown<'_>>,
        client_assertion: Option<Function<'_, (), Unknown<'static>>>,
    ) -> napi::Result<AsyncTask<Blocking<NativeTokenClient>>> {
        let bag = with_assertion(option_bag(options)?, client_assertion)?;
        Ok(AsyncTask::new(Blocking::new(move || {
            let inner = table::discover_client(&issuer, &bag, Language::Node)?.build()?;
            Ok(NativeTokenClient { inner })
        })))
    }

    /// `discover`, blocking the calling thread.
    #[napi(ts_args_type = "issuer: string, options?: Record<string, unknown>, clientAssertion?: () => Promise<string>")]
    pub fn discover_sync(
        issuer: String,
        options: Option<Unknown<'_>>,
        client_assertion: Option<Function<'_, (), Unknown<'static>>>,
    ) -> napi::Result<NativeTokenClient> {
        let bag = with_assertion(option_bag(options)?, client_assertion)?;
        let inner = catch_panic(|| table::discover_client(&issuer, &bag, Language::Node)?.build()).map_err(to_napi)?;
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
    pub fn max_retry_wait_ms(&self) -> f64 {
        self.inner.max_retry_wait().as_secs_f64() * 1000.0
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
            client.request_token(&request).map(TokenRequestResponse::from)
        }))
    }

    #[napi]
    pub fn send_sync(&self, request: &TokenRequest) -> napi::Result<TokenRequestResponse> {
        catch_panic(|| self.inner.request_token(&request.0))
            .map(TokenRequestResponse::from)
            .map_err(to_napi)
    }

    /// The issuer the client trusts: discovered, or the `issuer` option.
    #[napi(getter)]
    pub fn issuer(&self) -> Option<String> {
        self.inner.issuer().map(str::to_string)
    }

    /// The discovery document the client was built from, if any.
    #[napi(getter)]
    pub fn server_metadata(&self) -> Option<ServerMetadata> {
        self.inner.server_metadata().cloned().map(ServerMetadata::from)
    }

    #[napi(ts_return_type = "Promise<void>")]
    pub fn revoke(&self, token: String, token_type_hint: Option<String>) -> AsyncTask<Blocking<()>> {
        let client = self.inner.clone();
        AsyncTask::new(Blocking::new(move || client.revoke(&token, token_type_hint.as_deref())))
    }

    #[napi]
    pub fn revoke_sync(&self, token: String, token_type_hint: Option<String>) -> napi::Result<()> {
        catch_panic(|| self.inner.revoke(&token, token_type_hint.as_deref())).map_err(to_napi)
    }

    #[napi(ts_return_type = "Promise<Introspection>")]
    pub fn introspect(&self, token: String, token_type_hint: Option<String>) -> AsyncTask<Blocking<Introspection>> {
        let client = self.inner.clone();
        AsyncTask::new(Blocking::new(move || {
            client
                .introspect(&token, token_type_hint.as_deref())
                .map(Introspection::from)
        }))
    }

    #[napi]
    pub fn introspect_sync(&self, token: String, token_type_hint: Option<String>) -> napi::Result<Introspection> {
        catch_panic(|| self.inner.introspect(&token, token_type_hint.as_deref()))
            .map(Introspection::from)
            .map_err(to_napi)
    }

    #[napi(ts_return_type = "Promise<DeviceAuthorization>")]
    pub fn device_authorization(&self, scope: Option<String>) -> AsyncTask<Blocking<DeviceAuthorization>> {
        let client = self.inner.clone();
        AsyncTask::new(Blocking::new(move || {
            client
                .device_authorization(scope.as_deref())
                .map(DeviceAuthorization::from)
        }))
    }

    #[napi]
    pub fn device_authorization_sync(&self, scope: Option<String>) -> napi::Result<DeviceAuthorization> {
        catch_panic(|| self.inner.device_authorization(scope.as_deref()))
            .map(DeviceAuthorization::from)
            .map_err(to_napi)
    }

    /// Polls until the user decides; `cancel` stops it with a `cancelled` error. It runs on a
    /// thread of its own: it waits for minutes, and would hold a libuv worker all along.
    #[napi(ts_return_type = "Promise<TokenResponse>")]
    pub fn poll_device_token<'env>(
        &self,
        env: &'env Env,
        authorization: &DeviceAuthorization,
        cancel: &CancelToken,
    ) -> napi::Result<Object<'env>> {
        let (client, authorization, cancel) = (self.inner.clone(), authorization.0.clone(), cancel.0.clone());
        on_own_thread(env, "tokenfetch-device-poll", move || {
            client
                .poll_device_token_cancellable(&authorization, &cancel)
                .map(TokenResponse::from)
        })
    }

    /// `options`: `scope`, `state`, `nonce`, `extra`; the `pkce` option comes as `pkce`.
    #[napi(
        ts_args_type = "redirectUri: string, options: Record<string, unknown> | undefined | null, pkce: Pkce | undefined | null"
    )]
    pub fn authorization_url(
        &self,
        redirect_uri: String,
        options: Option<Unknown<'_>>,
        pkce: Option<&Pkce>,
    ) -> napi::Result<AuthorizationRequest> {
        let bag = option_bag(options)?;
        catch_panic(|| {
            let options = authorization_options(&bag, pkce)?;
            self.inner.authorization_url(&redirect_uri, options)
        })
        .map(AuthorizationRequest::from)
        .map_err(to_napi)
    }

    /// `authorizationUrl` with its parameters pushed first (RFC 9126), on the libuv pool.
    #[napi(
        ts_args_type = "redirectUri: string, options: Record<string, unknown> | undefined | null, pkce: Pkce | undefined | null",
        ts_return_type = "Promise<AuthorizationRequest>"
    )]
    pub fn push_authorization_request(
        &self,
        redirect_uri: String,
        options: Option<Unknown<'_>>,
        pkce: Option<&Pkce>,
    ) -> napi::Result<AsyncTask<Blocking<AuthorizationRequest>>> {
        let bag = option_bag(options)?;
        let options = catch_panic(|| authorization_options(&bag, pkce)).map_err(to_napi)?;
        let client = self.inner.clone();
        Ok(AsyncTask::new(Blocking::new(move || {
            client
                .push_authorization_request(&redirect_uri, options)
                .map(AuthorizationRequest::from)
        })))
    }

    #[napi(
        ts_args_type = "redirectUri: string, options: Record<string, unknown> | undefined | null, pkce: Pkce | undefined | null"
    )]
    pub fn push_authorization_request_sync(
        &self,
        redirect_uri: String,
        options: Option<Unknown<'_>>,
        pkce: Option<&Pkce>,
    ) -> napi::Result<AuthorizationRequest> {
        let bag = option_bag(options)?;
        catch_panic(|| {
            let options = authorization_options(&bag, pkce)?;
            self.inner.push_authorization_request(&redirect_uri, options)
        })
        .map(AuthorizationRequest::from)
        .map_err(to_napi)
    }

    /// The authorization code in the URL the user was sent back to, after checking its
    /// `state` and `iss`.
    #[napi]
    pub fn parse_callback(&self, callback_url: String, expected_state: String) -> napi::Result<String> {
        catch_panic(|| self.inner.parse_callback(&callback_url, &expected_state)).map_err(to_napi)
    }

    /// The sign-in's last step: the callback checked against `request`, the code exchanged,
    /// the ID token validated against the same request.
    #[napi(ts_return_type = "Promise<TokenResponse>")]
    pub fn exchange_code(
        &self,
        request: &AuthorizationRequest,
        callback_url: String,
    ) -> AsyncTask<Blocking<TokenResponse>> {
        let (client, request) = (self.inner.clone(), request.0.clone());
        AsyncTask::new(Blocking::new(move || {
            client.exchange_code(&request, &callback_url).map(TokenResponse::from)
        }))
    }

    #[napi]
    pub fn exchange_code_sync(
        &self,
        request: &AuthorizationRequest,
        callback_url: String,
    ) -> napi::Result<TokenResponse> {
        catch_panic(|| self.inner.exchange_code(&request.0, &callback_url))
            .map(TokenResponse::from)
            .map_err(to_napi)
    }

    /// The userinfo endpoint's claims as JSON text (`lib/index.js` parses them).
    #[napi(ts_return_type = "Promise<string>")]
    pub fn userinfo_json(&self, access_token: String, expected_sub: Option<String>) -> AsyncTask<Blocking<String>> {
        let client = self.inner.clone();
        AsyncTask::new(Blocking::new(move || {
            client
                .userinfo(&access_token, expected_sub.as_deref())
                .map(|claims| serde_json::Value::Object(claims).to_string())
        }))
    }

    #[napi]
    pub fn userinfo_json_sync(&self, access_token: String, expected_sub: Option<String>) -> napi::Result<String> {
        catch_panic(|| self.inner.userinfo(&access_token, expected_sub.as_deref()))
            .map(|claims| serde_json::Value::Object(claims).to_string())
            .map_err(to_napi)
    }

    /// The URL that signs the user out at the provider (RP-Initiated Logout). No I/O.
    #[napi]
    pub fn end_session_url(
        &self,
        id_token_hint: Option<String>,
        post_logout_redirect_uri: Option<String>,
        state: Option<String>,
    ) -> napi::Result<String> {
        catch_panic(|| {
            self.inner.end_session_url(
                id_token_hint.as_deref(),
                post_logout_redirect_uri.as_deref(),
                state.as_deref(),
            )
        })
        .map_err(to_napi)
    }

    /// Whether ID tokens in this client's answers are validated (issuer, client id, JWKS).
    #[napi(getter)]
    pub fn validates_id_tokens(&self) -> bool {
        self.inner.validates_id_tokens()
    }
}

fn manager_from(
    client: &TokenClient,
    bag: &OptionBag,
    store: OptionValue,
    on_token: Option<OnToken>,
) -> tokenfetch::Result<TokenManager> {
    let (request, mut manager_options) = table::manager_options(bag, client, Language::Node)?;
    manager_options.on_token = on_token;
    // Last: opening a file store creates its directory, which a mistake above should not.
    if let Some(choice) = store_choice(store)? {
        manager_options.use_store(choice);
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
    /// when no `grantType` is given), `refreshSkewMs`, `defaultLifetimeMs`, `store`
    /// (`{ file }` or `{ redis, timeoutMs }`, with `key`), `storeNamespace`, `leaseTimeMs`.
    /// `onToken` is called with each token this manager fetches; it must not throw.
    #[napi(
        constructor,
        ts_args_type = "client: NativeTokenClient, options?: Record<string, unknown>, onToken?: (token: TokenResponse) => void"
    )]
    pub fn new(
        client: &NativeTokenClient,
        options: Option<Unknown<'_>>,
        on_token: Option<Function<'_, TokenResponse, UnknownReturnValue>>,
    ) -> napi::Result<Self> {
        let (bag, store) = manager_options(options)?;
        let on_token = on_token.map(on_token_listener).transpose()?;
        let manager = catch_panic(|| manager_from(&client.inner, &bag, store, on_token)).map_err(to_napi)?;
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

    /// How long one process's fetch may hold the others up, with a store (the option, or its
    /// default: twice the client's timeout plus 5 s).
    #[napi(getter)]
    pub fn lease_time_ms(&self) -> f64 {
        self.inner.lease_time().as_secs_f64() * 1000.0
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
