//! Reading what token endpoints really send.
//!
//! [`parse_response`] is the one pure entry point: status, headers and body in, a
//! [`TokenResponse`] or a typed [`Error`] out. The client calls it for every answer, and the
//! conformance vectors call it in every language, so both test the same code.
//!
//! # Leniency, and where it stops
//! - `expires_in` / `refresh_expires_in`: an integer, a float (rounded down, so a cache never
//!   keeps a token longer than the server meant), or a numeric string with optional
//!   surrounding spaces. Negative values are clamped to 0 (already expired). Values above
//!   [`MAX_LIFETIME_SECS`] (ten years) are clamped to it: a longer claim is a server bug, and
//!   an overflowing expiry would be worse. Anything else (`"3600s"`, `true`) is a `decode`
//!   error naming the field, because a wrong lifetime silently breaks caching.
//! - `token_type`: any casing of `bearer` becomes `"Bearer"`; absent or `null` means Bearer;
//!   other types (`DPoP`, `N_A`) are kept as sent.
//! - `scope`: a space-delimited string, or a JSON array of strings joined with spaces.
//! - `created_at` is informational and never fails a fetch: an RFC 3339 string (kept as
//!   sent; a space may stand for the `T`), or epoch seconds (converted to RFC 3339; a number
//!   from 10^11 up is read as epoch milliseconds, since seconds that large are beyond the
//!   year 5000). Anything else (a date without an offset, a negative number) is moved to
//!   `extra` as the server sent it.
//! - `refresh_token` / `id_token`: an empty string counts as absent.
//! - `expires_at` (epoch seconds) is read when the receive time and `expires_in` cannot give
//!   it; so `from_json(to_json())` is exact. Next to a valid `expires_in`, an `expires_at`
//!   that cannot be read is moved to `extra` rather than failing the fetch; on its own, it is a
//!   `decode` error, because it is then the token's only lifetime.
//! - Unknown members go to `extra` unchanged, except that a number too large for a double
//!   (`1e309`) is kept as its literal text, a string: JSON parsers disagree on such numbers,
//!   and one stray member must not fail a fetch. (`expires_in: 1e309` is still a number of
//!   seconds, clamped like any other.)
//! - A known member with a value of the wrong shape is a `decode` error naming the member.
//!
//! # Error bodies
//! An object with a string `error` member is an OAuth error (RFC 6749 §5.2) on any status,
//! 200 included. So is an `error` object with `code`/`message` members, and a Prove-style
//! `{"code": ..., "message": ...}` without `access_token`. Bodies may be JSON or
//! form-encoded. A non-2xx answer with no such body is `http_status`; a 2xx answer that is not
//! a token is `decode`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{Error, OAuthErrorBody, BODY_EXCERPT_LIMIT};
use crate::model::TokenResponse;
use crate::redact;

/// Ten years, in seconds: the longest lifetime a response may claim.
pub const MAX_LIFETIME_SECS: u64 = 10 * 365 * 24 * 3600;

/// Classifies one HTTP answer from a token endpoint, without the body cap.
///
/// `headers` are `(name, value)` pairs in any case; only `Content-Type` is read.
/// `received_at` (epoch seconds) is when the answer arrived; it makes `expires_at`.
pub(crate) fn classify_answer(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    received_at: Option<u64>,
) -> Result<TokenResponse, Error> {
    let members = read_answer(status, headers, body)?;
    let with_status = |reason: String| Error::Decode {
        reason,
        status: Some(status),
        http_meta: None,
    };
    match members {
        Ok(Some(map)) => token_from_members(map, received_at).map_err(|e| match e {
            Error::Decode { reason, .. } => with_status(reason),
            other => other,
        }),
        Ok(None) => Err(with_status("the body is empty".into())),
        Err(reason) => Err(with_status(reason)),
    }
}

/// Classifies one HTTP answer from a token endpoint exactly as a fetch does: the body cap,
/// then lenient parsing. `headers` are `(name, value)` pairs in any case; only
/// `Content-Type` is read. `received_at` (epoch seconds) is when the answer arrived; it makes
/// `expires_at`. Every language calls it `parse_response`, and the shared conformance vectors
/// run through it, so they test the very code a fetch runs. For a body alone, use
/// [`TokenResponse::from_json`].
pub fn parse_response(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    received_at: Option<u64>,
    max_response_bytes: u64,
) -> Result<TokenResponse, Error> {
    within_cap(status, body, max_response_bytes)?;
    classify_answer(status, headers, body, received_at)
}

/// Renamed [`parse_response`], the name every language uses.
#[deprecated(note = "use parse_response, the name every language uses")]
pub fn evaluate_response(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    received_at: Option<u64>,
    max_response_bytes: u64,
) -> Result<TokenResponse, Error> {
    parse_response(status, headers, body, received_at, max_response_bytes)
}

/// [`parse_response`] without the body cap. In the other languages `parse_token_response`
/// parses a body alone, so this name meant two things.
#[deprecated(
    note = "use parse_response (the same, with the body cap as a fetch applies it), or TokenResponse::from_json for a body alone"
)]
pub fn parse_token_response(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    received_at: Option<u64>,
) -> Result<TokenResponse, Error> {
    classify_answer(status, headers, body, received_at)
}

/// The body cap, which a fetch applies while reading and these entry points again, so that a
/// caller's own HTTP stack gets the same `response_too_large`.
fn within_cap(status: u16, body: &[u8], max_response_bytes: u64) -> Result<(), Error> {
    if body.len() as u64 > max_response_bytes {
        return Err(Error::ResponseTooLarge {
            limit: max_response_bytes,
            status: Some(status),
            http_meta: None,
        });
    }
    Ok(())
}

/// What every endpoint's answer goes through first: its members (by its content type, else
/// by its shape), an OAuth error body on any status (200 included) as an `oauth` error, and a
/// non-2xx status without one as `http_status`. What is left is a 2xx: its members, none (an
/// empty body), or why they could not be read.
fn read_answer(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<Result<Option<Members>, String>, Error> {
    let content_type = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| value.as_str());
    let members = read_members(body, content_type);
    if let Ok(Some(map)) = &members {
        if let Some(oauth) = oauth_error(map) {
            return Err(Error::OAuth {
                body: oauth,
                status,
                http_meta: None,
            });
        }
    }
    if !(200..300).contains(&status) {
        return Err(Error::HttpStatus {
            status,
            body_excerpt: excerpt(body),
            http_meta: None,
        });
    }
    Ok(members)
}

/// Classifies an answer from an endpoint other than the token endpoint (discovery,
/// introspection, revocation, device authorization) by the token endpoint's rules: an OAuth
/// error body on any status is an `oauth` error, another non-2xx status is `http_status`,
/// and a 2xx body that is not an object is `decode`. `Ok(None)` is a 2xx with an empty body.
pub(crate) fn parse_object_answer(
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    max_response_bytes: u64,
) -> Result<Option<Map<String, Value>>, Error> {
    within_cap(status, body, max_response_bytes)?;
    match read_answer(status, headers, body)? {
        Ok(Some(members)) => Ok(Some(members.into_map())),
        Ok(None) => Ok(None),
        Err(reason) => Err(Error::Decode {
            reason,
            status: Some(status),
            http_meta: None,
        }),
    }
}

/// Parses a body on its own, as `TokenResponse::from_json` does: treated as a 200 answer.
pub(crate) fn parse_token_body(body: &[u8], received_at: Option<u64>) -> Result<TokenResponse, Error> {
    classify_answer(200, &[], body, received_at).map_err(|e| match e {
        Error::Decode { reason, http_meta, .. } => Error::Decode {
            reason,
            status: None,
            http_meta,
        },
        other => other,
    })
}

/// The body's members: `Ok(None)` for an empty body, `Err(reason)` when it is neither a
/// JSON object nor form-encoded pairs.
fn read_members(body: &[u8], content_type: Option<&str>) -> Result<Option<Members>, String> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            return Err(format!(
                "the body is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ))
        }
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let form_typed = content_type.is_some_and(|ct| {
        ct.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if form_typed || (!trimmed.starts_with(['{', '[']) && looks_like_form(trimmed)) {
        return Ok(Some(Members::from_map(form_members(trimmed))));
    }
    // The common case, a JSON object, straight into Members. Anything else (another JSON
    // type, invalid JSON, a number beyond a double) takes the slower path below, which
    // explains what it found.
    if let Ok(members) = serde_json::from_str::<Members>(trimmed) {
        return Ok(Some(members));
    }
    let parsed = serde_json::from_str::<Value>(trimmed).or_else(|e| {
        // serde_json refuses a number beyond a double (`1e309`) and with it the whole body;
        // a token should not fail over a stray member, so such numbers become strings.
        match quote_huge_numbers(trimmed) {
            Some(rewritten) => serde_json::from_str::<Value>(&rewritten),
            None => Err(e),
        }
    });
    match parsed {
        Ok(Value::Object(map)) => Ok(Some(Members::from_map(map))),
        Ok(other) => Err(format!("the body is JSON {}, not an object", json_type(&other))),
        Err(e) if trimmed.starts_with('<') => Err(format!(
            "the body is HTML or XML, not JSON (content-type {}; {e})",
            content_type.unwrap_or("absent")
        )),
        Err(e) => Err(format!("the body is not valid JSON ({e})")),
    }
}

/// `text` with every number literal too large for an `f64` (`1e309`, `-1e400`) written as a
/// JSON string of the same text, or `None` when there is none. Strings are skipped whole, so
/// digits inside them are never touched.
fn quote_huge_numbers(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 16);
    let (mut i, mut copied, mut changed) = (0, 0, false);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                i += 1;
                while i < bytes.len() && matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    i += 1;
                }
                let literal = &text[start..i];
                if literal.parse::<f64>().is_ok_and(f64::is_infinite) {
                    out.push_str(&text[copied..start]);
                    out.push('"');
                    out.push_str(literal);
                    out.push('"');
                    copied = i;
                    changed = true;
                }
            }
            _ => i += 1,
        }
    }
    changed.then(|| {
        out.push_str(&text[copied.min(text.len())..]);
        out
    })
}

fn looks_like_form(text: &str) -> bool {
    !text.contains(char::is_whitespace)
        && text.split('&').all(|pair| {
            pair.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.%+".contains(&b))
            })
        })
}

fn form_members(text: &str) -> Map<String, Value> {
    form_urlencoded::parse(text.as_bytes())
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

/// A body's members, the ones a token is made of each in its own slot and the rest in a map.
///
/// Read straight from the JSON text, so a token answer costs no map of its known members:
/// no key is allocated, inserted and then removed again (make bench: parsing). Values are
/// still `serde_json::Value`s, read exactly as `Value` would read them; duplicate members
/// keep the last, as a `Value` map does.
#[derive(Default)]
struct Members {
    access_token: Option<Value>,
    token_type: Option<Value>,
    expires_in: Option<Value>,
    refresh_expires_in: Option<Value>,
    refresh_token: Option<Value>,
    id_token: Option<Value>,
    scope: Option<Value>,
    created_at: Option<Value>,
    expires_at: Option<Value>,
    /// Everything else, in the order `extra` keeps (a `Map`, sorted by name).
    rest: Map<String, Value>,
}

impl Members {
    const KNOWN: [&'static str; 9] = [
        "access_token",
        "token_type",
        "expires_in",
        "refresh_expires_in",
        "refresh_token",
        "id_token",
        "scope",
        "created_at",
        "expires_at",
    ];

    fn from_map(map: Map<String, Value>) -> Members {
        let mut members = Members::default();
        for (name, value) in map {
            members.insert(Cow::Owned(name), value);
        }
        members
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<Value>> {
        Some(match name {
            "access_token" => &mut self.access_token,
            "token_type" => &mut self.token_type,
            "expires_in" => &mut self.expires_in,
            "refresh_expires_in" => &mut self.refresh_expires_in,
            "refresh_token" => &mut self.refresh_token,
            "id_token" => &mut self.id_token,
            "scope" => &mut self.scope,
            "created_at" => &mut self.created_at,
            "expires_at" => &mut self.expires_at,
            _ => return None,
        })
    }

    fn insert(&mut self, name: Cow<'_, str>, value: Value) {
        match self.slot(&name) {
            Some(slot) => *slot = Some(value),
            None => {
                self.rest.insert(name.into_owned(), value);
            }
        }
    }

    /// Every member back in one map, for answers that are not token responses.
    fn into_map(self) -> Map<String, Value> {
        let mut map = self.rest;
        let slots = [
            ("access_token", self.access_token),
            ("token_type", self.token_type),
            ("expires_in", self.expires_in),
            ("refresh_expires_in", self.refresh_expires_in),
            ("refresh_token", self.refresh_token),
            ("id_token", self.id_token),
            ("scope", self.scope),
            ("created_at", self.created_at),
            ("expires_at", self.expires_at),
        ];
        for (name, value) in slots {
            if let Some(value) = value {
                map.insert(name.to_string(), value);
            }
        }
        map
    }

    /// A member that is not one of a token's own (the error shapes read these).
    fn other(&self, name: &str) -> Option<&Value> {
        debug_assert!(!Self::KNOWN.contains(&name));
        self.rest.get(name)
    }

    /// The names present, sorted, as a `Value` map would list them.
    fn names(&mut self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for name in Self::KNOWN {
            if self.slot(name).is_some_and(|slot| slot.is_some()) {
                names.push(name);
            }
        }
        names.extend(self.rest.keys().map(String::as_str));
        names.sort_unstable();
        names
    }
}

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Members, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Members, A::Error> {
                let mut members = Members::default();
                while let Some(MemberName(name)) = access.next_key()? {
                    let value: Value = access.next_value()?;
                    members.insert(name, value);
                }
                Ok(members)
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// A member's name, borrowed from the body unless it holds an escape.
struct MemberName<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for MemberName<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NameVisitor;
        impl<'de> Visitor<'de> for NameVisitor {
            type Value = MemberName<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Borrowed(name)))
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Owned(name.to_owned())))
            }
            fn visit_string<E: de::Error>(self, name: String) -> Result<Self::Value, E> {
                Ok(MemberName(Cow::Owned(name)))
            }
        }
        deserializer.deserialize_str(NameVisitor)
    }
}

/// Recognises the error shapes servers use, on any status.
fn oauth_error(map: &Members) -> Option<OAuthErrorBody> {
    let text = |v: Option<&Value>| -> Option<String> {
        match v? {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    match map.other("error") {
        // RFC 6749 §5.2
        Some(Value::String(code)) if !code.is_empty() => {
            return Some(OAuthErrorBody {
                error: code.clone(),
                error_description: text(map.other("error_description")),
                error_uri: text(map.other("error_uri")),
            })
        }
        // {"error": {"code": ..., "message": ...}} (Google-style and many API gateways)
        Some(Value::Object(inner)) => {
            let code = text(inner.get("code")).or_else(|| text(inner.get("status")))?;
            return Some(OAuthErrorBody {
                error: code,
                error_description: text(inner.get("message")),
                error_uri: None,
            });
        }
        _ => {}
    }
    // Prove: {"code": 1001, "message": "..."}
    if map.access_token.is_none() {
        if let (Some(code), Some(message)) = (text(map.other("code")), text(map.other("message"))) {
            return Some(OAuthErrorBody {
                error: code,
                error_description: Some(message),
                error_uri: None,
            });
        }
    }
    None
}

fn token_from_members(mut members: Members, received_at: Option<u64>) -> Result<TokenResponse, Error> {
    let access_token = match members.access_token.take() {
        None | Some(Value::Null) => {
            let present: Vec<&str> = members.names().into_iter().take(8).collect();
            return Err(Error::decode(format!(
                "missing field `access_token` (members present: {})",
                if present.is_empty() {
                    "none".to_string()
                } else {
                    present.join(", ")
                }
            )));
        }
        Some(Value::String(s)) if s.trim().is_empty() => return Err(Error::decode("field `access_token` is empty")),
        Some(Value::String(s)) => s,
        Some(other) => return Err(wrong_type("access_token", "a string", &other)),
    };
    let token_type = match members.token_type.take() {
        None | Some(Value::Null) => "Bearer".to_string(),
        Some(Value::String(s)) if s == "Bearer" => s,
        Some(Value::String(s)) if s.trim().is_empty() || s.trim().eq_ignore_ascii_case("bearer") => {
            "Bearer".to_string()
        }
        Some(Value::String(s)) => s.trim().to_string(),
        Some(other) => return Err(wrong_type("token_type", "a string", &other)),
    };
    let expires_in = lifetime(members.expires_in.take(), "expires_in")?;
    let refresh_expires_in = lifetime(members.refresh_expires_in.take(), "refresh_expires_in")?;
    let refresh_token = optional_string(members.refresh_token.take(), "refresh_token")?;
    let id_token = optional_string(members.id_token.take(), "id_token")?;
    let scope = scope(members.scope.take())?;
    let mut map = members.rest;
    let created_at = match members.created_at.take() {
        Some(raw) => match created_at(&raw) {
            Some(read) => read,
            None => {
                map.insert("created_at".into(), raw);
                None
            }
        },
        None => None,
    };
    let stated_expires_at = match members.expires_at.take() {
        Some(raw) => match epoch_seconds(Some(raw.clone()), "expires_at") {
            Ok(read) => read,
            Err(_) if expires_in.is_some() => {
                map.insert("expires_at".into(), raw);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let expires_at = match (received_at, expires_in) {
        (Some(at), Some(secs)) => Some(at.saturating_add(secs)),
        _ => stated_expires_at,
    };
    Ok(TokenResponse {
        access_token,
        token_type,
        expires_in,
        refresh_token,
        refresh_expires_in,
        id_token,
        scope,
        created_at,
        extra: map,
        expires_at,
        id_token_claims: None,
    })
}

pub(crate) fn lifetime(value: Option<Value>, field: &str) -> Result<Option<u64>, Error> {
    let seconds = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => {
            let trimmed = s.trim();
            if trimmed.is_empty() {
                return Ok(None);
            }
            match trimmed.parse::<f64>() {
                Ok(v) if is_decimal_literal(trimmed) => v,
                _ => {
                    let (shown, _) = redact::truncate(s.clone(), 32);
                    return Err(Error::decode(format!(
                        "field `{field}` must be a number of seconds, got the string {shown:?}"
                    )));
                }
            }
        }
        Some(other) => return Err(wrong_type(field, "a number of seconds", &other)),
    };
    Ok(Some(clamp_lifetime(seconds)))
}

/// Digits with an optional sign, fraction and exponent: what a JSON number looks like.
/// Rust's `f64` parser also takes `inf` and `NaN`, which no server means as a lifetime.
fn is_decimal_literal(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit()) && s.bytes().all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
}

fn clamp_lifetime(seconds: f64) -> u64 {
    if seconds.is_nan() || seconds <= 0.0 {
        0
    } else if seconds >= MAX_LIFETIME_SECS as f64 {
        MAX_LIFETIME_SECS
    } else {
        seconds.floor() as u64
    }
}

/// An absolute time in epoch seconds (a number or numeric string), for `expires_at`.
pub(crate) fn epoch_seconds(value: Option<Value>, field: &str) -> Result<Option<u64>, Error> {
    let seconds = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) if is_decimal_literal(s.trim()) => s.trim().parse::<f64>().ok(),
        Some(Value::String(_)) => None,
        Some(other) => return Err(wrong_type(field, "epoch seconds", &other)),
    };
    match seconds {
        Some(s) if s.is_finite() && s >= 0.0 && s < u64::MAX as f64 => Ok(Some(s.floor() as u64)),
        _ => Err(Error::decode(format!("field `{field}` must be epoch seconds"))),
    }
}

pub(crate) fn optional_string(value: Option<Value>, field: &str) -> Result<Option<String>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(field, "a string", &other)),
    }
}

pub(crate) fn scope(value: Option<Value>) -> Result<Option<String>, Error> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
            Ok((!joined.is_empty()).then_some(joined))
        }
        Some(Value::Array(items)) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(s) if !s.trim().is_empty() => parts.push(s.trim().to_string()),
                    Value::String(_) => {}
                    other => return Err(wrong_type("scope[]", "a string", &other)),
                }
            }
            Ok((!parts.is_empty()).then(|| parts.join(" ")))
        }
        Some(other) => Err(wrong_type("scope", "a string or an array of strings", &other)),
    }
}

/// `created_at` as RFC 3339: `Some(None)` for an absent or empty value, `None` when it
/// cannot be read (the caller keeps it in `extra`).
fn created_at(value: &Value) -> Option<Option<String>> {
    let epoch = match value {
        Value::Null => return Some(None),
        Value::String(s) if s.trim().is_empty() => return Some(None),
        Value::String(s) => {
            let trimmed = s.trim();
            if OffsetDateTime::parse(trimmed, &Rfc3339).is_ok() {
                return Some(Some(trimmed.to_string()));
            }
            // RFC 3339 §5.6 allows a space for the `T`, and servers use it.
            if trimmed.len() > 10 && trimmed.as_bytes()[10] == b' ' {
                let with_t = format!("{}T{}", &trimmed[..10], &trimmed[11..]);
                if OffsetDateTime::parse(&with_t, &Rfc3339).is_ok() {
                    return Some(Some(trimmed.to_string()));
                }
            }
            if !is_decimal_literal(trimmed) {
                return None;
            }
            trimmed.parse::<f64>().ok()?
        }
        Value::Number(n) => n.as_f64()?,
        _ => return None,
    };
    const MILLIS_FROM: f64 = 1e11;
    let seconds = if epoch >= MILLIS_FROM { epoch / 1000.0 } else { epoch };
    if !(0.0..253_402_300_800.0).contains(&seconds) {
        return None;
    }
    let formatted = OffsetDateTime::from_unix_timestamp(seconds.floor() as i64)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())?;
    Some(Some(formatted))
}

fn wrong_type(field: &str, expected: &str, got: &Value) -> Error {
    Error::decode(format!("field `{field}` must be {expected}, got {}", json_type(got)))
}

/// A JSON value's type, as a message names it ("got a string").
pub(crate) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The start of an unrecognised body, for a message: secret members redacted, one line.
fn excerpt(body: &[u8]) -> String {
    let (text, _) = redact::redact_body(body, &redact::Secrets::new());
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (mut cut, truncated) = redact::truncate(one_line, BODY_EXCERPT_LIMIT);
    if truncated {
        cut.push('…');
    }
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn ok(body: &str) -> TokenResponse {
        classify_answer(200, &[], body.as_bytes(), Some(1_000)).expect(body)
    }

    fn err(status: u16, body: &str) -> Error {
        classify_answer(status, &[], body.as_bytes(), None).expect_err(body)
    }

    #[test]
    fn expires_in_accepts_integer_float_and_numeric_string() {
        assert_eq!(ok(r#"{"access_token":"a","expires_in":3600}"#).expires_in, Some(3600));
        assert_eq!(ok(r#"{"access_token":"a","expires_in":3599.9}"#).expires_in, Some(3599));
        assert_eq!(ok(r#"{"access_token":"a","expires_in":"3600"}"#).expires_in, Some(3600));
        assert_eq!(
            ok(r#"{"access_token":"a","expires_in":"  3600 "}"#).expires_in,
            Some(3600)
        );
        assert_eq!(
            ok(r#"{"access_token":"a","refresh_expires_in":"7200"}"#).refresh_expires_in,
            Some(7200)
        );
    }

    #[test]
    fn member_names_are_read_through_their_escapes() {
        let t = ok(r#"{"access\u005ftoken":"a","expires\u005Fin":"60","n\u00e4me":1}"#);
        assert_eq!((t.access_token.as_str(), t.expires_in), ("a", Some(60)));
        assert_eq!(t.extra.get("näme"), Some(&serde_json::json!(1)));
    }

    #[test]
    fn a_missing_token_lists_the_members_present_in_name_order() {
        let e = err(
            200,
            r#"{"zeta":1,"scope":"s","access_token":null,"alpha":2,"expires_in":5}"#,
        );
        assert!(
            e.to_string()
                .contains("(members present: alpha, expires_in, scope, zeta)"),
            "{e}"
        );
    }

    #[test]
    fn the_typed_reader_and_the_map_reader_agree() {
        // The second body has a number beyond a double, so it is read through a map instead.
        let direct = ok(r#"{"access_token":"a","token_type":"bearer","scope":["x","y"],"created_at":0,"z":[1]}"#);
        let via_map =
            ok(r#"{"access_token":"a","token_type":"bearer","scope":["x","y"],"created_at":0,"z":[1],"big":1e400}"#);
        assert_eq!(direct.token_type, via_map.token_type);
        assert_eq!(direct.scope, via_map.scope);
        assert_eq!(direct.created_at, via_map.created_at);
        assert_eq!(via_map.extra.get("big"), Some(&serde_json::json!("1e400")));
        assert_eq!(direct.extra.get("z"), via_map.extra.get("z"));
    }

    #[test]
    fn expires_at_counts_from_the_receive_time() {
        assert_eq!(ok(r#"{"access_token":"a","expires_in":60}"#).expires_at, Some(1_060));
        assert_eq!(ok(r#"{"access_token":"a"}"#).expires_at, None);
    }

    #[test]
    fn absurd_lifetimes_are_clamped() {
        assert_eq!(ok(r#"{"access_token":"a","expires_in":-5}"#).expires_in, Some(0));
        assert_eq!(
            ok(r#"{"access_token":"a","expires_in":9007199254740992}"#).expires_in,
            Some(MAX_LIFETIME_SECS)
        );
        assert_eq!(
            ok(r#"{"access_token":"a","expires_in":1e300}"#).expires_in,
            Some(MAX_LIFETIME_SECS)
        );
    }

    #[test]
    fn a_lifetime_that_is_not_a_number_is_a_decode_error_naming_the_field() {
        let e = err(200, r#"{"access_token":"a","expires_in":"3600s"}"#);
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().contains("expires_in"), "{e}");
    }

    #[test]
    fn token_type_is_case_insensitive_and_defaults_to_bearer() {
        assert_eq!(ok(r#"{"access_token":"a","token_type":"bearer"}"#).token_type, "Bearer");
        assert_eq!(ok(r#"{"access_token":"a","token_type":"BEARER"}"#).token_type, "Bearer");
        assert_eq!(ok(r#"{"access_token":"a"}"#).token_type, "Bearer");
        assert_eq!(ok(r#"{"access_token":"a","token_type":"DPoP"}"#).token_type, "DPoP");
    }

    #[test]
    fn scope_may_be_a_string_or_an_array() {
        assert_eq!(
            ok(r#"{"access_token":"a","scope":"read  write"}"#).scope.as_deref(),
            Some("read write")
        );
        assert_eq!(
            ok(r#"{"access_token":"a","scope":["read","write"]}"#).scope.as_deref(),
            Some("read write")
        );
    }

    #[test]
    fn created_at_may_be_rfc3339_or_epoch_seconds() {
        assert_eq!(
            ok(r#"{"access_token":"a","created_at":1728518070}"#)
                .created_at
                .as_deref(),
            Some("2024-10-09T23:54:30Z")
        );
        assert_eq!(
            ok(r#"{"access_token":"a","created_at":"2024-10-09T23:54:30+02:00"}"#)
                .created_at
                .as_deref(),
            Some("2024-10-09T23:54:30+02:00")
        );
    }

    #[test]
    fn informational_fields_never_fail_a_fetch() {
        let t = ok(r#"{"access_token":"a","created_at":"yesterday"}"#);
        assert_eq!(
            (t.created_at, t.extra["created_at"].as_str()),
            (None, Some("yesterday"))
        );
        let t = ok(r#"{"access_token":"a","created_at":1728518070123}"#);
        assert_eq!(t.created_at.as_deref(), Some("2024-10-09T23:54:30Z"));
        let t = ok(r#"{"access_token":"a","created_at":"2024-10-09 23:54:30"}"#);
        assert_eq!(t.created_at, None);
        assert_eq!(t.extra["created_at"], "2024-10-09 23:54:30");
        let t = ok(r#"{"access_token":"a","created_at":"2024-10-09 23:54:30Z"}"#);
        assert_eq!(t.created_at.as_deref(), Some("2024-10-09 23:54:30Z"));
        let t = ok(r#"{"access_token":"a","created_at":-5}"#);
        assert_eq!(t.extra["created_at"], -5);
        let t = ok(r#"{"access_token":"a","expires_in":60,"expires_at":-1}"#);
        assert_eq!((t.expires_at, t.extra["expires_at"].as_i64()), (Some(1_060), Some(-1)));
        assert_eq!(
            err(200, r#"{"access_token":"a","expires_at":-1}"#).kind(),
            ErrorKind::Decode
        );
    }

    #[test]
    fn to_json_round_trips_through_from_json() {
        let t =
            ok(r#"{"access_token":"a","token_type":"bearer","expires_in":60,"scope":["x"],"tenant":"t1","n":{"k":1}}"#);
        let json = t.to_json();
        assert!(json.contains(r#""tenant":"t1""#), "extra is flat: {json}");
        assert_eq!(TokenResponse::from_json(&json).unwrap(), t);
        assert_eq!(serde_json::from_str::<TokenResponse>(&json).unwrap(), t);
    }

    #[test]
    fn unknown_members_are_kept_in_extra() {
        let t = ok(r#"{"access_token":"a","tenant":"t1","nested":{"k":[1,2]}}"#);
        assert_eq!(t.extra["tenant"], "t1");
        assert_eq!(t.extra["nested"]["k"][1], 2);
    }

    #[test]
    fn missing_access_token_names_the_field() {
        let e = err(200, r#"{"token_type":"bearer"}"#);
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().contains("access_token"), "{e}");
        assert_eq!(e.status(), Some(200));
    }

    #[test]
    fn oauth_errors_are_recognised_on_any_status() {
        for status in [200, 400, 401] {
            let e = err(status, r#"{"error":"invalid_grant","error_description":"expired"}"#);
            assert_eq!(e.kind(), ErrorKind::OAuth);
            assert_eq!(e.oauth_code(), Some("invalid_grant"));
            assert_eq!(e.status(), Some(status));
        }
    }

    #[test]
    fn prove_errors_map_to_oauth() {
        let e = err(400, r#"{"code":1001,"message":"invalid client"}"#);
        assert_eq!(e.oauth_code(), Some("1001"));
        assert_eq!(e.oauth().unwrap().error_description.as_deref(), Some("invalid client"));
    }

    #[test]
    fn html_and_empty_5xx_are_http_status() {
        let e = err(502, "<html><body>Bad Gateway</body></html>");
        assert_eq!((e.kind(), e.status()), (ErrorKind::HttpStatus, Some(502)));
        assert!(e.to_string().contains("Bad Gateway"));
        assert_eq!(err(503, "").kind(), ErrorKind::HttpStatus);
    }

    #[test]
    fn html_on_200_is_a_decode_error() {
        let e = err(200, "<html>login</html>");
        assert_eq!(e.kind(), ErrorKind::Decode);
        assert!(e.to_string().contains("HTML"), "{e}");
    }

    #[test]
    fn form_encoded_replies_are_read() {
        let t = ok("access_token=abc&token_type=bearer&scope=repo%2Cgist&expires_in=28800");
        assert_eq!(
            (t.access_token.as_str(), t.token_type.as_str(), t.expires_in),
            ("abc", "Bearer", Some(28800))
        );
        assert_eq!(
            err(200, "error=bad_verification_code&error_description=The+code+is+wrong").oauth_code(),
            Some("bad_verification_code")
        );
    }

    #[test]
    fn numbers_beyond_a_double_do_not_fail_the_token() {
        let t = ok(r#"{"access_token":"a","expires_in":1e309,"big":-1e400,"s":"1e309","n":{"x":[2e308]}}"#);
        assert_eq!(t.expires_in, Some(MAX_LIFETIME_SECS));
        assert_eq!(t.extra["big"], "-1e400");
        assert_eq!(t.extra["s"], "1e309");
        assert_eq!(t.extra["n"]["x"][0], "2e308");
        assert_eq!(quote_huge_numbers(r#"{"a":"\"1e309","b":1.5e3}"#), None);
    }

    #[test]
    fn non_utf8_bodies_are_decode_errors() {
        let e = classify_answer(200, &[], b"{\"access_token\":\"\xff\"}", None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
    }

    #[test]
    fn error_excerpts_do_not_leak_token_members() {
        let e = err(500, r#"{"access_token":"LEAKED-TOKEN","detail":"oops"}"#);
        assert!(!e.to_string().contains("LEAKED-TOKEN"), "{e}");
    }
}
