//! `Pkce` and `AuthorizationRequest`, the authorization code flow's front channel,
//! mirroring `core/src/authorize.rs`.

use pyo3::prelude::*;
use tokenfetch::{AuthorizationRequest, Pkce};

use crate::convert::shown;
use crate::error::BindingError;

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
        shown(&self.0)
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
    /// The `max_age` sent, in seconds.
    #[getter]
    fn max_age(&self) -> Option<u64> {
        self.0.max_age.map(|d| d.as_secs())
    }
    /// The reference the server gave a pushed request's parameters (RFC 9126), which `url`
    /// carries instead of them; None when they are in the URL.
    #[getter]
    fn request_uri(&self) -> Option<&str> {
        self.0.request_uri.as_deref()
    }
    /// The one value a web app keeps between the steps of a sign-in (state, nonce, PKCE
    /// verifier, redirect URI) as JSON text. It holds the verifier, a secret: keep it in the
    /// server-side session or an encrypted cookie.
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    /// Reads back what `to_json()` wrote.
    #[staticmethod]
    fn from_json(text: &str) -> Result<Self, BindingError> {
        Ok(PyAuthorizationRequest(tokenfetch::error::catch_panic(|| {
            AuthorizationRequest::from_json(text)
        })?))
    }
    fn __repr__(&self) -> String {
        shown(&self.0)
    }
}
