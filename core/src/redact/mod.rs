//! Keeping secrets out of everything a user might print or log.
//!
//! # The rules
//! - **Structured redaction.** The values of secret members of JSON and form bodies are
//!   replaced by `[redacted]` at any depth ([`is_secret_member`]).
//! - **Request headers** in metadata show their value only for a short list of headers that
//!   never carry credentials ([`NON_SECRET_REQUEST_HEADERS`]); `Authorization` keeps its scheme
//!   (`Basic [redacted]`), every other value is `[redacted]`.
//! - **URLs** shown anywhere keep their query parameter names but not their values, and never
//!   their userinfo ([`display_url`]).
//! - **Scrubbing.** Every credential a request carries is removed from all text the server
//!   sent back (bodies, headers, error messages), in every form it may be echoed in
//!   ([`scrub`]).

use serde_json::{Map, Value};
use url::Url;

pub(crate) mod scrub;
pub mod view;

pub(crate) use scrub::Secrets;
pub use view::{Redacted, RedactedView};

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The response body kept in [`crate::HttpResponseMeta`] is cut to this many bytes.
pub const META_BODY_LIMIT: usize = 64 * 1024;

/// Members of a token request or response whose values are credentials, beyond the general
/// rule in [`is_secret_member`].
const SECRET_MEMBERS: &[&str] = &["code", "device_code", "token", "otp", "pin"];

/// Parts of a member name that mark its value as a credential.
const SECRET_NAME_PARTS: &[&str] = &[
    "secret",
    "password",
    "passwd",
    "assertion",
    "verifier",
    // Any key: a MAC token's `mac_key`, a `session_key`, a bare `key`. Over-redacting a
    // harmless `keyId` costs a debug line; missing a key would leak one.
    "key",
    "authorization",
    "cookie",
];

/// Request headers whose values are shown in metadata; every other value is redacted,
/// because callers put API keys in headers of their own choosing.
pub const NON_SECRET_REQUEST_HEADERS: &[&str] = &[
    "accept",
    "accept-encoding",
    "accept-language",
    "content-type",
    "content-length",
    "user-agent",
    "x-gusto-api-version",
    "x-request-id",
    "x-correlation-id",
    "traceparent",
    "tracestate",
];

/// Response header names whose values are credentials (compared in lower case).
const SECRET_RESPONSE_HEADERS: &[&str] = &["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// True when a body member's value is a credential: `access_token`, `refresh_token`,
/// `client_secret`, `password`, `code`, `code_verifier`, `client_assertion`, any `*_token`,
/// and any name containing `secret`, `password`, `assertion`, `verifier`, `key`,
/// `authorization` or `cookie`.
pub fn is_secret_member(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_MEMBERS.contains(&name.as_str())
        || crate::jwt::key::PRIVATE_JWK_MEMBERS.contains(&name.as_str())
        || name.ends_with("_token")
        || SECRET_NAME_PARTS.iter().any(|part| name.contains(part))
}

/// A value a caller gave where one of a closed set belongs, as a message may show it: quoted
/// when short and plain, withheld when it may be a key or a token pasted into the wrong option.
pub(crate) fn shown_choice(value: &str) -> String {
    let plain = value.len() <= 40 && value.chars().all(|c| c.is_ascii_graphic() || c == ' ');
    if plain {
        format!("{value:?}")
    } else {
        format!("(a value of {} characters, not shown)", value.chars().count())
    }
}

/// True when a request header's value may be shown.
pub fn is_non_secret_request_header(name: &str) -> bool {
    NON_SECRET_REQUEST_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// A request header value as it may be shown: the auth scheme survives (`Basic [redacted]`),
/// because "which scheme did we send" is the question people debug.
pub(crate) fn redact_request_header(name: &str, value: &str) -> String {
    if is_non_secret_request_header(name) {
        return value.to_string();
    }
    match value.split_once(' ') {
        Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => format!("{scheme} {REDACTED}"),
        _ => REDACTED.to_string(),
    }
}

/// A response header value as it may be shown: credentials by name, then every secret the
/// request carried, in case the server echoes it.
pub(crate) fn redact_response_header(name: &str, value: &str, secrets: &Secrets) -> String {
    if SECRET_RESPONSE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name)) {
        return REDACTED.to_string();
    }
    secrets.scrub(value)
}

/// A URL as it may be shown: no userinfo, no fragment, and every query value redacted
/// (`?api_key=[redacted]`), since some providers take keys in the token URL.
pub fn display_url(url: &Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_fragment(None);
    if url.query().is_some() {
        let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
        let query = names
            .iter()
            .map(|k| {
                let k: String = form_urlencoded::byte_serialize(k.as_bytes()).collect();
                format!("{k}={REDACTED}")
            })
            .collect::<Vec<_>>()
            .join("&");
        shown.set_query(Some(&query));
    }
    shown.to_string()
}

/// The values of a URL's query, which are scrubbed like any credential.
pub(crate) fn query_values(url: &Url) -> impl Iterator<Item = String> + '_ {
    url.query_pairs().map(|(_, v)| v.into_owned())
}

/// A copy of `map` with the values of secret members replaced, at any depth.
pub fn redact_json_map(map: &Map<String, Value>) -> Map<String, Value> {
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
pub(crate) fn redact_body(body: &[u8], secrets: &Secrets) -> (String, bool) {
    let text = String::from_utf8_lossy(body);
    let structured = match serde_json::from_slice::<Value>(body) {
        Ok(value @ (Value::Object(_) | Value::Array(_))) => Some(redact_json_value(&value).to_string()),
        _ if looks_form_encoded(&text) => Some(redact_form(&text)),
        _ => None,
    };
    let text = structured.unwrap_or_else(|| text.into_owned());
    let was_cut = text.len() > META_BODY_LIMIT;
    // Only what is kept is scrubbed, so a huge body costs no more than the kept part; the
    // margin holds a secret that starts before the cut, however many escapes spell it.
    const LONGEST_ESCAPE: usize = 12;
    let (text, _) = truncate(text, META_BODY_LIMIT.saturating_add(LONGEST_ESCAPE * secrets.longest()));
    let (text, _) = truncate(secrets.scrub(&text), META_BODY_LIMIT);
    (text, was_cut)
}

/// A token whose non-secret fields echo a credential of the request that fetched it (a
/// hostile server copying the password into `scope`, say), with the echoes scrubbed:
/// `token_type`, `scope`, `created_at`, and every `extra` member whose name is not secret.
/// Members with secret names keep their values, as the token's own tokens do: every display
/// of a token redacts them already, and code that reads them gets what the server sent.
pub(crate) fn scrub_token_echoes(mut token: crate::TokenResponse, secrets: &Secrets) -> crate::TokenResponse {
    token.token_type = secrets.scrub(&token.token_type);
    token.scope = token.scope.map(|s| secrets.scrub(&s));
    token.created_at = token.created_at.map(|s| secrets.scrub(&s));
    token.extra = scrub_members(token.extra, secrets);
    token
}

pub(crate) fn scrub_members(map: Map<String, Value>, secrets: &Secrets) -> Map<String, Value> {
    map.into_iter()
        .map(|(k, v)| {
            let v = if is_secret_member(&k) {
                v
            } else {
                scrub_value(v, secrets)
            };
            (k, v)
        })
        .collect()
}

fn scrub_value(value: Value, secrets: &Secrets) -> Value {
    match value {
        Value::String(s) => Value::String(secrets.scrub(&s)),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| scrub_value(v, secrets)).collect()),
        Value::Object(map) => Value::Object(scrub_members(map, secrets)),
        other => other,
    }
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

    fn secrets(values: &[&str]) -> Secrets {
        let mut secrets = Secrets::new();
        for v in values {
            secrets.add(v);
        }
        secrets
    }

    #[test]
    fn json_secret_members_are_redacted_at_any_depth() {
        let body = br#"{"access_token":"AT-1","nested":{"refresh_token":"RT-1"},"scope":"a"}"#;
        let (text, cut) = redact_body(body, &Secrets::new());
        assert!(!cut);
        assert!(!text.contains("AT-1") && !text.contains("RT-1"), "{text}");
        assert!(text.contains(r#""scope":"a""#));
    }

    #[test]
    fn form_secret_members_are_redacted() {
        let (text, _) = redact_body(b"access_token=AT-2&token_type=bearer", &Secrets::new());
        assert_eq!(text, "access_token=%5Bredacted%5D&token_type=bearer");
    }

    #[test]
    fn known_secrets_are_scrubbed_from_free_text() {
        let (text, _) = redact_body(b"<p>bad secret hunter2!</p>", &secrets(&["hunter2!"]));
        assert_eq!(text, "<p>bad secret [redacted]</p>");
    }

    #[test]
    fn request_headers_show_only_listed_values_and_the_auth_scheme() {
        assert_eq!(
            redact_request_header("Authorization", "Basic abc=="),
            "Basic [redacted]"
        );
        assert_eq!(redact_request_header("content-type", "text/plain"), "text/plain");
        assert_eq!(redact_request_header("X-Api-Key", "k-123"), REDACTED);
        assert_eq!(redact_request_header("Ocp-Apim-Subscription-Key", "k-123"), REDACTED);
    }

    #[test]
    fn response_headers_are_scrubbed_by_value_too() {
        let s = secrets(&["hunter2!"]);
        assert_eq!(redact_response_header("Set-Cookie", "sid=1", &s), REDACTED);
        assert_eq!(
            redact_response_header("X-Debug-Auth", "got hunter2%21", &s),
            "got [redacted]"
        );
    }

    #[test]
    fn urls_keep_query_names_but_not_values() {
        let url = Url::parse("https://u:p@auth.example/token?api_key=k-1&tenant=t#frag").unwrap();
        assert_eq!(
            display_url(&url),
            "https://auth.example/token?api_key=[redacted]&tenant=[redacted]"
        );
        let plain = Url::parse("https://auth.example/token").unwrap();
        assert_eq!(display_url(&plain), "https://auth.example/token");
    }

    #[test]
    fn secret_member_names_follow_one_rule() {
        for name in [
            "access_token",
            "Refresh_Token",
            "subject_token",
            "client_secret",
            "code",
            "code_verifier",
            "client_assertion",
            "x_api_key",
            "mac_key",
            "Key",
            "password",
            // A JWK's private members, wherever one is echoed.
            "d",
            "p",
            "q",
            "dp",
            "dq",
            "qi",
            "k",
        ] {
            assert!(is_secret_member(name), "{name}");
        }
        for name in [
            "token_type",
            "subject_token_type",
            "scope",
            "expires_in",
            "username",
            "grant_type",
            "kid",
            "n",
            "e",
            "x",
        ] {
            assert!(!is_secret_member(name), "{name}");
        }
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        let (text, cut) = truncate("ééé".to_string(), 3);
        assert_eq!((text.as_str(), cut), ("é", true));
    }
}
