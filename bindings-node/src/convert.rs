//! What every module of the binding shares: JavaScript option objects as the core's
//! `OptionBag`, the `onToken` listener, and the small conversions the model classes use. Each
//! model class lives in the module named after the core module it mirrors.
//!
//! Nothing here decides behaviour: grants, parsing, defaults and redaction come from core.

use std::sync::Arc;

use napi::bindgen_prelude::{Array, FromNapiValue, Function, Object, Unknown};
use napi::threadsafe_function::{ThreadsafeFunctionCallMode, UnknownReturnValue};
use napi::{JsValue, ValueType};
use serde_json::Value;
use tokenfetch::manager::OnToken;
use tokenfetch::options::table::Language;
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::store::StoreChoice;
use tokenfetch::Redacted;

use crate::error::to_napi;

use tokenfetch as core;

use crate::model::TokenResponse;

pub(crate) fn seconds(value: Option<u64>) -> Option<i64> {
    value.map(|v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// What `JSON.stringify` and `util.inspect` show of a model: its one redacted view, as the
/// core renders it for Node.
pub(crate) fn shown_json(model: &impl Redacted) -> Value {
    model.redacted_view().to_json(Language::Node)
}

/// A JavaScript options object as core's [`OptionBag`], which checks every name, type and
/// range (so `{ timeoutMs: -1 }` and `{ timeout: 5 }` are `ConfigError`s naming the option).
pub fn option_bag(options: Option<Unknown<'_>>) -> napi::Result<OptionBag> {
    OptionBag::from_value("options", options_value(options)?).map_err(to_napi)
}

fn options_value(options: Option<Unknown<'_>>) -> napi::Result<OptionValue> {
    match options {
        None => Ok(OptionValue::Absent),
        Some(v) => option_value(&v, 0),
    }
}

/// `new TokenManager(client, {...})` options: the bag, and the `store` object on its own,
/// since core's [`StoreChoice::from_value`] reads it whole (`{ file }` or `{ redis, timeoutMs }`,
/// with `key`) and a bag hands out single values only.
pub fn manager_options(options: Option<Unknown<'_>>) -> napi::Result<(OptionBag, OptionValue)> {
    let value = options_value(options)?;
    let store = match &value {
        OptionValue::Map(entries) => entries
            .iter()
            .find(|(name, _)| name == "store")
            .map(|(_, store)| store.clone())
            .unwrap_or(OptionValue::Absent),
        _ => OptionValue::Absent,
    };
    let bag = OptionBag::from_value("options", value).map_err(to_napi)?;
    Ok((bag, store))
}

/// The `store` option as core opens it; `None` when it is not set.
pub fn store_choice(store: OptionValue) -> core::Result<Option<StoreChoice>> {
    match store {
        OptionValue::Absent => Ok(None),
        store => StoreChoice::from_value("store", store, Language::Node).map(Some),
    }
}

/// `onToken` as core calls it. Core calls it on the thread that fetched (a libuv worker, or
/// the event loop itself in a `...Sync` call), so it goes through a threadsafe function: the
/// call is queued for the event loop and the fetching thread moves on at once. It is weak, so a manager with a listener does not keep
/// the process alive. `lib/index.js` passes a wrapper that never throws: napi would turn an
/// exception here into an uncaught one, which ends the process.
pub fn on_token_listener(listener: Function<'_, TokenResponse, UnknownReturnValue>) -> napi::Result<OnToken> {
    let queued = listener
        .build_threadsafe_function::<core::TokenResponse>()
        .weak::<true>()
        .build_callback(|call| Ok(TokenResponse(call.value)))?;
    Ok(Arc::new(move |token: &core::TokenResponse| {
        // The status says only that the loop is shutting down: no one is left to tell.
        let _ = queued.call(token.clone(), ThreadsafeFunctionCallMode::NonBlocking);
    }))
}

/// How long a fetch waits for the `clientAssertion` function's Promise before giving up.
const ASSERTION_CALLBACK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// The `clientAssertion` option as core calls it: for every request, on the thread that
/// fetches (a libuv worker). The call is queued for the event loop and the worker waits for
/// the Promise that `lib/index.js`'s wrapper returns (it resolves to the string, or rejects
/// with the error's message). A `...Sync` call fetches on the event loop itself, which cannot
/// both wait and run the function: there it is a `config` error saying so.
pub fn assertion_callback(
    function: Function<'_, (), Unknown<'static>>,
) -> napi::Result<Arc<tokenfetch::jwt::AssertionCallback>> {
    let event_loop = std::thread::current().id();
    let queued = Arc::new(function.build_threadsafe_function::<()>().weak::<true>().build()?);
    Ok(Arc::new(move |time_left: std::time::Duration| {
        if std::thread::current().id() == event_loop {
            return Err(
                "a clientAssertion function runs on the event loop, which a ...Sync call blocks: \
                        use the async method, or clientAssertionFile"
                    .to_string(),
            );
        }
        let (sent, received) = std::sync::mpsc::channel::<Result<String, String>>();
        let rejected = sent.clone();
        let status = queued.call_with_return_value((), ThreadsafeFunctionCallMode::Blocking, move |returned, env| {
            let value = match returned {
                Ok(value) => value,
                Err(e) => {
                    let _ = sent.send(Err(e.reason.clone()));
                    return Ok(());
                }
            };
            // SAFETY: on the event loop, with the env of this call; the wrapper always
            // returns a Promise.
            let promise =
                unsafe { napi::bindgen_prelude::PromiseRaw::<String>::from_napi_value(env.raw(), value.raw()) }?;
            promise
                .then(move |ctx| {
                    let _ = sent.send(Ok(ctx.value));
                    Ok(())
                })?
                .catch(move |ctx: napi::bindgen_prelude::CallbackContext<String>| {
                    let _ = rejected.send(Err(ctx.value));
                    Ok(())
                })?;
            Ok(())
        });
        if status != napi::Status::Ok {
            return Err("the event loop is shutting down".to_string());
        }
        // No longer than the call may still take; the caller then gets its timeout.
        let wait = time_left.min(ASSERTION_CALLBACK_WAIT);
        match received.recv_timeout(wait) {
            Ok(answer) => answer,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                Err(format!("its Promise did not settle within {} ms", wait.as_millis()))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                Err("its Promise was dropped without settling".to_string())
            }
        }
    }))
}

/// Nested options (headers, params) are shallow; the depth bound keeps a cyclic object from
/// recursing for ever.
const MAX_OPTION_DEPTH: usize = 4;

/// No option holds more items than this; a longer array (`new Array(2 ** 32 - 1)`) is refused
/// before anything is allocated for it.
const MAX_OPTION_ITEMS: u32 = 10_000;

fn option_value(value: &Unknown<'_>, depth: usize) -> napi::Result<OptionValue> {
    // SAFETY: each `cast` follows the `get_type` (or `is_array`) check for that type.
    Ok(match value.get_type()? {
        ValueType::Undefined | ValueType::Null => OptionValue::Absent,
        ValueType::Boolean => OptionValue::Bool(unsafe { value.cast::<bool>()? }),
        ValueType::Number => OptionValue::Number(unsafe { value.cast::<f64>()? }),
        ValueType::String => OptionValue::Text(unsafe { value.cast::<String>()? }),
        ValueType::Object if depth < MAX_OPTION_DEPTH => {
            if value.is_array()? {
                let array = unsafe { value.cast::<Array<'_>>()? };
                if array.len() > MAX_OPTION_ITEMS {
                    return Ok(OptionValue::Other(format!("array of over {MAX_OPTION_ITEMS} items")));
                }
                let mut items = Vec::new();
                for i in 0..array.len() {
                    let item = array.get::<Unknown<'_>>(i)?;
                    items.push(match item {
                        Some(item) => option_value(&item, depth + 1)?,
                        None => OptionValue::Absent,
                    });
                }
                OptionValue::List(items)
            } else {
                let object = unsafe { value.cast::<Object<'_>>()? };
                let mut entries = Vec::new();
                for key in Object::keys(&object)? {
                    let item = object.get::<Unknown<'_>>(&key)?;
                    let item = match item {
                        Some(item) => option_value(&item, depth + 1)?,
                        None => OptionValue::Absent,
                    };
                    entries.push((key, item));
                }
                OptionValue::Map(entries)
            }
        }
        ValueType::Object => OptionValue::Other("deeply nested object".into()),
        other => OptionValue::Other(other.to_string().to_ascii_lowercase()),
    })
}

pub(crate) fn whole(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
