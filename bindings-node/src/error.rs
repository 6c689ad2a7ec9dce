//! Core errors on their way to JavaScript.
//!
//! napi errors carry only a message, so the structured error (kind, status, OAuth fields,
//! HTTP metadata) travels as JSON behind a marker; `lib/errors.js` turns it into a
//! `TokenFetchError` subclass. This is the one place that encoding is written.

use napi::Status;
use serde_json::json;
use tokenfetch::Error;

/// Must match `MARKER` in `lib/errors.js`.
pub const MARKER: &str = "\u{1}tokenfetch:";

/// The structured form of an error, as `lib/errors.js` reads it.
pub fn payload(error: &Error) -> serde_json::Value {
    let oauth = error.oauth();
    json!({
        "kind": error.kind().as_str(),
        "message": error.to_string(),
        "status": error.status(),
        "code": oauth.map(|o| o.error.clone()),
        "errorDescription": oauth.and_then(|o| o.error_description.clone()),
        "errorUri": oauth.and_then(|o| o.error_uri.clone()),
        "httpMeta": error.http_meta().map(crate::model::http_meta_json),
        "idTokenCheck": error.id_token_check().map(|c| c.as_str()),
    })
}

pub fn to_napi(error: Error) -> napi::Error {
    napi::Error::new(Status::GenericFailure, format!("{MARKER}{}", payload(&error)))
}
