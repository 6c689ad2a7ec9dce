//! `TokenClient` and `TokenManager` for Python. Every network call releases the GIL.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenfetch::error::catch_panic;
use tokenfetch::options::table::{self, Language, Preset, Way};
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::{AuthorizationOptions, Error, TokenClient, TokenRequest};

use crate::authorize::{PyAuthorizationRequest, PyPkce};
use crate::convert::Params;
use crate::device::{PyCancelToken, PyDeviceAuthorization};
use crate::discovery::PyServerMetadata;
use crate::error::BindingError;
use crate::introspection::PyIntrospection;
use crate::model::{PyTokenRequestResponse, PyTokenResponse};
use crate::options::{convert, Converted, Target};

/// How long a thread waiting on a device flow poll sleeps, with the GIL released, between two
/// looks at Python's signal flags: the longest a Ctrl-C waits to be seen.
const SIGNAL_CHECK_INTERVAL: Duration = Duration::from_millis(50);

/// A client for one OAuth 2.0 token endpoint. Thread-safe; share one per endpoint.
#[pyclass(name = "TokenClient", module = "tokenfetch", frozen)]
pub struct PyTokenClient {
    pub inner: TokenClient,
}

fn build(make: impl FnOnce() -> tokenfetch::Result<TokenClient>) -> Result<PyTokenClient, BindingError> {
    crate::events::bind_if_in_use();
    Ok(PyTokenClient {
        inner: catch_panic(make)?,
    })
}

fn text(value: &str) -> OptionValue {
    OptionValue::Text(value.to_string())
}

fn preset(
    preset: Preset,
    client_id: &str,
    client_secret: &str,
    env: Option<&str>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTokenClient> {
    let arguments = vec![
        ("client_id", text(client_id)),
        ("client_secret", text(client_secret)),
        ("env", env.map_or(OptionValue::Absent, text)),
    ];
    let given = convert(options, arguments, Target::Client(Way::Preset))?;
    Ok(build(|| table::preset_client(preset, &given.bag, Language::Python))?)
}

/// The bag, with the `client_assertion` function (a binding-converted option) wrapped for the
/// core: called with the GIL for every request; what it raises becomes the core's `config`
/// error, carrying the exception's text.
fn with_assertion_callback(mut given: Converted<'_>) -> PyResult<OptionBag> {
    let Some(callback) = given.take("client_assertion") else {
        return Ok(given.bag);
    };
    if !callback.is_callable() {
        return Err(PyTypeError::new_err(format!(
            "client_assertion must be a function returning the assertion, not {}",
            callback.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        )));
    }
    let callback: Py<PyAny> = callback.unbind();
    Ok(given.bag.with_client_assertion(Arc::new(move |_time_left| {
        Python::attach(|py| {
            let result = callback.bind(py).call0().map_err(|e| {
                if crate::error::pass_on_interrupt(py, &e) {
                    "interrupted (Ctrl-C)".to_string()
                } else {
                    e.to_string()
                }
            })?;
            result
                .extract::<String>()
                .map_err(|_| "it returned something other than a str".to_string())
        })
    })))
}

#[pymethods]
impl PyTokenClient {
    /// A client for the token endpoint at `token_url`. `**options` are the core's option
    /// table's (listed in the guide and typed by the stub): durations in seconds; an option
    /// left out, or `None`, takes the core's default.
    #[new]
    #[pyo3(signature = (token_url, **options))]
    fn new(token_url: &str, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let given = convert(
            options,
            vec![("token_url", text(token_url))],
            Target::Client(Way::Client),
        )?;
        let bag = with_assertion_callback(given)?;
        Ok(build(|| table::build_client(&bag, Language::Python))?)
    }

    /// A client for the server at `issuer`, from its discovery document (RFC 8414, else
    /// OpenID Connect): the token, authorization, device, revocation and introspection
    /// endpoints, and, unless `auth_method` is given, how to authenticate (no secret: none).
    /// Blocks while it reads the document (the GIL released); documents are cached per
    /// issuer for `discovery_ttl` seconds. The other options are `TokenClient`'s; an
    /// endpoint given here replaces the discovered one.
    #[staticmethod]
    #[pyo3(signature = (issuer, **options))]
    fn discover(py: Python<'_>, issuer: &str, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let given = convert(options, Vec::new(), Target::Client(Way::Discover))?;
        let bag = with_assertion_callback(given)?;
        let builder = table::discover_client(issuer, &bag, Language::Python).map_err(BindingError)?;
        Ok(py.detach(move || build(|| builder.build()))?)
    }

    /// A client for Prove's token endpoint: `env` is uat-us, prod-us, uat-eu or prod-eu
    /// (left out, the core's default).
    #[staticmethod]
    #[pyo3(signature = (client_id, client_secret, env=None, **options))]
    fn prove(
        client_id: &str,
        client_secret: &str,
        env: Option<&str>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        preset(Preset::Prove, client_id, client_secret, env, options)
    }

    /// A client for Gusto's token endpoint: `env` is demo or prod (left out, the core's
    /// default). Its default grant (used by `TokenManager`) is `system_access`.
    #[staticmethod]
    #[pyo3(signature = (client_id, client_secret, env=None, **options))]
    fn gusto(
        client_id: &str,
        client_secret: &str,
        env: Option<&str>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        preset(Preset::Gusto, client_id, client_secret, env, options)
    }

    /// A Google service account: `service_account_file` (or `service_account`, the key's
    /// JSON as text or a dict; else the file `GOOGLE_APPLICATION_CREDENTIALS` names). Its
    /// default grant, used by `TokenManager`, is the JWT bearer grant with `scope`.
    #[staticmethod]
    #[pyo3(signature = (**options))]
    fn google_service_account(options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let given = convert(options, Vec::new(), Target::Client(Way::Google))?;
        Ok(build(|| table::google_client(&given.bag, Language::Python))?)
    }

    /// Microsoft Entra ID workload identity, from `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`,
    /// `AZURE_FEDERATED_TOKEN_FILE` and `AZURE_AUTHORITY_HOST`; an option given replaces its
    /// variable. The token file is read again for every request.
    #[staticmethod]
    #[pyo3(signature = (**options))]
    fn entra_workload_identity(options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let given = convert(options, Vec::new(), Target::Client(Way::Entra))?;
        Ok(build(|| table::entra_client(&given.bag, Language::Python))?)
    }

    #[getter]
    fn token_url(&self) -> &str {
        self.inner.token_url()
    }

    /// How the client authenticates: `client_secret_basic`, `private_key_jwt`, ...
    #[getter]
    fn auth_method(&self) -> &'static str {
        self.inner.auth_method().as_str()
    }

    /// The JWS algorithm of the assertions it signs (`RS256`, `ES256`, ...), or `None`.
    #[getter]
    fn signing_algorithm(&self) -> Option<&'static str> {
        self.inner.signing_algorithm().map(|a| a.as_str())
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

    /// The longest `Retry-After` wait honoured, in seconds: `max_retry_wait`, or the timeout
    /// if shorter.
    #[getter]
    fn max_retry_wait(&self) -> f64 {
        self.inner.max_retry_wait().as_secs_f64()
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
    /// `cancel.cancel()` from another thread stops it with `OperationCancelledError`; Ctrl-C stops it
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
    /// list of pairs to repeat a name. With the `openid` scope a random `nonce` is made unless
    /// given; `max_age` (seconds) asks for a recent sign-in, and the ID token's `auth_time` is
    /// then checked.
    #[pyo3(signature = (redirect_uri, *, scope=None, state=None, nonce=None, pkce=None, extra=None, max_age=None))]
    #[allow(clippy::too_many_arguments)]
    fn authorization_url(
        &self,
        redirect_uri: &str,
        scope: Option<String>,
        state: Option<String>,
        nonce: Option<String>,
        pkce: Option<&PyPkce>,
        extra: Option<Params>,
        #[pyo3(from_py_with = crate::convert::optional_real)] max_age: Option<f64>,
    ) -> Result<PyAuthorizationRequest, BindingError> {
        Ok(catch_panic(|| {
            let options = authorization_options(scope, state, nonce, pkce, extra, max_age)?;
            self.inner.authorization_url(redirect_uri, options)
        })?
        .into())
    }

    /// `authorization_url` with its parameters pushed first (RFC 9126): they go to the
    /// `pushed_authorization_request_endpoint` with the client's authentication, and the URL
    /// carries only `client_id` and the server's `request_uri`. The same arguments and the
    /// same request to keep; one HTTP request, made without the GIL.
    #[pyo3(signature = (redirect_uri, *, scope=None, state=None, nonce=None, pkce=None, extra=None, max_age=None))]
    #[allow(clippy::too_many_arguments)]
    fn push_authorization_request(
        &self,
        py: Python<'_>,
        redirect_uri: &str,
        scope: Option<String>,
        state: Option<String>,
        nonce: Option<String>,
        pkce: Option<&PyPkce>,
        extra: Option<Params>,
        #[pyo3(from_py_with = crate::convert::optional_real)] max_age: Option<f64>,
    ) -> Result<PyAuthorizationRequest, BindingError> {
        let options = authorization_options(scope, state, nonce, pkce, extra, max_age)?;
        let client = self.inner.clone();
        let redirect_uri = redirect_uri.to_string();
        Ok(py
            .detach(move || catch_panic(|| client.push_authorization_request(&redirect_uri, options)))?
            .into())
    }

    /// The sign-in's last step: checks the callback URL against `request` (its `state`, and
    /// `iss`), exchanges the code with the request's PKCE verifier, and validates the ID token
    /// against the same request (its `nonce`, `max_age`). The validated claims are on the
    /// answer's `id_token_claims`.
    fn exchange_code(
        &self,
        py: Python<'_>,
        request: &PyAuthorizationRequest,
        callback_url: &str,
    ) -> Result<PyTokenResponse, BindingError> {
        let client = self.inner.clone();
        let request = request.0.clone();
        let callback_url = callback_url.to_string();
        Ok(py
            .detach(move || catch_panic(|| client.exchange_code(&request, &callback_url)))?
            .into())
    }

    /// The user's claims from the userinfo endpoint (OIDC Core §5.3), with the sign-in's
    /// access token, as a dict. With `expected_sub` (the ID token's `sub`), an answer for
    /// another user raises `IdTokenError` (check `sub`). A signed answer is verified with the
    /// issuer's keys.
    #[pyo3(signature = (access_token, *, expected_sub=None))]
    fn userinfo<'py>(
        &self,
        py: Python<'py>,
        access_token: &str,
        expected_sub: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.inner.clone();
        let access_token = access_token.to_string();
        let claims = py
            .detach(move || catch_panic(|| client.userinfo(&access_token, expected_sub.as_deref())))
            .map_err(BindingError)?;
        crate::convert::json_to_py(py, &serde_json::Value::Object(claims))
    }

    /// The URL that signs the user out at the provider (RP-Initiated Logout), from the
    /// `end_session_endpoint`. No I/O.
    #[pyo3(signature = (*, id_token_hint=None, post_logout_redirect_uri=None, state=None))]
    fn end_session_url(
        &self,
        id_token_hint: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Result<String, BindingError> {
        Ok(catch_panic(|| {
            self.inner
                .end_session_url(id_token_hint, post_logout_redirect_uri, state)
        })?)
    }

    /// Whether ID tokens in this client's answers are validated (it knows its issuer, client
    /// id and JWKS).
    #[getter]
    fn validates_id_tokens(&self) -> bool {
        self.inner.validates_id_tokens()
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
        Ok(py
            .detach(move || catch_panic(|| client.request_token(&request)))?
            .into())
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

fn with_params(mut request: TokenRequest, params: Option<Vec<(String, String)>>) -> TokenRequest {
    for (k, v) in params.unwrap_or_default() {
        request = request.param(k, v);
    }
    request
}

/// Forgets every cached discovery document, so the next `TokenClient.discover` reads its
/// issuer's again (after the server's endpoints changed, say).
#[pyfunction]
pub fn clear_discovery_cache() {
    tokenfetch::clear_discovery_cache()
}

/// The options of `authorization_url` and `push_authorization_request`, converted once.
fn authorization_options(
    scope: Option<String>,
    state: Option<String>,
    nonce: Option<String>,
    pkce: Option<&PyPkce>,
    extra: Option<Params>,
    max_age: Option<f64>,
) -> tokenfetch::Result<AuthorizationOptions> {
    Ok(AuthorizationOptions {
        scope,
        state,
        nonce,
        pkce: pkce.map(|p| p.0.clone()),
        extra: extra.map(Params::into_pairs).unwrap_or_default(),
        max_age: max_age
            .map(|s| tokenfetch::options::MAX_AGE.duration_from_secs("max_age", s))
            .transpose()?,
    })
}
