//! Proxies: a client's own `proxy` and `no_proxy`, the environment's variables (read when a
//! client is built, ignored with `trust_env(false)`), SOCKS5, HTTPS kept end to end, and the
//! errors of a proxy that is down or refuses. testkit's proxies ask for a password and log
//! every tunnel and every byte sent through it.
//!
//! Its own test binary: one test sets the proxy variables for the whole process, and every
//! other test builds its clients with `trust_env(false)`.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use support::{client, fetch, serve, After};
use testkit::Testkit;
use tokenfetch::{ErrorKind, TokenClient};

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

/// Through an HTTP proxy from the environment, a tunnel the server closed is not reused. The
/// proxy's own connection comes from the same connector as the tunnel over it, so the probe
/// must still happen on one of the two layers. The same test (the only one that touches the
/// environment) checks how the variables are read.
#[test]
fn the_environments_proxy_is_read_when_a_client_is_built_and_a_closed_tunnel_is_not_reused() {
    let (proxy, tunnels) = connect_proxy();
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        std::env::set_var(name, format!("http://{proxy}"));
    }
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }
    let server = serve(After::Close);
    let first = client(&server);
    assert_eq!(fetch(&first, &server), "at-0");
    assert_eq!(fetch(&first, &server), "at-1");
    assert_eq!(fetch(&first, &server), "at-2");
    assert_eq!(server.connections(), 3);
    assert_eq!(tunnels.load(Ordering::SeqCst), 3, "every fetch went through the proxy");

    // trust_env(false) ignores the variables.
    let direct = TokenClient::builder(server.url.as_str())
        .client_id("c")
        .client_secret("s")
        .trust_env(false)
        .build()
        .unwrap();
    direct.client_credentials(None).unwrap();
    assert_eq!(tunnels.load(Ordering::SeqCst), 3, "trust_env(false) went direct");

    // NO_PROXY from the environment sends 127.0.0.1 direct; the lower-case name wins.
    std::env::set_var("no_proxy", "127.0.0.1");
    std::env::set_var("NO_PROXY", "nothing.test");
    let bypassed = client(&server);
    bypassed.client_credentials(None).unwrap();
    assert_eq!(tunnels.load(Ordering::SeqCst), 3, "no_proxy sent 127.0.0.1 direct");
    // A client's own no_proxy replaces the environment's, even an empty one.
    let own_list = TokenClient::builder(server.url.as_str())
        .client_id("c")
        .client_secret("s")
        .no_proxy("other.test")
        .build()
        .unwrap();
    own_list.client_credentials(None).unwrap();
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        4,
        "the client's no_proxy replaced the environment's"
    );
    for name in ["NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }

    // The variables are read when the client is built: unset afterwards, they still apply.
    let built = client(&server);
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        std::env::remove_var(name);
    }
    built.client_credentials(None).unwrap();
    assert_eq!(tunnels.load(Ordering::SeqCst), 5);
    client(&server).client_credentials(None).unwrap();
    assert_eq!(
        tunnels.load(Ordering::SeqCst),
        5,
        "a client built after unset goes direct"
    );

    // A variable that is no proxy URL fails the build, naming the variable, not its value.
    std::env::set_var("HTTPS_PROXY", "gopher://me:hunter2@proxy.test:70");
    let refused = TokenClient::builder("https://auth.example.com/token")
        .client_id("c")
        .client_secret("s")
        .build()
        .unwrap_err();
    std::env::remove_var("HTTPS_PROXY");
    assert_eq!(refused.kind(), ErrorKind::Config);
    let text = refused.to_string();
    assert!(text.contains("HTTPS_PROXY") && text.contains("trust_env"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

fn kit_client(url: &str, proxy: &str) -> TokenClient {
    proxied(url, proxy, 2)
}

/// A client of `url` through `proxy` alone (the environment ignored), plain http allowed.
fn proxied(url: &str, proxy: &str, max_retries: u32) -> TokenClient {
    TokenClient::builder(url)
        .client_id("proxied-client")
        .client_secret("s3cret-through-the-proxy")
        .allow_insecure_http(true)
        .proxy(proxy)
        .trust_env(false)
        .max_retries(max_retries)
        .build()
        .unwrap()
}

#[test]
fn a_clients_own_proxy_carries_its_requests_and_resolves_the_name_itself() {
    let kit = Testkit::start().unwrap();
    let port = kit.addr().port();
    // No resolver knows this name: only the proxy can reach it.
    let url = format!("http://token.proxied.test:{port}/token");
    let client = kit_client(&url, &kit.proxy_url());
    client.client_credentials(None).unwrap();
    client.client_credentials(None).unwrap();
    assert_eq!(kit.token_requests(), 2);
    // testkit closes each connection after its answer: a tunnel per fetch.
    assert_eq!(kit.proxy_tunnels(), 2);
    assert_eq!(kit.proxy_targets(), vec![format!("token.proxied.test:{port}"); 2]);
    // The log sees plain HTTP in clear: the HTTPS test below means something.
    assert!(kit.proxy_saw("grant_type=client_credentials"));

    // A client without a proxy goes direct.
    let direct = TokenClient::builder(kit.token_url())
        .client_id("c")
        .client_secret("s")
        .trust_env(false)
        .build()
        .unwrap();
    direct.client_credentials(None).unwrap();
    assert_eq!(kit.proxy_tunnels(), 2);
}

/// A kept-alive tunnel is reused like any pooled connection: one CONNECT for many fetches.
#[test]
fn a_kept_alive_tunnel_is_reused() {
    let (proxy, tunnels) = connect_proxy();
    let server = serve(After::KeepAlive);
    let client = TokenClient::builder(server.url.as_str())
        .client_id("c")
        .client_secret("s")
        .proxy(format!("http://{proxy}"))
        .trust_env(false)
        .build()
        .unwrap();
    for n in 0..3 {
        assert_eq!(fetch(&client, &server), "at-0", "fetch {n}");
    }
    assert_eq!(tunnels.load(Ordering::SeqCst), 1);
}

#[test]
fn https_through_a_proxy_stays_end_to_end() {
    let kit = Testkit::start().unwrap();
    // An HTTP proxy, the same behind TLS (the client trusts the CA for both), SOCKS5.
    for proxy in [kit.proxy_url(), kit.https_proxy_url(), kit.socks_proxy_url()] {
        kit.reset();
        let client = TokenClient::builder(kit.https_token_url())
            .client_id("proxied-client")
            .client_secret("s3cret-through-the-proxy")
            .root_certificates_pem(kit.ca_pem())
            .proxy(proxy.as_str())
            .trust_env(false)
            .build()
            .unwrap();
        let token = client.client_credentials(None).unwrap();
        assert_eq!(kit.proxy_tunnels(), 1, "{proxy}");
        let port = kit
            .https_token_url()
            .split(':')
            .nth(2)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(kit.proxy_targets(), vec![format!("localhost:{port}")], "{proxy}");
        for clear in ["s3cret-through-the-proxy", "grant_type", token.access_token.as_str()] {
            assert!(!kit.proxy_saw(clear), "{clear} crossed {proxy} in clear");
        }
    }
}

/// Through an `https://` proxy the CONNECT and its password travel inside TLS too; the
/// proxy's certificate is checked like a server's.
#[test]
fn an_https_proxy_is_reached_over_tls_and_its_certificate_checked() {
    let kit = Testkit::start().unwrap();
    let port = kit.addr().port();
    let url = format!("http://token.proxied.test:{port}/token");
    let trusting = TokenClient::builder(url.as_str())
        .client_id("c")
        .client_secret("s")
        .allow_insecure_http(true)
        .root_certificates_pem(kit.ca_pem())
        .proxy(kit.https_proxy_url())
        .trust_env(false)
        .build()
        .unwrap();
    trusting.client_credentials(None).unwrap();
    assert_eq!(kit.proxy_targets(), vec![format!("token.proxied.test:{port}")]);
    let untrusting = proxied(&url, &kit.https_proxy_url(), 0);
    let error = untrusting.client_credentials(None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(error.to_string().contains("unknown issuer"), "{error}");
    assert!(
        error.to_string().contains("through the proxy https://localhost:"),
        "{error}"
    );
    assert_eq!(kit.proxy_tunnels(), 1);
}

#[test]
fn discovery_and_every_endpoint_take_the_same_proxy() {
    let kit = Testkit::start().unwrap();
    let client = TokenClient::discover(kit.url())
        .client_id("proxied-client")
        .client_secret("s3cret-through-the-proxy")
        .proxy(kit.proxy_url())
        .trust_env(false)
        .build()
        .unwrap();
    let token = client.client_credentials(None).unwrap();
    client.revoke(token.access_token.as_str(), None).unwrap();
    let at = kit.addr().to_string();
    let targets = kit.proxy_targets();
    assert!(!targets.is_empty() && targets.iter().all(|t| *t == at), "{targets:?}");
    assert_eq!(kit.token_requests(), 1);
}

/// A loopback URL never crosses the network to a remote proxy: plain `http://` is allowed
/// there only because it stays on this machine.
#[test]
fn loopback_goes_direct_around_a_remote_proxy() {
    let kit = Testkit::start().unwrap();
    // No such proxy exists: a request sent to it would fail.
    let client = TokenClient::builder(kit.token_url())
        .client_id("c")
        .client_secret("s")
        .proxy("http://proxy.invalid:3128")
        .trust_env(false)
        .max_retries(0)
        .build()
        .unwrap();
    client.client_credentials(None).unwrap();
    assert_eq!(kit.token_requests(), 1);
}

#[test]
fn no_proxy_sends_its_hosts_direct() {
    let kit = Testkit::start().unwrap();
    for entry in [
        "127.0.0.1",
        "127.0.0.0/8",
        "*",
        &format!("127.0.0.1:{}", kit.addr().port()),
    ] {
        let client = TokenClient::builder(kit.token_url())
            .client_id("c")
            .client_secret("s")
            .proxy(kit.proxy_url())
            .no_proxy(entry)
            .trust_env(false)
            .build()
            .unwrap();
        client.client_credentials(None).unwrap();
        assert_eq!(kit.proxy_tunnels(), 0, "{entry}");
    }
    let other_port = TokenClient::builder(kit.token_url())
        .client_id("c")
        .client_secret("s")
        .proxy(kit.proxy_url())
        .no_proxy("127.0.0.1:1")
        .trust_env(false)
        .build()
        .unwrap();
    other_port.client_credentials(None).unwrap();
    assert_eq!(kit.proxy_tunnels(), 1, "another port's entry does not apply");
}

/// What a proxy's refusal must say, and never say.
fn assert_names_the_proxy(error: &tokenfetch::Error, shown_proxy: &str, says: &str, password: &str) {
    assert_eq!(error.kind(), ErrorKind::Transport, "{error}");
    let text = error.to_string();
    assert!(text.contains(shown_proxy), "{text}");
    assert!(text.contains(says), "{text}");
    assert!(text.contains("POST http://"), "names the request: {text}");
    for shown in [text.clone(), format!("{error:?}")] {
        assert!(!shown.contains(password), "{shown}");
        assert!(!shown.contains(&password.replace('@', "%40")), "{shown}");
    }
}

#[test]
fn a_proxy_that_refuses_is_one_attempt_whose_error_names_it_without_its_password() {
    let kit = Testkit::start().unwrap();
    let port = kit.addr().port();
    let connect_at = kit.proxy_url().rsplit('@').next().unwrap().to_string();
    let socks_at = kit.socks_proxy_url().rsplit('@').next().unwrap().to_string();
    let wrong = "wr0ng-p@ssword";
    let cases = [
        (
            format!("http://tf-proxy:wr0ng-p%40ssword@{connect_at}"),
            format!("http://{connect_at}"),
            "407",
        ),
        (
            format!("http://{connect_at}"),
            format!("http://{connect_at}"),
            "give the proxy's user and password",
        ),
        (
            format!("socks5h://tf-proxy:wr0ng-p%40ssword@{socks_at}"),
            format!("socks5h://{socks_at}"),
            "refused",
        ),
    ];
    for (proxy, shown, says) in cases {
        kit.reset();
        let client = proxied(&format!("http://token.proxied.test:{port}/token"), proxy.as_str(), 3);
        assert!(!format!("{client:?}").contains("wr0ng"), "{client:?}");
        let error = client.client_credentials(None).unwrap_err();
        assert_names_the_proxy(&error, &shown, says, wrong);
        assert_eq!(kit.proxy_refusals(), 1, "refused once, never retried: {proxy}");
        assert_eq!(kit.token_requests(), 0);
    }
    // A host the proxy's rules deny: a 403, or SOCKS5's "not allowed by ruleset".
    for (proxy, shown, says) in [
        (kit.proxy_url(), format!("http://{connect_at}"), "403"),
        (
            kit.socks_proxy_url(),
            format!("socks5h://{socks_at}"),
            "not allowed by ruleset",
        ),
    ] {
        kit.reset();
        let denied = proxied(&format!("http://denied.proxied.test:{port}/token"), proxy.as_str(), 3);
        let error = denied.client_credentials(None).unwrap_err();
        assert_names_the_proxy(&error, &shown, says, testkit::PROXY_PASSWORD);
        assert!(error.to_string().contains("do not allow"), "{error}");
        assert_eq!(kit.proxy_refusals(), 1, "refused once, never retried: {proxy}");
    }
    // A SOCKS5 proxy that cannot reach the host: nothing was sent, so the request says so.
    let unreachable = proxied(
        &format!("http://nowhere.example:{port}/token"),
        &kit.socks_proxy_url(),
        0,
    );
    let error = unreachable.client_credentials(None).unwrap_err();
    assert_names_the_proxy(
        &error,
        &format!("socks5h://{socks_at}"),
        "could not open a connection: host unreachable",
        testkit::PROXY_PASSWORD,
    );
}

#[test]
fn a_proxy_that_is_down_is_named_with_the_request_it_stopped() {
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = closed.local_addr().unwrap();
    drop(closed);
    let client = TokenClient::builder("https://auth.example.com/oauth/token?tenant=t1")
        .client_id("c")
        .client_secret("s")
        .proxy(format!("http://me:hunter2@{at}"))
        .trust_env(false)
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.client_credentials(None).unwrap_err();
    let text = error.to_string();
    assert_eq!(error.kind(), ErrorKind::Transport);
    assert!(
        text.contains(&format!("could not reach the proxy http://{at}")),
        "{text}"
    );
    assert!(text.contains("connection refused"), "{text}");
    assert!(text.contains("POST https://auth.example.com/oauth/token"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
