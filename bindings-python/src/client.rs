//! `TokenClient` and `TokenManager` for Python. Every network call releases the GIL.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{mpsc, Arc};
use std::time::Duration;

use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::PyTraverseError;
use tokenfetch::error::catch_panic;
use tokenfetch::manager::ManagerOptions;
use tokenfetch::options;
use tokenfetch::store::StoreChoice;
use tokenfetch::{
    AuthMethod, AuthorizationOptions, BodyEncoding, Error, GustoEnvironment, ProveEnvironment, RetryPolicy,
    TokenClient, TokenClientBuilder, TokenManager, TokenRequest,
};

use crate::convert::{
    optional_real, real, store_choice, Params, PyAuthorizationRequest, PyCancelToken, PyDeviceAuthorization,
    PyIntrospection, PyPkce, PyServerMetadata, PyTokenRequestResponse, PyTokenResponse, TokenCallback,
};
use crate::error::BindingError;

/// How long a thread waiting on a device flow poll sleeps, with the GIL released, between two
/// looks at Python's signal flags: the longest a Ctrl-C waits to be seen.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

/// Options every way of building a client shares (`TokenClient(...)`, `.discover(...)`, `.prove(...)`,
/// `.gusto(...)`).
struct Options<'a> {
    scope: Option<String>,
    audience: Option<Vec<String>>,
    resource: Option<Vec<String>>,
    extra_params: Option<BTreeMap<String, String>>,
    headers: Option<BTreeMap<String, String>>,
    user_agent: Option<String>,
    timeout: f64,
    connect_timeout: f64,
    max_retries: f64,
    max_response_bytes: f64,
    allow_insecure_http: bool,
    root_certificates: Option<RootCertificates>,
    use_os_trust_store: bool,
    token_url: Option<&'a str>,
    endpoints: Endpoints,
}

/// The endpoints besides the token endpoint, and the issuer, as keywords. Discovery fills
/// them in; any given here replace the discovered ones.
#[derive(Default)]
struct Endpoints {
    issuer: Option<String>,
    authorization_endpoint: Option<String>,
    device_authorization_endpoint: Option<String>,
    revocation_endpoint: Option<String>,
    introspection_endpoint: Option<String>,
}

impl Endpoints {
    fn apply(self, mut b: TokenClientBuilder) -> TokenClientBuilder {
        if let Some(issuer) = self.issuer {
            b = b.issuer(issuer);
        }
        if let Some(url) = self.authorization_endpoint {
            b = b.authorization_endpoint(url);
        }
        if let Some(url) = self.device_authorization_endpoint {
            b = b.device_authorization_endpoint(url);
        }
        if let Some(url) = self.revocation_endpoint {
            b = b.revocation_endpoint(url);
        }
        if let Some(url) = self.introspection_endpoint {
            b = b.introspection_endpoint(url);
        }
        b
    }
}

/// `root_certificates=`: PEM text (`str` or `bytes`, one or more certificates), or a list of them.
#[derive(FromPyObject)]
pub enum RootCertificates {
    One(Vec<u8>),
    Text(String),
    Many(Vec<String>),
}

impl RootCertificates {
    fn into_pems(self) -> Vec<Vec<u8>> {
        match self {
            RootCertificates::One(bytes) => vec![bytes],
            RootCertificates::Text(text) => vec![text.into_bytes()],
            RootCertificates::Many(texts) => texts.into_iter().map(String::into_bytes).collect(),
        }
    }
}

impl Options<'_> {
    fn apply(self, mut b: TokenClientBuilder) -> Result<TokenClientBuilder, BindingError> {
        if let Some(url) = self.token_url {
            b = b.token_url(url);
        }
        b = self.endpoints.apply(b);
        if let Some(scope) = self.scope {
            b = b.scope(scope);
        }
        for a in self.audience.unwrap_or_default() {
            b = b.audience(a);
        }
        for r in self.resource.unwrap_or_default() {
            b = b.resource(r);
        }
        for (k, v) in self.extra_params.unwrap_or_default() {
            b = b.extra_param(k, v);
        }
        for (k, v) in self.headers.unwrap_or_default() {
            b = b.header(k, v);
        }
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| format!("tokenfetch/{} (python)", tokenfetch::VERSION));
        for pem in self
            .root_certificates
            .map(RootCertificates::into_pems)
            .unwrap_or_default()
        {
            b = b.root_certificates_pem(pem);
        }
        b = b.use_os_trust_store(self.use_os_trust_store);
        // Python spells every option as core does, so core's names are the caller's.
        let max_retries = options::MAX_RETRIES.whole("max_retries", self.max_retries)?;
        Ok(b.user_agent(user_agent)
            .timeout(options::TIMEOUT.duration_from_secs("timeout", self.timeout)?)
            .connect_timeout(options::CONNECT_TIMEOUT.duration_from_secs("connect_timeout", self.connect_timeout)?)
            .retry(RetryPolicy {
                max_retries: u32::try_from(max_retries).unwrap_or(u32::MAX),
                ..RetryPolicy::default()
            })
            .max_response_bytes(options::MAX_RESPONSE_BYTES.whole("max_response_bytes", self.max_response_bytes)?)
            .allow_insecure_http(self.allow_insecure_http))
    }
}

/// A client for one OAuth 2.0 token endpoint. Thread-safe; share one per endpoint.
#[pyclass(name = "TokenClient", module = "tokenfetch", frozen)]
pub struct PyTokenClient {
    pub inner: TokenClient,
}

fn build(builder: TokenClientBuilder) -> Result<PyTokenClient, BindingError> {
    Ok(PyTokenClient {
        inner: catch_panic(|| builder.build())?,
    })
}

#[pymethods]
impl PyTokenClient {
    #[new]
    #[pyo3(signature = (
        token_url, *, client_id=None, client_secret=None, auth_method="client_secret_basic",
        body_encoding="form", scope=None, audience=None, resource=None, extra_params=None,
        headers=None, user_agent=None, timeout=30.0, connect_timeout=10.0, max_retries=2f64,
        max_response_bytes=1048576f64, allow_insecure_http=false, root_certificates=None,
        use_os_trust_store=false, issuer=None, authorization_endpoint=None,
        device_authorization_endpoint=None, revocation_endpoint=None, introspection_endpoint=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        token_url: &str,
        client_id: Option<String>,
        client_secret: Option<String>,
        auth_method: &str,
        body_encoding: &str,
        scope: Option<String>,
        audience: Option<Vec<String>>,
        resource: Option<Vec<String>>,
        extra_params: Option<BTreeMap<String, String>>,
        headers: Option<BTreeMap<String, String>>,
        user_agent: Option<String>,
        #[pyo3(from_py_with = real)] timeout: f64,
        #[pyo3(from_py_with = real)] connect_timeout: f64,
        #[pyo3(from_py_with = real)] max_retries: f64,
        #[pyo3(from_py_with = real)] max_response_bytes: f64,
        allow_insecure_http: bool,
        root_certificates: Option<RootCertificates>,
        use_os_trust_store: bool,
        issuer: Option<String>,
        authorization_endpoint: Option<String>,
        device_authorization_endpoint: Option<String>,
        revocation_endpoint: Option<String>,
        introspection_endpoint: Option<String>,
    ) -> PyResult<Self> {
        let mut builder = TokenClient::builder(token_url)
            .auth_method(AuthMethod::from_str(auth_method).map_err(BindingError)?)
            .body_encoding(BodyEncoding::from_str(body_encoding).map_err(BindingError)?);
        if let Some(id) = client_id {
            builder = builder.client_id(id);
        }
        if let Some(secret) = client_secret {
            builder = builder.client_secret(secret);
        }
        let options = Options {
            scope,
            audience,
            resource,
            extra_params,
            headers,
            user_agent,
            timeout,
            connect_timeout,
            max_retries,
            max_response_bytes,
            allow_insecure_http,
            root_certificates,
            use_os_trust_store,
            token_url: None,
            endpoints: Endpoints {
                issuer,
                authorization_endpoint,
                device_authorization_endpoint,
                revocation_endpoint,
                introspection_endpoint,
            },
        };
        Ok(build(options.apply(builder)?)?)
    }

    /// A client for the server at `issuer`, from its discovery document (RFC 8414, else
    /// OpenID Connect): the token, authorization, device, revocation and introspection
    /// endpoints, and, unless `auth_method` is given, how to authenticate (no secret: none).
    /// Blocks while it reads the document (the GIL released); documents are cached per
    /// issuer for `discovery_ttl` seconds. The other keywords are `TokenClient`'s; an
    /// endpoint given here replaces the discovered one.
    #[staticmethod]
    #[pyo3(signature = (
        issuer, *, client_id=None, client_secret=None, auth_method=None, body_encoding="form",
        scope=None, audience=None, resource=None, extra_params=None, headers=None, user_agent=None,
        timeout=30.0, connect_timeout=10.0, max_retries=2f64, max_response_bytes=1048576f64,
        allow_insecure_http=false, root_certificates=None, use_os_trust_store=false,
        token_url=None, authorization_endpoint=None, device_authorization_endpoint=None,
        revocation_endpoint=None, introspection_endpoint=None, discovery_ttl=3600.0
    ))]
    #[allow(clippy::too_many_arguments)]
    fn discover(
        py: Python<'_>,
        issuer: &str,
        client_id: Option<String>,
        client_secret: Option<String>,
        auth_method: Option<&str>,
        body_encoding: &str,
        scope: Option<String>,
        audience: Option<Vec<String>>,
        resource: Option<Vec<String>>,
        extra_params: Option<BTreeMap<String, String>>,
        headers: Option<BTreeMap<String, String>>,
        user_agent: Option<String>,
        #[pyo3(from_py_with = real)] timeout: f64,
        #[pyo3(from_py_with = real)] connect_timeout: f64,
        #[pyo3(from_py_with = real)] max_retries: f64,
        #[pyo3(from_py_with = real)] max_response_bytes: f64,
        allow_insecure_http: bool,
        root_certificates: Option<RootCertificates>,
        use_os_trust_store: bool,
        token_url: Option<&str>,
        authorization_endpoint: Option<String>,
        device_authorization_endpoint: Option<String>,
        revocation_endpoint: Option<String>,
        introspection_endpoint: Option<String>,
        #[pyo3(from_py_with = real)] discovery_ttl: f64,
    ) -> PyResult<Self> {
        let ttl = options::DISCOVERY_TTL
            .duration_from_secs("discovery_ttl", discovery_ttl)
            .map_err(BindingError)?;
        let mut builder = TokenClient::discover(issuer)
            .discovery_ttl(ttl)
            .body_encoding(BodyEncoding::from_str(body_encoding).map_err(BindingError)?);
        // Left out, the method is the core's choice from the document.
        if let Some(method) = auth_method {
            builder = builder.auth_method(AuthMethod::from_str(method).map_err(BindingError)?);
        }
        if let Some(id) = client_id {
            builder = builder.client_id(id);
        }
        if let Some(secret) = client_secret {
            builder = builder.client_secret(secret);
        }
        let options = Options {
            scope,
            audience,
            resource,
            extra_params,
            headers,
            user_agent,
            timeout,
            connect_timeout,
            max_retries,
            max_response_bytes,
            allow_insecure_http,
            root_certificates,
            use_os_trust_store,
            token_url,
            endpoints: Endpoints {
                issuer: None,
                authorization_endpoint,
                device_authorization_endpoint,
                revocation_endpoint,
                introspection_endpoint,
            },
        };
        let builder = options.apply(builder)?;
        Ok(py.detach(move || build(builder))?)
    }

    /// A client for Prove's token endpoint: `env` is uat-us (default), prod-us, uat-eu or prod-eu.
    #[staticmethod]
    #[pyo3(signature = (client_id, client_secret, env="uat-us", *, token_url=None, timeout=30.0, max_retries=2f64))]
    fn prove(
        client_id: String,
        client_secret: String,
        env: &str,
        token_url: Option<&str>,
        #[pyo3(from_py_with = real)] timeout: f64,
        #[pyo3(from_py_with = real)] max_retries: f64,
    ) -> PyResult<Self> {
        let env = ProveEnvironment::from_str(env).map_err(BindingError)?;
        let builder = TokenClientBuilder::prove(env, client_id, client_secret);
        Ok(build(preset_options(token_url, timeout, max_retries).apply(builder)?)?)
    }

    /// A client for Gusto's token endpoint: `env` is demo (default) or prod.
    /// Its default grant (used by `TokenManager`) is `system_access`.
    #[staticmethod]
    #[pyo3(signature = (client_id, client_secret, env="demo", *, token_url=None, timeout=30.0, max_retries=2f64))]
    fn gusto(
        client_id: String,
        client_secret: String,
        env: &str,
        token_url: Option<&str>,
        #[pyo3(from_py_with = real)] timeout: f64,
        #[pyo3(from_py_with = real)] max_retries: f64,
    ) -> PyResult<Self> {
        let env = GustoEnvironment::from_str(env).map_err(BindingError)?;
        let builder = TokenClientBuilder::gusto(env, client_id, client_secret);
        Ok(build(preset_options(token_url, timeout, max_retries).apply(builder)?)?)
    }

    #[getter]
    fn token_url(&self) -> &str {
        self.inner.token_url()
    }

    #[getter]
    fn client_id(&self) -> Option<&str> {
        self.inner.client_id()
    }

    /// The deadline for a whole call in seconds, retries included.
    #[getter]
    fn timeout(&self) -> f64 {
        self.inner.timeout().as_secs_f64()
    }

    #[getter]
    fn connect_timeout(&self) -> f64 {
        self.inner.connect_timeout().as_secs_f64()
    }

    #[getter]
    fn max_retries(&self) -> u32 {
        self.inner.retry_policy().max_retries
    }

    #[getter]
    fn max_response_bytes(&self) -> u64 {
        self.inner.max_response_bytes()
    }

    /// The issuer the client trusts: the one it was discovered from, or `issuer=`.
    #[getter]
    fn issuer(&self) -> Option<&str> {
        self.inner.issuer()
    }

    /// The discovery document the client was built from; `None` unless built by `discover`.
    #[getter]
    fn server_metadata(&self) -> Option<PyServerMetadata> {
        self.inner.server_metadata().cloned().map(PyServerMetadata::from)
    }

    /// Revokes a token (RFC 7009). `token_type_hint` is `"access_token"` or
    /// `"refresh_token"`, when known. A token the server never knew is revoked too.
    #[pyo3(signature = (token, token_type_hint=None))]
    fn revoke(&self, py: Python<'_>, token: &str, token_type_hint: Option<&str>) -> Result<(), BindingError> {
        let client = self.inner.clone();
        Ok(py.detach(move || catch_panic(|| client.revoke(token, token_type_hint)))?)
    }

    /// Asks the server about a token (RFC 7662). A revoked, expired or unknown token gives
    /// `active == False`, not an error.
    #[pyo3(signature = (token, token_type_hint=None))]
    fn introspect(
        &self,
        py: Python<'_>,
        token: &str,
        token_type_hint: Option<&str>,
    ) -> Result<PyIntrospection, BindingError> {
        let client = self.inner.clone();
        Ok(py
            .detach(move || catch_panic(|| client.introspect(token, token_type_hint)))?
            .into())
    }

    /// Starts the device flow (RFC 8628): the codes to show the user. `scope` overrides the
    /// client's default scope.
    #[pyo3(signature = (scope=None))]
    fn device_authorization(&self, py: Python<'_>, scope: Option<&str>) -> Result<PyDeviceAuthorization, BindingError> {
        let client = self.inner.clone();
        Ok(py
            .detach(move || catch_panic(|| client.device_authorization(scope)))?
            .into())
    }

    /// Polls the token endpoint until the user approves (the token), denies (`OAuthError`
    /// `access_denied`) or the code expires (`OAuthError` `expired_token`, with `status` None when they expire before the next poll),
    /// keeping to the server's interval and `slow_down`. Blocks, with the GIL released.
    /// `cancel.cancel()` from another thread stops it with `CancelledError`; Ctrl-C stops it
    /// with `KeyboardInterrupt` (and cancels `cancel`, when one was given).
    #[pyo3(signature = (authorization, *, cancel=None))]
    fn poll_device_token(
        &self,
        py: Python<'_>,
        authorization: &PyDeviceAuthorization,
        cancel: Option<&PyCancelToken>,
    ) -> PyResult<PyTokenResponse> {
        let cancel = cancel.map(|c| c.0.clone()).unwrap_or_default();
        // The poll runs on a thread of its own so that this one can wake every
        // SIGNAL_CHECK_INTERVAL to run Python's signal handlers: only the thread that called
        // can raise KeyboardInterrupt, and the core's poll sleeps for seconds at a time.
        let (sender, mut receiver) = mpsc::channel();
        let (client, authorization, poll_cancel) = (self.inner.clone(), authorization.0.clone(), cancel.clone());
        std::thread::Builder::new()
            .name("tokenfetch-device-poll".into())
            .spawn(move || {
                let result = catch_panic(|| client.poll_device_token_cancellable(&authorization, &poll_cancel));
                // The caller may be gone (interrupted); then nobody needs the result.
                let _ = sender.send(result);
            })
            .map_err(|e| {
                BindingError(Error::Transport {
                    message: format!("could not start the device flow's polling thread: {e}"),
                    http_meta: None,
                })
            })?;
        loop {
            let (received, back) = py.detach(move || (receiver.recv_timeout(SIGNAL_CHECK_INTERVAL), receiver));
            receiver = back;
            match received {
                Ok(result) => return Ok(result.map_err(BindingError)?.into()),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(BindingError(Error::Transport {
                        message: "the device flow's polling thread ended without an answer".into(),
                        http_meta: None,
                    })
                    .into())
                }
            }
            if let Err(interrupted) = py.check_signals() {
                // The poll stops at its next wait instead of running on unobserved.
                cancel.cancel();
                return Err(interrupted);
            }
        }
    }

    /// The URL that starts the authorization code flow (from the `authorization_endpoint`),
    /// with a random `state` and a PKCE pair unless given. Keep the returned request until
    /// the callback. `extra` adds query parameters (`prompt`, `login_hint`, ...): a dict, or a
    /// list of pairs to repeat a name.
    #[pyo3(signature = (redirect_uri, *, scope=None, state=None, nonce=None, pkce=None, extra=None))]
    fn authorization_url(
        &self,
        redirect_uri: &str,
        scope: Option<String>,
        state: Option<String>,
        nonce: Option<String>,
        pkce: Option<&PyPkce>,
        extra: Option<Params>,
    ) -> Result<PyAuthorizationRequest, BindingError> {
        let options = AuthorizationOptions {
            scope,
            state,
            nonce,
            pkce: pkce.map(|p| p.0.clone()),
            extra: extra.map(Params::into_pairs).unwrap_or_default(),
        };
        Ok(catch_panic(|| self.inner.authorization_url(redirect_uri, options))?.into())
    }

    /// The authorization code in the URL the user was redirected back to, once its `state`
    /// matches `expected_state` and its `iss` this client's issuer (RFC 9207); else
    /// `ConfigError`. An error the server sent back raises `OAuthError` (`status` None).
    fn parse_callback(&self, url: &str, expected_state: &str) -> Result<String, BindingError> {
        Ok(catch_panic(|| self.inner.parse_callback(url, expected_state))?)
    }

    /// Client credentials grant (RFC 6749 §4.4).
    #[pyo3(signature = (scope=None, *, params=None))]
    fn client_credentials(
        &self,
        py: Python<'_>,
        scope: Option<&str>,
        params: Option<Params>,
    ) -> Result<PyTokenResponse, BindingError> {
        self.fetch(py, TokenRequest::client_credentials().scope_opt(scope), params)
    }

    /// Refresh token grant (RFC 6749 §6).
    #[pyo3(signature = (refresh_token, scope=None, *, params=None))]
    fn refresh(
        &self,
        py: Python<'_>,
        refresh_token: &str,
        scope: Option<&str>,
        params: Option<Params>,
    ) -> Result<PyTokenResponse, BindingError> {
        self.fetch(py, TokenRequest::refresh_token(refresh_token).scope_opt(scope), params)
    }

    /// Resource owner password grant (RFC 6749 §4.3).
    #[pyo3(signature = (username, password, scope=None, *, params=None))]
    fn password(
        &self,
        py: Python<'_>,
        username: &str,
        password: &str,
        scope: Option<&str>,
        params: Option<Params>,
    ) -> Result<PyTokenResponse, BindingError> {
        self.fetch(py, TokenRequest::password(username, password).scope_opt(scope), params)
    }

    /// Authorization code grant (RFC 6749 §4.1.3), with the PKCE verifier when one was used.
    #[pyo3(signature = (code, *, redirect_uri=None, code_verifier=None, params=None))]
    fn authorization_code(
        &self,
        py: Python<'_>,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
        params: Option<Params>,
    ) -> Result<PyTokenResponse, BindingError> {
        self.fetch(
            py,
            TokenRequest::authorization_code(code, redirect_uri, code_verifier),
            params,
        )
    }

    /// Token exchange (RFC 8693).
    #[pyo3(signature = (subject_token, subject_token_type, *, scope=None, params=None))]
    fn token_exchange(
        &self,
        py: Python<'_>,
        subject_token: &str,
        subject_token_type: &str,
        scope: Option<&str>,
        params: Option<Params>,
    ) -> Result<PyTokenResponse, BindingError> {
        let request = TokenRequest::token_exchange(subject_token, subject_token_type).scope_opt(scope);
        self.fetch(py, request, params)
    }

    /// One device code poll (RFC 8628 §3.4). `authorization_pending` raises `OAuthError`.
    #[pyo3(signature = (device_code, *, params=None))]
    fn device_code(
        &self,
        py: Python<'_>,
        device_code: &str,
        params: Option<Params>,
    ) -> Result<PyTokenResponse, BindingError> {
        self.fetch(py, TokenRequest::device_code(device_code), params)
    }

    /// Any grant, returning the token with the HTTP metadata of the exchange.
    /// `params` is a dict, or a list of pairs to repeat a name (e.g. several `resource`).
    #[pyo3(signature = (grant_type, *, scope=None, params=None))]
    fn request_token(
        &self,
        py: Python<'_>,
        grant_type: &str,
        scope: Option<&str>,
        params: Option<Params>,
    ) -> Result<PyTokenRequestResponse, BindingError> {
        let request = with_params(
            TokenRequest::custom(grant_type).scope_opt(scope),
            params.map(Params::into_pairs),
        );
        let client = self.inner.clone();
        Ok(py.detach(move || catch_panic(|| client.send(&request)))?.into())
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenClient(token_url='{}', client_id={:?})",
            self.inner.token_url(),
            self.inner.client_id().unwrap_or("")
        )
        .replace('"', "'")
    }
}

impl PyTokenClient {
    fn fetch(
        &self,
        py: Python<'_>,
        request: TokenRequest,
        params: Option<Params>,
    ) -> Result<PyTokenResponse, BindingError> {
        let request = with_params(request, params.map(Params::into_pairs));
        let client = self.inner.clone();
        Ok(py.detach(move || catch_panic(|| client.fetch(&request)))?.into())
    }
}

fn preset_options<'a>(token_url: Option<&'a str>, timeout: f64, max_retries: f64) -> Options<'a> {
    Options {
        scope: None,
        audience: None,
        resource: None,
        extra_params: None,
        headers: None,
        user_agent: None,
        timeout,
        connect_timeout: 10.0,
        max_retries,
        max_response_bytes: tokenfetch::client::DEFAULT_MAX_RESPONSE_BYTES as f64,
        allow_insecure_http: false,
        root_certificates: None,
        use_os_trust_store: false,
        token_url,
        endpoints: Endpoints::default(),
    }
}

fn with_params(mut request: TokenRequest, params: Option<Vec<(String, String)>>) -> TokenRequest {
    for (k, v) in params.unwrap_or_default() {
        request = request.param(k, v);
    }
    request
}

/// A thread-safe token cache: one fetch however many threads ask, refreshed before expiry.
/// With `store=`, one fetch for every process sharing that store.
#[pyclass(name = "TokenManager", module = "tokenfetch", frozen)]
pub struct PyTokenManager {
    inner: TokenManager,
    /// The `on_token` callable, also held by the core's callback; kept here so the garbage
    /// collector sees it.
    on_token: Option<Arc<TokenCallback>>,
}

#[pymethods]
impl PyTokenManager {
    #[new]
    #[pyo3(signature = (
        client, *, scope=None, grant_type=None, params=None, refresh_skew=60.0, default_lifetime=300.0,
        store=None, store_namespace=None, lease_time=None, on_token=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        client: &PyTokenClient,
        scope: Option<&str>,
        grant_type: Option<&str>,
        params: Option<Params>,
        #[pyo3(from_py_with = real)] refresh_skew: f64,
        #[pyo3(from_py_with = real)] default_lifetime: f64,
        #[pyo3(from_py_with = store_choice)] store: Option<StoreChoice>,
        store_namespace: Option<String>,
        #[pyo3(from_py_with = optional_real)] lease_time: Option<f64>,
        on_token: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let on_token = TokenCallback::from_py(on_token)?;
        let request = TokenRequest::for_manager(
            grant_type,
            params.map(Params::into_pairs),
            scope,
            client.inner.default_request(),
            ["grant_type", "params", "scope"],
        )
        .map_err(BindingError)?;
        let mut options = ManagerOptions {
            refresh_skew: options::REFRESH_SKEW
                .duration_from_secs("refresh_skew", refresh_skew)
                .map_err(BindingError)?,
            default_lifetime: options::DEFAULT_LIFETIME
                .duration_from_secs("default_lifetime", default_lifetime)
                .map_err(BindingError)?,
            store_namespace,
            lease_time: lease_time
                .map(|secs| options::LEASE_TIME.duration_from_secs("lease_time", secs))
                .transpose()
                .map_err(BindingError)?,
            on_token: on_token.as_ref().map(TokenCallback::on_token),
            ..ManagerOptions::default()
        };
        if let Some(store) = store {
            store.apply(&mut options);
        }
        Ok(PyTokenManager {
            inner: catch_panic(|| TokenManager::with_options(client.inner.clone(), request, options))
                .map_err(BindingError)?,
            on_token,
        })
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        match &self.on_token {
            Some(callback) => callback.traverse(&visit),
            None => Ok(()),
        }
    }

    fn __clear__(&self) {
        if let Some(callback) = &self.on_token {
            callback.clear();
        }
    }

    /// A valid access token (fetched or refreshed if needed).
    fn access_token(&self, py: Python<'_>) -> Result<String, BindingError> {
        Ok(py.detach(|| catch_panic(|| self.inner.access_token()))?)
    }

    /// The whole cached token response.
    fn token(&self, py: Python<'_>) -> Result<PyTokenResponse, BindingError> {
        Ok(py.detach(|| catch_panic(|| self.inner.token()))?.into())
    }

    /// `"Bearer <token>"` for a valid token.
    fn authorization_header(&self, py: Python<'_>) -> Result<String, BindingError> {
        Ok(py.detach(|| catch_panic(|| self.inner.authorization_header()))?)
    }

    /// The cached token when no fetch is due, else `None`. Never blocks or fetches, so the
    /// async twin answers from it on the event loop.
    fn fresh_token(&self) -> Option<PyTokenResponse> {
        self.inner.fresh_token().map(PyTokenResponse::from)
    }

    /// Drops the cached access token; call it when an API answers 401.
    fn invalidate(&self) {
        self.inner.invalidate()
    }

    /// The error of the last failed fetch (e.g. a failed early refresh), until one succeeds.
    #[getter]
    fn last_error(&self) -> Option<PyErr> {
        self.inner.last_error().map(|e| BindingError(e).into())
    }

    /// Seconds before expiry at which the cache refreshes (capped at half the lifetime).
    #[getter]
    fn refresh_skew(&self) -> f64 {
        self.inner.options().refresh_skew.as_secs_f64()
    }

    /// Seconds a token without `expires_in` is used.
    #[getter]
    fn default_lifetime(&self) -> f64 {
        self.inner.options().default_lifetime.as_secs_f64()
    }

    /// Seconds one process's fetch may hold the others up, with a store (the option, or its
    /// default: twice the client's timeout plus 5 s).
    #[getter]
    fn lease_time(&self) -> f64 {
        self.inner.lease_time().as_secs_f64()
    }

    #[getter]
    fn client(&self) -> PyTokenClient {
        PyTokenClient {
            inner: self.inner.client().clone(),
        }
    }

    fn __repr__(&self) -> String {
        format!("TokenManager(token_url='{}')", self.inner.client().token_url())
    }
}

/// Forgets every cached discovery document, so the next `TokenClient.discover` reads its
/// issuer's again (after the server's endpoints changed, say).
#[pyfunction]
pub fn clear_discovery_cache() {
    tokenfetch::clear_discovery_cache()
}
