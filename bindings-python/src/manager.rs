//! `TokenManager` for Python, mirroring `core/src/manager/`, and its `on_token` callable, held
//! where Python's garbage collector can see it. Every wait releases the GIL.

use std::sync::{Arc, Mutex, PoisonError};

use pyo3::exceptions::PyTypeError;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3::PyTraverseError;
use tokenfetch::error::catch_panic;
use tokenfetch::manager::OnToken;
use tokenfetch::options::table::{self, Language};
use tokenfetch::{TokenManager, TokenResponse};

use crate::client::PyTokenClient;
use crate::error::BindingError;
use crate::model::PyTokenResponse;
use crate::options::{convert, Target};
use crate::store::store_choice;

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
    /// A cache over `client`. `**options` are the core's manager options (listed in the
    /// guide and typed by the stub); left out, or `None`, each takes the core's default.
    #[new]
    #[pyo3(signature = (client, **options))]
    fn new(client: &PyTokenClient, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        crate::events::bind_if_in_use();
        let mut given = convert(options, Vec::new(), Target::Manager)?;
        let on_token = TokenCallback::from_py(given.take("on_token"))?;
        let store = match given.take("store") {
            Some(value) => store_choice(&value)?,
            None => None,
        };
        let (request, mut options) =
            table::manager_options(&given.bag, &client.inner, Language::Python).map_err(BindingError)?;
        options.on_token = on_token.as_ref().map(TokenCallback::on_token);
        // Last: opening a file store creates its directory, which a mistake above should not.
        if let Some(store) = store {
            options.use_store(store);
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

    /// Seconds one process's fetch may hold the others up, with a store (the option, or the
    /// core's default, computed from the client's timeout).
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
