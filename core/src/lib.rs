//! # tokenfetch
//!
//! One OAuth 2.0 token client: fetch, parse, cache and refresh access tokens, with the same
//! behaviour from Rust, Python, Node and Kotlin (the bindings wrap this crate and add nothing).
//!
//! Where things live:
//! - [`model`]: `TokenResponse`, `TokenRequestResponse`, `HttpMetadata` (the seed models).
//! - [`parse`]: lenient reading of what servers send, and error classification.
//! - [`grant`]: the grants (`TokenRequest`).
//! - [`discovery`]: `ServerMetadata`, read from an issuer (`TokenClient::discover`).
//! - [`device`]: the device flow's codes, polling rules and `CancelToken`.
//! - [`authorize`]: PKCE, authorization URLs and callbacks.
//! - [`id_token`]: ID token validation, the issuer's JWKS and its cache, `IdTokenClaims`.
//! - [`introspection`]: `Introspection`; revocation needs no model.
//! - [`client`]: `TokenClient` (client auth, encoding, retries, timeouts, metadata).
//! - [`options`]: the range of every numeric option, checked once for every language.
//! - [`redact`]: how secrets are kept out of output, in every encoding.
//! - [`manager`]: `TokenManager`, the cache (early refresh, single flight, stale-if-error).
//! - [`presets`]: Prove and Gusto.
//! - `proxy`: which proxy each request takes (`proxy`, `no_proxy`, the environment).
//! - [`error`]: `Error` and its stable `ErrorKind`.
//! - [`events`]: what tokenfetch is doing, for each language's logging (`set_sink`).
//!
//! ```no_run
//! use tokenfetch::TokenClient;
//! let client = TokenClient::builder("https://auth.example.com/oauth/token")
//!     .client_id("my-client")
//!     .client_secret("my-secret")
//!     .build()?;
//! let token = client.client_credentials(Some("read:things"))?;
//! println!("{token}"); // "Bearer token, expires in 3600s, ..." -- never the token itself
//! let header = token.authorization_header();
//! # Ok::<(), tokenfetch::Error>(())
//! ```

pub mod authorize;
pub mod client;
pub mod clock;
pub mod device;
pub mod discovery;
pub mod error;
pub mod events;
pub mod grant;
pub mod id_token;
pub mod introspection;
pub mod jwt;
pub mod manager;
pub mod model;
pub mod options;
pub mod parse;
pub mod presets;
mod proxy;
pub mod redact;
pub mod retry;
pub mod secret;
pub mod store;
pub mod tls;
mod transport;

pub use authorize::{AuthorizationOptions, AuthorizationRequest, Pkce};
pub use client::{AuthMethod, BodyEncoding, TokenClient, TokenClientBuilder};
pub use device::{CancelToken, DeviceAuthorization};
pub use discovery::{clear_discovery_cache, ServerMetadata};
pub use error::{Deadline, Error, ErrorKind, OAuthErrorBody, Result};
pub use grant::TokenRequest;
pub use id_token::{IdTokenCheck, IdTokenClaims};
pub use introspection::Introspection;
pub use jwt::{Algorithm, AssertionAudience, SigningKey};
pub use manager::{ManagerOptions, TokenManager};
pub use model::{
    Authentication, HTTPMetadata, HttpMetadata, HttpRequestMeta, HttpResponseMeta, PostTokenResponse,
    TokenRequestResponse, TokenResponse, V3TokenRequestResponse, V3TokenResponse,
};
pub use parse::parse_response;
#[allow(deprecated)]
pub use parse::{evaluate_response, parse_token_response};
pub use presets::{GustoEnvironment, ProveEnvironment};
pub use redact::{Redacted, RedactedView, NON_SECRET_REQUEST_HEADERS, REDACTED};
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use store::{FileStore, MemoryStore, RedisStore, TokenStore};

/// This crate's version, as the bindings report it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
