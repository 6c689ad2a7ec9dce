//! `IdTokenClaims` and `validate_id_token`, mirroring `core/src/id_token`.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenfetch::id_token::{self, ValidationOptions};
use tokenfetch::IdTokenClaims;

use crate::convert::{json_to_py, map_to_py, optional_real, shown};
use crate::error::BindingError;

/// The claims of a validated ID token. The protocol claims are attributes; every other claim
/// (`name`, `email`, a provider's own) is in `extra`. `sub` with `iss` is the stable key for a
/// user. Immutable.
#[pyclass(name = "IdTokenClaims", module = "tokenfetch", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyIdTokenClaims(pub IdTokenClaims);

#[pymethods]
impl PyIdTokenClaims {
    /// Reads back what `to_json()` wrote (a session). Nothing is validated: give it only claims
    /// your app validated and stored itself.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self, BindingError> {
        Ok(PyIdTokenClaims(tokenfetch::error::catch_panic(|| {
            IdTokenClaims::from_json(text)
        })?))
    }
    #[getter]
    fn iss(&self) -> &str {
        &self.0.iss
    }
    #[getter]
    fn sub(&self) -> &str {
        &self.0.sub
    }
    /// The audiences, always a list.
    #[getter]
    fn aud(&self) -> Vec<String> {
        self.0.aud.clone()
    }
    /// Expiry, epoch seconds.
    #[getter]
    fn exp(&self) -> u64 {
        self.0.exp
    }
    /// Issued at, epoch seconds.
    #[getter]
    fn iat(&self) -> u64 {
        self.0.iat
    }
    /// When the user authenticated, epoch seconds.
    #[getter]
    fn auth_time(&self) -> Option<u64> {
        self.0.auth_time
    }
    #[getter]
    fn nonce(&self) -> Option<&str> {
        self.0.nonce.as_deref()
    }
    #[getter]
    fn acr(&self) -> Option<&str> {
        self.0.acr.as_deref()
    }
    #[getter]
    fn amr(&self) -> Vec<String> {
        self.0.amr.clone()
    }
    #[getter]
    fn azp(&self) -> Option<&str> {
        self.0.azp.as_deref()
    }
    #[getter]
    fn sid(&self) -> Option<&str> {
        self.0.sid.as_deref()
    }
    /// Every other claim (a new dict each time).
    #[getter]
    fn extra<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.0.extra)
    }
    /// Every claim as one dict, as the token carried them.
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
}

/// Validates an ID token with a JWK Set you already hold (`jwks`, the document as text), with
/// no network: for a token that arrived some other way. A client validates its own answers
/// itself, reading and caching the issuer's JWKS. `max_age` and `clock_skew` are seconds,
/// `now` epoch seconds (default: the current time); `algorithms` defaults to RS256, PS256,
/// ES256 and EdDSA. A failure raises `IdTokenError`, whose `id_token_check` names the check.
#[pyfunction]
#[pyo3(signature = (token, *, jwks, issuer, client_id, nonce=None, max_age=None, access_token=None, code=None, clock_skew=None, algorithms=None, client_secret=None, now=None))]
#[allow(clippy::too_many_arguments)]
pub fn validate_id_token(
    py: Python<'_>,
    token: &str,
    jwks: &str,
    issuer: &str,
    client_id: &str,
    nonce: Option<String>,
    #[pyo3(from_py_with = optional_real)] max_age: Option<f64>,
    access_token: Option<String>,
    code: Option<String>,
    #[pyo3(from_py_with = optional_real)] clock_skew: Option<f64>,
    algorithms: Option<Vec<String>>,
    client_secret: Option<String>,
    #[pyo3(from_py_with = optional_real)] now: Option<f64>,
) -> Result<PyIdTokenClaims, BindingError> {
    let claims = py.detach(|| {
        tokenfetch::error::catch_panic(|| {
            let options = ValidationOptions {
                nonce,
                max_age: max_age
                    .map(|s| tokenfetch::options::MAX_AGE.duration_from_secs("max_age", s))
                    .transpose()?,
                access_token,
                code,
                clock_skew: clock_skew
                    .map(|s| tokenfetch::options::CLOCK_SKEW.duration_from_secs("clock_skew", s))
                    .transpose()?,
                algorithms: algorithms
                    .map(|names| names.iter().map(|n| n.parse()).collect::<tokenfetch::Result<Vec<_>>>())
                    .transpose()?,
                client_secret,
                now: now.map(|t| tokenfetch::options::epoch_seconds("now", t)).transpose()?,
                previous: None,
            };
            id_token::validate_with_jwks(token, jwks, issuer, client_id, &options)
        })
    })?;
    Ok(PyIdTokenClaims(claims))
}
