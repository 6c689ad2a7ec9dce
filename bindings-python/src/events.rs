//! The core's events (`tokenfetch::events`) into Python's `logging`: logger `tokenfetch`,
//! each record carrying `tokenfetch_event` (the event's name) and `tokenfetch` (its fields,
//! a dict) as `extra`.
//!
//! Importing `logging` costs more than the rest of the package, so it is not imported here:
//! the sink binds to the logger once `logging` is in `sys.modules` (checked at import and
//! whenever a client or manager is made), or when the first warning must be told. Until
//! then only warnings are built. Once bound, the core's level follows the logger's: every
//! level change anywhere in `logging` goes through `Logger.manager._clear_cache`, which is
//! wrapped to read the logger's effective level again, so a disabled level costs a fetch or
//! a cached read one atomic load and builds nothing.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyDict, PyTuple};
use tokenfetch::events::{self, Event, EventSink, FieldValue, Level};

static BOUND: AtomicBool = AtomicBool::new(false);

/// Before `logging` is in use: warnings only, which bind the logger to be told.
struct Unbound;

impl EventSink for Unbound {
    fn emit(&self, event: &Event) {
        Python::attach(|py| {
            if bind(py, true).is_ok() {
                if let Some(sink) = SINK.get() {
                    sink.emit(event);
                }
            }
        });
    }
}

struct Logging {
    logger: Py<PyAny>,
}

impl EventSink for Logging {
    fn emit(&self, event: &Event) {
        Python::attach(|py| {
            // A handler that raises is logging's to report (`Handler.handleError`); anything
            // else raised here must not fail the fetch that emitted the event.
            let _ = self.log(py, event);
        });
    }
}

impl Logging {
    fn log(&self, py: Python<'_>, event: &Event) -> PyResult<()> {
        let fields = PyDict::new(py);
        for (name, value) in &event.fields {
            match value {
                FieldValue::Text(text) => fields.set_item(*name, text)?,
                FieldValue::Number(n) => fields.set_item(*name, *n)?,
                FieldValue::Flag(b) => fields.set_item(*name, *b)?,
            }
        }
        let extra = PyDict::new(py);
        extra.set_item("tokenfetch_event", event.name)?;
        extra.set_item("tokenfetch", fields)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("extra", extra)?;
        self.logger.call_method(
            py,
            "log",
            (python_level(event.level), "%s", event.message.as_str()),
            Some(&kwargs),
        )?;
        Ok(())
    }
}

fn python_level(level: Level) -> u8 {
    match level {
        Level::Debug => 10,
        Level::Info => 20,
        Level::Warn => 30,
    }
}

static SINK: std::sync::OnceLock<Arc<Logging>> = std::sync::OnceLock::new();

/// At import: warnings only, until `logging` is in use.
pub(crate) fn install(py: Python<'_>) -> PyResult<()> {
    if !BOUND.load(Ordering::Acquire) {
        events::set_sink(Some(Arc::new(Unbound)), Level::Warn);
    }
    bind(py, false)
}

/// Binds the sink to logger `tokenfetch` if `logging` is in use (or, with `import`, by
/// importing it), and wraps the level cache's reset so the core follows the logger's level.
pub(crate) fn bind(py: Python<'_>, import: bool) -> PyResult<()> {
    if BOUND.load(Ordering::Acquire) {
        return Ok(());
    }
    if !import {
        let modules = py.import("sys")?.getattr("modules")?;
        if !modules.contains("logging")? {
            return Ok(());
        }
    }
    let logging = py.import("logging")?;
    let logger = logging.call_method1("getLogger", ("tokenfetch",))?;
    let sink = SINK
        .get_or_init(|| {
            Arc::new(Logging {
                logger: logger.clone().unbind(),
            })
        })
        .clone();
    if BOUND.swap(true, Ordering::AcqRel) {
        return Ok(());
    }
    events::set_sink(Some(sink), Level::Warn);
    let manager = logging.getattr("Logger")?.getattr("manager")?;
    if let Ok(original) = manager.getattr("_clear_cache") {
        let original = original.unbind();
        let watched = logger.clone().unbind();
        let hook = PyCFunction::new_closure(
            py,
            Some(c"_clear_cache"),
            Some(c"logging's level cache reset, then tokenfetch reads its logger's level again."),
            move |args: &Bound<'_, PyTuple>, kwargs: Option<&Bound<'_, PyDict>>| -> PyResult<Py<PyAny>> {
                let py = args.py();
                let result = original.call(py, args.clone(), kwargs)?;
                follow(watched.bind(py));
                Ok(result)
            },
        )?;
        manager.setattr("_clear_cache", hook)?;
    }
    follow(&logger);
    Ok(())
}

/// [`bind`] when `logging` is in use, from anywhere (a client being built, with or without
/// the GIL); after the first binding, one atomic load.
pub(crate) fn bind_if_in_use() {
    if !BOUND.load(Ordering::Acquire) {
        Python::attach(|py| {
            let _ = bind(py, false);
        });
    }
}

/// Sets the core's level from what `logger` lets through.
fn follow(logger: &Bound<'_, PyAny>) {
    let enabled = |level: Level| {
        logger
            .call_method1("isEnabledFor", (python_level(level),))
            .and_then(|v| v.is_truthy())
            .unwrap_or(false)
    };
    let lowest = [Level::Debug, Level::Info, Level::Warn]
        .into_iter()
        .find(|l| enabled(*l));
    events::set_level(lowest);
}
