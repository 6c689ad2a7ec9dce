//! The Python exception hierarchy: `TokenFetchError` and one subclass per error kind.
//!
//! Each exception carries `.kind`, `.status`, `.error`, `.error_description`, `.error_uri`
//! and `.http_meta`. The subclasses also carry their `kind` as a class attribute, so
//! `except tokenfetch.OAuthError` and `if e.kind == "oauth"` agree.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use tokenfetch::{Error, ErrorKind};

use crate::convert::PyHttpMetadata;

create_exception!(
    tokenfetch,
    TokenFetchError,
    PyException,
    "Base class of every tokenfetch error. `.kind` is one of the contract's stable strings."
);
create_exception!(
    tokenfetch,
    OAuthError,
    TokenFetchError,
    "The server answered with an OAuth error body (any status, 200 included)."
);
create_exception!(
    tokenfetch,
    HttpStatusError,
    TokenFetchError,
    "A non-2xx answer without a recognisable error body."
);
create_exception!(
    tokenfetch,
    DecodeError,
    TokenFetchError,
    "A 2xx answer that is not a usable token response."
);
create_exception!(
    tokenfetch,
    ResponseTooLargeError,
    TokenFetchError,
    "The response body was larger than the configured cap."
);
create_exception!(
    tokenfetch,
    TimeoutError,
    TokenFetchError,
    "The connect or overall deadline passed."
);
create_exception!(
    tokenfetch,
    TransportError,
    TokenFetchError,
    "DNS, connect, TLS or a broken connection."
);
create_exception!(
    tokenfetch,
    ConfigError,
    TokenFetchError,
    "The client was configured wrongly; the message says what to fix."
);
create_exception!(
    tokenfetch,
    CancelledError,
    TokenFetchError,
    "The call was cancelled (a device flow poll) before it finished."
);

/// A core error on its way to Python. Binding methods return `Result<T, BindingError>`.
pub struct BindingError(pub Error);

impl From<Error> for BindingError {
    fn from(e: Error) -> Self {
        BindingError(e)
    }
}

impl From<BindingError> for PyErr {
    fn from(BindingError(error): BindingError) -> PyErr {
        let message = error.to_string();
        let err = match error.kind() {
            ErrorKind::OAuth => OAuthError::new_err(message),
            ErrorKind::HttpStatus => HttpStatusError::new_err(message),
            ErrorKind::Decode => DecodeError::new_err(message),
            ErrorKind::ResponseTooLarge => ResponseTooLargeError::new_err(message),
            ErrorKind::Timeout => TimeoutError::new_err(message),
            ErrorKind::Transport => TransportError::new_err(message),
            ErrorKind::Config => ConfigError::new_err(message),
            ErrorKind::Cancelled => CancelledError::new_err(message),
        };
        Python::attach(|py| {
            // Attribute setting on a fresh exception instance cannot fail in practice; if it
            // did, the exception still raises with its message and class.
            let _ = annotate(py, &err, &error);
        });
        err
    }
}

fn annotate(py: Python<'_>, err: &PyErr, error: &Error) -> PyResult<()> {
    let value = err.value(py);
    let oauth = error.oauth();
    value.setattr("kind", error.kind().as_str())?;
    value.setattr("status", error.status())?;
    value.setattr("error", oauth.map(|o| o.error.clone()))?;
    value.setattr("error_description", oauth.and_then(|o| o.error_description.clone()))?;
    value.setattr("error_uri", oauth.and_then(|o| o.error_uri.clone()))?;
    let meta = error.http_meta().cloned().map(PyHttpMetadata::from);
    value.setattr("http_meta", meta)?;
    Ok(())
}

/// Adds the classes to the module, with class-level defaults so that `.kind`, `.status`, ...
/// exist even on an exception a user raises themselves.
pub fn register(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    let base = py.get_type::<TokenFetchError>();
    for attr in ["kind", "status", "error", "error_description", "error_uri", "http_meta"] {
        base.setattr(attr, py.None())?;
    }
    m.add("TokenFetchError", &base)?;
    let kinds = [
        (py.get_type::<OAuthError>(), ErrorKind::OAuth, "OAuthError"),
        (
            py.get_type::<HttpStatusError>(),
            ErrorKind::HttpStatus,
            "HttpStatusError",
        ),
        (py.get_type::<DecodeError>(), ErrorKind::Decode, "DecodeError"),
        (
            py.get_type::<ResponseTooLargeError>(),
            ErrorKind::ResponseTooLarge,
            "ResponseTooLargeError",
        ),
        (py.get_type::<TimeoutError>(), ErrorKind::Timeout, "TimeoutError"),
        (py.get_type::<TransportError>(), ErrorKind::Transport, "TransportError"),
        (py.get_type::<ConfigError>(), ErrorKind::Config, "ConfigError"),
        (py.get_type::<CancelledError>(), ErrorKind::Cancelled, "CancelledError"),
    ];
    for (class, kind, name) in kinds {
        class.setattr("kind", kind.as_str())?;
        m.add(name, class)?;
    }
    Ok(())
}
