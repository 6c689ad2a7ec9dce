//! ID tokens on the client: whether it validates them, where it gets the issuer's keys, and
//! the sign-in's last step (the callback read, the code exchanged, the ID token checked
//! against the same authorization request). The checks themselves are in
//! [`crate::id_token`].

use std::sync::Arc;

use super::TokenClient;
use crate::authorize::AuthorizationRequest;
use crate::error::{Error, Result};
use crate::grant::TokenRequest;
use crate::id_token::{self, jwks, Expectations, IdTokenClaims};
use crate::jwt::Algorithm;
use crate::model::TokenResponse;
use crate::secret::Secret;

impl TokenClient {
    /// Whether ID tokens in this client's answers are validated: it knows its issuer (by
    /// discovery or set by hand), its client id, and where the issuer's keys are (a
    /// `jwks_uri`), or it verifies HS256 with its secret.
    pub fn validates_id_tokens(&self) -> bool {
        let config = &self.inner.config;
        config.issuer.is_some()
            && config.client_id.is_some()
            && (config.jwks_endpoint.is_some()
                || (config.id_token_algorithms.contains(&Algorithm::HS256) && config.client_secret.is_some()))
    }

    /// The algorithms an ID token may be signed with.
    pub fn id_token_algorithms(&self) -> &[Algorithm] {
        &self.inner.config.id_token_algorithms
    }

    /// Validates an ID token against this client (issuer, client id, algorithms, keys, clock
    /// skew) and what `request` expected of it (nonce, max_age, the first ID token's claims).
    /// `access_token` and `code`, when given, are checked against `at_hash` and `c_hash`.
    pub fn validate_id_token(
        &self,
        id_token: &str,
        request: &TokenRequest,
        access_token: Option<&str>,
        code: Option<&str>,
    ) -> Result<IdTokenClaims> {
        let config = &self.inner.config;
        let (Some(issuer), Some(client_id)) = (config.issuer.as_deref(), config.client_id.as_deref()) else {
            return Err(Error::config(
                "validating an ID token needs the client's issuer and client_id: build the client with \
                 TokenClient::discover(issuer), or set issuer and jwks_uri",
            ));
        };
        let expectation = request.id_token_expectation();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let expected = Expectations {
            issuer,
            client_id,
            algorithms: &config.id_token_algorithms,
            client_secret: config.client_secret.as_ref().map(Secret::expose_str),
            nonce: expectation.nonce.as_deref(),
            max_age: expectation.max_age,
            access_token,
            code,
            previous: expectation.previous.as_deref(),
            clock_skew: config.clock_skew,
            now,
        };
        id_token::validate(id_token, &expected, |algorithm, kid| self.jwks(algorithm, kid))
    }

    /// The answer's ID token validated and its claims attached, when this client validates
    /// ID tokens; the answer as it is otherwise.
    pub(crate) fn with_id_token_checked(
        &self,
        mut token: TokenResponse,
        request: &TokenRequest,
    ) -> Result<TokenResponse> {
        if !self.validates_id_tokens() {
            return Ok(token);
        }
        let Some(id_token) = token.id_token.as_deref() else {
            if request.id_token_expectation().nonce.is_some() {
                // A sign-in that sent a nonce and got no ID token back would pass unchecked.
                return Err(Error::IdToken {
                    check: id_token::IdTokenCheck::Format,
                    message: "the sign-in asked for an ID token (it sent a nonce) and the answer has none: \
                              include the openid scope"
                        .into(),
                    http_meta: None,
                });
            }
            return Ok(token);
        };
        let code = (request.grant_type() == crate::grant::grant_type::AUTHORIZATION_CODE)
            .then(|| request.expose_param("code"))
            .flatten();
        let claims = self.validate_id_token(id_token, request, Some(&token.access_token), code)?;
        token.id_token_claims = Some(claims);
        Ok(token)
    }

    /// The sign-in's last step: reads the URL the user was redirected back to (its `state` and
    /// `iss` checked as [`Self::parse_callback`] does), exchanges the code with the request's
    /// PKCE verifier and redirect URI, and validates the ID token against the same request
    /// (its `nonce` and `max_age`). The claims are on the answer's `id_token_claims`.
    pub fn exchange_code(&self, request: &AuthorizationRequest, callback_url: &str) -> Result<TokenResponse> {
        let code = self.parse_callback(callback_url, &request.state)?;
        let mut grant =
            TokenRequest::authorization_code(code, Some(&request.redirect_uri), Some(request.pkce.verifier()));
        if let Some(nonce) = &request.nonce {
            grant = grant.expect_nonce(nonce.clone());
        }
        if let Some(max_age) = request.max_age {
            grant = grant.expect_max_age(max_age);
        }
        self.fetch(&grant)
    }

    /// The issuer's keys for `algorithm` and `kid`, from the process's cache or read now.
    fn jwks(&self, algorithm: Algorithm, kid: Option<&str>) -> Result<Arc<jwks::Jwks>> {
        let config = &self.inner.config;
        let endpoint = config.jwks_endpoint.as_ref().ok_or_else(|| {
            Error::from(id_token::IdTokenFailure {
                check: id_token::IdTokenCheck::Jwks,
                message: "the token is signed with a key from the issuer's JWKS, and this client has no jwks_uri"
                    .into(),
            })
        })?;
        let key = super::discover::cache_key(config, endpoint.url.as_str());
        jwks::keys_for(&key, config.jwks_ttl, algorithm, kid, || self.read_jwks(endpoint))
    }

    fn read_jwks(&self, endpoint: &super::builder::EndpointUrl) -> Result<jwks::Jwks> {
        let config = &self.inner.config;
        let prepare = |_| Ok(super::encode::prepare_get(&endpoint.url, &config.user_agent));
        let mut reached = false;
        let cap = config.max_response_bytes.min(jwks::MAX_JWKS_BYTES);
        self.inner
            .attempts(prepare, false, config.retry.max_retries, &mut reached, |_, exchange| {
                if !(200..300).contains(&exchange.status) {
                    // Classified as any endpoint's answer: an OAuth error body, else the status.
                    crate::parse::parse_object_answer(exchange.status, &exchange.headers, &exchange.body, cap)?;
                    return Err(Error::HttpStatus {
                        status: exchange.status,
                        body_excerpt: String::new(),
                        http_meta: None,
                    });
                }
                jwks::Jwks::parse(&exchange.body).map_err(|failure| {
                    Error::from(id_token::IdTokenFailure {
                        check: failure.check,
                        message: format!("{} (from {})", failure.message, endpoint.shown),
                    })
                })
            })
    }
}
