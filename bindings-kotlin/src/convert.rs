//! The conversions several modules share: a model's redacted view for `toString`, integers
//! across the FFI, JSON members as text, and
//! `display_url`, which several Kotlin classes' `toString` use. The records and objects live in
//! modules named after the core's (`model.rs`, `discovery.rs`, `device.rs`, `store.rs`...).
//!
//! Nothing here decides behaviour; parsing, defaults and redaction come from `tokenfetch`.

use serde_json::{Map, Value};
use tokenfetch::options::table::Language;
use tokenfetch::Redacted;

/// A model's one redacted view, as the core renders it for Kotlin's `toString`.
pub(crate) fn kotlin_shown(model: &impl Redacted) -> String {
    model.redacted_view().render(Language::Kotlin)
}

/// Seconds or counts into Kotlin's `Long`; one past its range is `Long.MAX_VALUE`.
pub(crate) fn to_i64(v: Option<u64>) -> Option<i64> {
    v.map(|n| i64::try_from(n).unwrap_or(i64::MAX))
}

/// Kotlin's `Long` back into the core's `u64`; a negative one is 0.
pub(crate) fn to_u64(v: Option<i64>) -> Option<u64> {
    v.map(|n| u64::try_from(n).unwrap_or(0))
}

/// A server's other members, as a JSON object's text.
pub(crate) fn json_text(map: Map<String, Value>) -> String {
    Value::Object(map).to_string()
}

/// A URL as tokenfetch shows it: query values and userinfo redacted; `[redacted]` when it
/// does not parse (it may hold credentials).
#[uniffi::export]
pub fn display_url(url: String) -> String {
    url::Url::parse(url.trim())
        .map(|u| tokenfetch::redact::display_url(&u))
        .unwrap_or_else(|_| tokenfetch::REDACTED.to_string())
}
