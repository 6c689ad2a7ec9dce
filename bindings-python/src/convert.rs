//! The conversions every module of the binding shares: JSON values to and from Python, the
//! numbers Python passes, `params=` pairs, and `repr()` pieces. The classes live in modules
//! named after the core's (`model.rs`, `discovery.rs`, `store.rs`, `manager.rs`...).
//!
//! Nothing here decides behaviour; parsing, defaults and redaction come from `tokenfetch`.

use std::collections::BTreeMap;

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};
use tokenfetch::options::table::Language;
use tokenfetch::Redacted;

/// serde_json -> Python (`dict`, `list`, `str`, `int`, `float`, `bool`, `None`).
pub fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (_, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

pub fn map_to_py<'py>(py: Python<'py>, map: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, json_to_py(py, v)?)?;
    }
    Ok(dict)
}

/// Python -> serde_json, for `extra` and `params`. Only JSON-representable values.
pub fn py_to_json(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = value.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if value.is_instance_of::<PyInt>() {
        let i: i128 = value.extract()?;
        Ok(i64::try_from(i)
            .map(Value::from)
            .or_else(|_| u64::try_from(i).map(Value::from))
            .map_err(|_| PyTypeError::new_err(format!("integer {i} does not fit in 64 bits")))?)
    } else if let Ok(f) = value.cast::<PyFloat>() {
        serde_json::Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| PyTypeError::new_err("NaN and infinity are not JSON values"))
    } else if let Ok(s) = value.cast::<PyString>() {
        Ok(Value::String(s.to_cow()?.into_owned()))
    } else if let Ok(d) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key: String = k.extract().map_err(|_| PyTypeError::new_err("dict keys must be str"))?;
            map.insert(key, py_to_json(&v)?);
        }
        Ok(Value::Object(map))
    } else if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let items: Vec<Bound<'_, PyAny>> = value.extract()?;
        Ok(Value::Array(items.iter().map(py_to_json).collect::<PyResult<_>>()?))
    } else {
        Err(PyTypeError::new_err(format!(
            "cannot convert {} to JSON",
            value.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        )))
    }
}

/// A numeric option as Python passes it (`int` or `float`), for the core's range checks.
///
/// An `int` too large for a float (`10**400`) becomes an infinity of its sign, so the core
/// refuses it as a `ConfigError` naming the option, as it refuses `1e19`. Without this, pyo3
/// raises `OverflowError` before the core sees the value. Used as
/// `#[pyo3(from_py_with = real)]`, which keeps the `float` type and the literal default in the
/// text signature that `mypy.stubtest` checks.
pub fn real(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    match value.extract::<f64>() {
        Err(e) if e.is_instance_of::<PyOverflowError>(value.py()) => {
            Ok(if value.lt(0)? { f64::NEG_INFINITY } else { f64::INFINITY })
        }
        other => other,
    }
}

/// [`real`] for an optional number: `None` stays `None`.
pub fn optional_real(value: &Bound<'_, PyAny>) -> PyResult<Option<f64>> {
    if value.is_none() {
        Ok(None)
    } else {
        real(value).map(Some)
    }
}

/// `params=` / `headers=` as Python users write them: a dict, or a list of `(name, value)` pairs.
#[derive(FromPyObject)]
pub enum Params {
    Map(BTreeMap<String, String>),
    Pairs(Vec<(String, String)>),
}

impl Params {
    pub fn into_pairs(self) -> Vec<(String, String)> {
        match self {
            Params::Map(m) => m.into_iter().collect(),
            Params::Pairs(p) => p,
        }
    }
}

/// `repr()` of a model: its one redacted view, as the core renders it for Python.
pub(crate) fn shown(model: &impl Redacted) -> String {
    model.redacted_view().render(Language::Python)
}

/// `repr()` of a Python string (single quotes, as the other reprs here write them).
pub(crate) fn repr_str(value: &str) -> String {
    format!("{value:?}").replace('"', "'")
}

/// `repr()` of a Python bool.
pub(crate) fn repr_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}
