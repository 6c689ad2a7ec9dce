//! Mirrors `core/src/store/`: `NativeTokenStore`, read into the core's `StoreChoice`.
//!
//! `NativeTokenStore` carries a store's encryption key: `TokenStore.kt` wraps it in classes
//! that never print the key.

use tokenfetch::options::table::Language;
use tokenfetch::options::OptionValue;
use tokenfetch::store::StoreChoice;

/// A shared token store as `TokenStore.kt` describes it. Internal: its generated `toString`
/// would print the key.
#[derive(Clone, uniffi::Enum)]
pub enum NativeTokenStore {
    /// A directory shared by the processes of one machine; `previous_keys` only open entries.
    File {
        directory: String,
        key: Option<String>,
        previous_keys: Vec<String>,
    },
    /// One Redis for many machines; `timeout_ms` is each command's timeout (None: the core's default),
    /// and `allow_insecure` lets plain `redis://` name a host other than loopback.
    Redis {
        url: String,
        key: Option<String>,
        timeout_ms: Option<i64>,
        previous_keys: Vec<String>,
        allow_insecure: bool,
    },
}

impl TryFrom<NativeTokenStore> for StoreChoice {
    type Error = tokenfetch::Error;

    /// Opened by core's options reader, so a wrong key, URL or timeout is refused in the same
    /// words as in Node, under the names `TokenStore.kt` uses (`store.timeout`).
    fn try_from(store: NativeTokenStore) -> tokenfetch::Result<StoreChoice> {
        let text = |v: Option<String>| v.map_or(OptionValue::Absent, OptionValue::Text);
        let texts = |keys: Vec<String>| OptionValue::List(keys.into_iter().map(OptionValue::Text).collect());
        let entries = match store {
            NativeTokenStore::File {
                directory,
                key,
                previous_keys,
            } => vec![
                ("file".into(), OptionValue::Text(directory)),
                ("key".into(), text(key)),
                ("previousKeys".into(), texts(previous_keys)),
            ],
            NativeTokenStore::Redis {
                url,
                key,
                timeout_ms,
                previous_keys,
                allow_insecure,
            } => vec![
                ("redis".into(), OptionValue::Text(url)),
                ("key".into(), text(key)),
                (
                    "timeout".into(),
                    // Every Long is a number core can judge; one past its range is refused there.
                    timeout_ms.map_or(OptionValue::Absent, |ms| OptionValue::Number(ms as f64)),
                ),
                ("previousKeys".into(), texts(previous_keys)),
                ("allowInsecure".into(), OptionValue::Bool(allow_insecure)),
            ],
        };
        StoreChoice::from_value("store", OptionValue::Map(entries), Language::Kotlin)
    }
}
