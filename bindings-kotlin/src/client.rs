//! The native client and manager. Calls block; `TokenClient.kt` documents that and adds the
//! coroutine twins on `Dispatchers.IO`.

use std::collections::HashMap;
use std::sync::Arc;
use tokenfetch::error::catch_panic;
use tokenfetch::options::table::{self, Language, Preset};
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::store::StoreChoice;
use tokenfetch::{TokenClient, TokenManager};

use crate::authorize::{AuthorizationOptionsData, AuthorizationRequestData};
use crate::device::{DeviceAuthorizationData, NativeCancelToken};
use crate::discovery::ServerMetadataData;
use crate::error::{ErrorInfo, NativeError};
use crate::grant::NativeTokenRequest;
use crate::introspection::IntrospectionData;
use crate::jwt::{assertion_callback, NativeAssertionProvider};
use crate::manager::{on_token_from, NativeTokenListener};
use crate::model::{TokenRequestResponseData, TokenResponseData};
use crate::store::NativeTokenStore;

/// One option as `TokenClientConfig.kt` (generated from the core's option table) passes it:
/// its Kotlin name and its value, durations in milliseconds. Internal: its generated
/// `toString` would show a secret, so users never hold one.
#[derive(uniffi::Record)]
pub struct NativeOption {
    pub name: String,
    pub value: NativeOptionValue,
}

#[derive(uniffi::Enum)]
pub enum NativeOptionValue {
    Number { value: f64 },
    Flag { value: bool },
    Text { value: String },
    Texts { values: Vec<String> },
    Pairs { pairs: HashMap<String, String> },
}

/// The options as the core reads them. A map's pairs are sorted: Kotlin's `Map` has an order,
/// but the FFI's does not keep it.
fn option_bag(options: Vec<NativeOption>) -> OptionBag {
    OptionBag::new(
        options
            .into_iter()
            .map(|NativeOption { name, value }| {
                let value = match value {
                    NativeOptionValue::Number { value } => OptionValue::Number(value),
                    NativeOptionValue::Flag { value } => OptionValue::Bool(value),
                    NativeOptionValue::Text { value } => OptionValue::Text(value),
                    NativeOptionValue::Texts { values } => {
                        OptionValue::List(values.into_iter().map(OptionValue::Text).collect())
                    }
                    NativeOptionValue::Pairs { pairs } => OptionValue::Map(
                        sorted(pairs)
                            .into_iter()
                            .map(|(k, v)| (k, OptionValue::Text(v)))
                            .collect(),
                    ),
                };
                (name, value)
            })
            .collect(),
    )
}

fn with_assertion(bag: OptionBag, provider: Option<Box<dyn NativeAssertionProvider>>) -> OptionBag {
    match provider {
        Some(provider) => bag.with_client_assertion(assertion_callback(provider)),
        None => bag,
    }
}

fn sorted(map: HashMap<String, String>) -> Vec<(String, String)> {
    let mut pairs: Vec<_> = map.into_iter().collect();
    pairs.sort_unstable();
    pairs
}

#[derive(uniffi::Object)]
pub struct NativeTokenClient {
    inner: TokenClient,
}

#[uniffi::export]
impl NativeTokenClient {
    /// A client from `TokenClientConfig`'s options, and the `clientAssertion` provider, which
    /// crosses on its own.
    #[uniffi::constructor]
    pub fn new(
        options: Vec<NativeOption>,
        client_assertion: Option<Box<dyn NativeAssertionProvider>>,
    ) -> Result<Arc<Self>, NativeError> {
        let bag = with_assertion(option_bag(options), client_assertion);
        let inner = catch_panic(|| table::build_client(&bag, Language::Kotlin))?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    /// A client for the server at `issuer`, from its discovery document. Blocks.
    #[uniffi::constructor]
    pub fn discover(
        issuer: String,
        options: Vec<NativeOption>,
        client_assertion: Option<Box<dyn NativeAssertionProvider>>,
    ) -> Result<Arc<Self>, NativeError> {
        let bag = with_assertion(option_bag(options), client_assertion);
        let inner = catch_panic(|| table::discover_client(&issuer, &bag, Language::Kotlin)?.build())?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    /// A Google service account: `serviceAccountFile` or `serviceAccount` (the JSON).
    #[uniffi::constructor]
    pub fn google_service_account(options: Vec<NativeOption>) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| table::google_client(&option_bag(options), Language::Kotlin))?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    /// Entra ID workload identity, from the `AZURE_*` variables unless an option replaces one.
    #[uniffi::constructor]
    pub fn entra_workload_identity(options: Vec<NativeOption>) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| table::entra_client(&option_bag(options), Language::Kotlin))?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    /// How the client authenticates (`client_secret_basic`, `private_key_jwt`, ...).
    pub fn auth_method(&self) -> String {
        self.inner.auth_method().as_str().to_string()
    }

    /// The JWS algorithm of the assertions it signs, if it signs any.
    pub fn signing_algorithm(&self) -> Option<String> {
        self.inner.signing_algorithm().map(|a| a.as_str().to_string())
    }

    /// A preset's client: `clientId`, `clientSecret`, and optionally `env` and `tokenUrl`.
    #[uniffi::constructor]
    pub fn prove(options: Vec<NativeOption>) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| table::preset_client(Preset::Prove, &option_bag(options), Language::Kotlin))?;
        Ok(Arc::new(NativeTokenClient { inner }))
    }

    #[uniffi::constructor]
    pub fn gusto(options: Vec<NativeOption>) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| table::preset_client(Preset::Gusto, &option_bag(options), Language::Kotlin))?;
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

    pub fn max_retry_wait_ms(&self) -> f64 {
        self.inner.max_retry_wait().as_secs_f64() * 1000.0
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
        Ok(catch_panic(|| self.inner.request_token(&request.0))?.into())
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

    /// `authorization_url` with its parameters pushed first (RFC 9126). Blocks.
    pub fn push_authorization_request(
        &self,
        redirect_uri: String,
        options: AuthorizationOptionsData,
    ) -> Result<AuthorizationRequestData, NativeError> {
        Ok(catch_panic(|| {
            let options = tokenfetch::AuthorizationOptions::try_from(options)?;
            self.inner.push_authorization_request(&redirect_uri, options)
        })?
        .into())
    }

    pub fn parse_callback(&self, callback_url: String, expected_state: String) -> Result<String, NativeError> {
        Ok(catch_panic(|| {
            self.inner.parse_callback(&callback_url, &expected_state)
        })?)
    }

    /// The sign-in's last step: the callback checked against `request`, the code exchanged,
    /// the ID token validated against the same request. Blocks.
    pub fn exchange_code(
        &self,
        request: AuthorizationRequestData,
        callback_url: String,
    ) -> Result<TokenResponseData, NativeError> {
        Ok(catch_panic(|| {
            let request = tokenfetch::AuthorizationRequest::from_json(&request.session_json)?;
            self.inner.exchange_code(&request, &callback_url)
        })?
        .into())
    }

    /// The userinfo endpoint's claims, as JSON text. Blocks.
    pub fn userinfo(&self, access_token: String, expected_sub: Option<String>) -> Result<String, NativeError> {
        Ok(catch_panic(|| {
            self.inner
                .userinfo(&access_token, expected_sub.as_deref())
                .map(|claims| serde_json::Value::Object(claims).to_string())
        })?)
    }

    /// The URL that signs the user out at the provider. No network call.
    pub fn end_session_url(
        &self,
        id_token_hint: Option<String>,
        post_logout_redirect_uri: Option<String>,
        state: Option<String>,
    ) -> Result<String, NativeError> {
        Ok(catch_panic(|| {
            self.inner.end_session_url(
                id_token_hint.as_deref(),
                post_logout_redirect_uri.as_deref(),
                state.as_deref(),
            )
        })?)
    }

    /// Whether ID tokens in this client's answers are validated.
    pub fn validates_id_tokens(&self) -> bool {
        self.inner.validates_id_tokens()
    }
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
    /// A manager from the options `TokenManager.kt`'s generated code passes (the core's
    /// manager option table, each under its Kotlin name, durations in milliseconds), and the
    /// two the binding converts itself: `store` shares the token with other processes (see
    /// `core/src/store`), and `on_token` is told each token fetched.
    #[uniffi::constructor]
    pub fn new(
        client: Arc<NativeTokenClient>,
        options: Vec<NativeOption>,
        store: Option<NativeTokenStore>,
        on_token: Option<Box<dyn NativeTokenListener>>,
    ) -> Result<Arc<Self>, NativeError> {
        let inner = catch_panic(|| {
            let (request, mut options) = table::manager_options(&option_bag(options), &client.inner, Language::Kotlin)?;
            options.on_token = on_token.map(on_token_from);
            // Last: opening a file store creates its directory, which a mistake above should not.
            if let Some(store) = store {
                options.use_store(StoreChoice::try_from(store)?);
            }
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
