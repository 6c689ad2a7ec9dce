//! How long to wait before trying a token request again. *Whether* to try again is decided
//! in one place, `client/send.rs`, whose header states the rule.

use std::time::{Duration, SystemTime};

use crate::error::Result;
use crate::options;

/// Bounded retries with capped exponential backoff and jitter. Which failures are retried,
/// and which never are (single-use credentials after they may have reached the server), is
/// the rule at the top of `client/send.rs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt. 0 turns retrying off.
    pub max_retries: u32,
    /// The wait before the first retry; it doubles each time, up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// The longest `Retry-After` the client will honour (the `max_retry_wait` option). A
    /// server asking for more gets its error returned instead of a caller blocked for minutes.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: options::MAX_RETRIES.default_whole() as u32,
            initial_backoff: options::INITIAL_BACKOFF.default_duration(),
            max_backoff: options::MAX_BACKOFF.default_duration(),
            max_retry_after: options::MAX_RETRY_WAIT.default_duration(),
        }
    }
}

impl RetryPolicy {
    /// One attempt only.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Checks every field against its range in [`crate::options`].
    pub fn validate(&self) -> Result<()> {
        options::MAX_RETRIES.check_whole("max_retries", u64::from(self.max_retries))?;
        options::INITIAL_BACKOFF.check_duration("initial_backoff", self.initial_backoff)?;
        options::MAX_BACKOFF.check_duration("max_backoff", self.max_backoff)?;
        options::MAX_RETRY_WAIT.check_duration("max_retry_wait", self.max_retry_after)?;
        Ok(())
    }

    /// The wait before retry number `retry` (0-based): "equal jitter", so waits are spread
    /// out (no thundering herd) but never shorter than half the exponential step.
    pub fn backoff(&self, retry: u32) -> Duration {
        let step = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.max_backoff);
        let half = step / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The wait before the next attempt, given the server's `Retry-After` (if any).
    /// `None` means do not retry: the server asked for longer than `max_retry_after`.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(retry)),
        }
    }
}

/// Reads `Retry-After` as delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        // Any value, however large, is a Duration; `delay` refuses the ones over the cap.
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let p = RetryPolicy::default();
        for retry in 0..10 {
            let step = (p.initial_backoff * 2u32.pow(retry)).min(p.max_backoff);
            let d = p.backoff(retry);
            assert!(d >= step / 2 && d <= step, "retry {retry}: {d:?} vs step {step:?}");
        }
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn an_excessive_retry_after_is_not_honoured() {
        let p = RetryPolicy::default();
        assert_eq!(p.delay(0, Some(Duration::from_secs(3600))), None);
        assert_eq!(p.delay(0, Some(Duration::from_secs(1))), Some(Duration::from_secs(1)));
        let huge = parse_retry_after(&u64::MAX.to_string(), SystemTime::UNIX_EPOCH);
        assert_eq!(p.delay(0, huge), None);
    }

    #[test]
    fn out_of_range_policies_are_refused() {
        let p = RetryPolicy {
            max_retries: u32::MAX,
            ..RetryPolicy::default()
        };
        assert!(p.validate().unwrap_err().to_string().contains("max_retries"));
        assert!(RetryPolicy::default().validate().is_ok());
    }
}
