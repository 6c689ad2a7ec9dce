//! Reading a signed JWT (JWS compact serialization, RFC 7515 §7.1) that a server sent, before
//! anything in it is believed.
//!
//! Everything a hostile token could use against its reader is refused here, before a key is
//! looked up or a signature computed, each with its own [`IdTokenCheck`]:
//! - a token over [`MAX_TOKEN_BYTES`] (authlib CVE-2025-61920 spent seconds on a 500 MB header);
//! - JSON nested deeper than [`MAX_JSON_DEPTH`] (Nimbus CVE-2025-53864);
//! - five parts, `enc` or `zip`: JWE and compression are not read at all (jose CVE-2024-28176,
//!   Nimbus CVE-2023-52428: PBES2 and inflate bombs);
//! - `alg: none`, and any `crit` header, since tokenfetch understands no extension
//!   (authlib GHSA-9ggr-2464-2j32).
//!
//! Keys offered by the token itself (`jwk`, `jku`, `x5u`, `x5c`) are never read: a key comes
//! from the issuer's JWKS or the client's own secret (authlib CVE-2026-27962).

use base64::Engine as _;
use serde_json::{Map, Value};

use super::{IdTokenCheck, IdTokenFailure};

/// The longest token read. Real ID tokens are 1 to 8 KiB (Entra's with group claims the
/// largest); 64 KiB leaves room and bounds the work a hostile one can cause.
pub const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The deepest JSON nesting accepted in a header, claims or a JWKS. Real ones go 3 deep.
pub const MAX_JSON_DEPTH: usize = 16;

/// A token split and decoded, not yet verified.
#[derive(Debug)]
pub struct Jws {
    pub algorithm: String,
    pub key_id: Option<String>,
    pub header: Map<String, Value>,
    pub claims: Map<String, Value>,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`, what the signature covers.
    pub signing_input: Vec<u8>,
    pub signature: Vec<u8>,
}

/// Splits and decodes `token`, refusing every form listed in the module docs.
pub fn parse(token: &str) -> Result<Jws, IdTokenFailure> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(IdTokenFailure::new(
            IdTokenCheck::Size,
            format!(
                "the token is {} bytes, more than the {MAX_TOKEN_BYTES} accepted",
                token.len()
            ),
        ));
    }
    let parts: Vec<&str> = token.trim().split('.').collect();
    match parts.len() {
        3 => {}
        5 => {
            return Err(IdTokenFailure::new(
                IdTokenCheck::Encrypted,
                "the token is encrypted (JWE); tokenfetch reads signed tokens only: register the client without id_token_encrypted_response_alg",
            ))
        }
        n => {
            return Err(IdTokenFailure::new(
                IdTokenCheck::Format,
                format!("the token has {n} dot-separated parts; a signed JWT has 3"),
            ))
        }
    }
    let header = decode_object(parts[0], "header")?;
    let claims = decode_object(parts[1], "payload")?;
    let signature = base64url(parts[2], "signature")?;
    let text = |name: &str| -> Result<Option<String>, IdTokenFailure> {
        match header.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(IdTokenFailure::new(
                IdTokenCheck::Format,
                format!("the header's {name} is not a string"),
            )),
        }
    };
    let algorithm = text("alg")?.ok_or_else(|| IdTokenFailure::new(IdTokenCheck::Format, "the header has no alg"))?;
    if algorithm.eq_ignore_ascii_case("none") {
        return Err(IdTokenFailure::new(
            IdTokenCheck::Algorithm,
            "the token is unsigned (alg \"none\"), which is never accepted",
        ));
    }
    if header.contains_key("enc") {
        return Err(IdTokenFailure::new(
            IdTokenCheck::Encrypted,
            "the header has enc: an encrypted token (JWE) is not read",
        ));
    }
    if header.contains_key("zip") {
        return Err(IdTokenFailure::new(
            IdTokenCheck::Encrypted,
            "the header has zip: a compressed token is not read",
        ));
    }
    if let Some(crit) = header.get("crit") {
        let names = match crit {
            Value::Array(items) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map_or_else(|| "?".to_string(), crate::redact::shown_choice)
                })
                .take(4)
                .collect::<Vec<_>>()
                .join(", "),
            _ => "a value that is not a list".to_string(),
        };
        return Err(IdTokenFailure::new(
            IdTokenCheck::Crit,
            format!("the header's crit names extensions tokenfetch does not understand ({names}), so the token must be refused (RFC 7515 §4.1.11)"),
        ));
    }
    // Another kind of JWT signed by the same issuer (an RFC 9068 access token, a logout token)
    // names its type; it must not pass for an ID token.
    if let Some(typ) = text("typ")? {
        let typ = typ.to_ascii_lowercase();
        let typ = typ.strip_prefix("application/").unwrap_or(&typ);
        if !matches!(typ, "jwt" | "id_token+jwt") {
            return Err(IdTokenFailure::new(
                IdTokenCheck::Format,
                format!(
                    "the token's typ is {}: another kind of JWT, not an ID token",
                    crate::redact::shown_choice(typ)
                ),
            ));
        }
    }
    let key_id = text("kid")?;
    let signing_input = format!("{}.{}", parts[0], parts[1]).into_bytes();
    Ok(Jws {
        algorithm,
        key_id,
        header,
        claims,
        signing_input,
        signature,
    })
}

fn base64url(part: &str, what: &str) -> Result<Vec<u8>, IdTokenFailure> {
    // Padding is not part of JWS's base64url; some writers add it anyway.
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| IdTokenFailure::new(IdTokenCheck::Format, format!("the {what} is not base64url")))
}

fn decode_object(part: &str, what: &str) -> Result<Map<String, Value>, IdTokenFailure> {
    let bytes = base64url(part, what)?;
    parse_object(&bytes, what)
}

/// A JSON object, after [`check_depth`]; `what` names it in the message.
pub(crate) fn parse_object(bytes: &[u8], what: &str) -> Result<Map<String, Value>, IdTokenFailure> {
    check_depth(bytes).map_err(|depth| {
        IdTokenFailure::new(
            IdTokenCheck::Nesting,
            format!("the {what} nests JSON deeper than {MAX_JSON_DEPTH} levels (at least {depth})"),
        )
    })?;
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(IdTokenFailure::new(
            IdTokenCheck::Format,
            format!("the {what} is JSON {}, not an object", crate::parse::json_type(&other)),
        )),
        Err(_) => Err(IdTokenFailure::new(
            IdTokenCheck::Format,
            format!("the {what} is not JSON"),
        )),
    }
}

/// Counts brackets outside strings, so a deeply nested document is refused before a
/// recursive parser sees it. `Err` holds the depth reached.
pub(crate) fn check_depth(bytes: &[u8]) -> Result<(), usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in bytes {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(depth);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(value: &str) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value)
    }

    fn token(header: &str, claims: &str) -> String {
        format!("{}.{}.{}", b64(header), b64(claims), b64("sig"))
    }

    #[test]
    fn each_refused_form_names_its_check() {
        let check = |t: &str| parse(t).unwrap_err().check;
        assert_eq!(check(&token(r#"{"alg":"none"}"#, "{}")), IdTokenCheck::Algorithm);
        assert_eq!(check(&token(r#"{"alg":"NoNe"}"#, "{}")), IdTokenCheck::Algorithm);
        assert_eq!(
            check(&token(r#"{"alg":"RS256","crit":["b64"],"b64":false}"#, "{}")),
            IdTokenCheck::Crit
        );
        assert_eq!(
            check(&token(r#"{"alg":"RS256","zip":"DEF"}"#, "{}")),
            IdTokenCheck::Encrypted
        );
        assert_eq!(
            check(&token(
                r#"{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2c":2000000000}"#,
                "{}"
            )),
            IdTokenCheck::Encrypted
        );
        assert_eq!(check("a.b.c.d.e"), IdTokenCheck::Encrypted);
        assert_eq!(check("a.b"), IdTokenCheck::Format);
        assert_eq!(check(&token(r#"{"alg":"RS256"}"#, "[1]")), IdTokenCheck::Format);
        assert_eq!(check(&token(r#"{"alg":5}"#, "{}")), IdTokenCheck::Format);
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100), "]".repeat(100));
        assert_eq!(check(&token(r#"{"alg":"RS256"}"#, &deep)), IdTokenCheck::Nesting);
        assert_eq!(check(&"a".repeat(MAX_TOKEN_BYTES + 1)), IdTokenCheck::Size);
    }

    #[test]
    fn brackets_inside_strings_do_not_count() {
        let claims = format!("{{\"a\":\"{}\\\"{}\"}}", "[".repeat(100), "{".repeat(100));
        assert!(check_depth(claims.as_bytes()).is_ok());
        let jws = parse(&token(r#"{"alg":"ES256","kid":"k1","jwk":{"kty":"EC"}}"#, &claims)).unwrap();
        assert_eq!(jws.algorithm, "ES256");
        assert_eq!(jws.key_id.as_deref(), Some("k1"));
    }
}
