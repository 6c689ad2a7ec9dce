//! Keeping secrets out of everything a user might print or log.
//!
//! Two layers: structured redaction (known secret members of JSON and form bodies, the
//! `Authorization` header), and scrubbing (every secret value this request used, replaced
//! wherever it appears in text that came from the server, in case the server echoes it).

use serde_json::{Map, Value};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The response body kept in [`crate::HttpResponseMeta`] is cut to this many bytes.
pub const META_BODY_LIMIT: usize = 64 * 1024;

/// Secrets shorter than this are not scrubbed from free text: replacing every `"ab"` in a
/// message would garble it without protecting anything worth protecting.
const MIN_SCRUB_LEN: usize = 4;

/// Members of a token response or request whose values are credentials.
const SECRET_MEMBERS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "password",
    "code_verifier",
    "device_code",
    "subject_token",
    "actor_token",
    "assertion",
    "client_assertion",
    "issued_token",
];

/// Header names whose values are credentials (compared in lower case).
const SECRET_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

pub(crate) fn is_secret_member(name: &str) -> bool {
    SECRET_MEMBERS.iter().any(|m| m.eq_ignore_ascii_case(name))
}

pub(crate) fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// `Some("[redacted]")` for a present secret, `None` for an absent one, so `Debug` still
/// tells whether the value was there.
pub(crate) fn redacted(value: &Option<String>) -> Option<&'static str> {
    value.as_ref().map(|_| REDACTED)
}

/// A header value as it may be shown: the auth scheme survives (`Basic [redacted]`),
/// because "which scheme did we send" is the question people debug.
pub(crate) fn redact_header_value(name: &str, value: &str) -> String {
    if !is_secret_header(name) {
        return value.to_string();
    }
    match value.split_once(' ') {
        Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
            format!("{scheme} {REDACTED}")
        }
        _ => REDACTED.to_string(),
    }
}

/// A copy of `map` with the values of secret members replaced, at any depth.
pub(crate) fn redact_json_map(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .map(|(k, v)| {
            let v = if is_secret_member(k) && !v.is_null() {
                Value::String(REDACTED.to_string())
            } else {
                redact_json_value(v)
            };
            (k.clone(), v)
        })
        .collect()
}

fn redact_json_value(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(redact_json_map(map)),
        Value::Array(items) => Value::Array(items.iter().map(redact_json_value).collect()),
        other => other.clone(),
    }
}

/// The text of a response body with secret members redacted and known secrets scrubbed.
///
/// JSON keeps its structure (re-serialised compactly); a form-encoded body keeps its pairs;
/// anything else is kept as text. The result is cut to [`META_BODY_LIMIT`].
pub(crate) fn redact_body(body: &[u8], secrets: &[&str]) -> (String, bool) {
    let text = String::from_utf8_lossy(body);
    let structured = match serde_json::from_slice::<Value>(body) {
        Ok(value @ (Value::Object(_) | Value::Array(_))) => Some(redact_json_value(&value).to_string()),
        _ if looks_form_encoded(&text) => Some(redact_form(&text)),
        _ => None,
    };
    let text = scrub(structured.as_deref().unwrap_or(&text), secrets);
    truncate(text, META_BODY_LIMIT)
}

fn looks_form_encoded(text: &str) -> bool {
    let text = text.trim();
    !text.is_empty() && !text.contains(char::is_whitespace) && text.split('&').all(|pair| pair.contains('='))
}

fn redact_form(text: &str) -> String {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(text.trim().as_bytes())
        .map(|(k, v)| {
            let v = if is_secret_member(&k) {
                REDACTED.into()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Replaces every occurrence of each secret in `text`.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| s.len() >= MIN_SCRUB_LEN) {
        if out.contains(secret) {
            out = out.replace(secret, REDACTED);
        }
    }
    out
}

/// Cuts `text` to at most `limit` bytes on a character boundary.
pub(crate) fn truncate(mut text: String, limit: usize) -> (String, bool) {
    if text.len() <= limit {
        return (text, false);
    }
    let mut cut = limit;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    (text, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_secret_members_are_redacted_at_any_depth() {
        let body = br#"{"access_token":"AT-1","nested":{"refresh_token":"RT-1"},"scope":"a"}"#;
        let (text, cut) = redact_body(body, &[]);
        assert!(!cut);
        assert!(!text.contains("AT-1") && !text.contains("RT-1"), "{text}");
        assert!(text.contains(r#""scope":"a""#));
    }

    #[test]
    fn form_secret_members_are_redacted() {
        let (text, _) = redact_body(b"access_token=AT-2&token_type=bearer", &[]);
        assert_eq!(text, "access_token=%5Bredacted%5D&token_type=bearer");
    }

    #[test]
    fn known_secrets_are_scrubbed_from_free_text() {
        let (text, _) = redact_body(b"<p>bad secret hunter2!</p>", &["hunter2!"]);
        assert_eq!(text, "<p>bad secret [redacted]</p>");
    }

    #[test]
    fn authorization_keeps_its_scheme_only() {
        assert_eq!(redact_header_value("Authorization", "Basic abc=="), "Basic [redacted]");
        assert_eq!(redact_header_value("content-type", "text/plain"), "text/plain");
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        let (text, cut) = truncate("ééé".to_string(), 3);
        assert_eq!((text.as_str(), cut), ("é", true));
    }
}
