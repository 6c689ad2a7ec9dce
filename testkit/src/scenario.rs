//! The scenarios a test plays on the token endpoint: one `enum Scenario` with each one's name
//! and what it does, so the endpoint matches on variants, not on strings.

macro_rules! scenarios {
    ($($variant:ident = $name:literal: $doc:literal,)*) => {
        /// A token endpoint behaviour, chosen by name (see the crate's docs).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Scenario {
            $(#[doc = $doc] $variant,)*
        }

        impl Scenario {
            /// Every scenario, in the order the docs list them.
            pub const ALL: &'static [Scenario] = &[$(Scenario::$variant,)*];

            /// Its name in a path (`/scenario/<name>/token`), a header or a client id.
            pub fn name(self) -> &'static str {
                match self {
                    $(Scenario::$variant => $name,)*
                }
            }

            /// What it does.
            pub fn description(self) -> &'static str {
                match self {
                    $(Scenario::$variant => $doc,)*
                }
            }

            pub fn from_name(name: &str) -> Option<Scenario> {
                match name {
                    $($name => Some(Scenario::$variant),)*
                    _ => None,
                }
            }
        }

        /// Every scenario, with what it does.
        pub const SCENARIOS: &[(&str, &str)] = &[$(($name, $doc),)*];
    };
}

scenarios! {
    Ok = "ok": "a standard JSON token response (refresh token for user grants)",
    Echo = "echo": "ok, plus an `echo` member describing the request as received",
    Federated = "federated": "ok, taking any client assertion unchecked (`client_assertions` in the stats lists every one received), as a server trusting another's tokens",
    StringExpires = "string_expires": "expires_in as the string \"3600\"",
    FloatExpires = "float_expires": "expires_in as the float 3599.9",
    NoExpires = "no_expires": "no expires_in at all",
    LowercaseBearer = "lowercase_bearer": "token_type \"bearer\"",
    NoTokenType = "no_token_type": "no token_type at all",
    ScopeArray = "scope_array": "scope as a JSON array",
    CreatedAtEpoch = "created_at_epoch": "Gusto-style: created_at as epoch seconds, expires_in 7200",
    Short = "short": "expires_in of 3 s (or X-Testkit-Expires-In)",
    Rotate = "rotate": "a new refresh token on every refresh; old ones become invalid_grant",
    RotateStrict = "rotate_strict": "rotate, and a rotated refresh token sent again revokes its whole family (reuse detection, as oidc-provider, Okta and Auth0 do); /__stats counts reuse_detected",
    Error200 = "error_200": "an RFC 6749 error body with HTTP 200",
    InvalidClient = "invalid_client": "401 invalid_client with WWW-Authenticate",
    InvalidScope = "invalid_scope": "400 invalid_scope",
    InvalidGrant = "invalid_grant": "400 invalid_grant",
    ProveError = "prove_error": "400 with Prove's {\"code\":1001,\"message\":...} shape",
    Html502 = "html_502": "502 with an HTML page",
    Empty503 = "empty_503": "503 with an empty body",
    Html200 = "html_200": "200 with an HTML login page",
    MissingAccessToken = "missing_access_token": "200 JSON without access_token",
    FormEncoded = "form_encoded": "a form-encoded success (GitHub-style)",
    FormError = "form_error": "a form-encoded error with HTTP 200",
    Flaky = "flaky": "503 for the first X-Testkit-Fail-Times (default 2) requests, then ok",
    RateLimited = "rate_limited": "429 with Retry-After (X-Testkit-Retry-After, default 1) once, then ok",
    Slow = "slow": "ok after X-Testkit-Delay-Ms (default 1000) ms",
    FailAfterFirst = "fail_after_first": "ok once (X-Testkit-Expires-In applies), then 502 HTML for every later request",
    SlowBody = "slow_body": "headers at once, then the body a byte every 50 ms",
    Oversized = "oversized": "a 2 MiB body with Content-Length",
    OversizedChunked = "oversized_chunked": "a 2 MiB body, chunked, no Content-Length",
    Reset = "reset": "the connection is reset without an answer",
    RotateThenReset = "rotate_then_reset": "a refresh is processed (the old refresh token becomes invalid) and the connection is then reset",
    EchoHtml = "echo_html": "500 HTML page echoing the whole request (target, headers, body, decoded Basic pair), HTML-escaped",
    EchoJson = "echo_json": "400 invalid_request whose error_description echoes the whole request (JSON-escaped)",
    EchoForm = "echo_form": "400 form-encoded error whose description echoes the whole request (form-encoded again)",
    EchoText = "echo_text": "502 text/plain echoing the whole request raw",
    EchoHeaders = "echo_headers": "401 invalid_client echoing the credentials in WWW-Authenticate, X-Debug-Auth and X-Echo-* headers (an assertion also base64-encoded)",
    Redirect = "redirect": "302 to another token URL",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_is_found_by_its_name() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::from_name(s.name()), Some(*s));
            assert!(!s.description().is_empty());
        }
        assert_eq!(Scenario::ALL.len(), SCENARIOS.len());
        assert_eq!(Scenario::from_name("gusto"), None);
    }
}
