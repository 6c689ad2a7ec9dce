//! A whole sign-in against testkit's OpenID provider (`/op/<flavor>`), over real loopback
//! HTTP: the authorization URL, the redirect, the code exchange, and the ID token validated
//! against the same request. Then every way testkit can make an ID token wrong, each failing
//! with its own named check; the JWKS cache's refetch rules; refresh continuity.

use std::sync::Arc;
use std::time::Duration;

use testkit::Testkit;
use tokenfetch::{AuthorizationOptions, ErrorKind, IdTokenCheck, TokenClient, TokenRequest, TokenResponse};

const REDIRECT: &str = "http://app.example/callback";

fn client(kit: &Testkit, flavor: &str) -> TokenClient {
    TokenClient::discover(format!("{}/op/{flavor}", kit.url()))
        .client_id("rp")
        .client_secret("rp-secret")
        .discovery_ttl(Duration::ZERO)
        .build()
        .expect("testkit's provider publishes its metadata")
}

/// The authorization URL followed as a browser would, to the redirect's Location.
fn follow(url: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .max_redirects(0)
        .http_status_as_error(false)
        .build()
        .into();
    let response = agent.get(url).call().expect("the authorization endpoint answers");
    assert_eq!(response.status(), 302, "{}", url);
    response.headers()["location"].to_str().unwrap().to_string()
}

fn sign_in_with(client: &TokenClient, mode: &str, options: AuthorizationOptions) -> tokenfetch::Result<TokenResponse> {
    let mut options = options;
    options.scope.get_or_insert_with(|| "openid profile".into());
    options.extra.push(("tf_id_token".into(), mode.into()));
    let request = client.authorization_url(REDIRECT, options)?;
    let callback = follow(&request.url);
    client.exchange_code(&request, &callback)
}

fn sign_in(client: &TokenClient, mode: &str) -> tokenfetch::Result<TokenResponse> {
    sign_in_with(client, mode, AuthorizationOptions::default())
}

fn jwks_reads(kit: &Testkit, flavor: &str) -> u64 {
    let body = ureq::get(format!("{}/op/{flavor}/__stats", kit.url()))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    serde_json::from_str::<serde_json::Value>(&body).unwrap()["jwks_reads"]
        .as_u64()
        .unwrap()
}

#[test]
fn a_sign_in_returns_the_validated_claims_of_its_own_request() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    assert!(client.validates_id_tokens());
    let request = client
        .authorization_url(
            REDIRECT,
            AuthorizationOptions {
                scope: Some("openid".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let nonce = request
        .nonce
        .clone()
        .expect("an openid request gets a nonce of its own");
    let token = client.exchange_code(&request, &follow(&request.url)).unwrap();
    let claims = token.id_token_claims.as_ref().expect("validated claims");
    assert_eq!(claims.sub, "user-42");
    assert_eq!(claims.aud, ["rp"]);
    assert_eq!(claims.nonce.as_deref(), Some(nonce.as_str()));
    assert_eq!(claims.extra["name"], "Ann Example");
    // at_hash and c_hash were present and checked; the debug form shows claims, not tokens.
    assert!(claims.extra.contains_key("at_hash") && claims.extra.contains_key("c_hash"));
    let shown = format!("{token:?}");
    assert!(
        shown.contains("user-42") && !shown.contains(&token.access_token),
        "{shown}"
    );
}

#[test]
fn every_algorithm_the_provider_signs_with_verifies() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    for mode in ["good", "es256", "eddsa", "ps256"] {
        let token = sign_in(&client, mode).unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert!(token.id_token_claims.is_some(), "{mode}");
    }
}

#[test]
fn each_bad_id_token_fails_its_own_named_check() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    let cases = [
        ("wrong-signature", IdTokenCheck::Signature),
        ("alg-none", IdTokenCheck::Algorithm),
        ("hs256-with-public-key", IdTokenCheck::Algorithm),
        ("jwk-header", IdTokenCheck::Key),
        ("crit", IdTokenCheck::Crit),
        ("wrong-iss", IdTokenCheck::Issuer),
        ("wrong-aud", IdTokenCheck::Audience),
        ("wrong-azp", IdTokenCheck::AuthorizedParty),
        ("several-aud", IdTokenCheck::AuthorizedParty),
        ("wrong-nonce", IdTokenCheck::Nonce),
        ("expired", IdTokenCheck::Expired),
        ("not-yet-valid", IdTokenCheck::NotBefore),
        ("future-iat", IdTokenCheck::IssuedAt),
        ("at-hash-mismatch", IdTokenCheck::AccessTokenHash),
        ("c-hash-mismatch", IdTokenCheck::CodeHash),
        ("oversized", IdTokenCheck::Size),
        ("deep-nesting", IdTokenCheck::Nesting),
    ];
    for (mode, check) in cases {
        let e = sign_in(&client, mode).expect_err(mode);
        assert_eq!(e.kind(), ErrorKind::IdToken, "{mode}: {e}");
        assert_eq!(e.id_token_check(), Some(check), "{mode}: {e}");
        assert!(
            e.to_string()
                .starts_with(&format!("ID token refused ({})", check.as_str())),
            "{e}"
        );
        // No message quotes the token: no JWT-looking segment appears in it.
        assert!(!e.to_string().contains("eyJ"), "{mode}: {e}");
    }
}

#[test]
fn max_age_is_sent_and_auth_time_checked() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    let options = || AuthorizationOptions {
        max_age: Some(Duration::from_secs(600)),
        ..Default::default()
    };
    let request = client.authorization_url(REDIRECT, options()).unwrap();
    assert!(request.url.contains("max_age=600"), "{}", request.url);
    assert!(sign_in_with(&client, "good", options()).is_ok());
    let e = sign_in_with(&client, "old-auth-time", options()).unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::AuthTime), "{e}");
}

#[test]
fn a_rotated_key_is_found_with_one_more_read_and_made_up_kids_read_nothing() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    sign_in(&client, "es256").unwrap();
    assert_eq!(jwks_reads(&kit, "main"), 1);
    sign_in(&client, "es256").unwrap();
    assert_eq!(jwks_reads(&kit, "main"), 1, "the cached set serves the next sign-in");
    ureq::post(format!("{}/op/main/__rotate", kit.url()))
        .send_empty()
        .unwrap();
    sign_in(&client, "es256").expect("the new kid is found with one more read");
    assert_eq!(jwks_reads(&kit, "main"), 2);
    for _ in 0..20 {
        let e = sign_in(&client, "unknown-kid").unwrap_err();
        assert_eq!(e.id_token_check(), Some(IdTokenCheck::Key), "{e}");
    }
    assert_eq!(
        jwks_reads(&kit, "main"),
        2,
        "made-up kids within a minute read the JWKS no more"
    );
}

#[test]
fn concurrent_sign_ins_read_the_jwks_once() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    std::thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| sign_in(&client, "good").unwrap());
        }
    });
    assert_eq!(jwks_reads(&kit, "main"), 1);
}

#[test]
fn a_jwks_too_large_or_too_deep_is_refused_by_name() {
    let kit = Testkit::start().unwrap();
    let e = sign_in(&client(&kit, "big-jwks"), "good").unwrap_err();
    assert!(
        e.id_token_check() == Some(IdTokenCheck::Jwks) || e.kind() == ErrorKind::ResponseTooLarge,
        "{e}"
    );
    let e = sign_in(&client(&kit, "deep-jwks"), "good").unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::Nesting), "{e}");
}

#[test]
fn a_refreshed_id_token_must_name_the_same_user() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    let first = sign_in(&client, "good").unwrap();
    let claims = first.id_token_claims.clone().unwrap();
    let request = TokenRequest::refresh_token(first.refresh_token.clone().unwrap()).after_id_token(&claims);
    let refreshed = client.fetch(&request).expect("same user, no nonce on a refresh");
    assert_eq!(refreshed.id_token_claims.unwrap().sub, "user-42");

    let first = sign_in(&client, "refresh-other-sub").unwrap();
    let claims = first.id_token_claims.clone().unwrap();
    let request = TokenRequest::refresh_token(first.refresh_token.clone().unwrap()).after_id_token(&claims);
    let e = client.fetch(&request).unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::Subject), "{e}");
}

#[test]
fn request_token_carries_the_exchange_metadata_on_an_id_token_failure() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    let request = client
        .authorization_url(
            REDIRECT,
            AuthorizationOptions {
                scope: Some("openid".into()),
                extra: vec![("tf_id_token".into(), "wrong-aud".into())],
                ..Default::default()
            },
        )
        .unwrap();
    let callback = follow(&request.url);
    let code = client.parse_callback(&callback, &request.state).unwrap();
    let grant = TokenRequest::authorization_code(code, Some(REDIRECT), Some(request.pkce.verifier()));
    let e = client.request_token(&grant).unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::Audience));
    assert_eq!(e.status(), Some(200));
    assert!(e.http_meta().is_some());
}

#[test]
fn a_client_without_issuer_or_jwks_leaves_the_id_token_alone() {
    let kit = Testkit::start().unwrap();
    let plain = TokenClient::builder(format!("{}/op/main/token", kit.url()))
        .client_id("rp")
        .client_secret("rp-secret")
        .authorization_endpoint(format!("{}/op/main/authorize", kit.url()))
        .build()
        .unwrap();
    assert!(!plain.validates_id_tokens());
    // An OpenID sign-in it cannot check is refused before the code is spent...
    let e = sign_in(&plain, "wrong-signature").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    assert!(e.to_string().contains("jwks_uri"), "{e}");
    // ...while a code exchanged by hand gets its answer as it came.
    let request = plain
        .authorization_url(
            REDIRECT,
            AuthorizationOptions {
                scope: Some("openid".into()),
                ..Default::default()
            },
        )
        .unwrap();
    let code = plain.parse_callback(&follow(&request.url), &request.state).unwrap();
    let token = plain
        .authorization_code(&code, Some(REDIRECT), Some(request.pkce.verifier()))
        .unwrap();
    assert!(token.id_token.is_some() && token.id_token_claims.is_none());
}

#[test]
fn userinfo_answers_for_the_signed_in_user_only() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    let token = sign_in(&client, "good").unwrap();
    let claims = token.id_token_claims.clone().unwrap();
    let info = client.userinfo(&token.access_token, Some(&claims.sub)).unwrap();
    assert_eq!(info["sub"], "user-42");
    assert_eq!(info["email"], "ann@example.com");

    // The provider answers for another user: never merged into this one's session.
    let other = sign_in(&client, "userinfo-other-sub").unwrap();
    let e = client
        .userinfo(
            &other.access_token,
            other.id_token_claims.as_ref().map(|c| c.sub.as_str()),
        )
        .unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::Subject), "{e}");

    // A token the provider does not know is its error, and the token is in no message.
    let e = client.userinfo("not-a-token-of-this-provider", None).unwrap_err();
    assert_eq!(e.oauth_code(), Some("invalid_token"), "{e}");
    assert!(client.userinfo(" ", None).unwrap_err().kind() == ErrorKind::Config);
}

#[test]
fn a_signed_userinfo_answer_is_verified_with_the_issuer_s_keys() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "signed-userinfo");
    let token = sign_in(&client, "good").unwrap();
    let info = client
        .userinfo(
            &token.access_token,
            token.id_token_claims.as_ref().map(|c| c.sub.as_str()),
        )
        .unwrap();
    assert_eq!(info["sub"], "user-42");
    assert_eq!(info["aud"], "rp");
}

#[test]
fn the_end_session_url_carries_the_hint_the_redirect_and_the_state() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "main");
    let url = client
        .end_session_url(Some("the.id.token"), Some("https://app.example/bye"), Some("s-1"))
        .unwrap();
    let parsed = url::Url::parse(&url).unwrap();
    assert_eq!(parsed.path(), "/op/main/logout");
    let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
    assert_eq!(query["id_token_hint"], "the.id.token");
    assert_eq!(query["post_logout_redirect_uri"], "https://app.example/bye");
    assert_eq!((query["state"].as_str(), query["client_id"].as_str()), ("s-1", "rp"));
    assert!(client.end_session_url(None, Some("not a url"), None).is_err());
    let plain = TokenClient::builder(format!("{}/token", kit.url()))
        .client_id("rp")
        .auth_method(tokenfetch::AuthMethod::None)
        .build()
        .unwrap();
    let e = plain.end_session_url(None, None, None).unwrap_err();
    assert!(e.to_string().contains("end_session_endpoint"), "{e}");
}

/// OIDC Core §12.2, offline: the conformance file's RS256 token checked as the refresh of a
/// first sign-in that differs in one claim each time.
#[test]
fn a_refreshed_id_token_keeps_azp_and_the_original_auth_time() {
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../conformance/id_tokens.json")).unwrap(),
    )
    .unwrap();
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "rs256")
        .unwrap();
    let given = &case["given"];
    let check = |previous: Option<tokenfetch::IdTokenClaims>| {
        let options = tokenfetch::id_token::ValidationOptions {
            nonce: given["nonce"].as_str().map(str::to_string),
            now: given["now"].as_u64(),
            previous,
            ..Default::default()
        };
        tokenfetch::id_token::validate_with_jwks(
            case["token"].as_str().unwrap(),
            &doc["jwks"].to_string(),
            given["issuer"].as_str().unwrap(),
            given["client_id"].as_str().unwrap(),
            &options,
        )
    };
    let first = check(None).expect("the vector is valid");
    assert!(check(Some(first.clone())).is_ok(), "the same claims continue");

    let mut with_azp = first.clone();
    with_azp.azp = Some(first.aud[0].clone());
    let e = check(Some(with_azp)).unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::AuthorizedParty), "{e}");

    // The refreshed token's auth_time may be later (the user signed in again in the same
    // session), never earlier than the first sign-in's.
    let mut earlier_sign_in = first.clone();
    earlier_sign_in.auth_time = first.auth_time.map(|t| t - 600);
    assert!(check(Some(earlier_sign_in)).is_ok(), "a re-authentication since");
    let mut later_sign_in = first.clone();
    later_sign_in.auth_time = first.auth_time.map(|t| t + 600);
    let e = check(Some(later_sign_in)).unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::AuthTime), "{e}");

    let mut other_user = first.clone();
    other_user.sub = "someone-else".into();
    let e = check(Some(other_user)).unwrap_err();
    assert_eq!(e.id_token_check(), Some(IdTokenCheck::Subject), "{e}");
}

/// A manager over a code grant signed in through testkit's provider in `mode`.
fn signed_in_manager(kit: &Testkit, mode: &str, shared: bool) -> tokenfetch::TokenManager {
    use tokenfetch::{ManagerOptions, MemoryStore, TokenManager};
    let client = client(kit, "main");
    let request = client
        .authorization_url(
            REDIRECT,
            AuthorizationOptions {
                scope: Some("openid".into()),
                extra: vec![("tf_id_token".into(), mode.into())],
                ..Default::default()
            },
        )
        .unwrap();
    let code = client.parse_callback(&follow(&request.url), &request.state).unwrap();
    let grant = TokenRequest::authorization_code(code, Some(REDIRECT), Some(request.pkce.verifier()))
        .expect_nonce(request.nonce.clone().unwrap());
    let options = ManagerOptions {
        store: shared.then(|| Arc::new(MemoryStore::new()) as Arc<dyn tokenfetch::TokenStore>),
        failure_cooldown: Duration::ZERO,
        ..ManagerOptions::default()
    };
    TokenManager::with_options(client, grant, options).unwrap()
}

/// A refresh whose ID token is refused still rotated the refresh token at the provider (the
/// one sent is spent): a manager, alone or sharing a store, keeps the new one and checks the
/// next refresh against the same first claims, so the provider is asked again rather than the
/// sign-in lost, and no token for another user is ever handed out.
#[test]
fn a_refused_id_token_on_a_refresh_keeps_the_rotated_refresh_token() {
    let kit = Testkit::start().unwrap();
    for shared in [false, true] {
        let manager = signed_in_manager(&kit, "refresh-other-sub", shared);
        manager.access_token().expect("the first sign-in is user-42's");
        for attempt in 0..3 {
            manager.invalidate();
            let e = manager.access_token().unwrap_err();
            assert_eq!(
                e.id_token_check(),
                Some(IdTokenCheck::Subject),
                "shared store {shared}, attempt {attempt}: {e}"
            );
        }
    }
}

/// A first sign-in whose ID token is refused (an injected code fails its nonce, say) leaves
/// nothing behind: its refresh token would let a later refresh, which carries no nonce, hand
/// out that sign-in's tokens.
#[test]
fn a_refused_first_id_token_leaves_no_refresh_token_behind() {
    let kit = Testkit::start().unwrap();
    for shared in [false, true] {
        let manager = signed_in_manager(&kit, "wrong-nonce", shared);
        let e = manager.access_token().unwrap_err();
        assert_eq!(
            e.id_token_check(),
            Some(IdTokenCheck::Nonce),
            "shared store {shared}: {e}"
        );
        let again = manager.access_token().unwrap_err();
        assert_eq!(again.kind(), ErrorKind::Config, "shared store {shared}: {again}");
        assert!(again.to_string().contains("single-use"), "{again}");
    }
}

/// RFC 9126 against testkit's `par` flavor, which requires pushed requests: the parameters
/// travel in an authenticated POST, the URL carries only `client_id` and `request_uri`, and the
/// sign-in completes as any other.
#[test]
fn a_pushed_authorization_request_signs_in_with_only_a_reference_in_the_url() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "par");
    let options = || AuthorizationOptions {
        scope: Some("openid profile".into()),
        ..Default::default()
    };
    // The provider requires pushing: a plain URL would only fail in the browser.
    let e = client.authorization_url(REDIRECT, options()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("push_authorization_request"), "{e}");

    let request = client.push_authorization_request(REDIRECT, options()).unwrap();
    let request_uri = request.request_uri.clone().expect("the server's reference");
    assert!(request_uri.starts_with("urn:ietf:params:oauth:request_uri:"));
    let url = url::Url::parse(&request.url).unwrap();
    let names: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
    assert_eq!(names, ["client_id", "request_uri"], "{url}");
    // What a web app keeps between the steps keeps the reference too.
    let kept = tokenfetch::AuthorizationRequest::from_json(&request.to_json()).unwrap();
    assert_eq!(kept.request_uri.as_deref(), Some(request_uri.as_str()));
    let token = client.exchange_code(&kept, &follow(&request.url)).unwrap();
    let claims = token.id_token_claims.expect("validated against the pushed nonce");
    assert_eq!(claims.nonce, request.nonce);

    // client_secret_post names the client in the body itself; Basic has client_id added.
    let post = TokenClient::discover(format!("{}/op/par", kit.url()))
        .client_id("rp")
        .client_secret("rp-secret")
        .auth_method(tokenfetch::AuthMethod::ClientSecretPost)
        .build()
        .unwrap();
    let request = post.push_authorization_request(REDIRECT, options()).unwrap();
    assert!(post.exchange_code(&request, &follow(&request.url)).is_ok());
}

#[test]
fn a_pushed_request_s_answer_is_checked_before_it_reaches_a_browser() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "par");
    let push = |how: &str| {
        client
            .push_authorization_request(
                REDIRECT,
                AuthorizationOptions {
                    scope: Some("openid".into()),
                    extra: vec![("tf_par".into(), how.into())],
                    ..Default::default()
                },
            )
            .unwrap_err()
    };
    for (how, says) in [
        ("no-uri", "without a request_uri"),
        ("zero-expiry", "positive expires_in"),
        ("echo-secret", "carries a credential"),
        ("long-uri", "not a short reference"),
    ] {
        let e = push(how);
        assert_eq!(e.kind(), ErrorKind::Decode, "{how}: {e}");
        assert!(e.to_string().contains(says), "{how}: {e}");
        assert!(e.to_string().contains("/op/par/par"), "names the endpoint: {e}");
        assert!(!format!("{e} {e:?}").contains("rp-secret"), "{how}: {e:?}");
    }
    // A wrong secret is the endpoint's own OAuth error, with its status.
    let wrong = TokenClient::discover(format!("{}/op/par", kit.url()))
        .client_id("rp")
        .client_secret("not-the-secret")
        .build()
        .unwrap();
    let e = wrong
        .push_authorization_request(REDIRECT, AuthorizationOptions::default())
        .unwrap_err();
    assert_eq!(e.oauth_code(), Some("invalid_client"), "{e}");
    assert_eq!(e.status(), Some(401));
    // A request_uri is the server's to give, never the caller's.
    let e = client
        .push_authorization_request(
            REDIRECT,
            AuthorizationOptions {
                extra: vec![("request_uri".into(), "urn:x".into())],
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config, "{e}");
    // A provider without the endpoint: the error says which option to set.
    let e = self::client(&kit, "main")
        .push_authorization_request(REDIRECT, AuthorizationOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert!(e.to_string().contains("pushed_authorization_request_endpoint"), "{e}");
}

/// Review of the push: a caller's `extra` cannot carry a second credential, and a flag in the
/// metadata does not speak for an authorization endpoint set by hand.
#[test]
fn a_push_carries_one_credential_and_the_must_push_flag_stays_with_its_server() {
    let kit = Testkit::start().unwrap();
    let client = client(&kit, "par");
    for name in ["client_secret", "client_assertion", "client_assertion_type"] {
        let options = || AuthorizationOptions {
            extra: vec![(name.into(), "x".into())],
            ..Default::default()
        };
        let e = client.push_authorization_request(REDIRECT, options()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{name}: {e}");
        assert!(e.to_string().contains("second way"), "{e}");
        let e = self::client(&kit, "main")
            .authorization_url(REDIRECT, options())
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Config, "{name}: {e}");
    }
    let elsewhere = TokenClient::discover(format!("{}/op/par", kit.url()))
        .client_id("rp")
        .client_secret("rp-secret")
        .authorization_endpoint("https://other.example/authorize")
        .build()
        .unwrap();
    let request = elsewhere
        .authorization_url(REDIRECT, AuthorizationOptions::default())
        .expect("another server's endpoint is not bound by this one's metadata");
    assert!(request.url.starts_with("https://other.example/authorize?"));
}
