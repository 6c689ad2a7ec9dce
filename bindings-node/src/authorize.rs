//! Mirrors `core/src/authorize.rs`: PKCE pairs, authorization URLs and their options.

use napi_derive::napi;
use tokenfetch::options::OptionBag;

use tokenfetch as core;

use crate::convert::shown_json;

/// A PKCE pair (RFC 7636): the secret `verifier` the client keeps until it redeems the code,
/// and the S256 `challenge` the authorization URL carries. Made by `Pkce.generate()` or
/// `Pkce.fromVerifier(v)`; `toJSON`, `util.inspect` and `toString` hide the verifier.
#[napi]
#[derive(Clone)]
pub struct Pkce(pub(crate) core::Pkce);

impl From<core::Pkce> for Pkce {
    fn from(p: core::Pkce) -> Self {
        Pkce(p)
    }
}

#[napi]
impl Pkce {
    /// The secret to send with the authorization code (`codeVerifier`).
    #[napi(getter)]
    pub fn verifier(&self) -> String {
        self.0.verifier().to_string()
    }
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization URL.
    #[napi(getter)]
    pub fn challenge(&self) -> String {
        self.0.challenge().to_string()
    }
    /// Always `"S256"`.
    #[napi(getter)]
    pub fn method(&self) -> String {
        self.0.method().to_string()
    }
    /// What `JSON.stringify` shows, as JSON text: the verifier as `[redacted]`.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
    /// The core's debug form, without the verifier.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// An authorization URL and what the client keeps until the user comes back: pass `state`
/// to `client.parseCallback`, and `pkce.verifier` as `codeVerifier` to
/// `client.authorizationCode`. `toJSON`, `util.inspect` and `toString` hide the verifier.
#[napi]
pub struct AuthorizationRequest(pub(crate) core::AuthorizationRequest);

impl From<core::AuthorizationRequest> for AuthorizationRequest {
    fn from(r: core::AuthorizationRequest) -> Self {
        AuthorizationRequest(r)
    }
}

#[napi]
impl AuthorizationRequest {
    /// The URL to send the user's browser to.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.0.url.clone()
    }
    /// Compare it with the callback's (`client.parseCallback`).
    #[napi(getter)]
    pub fn state(&self) -> String {
        self.0.state.clone()
    }
    #[napi(getter)]
    pub fn nonce(&self) -> Option<String> {
        self.0.nonce.clone()
    }
    /// Its verifier goes with the code to the token endpoint.
    #[napi(getter)]
    pub fn pkce(&self) -> Pkce {
        Pkce(self.0.pkce.clone())
    }
    #[napi(getter)]
    pub fn redirect_uri(&self) -> String {
        self.0.redirect_uri.clone()
    }
    /// The `max_age` sent, in milliseconds (whole seconds on the wire).
    #[napi(getter)]
    pub fn max_age_ms(&self) -> Option<i64> {
        self.0.max_age.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }
    /// The reference the server gave a pushed request's parameters (RFC 9126), which `url`
    /// carries instead of them; null when they are in the URL.
    #[napi(getter)]
    pub fn request_uri(&self) -> Option<String> {
        self.0.request_uri.clone()
    }
    /// The one value a web app keeps between the steps of a sign-in (state, nonce, PKCE
    /// verifier, redirect URI), as JSON text. It holds the verifier, a secret: keep it in the
    /// server-side session or an encrypted cookie.
    #[napi]
    pub fn to_session_json(&self) -> String {
        self.0.to_json()
    }

    /// What `JSON.stringify` shows, as JSON text: the PKCE verifier as `[redacted]`.
    #[napi]
    pub fn redacted_json(&self) -> String {
        shown_json(&self.0).to_string()
    }
    /// The core's debug form, without the verifier.
    #[napi(js_name = "toString")]
    pub fn summary(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// `client.authorizationUrl(redirectUri, {...})` options; `pkce` arrives as its own argument
/// (a `Pkce` instance cannot cross in an options bag), but is a known name.
pub fn authorization_options(bag: &OptionBag, pkce: Option<&Pkce>) -> core::Result<core::AuthorizationOptions> {
    bag.check_names(&["scope", "state", "nonce", "pkce", "extra", "maxAgeMs"])?;
    Ok(core::AuthorizationOptions {
        scope: bag.text("scope")?,
        state: bag.text("state")?,
        nonce: bag.text("nonce")?,
        pkce: pkce.map(|p| p.0.clone()),
        extra: bag.pairs("extra")?.unwrap_or_default(),
        max_age: bag.millis("maxAgeMs", core::options::MAX_AGE)?,
    })
}
