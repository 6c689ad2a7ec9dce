//! A store as a binding's caller names it (`FileStore(dir, key=...)` in Python,
//! `{ store: { redis: url, key } }` in Node, `TokenStore.Redis(url, key)` in Kotlin), opened
//! once here so every language checks it the same way.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::entry::{EntryKey, KeyRing};
use super::{FileStore, MemoryStore, RedisStore, TokenStore, DEFAULT_STORE_TIMEOUT};
use crate::error::{Error, Result};
use crate::options::table::Language;
use crate::options::{OptionBag, OptionValue, STORE_TIMEOUT};

/// An opened store and the keys that seal its entries, ready for
/// [`ManagerOptions::use_store`](crate::ManagerOptions::use_store): how every binding opens
/// the store its caller described. Binding plumbing, hidden from the documented API; a Rust
/// caller sets `ManagerOptions::store` and `store_keys` directly.
#[doc(hidden)]
#[derive(Clone, Debug)]
pub struct StoreChoice {
    pub store: Arc<dyn TokenStore>,
    pub key: Option<EntryKey>,
    /// Keys that only open entries (a rotation in progress); see [`KeyRing`].
    pub previous_keys: Vec<EntryKey>,
}

impl StoreChoice {
    /// A [`FileStore`] in `dir` (created, mode 0700, when missing). The key is checked
    /// before ([`EntryKey::new`], [`EntryKey::from_base64`]), so a mistake in it leaves no
    /// directory behind.
    pub fn file(dir: impl Into<PathBuf>, key: Option<EntryKey>) -> Result<StoreChoice> {
        Ok(StoreChoice {
            store: Arc::new(FileStore::new(dir)?),
            key,
            previous_keys: Vec::new(),
        })
    }

    /// A [`RedisStore`] at `url`; `timeout` is its own per-command timeout (500 ms if `None`),
    /// and `allow_insecure` lets a plain `redis://` URL name a host other than loopback.
    pub fn redis(
        url: &str,
        key: Option<EntryKey>,
        timeout: Option<Duration>,
        allow_insecure: bool,
    ) -> Result<StoreChoice> {
        Ok(StoreChoice {
            store: Arc::new(RedisStore::with_options(
                url,
                timeout.unwrap_or(DEFAULT_STORE_TIMEOUT),
                allow_insecure,
            )?),
            key,
            previous_keys: Vec::new(),
        })
    }

    /// A [`MemoryStore`] of its own.
    pub fn memory() -> StoreChoice {
        StoreChoice {
            store: Arc::new(MemoryStore::new()),
            key: None,
            previous_keys: Vec::new(),
        }
    }

    /// Adds keys that only open entries, for a rotation in progress. Previous keys need a
    /// current one: a `config` error otherwise.
    pub fn with_previous_keys(mut self, previous: Vec<EntryKey>) -> Result<StoreChoice> {
        if self.key.is_none() && !previous.is_empty() {
            return Err(Error::config(
                "previous store keys need a current key to seal new entries with; set key as well",
            ));
        }
        self.previous_keys = previous;
        Ok(self)
    }

    /// The keys as a ring, when there is a current one.
    pub fn keys(&self) -> Option<KeyRing> {
        self.key
            .clone()
            .map(|current| KeyRing::new(current, self.previous_keys.clone()))
    }

    /// The store described by an options object, as Node and Kotlin pass it: exactly one of
    /// `file` (a directory) or `redis` (a URL), with an optional `key` (32 bytes as base64),
    /// `previous_keys` (a list of such keys that only open entries) and, for Redis, `timeout`
    /// (milliseconds) and `allow_insecure`, each spelt as `language` spells it
    /// (`previousKeys`, `timeoutMs` in Node). `name` is the option's name (`store`), used in
    /// messages.
    pub fn from_value(name: &str, value: OptionValue, language: Language) -> Result<StoreChoice> {
        let bag = OptionBag::from_value(name, value)?;
        let key_name = "key";
        let previous_name = &language.spell("previous_keys", false);
        let insecure_name = &language.spell("allow_insecure", false);
        let timeout_name = &language.spell("timeout", true);
        bag.check_names(&["file", "redis", key_name, previous_name, timeout_name, insecure_name])
            .map_err(|e| match e {
                Error::Config { message } => Error::config(format!("{name}: {message}")),
                other => other,
            })?;
        let key = bag.text(key_name)?.as_deref().map(EntryKey::from_base64).transpose()?;
        let previous_keys = bag
            .texts(previous_name)?
            .unwrap_or_default()
            .iter()
            .map(|text| EntryKey::from_base64(text))
            .collect::<Result<Vec<_>>>()?;
        let allow_insecure = bag.flag(insecure_name)?.unwrap_or(false);
        let timeout = bag
            .number(timeout_name)?
            .map(|ms| STORE_TIMEOUT.duration_from_millis(&format!("{name}.{timeout_name}"), ms))
            .transpose()?;
        let choice = match (bag.text("file")?, bag.text("redis")?) {
            (Some(dir), None) => {
                if timeout.is_some() || allow_insecure {
                    let option = if timeout.is_some() { timeout_name } else { insecure_name };
                    return Err(Error::config(format!("{name}.{option} applies to a Redis store only")));
                }
                StoreChoice::file(dir, key)
            }
            (None, Some(url)) => StoreChoice::redis(&url, key, timeout, allow_insecure),
            _ => Err(Error::config(format!(
                "{name} names exactly one store: {{ file: <directory> }} or {{ redis: <url> }}"
            ))),
        }?;
        choice.with_previous_keys(previous_keys)
    }

    /// The store and the keys that seal its entries, for [`ManagerOptions::use_store`](crate::ManagerOptions::use_store).
    pub fn into_parts(self) -> (Arc<dyn TokenStore>, Option<KeyRing>) {
        let keys = self.keys();
        (self.store, keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> OptionValue {
        OptionValue::Text(s.into())
    }

    #[test]
    fn an_options_object_names_one_store_and_mistakes_say_what_to_write() {
        let redis = OptionValue::Map(vec![
            ("redis".into(), text("redis://127.0.0.1:1")),
            ("timeoutMs".into(), OptionValue::Number(250.0)),
        ]);
        let choice = StoreChoice::from_value("store", redis, Language::Node).unwrap();
        assert!(format!("{:?}", choice.store).contains("250ms"));
        let both = OptionValue::Map(vec![
            ("file".into(), text("/tmp/x")),
            ("redis".into(), text("redis://h")),
        ]);
        let e = StoreChoice::from_value("store", both, Language::Node).unwrap_err();
        assert!(e.to_string().contains("exactly one"), "{e}");
        let typo = OptionValue::Map(vec![("redsi".into(), text("redis://h"))]);
        let e = StoreChoice::from_value("store", typo, Language::Node).unwrap_err();
        assert!(
            e.to_string()
                .contains("store: unknown option `redsi`; did you mean `redis`"),
            "{e}"
        );
        assert_eq!(e.to_string().matches("invalid configuration").count(), 1, "{e}");
        let e = StoreChoice::from_value("store", text("/tmp/x"), Language::Node).unwrap_err();
        assert!(e.to_string().contains("store must be an object"), "{e}");
        let negative = OptionValue::Map(vec![
            ("redis".into(), text("redis://h")),
            ("timeoutMs".into(), OptionValue::Number(-1.0)),
        ]);
        let e = StoreChoice::from_value("store", negative, Language::Node).unwrap_err();
        assert!(e.to_string().contains("store.timeoutMs"), "{e}");
        let short_key = OptionValue::Map(vec![
            ("redis".into(), text("redis://h")),
            ("key".into(), text("c2hvcnQ=")),
        ]);
        let e = StoreChoice::from_value("store", short_key, Language::Node).unwrap_err();
        assert!(e.to_string().contains("32 bytes"), "{e}");
    }
}
