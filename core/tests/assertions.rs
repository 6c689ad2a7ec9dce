//! Keys instead of shared secrets, against testkit, which verifies every assertion it gets
//! (signature, `aud`, `exp`, a fresh `jti`): `private_key_jwt` with every key form of
//! `conformance/keys.json`, `client_secret_jwt`, the JWT bearer grant, the Google service
//! account preset, and assertions read from a file or a callback.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;
use testkit::Testkit;
use tokenfetch::options::table::{self, Language};
use tokenfetch::options::{OptionBag, OptionValue};
use tokenfetch::{AuthMethod, ErrorKind, TokenClient, TokenRequest};

const CLIENT_ID: &str = "jwt-client";

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../conformance/keys.json")).unwrap()
}

fn case(name: &str) -> Value {
    vectors()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no key case {name}"))
}

fn stats(kit: &Testkit) -> Value {
    let body = ureq::get(format!("{}/__stats", kit.url()))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    serde_json::from_str(&body).unwrap()
}

/// A JSON value as a binding would hand it over: a JWK object as a map.
fn option_value(value: &Value) -> OptionValue {
    match value {
        Value::String(s) => OptionValue::Text(s.clone()),
        Value::Object(map) => OptionValue::Map(map.iter().map(|(k, v)| (k.clone(), option_value(v))).collect()),
        Value::Array(items) => OptionValue::List(items.iter().map(option_value).collect()),
        Value::Bool(b) => OptionValue::Bool(*b),
        Value::Number(n) => OptionValue::Number(n.as_f64().unwrap()),
        Value::Null => OptionValue::Absent,
    }
}

/// A client built the way every binding builds one, from the case's options.
fn client_from_case(kit: &Testkit, case: &Value) -> tokenfetch::Result<TokenClient> {
    let mut entries = vec![
        ("token_url".to_string(), OptionValue::Text(kit.token_url())),
        ("client_id".to_string(), OptionValue::Text(CLIENT_ID.into())),
    ];
    for name in ["signing_algorithm", "key_id", "auth_method", "client_secret"] {
        if let Some(value) = case[name].as_str() {
            entries.push((name.into(), OptionValue::Text(value.into())));
        }
    }
    if !case["key"].is_null() {
        entries.push(("private_key".into(), option_value(&case["key"])));
    }
    table::build_client(&OptionBag::new(entries), Language::Rust)
}

/// Every 24-character run of the key's text: none may appear in a message.
fn key_fragments(key: &Value) -> Vec<String> {
    let text = match key {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("");
    let chars: Vec<char> = body.chars().collect();
    chars.windows(24).step_by(12).map(|w| w.iter().collect()).collect()
}

/// One key vector: `Ok` when the client is built (or refused) as the case says.
fn run_key_case(kit: &Testkit, case: &Value) -> Result<(), String> {
    let built = client_from_case(kit, case);
    match (&case["expect"], &case["error"], built) {
        (expect, Value::Null, Ok(client)) if !expect.is_null() => {
            let algorithm = client.signing_algorithm().map(|a| a.as_str());
            if algorithm != expect["algorithm"].as_str() {
                return Err(format!("signs with {algorithm:?}, expected {}", expect["algorithm"]));
            }
            // testkit verifies the signature, `aud`, `exp` and a fresh `jti`.
            client
                .client_credentials(None)
                .map_err(|e| format!("the server refused it: {e}"))?;
            let claims = &stats(kit)["last_claims"];
            if claims["iss"] != CLIENT_ID || claims["sub"] != CLIENT_ID || claims["aud"] != kit.token_url().as_str() {
                return Err(format!("wrong claims: {claims}"));
            }
            if claims["exp"].as_u64().unwrap_or(0) - claims["iat"].as_u64().unwrap_or(0) != 60 {
                return Err(format!("not the default 60 s lifetime: {claims}"));
            }
            Ok(())
        }
        (_, error, Err(e)) if !error.is_null() => {
            let message = e.to_string();
            let expected = error["message"].as_str().unwrap_or_default();
            if e.kind() != ErrorKind::Config || !message.contains(expected) {
                return Err(format!(
                    "{} error {message:?}, expected config containing {expected:?}",
                    e.kind()
                ));
            }
            let secret = case["client_secret"].as_str().map(str::to_owned);
            if key_fragments(&case["key"])
                .iter()
                .chain(secret.iter())
                .any(|f| message.contains(f.as_str()))
            {
                return Err("the message holds key material".into());
            }
            Ok(())
        }
        (_, _, Ok(_)) => Err("built a client; expected an error".into()),
        (_, _, Err(e)) => Err(format!("expected a client, got: {e}")),
    }
}

#[test]
fn every_key_vector() {
    let kit = Testkit::start().unwrap();
    let mut results = serde_json::Map::new();
    let mut failures = Vec::new();
    for case in vectors()["cases"].as_array().unwrap() {
        let name = format!("keys/{}", case["name"].as_str().unwrap());
        let outcome = run_key_case(&kit, case);
        if let Err(why) = &outcome {
            failures.push(format!("{name}: {why}"));
        }
        let shown = outcome.err().map_or("pass".to_string(), |w| format!("fail: {w}"));
        results.insert(name, Value::String(shown));
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    let report = serde_json::json!({ "language": "rust", "results": results });
    std::fs::write(
        out.join("rust-keys.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_key_the_server_does_not_know_gets_invalid_client() {
    let kit = Testkit::start().unwrap();
    let client = client_from_case(&kit, &vectors()["untrusted"]).unwrap();
    let error = client.client_credentials(None).unwrap_err();
    assert_eq!(error.oauth_code(), Some("invalid_client"), "{error}");
}

#[test]
fn a_retry_signs_a_new_assertion_which_the_server_has_not_seen() {
    let kit = Testkit::start().unwrap();
    let vector = &case("ec-pkcs8-pem");
    let client = TokenClient::builder(kit.scenario_url("flaky"))
        .client_id(CLIENT_ID)
        .private_key(vector["key"].as_str().unwrap())
        .max_retries(3)
        .max_backoff(std::time::Duration::from_millis(20))
        .build()
        .unwrap();
    // Two 503s, then a token: a replayed jti would be refused on the third attempt.
    let token = client.client_credentials(None).unwrap();
    assert!(!token.access_token.is_empty());
    assert_eq!(kit.token_requests(), 3);
}

#[test]
fn an_assertion_never_travels_with_basic_credentials_and_a_code_is_spent_once() {
    let kit = Testkit::start().unwrap();
    let vector = &case("rsa-pkcs8-pem");
    let client = TokenClient::builder(kit.scenario_url("invalid_client"))
        .client_id(CLIENT_ID)
        .private_key(vector["key"].as_str().unwrap())
        .build()
        .unwrap();
    let error = client
        .fetch(&TokenRequest::authorization_code("code-1", None, None))
        .unwrap_err();
    assert_eq!(error.oauth_code(), Some("invalid_client"));
    // One attempt, one method: no fallback to another way of authenticating.
    assert_eq!(kit.token_requests(), 1);
    let headers = &error.http_meta().unwrap().request.headers;
    assert!(!headers.contains_key("authorization"), "{headers:?}");
}

#[test]
fn the_jwt_bearer_grant_is_verified_and_a_replayed_assertion_refused() {
    let kit = Testkit::start().unwrap();
    let vector = &case("ec-jwk");
    let client = TokenClient::builder(kit.token_url())
        .client_id("service-7")
        .auth_method(AuthMethod::None)
        .private_key(vector["key"].to_string())
        .assertion_subject("ann@example.com")
        .build()
        .unwrap();
    let token = client.fetch(&TokenRequest::jwt_bearer().scope("read")).unwrap();
    assert_eq!(token.scope.as_deref(), Some("read"));
    let seen = stats(&kit);
    let claims = &seen["last_claims"];
    assert_eq!(claims["iss"], "service-7");
    assert_eq!(claims["sub"], "ann@example.com");
    assert_eq!(claims["aud"], kit.token_url());
    let first = seen["bearer_assertions"][0].as_str().unwrap().to_string();
    // A second fetch signs another; sending the first again is a replay.
    client.fetch(&TokenRequest::jwt_bearer()).unwrap();
    let replay = client
        .fetch(&TokenRequest::jwt_bearer_assertion(first.clone()))
        .unwrap_err();
    assert_eq!(replay.oauth_code(), Some("invalid_grant"));
    assert!(replay.to_string().contains("replayed"), "{replay}");
    assert!(!replay.to_string().contains(&first));
}

fn google_key_file(kit: &Testkit) -> String {
    ureq::get(format!("{}/__google_service_account", kit.url()))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap()
}

#[test]
fn a_google_service_account_signs_its_scopes_into_the_assertion() {
    let kit = Testkit::start().unwrap();
    let file = google_key_file(&kit);
    let key: Value = serde_json::from_str(&file).unwrap();
    let client = tokenfetch::TokenClientBuilder::google_service_account(&file)
        .unwrap()
        .scope("https://www.googleapis.com/auth/cloud-platform")
        .build()
        .unwrap();
    let token = client.fetch(&client.default_request()).unwrap();
    assert_eq!(
        token.scope.as_deref(),
        Some("https://www.googleapis.com/auth/cloud-platform")
    );
    let claims = &stats(&kit)["last_claims"];
    assert_eq!(claims["iss"], "robot@testkit.iam.gserviceaccount.com");
    assert_eq!(claims["scope"], "https://www.googleapis.com/auth/cloud-platform");
    assert!(claims.get("sub").is_none(), "no subject unless delegating: {claims}");
    assert_eq!(claims["aud"], key["token_uri"]);

    let delegated = tokenfetch::TokenClientBuilder::google_service_account(&file)
        .unwrap()
        .assertion_subject("admin@example.com")
        .build()
        .unwrap();
    delegated.fetch(&delegated.default_request()).unwrap();
    assert_eq!(stats(&kit)["last_claims"]["sub"], "admin@example.com");
}

#[test]
fn google_credentials_of_another_type_are_refused() {
    for kind in ["external_account", "authorized_user", "impersonated_service_account"] {
        let file = format!(r#"{{"type": "{kind}", "credential_source": {{"url": "http://169.254.169.254/"}}}}"#);
        let message = tokenfetch::TokenClientBuilder::google_service_account(&file)
            .unwrap_err()
            .to_string();
        assert!(message.contains("not \"service_account\""), "{message}");
    }
    let missing =
        tokenfetch::TokenClientBuilder::google_service_account(r#"{"type": "service_account", "private_key": "x"}"#)
            .unwrap_err()
            .to_string();
    assert!(missing.contains("client_email"), "{missing}");
    assert!(!missing.contains("\"x\""));
}

#[test]
fn a_token_file_is_read_again_for_every_request() {
    let kit = Testkit::start().unwrap();
    let dir = std::env::temp_dir().join(format!("tokenfetch-federated-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token");
    std::fs::write(&path, "federated-token-one\n").unwrap();
    let client = TokenClient::builder(kit.scenario_url("federated"))
        .client_id(CLIENT_ID)
        .client_assertion_file(&path)
        .build()
        .unwrap();
    assert_eq!(client.auth_method(), AuthMethod::PrivateKeyJwt);
    client.client_credentials(None).unwrap();
    std::fs::write(&path, "federated-token-two").unwrap();
    client.client_credentials(None).unwrap();
    assert_eq!(
        stats(&kit)["client_assertions"],
        serde_json::json!(["federated-token-one", "federated-token-two"])
    );
    std::fs::remove_file(&path).unwrap();
    let error = client.client_credentials(None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(error.to_string().contains(&path.display().to_string()), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_callback_is_called_for_every_request_and_its_failure_is_a_config_error() {
    let kit = Testkit::start().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let client = TokenClient::builder(kit.scenario_url("federated"))
        .client_id(CLIENT_ID)
        .client_assertion_callback(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            if n == 2 {
                Err("the OIDC endpoint is down".into())
            } else {
                Ok(format!("callback-token-{n}"))
            }
        })
        .build()
        .unwrap();
    client.client_credentials(None).unwrap();
    client.client_credentials(None).unwrap();
    let error = client.client_credentials(None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Config);
    assert!(error.to_string().contains("the OIDC endpoint is down"));
    assert_eq!(
        stats(&kit)["client_assertions"],
        serde_json::json!(["callback-token-0", "callback-token-1"])
    );
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[test]
fn entra_workload_identity_reads_its_settings_and_the_token_file() {
    use tokenfetch::presets::EntraSettings;
    let kit = Testkit::start().unwrap();
    let dir = std::env::temp_dir().join(format!("tokenfetch-entra-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("azure-identity-token");
    std::fs::write(&path, "entra-federated-token").unwrap();
    let settings = EntraSettings {
        client_id: Some("00000000-1111-2222-3333-444444444444".into()),
        tenant_id: Some("contoso.onmicrosoft.com".into()),
        token_file: Some(path.display().to_string()),
        authority_host: Some(format!("{}/", kit.url())),
    };
    let client = tokenfetch::TokenClientBuilder::entra_workload_identity_with(settings.clone(), Language::Rust)
        .unwrap()
        .header("X-Testkit-Scenario", "federated")
        .build()
        .unwrap();
    assert_eq!(
        client.token_url(),
        format!("{}/contoso.onmicrosoft.com/oauth2/v2.0/token", kit.url())
    );
    client.client_credentials(Some("api://x/.default")).unwrap();
    assert_eq!(
        stats(&kit)["client_assertions"],
        serde_json::json!(["entra-federated-token"])
    );

    let missing = EntraSettings {
        tenant_id: None,
        ..settings.clone()
    };
    let message = tokenfetch::TokenClientBuilder::entra_workload_identity_with(missing, Language::Python)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("AZURE_TENANT_ID") && message.contains("tenant_id"),
        "{message}"
    );
    let escaping = EntraSettings {
        tenant_id: Some("../other".into()),
        ..settings
    };
    assert!(tokenfetch::TokenClientBuilder::entra_workload_identity_with(escaping, Language::Rust).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_key_prints_as_its_algorithm_and_kid_only() {
    let vector = &case("rsa-jwk");
    let key = tokenfetch::SigningKey::from_jwk(&vector["key"].to_string()).unwrap();
    assert_eq!(
        format!("{key:?}"),
        r#"SigningKey { algorithm: "RS256", key_id: Some("rsa-jwk-1") }"#
    );
    let builder = TokenClient::builder("https://as.example/token")
        .client_id("c")
        .private_key(vector["key"].to_string());
    let shown = format!("{builder:?}");
    for fragment in key_fragments(&vector["key"]) {
        assert!(!shown.contains(&fragment), "{shown}");
    }
}

#[test]
fn a_shared_store_never_hands_one_key_s_token_to_another() {
    use tokenfetch::{ManagerOptions, MemoryStore, TokenManager};
    let kit = Testkit::start().unwrap();
    let store: Arc<MemoryStore> = Arc::new(MemoryStore::new());
    let manager = |key: &str| {
        let client = TokenClient::builder(kit.token_url())
            .client_id(CLIENT_ID)
            .private_key(key)
            .build()
            .unwrap();
        let options = ManagerOptions {
            store: Some(store.clone()),
            ..ManagerOptions::default()
        };
        TokenManager::with_options(client, TokenRequest::client_credentials(), options).unwrap()
    };
    let trusted = manager(case("ec-pkcs8-pem")["key"].as_str().unwrap());
    trusted.access_token().unwrap();
    // The same client id with a key the server does not know: it must fetch for itself, and
    // be refused, rather than read the other key's token from the store.
    let impostor = manager(vectors()["untrusted"]["key"].as_str().unwrap());
    let error = impostor.access_token().unwrap_err();
    assert_eq!(error.oauth_code(), Some("invalid_client"), "{error}");
    // The same key again (another process, say) shares the entry: no second fetch.
    let twin = manager(case("ec-pkcs8-pem")["key"].as_str().unwrap());
    let before = kit.token_requests();
    twin.access_token().unwrap();
    assert_eq!(kit.token_requests(), before);
}

#[test]
fn token_files_of_different_workloads_keep_their_store_entries_apart() {
    use tokenfetch::{ManagerOptions, MemoryStore, TokenManager};
    let kit = Testkit::start().unwrap();
    let store: Arc<MemoryStore> = Arc::new(MemoryStore::new());
    let dir = std::env::temp_dir().join(format!("tokenfetch-workloads-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let jwt = |sub: &str| {
        let b64 = |v: &str| base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, v);
        format!(
            "{}.{}.sig",
            b64(r#"{"alg":"RS256"}"#),
            b64(&format!(r#"{{"iss":"https://k8s","sub":"{sub}"}}"#))
        )
    };
    let manager = |file: &std::path::Path| {
        let client = TokenClient::builder(kit.scenario_url("federated"))
            .client_id(CLIENT_ID)
            .client_assertion_file(file)
            .build()
            .unwrap();
        let options = ManagerOptions {
            store: Some(store.clone()),
            ..ManagerOptions::default()
        };
        TokenManager::with_options(client, TokenRequest::client_credentials(), options).unwrap()
    };
    // Two pods mount their tokens at the same path, each on its own machine, and share Redis:
    // here, one path whose content changes between the two.
    let path = dir.join("azure-identity-token");
    std::fs::write(&path, jwt("system:serviceaccount:team-a:app")).unwrap();
    manager(&path).access_token().unwrap();
    std::fs::write(&path, jwt("system:serviceaccount:team-b:app")).unwrap();
    manager(&path).access_token().unwrap();
    assert_eq!(kit.token_requests(), 2, "team-b must not read team-a's token");
    // The same workload after its token rotated still shares the entry.
    std::fs::write(&path, jwt("system:serviceaccount:team-a:app").replace("sig", "sig2")).unwrap();
    manager(&path).access_token().unwrap();
    assert_eq!(kit.token_requests(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every form of an assertion a careless server might echo: the text, its base64, and each
/// 24-character window (a cut-off echo).
fn assertion_forms(assertion: &str) -> Vec<String> {
    use base64::Engine as _;
    let mut forms = vec![
        assertion.to_owned(),
        base64::engine::general_purpose::STANDARD.encode(assertion),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(assertion),
    ];
    let chars: Vec<char> = assertion.chars().collect();
    forms.extend(chars.windows(24).step_by(12).map(|w| w.iter().collect::<String>()));
    forms
}

#[test]
fn an_echoed_assertion_is_scrubbed_in_every_encoding_and_when_cut_off() {
    let kit = Testkit::start().unwrap();
    for scenario in ["echo_headers", "echo_text", "echo_json", "echo_html", "echo_form"] {
        let client = TokenClient::builder(kit.scenario_url(scenario))
            .client_id(CLIENT_ID)
            .private_key(case("rsa-pkcs8-pem")["key"].as_str().unwrap())
            .max_retries(0)
            .build()
            .unwrap();
        let error = client.client_credentials(None).unwrap_err();
        let assertion = stats(&kit)["client_assertions"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned();
        let shown = format!("{error} {:?}", error.http_meta());
        for form in assertion_forms(&assertion) {
            assert!(!shown.contains(&form), "{scenario}: {form} in {shown}");
        }
    }
}

#[test]
fn a_caller_cannot_add_a_second_identity_beside_the_assertion() {
    let kit = Testkit::start().unwrap();
    let key = case("ec-pkcs8-pem")["key"].as_str().unwrap().to_owned();
    let client = TokenClient::builder(kit.token_url())
        .client_id(CLIENT_ID)
        .private_key(key.clone())
        .build()
        .unwrap();
    for name in [
        "client_assertion",
        "client_id",
        "client_secret",
        "client_assertion_type",
    ] {
        let error = client
            .fetch(&TokenRequest::client_credentials().param(name, "forged-value-1"))
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{name}");
        assert!(error.to_string().contains(name), "{error}");
    }
    let with_header = TokenClient::builder(kit.token_url())
        .client_id(CLIENT_ID)
        .private_key(key.clone())
        .header("Authorization", "Basic Zm9yZ2VkOnNlY3JldA==")
        .build()
        .unwrap();
    assert_eq!(
        with_header.client_credentials(None).unwrap_err().kind(),
        ErrorKind::Config
    );
    assert_eq!(kit.token_requests(), 0, "nothing forged was sent");

    // Settings that would go unused are refused rather than ignored.
    let both = TokenClient::builder(kit.token_url())
        .client_id(CLIENT_ID)
        .private_key(key.clone())
        .client_assertion_callback(|| Ok("x".into()))
        .build();
    assert!(both.unwrap_err().to_string().contains("not both"));
    let unused_key = TokenClient::builder(kit.token_url())
        .client_id(CLIENT_ID)
        .client_secret("0123456789abcdef0123456789abcdef")
        .auth_method(AuthMethod::ClientSecretJwt)
        .private_key(key)
        .build();
    assert!(unused_key.unwrap_err().to_string().contains("unused"));
}

#[test]
fn files_that_are_not_small_regular_files_are_refused_without_blocking_or_reading_them() {
    let kit = Testkit::start().unwrap();
    let dir = std::env::temp_dir().join(format!("tokenfetch-odd-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let huge = dir.join("huge");
    std::fs::write(&huge, vec![b'e'; 200_000]).unwrap();
    for path in [
        fifo.as_path(),
        huge.as_path(),
        std::path::Path::new("/dev/zero"),
        dir.as_path(),
    ] {
        let started = std::time::Instant::now();
        let key = TokenClient::builder(kit.token_url())
            .client_id(CLIENT_ID)
            .private_key_file(path)
            .build()
            .unwrap_err();
        assert_eq!(key.kind(), ErrorKind::Config, "{key}");
        let client = TokenClient::builder(kit.scenario_url("federated"))
            .client_id(CLIENT_ID)
            .client_assertion_file(path)
            .build()
            .unwrap();
        let error = client.client_credentials(None).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Config, "{error}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{path:?} blocked"
        );
    }
    // A key pasted where its path belongs is not echoed as the "path".
    let pem = case("rsa-pkcs8-pem")["key"].as_str().unwrap().to_owned();
    let message = TokenClient::builder(kit.token_url())
        .client_id(CLIENT_ID)
        .private_key_file(pem.clone())
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        key_fragments(&Value::String(pem))
            .iter()
            .all(|f| !message.contains(f.as_str())),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_key_pasted_into_a_choice_is_not_echoed() {
    let pem = case("rsa-pkcs8-pem")["key"].as_str().unwrap().to_owned();
    for message in [
        pem.parse::<tokenfetch::Algorithm>().unwrap_err().to_string(),
        pem.parse::<AuthMethod>().unwrap_err().to_string(),
    ] {
        assert!(
            key_fragments(&Value::String(pem.clone()))
                .iter()
                .all(|f| !message.contains(f.as_str())),
            "{message}"
        );
        assert!(message.contains("not shown"), "{message}");
    }
}

#[test]
fn a_slow_callback_ends_the_call_as_a_timeout() {
    let kit = Testkit::start().unwrap();
    let client = TokenClient::builder(kit.scenario_url("federated"))
        .client_id(CLIENT_ID)
        .timeout(std::time::Duration::from_millis(300))
        .client_assertion_callback(|| {
            std::thread::sleep(std::time::Duration::from_millis(500));
            Err("gave up".into())
        })
        .build()
        .unwrap();
    let error = client.client_credentials(None).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Timeout, "{error}");
}

#[test]
fn a_client_whose_assertion_comes_from_a_function_refuses_a_store() {
    use tokenfetch::{ManagerOptions, MemoryStore, TokenManager};
    let kit = Testkit::start().unwrap();
    let client = TokenClient::builder(kit.scenario_url("federated"))
        .client_id(CLIENT_ID)
        .client_assertion_callback(|| Ok("from-a-function".into()))
        .build()
        .unwrap();
    let options = ManagerOptions {
        store: Some(Arc::new(MemoryStore::new())),
        ..ManagerOptions::default()
    };
    let refused = TokenManager::with_options(client.clone(), TokenRequest::client_credentials(), options);
    assert!(refused.unwrap_err().to_string().contains("cannot share a token store"));
    // Without a store it works as any manager.
    TokenManager::new(client, TokenRequest::client_credentials())
        .access_token()
        .unwrap();
}

#[test]
fn key_material_is_scrubbed_from_whatever_the_server_sends_back() {
    let kit = Testkit::start().unwrap();
    let jwk = case("ec-jwk")["key"].clone();
    let d = jwk["d"].as_str().unwrap().to_owned();
    let pem = case("rsa-pkcs8-pem")["key"].as_str().unwrap().to_owned();
    let line = pem.lines().nth(3).unwrap().to_owned();
    for (key, part) in [(jwk.to_string(), d), (pem, line)] {
        // A careless caller copies part of the key into a plain parameter; the server echoes it.
        let client = TokenClient::builder(kit.scenario_url("echo_json"))
            .client_id(CLIENT_ID)
            .private_key(key)
            .extra_param("note", part.clone())
            .build()
            .unwrap();
        let error = client.client_credentials(None).unwrap_err();
        let shown = format!("{error} {:?}", error.http_meta());
        assert!(!shown.contains(&part), "{shown}");
    }
}
