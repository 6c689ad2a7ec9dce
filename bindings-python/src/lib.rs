//! The `tokenfetch._native` extension module. The package `tokenfetch` re-exports it.
//!
//! - `convert`: the model classes (newtypes over the core models), `Pkce`, `CancelToken`, the
//!   store classes `FileStore` and `RedisStore`, and the `on_token` callback;
//! - `error`: the exception hierarchy and the one conversion from core errors;
//! - `client`: `TokenClient` and `TokenManager`, releasing the GIL on every network call.

use pyo3::prelude::*;

mod client;
mod convert;
mod error;
mod options;

#[pymodule]
fn _native(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", tokenfetch::VERSION)?;
    m.add_class::<convert::PyTokenResponse>()?;
    m.add_class::<convert::PyTokenRequestResponse>()?;
    m.add_class::<convert::PyHttpMetadata>()?;
    m.add_class::<convert::PyHttpRequestMeta>()?;
    m.add_class::<convert::PyHttpResponseMeta>()?;
    m.add_class::<convert::PyServerMetadata>()?;
    m.add_class::<convert::PyIntrospection>()?;
    m.add_class::<convert::PyDeviceAuthorization>()?;
    m.add_class::<convert::PyPkce>()?;
    m.add_class::<convert::PyAuthorizationRequest>()?;
    m.add_class::<convert::PyCancelToken>()?;
    m.add_class::<convert::PyFileStore>()?;
    m.add_class::<convert::PyRedisStore>()?;
    m.add_class::<client::PyTokenClient>()?;
    m.add_class::<client::PyTokenManager>()?;
    m.add_function(wrap_pyfunction!(convert::parse_response, m)?)?;
    m.add_function(wrap_pyfunction!(client::clear_discovery_cache, m)?)?;
    error::register(py, m)?;
    Ok(())
}
