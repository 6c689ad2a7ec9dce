//! The endpoints' answers: the token endpoint shaped by its scenario, device authorization
//! and its polls, discovery metadata, introspection and the protected resource.

use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

use crate::echo::echo_reply;
use crate::http::{Delivery, Reply, Request};
use crate::{Scenario, Shared};

pub(crate) fn device_authorization(addr: SocketAddr, shared: &Shared, script: &str) -> Reply {
    let known = [
        "",
        "slow_down",
        "expired_token",
        "access_denied",
        "no_interval",
        "zero_interval",
        "server_error",
    ];
    if !known.contains(&script) {
        return Reply::json(404, json!({ "error": "not_found", "script": script }));
    }
    let interval = if script == "no_interval" { 5 } else { 1 };
    let announced = if script == "zero_interval" { 0 } else { interval };
    let (n, device_code) = {
        let mut s = shared.state();
        s.sequence += 1;
        let n = s.sequence;
        let device_code = format!("dc-{script}-{n}-{}", nonce());
        s.device_clock.insert(
            device_code.clone(),
            (std::time::Instant::now(), Duration::from_secs(interval)),
        );
        (n, device_code)
    };
    let mut body = json!({
        "device_code": device_code,
        "user_code": format!("WDJB-{n:04}"),
        "verification_uri": format!("http://{addr}/device"),
        "verification_uri_complete": format!("http://{addr}/device?user_code=WDJB-{n:04}"),
        "expires_in": 600,
        "interval": announced
    });
    if script == "no_interval" {
        body.as_object_mut().map(|b| b.remove("interval"));
    }
    Reply::json(200, body)
}

/// What one poll of a scripted device code gets (RFC 8628 §3.5), or `None` for a token.
fn device_poll(code: &str, shared: &Shared) -> Option<Reply> {
    let mut s = shared.state();
    let polls = {
        let polls = s.device_polls.entry(code.to_string()).or_default();
        *polls += 1;
        *polls
    };
    let script = code
        .strip_prefix("dc-")
        .and_then(|rest| rest.split('-').next())
        .unwrap_or("");
    let now = std::time::Instant::now();
    if let Some((last, interval)) = s.device_clock.get(code).copied() {
        // The polling rules are checked here, by the server, as a strict one would.
        let gap = now.duration_since(last);
        if gap < interval {
            return Some(Reply::oauth_error(
                400,
                "invalid_request",
                &format!(
                    "polled {} ms after the last, sooner than the {} s interval",
                    gap.as_millis(),
                    interval.as_secs()
                ),
            ));
        }
        let next = match (script, polls) {
            ("slow_down", 1) => interval + Duration::from_secs(5),
            ("server_error", 1) => Duration::from_secs(2),
            _ => interval,
        };
        s.device_clock.insert(code.to_string(), (now, next));
    }
    match (script, polls) {
        ("slow_down", 1) => Some(Reply::oauth_error(400, "slow_down", "Polling too fast; add 5 seconds")),
        ("server_error", 1) => Some(Reply::text(503, "text/plain", "")),
        ("server_error", _) => None,
        ("slow_down" | "no_interval", _) => None,
        ("expired_token", 1) | ("access_denied", 1) | (_, 1) => Some(Reply::oauth_error(
            400,
            "authorization_pending",
            "The user has not yet approved",
        )),
        ("expired_token", _) => Some(Reply::oauth_error(400, "expired_token", "The device code has expired")),
        ("access_denied", _) => Some(Reply::oauth_error(400, "access_denied", "The user denied the request")),
        _ => None,
    }
}

/// The `aud` values this token endpoint accepts: its URL (by IP or as `localhost`, plain or
/// TLS) and the issuer.
fn audiences(addr: SocketAddr, request: &Request) -> Vec<String> {
    let port = addr.port();
    let path = &request.path;
    let mut out = Vec::new();
    for base in [
        format!("http://{addr}"),
        format!("http://localhost:{port}"),
        format!("https://localhost:{port}"),
    ] {
        out.push(format!("{base}{path}"));
        out.push(base);
    }
    out
}

/// Checks a client assertion; `Some` is the refusal to send.
fn client_assertion(
    request: &Request,
    kind: &str,
    audiences: &[String],
    scenario: Scenario,
    shared: &Shared,
) -> Option<Reply> {
    let params = request.params();
    if kind != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
        return Some(Reply::oauth_error(
            401,
            "invalid_client",
            "unsupported client_assertion_type",
        ));
    }
    if request.header("authorization").is_some() || params.contains_key("client_secret") {
        return Some(Reply::oauth_error(
            400,
            "invalid_request",
            "the client used more than one authentication method",
        ));
    }
    let Some(assertion) = params.get("client_assertion") else {
        return Some(Reply::oauth_error(
            401,
            "invalid_client",
            "client_assertion is required",
        ));
    };
    let mut s = shared.state();
    s.client_assertions.push(assertion.clone());
    if scenario == Scenario::Federated {
        return None;
    }
    let verified = match crate::assertions::verify(assertion, audiences, &mut s.seen_jtis) {
        Ok(v) => v,
        Err(why) => return Some(Reply::oauth_error(401, "invalid_client", &why)),
    };
    let claim = |name: &str| verified.claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let (iss, sub) = (claim("iss"), claim("sub"));
    if iss.is_none() || iss != sub || params.get("client_id").is_some_and(|id| Some(id) != iss.as_ref()) {
        return Some(Reply::oauth_error(
            401,
            "invalid_client",
            "a client assertion's iss and sub must both be the client_id",
        ));
    }
    s.last_claims = Value::Object(verified.claims);
    None
}

/// A Google service account key file for this server: its key is the first RSA key of
/// `conformance/keys.json`, which the server trusts.
pub(crate) fn google_service_account(addr: SocketAddr) -> Reply {
    let keys: Value = serde_json::from_str(include_str!("../../conformance/keys.json")).unwrap_or(Value::Null);
    let pem = keys["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|k| k["name"] == "rsa-pkcs8-pem")
        .and_then(|k| k["key"].as_str())
        .unwrap_or_default();
    Reply::json(
        200,
        json!({
            "type": "service_account",
            "project_id": "testkit",
            "private_key_id": format!("testkit-{}", nonce()),
            "private_key": pem,
            "client_email": "robot@testkit.iam.gserviceaccount.com",
            "client_id": "1234567890",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": format!("http://{addr}/token"),
        }),
    )
}

pub(crate) fn metadata(addr: SocketAddr, tenant: &str) -> Reply {
    let base = format!("http://{addr}");
    let (token_endpoint, methods) = match tenant {
        "/post-only" => (format!("{base}/scenario/echo/token"), json!(["client_secret_post"])),
        "/jwt-only" => (format!("{base}/token"), json!(["private_key_jwt"])),
        _ => (
            format!("{base}/token"),
            json!(["client_secret_basic", "client_secret_post", "none"]),
        ),
    };
    Reply::json(
        200,
        json!({
            "issuer": format!("{base}{tenant}"),
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": token_endpoint,
            "device_authorization_endpoint": format!("{base}/device_authorization"),
            "revocation_endpoint": format!("{base}/revoke"),
            "introspection_endpoint": format!("{base}/introspect"),
            "token_endpoint_auth_methods_supported": methods,
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["client_credentials", "refresh_token", "authorization_code",
                "urn:ietf:params:oauth:grant-type:device_code"],
            "authorization_response_iss_parameter_supported": true
        }),
    )
}

pub(crate) fn introspect(request: &Request, shared: &Shared) -> Reply {
    let params = request.params();
    let Some(token) = params.get("token") else {
        return Reply::oauth_error(400, "invalid_request", "token is required");
    };
    let s = shared.state();
    let active = s.issued_access_tokens.iter().any(|t| t == token) && !s.revoked.iter().any(|t| t == token);
    if !active {
        return Reply::json(200, json!({ "active": false }));
    }
    let (client_id, _) = request.client_credentials();
    Reply::json(
        200,
        json!({ "active": true, "client_id": client_id, "token_type": "Bearer", "scope": "read write",
                "iat": SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() }),
    )
}

pub(crate) fn protected_resource(request: &Request, shared: &Shared) -> Reply {
    let mut s = shared.state();
    s.protected_requests += 1;
    let bearer = request.header("authorization").and_then(|v| v.strip_prefix("Bearer "));
    let known = bearer.is_some_and(|t| s.issued_access_tokens.iter().any(|i| i == t));
    if s.protected_requests == 1 || !known {
        return Reply::json(401, json!({ "error": "invalid_token" }))
            .header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
    }
    Reply::json(200, json!({ "ok": true, "request": s.protected_requests }))
}

fn nonce() -> String {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    let mut x = (t as u64) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    format!("{:012x}", x & 0xffff_ffff_ffff)
}

pub(crate) fn token_endpoint(request: &Request, addr: SocketAddr, shared: &Shared) -> Reply {
    // Unknown names (a preset's path, say) play `ok`; the stats count them by name.
    let scenario_name = request.scenario();
    let scenario = Scenario::from_name(&scenario_name).unwrap_or(Scenario::Ok);
    let params = request.params();
    let grant = params.get("grant_type").cloned().unwrap_or_default();
    let (client_id, client_secret) = request.client_credentials();
    let (seen, n) = {
        let mut s = shared.state();
        s.token_requests += 1;
        s.sequence += 1;
        *s.by_scenario.entry(scenario_name.clone()).or_default() += 1;
        *s.by_grant.entry(grant.clone()).or_default() += 1;
        (s.by_scenario[&scenario_name], s.sequence)
    };

    // Before any scenario answers: a retry after a 503 must bring a new assertion, whose
    // `jti` this server has not seen. The echo scenarios echo it unchecked.
    let audiences = audiences(addr, request);
    if let Some(kind) = params.get("client_assertion_type") {
        let echoes = matches!(
            scenario,
            Scenario::EchoHtml | Scenario::EchoJson | Scenario::EchoForm | Scenario::EchoText | Scenario::EchoHeaders
        );
        if echoes {
            shared
                .state()
                .client_assertions
                .push(params.get("client_assertion").cloned().unwrap_or_default());
        } else if let Some(refusal) = client_assertion(request, kind, &audiences, scenario, shared) {
            return refusal;
        }
    }

    let default_delay = if scenario == Scenario::Slow { 1000 } else { 0 };
    if let Some(gate) = request.header("x-testkit-hold") {
        // Held until the test releases the gate; ten seconds at most, so a failing test
        // cannot hang the server.
        let mut state = shared.state();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while !state.released_gates.iter().any(|g| g == gate) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            state = shared
                .gate_opened
                .wait_timeout(state, left)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
    }
    let delay = request.header_num("x-testkit-delay-ms", default_delay);
    if delay > 0 {
        thread::sleep(Duration::from_millis(delay));
    }

    // Scenarios that answer before (or instead of) looking at the grant.
    match scenario {
        Scenario::Error200 => {
            return Reply::oauth_error(200, "invalid_grant", "The provided grant is invalid or expired")
        }
        Scenario::InvalidClient => {
            return Reply::oauth_error(401, "invalid_client", "Client authentication failed")
                .header("WWW-Authenticate", "Basic realm=\"testkit\"")
        }
        Scenario::InvalidScope => return Reply::oauth_error(400, "invalid_scope", "The requested scope is invalid"),
        Scenario::InvalidGrant => return Reply::oauth_error(400, "invalid_grant", "The provided grant is invalid"),
        Scenario::ProveError => {
            return Reply::json(400, json!({ "code": 1001, "message": "invalid client credentials" }))
        }
        Scenario::Html502 => {
            return Reply::text(
                502,
                "text/html",
                "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>",
            )
        }
        Scenario::Empty503 => return Reply::text(503, "text/plain", ""),
        Scenario::Html200 => {
            return Reply::text(
                200,
                "text/html",
                "<!DOCTYPE html><html><body><form>Sign in</form></body></html>",
            )
        }
        Scenario::MissingAccessToken => return Reply::json(200, json!({ "token_type": "bearer", "expires_in": 3600 })),
        Scenario::FormError => {
            return Reply::text(
                200,
                "application/x-www-form-urlencoded",
                "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired",
            )
        }
        Scenario::Flaky if seen <= request.header_num("x-testkit-fail-times", 2) => {
            return Reply::text(503, "text/html", "<html><body>Service Unavailable</body></html>")
        }
        Scenario::RateLimited if seen == 1 => {
            let after = request.header_num("x-testkit-retry-after", 1).to_string();
            return Reply::oauth_error(429, "slow_down", "Too many requests").header("Retry-After", &after);
        }
        Scenario::Reset => return Reply::reset(),
        Scenario::EchoHtml | Scenario::EchoJson | Scenario::EchoForm | Scenario::EchoText | Scenario::EchoHeaders => {
            return echo_reply(scenario, request)
        }
        Scenario::Redirect => {
            return Reply::text(302, "text/plain", "").header("Location", &format!("http://{addr}/token?scenario=ok"))
        }
        Scenario::FailAfterFirst if seen > 1 => {
            return Reply::text(502, "text/html", "<html><body>upstream is down</body></html>")
        }
        _ => {}
    }

    if client_secret.as_deref() == Some("wrong-secret") {
        return Reply::oauth_error(401, "invalid_client", "Client authentication failed");
    }
    let mut issue_refresh = false;
    let mut granted_scope = params.get("scope").cloned();
    let mut inherited_family: Option<u64> = None;
    match grant.as_str() {
        "client_credentials" | "system_access" => {}
        "password" => {
            if !params.contains_key("username") || !params.contains_key("password") {
                return Reply::oauth_error(400, "invalid_request", "username and password are required");
            }
            if params.get("password").map(String::as_str) == Some("wrong-password") {
                return Reply::oauth_error(400, "invalid_grant", "Invalid resource owner credentials");
            }
            issue_refresh = true;
        }
        "authorization_code" => {
            match params.get("code").map(String::as_str) {
                None => return Reply::oauth_error(400, "invalid_request", "code is required"),
                Some("expired-code") => {
                    return Reply::oauth_error(400, "invalid_grant", "The authorization code expired")
                }
                _ => {}
            }
            issue_refresh = true;
        }
        "refresh_token" => {
            let Some(rt) = params.get("refresh_token") else {
                return Reply::oauth_error(400, "invalid_request", "refresh_token is required");
            };
            let mut s = shared.state();
            let family = s.families.get(rt).copied();
            let revoked = family.is_some_and(|f| s.revoked_families.contains(&f));
            match s.refresh_tokens.get(rt) {
                Some(true) if !revoked => {
                    let rotating = scenario == Scenario::Rotate
                        || scenario == Scenario::RotateThenReset
                        || scenario == Scenario::RotateStrict;
                    if rotating && request.header("x-testkit-keep-refresh-token").is_none() {
                        s.refresh_tokens.insert(rt.clone(), false);
                    }
                }
                Some(false) if scenario == Scenario::RotateStrict && !revoked => {
                    // A rotated token came back: someone replayed it. Revoke the family.
                    s.reuse_detected += 1;
                    if let Some(f) = family {
                        s.revoked_families.insert(f);
                    }
                    return Reply::oauth_error(
                        400,
                        "invalid_grant",
                        "Refresh token reuse detected; the grant is revoked",
                    );
                }
                _ => return Reply::oauth_error(400, "invalid_grant", "The refresh token is invalid or was rotated"),
            }
            inherited_family = family;
            // `X-Testkit-Keep-Refresh-Token`: like Google, a refresh answer without a new
            // refresh token (the one sent stays valid).
            issue_refresh = request.header("x-testkit-keep-refresh-token").is_none();
        }
        "urn:ietf:params:oauth:grant-type:device_code" => {
            let Some(code) = params.get("device_code") else {
                return Reply::oauth_error(400, "invalid_request", "device_code is required");
            };
            if let Some(reply) = device_poll(code, shared) {
                return reply;
            }
            issue_refresh = true;
        }
        "urn:ietf:params:oauth:grant-type:token-exchange" => {
            if !params.contains_key("subject_token") || !params.contains_key("subject_token_type") {
                return Reply::oauth_error(
                    400,
                    "invalid_request",
                    "subject_token and subject_token_type are required",
                );
            }
        }
        "urn:ietf:params:oauth:grant-type:jwt-bearer" => {
            let Some(assertion) = params.get("assertion") else {
                return Reply::oauth_error(400, "invalid_request", "assertion is required");
            };
            let mut s = shared.state();
            s.bearer_assertions.push(assertion.clone());
            let verified = crate::assertions::verify(assertion, &audiences, &mut s.seen_jtis);
            match verified {
                Ok(v) => {
                    if let Some(scope) = v.claims.get("scope").and_then(Value::as_str) {
                        granted_scope = Some(scope.to_string());
                    }
                    s.last_claims = Value::Object(v.claims);
                }
                Err(why) => return Reply::oauth_error(400, "invalid_grant", &why),
            }
        }
        g if g.starts_with("urn:testkit:") => {}
        "" => return Reply::oauth_error(400, "invalid_request", "grant_type is required"),
        other => {
            return Reply::oauth_error(
                400,
                "unsupported_grant_type",
                &format!("grant type {other} is not supported"),
            )
        }
    }

    let access_token = format!("at-{n}-{}", nonce());
    let expires_in = request.header_num(
        "x-testkit-expires-in",
        match scenario {
            Scenario::Short => 3,
            Scenario::CreatedAtEpoch => 7200,
            _ => 3600,
        },
    );
    let mut body = Map::new();
    body.insert("access_token".into(), json!(access_token));
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(expires_in));
    if let Some(scope) = &granted_scope {
        body.insert("scope".into(), json!(scope));
    }
    if grant == "urn:ietf:params:oauth:grant-type:token-exchange" {
        body.insert(
            "issued_token_type".into(),
            json!("urn:ietf:params:oauth:token-type:access_token"),
        );
    }
    let mut owner = format!(
        "client={:?} secret={:?} user={:?} password={:?} x-api-key={:?} api_key={:?}",
        client_id,
        client_secret,
        params.get("username"),
        params.get("password"),
        request.header("x-api-key"),
        params.get("api_key"),
    );
    if issue_refresh {
        let rt = format!("rt-{n}-{}", nonce());
        let mut s = shared.state();
        let family = inherited_family.unwrap_or_else(|| s.families.len() as u64 + 1_000_000 + n);
        owner.push_str(&format!(" family={family}"));
        s.refresh_tokens.insert(rt.clone(), true);
        s.families.insert(rt.clone(), family);
        drop(s);
        body.insert("refresh_token".into(), json!(rt));
        body.insert(
            "refresh_expires_in".into(),
            json!(request.header_num("x-testkit-refresh-expires-in", 86400)),
        );
    }
    {
        let mut s = shared.state();
        s.issued_to.insert(access_token.clone(), owner);
        s.issued_access_tokens.push(access_token.clone());
        s.issued_at_ms.push(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_millis() as u64)
                .unwrap_or(0),
        );
    }
    let lose = request.header("x-testkit-lose-answer").map(str::to_owned);
    if lose.as_deref() == Some("truncated") && grant == "refresh_token" {
        // Processed and rotated; the 200 arrives half-way.
        let mut reply = Reply::json(200, Value::Object(body.clone()));
        reply.delivery = Delivery::Truncated;
        return reply;
    }
    if lose.as_deref() == Some("502json") && grant == "refresh_token" {
        // Processed and rotated; a gateway answered with an error body of its own.
        return Reply::json(502, json!({ "status": 502, "error": "Bad Gateway" }));
    }
    if lose.as_deref() == Some("504") && grant == "refresh_token" {
        // Processed and rotated; a proxy gave up waiting and answered for the server.
        return Reply::text(504, "text/html", "<html><body>504 Gateway Time-out</body></html>");
    }
    if (scenario == Scenario::RotateThenReset || lose.is_some()) && grant == "refresh_token" {
        // Processed and rotated; the answer is lost on the way back.
        return Reply::reset();
    }

    match scenario {
        Scenario::StringExpires => {
            body.insert("expires_in".into(), json!(expires_in.to_string()));
        }
        Scenario::FloatExpires => {
            body.insert("expires_in".into(), json!(expires_in as f64 - 0.1));
        }
        Scenario::NoExpires => {
            body.remove("expires_in");
        }
        Scenario::LowercaseBearer => {
            body.insert("token_type".into(), json!("bearer"));
        }
        Scenario::NoTokenType => {
            body.remove("token_type");
        }
        Scenario::ScopeArray => {
            let scope = params.get("scope").cloned().unwrap_or_else(|| "read write".into());
            body.insert("scope".into(), json!(scope.split_whitespace().collect::<Vec<_>>()));
        }
        Scenario::CreatedAtEpoch => {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs();
            body.insert("created_at".into(), json!(now));
        }
        Scenario::Echo => {
            let headers: Map<String, Value> = request.headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            body.insert(
                "echo".into(),
                json!({
                    "method": request.method,
                    "path": request.path,
                    "headers": headers,
                    "params": params,
                    "client_id": client_id,
                    "client_secret": client_secret,
                }),
            );
        }
        Scenario::FormEncoded => {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &body {
                form.append_pair(
                    k,
                    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()).as_str(),
                );
            }
            return Reply::text(
                200,
                "application/x-www-form-urlencoded",
                &form.finish().replace("Bearer", "bearer"),
            );
        }
        Scenario::Oversized | Scenario::OversizedChunked => {
            body.insert("padding".into(), json!("x".repeat(2 * 1024 * 1024)));
            let mut reply = Reply::json(200, Value::Object(body));
            if scenario == Scenario::OversizedChunked {
                reply.delivery = Delivery::Chunked;
            }
            return reply;
        }
        Scenario::SlowBody => {
            let mut reply = Reply::json(200, Value::Object(body));
            reply.delivery = Delivery::Trickle(Duration::from_millis(50));
            return reply;
        }
        _ => {}
    }
    Reply::json(200, Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(path: &str, body: &str) -> Request {
        Request {
            method: "POST".into(),
            path: path.into(),
            target: path.into(),
            query: Vec::new(),
            headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn json_of(reply: &Reply) -> Value {
        serde_json::from_slice(&reply.body).expect("a JSON answer")
    }

    #[test]
    fn each_tenant_of_the_metadata_names_its_own_issuer_and_methods() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let post_only = json_of(&metadata(addr, "/post-only"));
        assert_eq!(post_only["issuer"], "http://127.0.0.1:9/post-only");
        assert_eq!(
            post_only["token_endpoint_auth_methods_supported"],
            json!(["client_secret_post"])
        );
        assert_eq!(
            json_of(&metadata(addr, ""))["token_endpoint"],
            "http://127.0.0.1:9/token"
        );
    }

    #[test]
    fn a_token_the_testkit_never_issued_introspects_as_inactive() {
        let shared = Shared::for_tests();
        let answer = json_of(&introspect(&post("/introspect", "token=never-issued"), &shared));
        assert_eq!(answer, json!({ "active": false }));
    }

    #[test]
    fn a_grant_the_token_endpoint_does_not_know_is_refused_by_name() {
        let shared = Shared::for_tests();
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let reply = token_endpoint(&post("/token", "grant_type=made_up&client_id=c"), addr, &shared);
        assert_eq!(reply.status, 400);
        assert_eq!(json_of(&reply)["error"], "unsupported_grant_type");
    }
}
