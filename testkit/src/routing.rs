//! Which handler answers a request: the path and method table, the scenario named in a
//! token path, and the counters `/__stats` reports.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};

use crate::echo::echo_200;
use crate::endpoints::{device_authorization, introspect, metadata, protected_resource, token_endpoint};
use crate::http::{read_request, write_reply, Conn, Reply, Request};
use crate::{Shared, State};

/// `/scenario/<name>/token` -> `name`; also Entra ID's shape below it,
/// `/scenario/<name>/<tenant>/oauth2/v2.0/token`.
pub(crate) fn scenario_in_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/scenario/")?;
    let (name, tail) = rest.split_once('/')?;
    (matches!(tail, "token" | "oauth/token") || tail.ends_with("/oauth2/v2.0/token")).then_some(name)
}

pub(crate) fn handle_connection(mut conn: Conn, addr: SocketAddr, shared: &Shared) -> io::Result<()> {
    conn.tcp().set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(request) = read_request(&mut conn)? else {
        return Ok(());
    };
    let reply = route(&request, addr, shared);
    write_reply(conn, reply)
}

fn route(request: &Request, addr: SocketAddr, shared: &Shared) -> Reply {
    if let Some(reply) = crate::op::route(request, addr) {
        return reply;
    }
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/token" | "/oauth/token" | "/oauth2/token") => counted(token_endpoint(request, addr, shared), shared),
        // Entra ID's shape, `/{tenant}/oauth2/v2.0/token`.
        ("POST", path) if path.ends_with("/oauth2/v2.0/token") => {
            counted(token_endpoint(request, addr, shared), shared)
        }
        ("POST", path) if scenario_in_path(path).is_some() => counted(token_endpoint(request, addr, shared), shared),
        ("POST", "/device_authorization") => device_authorization(addr, shared, ""),
        ("POST", path) if path.starts_with("/device_authorization/") => {
            device_authorization(addr, shared, &path["/device_authorization/".len()..])
        }
        ("GET", "/.well-known/oauth-authorization-server") => metadata(addr, ""),
        ("GET", "/.well-known/oauth-authorization-server/post-only") => metadata(addr, "/post-only"),
        ("GET", "/.well-known/oauth-authorization-server/jwt-only") => metadata(addr, "/jwt-only"),
        ("POST", "/echo_200/introspect" | "/echo_200/device_authorization") => echo_200(request),
        ("POST", "/revoke") => {
            if request.client_credentials().0.is_none() {
                return Reply::oauth_error(401, "invalid_client", "client authentication is required");
            }
            if let Some(token) = request.params().get("token") {
                shared.state().revoked.push(token.clone());
            }
            Reply::text(200, "text/plain", "")
        }
        ("POST", "/introspect") => introspect(request, shared),
        ("GET", "/protected") => protected_resource(request, shared),
        ("GET", "/__stats") => {
            let s = shared.state();
            Reply::json(
                200,
                json!({ "token_requests": s.token_requests, "by_scenario": s.by_scenario, "by_grant": s.by_grant,
                        "oauth_errors": s.oauth_errors, "reuse_detected": s.reuse_detected,
                        "client_assertions": s.client_assertions, "bearer_assertions": s.bearer_assertions,
                        "last_claims": s.last_claims }),
            )
        }
        ("POST", "/__release") => {
            let gate = request
                .query
                .iter()
                .find(|(k, _)| k == "gate")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            shared.state().released_gates.push(gate);
            shared.gate_opened.notify_all();
            Reply::json(200, json!({ "released": true }))
        }
        ("POST", "/__reset") => {
            *shared.state() = State::default();
            if let Some(proxies) = shared.proxies.get() {
                proxies.reset();
            }
            Reply::json(200, json!({ "reset": true }))
        }
        ("GET", "/health") => Reply::text(200, "text/plain", "ok"),
        ("GET", "/__google_service_account") => crate::endpoints::google_service_account(addr),
        ("GET", "/__proxy") => match shared.proxies.get() {
            Some(proxies) => Reply::json(200, proxies.describe()),
            None => Reply::json(404, json!({ "error": "no proxies" })),
        },
        ("GET", "/__proxy/saw") => {
            let text = request.query.iter().find(|(k, _)| k == "text").map(|(_, v)| v.as_str());
            let saw = match (shared.proxies.get(), text) {
                (Some(proxies), Some(text)) => proxies.saw(text),
                _ => false,
            };
            Reply::json(200, json!({ "saw": saw }))
        }
        ("GET", "/__tls") => {
            let tls = shared.tls.lock().unwrap_or_else(|p| p.into_inner()).clone();
            Reply::json(200, tls.unwrap_or(Value::Null))
        }
        (_, "/token" | "/oauth/token") => Reply::oauth_error(405, "invalid_request", "the token endpoint takes POST"),
        _ => Reply::json(404, json!({ "error": "not_found", "path": request.path })),
    }
}

/// Counts the OAuth error code of a token endpoint answer, for `/__stats`.
fn counted(reply: Reply, shared: &Shared) -> Reply {
    if let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&reply.body) {
        if let Some(Value::String(code)) = body.get("error") {
            *shared.state().oauth_errors.entry(code.clone()).or_default() += 1;
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scenario_is_named_in_its_token_path() {
        assert_eq!(scenario_in_path("/scenario/echo/token"), Some("echo"));
        assert_eq!(scenario_in_path("/scenario/gusto/oauth/token"), Some("gusto"));
        assert_eq!(scenario_in_path("/scenario/echo/other"), None);
        assert_eq!(
            scenario_in_path("/scenario/federated/t1/oauth2/v2.0/token"),
            Some("federated")
        );
        assert_eq!(scenario_in_path("/token"), None);
        assert!(crate::is_scenario("echo") && !crate::is_scenario("no-such-scenario"));
    }

    #[test]
    fn an_oauth_error_answer_is_counted_by_its_code() {
        let shared = crate::Shared::for_tests();
        counted(Reply::oauth_error(400, "invalid_grant", "spent"), &shared);
        counted(Reply::json(200, json!({ "access_token": "at" })), &shared);
        assert_eq!(shared.state().oauth_errors.get("invalid_grant"), Some(&1));
        assert_eq!(shared.state().oauth_errors.len(), 1);
    }
}
