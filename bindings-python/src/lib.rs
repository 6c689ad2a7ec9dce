//! The `tokenfetch._native` extension module. The package `tokenfetch` re-exports it.
//!
//! - `convert`: the model classes (newtypes over the core models), `Pkce`, `CancelToken`, the
//!   store classes `FileStore` and `RedisStore`, and the `on_token` callback;
//! - `error`: the exception hierarchy and the one conversion from core errors;
//! - `client`: `TokenClient` and `TokenManager`, releasing the GIL on every network call.

use pyo3::prelude::*;

mod authorize;
mod client;
mod convert;
mod device;
mod discovery;
mod error;
mod events;
mod id_token;
mod introspection;
mod manager;
mod model;
mod options;
mod store;

#[pymodule]
fn _native(py: Python<'_>, m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", tokenfetch::VERSION)?;
    m.add_class::<model::PyTokenResponse>()?;
    m.add_class::<model::PyTokenRequestResponse>()?;
    m.add_class::<model::PyHttpMetadata>()?;
    m.add_class::<model::PyHttpRequestMeta>()?;
    m.add_class::<model::PyHttpResponseMeta>()?;
    m.add_class::<discovery::PyServerMetadata>()?;
    m.add_class::<introspection::PyIntrospection>()?;
    m.add_class::<device::PyDeviceAuthorization>()?;
    m.add_class::<authorize::PyPkce>()?;
    m.add_class::<authorize::PyAuthorizationRequest>()?;
    m.add_class::<id_token::PyIdTokenClaims>()?;
    m.add_class::<device::PyCancelToken>()?;
    m.add_class::<store::PyFileStore>()?;
    m.add_class::<store::PyRedisStore>()?;
    m.add_class::<client::PyTokenClient>()?;
    m.add_class::<manager::PyTokenManager>()?;
    m.add_function(wrap_pyfunction!(model::parse_response, m)?)?;
    m.add_function(wrap_pyfunction!(id_token::validate_id_token, m)?)?;
    m.add_function(wrap_pyfunction!(client::clear_discovery_cache, m)?)?;
    error::register(py, m)?;
    events::install(py)?;
    Ok(())
}
