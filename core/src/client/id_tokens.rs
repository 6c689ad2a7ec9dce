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
    ///
    /// An OpenID sign-in (the request sent a nonce) on a client that cannot validate ID tokens
    /// is refused before the code is spent: its ID token would be handed over unchecked.
    pub fn exchange_code(&self, request: &AuthorizationRequest, callback_url: &str) -> Result<TokenResponse> {
        if request.nonce.is_some() && !self.validates_id_tokens() {
            return Err(Error::config(
                "this client cannot validate the ID token of an OpenID sign-in: it needs its issuer, client_id \
                 and the issuer's jwks_uri (build it with TokenClient::discover, or set issuer and jwks_uri)",
            ));
        }
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

    /// The user's claims from the userinfo endpoint (OIDC Core §5.3), with `access_token`. When
    /// `expected_sub` is given (the sign-in's ID token's `sub`), the answer's `sub` must be it
    /// (§5.3.4), else an `id_token` error with check `sub`: a userinfo answer for another user
    /// must not be merged into this one's session. A signed answer (`application/jwt`) is
    /// verified as an ID token is: the issuer's keys, the algorithm allowlist, `iss` and `aud`
    /// when present.
    pub fn userinfo(
        &self,
        access_token: &str,
        expected_sub: Option<&str>,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let config = &self.inner.config;
        let endpoint = config.userinfo_endpoint.as_ref().ok_or_else(|| {
            Error::config(
                "this client has no userinfo_endpoint: build it with TokenClient::discover(issuer) from an \
                 OpenID provider, or set userinfo_endpoint",
            )
        })?;
        if access_token.trim().is_empty() {
            return Err(Error::config(
                "userinfo needs the access token of the sign-in; it is empty",
            ));
        }
        let prepare = |_| Ok(super::encode::prepare_bearer_get(config, &endpoint.url, access_token));
        let mut reached = false;
        let answer = self.inner.attempts(
            prepare,
            false,
            config.retry.max_retries,
            &mut reached,
            |prepared, exchange| {
                let signed = exchange.headers.iter().any(|(name, value)| {
                    name.eq_ignore_ascii_case("content-type")
                        && value.trim().to_ascii_lowercase().starts_with("application/jwt")
                });
                if signed && (200..300).contains(&exchange.status) {
                    let text = String::from_utf8_lossy(&exchange.body).trim().to_string();
                    return Ok(Userinfo::Signed(crate::secret::Secret::new(text)));
                }
                let members = crate::parse::parse_object_answer(
                    exchange.status,
                    &exchange.headers,
                    &exchange.body,
                    config.max_response_bytes,
                )?
                .ok_or_else(|| Error::decode(format!("the userinfo answer from {} is empty", endpoint.shown)))?;
                Ok(Userinfo::Plain(crate::redact::scrub_members(
                    members,
                    &prepared.secrets,
                )))
            },
        )?;
        let claims = match answer {
            Userinfo::Plain(members) => members,
            Userinfo::Signed(jwt) => self.verified_userinfo(jwt.expose_str())?,
        };
        let sub = claims.get("sub").and_then(serde_json::Value::as_str).ok_or_else(|| {
            Error::decode(format!(
                "the userinfo answer from {} has no sub (OIDC Core §5.3.2)",
                endpoint.shown
            ))
        })?;
        if let Some(expected) = expected_sub {
            if expected != sub {
                return Err(id_token::IdTokenFailure {
                    check: id_token::IdTokenCheck::Subject,
                    message: "the userinfo answer is for another user (sub) than the ID token; it must not be used (OIDC Core §5.3.4)"
                        .into(),
                }
                .into());
            }
        }
        Ok(claims)
    }

    /// A signed userinfo answer's claims, verified with the issuer's keys.
    fn verified_userinfo(&self, jwt: &str) -> Result<serde_json::Map<String, serde_json::Value>> {
        let config = &self.inner.config;
        let jws = id_token::jws::parse(jwt)?;
        let algorithm = jws
            .algorithm
            .parse::<Algorithm>()
            .ok()
            .filter(|a| config.id_token_algorithms.contains(a) && *a != Algorithm::HS256)
            .ok_or_else(|| {
                Error::from(id_token::IdTokenFailure {
                    check: id_token::IdTokenCheck::Algorithm,
                    message: format!(
                        "the signed userinfo answer uses {}, not one of the allowed algorithms",
                        crate::redact::shown_choice(&jws.algorithm)
                    ),
                })
            })?;
        self.jwks(algorithm, jws.key_id.as_deref())?.verify(&jws, algorithm)?;
        let text = |name: &str| jws.claims.get(name).and_then(serde_json::Value::as_str);
        if let (Some(iss), Some(issuer)) = (text("iss"), config.issuer.as_deref()) {
            if !crate::discovery::same_issuer(iss, issuer) {
                return Err(id_token::IdTokenFailure {
                    check: id_token::IdTokenCheck::Issuer,
                    message: format!(
                        "the signed userinfo answer was issued by {}",
                        crate::redact::shown_choice(iss)
                    ),
                }
                .into());
            }
        }
        if let (Some(aud), Some(client_id)) = (jws.claims.get("aud"), config.client_id.as_deref()) {
            let ours = match aud {
                serde_json::Value::String(a) => a == client_id,
                serde_json::Value::Array(items) => items.iter().any(|a| a.as_str() == Some(client_id)),
                _ => false,
            };
            if !ours {
                return Err(id_token::IdTokenFailure {
                    check: id_token::IdTokenCheck::Audience,
                    message: "the signed userinfo answer is for another client (aud)".into(),
                }
                .into());
            }
        }
        Ok(jws.claims)
    }

    /// The URL that signs the user out at the provider (OpenID Connect RP-Initiated Logout
    /// 1.0), from the `end_session_endpoint`: with the ID token as `id_token_hint`, where to
    /// send the user afterwards (registered with the provider), and a `state` to find the
    /// request again. The client id is sent as `client_id`. No network call.
    pub fn end_session_url(
        &self,
        id_token_hint: Option<&str>,
        post_logout_redirect_uri: Option<&str>,
        state: Option<&str>,
    ) -> Result<String> {
        let config = &self.inner.config;
        let endpoint = config.end_session_endpoint.as_ref().ok_or_else(|| {
            Error::config(
                "this client has no end_session_endpoint: build it with TokenClient::discover(issuer) from a \
                 provider that publishes one, or set end_session_endpoint",
            )
        })?;
        if let Some(uri) = post_logout_redirect_uri {
            url::Url::parse(uri.trim())
                .map_err(|e| Error::config(format!("post_logout_redirect_uri is not an absolute URL: {e}")))?;
        }
        let mut url = endpoint.url.clone();
        {
            let mut query = url.query_pairs_mut();
            if let Some(hint) = id_token_hint {
                query.append_pair("id_token_hint", hint);
            }
            if let Some(uri) = post_logout_redirect_uri {
                query.append_pair("post_logout_redirect_uri", uri.trim());
            }
            if let Some(state) = state {
                query.append_pair("state", state);
            }
            if let Some(client_id) = &config.client_id {
                query.append_pair("client_id", client_id);
            }
        }
        Ok(url.to_string())
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
        jwks::keys_for(&key, config.jwks_ttl, config.timeout, algorithm, kid, || {
            // Whatever the JWKS endpoint answered is about the keys, never about the grant: an
            // `invalid_grant` from it must not read as the refresh token's.
            self.read_jwks(endpoint).map_err(|error| match error {
                Error::IdToken { .. } => error,
                other => Error::IdToken {
                    check: id_token::IdTokenCheck::Jwks,
                    message: format!("the issuer's keys could not be read from {}: {other}", endpoint.shown),
                    http_meta: other.http_meta().cloned().map(Box::new),
                },
            })
        })
    }

    fn read_jwks(&self, endpoint: &super::builder::EndpointUrl) -> Result<jwks::Jwks> {
        let config = &self.inner.config;
        let prepare = |_| Ok(super::encode::prepare_get(&endpoint.url, &config.user_agent, "jwks"));
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
                let keys = jwks::Jwks::parse(&exchange.body).map_err(|failure| {
                    Error::from(id_token::IdTokenFailure {
                        check: failure.check,
                        message: format!("{} (from {})", failure.message, endpoint.shown),
                    })
                })?;
                crate::events::emit(crate::events::Level::Debug, crate::events::names::JWKS_FETCH, || {
                    vec![("url", endpoint.shown.as_str().into()), ("keys", keys.len().into())]
                });
                Ok(keys)
            })
    }
}

/// A userinfo answer as read inside the attempt loop: JSON, or a JWT verified after it.
enum Userinfo {
    Plain(serde_json::Map<String, serde_json::Value>),
    Signed(crate::secret::Secret),
}
