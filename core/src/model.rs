//! The token models every language shares.
//!
//! Field names follow the documented seed models (`V3TokenResponse`, `PostTokenResponse`,
//! `Authentication`, `V3TokenRequestResponse`, `HTTPMetadata`). Each binding renames them
//! to its own convention; the values and their meaning are decided here, once.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::parse;
use crate::redact::view::{debug_through_redacted_view, Redacted, RedactedView};
use crate::redact::REDACTED;
use crate::Error;

/// A successful token response (RFC 6749 §5.1), normalised from whatever the server sent.
///
/// Its debug and string forms (`Debug`, `repr`, `util.inspect`, `toString`) and its serde
/// `Serialize` show every field but the tokens, which appear as `[redacted]`, so a token
/// response (or a [`TokenRequestResponse`]) can be logged. [`TokenResponse::to_json`] is the
/// explicit way to get the tokens as JSON, for storage the caller controls.
#[derive(Clone, PartialEq, Deserialize)]
pub struct TokenResponse {
    /// The access token. Secret: no debug output, string form or error message shows it.
    pub access_token: String,
    /// The token type. Any casing of `bearer` is normalised to `"Bearer"`; absent means `"Bearer"`.
    pub token_type: String,
    /// Lifetime in whole seconds. Servers may send an integer, a float (rounded down) or a
    /// numeric string such as `"3600"`; a negative value becomes 0 and one over ten years is
    /// clamped to ten years. Anything else (`"3600s"`) is a `decode` error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Refresh token, when the server issued one (an empty string counts as none). Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Lifetime of the refresh token in whole seconds, read as leniently as `expires_in`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_in: Option<u64>,
    /// OpenID Connect ID token (an empty string counts as none). Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    /// Granted scopes, space-delimited (a JSON array from the server is joined with spaces).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// When the server says it created the token, as RFC 3339 (epoch seconds are converted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Every other member of the response, as the server sent it, so nothing is lost. Written
    /// back beside the fields when the token is stored as JSON.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// Absolute expiry in epoch seconds: the time the response was received plus `expires_in`.
    /// A body parsed without a receive time has none, unless it carries an `expires_at` member
    /// (as a stored token's JSON does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The claims of `id_token`, once validated against the issuer's keys and this client
    /// (see [`crate::id_token`]). `None` when there is no ID token, or the client does not
    /// validate them (no issuer, JWKS or client id). Not part of `to_json`, so a token from a
    /// store or `from_json` has none, since nothing checked it there; a binding's own copy of
    /// a response (a pickle, a Kotlin value) keeps the claims it was given.
    #[serde(skip)]
    pub id_token_claims: Option<crate::id_token::IdTokenClaims>,
}

impl TokenResponse {
    /// Parses a token response body (JSON or form-encoded), with the same leniency as a fetch.
    ///
    /// An OAuth error body (`{"error": ...}`) gives an [`ErrorKind::OAuth`](crate::ErrorKind)
    /// error; a body without `access_token` gives a `decode` error naming the field.
    /// `expires_at` stays `None`: without a receive time there is nothing to count from.
    pub fn from_json(body: &str) -> Result<TokenResponse, Error> {
        parse::parse_token_body(body.as_bytes(), None)
    }

    /// The value for an `Authorization` header: `"Bearer <access_token>"`.
    ///
    /// Bearer tokens always use the canonical `Bearer` scheme; any other token type
    /// (`DPoP`, `MAC`, ...) is passed through as the server named it.
    pub fn authorization_header(&self) -> String {
        format!("{} {}", self.token_type, self.access_token)
    }

    /// True when the token type is Bearer (compared case-insensitively, RFC 6750 §4).
    pub fn is_bearer(&self) -> bool {
        self.token_type.eq_ignore_ascii_case("bearer")
    }

    /// The granted scopes as separate values.
    pub fn scopes(&self) -> Vec<&str> {
        self.scope
            .as_deref()
            .map(|s| s.split_whitespace().collect())
            .unwrap_or_default()
    }

    /// The response as JSON in wire names (`access_token`, ..., the `extra` members beside
    /// them, and `expires_at`); `from_json` reads it back to an equal value. Contains the
    /// secrets: this is for storage the caller controls, not for logs.
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.wire(false)).unwrap_or_default()
    }

    /// [`Self::to_json`] as a JSON value, tokens included.
    pub fn to_json_value(&self) -> Value {
        serde_json::to_value(self.wire(false)).unwrap_or(Value::Null)
    }

    fn wire(&self, redact: bool) -> Wire<'_> {
        let secret = |value: &'_ str| {
            if redact {
                REDACTED.to_string()
            } else {
                value.to_string()
            }
        };
        Wire {
            access_token: secret(&self.access_token),
            token_type: &self.token_type,
            expires_in: self.expires_in,
            refresh_token: self.refresh_token.as_deref().map(secret),
            refresh_expires_in: self.refresh_expires_in,
            id_token: self.id_token.as_deref().map(secret),
            scope: self.scope.as_deref(),
            created_at: self.created_at.as_deref(),
            extra: if redact {
                crate::redact::redact_json_map(&self.extra)
            } else {
                self.extra.clone()
            },
            expires_at: self.expires_at,
        }
    }
}

/// The wire form of a [`TokenResponse`]: `to_json` writes it with the tokens, `Serialize`
/// with them redacted.
#[derive(Serialize)]
struct Wire<'a> {
    access_token: String,
    token_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_expires_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<&'a str>,
    #[serde(flatten)]
    extra: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
}

/// Writes the response with its tokens (and secret `extra` members) as `[redacted]`, so a
/// serialised [`TokenRequestResponse`] is as safe to log as its `Debug` form.
impl Serialize for TokenResponse {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.wire(true).serialize(serializer)
    }
}

impl Redacted for TokenResponse {
    fn redacted_view(&self) -> RedactedView {
        let view = RedactedView::new("TokenResponse")
            .secret("access_token", true)
            .show("token_type", self.token_type.as_str())
            .show("expires_in", self.expires_in)
            .secret("refresh_token", self.refresh_token.is_some())
            .show("refresh_expires_in", self.refresh_expires_in)
            .secret("id_token", self.id_token.is_some())
            .show("scope", self.scope.as_deref())
            .show("created_at", self.created_at.as_deref())
            .show("expires_at", self.expires_at)
            .members("extra", &self.extra);
        match &self.id_token_claims {
            Some(claims) => view.nested("id_token_claims", Some(claims.redacted_view())),
            None => view,
        }
    }
}

debug_through_redacted_view!(TokenResponse);

impl fmt::Display for TokenResponse {
    /// A one-line summary for logs: type, lifetime and scope, never the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} token", self.token_type)?;
        if let Some(s) = self.expires_in {
            write!(f, ", expires in {s}s")?;
        }
        if let Some(scope) = &self.scope {
            write!(f, ", scope \"{scope}\"")?;
        }
        if self.refresh_token.is_some() {
            f.write_str(", with refresh token")?;
        }
        Ok(())
    }
}

/// The claims of a validated ID token (OIDC Core §2, §5.1). The protocol claims have fields;
/// every other claim (profile claims such as `name` and `email`, a provider's own) is in
/// `extra` as the provider sent it.
#[derive(Clone, PartialEq, Eq)]
pub struct IdTokenClaims {
    /// The issuer.
    pub iss: String,
    /// The user's identifier at the issuer: with `iss`, the only stable key for a user.
    pub sub: String,
    /// The audiences; a single string from the provider becomes a list of one.
    pub aud: Vec<String>,
    /// Expiry, epoch seconds.
    pub exp: u64,
    /// Issued at, epoch seconds.
    pub iat: u64,
    /// When the user authenticated, epoch seconds.
    pub auth_time: Option<u64>,
    /// The nonce of the authorization request the token answers.
    pub nonce: Option<String>,
    /// Authentication context class.
    pub acr: Option<String>,
    /// Authentication methods (`pwd`, `mfa`, ...).
    pub amr: Vec<String>,
    /// Authorized party.
    pub azp: Option<String>,
    /// Session id (OIDC Front-Channel Logout).
    pub sid: Option<String>,
    /// Every other claim (profile claims such as `name` and `email`, a provider's own), as the
    /// provider sent it.
    pub extra: Map<String, Value>,
}

/// One token request, as sent and as answered (the seeds' `V3TokenRequestResponse`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenRequestResponse {
    /// What was sent and what came back, with credentials redacted.
    pub http_meta: HttpMetadata,
    /// The parsed token. Every successful request has one (a failed request is an error
    /// instead); it is optional because the seed model declares it so.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "v3_token_response")]
    pub token_response: Option<TokenResponse>,
}

impl TokenRequestResponse {
    /// The seeds' name for [`Self::token_response`].
    pub fn v3_token_response(&self) -> Option<&TokenResponse> {
        self.token_response.as_ref()
    }
}

/// The HTTP exchange behind a token request, safe to log.
///
/// Credentials are redacted before they get here: the `Authorization` header, and the values
/// of secret members (`access_token`, `refresh_token`, `id_token`, ...) in the response body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpMetadata {
    /// The request as sent.
    pub request: HttpRequestMeta,
    /// The response as received; absent when none arrived (connection refused, timeout before
    /// headers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<HttpResponseMeta>,
}

/// The request as sent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpRequestMeta {
    /// The HTTP method: always `POST` for a token request.
    pub method: String,
    /// The token endpoint URL.
    pub url: String,
    /// Header names in lower case; credentials shown as `[redacted]`.
    pub headers: BTreeMap<String, String>,
}

/// The response as received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpResponseMeta {
    /// The HTTP status code.
    pub status: u16,
    /// Header names in lower case; repeated headers joined with `", "`.
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced), secret members redacted, at most 64 KiB.
    pub body: String,
    /// True when `body` was cut to the limit.
    pub body_truncated: bool,
    /// From sending the request to having read the whole body, in milliseconds.
    pub elapsed_ms: u64,
}

// The seeds' names for the same models (`docs/models/` has a page for each).

/// Prove's name for a token response (`POST /token`, v3 API). Prove's Go model documents
/// `access_token`, `expires_in` and `token_type` as required, and `refresh_token` and
/// `refresh_expires_in` as optional.
pub type V3TokenResponse = TokenResponse;
/// Gusto's name for a token response (`POST /oauth/token`). Gusto documents `expires_in` as a
/// string and `token_type` as an enum; here `expires_in` is parsed to whole seconds and any
/// casing of `bearer` becomes `"Bearer"`.
pub type PostTokenResponse = TokenResponse;
/// Gusto's other name for a token response, with `created_at` and `scope`. Gusto documents
/// `expires_in` as a floating-point number; here it is whole seconds (rounded down).
pub type Authentication = TokenResponse;
/// Prove's name for one token request with its HTTP metadata; `v3_token_response` is another
/// name for `token_response`.
pub type V3TokenRequestResponse = TokenRequestResponse;
/// Prove's name for the HTTP exchange behind a request.
pub type HTTPMetadata = HttpMetadata;
