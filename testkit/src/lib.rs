//! A scriptable local OAuth 2.0 token server that reproduces what real servers send.
//!
//! It listens on 127.0.0.1 (port 0 by default) and serves:
//! - `POST /token` (also `/oauth/token`): token responses, shaped by a *scenario*;
//! - `POST /device_authorization`: RFC 8628 device authorization. `/device_authorization/<script>`
//!   picks how the polls of its code go: `slow_down` (then a token, refused with
//!   `invalid_request` if the next poll comes sooner than the interval plus 5 s),
//!   `expired_token` and `access_denied` (each after one `authorization_pending`), and
//!   `no_interval` (no `interval` member; a poll sooner than 5 s is refused), `zero_interval`
//!   (`interval: 0`; a poll sooner than 1 s is refused) and `server_error` (the first poll
//!   gets a 503, and a poll sooner than 2 s after it is refused). Without a script: one
//!   `authorization_pending`, then a token;
//! - `GET /.well-known/oauth-authorization-server`: RFC 8414 metadata naming these endpoints;
//!   `/post-only` and `/jwt-only` after it are issuers that list only `client_secret_post`
//!   (with the `echo` scenario as token endpoint) or only `private_key_jwt`;
//! - `POST /revoke` (RFC 7009, client authentication required) and `POST /introspect`
//!   (RFC 7662) for the tokens it issued; `POST /echo_200/introspect` and
//!   `/echo_200/device_authorization` answer 200 with the request copied into their fields;
//! - `GET /protected`: a protected resource that answers 401 to its first request, then
//!   checks the bearer token (for the HTTP-client adapters);
//! - `GET /__stats`, `POST /__reset`: request counters, for single-flight tests.
//!
//! A scenario is chosen by the path `/scenario/<name>/token` ([`Testkit::scenario_url`]),
//! else the `X-Testkit-Scenario` header, else a `scenario` query parameter, else the client id
//! when it names a scenario, else `ok`. [`SCENARIOS`] lists them. The path is what the test
//! suites use: tokenfetch treats header values and query values as credentials and scrubs
//! them from what the server sends back, which would scrub `invalid_client` from an error
//! code when that is also the scenario's name.
//! Parameters come from headers: `X-Testkit-Expires-In`, `X-Testkit-Delay-Ms` (a delay before
//! answering, in any scenario), `X-Testkit-Fail-Times`, `X-Testkit-Retry-After`, and
//! `X-Testkit-Hold: GATE`, which holds the answer until `POST /__release?gate=GATE`,
//! `X-Testkit-Refresh-Expires-In` (the `refresh_expires_in` sent with refresh tokens, default
//! 86400) and `X-Testkit-Lose-Answer` (a refresh is processed and rotated, then its answer is
//! lost: `reset` resets the connection, `truncated` sends half the 200, `504` answers as a
//! proxy that gave up, `502json` as a gateway with a JSON error body), and `X-Testkit-Keep-Refresh-Token` (a refresh answer without a new
//! refresh token, as Google sends; the one sent stays valid).

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

mod echo;
mod http;
pub mod redis;
mod scenario;
pub use scenario::{Scenario, SCENARIOS};
pub mod tls;

use echo::{echo_200, echo_reply};
use http::{read_request, write_reply, Conn, Delivery, Reply, Request};

use tls::{Presents, TlsFixture};

fn is_scenario(name: &str) -> bool {
    Scenario::from_name(name).is_some()
}

/// A running server. Dropping it stops it.
pub struct Testkit {
    addr: SocketAddr,
    state: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
    /// One HTTPS listener per certificate the fixture can present.
    https: Vec<(Presents, SocketAddr, JoinHandle<()>)>,
    ca_pem: String,
}

struct Shared {
    stop: AtomicBool,
    inner: Mutex<State>,
    /// Signalled when a gate is released.
    gate_opened: Condvar,
    /// What `GET /__tls` answers: the CA and the HTTPS URLs, for suites in other languages.
    tls: Mutex<Option<Value>>,
}

fn https_url(https: &[(Presents, SocketAddr, JoinHandle<()>)], presents: Presents) -> String {
    https
        .iter()
        .find(|(p, _, _)| *p == presents)
        .map(|(_, at, _)| format!("https://localhost:{}/token", at.port()))
        .unwrap_or_default()
}

/// Accepts connections on `listener` until the testkit stops, each on its own thread; with
/// `tls`, every connection is HTTPS with that configuration.
fn serve(
    listener: TcpListener,
    addr: SocketAddr,
    shared: Arc<Shared>,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new().name("testkit-accept".into()).spawn(move || {
        for stream in listener.incoming() {
            if shared.stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let shared = Arc::clone(&shared);
            let tls = tls.clone();
            let _ = thread::Builder::new().name("testkit-conn".into()).spawn(move || {
                let conn = match tls {
                    None => Conn::Plain(stream),
                    Some(config) => match rustls::ServerConnection::new(config) {
                        Ok(server) => Conn::Tls(Box::new(rustls::StreamOwned::new(server, stream))),
                        Err(_) => return,
                    },
                };
                let _ = handle_connection(conn, addr, &shared);
            });
        }
    })
}

#[derive(Default)]
struct State {
    sequence: u64,
    token_requests: u64,
    by_scenario: BTreeMap<String, u64>,
    by_grant: BTreeMap<String, u64>,
    issued_access_tokens: Vec<String>,
    /// When each access token was issued, in epoch milliseconds.
    issued_at_ms: Vec<u64>,
    /// refresh token -> still valid
    refresh_tokens: HashMap<String, bool>,
    /// refresh token -> its family (the grant it descends from), for reuse detection.
    families: HashMap<String, u64>,
    revoked_families: std::collections::HashSet<u64>,
    /// Rotated refresh tokens sent again (`rotate_strict`).
    reuse_detected: u64,
    /// access token -> who it was issued to (client id and secret, username and password,
    /// `X-Api-Key`, `api_key` parameter, refresh-token family), for wrong-credential checks.
    issued_to: HashMap<String, String>,
    device_polls: HashMap<String, u32>,
    /// OAuth `error` codes the token endpoint answered, counted.
    oauth_errors: BTreeMap<String, u64>,
    /// device code -> (when it was issued or last polled, the interval the next poll must keep)
    device_clock: HashMap<String, (std::time::Instant, Duration)>,
    revoked: Vec<String>,
    protected_requests: u64,
    /// Gates released by `POST /__release?gate=NAME` (or [`Testkit::release`]).
    released_gates: Vec<String>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking handler thread must not wedge the server for every later request.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Testkit {
    /// Starts on 127.0.0.1 with a free port.
    pub fn start() -> io::Result<Testkit> {
        Self::bind("127.0.0.1:0")
    }

    pub fn bind(addr: &str) -> io::Result<Testkit> {
        let listener = TcpListener::bind(addr)?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Shared {
            stop: AtomicBool::new(false),
            inner: Mutex::new(State::default()),
            gate_opened: Condvar::new(),
            tls: Mutex::new(None),
        });
        let accept_thread = serve(listener, addr, Arc::clone(&state), None)?;
        let fixture = TlsFixture::generate().map_err(io::Error::other)?;
        let mut https = Vec::new();
        for presents in Presents::ALL {
            let listener = TcpListener::bind((addr.ip(), 0))?;
            let at = listener.local_addr()?;
            let thread = serve(listener, addr, Arc::clone(&state), Some(fixture.config(presents)))?;
            https.push((presents, at, thread));
        }
        let ca_pem = fixture.ca_pem().to_string();
        *state.tls.lock().unwrap_or_else(|p| p.into_inner()) = Some(json!({
            "ca_pem": ca_pem,
            "https_url": https_url(&https, Presents::Good),
            "expired_url": https_url(&https, Presents::Expired),
            "wrong_host_url": https_url(&https, Presents::WrongHost),
        }));
        Ok(Testkit {
            addr,
            state,
            accept_thread: Some(accept_thread),
            https,
            ca_pem,
        })
    }

    /// The PEM certificate of the authority that signed every HTTPS listener's certificate.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// `https://localhost:<port>/token`, whose certificate is valid for that name (if the
    /// client trusts [`Self::ca_pem`]).
    pub fn https_token_url(&self) -> String {
        https_url(&self.https, Presents::Good)
    }

    /// The token endpoint over HTTPS with an expired certificate.
    pub fn expired_https_token_url(&self) -> String {
        https_url(&self.https, Presents::Expired)
    }

    /// The token endpoint over HTTPS with a certificate for another host name.
    pub fn wrong_host_https_token_url(&self) -> String {
        https_url(&self.https, Presents::WrongHost)
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:<port>/token`
    pub fn token_url(&self) -> String {
        format!("{}/token", self.url())
    }

    /// `http://127.0.0.1:<port>/scenario/<name>/token`: the token endpoint, playing `name`.
    pub fn scenario_url(&self, name: &str) -> String {
        format!("{}/scenario/{name}/token", self.url())
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Token endpoint requests received since start or the last reset.
    pub fn token_requests(&self) -> u64 {
        self.state.state().token_requests
    }

    /// Token endpoint requests with this grant type.
    pub fn requests_with_grant(&self, grant_type: &str) -> u64 {
        self.state.state().by_grant.get(grant_type).copied().unwrap_or(0)
    }

    /// When each access token was issued, in epoch milliseconds, in order.
    pub fn issue_times_ms(&self) -> Vec<u64> {
        self.state.state().issued_at_ms.clone()
    }

    /// How many rotated refresh tokens were sent again (`rotate_strict`).
    pub fn reuse_detected(&self) -> u64 {
        self.state.state().reuse_detected
    }

    /// Who an access token was issued to (see `State::issued_to`).
    pub fn issued_to(&self, access_token: &str) -> Option<String> {
        self.state.state().issued_to.get(access_token).cloned()
    }

    /// How many token endpoint answers carried this OAuth `error` code.
    pub fn oauth_errors(&self, code: &str) -> u64 {
        self.state.state().oauth_errors.get(code).copied().unwrap_or(0)
    }

    /// Lets every token request held at gate `name` (`X-Testkit-Hold: name`) be answered.
    /// A test uses it to know a request is in flight for as long as it needs, without sleeps.
    pub fn release(&self, gate: &str) {
        self.state.state().released_gates.push(gate.to_string());
        self.state.gate_opened.notify_all();
    }

    pub fn reset(&self) {
        *self.state.state() = State::default();
    }

    /// Blocks until the process is killed.
    pub fn wait(mut self) {
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Testkit {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake each accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
        if let Some(t) = self.accept_thread.take() {
            let _ = t.join();
        }
        for (_, at, thread) in self.https.drain(..) {
            let _ = TcpStream::connect_timeout(&at, Duration::from_millis(200));
            let _ = thread.join();
        }
    }
}

/// `/scenario/<name>/token` -> `name`.
fn scenario_in_path(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/scenario/")?;
    let (name, tail) = rest.split_once('/')?;
    matches!(tail, "token" | "oauth/token").then_some(name)
}

fn handle_connection(mut conn: Conn, addr: SocketAddr, shared: &Shared) -> io::Result<()> {
    conn.tcp().set_read_timeout(Some(Duration::from_secs(10)))?;
    let Some(request) = read_request(&mut conn)? else {
        return Ok(());
    };
    let reply = route(&request, addr, shared);
    write_reply(conn, reply)
}

fn route(request: &Request, addr: SocketAddr, shared: &Shared) -> Reply {
    match (request.method.as_str(), request.path.as_str()) {
        ("POST", "/token" | "/oauth/token" | "/oauth2/token") => counted(token_endpoint(request, addr, shared), shared),
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
                        "oauth_errors": s.oauth_errors, "reuse_detected": s.reuse_detected }),
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
            Reply::json(200, json!({ "reset": true }))
        }
        ("GET", "/health") => Reply::text(200, "text/plain", "ok"),
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

fn device_authorization(addr: SocketAddr, shared: &Shared, script: &str) -> Reply {
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

fn metadata(addr: SocketAddr, tenant: &str) -> Reply {
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

fn introspect(request: &Request, shared: &Shared) -> Reply {
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

fn protected_resource(request: &Request, shared: &Shared) -> Reply {
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

fn token_endpoint(request: &Request, addr: SocketAddr, shared: &Shared) -> Reply {
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
    if let Some(scope) = params.get("scope") {
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

    #[test]
    fn a_scenario_is_named_in_its_token_path() {
        assert_eq!(scenario_in_path("/scenario/echo/token"), Some("echo"));
        assert_eq!(scenario_in_path("/scenario/gusto/oauth/token"), Some("gusto"));
        assert_eq!(scenario_in_path("/scenario/echo/other"), None);
        assert!(is_scenario("echo") && !is_scenario("no-such-scenario"));
    }
}
