//! One HTTP POST, over ureq: the only place that knows about the HTTP library.

use std::time::{Duration, Instant, SystemTime};

use crate::error::{Deadline, Error};

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
}

pub(crate) struct Transport {
    agent: ureq::Agent,
    max_response_bytes: u64,
}

impl Transport {
    /// `roots`: the trusted certificate authorities, or `None` for the bundled web PKI roots.
    pub fn new(connect_timeout: Duration, max_response_bytes: u64, roots: Option<crate::tls::Roots>) -> Self {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(roots) = roots {
            tls = tls.root_certs(ureq::tls::RootCerts::from(roots));
        }
        let config = ureq::Agent::config_builder()
            .tls_config(tls.build())
            // The parser reads error bodies itself: a 400 is an answer, not a failure.
            .http_status_as_error(false)
            // A token POST must not be replayed at another address with our credentials.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .timeout_connect(Some(connect_timeout))
            .build();
        Transport {
            agent: config.into(),
            max_response_bytes,
        }
    }

    /// POSTs `body`; `budget` is what is left of the overall timeout.
    pub fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
        budget: Duration,
    ) -> Result<Exchange, Box<Failure>> {
        let started = Instant::now();
        let mut request = self.agent.post(url);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let request = request.config().timeout_global(Some(budget)).build();
        let fail = |error: Error, status: Option<u16>, headers: Vec<(String, String)>, reach: Reach| {
            Box::new(Failure {
                error,
                status,
                headers,
                elapsed: started.elapsed(),
                reach,
            })
        };

        let mut response = match request.send(body) {
            Ok(r) => r,
            Err(e) => {
                let reach = reach_of(&e);
                return Err(fail(map_error(e, started.elapsed()), None, Vec::new(), reach));
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
                let error = map_error(e, started.elapsed());
                Err(fail(error, Some(status), headers, Reach::MaybeSent))
            }
        }
    }
}

/// Errors ureq raises before it writes the request: name resolution and connection set-up.
fn reach_of(error: &ureq::Error) -> Reach {
    use std::io::ErrorKind as Io;
    match error {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed | ureq::Error::BadUri(_) => Reach::NotSent,
        ureq::Error::Timeout(ureq::Timeout::Resolve | ureq::Timeout::Connect) => Reach::NotSent,
        // The handshake comes before the request: a refused certificate sent nothing.
        ureq::Error::Rustls(_) | ureq::Error::Tls(_) => Reach::NotSent,
        ureq::Error::Io(io) if rustls_error(io).is_some() => Reach::NotSent,
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
        other => Error::Transport {
            message: other.to_string(),
            http_meta: None,
        },
    }
}
