//! The server's HTTP/1.1: one connection (plain or TLS), reading a request, and writing a
//! reply the way a scenario asks (whole, reset, truncated, a byte at a time, chunked).

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{json, Value};

use crate::is_scenario;
use crate::routing::scenario_in_path;

/// One accepted connection, plain or TLS.
pub(crate) enum Conn {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ServerConnection, TcpStream>>),
}

impl Conn {
    pub(crate) fn tcp(&self) -> &TcpStream {
        match self {
            Conn::Plain(s) => s,
            Conn::Tls(s) => &s.sock,
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf),
            Conn::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.write(buf),
            Conn::Tls(s) => s.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.flush(),
            Conn::Tls(s) => s.flush(),
        }
    }
}

pub(crate) struct Request {
    pub(crate) method: String,
    pub(crate) path: String,
    /// The request target as sent (path and query, still encoded).
    pub(crate) target: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Request {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn header_num(&self, name: &str, default: u64) -> u64 {
        self.header(name).and_then(|v| v.trim().parse().ok()).unwrap_or(default)
    }

    /// Body parameters, from a form or a JSON object (arrays joined by spaces).
    pub(crate) fn params(&self) -> BTreeMap<String, String> {
        let is_json = self.header("content-type").is_some_and(|ct| ct.contains("json"));
        if is_json {
            match serde_json::from_slice::<Value>(&self.body) {
                Ok(Value::Object(map)) => map
                    .into_iter()
                    .map(|(k, v)| {
                        let s = match v {
                            Value::String(s) => s,
                            Value::Array(items) => items
                                .iter()
                                .map(|i| i.as_str().unwrap_or_default())
                                .collect::<Vec<_>>()
                                .join(" "),
                            other => other.to_string(),
                        };
                        (k, s)
                    })
                    .collect(),
                _ => BTreeMap::new(),
            }
        } else {
            form_urlencoded::parse(&self.body).into_owned().collect()
        }
    }

    /// Client id and secret from HTTP Basic (RFC 6749 §2.3.1 decoding) or the body.
    pub(crate) fn client_credentials(&self) -> (Option<String>, Option<String>) {
        if let Some(basic) = self.header("authorization").and_then(|v| v.strip_prefix("Basic ")) {
            if let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(basic.trim()) {
                let raw = String::from_utf8_lossy(&raw).into_owned();
                if let Some((id, secret)) = raw.split_once(':') {
                    let decode = |s: &str| {
                        form_urlencoded::parse(format!("x={s}").as_bytes())
                            .next()
                            .map(|(_, v)| v.into_owned())
                    };
                    return (decode(id), decode(secret));
                }
            }
        }
        let params = self.params();
        (params.get("client_id").cloned(), params.get("client_secret").cloned())
    }

    pub(crate) fn scenario(&self) -> String {
        if let Some(name) = scenario_in_path(&self.path) {
            return name.to_string();
        }
        if let Some(s) = self.header("x-testkit-scenario") {
            return s.trim().to_string();
        }
        if let Some((_, s)) = self.query.iter().find(|(k, _)| k == "scenario") {
            return s.clone();
        }
        match self.client_credentials().0 {
            Some(id) if is_scenario(&id) => id,
            _ => "ok".to_string(),
        }
    }
}

pub(crate) enum Delivery {
    Normal,
    Reset,
    /// The head and half the body, then a reset: an answer lost on the way back.
    Truncated,
    Trickle(Duration),
    Chunked,
}

pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    pub(crate) delivery: Delivery,
}

impl Reply {
    pub(crate) fn json(status: u16, value: Value) -> Reply {
        Reply {
            status,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Cache-Control".into(), "no-store".into()),
            ],
            body: value.to_string().into_bytes(),
            delivery: Delivery::Normal,
        }
    }

    pub(crate) fn text(status: u16, content_type: &str, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
            delivery: Delivery::Normal,
        }
    }

    pub(crate) fn oauth_error(status: u16, code: &str, description: &str) -> Reply {
        Reply::json(status, json!({ "error": code, "error_description": description }))
    }

    pub(crate) fn reset() -> Reply {
        Reply {
            status: 0,
            headers: vec![],
            body: vec![],
            delivery: Delivery::Reset,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Reads one request; a connection carries one (the testkit answers `Connection: close`).
pub(crate) fn read_request(stream: &mut Conn) -> io::Result<Option<Request>> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let query = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let mut headers = Vec::new();
    let mut header_bytes = 0usize;
    loop {
        let mut h = String::new();
        let n = reader.read_line(&mut h)?;
        header_bytes += n;
        if n == 0 || h == "\r\n" || h == "\n" || header_bytes > 64 * 1024 {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0)
        .min(1024 * 1024);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(Request {
        method: method.to_string(),
        path: path.to_string(),
        target: target.to_string(),
        query,
        headers,
        body,
    }))
}

pub(crate) fn write_reply(mut stream: Conn, reply: Reply) -> io::Result<()> {
    if let Delivery::Reset = reply.delivery {
        // SO_LINGER 0 makes close() send RST: the client sees a reset, not a clean EOF.
        let tcp = match stream {
            Conn::Plain(s) => s,
            Conn::Tls(s) => s.sock,
        };
        let socket = socket2::Socket::from(tcp);
        socket.set_linger(Some(Duration::ZERO))?;
        drop(socket);
        return Ok(());
    }
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("Connection: close\r\n");
    match reply.delivery {
        Delivery::Chunked => {
            head.push_str("Transfer-Encoding: chunked\r\n\r\n");
            stream.write_all(head.as_bytes())?;
            for chunk in reply.body.chunks(16 * 1024) {
                stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                stream.write_all(chunk)?;
                stream.write_all(b"\r\n")?;
            }
            stream.write_all(b"0\r\n\r\n")?;
        }
        Delivery::Truncated => {
            head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
            stream.write_all(head.as_bytes())?;
            stream.write_all(&reply.body[..reply.body.len() / 2])?;
            stream.flush()?;
            if let Conn::Plain(tcp) = stream {
                let socket = socket2::Socket::from(tcp);
                socket.set_linger(Some(Duration::ZERO))?;
            }
            return Ok(());
        }
        Delivery::Trickle(pause) => {
            head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
            stream.write_all(head.as_bytes())?;
            for byte in &reply.body {
                stream.write_all(std::slice::from_ref(byte))?;
                stream.flush()?;
                thread::sleep(pause);
            }
        }
        _ => {
            head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
            stream.write_all(head.as_bytes())?;
            stream.write_all(&reply.body)?;
        }
    }
    if let Conn::Tls(tls) = &mut stream {
        tls.conn.send_close_notify();
    }
    stream.flush()?;
    let _ = stream.tcp().shutdown(std::net::Shutdown::Write);
    // Drain what the client still sends so close() does not turn into a reset.
    let _ = stream.tcp().set_read_timeout(Some(Duration::from_millis(200)));
    let _ = io::copy(&mut stream.tcp().take(64 * 1024), &mut io::sink());
    Ok(())
}

pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
