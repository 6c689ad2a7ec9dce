//! `Introspection`, mirroring `core/src/introspection.rs`.

use crate::convert::{map_to_py, shown};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenfetch::Introspection;

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
        shown(&self.0)
    }
}
