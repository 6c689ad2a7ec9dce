//! The issuer's signing keys (a JWK Set, RFC 7517 §5), and the process-wide cache of them.
//!
//! # The cache
//! Keys are kept per JWKS URL and per trust settings (as discovery documents are), for the
//! discovery TTL. Three rules decide when the set is read again:
//! - **A token names a `kid` the set lacks** (the issuer rotated its keys): the set is read
//!   again, but for that reason at most once per [`REFETCH_INTERVAL`], so a stream of tokens
//!   with made-up `kid`s cannot turn the client into a flood against the issuer
//!   (openidconnect-rs #232, lua-resty-openidc #468).
//! - **The set is older than the TTL**: it is read again; when that fails and the old set
//!   still holds the key the token needs, the old key is used and the failure is not an error
//!   (the next attempt waits [`REFETCH_INTERVAL`]).
//! - **Many threads validate at once with no usable set**: one reads it and the others wait
//!   for its answer (single flight).

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde_json::{Map, Value};

use super::jws::{self, Jws};
use super::{IdTokenCheck, IdTokenFailure};
use crate::error::Result;
use crate::jwt::Algorithm;

/// The soonest an unknown `kid` makes the set be read again after the last read.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// The most keys read from one set; real issuers publish 1 to 5.
pub const MAX_KEYS: usize = 64;

/// The longest a set is used past its TTL while reading it again fails: an issuer that
/// withdraws a compromised key must not be ignored for ever by a client that cannot reach it.
pub const MAX_STALE: Duration = Duration::from_secs(24 * 3600);

/// After a failed read with no set to fall back on, the same error answers for this long
/// before the set is read again, so a JWKS endpoint that is down is not read on every sign-in.
pub const FAILURE_PAUSE: Duration = Duration::from_secs(5);

/// The biggest JWKS document read. A set of 64 RSA-4096 keys is about 50 KiB.
pub const MAX_JWKS_BYTES: u64 = 256 * 1024;

/// A verifying key from a JWKS.
#[derive(Clone, PartialEq, Eq)]
enum PublicKey {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    P256(Vec<u8>),
    Ed25519(Vec<u8>),
}

#[derive(Clone, PartialEq, Eq)]
struct Jwk {
    kid: Option<String>,
    /// The JWK's own `alg`, which binds it to one algorithm when present.
    alg: Option<String>,
    key: PublicKey,
}

/// The usable signing keys of a JWK Set. Keys for encryption (`use: enc`), symmetric keys
/// (`kty: oct`, which would let a public value act as an HMAC secret) and key types tokenfetch
/// does not verify with are left out; the set is still read.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

impl std::fmt::Debug for Jwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kids: Vec<&str> = self.keys.iter().map(|k| k.kid.as_deref().unwrap_or("-")).collect();
        f.debug_struct("Jwks").field("kids", &kids).finish()
    }
}

impl Jwks {
    /// Reads a JWK Set document.
    pub fn parse(bytes: &[u8]) -> std::result::Result<Jwks, IdTokenFailure> {
        if bytes.len() as u64 > MAX_JWKS_BYTES {
            return Err(IdTokenFailure::new(
                IdTokenCheck::Jwks,
                format!(
                    "the JWKS is {} bytes, more than the {MAX_JWKS_BYTES} accepted",
                    bytes.len()
                ),
            ));
        }
        let mut document = jws::parse_object(bytes, "JWKS").map_err(|mut failure| {
            if failure.check == IdTokenCheck::Format {
                failure.check = IdTokenCheck::Jwks;
            }
            failure
        })?;
        let keys = match document.remove("keys") {
            Some(Value::Array(keys)) => keys,
            _ => {
                return Err(IdTokenFailure::new(
                    IdTokenCheck::Jwks,
                    "the JWKS has no \"keys\" list (RFC 7517 §5)",
                ))
            }
        };
        if keys.len() > MAX_KEYS {
            return Err(IdTokenFailure::new(
                IdTokenCheck::Jwks,
                format!("the JWKS holds {} keys, more than the {MAX_KEYS} accepted", keys.len()),
            ));
        }
        Ok(Jwks {
            keys: keys
                .into_iter()
                .filter_map(|key| match key {
                    Value::Object(members) => read_jwk(&members),
                    _ => None,
                })
                .collect(),
        })
    }

    /// The number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn candidates<'a>(&'a self, algorithm: Algorithm, kid: Option<&'a str>) -> impl Iterator<Item = &'a Jwk> + 'a {
        self.keys.iter().filter(move |jwk| {
            let kind_fits = matches!(
                (algorithm, &jwk.key),
                (Algorithm::RS256 | Algorithm::PS256, PublicKey::Rsa { .. })
                    | (Algorithm::ES256, PublicKey::P256(_))
                    | (Algorithm::EdDSA, PublicKey::Ed25519(_))
            );
            let alg_fits = jwk.alg.as_deref().is_none_or(|alg| alg == algorithm.as_str());
            let kid_fits = kid.is_none_or(|kid| jwk.kid.as_deref() == Some(kid));
            kind_fits && alg_fits && kid_fits
        })
    }

    /// Whether the set holds a key the token could have been signed with.
    pub(crate) fn has_key_for(&self, algorithm: Algorithm, kid: Option<&str>) -> bool {
        self.candidates(algorithm, kid).next().is_some()
    }

    /// Verifies `jws` with the set's keys for its algorithm and `kid`. With no `kid`, each key
    /// of the right type is tried (issuers with one key often leave `kid` out).
    pub(crate) fn verify(&self, jws: &Jws, algorithm: Algorithm) -> std::result::Result<(), IdTokenFailure> {
        let kid = jws.key_id.as_deref();
        let mut tried = 0;
        for jwk in self.candidates(algorithm, kid) {
            tried += 1;
            if verify_with(&jwk.key, algorithm, &jws.signing_input, &jws.signature) {
                return Ok(());
            }
        }
        if tried == 0 {
            return Err(IdTokenFailure::new(
                IdTokenCheck::Key,
                match kid {
                    Some(kid) => format!(
                        "the issuer's JWKS has no {} key with kid {}",
                        algorithm.as_str(),
                        crate::redact::shown_choice(kid)
                    ),
                    None => format!("the issuer's JWKS has no {} key", algorithm.as_str()),
                },
            ));
        }
        Err(IdTokenFailure::new(
            IdTokenCheck::Signature,
            "the signature does not verify with the issuer's key: the token was altered or signed by someone else",
        ))
    }
}

fn read_jwk(members: &Map<String, Value>) -> Option<Jwk> {
    let text = |name: &str| members.get(name).and_then(Value::as_str);
    let bytes = |name: &str| {
        text(name).and_then(|v| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(v.trim_end_matches('='))
                .ok()
        })
    };
    // A member of the wrong type makes the key unusable rather than unrestricted.
    match members.get("use") {
        None => {}
        Some(Value::String(u)) if u == "sig" => {}
        Some(_) => return None,
    }
    match members.get("key_ops") {
        None => {}
        Some(Value::Array(ops)) if ops.iter().any(|op| op.as_str() == Some("verify")) => {}
        Some(_) => return None,
    }
    if members.get("alg").is_some_and(|alg| !alg.is_string()) {
        return None;
    }
    let key = match (text("kty")?, text("crv")) {
        ("RSA", _) => {
            let mut n = bytes("n")?;
            // ring reads the modulus without leading zero bytes; some writers keep one.
            let first = n.iter().position(|b| *b != 0).unwrap_or(n.len());
            n.drain(..first);
            let e = bytes("e")?;
            if n.is_empty() || e.is_empty() {
                return None;
            }
            PublicKey::Rsa { n, e }
        }
        ("EC", Some("P-256")) => {
            let (x, y) = (bytes("x")?, bytes("y")?);
            if x.len() != 32 || y.len() != 32 {
                return None;
            }
            let mut point = Vec::with_capacity(65);
            point.push(4);
            point.extend(x);
            point.extend(y);
            PublicKey::P256(point)
        }
        ("OKP", Some("Ed25519")) => {
            let x = bytes("x")?;
            if x.len() != 32 {
                return None;
            }
            PublicKey::Ed25519(x)
        }
        _ => return None,
    };
    Some(Jwk {
        kid: text("kid").map(str::to_string),
        alg: text("alg").map(str::to_string),
        key,
    })
}

fn verify_with(key: &PublicKey, algorithm: Algorithm, message: &[u8], signature_bytes: &[u8]) -> bool {
    match (algorithm, key) {
        (Algorithm::RS256, PublicKey::Rsa { n, e }) => RsaPublicKeyComponents { n, e }
            .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, signature_bytes)
            .is_ok(),
        (Algorithm::PS256, PublicKey::Rsa { n, e }) => RsaPublicKeyComponents { n, e }
            .verify(&signature::RSA_PSS_2048_8192_SHA256, message, signature_bytes)
            .is_ok(),
        (Algorithm::ES256, PublicKey::P256(point)) => {
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(message, signature_bytes)
                .is_ok()
        }
        (Algorithm::EdDSA, PublicKey::Ed25519(x)) => UnparsedPublicKey::new(&signature::ED25519, x)
            .verify(message, signature_bytes)
            .is_ok(),
        // HS256 never reaches a JWKS key: an HMAC keyed with a public key is the
        // algorithm-confusion attack (authlib CVE-2024-37568).
        _ => false,
    }
}

/// What the cache holds for one JWKS URL and trust setting.
#[derive(Default)]
struct Slot {
    keys: Option<(Instant, Arc<Jwks>)>,
    /// When the set was last asked for, answered or not: a stale set is read again at most
    /// once per interval from here.
    last_fetch: Option<Instant>,
    /// When an unknown `kid` last made the set be read: the limit on such reads counts from
    /// here.
    last_kid_refetch: Option<Instant>,
    /// A thread is reading the set; the others wait on the condition variable.
    fetching: bool,
    /// Counts finished reads, so a waiter knows the read it waited for is over.
    generation: u64,
    /// How the last read failed, for the threads that waited for it.
    last_error: Option<crate::Error>,
}

struct Cache {
    slots: Mutex<HashMap<String, Slot>>,
    done: Condvar,
}

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Cache {
        slots: Mutex::new(HashMap::new()),
        done: Condvar::new(),
    })
}

/// How many times a JWKS was read over the network, for tests and the bench.
pub fn fetch_count() -> u64 {
    FETCHES.load(std::sync::atomic::Ordering::Relaxed)
}

static FETCHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Forgets every cached key set, so the next validation reads its issuer's again.
pub fn clear_jwks_cache() {
    let cache = cache();
    let mut slots = cache.slots.lock().unwrap_or_else(|e| e.into_inner());
    for slot in slots.values_mut() {
        slot.keys = None;
        slot.last_fetch = None;
        slot.last_kid_refetch = None;
        slot.last_error = None;
    }
}

/// The keys under `key` that can verify a token with `algorithm` and `kid`, read with
/// `fetch` when the cache's rules (module docs) say so. A thread that waits for another's read
/// gives up after `wait_limit` (its call's timeout): the reader's own budget is its own.
pub(crate) fn keys_for(
    key: &str,
    ttl: Duration,
    wait_limit: Duration,
    algorithm: Algorithm,
    kid: Option<&str>,
    fetch: impl FnOnce() -> Result<Jwks>,
) -> Result<Arc<Jwks>> {
    let cache = cache();
    let mut slots = cache.slots.lock().unwrap_or_else(|e| e.into_inner());
    let mut waited_for: Option<u64> = None;
    // None: a limit too large to add to the clock, which is no limit.
    let deadline = Instant::now().checked_add(wait_limit);
    loop {
        let slot = slots.entry(key.to_string()).or_default();
        if let Some(generation) = waited_for {
            if slot.generation != generation && !slot.fetching {
                // The read this thread waited for is over: its answer is this thread's too.
                return match (&slot.keys, &slot.last_error) {
                    (Some((_, keys)), _) => Ok(Arc::clone(keys)),
                    (None, Some(error)) => Err(error.clone()),
                    (None, None) => Err(crate::Error::decode("the issuer's JWKS could not be read")),
                };
            }
        }
        let elapsed_since = |at: Option<Instant>| at.is_none_or(|at| at.elapsed() >= REFETCH_INTERVAL);
        if slot.keys.is_none() && !slot.fetching {
            if let (Some(error), Some(at)) = (&slot.last_error, slot.last_fetch) {
                if at.elapsed() < FAILURE_PAUSE {
                    return Err(error.clone());
                }
            }
        }
        let mut unknown_kid = false;
        if let Some((at, keys)) = &slot.keys {
            let fresh = at.elapsed() < ttl;
            if keys.has_key_for(algorithm, kid) {
                if fresh || !elapsed_since(slot.last_fetch) {
                    return Ok(Arc::clone(keys));
                }
            } else if !elapsed_since(slot.last_kid_refetch) {
                // Within the interval an unknown kid leaves the set as it is; the token then
                // fails its key check.
                return Ok(Arc::clone(keys));
            } else {
                unknown_kid = true;
            }
        }
        if slot.fetching {
            waited_for = Some(slot.generation);
            slots = match deadline.map(|d| d.saturating_duration_since(Instant::now())) {
                None => cache.done.wait(slots).unwrap_or_else(|e| e.into_inner()),
                Some(left) if left.is_zero() => {
                    return Err(crate::Error::IdToken {
                        check: IdTokenCheck::Jwks,
                        message: format!(
                            "the issuer's JWKS was still being read for another call when this one's timeout \
                             ({:.1} s) ran out; try again, or raise timeout if the JWKS endpoint is slow",
                            wait_limit.as_secs_f64()
                        ),
                        http_meta: None,
                    })
                }
                Some(left) => {
                    let (slots, _) = cache.done.wait_timeout(slots, left).unwrap_or_else(|e| e.into_inner());
                    slots
                }
            };
            continue;
        }
        slot.fetching = true;
        slot.last_fetch = Some(Instant::now());
        if unknown_kid {
            slot.last_kid_refetch = slot.last_fetch;
        }
        drop(slots);
        FETCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // The lock is not held over the network, and a panic in `fetch` still wakes waiters.
        struct Finish<'a> {
            cache: &'a Cache,
            key: &'a str,
            result: Option<Result<Jwks>>,
            algorithm: Algorithm,
            kid: Option<&'a str>,
            ttl: Duration,
        }
        impl Finish<'_> {
            fn settle(&mut self) -> Result<Arc<Jwks>> {
                let mut slots = self.cache.slots.lock().unwrap_or_else(|e| e.into_inner());
                let slot = slots.entry(self.key.to_string()).or_default();
                slot.fetching = false;
                slot.generation += 1;
                let answer = match self.result.take() {
                    Some(Ok(keys)) => {
                        let keys = Arc::new(keys);
                        slot.keys = Some((Instant::now(), Arc::clone(&keys)));
                        slot.last_error = None;
                        Ok(keys)
                    }
                    Some(Err(error)) => {
                        slot.last_error = Some(error.clone());
                        match &slot.keys {
                            // A failed read while the old set still holds the key: it verifies,
                            // for at most MAX_STALE past the set's own TTL.
                            Some((at, keys))
                                if keys.has_key_for(self.algorithm, self.kid)
                                    && at.elapsed() < self.ttl + MAX_STALE =>
                            {
                                Ok(Arc::clone(keys))
                            }
                            _ => Err(error),
                        }
                    }
                    None => Err(crate::Error::decode("the JWKS read did not finish")),
                };
                self.cache.done.notify_all();
                answer
            }
        }
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                // Only when `fetch` panicked: settle() already ran otherwise.
                if self.result.is_none() && std::thread::panicking() {
                    let _ = self.settle();
                }
            }
        }
        let mut finish = Finish {
            cache,
            key,
            result: None,
            algorithm,
            kid,
            ttl,
        };
        let result = fetch();
        finish.result = Some(result);
        return finish.settle();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn set(kid: &str) -> Jwks {
        let doc = serde_json::json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": kid,
            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]});
        Jwks::parse(doc.to_string().as_bytes()).unwrap()
    }

    fn unique(name: &str) -> String {
        format!("{name}-{}", crate::jwt::random_id().unwrap())
    }

    const HOUR: Duration = Duration::from_secs(3600);

    #[test]
    fn an_unknown_kid_refetches_at_most_once_per_interval() {
        let key = unique("rate");
        let reads = AtomicUsize::new(0);
        let fetch = || {
            reads.fetch_add(1, Ordering::SeqCst);
            Ok(set("k1"))
        };
        keys_for(&key, HOUR, HOUR, Algorithm::EdDSA, Some("k1"), fetch).unwrap();
        for _ in 0..100 {
            let keys = keys_for(&key, HOUR, HOUR, Algorithm::EdDSA, Some("made-up"), || {
                reads.fetch_add(1, Ordering::SeqCst);
                Ok(set("k1"))
            })
            .unwrap();
            assert!(!keys.has_key_for(Algorithm::EdDSA, Some("made-up")));
        }
        // The first unknown kid reads the set again (a rotation); the next 99 within the
        // interval read nothing.
        assert_eq!(reads.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn concurrent_validations_wait_for_one_read() {
        let key = unique("flight");
        let reads = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..16 {
                scope.spawn(|| {
                    let keys = keys_for(&key, HOUR, HOUR, Algorithm::EdDSA, Some("k1"), || {
                        reads.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        Ok(set("k1"))
                    })
                    .unwrap();
                    assert!(keys.has_key_for(Algorithm::EdDSA, Some("k1")));
                });
            }
        });
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failed_read_while_the_old_key_still_fits_is_not_an_error() {
        let key = unique("stale");
        keys_for(&key, Duration::ZERO, HOUR, Algorithm::EdDSA, Some("k1"), || {
            Ok(set("k1"))
        })
        .unwrap();
        // Past the TTL (zero) and the refetch interval (forced): the read fails, the old set serves.
        force_refetch_allowed(&key);
        let keys = keys_for(&key, Duration::ZERO, HOUR, Algorithm::EdDSA, Some("k1"), || {
            Err(crate::Error::decode("JWKS endpoint down"))
        })
        .unwrap();
        assert!(keys.has_key_for(Algorithm::EdDSA, Some("k1")));
        // A kid the old set lacks gets the read's error.
        force_refetch_allowed(&key);
        let e = keys_for(&key, Duration::ZERO, HOUR, Algorithm::EdDSA, Some("k2"), || {
            Err(crate::Error::decode("JWKS endpoint down"))
        })
        .unwrap_err();
        assert!(e.to_string().contains("down"), "{e}");
    }

    #[test]
    fn waiters_share_a_failed_read_instead_of_each_reading() {
        let key = unique("fail-flight");
        let reads = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                scope.spawn(|| {
                    let result = keys_for(&key, HOUR, HOUR, Algorithm::EdDSA, Some("k1"), || {
                        reads.fetch_add(1, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(50));
                        Err(crate::Error::decode("down"))
                    });
                    assert!(result.is_err());
                });
            }
        });
        assert_eq!(reads.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_waiter_gives_up_at_its_own_limit_while_a_slow_read_goes_on() {
        let key = unique("slow-read");
        let (started, reader_started) = std::sync::mpsc::channel();
        let (finish, reader_may_finish) = std::sync::mpsc::channel::<()>();
        std::thread::scope(|scope| {
            let key = &key;
            let reader = scope.spawn(move || {
                keys_for(key, HOUR, HOUR, Algorithm::EdDSA, Some("k1"), move || {
                    started.send(()).unwrap();
                    let _ = reader_may_finish.recv();
                    Ok(set("k1"))
                })
            });
            reader_started.recv().unwrap();
            let waited = Instant::now();
            let e = keys_for(
                key,
                HOUR,
                Duration::from_millis(100),
                Algorithm::EdDSA,
                Some("k1"),
                || panic!("a waiter never reads"),
            )
            .unwrap_err();
            assert!(waited.elapsed() < Duration::from_secs(5));
            assert_eq!(e.id_token_check(), Some(IdTokenCheck::Jwks), "{e}");
            assert!(e.to_string().contains("timeout"), "{e}");
            finish.send(()).unwrap();
            assert!(reader.join().unwrap().is_ok(), "the reader's answer is unaffected");
        });
    }

    #[test]
    fn a_panicking_read_still_releases_the_waiters() {
        let key = unique("panic");
        let caught = std::panic::catch_unwind(|| {
            keys_for(&key, HOUR, HOUR, Algorithm::EdDSA, Some("k1"), || -> Result<Jwks> {
                panic!("boom")
            })
        });
        assert!(caught.is_err());
        force_refetch_allowed(&key);
        assert!(keys_for(&key, HOUR, HOUR, Algorithm::EdDSA, Some("k1"), || Ok(set("k1"))).is_ok());
    }

    #[test]
    fn unusable_keys_are_left_out_and_hostile_sets_refused() {
        let doc = serde_json::json!({"keys": [
            {"kty": "oct", "k": "c2VjcmV0"},
            {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"},
            {"kty": "RSA", "n": "AQAB", "e": "AQAB", "use": "enc"},
            "not an object",
        ]});
        assert!(Jwks::parse(doc.to_string().as_bytes()).unwrap().is_empty());
        let many = serde_json::json!({"keys": vec![serde_json::json!({"kty": "oct"}); MAX_KEYS + 1]});
        assert_eq!(
            Jwks::parse(many.to_string().as_bytes()).unwrap_err().check,
            IdTokenCheck::Jwks
        );
        let deep = format!("{{\"keys\": {}{}}}", "[".repeat(64), "]".repeat(64));
        assert_eq!(Jwks::parse(deep.as_bytes()).unwrap_err().check, IdTokenCheck::Nesting);
        let big = vec![b' '; MAX_JWKS_BYTES as usize + 1];
        assert_eq!(Jwks::parse(&big).unwrap_err().check, IdTokenCheck::Jwks);
        assert_eq!(Jwks::parse(b"[]").unwrap_err().check, IdTokenCheck::Jwks);
    }

    fn force_refetch_allowed(key: &str) {
        let mut slots = cache().slots.lock().unwrap();
        if let Some(slot) = slots.get_mut(key) {
            let long_ago = Instant::now().checked_sub(REFETCH_INTERVAL + Duration::from_secs(1));
            slot.last_fetch = long_ago;
            slot.last_kid_refetch = long_ago;
        }
    }
}
