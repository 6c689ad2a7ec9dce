//! Blocking core calls run as napi `AsyncTask`s on the libuv thread pool, never on the
//! event loop. One generic task serves every method.

use napi::bindgen_prelude::{ToNapiValue, TypeName};
use napi::{Env, Task};

use crate::error::to_napi;

type Work<T> = Box<dyn FnOnce() -> tokenfetch::Result<T> + Send>;

/// A core call to run off the event loop; `T` is what the Promise resolves to.
pub struct Blocking<T> {
    work: Option<Work<T>>,
}

impl<T> Blocking<T> {
    pub fn new(work: impl FnOnce() -> tokenfetch::Result<T> + Send + 'static) -> Self {
        Blocking {
            work: Some(Box::new(work)),
        }
    }
}

impl<T: Send + 'static + ToNapiValue + TypeName> Task for Blocking<T> {
    type Output = T;
    type JsValue = T;

    fn compute(&mut self) -> napi::Result<T> {
        let work = self
            .work
            .take()
            .ok_or_else(|| napi::Error::from_reason("a tokenfetch task ran twice"))?;
        // Last resort: a panic must not cross into Node, where it aborts the process.
        tokenfetch::error::catch_panic(work).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: T) -> napi::Result<T> {
        Ok(output)
    }
}
