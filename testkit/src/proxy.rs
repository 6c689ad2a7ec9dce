//! The proxies a client may be sent through: an HTTP `CONNECT` proxy, the same behind TLS
//! (an `https://` proxy, its certificate signed by the testkit's CA for `localhost`), and a
//! SOCKS5 proxy, all asking for [`USER`] and [`PASSWORD`], each logging the tunnels it opened and every
//! byte the client sent through them (so a test can see that TLS stayed end to end).
//!
//! A proxy reaches `localhost` and any name under `.proxied.test` at 127.0.0.1, on the
//! port asked for, and IP literals as they are; it refuses `denied.proxied.test` (403, or
//! SOCKS5's "not allowed by ruleset"), and resolves no other name. A request for a
//! `.proxied.test` name can therefore only succeed if the client left the lookup to it.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

/// The user both proxies ask for.
pub const USER: &str = "tf-proxy";
/// Their password: with an `@` and a `:`, so a client must percent-encode it in a URL.
pub const PASSWORD: &str = "pr0xy:p@ss";
/// [`PASSWORD`] as a URL writes it.
const PASSWORD_IN_URL: &str = "pr0xy%3Ap%40ss";
/// The most of the client's bytes a log keeps.
const LOG_LIMIT: usize = 4 << 20;

#[derive(Default)]
struct Log {
    tunnels: u64,
    /// `host:port` as each client asked for it, in order.
    targets: Vec<String>,
    refused: u64,
    /// What clients sent through the tunnels.
    sent: Vec<u8>,
}

/// The two proxies, running until dropped with their testkit.
pub(crate) struct Proxies {
    connect: SocketAddr,
    tls_connect: SocketAddr,
    socks: SocketAddr,
    log: Arc<Mutex<Log>>,
    stop: Arc<AtomicBool>,
}

impl Proxies {
    pub(crate) fn start(ip: IpAddr, tls: Arc<rustls::ServerConfig>) -> io::Result<Proxies> {
        let log = Arc::new(Mutex::new(Log::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let connect = listen(ip, &log, &stop, serve_connect)?;
        let tls_connect = listen(ip, &log, &stop, move |stream, log| serve_tls_connect(stream, log, &tls))?;
        let socks = listen(ip, &log, &stop, serve_socks5)?;
        Ok(Proxies {
            connect,
            tls_connect,
            socks,
            log,
            stop,
        })
    }

    /// `https://tf-proxy:…@localhost:<port>`: the CONNECT proxy behind TLS.
    pub(crate) fn tls_connect_url(&self) -> String {
        format!("https://{USER}:{PASSWORD_IN_URL}@localhost:{}", self.tls_connect.port())
    }

    /// `http://tf-proxy:…@127.0.0.1:<port>`: the CONNECT proxy, with its credentials.
    pub(crate) fn connect_url(&self) -> String {
        format!("http://{USER}:{PASSWORD_IN_URL}@{}", self.connect)
    }

    /// `socks5h://tf-proxy:…@127.0.0.1:<port>`: the SOCKS5 proxy, resolving names itself.
    pub(crate) fn socks_url(&self) -> String {
        format!("socks5h://{USER}:{PASSWORD_IN_URL}@{}", self.socks)
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn tunnels(&self) -> u64 {
        self.log().tunnels
    }

    pub(crate) fn refusals(&self) -> u64 {
        self.log().refused
    }

    pub(crate) fn targets(&self) -> Vec<String> {
        self.log().targets.clone()
    }

    /// Whether `text` passed through a tunnel in clear.
    pub(crate) fn saw(&self, text: &str) -> bool {
        let log = self.log();
        !text.is_empty() && log.sent.windows(text.len()).any(|w| w == text.as_bytes())
    }

    pub(crate) fn reset(&self) {
        *self.log() = Log::default();
    }

    /// What `GET /__proxy` answers.
    pub(crate) fn describe(&self) -> Value {
        let log = self.log();
        json!({
            "connect_url": self.connect_url(),
            "tls_connect_url": self.tls_connect_url(),
            "socks_url": self.socks_url(),
            "user": USER,
            "password": PASSWORD,
            "tunnels": log.tunnels,
            "targets": log.targets,
            "refused": log.refused,
        })
    }
}

impl Proxies {
    /// Stops both accept loops.
    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        for at in [self.connect, self.tls_connect, self.socks] {
            let _ = TcpStream::connect_timeout(&at, Duration::from_millis(200));
        }
    }
}

fn listen(
    ip: IpAddr,
    log: &Arc<Mutex<Log>>,
    stop: &Arc<AtomicBool>,
    serve: impl Fn(TcpStream, &Mutex<Log>) -> io::Result<()> + Send + Sync + 'static,
) -> io::Result<SocketAddr> {
    let serve = Arc::new(serve);
    let listener = TcpListener::bind((ip, 0))?;
    let at = listener.local_addr()?;
    let (log, stop) = (Arc::clone(log), Arc::clone(stop));
    thread::Builder::new().name("testkit-proxy".into()).spawn(move || {
        for stream in listener.incoming() {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            let (log, serve) = (Arc::clone(&log), Arc::clone(&serve));
            let _ = thread::Builder::new()
                .name("testkit-proxy-conn".into())
                .spawn(move || serve(stream, &log));
        }
    })?;
    Ok(at)
}

/// Where a proxy connects for `host`, or why it will not.
enum Upstream {
    At(IpAddr),
    Denied,
    Unknown,
}

fn upstream_of(host: &str) -> Upstream {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    if host == "denied.proxied.test" {
        return Upstream::Denied;
    }
    if host == "localhost" || host.ends_with(".proxied.test") {
        return Upstream::At(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    match host.parse() {
        Ok(ip) => Upstream::At(ip),
        Err(_) => Upstream::Unknown,
    }
}

fn lock(log: &Mutex<Log>) -> std::sync::MutexGuard<'_, Log> {
    log.lock().unwrap_or_else(|p| p.into_inner())
}

/// What a CONNECT proxy answers a request head: the upstream to tunnel to, or a refusal.
fn decide_connect(head: &str, log: &Mutex<Log>) -> Result<(TcpStream, String), (&'static str, &'static str)> {
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let authorization = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_string())
    });
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "CONNECT" {
        return Err(("405 Method Not Allowed", ""));
    }
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    if authorization.as_deref() != Some(&format!("Basic {expected}")) {
        lock(log).refused += 1;
        return Err((
            "407 Proxy Authentication Required",
            "Proxy-Authenticate: Basic realm=\"testkit\"\r\n",
        ));
    }
    let Some((host, port)) = target.rsplit_once(':') else {
        return Err(("400 Bad Request", ""));
    };
    let Ok(port) = port.parse::<u16>() else {
        return Err(("400 Bad Request", ""));
    };
    let ip = match upstream_of(host) {
        Upstream::At(ip) => ip,
        Upstream::Denied => {
            lock(log).refused += 1;
            return Err(("403 Forbidden", ""));
        }
        Upstream::Unknown => return Err(("502 Bad Gateway", "")),
    };
    let Ok(upstream) = TcpStream::connect((ip, port)) else {
        return Err(("502 Bad Gateway", ""));
    };
    let mut log = lock(log);
    log.tunnels += 1;
    log.targets.push(target.to_string());
    Ok((upstream, target.to_string()))
}

fn refusal(status: &str, extra: &str) -> Vec<u8> {
    format!("HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n").into_bytes()
}

/// The CONNECT proxy behind TLS: one thread pumps both ways, since a TLS stream cannot be
/// split, polling each side with a short read timeout.
fn serve_tls_connect(client: TcpStream, log: &Mutex<Log>, config: &Arc<rustls::ServerConfig>) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let server = rustls::ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
    let mut tls = rustls::StreamOwned::new(server, client);
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 16 * 1024 || tls.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.push(byte[0]);
    }
    let mut upstream = match decide_connect(&String::from_utf8_lossy(&head), log) {
        Ok((upstream, _)) => upstream,
        Err((status, extra)) => {
            tls.write_all(&refusal(status, extra))?;
            return tls.flush();
        }
    };
    tls.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    tls.flush()?;
    let poll = Some(Duration::from_millis(5));
    tls.sock.set_read_timeout(poll)?;
    upstream.set_read_timeout(poll)?;
    let mut buffer = [0u8; 16 * 1024];
    let mut idle = std::time::Instant::now();
    let waiting = |e: &io::Error| matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut);
    while idle.elapsed() < Duration::from_secs(30) {
        match tls.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                record(log, &buffer[..n]);
                upstream.write_all(&buffer[..n])?;
                idle = std::time::Instant::now();
            }
            Err(e) if waiting(&e) => {}
            Err(_) => break,
        }
        match upstream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                tls.write_all(&buffer[..n])?;
                tls.flush()?;
                idle = std::time::Instant::now();
            }
            Err(e) if waiting(&e) => {}
            Err(_) => break,
        }
    }
    let _ = upstream.shutdown(std::net::Shutdown::Both);
    Ok(())
}

fn record(log: &Mutex<Log>, bytes: &[u8]) {
    let mut log = lock(log);
    let room = LOG_LIMIT.saturating_sub(log.sent.len());
    log.sent.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

fn serve_connect(client: TcpStream, log: &Mutex<Log>) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        head.push_str(&line);
        if line == "\r\n" {
            break;
        }
    }
    let mut answer = client.try_clone()?;
    let upstream = match decide_connect(&head, log) {
        Ok((upstream, _)) => upstream,
        Err((status, extra)) => return answer.write_all(&refusal(status, extra)),
    };
    answer.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    let early = reader.buffer().to_vec();
    pump(reader.into_inner(), client, upstream, early, log)
}

fn serve_socks5(mut client: TcpStream, log: &Mutex<Log>) -> io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = [0u8; 2];
    client.read_exact(&mut head)?;
    let mut methods = vec![0u8; usize::from(head[1])];
    client.read_exact(&mut methods)?;
    if head[0] != 5 || !methods.contains(&2) {
        lock(log).refused += 1;
        return client.write_all(&[5, 0xff]);
    }
    client.write_all(&[5, 2])?;
    let read_field = |client: &mut TcpStream| -> io::Result<String> {
        let mut len = [0u8; 1];
        client.read_exact(&mut len)?;
        let mut field = vec![0u8; usize::from(len[0])];
        client.read_exact(&mut field)?;
        Ok(String::from_utf8_lossy(&field).into_owned())
    };
    let mut version = [0u8; 1];
    client.read_exact(&mut version)?;
    let (user, password) = (read_field(&mut client)?, read_field(&mut client)?);
    if user != USER || password != PASSWORD {
        lock(log).refused += 1;
        return client.write_all(&[1, 1]);
    }
    client.write_all(&[1, 0])?;
    let mut request = [0u8; 4];
    client.read_exact(&mut request)?;
    let host = match request[3] {
        1 => {
            let mut a = [0u8; 4];
            client.read_exact(&mut a)?;
            Ipv4Addr::from(a).to_string()
        }
        4 => {
            let mut a = [0u8; 16];
            client.read_exact(&mut a)?;
            format!("[{}]", Ipv6Addr::from(a))
        }
        _ => read_field(&mut client)?,
    };
    let mut port = [0u8; 2];
    client.read_exact(&mut port)?;
    let port = u16::from_be_bytes(port);
    let fail = |client: &mut TcpStream, code: u8| client.write_all(&[5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
    let ip = match upstream_of(&host) {
        Upstream::At(ip) => ip,
        Upstream::Denied => {
            lock(log).refused += 1;
            return fail(&mut client, 2);
        }
        Upstream::Unknown => return fail(&mut client, 4),
    };
    let Ok(upstream) = TcpStream::connect((ip, port)) else {
        return fail(&mut client, 5);
    };
    {
        let mut log = lock(log);
        log.tunnels += 1;
        log.targets.push(format!("{host}:{port}"));
    }
    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
    let reader = client.try_clone()?;
    pump(reader, client, upstream, Vec::new(), log)
}

/// Copies each direction until it ends, logging what the client sends.
fn pump(
    mut from_client: TcpStream,
    to_client: TcpStream,
    upstream: TcpStream,
    early: Vec<u8>,
    log: &Mutex<Log>,
) -> io::Result<()> {
    from_client.set_read_timeout(None)?;
    let (mut up_read, mut down_write) = (upstream.try_clone()?, to_client);
    let down = thread::spawn(move || {
        let _ = io::copy(&mut up_read, &mut down_write);
        let _ = down_write.shutdown(std::net::Shutdown::Both);
    });
    let mut up_write = upstream;
    if !early.is_empty() {
        record(log, &early);
        up_write.write_all(&early)?;
    }
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from_client.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                record(log, &buffer[..n]);
                if up_write.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = up_write.shutdown(std::net::Shutdown::Both);
    let _ = down.join();
    Ok(())
}
