//! Core errors on their way to Kotlin: one uniffi error carrying the structured error, which
//! `Errors.kt` turns into the public sealed `TokenFetchException` hierarchy.

use crate::model::HttpMetadata;

/// The contract's error kinds, as a closed set: `Errors.kt` maps each to its exception class
/// with an exhaustive `when`, so a new kind cannot silently become another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ErrorKind {
    Oauth,
    HttpStatus,
    Decode,
    ResponseTooLarge,
    Timeout,
    Transport,
    Config,
    Cancelled,
    IdToken,
}

impl From<tokenfetch::ErrorKind> for ErrorKind {
    fn from(kind: tokenfetch::ErrorKind) -> Self {
        match kind {
            tokenfetch::ErrorKind::OAuth => ErrorKind::Oauth,
            tokenfetch::ErrorKind::HttpStatus => ErrorKind::HttpStatus,
            tokenfetch::ErrorKind::Decode => ErrorKind::Decode,
            tokenfetch::ErrorKind::ResponseTooLarge => ErrorKind::ResponseTooLarge,
            tokenfetch::ErrorKind::Timeout => ErrorKind::Timeout,
            tokenfetch::ErrorKind::Transport => ErrorKind::Transport,
            tokenfetch::ErrorKind::Config => ErrorKind::Config,
            tokenfetch::ErrorKind::Cancelled => ErrorKind::Cancelled,
            tokenfetch::ErrorKind::IdToken => ErrorKind::IdToken,
        }
    }
}

/// The structured form of a core error. (`summary`, not `message`: a field named `message`
/// would clash with `Throwable.message` in the generated Kotlin.)
#[derive(Debug, Clone, uniffi::Record)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    /// The contract's string for `kind` (oauth, http_status, decode, response_too_large,
    /// timeout, transport, config, cancelled, id_token).
    pub kind_name: String,
    /// The core's message; never contains a secret.
    pub summary: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    pub error_uri: Option<String>,
    pub http_meta: Option<HttpMetadata>,
    /// Which check an ID token failed, for `IdToken`.
    pub id_token_check: Option<String>,
}

#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum NativeError {
    #[error("{}", info.summary)]
    Failed { info: ErrorInfo },
}

impl From<&tokenfetch::Error> for ErrorInfo {
    fn from(e: &tokenfetch::Error) -> Self {
        let oauth = e.oauth();
        ErrorInfo {
            kind: e.kind().into(),
            kind_name: e.kind().as_str().to_string(),
            summary: e.to_string(),
            status: e.status(),
            error: oauth.map(|o| o.error.clone()),
            error_description: oauth.and_then(|o| o.error_description.clone()),
            error_uri: oauth.and_then(|o| o.error_uri.clone()),
            http_meta: e.http_meta().map(HttpMetadata::from),
            id_token_check: e.id_token_check().map(|c| c.as_str().to_string()),
        }
    }
}

impl From<tokenfetch::Error> for NativeError {
    fn from(e: tokenfetch::Error) -> Self {
        NativeError::Failed {
            info: ErrorInfo::from(&e),
        }
    }
}
