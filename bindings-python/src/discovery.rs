//! `ServerMetadata`, mirroring `core/src/discovery.rs`.

use crate::convert::{map_to_py, shown};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenfetch::ServerMetadata;

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
        shown(&self.0)
    }
}
