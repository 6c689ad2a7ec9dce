//! Conversions between the core models and Python objects: one newtype per model, the two
//! store classes over the core's `StoreChoice`, and the `on_token` callback.
//!
//! Nothing here decides behaviour; parsing, defaults and redaction come from `tokenfetch`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use pyo3::PyTraverseError;
use serde_json::{Map, Value};
use tokenfetch::manager::OnToken;
use tokenfetch::redact::display_url;
use tokenfetch::store::entry::EntryKey;
use tokenfetch::store::StoreChoice;
use tokenfetch::{
    AuthorizationRequest, CancelToken, DeviceAuthorization, HttpMetadata, HttpRequestMeta, HttpResponseMeta,
    Introspection, Pkce, ServerMetadata, TokenRequestResponse, TokenResponse, REDACTED,
};
use url::Url;

use crate::error::BindingError;

/// serde_json -> Python (`dict`, `list`, `str`, `int`, `float`, `bool`, `None`).
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (_, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

pub fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, json_to_py(py, v)?)?;
    }
    Ok(dict)
}

/// Python -> serde_json, for `extra` and `params`. Only JSON-representable values.
pub fn py_to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = value.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        let i: i128 = value.extract()?;
        Ok(i64::try_from(i)
            .map(Value::from)
            .or_else(|_| u64::try_from(i).map(Value::from))
            .map_err(|_| PyTypeError::new_err(format!("integer {i} does not fit in 64 bits")))?)
    } else if let Ok(f) = value.cast::<PyFloat>() {
        serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err("NaN and infinity are not JSON values"))
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Value::String(s.to_cow()?.into_owned()))
    } else if let Ok(d) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| PyTypeError::new_err("dict keys must be str"))?;
            map.insert(key, py_to_json(&v)?);
        }
        Ok(Value::Object(map))
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = value.extract()?;
        Ok(Value::Array(items.iter().map(py_to_json).collect::<PyResult<_>>()?))
    } else {
        Err(PyTypeError::new_err(format!(
            "cannot convert {} to JSON",
            value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        )))
    }
}

/// A numeric option as Python passes it (`int` or `float`), for the core's range checks.
///
/// An `int` too large for a float (`10**400`) becomes an infinity of its sign, so the core
/// refuses it as a `ConfigError` naming the option, as it refuses `1e19`. Without this, pyo3
/// raises `OverflowError` before the core sees the value. Used as
/// `#[pyo3(from_py_with = real)]`, which keeps the `float` type and the literal default in the
/// text signature that `mypy.stubtest` checks.
pub fn real(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    match value.extract::<f64>() {
        Err(e) if e.is_instance_of::<PyOverflowError>(value.py()) => {
            Ok(if value.lt(0)? { f64::NEG_INFINITY } else { f64::INFINITY })
        }
        other => other,
    }
}

/// [`real`] for an optional number: `None` stays `None`.
pub fn optional_real(value: &Bound<'_, PyAny>) -> PyResult<Option<f64>> {
    if value.is_none() {
        Ok(None)
    } else {
        real(value).map(Some)
    }
}

/// `params=` / `headers=` as Python users write them: a dict, or a list of `(name, value)` pairs.
#[derive(FromPyObject)]
pub enum Params {
    Map(BTreeMap<String, String>),
    Pairs(Vec<(String, String)>),
}

impl Params {
    pub fn into_pairs(self) -> Vec<(String, String)> {
        match self {
            Params::Map(m) => m.into_iter().collect(),
            Params::Pairs(p) => p,
        }
    }
}

/// Classifies one HTTP answer exactly as a fetch does (body cap, then lenient parsing):
/// for responses your own HTTP stack received. `received_at` (epoch seconds) sets `expires_at`.
#[pyfunction]
#[pyo3(signature = (status, headers, body, received_at=None, max_response_bytes=None))]
pub fn parse_response(
    #[pyo3(from_py_with = real)] status: f64,
    headers: Params,
    body: &[u8],
    #[pyo3(from_py_with = optional_real)] received_at: Option<f64>,
    #[pyo3(from_py_with = optional_real)] max_response_bytes: Option<f64>,
) -> Result<PyTokenResponse, BindingError> {
    let headers = headers.into_pairs();
    let token = tokenfetch::error::catch_panic(|| {
        let status = tokenfetch::options::status_code("status", status)?;
        let received_at = received_at
            .map(|t| tokenfetch::options::epoch_seconds("received_at", t))
            .transpose()?;
        let limit = match max_response_bytes {
            Some(n) => tokenfetch::options::MAX_RESPONSE_BYTES.whole("max_response_bytes", n)?,
            None => tokenfetch::client::DEFAULT_MAX_RESPONSE_BYTES,
        };
        tokenfetch::evaluate_response(status, &headers, body, received_at, limit)
    })?;
    Ok(token.into())
}

fn repr_opt<T: std::fmt::Debug>(value: &Option<T>) -> String {
    match value {
        Some(v) => format!("{v:?}").replace('"', "'"),
        None => "None".into(),
    }
}

fn repr_secret(value: &Option<String>) -> String {
    value
        .as_ref()
        .map(|_| format!("'{REDACTED}'"))
        .unwrap_or_else(|| "None".into())
}

/// An access token response. Immutable; `repr()` never shows a token.
#[pyclass(name = "TokenResponse", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyTokenResponse(pub TokenResponse);

impl From<TokenResponse> for PyTokenResponse {
    fn from(t: TokenResponse) -> Self {
        PyTokenResponse(t)
    }
}

#[pymethods]
impl PyTokenResponse {
    #[new]
    #[pyo3(signature = (access_token, token_type="Bearer", expires_in=None, refresh_token=None, refresh_expires_in=None, id_token=None, scope=None, created_at=None, extra=None, expires_at=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        access_token: String,
        token_type: &str,
        expires_in: Option<u64>,
        refresh_token: Option<String>,
        refresh_expires_in: Option<u64>,
        id_token: Option<String>,
        scope: Option<String>,
        created_at: Option<String>,
        extra: Option<&Bound<'_, PyDict>>,
        expires_at: Option<u64>,
    ) -> PyResult<Self> {
        let extra = match extra.map(|d| py_to_json(d.as_any())).transpose()? {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Ok(PyTokenResponse(TokenResponse {
            access_token,
            token_type: token_type.to_string(),
            expires_in,
            refresh_token,
            refresh_expires_in,
            id_token,
            scope,
            created_at,
            extra,
            expires_at,
        }))
    }

    /// Parses a token response body (JSON or form-encoded) with the same leniency as a fetch.
    #[staticmethod]
    fn from_json(body: &str) -> Result<Self, BindingError> {
        Ok(tokenfetch::error::catch_panic(|| TokenResponse::from_json(body))?.into())
    }

    /// Rebuilds a response from `to_json()` output exactly (used by pickle).
    #[staticmethod]
    fn _from_state(state: &str) -> PyResult<Self> {
        serde_json::from_str::<TokenResponse>(state)
            .map(PyTokenResponse)
            .map_err(|e| PyTypeError::new_err(format!("not a tokenfetch TokenResponse state: {e}")))
    }

    #[getter]
    fn access_token(&self) -> &str {
        &self.0.access_token
    }
    #[getter]
    fn token_type(&self) -> &str {
        &self.0.token_type
    }
    #[getter]
    fn expires_in(&self) -> Option<u64> {
        self.0.expires_in
    }
    #[getter]
    fn refresh_token(&self) -> Option<&str> {
        self.0.refresh_token.as_deref()
    }
    #[getter]
    fn refresh_expires_in(&self) -> Option<u64> {
        self.0.refresh_expires_in
    }
    #[getter]
    fn id_token(&self) -> Option<&str> {
        self.0.id_token.as_deref()
    }
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.0.scope.as_deref()
    }
    #[getter]
    fn created_at(&self) -> Option<&str> {
        self.0.created_at.as_deref()
    }
    /// Every member the server sent that has no field of its own (a new dict each time).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.0.extra)
    }
    #[getter]
    fn expires_at(&self) -> Option<u64> {
        self.0.expires_at
    }
    /// The granted scopes as a list.
    #[getter]
    fn scopes(&self) -> Vec<String> {
        self.0.scopes().into_iter().map(str::to_string).collect()
    }

    /// `"Bearer <access_token>"`.
    fn authorization_header(&self) -> String {
        self.0.authorization_header()
    }

    /// The response in wire names. Contains the tokens: for storage you control, not logs.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &self.0.to_json_value())
    }

    fn to_json(&self) -> String {
        self.0.to_json()
    }

    fn __repr__(&self) -> String {
        let t = &self.0;
        format!(
            "TokenResponse(access_token='{REDACTED}', token_type='{}', expires_in={}, refresh_token={}, refresh_expires_in={}, id_token={}, scope={}, created_at={}, expires_at={}, extra_keys={:?})",
            t.token_type,
            repr_opt(&t.expires_in),
            repr_secret(&t.refresh_token),
            repr_opt(&t.refresh_expires_in),
            repr_secret(&t.id_token),
            repr_opt(&t.scope),
            repr_opt(&t.created_at),
            repr_opt(&t.expires_at),
            t.extra.keys().collect::<Vec<_>>(),
        )
        .replace('"', "'")
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let rebuild = slf.get_type().getattr("_from_state")?;
        Ok((rebuild, (slf.get().0.to_json(),)))
    }
}

/// The request as sent (credentials redacted).
#[pyclass(name = "HttpRequestMeta", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyHttpRequestMeta(pub HttpRequestMeta);

#[pymethods]
impl PyHttpRequestMeta {
    /// Rebuilds the value from its JSON state (used by pickle and `copy`).
    #[staticmethod]
    fn _from_state(state: &str) -> PyResult<Self> {
        serde_json::from_str::<HttpRequestMeta>(state)
            .map(PyHttpRequestMeta)
            .map_err(|e| PyTypeError::new_err(format!("not a tokenfetch HttpRequestMeta state: {e}")))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let rebuild = slf.get_type().getattr("_from_state")?;
        Ok((rebuild, (serde_json::to_string(&slf.get().0).unwrap_or_default(),)))
    }

    #[getter]
    fn method(&self) -> &str {
        &self.0.method
    }
    #[getter]
    fn url(&self) -> &str {
        &self.0.url
    }
    #[getter]
    fn headers(&self) -> BTreeMap<String, String> {
        self.0.headers.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "HttpRequestMeta(method='{}', url='{}', headers={:?})",
            self.0.method, self.0.url, self.0.headers
        )
    }
}

/// The response as received (secret members of the body redacted).
#[pyclass(name = "HttpResponseMeta", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyHttpResponseMeta(pub HttpResponseMeta);

#[pymethods]
impl PyHttpResponseMeta {
    /// Rebuilds the value from its JSON state (used by pickle and `copy`).
    #[staticmethod]
    fn _from_state(state: &str) -> PyResult<Self> {
        serde_json::from_str::<HttpResponseMeta>(state)
            .map(PyHttpResponseMeta)
            .map_err(|e| PyTypeError::new_err(format!("not a tokenfetch HttpResponseMeta state: {e}")))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let rebuild = slf.get_type().getattr("_from_state")?;
        Ok((rebuild, (serde_json::to_string(&slf.get().0).unwrap_or_default(),)))
    }

    #[getter]
    fn status(&self) -> u16 {
        self.0.status
    }
    #[getter]
    fn headers(&self) -> BTreeMap<String, String> {
        self.0.headers.clone()
    }
    #[getter]
    fn body(&self) -> &str {
        &self.0.body
    }
    #[getter]
    fn body_truncated(&self) -> bool {
        self.0.body_truncated
    }
    /// Seconds from sending the request to having read the body.
    #[getter]
    fn elapsed(&self) -> f64 {
        self.0.elapsed_ms as f64 / 1000.0
    }
    #[getter]
    fn elapsed_ms(&self) -> u64 {
        self.0.elapsed_ms
    }
    fn __repr__(&self) -> String {
        format!(
            "HttpResponseMeta(status={}, elapsed_ms={}, body_bytes={}, body_truncated={})",
            self.0.status,
            self.0.elapsed_ms,
            self.0.body.len(),
            if self.0.body_truncated { "True" } else { "False" }
        )
    }
}

/// The HTTP exchange behind a token request, safe to log.
#[pyclass(name = "HttpMetadata", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyHttpMetadata(pub HttpMetadata);

impl From<HttpMetadata> for PyHttpMetadata {
    fn from(m: HttpMetadata) -> Self {
        PyHttpMetadata(m)
    }
}

#[pymethods]
impl PyHttpMetadata {
    /// Rebuilds the value from its JSON state (used by pickle and `copy`).
    #[staticmethod]
    fn _from_state(state: &str) -> PyResult<Self> {
        serde_json::from_str::<HttpMetadata>(state)
            .map(PyHttpMetadata)
            .map_err(|e| PyTypeError::new_err(format!("not a tokenfetch HttpMetadata state: {e}")))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        let rebuild = slf.get_type().getattr("_from_state")?;
        Ok((rebuild, (serde_json::to_string(&slf.get().0).unwrap_or_default(),)))
    }

    #[getter]
    fn request(&self) -> PyHttpRequestMeta {
        PyHttpRequestMeta(self.0.request.clone())
    }
    #[getter]
    fn response(&self) -> Option<PyHttpResponseMeta> {
        self.0.response.clone().map(PyHttpResponseMeta)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json_to_py(py, &serde_json::to_value(&self.0).unwrap_or(Value::Null))
    }
    fn __repr__(&self) -> String {
        let response = self
            .0
            .response
            .as_ref()
            .map(|r| PyHttpResponseMeta(r.clone()).__repr__())
            .unwrap_or_else(|| "None".into());
        format!(
            "HttpMetadata(request={}, response={response})",
            PyHttpRequestMeta(self.0.request.clone()).__repr__()
        )
    }
}

/// One token request as sent and answered (the seeds' `V3TokenRequestResponse`).
#[pyclass(name = "TokenRequestResponse", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyTokenRequestResponse(pub TokenRequestResponse);

impl From<TokenRequestResponse> for PyTokenRequestResponse {
    fn from(r: TokenRequestResponse) -> Self {
        PyTokenRequestResponse(r)
    }
}

#[pymethods]
impl PyTokenRequestResponse {
    #[getter]
    fn http_meta(&self) -> PyHttpMetadata {
        self.0.http_meta.clone().into()
    }
    #[getter]
    fn token_response(&self) -> Option<PyTokenResponse> {
        self.0.token_response.clone().map(PyTokenResponse)
    }
    /// The seeds' name for `token_response`.
    #[getter]
    fn v3_token_response(&self) -> Option<PyTokenResponse> {
        self.token_response()
    }
    fn __repr__(&self) -> String {
        let token = self
            .token_response()
            .map(|t| t.__repr__())
            .unwrap_or_else(|| "None".into());
        format!(
            "TokenRequestResponse(http_meta={}, token_response={token})",
            self.http_meta().__repr__()
        )
    }
}

/// `repr()` of a Python string (single quotes, as the other reprs here write them).
fn repr_str(value: &str) -> String {
    format!("{value:?}").replace('"', "'")
}

/// `repr()` of a Python bool.
fn repr_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// What an authorization server says about itself (RFC 8414 / OpenID Connect discovery), as
/// `TokenClient.discover` read it. Immutable.
#[pyclass(name = "ServerMetadata", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyServerMetadata(pub ServerMetadata);

impl From<ServerMetadata> for PyServerMetadata {
    fn from(m: ServerMetadata) -> Self {
        PyServerMetadata(m)
    }
}

#[pymethods]
impl PyServerMetadata {
    #[getter]
    fn issuer(&self) -> &str {
        &self.0.issuer
    }
    #[getter]
    fn authorization_endpoint(&self) -> Option<&str> {
        self.0.authorization_endpoint.as_deref()
    }
    #[getter]
    fn token_endpoint(&self) -> &str {
        &self.0.token_endpoint
    }
    #[getter]
    fn device_authorization_endpoint(&self) -> Option<&str> {
        self.0.device_authorization_endpoint.as_deref()
    }
    #[getter]
    fn revocation_endpoint(&self) -> Option<&str> {
        self.0.revocation_endpoint.as_deref()
    }
    #[getter]
    fn introspection_endpoint(&self) -> Option<&str> {
        self.0.introspection_endpoint.as_deref()
    }
    #[getter]
    fn jwks_uri(&self) -> Option<&str> {
        self.0.jwks_uri.as_deref()
    }
    /// Empty when the server does not say (RFC 8414 then means `client_secret_basic`).
    #[getter]
    fn token_endpoint_auth_methods_supported(&self) -> Vec<String> {
        self.0.token_endpoint_auth_methods_supported.clone()
    }
    #[getter]
    fn code_challenge_methods_supported(&self) -> Vec<String> {
        self.0.code_challenge_methods_supported.clone()
    }
    #[getter]
    fn grant_types_supported(&self) -> Vec<String> {
        self.0.grant_types_supported.clone()
    }
    #[getter]
    fn scopes_supported(&self) -> Vec<String> {
        self.0.scopes_supported.clone()
    }
    /// RFC 9207: the server adds `iss` to every authorization response.
    #[getter]
    fn authorization_response_iss_parameter_supported(&self) -> bool {
        self.0.authorization_response_iss_parameter_supported
    }
    /// Every other member of the document, as the server sent it (a new dict each time).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.0.extra)
    }
    fn __repr__(&self) -> String {
        let m = &self.0;
        format!(
            "ServerMetadata(issuer={}, token_endpoint={}, authorization_endpoint={}, device_authorization_endpoint={}, revocation_endpoint={}, introspection_endpoint={}, extra_keys={:?})",
            repr_str(&m.issuer),
            repr_str(&m.token_endpoint),
            repr_opt(&m.authorization_endpoint),
            repr_opt(&m.device_authorization_endpoint),
            repr_opt(&m.revocation_endpoint),
            repr_opt(&m.introspection_endpoint),
            m.extra.keys().collect::<Vec<_>>(),
        )
        .replace('"', "'")
    }
}

/// What the server says about a token (RFC 7662), from `TokenClient.introspect`. A revoked,
/// expired or unknown token has `active == False` and nothing else. Immutable.
#[pyclass(name = "Introspection", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyIntrospection(pub Introspection);

impl From<Introspection> for PyIntrospection {
    fn from(i: Introspection) -> Self {
        PyIntrospection(i)
    }
}

#[pymethods]
impl PyIntrospection {
    #[getter]
    fn active(&self) -> bool {
        self.0.active
    }
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.0.scope.as_deref()
    }
    #[getter]
    fn client_id(&self) -> Option<&str> {
        self.0.client_id.as_deref()
    }
    #[getter]
    fn username(&self) -> Option<&str> {
        self.0.username.as_deref()
    }
    #[getter]
    fn token_type(&self) -> Option<&str> {
        self.0.token_type.as_deref()
    }
    /// Expiry, in epoch seconds.
    #[getter]
    fn exp(&self) -> Option<u64> {
        self.0.exp
    }
    /// Issue time, in epoch seconds.
    #[getter]
    fn iat(&self) -> Option<u64> {
        self.0.iat
    }
    /// Not-before time, in epoch seconds.
    #[getter]
    fn nbf(&self) -> Option<u64> {
        self.0.nbf
    }
    #[getter]
    fn sub(&self) -> Option<&str> {
        self.0.sub.as_deref()
    }
    /// The audiences; a single string from the server is a list of one.
    #[getter]
    fn aud(&self) -> Vec<String> {
        self.0.aud.clone()
    }
    #[getter]
    fn iss(&self) -> Option<&str> {
        self.0.iss.as_deref()
    }
    #[getter]
    fn jti(&self) -> Option<&str> {
        self.0.jti.as_deref()
    }
    /// Every other member, as the server sent it (a new dict each time).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.0.extra)
    }
    fn __repr__(&self) -> String {
        let i = &self.0;
        format!(
            "Introspection(active={}, scope={}, client_id={}, username={}, token_type={}, exp={}, iat={}, nbf={}, sub={}, aud={:?}, iss={}, jti={}, extra_keys={:?})",
            repr_bool(i.active),
            repr_opt(&i.scope),
            repr_opt(&i.client_id),
            repr_opt(&i.username),
            repr_opt(&i.token_type),
            repr_opt(&i.exp),
            repr_opt(&i.iat),
            repr_opt(&i.nbf),
            repr_opt(&i.sub),
            i.aud,
            repr_opt(&i.iss),
            repr_opt(&i.jti),
            i.extra.keys().collect::<Vec<_>>(),
        )
        .replace('"', "'")
    }
}

/// The codes of a device flow (RFC 8628 §3.2), from `TokenClient.device_authorization`: show
/// the user `verification_uri` and `user_code` (or `verification_uri_complete`), then pass
/// this object to `poll_device_token`. `device_code` is a secret: `repr()` never shows it.
#[pyclass(name = "DeviceAuthorization", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyDeviceAuthorization(pub DeviceAuthorization);

impl From<DeviceAuthorization> for PyDeviceAuthorization {
    fn from(a: DeviceAuthorization) -> Self {
        PyDeviceAuthorization(a)
    }
}

#[pymethods]
impl PyDeviceAuthorization {
    /// The code the device polls with. Secret.
    #[getter]
    fn device_code(&self) -> &str {
        &self.0.device_code
    }
    /// The code the user types in.
    #[getter]
    fn user_code(&self) -> &str {
        &self.0.user_code
    }
    /// Where the user goes to type it.
    #[getter]
    fn verification_uri(&self) -> &str {
        &self.0.verification_uri
    }
    /// The same page with the code filled in, for a QR code or a link.
    #[getter]
    fn verification_uri_complete(&self) -> Option<&str> {
        self.0.verification_uri_complete.as_deref()
    }
    /// Lifetime of both codes, in seconds.
    #[getter]
    fn expires_in(&self) -> u64 {
        self.0.expires_in
    }
    /// Seconds to wait between polls; 5 when the server names none.
    #[getter]
    fn interval(&self) -> u64 {
        self.0.interval
    }
    /// When the codes expire, in epoch seconds.
    #[getter]
    fn expires_at(&self) -> u64 {
        self.0.expires_at
    }
    /// Every other member, as the server sent it (a new dict each time).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.0.extra)
    }
    /// Whether the codes have expired, by this machine's clock.
    fn is_expired(&self) -> bool {
        self.0.is_expired()
    }
    fn __repr__(&self) -> String {
        let a = &self.0;
        format!(
            "DeviceAuthorization(device_code='{REDACTED}', user_code={}, verification_uri={}, verification_uri_complete={}, expires_in={}, interval={}, expires_at={}, extra_keys={:?})",
            repr_str(&a.user_code),
            repr_str(&a.verification_uri),
            repr_opt(&a.verification_uri_complete),
            a.expires_in,
            a.interval,
            a.expires_at,
            a.extra.keys().collect::<Vec<_>>(),
        )
        .replace('"', "'")
    }
}

/// A PKCE pair (RFC 7636): the secret `verifier` the client keeps, and the S256 `challenge`
/// it sends in the authorization URL. `repr()` never shows the verifier.
#[pyclass(name = "Pkce", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyPkce(pub Pkce);

impl From<Pkce> for PyPkce {
    fn from(p: Pkce) -> Self {
        PyPkce(p)
    }
}

#[pymethods]
impl PyPkce {
    /// A fresh pair: a 43-character verifier from the operating system's CSPRNG.
    #[staticmethod]
    fn generate() -> Result<Self, BindingError> {
        Ok(tokenfetch::error::catch_panic(Pkce::generate)?.into())
    }

    /// The pair for a verifier you chose: 43 to 128 letters, digits or `-._~`, else
    /// `ConfigError` (which never quotes the verifier).
    #[staticmethod]
    fn from_verifier(verifier: String) -> Result<Self, BindingError> {
        Ok(tokenfetch::error::catch_panic(|| Pkce::from_verifier(verifier))?.into())
    }

    /// The secret sent with the authorization code (`code_verifier`).
    #[getter]
    fn verifier(&self) -> &str {
        self.0.verifier()
    }
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization URL (`code_challenge`).
    #[getter]
    fn challenge(&self) -> &str {
        self.0.challenge()
    }
    /// Always `"S256"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method()
    }
    fn __repr__(&self) -> String {
        format!(
            "Pkce(verifier='{REDACTED}', challenge={}, method={})",
            repr_str(self.0.challenge()),
            repr_str(self.0.method())
        )
    }
}

/// An authorization URL and what to keep until the user comes back, from
/// `TokenClient.authorization_url`: pass `state` to `parse_callback` and `pkce.verifier` to
/// `authorization_code`. `repr()` never shows the verifier.
#[pyclass(name = "AuthorizationRequest", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyAuthorizationRequest(pub AuthorizationRequest);

impl From<AuthorizationRequest> for PyAuthorizationRequest {
    fn from(r: AuthorizationRequest) -> Self {
        PyAuthorizationRequest(r)
    }
}

#[pymethods]
impl PyAuthorizationRequest {
    /// The URL to send the user's browser to.
    #[getter]
    fn url(&self) -> &str {
        &self.0.url
    }
    /// Compare it with the callback's (`parse_callback` does).
    #[getter]
    fn state(&self) -> &str {
        &self.0.state
    }
    #[getter]
    fn nonce(&self) -> Option<&str> {
        self.0.nonce.as_deref()
    }
    /// Its verifier goes with the code to the token endpoint.
    #[getter]
    fn pkce(&self) -> PyPkce {
        PyPkce(self.0.pkce.clone())
    }
    #[getter]
    fn redirect_uri(&self) -> &str {
        &self.0.redirect_uri
    }
    fn __repr__(&self) -> String {
        let r = &self.0;
        format!(
            "AuthorizationRequest(url={}, state={}, nonce={}, pkce={}, redirect_uri={})",
            repr_str(&r.url),
            repr_str(&r.state),
            repr_opt(&r.nonce),
            PyPkce(r.pkce.clone()).__repr__(),
            repr_str(&r.redirect_uri),
        )
    }
}

/// Stops a `poll_device_token` from another thread: `cancel()` wakes a poll waiting out its
/// interval at once (one mid-request stops when that request returns), and the poll raises
/// `OperationCancelledError`. Once cancelled, it stays cancelled.
#[pyclass(name = "CancelToken", module = "tokenfetch", frozen)]
#[derive(Clone, Default)]
pub struct PyCancelToken(pub CancelToken);

impl From<CancelToken> for PyCancelToken {
    fn from(t: CancelToken) -> Self {
        PyCancelToken(t)
    }
}

#[pymethods]
impl PyCancelToken {
    #[new]
    fn new() -> Self {
        Self::default()
    }
    /// Cancels every poll using this token; safe from any thread, and more than once.
    fn cancel(&self) {
        self.0.cancel()
    }
    #[getter]
    fn cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
    fn __repr__(&self) -> String {
        format!("CancelToken(cancelled={})", repr_bool(self.0.is_cancelled()))
    }
}

/// `key=` of a store as Python users hold it: 32 raw bytes (`os.urandom(32)`), or text,
/// which is their base64 (`openssl rand -base64 32`) and never the key's bytes themselves.
#[derive(FromPyObject)]
pub enum StoreKey {
    Raw(Vec<u8>),
    Text(String),
}

impl StoreKey {
    fn into_key(self) -> tokenfetch::Result<EntryKey> {
        match self {
            StoreKey::Raw(bytes) => EntryKey::new(&bytes),
            StoreKey::Text(text) => EntryKey::from_base64(&text),
        }
    }
}

fn into_keys(keys: Vec<StoreKey>) -> tokenfetch::Result<Vec<EntryKey>> {
    keys.into_iter().map(StoreKey::into_key).collect()
}

/// A directory that managers of several processes on one machine share tokens through.
/// Immutable; `repr()` shows the directory and whether entries are sealed, never the key.
#[pyclass(name = "FileStore", module = "tokenfetch", frozen)]
pub struct PyFileStore {
    pub choice: StoreChoice,
    directory: PathBuf,
}

#[pymethods]
impl PyFileStore {
    /// Opens (creating it, mode 0700, when missing) the store directory now, so a path that
    /// cannot be one fails here rather than at the first fetch.
    #[new]
    #[pyo3(signature = (directory, *, key=None, previous_keys=Vec::new()))]
    fn new(directory: PathBuf, key: Option<StoreKey>, previous_keys: Vec<StoreKey>) -> Result<Self, BindingError> {
        let key = key.map(StoreKey::into_key).transpose()?;
        let previous = into_keys(previous_keys)?;
        let choice = tokenfetch::error::catch_panic(|| {
            StoreChoice::file(directory.clone(), key).and_then(|c| c.with_previous_keys(previous))
        })?;
        Ok(PyFileStore { choice, directory })
    }

    #[getter]
    fn directory(&self) -> PathBuf {
        self.directory.clone()
    }

    /// Whether entries are sealed with a key (AES-256-GCM).
    #[getter]
    fn sealed(&self) -> bool {
        self.choice.key.is_some()
    }

    fn __repr__(&self) -> String {
        format!(
            "FileStore({}, sealed={})",
            repr_str(&self.directory.to_string_lossy()),
            repr_bool(self.sealed())
        )
    }
}

/// A Redis that managers on many machines share tokens through. Immutable; `repr()` shows the
/// URL without its user, password or query values, and never the key.
#[pyclass(name = "RedisStore", module = "tokenfetch", frozen)]
pub struct PyRedisStore {
    pub choice: StoreChoice,
    /// The URL as it may be shown.
    url: String,
    timeout: Duration,
}

#[pymethods]
impl PyRedisStore {
    /// Checks the URL now; the connection is made at the first use, so a Redis that is down
    /// does not stop a program from starting (its managers fetch alone meanwhile).
    #[new]
    #[pyo3(signature = (url, *, key=None, timeout=None, previous_keys=Vec::new(), allow_insecure=false))]
    fn new(
        url: &str,
        key: Option<StoreKey>,
        #[pyo3(from_py_with = optional_real)] timeout: Option<f64>,
        previous_keys: Vec<StoreKey>,
        allow_insecure: bool,
    ) -> Result<Self, BindingError> {
        let key = key.map(StoreKey::into_key).transpose()?;
        let previous = into_keys(previous_keys)?;
        // Checked here, under the name Python spells it, before the core checks it again.
        let timeout = timeout
            .map(|secs| tokenfetch::options::STORE_TIMEOUT.duration_from_secs("timeout", secs))
            .transpose()?;
        let choice = tokenfetch::error::catch_panic(|| {
            StoreChoice::redis(url, key, timeout, allow_insecure).and_then(|c| c.with_previous_keys(previous))
        })?;
        let timeout = timeout.unwrap_or(tokenfetch::store::DEFAULT_STORE_TIMEOUT);
        // The core accepted the URL, so it parses; the fallback never shows anything.
        let url = Url::parse(url.trim())
            .map(|parsed| display_url(&parsed))
            .unwrap_or_else(|_| REDACTED.to_string());
        Ok(PyRedisStore { choice, url, timeout })
    }

    /// The URL without its user, password or query values.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// Seconds each Redis command (and connecting) may take before the manager fetches alone.
    #[getter]
    fn timeout(&self) -> f64 {
        self.timeout.as_secs_f64()
    }

    /// Whether entries are sealed with a key (AES-256-GCM).
    #[getter]
    fn sealed(&self) -> bool {
        self.choice.key.is_some()
    }

    fn __repr__(&self) -> String {
        format!(
            "RedisStore({}, timeout={}, sealed={})",
            repr_str(&self.url),
            py_float(self.timeout()),
            repr_bool(self.sealed())
        )
    }
}

/// `store=` of a manager: either store class.
pub fn store_choice(value: &Bound<'_, PyAny>) -> PyResult<Option<StoreChoice>> {
    if value.is_none() {
        Ok(None)
    } else if let Ok(file) = value.cast::<PyFileStore>() {
        Ok(Some(file.get().choice.clone()))
    } else if let Ok(redis) = value.cast::<PyRedisStore>() {
        Ok(Some(redis.get().choice.clone()))
    } else {
        Err(PyTypeError::new_err(format!(
            "store must be a tokenfetch.FileStore or tokenfetch.RedisStore, not {}",
            value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        )))
    }
}

/// A float as Python's `repr()` writes it (`0.5`, `2.0`).
fn py_float(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e16 {
        format!("{value:.1}")
    } else {
        format!("{value}")
    }
}

/// `on_token=` of a manager: the Python callable, in a slot the garbage collector can see
/// and empty. A callback often refers back to its manager (a bound method of the object that
/// holds it), and that cycle is only collectable if the manager reports the reference.
#[derive(Default)]
pub struct TokenCallback {
    slot: Mutex<Option<Py<PyAny>>>,
}

impl TokenCallback {
    /// `None` for Python's `None`; a `TypeError` for anything that cannot be called.
    pub fn from_py(value: Option<Bound<'_, PyAny>>) -> PyResult<Option<Arc<TokenCallback>>> {
        match value {
            None => Ok(None),
            Some(v) if v.is_none() => Ok(None),
            Some(v) if v.is_callable() => Ok(Some(Arc::new(TokenCallback {
                slot: Mutex::new(Some(v.unbind())),
            }))),
            Some(v) => Err(PyTypeError::new_err(format!(
                "on_token must be callable (it is given each fetched TokenResponse), not {}",
                v.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))),
        }
    }

    /// The core's callback: runs on the thread that fetched, which released the GIL for the
    /// fetch and takes it back here. An exception goes to `sys.unraisablehook`: the token was
    /// fetched, and the caller asking for it must get it.
    pub fn on_token(self: &Arc<Self>) -> OnToken {
        let this = Arc::clone(self);
        Arc::new(move |token: &TokenResponse| {
            Python::attach(|py| {
                // Cloned out of the slot so the lock is not held while Python code runs.
                let Some(callback) = this.callable(py) else { return };
                if let Err(e) = callback.call1(py, (PyTokenResponse(token.clone()),)) {
                    e.write_unraisable(py, Some(callback.bind(py)));
                }
            })
        })
    }

    fn callable(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        let slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.as_ref().map(|c| c.clone_ref(py))
    }

    /// For the manager's `__traverse__`. Every user of the slot holds the GIL, which the
    /// collector holds too, so the lock is free; `try_lock` only guards against blocking in
    /// the collector if that ever changed.
    pub fn traverse(&self, visit: &PyVisit<'_>) -> Result<(), PyTraverseError> {
        if let Ok(slot) = self.slot.try_lock() {
            visit.call(slot.as_ref())?;
        }
        Ok(())
    }

    /// For the manager's `__clear__`: later tokens are no longer announced, which is fine
    /// since only an unreachable manager is cleared.
    pub fn clear(&self) {
        let taken = self.slot.lock().unwrap_or_else(PoisonError::into_inner).take();
        // Dropped once the lock is released: the callable's finaliser may run Python code.
        drop(taken);
    }
}
