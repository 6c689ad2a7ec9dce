//! The Python exception hierarchy: `TokenFetchError` and one subclass per error kind.
//!

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};
use tokenfetch::options::table::Language;
use tokenfetch::{Error, ErrorKind};

use crate::model::PyHttpMetadata;

create_exception!(
    tokenfetch,
    TokenFetchError,
    PyException,
    "Base class of every tokenfetch error. `.kind` is one of the contract's stable strings."
);
/// Each kind's class: its name, and the builtin exception a Python user would catch for it
/// besides `TokenFetchError` (`except TimeoutError`, `except ValueError`...). The
/// cancellation class is not called `CancelledError`, which would shadow asyncio's where both
/// are imported. Built in `register` with the core's advice as its docstring.
const KIND_CLASSES: [(ErrorKind, &str, Option<&str>); 9] = [
    (ErrorKind::OAuth, "OAuthError", None),
    (ErrorKind::HttpStatus, "HttpStatusError", None),
    (ErrorKind::Decode, "DecodeError", None),
    (ErrorKind::ResponseTooLarge, "ResponseTooLargeError", None),
    (ErrorKind::Timeout, "TimeoutError", Some("TimeoutError")),
    (ErrorKind::Transport, "TransportError", Some("ConnectionError")),
    (ErrorKind::Config, "ConfigError", Some("ValueError")),
    (ErrorKind::Cancelled, "OperationCancelledError", None),
    (ErrorKind::IdToken, "IdTokenError", None),
];

/// The classes of `KIND_CLASSES`, in its order, once the module is initialised.
static CLASSES: PyOnceLock<Vec<Py<PyType>>> = PyOnceLock::new();

fn class_of(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    let at = KIND_CLASSES.iter().position(|(k, _, _)| *k == kind).unwrap_or(0);
    match CLASSES.get(py).and_then(|classes| classes.get(at)) {
        Some(class) => class.bind(py).clone(),
        // Only before `register` ran, which importing the module does first.
        None => py.get_type::<TokenFetchError>(),
    }
}

/// A core error on its way to Python. Binding methods return `Result<T, BindingError>`.
pub struct BindingError(pub Error);

impl From<Error> for BindingError {
    fn from(e: Error) -> Self {
        BindingError(e)
    }
}

/// A Ctrl-C a callback the core called (the `client_assertion` function) was stopped by:
/// the call fails, and the interrupt is raised again as Python raises a Ctrl-C, at its next
/// check for signals, rather than turned into a `ConfigError`. `true` when it was one.
pub fn pass_on_interrupt(py: Python<'_>, err: &PyErr) -> bool {
    let interrupt = err.is_instance_of::<pyo3::exceptions::PyKeyboardInterrupt>(py);
    if interrupt {
        // SAFETY: sets the interpreter's signal flag, the C API's documented way to simulate
        // SIGINT; it holds no reference and may be called with the GIL held.
        unsafe { pyo3::ffi::PyErr_SetInterrupt() };
    }
    interrupt
}

impl From<BindingError> for PyErr {
    fn from(BindingError(error): BindingError) -> PyErr {
        let message = error.to_string();
        Python::attach(|py| {
            let err = PyErr::from_type(class_of(py, error.kind()), message);
            // Attribute setting on a fresh exception instance cannot fail in practice; if it
            // did, the exception still raises with its message and class.
            let _ = annotate(py, &err, &error);
            err
        })
    }
}

fn annotate(py: Python<'_>, err: &PyErr, error: &Error) -> PyResult<()> {
    let value = err.value(py);
    let oauth = error.oauth();
    value.setattr("kind", error.kind().as_str())?;
    value.setattr("status", error.status())?;
    value.setattr("oauth_code", oauth.map(|o| o.error.clone()))?;
    value.setattr("error_description", oauth.and_then(|o| o.error_description.clone()))?;
    value.setattr("error_uri", oauth.and_then(|o| o.error_uri.clone()))?;
    let meta = error.http_meta().cloned().map(PyHttpMetadata::from);
    value.setattr("http_meta", meta)?;
    value.setattr("id_token_check", error.id_token_check().map(|c| c.as_str()))?;
    Ok(())
}

/// Adds the classes to the module, with class-level defaults so that `.kind`, `.status`, ...
/// exist even on an exception a user raises themselves.
pub fn register(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    let base = py.get_type::<TokenFetchError>();
    for attr in [
        "kind",
        "status",
        "oauth_code",
        "error_description",
        "error_uri",
        "http_meta",
        "id_token_check",
    ] {
        base.setattr(attr, py.None())?;
    }
    m.add("TokenFetchError", &base)?;
    let builtins = py.import("builtins")?;
    let make_type = builtins.getattr("type")?;
    let mut classes = Vec::with_capacity(KIND_CLASSES.len());
    for (kind, name, builtin) in KIND_CLASSES {
        let bases = match builtin {
            Some(extra) => PyTuple::new(py, [base.clone().into_any(), builtins.getattr(extra)?])?,
            None => PyTuple::new(py, [base.clone().into_any()])?,
        };
        let namespace = PyDict::new(py);
        namespace.set_item("__module__", "tokenfetch")?;
        namespace.set_item("__doc__", kind.advice(Language::Python))?;
        namespace.set_item("kind", kind.as_str())?;
        let class = make_type.call1((name, bases, namespace))?.cast_into::<PyType>()?;
        m.add(name, &class)?;
        classes.push(class.unbind());
    }
    let _ = CLASSES.set(py, classes);
    Ok(())
}
