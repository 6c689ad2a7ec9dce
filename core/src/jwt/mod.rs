//! JWTs tokenfetch signs: client assertions (RFC 7523 §2.2, OIDC Core §9) and the assertion
//! of the JWT bearer grant (RFC 7523 §2.1); and assertions made elsewhere, read from a file or
//! a callback on every request (workload identity).
//!
//! Every assertion is made for one request and never reused: a retry signs a new one, with a
//! new `jti`, and a file is read again. The key was parsed when the client was built
//! ([`key`]); here it only signs.

mod der;
pub mod key;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use ring::rand::SecureRandom as _;
use serde_json::{json, Map, Value};

pub use key::{Algorithm, SigningKey};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// `client_assertion_type` of a JWT client assertion (RFC 7523 §2.2).
pub const CLIENT_ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The `aud` of the assertions a client signs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AssertionAudience {
    /// The token endpoint's URL, which RFC 7523 §3 names and most servers accept.
    #[default]
    TokenEndpoint,
    /// The issuer identifier, which some servers (and OIDC Core's newer errata) ask for.
    Issuer,
    /// Any other value the server documents.
    Custom(String),
}

impl AssertionAudience {
    /// `token_endpoint`, `issuer`, or any other text as the audience itself.
    pub fn parse(text: &str) -> AssertionAudience {
        match text.trim() {
            "token_endpoint" | "tokenEndpoint" | "" => AssertionAudience::TokenEndpoint,
            "issuer" => AssertionAudience::Issuer,
            other => AssertionAudience::Custom(other.to_string()),
        }
    }
}

/// A function that returns a fresh client assertion (a GitHub Actions OIDC token, say), or
/// a message saying why it could not.
pub type AssertionCallback = dyn Fn() -> std::result::Result<String, String> + Send + Sync;

/// Where a client assertion made elsewhere comes from. Read again for every request, because
/// the platform rotates it (a projected service-account token lives an hour).
#[derive(Clone)]
pub enum AssertionSource {
    /// A file holding the assertion: `AZURE_FEDERATED_TOKEN_FILE`, a Kubernetes projected token.
    File(PathBuf),
    /// A function called for each request.
    Callback(Arc<AssertionCallback>),
}

impl fmt::Debug for AssertionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AssertionSource::File(path) => f.debug_tuple("File").field(path).finish(),
            AssertionSource::Callback(_) => f.write_str("Callback"),
        }
    }
}

impl AssertionSource {
    /// The current assertion. A missing or empty file, or a callback that fails or returns
    /// nothing, is a `config` error naming the path (never the content).
    pub(crate) fn read(&self) -> Result<Secret> {
        let text = match self {
            AssertionSource::File(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    Error::config(format!(
                        "cannot read the client assertion file {}: {e}; check the path and that the platform mounted it",
                        path.display()
                    ))
                })?;
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(Error::config(format!(
                        "the client assertion file {} is empty: the platform has not written its token yet",
                        path.display()
                    )));
                }
                text
            }
            AssertionSource::Callback(callback) => {
                let text = callback()
                    .map_err(|reason| Error::config(format!("the client assertion callback failed: {reason}")))?;
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(Error::config(
                        "the client assertion callback returned an empty assertion",
                    ));
                }
                text
            }
        };
        Ok(Secret::new(text))
    }
}

impl AssertionSource {
    /// Who the assertion speaks for, for keeping token store entries apart (a token fetched
    /// with one workload's assertion must not reach a process holding another's). A file's
    /// path with its current JWT's `iss` and `sub`, which survive rotation (or a digest of its
    /// content when it is no JWT); a callback's per-client `instance`, since what a function
    /// returns cannot be told apart in advance.
    pub(crate) fn identity(&self, instance: &str) -> String {
        match self {
            AssertionSource::File(path) => {
                let content = std::fs::read_to_string(path).unwrap_or_default();
                let content = content.trim();
                let subject = content
                    .split('.')
                    .nth(1)
                    .and_then(|payload| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok())
                    .and_then(|bytes| serde_json::from_slice::<Map<String, Value>>(&bytes).ok())
                    .map(|claims| {
                        format!(
                            "iss={} sub={}",
                            claims.get("iss").unwrap_or(&Value::Null),
                            claims.get("sub").unwrap_or(&Value::Null)
                        )
                    })
                    .unwrap_or_else(|| {
                        let digest = ring::digest::digest(&ring::digest::SHA256, content.as_bytes());
                        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
                    });
                format!("file:{} {subject}", path.display())
            }
            AssertionSource::Callback(_) => format!("callback:{instance}"),
        }
    }
}

/// The claims of one assertion, before the per-request `jti`, `iat` and `exp`.
pub(crate) struct Claims<'a> {
    pub issuer: &'a str,
    pub subject: Option<&'a str>,
    pub audience: &'a str,
    pub lifetime: Duration,
    /// Google's service accounts take their scopes as a claim.
    pub scope: Option<&'a str>,
}

/// A signed JWT for one request: a fresh random `jti`, issued now, expiring after `lifetime`.
pub(crate) fn sign(key: &SigningKey, claims: &Claims<'_>) -> Result<Secret> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut body = Map::new();
    body.insert("iss".into(), json!(claims.issuer));
    if let Some(subject) = claims.subject {
        body.insert("sub".into(), json!(subject));
    }
    body.insert("aud".into(), json!(claims.audience));
    body.insert("jti".into(), json!(random_id()?));
    body.insert("iat".into(), json!(now));
    body.insert("exp".into(), json!(now + claims.lifetime.as_secs().max(1)));
    if let Some(scope) = claims.scope {
        body.insert("scope".into(), json!(scope));
    }
    let mut header = Map::new();
    header.insert("alg".into(), json!(key.algorithm().as_str()));
    header.insert("typ".into(), json!("JWT"));
    if let Some(kid) = key.key_id() {
        header.insert("kid".into(), json!(kid));
    }
    let encode = |value: &Map<String, Value>| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default())
    };
    let signing_input = format!("{}.{}", encode(&header), encode(&body));
    let signature = key.sign(signing_input.as_bytes())?;
    Ok(Secret::new(format!(
        "{signing_input}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(signature)
    )))
}

/// 128 random bits, base64url: a `jti` no server will see twice.
pub(crate) fn random_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::config("the system random number generator failed"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_assertion_has_its_own_jti_and_a_bounded_lifetime() {
        let key = SigningKey::hmac(&[7u8; 32]).unwrap();
        let claims = Claims {
            issuer: "client",
            subject: Some("client"),
            audience: "https://as.example/token",
            lifetime: Duration::from_secs(60),
            scope: None,
        };
        let payload = |jwt: &Secret| -> Value {
            let part = jwt.expose_str().split('.').nth(1).unwrap();
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
        };
        let (a, b) = (
            payload(&sign(&key, &claims).unwrap()),
            payload(&sign(&key, &claims).unwrap()),
        );
        assert_ne!(a["jti"], b["jti"]);
        assert_eq!(a["exp"].as_u64().unwrap() - a["iat"].as_u64().unwrap(), 60);
        assert_eq!(a["aud"], "https://as.example/token");
        assert_eq!(a["iss"], "client");
        assert_eq!(a["sub"], "client");
    }

    #[test]
    fn a_file_source_names_its_path_and_never_its_content() {
        let dir = std::env::temp_dir().join(format!("tokenfetch-assertion-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("token");
        let source = AssertionSource::File(path.clone());
        let missing = source.read().unwrap_err().to_string();
        assert!(missing.contains(&path.display().to_string()), "{missing}");
        std::fs::write(&path, "  \n").unwrap();
        assert!(source.read().unwrap_err().to_string().contains("is empty"));
        std::fs::write(&path, "eyJ.first.sig\n").unwrap();
        assert_eq!(source.read().unwrap().expose_str(), "eyJ.first.sig");
        std::fs::write(&path, "eyJ.second.sig").unwrap();
        assert_eq!(source.read().unwrap().expose_str(), "eyJ.second.sig");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
