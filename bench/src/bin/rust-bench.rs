//! `rust-bench <BENCH_URL> [--smoke]`: tokenfetch's Rust crate against its peers, on one
//! keep-alive loopback server (bench-server). Prints one JSON object per line; bench/run.py
//! turns them into ratios and bench/README.md.
//!
//! `BENCH_ONLY=<client>` runs only that client's fetches, for a profiler (`perf record`).
//!
//! Every fetch case is checked against the server's request count, so no client can win by
//! caching or skipping the exchange. Cases run in rounds, in a rotated order, so that no
//! client always runs first on a cold machine.

use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::json;
use tokenfetch_bench::{percentiles, server_stats, Emit};

const CLIENT_ID: &str = "bench-client";
const CLIENT_SECRET: &str = "bench-secret";

/// One way of fetching a token; `fetch` does a full exchange and returns the access token.
type Fetcher = Box<dyn FnMut() -> String>;

struct Settings {
    rounds: usize,
    per_round: usize,
    warmup: usize,
    cached_reads: usize,
    shared_for: Duration,
    cold_threads: usize,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let base = args.next().expect("usage: rust-bench <BENCH_URL> [--smoke]");
    let smoke = args.any(|a| a == "--smoke");
    let settings = if smoke {
        Settings {
            rounds: 1,
            per_round: 20,
            warmup: 5,
            cached_reads: 10_000,
            shared_for: Duration::from_millis(200),
            cold_threads: 50,
        }
    } else {
        Settings {
            rounds: 3,
            per_round: 2_000,
            warmup: 300,
            cached_reads: 2_000_000,
            shared_for: Duration::from_secs(2),
            cold_threads: 1_000,
        }
    };
    let token_url = format!("{base}/token");
    let emit = Emit::new("rust");

    if let Ok(only) = std::env::var("BENCH_ONLY") {
        let mut cases = fetchers(&token_url);
        cases.retain(|(name, _)| *name == only);
        assert!(!cases.is_empty(), "BENCH_ONLY={only} names no client");
        let (_, fetch) = &mut cases[0];
        for _ in 0..settings.rounds * settings.per_round * 10 {
            black_box(fetch());
        }
        return;
    }
    fetches(&emit, &base, &token_url, &settings);
    signed_fetches(&emit, &base, &token_url, &settings);
    cached_read(&emit, &token_url, &settings);
    cached_read_through_stores(&emit, &token_url, &settings);
    parsing(&emit, &settings);
    for threads in [8, 64] {
        shared_client(&emit, &base, &token_url, threads, &settings);
    }
    cold_manager(&emit, &base, &token_url, &settings);
}

fn tokenfetch_client(token_url: &str) -> tokenfetch::TokenClient {
    tokenfetch::TokenClient::builder(token_url)
        .client_id(CLIENT_ID)
        .client_secret(CLIENT_SECRET)
        .build()
        .expect("a valid bench config")
}

fn fetchers(token_url: &str) -> Vec<(&'static str, Fetcher)> {
    let client = tokenfetch_client(token_url);
    let tokenfetch: Fetcher = Box::new(move || client.client_credentials(None).expect("tokenfetch fetch").access_token);

    #[derive(Deserialize)]
    struct Token {
        access_token: String,
    }
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let url = token_url.to_string();
    let bare: Fetcher = Box::new(move || {
        let mut response = agent
            .post(&url)
            .header("authorization", "Basic YmVuY2gtY2xpZW50OmJlbmNoLXNlY3JldA==")
            .content_type("application/x-www-form-urlencoded")
            .send("grant_type=client_credentials")
            .expect("ureq post");
        let body = response.body_mut().read_to_vec().expect("ureq body");
        serde_json::from_slice::<Token>(&body).expect("ureq json").access_token
    });

    let oauth = oauth2::basic::BasicClient::new(oauth2::ClientId::new(CLIENT_ID.into()))
        .set_client_secret(oauth2::ClientSecret::new(CLIENT_SECRET.into()))
        .set_token_uri(oauth2::TokenUrl::new(token_url.into()).expect("token url"));
    let http = oauth2::ureq::builder().redirects(0).build();
    let oauth2: Fetcher = Box::new(move || {
        use oauth2::TokenResponse as _;
        oauth
            .exchange_client_credentials()
            .request(&http)
            .expect("oauth2 fetch")
            .access_token()
            .secret()
            .clone()
    });

    let address = token_url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_string();
    let raw = RawSocket::connect(&address);
    let mut raw = Some(raw);
    let floor: Fetcher = Box::new(move || raw.as_mut().expect("connected").fetch());

    vec![
        ("tokenfetch", tokenfetch),
        ("oauth2 5 + ureq 2", oauth2),
        ("ureq 3 + serde_json", bare),
        ("raw socket", floor),
    ]
}

/// The floor: one kept-alive connection, a request written as bytes, the body read by length.
struct RawSocket {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    request: Vec<u8>,
}

impl RawSocket {
    fn connect(address: &str) -> Self {
        let stream = TcpStream::connect(address).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        let body = "grant_type=client_credentials";
        let request = format!(
            "POST /token HTTP/1.1\r\nhost: {address}\r\nauthorization: Basic YmVuY2gtY2xpZW50OmJlbmNoLXNlY3JldA==\r\n\
             content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        RawSocket {
            writer: stream.try_clone().expect("clone"),
            reader: BufReader::new(stream),
            request,
        }
    }

    fn fetch(&mut self) -> String {
        self.writer.write_all(&self.request).expect("write");
        let mut length = 0;
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("read");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        String::from_utf8(body).expect("utf-8")
    }
}

fn fetches(emit: &Emit, base: &str, token_url: &str, settings: &Settings) {
    let mut cases = fetchers(token_url);
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for (_, fetch) in cases.iter_mut() {
        for _ in 0..settings.warmup {
            black_box(fetch());
        }
    }
    for round in 0..settings.rounds {
        for offset in 0..cases.len() {
            let index = (round + offset) % cases.len();
            let (name, fetch) = &mut cases[index];
            let before = server_stats(base).requests;
            for _ in 0..settings.per_round {
                let start = Instant::now();
                black_box(fetch());
                samples[index].push(start.elapsed().as_secs_f64() * 1e6);
            }
            let made = server_stats(base).requests - before;
            assert_eq!(made, settings.per_round as u64, "{name}: one request per fetch");
        }
    }
    for ((name, _), samples) in cases.iter().zip(samples) {
        let p = percentiles(samples);
        emit.line(
            json!({ "case": "fetch", "client": name, "p50_us": p.p50, "p90_us": p.p90, "p99_us": p.p99, "n": p.n }),
        );
    }
}

/// The private key of one case of conformance/keys.json.
fn key_case(name: &str) -> String {
    let keys: serde_json::Value =
        serde_json::from_str(include_str!("../../../conformance/keys.json")).expect("keys.json");
    let cases = keys["cases"].as_array().expect("cases");
    let case = cases.iter().find(|c| c["name"] == name).expect("key case");
    case["key"].as_str().expect("PEM").to_owned()
}

/// A fetch authenticated by a signed assertion (`private_key_jwt`, RS256 2048 and ES256)
/// beside the same client's fetch with a secret: the difference is what signing costs per
/// fetch. Rust has no peer that signs assertions (oauth2-rs leaves JWTs out).
fn signed_fetches(emit: &Emit, base: &str, token_url: &str, settings: &Settings) {
    let signed = |key: &str| {
        tokenfetch::TokenClient::builder(token_url)
            .client_id(CLIENT_ID)
            .private_key(key_case(key))
            .allow_insecure_http(true)
            .build()
            .expect("client")
    };
    let clients = [
        ("secret", tokenfetch_client(token_url)),
        ("RS256", signed("rsa-pkcs8-pem")),
        ("ES256", signed("ec-pkcs8-pem")),
    ];
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); clients.len()];
    for (_, client) in &clients {
        for _ in 0..settings.warmup {
            black_box(client.client_credentials(None).expect("fetch"));
        }
    }
    for round in 0..settings.rounds {
        for offset in 0..clients.len() {
            let index = (round + offset) % clients.len();
            let (alg, client) = &clients[index];
            let before = server_stats(base).requests;
            for _ in 0..settings.per_round {
                let start = Instant::now();
                black_box(client.client_credentials(None).expect("fetch"));
                samples[index].push(start.elapsed().as_secs_f64() * 1e6);
            }
            let made = server_stats(base).requests - before;
            assert_eq!(made, settings.per_round as u64, "{alg}: one request per fetch");
        }
    }
    for ((alg, _), samples) in clients.iter().zip(samples) {
        let p = percentiles(samples);
        emit.line(
            json!({ "case": "signed fetch", "client": "tokenfetch", "alg": alg, "p50_us": p.p50,
                          "p90_us": p.p90, "p99_us": p.p99, "n": p.n }),
        );
    }
}

fn cached_read(emit: &Emit, token_url: &str, settings: &Settings) {
    let manager = tokenfetch::TokenManager::for_client(tokenfetch_client(token_url));
    let p50 = cached_read_p50(&manager, settings);
    emit.line(json!({ "case": "cached read", "client": "tokenfetch", "p50_ns": p50, "n": settings.cached_reads * 5 }));
}

/// ns per read of a warm manager, the median of five batches.
fn cached_read_p50(manager: &tokenfetch::TokenManager, settings: &Settings) -> f64 {
    manager.access_token().expect("first fetch");
    let mut batches = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..settings.cached_reads {
            black_box(manager.access_token().expect("cached"));
        }
        batches.push(start.elapsed().as_secs_f64() * 1e9 / settings.cached_reads as f64);
    }
    percentiles(batches).p50
}

fn manager_over(token_url: &str, store: Arc<dyn tokenfetch::TokenStore>) -> tokenfetch::TokenManager {
    let options = tokenfetch::ManagerOptions {
        store: Some(store),
        ..tokenfetch::ManagerOptions::default()
    };
    tokenfetch::TokenManager::with_options(
        tokenfetch_client(token_url),
        tokenfetch::TokenRequest::client_credentials(),
        options,
    )
    .expect("a manager over a store")
}

/// A manager over a file store, and over Redis (`TOKENFETCH_REDIS_URL`, which `make bench`
/// and `make test` set): reads are answered from memory, and the store is asked only when the
/// token is due. The Redis case counts the commands Redis ran (`INFO stats`) over the reads
/// and over one refresh.
fn cached_read_through_stores(emit: &Emit, token_url: &str, settings: &Settings) {
    let dir = std::env::temp_dir().join(format!("tokenfetch-bench-store-{}", std::process::id()));
    let file = tokenfetch::FileStore::new(&dir).expect("a file store");
    let p50 = cached_read_p50(&manager_over(token_url, Arc::new(file)), settings);
    let _ = std::fs::remove_dir_all(&dir);
    emit.line(json!({ "case": "cached read", "client": "tokenfetch + file store", "p50_ns": p50, "n": settings.cached_reads * 5 }));

    let url = std::env::var("TOKENFETCH_REDIS_URL").expect("TOKENFETCH_REDIS_URL (make bench starts a Redis)");
    let store = tokenfetch::RedisStore::new(&url).expect("a Redis store");
    let manager = manager_over(token_url, Arc::new(store));
    let p50 = cached_read_p50(&manager, settings);
    emit.line(json!({ "case": "cached read", "client": "tokenfetch + Redis store", "p50_ns": p50, "n": settings.cached_reads * 5 }));
    // One connection for every reading, so only the INFO itself is counted between two.
    let mut stats = redis::Client::open(url.as_str())
        .and_then(|c| c.get_connection())
        .expect("Redis");
    let mut commands = || -> u64 {
        let info: String = redis::cmd("INFO").arg("stats").query(&mut stats).expect("INFO");
        info.lines()
            .find_map(|l| l.strip_prefix("total_commands_processed:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("total_commands_processed")
    };
    let reads = settings.cached_reads as u64;
    let before = commands();
    for _ in 0..reads {
        black_box(manager.access_token().expect("cached"));
    }
    // Each reading of INFO is itself a command.
    let during_reads = commands() - before - 1;
    let before = commands();
    manager.invalidate();
    manager.access_token().expect("a refresh through Redis");
    let per_refresh = commands() - before - 1;
    emit.line(
        json!({ "case": "redis commands", "reads": reads, "during_reads": during_reads, "per_refresh": per_refresh }),
    );
}

fn parsing(emit: &Emit, settings: &Settings) {
    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Plain {
        access_token: String,
        token_type: String,
        expires_in: Option<u64>,
        refresh_token: Option<String>,
        scope: Option<String>,
    }
    let body = br#"{"access_token":"at-bench-0123456789abcdef","token_type":"Bearer","expires_in":3600,"x":1}"#;
    let headers = vec![("content-type".to_string(), "application/json".to_string())];
    let n = settings.cached_reads / 4;
    let time = |f: &dyn Fn()| {
        let mut batches = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            for _ in 0..n {
                f();
            }
            batches.push(start.elapsed().as_secs_f64() * 1e9 / n as f64);
        }
        percentiles(batches).p50
    };
    let ours = time(&|| {
        black_box(tokenfetch::parse_response(200, &headers, black_box(body), Some(0), u64::MAX).expect("parse"));
    });
    let serde = time(&|| {
        black_box(serde_json::from_slice::<Plain>(black_box(body)).expect("serde"));
    });
    emit.line(json!({ "case": "parse", "client": "tokenfetch", "p50_ns": ours }));
    emit.line(json!({ "case": "parse", "client": "serde struct", "p50_ns": serde }));
}

/// `threads` threads fetch for a while through one shared client, then through one client
/// each: fetches per second, and the connections each way opened.
fn shared_client(emit: &Emit, base: &str, token_url: &str, threads: usize, settings: &Settings) {
    let run = |shared: bool| {
        let one = Arc::new(tokenfetch_client(token_url));
        let before = server_stats(base);
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let client = if shared {
                    Arc::clone(&one)
                } else {
                    Arc::new(tokenfetch_client(token_url))
                };
                let barrier = Arc::clone(&barrier);
                let run_for = settings.shared_for;
                std::thread::spawn(move || {
                    barrier.wait();
                    let start = Instant::now();
                    let mut fetched = 0u64;
                    while start.elapsed() < run_for {
                        black_box(client.client_credentials(None).expect("fetch"));
                        fetched += 1;
                    }
                    fetched
                })
            })
            .collect();
        let fetched: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
        let after = server_stats(base);
        assert_eq!(after.requests - before.requests, fetched, "one request per fetch");
        (
            fetched as f64 / settings.shared_for.as_secs_f64(),
            after.connections - before.connections,
        )
    };
    let (shared_rate, shared_connections) = run(true);
    let (own_rate, own_connections) = run(false);
    emit.line(json!({
        "case": "shared client", "threads": threads,
        "shared_per_s": shared_rate, "shared_connections": shared_connections,
        "own_per_s": own_rate, "own_connections": own_connections,
    }));
}

/// Many threads ask a cold manager at once: how many fetches reach the server.
fn cold_manager(emit: &Emit, base: &str, token_url: &str, settings: &Settings) {
    let manager = Arc::new(tokenfetch::TokenManager::for_client(tokenfetch_client(token_url)));
    let before = server_stats(base).requests;
    let barrier = Arc::new(Barrier::new(settings.cold_threads));
    let handles: Vec<_> = (0..settings.cold_threads)
        .map(|_| {
            let manager = Arc::clone(&manager);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                manager.access_token().expect("token")
            })
        })
        .collect();
    for h in handles {
        black_box(h.join().expect("thread"));
    }
    let fetches = server_stats(base).requests - before;
    emit.line(json!({ "case": "cold manager", "threads": settings.cold_threads, "fetches": fetches }));
}
