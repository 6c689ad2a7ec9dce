//! The monotonic clock the token cache decides by, injectable for tests.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use std::time::Instant;

/// A monotonic time source. Wall-clock time is never used for cache decisions, so a system
/// clock jump neither expires every token nor keeps a dead one.
pub trait Clock: Send + Sync {
    fn now(&self) -> Instant;

    /// Wall-clock time in epoch milliseconds. Used only to stamp a token's informational
    /// `expires_at`; no decision depends on it, nor on two machines' clocks agreeing.
    fn epoch_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

/// `Instant::now()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that moves only when told to, for testing expiry without sleeping.
#[derive(Debug)]
pub struct ManualClock {
    origin: Instant,
    offset_nanos: AtomicU64,
}

impl Default for ManualClock {
    fn default() -> Self {
        ManualClock {
            origin: Instant::now(),
            offset_nanos: AtomicU64::new(0),
        }
    }
}

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn advance(&self, by: Duration) {
        self.offset_nanos.fetch_add(by.as_nanos() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.origin + Duration::from_nanos(self.offset_nanos.load(Ordering::SeqCst))
    }
}
