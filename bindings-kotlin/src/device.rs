//! Mirrors `core/src/device.rs`: `DeviceAuthorizationData` and `NativeCancelToken`.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::convert::json_text;
use crate::convert::kotlin_shown;

/// A device authorization response ([`tokenfetch::DeviceAuthorization`]). Holds the device
/// code, a secret: internal, wrapped by `DeviceAuthorization` in Kotlin, and converted back
/// unchanged to poll with.
#[derive(Clone, PartialEq, uniffi::Record)]
pub struct DeviceAuthorizationData {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: i64,
    pub interval: i64,
    pub expires_at: i64,
    pub extra_json: String,
    /// The one redacted view of the core's model, as Kotlin's `toString` shows it.
    pub shown: String,
}

impl From<tokenfetch::DeviceAuthorization> for DeviceAuthorizationData {
    fn from(a: tokenfetch::DeviceAuthorization) -> Self {
        let seconds = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        DeviceAuthorizationData {
            shown: kotlin_shown(&a),
            device_code: a.device_code.expose_str().to_owned(),
            user_code: a.user_code,
            verification_uri: a.verification_uri,
            verification_uri_complete: a.verification_uri_complete,
            expires_in: seconds(a.expires_in),
            interval: seconds(a.interval),
            expires_at: seconds(a.expires_at),
            extra_json: json_text(a.extra),
        }
    }
}

impl From<DeviceAuthorizationData> for tokenfetch::DeviceAuthorization {
    fn from(d: DeviceAuthorizationData) -> Self {
        let extra = match serde_json::from_str::<Value>(&d.extra_json) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let seconds = |n: i64| u64::try_from(n).unwrap_or(0);
        tokenfetch::DeviceAuthorization {
            device_code: d.device_code.into(),
            user_code: d.user_code,
            verification_uri: d.verification_uri,
            verification_uri_complete: d.verification_uri_complete,
            expires_in: seconds(d.expires_in),
            interval: seconds(d.interval),
            expires_at: seconds(d.expires_at),
            extra,
        }
    }
}

/// Stops a device flow poll from another thread ([`tokenfetch::CancelToken`]).
#[derive(uniffi::Object)]
pub struct NativeCancelToken(pub(crate) tokenfetch::CancelToken);

#[uniffi::export]
impl NativeCancelToken {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self(tokenfetch::CancelToken::new()))
    }
    pub fn cancel(&self) {
        self.0.cancel()
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}
