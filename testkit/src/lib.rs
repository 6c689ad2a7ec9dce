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
//! - `GET /__stats`, `POST /__reset`: request counters, for single-flight tests; the stats also
//!   hold the assertions received (`client_assertions`, `bearer_assertions`) and the claims of
//!   the last one verified (`last_claims`);
//! - `GET /__google_service_account`: a Google service account key file whose `token_uri` is
//!   this server's and whose key it trusts.
//!
//! Client assertions and the JWT bearer grant are verified as a strict server would (see
//! `assertions.rs`): signature with a key of `conformance/keys.json`, `aud`, `exp`, a fresh
//! `jti`.
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
use std::time::Duration;

use serde_json::{json, Value};

mod assertions;
mod echo;
mod endpoints;
mod http;
mod op;
mod proxy;
pub mod redis;
mod routing;
mod scenario;
pub use scenario::{Scenario, SCENARIOS};
pub mod tls;
pub use proxy::{PASSWORD as PROXY_PASSWORD, USER as PROXY_USER};

use http::Conn;

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
    /// The proxies a client may be sent through (`GET /__proxy`).
    proxies: std::sync::OnceLock<proxy::Proxies>,
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
                let _ = routing::handle_connection(conn, addr, &shared);
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
    /// Every `jti` a verified assertion carried, for replay checks.
    seen_jtis: std::collections::HashSet<String>,
    /// Every client assertion received, in order (the `federated` and echo scenarios take
    /// them unchecked).
    client_assertions: Vec<String>,
    /// The JWT bearer grant's assertions, in order (a test replays one).
    bearer_assertions: Vec<String>,
    /// The claims of the last assertion verified.
    last_claims: Value,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking handler thread must not wedge the server for every later request.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A server's state without a server, for the modules' unit tests.
    #[cfg(test)]
    fn for_tests() -> Shared {
        Shared {
            stop: AtomicBool::new(false),
            inner: Mutex::new(State::default()),
            gate_opened: Condvar::new(),
            tls: Mutex::new(None),
            proxies: std::sync::OnceLock::new(),
        }
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
            proxies: std::sync::OnceLock::new(),
        });
        let accept_thread = serve(listener, addr, Arc::clone(&state), None)?;
        let fixture = TlsFixture::generate().map_err(io::Error::other)?;
        let _ = state
            .proxies
            .set(proxy::Proxies::start(addr.ip(), fixture.config(Presents::Good))?);
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
        if let Some(proxies) = self.state.proxies.get() {
            proxies.reset();
        }
    }

    fn proxies(&self) -> &proxy::Proxies {
        self.state.proxies.get().expect("started with the testkit")
    }

    /// An HTTP `CONNECT` proxy asking for [`PROXY_USER`] and [`PROXY_PASSWORD`], as a URL
    /// holding them. It reaches `localhost` and names under `.proxied.test` at 127.0.0.1,
    /// refuses `denied.proxied.test` (403) and resolves no other name.
    pub fn proxy_url(&self) -> String {
        self.proxies().connect_url()
    }

    /// The same behind TLS: `https://…@localhost:<port>`, whose certificate the testkit's
    /// CA ([`Self::ca_pem`]) signed.
    pub fn https_proxy_url(&self) -> String {
        self.proxies().tls_connect_url()
    }

    /// The same as a `socks5h://` proxy.
    pub fn socks_proxy_url(&self) -> String {
        self.proxies().socks_url()
    }

    /// Tunnels both proxies opened since start or the last reset.
    pub fn proxy_tunnels(&self) -> u64 {
        self.proxies().tunnels()
    }

    /// The `host:port` each tunnel was asked for, in order.
    pub fn proxy_targets(&self) -> Vec<String> {
        self.proxies().targets()
    }

    /// Connections the proxies refused (a wrong password, a denied host).
    pub fn proxy_refusals(&self) -> u64 {
        self.proxies().refusals()
    }

    /// Whether `text` went through a tunnel in clear (it must not, over HTTPS).
    pub fn proxy_saw(&self, text: &str) -> bool {
        self.proxies().saw(text)
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
        if let Some(proxies) = self.state.proxies.get() {
            proxies.stop();
        }
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
