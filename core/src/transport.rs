//! One HTTP exchange (a POST, or the GET of a discovery document), over ureq: the only place
//! that knows about the HTTP library.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant, SystemTime};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport as UreqTransport,
};

use crate::error::{Deadline, Error};
use crate::proxy::{Proxy, Routes};

/// Idle connections kept per host. One client is often shared by a whole thread pool, and
/// ureq's default of 3 made every thread past the third open a new connection (with a TLS
/// handshake) for most fetches. Idle ones still close after ureq's 15 s.
const IDLE_CONNECTIONS_PER_HOST: usize = 64;

/// What came back from one attempt, before any interpretation.
pub(crate) struct Exchange {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub elapsed: Duration,
    pub received_at: SystemTime,
}

/// A failed attempt, with whatever part of the answer did arrive (for the metadata).
pub(crate) struct Failure {
    pub error: Error,
    pub status: Option<u16>,
    pub headers: Vec<(String, String)>,
    pub elapsed: Duration,
    /// Whether the server may have received the request.
    pub reach: Reach,
}

/// Whether a failed request may have reached the server, which decides whether a single-use
/// credential may be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// It failed before a byte of the request was written: DNS, connect, connect timeout.
    NotSent,
    /// It failed after the request may have been written (a reset, a read timeout).
    MaybeSent,
    /// A proxy refused to carry it (407, 403, a SOCKS refusal): nothing reached the server,
    /// and the same request would be refused again.
    Refused,
}

pub(crate) struct Transport {
    agent: ureq::Agent,
    max_response_bytes: u64,
    routes: Routes,
}

impl Transport {
    /// `roots`: the trusted certificate authorities; `routes`: the proxy of each request.
    pub fn new(connect_timeout: Duration, max_response_bytes: u64, roots: crate::tls::Roots, routes: Routes) -> Self {
        let tls = ureq::tls::TlsConfig::builder().root_certs(ureq::tls::RootCerts::Specific(roots));
        let config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            // The parser reads error bodies itself: a 400 is an answer, not a failure.
            .http_status_as_error(false)
            // A token POST must not be replayed at another address with our credentials.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(connect_timeout))
            .max_idle_connections(IDLE_CONNECTIONS_PER_HOST)
            .max_idle_connections_per_host(IDLE_CONNECTIONS_PER_HOST)
            // ureq would read the proxy variables itself, for every scheme alike; `routes`
            // decides instead, request by request (crate::proxy).
            .proxy(None)
            .build();
        Transport {
            agent: ureq::Agent::with_parts(config, ProbeOnCheckout::default(), LiteralFirst::default()),
            max_response_bytes,
            routes,
        }
    }

    /// POSTs `body`; `budget` is what is left of the overall timeout, `shown` the URL as
    /// messages may show it.
    pub fn post(
        &self,
        url: &str,
        shown: &str,
        headers: &[(String, String)],
        body: &[u8],
        budget: Duration,
    ) -> Result<Exchange, Box<Failure>> {
        let started = Instant::now();
        let via = self.routes.for_url(url);
        let mut request = self.agent.post(url);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut config = request.config().timeout_global(Some(budget));
        if let Some(proxy) = via {
            config = config.proxy(Some(proxy.ureq.clone()));
        }
        let outcome = config.build().send(body);
        self.read_answer(
            started,
            outcome,
            &Route {
                method: "POST",
                shown,
                via,
            },
        )
    }

    /// GETs `url` (a discovery document); `budget` is what is left of the overall timeout.
    pub fn get(
        &self,
        url: &str,
        shown: &str,
        headers: &[(String, String)],
        budget: Duration,
    ) -> Result<Exchange, Box<Failure>> {
        let started = Instant::now();
        let via = self.routes.for_url(url);
        let mut request = self.agent.get(url);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut config = request.config().timeout_global(Some(budget));
        if let Some(proxy) = via {
            config = config.proxy(Some(proxy.ureq.clone()));
        }
        let outcome = config.build().call();
        self.read_answer(
            started,
            outcome,
            &Route {
                method: "GET",
                shown,
                via,
            },
        )
    }

    /// The status, headers and (capped) body of an answer, or how the attempt failed.
    fn read_answer(
        &self,
        started: Instant,
        outcome: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        route: &Route<'_>,
    ) -> Result<Exchange, Box<Failure>> {
        let fail = |error: Error, status: Option<u16>, headers: Vec<(String, String)>, reach: Reach| {
            Box::new(Failure {
                error,
                status,
                headers,
                elapsed: started.elapsed(),
                reach,
            })
        };

        let mut response = match outcome {
            Ok(r) => r,
            Err(e) => {
                let (error, reach) = route.failure(e, started.elapsed());
                return Err(fail(error, None, Vec::new(), reach));
            }
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();

        let too_large = || Error::ResponseTooLarge {
            limit: self.max_response_bytes,
            status: Some(status),
            http_meta: None,
        };
        let declared = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.max_response_bytes) {
            return Err(fail(too_large(), Some(status), headers, Reach::MaybeSent));
        }
        match response
            .body_mut()
            .with_config()
            .limit(self.max_response_bytes)
            .read_to_vec()
        {
            Ok(body) => Ok(Exchange {
                status,
                headers,
                body,
                elapsed: started.elapsed(),
                received_at: SystemTime::now(),
            }),
            Err(ureq::Error::BodyExceedsLimit(_)) => Err(fail(too_large(), Some(status), headers, Reach::MaybeSent)),
            Err(e) => {
                let (error, _) = route.failure(e, started.elapsed());
                Err(fail(error, Some(status), headers, Reach::MaybeSent))
            }
        }
    }
}

/// Resolves an IP literal at once and leaves host names to ureq's resolver.
///
/// ureq's resolver runs every lookup on a new thread whenever a timeout is set (so that the
/// lookup honours it), and it looks up before it takes a pooled connection: a thread per
/// fetch even for `127.0.0.1` and a kept-alive connection. That thread was most of a
/// loopback fetch's time and all of its millisecond tail. A literal needs no lookup, so no
/// thread and no timeout; a name is still resolved within the connect timeout.
#[derive(Debug, Default)]
struct LiteralFirst(DefaultResolver);

impl Resolver for LiteralFirst {
    fn resolve(&self, uri: &Uri, config: &Config, timeout: NextTimeout) -> Result<ResolvedSocketAddrs, ureq::Error> {
        match literal_address(uri) {
            Some(address) => {
                let mut addresses = self.empty();
                addresses.push(address);
                Ok(addresses)
            }
            None => self.0.resolve(uri, config, timeout),
        }
    }
}

/// The socket address of a URL whose host is an IPv4 or IPv6 literal.
fn literal_address(uri: &Uri) -> Option<SocketAddr> {
    let authority = uri.authority()?;
    let host = authority.host();
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    let port = match (authority.port_u16(), uri.scheme_str()) {
        (Some(port), _) => port,
        (None, Some("https")) => 443,
        (None, Some("http")) => 80,
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

/// ureq's own connectors (TCP, proxies, TLS), with one probe per reuse of a pooled
/// connection instead of two.
///
/// ureq probes a connection (a non-blocking read between two `FIONBIO` ioctls) when it goes
/// back to the pool and again when it comes out. The second probe sees all the first would:
/// stray bytes after a body still wait in the socket, and a close still reads as EOF. So the
/// probe straight after an exchange is skipped: three syscalls of the twelve a pooled fetch
/// made (strace, make bench). core/tests/pool.rs and proxy.rs hold the cases it must catch.
#[derive(Debug, Default)]
struct ProbeOnCheckout(DefaultConnector);

impl Connector<()> for ProbeOnCheckout {
    type Out = ProbedTransport;

    fn connect(&self, details: &ConnectionDetails, chained: Option<()>) -> Result<Option<Self::Out>, ureq::Error> {
        // Behind a proxy, ureq opens the proxy connection through this same connector, and
        // the tunnel's wrapper would ask the proxy connection's, which also skips: neither
        // layer would probe. There, every probe is made.
        let skip_probe_after_use = details.config.proxy().is_none();
        Ok(self.0.connect(details, chained)?.map(|inner| ProbedTransport {
            inner,
            used_since_probe: false,
            skip_probe_after_use,
        }))
    }
}

#[derive(Debug)]
struct ProbedTransport {
    inner: Box<dyn UreqTransport>,
    /// Whether data moved since the last probe: the next `is_open` is then the one ureq
    /// makes on returning the connection to the pool, and is answered without a syscall.
    used_since_probe: bool,
    skip_probe_after_use: bool,
}

impl UreqTransport for ProbedTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.used_since_probe = true;
        self.inner.transmit_output(amount, timeout)
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.used_since_probe = true;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.used_since_probe = true;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        let used = std::mem::take(&mut self.used_since_probe);
        (used && self.skip_probe_after_use) || self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

/// Where one request went, for its error messages.
struct Route<'a> {
    method: &'static str,
    /// The URL as messages may show it.
    shown: &'a str,
    via: Option<&'a Proxy>,
}

impl Route<'_> {
    /// The error a failed attempt is reported as, naming the request and any proxy (never
    /// its password), and whether it may have reached the server.
    fn failure(&self, error: ureq::Error, elapsed: Duration) -> (Error, Reach) {
        let Some(proxy) = self.via else {
            let reach = reach_of(&error);
            return (self.with_request(map_error(error, elapsed), ""), reach);
        };
        let proxy_shown = &proxy.shown;
        let credentials_hint = if proxy.ureq.username().is_some() {
            "check the user and password in the proxy URL"
        } else {
            "give the proxy's user and password in its URL (http://user:password@host:port)"
        };
        let refused = |message: String| (self.transport(message), Reach::Refused);
        let socks = matches!(
            proxy.ureq.protocol(),
            ureq::ProxyProtocol::Socks5 | ureq::ProxyProtocol::Socks5h
        );
        match &error {
            ureq::Error::ConnectProxyFailed(reason) => {
                // ureq says "proxy server responded 407/407".
                let answered = reason.strip_prefix("proxy server responded ").map(|status| {
                    let code = status.split('/').next().unwrap_or("").trim().to_string();
                    let reason = code
                        .parse::<u16>()
                        .ok()
                        .and_then(|n| ureq::http::StatusCode::from_u16(n).ok())
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("");
                    let shown = format!("HTTP {code} {reason}").trim_end().to_string();
                    (code, shown)
                });
                return match answered {
                    Some((code, status)) if code == "407" => refused(format!(
                        "the proxy {proxy_shown} refused to open a tunnel: it answered {status}; {credentials_hint}"
                    )),
                    Some((code, status)) if code == "403" => refused(format!(
                        "the proxy {proxy_shown} refused to open a tunnel: it answered {status}; its rules do not allow this host"
                    )),
                    Some((_, status)) => (
                        self.transport(format!(
                            "the proxy {proxy_shown} could not open a tunnel: it answered {status}"
                        )),
                        Reach::NotSent,
                    ),
                    None => (
                        self.transport(format!("the proxy {proxy_shown} did not open a tunnel: {reason}")),
                        Reach::NotSent,
                    ),
                };
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
                return refused(format!(
                    "the proxy {proxy_shown} refused this client: {io}; {credentials_hint}"
                ));
            }
            ureq::Error::Io(io) if socks && socks_reply(io) == Some(true) => {
                return refused(format!(
                    "the proxy {proxy_shown} refused to open a connection: {io}; its rules do not allow this host"
                ));
            }
            ureq::Error::Io(io) if socks && socks_reply(io) == Some(false) => {
                return (
                    self.transport(format!("the proxy {proxy_shown} could not open a connection: {io}")),
                    Reach::NotSent,
                );
            }
            ureq::Error::Io(io) if io.to_string().contains("no acceptable auth methods") => {
                return refused(format!(
                    "the proxy {proxy_shown} accepts none of the ways this client can sign in to it; {credentials_hint}"
                ));
            }
            _ => {}
        }
        let reach = reach_of(&error);
        let connecting = matches!(
            &error,
            ureq::Error::ConnectionFailed | ureq::Error::Timeout(ureq::Timeout::Connect)
        ) || matches!(&error, ureq::Error::Io(io) if matches!(
            io.kind(),
            std::io::ErrorKind::ConnectionRefused
                | std::io::ErrorKind::AddrNotAvailable
                | std::io::ErrorKind::NetworkUnreachable
                | std::io::ErrorKind::HostUnreachable
        ));
        // An HTTP proxy resolves the request's host itself: a failed lookup was the proxy's.
        let proxy_lookup = matches!(&error, ureq::Error::HostNotFound)
            && matches!(
                proxy.ureq.protocol(),
                ureq::ProxyProtocol::Http | ureq::ProxyProtocol::Https
            );
        let mapped = map_error(error, elapsed);
        let mapped = match mapped {
            Error::Transport { message, http_meta } if connecting || proxy_lookup => {
                return (
                    Error::Transport {
                        message: self.request_text(format!("could not reach the proxy {proxy_shown}: {message}")),
                        http_meta,
                    },
                    reach,
                )
            }
            other => other,
        };
        (
            self.with_request(mapped, &format!(" through the proxy {proxy_shown}")),
            reach,
        )
    }

    fn transport(&self, message: String) -> Error {
        Error::Transport {
            message: self.request_text(message),
            http_meta: None,
        }
    }

    /// `message`, then the request it concerns.
    fn request_text(&self, message: String) -> String {
        format!("{message} ({} {})", self.method, self.shown)
    }

    /// A transport error's message with the request (and `how` it went) after it.
    fn with_request(&self, error: Error, how: &str) -> Error {
        match error {
            Error::Transport { message, http_meta } => Error::Transport {
                message: format!("{message} ({} {}{how})", self.method, self.shown),
                http_meta,
            },
            other => other,
        }
    }
}

/// The failures ureq's SOCKS5 handshake reports (as I/O errors carrying these words), all
/// before a byte of the request is sent: whether this is one, and whether it is the
/// proxy's refusal (its rules), which the same request would meet again.
fn socks_reply(io: &std::io::Error) -> Option<bool> {
    const BEFORE_THE_REQUEST: &[&str] = &[
        "general SOCKS server failure",
        "network unreachable",
        "host unreachable",
        "connection refused",
        "TTL expired",
        "command not supported",
        "address kind not supported",
        "unknown error",
        "request rejected or failed",
        "invalid response version",
        "unsupported address type",
        "unknown auth method",
        "invalid username",
        "invalid password",
        "domain name too long",
    ];
    use std::io::ErrorKind as Io;
    if !matches!(io.kind(), Io::Other | Io::InvalidData | Io::InvalidInput) {
        return None;
    }
    let text = io.to_string();
    if text == "connection not allowed by ruleset" {
        return Some(true);
    }
    BEFORE_THE_REQUEST.contains(&text.as_str()).then_some(false)
}

/// Errors ureq raises before it writes the request: name resolution and connection set-up.
fn reach_of(error: &ureq::Error) -> Reach {
    use std::io::ErrorKind as Io;
    match error {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::BadUri(_) => Reach::NotSent,
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => Reach::NotSent,
        // The handshake comes before the request: a refused certificate sent nothing. Any
        // other TLS failure (an alert, a bad record) may come after the request was written,
        // on a pooled connection or while the answer is read.
        ureq::Error::Rustls(e) if in_handshake(e) => Reach::NotSent,
        ureq::Error::Tls(_) => Reach::NotSent,
        ureq::Error::Io(io) if rustls_error(io).is_some_and(in_handshake) => Reach::NotSent,
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                Io::ConnectionRefused | Io::AddrNotAvailable | Io::NetworkUnreachable | Io::HostUnreachable
            ) =>
        {
            Reach::NotSent
        }
        _ => Reach::MaybeSent,
    }
}

/// TLS errors that only a handshake raises, so no request can have been written before them.
fn in_handshake(error: &rustls::Error) -> bool {
    matches!(
        error,
        rustls::Error::InvalidCertificate(_)
            | rustls::Error::NoCertificatesPresented
            | rustls::Error::UnsupportedNameType
            | rustls::Error::PeerIncompatible(_)
            | rustls::Error::HandshakeNotComplete
            | rustls::Error::InvalidCertRevocationList(_)
    )
}

/// The TLS error inside an I/O error, as ureq reports a failed handshake.
fn rustls_error(io: &std::io::Error) -> Option<&rustls::Error> {
    io.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>())
}

fn map_error(error: ureq::Error, elapsed: Duration) -> Error {
    let tls = match &error {
        ureq::Error::Rustls(e) => Some(crate::tls::handshake_failure(e)),
        ureq::Error::Io(io) => rustls_error(io).map(crate::tls::handshake_failure),
        _ => None,
    };
    if let Some(message) = tls {
        return Error::Transport {
            message,
            http_meta: None,
        };
    }
    match error {
        ureq::Error::Timeout(which) => {
            let deadline = match which {
                ureq::Timeout::Connect | ureq::Timeout::Resolve => Deadline::Connect,
                _ => Deadline::Overall,
            };
            Error::Timeout {
                deadline,
                after: elapsed,
                http_meta: None,
            }
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => Error::Timeout {
            deadline: Deadline::Overall,
            after: elapsed,
            http_meta: None,
        },
        ureq::Error::HostNotFound => Error::Transport {
            message: "host not found (DNS)".into(),
            http_meta: None,
        },
        ureq::Error::ConnectionFailed => Error::Transport {
            message: "connection failed".into(),
            http_meta: None,
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => Error::Transport {
            message: "connection refused".into(),
            http_meta: None,
        },
        other => Error::Transport {
            message: other.to_string(),
            http_meta: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_handshake_tls_errors_prove_a_request_was_never_sent() {
        let io = |e: rustls::Error| ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
        let certificate = rustls::Error::InvalidCertificate(rustls::CertificateError::Expired);
        assert_eq!(reach_of(&io(certificate.clone())), Reach::NotSent);
        assert_eq!(reach_of(&ureq::Error::Rustls(certificate)), Reach::NotSent);
        // A fatal alert or a bad record can arrive while the answer is read, after the
        // request (and a refresh token in it) was written.
        for late in [
            rustls::Error::AlertReceived(rustls::AlertDescription::InternalError),
            rustls::Error::DecryptError,
        ] {
            assert_eq!(reach_of(&io(late.clone())), Reach::MaybeSent, "{late:?}");
            assert_eq!(reach_of(&ureq::Error::Rustls(late)), Reach::MaybeSent);
        }
    }

    #[test]
    fn ip_literals_resolve_without_a_lookup_and_names_do_not() {
        let at = |url: &str| literal_address(&url.parse::<Uri>().unwrap());
        assert_eq!(
            at("http://127.0.0.1:8080/token"),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(at("https://10.0.0.7/token"), Some("10.0.0.7:443".parse().unwrap()));
        assert_eq!(at("http://[::1]/token"), Some("[::1]:80".parse().unwrap()));
        assert_eq!(
            at("https://[2001:db8::1]:8443/t"),
            Some("[2001:db8::1]:8443".parse().unwrap())
        );
        assert_eq!(at("https://auth.example.com/token"), None);
        assert_eq!(at("https://localhost/token"), None);
        // A name made of digits is not an address: 1.2.3 is resolved, never guessed.
        assert_eq!(at("https://1.2.3/token"), None);
    }
}
