//! The core's events (`tokenfetch::events`) into Python's `logging`: logger `tokenfetch`,
//! each record carrying `tokenfetch_event` (the event's name) and `tokenfetch` (its fields,
//! a dict) as `extra`.
//!
//! Importing `logging` costs more than the rest of the package, so it is not imported here:
//! the sink binds to the logger once `logging` is in `sys.modules` (checked at import,
//! whenever a client or manager is made, and at each refresh or retry), or when the first
//! warning must be told. Until then only refreshes, retries and warnings are built. Once bound, the core's level follows the logger's: every
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
        // Not yet bound: a refresh or a retry (INFO) binds if `logging` has come into use
        // since; a warning binds by importing it, since it must be told.
        let _ = Python::try_attach(|py| {
            let import = event.level >= Level::Warn;
            if bind(py, import).is_ok() && BOUND.load(Ordering::Acquire) {
                if let Some(sink) = SINK.get() {
                    if events::enabled(event.level) {
                        sink.log_or_pass_on(py, event);
                    }
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
        // `None` while the interpreter shuts down: there is no one left to tell.
        let _ = Python::try_attach(|py| self.log_or_pass_on(py, event));
    }
}

impl Logging {
    /// Logs `event`. A handler that raises is logging's to report (`Handler.handleError`);
    /// anything else raised must not fail the fetch that emitted the event, except Ctrl-C,
    /// which is raised again for the interpreter to see.
    fn log_or_pass_on(&self, py: Python<'_>, event: &Event) {
        if let Err(error) = self.log(py, event) {
            crate::error::pass_on_interrupt(py, &error);
        }
    }

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
        events::set_sink(Some(Arc::new(Unbound)), Level::Info);
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

/// Sets the core's level from what `logger` lets through: its effective level and
/// `logging.disable`. Not `Logger.disabled`, which dictConfig sets after the level (and
/// `Logger.log` checks anyway): reading it here could leave events off for good.
fn follow(logger: &Bound<'_, PyAny>) {
    let read = || -> PyResult<Option<Level>> {
        let effective: u32 = logger.call_method0("getEffectiveLevel")?.extract()?;
        let disabled_up_to: u32 = logger.getattr("manager")?.getattr("disable")?.extract()?;
        Ok([Level::Debug, Level::Info, Level::Warn].into_iter().find(|level| {
            let n = u32::from(python_level(*level));
            n >= effective && n > disabled_up_to
        }))
    };
    match read() {
        Ok(lowest) => events::set_level(lowest),
        // A logging whose internals differ: warnings at least, as Python shows them.
        Err(_) => events::set_level(Some(Level::Warn)),
    }
}
