//! The front channel of the authorization code flow: PKCE (RFC 7636), the authorization URL,
//! and reading the redirect back (RFC 6749 §4.1.2, RFC 9207).
//!
//! The client never sees the user's browser. It builds the URL to send the user to, keeps
//! the `state`, `nonce` and PKCE verifier it chose, and later reads the URL the server
//! redirected back to. [`parse_callback`] accepts the code only when `state` is the one sent
//! (CSRF, RFC 6749 §10.12) and, when the server names its issuer, when that is the issuer
//! the client trusts (mix-up, RFC 9207).

use base64::Engine as _;
use url::Url;

use crate::error::{Error, OAuthErrorBody, Result};
use crate::redact::view::{debug_through_redacted_view, Redacted, RedactedView};
use crate::secret::Secret;

/// A PKCE pair: the secret verifier the client keeps, and the S256 challenge it sends.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    verifier: Secret,
    challenge: String,
}

/// The shortest and longest verifier RFC 7636 §4.1 allows.
pub const PKCE_VERIFIER_LENGTH: std::ops::RangeInclusive<usize> = 43..=128;

impl Pkce {
    /// A fresh pair: 32 bytes from the operating system's CSPRNG, as 43 base64url characters.
    pub fn generate() -> Result<Pkce> {
        Self::from_verifier(random_urlsafe(32)?)
    }

    /// The pair for a verifier the caller chose: 43 to 128 characters, each a letter, a digit
    /// or one of `-._~` (RFC 7636 §4.1).
    pub fn from_verifier(verifier: impl Into<String>) -> Result<Pkce> {
        let verifier = verifier.into();
        let length = verifier.chars().count();
        if !PKCE_VERIFIER_LENGTH.contains(&length) {
            return Err(Error::config(format!(
                "a PKCE code_verifier must be 43 to 128 characters long, not {length} (RFC 7636 §4.1)"
            )));
        }
        if let Some((at, bad)) = verifier
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~')))
        {
            // The character is named by position and code point only: the verifier is a secret.
            return Err(Error::config(format!(
                "a PKCE code_verifier may hold only letters, digits and -._~; character {} is U+{:04X}",
                at + 1,
                bad as u32
            )));
        }
        let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref());
        Ok(Pkce {
            verifier: verifier.into(),
            challenge,
        })
    }

    /// The secret to send with the authorization code (`code_verifier`).
    pub fn verifier(&self) -> &str {
        self.verifier.expose_str()
    }

    /// `BASE64URL(SHA256(verifier))`, sent in the authorization URL (`code_challenge`).
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// Always `"S256"`: the `plain` method gives no protection against a stolen code.
    pub fn method(&self) -> &'static str {
        "S256"
    }
}

/// `bytes` random bytes from the OS CSPRNG, base64url without padding.
pub(crate) fn random_urlsafe(bytes: usize) -> Result<String> {
    let mut buffer = vec![0u8; bytes];
    fill_random(&mut buffer)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer))
}

/// Fills `buffer` from the OS CSPRNG.
pub(crate) fn fill_random(buffer: &mut [u8]) -> Result<()> {
    use ring::rand::SecureRandom as _;
    ring::rand::SystemRandom::new()
        .fill(buffer)
        .map_err(|_| Error::config("the operating system's random number generator is unavailable"))
}

/// What goes into an authorization URL besides `redirect_uri`. Everything left out is
/// chosen: a random `state`, a fresh PKCE pair, the client's default scope.
#[derive(Clone, Debug, Default)]
pub struct AuthorizationOptions {
    pub scope: Option<String>,
    pub state: Option<String>,
    /// OpenID Connect `nonce`. Left out, a random one is made when the scope has `openid`,
    /// so that the ID token can be tied to this request.
    pub nonce: Option<String>,
    pub pkce: Option<Pkce>,
    /// OpenID Connect `max_age`: the user must have signed in within it; the ID token's
    /// `auth_time` is then checked.
    pub max_age: Option<std::time::Duration>,
    /// More query parameters (`prompt`, `login_hint`, `resource`, ...). They may not replace
    /// the ones above or `response_type`, `client_id` and `redirect_uri`.
    pub extra: Vec<(String, String)>,
}

/// An authorization URL and what the client must keep until the user comes back.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The URL to send the user's browser to.
    pub url: String,
    /// Compare it with the callback's (see [`parse_callback`]).
    pub state: String,
    pub nonce: Option<String>,
    /// Its verifier goes with the code to the token endpoint.
    pub pkce: Pkce,
    pub redirect_uri: String,
    /// The `max_age` sent, checked against the ID token's `auth_time`.
    pub max_age: Option<std::time::Duration>,
    /// RFC 9126: the reference the server gave the pushed parameters, which `url` carries
    /// instead of them. None for a request whose parameters are in its URL.
    pub request_uri: Option<String>,
}

impl Redacted for Pkce {
    fn redacted_view(&self) -> RedactedView {
        RedactedView::new("Pkce")
            .secret("verifier", true)
            .show("challenge", self.challenge.as_str())
            .show("method", self.method())
    }
}

impl Redacted for AuthorizationRequest {
    fn redacted_view(&self) -> RedactedView {
        RedactedView::new("AuthorizationRequest")
            .show("url", self.url.as_str())
            .show("state", self.state.as_str())
            .show("nonce", self.nonce.as_deref())
            .nested("pkce", Some(self.pkce.redacted_view()))
            .show("redirect_uri", self.redirect_uri.as_str())
            .show("max_age", self.max_age.map(|d| d.as_secs()))
            .show("request_uri", self.request_uri.as_deref())
    }
}

debug_through_redacted_view!(Pkce, AuthorizationRequest);

impl AuthorizationRequest {
    /// What a web app keeps between sending the user away and the callback, as one JSON text:
    /// the state, nonce, `max_age`, redirect URI and the PKCE verifier. The verifier is a
    /// secret: keep the text where the session's other secrets are (server-side, or in an
    /// encrypted cookie), never in a URL or a log.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "url": self.url,
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.pkce.verifier(),
            "redirect_uri": self.redirect_uri,
            "max_age": self.max_age.map(|d| d.as_secs()),
            "request_uri": self.request_uri,
        })
        .to_string()
    }

    /// Reads back what [`Self::to_json`] wrote. A text that is not one is a `config` error
    /// that does not quote it.
    pub fn from_json(text: &str) -> Result<AuthorizationRequest> {
        let bad = |what: &str| Error::config(format!("not a stored authorization request: {what}"));
        let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad("not JSON"))?;
        let text_of = |name: &str| value.get(name).and_then(serde_json::Value::as_str).map(str::to_string);
        Ok(AuthorizationRequest {
            url: text_of("url").ok_or_else(|| bad("no url"))?,
            state: text_of("state")
                .filter(|s| !s.is_empty())
                .ok_or_else(|| bad("no state"))?,
            nonce: text_of("nonce"),
            pkce: Pkce::from_verifier(text_of("code_verifier").ok_or_else(|| bad("no code_verifier"))?)?,
            redirect_uri: text_of("redirect_uri").ok_or_else(|| bad("no redirect_uri"))?,
            max_age: value
                .get("max_age")
                .and_then(serde_json::Value::as_u64)
                .map(std::time::Duration::from_secs),
            request_uri: text_of("request_uri"),
        })
    }
}

/// Parameters tokenfetch sets itself, or that would authenticate the client a second way (in a
/// pushed request's body, or in a URL the browser shows).
const RESERVED: [&str; 12] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "nonce",
    "code_challenge",
    "code_challenge_method",
    "max_age",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

/// Builds the URL. `endpoint` is the server's `authorization_endpoint`; its own query is kept.
pub(crate) fn build_authorization_url(
    endpoint: &Url,
    client_id: Option<&str>,
    default_scope: Option<&str>,
    redirect_uri: &str,
    options: AuthorizationOptions,
) -> Result<AuthorizationRequest> {
    authorization_params(endpoint, client_id, default_scope, redirect_uri, options).map(|(request, _)| request)
}

/// The request [`build_authorization_url`] makes, with the parameters in its URL: what a
/// pushed authorization request (RFC 9126) sends in a POST body instead.
pub(crate) fn authorization_params(
    endpoint: &Url,
    client_id: Option<&str>,
    default_scope: Option<&str>,
    redirect_uri: &str,
    options: AuthorizationOptions,
) -> Result<(AuthorizationRequest, Vec<(String, String)>)> {
    let client_id = client_id.ok_or_else(|| Error::config("an authorization URL needs the client's client_id"))?;
    let redirect = Url::parse(redirect_uri.trim())
        .map_err(|e| Error::config(format!("redirect_uri is not an absolute URL: {e}")))?;
    if redirect.fragment().is_some() {
        return Err(Error::config("redirect_uri may not have a #fragment (RFC 6749 §3.1.2)"));
    }
    if let Some(max_age) = options.max_age {
        crate::options::MAX_AGE.check_duration("max_age", max_age)?;
    }
    for (name, _) in &options.extra {
        if name.starts_with("client_") && RESERVED.contains(&name.as_str()) {
            return Err(Error::config(format!(
                "extra parameter {name:?} would authenticate the client a second way (or show a credential \
                 in the browser); the client's own authentication is set on the client"
            )));
        }
        if RESERVED.contains(&name.as_str()) {
            return Err(Error::config(format!(
                "extra parameter {name:?} would replace one tokenfetch sets; pass it as its own option"
            )));
        }
    }
    let state = match options.state {
        Some(s) if s.is_empty() => return Err(Error::config("state is empty; leave it out to get a random one")),
        Some(s) => s,
        None => random_urlsafe(24)?,
    };
    let pkce = match options.pkce {
        Some(p) => p,
        None => Pkce::generate()?,
    };
    let scope = options.scope.or_else(|| default_scope.map(str::to_string));
    let openid = scope
        .as_deref()
        .is_some_and(|s| s.split_whitespace().any(|s| s == "openid"));
    let nonce = match options.nonce {
        Some(n) if n.is_empty() => return Err(Error::config("nonce is empty; leave it out to get a random one")),
        Some(n) => Some(n),
        None if openid => Some(random_urlsafe(24)?),
        None => None,
    };
    let mut params: Vec<(String, String)> = vec![
        ("response_type".into(), "code".into()),
        ("client_id".into(), client_id.into()),
        ("redirect_uri".into(), redirect_uri.trim().into()),
    ];
    if let Some(scope) = &scope {
        params.push(("scope".into(), scope.clone()));
    }
    params.push(("state".into(), state.clone()));
    if let Some(nonce) = &nonce {
        params.push(("nonce".into(), nonce.clone()));
    }
    if let Some(max_age) = options.max_age {
        params.push(("max_age".into(), max_age.as_secs().to_string()));
    }
    params.push(("code_challenge".into(), pkce.challenge().into()));
    params.push(("code_challenge_method".into(), pkce.method().into()));
    params.extend(options.extra);
    let request = AuthorizationRequest {
        url: with_query(endpoint, &params),
        state,
        nonce,
        pkce,
        redirect_uri: redirect_uri.trim().to_string(),
        max_age: options.max_age,
        request_uri: None,
    };
    Ok((request, params))
}

/// `endpoint` with `params` appended to whatever query it already has.
pub(crate) fn with_query(endpoint: &Url, params: &[(String, String)]) -> String {
    let mut url = endpoint.clone();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// Reads the URL the server redirected the user back to and returns the authorization code.
///
/// - `state` must equal `expected_state`, else a `config` error: the response was not made
///   for this request (CSRF, or a stale tab), and its code must not be redeemed.
/// - An `iss` parameter must equal `issuer` when the client knows its issuer (RFC 9207).
///   When the server promised one (`authorization_response_iss_parameter_supported`), it
///   must be present.
/// - An `error` parameter is the server's answer: an `oauth` error with its code
///   (`access_denied`, ...). The state is checked first, so a forged error is not believed.
///
/// The parameters are read from the query, or from the fragment when the query has none.
pub fn parse_callback(
    callback_url: &str,
    expected_state: &str,
    issuer: Option<&str>,
    iss_required: bool,
) -> Result<String> {
    if expected_state.is_empty() {
        // An empty expected state would match a callback with `state=`: no CSRF check at all.
        return Err(Error::config(
            "expected_state is empty: pass the state of the authorization request this callback answers",
        ));
    }
    let url = Url::parse(callback_url.trim())
        .map_err(|e| Error::config(format!("the callback is not an absolute URL: {e}")))?;
    let mut params: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    if params.is_empty() {
        if let Some(fragment) = url.fragment() {
            params = form_urlencoded::parse(fragment.as_bytes()).into_owned().collect();
        }
    }
    let get = |name: &str| -> Result<Option<&str>> {
        let mut values = params.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(Error::config(format!(
                "the callback repeats the {name} parameter; it is refused (RFC 6749 §3.1)"
            )));
        }
        Ok(first)
    };
    match get("state")? {
        Some(state) if constant_time_eq(state.as_bytes(), expected_state.as_bytes()) => {}
        Some(_) => {
            return Err(Error::config(
                "the callback's state does not match the one this request sent; \
                 its code must not be used (RFC 6749 §10.12)",
            ))
        }
        None => {
            return Err(Error::config(
                "the callback has no state parameter, so it cannot be matched to this request",
            ))
        }
    }
    match (get("iss")?, issuer) {
        (Some(iss), Some(expected)) if !crate::discovery::same_issuer(iss, expected) => {
            return Err(Error::config(format!(
                "the callback comes from issuer {iss:?}, not {expected:?} (RFC 9207); its code must not be used"
            )))
        }
        (None, Some(expected)) if iss_required => {
            return Err(Error::config(format!(
                "the callback has no iss parameter, though {expected:?} says it always sends one (RFC 9207)"
            )))
        }
        _ => {}
    }
    if let Some(code) = get("error")? {
        return Err(Error::OAuth {
            body: OAuthErrorBody {
                error: code.to_string(),
                error_description: get("error_description")?.map(str::to_string),
                error_uri: get("error_uri")?.map(str::to_string),
            },
            // The error came through the browser, not as an HTTP answer to the client.
            status: crate::error::NO_HTTP_STATUS,
            http_meta: None,
        });
    }
    match get("code")? {
        Some(code) if !code.is_empty() => Ok(code.to_string()),
        _ => Err(Error::config("the callback has neither a code nor an error parameter")),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc7636_appendix_b_example() {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(pkce.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(pkce.method(), "S256");
        assert!(!format!("{pkce:?}").contains("dBjftJeZ"));
    }

    #[test]
    fn generated_verifiers_are_43_unreserved_characters_and_differ() {
        let a = Pkce::generate().unwrap();
        let b = Pkce::generate().unwrap();
        assert_eq!(a.verifier().len(), 43);
        assert!(Pkce::from_verifier(a.verifier()).is_ok());
        assert_ne!(a.verifier(), b.verifier());
    }

    #[test]
    fn verifiers_outside_the_rules_are_refused_without_echoing_them() {
        assert!(Pkce::from_verifier("a".repeat(42)).is_err());
        assert!(Pkce::from_verifier("a".repeat(129)).is_err());
        assert!(Pkce::from_verifier("a".repeat(128)).is_ok());
        let e = Pkce::from_verifier(format!("{}+secret", "a".repeat(43))).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(e.to_string().contains("U+002B"), "{e}");
    }

    #[test]
    fn state_is_checked_before_an_error_is_believed() {
        let e = parse_callback("https://app/cb?error=access_denied&state=forged", "mine", None, false).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        let e = parse_callback("https://app/cb?error=access_denied&state=mine", "mine", None, false).unwrap_err();
        assert_eq!(e.oauth_code(), Some("access_denied"));
        assert_eq!(
            parse_callback("https://app/cb?code=c1&state=mine", "mine", None, false).unwrap(),
            "c1"
        );
        assert!(parse_callback("https://app/cb?code=c1&state=mine&state=mine", "mine", None, false).is_err());
        // A careless caller's empty expected state must not accept `state=`.
        assert!(parse_callback("https://app/cb?code=c1&state=", "", None, false).is_err());
    }

    #[test]
    fn rfc9207_iss_must_match_and_may_be_required() {
        let ok = "https://app/cb?code=c&state=s&iss=https%3A%2F%2Fas.example";
        assert!(parse_callback(ok, "s", Some("https://as.example"), true).is_ok());
        let evil = "https://app/cb?code=c&state=s&iss=https%3A%2F%2Fevil.example";
        assert!(parse_callback(evil, "s", Some("https://as.example"), false).is_err());
        assert!(parse_callback("https://app/cb?code=c&state=s", "s", Some("https://as.example"), true).is_err());
        assert!(parse_callback("https://app/cb?code=c&state=s", "s", Some("https://as.example"), false).is_ok());
    }
}
