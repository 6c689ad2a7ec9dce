//! Checks the JWTs a client presents, as a strict server would: a client assertion
//! (`private_key_jwt`, `client_secret_jwt`) and the JWT bearer grant's assertion.
//!
//! The keys it trusts are the public halves of `conformance/keys.json`'s cases and its
//! accepted HS256 secrets, so every suite signs with keys from that file. A signature, `aud`
//! (the endpoint called, or the issuer `http://host:port`), `exp` (in the future, at most 5
//! minutes after `iat`), `iss` = `sub` = `client_id` for a client assertion, and a `jti` never
//! seen before are all required. The `federated` scenario instead accepts any assertion
//! unchecked and records it, as an identity provider trusting another's token would.

use std::collections::HashSet;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::signature::{self, UnparsedPublicKey};
use serde_json::{Map, Value};

const KEYS_JSON: &str = include_str!("../../conformance/keys.json");

/// What was wrong with an assertion, for the `error_description`.
pub(crate) type Refusal = String;

pub(crate) struct Verified {
    pub claims: Map<String, Value>,
}

/// The trusted keys: (alg family, public JWK) and HS256 secrets.
struct Trusted {
    public: Vec<Map<String, Value>>,
    secrets: Vec<Vec<u8>>,
}

fn trusted() -> &'static Trusted {
    static TRUSTED: std::sync::OnceLock<Trusted> = std::sync::OnceLock::new();
    TRUSTED.get_or_init(|| {
        let doc: Value = serde_json::from_str(KEYS_JSON).unwrap_or(Value::Null);
        let cases = doc["cases"].as_array().cloned().unwrap_or_default();
        let public = cases
            .iter()
            .filter_map(|k| k["public_jwk"].as_object().cloned())
            .collect();
        let secrets = cases
            .iter()
            .filter(|c| c.get("expect").is_some())
            .filter_map(|c| c["client_secret"].as_str().map(|s| s.as_bytes().to_vec()))
            .collect();
        Trusted { public, secrets }
    })
}

fn b64(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

fn member(jwk: &Map<String, Value>, name: &str) -> Vec<u8> {
    jwk.get(name).and_then(Value::as_str).and_then(b64).unwrap_or_default()
}

fn verifies(alg: &str, input: &[u8], sig: &[u8]) -> bool {
    let t = trusted();
    if alg == "HS256" {
        return t.secrets.iter().any(|secret| {
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
            ring::hmac::verify(&key, input, sig).is_ok()
        });
    }
    t.public.iter().any(|jwk| {
        let kty = jwk.get("kty").and_then(Value::as_str).unwrap_or("");
        match (alg, kty) {
            ("RS256" | "PS256", "RSA") => {
                let params: &'static signature::RsaParameters = if alg == "PS256" {
                    &signature::RSA_PSS_2048_8192_SHA256
                } else {
                    &signature::RSA_PKCS1_2048_8192_SHA256
                };
                signature::RsaPublicKeyComponents {
                    n: member(jwk, "n"),
                    e: member(jwk, "e"),
                }
                .verify(params, input, sig)
                .is_ok()
            }
            ("ES256", "EC") => {
                let mut point = vec![4u8];
                point.extend(member(jwk, "x"));
                point.extend(member(jwk, "y"));
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(input, sig)
                    .is_ok()
            }
            ("EdDSA", "OKP") => UnparsedPublicKey::new(&signature::ED25519, member(jwk, "x"))
                .verify(input, sig)
                .is_ok(),
            _ => false,
        }
    })
}

/// Checks `jwt`'s signature, audience, lifetime and `jti` (recorded in `seen_jtis`).
pub(crate) fn verify(jwt: &str, audiences: &[String], seen_jtis: &mut HashSet<String>) -> Result<Verified, Refusal> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, payload, sig] = parts.as_slice() else {
        return Err("the assertion is not a signed JWT (three parts)".into());
    };
    let header: Map<String, Value> = b64(header)
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or("the JWT header is not base64url JSON")?;
    let claims: Map<String, Value> = b64(payload)
        .and_then(|p| serde_json::from_slice(&p).ok())
        .ok_or("the JWT claims are not base64url JSON")?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("none");
    let sig = b64(sig).ok_or("the JWT signature is not base64url")?;
    let input = format!("{}.{}", parts[0], parts[1]);
    if !verifies(alg, input.as_bytes(), &sig) {
        return Err(format!("the {alg} signature does not verify with any registered key"));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => audiences.contains(a),
        Some(Value::Array(list)) => list
            .iter()
            .any(|a| a.as_str().is_some_and(|a| audiences.iter().any(|x| x == a))),
        _ => false,
    };
    if !aud_ok {
        return Err(format!(
            "aud {} is not this server ({})",
            claims.get("aud").unwrap_or(&Value::Null),
            audiences.join(" or ")
        ));
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let exp = claims.get("exp").and_then(Value::as_u64).ok_or("exp is missing")?;
    let iat = claims.get("iat").and_then(Value::as_u64).ok_or("iat is missing")?;
    if exp <= now {
        return Err("the assertion has expired".into());
    }
    if exp.saturating_sub(iat) > 300 {
        return Err("the assertion lives longer than 5 minutes".into());
    }
    let jti = claims.get("jti").and_then(Value::as_str).ok_or("jti is missing")?;
    if !seen_jtis.insert(jti.to_string()) {
        return Err("jti was used before: the assertion is replayed".into());
    }
    Ok(Verified { claims })
}
