//! The core's events (`tokenfetch::events`) for JavaScript: `lib/events.js` installs one
//! listener, which publishes each event on the `tokenfetch` diagnostics channel and to
//! `NODE_DEBUG=tokenfetch`, and sets the level whenever either starts or stops listening.
//!
//! Events happen on libuv workers and, in a `...Sync` call, on the event loop itself, so they
//! go through a weak threadsafe function: queued for the event loop, never blocking the
//! thread that emitted them, never keeping the process alive.

use std::sync::Arc;

use napi::bindgen_prelude::Function;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode, UnknownReturnValue};
use serde_json::{json, Map, Value};
use tokenfetch::events::{self, Event, EventSink, FieldValue, Level};

type Queue = ThreadsafeFunction<String, UnknownReturnValue, String, napi::Status, false, true>;

struct Listener(Queue);

impl EventSink for Listener {
    fn emit(&self, event: &Event) {
        // Only a loop shutting down refuses; no one is left to tell.
        let _ = self.0.call(as_json(event), ThreadsafeFunctionCallMode::NonBlocking);
    }
}

/// An event as the listener receives it: `{ name, level, message, fields }`.
fn as_json(event: &Event) -> String {
    let fields: Map<String, Value> = event
        .fields
        .iter()
        .map(|(name, value)| {
            let value = match value {
                FieldValue::Text(text) => Value::from(text.as_str()),
                FieldValue::Number(n) => Value::from(*n),
                FieldValue::Flag(b) => Value::from(*b),
            };
            (name.to_string(), value)
        })
        .collect();
    json!({
        "name": event.name,
        "level": event.level.as_str(),
        "message": event.message,
        "fields": fields,
    })
    .to_string()
}

fn level_named(level: Option<&str>) -> napi::Result<Option<Level>> {
    match level {
        None => Ok(None),
        Some("debug") => Ok(Some(Level::Debug)),
        Some("info") => Ok(Some(Level::Info)),
        Some("warn") => Ok(Some(Level::Warn)),
        Some(other) => Err(napi::Error::from_reason(format!(
            "event level {other:?} is not debug, info or warn"
        ))),
    }
}

/// Installs `listener` for every event of the process, at `level` (`null`: none yet).
#[napi_derive::napi]
pub fn set_event_listener(
    listener: Function<'_, String, UnknownReturnValue>,
    level: Option<String>,
) -> napi::Result<()> {
    let queue: Queue = listener
        .build_threadsafe_function::<String>()
        .weak::<true>()
        .build_callback(|call| Ok(call.value))?;
    let level = level_named(level.as_deref())?;
    events::set_sink(Some(Arc::new(Listener(queue))), level.unwrap_or(Level::Warn));
    events::set_level(level);
    Ok(())
}

/// The lowest level the listener wants, or `null` for none.
#[napi_derive::napi]
pub fn set_event_level(level: Option<String>) -> napi::Result<()> {
    events::set_level(level_named(level.as_deref())?);
    Ok(())
}
