//! OpenID Connect ID tokens: validated before anything in them is believed (OIDC Core
//! §3.1.3.7), and the claims that come out.
//!
//! - [`jws`]: the token split and decoded, with every hostile form refused first.
//! - [`jwks`]: the issuer's keys, and the process-wide cache of them.
//!
//! # The checks, in order
//! Each failure is an [`ErrorKind::IdToken`](crate::ErrorKind) error whose
//! [`IdTokenCheck`] names the check; no message quotes the token or the nonce.
//! 1. Form: size, nesting, JWE or compression, `alg: none`, `crit` ([`jws`]).
//! 2. `alg` is in the client's allowlist (by default the provider's
//!    `id_token_signing_alg_values_supported` within RS256, PS256, ES256 and EdDSA). HS256 is
//!    verified with the client secret only, never with a key from the JWKS.
//! 3. The signature, with a key from the issuer's JWKS (never from the token's own `jwk`,
//!    `jku`, `x5u` or `x5c` headers).
//! 4. `iss` is the issuer; `aud` holds the client id; `azp`, when present or when there are
//!    several audiences, is the client id.
//! 5. `exp`, `iat` and `nbf` against the clock, with the client's `clock_skew`.
//! 6. `nonce` equals the one the authorization request sent, whenever one was sent; a refresh
//!    sends none, so none is checked then (openidconnect-rs #186).
//! 7. `auth_time` against `max_age` when the request asked for one.
//! 8. `at_hash` and `c_hash`, when present, against the access token and the code.
//! 9. On a refresh, `iss`, `sub` and `aud` equal the first ID token's (OIDC Core §12.2).

pub mod jwks;
pub mod jws;

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Map, Value};

use crate::jwt::Algorithm;
use crate::redact::view::{debug_through_redacted_view, Redacted, RedactedView};

/// The algorithms an ID token may be signed with when neither the client nor the provider
/// narrows them: the asymmetric ones tokenfetch verifies.
pub const DEFAULT_ALGORITHMS: [Algorithm; 4] = [Algorithm::RS256, Algorithm::PS256, Algorithm::ES256, Algorithm::EdDSA];

/// Which check an ID token failed. `as_str()` gives the stable names every language shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdTokenCheck {
    /// Not a signed JWT: wrong number of parts, not base64url, not a JSON object, a claim of
    /// the wrong type, a required claim missing.
    Format,
    /// Longer than [`jws::MAX_TOKEN_BYTES`].
    Size,
    /// JSON nested deeper than [`jws::MAX_JSON_DEPTH`].
    Nesting,
    /// Encrypted (JWE) or compressed; neither is read.
    Encrypted,
    /// `alg` is `none` or not in the allowlist.
    Algorithm,
    /// A `crit` header: an extension tokenfetch does not understand.
    Crit,
    /// The issuer's JWKS has no key for the token's `alg` and `kid`.
    Key,
    /// The JWKS could not be used (not a JWK Set, too large, no JWKS URL).
    Jwks,
    /// The signature does not verify.
    Signature,
    /// `iss` is not the issuer.
    Issuer,
    /// `aud` does not hold the client id.
    Audience,
    /// `azp` is not the client id, or is missing with several audiences.
    AuthorizedParty,
    /// `exp` has passed (beyond the clock skew).
    Expired,
    /// `iat` is in the future (beyond the clock skew).
    IssuedAt,
    /// `nbf` is in the future (beyond the clock skew).
    NotBefore,
    /// `nonce` is missing or not the one sent.
    Nonce,
    /// `auth_time` is missing or older than `max_age` allows.
    AuthTime,
    /// `at_hash` does not match the access token.
    AccessTokenHash,
    /// `c_hash` does not match the authorization code.
    CodeHash,
    /// A refreshed ID token names another `iss`, `sub` or `aud` than the first.
    Subject,
}

impl IdTokenCheck {
    pub const ALL: [IdTokenCheck; 20] = [
        IdTokenCheck::Format,
        IdTokenCheck::Size,
        IdTokenCheck::Nesting,
        IdTokenCheck::Encrypted,
        IdTokenCheck::Algorithm,
        IdTokenCheck::Crit,
        IdTokenCheck::Key,
        IdTokenCheck::Jwks,
        IdTokenCheck::Signature,
        IdTokenCheck::Issuer,
        IdTokenCheck::Audience,
        IdTokenCheck::AuthorizedParty,
        IdTokenCheck::Expired,
        IdTokenCheck::IssuedAt,
        IdTokenCheck::NotBefore,
        IdTokenCheck::Nonce,
        IdTokenCheck::AuthTime,
        IdTokenCheck::AccessTokenHash,
        IdTokenCheck::CodeHash,
        IdTokenCheck::Subject,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            IdTokenCheck::Format => "format",
            IdTokenCheck::Size => "size",
            IdTokenCheck::Nesting => "nesting",
            IdTokenCheck::Encrypted => "encrypted",
            IdTokenCheck::Algorithm => "alg",
            IdTokenCheck::Crit => "crit",
            IdTokenCheck::Key => "kid",
            IdTokenCheck::Jwks => "jwks",
            IdTokenCheck::Signature => "signature",
            IdTokenCheck::Issuer => "iss",
            IdTokenCheck::Audience => "aud",
            IdTokenCheck::AuthorizedParty => "azp",
            IdTokenCheck::Expired => "exp",
            IdTokenCheck::IssuedAt => "iat",
            IdTokenCheck::NotBefore => "nbf",
            IdTokenCheck::Nonce => "nonce",
            IdTokenCheck::AuthTime => "auth_time",
            IdTokenCheck::AccessTokenHash => "at_hash",
            IdTokenCheck::CodeHash => "c_hash",
            IdTokenCheck::Subject => "sub",
        }
    }

    pub fn from_name(name: &str) -> Option<IdTokenCheck> {
        IdTokenCheck::ALL.into_iter().find(|check| check.as_str() == name)
    }
}

impl fmt::Display for IdTokenCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed check and what it found, before it becomes an [`Error`](crate::Error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdTokenFailure {
    pub check: IdTokenCheck,
    pub message: String,
}

impl IdTokenFailure {
    pub(crate) fn new(check: IdTokenCheck, message: impl Into<String>) -> IdTokenFailure {
        IdTokenFailure {
            check,
            message: message.into(),
        }
    }
}

impl From<IdTokenFailure> for crate::Error {
    fn from(failure: IdTokenFailure) -> crate::Error {
        crate::Error::IdToken {
            check: failure.check,
            message: failure.message,
            http_meta: None,
        }
    }
}

pub use crate::model::IdTokenClaims;

/// Shows every claim; nothing in an ID token's claims is a credential, but the secret-named
/// members of `extra` are redacted as everywhere else.
impl Redacted for IdTokenClaims {
    fn redacted_view(&self) -> RedactedView {
        RedactedView::new("IdTokenClaims")
            .show("iss", self.iss.as_str())
            .show("sub", self.sub.as_str())
            .show("aud", self.aud.clone())
            .show("exp", self.exp)
            .show("iat", self.iat)
            .show("auth_time", self.auth_time)
            .show("nonce", self.nonce.as_deref())
            .show("acr", self.acr.as_deref())
            .show("amr", self.amr.clone())
            .show("azp", self.azp.as_deref())
            .show("sid", self.sid.as_deref())
            .members("extra", &self.extra)
    }
}

impl IdTokenClaims {
    /// Every claim as one JSON object, as the token carried them (`aud` always a list): for a
    /// web app's session, or a log the app controls.
    pub fn to_json_value(&self) -> Value {
        let mut map = self.extra.clone();
        map.insert("iss".into(), Value::from(self.iss.clone()));
        map.insert("sub".into(), Value::from(self.sub.clone()));
        map.insert("aud".into(), Value::from(self.aud.clone()));
        map.insert("exp".into(), Value::from(self.exp));
        map.insert("iat".into(), Value::from(self.iat));
        let optional = [
            ("auth_time", self.auth_time.map(Value::from)),
            ("nonce", self.nonce.clone().map(Value::from)),
            ("acr", self.acr.clone().map(Value::from)),
            ("azp", self.azp.clone().map(Value::from)),
            ("sid", self.sid.clone().map(Value::from)),
            ("amr", (!self.amr.is_empty()).then(|| Value::from(self.amr.clone()))),
        ];
        for (name, value) in optional {
            if let Some(value) = value {
                map.insert(name.into(), value);
            }
        }
        Value::Object(map)
    }

    /// [`Self::to_json_value`] as text.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }

    /// Reads back what [`Self::to_json`] wrote (a session, a pickle). Nothing is validated:
    /// give it only claims this process validated and stored itself.
    pub fn from_json(text: &str) -> crate::Result<IdTokenClaims> {
        let members = jws::parse_object(text.as_bytes(), "claims")?;
        Ok(read_claims(members)?)
    }
}

impl fmt::Display for IdTokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ID token for {} from {}, expires at {}",
            self.sub, self.iss, self.exp
        )
    }
}

debug_through_redacted_view!(IdTokenClaims);

/// What a token is checked against. `now` is epoch seconds.
#[derive(Clone, Debug)]
pub struct Expectations<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub algorithms: &'a [Algorithm],
    /// For HS256, when the allowlist has it.
    pub client_secret: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub max_age: Option<Duration>,
    pub access_token: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The first ID token of the grant, when this one came with a refresh.
    pub previous: Option<&'a IdTokenClaims>,
    pub clock_skew: Duration,
    pub now: u64,
}

/// Checks `token` against `expected`, with `keys` giving the JWKS for an asymmetric algorithm
/// and `kid` (so the caller decides how keys are fetched and cached). Everything but the JWKS
/// read is done here, with no I/O.
pub fn validate(
    token: &str,
    expected: &Expectations<'_>,
    keys: impl FnOnce(Algorithm, Option<&str>) -> crate::Result<std::sync::Arc<jwks::Jwks>>,
) -> crate::Result<IdTokenClaims> {
    if expected.nonce == Some("") {
        return Err(crate::Error::config(
            "the expected nonce is empty: pass the nonce of the authorization request, or none",
        ));
    }
    let jws = jws::parse(token)?;
    // `alg` is case-sensitive (RFC 7515 §4.1.1): "rs256" is no algorithm.
    let named = Algorithm::ALL.into_iter().find(|a| a.as_str() == jws.algorithm);
    let algorithm = match named {
        Some(algorithm) if expected.algorithms.contains(&algorithm) => algorithm,
        _ => {
            let allowed: Vec<&str> = expected.algorithms.iter().map(|a| a.as_str()).collect();
            return Err(IdTokenFailure::new(
                IdTokenCheck::Algorithm,
                format!(
                    "the token is signed with {}, not one of the allowed {}",
                    crate::redact::shown_choice(&jws.algorithm),
                    allowed.join(", ")
                ),
            )
            .into());
        }
    };
    if algorithm == Algorithm::HS256 {
        let secret = expected.client_secret.ok_or_else(|| {
            IdTokenFailure::new(
                IdTokenCheck::Algorithm,
                "the token is signed with HS256, which is verified with the client secret, and this client has none",
            )
        })?;
        if secret.len() < crate::jwt::key::MIN_HMAC_SECRET_BYTES {
            // A short (or empty: an unset variable) secret would let anyone forge the token.
            return Err(crate::Error::config(format!(
                "HS256 ID tokens are verified with the client secret, and this one has {} bytes, fewer than the {} HS256 needs",
                secret.len(),
                crate::jwt::key::MIN_HMAC_SECRET_BYTES
            )));
        }
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        ring::hmac::verify(&key, &jws.signing_input, &jws.signature).map_err(|_| {
            IdTokenFailure::new(
                IdTokenCheck::Signature,
                "the HS256 signature does not verify with the client secret",
            )
        })?;
    } else {
        keys(algorithm, jws.key_id.as_deref())?.verify(&jws, algorithm)?;
    }
    if jws.claims.contains_key("events") {
        return Err(IdTokenFailure::new(
            IdTokenCheck::Format,
            "the token has an events claim: a logout or security event token, not an ID token",
        )
        .into());
    }
    for name in ["at_hash", "c_hash"] {
        if jws.claims.get(name).is_some_and(|v| !v.is_string() && !v.is_null()) {
            return Err(IdTokenFailure::new(IdTokenCheck::Format, format!("the claim {name} is not a string")).into());
        }
    }
    let claims = read_claims(jws.claims)?;
    check_claims(&claims, expected, algorithm)?;
    Ok(claims)
}

fn read_claims(mut members: Map<String, Value>) -> Result<IdTokenClaims, IdTokenFailure> {
    let wrong =
        |name: &str, what: &str| IdTokenFailure::new(IdTokenCheck::Format, format!("the claim {name} is not {what}"));
    let mut text = |name: &str| -> Result<Option<String>, IdTokenFailure> {
        match members.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong(name, "a string")),
        }
    };
    let iss = text("iss")?.ok_or_else(|| IdTokenFailure::new(IdTokenCheck::Format, "the token has no iss claim"))?;
    let sub = text("sub")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| IdTokenFailure::new(IdTokenCheck::Format, "the token has no sub claim"))?;
    let nonce = text("nonce")?;
    let acr = text("acr")?;
    let azp = text("azp")?;
    let sid = text("sid")?;
    let aud = match members.remove("aud") {
        Some(Value::String(s)) => vec![s],
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(wrong("aud", "a string or a list of strings")),
            })
            .collect::<Result<_, _>>()?,
        None | Some(Value::Null) => {
            return Err(IdTokenFailure::new(IdTokenCheck::Format, "the token has no aud claim"))
        }
        Some(_) => return Err(wrong("aud", "a string or a list of strings")),
    };
    let amr = match members.remove("amr") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(wrong("amr", "a list of strings")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(wrong("amr", "a list of strings")),
    };
    let mut time = |name: &str| -> Result<Option<u64>, IdTokenFailure> {
        match members.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) => Ok(Some(v)),
                // NumericDate may have a fraction (RFC 7519 §2); a negative or non-finite one
                // is no date.
                None => match n.as_f64() {
                    Some(v) if (0.0..1e15).contains(&v) => Ok(Some(v as u64)),
                    _ => Err(wrong(name, "a date in epoch seconds")),
                },
            },
            Some(_) => Err(wrong(name, "a number (epoch seconds)")),
        }
    };
    let exp = time("exp")?.ok_or_else(|| IdTokenFailure::new(IdTokenCheck::Format, "the token has no exp claim"))?;
    let iat = time("iat")?.ok_or_else(|| IdTokenFailure::new(IdTokenCheck::Format, "the token has no iat claim"))?;
    let auth_time = time("auth_time")?;
    // nbf is checked, then kept among the other claims.
    if let Some(nbf) = time("nbf")? {
        members.insert("nbf".into(), Value::from(nbf));
    }
    Ok(IdTokenClaims {
        iss,
        sub,
        aud,
        exp,
        iat,
        auth_time,
        nonce,
        acr,
        amr,
        azp,
        sid,
        extra: members,
    })
}

fn check_claims(
    claims: &IdTokenClaims,
    expected: &Expectations<'_>,
    algorithm: Algorithm,
) -> Result<(), IdTokenFailure> {
    let fail = |check, message: String| Err(IdTokenFailure::new(check, message));
    // Exactly the issuer (OIDC Core §3.1.3.7 2): the discovery document's own spelling.
    if claims.iss != expected.issuer {
        return fail(
            IdTokenCheck::Issuer,
            format!(
                "the token was issued by {}, not by {:?}",
                crate::redact::shown_choice(&claims.iss),
                expected.issuer
            ),
        );
    }
    if !claims.aud.iter().any(|a| a == expected.client_id) {
        return fail(
            IdTokenCheck::Audience,
            format!(
                "the token is for {}, not for this client ({:?})",
                shown_list(&claims.aud),
                expected.client_id
            ),
        );
    }
    match &claims.azp {
        Some(azp) if azp != expected.client_id => {
            return fail(
                IdTokenCheck::AuthorizedParty,
                format!(
                    "the token's azp is {}, not this client ({:?})",
                    crate::redact::shown_choice(azp),
                    expected.client_id
                ),
            )
        }
        None if claims.aud.len() > 1 => {
            return fail(
                IdTokenCheck::AuthorizedParty,
                format!(
                    "the token has {} audiences and no azp naming this client (OIDC Core §3.1.3.7)",
                    claims.aud.len()
                ),
            )
        }
        _ => {}
    }
    let skew = expected.clock_skew.as_secs();
    let now = expected.now;
    if now > claims.exp.saturating_add(skew) {
        return fail(
            IdTokenCheck::Expired,
            format!(
                "the token expired {} s ago (clock_skew allows {skew} s); check this machine's clock if it should not have",
                now - claims.exp
            ),
        );
    }
    if claims.iat > now.saturating_add(skew) {
        return fail(
            IdTokenCheck::IssuedAt,
            format!(
                "the token says it was issued {} s in the future (clock_skew allows {skew} s); check this machine's clock",
                claims.iat - now
            ),
        );
    }
    if let Some(nbf) = claims.extra.get("nbf").and_then(Value::as_u64) {
        if nbf > now.saturating_add(skew) {
            return fail(
                IdTokenCheck::NotBefore,
                format!(
                    "the token is not valid for another {} s (clock_skew allows {skew} s)",
                    nbf - now
                ),
            );
        }
    }
    if let Some(sent) = expected.nonce {
        match &claims.nonce {
            Some(nonce) if constant_time_eq(nonce.as_bytes(), sent.as_bytes()) => {}
            Some(_) => {
                return fail(
                    IdTokenCheck::Nonce,
                    "the token's nonce is not the one the authorization request sent: it was issued for another sign-in (replay)".into(),
                )
            }
            None => {
                return fail(
                    IdTokenCheck::Nonce,
                    "the authorization request sent a nonce and the token carries none".into(),
                )
            }
        }
    }
    if let Some(max_age) = expected.max_age {
        match claims.auth_time {
            None => {
                return fail(
                    IdTokenCheck::AuthTime,
                    "the request asked for max_age and the token has no auth_time (OIDC Core §3.1.2.1)".into(),
                )
            }
            Some(at) if now > at.saturating_add(max_age.as_secs()).saturating_add(skew) => {
                return fail(
                    IdTokenCheck::AuthTime,
                    format!(
                        "the user authenticated {} s ago, longer than the max_age of {} s the request asked for",
                        now - at,
                        max_age.as_secs()
                    ),
                )
            }
            Some(_) => {}
        }
    }
    // An authentication in the future is a forged or mis-clocked token whatever max_age says.
    if let Some(at) = claims.auth_time {
        if at > now.saturating_add(skew) {
            return fail(
                IdTokenCheck::AuthTime,
                format!(
                    "the token says the user authenticated {} s in the future (clock_skew allows {skew} s); check this machine's clock",
                    at - now
                ),
            );
        }
    }
    for (name, value, check) in [
        ("at_hash", expected.access_token, IdTokenCheck::AccessTokenHash),
        ("c_hash", expected.code, IdTokenCheck::CodeHash),
    ] {
        let (Some(claimed), Some(value)) = (claims.extra.get(name).and_then(Value::as_str), value) else {
            continue;
        };
        if !constant_time_eq(claimed.as_bytes(), left_half_hash(algorithm, value).as_bytes()) {
            return fail(
                check,
                format!(
                    "the token's {name} does not match the {} it came with",
                    if name == "at_hash" {
                        "access token"
                    } else {
                        "authorization code"
                    }
                ),
            );
        }
    }
    if let Some(first) = expected.previous {
        let same_aud = {
            let mut a = first.aud.clone();
            let mut b = claims.aud.clone();
            a.sort_unstable();
            b.sort_unstable();
            a == b
        };
        if first.iss != claims.iss || first.sub != claims.sub || !same_aud {
            return fail(
                IdTokenCheck::Subject,
                "the refreshed ID token names another issuer, user (sub) or audience than the first one (OIDC Core §12.2)".into(),
            );
        }
        // §12.2: azp is the same (absent stays absent), and auth_time is no earlier than the
        // first sign-in's.
        if first.azp != claims.azp {
            return fail(
                IdTokenCheck::AuthorizedParty,
                "the refreshed ID token names another authorized party (azp) than the first one (OIDC Core §12.2)"
                    .into(),
            );
        }
        // A later auth_time is a re-authentication in the same session (Keycloak, Cognito and
        // Azure AD B2C report the session's latest); an earlier one is no continuation of it.
        if let (Some(original), Some(now_said)) = (first.auth_time, claims.auth_time) {
            if now_said < original {
                return fail(
                    IdTokenCheck::AuthTime,
                    "the refreshed ID token says the user authenticated before the first sign-in did (OIDC Core §12.2)"
                        .into(),
                );
            }
        }
    }
    Ok(())
}

/// `at_hash` / `c_hash`: the left half of the hash `alg` uses, base64url (OIDC Core §3.1.3.6).
/// Ed25519 hashes with SHA-512 (OIDC Core errata).
pub fn left_half_hash(algorithm: Algorithm, value: &str) -> String {
    let digest = match algorithm {
        Algorithm::EdDSA => ring::digest::digest(&ring::digest::SHA512, value.as_bytes()),
        _ => ring::digest::digest(&ring::digest::SHA256, value.as_bytes()),
    };
    let bytes = digest.as_ref();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes[..bytes.len() / 2])
}

fn shown_list(values: &[String]) -> String {
    let shown: Vec<String> = values.iter().take(4).map(|v| crate::redact::shown_choice(v)).collect();
    let more = if values.len() > 4 { ", ..." } else { "" };
    format!("[{}{more}]", shown.join(", "))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What [`validate_with_jwks`] checks a token against besides its issuer, client id and keys.
/// Everything left out is what a client would use: the default algorithms, a clock skew of
/// [`crate::options::CLOCK_SKEW`]'s default, the current time.
#[derive(Clone, Debug, Default)]
pub struct ValidationOptions {
    /// The nonce the authorization request sent.
    pub nonce: Option<String>,
    pub max_age: Option<Duration>,
    /// Checked against `at_hash` when the token has one.
    pub access_token: Option<String>,
    /// Checked against `c_hash` when the token has one.
    pub code: Option<String>,
    pub clock_skew: Option<Duration>,
    /// The allowlist; HS256 needs `client_secret`.
    pub algorithms: Option<Vec<Algorithm>>,
    pub client_secret: Option<String>,
    /// The time to check against, epoch seconds (a token checked as of when it arrived).
    pub now: Option<u64>,
    /// The first ID token of the grant, for one that came with a refresh.
    pub previous: Option<IdTokenClaims>,
}

/// Validates an ID token with a JWK Set the caller already holds, with no network: for a
/// token that arrived some other way (a front-channel response, a message queue), and for the
/// shared vectors every language runs. `jwks` is the JWK Set document as text. A client's
/// own answers are validated by the client, with the issuer's JWKS read and cached for it.
pub fn validate_with_jwks(
    token: &str,
    jwks: &str,
    issuer: &str,
    client_id: &str,
    options: &ValidationOptions,
) -> crate::Result<IdTokenClaims> {
    let clock_skew = match options.clock_skew {
        Some(skew) => {
            crate::options::CLOCK_SKEW.check_duration("clock_skew", skew)?;
            skew
        }
        None => crate::options::CLOCK_SKEW.default_duration(),
    };
    let algorithms = match &options.algorithms {
        Some(list) if list.is_empty() => {
            return Err(crate::Error::config(
                "algorithms is empty: name at least one, or leave it out for RS256, PS256, ES256 and EdDSA",
            ))
        }
        Some(list) => list.clone(),
        None => DEFAULT_ALGORITHMS.to_vec(),
    };
    if issuer.trim().is_empty() || client_id.trim().is_empty() {
        return Err(crate::Error::config(
            "an ID token is validated against the issuer and client_id it must name: give both",
        ));
    }
    let keys = std::sync::Arc::new(jwks::Jwks::parse(jwks.as_bytes())?);
    let now = options.now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let expected = Expectations {
        issuer,
        client_id,
        algorithms: &algorithms,
        client_secret: options.client_secret.as_deref(),
        nonce: options.nonce.as_deref(),
        max_age: options.max_age,
        access_token: options.access_token.as_deref(),
        code: options.code.as_deref(),
        previous: options.previous.as_ref(),
        clock_skew,
        now,
    };
    validate(token, &expected, |_, _| Ok(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hs256(secret: &[u8], claims: &Value) -> String {
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#);
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{header}.{body}");
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
        let signature =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(ring::hmac::sign(&key, input.as_bytes()));
        format!("{input}.{signature}")
    }

    fn options(secret: &str, nonce: Option<&str>) -> ValidationOptions {
        ValidationOptions {
            algorithms: Some(vec![Algorithm::HS256]),
            client_secret: Some(secret.into()),
            nonce: nonce.map(str::to_string),
            now: Some(1_000),
            ..Default::default()
        }
    }

    const CLAIMS: &str = r#"{"iss":"https://op.example","sub":"admin","aud":"rp","iat":990,"exp":2000,"nonce":""}"#;

    #[test]
    fn hs256_is_never_verified_with_a_short_or_empty_secret() {
        let claims: Value = serde_json::from_str(CLAIMS).unwrap();
        for secret in ["", "x", "thirty-one-bytes-is-not-enough!"] {
            let token = hs256(secret.as_bytes(), &claims);
            let e = validate_with_jwks(
                &token,
                r#"{"keys":[]}"#,
                "https://op.example",
                "rp",
                &options(secret, None),
            )
            .unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config, "{secret:?}: {e}");
        }
        let secret = "a-client-secret-of-thirty-two-b!";
        let token = hs256(secret.as_bytes(), &claims);
        assert!(validate_with_jwks(
            &token,
            r#"{"keys":[]}"#,
            "https://op.example",
            "rp",
            &options(secret, None)
        )
        .is_ok());
    }

    #[test]
    fn an_empty_expected_nonce_is_a_mistake_not_a_match() {
        let secret = "a-client-secret-of-thirty-two-b!";
        let token = hs256(secret.as_bytes(), &serde_json::from_str(CLAIMS).unwrap());
        let e = validate_with_jwks(
            &token,
            r#"{"keys":[]}"#,
            "https://op.example",
            "rp",
            &options(secret, Some("")),
        )
        .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config, "{e}");
    }

    #[test]
    fn crit_names_are_shown_short_and_few() {
        let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(
            serde_json::json!({"alg": "RS256", "crit": ["x".repeat(3000), "a", "b", "c", "d", "e"]}).to_string(),
        );
        let token = format!("{header}.e30.c2ln");
        let e = jws::parse(&token).unwrap_err();
        assert_eq!(e.check, IdTokenCheck::Crit);
        assert!(e.message.len() < 300, "{}", e.message);
    }
}
