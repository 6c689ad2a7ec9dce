//! The main loop of a token request: attempt, interpret, decide whether to try again.
//!
//! # How it decides to retry
//! An attempt ends in one of four ways, and each decides differently:
//! - **It never reached the server**: DNS failed, the connection was refused, the connect
//!   deadline passed, or TLS failed before the request was written; or a proxy could not
//!   reach the server. Retrying is always safe.
//! - **A proxy refused to carry it** (407, 403, SOCKS5's "not allowed by ruleset"). Nothing
//!   reached the server, and the same request would be refused again: it is not retried.
//! - **The server answered.** HTTP 429 and 5xx (but 501 and 505, which will not change) are
//!   retried, honouring `Retry-After` up to [`RetryPolicy::max_retry_after`](crate::RetryPolicy::max_retry_after). Every other
//!   answer (an OAuth 4xx error, a token, a body that is not a token) is final.
//! - **It may have reached the server**: the connection was reset or closed, or timed out,
//!   after the request was written. The server may have processed it.
//!
//! A request that carries a **single-use credential** ([`TokenRequest::is_single_use`]: the
//! `refresh_token`, `authorization_code` and device code grants, and any request with a PKCE
//! `code_verifier`) is retried only when it cannot have been processed: when it never reached
//! the server, or the server answered 429 or 503. Replaying it after a reset would present a
//! refresh token the server may already have rotated (which revokes the whole grant on
//! servers that detect reuse, RFC 6819 §5.2.2.3) or a code it has already exchanged
//! (RFC 6749 §4.1.2). Any other request is also retried after a reset.
//!
//! Whatever happens, the overall timeout bounds the call: no retry starts, and no wait is
//! begun, that the deadline would cut short.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::encode::Prepared;
use super::TokenClient;
use crate::error::{Deadline, Error, Result};
use crate::events::{self, names, Level};
use crate::grant::TokenRequest;
use crate::model::{HttpMetadata, HttpResponseMeta, TokenRequestResponse, TokenResponse};
use crate::parse::parse_response;
use crate::redact;
use crate::retry::parse_retry_after;
use crate::transport::{Exchange, Failure, Reach};

/// How one attempt ended, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    /// The server answered with this status.
    Answered(u16),
    /// The request may or may not have reached the server.
    Failed(Reach),
}

/// Whether an attempt that ended so, with this error, may be repeated. The module header
/// states the rule.
pub(crate) fn may_retry(error: &Error, ending: Ending, single_use: bool) -> bool {
    if !error.is_retryable() {
        return false;
    }
    match ending {
        Ending::Failed(Reach::NotSent) => true,
        Ending::Failed(Reach::Refused) => false,
        Ending::Failed(Reach::MaybeSent) => !single_use,
        Ending::Answered(status) => !single_use || status == 429 || status == 503,
    }
}

impl TokenClient {
    /// Runs any grant and returns the token with the HTTP metadata of the exchange.
    ///
    /// `Ok` always carries a token; every error carries the metadata of the last attempt
    /// (except `config` errors, raised before anything is sent). Every language calls it
    /// `request_token`.
    pub fn request_token(&self, request: &TokenRequest) -> Result<TokenRequestResponse> {
        self.send_tracked(request).0
    }

    /// Renamed [`Self::request_token`], the name every language uses.
    #[deprecated(note = "use request_token, the name every language uses")]
    pub fn send(&self, request: &TokenRequest) -> Result<TokenRequestResponse> {
        self.request_token(request)
    }

    /// [`Self::request_token`], and whether any attempt may have reached the server (so a single-use
    /// credential must be taken as spent).
    pub(crate) fn send_tracked(&self, request: &TokenRequest) -> (Result<TokenRequestResponse>, bool) {
        let mut reached = false;
        let config = &self.inner.config;
        let result = self.inner.attempts(
            |budget| super::encode::prepare(config, request, budget),
            request.is_single_use(),
            config.retry.max_retries,
            &mut reached,
            |prepared, exchange| {
                self.token_from(prepared, exchange).map(|token| TokenRequestResponse {
                    http_meta: exchange_meta(prepared, exchange),
                    token_response: Some(token),
                })
            },
        );
        // Outside the attempts: reading the JWKS is its own request, and a refused ID token
        // is not retried (the code or refresh token is spent).
        let result = result.and_then(|mut answer| {
            if let Some(token) = answer.token_response.take() {
                match self.with_id_token_checked(token, request) {
                    Ok(token) => answer.token_response = Some(token),
                    Err(error) => return Err(error.with_meta(answer.http_meta.clone())),
                }
            }
            Ok(answer)
        });
        (result, reached)
    }

    /// Runs any grant for the token alone. A success builds no metadata: redacting the body
    /// and headers for it was a fifth of a loopback fetch, and nobody would read it. A
    /// failure carries its metadata as always.
    pub(crate) fn fetch_tracked(&self, request: &TokenRequest) -> (Result<TokenResponse>, bool) {
        self.fetch_tracked_with(request, self.inner.config.retry.max_retries)
    }

    /// [`Self::fetch_tracked`] with at most `max_retries` retries (a device poll makes none:
    /// its own loop decides when to ask again).
    pub(crate) fn fetch_tracked_with(&self, request: &TokenRequest, max_retries: u32) -> (Result<TokenResponse>, bool) {
        let mut reached = false;
        let config = &self.inner.config;
        let result = self.inner.attempts(
            |budget| super::encode::prepare(config, request, budget),
            request.is_single_use(),
            max_retries,
            &mut reached,
            |prepared, exchange| self.token_from(prepared, exchange),
        );
        let result = result.and_then(|token| self.with_id_token_checked(token, request));
        (result, reached)
    }

    /// The token endpoint's answer before its ID token is checked, for a manager that must
    /// keep a rotated refresh token even when the ID token beside it is refused (the old one is
    /// spent at the server). [`Self::with_id_token_checked`] checks it afterwards.
    pub(crate) fn fetch_unchecked(&self, request: &TokenRequest) -> Result<TokenResponse> {
        self.fetch_tracked_unchecked(request).0
    }

    /// [`Self::fetch_unchecked`] that also says whether the request may have reached the
    /// server, for a shared store's spending marker.
    pub(crate) fn fetch_tracked_unchecked(&self, request: &TokenRequest) -> (Result<TokenResponse>, bool) {
        let mut reached = false;
        let config = &self.inner.config;
        let result = self.inner.attempts(
            |budget| super::encode::prepare(config, request, budget),
            request.is_single_use(),
            config.retry.max_retries,
            &mut reached,
            |prepared, exchange| self.token_from(prepared, exchange),
        );
        (result, reached)
    }

    /// The token in an answer from the token endpoint, with any echo of a credential removed.
    fn token_from(&self, prepared: &Prepared, exchange: &Exchange) -> Result<TokenResponse> {
        let received_at = exchange
            .received_at
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .ok();
        let token = parse_response(
            exchange.status,
            &exchange.headers,
            &exchange.body,
            received_at,
            self.inner.config.max_response_bytes,
        )?;
        Ok(redact::scrub_token_echoes(token, &prepared.secrets))
    }
}

impl super::Inner {
    /// The attempts of one call to any endpoint, within the client's overall timeout and
    /// retry policy; `prepare` makes each attempt's request (a client assertion is signed
    /// anew for each, never replayed), `answer` reads an exchange that got an answer. An
    /// error, whichever step raised it, leaves with the exchange's metadata and every
    /// credential scrubbed.
    pub(crate) fn attempts<T>(
        &self,
        prepare: impl Fn(Duration) -> Result<Prepared>,
        single_use: bool,
        max_retries: u32,
        reached: &mut bool,
        answer: impl Fn(&Prepared, &Exchange) -> Result<T>,
    ) -> Result<T> {
        let config = &self.config;
        let started = Instant::now();
        let deadline = started.checked_add(config.timeout);

        let mut retry = 0u32;
        let mut previous: Option<Prepared> = None;
        loop {
            let budget = deadline.map_or(config.timeout, |d| d.saturating_duration_since(Instant::now()));
            let overall = || Error::Timeout {
                deadline: Deadline::Overall,
                after: started.elapsed(),
                http_meta: None,
            };
            if budget.is_zero() {
                let error = overall();
                return Err(match &previous {
                    Some(prepared) => error.with_meta(prepared.meta(None)),
                    None => error,
                });
            }
            // Each attempt its own request: an assertion is signed (or read) for it alone. A
            // source that took the whole budget (a slow callback) ends the call as a timeout.
            let prepared = match prepare(budget) {
                Ok(prepared) => &*previous.insert(prepared),
                Err(_) if deadline.is_some_and(|d| Instant::now() >= d) => return Err(overall()),
                Err(error) => return Err(error),
            };
            let attempt = retry + 1;
            events::emit(Level::Debug, names::REQUEST_START, || {
                vec![
                    ("endpoint", prepared.endpoint.into()),
                    ("method", prepared.method.into()),
                    ("url", prepared.shown_url.as_str().into()),
                    ("attempt", attempt.into()),
                ]
            });
            let transport = &self.transport;
            let outcome = match prepared.method {
                "GET" => transport.get(&prepared.url, &prepared.shown_url, &prepared.headers, budget),
                _ => transport.post(
                    &prepared.url,
                    &prepared.shown_url,
                    &prepared.headers,
                    &prepared.body,
                    budget,
                ),
            };
            let (status, elapsed, bytes) = match &outcome {
                Ok(exchange) => (Some(exchange.status), exchange.elapsed, exchange.body.len()),
                Err(failure) => (failure.status, failure.elapsed, 0),
            };
            let (result, ending, retry_after) = interpret(prepared, outcome, &answer);
            events::emit(Level::Debug, names::REQUEST_END, || {
                let mut fields = vec![
                    ("endpoint", prepared.endpoint.into()),
                    ("method", prepared.method.into()),
                    ("url", prepared.shown_url.as_str().into()),
                    ("attempt", attempt.into()),
                ];
                if let Some(status) = status {
                    fields.push(("status", status.into()));
                }
                fields.push(("duration_ms", events::millis(elapsed).into()));
                fields.push(("bytes", bytes.into()));
                let outcome = match &result {
                    Ok(_) => "ok",
                    Err(error) => error.kind().as_str(),
                };
                fields.push(("outcome", outcome.into()));
                fields
            });
            *reached |= !matches!(ending, Ending::Failed(Reach::NotSent | Reach::Refused));
            let error = match result {
                Ok(answer) => return Ok(answer),
                Err(error) => error,
            };
            if retry >= max_retries || !may_retry(&error, ending, single_use) {
                return Err(error);
            }
            let Some(wait) = config.retry.delay(retry, retry_after) else {
                return Err(error);
            };
            let fits = match (Instant::now().checked_add(wait), deadline) {
                (Some(resume), Some(deadline)) => resume < deadline,
                _ => false,
            };
            if !fits {
                return Err(error);
            }
            events::emit(Level::Info, names::RETRY, || {
                let mut fields = vec![
                    ("endpoint", prepared.endpoint.into()),
                    ("attempt", (attempt + 1).into()),
                    ("reason", error.kind().as_str().into()),
                ];
                if let Some(status) = error.status() {
                    fields.push(("status", status.into()));
                }
                fields.push(("wait_ms", events::millis(wait).into()));
                fields
            });
            std::thread::sleep(wait);
            retry += 1;
        }
    }
}

/// Turns one attempt into a result, how it ended, and the server's `Retry-After`.
fn interpret<T>(
    prepared: &Prepared,
    outcome: std::result::Result<Exchange, Box<Failure>>,
    answer: &impl Fn(&Prepared, &Exchange) -> Result<T>,
) -> (Result<T>, Ending, Option<Duration>) {
    let secrets = &prepared.secrets;
    match outcome {
        Ok(exchange) => {
            let retry_after = retry_after(&exchange.headers);
            let result = answer(prepared, &exchange)
                .map_err(|error| error.with_meta(exchange_meta(prepared, &exchange)).scrubbed(secrets));
            (result, Ending::Answered(exchange.status), retry_after)
        }
        Err(failure) => {
            let response = failure.status.map(|status| HttpResponseMeta {
                status,
                headers: prepared.response_headers(&failure.headers),
                body: String::new(),
                body_truncated: true,
                elapsed_ms: millis(failure.elapsed),
            });
            let ending = match failure.status {
                Some(status) => Ending::Answered(status),
                None => Ending::Failed(failure.reach),
            };
            let retry_after = retry_after(&failure.headers);
            let error = failure.error.with_meta(prepared.meta(response)).scrubbed(secrets);
            (Err(error), ending, retry_after)
        }
    }
}

/// The metadata of an exchange that got an answer, every credential redacted.
pub(crate) fn exchange_meta(prepared: &Prepared, exchange: &Exchange) -> HttpMetadata {
    let (body, body_truncated) = redact::redact_body(&exchange.body, &prepared.secrets);
    prepared.meta(Some(HttpResponseMeta {
        status: exchange.status,
        headers: prepared.response_headers(&exchange.headers),
        body,
        body_truncated,
        elapsed_ms: millis(exchange.elapsed),
    }))
}

fn retry_after(headers: &[(String, String)]) -> Option<Duration> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, v)| parse_retry_after(v, SystemTime::now()))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport_error() -> Error {
        Error::Transport {
            message: "connection reset".into(),
            http_meta: None,
        }
    }

    fn status_error(status: u16) -> Error {
        Error::HttpStatus {
            status,
            body_excerpt: String::new(),
            http_meta: None,
        }
    }

    #[test]
    fn a_single_use_grant_is_not_replayed_after_it_may_have_reached_the_server() {
        let reset = Ending::Failed(Reach::MaybeSent);
        assert!(!may_retry(&transport_error(), reset, true));
        assert!(may_retry(&transport_error(), reset, false));
    }

    #[test]
    fn a_request_that_never_left_is_always_retried() {
        let refused = Ending::Failed(Reach::NotSent);
        assert!(may_retry(&transport_error(), refused, true));
        assert!(may_retry(&transport_error(), refused, false));
    }

    #[test]
    fn single_use_grants_retry_only_429_and_503_answers() {
        for (status, single_use_retries) in [(429, true), (503, true), (500, false), (502, false), (504, false)] {
            let e = status_error(status);
            assert_eq!(
                may_retry(&e, Ending::Answered(status), true),
                single_use_retries,
                "{status}"
            );
            assert!(may_retry(&e, Ending::Answered(status), false), "{status}");
        }
        assert!(!may_retry(&status_error(400), Ending::Answered(400), false));
    }
}
