//! What a store holds, the same bytes from every language: the key a manager's token lives
//! under, and the entry itself (versioned JSON, optionally sealed with AES-256-GCM).

use std::fmt;

use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::grant::TokenRequest;
use crate::model::TokenResponse;
use crate::redact::is_secret_member;
use crate::TokenClient;

/// The entry format this version writes and reads. A newer format is treated as absent, so
/// an older process refetches rather than misreads.
pub const FORMAT: u32 = 1;
const SEALED_PREFIX: &str = "tfsealed1:";

/// The key for a manager's token: a SHA-256 over the token URL, client id, grant type, scope,
/// every parameter that is not a credential (`audience`, `resource`, a password grant's
/// `username`, ...) and the caller's namespace. Managers that would fetch the same token share
/// it, and no secret is in the key. Credentials are left out because they change (a rotated
/// refresh token) and must not be guessable from a key: managers whose grants differ only in a
/// credential (two users' refresh tokens) need a namespace each.
pub fn store_key(client: &TokenClient, request: &TokenRequest, namespace: Option<&str>) -> String {
    let mut hash = ring::digest::Context::new(&ring::digest::SHA256);
    let mut part = |name: &str, value: &str| {
        for piece in [name, value] {
            hash.update(&(piece.len() as u64).to_be_bytes());
            hash.update(piece.as_bytes());
        }
    };
    part("namespace", namespace.unwrap_or(""));
    part("token_url", client.token_url());
    part("client_id", client.client_id().unwrap_or(""));
    part("grant_type", request.grant_type());
    let scope = request
        .get("scope")
        .map(str::to_string)
        .or_else(|| client.default_scope());
    part("scope", scope.as_deref().unwrap_or(""));
    for (name, value) in request.params() {
        if name != "scope" && !is_secret_member(name) {
            part(name, value);
        }
    }
    let digest = hash.finish();
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("tokenfetch-v{FORMAT}-{hex}")
}

/// A token as stored: the response in its wire form (tokens included, and `expires_at` in
/// epoch seconds, which says when it expires on any machine's clock).
#[derive(Serialize, Deserialize)]
struct Stored {
    format: u32,
    token: Value,
    written_at: u64,
}

/// A caller's AES-256-GCM key for sealing entries.
#[derive(Clone)]
pub struct EntryKey(LessSafeKeyBytes);

#[derive(Clone)]
struct LessSafeKeyBytes([u8; 32]);

impl EntryKey {
    /// 32 bytes, raw or as base64 (standard or URL-safe, padded or not) of 32 bytes.
    pub fn new(key: &[u8]) -> Result<EntryKey> {
        let bytes: Vec<u8> = if key.len() == 32 {
            key.to_vec()
        } else {
            let text = std::str::from_utf8(key).unwrap_or("").trim();
            let engines = [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE,
                &base64::engine::general_purpose::STANDARD_NO_PAD,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ];
            engines
                .iter()
                .find_map(|engine| engine.decode(text).ok())
                .unwrap_or_default()
        };
        let array: [u8; 32] = bytes
            .try_into()
            .map_err(|_| Error::config("a store encryption key is 32 bytes (AES-256), raw or base64-encoded"))?;
        Ok(EntryKey(LessSafeKeyBytes(array)))
    }

    fn cipher(&self) -> LessSafeKey {
        LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &self.0 .0).expect("32 bytes is an AES-256 key"))
    }
}

impl fmt::Debug for EntryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EntryKey([redacted])")
    }
}

/// The bytes to store for `token`, sealed with `key` when there is one. The store key is the
/// associated data, so a sealed entry moved to another key does not open.
pub fn encode(token: &TokenResponse, store_key: &str, key: Option<&EntryKey>, now_epoch_ms: u64) -> Vec<u8> {
    let stored = Stored {
        format: FORMAT,
        token: token.to_json_value(),
        written_at: now_epoch_ms,
    };
    let plain = serde_json::to_vec(&stored).unwrap_or_default();
    let Some(key) = key else { return plain };
    let mut nonce = [0u8; NONCE_LEN];
    if crate::authorize::fill_random(&mut nonce).is_err() {
        // Without randomness there is no safe nonce: store nothing rather than risk reuse.
        return Vec::new();
    }
    let mut sealed = plain;
    if key
        .cipher()
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(store_key.as_bytes()),
            &mut sealed,
        )
        .is_err()
    {
        return Vec::new();
    }
    let mut framed = nonce.to_vec();
    framed.extend_from_slice(&sealed);
    let mut out = SEALED_PREFIX.as_bytes().to_vec();
    out.extend(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(framed)
            .into_bytes(),
    );
    out
}

/// Reads an entry back. `Ok(None)` for an entry of a newer format; an error, for the manager
/// to record before it discards the entry and fetches, for anything unreadable: corrupt
/// bytes, a sealed entry without the key (or with another), a plain one when a key is set.
pub fn decode(bytes: &[u8], store_key: &str, key: Option<&EntryKey>) -> Result<Option<TokenResponse>> {
    let plain: Vec<u8> = match (bytes.strip_prefix(SEALED_PREFIX.as_bytes()), key) {
        (Some(sealed), Some(key)) => {
            let framed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(sealed)
                .map_err(|_| corrupt("its sealed text is not base64"))?;
            if framed.len() < NONCE_LEN {
                return Err(corrupt("it is shorter than a nonce"));
            }
            let (nonce, ciphertext) = framed.split_at(NONCE_LEN);
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| corrupt("bad nonce"))?;
            let mut buffer = ciphertext.to_vec();
            key.cipher()
                .open_in_place(nonce, Aad::from(store_key.as_bytes()), &mut buffer)
                .map_err(|_| corrupt("it does not open with this key (another key, or altered)"))?
                .to_vec()
        }
        (Some(_), None) => return Err(corrupt("it is sealed, and this manager has no key")),
        (None, Some(_)) => return Err(corrupt("it is not sealed, and this manager expects sealed entries")),
        (None, None) => bytes.to_vec(),
    };
    let stored: Stored = serde_json::from_slice(&plain).map_err(|_| corrupt("it is not a tokenfetch entry"))?;
    if stored.format > FORMAT {
        return Ok(None);
    }
    let token: TokenResponse = crate::parse::parse_token_body(stored.token.to_string().as_bytes(), None)
        .map_err(|_| corrupt("its token does not parse"))?;
    Ok(Some(token))
}

fn corrupt(why: &str) -> Error {
    Error::decode(format!("a stored token entry was discarded: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> TokenResponse {
        TokenResponse::from_json(r#"{"access_token":"at-secret","token_type":"bearer","expires_in":60,"refresh_token":"rt-secret","expires_at":2000000000}"#)
            .unwrap()
    }

    #[test]
    fn entries_round_trip_plain_and_sealed() {
        let key = EntryKey::new(&[7u8; 32]).unwrap();
        let plain = encode(&token(), "k", None, 1);
        assert_eq!(decode(&plain, "k", None).unwrap(), Some(token()));
        let sealed = encode(&token(), "k", Some(&key), 1);
        assert!(!String::from_utf8_lossy(&sealed).contains("at-secret"));
        assert_eq!(decode(&sealed, "k", Some(&key)).unwrap(), Some(token()));
    }

    #[test]
    fn a_sealed_entry_opens_only_with_its_key_under_its_store_key() {
        let key = EntryKey::new(&[7u8; 32]).unwrap();
        let other = EntryKey::new(&[8u8; 32]).unwrap();
        let sealed = encode(&token(), "k", Some(&key), 1);
        assert!(decode(&sealed, "k", Some(&other)).is_err());
        assert!(decode(&sealed, "moved", Some(&key)).is_err());
        assert!(decode(&sealed, "k", None).is_err());
        let mut altered = sealed.clone();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(decode(&altered, "k", Some(&key)).is_err());
    }

    #[test]
    fn corrupt_and_future_entries() {
        assert!(decode(b"\x00garbage", "k", None).is_err());
        assert!(decode(br#"{"format":99,"token":{},"written_at":0}"#, "k", None)
            .unwrap()
            .is_none());
        let e = decode(b"{}", "k", None).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }

    #[test]
    fn keys_are_32_bytes_raw_or_base64() {
        assert!(EntryKey::new(&[1u8; 32]).is_ok());
        let b64 = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        assert!(EntryKey::new(b64.as_bytes()).is_ok());
        assert!(EntryKey::new(b"short").is_err());
        assert!(!format!("{:?}", EntryKey::new(&[1u8; 32]).unwrap()).contains('1'));
    }
}
