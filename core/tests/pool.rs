//! Pooled connections: reused while the server keeps them, never reused once it has closed
//! one or sent bytes nobody asked for. The transport probes a connection once, when it
//! leaves the pool (core/src/transport.rs, `ProbeOnCheckout`); these are the cases that
//! probe exists for. No retries, so a wrongly reused connection shows as a failed fetch.

mod support;

use support::{client, fetch, serve, After};

#[test]
fn a_kept_connection_is_reused() {
    let server = serve(After::KeepAlive);
    let client = client(&server);
    for _ in 0..3 {
        assert_eq!(fetch(&client, &server), "at-0");
    }
    assert_eq!(server.connections(), 1);
}

#[test]
fn a_connection_the_server_closed_is_not_reused() {
    let server = serve(After::Close);
    let client = client(&server);
    assert_eq!(fetch(&client, &server), "at-0");
    assert_eq!(fetch(&client, &server), "at-1");
    assert_eq!(fetch(&client, &server), "at-2");
    assert_eq!(server.connections(), 3);
}

#[test]
fn a_connection_with_bytes_past_the_body_is_not_reused() {
    let server = serve(After::Junk);
    let client = client(&server);
    assert_eq!(fetch(&client, &server), "at-0");
    // The junk would read as this answer's head if the connection were taken again.
    assert_eq!(fetch(&client, &server), "at-1");
    assert_eq!(server.connections(), 2);
}
