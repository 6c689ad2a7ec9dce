//! What a store holds, the same bytes from every language: where a manager's token lives
//! (its *location*), and the entry itself (versioned JSON, optionally sealed with AES-256-GCM).
//!
//! # The location: who may have the token
//! A location is an HMAC-SHA256, keyed with the store's secret salt, over everything that
//! decides which token the server would hand out: the token URL (query included), the client
//! id, the client secret and authentication method, every caller header that is not on the
//! documented non-secret list, the grant type and every parameter the request will carry,
//! credentials included (password, refresh token or code it started with, assertions, any
//! secret-named parameter), and the caller's `store_namespace`. A manager with a wrong
//! password or another tenant's API key lands on another location, asks the server itself, and
//! is refused there.
//!
//! The salt is 32 random bytes, written once by whichever manager comes first (a
//! compare-and-set, so every process agrees on it) and kept in the store:
//! - for managers with an encryption key, one salt entry per key (`tokenfetch-salt-<id>`),
//!   sealed with that key: the HMAC is then a keyed hash, a location tells someone who can
//!   list the store nothing they can test a guessed secret against, and deployments with
//!   different keys can share one Redis without touching each other's entries;
//! - for managers without one, `tokenfetch-salt`, in the clear: a salted hash, which defeats
//!   precomputed tables but not someone who reads the store. Such a person holds its bearer
//!   tokens anyway; the docs say to seal any store others may read.
//!
//! A manager whose key ring holds previous keys takes the salt of a previous key and copies
//! it under its current key's name, so rotating the encryption key moves no entry: old and
//! new processes keep one location and one lease throughout a rolling rotation.
//!
//! # The entry
//! Versioned JSON: a `generation` that every write under the lease raises by one (which refresh
//! token is newest, with no clock involved), the token response, its remaining life in
//! milliseconds *at the moment of writing* (a reader subtracts the entry's age, which the store
//! measures on its own clock), the newest refresh token, and `spending`, set while a holder is
//! sending a single-use grant (see [`crate::store`]).

use std::time::Duration;

use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::hmac;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{StoredBytes, TokenStore};
use crate::error::{Error, Result};
use crate::model::TokenResponse;
use crate::secret::Secret;

/// The entry format this version writes and reads. A newer format is treated as someone
/// else's, so an older process neither misreads nor overwrites it. Format 1 (before the
/// location became a keyed hash) lived under other names, which this version never reads.
pub const FORMAT: u32 = 2;
const SEALED_PREFIX: &str = "tfsealed1:";
/// The salt entry of managers without a key (see the module documentation).
const PLAIN_SALT: &str = "tokenfetch-salt";
/// How long a store keeps a salt: as long as it allows.
const SALT_TTL: Duration = Duration::from_secs(crate::parse::MAX_LIFETIME_SECS);

/// Everything that decides whose token an entry holds: the client's identity (token URL,
/// client id and secret, auth method, credential headers: `TokenClient::identity`) and the
/// request as it will be sent (its grant type and every body parameter). The manager fills it
/// in; the store needs nothing else from the client.
pub struct Whose<'a> {
    pub identity: &'a [(String, String)],
    pub grant_type: &'a str,
    pub params: &'a [(String, String)],
}

/// The location of a manager's entry: `tokenfetch-v2-` and the hex HMAC described in the
/// module documentation.
pub fn location(whose: Whose<'_>, namespace: Option<&str>, salt: &[u8; 32]) -> String {
    let mut mac = hmac::Context::with_key(&hmac::Key::new(hmac::HMAC_SHA256, salt));
    // Length-prefixed name and value, so no two different inputs hash alike.
    let mut part = |name: &str, value: &str| {
        for piece in [name, value] {
            mac.update(&(piece.len() as u64).to_be_bytes());
            mac.update(piece.as_bytes());
        }
    };
    part("namespace", namespace.unwrap_or(""));
    for (name, value) in whose.identity {
        part(name, value);
    }
    part("grant_type", whose.grant_type);
    for (name, value) in whose.params {
        part(name, value);
    }
    let tag = mac.sign();
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("tokenfetch-v{FORMAT}-{hex}")
}

/// The store's salt for managers with `keys` (or without any), created when missing. An
/// error when the store fails, or when a salt is there that these keys cannot open.
///
/// Each key has a salt entry of its own (`tokenfetch-salt-<id>`, the id an HMAC of a fixed
/// text under the key), so deployments with different keys can share one Redis. A ring with
/// previous keys takes the salt of the first of them that has one and copies it under the
/// current key's name: old and new processes of a rolling rotation hash to one location.
pub fn salt(store: &dyn TokenStore, keys: Option<&KeyRing>) -> Result<[u8; 32]> {
    let Some(keys) = keys else {
        return salt_named(store, PLAIN_SALT, None, None);
    };
    let current = keys.current().salt_name();
    if let Some(found) = read_salt(store, &current, keys)? {
        return Ok(found);
    }
    for previous in &keys.keys[1..] {
        if let Some(found) = read_salt(store, &previous.salt_name(), keys)? {
            // Copied, not moved: processes holding only the previous key still read theirs.
            return salt_named(store, &current, Some((keys, keys.current())), Some(found));
        }
    }
    // None yet. Created under the oldest key's name first, so a process that has only that
    // key, starting at the same moment, settles on the same salt.
    let oldest = keys.keys.last().expect("a ring holds a key");
    let salt = salt_named(store, &oldest.salt_name(), Some((keys, oldest)), None)?;
    if oldest.salt_name() == current {
        return Ok(salt);
    }
    salt_named(store, &current, Some((keys, keys.current())), Some(salt))
}

/// The salt in entry `name`, written (`fresh`, or random) when absent, sealed with the key
/// the name belongs to. Whoever writes first wins; the others read theirs.
fn salt_named(
    store: &dyn TokenStore,
    name: &str,
    keys: Option<(&KeyRing, &EntryKey)>,
    fresh: Option<[u8; 32]>,
) -> Result<[u8; 32]> {
    for _ in 0..3 {
        if let Some(found) = match keys {
            Some((keys, _)) => read_salt(store, name, keys)?,
            None => read_plain_salt(store, name)?,
        } {
            return Ok(found);
        }
        let salt = match fresh {
            Some(salt) => salt,
            None => {
                let mut random = [0u8; 32];
                crate::authorize::fill_random(&mut random)?;
                random
            }
        };
        let text = base64::engine::general_purpose::STANDARD.encode(salt).into_bytes();
        let bytes = match keys {
            Some((_, sealing)) => seal(text, name, sealing)?,
            None => text,
        };
        if store.compare_and_set(name, None, &bytes, SALT_TTL)? {
            return Ok(salt);
        }
    }
    Err(store_problem("the store's salt changed three times while being read"))
}

fn read_salt(store: &dyn TokenStore, name: &str, keys: &KeyRing) -> Result<Option<[u8; 32]>> {
    let Some(found) = store.get(name)? else { return Ok(None) };
    let (plain, _) = open(found.bytes.expose_secret(), name, keys).map_err(|u| {
        store_problem(&format!(
            "the store's salt {name} cannot be read ({}); remove that entry to start afresh",
            u.why
        ))
    })?;
    salt_from(&plain, name).map(Some)
}

fn read_plain_salt(store: &dyn TokenStore, name: &str) -> Result<Option<[u8; 32]>> {
    match store.get(name)? {
        Some(found) => salt_from(found.bytes.expose_secret(), name).map(Some),
        None => Ok(None),
    }
}

fn salt_from(text: &[u8], name: &str) -> Result<[u8; 32]> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()
        .and_then(|raw| raw.try_into().ok())
        .ok_or_else(|| {
            store_problem(&format!(
                "the store's salt {name} is damaged; remove that entry to start afresh"
            ))
        })
}

/// What a manager writes.
#[derive(Clone, Default, Debug)]
pub struct Draft {
    /// One more than the generation of the entry it replaces (1 for the first).
    pub generation: u64,
    /// The token to share, if any.
    pub token: Option<TokenResponse>,
    /// The token's remaining life now.
    pub life: Duration,
    /// The newest refresh token.
    pub refresh_token: Option<Secret>,
    /// A single-use grant is being sent: whoever finds this with the lease free must take
    /// `refresh_token` (and the configured grant) as possibly spent.
    pub spending: bool,
    /// The managers' configured single-use grant (a code, a device code, the refresh token
    /// they were given) has reached the server, or is being sent: never to be sent again.
    pub grant_sent: bool,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    generation: u64,
    #[serde(default)]
    token: Option<Value>,
    #[serde(default)]
    life_ms: u64,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    spending: bool,
    #[serde(default)]
    grant_sent: bool,
}

/// An entry, read back.
#[derive(Clone, Debug)]
pub struct Decoded {
    pub generation: u64,
    pub token: Option<TokenResponse>,
    /// The token's remaining life now: its life when written less the entry's age, both
    /// measured by the store, so no two machines' clocks are compared.
    pub remaining: Duration,
    pub refresh_token: Option<Secret>,
    pub spending: bool,
    pub grant_sent: bool,
}

impl Decoded {
    /// What `draft` reads back as, just written.
    pub fn of(draft: &Draft) -> Decoded {
        Decoded {
            generation: draft.generation,
            token: draft.token.clone(),
            remaining: draft.life,
            refresh_token: draft.refresh_token.clone(),
            spending: draft.spending,
            grant_sent: draft.grant_sent,
        }
    }
}

/// Why an entry could not be used, and whether a write may replace it.
#[derive(Debug)]
pub struct Unreadable {
    pub error: Error,
    why: String,
    /// False for an entry this manager cannot judge: sealed with a key it lacks, or of a
    /// newer format. Replacing it would undo other managers' work (or their encryption).
    pub replaceable: bool,
}

/// A caller's AES-256-GCM key for sealing entries.
#[derive(Clone, Debug)]
pub struct EntryKey(Secret<[u8; 32]>);

impl EntryKey {
    /// A key of exactly 32 bytes (AES-256), as a random generator gives them.
    pub fn new(raw: &[u8]) -> Result<EntryKey> {
        let array: [u8; 32] = raw.try_into().map_err(|_| {
            Error::config(format!(
                "a store encryption key given as bytes is exactly 32 bytes (AES-256), not {}",
                raw.len()
            ))
        })?;
        Ok(EntryKey(Secret::new(array)))
    }

    /// A key given as text: 32 random bytes in base64 (standard or URL-safe, padded or not),
    /// as `openssl rand -base64 32` prints them. Text is never taken as the key's bytes
    /// themselves: a 32-character passphrase would make a weak key that looked accepted.
    pub fn from_base64(text: &str) -> Result<EntryKey> {
        let engines = [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE,
            &base64::engine::general_purpose::STANDARD_NO_PAD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ];
        let decoded = engines.iter().find_map(|engine| engine.decode(text.trim()).ok());
        match decoded {
            Some(bytes) if bytes.len() == 32 => EntryKey::new(&bytes),
            // The text itself is never quoted: it may be the key, mistyped.
            _ => Err(Error::config(
                "a store encryption key given as text is the base64 of 32 bytes of random data \
                 (AES-256), 44 characters as `openssl rand -base64 32` prints them; this one is not",
            )),
        }
    }

    /// The name of this key's salt entry: `tokenfetch-salt-` and 16 hex digits of an HMAC of
    /// a fixed text under the key, which says nothing of the key itself.
    fn salt_name(&self) -> String {
        let tag = hmac::sign(
            &hmac::Key::new(hmac::HMAC_SHA256, self.0.expose_secret()),
            b"tokenfetch salt name",
        );
        let hex: String = tag.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("{PLAIN_SALT}-{hex}")
    }

    fn cipher(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, self.0.expose_secret()).expect("32 bytes is an AES-256 key"))
    }
}

/// The current key, which seals every write, and previous keys, which only open: rotate by
/// deploying the new key as current with the old one as previous. Each entry is sealed with
/// the current key at its next write; the salt is copied under the current key's name.
#[derive(Clone, Debug)]
pub struct KeyRing {
    keys: Vec<EntryKey>,
}

impl KeyRing {
    pub fn new(current: EntryKey, previous: Vec<EntryKey>) -> KeyRing {
        let mut keys = vec![current];
        keys.extend(previous);
        KeyRing { keys }
    }

    pub fn current(&self) -> &EntryKey {
        &self.keys[0]
    }

    /// How many previous keys it holds.
    pub fn previous_count(&self) -> usize {
        self.keys.len() - 1
    }
}

fn seal(plain: Vec<u8>, aad: &str, key: &EntryKey) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    // Without randomness there is no safe nonce: nothing is stored rather than risk reuse.
    crate::authorize::fill_random(&mut nonce)?;
    let mut sealed = plain;
    key.cipher()
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad.as_bytes()),
            &mut sealed,
        )
        .map_err(|_| Error::decode("a token entry could not be sealed"))?;
    let mut framed = nonce.to_vec();
    framed.extend_from_slice(&sealed);
    let mut out = SEALED_PREFIX.as_bytes().to_vec();
    out.extend(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(framed)
            .into_bytes(),
    );
    Ok(out)
}

/// The plain bytes of a sealed value and the index of the key that opened it.
fn open(bytes: &[u8], aad: &str, keys: &KeyRing) -> std::result::Result<(Vec<u8>, usize), Unreadable> {
    let Some(sealed) = bytes.strip_prefix(SEALED_PREFIX.as_bytes()) else {
        return Err(unreadable(
            "it is not sealed, and this manager keeps sealed entries",
            true,
        ));
    };
    let framed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(sealed)
        .map_err(|_| unreadable("its sealed text is not base64", true))?;
    if framed.len() < NONCE_LEN {
        return Err(unreadable("it is shorter than a nonce", true));
    }
    let (nonce, ciphertext) = framed.split_at(NONCE_LEN);
    for (index, key) in keys.keys.iter().enumerate() {
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unreadable("bad nonce", true))?;
        let mut buffer = ciphertext.to_vec();
        if let Ok(plain) = key
            .cipher()
            .open_in_place(nonce, Aad::from(aad.as_bytes()), &mut buffer)
        {
            return Ok((plain.to_vec(), index));
        }
    }
    // An entry here that no key opens: a repeatable grant may replace it; a single-use one
    // waits, since it may hold the newest refresh token.
    Err(unreadable(
        "it does not open with this manager's keys (sealed with a newer key during a rotation, with \
         a key since removed, or altered); give this manager the key (as a previous one), or \
         remove the entry",
        true,
    ))
}

/// The bytes to store for `draft` at `location`, sealed with the ring's current key when
/// there is one. The location is the associated data, so a sealed entry moved elsewhere does
/// not open.
pub fn encode(draft: &Draft, location: &str, keys: Option<&KeyRing>) -> Result<Vec<u8>> {
    let stored = Stored {
        format: FORMAT,
        generation: draft.generation,
        token: draft.token.as_ref().map(TokenResponse::to_json_value),
        life_ms: u64::try_from(draft.life.as_millis()).unwrap_or(u64::MAX),
        refresh_token: draft.refresh_token.clone().map(Secret::into_exposed),
        spending: draft.spending,
        grant_sent: draft.grant_sent,
    };
    let plain = serde_json::to_vec(&stored).map_err(|_| Error::decode("a token entry could not be written"))?;
    match keys {
        Some(keys) => seal(plain, location, keys.current()),
        None => Ok(plain),
    }
}

/// Reads an entry back, or says why it cannot be used: corrupt bytes or a plain entry where
/// sealed ones are expected (both replaceable), or a sealed entry without these keys or of a
/// newer format (not replaceable by this manager).
pub fn decode(found: &StoredBytes, location: &str, keys: Option<&KeyRing>) -> std::result::Result<Decoded, Unreadable> {
    let (plain, _) = match (found.bytes.expose_secret().starts_with(SEALED_PREFIX.as_bytes()), keys) {
        (_, Some(keys)) => open(found.bytes.expose_secret(), location, keys)?,
        (true, None) => return Err(unreadable("it is sealed, and this manager has no key", true)),
        (false, None) => (found.bytes.expose_secret().clone(), 0),
    };
    let stored: Stored = serde_json::from_slice(&plain).map_err(|_| {
        // A newer format may have changed more than the version number.
        match serde_json::from_slice::<Value>(&plain)
            .ok()
            .and_then(|v| v.get("format")?.as_u64())
        {
            Some(format) if format > u64::from(FORMAT) => unreadable("it is of a newer format", false),
            _ => unreadable("it is not a tokenfetch entry", true),
        }
    })?;
    if stored.format > FORMAT {
        return Err(unreadable("it is of a newer format", false));
    }
    let token = match stored.token {
        Some(token) => Some(
            crate::parse::parse_token_body(token.to_string().as_bytes(), None)
                .map_err(|_| unreadable("its token does not parse", true))?,
        ),
        None => None,
    };
    Ok(Decoded {
        generation: stored.generation,
        token,
        remaining: Duration::from_millis(stored.life_ms).saturating_sub(found.age),
        refresh_token: stored.refresh_token.map(Secret::from),
        spending: stored.spending,
        grant_sent: stored.grant_sent,
    })
}

fn unreadable(why: &str, replaceable: bool) -> Unreadable {
    Unreadable {
        error: Error::decode(format!("a stored token entry was discarded: {why}")),
        why: why.to_owned(),
        replaceable,
    }
}

fn store_problem(message: &str) -> Error {
    Error::Transport {
        message: format!("token store: {message}"),
        http_meta: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn token() -> TokenResponse {
        TokenResponse::from_json(
            r#"{"access_token":"at-secret","token_type":"bearer","expires_in":60,"refresh_token":"rt-secret","expires_at":2000000000}"#,
        )
        .unwrap()
    }

    fn draft() -> Draft {
        Draft {
            generation: 3,
            token: Some(token()),
            life: Duration::from_secs(60),
            refresh_token: Some("rt-secret".into()),
            spending: false,
            grant_sent: true,
        }
    }

    fn found(bytes: Vec<u8>, age_ms: u64) -> StoredBytes {
        StoredBytes {
            bytes: Secret::new(bytes),
            age: Duration::from_millis(age_ms),
        }
    }

    fn ring(byte: u8) -> KeyRing {
        KeyRing::new(EntryKey::new(&[byte; 32]).unwrap(), vec![])
    }

    fn replaceable(bytes: Vec<u8>, location: &str, keys: Option<&KeyRing>) -> std::result::Result<Decoded, bool> {
        decode(&found(bytes, 0), location, keys).map_err(|u| u.replaceable)
    }

    #[test]
    fn entries_round_trip_plain_and_sealed_and_age_by_the_stores_measure() {
        let plain = encode(&draft(), "k", None).unwrap();
        let decoded = decode(&found(plain, 15_000), "k", None).unwrap();
        assert_eq!(decoded.token, Some(token()));
        assert_eq!((decoded.generation, decoded.remaining), (3, Duration::from_secs(45)));
        let keys = ring(7);
        let sealed = encode(&draft(), "k", Some(&keys)).unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("secret"));
        let decoded = decode(&found(sealed, 61_000), "k", Some(&keys)).unwrap();
        assert_eq!(
            decoded.refresh_token.as_ref().map(Secret::expose_str),
            Some("rt-secret")
        );
        assert_eq!(
            decoded.remaining,
            Duration::ZERO,
            "an entry older than its token is spent"
        );
        assert!(!format!("{decoded:?}").contains("rt-secret"));
    }

    #[test]
    fn a_sealed_entry_opens_only_with_its_keys_under_its_location() {
        let sealed = encode(&draft(), "k", Some(&ring(7))).unwrap();
        // Locations are keyed per key: an entry no key here opens was sealed with a key since
        // removed (or altered), and a repeatable grant may replace it.
        assert!(matches!(replaceable(sealed.clone(), "k", Some(&ring(8))), Err(true)));
        assert!(matches!(
            replaceable(sealed.clone(), "moved", Some(&ring(7))),
            Err(true)
        ));
        assert!(matches!(replaceable(sealed.clone(), "k", None), Err(true)));
        let mut altered = sealed.clone();
        let middle = altered.len() / 2;
        altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
        assert!(matches!(replaceable(altered, "k", Some(&ring(7))), Err(true)));
        // A ring whose previous key is the sealing one opens it.
        let rotated = KeyRing::new(EntryKey::new(&[8; 32]).unwrap(), vec![EntryKey::new(&[7; 32]).unwrap()]);
        assert!(decode(&found(sealed, 0), "k", Some(&rotated)).is_ok());
    }

    #[test]
    fn corrupt_entries_are_replaceable_and_newer_formats_are_not() {
        assert!(matches!(replaceable(b"\x00garbage".to_vec(), "k", None), Err(true)));
        assert!(matches!(
            replaceable(br#"{"format":99,"generation":1}"#.to_vec(), "k", None),
            Err(false)
        ));
        let plain = encode(&draft(), "k", None).unwrap();
        assert!(matches!(replaceable(plain.clone(), "k", Some(&ring(7))), Err(true)));
        let e = decode(&found(plain[..plain.len() / 2].to_vec(), 0), "k", None)
            .unwrap_err()
            .error;
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn keys_are_32_raw_bytes_or_their_base64_and_text_is_never_raw() {
        assert!(EntryKey::new(&[1u8; 32]).is_ok());
        assert!(EntryKey::new(b"short").unwrap_err().to_string().contains("not 5"));
        let b64 = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        assert!(EntryKey::from_base64(&b64).is_ok());
        let url_safe = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode([250u8; 32]);
        assert!(EntryKey::from_base64(&url_safe).is_ok());
        let passphrase = "correct horse battery staple 32c";
        assert_eq!(passphrase.len(), 32);
        let e = EntryKey::from_base64(passphrase).unwrap_err().to_string();
        assert!(e.contains("openssl rand -base64 32") && !e.contains("horse"), "{e}");
        let short = base64::engine::general_purpose::STANDARD.encode([1u8; 16]);
        assert!(EntryKey::from_base64(&short).is_err());
        assert!(!format!("{:?}", EntryKey::new(&[1u8; 32]).unwrap()).contains('1'));
    }

    #[test]
    fn one_salt_per_key_and_store_and_rotation_keeps_it() {
        let store = MemoryStore::new();
        let plain = salt(&store, None).unwrap();
        assert_eq!(salt(&store, None).unwrap(), plain, "created once, then read");
        let old = ring(7);
        let sealed = salt(&store, Some(&old)).unwrap();
        assert_ne!(sealed, plain, "sealed managers keep a salt of their own");
        let name = EntryKey::new(&[7; 32]).unwrap().salt_name();
        let raw = store.get(&name).unwrap().unwrap().bytes.into_exposed();
        let encoded = base64::engine::general_purpose::STANDARD.encode(sealed);
        assert!(
            !String::from_utf8_lossy(&raw).contains(&encoded),
            "the sealed salt is not in the clear"
        );
        // Another deployment, another key: a salt of its own in the same store.
        let other = salt(&store, Some(&ring(9))).unwrap();
        assert_ne!(other, sealed);
        // A rotation: the new key takes the old key's salt, and keeps it once the old key is gone.
        let rotated = KeyRing::new(EntryKey::new(&[8; 32]).unwrap(), vec![EntryKey::new(&[7; 32]).unwrap()]);
        assert_eq!(salt(&store, Some(&rotated)).unwrap(), sealed, "rotation keeps the salt");
        assert_eq!(
            salt(&store, Some(&ring(8))).unwrap(),
            sealed,
            "copied under the new key's name"
        );
        assert_eq!(salt(&store, Some(&old)).unwrap(), sealed, "the old key's copy stays");
        // A fresh store mid-rotation: a ring and an old-key-only process settle on one salt.
        let fresh = MemoryStore::new();
        assert_eq!(salt(&fresh, Some(&rotated)).unwrap(), salt(&fresh, Some(&old)).unwrap());
    }
}
