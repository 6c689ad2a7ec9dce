//! Through an HTTP proxy (ureq reads `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`): a tunnel the
//! server closed is not reused. The proxy's own connection comes from the same connector
//! as the tunnel over it, so the probe must still happen on one of the two layers.
//! Its own test binary: it sets the proxy variables for the whole process.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use support::{client, fetch, serve, After};

/// A CONNECT proxy on loopback; returns its address and the number of tunnels it opened.
fn connect_proxy() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let tunnels = Arc::new(AtomicUsize::new(0));
    let counter = tunnels.clone();
    thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || tunnel(client));
        }
    });
    (address, tunnels)
}

fn tunnel(client: TcpStream) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    let target = request_line.split_whitespace().nth(1).unwrap().to_string();
    assert!(request_line.starts_with("CONNECT "), "{request_line}");
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let upstream = TcpStream::connect(target).unwrap();
    let mut answer = client.try_clone().unwrap();
    answer
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .unwrap();
    // Each direction until its reader ends; the server closing ends the client's side too.
    let (mut up_read, mut down_write) = (upstream.try_clone().unwrap(), client.try_clone().unwrap());
    let down = thread::spawn(move || {
        let _ = std::io::copy(&mut up_read, &mut down_write);
        let _ = down_write.shutdown(std::net::Shutdown::Both);
    });
    let mut up_write = upstream;
    let _ = std::io::copy(&mut reader, &mut up_write);
    let _ = up_write.shutdown(std::net::Shutdown::Both);
    let _ = down.join();
}

#[test]
fn a_tunnel_the_server_closed_is_not_reused() {
    let (proxy, tunnels) = connect_proxy();
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        std::env::set_var(name, format!("http://{proxy}"));
    }
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }
    let server = serve(After::Close);
    let client = client(&server);
    assert_eq!(fetch(&client, &server), "at-0");
    assert_eq!(fetch(&client, &server), "at-1");
    assert_eq!(fetch(&client, &server), "at-2");
    assert_eq!(server.connections(), 3);
    assert_eq!(tunnels.load(Ordering::SeqCst), 3, "every fetch went through the proxy");
}
