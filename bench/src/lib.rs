//! What the Rust benchmarks share: percentiles, the server's counters, and the output format
//! (one JSON object per line, tagged with the language, for bench/run.py).

use std::io::{Read, Write};
use std::net::TcpStream;

pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub n: usize,
}

/// Nearest-rank percentiles of `samples`.
pub fn percentiles(mut samples: Vec<f64>) -> Percentiles {
    assert!(!samples.is_empty(), "no samples");
    samples.sort_by(f64::total_cmp);
    let at = |q: f64| samples[((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1];
    Percentiles {
        p50: at(0.50),
        p90: at(0.90),
        p99: at(0.99),
        n: samples.len(),
    }
}

/// The bench server's counters.
pub struct ServerStats {
    pub requests: u64,
    pub connections: u64,
}

/// `GET /__stats`, on a connection of its own (the server counts only connections that made
/// a token request).
pub fn server_stats(base: &str) -> ServerStats {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("bench server");
    write!(
        stream,
        "GET /__stats HTTP/1.1\r\nhost: {address}\r\nconnection: close\r\n\r\n"
    )
    .expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let body = answer.split("\r\n\r\n").nth(1).expect("a body");
    let value: serde_json::Value = serde_json::from_str(body).expect("stats json");
    ServerStats {
        requests: value["requests"].as_u64().expect("requests"),
        connections: value["connections"].as_u64().expect("connections"),
    }
}

/// Prints result lines tagged with the language.
pub struct Emit {
    language: &'static str,
}

impl Emit {
    pub fn new(language: &'static str) -> Self {
        Emit { language }
    }

    pub fn line(&self, mut value: serde_json::Value) {
        value["language"] = self.language.into();
        println!("{value}");
    }
}
