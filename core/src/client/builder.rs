//! `TokenClientBuilder` and the checked configuration it produces.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Url};

use super::{AuthMethod, BodyEncoding, Inner, TokenClient};
use crate::discovery::{ServerMetadata, DEFAULT_DISCOVERY_TTL};
use crate::error::{Error, Result};
use crate::grant::TokenRequest;
use crate::jwt::{Algorithm, AssertionAudience, AssertionSource, SigningKey};
use crate::options;
use crate::redact::{self, Secrets};
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::transport::Transport;

/// The default cap on a response body: a hostile server cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = options::MAX_RESPONSE_BYTES.default_whole();
pub const DEFAULT_CONNECT_TIMEOUT: Duration = options::CONNECT_TIMEOUT.default_duration();
pub const DEFAULT_TIMEOUT: Duration = options::TIMEOUT.default_duration();

#[derive(Clone)]
pub(crate) struct Config {
    pub token_url: Url,
    /// `token_url` as it may be shown (see [`redact::display_url`]).
    pub shown_url: String,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub auth_method: AuthMethod,
    pub body_encoding: BodyEncoding,
    pub scope: Option<String>,
    pub audience: Vec<String>,
    pub resource: Vec<String>,
    pub extra_params: Vec<(String, String)>,
    pub extra_headers: Vec<(String, String)>,
    pub user_agent: String,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub max_response_bytes: u64,
    pub allow_insecure_http: bool,
    pub root_certificates: Vec<Vec<u8>>,
    pub use_os_trust_store: bool,
    /// `proxy`, `no_proxy` and `trust_env`, as given.
    pub proxy: crate::proxy::ProxyOptions,
    /// The proxy each request takes, decided from `proxy` when the client is built.
    pub routes: crate::proxy::Routes,
    pub default_grant: TokenRequest,
    /// The issuer the client trusts: the one it was discovered from, or one set by hand. An
    /// authorization callback's `iss` must match it (RFC 9207).
    pub issuer: Option<String>,
    /// The discovery document, when the client was built from an issuer.
    pub metadata: Option<Arc<ServerMetadata>>,
    pub authorization_endpoint: Option<EndpointUrl>,
    pub device_authorization_endpoint: Option<EndpointUrl>,
    pub revocation_endpoint: Option<EndpointUrl>,
    pub introspection_endpoint: Option<EndpointUrl>,
    /// The issuer's JWK Set: discovered, or set by hand. With an issuer and a client id, it
    /// turns on ID token validation.
    pub jwks_endpoint: Option<EndpointUrl>,
    /// OpenID Connect's userinfo endpoint: discovered, or set by hand.
    pub userinfo_endpoint: Option<EndpointUrl>,
    /// OpenID Connect RP-Initiated Logout's `end_session_endpoint`.
    pub end_session_endpoint: Option<EndpointUrl>,
    /// RFC 9126's pushed authorization request endpoint: discovered, or set by hand.
    pub pushed_authorization_request_endpoint: Option<EndpointUrl>,
    /// The server's metadata says every authorization request must be pushed (RFC 9126 §5).
    pub require_pushed_authorization_requests: bool,
    /// The algorithms an ID token may be signed with (see `id_token_algorithms`), resolved
    /// when the client is built.
    pub id_token_algorithms: Vec<Algorithm>,
    pub clock_skew: Duration,
    /// How long a JWKS is reused: the discovery TTL.
    pub jwks_ttl: Duration,
    /// The private key, parsed once when the client was built: it signs `private_key_jwt`
    /// client assertions and the JWT bearer grant's assertion.
    pub signing_key: Option<Arc<SigningKey>>,
    /// The HS256 key made from the client secret, for `client_secret_jwt`.
    pub secret_key: Option<Arc<SigningKey>>,
    /// A client assertion made elsewhere (workload identity), read for every request.
    pub assertion_source: Option<AssertionSource>,
    /// Random, per built client: what a callback source's identity is (see
    /// `AssertionSource::identity`).
    pub instance: String,
    pub assertion_audience: AssertionAudience,
    pub assertion_lifetime: Duration,
    /// The `iss` of a JWT bearer grant's assertion; the client id when unset.
    pub assertion_issuer: Option<String>,
    /// The `sub` of a JWT bearer grant's assertion; its `iss` when unset.
    pub assertion_subject: Option<String>,
    /// Whether the JWT bearer grant carries the scope as a claim (Google) rather than a
    /// request parameter (RFC 7523 §2.1).
    pub scope_in_assertion: bool,
    /// Every credential the configuration itself carries (client secret and its Basic forms,
    /// caller header values, secret extra parameters, URL query values), for scrubbing.
    pub secrets: Secrets,
    /// The key material of a private key given as text, for scrubbing (the parsed key keeps
    /// none in a form that could be matched).
    pub key_parts: Vec<Secret>,
}

/// A private key as the caller gave it; parsed by `build()`, once.
#[derive(Clone)]
enum KeySpec {
    /// PEM or JWK text.
    Text(Secret),
    File(std::path::PathBuf),
    Parsed(Arc<SigningKey>),
}

/// An endpoint's URL, checked like the token URL, and as it may be shown.
#[derive(Clone, Debug)]
pub(crate) struct EndpointUrl {
    pub url: Url,
    pub shown: String,
}

impl EndpointUrl {
    pub(super) fn parse(raw: &str, what: &str, allow_insecure_http: bool) -> Result<EndpointUrl> {
        let url = validate_url_of(raw, what, allow_insecure_http)?;
        let shown = redact::display_url(&url);
        Ok(EndpointUrl { url, shown })
    }
}

/// Where the builder finds the token endpoint.
#[derive(Clone)]
enum Source {
    TokenUrl(String),
    /// Read from the issuer's discovery document when the client is built.
    Issuer(String),
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
    source: Source,
    config: Config,
    /// Whether the caller chose the auth method; otherwise a discovered client picks one
    /// the server lists.
    auth_method_chosen: bool,
    endpoints: [Option<String>; 4],
    discovery_ttl: Duration,
    /// A token URL that replaces a discovered one.
    token_url_override: Option<String>,
    /// The cap on a `Retry-After` wait, when the caller chose one: checked against the
    /// timeout in `build()`, whereas the default simply yields to a shorter timeout.
    max_retry_wait: Option<Duration>,
    private_key: Option<KeySpec>,
    signing_algorithm: Option<Algorithm>,
    key_id: Option<String>,
    id_token_algorithms: Option<Vec<Algorithm>>,
    jwks_uri: Option<String>,
    userinfo_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    pushed_authorization_request_endpoint: Option<String>,
    /// A setter's error that could not be returned by the setter (a name in a list), reported
    /// by `build()`.
    deferred_error: Option<Error>,
}

const AUTHORIZATION: usize = 0;
const DEVICE_AUTHORIZATION: usize = 1;
const REVOCATION: usize = 2;
const INTROSPECTION: usize = 3;

impl TokenClientBuilder {
    pub(crate) fn new(token_url: String) -> Self {
        Self::from_source(Source::TokenUrl(token_url))
    }

    pub(crate) fn from_issuer(issuer: String) -> Self {
        Self::from_source(Source::Issuer(issuer))
    }

    fn from_source(source: Source) -> Self {
        TokenClientBuilder {
            source,
            auth_method_chosen: false,
            endpoints: Default::default(),
            discovery_ttl: DEFAULT_DISCOVERY_TTL,
            token_url_override: None,
            max_retry_wait: None,
            private_key: None,
            signing_algorithm: None,
            key_id: None,
            id_token_algorithms: None,
            jwks_uri: None,
            userinfo_endpoint: None,
            end_session_endpoint: None,
            pushed_authorization_request_endpoint: None,
            deferred_error: None,
            config: Config {
                token_url: Url::parse("https://invalid.invalid/").expect("static URL"),
                shown_url: String::new(),
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
                root_certificates: Vec::new(),
                use_os_trust_store: false,
                proxy: crate::proxy::ProxyOptions::default(),
                routes: crate::proxy::Routes::default(),
                default_grant: TokenRequest::client_credentials(),
                issuer: None,
                metadata: None,
                authorization_endpoint: None,
                device_authorization_endpoint: None,
                revocation_endpoint: None,
                introspection_endpoint: None,
                jwks_endpoint: None,
                userinfo_endpoint: None,
                end_session_endpoint: None,
                pushed_authorization_request_endpoint: None,
                require_pushed_authorization_requests: false,
                id_token_algorithms: Vec::new(),
                clock_skew: options::CLOCK_SKEW.default_duration(),
                jwks_ttl: DEFAULT_DISCOVERY_TTL,
                signing_key: None,
                secret_key: None,
                assertion_source: None,
                instance: String::new(),
                assertion_audience: AssertionAudience::default(),
                assertion_lifetime: options::ASSERTION_LIFETIME.default_duration(),
                assertion_issuer: None,
                assertion_subject: None,
                scope_in_assertion: false,
                secrets: Secrets::new(),
                key_parts: Vec::new(),
            },
        }
    }

    /// Replaces the token endpoint URL (for example, to point a preset at a test server).
    /// On a discovered client, this replaces the discovered token endpoint.
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        match &mut self.source {
            Source::TokenUrl(token_url) => *token_url = url.into(),
            Source::Issuer(_) => self.token_url_override = Some(url.into()),
        }
        self
    }
    /// The issuer this client trusts, for a client not built by discovery: an authorization
    /// callback's `iss` parameter must then match it (RFC 9207).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.config.issuer = Some(issuer.into());
        self
    }
    /// Where [`TokenClient::authorization_url`] sends the user. Discovery sets it.
    pub fn authorization_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints[AUTHORIZATION] = Some(url.into());
        self
    }
    /// RFC 8628's device authorization endpoint. Discovery sets it.
    pub fn device_authorization_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints[DEVICE_AUTHORIZATION] = Some(url.into());
        self
    }
    /// RFC 7009's revocation endpoint. Discovery sets it.
    pub fn revocation_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints[REVOCATION] = Some(url.into());
        self
    }
    /// RFC 7662's introspection endpoint. Discovery sets it.
    pub fn introspection_endpoint(mut self, url: impl Into<String>) -> Self {
        self.endpoints[INTROSPECTION] = Some(url.into());
        self
    }
    /// OpenID Connect's userinfo endpoint ([`TokenClient::userinfo`]). Discovery sets it.
    pub fn userinfo_endpoint(mut self, url: impl Into<String>) -> Self {
        self.userinfo_endpoint = Some(url.into());
        self
    }
    /// Where [`TokenClient::end_session_url`] signs the user out. Discovery sets it.
    pub fn end_session_endpoint(mut self, url: impl Into<String>) -> Self {
        self.end_session_endpoint = Some(url.into());
        self
    }
    /// Where [`TokenClient::push_authorization_request`] sends an authorization request's
    /// parameters (RFC 9126). Discovery sets it.
    pub fn pushed_authorization_request_endpoint(mut self, url: impl Into<String>) -> Self {
        self.pushed_authorization_request_endpoint = Some(url.into());
        self
    }
    /// The issuer's JWK Set, for a client not built by discovery. With [`Self::issuer`] and a
    /// client id it turns on ID token validation.
    pub fn jwks_uri(mut self, url: impl Into<String>) -> Self {
        self.jwks_uri = Some(url.into());
        self
    }
    /// The algorithms an ID token may be signed with. By default the provider's
    /// `id_token_signing_alg_values_supported` within RS256, PS256, ES256 and EdDSA. HS256
    /// (verified with the client secret) is accepted only when listed here.
    pub fn id_token_algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.id_token_algorithms = Some(algorithms.into_iter().collect());
        self
    }
    /// [`Self::id_token_algorithms`] by name, as the bindings pass them; an unknown name is
    /// reported by `build()`.
    pub fn id_token_algorithm_names(mut self, names: Vec<String>) -> Self {
        let mut parsed = Vec::with_capacity(names.len());
        for name in &names {
            match name.parse::<Algorithm>() {
                Ok(algorithm) => parsed.push(algorithm),
                Err(e) => {
                    let message = match e {
                        Error::Config { message } => message,
                        other => other.to_string(),
                    };
                    self.deferred_error
                        .get_or_insert(Error::config(format!("id_token_algorithms: {message}")));
                }
            }
        }
        self.id_token_algorithms = Some(parsed);
        self
    }
    /// How far this machine's clock may be from the issuer's when an ID token's times are
    /// checked.
    pub fn clock_skew(mut self, skew: Duration) -> Self {
        self.config.clock_skew = skew;
        self
    }
    /// How long a discovery document read for one client is reused by the next client built
    /// for the same issuer in this process. Default an hour; zero reads it every time.
    pub fn discovery_ttl(mut self, ttl: Duration) -> Self {
        self.discovery_ttl = ttl;
        self
    }
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.config.client_id = Some(id.into());
        self
    }
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        self.config.client_secret = Some(Secret::new(secret.into()));
        self
    }
    pub fn auth_method(mut self, method: AuthMethod) -> Self {
        self.config.auth_method = method;
        self.auth_method_chosen = true;
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
    /// A body parameter added to every request that does not set it itself. A parameter
    /// whose name marks a credential (`client_assertion`, `*_token`, `*secret*`, ...) is
    /// scrubbed from everything the server sends back.
    pub fn extra_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.extra_params.push((name.into(), value.into()));
        self
    }
    /// A header sent with every request; replaces a default header of the same name. Its value
    /// is treated as a credential (redacted in metadata, scrubbed from answers) unless the
    /// header is on [`redact::NON_SECRET_REQUEST_HEADERS`].
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.config.extra_headers.push((name.into(), value.into()));
        self
    }
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.config.user_agent = user_agent.into();
        self
    }
    /// Establishing the connection (TCP and TLS). Default 10 s, at most a day.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.connect_timeout = timeout;
        self
    }
    /// The deadline for a whole call, retries and their waits included. Default 30 s, at
    /// most a day.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.config.timeout = timeout;
        self
    }
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.config.retry = policy;
        self
    }
    /// Retries after the first attempt, keeping the rest of the retry policy. Default 2, at
    /// most 10; 0 turns retrying off.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.config.retry.max_retries = retries;
        self
    }
    /// The longest wait between two retries, which back off exponentially with jitter. A
    /// server's `Retry-After` is honoured instead, up to [`Self::max_retry_wait`].
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.config.retry.max_backoff = wait;
        self
    }
    /// The longest `Retry-After` wait the client honours; a server asking for longer gets its
    /// error returned at once. Default 30 s (or the timeout, if shorter); at most the timeout.
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.max_retry_wait = Some(wait);
        self
    }
    /// The response body cap. Default 1 MiB, at most 64 MiB.
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
    /// Trusts the certificate authorities in this PEM text (one or more `CERTIFICATE`
    /// blocks) besides the bundled web PKI roots, or besides the OS store with
    /// [`Self::use_os_trust_store`]. May be repeated. For servers whose certificate comes
    /// from a company's own authority.
    pub fn root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.config.root_certificates.push(pem.as_ref().to_vec());
        self
    }
    /// Trusts the operating system's certificate store instead of the bundled web PKI roots.
    /// Off by default, so a client trusts the same authorities on every machine.
    pub fn use_os_trust_store(mut self, use_it: bool) -> Self {
        self.config.use_os_trust_store = use_it;
        self
    }
    /// Sends every request through this proxy: `http://`, `https://` (TLS to the proxy too),
    /// `socks5://` or `socks5h://` (the proxy resolves the name), with `user:password@` if
    /// it asks for one; the password is a secret. HTTPS goes through it with `CONNECT`, so
    /// TLS stays end to end. Without it, the environment's `HTTPS_PROXY`, `HTTP_PROXY` and
    /// `ALL_PROXY` apply unless [`Self::trust_env`] is off. The environment's `NO_PROXY`
    /// applies to this proxy too, unless [`Self::no_proxy`] is given or the environment is
    /// not trusted. A loopback URL goes direct unless the proxy is on this machine too.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.config.proxy.proxy = Some(Secret::new(url.into()));
        self
    }
    /// The hosts reached without a proxy, in the `NO_PROXY` syntax: `*`, a host name (and
    /// the names under it), an IP address, a CIDR network, each with an optional `:port`;
    /// an entry may hold several, separated by commas. Replaces the environment's
    /// `NO_PROXY`. May be repeated.
    pub fn no_proxy(mut self, entry: impl Into<String>) -> Self {
        self.config
            .proxy
            .no_proxy
            .get_or_insert_with(Vec::new)
            .push(entry.into());
        self
    }
    /// The `no_proxy` list as a whole, replacing any before (an empty list still replaces
    /// the environment's `NO_PROXY`).
    pub(crate) fn no_proxy_list(mut self, entries: Vec<String>) -> Self {
        self.config.proxy.no_proxy = Some(entries);
        self
    }
    /// Whether the environment's proxy variables (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`,
    /// `NO_PROXY`, in either case) apply; on by default. They are read when the client is
    /// built.
    pub fn trust_env(mut self, trust: bool) -> Self {
        self.config.proxy.trust_env = trust;
        self
    }
    /// The grant a [`TokenManager`](crate::TokenManager) runs when given none.
    pub fn default_grant(mut self, request: TokenRequest) -> Self {
        self.config.default_grant = request;
        self
    }

    /// The private key that signs `private_key_jwt` client assertions and the JWT bearer
    /// grant: PEM (PKCS#8, PKCS#1 or SEC1) or a JWK as JSON text. Parsed and checked once, by
    /// [`Self::build`]. With no client secret and no auth method chosen, the client
    /// authenticates with `private_key_jwt`.
    pub fn private_key(mut self, pem_or_jwk: impl Into<String>) -> Self {
        self.private_key = Some(KeySpec::Text(Secret::new(pem_or_jwk.into())));
        self
    }
    /// [`Self::private_key`] read from a file (PEM or JWK), when the client is built.
    pub fn private_key_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.private_key = Some(KeySpec::File(path.into()));
        self
    }
    /// A key parsed already, to share between clients.
    pub fn signing_key(mut self, key: Arc<SigningKey>) -> Self {
        self.private_key = Some(KeySpec::Parsed(key));
        self
    }
    /// Signs with this algorithm rather than the key's own: PS256 for an RSA key. The key
    /// must fit it.
    pub fn signing_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.signing_algorithm = Some(algorithm);
        self
    }
    /// The `kid` in every signed JWT's header; replaces a JWK's own.
    pub fn key_id(mut self, key_id: impl Into<String>) -> Self {
        self.key_id = Some(key_id.into());
        self
    }
    /// The `aud` of signed assertions: the token endpoint by default.
    pub fn assertion_audience(mut self, audience: AssertionAudience) -> Self {
        self.config.assertion_audience = audience;
        self
    }
    /// How long a signed assertion is valid. Default 60 s, at most 5 minutes.
    pub fn assertion_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.assertion_lifetime = lifetime;
        self
    }
    /// The `sub` of the JWT bearer grant's assertion (the user a service account acts for).
    pub fn assertion_subject(mut self, subject: impl Into<String>) -> Self {
        self.config.assertion_subject = Some(subject.into());
        self
    }
    pub(crate) fn assertion_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.config.assertion_issuer = Some(issuer.into());
        self
    }
    pub(crate) fn scope_in_assertion(mut self) -> Self {
        self.config.scope_in_assertion = true;
        self
    }
    /// Authenticates with a client assertion made elsewhere, read from `path` for every
    /// request (`AZURE_FEDERATED_TOKEN_FILE`, a Kubernetes projected token), so that a
    /// rotated file is always used. Implies `private_key_jwt` unless an auth method is chosen.
    pub fn client_assertion_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.config.assertion_source = Some(AssertionSource::File(path.into()));
        self
    }
    /// Authenticates with a client assertion `callback` returns, called for every request
    /// (GitHub Actions' OIDC token, say). An `Err` is a `config` error carrying its message.
    pub fn client_assertion_callback(
        self,
        callback: impl Fn() -> std::result::Result<String, String> + Send + Sync + 'static,
    ) -> Self {
        self.assertion_callback(Arc::new(move |_time_left| callback()))
    }

    /// [`Self::client_assertion_callback`] for a function that is told the time left before
    /// the call's deadline (a binding waiting on another thread waits no longer).
    pub(crate) fn assertion_callback(mut self, callback: Arc<crate::jwt::AssertionCallback>) -> Self {
        self.config.assertion_source = Some(AssertionSource::Callback(callback));
        self
    }

    pub(crate) fn chosen_retry_wait(&self) -> Option<Duration> {
        self.max_retry_wait
    }
    pub(crate) fn chosen_timeout(&self) -> Duration {
        self.config.timeout
    }

    /// Checks the configuration and builds the client. A client made by
    /// [`TokenClient::discover`] reads the issuer's discovery document here (or takes it from
    /// the process's cache), so this call may block for up to the timeout.
    pub fn build(self) -> Result<TokenClient> {
        if let Some(error) = self.deferred_error {
            return Err(error);
        }
        let mut config = self.config;
        if let Some(wait) = self.max_retry_wait {
            config.retry.max_retry_after = wait;
        }
        check_numbers(&config)?;
        if let Some(wait) = self.max_retry_wait {
            options::table::check_retry_wait_within_timeout("max_retry_wait", wait, "timeout", config.timeout)?;
        }
        options::DISCOVERY_TTL.check_duration("discovery_ttl", self.discovery_ttl)?;
        options::CLOCK_SKEW.check_duration("clock_skew", config.clock_skew)?;
        config.jwks_ttl = self.discovery_ttl;
        check_headers(&config.extra_headers)?;
        options::ASSERTION_LIFETIME.check_duration("assertion_lifetime", config.assertion_lifetime)?;
        config.instance = crate::jwt::random_id()?;
        let key_text = match &self.private_key {
            Some(KeySpec::Text(text)) => Some(text.expose_str().to_owned()),
            _ => None,
        };
        let key_path = match &self.private_key {
            Some(KeySpec::File(path)) => Some(path.clone()),
            _ => None,
        };
        config.signing_key = match self.private_key {
            None => None,
            Some(spec) => Some(parse_key(spec, self.signing_algorithm, self.key_id.clone())?),
        };
        // Parsed: the text read again only for its key material, to scrub echoes of it.
        let key_text = key_text
            .or_else(|| key_path.and_then(|path| crate::jwt::read_small_file(&path, "the private key file").ok()));
        if let Some(text) = key_text {
            config.key_parts = crate::jwt::key::secret_parts(&text)
                .into_iter()
                .map(Secret::new)
                .collect();
        }
        let mut auth_method_chosen = self.auth_method_chosen;
        if !auth_method_chosen
            && config.client_secret.is_none()
            && (config.signing_key.is_some() || config.assertion_source.is_some())
        {
            config.auth_method = AuthMethod::PrivateKeyJwt;
            auth_method_chosen = true;
        }
        if config.auth_method == AuthMethod::ClientSecretJwt {
            if let Some(secret) = &config.client_secret {
                let key = SigningKey::hmac(secret.expose_str().as_bytes()).map_err(|e| match e {
                    Error::Config { message } => {
                        Error::config(format!("client_secret_jwt signs with the client secret: {message}"))
                    }
                    other => other,
                })?;
                let key = match &self.key_id {
                    Some(kid) => key.with_key_id(kid.clone()),
                    None => key,
                };
                config.secret_key = Some(Arc::new(key));
            }
        }
        let roots = crate::tls::roots(&config.root_certificates, config.use_os_trust_store)?;
        config.routes = crate::proxy::Routes::new(&config.proxy, |name| std::env::var(name).ok())?;
        let transport = Transport::new(
            config.connect_timeout,
            config.max_response_bytes,
            roots,
            config.routes.clone(),
        );
        let insecure = config.allow_insecure_http;
        match &self.source {
            Source::TokenUrl(raw) => {
                config.token_url = validate_url_of(raw, "token URL", insecure)?;
                config.shown_url = redact::display_url(&config.token_url);
            }
            Source::Issuer(raw) => {
                let issuer = validate_url_of(raw, "issuer URL", insecure)?;
                if issuer.query().is_some() || issuer.fragment().is_some() {
                    return Err(Error::config("an issuer URL has no query or fragment (RFC 8414 §2)"));
                }
                // The discovered issuer is the one callbacks are checked against; another
                // would undo the document's own issuer check.
                if config.issuer.is_some() {
                    return Err(Error::config(
                        "issuer is set by discovery; leave it out when building with TokenClient::discover",
                    ));
                }
                // What the caller wrote, without a trailing slash the URL parser may add: the
                // document's `issuer` is compared with it.
                let issuer_text = raw.trim().to_string();
                config.token_url = issuer.clone();
                let mut probe = Inner { config, transport };
                let metadata = super::discover::document(&probe, &issuer, &issuer_text, self.discovery_ttl)?;
                super::discover::apply_metadata(
                    &mut probe.config,
                    &metadata,
                    auth_method_chosen,
                    self.token_url_override.as_deref(),
                )?;
                config = probe.config;
                let oidc = OidcSettings {
                    jwks_uri: self.jwks_uri,
                    algorithms: self.id_token_algorithms,
                    userinfo_endpoint: self.userinfo_endpoint,
                    end_session_endpoint: self.end_session_endpoint,
                    pushed_authorization_request_endpoint: self.pushed_authorization_request_endpoint,
                };
                return finish(config, probe.transport, self.endpoints, oidc);
            }
        }
        let oidc = OidcSettings {
            jwks_uri: self.jwks_uri,
            algorithms: self.id_token_algorithms,
            userinfo_endpoint: self.userinfo_endpoint,
            end_session_endpoint: self.end_session_endpoint,
            pushed_authorization_request_endpoint: self.pushed_authorization_request_endpoint,
        };
        finish(config, transport, self.endpoints, oidc)
    }
}

/// What the builder was told about the server beyond the endpoints every client has: the
/// OpenID provider's, and where authorization requests are pushed.
struct OidcSettings {
    jwks_uri: Option<String>,
    algorithms: Option<Vec<Algorithm>>,
    userinfo_endpoint: Option<String>,
    end_session_endpoint: Option<String>,
    pushed_authorization_request_endpoint: Option<String>,
}

/// The JWKS URL, the OpenID endpoints and the ID token algorithms: the caller's, else the
/// discovered ones.
fn resolve_id_token_settings(config: &mut Config, settings: OidcSettings) -> Result<()> {
    let OidcSettings {
        jwks_uri,
        algorithms,
        userinfo_endpoint,
        end_session_endpoint,
        pushed_authorization_request_endpoint,
    } = settings;
    let insecure = config.allow_insecure_http;
    let discovered = config.metadata.as_ref().and_then(|m| m.jwks_uri.clone());
    if let Some(raw) = jwks_uri.or(discovered) {
        config.jwks_endpoint = Some(EndpointUrl::parse(&raw, "jwks_uri", insecure)?);
    }
    let discovered_text = |name: &str| {
        config
            .metadata
            .as_ref()
            .and_then(|m| m.extra.get(name))
            .and_then(serde_json::Value::as_str)
            .map(str::to_string)
    };
    let userinfo = userinfo_endpoint.or_else(|| discovered_text("userinfo_endpoint"));
    let end_session = end_session_endpoint.or_else(|| discovered_text("end_session_endpoint"));
    let par =
        pushed_authorization_request_endpoint.or_else(|| discovered_text("pushed_authorization_request_endpoint"));
    if let Some(raw) = userinfo {
        config.userinfo_endpoint = Some(EndpointUrl::parse(&raw, "userinfo_endpoint", insecure)?);
    }
    if let Some(raw) = end_session {
        config.end_session_endpoint = Some(EndpointUrl::parse(&raw, "end_session_endpoint", insecure)?);
    }
    if let Some(raw) = par {
        config.pushed_authorization_request_endpoint = Some(EndpointUrl::parse(
            &raw,
            "pushed_authorization_request_endpoint",
            insecure,
        )?);
    }
    config.require_pushed_authorization_requests = config
        .metadata
        .as_ref()
        .and_then(|m| m.extra.get("require_pushed_authorization_requests"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    config.id_token_algorithms = match algorithms {
        Some(chosen) if chosen.is_empty() => {
            return Err(Error::config(
                "id_token_algorithms is empty: name at least one, or leave it out for the provider's",
            ))
        }
        Some(chosen) => {
            if chosen.contains(&Algorithm::HS256) && config.client_secret.is_none() {
                return Err(Error::config(
                    "id_token_algorithms has HS256, which is verified with the client secret, and this client has none",
                ));
            }
            chosen
        }
        None => {
            let supported: Vec<String> = config
                .metadata
                .as_ref()
                .and_then(|m| m.extra.get("id_token_signing_alg_values_supported"))
                .and_then(serde_json::Value::as_array)
                .map(|list| list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            if supported.is_empty() {
                crate::id_token::DEFAULT_ALGORITHMS.to_vec()
            } else {
                crate::id_token::DEFAULT_ALGORITHMS
                    .into_iter()
                    .filter(|a| supported.iter().any(|s| s == a.as_str()))
                    .collect()
            }
        }
    };
    Ok(())
}

/// The checks and derived values every client gets, discovered or not.
fn finish(
    mut config: Config,
    transport: Transport,
    endpoints: [Option<String>; 4],
    oidc: OidcSettings,
) -> Result<TokenClient> {
    let insecure = config.allow_insecure_http;
    resolve_id_token_settings(&mut config, oidc)?;
    let slots = [
        (AUTHORIZATION, "authorization_endpoint"),
        (DEVICE_AUTHORIZATION, "device_authorization_endpoint"),
        (REVOCATION, "revocation_endpoint"),
        (INTROSPECTION, "introspection_endpoint"),
    ];
    for (index, what) in slots {
        if let Some(raw) = &endpoints[index] {
            let endpoint = Some(EndpointUrl::parse(raw, what, insecure)?);
            match index {
                AUTHORIZATION => config.authorization_endpoint = endpoint,
                DEVICE_AUTHORIZATION => config.device_authorization_endpoint = endpoint,
                REVOCATION => config.revocation_endpoint = endpoint,
                _ => config.introspection_endpoint = endpoint,
            }
        }
    }
    // The metadata speaks for its own authorization endpoint only: one set by hand is another
    // server's, which said nothing about pushed requests.
    if endpoints[AUTHORIZATION].is_some() {
        config.require_pushed_authorization_requests = false;
    }
    check_credentials(&config)?;
    config.secrets = config_secrets(&config);
    Ok(TokenClient {
        inner: Arc::new(Inner { config, transport }),
    })
}

/// Parses the key the caller gave, once, and fits the chosen algorithm and `kid` to it.
fn parse_key(spec: KeySpec, algorithm: Option<Algorithm>, key_id: Option<String>) -> Result<Arc<SigningKey>> {
    let key = match spec {
        KeySpec::Parsed(key) if algorithm.is_none() && key_id.is_none() => return Ok(key),
        KeySpec::Parsed(_) => return Err(Error::config(
            "signing_algorithm and key_id belong to a parsed SigningKey: set them on it (with_algorithm, with_key_id)",
        )),
        KeySpec::Text(text) => SigningKey::from_text(text.expose_str()),
        KeySpec::File(path) => SigningKey::from_file(path),
    }
    .map_err(|e| match e {
        Error::Config { message } => Error::config(format!("private_key: {message}")),
        other => other,
    })?;
    if key.is_symmetric() {
        return Err(Error::config(
            "private_key is a shared secret (an oct JWK): use auth_method client_secret_jwt with it as client_secret",
        ));
    }
    let key = match algorithm {
        Some(algorithm) => key.with_algorithm(algorithm)?,
        None => key,
    };
    Ok(Arc::new(match key_id {
        Some(kid) => key.with_key_id(kid),
        None => key,
    }))
}

/// What an assertion-based client cannot do without, checked before anything is signed.
fn check_assertions(config: &Config) -> Result<()> {
    if config.signing_key.is_some() && config.assertion_source.is_some() {
        return Err(Error::config(
            "give a private_key or a client assertion (file or function), not both: the client would use only one",
        ));
    }
    if config.auth_method == AuthMethod::ClientSecretJwt && config.signing_key.is_some() {
        return Err(Error::config(
            "client_secret_jwt signs with the client secret, so the private_key would go unused: use private_key_jwt, or leave the key out",
        ));
    }
    match config.auth_method {
        AuthMethod::PrivateKeyJwt => {
            if config.signing_key.is_none() && config.assertion_source.is_none() {
                return Err(Error::config(
                    "auth method private_key_jwt needs a private_key (or private_key_file), or a client_assertion_file or callback",
                ));
            }
            if config.client_id.is_none() {
                return Err(Error::config("client_id is required with auth method private_key_jwt"));
            }
        }
        AuthMethod::ClientSecretJwt => {
            if config.client_id.is_none() || config.client_secret.is_none() {
                return Err(Error::config(
                    "auth method client_secret_jwt needs client_id and client_secret: it signs with the secret",
                ));
            }
            if config.assertion_source.is_some() {
                return Err(Error::config(
                    "client_secret_jwt signs its own assertion with the client secret, so the client assertion file or function would go unused: use private_key_jwt with it",
                ));
            }
        }
        _ => {
            if config.assertion_source.is_some() {
                return Err(Error::config(format!(
                    "a client assertion source was given with auth method {}, which would not send it; use private_key_jwt",
                    config.auth_method.as_str()
                )));
            }
        }
    }
    if config.assertion_audience == AssertionAudience::Issuer && config.issuer.is_none() {
        return Err(Error::config(
            "assertion_audience \"issuer\" needs the issuer: set issuer, or build the client by discovery",
        ));
    }
    Ok(())
}

fn check_credentials(config: &Config) -> Result<()> {
    check_assertions(config)?;
    match (
        config.auth_method,
        config.client_id.as_deref(),
        config.client_secret.as_ref().map(Secret::expose_str),
    ) {
        (_, Some(""), _) => Err(Error::config("client_id is empty")),
        (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, None, _) => Err(Error::config(format!(
            "client_id is required with auth method {}",
            config.auth_method.as_str()
        ))),
        (AuthMethod::ClientSecretBasic | AuthMethod::ClientSecretPost, Some(_), None) => Err(Error::config(format!(
            "client_secret is required with auth method {} (use auth method \"none\" for a public client)",
            config.auth_method.as_str()
        ))),
        (AuthMethod::None, _, Some(_)) => Err(Error::config(
            "a client_secret was given with auth method \"none\", which would not send it; \
             use \"client_secret_basic\" or \"client_secret_post\"",
        )),
        _ => Ok(()),
    }
}

/// The Rust API takes `Duration`s and integers directly; they pass the same ranges as every
/// binding's numbers (see [`crate::options`]).
fn check_numbers(config: &Config) -> Result<()> {
    options::TIMEOUT.check_duration("timeout", config.timeout)?;
    options::CONNECT_TIMEOUT.check_duration("connect_timeout", config.connect_timeout)?;
    options::MAX_RESPONSE_BYTES.check_whole("max_response_bytes", config.max_response_bytes)?;
    config.retry.validate()
}

fn check_headers(headers: &[(String, String)]) -> Result<()> {
    for (name, value) in headers {
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
    Ok(())
}

fn config_secrets(config: &Config) -> Secrets {
    let mut secrets = Secrets::new();
    config.routes.add_secrets(&mut secrets);
    for part in &config.key_parts {
        secrets.add(part.expose_str());
    }
    if let Some(secret) = &config.client_secret {
        secrets.add_basic(config.client_id.as_deref().unwrap_or(""), secret.expose_str());
    }
    for (name, value) in &config.extra_headers {
        if !redact::is_non_secret_request_header(name) {
            secrets.add(value);
            if let Some((scheme, credential)) = value.split_once(' ') {
                secrets.add(credential);
                // A Basic credential also travels decoded: `user:password`.
                if scheme.eq_ignore_ascii_case("basic") {
                    if let Some(pair) = decode_basic(credential) {
                        secrets.add(&pair);
                        if let Some((_user, password)) = pair.split_once(':') {
                            secrets.add(password);
                        }
                    }
                }
            }
        }
    }
    for (name, value) in &config.extra_params {
        if redact::is_secret_member(name) {
            secrets.add(value);
        }
    }
    let endpoints = [
        &config.authorization_endpoint,
        &config.device_authorization_endpoint,
        &config.revocation_endpoint,
        &config.introspection_endpoint,
    ];
    let urls = std::iter::once(&config.token_url).chain(endpoints.into_iter().flatten().map(|e| &e.url));
    for url in urls {
        for value in redact::query_values(url) {
            secrets.add(&value);
        }
    }
    secrets
}

fn decode_basic(credential: &str) -> Option<String> {
    use base64::Engine as _;
    let credential = credential.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(credential)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(credential))
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
fn validate_url(raw: &str, allow_insecure_http: bool) -> Result<Url> {
    validate_url_of(raw, "token URL", allow_insecure_http)
}

/// Checks any endpoint URL the client sends to; `what` names it in messages.
pub(super) fn validate_url_of(raw: &str, what: &str, allow_insecure_http: bool) -> Result<Url> {
    // The raw text is never echoed: it may hold credentials (`https://id:secret@host`).
    let url = Url::parse(raw.trim()).map_err(|e| match e {
        url::ParseError::IdnaError => Error::config(format!(
            "the {what} has a host name outside ASCII; write the host in its punycode form \
             (xn--..., as `idn2` or the browser's address bar shows it)"
        )),
        e => Error::config(format!("the {what} is not a valid URL: {e}")),
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(format!(
            "the {what} contains credentials; pass them as client_id and client_secret instead"
        )));
    }
    let shown = redact::display_url(&url);
    let host = url
        .host()
        .ok_or_else(|| Error::config(format!("{what} {shown} has no host")))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if allow_insecure_http || is_loopback(&host) => Ok(url),
        "http" => Err(Error::config(format!(
            "plain http:// to {host} would send credentials in clear text; use https://, \
             or opt in with allow_insecure_http (loopback hosts are always allowed)"
        ))),
        other => Err(Error::config(format!(
            "{what} scheme {other:?} is not supported; use https://"
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

impl fmt::Debug for TokenClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = match &self.source {
            Source::TokenUrl(url) | Source::Issuer(url) => url,
        };
        let shown_url = Url::parse(raw.trim())
            .map(|u| redact::display_url(&u))
            .unwrap_or_else(|_| redact::REDACTED.to_string());
        f.debug_struct("TokenClientBuilder")
            .field("token_url", &shown_url)
            .field("client_id", &self.config.client_id)
            .field("client_secret", &self.config.client_secret)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_host_outside_ascii_is_asked_for_in_punycode() {
        let e = validate_url("https://bücher.example/token", false).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(e.to_string().contains("punycode"), "{e}");
        let url = validate_url("https://xn--bcher-kva.example/token", false).unwrap();
        assert_eq!(url.host_str(), Some("xn--bcher-kva.example"));
    }

    #[test]
    fn the_bundled_roots_are_read_once_and_shared() {
        let first = crate::tls::roots(&[], false).unwrap();
        assert!(first.len() > 100, "{} bundled roots", first.len());
        assert!(std::sync::Arc::ptr_eq(&first, &crate::tls::roots(&[], false).unwrap()));
    }

    #[test]
    fn a_bad_url_is_never_echoed() {
        for raw in ["https://id:s3cr3t@[bad/token", "https://id:s3cr3t@host:99999/token"] {
            let e = validate_url(raw, false).unwrap_err();
            assert!(!e.to_string().contains("s3cr3t"), "{e}");
        }
        let e = validate_url("https://id:s3cr3t@host/token", false).unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
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

    #[test]
    fn out_of_range_durations_are_config_errors_not_panics() {
        let base = || {
            TokenClient::builder("https://a.example/token")
                .client_id("x")
                .client_secret("s")
        };
        for e in [
            base().timeout(Duration::MAX).build().unwrap_err(),
            base().timeout(Duration::ZERO).build().unwrap_err(),
            base()
                .connect_timeout(Duration::from_secs(u64::MAX))
                .build()
                .unwrap_err(),
            base().max_response_bytes(0).build().unwrap_err(),
            base()
                .retry(RetryPolicy {
                    max_retry_after: Duration::MAX,
                    ..RetryPolicy::default()
                })
                .build()
                .unwrap_err(),
        ] {
            assert_eq!(e.kind(), crate::ErrorKind::Config, "{e}");
        }
    }
}
