//! `TokenClient`: one configured token endpoint.
//!
//! - [`builder`]: `TokenClientBuilder`, the checked configuration, URL rules.
//! - [`encode`]: a grant turned into a request (client authentication, form or JSON body) and
//!   the metadata that may be shown of it.
//! - [`send`]: the attempt loop, and the rule for when a request is retried.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::grant::TokenRequest;
use crate::model::TokenResponse;
use crate::secret::Secret;
use crate::transport::Transport;

pub mod builder;
mod discover;
mod encode;
mod endpoints;
mod id_tokens;
mod send;

use builder::Config;
pub use builder::{TokenClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};

/// How the client proves its identity to the token endpoint (RFC 6749 §2.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMethod {
    /// HTTP Basic with the id and secret form-urlencoded first (RFC 6749 §2.3.1).
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the request body.
    ClientSecretPost,
    /// A public client: `client_id` in the body, no secret.
    None,
    /// A JWT signed with the client's private key (RFC 7523 §2.2, OIDC Core §9), or one
    /// made elsewhere and read from a file or callback (workload identity).
    PrivateKeyJwt,
    /// A JWT signed with the client secret (HS256, OIDC Core §9); the secret never travels.
    ClientSecretJwt,
}

impl AuthMethod {
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::ClientSecretJwt => "client_secret_jwt",
        }
    }
}

impl FromStr for AuthMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "client_secret_basic" | "basic" => Ok(AuthMethod::ClientSecretBasic),
            "client_secret_post" | "post" => Ok(AuthMethod::ClientSecretPost),
            "none" => Ok(AuthMethod::None),
            "private_key_jwt" => Ok(AuthMethod::PrivateKeyJwt),
            "client_secret_jwt" => Ok(AuthMethod::ClientSecretJwt),
            _ => Err(Error::config(format!(
                "unknown auth method {}: use \"client_secret_basic\", \"client_secret_post\", \"private_key_jwt\", \"client_secret_jwt\" or \"none\"",
                crate::redact::shown_choice(s.trim())
            ))),
        }
    }
}

/// How the request body is encoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BodyEncoding {
    /// `application/x-www-form-urlencoded`, as RFC 6749 requires.
    #[default]
    Form,
    /// `application/json`, which some providers (Gusto) take instead.
    Json,
}

impl BodyEncoding {
    pub const fn as_str(self) -> &'static str {
        match self {
            BodyEncoding::Form => "form",
            BodyEncoding::Json => "json",
        }
    }
}

impl FromStr for BodyEncoding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "form" | "application/x-www-form-urlencoded" => Ok(BodyEncoding::Form),
            "json" | "application/json" => Ok(BodyEncoding::Json),
            other => Err(Error::config(format!(
                "unknown body encoding {other:?}: use \"form\" or \"json\""
            ))),
        }
    }
}

/// A configured token endpoint client. Cheap to clone, `Send + Sync`; share one per endpoint.
#[derive(Clone)]
pub struct TokenClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    transport: Transport,
}

impl TokenClient {
    pub fn builder(token_url: impl Into<String>) -> TokenClientBuilder {
        TokenClientBuilder::new(token_url.into())
    }

    /// A builder for the server at `issuer`: [`build`](TokenClientBuilder::build) reads its
    /// discovery document (RFC 8414, else OpenID Connect) and takes the token, authorization,
    /// device authorization, revocation and introspection endpoints from it, and the client
    /// authentication method when none is chosen.
    ///
    /// ```no_run
    /// let client = tokenfetch::TokenClient::discover("https://auth.example.com")
    ///     .client_id("my-id")
    ///     .client_secret("my-secret")
    ///     .build()?;
    /// # Ok::<(), tokenfetch::Error>(())
    /// ```
    pub fn discover(issuer: impl Into<String>) -> TokenClientBuilder {
        TokenClientBuilder::from_issuer(issuer.into())
    }

    /// Client credentials grant (RFC 6749 §4.4). `scope` overrides the client's default scope.
    pub fn client_credentials(&self, scope: Option<&str>) -> Result<TokenResponse> {
        self.fetch(&TokenRequest::client_credentials().scope_opt(scope))
    }

    /// Refresh token grant (RFC 6749 §6).
    pub fn refresh(&self, refresh_token: &str, scope: Option<&str>) -> Result<TokenResponse> {
        self.fetch(&TokenRequest::refresh_token(refresh_token).scope_opt(scope))
    }

    /// Resource owner password grant (RFC 6749 §4.3).
    pub fn password(&self, username: &str, password: &str, scope: Option<&str>) -> Result<TokenResponse> {
        self.fetch(&TokenRequest::password(username, password).scope_opt(scope))
    }

    /// Authorization code grant (RFC 6749 §4.1.3), with the PKCE verifier when one was used.
    pub fn authorization_code(
        &self,
        code: &str,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
    ) -> Result<TokenResponse> {
        self.fetch(&TokenRequest::authorization_code(code, redirect_uri, code_verifier))
    }

    /// Token exchange (RFC 8693).
    pub fn token_exchange(
        &self,
        subject_token: &str,
        subject_token_type: &str,
        scope: Option<&str>,
    ) -> Result<TokenResponse> {
        self.fetch(&TokenRequest::token_exchange(subject_token, subject_token_type).scope_opt(scope))
    }

    /// Device code grant (RFC 8628 §3.4): one poll. An `authorization_pending` or
    /// `slow_down` answer is an [`ErrorKind::OAuth`](crate::ErrorKind) error with that code.
    pub fn device_code(&self, device_code: &str) -> Result<TokenResponse> {
        self.fetch(&TokenRequest::device_code(device_code))
    }

    /// Runs any grant and returns just the token.
    pub fn fetch(&self, request: &TokenRequest) -> Result<TokenResponse> {
        self.fetch_tracked(request).0
    }

    /// The grant a [`TokenManager`](crate::TokenManager) runs when given none: client
    /// credentials, or the preset's grant (Gusto: `system_access`).
    pub fn default_request(&self) -> TokenRequest {
        self.inner.config.default_grant.clone()
    }

    /// The token endpoint URL as it may be shown: query values are `[redacted]`, since some
    /// providers take API keys there.
    pub fn token_url(&self) -> &str {
        &self.inner.config.shown_url
    }

    /// The body parameters a request will carry besides `grant_type` and the client's
    /// authentication: its own, then the client's default scope, audience, resource and
    /// extra parameters.
    pub(crate) fn parameters_for(&self, request: &TokenRequest) -> Vec<(String, String)> {
        let mut params: Vec<(String, String)> = (request.expose_params().into_iter())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        encode::add_defaults(&self.inner.config, &mut params, |name| request.has(name));
        params
    }

    /// Everything besides the request that decides whose token the server hands out, for a
    /// store's location (`store::entry::location`), never for display: the token URL with
    /// its query, the client id, secret and authentication method, and every caller header
    /// whose value may be a credential (tenant API keys), in a fixed order.
    pub(crate) fn identity(&self) -> Vec<(String, String)> {
        let config = &self.inner.config;
        let mut parts = vec![
            ("token_url".to_owned(), config.token_url.as_str().to_owned()),
            ("client_id".to_owned(), config.client_id.clone().unwrap_or_default()),
            (
                "client_secret".to_owned(),
                config.client_secret.as_ref().map_or("", Secret::expose_str).to_owned(),
            ),
            ("auth_method".to_owned(), config.auth_method.as_str().to_owned()),
        ];
        // Keys and assertions are credentials as a secret is: a token fetched with one must
        // not reach a manager holding another (a wrong key, another service account).
        if let Some(key) = &config.signing_key {
            parts.push(("signing_key".to_owned(), key.fingerprint().to_owned()));
        }
        for (name, value) in [
            ("assertion_issuer", &config.assertion_issuer),
            ("assertion_subject", &config.assertion_subject),
        ] {
            if let Some(value) = value {
                parts.push((name.to_owned(), value.clone()));
            }
        }
        if let Some(source) = &config.assertion_source {
            parts.push(("client_assertion".to_owned(), source.identity(&config.instance)));
        }
        let mut headers: Vec<(String, String)> = config
            .extra_headers
            .iter()
            .filter(|(name, _)| !crate::redact::is_non_secret_request_header(name))
            .map(|(name, value)| (format!("header:{}", name.to_ascii_lowercase()), value.clone()))
            .collect();
        headers.sort_unstable();
        parts.extend(headers);
        parts
    }

    pub fn client_id(&self) -> Option<&str> {
        self.inner.config.client_id.as_deref()
    }

    /// How this client authenticates, as chosen, discovered or implied by its key.
    pub fn auth_method(&self) -> AuthMethod {
        self.inner.config.auth_method
    }

    /// Whether the client's assertion comes from a function (no store may be shared then).
    pub(crate) fn assertion_from_function(&self) -> bool {
        matches!(
            self.inner.config.assertion_source,
            Some(crate::jwt::AssertionSource::Callback(_))
        )
    }

    /// The algorithm this client signs assertions with, when it signs any.
    pub fn signing_algorithm(&self) -> Option<crate::jwt::Algorithm> {
        let config = &self.inner.config;
        match config.auth_method {
            AuthMethod::ClientSecretJwt => config.secret_key.as_deref(),
            _ => config.signing_key.as_deref(),
        }
        .map(crate::jwt::SigningKey::algorithm)
    }

    /// The deadline for a whole call, retries included.
    pub fn timeout(&self) -> std::time::Duration {
        self.inner.config.timeout
    }

    pub fn connect_timeout(&self) -> std::time::Duration {
        self.inner.config.connect_timeout
    }

    pub fn retry_policy(&self) -> &crate::RetryPolicy {
        &self.inner.config.retry
    }

    /// The longest `Retry-After` wait this client honours: `max_retry_wait`, or the timeout
    /// if that is shorter, since no wait outlasts the call's deadline.
    pub fn max_retry_wait(&self) -> std::time::Duration {
        self.inner.config.retry.max_retry_after.min(self.inner.config.timeout)
    }

    pub fn max_response_bytes(&self) -> u64 {
        self.inner.config.max_response_bytes
    }
}

impl fmt::Debug for TokenClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("TokenClient")
            .field("token_url", &c.shown_url)
            .field("client_id", &c.client_id)
            .field("client_secret", &c.client_secret)
            .field("auth_method", &c.auth_method)
            .field("body_encoding", &c.body_encoding)
            .field("scope", &c.scope)
            .field("timeout", &c.timeout)
            .field("retry", &c.retry)
            .field("proxy", &c.routes.shown())
            .finish_non_exhaustive()
    }
}
