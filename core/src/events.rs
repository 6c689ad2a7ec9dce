//! What tokenfetch is doing, as structured events for a language's own logging.
//!
//! The core emits an [`Event`] at each step a person debugging an incident would want to see
//! (see [`names`]); a binding installs one process-wide [`EventSink`] that hands them to
//! Python's `logging`, Node's `diagnostics_channel` or the JVM's `System.Logger`, and a Rust
//! program may install its own with [`set_sink`].
//!
//! **Nothing is built while no sink wants the level**: [`enabled`] is one relaxed atomic
//! load, and an event's message and fields are made only after it says yes.
//!
//! **No event carries a secret.** Fields hold names, numbers, error kinds and URLs as
//! metadata shows them (query values redacted); a message that quotes a server is scrubbed of
//! the request's credentials first, as errors are. Tokens, codes, keys and secrets never
//! reach an event, in any encoding.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, RwLock};

/// How much an event matters, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Level {
    /// Each step: a request, a cache hit, a store read.
    Debug = 1,
    /// What changes behaviour: a retry, a refresh.
    Info = 2,
    /// What a user should know: a stale token served, a store skipped.
    Warn = 3,
}

impl Level {
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
        }
    }
}

/// The stable names of the events, by area.
pub mod names {
    /// A request is about to be sent: `endpoint`, `method`, `url`, `attempt`.
    pub const REQUEST_START: &str = "request.start";
    /// A request ended: `endpoint`, `method`, `url`, `attempt`, `status` (when answered),
    /// `duration_ms`, `bytes` (of the answer's body), `outcome` (`ok` or an error kind).
    pub const REQUEST_END: &str = "request.end";
    /// An attempt failed and another follows: `endpoint`, `attempt` (the next one's number),
    /// `reason` (the error kind), `status`, `wait_ms`.
    pub const RETRY: &str = "retry";
    /// A cached token was served: `remaining_ms` (its lifetime left).
    pub const CACHE_HIT: &str = "cache.hit";
    /// No usable cached token: a fetch follows. `why`: `empty` or `expired`.
    pub const CACHE_MISS: &str = "cache.miss";
    /// A refresh started: `early` (the token it replaces is still valid).
    pub const CACHE_REFRESH: &str = "cache.refresh";
    /// An early refresh failed, and the token it was to replace, still valid, was served:
    /// `reason` (the error kind), `remaining_ms`.
    pub const CACHE_STALE_SERVED: &str = "cache.stale_served";
    /// A caller waited for another's fetch instead of fetching: `waited_ms`.
    pub const SINGLE_FLIGHT_WAIT: &str = "single_flight.wait";
    /// A shared store was read: `found` (an entry was there).
    pub const STORE_READ: &str = "store.read";
    /// An entry was written to a shared store: `ok`.
    pub const STORE_WRITE: &str = "store.write";
    /// The shared store failed, and the manager went on without it (or refused to, for a
    /// single-use grant): `why` (the store's error, its credentials removed).
    pub const STORE_FALLBACK: &str = "store.fallback";
    /// A discovery document was read: `url`, `cached` (from this process's cache).
    pub const DISCOVERY_FETCH: &str = "discovery.fetch";
    /// An issuer's keys were read: `url`, `keys` (how many).
    pub const JWKS_FETCH: &str = "jwks.fetch";
}

/// One value of an event's field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldValue {
    Text(String),
    Number(u64),
    Flag(bool),
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Text(t) => f.write_str(t),
            FieldValue::Number(n) => write!(f, "{n}"),
            FieldValue::Flag(b) => write!(f, "{b}"),
        }
    }
}

impl From<&str> for FieldValue {
    fn from(v: &str) -> Self {
        FieldValue::Text(v.to_string())
    }
}
impl From<String> for FieldValue {
    fn from(v: String) -> Self {
        FieldValue::Text(v)
    }
}
impl From<u64> for FieldValue {
    fn from(v: u64) -> Self {
        FieldValue::Number(v)
    }
}
impl From<u32> for FieldValue {
    fn from(v: u32) -> Self {
        FieldValue::Number(u64::from(v))
    }
}
impl From<u16> for FieldValue {
    fn from(v: u16) -> Self {
        FieldValue::Number(u64::from(v))
    }
}
impl From<usize> for FieldValue {
    fn from(v: usize) -> Self {
        FieldValue::Number(u64::try_from(v).unwrap_or(u64::MAX))
    }
}
impl From<bool> for FieldValue {
    fn from(v: bool) -> Self {
        FieldValue::Flag(v)
    }
}

/// Something that happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub level: Level,
    /// One of [`names`].
    pub name: &'static str,
    /// One line for a person, made from the fields.
    pub message: String,
    pub fields: Vec<(&'static str, FieldValue)>,
}

impl Event {
    /// A field's value, by name.
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// Where events go: a binding's logging, or a Rust program's own.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: &Event);
}

/// The lowest level a sink wants; above every level while there is none.
static THRESHOLD: AtomicU8 = AtomicU8::new(OFF);
const OFF: u8 = u8::MAX;
static SINK: RwLock<Option<Arc<dyn EventSink>>> = RwLock::new(None);

/// Installs `sink` for the whole process, to receive events at `level` and above; `None`
/// removes it. An event already being delivered may still reach the previous sink.
pub fn set_sink(sink: Option<Arc<dyn EventSink>>, level: Level) {
    let mut slot = SINK.write().unwrap_or_else(|p| p.into_inner());
    let threshold = if sink.is_some() { level as u8 } else { OFF };
    *slot = sink;
    THRESHOLD.store(threshold, Ordering::Relaxed);
}

/// Changes the level of the installed sink (a logger's level changed); `None` turns events
/// off without removing it.
pub fn set_level(level: Option<Level>) {
    // Under the lock, so that a sink removed meanwhile cannot be left with a level.
    let slot = SINK.read().unwrap_or_else(|p| p.into_inner());
    let threshold = match level {
        Some(level) if slot.is_some() => level as u8,
        _ => OFF,
    };
    THRESHOLD.store(threshold, Ordering::Relaxed);
}

thread_local! {
    /// Whether this thread is inside a sink: an event a sink's own work causes (a logging
    /// handler that fetches a token) is dropped, not delivered into the sink again.
    static IN_SINK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is delivering an event now.
pub fn inside_sink() -> bool {
    IN_SINK.with(|flag| flag.get())
}

/// Whether an event at `level` would reach a sink.
#[inline]
pub fn enabled(level: Level) -> bool {
    level as u8 >= THRESHOLD.load(Ordering::Relaxed)
}

/// Emits the event `build` makes, if a sink wants `level`; `build` runs only then.
///
/// No event is emitted while a lock a caller could need is held: a sink may run a logging
/// handler that calls back into the same manager.
#[inline]
pub(crate) fn emit(level: Level, name: &'static str, build: impl FnOnce() -> Vec<(&'static str, FieldValue)>) {
    if enabled(level) {
        emit_slow(level, name, build());
    }
}

#[cold]
fn emit_slow(level: Level, name: &'static str, fields: Vec<(&'static str, FieldValue)>) {
    if inside_sink() {
        return;
    }
    let sink = SINK.read().unwrap_or_else(|p| p.into_inner()).clone();
    let Some(sink) = sink else { return };
    let mut message = name.to_string();
    for (key, value) in &fields {
        message.push_str(&format!(" {key}={value}"));
    }
    // A sink that panics (a binding's logger raising) must not take a fetch down with it.
    let event = Event {
        level,
        name,
        message,
        fields,
    };
    IN_SINK.with(|flag| flag.set(true));
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| sink.emit(&event)));
    IN_SINK.with(|flag| flag.set(false));
}

/// Milliseconds, for fields.
pub(crate) fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
