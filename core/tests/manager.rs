//! TokenManager against the testkit server: single flight, early refresh, rotation,
//! invalidation, stale-if-error, missing lifetimes, and an injected clock.

use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use testkit::Testkit;
use tokenfetch::clock::ManualClock;
use tokenfetch::{ErrorKind, ManagerOptions, RetryPolicy, TokenClient, TokenManager, TokenRequest};

fn client(kit: &Testkit, headers: &[(&str, &str)]) -> TokenClient {
    let mut builder = TokenClient::builder(kit.token_url())
        .client_id("cache-client")
        .client_secret("cache-secret")
        .retry(RetryPolicy::none());
    for (name, value) in headers {
        // The scenario goes in the path: header values are credentials to tokenfetch, and
        // would be scrubbed from error codes that share the scenario's name.
        builder = match *name {
            "X-Testkit-Scenario" => builder.token_url(kit.scenario_url(value)),
            _ => builder.header(*name, *value),
        };
    }
    builder.build().unwrap()
}

fn manual(clock: &Arc<ManualClock>) -> ManagerOptions {
    ManagerOptions {
        clock: clock.clone(),
        ..ManagerOptions::default()
    }
}

#[test]
fn sixty_four_threads_on_a_cold_cache_make_one_request() {
    let kit = Testkit::start().unwrap();
    let manager = Arc::new(TokenManager::for_client(client(&kit, &[("X-Testkit-Delay-Ms", "300")])));
    let start = Arc::new(Barrier::new(64));
    let tokens: Vec<String> = (0..64)
        .map(|_| {
            let (manager, start) = (manager.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                manager.access_token().unwrap()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(kit.token_requests(), 1);
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "every caller got the one fetched token"
    );
}

#[test]
fn waiting_callers_share_the_error_of_the_one_fetch() {
    let kit = Testkit::start().unwrap();
    let failing = client(
        &kit,
        &[("X-Testkit-Scenario", "invalid_client"), ("X-Testkit-Delay-Ms", "300")],
    );
    let manager = Arc::new(TokenManager::for_client(failing));
    let start = Arc::new(Barrier::new(16));
    let errors: Vec<_> = (0..16)
        .map(|_| {
            let (manager, start) = (manager.clone(), start.clone());
            thread::spawn(move || {
                start.wait();
                manager.access_token().unwrap_err()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    assert_eq!(kit.token_requests(), 1);
    assert!(errors
        .iter()
        .all(|e| e.kind() == ErrorKind::OAuth && e.oauth_code() == Some("invalid_client")));
    assert_eq!(manager.last_error().unwrap().oauth_code(), Some("invalid_client"));
}

#[test]
fn a_three_second_token_is_refreshed_once_before_it_expires() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let short = client(&kit, &[("X-Testkit-Scenario", "short")]);
    let manager = TokenManager::with_options(short, TokenRequest::client_credentials(), manual(&clock)).unwrap();
    let first = manager.access_token().unwrap();
    // Lifetime 3 s, skew capped at half: the refresh is due at 1.5 s.
    clock.advance(Duration::from_millis(1400));
    assert_eq!(manager.access_token().unwrap(), first);
    clock.advance(Duration::from_millis(200)); // 1.6 s
    let second = manager.access_token().unwrap();
    assert_ne!(second, first, "refreshed early");
    clock.advance(Duration::from_millis(1400)); // 3.0 s: the second token's refresh is at 3.1 s
    assert_eq!(manager.access_token().unwrap(), second);
    assert_eq!(kit.token_requests(), 2, "one fetch, one early refresh");
}

#[test]
fn an_injected_clock_decides_expiry_without_sleeping() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let manager =
        TokenManager::with_options(client(&kit, &[]), TokenRequest::client_credentials(), manual(&clock)).unwrap();
    let first = manager.access_token().unwrap();

    clock.advance(Duration::from_secs(3000));
    assert_eq!(
        manager.access_token().unwrap(),
        first,
        "50 minutes into a 1 h token: still cached"
    );
    clock.advance(Duration::from_secs(539));
    assert_eq!(
        manager.access_token().unwrap(),
        first,
        "61 s before expiry: outside the 60 s skew"
    );
    assert_eq!(kit.token_requests(), 1);

    clock.advance(Duration::from_secs(2));
    let second = manager.access_token().unwrap();
    assert_ne!(second, first, "59 s before expiry: refreshed early");
    assert_eq!(kit.token_requests(), 2);
    assert_eq!(manager.access_token().unwrap(), second);
    assert_eq!(kit.token_requests(), 2);
}

#[test]
fn refresh_tokens_rotate_and_the_newest_is_always_used() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let rotating = client(
        &kit,
        &[("X-Testkit-Scenario", "rotate"), ("X-Testkit-Expires-In", "600")],
    );
    let manager = TokenManager::with_options(rotating, TokenRequest::password("ann", "pw-1"), manual(&clock)).unwrap();

    let mut refresh_tokens = vec![manager.token().unwrap().refresh_token.unwrap()];
    for _ in 0..4 {
        clock.advance(Duration::from_secs(560));
        let token = manager.token().unwrap();
        let rt = token.refresh_token.unwrap();
        assert!(
            !refresh_tokens.contains(&rt),
            "each refresh returned a new refresh token"
        );
        refresh_tokens.push(rt);
    }
    assert_eq!(
        kit.requests_with_grant("password"),
        1,
        "the chain never fell back to the password grant"
    );
    assert_eq!(kit.requests_with_grant("refresh_token"), 4);
    assert!(manager.last_error().is_none());
}

#[test]
fn a_rejected_refresh_token_falls_back_to_the_original_grant() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let manager =
        TokenManager::with_options(client(&kit, &[]), TokenRequest::password("ann", "pw-2"), manual(&clock)).unwrap();
    manager.access_token().unwrap();
    kit.reset(); // the server forgets every refresh token it issued
    manager.invalidate();
    let token = manager.token().unwrap();
    assert_eq!(
        kit.requests_with_grant("refresh_token"),
        1,
        "tried the refresh token first"
    );
    assert_eq!(
        kit.requests_with_grant("password"),
        1,
        "then fell back on invalid_grant"
    );
    assert!(token.refresh_token.is_some());
}

#[test]
fn invalidate_after_a_401_fetches_a_new_token() {
    let kit = Testkit::start().unwrap();
    let manager = TokenManager::for_client(client(&kit, &[]));
    let first = manager.authorization_header().unwrap();
    assert_eq!(manager.authorization_header().unwrap(), first);
    assert_eq!(kit.token_requests(), 1);

    manager.invalidate(); // as an API client does on 401
    let second = manager.authorization_header().unwrap();
    assert_ne!(second, first);
    assert!(second.starts_with("Bearer at-"));
    assert_eq!(kit.token_requests(), 2);
}

#[test]
fn a_failing_server_during_refresh_serves_the_cached_token_until_it_expires() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let flaky = client(
        &kit,
        &[
            ("X-Testkit-Scenario", "fail_after_first"),
            ("X-Testkit-Expires-In", "600"),
        ],
    );
    let manager = TokenManager::with_options(flaky, TokenRequest::client_credentials(), manual(&clock)).unwrap();
    let cached = manager.access_token().unwrap();

    clock.advance(Duration::from_secs(570)); // inside the skew window: a refresh is attempted
    assert_eq!(manager.access_token().unwrap(), cached, "stale-if-error");
    let recorded = manager.last_error().expect("the failed refresh is recorded");
    assert_eq!((recorded.kind(), recorded.status()), (ErrorKind::HttpStatus, Some(502)));
    assert_eq!(kit.token_requests(), 2);

    assert_eq!(manager.access_token().unwrap(), cached);
    assert_eq!(kit.token_requests(), 2, "no new attempt during the failure cooldown");

    clock.advance(Duration::from_secs(31)); // past the real expiry
    let e = manager.access_token().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::HttpStatus);
    assert_eq!(kit.token_requests(), 3);
}

#[test]
fn a_token_without_expires_in_is_reused_for_the_default_lifetime() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let options = ManagerOptions {
        default_lifetime: Duration::from_secs(300),
        ..manual(&clock)
    };
    let manager = TokenManager::with_options(
        client(&kit, &[("X-Testkit-Scenario", "no_expires")]),
        TokenRequest::client_credentials(),
        options,
    )
    .unwrap();
    let first = manager.access_token().unwrap();
    for _ in 0..10 {
        clock.advance(Duration::from_secs(20));
        assert_eq!(manager.access_token().unwrap(), first);
    }
    assert_eq!(kit.token_requests(), 1, "not refetched on every call");
    clock.advance(Duration::from_secs(50)); // 250 s: inside the 60 s skew of a 300 s lifetime
    assert_ne!(manager.access_token().unwrap(), first, "not kept for ever");
    assert_eq!(kit.token_requests(), 2);
}

#[test]
fn readers_of_a_fresh_token_do_not_wait_for_a_slow_refresh() {
    let kit = Arc::new(Testkit::start().unwrap());
    let clock = Arc::new(ManualClock::new());
    // Every fetch is held at the server until the test releases the gate.
    let held = client(&kit, &[("X-Testkit-Hold", "refresh"), ("X-Testkit-Expires-In", "600")]);
    let manager =
        Arc::new(TokenManager::with_options(held, TokenRequest::client_credentials(), manual(&clock)).unwrap());
    let first = {
        let (manager, kit) = (manager.clone(), kit.clone());
        let fetch = thread::spawn(move || manager.access_token().unwrap());
        wait_for_requests(&kit, 1);
        kit.release("refresh");
        fetch.join().unwrap()
    };
    kit.reset(); // closes the gate again for the refresh
    clock.advance(Duration::from_secs(570)); // inside the 60 s skew: a refresh is due

    let refresher = {
        let manager = manager.clone();
        thread::spawn(move || manager.access_token().unwrap())
    };
    wait_for_requests(&kit, 1); // the refresh is at the server, held
    let (answered, reader) = std::sync::mpsc::channel();
    {
        let manager = manager.clone();
        thread::spawn(move || answered.send(manager.access_token().unwrap()));
    }
    // The reader must answer while the refresh is still held; were it waiting behind the
    // refresh, it would only answer after the release below.
    let read = reader.recv_timeout(Duration::from_secs(5));
    kit.release("refresh");
    assert_eq!(
        read.expect("the reader answered while the refresh was in flight"),
        first
    );
    assert_ne!(refresher.join().unwrap(), first);
}

/// Polls the server until it has counted `n` token requests (at most 5 s).
fn wait_for_requests(kit: &Testkit, n: u64) {
    let started = Instant::now();
    while kit.token_requests() < n {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the request never reached the server"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn the_manager_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TokenManager>();
    assert_send_sync::<TokenClient>();
}

#[test]
fn a_single_use_grant_is_never_sent_twice() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let request = TokenRequest::authorization_code("code-7f3a", Some("app://cb"), Some("verifier-0123456789"));
    let manager = TokenManager::with_options(client(&kit, &[]), request, manual(&clock)).unwrap();
    manager.access_token().unwrap();
    kit.reset(); // the refresh token the code earned is now unknown to the server
    manager.invalidate();

    let e = manager.access_token().unwrap_err();
    assert_eq!(e.oauth_code(), Some("invalid_grant"), "{e}");
    assert_eq!(kit.requests_with_grant("refresh_token"), 1);
    assert_eq!(
        kit.requests_with_grant("authorization_code"),
        0,
        "the spent code was not resent"
    );
    let e = manager.access_token().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.to_string().contains("authorize again"), "{e}");
    assert_eq!(kit.requests_with_grant("authorization_code"), 0);
}

#[test]
fn fresh_token_answers_only_what_needs_no_fetch() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let manager =
        TokenManager::with_options(client(&kit, &[]), TokenRequest::client_credentials(), manual(&clock)).unwrap();
    assert!(manager.fresh_token().is_none(), "nothing cached yet");
    assert_eq!(kit.token_requests(), 0, "and asking fetched nothing");
    let token = manager.token().unwrap();
    assert_eq!(manager.fresh_token(), Some(token));
    clock.advance(Duration::from_secs(3600 - 30)); // inside the 60 s skew window
    assert!(manager.fresh_token().is_none(), "due for a refresh");
    assert_eq!(kit.token_requests(), 1);
}

#[test]
fn fresh_token_for_says_how_long_a_binding_may_keep_its_copy() {
    let kit = Testkit::start().unwrap();
    let clock = Arc::new(ManualClock::new());
    let manager =
        TokenManager::with_options(client(&kit, &[]), TokenRequest::client_credentials(), manual(&clock)).unwrap();
    assert!(manager.fresh_token_for().is_none());
    let token = manager.token().unwrap();
    // testkit's tokens live 3600 s; the default skew refreshes 60 s before that.
    assert_eq!(
        manager.fresh_token_for(),
        Some((token.clone(), Duration::from_secs(3540)))
    );
    clock.advance(Duration::from_secs(3000));
    assert_eq!(manager.fresh_token_for(), Some((token, Duration::from_secs(540))));
    clock.advance(Duration::from_secs(540));
    assert!(
        manager.fresh_token_for().is_none(),
        "due for a refresh at exactly the refresh point"
    );
    manager.token().unwrap();
    assert!(manager.fresh_token_for().is_some());
    manager.invalidate();
    assert!(
        manager.fresh_token_for().is_none(),
        "invalidate() ends the freshness a binding was told"
    );
    assert_eq!(kit.token_requests(), 2);
}
