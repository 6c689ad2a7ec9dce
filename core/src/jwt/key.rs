//! Signing keys: parsed and checked once, when a client is built, then only used.
//!
//! A key arrives as PEM (PKCS#8, or the PKCS#1 `RSA PRIVATE KEY` and SEC1 `EC PRIVATE KEY`
//! forms openssl writes), as a JWK, or, for HS256, as the client secret. Every check a
//! signature could fail (the algorithm matches the key, RSA is at least 2048 bits, an HMAC
//! secret has 32 bytes) happens here, so that signing itself cannot fail on the key. No message
//! carries key material: a message names the form it saw and what to give instead.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair};
use rustls_pki_types::pem::{PemObject, SectionKind};
use serde_json::{Map, Value};

use super::der;
use crate::error::{Error, Result};

/// The JWS algorithms tokenfetch signs with (RFC 7518 §3, RFC 8037).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// Ed25519.
    EdDSA,
    /// HMAC with SHA-256, keyed with the client secret (`client_secret_jwt`).
    HS256,
}

impl Algorithm {
    pub const ALL: [Algorithm; 5] = [
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::EdDSA,
        Algorithm::HS256,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::PS256 => "PS256",
            Algorithm::ES256 => "ES256",
            Algorithm::EdDSA => "EdDSA",
            Algorithm::HS256 => "HS256",
        }
    }

    fn family(self) -> &'static str {
        match self {
            Algorithm::RS256 | Algorithm::PS256 => "an RSA key",
            Algorithm::ES256 => "a P-256 EC key",
            Algorithm::EdDSA => "an Ed25519 key",
            Algorithm::HS256 => "a shared secret",
        }
    }
}

impl FromStr for Algorithm {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::config(format!(
                    "unknown signing algorithm {}: use RS256, PS256, ES256, EdDSA or HS256",
                    crate::redact::shown_choice(s)
                ))
            })
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The shortest HMAC secret HS256 accepts: RFC 7518 §3.2 asks for a key of the hash's size.
pub const MIN_HMAC_SECRET_BYTES: usize = 32;

/// The smallest RSA modulus accepted for signing, in bits (NIST SP 800-131A).
pub const MIN_RSA_BITS: usize = 2048;

/// How many keys this process has parsed: the test that signing parses none reads it.
static KEY_PARSES: AtomicU64 = AtomicU64::new(0);

/// How many signing keys this process has parsed so far.
#[doc(hidden)]
pub fn key_parses() -> u64 {
    KEY_PARSES.load(Ordering::Relaxed)
}

/// A private key (or HMAC secret) ready to sign JWTs, with its algorithm and `kid`.
///
/// Its `Debug` shows only the algorithm and `kid`.
pub struct SigningKey {
    algorithm: Algorithm,
    key_id: Option<String>,
    material: Material,
    /// SHA-256 of the public key: which key this is, for keeping token store entries of
    /// different keys apart, without the key.
    fingerprint: String,
}

enum Material {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
    Ed(Ed25519KeyPair),
    Hmac(ring::hmac::Key),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm.as_str())
            .field("key_id", &self.key_id)
            .finish()
    }
}

impl SigningKey {
    /// A key from PEM text or a JWK (a JSON object), whichever `text` is.
    pub fn from_text(text: &str) -> Result<SigningKey> {
        if text.trim_start().starts_with('{') {
            Self::from_jwk(text)
        } else {
            Self::from_pem(text)
        }
    }

    /// A key from a file holding PEM or a JWK. The message of a failure names the path.
    pub fn from_file(path: impl AsRef<Path>) -> Result<SigningKey> {
        let path = path.as_ref();
        let text = super::read_small_file(path, "the private key file")?;
        Self::from_text(&text).map_err(|e| match e {
            Error::Config { message } => Error::config(format!("{message} (in {})", super::shown_path(path))),
            other => other,
        })
    }

    /// A private key in PEM: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`) or SEC1
    /// (`EC PRIVATE KEY`). RSA keys sign RS256 unless [`Self::with_algorithm`] says PS256.
    pub fn from_pem(pem: &str) -> Result<SigningKey> {
        KEY_PARSES.fetch_add(1, Ordering::Relaxed);
        if pem.contains("ENCRYPTED PRIVATE KEY") || pem.contains("Proc-Type: 4,ENCRYPTED") {
            return Err(Error::config(
                "the private key is encrypted: give it unencrypted (openssl pkcs8 -nocrypt), from a secret store",
            ));
        }
        let (kind, der) = <(SectionKind, Vec<u8>)>::from_pem_slice(pem.as_bytes()).map_err(|_| {
            Error::config(
                "the private key is not PEM or a JWK: give the text of a \"-----BEGIN PRIVATE KEY-----\" block or a JWK object",
            )
        })?;
        let rng = SystemRandom::new();
        let material = match kind {
            SectionKind::PrivateKey => from_pkcs8(&der, &rng)?,
            SectionKind::RsaPrivateKey => Material::Rsa(RsaKeyPair::from_der(&der).map_err(|e| rejected("RSA", e))?),
            SectionKind::EcPrivateKey => {
                let pkcs8 = der::sec1_p256_to_pkcs8(&der);
                Material::Ec(
                    EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &pkcs8, &rng)
                        .map_err(|e| rejected("EC (only P-256 is supported, with its public key)", e))?,
                )
            }
            SectionKind::PublicKey => return Err(Error::config(
                "the key is a public key (\"BEGIN PUBLIC KEY\"): give the private key; the server holds the public one",
            )),
            other => {
                return Err(Error::config(format!(
                    "the PEM block is a {other:?}, not a private key: give a \"BEGIN PRIVATE KEY\" block"
                )))
            }
        };
        Self::checked(material, None)
    }

    /// A private key as a JWK (RFC 7517): `RSA`, `EC` on P-256, `OKP` Ed25519, or `oct` for
    /// HS256. Its `kid` and `alg`, when present, are used.
    pub fn from_jwk(json: &str) -> Result<SigningKey> {
        KEY_PARSES.fetch_add(1, Ordering::Relaxed);
        let jwk: Map<String, Value> = serde_json::from_str(json)
            .map_err(|_| Error::config("the JWK is not a JSON object: give one key's members, not a key set"))?;
        if jwk.contains_key("keys") {
            return Err(Error::config(
                "the JWK is a key set (\"keys\"): give the one private key to sign with",
            ));
        }
        let text = |name: &str| jwk.get(name).and_then(Value::as_str);
        let bytes = |name: &str| -> Result<Vec<u8>> {
            let value = text(name).ok_or_else(|| {
                if jwk.get(name).is_some() {
                    Error::config(format!("the JWK's \"{name}\" is not a base64url string"))
                } else if name == "d" || name == "k" {
                    Error::config(format!(
                        "the JWK has no \"{name}\": it is a public key; give the private key"
                    ))
                } else {
                    Error::config(format!("the JWK has no \"{name}\" member"))
                }
            })?;
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(value.trim_end_matches('='))
                .map_err(|_| Error::config(format!("the JWK's \"{name}\" is not base64url")))
        };
        let rng = SystemRandom::new();
        let material = match text("kty") {
            Some("RSA") => {
                let components = ring::rsa::KeyPairComponents {
                    public_key: ring::rsa::PublicKeyComponents {
                        n: bytes("n")?,
                        e: bytes("e")?,
                    },
                    d: bytes("d")?,
                    p: bytes("p")?,
                    q: bytes("q")?,
                    dP: bytes("dp")?,
                    dQ: bytes("dq")?,
                    qInv: bytes("qi")?,
                };
                Material::Rsa(RsaKeyPair::from_components(&components).map_err(|e| rejected("RSA", e))?)
            }
            Some("EC") => {
                if text("crv") != Some("P-256") {
                    return Err(Error::config("the EC JWK is not on P-256: ES256 needs a P-256 key"));
                }
                let mut public = vec![4u8];
                public.extend(bytes("x")?);
                public.extend(bytes("y")?);
                Material::Ec(
                    EcdsaKeyPair::from_private_key_and_public_key(
                        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                        &bytes("d")?,
                        &public,
                        &rng,
                    )
                    .map_err(|e| rejected("EC", e))?,
                )
            }
            Some("OKP") => {
                if text("crv") != Some("Ed25519") {
                    return Err(Error::config("the OKP JWK is not Ed25519: EdDSA needs an Ed25519 key"));
                }
                Material::Ed(
                    Ed25519KeyPair::from_seed_and_public_key(&bytes("d")?, &bytes("x")?)
                        .map_err(|e| rejected("Ed25519", e))?,
                )
            }
            Some("oct") => hmac_material(&bytes("k")?)?,
            Some(other) => {
                return Err(Error::config(format!(
                    "the JWK's kty {} is not supported: use RSA, EC (P-256), OKP (Ed25519) or oct",
                    crate::redact::shown_choice(other)
                )))
            }
            None => return Err(Error::config("the JWK has no \"kty\" member")),
        };
        let key = Self::checked(material, text("kid").map(str::to_owned))?;
        match text("alg") {
            Some(alg) => key.with_algorithm(alg.parse()?),
            None => Ok(key),
        }
    }

    /// An HS256 key from a shared secret (`client_secret_jwt`): at least 32 bytes.
    pub fn hmac(secret: &[u8]) -> Result<SigningKey> {
        KEY_PARSES.fetch_add(1, Ordering::Relaxed);
        Self::checked(hmac_material(secret)?, None)
    }

    fn checked(material: Material, key_id: Option<String>) -> Result<SigningKey> {
        let algorithm = match &material {
            Material::Rsa(pair) => {
                let bits = pair.public().modulus_len() * 8;
                if bits < MIN_RSA_BITS {
                    return Err(Error::config(format!(
                        "the RSA key has {bits} bits: use one of at least {MIN_RSA_BITS}"
                    )));
                }
                Algorithm::RS256
            }
            Material::Ec(_) => Algorithm::ES256,
            Material::Ed(_) => Algorithm::EdDSA,
            Material::Hmac(_) => Algorithm::HS256,
        };
        let public: &[u8] = match &material {
            Material::Rsa(pair) => pair.public_key().as_ref(),
            Material::Ec(pair) => pair.public_key().as_ref(),
            Material::Ed(pair) => pair.public_key().as_ref(),
            // A shared secret is the client secret, which identifies the client by itself.
            Material::Hmac(_) => &[],
        };
        let digest = ring::digest::digest(&ring::digest::SHA256, public);
        let fingerprint = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Ok(SigningKey {
            algorithm,
            key_id,
            material,
            fingerprint,
        })
    }

    /// Signs with `algorithm` instead of the key's own: only RS256 and PS256 share a key.
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Result<SigningKey> {
        let fits = match self.material {
            Material::Rsa(_) => matches!(algorithm, Algorithm::RS256 | Algorithm::PS256),
            Material::Ec(_) => algorithm == Algorithm::ES256,
            Material::Ed(_) => algorithm == Algorithm::EdDSA,
            Material::Hmac(_) => algorithm == Algorithm::HS256,
        };
        if !fits {
            return Err(Error::config(format!(
                "signing_algorithm {algorithm} needs {}, but the key is {}: give a matching key or algorithm",
                algorithm.family(),
                self.algorithm.family()
            )));
        }
        self.algorithm = algorithm;
        Ok(self)
    }

    /// Sends `kid` in every JWT header (replacing the JWK's own).
    pub fn with_key_id(mut self, key_id: impl Into<String>) -> SigningKey {
        self.key_id = Some(key_id.into());
        self
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// SHA-256 of the public key, in hex: names the key without revealing it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether this key is a shared secret rather than a private key.
    pub fn is_symmetric(&self) -> bool {
        matches!(self.material, Material::Hmac(_))
    }

    /// The JWS signature of `message`. Cannot fail on the key, which was checked when parsed.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        let rng = SystemRandom::new();
        let failed = |_| Error::config("the system random number generator failed while signing");
        match &self.material {
            Material::Rsa(pair) => {
                let padding: &'static dyn signature::RsaEncoding = match self.algorithm {
                    Algorithm::PS256 => &signature::RSA_PSS_SHA256,
                    _ => &signature::RSA_PKCS1_SHA256,
                };
                let mut out = vec![0u8; pair.public().modulus_len()];
                pair.sign(padding, &rng, message, &mut out).map_err(failed)?;
                Ok(out)
            }
            Material::Ec(pair) => Ok(pair.sign(&rng, message).map_err(failed)?.as_ref().to_vec()),
            Material::Ed(pair) => Ok(pair.sign(message).as_ref().to_vec()),
            Material::Hmac(key) => Ok(ring::hmac::sign(key, message).as_ref().to_vec()),
        }
    }
}

fn from_pkcs8(der: &[u8], rng: &SystemRandom) -> Result<Material> {
    if let Ok(pair) = RsaKeyPair::from_pkcs8(der) {
        return Ok(Material::Rsa(pair));
    }
    if let Ok(pair) = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, der, rng) {
        return Ok(Material::Ec(pair));
    }
    if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
        return Ok(Material::Ed(pair));
    }
    // Ask again for the reason RSA gave, which is the most telling (a short key says so).
    match RsaKeyPair::from_pkcs8(der) {
        Err(e) if e.to_string() == "TooSmall" => Err(rejected("RSA", e)),
        _ => Err(Error::config(
            "the PKCS#8 key is not an RSA, P-256 EC or Ed25519 private key: those are the keys tokenfetch signs with",
        )),
    }
}

fn hmac_material(secret: &[u8]) -> Result<Material> {
    if secret.len() < MIN_HMAC_SECRET_BYTES {
        return Err(Error::config(format!(
            "an HS256 secret needs at least {MIN_HMAC_SECRET_BYTES} bytes, this one has {}: ask the server for a longer client secret",
            secret.len()
        )));
    }
    Ok(Material::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret)))
}

/// ring's reason, named (its reasons hold no key material).
fn rejected(what: &str, e: ring::error::KeyRejected) -> Error {
    let reason = match e.to_string().as_str() {
        "TooSmall" => format!("it is shorter than {MIN_RSA_BITS} bits"),
        "TooLarge" => "it is larger than 8192 bits".into(),
        "WrongAlgorithm" => "it is a different kind of key".into(),
        "InconsistentComponents" => "its parts do not belong together".into(),
        "PublicKeyIsMissing" => "it lacks its public key (write it with openssl pkcs8 -topk8)".into(),
        "InvalidComponent" | "InvalidEncoding" => "it is malformed".into(),
        "PrivateModulusLenNotMultipleOf512Bits" => "its size is not a multiple of 512 bits".into(),
        other => other.to_string(),
    };
    Error::config(format!("the {what} private key was refused: {reason}"))
}

/// The JWK private members: scrubbed wherever a JWK could be echoed.
pub const PRIVATE_JWK_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "k"];

/// The parts of a key's text that are key material, for the client's scrub list: a PEM's
/// base64 body (whole, and each line) or a JWK's private members. The key never travels, but
/// what a server echoes is scrubbed of every secret the client holds.
pub(crate) fn secret_parts(text: &str) -> Vec<String> {
    if text.trim_start().starts_with('{') {
        let Ok(jwk) = serde_json::from_str::<Map<String, Value>>(text) else {
            return Vec::new();
        };
        return PRIVATE_JWK_MEMBERS
            .iter()
            .filter_map(|name| jwk.get(*name).and_then(Value::as_str).map(str::to_owned))
            .collect();
    }
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----") && !l.contains(':'))
        .collect();
    let mut parts: Vec<String> = lines
        .iter()
        .filter(|l| l.len() >= 16)
        .map(|l| (*l).to_owned())
        .collect();
    parts.push(lines.concat());
    parts
}
