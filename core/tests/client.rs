//! TokenClient against the testkit server over real loopback HTTP.

use std::time::{Duration, Instant};

use serde_json::Value;
use testkit::Testkit;
use tokenfetch::{
    AuthMethod, BodyEncoding, Error, ErrorKind, GustoEnvironment, ProveEnvironment, RetryPolicy, TokenClient,
    TokenClientBuilder, TokenRequest,
};

const ID: &str = "demo-client";
const SECRET: &str = "demo-secret-3f9a";

fn server() -> Testkit {
    Testkit::start().expect("testkit starts")
}

fn builder(kit: &Testkit) -> TokenClientBuilder {
    TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
}

fn scenario(kit: &Testkit, name: &str) -> TokenClient {
    builder(kit).token_url(kit.scenario_url(name)).build().unwrap()
}

/// The request as the server received it (the `echo` scenario).
fn echo(client: &TokenClient, request: &TokenRequest) -> Value {
    let token = client.fetch(request).expect("echo answers with a token");
    token.extra["echo"].clone()
}

#[test]
fn client_credentials_with_basic_auth() {
    let kit = server();
    let client = scenario(&kit, "echo");
    let seen = echo(&client, &TokenRequest::client_credentials().scope("read write"));
    assert_eq!(seen["params"]["grant_type"], "client_credentials");
    assert_eq!(seen["params"]["scope"], "read write");
    assert_eq!(seen["client_id"], ID);
    assert_eq!(seen["client_secret"], SECRET);
    assert!(
        seen["params"].get("client_secret").is_none(),
        "basic auth keeps the secret out of the body"
    );
    assert!(seen["headers"]["authorization"].as_str().unwrap().starts_with("Basic "));
    assert_eq!(seen["headers"]["content-type"], "application/x-www-form-urlencoded");
    assert!(seen["headers"]["user-agent"]
        .as_str()
        .unwrap()
        .starts_with("tokenfetch/"));

    let token = client.client_credentials(None).unwrap();
    assert!(token.access_token.starts_with("at-"));
    assert_eq!(token.token_type, "Bearer");
    assert_eq!(token.expires_in, Some(3600));
    assert!(token.refresh_token.is_none(), "client credentials get no refresh token");
    assert_eq!(token.authorization_header(), format!("Bearer {}", token.access_token));
}

#[test]
fn basic_auth_form_encodes_special_characters_first() {
    let kit = server();
    let client = TokenClient::builder(kit.token_url())
        .client_id("cc special:id")
        .client_secret("p@ss:w0rd+/= &%")
        .token_url(kit.scenario_url("echo"))
        .build()
        .unwrap();
    let seen = echo(&client, &TokenRequest::client_credentials());
    assert_eq!(seen["client_id"], "cc special:id");
    assert_eq!(seen["client_secret"], "p@ss:w0rd+/= &%");
}

#[test]
fn client_secret_post_and_none_put_credentials_in_the_body() {
    let kit = server();
    let post = builder(&kit)
        .auth_method(AuthMethod::ClientSecretPost)
        .token_url(kit.scenario_url("echo"))
        .build()
        .unwrap();
    let seen = echo(&post, &TokenRequest::client_credentials());
    assert_eq!(seen["params"]["client_id"], ID);
    assert_eq!(seen["params"]["client_secret"], SECRET);
    assert!(seen["headers"].get("authorization").is_none());

    let public = TokenClient::builder(kit.token_url())
        .client_id("public-app")
        .auth_method(AuthMethod::None)
        .token_url(kit.scenario_url("echo"))
        .build()
        .unwrap();
    let seen = echo(
        &public,
        &TokenRequest::authorization_code("c0de", Some("app://cb"), Some("verifier-123")),
    );
    assert_eq!(seen["params"]["client_id"], "public-app");
    assert!(seen["params"].get("client_secret").is_none());
    assert_eq!(seen["params"]["code_verifier"], "verifier-123");
    assert_eq!(seen["params"]["redirect_uri"], "app://cb");
}

#[test]
fn json_bodies_defaults_and_extra_headers() {
    let kit = server();
    let client = builder(&kit)
        .auth_method(AuthMethod::ClientSecretPost)
        .body_encoding(BodyEncoding::Json)
        .scope("default-scope")
        .audience("https://api.example")
        .resource("https://r1.example")
        .extra_param("tenant", "t-42")
        .token_url(kit.scenario_url("echo"))
        .header("X-Request-Source", "tests")
        .user_agent("my-app/1.0")
        .build()
        .unwrap();
    let seen = echo(&client, &TokenRequest::client_credentials());
    assert_eq!(seen["headers"]["content-type"], "application/json");
    // The header arrived; its value, like every caller header's, is a credential to
    // tokenfetch, so the server's echo of it comes back scrubbed.
    assert_eq!(seen["headers"]["x-request-source"], "[redacted]");
    assert_eq!(seen["headers"]["user-agent"], "my-app/1.0");
    let params = &seen["params"];
    assert_eq!(params["scope"], "default-scope");
    assert_eq!(params["audience"], "https://api.example");
    assert_eq!(params["resource"], "https://r1.example");
    assert_eq!(params["tenant"], "t-42");
    assert_eq!(params["client_secret"], SECRET);

    let overridden = echo(
        &client,
        &TokenRequest::client_credentials().scope("mine").param("tenant", "t-7"),
    );
    assert_eq!(overridden["params"]["scope"], "mine");
    assert_eq!(overridden["params"]["tenant"], "t-7");
}

#[test]
fn every_grant() {
    let kit = server();
    let client = builder(&kit).build().unwrap();

    let user = client.password("ann", "correct-horse", Some("profile")).unwrap();
    assert_eq!(user.scope.as_deref(), Some("profile"));
    let refresh_token = user
        .refresh_token
        .clone()
        .expect("password grant issues a refresh token");
    assert_eq!(user.refresh_expires_in, Some(86400));

    let refreshed = client.refresh(&refresh_token, None).unwrap();
    assert_ne!(refreshed.access_token, user.access_token);

    let code = client
        .authorization_code("abc", Some("https://app/cb"), Some("v".repeat(43).as_str()))
        .unwrap();
    assert!(code.refresh_token.is_some());

    let exchanged = client
        .token_exchange("subject-jwt", tokenfetch::grant::token_type::JWT, Some("downstream"))
        .unwrap();
    assert_eq!(
        exchanged.extra["issued_token_type"],
        tokenfetch::grant::token_type::ACCESS_TOKEN
    );

    let pending = client.device_code("dc-1").unwrap_err();
    assert_eq!(
        (pending.kind(), pending.oauth_code()),
        (ErrorKind::OAuth, Some("authorization_pending"))
    );
    assert!(client.device_code("dc-1").is_ok());

    let custom = client
        .fetch(&TokenRequest::custom("urn:testkit:custom").param("assertion", "a.b.c"))
        .unwrap();
    assert!(custom.access_token.starts_with("at-"));

    let unsupported = client.fetch(&TokenRequest::custom("made_up")).unwrap_err();
    assert_eq!(unsupported.oauth_code(), Some("unsupported_grant_type"));
    assert_eq!(kit.requests_with_grant("refresh_token"), 1);
}

#[test]
fn lenient_parsing_of_sloppy_servers() {
    let kit = server();
    let get = |name: &str| scenario(&kit, name).client_credentials(Some("read write")).unwrap();
    assert_eq!(get("string_expires").expires_in, Some(3600));
    assert_eq!(get("float_expires").expires_in, Some(3599));
    assert_eq!(get("no_expires").expires_in, None);
    assert_eq!(get("no_expires").expires_at, None);
    assert_eq!(get("lowercase_bearer").token_type, "Bearer");
    assert_eq!(get("no_token_type").token_type, "Bearer");
    assert_eq!(get("scope_array").scope.as_deref(), Some("read write"));
    let gusto_like = get("created_at_epoch");
    assert!(gusto_like.created_at.as_deref().unwrap().ends_with('Z'));
    assert_eq!(gusto_like.expires_in, Some(7200));
    let form = get("form_encoded");
    assert_eq!((form.token_type.as_str(), form.expires_in), ("Bearer", Some(3600)));

    let token = get("ok");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expires_at = token.expires_at.unwrap();
    assert!(
        expires_at >= now + 3590 && expires_at <= now + 3600,
        "{expires_at} vs {now}"
    );
}

fn error_of(kit: &Testkit, name: &str) -> Error {
    scenario(kit, name).client_credentials(None).expect_err(name)
}

#[test]
fn oauth_errors_on_any_status() {
    let kit = server();
    let e = error_of(&kit, "error_200");
    assert_eq!(
        (e.kind(), e.status(), e.oauth_code()),
        (ErrorKind::OAuth, Some(200), Some("invalid_grant"))
    );
    let e = error_of(&kit, "invalid_client");
    assert_eq!(
        (e.kind(), e.status(), e.oauth_code()),
        (ErrorKind::OAuth, Some(401), Some("invalid_client"))
    );
    assert_eq!(
        e.oauth().unwrap().error_description.as_deref(),
        Some("Client authentication failed")
    );
    let e = error_of(&kit, "prove_error");
    assert_eq!(
        (e.kind(), e.status(), e.oauth_code()),
        (ErrorKind::OAuth, Some(400), Some("1001"))
    );
    let e = error_of(&kit, "form_error");
    assert_eq!(e.oauth_code(), Some("bad_verification_code"));
    assert_eq!(kit.token_requests(), 4, "OAuth errors are never retried");
}

#[test]
fn unusable_answers() {
    let kit = server();
    let client = builder(&kit).retry(RetryPolicy::none());
    let one = |name: &str| {
        client
            .clone()
            .token_url(kit.scenario_url(name))
            .build()
            .unwrap()
            .client_credentials(None)
            .unwrap_err()
    };

    let e = one("html_502");
    assert_eq!((e.kind(), e.status()), (ErrorKind::HttpStatus, Some(502)));
    assert!(e.to_string().contains("Bad Gateway"), "{e}");
    let e = one("empty_503");
    assert_eq!((e.kind(), e.status()), (ErrorKind::HttpStatus, Some(503)));
    assert!(e.to_string().contains("empty body"), "{e}");
    let e = one("html_200");
    assert_eq!((e.kind(), e.status()), (ErrorKind::Decode, Some(200)));
    let e = one("missing_access_token");
    assert_eq!(e.kind(), ErrorKind::Decode);
    assert!(e.to_string().contains("access_token"), "{e}");
    let e = one("redirect");
    assert_eq!(
        (e.kind(), e.status()),
        (ErrorKind::HttpStatus, Some(302)),
        "redirects are not followed"
    );
    for name in ["oversized", "oversized_chunked"] {
        let e = one(name);
        assert_eq!(e.kind(), ErrorKind::ResponseTooLarge, "{name}: {e}");
        assert_eq!(e.status(), Some(200));
    }
    let e = one("reset");
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
}

#[test]
fn a_raised_body_cap_accepts_a_large_trusted_body() {
    let kit = server();
    let client = builder(&kit)
        .max_response_bytes(4 * 1024 * 1024)
        .token_url(kit.scenario_url("oversized"))
        .build()
        .unwrap();
    let token = client.client_credentials(None).unwrap();
    assert_eq!(token.extra["padding"].as_str().unwrap().len(), 2 * 1024 * 1024);
}

#[test]
fn timeouts() {
    let kit = server();
    let slow = builder(&kit)
        .timeout(Duration::from_millis(300))
        .token_url(kit.scenario_url("slow"))
        .header("X-Testkit-Delay-Ms", "3000")
        .build()
        .unwrap();
    let e = slow.client_credentials(None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(matches!(
        e,
        Error::Timeout {
            deadline: tokenfetch::Deadline::Overall,
            ..
        }
    ));

    // The deadline covers retries and their waits: every attempt is answered 503 after
    // 100 ms, so eleven attempts (max_retries 10) cannot fit in one second.
    kit.reset();
    let failing = builder(&kit)
        .timeout(Duration::from_millis(1000))
        .retry(RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .token_url(kit.scenario_url("flaky"))
        .header("X-Testkit-Fail-Times", "100")
        .header("X-Testkit-Delay-Ms", "100")
        .build()
        .unwrap();
    let started = Instant::now();
    let e = failing.client_credentials(None).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Timeout | ErrorKind::HttpStatus), "{e}");
    let attempts = kit.token_requests();
    assert!(attempts >= 2, "it retried ({attempts} attempts)");
    assert!(
        attempts < 11,
        "the deadline, not max_retries, ended it ({attempts} attempts)"
    );
    assert!(
        started.elapsed() < Duration::from_millis(1000 + 500),
        "{:?}",
        started.elapsed()
    );

    let trickle = builder(&kit)
        .timeout(Duration::from_millis(300))
        .token_url(kit.scenario_url("slow_body"))
        .build()
        .unwrap();
    assert_eq!(trickle.client_credentials(None).unwrap_err().kind(), ErrorKind::Timeout);
}

#[test]
fn connection_refused_is_a_transport_error_with_metadata() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = TokenClient::builder(format!("http://127.0.0.1:{port}/token"))
        .client_id(ID)
        .client_secret(SECRET)
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.client_credentials(None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    let meta = e.http_meta().expect("the request is described even without a response");
    assert!(meta.response.is_none());
    assert_eq!(meta.request.method, "POST");
}

#[test]
fn retries_5xx_then_succeeds() {
    let kit = server();
    let client = scenario(&kit, "flaky");
    let token = client.client_credentials(None).unwrap();
    assert!(token.access_token.starts_with("at-"));
    assert_eq!(kit.token_requests(), 3, "two 503s, then success");

    kit.reset();
    let impatient = builder(&kit)
        .retry(RetryPolicy {
            max_retries: 1,
            ..RetryPolicy::default()
        })
        .token_url(kit.scenario_url("flaky"));
    let e = impatient.build().unwrap().client_credentials(None).unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::HttpStatus, Some(503)));
    assert_eq!(kit.token_requests(), 2, "retries are bounded");
}

#[test]
fn honours_retry_after_on_429() {
    let kit = server();
    let client = scenario(&kit, "rate_limited");
    let started = Instant::now();
    client.client_credentials(None).unwrap();
    assert_eq!(kit.token_requests(), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}, Retry-After said 1 s",
        started.elapsed()
    );

    kit.reset();
    let capped = builder(&kit)
        .retry(RetryPolicy {
            max_retry_after: Duration::from_millis(500),
            ..RetryPolicy::default()
        })
        .token_url(kit.scenario_url("rate_limited"))
        .build()
        .unwrap();
    let e = capped.client_credentials(None).unwrap_err();
    assert_eq!(
        (e.kind(), e.status(), e.oauth_code()),
        (ErrorKind::OAuth, Some(429), Some("slow_down"))
    );
    assert_eq!(
        kit.token_requests(),
        1,
        "a Retry-After above the cap is returned, not waited for"
    );

    // The same cap as the `max_retry_wait` option every language has.
    kit.reset();
    let capped = builder(&kit)
        .max_retry_wait(Duration::from_millis(500))
        .token_url(kit.scenario_url("rate_limited"))
        .build()
        .unwrap();
    assert_eq!(capped.max_retry_wait(), Duration::from_millis(500));
    let e = capped.client_credentials(None).unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::OAuth, Some(429)));
    assert_eq!(kit.token_requests(), 1);
    let e = builder(&kit)
        .timeout(Duration::from_secs(5))
        .max_retry_wait(Duration::from_secs(6))
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(
        e.to_string().contains("max_retry_wait must be at most timeout (5 s)"),
        "{e}"
    );
}

#[test]
fn transport_errors_are_retried() {
    let kit = server();
    let e = scenario(&kit, "reset").client_credentials(None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport);
    assert_eq!(kit.token_requests(), 3);
}

#[test]
fn send_returns_http_metadata_with_credentials_redacted() {
    let kit = server();
    let client = builder(&kit).build().unwrap();
    let answer = client.request_token(&TokenRequest::password("ann", "pw-9d2c")).unwrap();
    let token = answer.token_response.as_ref().unwrap();
    let meta = &answer.http_meta;
    assert_eq!(meta.request.method, "POST");
    assert_eq!(meta.request.url, kit.token_url());
    assert_eq!(meta.request.headers["authorization"], "Basic [redacted]");
    let response = meta.response.as_ref().unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.headers["content-type"], "application/json");
    assert!(response.body.contains("\"token_type\":\"Bearer\""), "{}", response.body);
    assert!(!response.body.contains(&token.access_token));
    assert!(!response.body.contains(token.refresh_token.as_deref().unwrap()));
    assert!(!response.body_truncated);
    assert_eq!(answer.v3_token_response(), Some(token));

    let e = scenario(&kit, "invalid_client").client_credentials(None).unwrap_err();
    let meta = e.http_meta().unwrap();
    assert_eq!(meta.response.as_ref().unwrap().status, 401);
    assert_eq!(
        meta.response.as_ref().unwrap().headers["www-authenticate"],
        "Basic realm=\"testkit\""
    );
}

#[test]
fn prove_preset_posts_form_credentials_to_token() {
    let kit = server();
    let client = TokenClientBuilder::prove(ProveEnvironment::UatUs, "prove-id", "prove-secret")
        .token_url(kit.scenario_url("echo"))
        .build()
        .unwrap();
    let seen = echo(&client, &client.default_request());
    assert!(seen["path"].as_str().unwrap().ends_with("/token"));
    assert_eq!(seen["headers"]["content-type"], "application/x-www-form-urlencoded");
    assert_eq!(seen["params"]["grant_type"], "client_credentials");
    assert_eq!(seen["params"]["client_id"], "prove-id");
    assert_eq!(seen["params"]["client_secret"], "prove-secret");
}

#[test]
fn gusto_preset_posts_json_system_access_with_api_version() {
    let kit = server();
    let client = TokenClientBuilder::gusto(GustoEnvironment::Demo, "gusto-id", "gusto-secret")
        .token_url(format!("{}/scenario/echo/oauth/token", kit.url()))
        .build()
        .unwrap();
    let seen = echo(&client, &client.default_request());
    assert!(seen["path"].as_str().unwrap().ends_with("/oauth/token"));
    assert_eq!(seen["headers"]["content-type"], "application/json");
    assert_eq!(
        seen["headers"]["x-gusto-api-version"],
        tokenfetch::presets::GUSTO_API_VERSION
    );
    assert_eq!(seen["params"]["grant_type"], "system_access");
    assert_eq!(seen["params"]["client_secret"], "gusto-secret");
    let token = client.system_access().unwrap();
    assert!(client.refresh("unknown-refresh-token", None).unwrap_err().oauth_code() == Some("invalid_grant"));
    assert_eq!(token.token_type, "Bearer");
}

#[test]
fn a_rotated_refresh_token_is_not_replayed_after_a_reset() {
    let kit = server();
    let refresh_token = builder(&kit)
        .build()
        .unwrap()
        .password("ann", "pw-1", None)
        .unwrap()
        .refresh_token
        .unwrap();

    let client = builder(&kit)
        .token_url(kit.scenario_url("rotate_then_reset"))
        .build()
        .unwrap();
    let e = client.refresh(&refresh_token, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    assert_eq!(
        kit.requests_with_grant("refresh_token"),
        1,
        "the server saw the refresh token exactly once"
    );
    // A reset of a replayable grant is retried: `transport_errors_are_retried`.
}
