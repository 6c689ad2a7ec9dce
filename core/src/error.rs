//! One error type with a stable `kind`, the same strings in every language.

use std::fmt;
use std::time::Duration;

use crate::model::HttpMetadata;
use crate::redact::Secrets;

/// The stable classification of an [`Error`]. `as_str()` gives the contract's strings,
/// which every binding exposes unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The server answered with an OAuth error body, on any status (200 included).
    OAuth,
    /// A non-2xx status with no recognisable error body.
    HttpStatus,
    /// A 2xx answer that is not a usable token response.
    Decode,
    /// The body was larger than the configured cap.
    ResponseTooLarge,
    /// The connect or overall deadline passed.
    Timeout,
    /// DNS, connect, TLS or a broken connection.
    Transport,
    /// The client was configured wrongly; the message says what to fix.
    Config,
    /// The caller cancelled the call (a device flow poll) before it finished.
    Cancelled,
    /// An OpenID Connect ID token failed validation; [`Error::id_token_check`] says which check.
    IdToken,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::OAuth,
        ErrorKind::HttpStatus,
        ErrorKind::Decode,
        ErrorKind::ResponseTooLarge,
        ErrorKind::Timeout,
        ErrorKind::Transport,
        ErrorKind::Config,
        ErrorKind::Cancelled,
        ErrorKind::IdToken,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::OAuth => "oauth",
            ErrorKind::HttpStatus => "http_status",
            ErrorKind::Decode => "decode",
            ErrorKind::ResponseTooLarge => "response_too_large",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Config => "config",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::IdToken => "id_token",
        }
    }
}

impl ErrorKind {
    /// What the caller should do next, as `language` names the options and the accessor it
    /// mentions: every binding's error docs and the guides' error tables show this text.
    pub fn advice(self, language: crate::options::table::Language) -> String {
        let option = |name: &str| format!("`{}`", language.spell(name, false));
        let duration = |name: &str| format!("`{}`", language.spell(name, true));
        let oauth_code = format!("`{}`", language.spell("oauth_code", false));
        match self {
            ErrorKind::OAuth => format!(
                "The server refused the request; {oauth_code} says why (RFC 6749 §5.2). \
                 `invalid_client` or `unauthorized_client`: fix the client's credentials. \
                 `invalid_grant`: the code, password or refresh token is spent or wrong, so ask \
                 the user to sign in again. `invalid_scope`: ask for less. \
                 `temporarily_unavailable` or `slow_down`: retry later."
            ),
            ErrorKind::HttpStatus => "The server answered an HTTP error without an OAuth error body. \
                 A 404, 405 or a redirect: check the token URL. A 5xx: the server's fault, retry later."
                .into(),
            ErrorKind::Decode => "The server's success answer is not a usable token response (no \
                 `access_token`, not JSON or form data): check that the token URL is the token \
                 endpoint. Retrying will not help."
                .into(),
            ErrorKind::ResponseTooLarge => format!(
                "The answer was larger than {}: check the token URL, or raise the cap if the \
                 server's tokens really are that large.",
                option("max_response_bytes")
            ),
            ErrorKind::Timeout => format!(
                "The server did not answer in time: retry later, or raise {} (or {}) for a slow server.",
                duration("timeout"),
                duration("connect_timeout")
            ),
            ErrorKind::Transport => "The server could not be reached (DNS, connection, TLS): check the \
                 host name, the network and the certificates it needs, then retry later."
                .into(),
            ErrorKind::Config => "The configuration or an argument is wrong; the message names it and \
                 says what to fix. Retrying will not help."
                .into(),
            ErrorKind::Cancelled => "The call was stopped through its cancel token before it finished \
                 (a device flow's poll): nothing to retry unless the cancellation was not yours."
                .into(),
            ErrorKind::IdToken => format!(
                "The server's ID token failed a check ({} names it), so the sign-in must not be \
                 trusted: start it again. `signature`, `kid` or `alg` after the provider rotated \
                 its keys or changed its algorithm: check its JWKS. `exp` or `iat`: check this \
                 machine's clock, or raise {}. `nonce` or `aud`: the token was made for another \
                 sign-in or client.",
                option("id_token_check"),
                duration("clock_skew")
            ),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which deadline a [`Error::Timeout`] hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deadline {
    /// Establishing the TCP (and TLS) connection.
    Connect,
    /// The whole call, retries and waits included.
    Overall,
}

impl Deadline {
    pub fn as_str(self) -> &'static str {
        match self {
            Deadline::Connect => "connect",
            Deadline::Overall => "overall",
        }
    }
}

/// An OAuth error body: RFC 6749 §5.2, or a provider's own shape mapped onto it
/// (Prove's `{"code": 1001, "message": "..."}` becomes `error: "1001"`, `description: message`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthErrorBody {
    pub error: String,
    pub error_description: Option<String>,
    pub error_uri: Option<String>,
}

/// Everything that can go wrong fetching or parsing a token.
///
/// Messages never contain a secret: server-provided text is scrubbed of every credential the
/// request used before it is stored here.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{}", oauth_message(.body, *.status))]
    OAuth {
        body: OAuthErrorBody,
        status: u16,
        http_meta: Option<Box<HttpMetadata>>,
    },
    #[error("token endpoint answered HTTP {status} without an OAuth error body{}", excerpt_suffix(.body_excerpt))]
    HttpStatus {
        status: u16,
        body_excerpt: String,
        http_meta: Option<Box<HttpMetadata>>,
    },
    #[error("not a usable token response: {reason}")]
    Decode {
        reason: String,
        status: Option<u16>,
        http_meta: Option<Box<HttpMetadata>>,
    },
    #[error("token response body is larger than the {limit}-byte limit (raise max_response_bytes if this server is trusted)")]
    ResponseTooLarge {
        limit: u64,
        status: Option<u16>,
        http_meta: Option<Box<HttpMetadata>>,
    },
    #[error("{} timeout after {} ms", .deadline.as_str(), .after.as_millis())]
    Timeout {
        deadline: Deadline,
        after: Duration,
        http_meta: Option<Box<HttpMetadata>>,
    },
    #[error("transport error: {message}")]
    Transport {
        message: String,
        http_meta: Option<Box<HttpMetadata>>,
    },
    #[error("invalid configuration: {message}")]
    Config { message: String },
    #[error("cancelled: {message}")]
    Cancelled { message: String },
    #[error("ID token refused ({check}): {message}")]
    IdToken {
        check: crate::id_token::IdTokenCheck,
        message: String,
        http_meta: Option<Box<HttpMetadata>>,
    },
}

fn oauth_message(body: &OAuthErrorBody, status: u16) -> String {
    let mut msg = match status {
        NO_HTTP_STATUS => format!("OAuth error \"{}\"", body.error),
        _ => format!("OAuth error \"{}\" (HTTP {status})", body.error),
    };
    if let Some(desc) = &body.error_description {
        msg.push_str(": ");
        msg.push_str(desc);
    }
    msg
}

fn excerpt_suffix(excerpt: &str) -> String {
    if excerpt.is_empty() {
        " (empty body)".to_string()
    } else {
        format!(": {excerpt}")
    }
}

/// The `status` of an [`Error::OAuth`] that did not come as an HTTP answer: one in an
/// authorization callback, or a device code that expired while its poll waited.
/// [`Error::status`] gives `None` for it.
pub const NO_HTTP_STATUS: u16 = 0;

/// How much of an unrecognised error body goes into an [`Error::HttpStatus`] message.
pub(crate) const BODY_EXCERPT_LIMIT: usize = 200;

impl Error {
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    pub(crate) fn decode(reason: impl Into<String>) -> Self {
        Error::Decode {
            reason: reason.into(),
            status: None,
            http_meta: None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::OAuth { .. } => ErrorKind::OAuth,
            Error::HttpStatus { .. } => ErrorKind::HttpStatus,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::ResponseTooLarge { .. } => ErrorKind::ResponseTooLarge,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Config { .. } => ErrorKind::Config,
            Error::Cancelled { .. } => ErrorKind::Cancelled,
            Error::IdToken { .. } => ErrorKind::IdToken,
        }
    }

    /// The HTTP status of the answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::OAuth { status, .. } if *status == NO_HTTP_STATUS => None,
            Error::OAuth { status, .. } | Error::HttpStatus { status, .. } => Some(*status),
            Error::Decode { status, .. } | Error::ResponseTooLarge { status, .. } => *status,
            _ => self.http_meta().and_then(|m| m.response.as_ref()).map(|r| r.status),
        }
    }

    /// The OAuth error body, for [`ErrorKind::OAuth`].
    pub fn oauth(&self) -> Option<&OAuthErrorBody> {
        match self {
            Error::OAuth { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The OAuth `error` code (`invalid_grant`, `"1001"`, ...), for [`ErrorKind::OAuth`].
    pub fn oauth_code(&self) -> Option<&str> {
        self.oauth().map(|b| b.error.as_str())
    }

    /// Which check an ID token failed, for [`ErrorKind::IdToken`].
    pub fn id_token_check(&self) -> Option<crate::id_token::IdTokenCheck> {
        match self {
            Error::IdToken { check, .. } => Some(*check),
            _ => None,
        }
    }

    /// The HTTP exchange that produced this error, when a request was sent.
    pub fn http_meta(&self) -> Option<&HttpMetadata> {
        match self {
            Error::OAuth { http_meta, .. }
            | Error::HttpStatus { http_meta, .. }
            | Error::Decode { http_meta, .. }
            | Error::ResponseTooLarge { http_meta, .. }
            | Error::Timeout { http_meta, .. }
            | Error::Transport { http_meta, .. }
            | Error::IdToken { http_meta, .. } => http_meta.as_deref(),
            Error::Config { .. } | Error::Cancelled { .. } => None,
        }
    }

    /// True for errors worth retrying: transport failures, and statuses 5xx and 429.
    /// OAuth 4xx answers are final: repeating the same request gets the same answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } => true,
            Error::Timeout { deadline, .. } => *deadline == Deadline::Connect,
            Error::OAuth { status, .. } | Error::HttpStatus { status, .. } => is_retryable_status(*status),
            _ => false,
        }
    }

    pub(crate) fn with_meta(mut self, meta: HttpMetadata) -> Self {
        let slot = match &mut self {
            Error::OAuth { http_meta, .. }
            | Error::HttpStatus { http_meta, .. }
            | Error::Decode { http_meta, .. }
            | Error::ResponseTooLarge { http_meta, .. }
            | Error::Timeout { http_meta, .. }
            | Error::Transport { http_meta, .. }
            | Error::IdToken { http_meta, .. } => http_meta,
            Error::Config { .. } | Error::Cancelled { .. } => return self,
        };
        *slot = Some(Box::new(meta));
        self
    }

    /// Removes every given secret, in every encoding, from text the server supplied.
    pub(crate) fn scrubbed(mut self, secrets: &Secrets) -> Self {
        match &mut self {
            Error::OAuth { body, .. } => {
                body.error = secrets.scrub(&body.error);
                if let Some(d) = body.error_description.as_mut() {
                    *d = secrets.scrub(d);
                }
                if let Some(u) = body.error_uri.as_mut() {
                    *u = secrets.scrub(u);
                }
            }
            Error::HttpStatus { body_excerpt, .. } => *body_excerpt = secrets.scrub_cut(body_excerpt),
            Error::Decode { reason, .. } => *reason = secrets.scrub(reason),
            Error::Transport { message, .. } => *message = secrets.scrub(message),
            _ => {}
        }
        self
    }
}

/// Runs `f`, turning a panic into a `transport` error instead of letting it unwind.
///
/// The core is written not to panic (options are range-checked, arithmetic saturates); this
/// is the last resort every binding puts around each call into the core, because a panic
/// that reaches Python, Node or the JVM is not a typed tokenfetch error (and in Node it
/// aborts the process).
#[doc(hidden)]
pub fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(result) => result,
        // The panic's own message is dropped: Rust's messages can quote the data they were
        // handling (a string slice's contents, say), which may be a secret.
        Err(_) => Err(Error::Transport {
            message: "internal error in tokenfetch: a panic was caught before it crossed into \
                      the calling language; please report it"
                .into(),
            http_meta: None,
        }),
    }
}

pub(crate) fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status) && status != 501 && status != 505
}

/// `Result` with tokenfetch's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caught_panic_is_a_transport_error_without_the_panic_message() {
        let result: Result<()> = catch_panic(|| panic!("secret-in-panic-message"));
        let e = result.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Transport);
        assert!(!e.to_string().contains("secret-in-panic-message"), "{e}");
    }
}
