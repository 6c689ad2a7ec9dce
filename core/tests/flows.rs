//! Beyond the token endpoint, against testkit over real loopback HTTP: discovery,
//! revocation, introspection, the device flow's polling rules, and authorization URLs.
//! (The same flows against a real provider are in oidc.rs.)

use std::time::{Duration, Instant};

use testkit::Testkit;
use tokenfetch::{AuthMethod, AuthorizationOptions, CancelToken, ErrorKind, Pkce, TokenClient};

const ID: &str = "flows-client";
const SECRET: &str = "flows-secret-77c1";

fn discovered(kit: &Testkit) -> TokenClient {
    TokenClient::discover(kit.url())
        .client_id(ID)
        .client_secret(SECRET)
        .discovery_ttl(Duration::ZERO)
        .build()
        .expect("testkit publishes RFC 8414 metadata")
}

fn stats(kit: &Testkit) -> serde_json::Value {
    let body = ureq::get(format!("{}/__stats", kit.url()))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

#[test]
fn discovery_takes_every_endpoint_and_the_auth_method_from_the_document() {
    let kit = Testkit::start().unwrap();
    let client = discovered(&kit);
    assert_eq!(client.token_url(), format!("{}/token", kit.url()));
    assert_eq!(client.issuer(), Some(kit.url().as_str()));
    let metadata = client.server_metadata().expect("kept");
    assert_eq!(
        metadata.revocation_endpoint.as_deref(),
        Some(format!("{}/revoke", kit.url()).as_str())
    );
    assert!(client.client_credentials(None).is_ok());
    // No secret and no method chosen: a public client.
    let public = TokenClient::discover(kit.url())
        .client_id("public-app")
        .build()
        .unwrap();
    assert!(format!("{public:?}").contains("auth_method: None"), "{public:?}");
}

#[test]
fn a_document_is_read_once_per_issuer_while_it_is_fresh() {
    let kit = Testkit::start().unwrap();
    let build = |ttl| {
        TokenClient::discover(kit.url())
            .client_id(ID)
            .client_secret(SECRET)
            .discovery_ttl(ttl)
            .build()
            .unwrap()
    };
    // The testkit does not count GETs, so the second build is checked by stopping the
    // server: only a cached document can still build a client.
    build(Duration::from_secs(60));
    let url = kit.url();
    drop(kit);
    // Another trust setting does not reuse it: that client must read the document itself.
    let stricter = TokenClient::discover(url.clone())
        .client_id(ID)
        .client_secret(SECRET)
        .root_certificates_pem(testkit::tls::TlsFixture::generate().unwrap().ca_pem())
        .discovery_ttl(Duration::from_secs(60))
        .build();
    assert_eq!(stricter.unwrap_err().kind(), ErrorKind::Transport);
    let cached = TokenClient::discover(url.clone())
        .client_id(ID)
        .client_secret(SECRET)
        .discovery_ttl(Duration::from_secs(60))
        .build();
    assert!(cached.is_ok(), "{:?}", cached.err());
    let fresh = TokenClient::discover(url)
        .client_id(ID)
        .client_secret(SECRET)
        .discovery_ttl(Duration::ZERO)
        .build();
    assert_eq!(fresh.unwrap_err().kind(), ErrorKind::Transport);
}

#[test]
fn a_server_without_metadata_is_a_typed_error_naming_it() {
    let kit = Testkit::start().unwrap();
    let e = TokenClient::discover(format!("{}/nowhere", kit.url()))
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap_err();
    // testkit's 404 has an OAuth-shaped body (`{"error": "not_found"}`).
    assert_eq!(e.status(), Some(404), "{e}");
    let tried = &e.http_meta().expect("the exchange").request.url;
    assert!(tried.ends_with("/nowhere/.well-known/openid-configuration"), "{tried}");
    let e = TokenClient::discover(kit.url())
        .issuer("https://other.example")
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("set by discovery"), "{e}");
    let e = TokenClient::discover("ftp://example.com").build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("issuer URL"), "{e}");
}

#[test]
fn revoke_then_introspect_shows_the_token_inactive() {
    let kit = Testkit::start().unwrap();
    let client = discovered(&kit);
    let token = client.client_credentials(None).unwrap();
    let before = client.introspect(&token.access_token, Some("access_token")).unwrap();
    assert!(before.active);
    assert_eq!(before.client_id.as_deref(), Some(ID));
    client.revoke(&token.access_token, Some("access_token")).unwrap();
    let after = client.introspect(&token.access_token, None).unwrap();
    assert!(!after.active);
    assert_eq!(after.scope, None);
}

#[test]
fn endpoints_a_client_lacks_are_config_errors_that_say_how_to_get_them() {
    let kit = Testkit::start().unwrap();
    let client = TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap();
    let e = client.revoke("t", None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("revocation_endpoint"), "{e}");
    let e = client
        .authorization_url("https://app/cb", AuthorizationOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("discover"), "{e}");
}

fn device_client(kit: &Testkit, script: &str) -> TokenClient {
    TokenClient::builder(kit.token_url())
        .client_id(ID)
        .auth_method(AuthMethod::None)
        .device_authorization_endpoint(format!("{}/device_authorization{script}", kit.url()))
        .build()
        .unwrap()
}

#[test]
fn the_device_flow_polls_until_approved() {
    let kit = Testkit::start().unwrap();
    let client = device_client(&kit, "");
    let auth = client.device_authorization(Some("read")).unwrap();
    assert_eq!(auth.interval, 1);
    assert!(auth.verification_uri_complete.is_some());
    assert!(!format!("{auth:?}").contains(auth.device_code.expose_str()));
    let token = client.poll_device_token(&auth).unwrap();
    assert!(token.refresh_token.is_some());
    let polls = &stats(&kit)["by_grant"]["urn:ietf:params:oauth:grant-type:device_code"];
    assert_eq!(polls, 2, "one authorization_pending, then the token");
}

/// The testkit refuses a poll that comes sooner than the interval plus 5 s after a
/// `slow_down`, so success means the wait was honoured.
#[test]
fn slow_down_adds_five_seconds_to_the_interval() {
    let kit = Testkit::start().unwrap();
    let client = device_client(&kit, "/slow_down");
    let auth = client.device_authorization(None).unwrap();
    let token = client.poll_device_token(&auth);
    assert!(token.is_ok(), "{:?}", token.err());
}

#[test]
fn no_interval_means_five_seconds() {
    let kit = Testkit::start().unwrap();
    let client = device_client(&kit, "/no_interval");
    let auth = client.device_authorization(None).unwrap();
    assert_eq!(auth.interval, 5);
    let token = client.poll_device_token(&auth);
    assert!(token.is_ok(), "{:?}", token.err());
}

#[test]
fn expired_token_and_access_denied_end_the_poll_as_oauth_errors() {
    let kit = Testkit::start().unwrap();
    for code in ["expired_token", "access_denied"] {
        let client = device_client(&kit, &format!("/{code}"));
        let auth = client.device_authorization(None).unwrap();
        let e = client.poll_device_token(&auth).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::OAuth);
        assert_eq!(e.oauth_code(), Some(code));
    }
}

#[test]
fn a_cancelled_poll_returns_at_once() {
    let kit = Testkit::start().unwrap();
    let client = device_client(&kit, "/slow_down");
    let auth = client.device_authorization(None).unwrap();
    let cancel = CancelToken::new();
    let canceller = cancel.clone();
    let started = Instant::now();
    std::thread::spawn(move || {
        // Past the first poll (1 s), into the 6 s wait that slow_down asked for.
        std::thread::sleep(Duration::from_millis(1500));
        canceller.cancel();
    });
    let e = client.poll_device_token_cancellable(&auth, &cancel).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(6), "{:?}", started.elapsed());
}

#[test]
fn the_authorization_url_carries_state_and_an_s256_challenge_and_the_callback_is_checked() {
    let kit = Testkit::start().unwrap();
    let client = discovered(&kit);
    let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
    let request = client
        .authorization_url(
            "https://app.example/cb",
            AuthorizationOptions {
                scope: Some("openid read".into()),
                nonce: Some("n-1".into()),
                pkce: Some(pkce),
                extra: vec![("prompt".into(), "login".into())],
                ..Default::default()
            },
        )
        .unwrap();
    let url = url::Url::parse(&request.url).unwrap();
    let query: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(url.path(), "/authorize");
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], ID);
    assert_eq!(query["code_challenge"], "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    assert_eq!(query["code_challenge_method"], "S256");
    assert_eq!(query["state"], request.state);
    assert!(request.state.len() >= 32, "random state: {}", request.state);
    assert!(!request.url.contains(request.pkce.verifier()));

    let iss = url::form_urlencoded::byte_serialize(kit.url().as_bytes()).collect::<String>();
    let back = format!("https://app.example/cb?code=c-1&state={}&iss={iss}", request.state);
    assert_eq!(client.parse_callback(&back, &request.state).unwrap(), "c-1");
    // The testkit promises `iss` (RFC 9207), so a callback without it is refused.
    let no_iss = format!("https://app.example/cb?code=c-1&state={}", request.state);
    assert_eq!(
        client.parse_callback(&no_iss, &request.state).unwrap_err().kind(),
        ErrorKind::Config
    );
    let denied = format!(
        "https://app.example/cb?error=access_denied&state={}&iss={iss}",
        request.state
    );
    let e = client.parse_callback(&denied, &request.state).unwrap_err();
    assert_eq!(e.oauth_code(), Some("access_denied"));
    assert_eq!(e.status(), None);
}

/// testkit's echo scenarios copy the whole request (headers, body, decoded Basic pair) into
/// their answer; pointed at as the revocation, introspection or device endpoint, they are a
/// server that echoes every credential back.
#[test]
fn a_server_echoing_the_request_never_gets_a_credential_into_an_error() {
    let kit = Testkit::start().unwrap();
    let token = "tok/en+secret=Zq9 x";
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    for scenario in ["echo_json", "echo_html", "echo_text", "echo_form", "echo_headers"] {
        let echo = kit.scenario_url(scenario);
        let client = TokenClient::builder(kit.token_url())
            .client_id(ID)
            .client_secret(SECRET)
            .revocation_endpoint(echo.clone())
            .introspection_endpoint(echo.clone())
            .device_authorization_endpoint(echo)
            .build()
            .unwrap();
        let errors = [
            client.revoke(token, Some("access_token")).unwrap_err(),
            client.introspect(token, None).unwrap_err(),
            client.device_authorization(Some("read")).unwrap_err(),
        ];
        for e in errors {
            let shown = format!("{e} {e:?}");
            for secret in [token, encoded.as_str(), SECRET] {
                assert!(!shown.contains(secret), "{scenario}: {secret:?} in {shown}");
            }
        }
    }
}

/// Codes that expire before the next poll is due: no poll (it would break the interval and
/// only hear `expired_token`), and the same `expired_token` a server sends, with no status.
#[test]
fn polling_stops_at_the_codes_expiry_without_a_poll() {
    let kit = Testkit::start().unwrap();
    let client = device_client(&kit, "");
    let mut auth = client.device_authorization(None).unwrap();
    auth.interval = 600;
    auth.expires_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    let started = Instant::now();
    let e = client.poll_device_token(&auth).unwrap_err();
    assert_eq!(e.oauth_code(), Some("expired_token"), "{e}");
    assert_eq!(e.status(), None);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(stats(&kit)["by_grant"]["urn:ietf:params:oauth:grant-type:device_code"].is_null());
}

/// A 503 during polling is waited out (twice the interval; testkit refuses a poll sooner
/// than 2 s after it), not the end of the flow, and the poll itself never retries.
#[test]
fn a_server_error_mid_poll_backs_off_and_polling_goes_on() {
    let kit = Testkit::start().unwrap();
    let client = device_client(&kit, "/server_error");
    let auth = client.device_authorization(None).unwrap();
    let token = client.poll_device_token(&auth);
    assert!(token.is_ok(), "{:?}", token.err());
    assert_eq!(
        stats(&kit)["by_grant"]["urn:ietf:params:oauth:grant-type:device_code"],
        2
    );
}

/// `interval: 0` would be a busy loop against a server that answers pending; polls stay at
/// least a second apart (testkit refuses sooner ones).
#[test]
fn an_interval_of_zero_still_waits_a_second() {
    let kit = Testkit::start().unwrap();
    let client = device_client(&kit, "/zero_interval");
    let auth = client.device_authorization(None).unwrap();
    assert_eq!(auth.interval, 0);
    let token = client.poll_device_token(&auth);
    assert!(token.is_ok(), "{:?}", token.err());
}

#[test]
fn discovery_picks_the_only_secret_method_the_server_lists_or_says_why_it_cannot() {
    let kit = Testkit::start().unwrap();
    let client = TokenClient::discover(format!("{}/post-only", kit.url()))
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap();
    let echo = client.client_credentials(None).unwrap().extra["echo"].clone();
    assert_eq!(
        echo["params"]["client_id"], ID,
        "client_secret_post: the id is in the body"
    );
    assert!(echo["headers"].get("authorization").is_none(), "{echo}");
    let e = TokenClient::discover(format!("{}/jwt-only", kit.url()))
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("private_key_jwt"), "{e}");
}

#[test]
fn a_revocation_answer_of_200_is_success_whatever_its_body_and_a_refusal_is_an_error() {
    let kit = Testkit::start().unwrap();
    // A 200 whose body is a token response (or anything else) still means revoked.
    let lenient = TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .revocation_endpoint(kit.scenario_url("html_200"))
        .build()
        .unwrap();
    lenient.revoke("t-1", None).unwrap();
    let error_200 = TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .revocation_endpoint(kit.scenario_url("error_200"))
        .build()
        .unwrap();
    error_200.revoke("t-1", None).unwrap();
    // testkit's own endpoint refuses a client that does not authenticate.
    let anonymous = TokenClient::builder(kit.token_url())
        .auth_method(AuthMethod::None)
        .revocation_endpoint(format!("{}/revoke", kit.url()))
        .build()
        .unwrap();
    let e = anonymous.revoke("t-1", None).unwrap_err();
    assert_eq!(e.oauth_code(), Some("invalid_client"));
    assert_eq!(e.status(), Some(401));
}

/// testkit's `echo_200` endpoints copy the whole request (body, Basic header, its decoded
/// pair) into a successful answer: nothing the client sent may come out of it.
#[test]
fn a_successful_answer_echoing_the_request_is_scrubbed() {
    let kit = Testkit::start().unwrap();
    let token = "tok/en+secret=Zq9 x";
    let client = TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .introspection_endpoint(format!("{}/echo_200/introspect", kit.url()))
        .device_authorization_endpoint(format!("{}/echo_200/device_authorization", kit.url()))
        .build()
        .unwrap();
    let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    // The Basic header's credential, as the server echoes it back in `extra`.
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{ID}:{SECRET}"));
    let introspection = format!("{:?}", client.introspect(token, None).unwrap());
    let device = format!("{:?}", client.device_authorization(Some("read")).unwrap());
    for shown in [introspection, device] {
        for secret in [token, encoded.as_str(), SECRET, basic.as_str()] {
            assert!(!shown.contains(secret), "{secret:?} in {shown}");
        }
    }
}

#[test]
fn an_empty_expected_state_is_refused() {
    let kit = Testkit::start().unwrap();
    let client = discovered(&kit);
    let e = client
        .parse_callback("https://app/cb?code=attacker&state=", "")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
}
