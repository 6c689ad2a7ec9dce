//! The device flow's `DeviceAuthorization` and the `CancelToken` that stops its poll,
//! mirroring `core/src/device.rs`.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tokenfetch::{CancelToken, DeviceAuthorization};

use crate::convert::{map_to_py, repr_bool, shown};

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
        self.0.device_code.expose_str()
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
        shown(&self.0)
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
