//! Blocking core calls run as napi `AsyncTask`s on the libuv thread pool, never on the
//! event loop. One generic task serves every method, but one: a device poll waits for
//! minutes, so it runs on a thread of its own ([`on_own_thread`]) and holds no pool worker.

use napi::bindgen_prelude::{Object, ToNapiValue, TypeName};
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

/// What settles an [`on_own_thread`] Promise, on the event loop.
type Resolver<T> = Box<dyn FnOnce(Env) -> napi::Result<T> + Send>;

/// Runs a core call that may wait for minutes on a new thread, and returns its Promise.
/// On the libuv pool it would hold one of the (by default) four workers the whole time, and
/// `fs`, `dns` and every other tokenfetch call would queue behind a few waiting polls.
pub fn on_own_thread<'env, T: ToNapiValue + Send + 'static>(
    env: &'env Env,
    name: &str,
    work: impl FnOnce() -> tokenfetch::Result<T> + Send + 'static,
) -> napi::Result<Object<'env>> {
    let (deferred, promise) = env.create_deferred::<T, Resolver<T>>()?;
    std::thread::Builder::new()
        .name(name.to_string())
        // Last resort, as in `compute`: a panic must not cross into Node.
        .spawn(move || match tokenfetch::error::catch_panic(work) {
            Ok(value) => deferred.resolve(Box::new(move |_| Ok(value))),
            Err(error) => deferred.reject(to_napi(error)),
        })
        .map_err(|e| napi::Error::from_reason(format!("tokenfetch could not start a thread: {e}")))?;
    Ok(promise)
}
