//! The token server every benchmark talks to: HTTP/1.1 on loopback with keep-alive, one thread
//! per connection, the same small token response to every POST. It counts requests and
//! connections (`GET /__stats`), so a benchmark can prove each client did a full exchange
//! per fetch and see how many connections it opened for token requests.
//!
//! Prints `BENCH_URL=http://127.0.0.1:<port>` and serves until stdin closes.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

/// 90 bytes, the size of a typical client-credentials answer.
const TOKEN: &[u8] = br#"{"access_token":"at-bench-0123456789abcdef","token_type":"Bearer","expires_in":3600,"x":1}"#;

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    connections: AtomicU64,
}

fn main() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    println!("BENCH_URL=http://{}", listener.local_addr()?);
    std::io::stdout().flush()?;
    // The driver closes our stdin to stop us, whatever happens to it.
    thread::spawn(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
        std::process::exit(0);
    });
    let stats = Arc::new(Stats::default());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let stats = Arc::clone(&stats);
        thread::spawn(move || {
            let _ = serve(stream, &stats);
        });
    }
    Ok(())
}

fn serve(stream: TcpStream, stats: &Stats) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    // Counted at its first token request, so that the stats requests' own connections are not.
    let mut counted = false;
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut length = 0usize;
        let mut close = false;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("connection") && value.trim().eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let answer = if target == "/__stats" {
            format!(
                r#"{{"requests":{},"connections":{}}}"#,
                stats.requests.load(Ordering::Relaxed),
                stats.connections.load(Ordering::Relaxed)
            )
            .into_bytes()
        } else {
            if !counted {
                stats.connections.fetch_add(1, Ordering::Relaxed);
                counted = true;
            }
            stats.requests.fetch_add(1, Ordering::Relaxed);
            TOKEN.to_vec()
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncache-control: no-store\r\ncontent-length: {}\r\n\r\n",
            answer.len()
        );
        let mut response = head.into_bytes();
        response.extend_from_slice(&answer);
        writer.write_all(&response)?;
        if close {
            return Ok(());
        }
    }
}
