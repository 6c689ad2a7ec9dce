//! Python's keyword options into the core's `OptionBag`, each value converted by the shape the
//! core's option table (`tokenfetch::options::table`) gives it. Names, units, ranges and
//! defaults are the core's; this module only converts. As for any Python function, an unknown
//! keyword or a value of the wrong type raises `TypeError` (with the closest known name, or
//! what the option takes); a value of the right type but out of range is the core's
//! `ConfigError`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyList, PyMapping, PyString, PyTuple};
use tokenfetch::options::table::{self, Language, Shape, Way};
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::Error;

use crate::convert::real;

/// Which constructor the keywords are for.
#[derive(Clone, Copy)]
pub enum Target {
    Client(Way),
    Manager,
}

/// The converted keywords, and those only the binding can convert (a store, a callback).
pub struct Converted<'py> {
    pub bag: OptionBag,
    pub binding: Vec<(String, Bound<'py, PyAny>)>,
}

impl<'py> Converted<'py> {
    /// A value the binding converts itself, by its Python name.
    pub fn take(&mut self, name: &str) -> Option<Bound<'py, PyAny>> {
        let at = self.binding.iter().position(|(k, _)| k == name)?;
        Some(self.binding.remove(at).1)
    }
}

/// `**options`, plus the constructor's own arguments (`token_url`, a preset's credentials).
pub fn convert<'py>(
    options: Option<&Bound<'py, PyDict>>,
    arguments: Vec<(&str, OptionValue)>,
    target: Target,
) -> PyResult<Converted<'py>> {
    let mut entries: Vec<(String, OptionValue)> = arguments
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
    let mut binding = Vec::new();
    let Some(options) = options else {
        return Ok(Converted {
            bag: OptionBag::new(entries),
            binding,
        });
    };
    let mut names = Vec::with_capacity(options.len());
    for key in options.keys() {
        names.push(key.extract::<String>()?);
    }
    let known = match target {
        Target::Client(way) => table::check_client_names(names.iter().map(String::as_str), Language::Python, way),
        Target::Manager => table::check_manager_names(names.iter().map(String::as_str), Language::Python),
    };
    known.map_err(type_error)?;
    for (name, value) in names.into_iter().zip(options.values()) {
        let manager = matches!(target, Target::Manager);
        let (shape, expects) = table::shape_of(&name, Language::Python, manager)
            .ok_or_else(|| PyTypeError::new_err(format!("unexpected keyword argument {name:?}")))?;
        if shape == Shape::Binding {
            binding.push((name, value));
            continue;
        }
        if shape == Shape::Pairs {
            if let Some(Err(why)) = pairs(&value) {
                return Err(PyTypeError::new_err(format!(
                    "{name} must hold strings: {why} is not one"
                )));
            }
        }
        let converted = of_shape(&value, shape)
            .ok_or_else(|| PyTypeError::new_err(format!("{name} must be {expects}, not {}", type_name(&value))))?;
        entries.push((name, converted));
    }
    Ok(Converted {
        bag: OptionBag::new(entries),
        binding,
    })
}

/// The message of a core `config` error about names, as a `TypeError`.
fn type_error(e: Error) -> PyErr {
    let message = match &e {
        Error::Config { message } => message.clone(),
        other => other.to_string(),
    };
    PyTypeError::new_err(message)
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// `value` as the core takes `shape`, or `None` if it is not of that type. `None` (Python's)
/// is "not given", whatever the shape.
fn of_shape(value: &Bound<'_, PyAny>, shape: Shape) -> Option<OptionValue> {
    if value.is_none() {
        return Some(OptionValue::Absent);
    }
    match shape {
        Shape::Number => {
            // `True` is an `int` to Python, but never a number of seconds or retries. Anything
            // else that is a real number (`Decimal`, `Fraction`, numpy's scalars) converts.
            if value.is_instance_of::<PyBool>() || value.is_instance_of::<PyString>() {
                return None;
            }
            real(value).ok().map(OptionValue::Number)
        }
        Shape::Flag => value.cast::<PyBool>().ok().map(|b| OptionValue::Bool(b.is_true())),
        Shape::Text => text_or_path(value),
        Shape::Texts => texts(value),
        Shape::TextOrTexts => text(value).or_else(|| pem_bytes(value)).or_else(|| texts(value)),
        Shape::Pairs => pairs(value)?.ok(),
        Shape::TextOrMap => text(value).or_else(|| pem_bytes(value)).or_else(|| json_map(value, 0)),
        Shape::Binding => None,
    }
}

/// How deep a mapping given as JSON (a JWK, a service account key) may nest: theirs are one
/// level, and a bound keeps a mapping that contains itself from recursing for ever.
const MAX_JSON_DEPTH: usize = 4;

/// A mapping of JSON values (a JWK as a `dict`), for the core to read as JSON.
fn json_map(value: &Bound<'_, PyAny>, depth: usize) -> Option<OptionValue> {
    if depth >= MAX_JSON_DEPTH {
        return None;
    }
    let mapping = value.cast::<PyMapping>().ok()?;
    let mut entries = Vec::new();
    for item in mapping.items().ok()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract().ok()?;
        let Some(OptionValue::Text(name)) = text(&k) else {
            return None;
        };
        entries.push((name, json_value(&v, depth + 1)?));
    }
    Some(OptionValue::Map(entries))
}

fn json_value(value: &Bound<'_, PyAny>, depth: usize) -> Option<OptionValue> {
    if depth >= MAX_JSON_DEPTH {
        return None;
    }
    if value.is_none() {
        return Some(OptionValue::Absent);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Some(OptionValue::Bool(b.is_true()));
    }
    if let Some(t) = text(value) {
        return Some(t);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = value.extract().ok()?;
        return items
            .iter()
            .map(|item| json_value(item, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(OptionValue::List);
    }
    if let Some(map) = json_map(value, depth) {
        return Some(map);
    }
    real(value).ok().map(OptionValue::Number)
}

fn text(value: &Bound<'_, PyAny>) -> Option<OptionValue> {
    let s = value.cast::<PyString>().ok()?;
    s.to_cow().ok().map(|s| OptionValue::Text(s.into_owned()))
}

/// A string, or an `os.PathLike` (a `pathlib.Path` for the `*_file` options) as its path.
fn text_or_path(value: &Bound<'_, PyAny>) -> Option<OptionValue> {
    text(value).or_else(|| {
        let path = value.call_method0("__fspath__").ok()?;
        text(&path)
    })
}

/// PEM given as `bytes` or `bytearray`. PEM is ASCII; other bytes are kept as replacement
/// characters, so the core's PEM reader refuses them with its own message.
fn pem_bytes(value: &Bound<'_, PyAny>) -> Option<OptionValue> {
    if !(value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>()) {
        return None;
    }
    let bytes: Vec<u8> = value.extract().ok()?;
    Some(OptionValue::Text(String::from_utf8_lossy(&bytes).into_owned()))
}

/// A list or tuple of strings (not a string itself, which is a sequence of characters).
fn texts(value: &Bound<'_, PyAny>) -> Option<OptionValue> {
    if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
        return None;
    }
    let items: Vec<Bound<'_, PyAny>> = value.extract().ok()?;
    items
        .iter()
        .map(text)
        .collect::<Option<Vec<_>>>()
        .map(OptionValue::List)
}

/// A mapping of strings, or a list of `(name, value)` pairs to repeat a name. `Err` names
/// the entry that is not a string (its name only: the value may be a credential).
fn pairs(value: &Bound<'_, PyAny>) -> Option<Result<OptionValue, String>> {
    let both = |k: &Bound<'_, PyAny>, v: &Bound<'_, PyAny>| -> Result<(String, OptionValue), String> {
        let Some(OptionValue::Text(name)) = text(k) else {
            return Err(format!("a name of type {}", type_name(k)));
        };
        match text(v) {
            Some(v) => Ok((name, v)),
            None => Err(format!("the value of {name:?}, of type {},", type_name(v))),
        }
    };
    if let Ok(mapping) = value.cast::<PyMapping>() {
        let items = mapping.items().ok()?;
        let mut entries = Vec::new();
        for item in items.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract().ok()?;
            match both(&k, &v) {
                Ok(entry) => entries.push(entry),
                Err(why) => return Some(Err(why)),
            }
        }
        return Some(Ok(OptionValue::Map(entries)));
    }
    if !(value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>()) {
        return None;
    }
    let items: Vec<Bound<'_, PyAny>> = value.extract().ok()?;
    let mut pairs = Vec::with_capacity(items.len());
    for item in &items {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract().ok()?;
        match both(&k, &v) {
            Ok((name, v)) => pairs.push(OptionValue::List(vec![OptionValue::Text(name), v])),
            Err(why) => return Some(Err(why)),
        }
    }
    Some(Ok(OptionValue::List(pairs)))
}
