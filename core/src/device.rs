//! The device authorization grant (RFC 8628): for TVs, CLIs and other devices without a
//! browser. The device asks for a code ([`TokenClient::device_authorization`]), shows the
//! user where to enter it, and polls the token endpoint until the user has approved or
//! denied it ([`TokenClient::poll_device_token`]).
//!
//! [`TokenClient::device_authorization`]: crate::TokenClient::device_authorization
//! [`TokenClient::poll_device_token`]: crate::TokenClient::poll_device_token

use std::fmt;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::parse;
use crate::redact::view::{debug_through_redacted_view, Redacted, RedactedView};
use crate::secret::Secret;

/// The polling interval when the server names none (RFC 8628 §3.2).
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// The shortest wait between polls, whatever the server says: an `interval` of 0 would
/// otherwise poll a server that keeps answering `authorization_pending` in a busy loop.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);
/// What `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Failed polls in a row (no answer, or a 429 or 5xx) after which polling gives up (each one
/// doubles the wait, RFC 8628 §3.5): a server that is down for good is reported, not polled
/// for ten minutes.
pub const MAX_FAILURES_IN_A_ROW: u32 = 3;
/// The longest a poll runs, whatever `expires_in` says (a server may claim years): codes
/// live minutes, and a caller who forgot to cancel must not wait for ever.
pub const MAX_POLL_TIME: Duration = Duration::from_secs(3600);

/// A device authorization response (RFC 8628 §3.2).
#[derive(Clone, PartialEq)]
pub struct DeviceAuthorization {
    /// The code the device polls with. Secret: never shown in debug output or errors.
    pub device_code: Secret,
    /// The code the user types in.
    pub user_code: String,
    /// Where the user goes to type it (`verification_url`, Google's spelling, is read too).
    pub verification_uri: String,
    /// The same page with the code filled in, for a QR code or a link.
    pub verification_uri_complete: Option<String>,
    /// Lifetime of both codes, in seconds.
    pub expires_in: u64,
    /// Seconds to wait between polls; 5 when the server names none.
    pub interval: u64,
    /// When the codes expire, in epoch seconds.
    pub expires_at: u64,
    /// Every other member, as the server sent it.
    pub extra: Map<String, Value>,
}

impl DeviceAuthorization {
    pub(crate) fn from_members(mut members: Map<String, Value>, received_at: u64) -> Result<DeviceAuthorization> {
        let mut required = |name: &str| -> Result<String> {
            parse::optional_string(members.remove(name), name)?.ok_or_else(|| {
                Error::decode(format!(
                    "the device authorization response has no {name} (RFC 8628 §3.2)"
                ))
            })
        };
        let device_code = required("device_code")?;
        let user_code = required("user_code")?;
        let verification_uri =
            match parse::optional_string(members.remove("verification_uri"), "verification_uri")? {
                Some(uri) => uri,
                None => parse::optional_string(members.remove("verification_url"), "verification_url")?.ok_or_else(
                    || Error::decode("the device authorization response has no verification_uri (RFC 8628 §3.2)"),
                )?,
            };
        let verification_uri_complete =
            parse::optional_string(members.remove("verification_uri_complete"), "verification_uri_complete")?;
        let expires_in = parse::lifetime(members.remove("expires_in"), "expires_in")?
            .ok_or_else(|| Error::decode("the device authorization response has no expires_in (RFC 8628 §3.2)"))?;
        let interval = parse::lifetime(members.remove("interval"), "interval")?.unwrap_or(DEFAULT_INTERVAL.as_secs());
        Ok(DeviceAuthorization {
            device_code: device_code.into(),
            user_code,
            verification_uri,
            verification_uri_complete,
            expires_in,
            interval,
            expires_at: received_at.saturating_add(expires_in),
            extra: members,
        })
    }

    /// Removes every credential the request carried from what the server sent back (a
    /// hostile server may copy the client secret into `user_code`, say).
    pub(crate) fn scrubbed(mut self, secrets: &crate::redact::Secrets) -> Self {
        self.user_code = secrets.scrub(&self.user_code);
        self.verification_uri = secrets.scrub(&self.verification_uri);
        self.verification_uri_complete = self.verification_uri_complete.map(|u| secrets.scrub(&u));
        self.extra = crate::redact::scrub_members(self.extra, secrets);
        self
    }

    /// Whether the codes have expired, by this machine's clock.
    pub fn is_expired(&self) -> bool {
        now_epoch() >= self.expires_at
    }
}

impl Redacted for DeviceAuthorization {
    /// `extra` is what the server sent, and a server may echo a credential into it (its
    /// secret-named members are kept raw there for the caller), so it is shown redacted.
    fn redacted_view(&self) -> RedactedView {
        RedactedView::new("DeviceAuthorization")
            .secret("device_code", true)
            .show("user_code", self.user_code.as_str())
            .show("verification_uri", self.verification_uri.as_str())
            .show("verification_uri_complete", self.verification_uri_complete.as_deref())
            .show("expires_in", self.expires_in)
            .show("interval", self.interval)
            .show("expires_at", self.expires_at)
            .members("extra", &self.extra)
    }
}

debug_through_redacted_view!(DeviceAuthorization);

/// Stops a poll from another thread: [`cancel`](Self::cancel) wakes a poll that is waiting
/// out its interval at once, and one that is mid-request as soon as that request returns.
/// Clones share one state.
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl CancelToken {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        let (flag, wake) = &*self.inner;
        *flag.lock().unwrap_or_else(|e| e.into_inner()) = true;
        wake.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        *self.inner.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits `duration`, or less if cancelled; true when cancelled.
    pub(crate) fn wait(&self, duration: Duration) -> bool {
        let (flag, wake) = &*self.inner;
        let guard = flag.lock().unwrap_or_else(|e| e.into_inner());
        let (guard, _) = wake
            .wait_timeout_while(guard, duration, |cancelled| !*cancelled)
            .unwrap_or_else(|e| e.into_inner());
        *guard
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// What a poll's answer means for the loop.
pub(crate) enum Next {
    /// Wait this long and poll again.
    Wait(Duration),
    /// Stop with this error (`access_denied`, `expired_token`, anything unexpected).
    Stop(Error),
}

/// The polling rules of RFC 8628 §3.5, given the error one poll returned.
pub(crate) fn after_error(error: Error, interval: &mut Duration, failures_in_a_row: &mut u32) -> Next {
    match error.oauth_code() {
        Some("authorization_pending") => {
            *failures_in_a_row = 0;
            Next::Wait(*interval)
        }
        Some("slow_down") => {
            *failures_in_a_row = 0;
            *interval = interval.saturating_add(SLOW_DOWN_STEP);
            Next::Wait(*interval)
        }
        // No answer, or a 429 or 5xx (the poll itself makes no retries).
        _ if error.is_retryable() || error.kind() == crate::ErrorKind::Timeout => {
            *failures_in_a_row += 1;
            if *failures_in_a_row >= MAX_FAILURES_IN_A_ROW {
                return Next::Stop(error);
            }
            // Backs off this wait only; the interval the server asked for stays.
            Next::Wait(interval.saturating_mul(1 << *failures_in_a_row))
        }
        _ => Next::Stop(error),
    }
}

pub(crate) fn cancelled() -> Error {
    Error::Cancelled {
        message: "the device flow poll was cancelled before the user finished".into(),
    }
}

/// The codes expired (or [`MAX_POLL_TIME`] passed) before the next poll was due: the same
/// OAuth `expired_token` a server sends, without an HTTP status, so callers handle one case.
pub(crate) fn expired(waited: Duration) -> Error {
    Error::OAuth {
        body: crate::OAuthErrorBody {
            error: "expired_token".into(),
            error_description: Some(format!(
                "the device code expired after {} s of polling, before the user finished; start again",
                waited.as_secs()
            )),
            error_uri: None,
        },
        status: crate::error::NO_HTTP_STATUS,
        http_meta: None,
    }
}

pub(crate) fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(value: Value) -> Result<DeviceAuthorization> {
        match value {
            Value::Object(map) => DeviceAuthorization::from_members(map, 1_000),
            _ => unreachable!(),
        }
    }

    #[test]
    fn no_interval_means_five_seconds_and_the_device_code_stays_hidden() {
        let a = read(json!({"device_code": "dc-secret", "user_code": "WDJB-MJHT",
            "verification_url": "https://x/device", "expires_in": "600"}))
        .unwrap();
        assert_eq!(a.interval, 5);
        assert_eq!(a.expires_at, 1_600);
        assert_eq!(a.verification_uri, "https://x/device");
        assert!(!format!("{a:?}").contains("dc-secret"));
        assert!(read(json!({"device_code": "d", "user_code": "u", "expires_in": 600})).is_err());
    }

    #[test]
    fn slow_down_adds_five_seconds_for_good() {
        let oauth = |code: &str| Error::OAuth {
            body: crate::OAuthErrorBody {
                error: code.into(),
                error_description: None,
                error_uri: None,
            },
            status: 400,
            http_meta: None,
        };
        let (mut interval, mut failures) = (Duration::from_secs(1), 0);
        assert!(
            matches!(after_error(oauth("slow_down"), &mut interval, &mut failures), Next::Wait(d) if d.as_secs() == 6)
        );
        assert!(
            matches!(after_error(oauth("authorization_pending"), &mut interval, &mut failures), Next::Wait(d) if d.as_secs() == 6)
        );
        assert!(matches!(
            after_error(oauth("access_denied"), &mut interval, &mut failures),
            Next::Stop(_)
        ));
        assert!(matches!(
            after_error(oauth("expired_token"), &mut interval, &mut failures),
            Next::Stop(_)
        ));
    }

    #[test]
    fn a_cancel_wakes_a_waiting_poll() {
        let token = CancelToken::new();
        let other = token.clone();
        let started = std::time::Instant::now();
        let waiter = std::thread::spawn(move || other.wait(Duration::from_secs(30)));
        std::thread::sleep(Duration::from_millis(50));
        token.cancel();
        assert!(waiter.join().unwrap());
        assert!(started.elapsed() < Duration::from_secs(30));
    }
}
