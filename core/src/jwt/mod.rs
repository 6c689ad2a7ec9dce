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
use std::path::{Path, PathBuf};
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
/// a message saying why it could not. It is given the time left before the call's deadline:
/// one that waits for something (Node's Promise) waits no longer.
pub type AssertionCallback = dyn Fn(Duration) -> std::result::Result<String, String> + Send + Sync;

/// The most a key file, a token file or a service account file may hold. A projected token is
/// about 1 KiB and an RSA-4096 PEM about 3 KiB; a bigger file is a wrong path (`/dev/zero`, a
/// log), which is refused rather than read into memory and sent.
pub const MAX_FILE_BYTES: u64 = 64 * 1024;

std::thread_local! {
    /// Set while this thread runs an assertion callback: a call back into the client it
    /// authenticates would wait for itself.
    static IN_ASSERTION_SOURCE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is inside an assertion callback.
pub(crate) fn inside_assertion_source() -> bool {
    IN_ASSERTION_SOURCE.with(std::cell::Cell::get)
}

pub(crate) fn reentered() -> Error {
    Error::config(
        "the client_assertion function called the client it authenticates (or its TokenManager), \
         which waits for that function: get the assertion some other way",
    )
}

/// A path as a message may show it. A value that is not a path but the key or token itself
/// (a PEM, JSON, a JWT given where a path belongs) is not shown.
pub(crate) fn shown_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    let looks_like_content = text.contains('\n')
        || text.trim_start().starts_with("-----")
        || text.trim_start().starts_with('{')
        || text.len() > 1024
        || (text.matches('.').count() == 2 && !text.contains('/') && text.len() > 40);
    if looks_like_content {
        "(a value that looks like the key or token itself, not its path: pass the content to the option without _file)"
            .into()
    } else {
        text.into_owned()
    }
}

/// A regular file of at most [`MAX_FILE_BYTES`], as text; `what` names it in messages ("the
/// client assertion file"). A FIFO, a device or a directory is refused before it is opened,
/// so nothing blocks on it.
pub(crate) fn read_small_file(path: &Path, what: &str) -> Result<String> {
    use std::io::Read as _;
    let shown = shown_path(path);
    let metadata = std::fs::metadata(path).map_err(|e| Error::config(format!("cannot read {what} {shown}: {e}")))?;
    if !metadata.is_file() {
        return Err(Error::config(format!("{what} {shown} is not a regular file")));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(Error::config(format!(
            "{what} {shown} holds {} bytes, more than the {MAX_FILE_BYTES} such a file can: check the path",
            metadata.len()
        )));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| Error::config(format!("cannot read {what} {shown}: {e}")))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Error::config(format!(
            "{what} {shown} grew past {MAX_FILE_BYTES} bytes while read"
        )));
    }
    Ok(text)
}

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
    /// The current assertion, with `budget` left before the call's deadline. A missing,
    /// empty or oversized file, or a callback that fails or returns nothing, is a `config`
    /// error naming the path (never the content).
    pub(crate) fn read(&self, budget: Duration) -> Result<Secret> {
        let text = match self {
            AssertionSource::File(path) => {
                let text = read_small_file(path, "the client assertion file").map_err(|e| match e {
                    Error::Config { message } => {
                        Error::config(format!("{message}; check the path and that the platform mounted it"))
                    }
                    other => other,
                })?;
                let text = text.trim().to_string();
                if text.is_empty() {
                    return Err(Error::config(format!(
                        "the client assertion file {} is empty: the platform has not written its token yet",
                        shown_path(path)
                    )));
                }
                text
            }
            AssertionSource::Callback(callback) => {
                if inside_assertion_source() {
                    return Err(reentered());
                }
                IN_ASSERTION_SOURCE.with(|inside| inside.set(true));
                struct Reset;
                impl Drop for Reset {
                    fn drop(&mut self) {
                        IN_ASSERTION_SOURCE.with(|inside| inside.set(false));
                    }
                }
                let _reset = Reset;
                let text = callback(budget)
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
                let Ok(content) = read_small_file(path, "the client assertion file") else {
                    // Nothing to tell this workload from another by: this client alone.
                    return format!("file:{} unreadable:{instance}", path.display());
                };
                let content = content.trim();
                if content.is_empty() {
                    return format!("file:{} empty:{instance}", path.display());
                }
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
        let budget = Duration::from_secs(5);
        let missing = source.read(budget).unwrap_err().to_string();
        assert!(missing.contains(&path.display().to_string()), "{missing}");
        std::fs::write(&path, "  \n").unwrap();
        assert!(source.read(budget).unwrap_err().to_string().contains("is empty"));
        std::fs::write(&path, "eyJ.first.sig\n").unwrap();
        assert_eq!(source.read(budget).unwrap().expose_str(), "eyJ.first.sig");
        std::fs::write(&path, "eyJ.second.sig").unwrap();
        assert_eq!(source.read(budget).unwrap().expose_str(), "eyJ.second.sig");
        std::fs::write(&path, vec![b'a'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(source.read(budget).unwrap_err().to_string().contains("more than"));
        let dir_source = AssertionSource::File(dir.clone());
        assert!(dir_source
            .read(budget)
            .unwrap_err()
            .to_string()
            .contains("not a regular file"));
        let pem_as_path = AssertionSource::File("-----BEGIN PRIVATE KEY-----\nMIIE\n".into());
        let message = pem_as_path.read(budget).unwrap_err().to_string();
        assert!(!message.contains("MIIE"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod reentry {
    use super::*;

    #[test]
    fn a_callback_that_calls_back_into_its_client_is_refused_not_hung() {
        let inner: Arc<std::sync::OnceLock<AssertionSource>> = Arc::new(std::sync::OnceLock::new());
        let again = Arc::clone(&inner);
        let source = AssertionSource::Callback(Arc::new(move |budget| {
            again
                .get()
                .expect("set")
                .read(budget)
                .map(|s| s.expose_str().to_owned())
                .map_err(|e| e.to_string())
        }));
        let _ = inner.set(source.clone());
        let message = source.read(Duration::from_secs(1)).unwrap_err().to_string();
        assert!(
            message.contains("calls back") || message.contains("called the client"),
            "{message}"
        );
        assert!(!inside_assertion_source(), "the flag is reset");
    }
}
