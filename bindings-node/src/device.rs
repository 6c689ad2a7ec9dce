//! Mirrors `core/src/device.rs`: the device flow's codes and the token that cancels a poll.

use napi_derive::napi;
use serde_json::Value;

use tokenfetch as core;

use crate::convert::{shown_json, whole};

/// The codes of a device flow (RFC 8628 §3.2): show the user `verificationUri` and
/// `userCode` (or `verificationUriComplete`), then pass this object to
/// `client.pollDeviceToken`. `deviceCode` is secret: `toJSON`, `util.inspect` and
/// `toString` show `[redacted]`.
#[napi]
#[derive(Clone)]
pub struct DeviceAuthorization(pub(crate) core::DeviceAuthorization);

impl From<core::DeviceAuthorization> for DeviceAuthorization {
    fn from(d: core::DeviceAuthorization) -> Self {
        DeviceAuthorization(d)
    }
}

#[napi]
impl DeviceAuthorization {
    /// The code the device polls with. Secret.
    #[napi(getter)]
    pub fn device_code(&self) -> String {
        self.0.device_code.expose_str().to_owned()
    }
    /// The code the user types in.
    #[napi(getter)]
    pub fn user_code(&self) -> String {
        self.0.user_code.clone()
    }
    /// Where the user goes to type it.
    #[napi(getter)]
    pub fn verification_uri(&self) -> String {
        self.0.verification_uri.clone()
    }
    /// The same page with the code filled in, for a QR code or a link.
    #[napi(getter)]
    pub fn verification_uri_complete(&self) -> Option<String> {
        self.0.verification_uri_complete.clone()
    }
    /// Lifetime of both codes, in seconds.
    #[napi(getter)]
    pub fn expires_in(&self) -> i64 {
        whole(self.0.expires_in)
    }
    /// Seconds to wait between polls; 5 when the server names none.
    #[napi(getter)]
    pub fn interval(&self) -> i64 {
        whole(self.0.interval)
    }
    /// When the codes expire, in epoch seconds.
    #[napi(getter)]
    pub fn expires_at(&self) -> i64 {
        whole(self.0.expires_at)
    }
    /// Every other member, as JSON text; `lib/index.js` defines `extra` from it.
    #[napi(getter)]
    pub fn extra_json(&self) -> String {
        Value::Object(self.0.extra.clone()).to_string()
    }
    /// Whether the codes have expired, by this machine's clock.
    #[napi]
    pub fn is_expired(&self) -> bool {
        self.0.is_expired()
    }
    /// What `JSON.stringify` shows, as JSON text: the fields the core's debug form shows,
    /// with `deviceCode` as `[redacted]`.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
    /// The core's debug form, without the device code.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// Stops a device poll from the event loop (`lib/index.js` cancels one when the call's
/// `AbortSignal` aborts); internal to `lib/index.js`.
#[napi]
#[derive(Clone, Default)]
pub struct CancelToken(pub(crate) core::CancelToken);

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> Self {
        CancelToken::default()
    }
    /// Wakes the poll: it stops with a `cancelled` error.
    #[napi]
    pub fn cancel(&self) {
        self.0.cancel()
    }
    #[napi(getter)]
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}
