//! `FileStore` and `RedisStore` over the core's `StoreChoice`, mirroring `core/src/store/`.

use std::path::PathBuf;
use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use tokenfetch::redact::display_url;
use tokenfetch::store::entry::EntryKey;
use tokenfetch::store::StoreChoice;
use tokenfetch::REDACTED;
use url::Url;

use crate::convert::{optional_real, repr_bool, repr_str};
use crate::error::BindingError;

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
