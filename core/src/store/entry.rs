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
    // The real URL, query included (hashed, so its values do not leak): tenants and
    // policies often live in the query.
    part("token_url", client.raw_token_url());
    part("client_id", client.client_id().unwrap_or(""));
    part("grant_type", request.grant_type());
    // The parameters as the client will send them (the request's, then the client's scope,
    // audience, resource and extra parameters), credentials left out.
    for (name, value) in client.parameters_for(request) {
        if !is_secret_member(&name) {
            part(&name, &value);
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
    /// When the entry was written, in epoch milliseconds: which refresh token is newest.
    written_at: u64,
    /// When the token expires, in epoch milliseconds (the token's `expires_at` is whole
    /// seconds, too coarse for short lifetimes).
    expires_at_ms: u64,
}

/// A stored token, read back.
#[derive(Clone, Debug)]
pub struct Decoded {
    pub token: TokenResponse,
    pub written_at_ms: u64,
    pub expires_at_ms: u64,
}

/// Why an entry could not be used, and whether a write may replace it.
#[derive(Debug)]
pub struct Unreadable {
    pub error: Error,
    /// False for an entry this manager cannot judge: sealed with a key it lacks, or of a
    /// newer format. Replacing it would undo other managers' work (or their encryption).
    pub replaceable: bool,
}

/// A caller's AES-256-GCM key for sealing entries.
#[derive(Clone)]
pub struct EntryKey(LessSafeKeyBytes);

#[derive(Clone)]
struct LessSafeKeyBytes([u8; 32]);

impl EntryKey {
    /// A key of exactly 32 bytes (AES-256), as a random generator gives them.
    pub fn new(raw: &[u8]) -> Result<EntryKey> {
        let array: [u8; 32] = raw.try_into().map_err(|_| {
            Error::config(format!(
                "a store encryption key given as bytes is exactly 32 bytes (AES-256), not {}",
                raw.len()
            ))
        })?;
        Ok(EntryKey(LessSafeKeyBytes(array)))
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
pub fn encode(
    token: &TokenResponse,
    store_key: &str,
    key: Option<&EntryKey>,
    now_epoch_ms: u64,
    expires_at_ms: u64,
) -> Result<Vec<u8>> {
    let stored = Stored {
        format: FORMAT,
        token: token.to_json_value(),
        written_at: now_epoch_ms,
        expires_at_ms,
    };
    let plain = serde_json::to_vec(&stored).map_err(|_| Error::decode("a token entry could not be written"))?;
    let Some(key) = key else { return Ok(plain) };
    let mut nonce = [0u8; NONCE_LEN];
    // Without randomness there is no safe nonce: nothing is stored rather than risk reuse.
    crate::authorize::fill_random(&mut nonce)?;
    let mut sealed = plain;
    key.cipher()
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(store_key.as_bytes()),
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

/// Reads an entry back, or says why it cannot be used: corrupt bytes, a plain entry where
/// sealed ones are expected (both replaceable), or a sealed entry without this key or of a
/// newer format (not replaceable by this manager).
pub fn decode(bytes: &[u8], store_key: &str, key: Option<&EntryKey>) -> std::result::Result<Decoded, Unreadable> {
    let replaceable = |why: &str| Unreadable {
        error: corrupt(why),
        replaceable: true,
    };
    let foreign = |why: &str| Unreadable {
        error: corrupt(why),
        replaceable: false,
    };
    let plain: Vec<u8> = match (bytes.strip_prefix(SEALED_PREFIX.as_bytes()), key) {
        (Some(sealed), Some(key)) => {
            let framed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(sealed)
                .map_err(|_| replaceable("its sealed text is not base64"))?;
            if framed.len() < NONCE_LEN {
                return Err(replaceable("it is shorter than a nonce"));
            }
            let (nonce, ciphertext) = framed.split_at(NONCE_LEN);
            let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| replaceable("bad nonce"))?;
            let mut buffer = ciphertext.to_vec();
            key.cipher()
                .open_in_place(nonce, Aad::from(store_key.as_bytes()), &mut buffer)
                .map_err(|_| foreign("it does not open with this manager's key (another key, or altered)"))?
                .to_vec()
        }
        (Some(_), None) => return Err(foreign("it is sealed, and this manager has no key")),
        (None, Some(_)) => return Err(replaceable("it is not sealed, and this manager keeps sealed entries")),
        (None, None) => bytes.to_vec(),
    };
    let stored: Stored = serde_json::from_slice(&plain).map_err(|_| {
        // A newer format may have changed more than the version number.
        match serde_json::from_slice::<Value>(&plain)
            .ok()
            .and_then(|v| v.get("format")?.as_u64())
        {
            Some(format) if format > u64::from(FORMAT) => foreign("it is of a newer format"),
            _ => replaceable("it is not a tokenfetch entry"),
        }
    })?;
    if stored.format > FORMAT {
        return Err(foreign("it is of a newer format"));
    }
    let token: TokenResponse = crate::parse::parse_token_body(stored.token.to_string().as_bytes(), None)
        .map_err(|_| replaceable("its token does not parse"))?;
    Ok(Decoded {
        token,
        written_at_ms: stored.written_at,
        expires_at_ms: stored.expires_at_ms,
    })
}

fn corrupt(why: &str) -> Error {
    Error::decode(format!("a stored token entry was discarded: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> TokenResponse {
        TokenResponse::from_json(
            r#"{"access_token":"at-secret","token_type":"bearer","expires_in":60,"refresh_token":"rt-secret","expires_at":2000000000}"#,
        )
        .unwrap()
    }

    fn roundtrip(bytes: &[u8], store_key: &str, key: Option<&EntryKey>) -> std::result::Result<TokenResponse, bool> {
        decode(bytes, store_key, key)
            .map(|d| d.token)
            .map_err(|u| u.replaceable)
    }

    #[test]
    fn entries_round_trip_plain_and_sealed() {
        let key = EntryKey::new(&[7u8; 32]).unwrap();
        let plain = encode(&token(), "k", None, 1, 2).unwrap();
        assert_eq!(roundtrip(&plain, "k", None), Ok(token()));
        let sealed = encode(&token(), "k", Some(&key), 1, 2).unwrap();
        assert!(!String::from_utf8_lossy(&sealed).contains("at-secret"));
        let decoded = decode(&sealed, "k", Some(&key)).unwrap();
        assert_eq!(
            (decoded.token, decoded.written_at_ms, decoded.expires_at_ms),
            (token(), 1, 2)
        );
    }

    #[test]
    fn a_sealed_entry_opens_only_with_its_key_under_its_store_key() {
        let key = EntryKey::new(&[7u8; 32]).unwrap();
        let other = EntryKey::new(&[8u8; 32]).unwrap();
        let sealed = encode(&token(), "k", Some(&key), 1, 2).unwrap();
        // Without the right key, the entry is someone else's: not to be replaced.
        assert_eq!(roundtrip(&sealed, "k", Some(&other)), Err(false));
        assert_eq!(roundtrip(&sealed, "moved", Some(&key)), Err(false));
        assert_eq!(roundtrip(&sealed, "k", None), Err(false));
        // A byte in the middle of the ciphertext, so the tag (not base64) is what fails.
        let mut altered = sealed.clone();
        let middle = altered.len() / 2;
        altered[middle] = if altered[middle] == b'A' { b'B' } else { b'A' };
        assert_eq!(roundtrip(&altered, "k", Some(&key)), Err(false));
    }

    #[test]
    fn corrupt_entries_are_replaceable_and_newer_formats_are_not() {
        assert_eq!(roundtrip(b"\x00garbage", "k", None), Err(true));
        assert_eq!(roundtrip(br#"{"format":99,"token":{}}"#, "k", None), Err(false));
        let plain = encode(&token(), "k", None, 1, 2).unwrap();
        assert_eq!(
            roundtrip(&plain, "k", Some(&EntryKey::new(&[7u8; 32]).unwrap())),
            Err(true)
        );
        let e = decode(&plain[..plain.len() / 2], "k", None).unwrap_err().error;
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
}
