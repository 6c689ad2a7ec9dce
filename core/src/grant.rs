//! The grants: what goes in the body of a token request (RFC 6749 §4, RFC 8628, RFC 8693).

use crate::redact::is_secret_member;
use crate::secret::Secret;

/// Grant type URIs and names.
pub mod grant_type {
    pub const CLIENT_CREDENTIALS: &str = "client_credentials";
    pub const REFRESH_TOKEN: &str = "refresh_token";
    pub const PASSWORD: &str = "password";
    pub const AUTHORIZATION_CODE: &str = "authorization_code";
    pub const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
    pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
    /// RFC 7523 §2.1: a signed JWT as the grant.
    pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    /// Gusto's grant for a system access token.
    pub const GUSTO_SYSTEM_ACCESS: &str = "system_access";
}

/// RFC 8693 token type identifiers.
pub mod token_type {
    pub const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
    pub const REFRESH_TOKEN: &str = "urn:ietf:params:oauth:token-type:refresh_token";
    pub const ID_TOKEN: &str = "urn:ietf:params:oauth:token-type:id_token";
    pub const JWT: &str = "urn:ietf:params:oauth:token-type:jwt";
}

/// One token request: a grant type and its parameters.
///
/// Client authentication is not part of it; the [`TokenClient`](crate::TokenClient) adds that.
/// A credential parameter (`password`, `refresh_token`, `code`, `code_verifier`, an assertion,
/// any name [`is_secret_member`] matches) is held as a [`Secret`] from the moment it is added,
/// so `Debug` shows it as `[redacted]`; [`Self::expose_params`] is the one way to read it.
///
/// ```
/// use tokenfetch::TokenRequest;
/// let req = TokenRequest::password("ann", "hunter2").scope("read write");
/// assert_eq!(req.grant_type(), "password");
/// assert!(!format!("{req:?}").contains("hunter2"));
/// ```
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TokenRequest {
    grant_type: String,
    params: Vec<Param>,
    /// What an ID token in the answer is checked against besides the client's own settings.
    id_token: IdTokenExpectation,
}

/// What a request expects of the ID token its answer carries, from the authorization request
/// it completes (`nonce`, `max_age`) or the grant it refreshes (the first ID token's claims).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct IdTokenExpectation {
    pub nonce: Option<String>,
    pub max_age: Option<std::time::Duration>,
    pub previous: Option<Box<crate::id_token::IdTokenClaims>>,
}

/// One body parameter. Whether its value is a credential is decided when it is added, by its
/// name, once.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Param {
    Plain(String, String),
    Credential(String, Secret),
}

impl Param {
    fn new(name: String, value: String) -> Param {
        if is_secret_member(&name) {
            Param::Credential(name, value.into())
        } else {
            Param::Plain(name, value)
        }
    }

    fn name(&self) -> &str {
        match self {
            Param::Plain(name, _) | Param::Credential(name, _) => name,
        }
    }

    fn exposed(&self) -> (&str, &str) {
        match self {
            Param::Plain(name, value) => (name, value),
            Param::Credential(name, value) => (name, value.expose_str()),
        }
    }
}

impl TokenRequest {
    /// Any grant, by its `grant_type` value. Add parameters with [`Self::param`].
    pub fn custom(grant_type: impl Into<String>) -> Self {
        TokenRequest {
            grant_type: grant_type.into(),
            params: Vec::new(),
            id_token: IdTokenExpectation::default(),
        }
    }

    /// RFC 6749 §4.4.
    pub fn client_credentials() -> Self {
        Self::custom(grant_type::CLIENT_CREDENTIALS)
    }

    /// RFC 6749 §6.
    pub fn refresh_token(refresh_token: impl Into<String>) -> Self {
        Self::custom(grant_type::REFRESH_TOKEN).param("refresh_token", refresh_token)
    }

    /// RFC 6749 §4.3, the resource owner password grant.
    pub fn password(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self::custom(grant_type::PASSWORD)
            .param("username", username)
            .param("password", password)
    }

    /// RFC 6749 §4.1.3, with the PKCE verifier of RFC 7636 when one was used.
    pub fn authorization_code(
        code: impl Into<String>,
        redirect_uri: Option<&str>,
        code_verifier: Option<&str>,
    ) -> Self {
        Self::custom(grant_type::AUTHORIZATION_CODE)
            .param("code", code)
            .param_opt("redirect_uri", redirect_uri)
            .param_opt("code_verifier", code_verifier)
    }

    /// The ID token in the answer must carry this `nonce`: the one the authorization request
    /// sent. [`TokenClient::exchange_code`](crate::TokenClient::exchange_code) sets it.
    pub fn expect_nonce(mut self, nonce: impl Into<String>) -> Self {
        self.id_token.nonce = Some(nonce.into());
        self
    }

    /// The authorization request asked for `max_age`: the ID token's `auth_time` must be
    /// within it.
    pub fn expect_max_age(mut self, max_age: std::time::Duration) -> Self {
        self.id_token.max_age = Some(max_age);
        self
    }

    /// A refresh of the grant whose first ID token had these claims: an ID token in the
    /// answer must name the same `iss`, `sub` and `aud` (OIDC Core §12.2).
    pub fn after_id_token(mut self, claims: &crate::id_token::IdTokenClaims) -> Self {
        self.id_token.previous = Some(Box::new(claims.clone()));
        self
    }

    /// What the ID token in the answer is checked against besides the client's settings.
    pub fn id_token_expectation(&self) -> &IdTokenExpectation {
        &self.id_token
    }

    /// RFC 8628 §3.4: polls for the token of a device authorization.
    pub fn device_code(device_code: impl Into<String>) -> Self {
        Self::custom(grant_type::DEVICE_CODE).param("device_code", device_code)
    }

    /// RFC 8693: exchanges `subject_token` (of type `subject_token_type`, see [`token_type`]).
    /// Add `actor_token`, `requested_token_type`, `audience` or `resource` as needed.
    pub fn token_exchange(subject_token: impl Into<String>, subject_token_type: impl Into<String>) -> Self {
        Self::custom(grant_type::TOKEN_EXCHANGE)
            .param("subject_token", subject_token)
            .param("subject_token_type", subject_token_type)
    }

    /// RFC 7523 §2.1, the JWT bearer grant, with an assertion the client signs for each
    /// request from its `private_key`: `iss` the client id (a Google service account's email
    /// in that preset), `sub` the `assertion_subject` or else the issuer, `aud` the token
    /// endpoint, a fresh `jti`.
    pub fn jwt_bearer() -> Self {
        Self::custom(grant_type::JWT_BEARER)
    }

    /// RFC 7523 §2.1 with an assertion made elsewhere, sent as it is.
    pub fn jwt_bearer_assertion(assertion: impl Into<String>) -> Self {
        Self::custom(grant_type::JWT_BEARER).param("assertion", assertion)
    }

    /// Gusto's `system_access` grant (client id and secret only).
    pub fn gusto_system_access() -> Self {
        Self::custom(grant_type::GUSTO_SYSTEM_ACCESS)
    }

    /// Requests these scopes (space-delimited). Replaces any scope set before.
    pub fn scope(self, scope: impl Into<String>) -> Self {
        self.set("scope", scope.into())
    }

    /// Sets the scope when there is one; `None` leaves the request as it is.
    pub fn scope_opt(self, scope: Option<&str>) -> Self {
        match scope {
            Some(s) => self.scope(s),
            None => self,
        }
    }

    /// RFC 8693 / RFC 8707 `audience`. May be repeated.
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.param("audience", audience)
    }

    /// RFC 8707 resource indicator. May be repeated.
    pub fn resource(self, resource: impl Into<String>) -> Self {
        self.param("resource", resource)
    }

    /// Adds a parameter. Repeating a name sends it repeatedly (form) or as an array (JSON).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push(Param::new(name.into(), value.into()));
        self
    }

    /// The grant a `TokenManager` runs, from what a binding's caller set: `grant_type` with its
    /// `params`, else `default` (the client's own grant); `scope` applies either way. Params
    /// without a grant type are a `config` error, not extra parameters for `default`: whether
    /// they suit the client's grant is a guess no language makes. `names` are the caller's
    /// spellings of the three (`grant_type`, `params`, `scope` in Python; `grantType` in Node).
    pub fn for_manager(
        grant_type: Option<&str>,
        params: Option<Vec<(String, String)>>,
        scope: Option<&str>,
        default: TokenRequest,
        [grant_name, params_name, _]: [&str; 3],
    ) -> crate::Result<TokenRequest> {
        let mut request = match (grant_type, &params) {
            (Some(grant), _) => Self::custom(grant),
            (None, Some(_)) => {
                return Err(crate::Error::config(format!(
                    "{params_name} need a {grant_name} to go with"
                )));
            }
            (None, None) => default,
        };
        for (k, v) in params.unwrap_or_default() {
            request = request.param(k, v);
        }
        Ok(request.scope_opt(scope))
    }

    fn param_opt(self, name: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.param(name, v),
            None => self,
        }
    }

    /// Sets a parameter, replacing every earlier value of that name.
    pub fn set(mut self, name: &str, value: String) -> Self {
        self.params.retain(|p| p.name() != name);
        self.params.push(Param::new(name.to_string(), value));
        self
    }

    pub fn grant_type(&self) -> &str {
        &self.grant_type
    }

    /// The parameters other than `grant_type`, in the order they were added, credentials
    /// included: for the one place that encodes the request body.
    pub fn expose_params(&self) -> Vec<(&str, &str)> {
        self.params.iter().map(Param::exposed).collect()
    }

    /// The first value of a parameter, a credential's included (`expose_` because it may be
    /// one: `get("refresh_token")`).
    pub fn expose_param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .map(Param::exposed)
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The parameter names, in the order they were added (repeated names repeat).
    pub fn param_names(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(Param::name)
    }

    /// Renamed [`Self::expose_params`], so that reading a credential says so.
    #[deprecated(note = "use expose_params(): it returns credentials too")]
    pub fn params(&self) -> Vec<(&str, &str)> {
        self.expose_params()
    }

    /// Renamed [`Self::expose_param`], so that reading a credential says so.
    #[deprecated(note = "use expose_param(): it may return a credential")]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.expose_param(name)
    }

    pub(crate) fn has(&self, name: &str) -> bool {
        self.param_names().any(|k| k == name)
    }

    /// Values of credential parameters, to scrub from anything the server sends back.
    pub(crate) fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.params.iter().filter_map(|p| match p {
            Param::Credential(_, value) => Some(value.expose_str()),
            Param::Plain(..) => None,
        })
    }

    /// True when the request carries a credential the server accepts only once: the
    /// `refresh_token` grant (servers rotate refresh tokens), `authorization_code`, the
    /// device code grant, and any request with a PKCE `code_verifier`. Such a request is
    /// never replayed once it may have reached the server (see `client/send.rs`), and a
    /// [`TokenManager`](crate::TokenManager) never sends it twice.
    pub fn is_single_use(&self) -> bool {
        matches!(
            self.grant_type.as_str(),
            grant_type::REFRESH_TOKEN | grant_type::AUTHORIZATION_CODE | grant_type::DEVICE_CODE
        ) || self.has("code_verifier")
    }
}
