//! Whatever a server sends, the parser answers with a token or a typed error: it never
//! panics, and a token it returns always has a non-empty access token and a lifetime within
//! ten years.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tokenfetch::parse::MAX_LIFETIME_SECS;

#[derive(Arbitrary, Debug)]
struct Answer<'a> {
    status: u16,
    content_type: ContentType,
    body: &'a [u8],
    received_at: Option<u64>,
    max_response_bytes: u64,
}

#[derive(Arbitrary, Debug)]
enum ContentType {
    None,
    Json,
    Form,
    Html,
    Other(String),
}

fuzz_target!(|answer: Answer<'_>| {
    let content_type = match answer.content_type {
        ContentType::None => None,
        ContentType::Json => Some("application/json; charset=utf-8".to_string()),
        ContentType::Form => Some("application/x-www-form-urlencoded".to_string()),
        ContentType::Html => Some("text/html".to_string()),
        ContentType::Other(s) => Some(s),
    };
    let headers: Vec<(String, String)> = content_type
        .map(|ct| ("Content-Type".to_string(), ct))
        .into_iter()
        .collect();
    let limit = answer.max_response_bytes.max(1);
    match tokenfetch::parse_response(answer.status, &headers, answer.body, answer.received_at, limit) {
        Ok(token) => {
            assert!(!token.access_token.trim().is_empty());
            assert!(token.expires_in.is_none_or(|s| s <= MAX_LIFETIME_SECS));
            // Every output of a token is safe to build.
            let _ = (format!("{token:?}"), token.to_string(), token.to_json());
            let again = tokenfetch::TokenResponse::from_json(&token.to_json()).expect("to_json reads back");
            assert_eq!(again.access_token, token.access_token);
        }
        Err(e) => {
            let _ = (e.kind(), e.to_string(), format!("{e:?}"));
        }
    }
    if let Ok(text) = std::str::from_utf8(answer.body) {
        let _ = tokenfetch::TokenResponse::from_json(text);
    }
});
