//! The endpoints besides the token endpoint: revocation (RFC 7009), introspection
//! (RFC 7662), device authorization and polling (RFC 8628), and the front channel of the
//! authorization code flow. Each request goes through the same attempt loop as a token
//! request: the client's authentication, timeouts, retries, metadata and scrubbing.

use std::time::{Duration, Instant};

use super::builder::EndpointUrl;
use super::encode::{self, Endpoint};
use super::{BodyEncoding, TokenClient};
use crate::authorize::{self, AuthorizationOptions, AuthorizationRequest};
use crate::device::{self, CancelToken, DeviceAuthorization, Next};
use crate::discovery::ServerMetadata;
use crate::error::{Error, Result};
use crate::grant::TokenRequest;
use crate::introspection::Introspection;
use crate::model::TokenResponse;
use crate::parse;
use crate::redact::Secrets;
use crate::transport::Exchange;

/// A `request_uri` longer than this is no reference a browser should carry.
const MAX_REQUEST_URI_BYTES: usize = 2048;

impl TokenClient {
    /// Revokes a token (RFC 7009): an access token, or a refresh token and the grant behind
    /// it. `token_type_hint` is `"access_token"` or `"refresh_token"`, when known. A 200 is
    /// success whatever its body, since servers answer the same for a token they never knew.
    pub fn revoke(&self, token: &str, token_type_hint: Option<&str>) -> Result<()> {
        let config = &self.inner.config;
        let endpoint = self.endpoint(&config.revocation_endpoint, "revocation_endpoint")?;
        self.post_form(
            endpoint,
            "revocation",
            token_params(token, token_type_hint),
            &[token],
            |exchange, _| {
                // RFC 7009 §2.2: a 200 is success, and its body has no meaning.
                if (200..300).contains(&exchange.status) {
                    return Ok(());
                }
                self.members(exchange)?;
                Err(Error::HttpStatus {
                    status: exchange.status,
                    body_excerpt: String::new(),
                    http_meta: None,
                })
            },
        )
    }

    /// Asks the server about a token (RFC 7662). An expired, revoked or unknown token gives
    /// `active: false`, not an error.
    pub fn introspect(&self, token: &str, token_type_hint: Option<&str>) -> Result<Introspection> {
        let endpoint = self.endpoint(&self.inner.config.introspection_endpoint, "introspection_endpoint")?;
        self.post_form(
            endpoint,
            "introspection",
            token_params(token, token_type_hint),
            &[token],
            |exchange, secrets| {
                let members = self
                    .members(exchange)?
                    .ok_or_else(|| Error::decode("the introspection response is empty"))?;
                Ok(Introspection::from_members(members)?.scrubbed(secrets))
            },
        )
    }

    /// Starts the device flow (RFC 8628 §3.1): the codes to show the user. `scope` overrides
    /// the client's default scope; the client's audience, resource and extra parameters are
    /// sent as with a token request.
    pub fn device_authorization(&self, scope: Option<&str>) -> Result<DeviceAuthorization> {
        let config = &self.inner.config;
        let endpoint = self.endpoint(&config.device_authorization_endpoint, "device_authorization_endpoint")?;
        let mut params: Vec<(String, String)> = Vec::new();
        if let Some(scope) = scope {
            params.push(("scope".into(), scope.into()));
        }
        let has_scope = scope.is_some();
        encode::add_defaults(config, &mut params, |name| name == "scope" && has_scope);
        self.post_form(endpoint, "device_authorization", params, &[], |exchange, secrets| {
            let members = self
                .members(exchange)?
                .ok_or_else(|| Error::decode("the device authorization response is empty"))?;
            Ok(DeviceAuthorization::from_members(members, device::now_epoch())?.scrubbed(secrets))
        })
    }

    /// Polls the token endpoint until the user approves (the token), denies
    /// (`access_denied`), or the code expires (`expired_token`; when the codes expire before
    /// the next poll is due, the same OAuth error without an HTTP status, and no poll). It
    /// waits `interval` between polls (at least 1 s) and five seconds more after each
    /// `slow_down` (RFC 8628 §3.5); a poll that gets no answer, a 429 or a 5xx doubles the
    /// next wait, and the third in a row ends the poll with that error. It never runs past
    /// [`device::MAX_POLL_TIME`]. Blocks the thread; see
    /// [`Self::poll_device_token_cancellable`].
    pub fn poll_device_token(&self, authorization: &DeviceAuthorization) -> Result<TokenResponse> {
        self.poll_device_token_cancellable(authorization, &CancelToken::new())
    }

    /// [`Self::poll_device_token`], stopped by `cancel` with a `cancelled` error.
    pub fn poll_device_token_cancellable(
        &self,
        authorization: &DeviceAuthorization,
        cancel: &CancelToken,
    ) -> Result<TokenResponse> {
        let started = Instant::now();
        let request = TokenRequest::device_code(authorization.device_code.expose_str());
        let mut interval = Duration::from_secs(authorization.interval).max(device::MIN_INTERVAL);
        let mut wait = interval;
        let mut failures_in_a_row = 0;
        let life = Duration::from_secs(authorization.expires_at.saturating_sub(device::now_epoch()));
        let give_up_at = started + life.min(device::MAX_POLL_TIME);
        loop {
            // A poll due after the codes expire would only hear `expired_token`, and one sooner
            // than the interval would break it: wait out the life and say so without polling.
            let left = give_up_at.saturating_duration_since(Instant::now());
            if left < wait {
                if cancel.wait(left) {
                    return Err(device::cancelled());
                }
                return Err(device::expired(started.elapsed()));
            }
            if cancel.wait(wait) {
                return Err(device::cancelled());
            }
            // No retries inside a poll: this loop decides when to ask again, and a retry would
            // poll sooner than the interval.
            let error = match self.fetch_tracked_with(&request, 0).0 {
                Ok(token) => return Ok(token),
                Err(error) => error,
            };
            wait = match device::after_error(error, &mut interval, &mut failures_in_a_row) {
                Next::Stop(error) => return Err(error),
                Next::Wait(wait) => wait,
            };
        }
    }

    /// The URL that starts the authorization code flow, from the `authorization_endpoint`.
    /// A random `state` and a PKCE pair are made when not given; keep the returned request
    /// until the callback, then pass its `state` to [`Self::parse_callback`] and its PKCE
    /// verifier to [`Self::authorization_code`].
    ///
    /// It makes no request, so it is safe on any thread. A server whose metadata sets
    /// `require_pushed_authorization_requests` refuses such a URL: this is then a `config`
    /// error that names [`Self::push_authorization_request`].
    pub fn authorization_url(&self, redirect_uri: &str, options: AuthorizationOptions) -> Result<AuthorizationRequest> {
        let config = &self.inner.config;
        let endpoint = self.endpoint(&config.authorization_endpoint, "authorization_endpoint")?;
        if config.require_pushed_authorization_requests {
            return Err(Error::config(format!(
                "the issuer {} requires pushed authorization requests \
                 (require_pushed_authorization_requests in its metadata): call \
                 push_authorization_request (pushAuthorizationRequest in Node, Kotlin and Java), \
                 which sends these parameters to it first",
                config.issuer.as_deref().unwrap_or(endpoint.shown.as_str())
            )));
        }
        authorize::build_authorization_url(
            &endpoint.url,
            config.client_id.as_deref(),
            config.scope.as_deref(),
            redirect_uri,
            options,
        )
    }

    /// [`Self::authorization_url`] with its parameters pushed first (RFC 9126): they go to the
    /// `pushed_authorization_request_endpoint` in a POST with the client's authentication,
    /// and the URL carries only `client_id` and the `request_uri` the server answered, so
    /// nothing of the request can be read or altered in the browser. The returned request
    /// (state, nonce, PKCE verifier, `request_uri`) completes the sign-in as any other does.
    /// Blocks for one request, with the client's timeouts and retries.
    pub fn push_authorization_request(
        &self,
        redirect_uri: &str,
        options: AuthorizationOptions,
    ) -> Result<AuthorizationRequest> {
        let config = &self.inner.config;
        let authorize_at = self.endpoint(&config.authorization_endpoint, "authorization_endpoint")?;
        let push_to = self.endpoint(
            &config.pushed_authorization_request_endpoint,
            "pushed_authorization_request_endpoint",
        )?;
        if options.extra.iter().any(|(name, _)| name == "request_uri") {
            return Err(Error::config(
                "extra parameter \"request_uri\" is the server's answer to a pushed request; leave it out",
            ));
        }
        let (mut request, params) = authorize::authorization_params(
            &authorize_at.url,
            config.client_id.as_deref(),
            config.scope.as_deref(),
            redirect_uri,
            options,
        )?;
        let client_id = config.client_id.clone().unwrap_or_default();
        // An authorization request names its client (RFC 6749 §4.1.1), and oidc-provider
        // refuses a pushed one without client_id. Every auth method but Basic already sends it
        // in the body, where a second one would be refused; Basic carries it only in a header.
        let body: Vec<(String, String)> = params
            .into_iter()
            .filter(|(name, _)| name != "client_id" || config.auth_method == super::AuthMethod::ClientSecretBasic)
            .collect();
        let request_uri = self.post_form(push_to, "pushed_authorization_request", body, &[], |exchange, secrets| {
            let mut members = self.members(exchange)?.ok_or_else(|| {
                Error::decode(format!(
                    "the pushed authorization request endpoint {} answered without a body",
                    push_to.shown
                ))
            })?;
            let request_uri = parse::optional_string(members.remove("request_uri"), "request_uri")?
                .filter(|uri| !uri.trim().is_empty())
                .ok_or_else(|| {
                    Error::decode(format!(
                        "the pushed authorization request endpoint {} answered without a request_uri (RFC 9126 §2.2)",
                        push_to.shown
                    ))
                })?;
            // It goes into a URL the browser shows and sends: it must stay a plain reference
            // (checked first: the credential scan below is slow on a megabyte), and nothing the
            // request carried may ride in it.
            if request_uri.len() > MAX_REQUEST_URI_BYTES || request_uri.chars().any(|c| c.is_control() || c == ' ') {
                return Err(Error::decode(format!(
                    "the request_uri from {} is not a short reference (over {MAX_REQUEST_URI_BYTES} bytes, or spaces or \
                     control characters in it)",
                    push_to.shown
                )));
            }
            if secrets.scrub(&request_uri) != request_uri {
                return Err(Error::decode(format!(
                    "the request_uri from {} carries a credential this client sent; refused so it never reaches a browser",
                    push_to.shown
                )));
            }
            match parse::lifetime(members.remove("expires_in"), "expires_in")? {
                Some(seconds) if seconds > 0 => Ok(request_uri),
                _ => Err(Error::decode(format!(
                    "the pushed authorization request endpoint {} answered without a positive expires_in (RFC 9126 §2.2)",
                    push_to.shown
                ))),
            }
        })?;
        request.url = authorize::with_query(
            &authorize_at.url,
            &[
                ("client_id".into(), client_id),
                ("request_uri".into(), request_uri.clone()),
            ],
        );
        request.request_uri = Some(request_uri);
        Ok(request)
    }

    /// The authorization code in the URL the user was redirected back to, after checking its
    /// `state` and (RFC 9207) its `iss` against this client's issuer. See
    /// [`authorize::parse_callback`].
    pub fn parse_callback(&self, callback_url: &str, expected_state: &str) -> Result<String> {
        let config = &self.inner.config;
        let iss_required = config
            .metadata
            .as_ref()
            .is_some_and(|m| m.authorization_response_iss_parameter_supported);
        authorize::parse_callback(callback_url, expected_state, config.issuer.as_deref(), iss_required)
    }

    /// The discovery document the client was built from, if any.
    pub fn server_metadata(&self) -> Option<&ServerMetadata> {
        self.inner.config.metadata.as_deref()
    }

    /// The issuer the client trusts: discovered, or set with the builder.
    pub fn issuer(&self) -> Option<&str> {
        self.inner.config.issuer.as_deref()
    }

    fn endpoint<'a>(&self, endpoint: &'a Option<EndpointUrl>, name: &str) -> Result<&'a EndpointUrl> {
        endpoint.as_ref().ok_or_else(|| {
            Error::config(format!(
                "this client has no {name}: build it with TokenClient::discover(issuer) from a server \
                 that publishes one, or set {name} on the builder"
            ))
        })
    }

    /// POSTs a form to `endpoint` and reads the answer's members. `secrets` are this call's
    /// credentials, scrubbed from anything the server sends back.
    fn post_form<T>(
        &self,
        endpoint: &EndpointUrl,
        kind: &'static str,
        params: Vec<(String, String)>,
        secrets: &[&str],
        read: impl Fn(&Exchange, &Secrets) -> Result<T>,
    ) -> Result<T> {
        let config = &self.inner.config;
        let target = Endpoint {
            url: &endpoint.url,
            shown_url: &endpoint.shown,
            kind,
        };
        // RFC 7009, 7662 and 8628 define form bodies only, whatever the token endpoint takes.
        let prepare = |budget| {
            let params = params.clone();
            encode::prepare_at(
                config,
                target,
                params,
                BodyEncoding::Form,
                secrets.iter().copied(),
                budget,
            )
        };
        let mut reached = false;
        let retries = config.retry.max_retries;
        self.inner
            .attempts(prepare, false, retries, &mut reached, |prepared, exchange| {
                read(exchange, &prepared.secrets)
            })
    }

    /// An answer's members, classified as the token endpoint's are.
    fn members(&self, exchange: &Exchange) -> Result<Option<serde_json::Map<String, serde_json::Value>>> {
        parse::parse_object_answer(
            exchange.status,
            &exchange.headers,
            &exchange.body,
            self.inner.config.max_response_bytes,
        )
    }
}

fn token_params(token: &str, token_type_hint: Option<&str>) -> Vec<(String, String)> {
    let mut params = vec![("token".to_string(), token.to_string())];
    if let Some(hint) = token_type_hint {
        params.push(("token_type_hint".into(), hint.into()));
    }
    params
}
