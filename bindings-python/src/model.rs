//! The token models (`TokenResponse`, `TokenRequestResponse`, `HttpMetadata` and its parts),
//! mirroring `core/src/model.rs`, and `parse_response`, the core's `parse_response`.

use std::collections::BTreeMap;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde_json::{Map, Value};
use tokenfetch::{HttpMetadata, HttpRequestMeta, HttpResponseMeta, TokenRequestResponse, TokenResponse};

use crate::convert::{json_to_py, map_to_py, optional_real, py_to_json, real, shown, Params};
use crate::error::BindingError;

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
        tokenfetch::parse_response(status, &headers, body, received_at, limit)
    })?;
    Ok(token.into())
}

/// What pickle keeps of a `TokenResponse`: its `to_json()` and its validated claims' JSON.
type TokenState = (String, Option<String>);

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
            // Claims are the core's to give, once it validated the ID token.
            id_token_claims: None,
        }))
    }

    /// Parses a token response body (JSON or form-encoded) with the same leniency as a fetch.
    #[staticmethod]
    fn from_json(body: &str) -> Result<Self, BindingError> {
        Ok(tokenfetch::error::catch_panic(|| TokenResponse::from_json(body))?.into())
    }

    /// Rebuilds a response from `to_json()` output and its validated claims' JSON exactly
    /// (used by pickle).
    #[staticmethod]
    #[pyo3(signature = (state, claims=None))]
    fn _from_state(state: &str, claims: Option<&str>) -> PyResult<Self> {
        let mut token = serde_json::from_str::<TokenResponse>(state)
            .map_err(|e| PyTypeError::new_err(format!("not a tokenfetch TokenResponse state: {e}")))?;
        token.id_token_claims = claims
            .map(tokenfetch::IdTokenClaims::from_json)
            .transpose()
            .map_err(|e| PyTypeError::new_err(format!("not a tokenfetch IdTokenClaims state: {e}")))?;
        Ok(PyTokenResponse(token))
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
    /// The claims of `id_token`, once the client validated it against its issuer's keys
    /// (issuer, audience, expiry, nonce...). None without an ID token, from a client that does
    /// not validate them (no issuer or JWKS), and on a response built or parsed by hand.
    #[getter]
    fn id_token_claims(&self) -> Option<crate::id_token::PyIdTokenClaims> {
        self.0.id_token_claims.clone().map(crate::id_token::PyIdTokenClaims)
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
        shown(&self.0)
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, TokenState)> {
        let rebuild = slf.get_type().getattr("_from_state")?;
        let token = &slf.get().0;
        Ok((
            rebuild,
            (token.to_json(), token.id_token_claims.as_ref().map(|c| c.to_json())),
        ))
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
