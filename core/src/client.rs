//! `TokenClient`: client authentication, request encoding, retries, metadata.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{Map, Value};
use url::{Host, Url};

use crate::error::{Deadline, Error, Result};
use crate::grant::TokenRequest;
use crate::model::{HttpMetadata, HttpRequestMeta, HttpResponseMeta, TokenRequestResponse, TokenResponse};
use crate::parse::evaluate_response;
use crate::redact;
use crate::retry::{parse_retry_after, RetryPolicy};
use crate::transport::{Exchange, Failure, Transport};

/// The default cap on a response body: a hostile server cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

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
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::None => "none",
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
            other => Err(Error::config(format!(
                "unknown auth method {other:?}: use \"client_secret_basic\", \"client_secret_post\" or \"none\""
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
    pub fn as_str(self) -> &'static str {
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

#[derive(Clone)]
struct Config {
    token_url: Url,
    client_id: Option<String>,
    client_secret: Option<String>,
    auth_method: AuthMethod,
    body_encoding: BodyEncoding,
    scope: Option<String>,
    audience: Vec<String>,
    resource: Vec<String>,
    extra_params: Vec<(String, String)>,
    extra_headers: Vec<(String, String)>,
    user_agent: String,
    connect_timeout: Duration,
    timeout: Duration,
    retry: RetryPolicy,
    max_response_bytes: u64,
    allow_insecure_http: bool,
    default_grant: TokenRequest,
}

/// Builds a [`TokenClient`]; [`build`](Self::build) checks the configuration.
///
/// ```no_run
/// let client = tokenfetch::TokenClient::builder("https://auth.example.com/oauth/token")
///     .client_id("my-id")
///     .client_secret("my-secret")
///     .build()?;
/// let token = client.client_credentials(Some("read"))?;
/// # Ok::<(), tokenfetch::Error>(())
/// ```
#[derive(Clone)]
pub struct TokenClientBuilder {
    token_url: String,
    config: Config,
}

impl TokenClient {
    pub fn builder(token_url: impl Into<String>) -> TokenClientBuilder {
        TokenClientBuilder {
            token_url: token_url.into(),
            config: Config {
                token_url: Url::parse("https://invalid.invalid/").expect("static URL"),
                client_id: None,
                client_secret: None,
                auth_method: AuthMethod::default(),
                body_encoding: BodyEncoding::default(),
                scope: None,
                audience: Vec::new(),
                resource: Vec::new(),
                extra_params: Vec::new(),
                extra_headers: Vec::new(),
                user_agent: format!("tokenfetch/{} (rust)", crate::VERSION),
                connect_timeout: DEFAULT_CONNECT_TIMEOUT,
                timeout: DEFAULT_TIMEOUT,
                retry: RetryPolicy::default(),
                max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
                allow_insecure_http: false,
                default_grant: TokenRequest::client_credentials(),
            },
        }
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
        self.send(request)
            .map(|r| r.token_response.expect("send returns a token on success"))
    }

    /// The grant a [`TokenManager`](crate::TokenManager) runs when given none: client
    /// credentials, or the preset's grant (Gusto: `system_access`).
    pub fn default_request(&self) -> TokenRequest {
        self.inner.config.default_grant.clone()
    }

    pub fn token_url(&self) -> &str {
        self.inner.config.token_url.as_str()
    }

    pub fn client_id(&self) -> Option<&str> {
        self.inner.config.client_id.as_deref()
    }

    /// Runs any grant and returns the token with the HTTP metadata of the exchange.
    ///
    /// `Ok` always carries a token; every error carries the metadata of the last attempt
    /// (except `config` errors, raised before anything is sent).
    pub fn send(&self, request: &TokenRequest) -> Result<TokenRequestResponse> {
        let config = &self.inner.config;
        let prepared = self.prepare(request)?;
        let secrets = self.secrets(request);
        let started = Instant::now();
        let deadline = started + config.timeout;

        let mut retry = 0u32;
        loop {
            let budget = deadline.saturating_duration_since(Instant::now());
            if budget.is_zero() {
                let error = Error::Timeout {
                    deadline: Deadline::Overall,
                    after: started.elapsed(),
                    http_meta: None,
                };
                return Err(error.with_meta(prepared.meta(None)));
            }
            let outcome =
                self.inner
                    .transport
                    .post(config.token_url.as_str(), &prepared.headers, &prepared.body, budget);
            let (result, retry_after) = self.interpret(&prepared, outcome, &secrets);
            let error = match result {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            if retry >= config.retry.max_retries || !error.is_retryable() {
                return Err(error);
            }
            let Some(wait) = config.retry.delay(retry, retry_after) else {
                return Err(error);
            };
            if Instant::now() + wait >= deadline {
                return Err(error);
            }
            std::thread::sleep(wait);
            retry += 1;
        }
    }

    /// Turns one attempt into a result, and the server's `Retry-After` if it sent one.
    fn interpret(
        &self,
        prepared: &Prepared,
        outcome: std::result::Result<Exchange, Box<Failure>>,
        secrets: &[String],
    ) -> (Result<TokenRequestResponse>, Option<Duration>) {
        let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        match outcome {
            Ok(exchange) => {
                let retry_after =
                    header(&exchange.headers, "retry-after").and_then(|v| parse_retry_after(v, SystemTime::now()));
                let (body, body_truncated) = redact::redact_body(&exchange.body, &secret_refs);
                let meta = prepared.meta(Some(HttpResponseMeta {
                    status: exchange.status,
                    headers: header_map(&exchange.headers),
                    body,
                    body_truncated,
                    elapsed_ms: exchange.elapsed.as_millis() as u64,
                }));
                let received_at = exchange
                    .received_at
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .ok();
                let parsed = evaluate_response(
                    exchange.status,
                    &exchange.headers,
                    &exchange.body,
                    received_at,
                    self.inner.config.max_response_bytes,
                );
                let result = match parsed {
                    Ok(token) => Ok(TokenRequestResponse {
                        http_meta: meta,
                        token_response: Some(token),
                    }),
                    Err(error) => Err(error.with_meta(meta).scrubbed(&secret_refs)),
                };
                (result, retry_after)
            }
            Err(failure) => {
                let response = failure.status.map(|status| HttpResponseMeta {
                    status,
                    headers: header_map(&failure.headers),
                    body: String::new(),
                    body_truncated: true,
                    elapsed_ms: failure.elapsed.as_millis() as u64,
                });
                let retry_after =
                    header(&failure.headers, "retry-after").and_then(|v| parse_retry_after(v, SystemTime::now()));
                (
                    Err(failure.error.with_meta(prepared.meta(response)).scrubbed(&secret_refs)),
                    retry_after,
                )
            }
        }
    }

    /// Every credential this request carries, to scrub from text the server sends back.
    fn secrets(&self, request: &TokenRequest) -> Vec<String> {
        let mut secrets: Vec<String> = request.secret_values().map(str::to_string).collect();
        if let Some(secret) = &self.inner.config.client_secret {
            secrets.push(secret.clone());
            if let Some(id) = &self.inner.config.client_id {
                secrets.push(basic_credentials(id, secret));
            }
        }
        secrets
    }

    fn prepare(&self, request: &TokenRequest) -> Result<Prepared> {
        let config = &self.inner.config;
        let mut params: Vec<(String, String)> = vec![("grant_type".into(), request.grant_type().to_string())];
        params.extend(request.params().iter().cloned());
        let mut add_default = |name: &str, values: &[String]| {
            if !request.has(name) {
                params.extend(values.iter().map(|v| (name.to_string(), v.clone())));
            }
        };
        add_default("scope", config.scope.as_slice());
        add_default("audience", &config.audience);
        add_default("resource", &config.resource);
        for (name, value) in &config.extra_params {
            if !request.has(name) {
                params.push((name.clone(), value.clone()));
            }
        }

        let mut headers: Vec<(String, String)> = Vec::new();
        match config.auth_method {
            AuthMethod::ClientSecretBasic => {
                let (id, secret) = (
                    config.client_id.as_deref().unwrap_or(""),
                    config.client_secret.as_deref().unwrap_or(""),
                );
                headers.push((
                    "Authorization".into(),
                    format!("Basic {}", basic_credentials(id, secret)),
                ));
            }
            AuthMethod::ClientSecretPost => {
                params.push(("client_id".into(), config.client_id.clone().unwrap_or_default()));
                params.push(("client_secret".into(), config.client_secret.clone().unwrap_or_default()));
            }
            AuthMethod::None => {
                if let Some(id) = &config.client_id {
                    params.push(("client_id".into(), id.clone()));
                }
            }
        }

        let (content_type, body) = match config.body_encoding {
            BodyEncoding::Form => (
                "application/x-www-form-urlencoded",
                form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(&params)
                    .finish()
                    .into_bytes(),
            ),
            BodyEncoding::Json => ("application/json", json_body(&params)),
        };
        headers.push(("Content-Type".into(), content_type.into()));
        headers.push(("Accept".into(), "application/json".into()));
        headers.push(("User-Agent".into(), config.user_agent.clone()));
        for (name, value) in &config.extra_headers {
            headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            headers.push((name.clone(), value.clone()));
        }
        Ok(Prepared {
            url: config.token_url.to_string(),
            headers,
            body,
        })
    }
}

/// `base64(urlencode(id) ":" urlencode(secret))`, RFC 6749 §2.3.1: the encoding step is what
/// lets ids and secrets contain `:`, `+` or `%`.
fn basic_credentials(id: &str, secret: &str) -> String {
    let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", encode(id), encode(secret)))
}

/// Parameters as a JSON object; a repeated name (`resource`) becomes an array.
fn json_body(params: &[(String, String)]) -> Vec<u8> {
    let mut map = Map::new();
    for (name, value) in params {
        match map.get_mut(name) {
            None => {
                map.insert(name.clone(), Value::String(value.clone()));
            }
            Some(Value::Array(items)) => items.push(Value::String(value.clone())),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, Value::String(value.clone())]);
            }
        }
    }
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

struct Prepared {
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Prepared {
    fn meta(&self, response: Option<HttpResponseMeta>) -> HttpMetadata {
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), redact::redact_header_value(k, v)))
            .collect();
        HttpMetadata {
            request: HttpRequestMeta {
                method: "POST".into(),
                url: self.url.clone(),
                headers,
            },
            response,
        }
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn header_map(headers: &[(String, String)]) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let value = redact::redact_header_value(&name, value);
        map.entry(name)
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    map
}

impl fmt::Debug for TokenClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.inner.config;
        f.debug_struct("TokenClient")
            .field("token_url", &c.token_url.as_str())
            .field("client_id", &c.client_id)
            .field("client_secret", &redact::redacted(&c.client_secret))
            .field("auth_method", &c.auth_method)
            .field("body_encoding", &c.body_encoding)
            .field("scope", &c.scope)
            .field("timeout", &c.timeout)
            .field("retry", &c.retry)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for TokenClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenClientBuilder")
            .field("token_url", &self.token_url)
            .field("client_id", &self.config.client_id)
            .field("client_secret", &redact::redacted(&self.config.client_secret))
            .finish_non_exhaustive()
    }
}

impl TokenClientBuilder {
    /// Replaces the token endpoint URL (for example, to point a preset at a test server).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.config.client_id = Some(id.into());
        self
    }
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.config.client_secret = Some(secret.into());
        self
    }
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.config.auth_method = method;
        self
    }
    pub fn body_encoding(mut self, encoding: BodyEncoding) -> Self {
        self.config.body_encoding = encoding;
        self
    }
    /// The scope sent when a request names none.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.config.scope = Some(scope.into());
        self
    }
    /// An `audience` sent when a request names none. May be repeated.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.config.audience.push(audience.into());
        self
    }
    /// A resource indicator (RFC 8707) sent when a request names none. May be repeated.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.config.resource.push(resource.into());
        self
    }
    /// A body parameter added to every request that does not set it itself.
    pub fn extra_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.extra_params.push((name.into(), value.into()));
        self
    }
    /// A header sent with every request; replaces a default header of the same name.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.extra_headers.push((name.into(), value.into()));
        self
    }
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = user_agent.into();
        self
    }
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }
    /// The deadline for a whole call, retries and their waits included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.config.max_response_bytes = limit;
        self
    }
    /// Allows plain `http://` to a host that is not loopback. Off by default: it sends the
    /// client secret in clear text.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config.allow_insecure_http = allow;
        self
    }
    /// The grant a [`TokenManager`](crate::TokenManager) runs when given none.
    pub fn default_grant(mut self, request: TokenRequest) -> Self {
        self.config.default_grant = request;
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<TokenClient> {
        let mut config = self.config;
        config.token_url = validate_url(&self.token_url, config.allow_insecure_http)?;
        match (
            config.auth_method,
            config.client_id.as_deref(),
            config.client_secret.as_deref(),
        ) {
            (_, Some(""), _) => return Err(Error::config("client_id is empty")),
            (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, None, _) => {
                return Err(Error::config(format!(
                    "client_id is required with auth method {}",
                    config.auth_method.as_str()
                )))
            }
            (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, Some(_), None) => {
                return Err(Error::config(format!(
                    "client_secret is required with auth method {} (use auth method \"none\" for a public client)",
                    config.auth_method.as_str()
                )))
            }
            (AuthMethod::None, _, Some(_)) => {
                return Err(Error::config(
                    "a client_secret was given with auth method \"none\", which would not send it; \
                     use \"client_secret_basic\" or \"client_secret_post\"",
                ))
            }
            _ => {}
        }
        if config.timeout.is_zero() || config.connect_timeout.is_zero() {
            return Err(Error::config("timeouts must be greater than zero"));
        }
        if config.max_response_bytes == 0 {
            return Err(Error::config("max_response_bytes must be greater than zero"));
        }
        for (name, value) in &config.extra_headers {
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
                return Err(Error::config(format!(
                    "header name {name:?} is not a valid HTTP header name"
                )));
            }
            if value.bytes().any(|b| b == b'\r' || b == b'\n') {
                return Err(Error::config(format!(
                    "the value of header {name:?} contains a line break"
                )));
            }
        }
        let transport = Transport::new(config.connect_timeout, config.max_response_bytes);
        Ok(TokenClient {
            inner: Arc::new(Inner { config, transport }),
        })
    }
}

fn validate_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let url =
        Url::parse(raw.trim()).map_err(|e| Error::config(format!("token URL {raw:?} is not a valid URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "the token URL contains credentials; pass them as client_id and client_secret instead",
        ));
    }
    let host = url
        .host()
        .ok_or_else(|| Error::config(format!("token URL {raw:?} has no host")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_insecure_http || is_loopback(&host) => Ok(url),
        "http" => Err(Error::config(format!(
            "plain http:// to {host} would send credentials in clear text; use https://, \
             or opt in with allow_insecure_http (loopback hosts are always allowed)"
        ))),
        other => Err(Error::config(format!(
            "token URL scheme {other:?} is not supported; use https://"
        ))),
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => {
            name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost")
        }
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_encoded_before_base64() {
        let encoded = basic_credentials("cc special:id", "p@ss:w0rd+/= &%");
        let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).unwrap();
        assert_eq!(
            String::from_utf8(decoded).unwrap(),
            "cc+special%3Aid:p%40ss%3Aw0rd%2B%2F%3D+%26%25"
        );
    }

    #[test]
    fn json_bodies_turn_repeated_names_into_arrays() {
        let body = json_body(&[
            ("resource".into(), "a".into()),
            ("resource".into(), "b".into()),
            ("x".into(), "1".into()),
        ]);
        assert_eq!(String::from_utf8(body).unwrap(), r#"{"resource":["a","b"],"x":"1"}"#);
    }

    #[test]
    fn plain_http_needs_loopback_or_an_explicit_opt_in() {
        assert!(validate_url("http://127.0.0.1:9/token", false).is_ok());
        assert!(validate_url("http://[::1]:9/token", false).is_ok());
        assert!(validate_url("http://localhost/token", false).is_ok());
        let e = validate_url("http://auth.example.com/token", false).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(e.to_string().contains("allow_insecure_http"), "{e}");
        assert!(validate_url("http://auth.example.com/token", true).is_ok());
        assert!(validate_url("ftp://auth.example.com/token", true).is_err());
        assert!(validate_url("https://u:p@auth.example.com/token", false).is_err());
    }

    #[test]
    fn build_explains_what_is_missing() {
        let e = TokenClient::builder("https://a.example/token").build().unwrap_err();
        assert!(e.to_string().contains("client_id is required"), "{e}");
        let e = TokenClient::builder("https://a.example/token")
            .client_id("x")
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("client_secret is required"), "{e}");
        let ok = TokenClient::builder("https://a.example/token")
            .client_id("x")
            .auth_method(AuthMethod::None)
            .build();
        assert!(ok.is_ok());
        let e = TokenClient::builder("https://a.example/token")
            .client_id("x")
            .client_secret("s")
            .header("Bad Name", "v")
            .build()
            .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
    }
}
