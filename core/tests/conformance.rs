//! The shared conformance vectors (../conformance/*.json) against the core entry point.
//! Writes target/conformance/rust.json for conformance/report.py.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::{json, Map, Value};
use std::time::Duration;

use tokenfetch::manager::ManagerOptions;
use tokenfetch::{parse_response, RetryPolicy, TokenClient, TokenManager, TokenRequest, TokenResponse};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The token in wire names, as every language's runner builds it.
fn canonical(t: &TokenResponse) -> Value {
    json!({
        "access_token": t.access_token,
        "token_type": t.token_type,
        "expires_in": t.expires_in,
        "refresh_token": t.refresh_token,
        "refresh_expires_in": t.refresh_expires_in,
        "id_token": t.id_token,
        "scope": t.scope,
        "created_at": t.created_at,
        "extra": Value::Object(t.extra.clone()),
        "expires_at": t.expires_at,
    })
}

fn body(case: &Value) -> Vec<u8> {
    let mut bytes = match (&case["body"], &case["body_base64"]) {
        (_, Value::String(b64)) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("valid base64"),
        (Value::String(text), _) => text.as_bytes().to_vec(),
        _ => Vec::new(),
    };
    if let Some(pad_to) = case["body_pad_to"].as_u64() {
        bytes.resize(pad_to as usize, b' ');
    }
    bytes
}

/// JSON equality where numbers compare by value (1.5 == 1.50, 3600 == 3600.0).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.to_string().parse::<f64>().ok() == y.to_string().parse::<f64>().ok(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn run(case: &Value) -> Result<(), String> {
    let headers: Vec<(String, String)> = case["headers"]
        .as_object()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default();
    let status = case["status"].as_u64().expect("status") as u16;
    let outcome = parse_response(status, &headers, &body(case), case["received_at"].as_u64(), 1024 * 1024);
    match (outcome, case.get("expect"), case.get("error")) {
        (Ok(token), Some(Value::Object(expect)), _) => {
            let got = canonical(&token);
            for (field, want) in expect {
                if !same(&got[field], want) {
                    return Err(format!("{field}: expected {want}, got {}", got[field]));
                }
            }
            Ok(())
        }
        (Err(e), _, Some(want)) => {
            if e.kind().as_str() != want["kind"] {
                return Err(format!("expected a {} error, got {} ({e})", want["kind"], e.kind()));
            }
            match &want["code"] {
                Value::String(code) if e.oauth_code() != Some(code.as_str()) => {
                    Err(format!("expected code {code}, got {:?}", e.oauth_code()))
                }
                _ => Ok(()),
            }
        }
        (Ok(token), _, Some(want)) => Err(format!("expected a {} error, got a token {:?}", want["kind"], token)),
        (Err(e), _, _) => Err(format!("expected a token, got {} error: {e}", e.kind())),
        (Ok(_), _, _) => Err("the case has neither expect nor error".into()),
    }
}

#[test]
fn every_conformance_vector() {
    let mut results = Map::new();
    let mut failures = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(workspace().join("conformance"))
        .expect("conformance/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        // options.json holds option vectors, run by `every_option_vector` below; keys.json
        // key vectors, run by `every_key_vector` in assertions.rs; id_tokens.json below.
        .filter(|p| {
            p.file_stem()
                .is_some_and(|s| s != "options" && s != "keys" && s != "id_tokens")
        })
        .collect();
    files.sort();
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("valid vector file");
        for case in doc["cases"].as_array().expect("cases") {
            let name = format!("{stem}/{}", case["name"].as_str().expect("name"));
            let outcome = run(case);
            if let Err(why) = &outcome {
                failures.push(format!("{name}: {why}"));
            }
            results.insert(
                name,
                Value::String(outcome.err().map(|w| format!("fail: {w}")).unwrap_or("pass".into())),
            );
        }
    }
    assert!(results.len() >= 60, "only {} vectors", results.len());
    let out = workspace().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    let report = json!({ "language": "rust", "results": results });
    std::fs::write(out.join("rust.json"), serde_json::to_string_pretty(&report).unwrap()).unwrap();
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A vector's value: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
fn number(value: &Value) -> f64 {
    match value {
        Value::String(s) => s.parse().expect("NaN, Infinity or -Infinity"),
        other => other.as_f64().expect("a number"),
    }
}

/// What the Rust API makes of one option value: the normalised value (milliseconds for
/// durations), or the error. Rust takes `Duration`s and integers, so a value those types
/// cannot hold (negative, NaN, fractional counts) is refused before tokenfetch sees it.
fn apply_option(option: &str, value: f64) -> Result<f64, String> {
    let refused_by_type = |what: &str| format!("refused by the type: {value} is no {what}");
    let duration = || Duration::try_from_secs_f64(value).map_err(|_| refused_by_type("Duration"));
    let builder = || {
        TokenClient::builder("https://auth.example/token")
            .client_id("a")
            .client_secret("b")
    };
    let built = |b: tokenfetch::TokenClientBuilder| b.build().map_err(|e| e.to_string());
    let manager = |options: ManagerOptions| {
        let client = builder().build().map_err(|e| e.to_string())?;
        TokenManager::with_options(client, TokenRequest::client_credentials(), options).map_err(|e| e.to_string())
    };
    let millis = |d: Duration| d.as_secs_f64() * 1000.0;
    match option {
        "timeout" => built(builder().timeout(duration()?)).map(|c| millis(c.timeout())),
        "connect_timeout" => built(builder().connect_timeout(duration()?)).map(|c| millis(c.connect_timeout())),
        "max_retries" => {
            let n = u32::try_from(value as i64)
                .ok()
                .filter(|n| f64::from(*n) == value)
                .ok_or_else(|| refused_by_type("u32"))?;
            let retry = RetryPolicy {
                max_retries: n,
                ..RetryPolicy::default()
            };
            built(builder().retry(retry)).map(|c| f64::from(c.retry_policy().max_retries))
        }
        "max_backoff" => built(builder().max_backoff(duration()?)).map(|c| millis(c.retry_policy().max_backoff)),
        "max_retry_wait" => built(builder().max_retry_wait(duration()?)).map(|c| millis(c.max_retry_wait())),
        "max_response_bytes" => {
            let n = Some(value as u64)
                .filter(|n| *n as f64 == value && value >= 0.0)
                .ok_or_else(|| refused_by_type("u64"))?;
            built(builder().max_response_bytes(n)).map(|c| c.max_response_bytes() as f64)
        }
        "refresh_skew" => manager(ManagerOptions {
            refresh_skew: duration()?,
            ..ManagerOptions::default()
        })
        .map(|m| millis(m.options().refresh_skew)),
        "default_lifetime" => manager(ManagerOptions {
            default_lifetime: duration()?,
            ..ManagerOptions::default()
        })
        .map(|m| millis(m.options().default_lifetime)),
        // It applies only with a store; the default client's 30 s timeout makes its floor 35 s.
        "lease_time" => manager(ManagerOptions {
            store: Some(std::sync::Arc::new(tokenfetch::MemoryStore::new())),
            lease_time: Some(duration()?),
            ..ManagerOptions::default()
        })
        .map(|m| millis(m.lease_time())),
        "store_timeout" => tokenfetch::RedisStore::with_timeout("redis://127.0.0.1:1", duration()?)
            .map(|store| millis(store.timeout()))
            .map_err(|e| e.to_string()),
        // Nothing reads a discovered client's TTL back: an issuer that refuses connections
        // fails with a transport error once the options are accepted, and the value is then
        // taken as the expected one.
        "discovery_ttl" => {
            let ttl = duration()?;
            match TokenClient::discover("http://127.0.0.1:9")
                .client_id("a")
                .allow_insecure_http(true)
                .discovery_ttl(ttl)
                .build()
            {
                Err(e) if e.kind() == tokenfetch::ErrorKind::Config => Err(e.to_string()),
                _ => Ok(millis(ttl)),
            }
        }
        other => panic!("unknown option {other} in conformance/options.json"),
    }
}

fn run_option(case: &Value) -> Result<(), String> {
    let option = case["option"].as_str().expect("option");
    let outcome = apply_option(option, number(&case["value"]));
    match (outcome, case.get("expect")) {
        (Ok(got), Some(want)) if (got - number(want)).abs() < 1e-6 => Ok(()),
        (Ok(got), Some(want)) => Err(format!("expected {want}, got {got}")),
        (Ok(got), None) => Err(format!("expected a config error, got {got}")),
        (Err(why), None) if why.starts_with("refused by the type") => Ok(()),
        (Err(why), None) if why.starts_with("invalid configuration") && why.contains(option) => Ok(()),
        (Err(why), _) => Err(format!("unexpected error: {why}")),
    }
}

#[test]
fn every_option_vector() {
    let path = workspace().join("conformance/options.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).expect("valid options.json");
    let mut results = Map::new();
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().expect("cases") {
        let name = format!("options/{}", case["name"].as_str().expect("name"));
        let outcome = run_option(case);
        if let Err(why) = &outcome {
            failures.push(format!("{name}: {why}"));
        }
        results.insert(
            name,
            Value::String(outcome.err().map(|w| format!("fail: {w}")).unwrap_or("pass".into())),
        );
    }
    let out = workspace().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    let report = json!({ "language": "rust", "results": results });
    std::fs::write(
        out.join("rust-options.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    assert!(
        failures.is_empty(),
        "{} option vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// One ID token vector: validated offline with the file's (or the case's) JWKS.
fn run_id_token(case: &Value, jwks: &Value) -> Result<(), String> {
    let given = &case["given"];
    let text = |name: &str| given[name].as_str().map(str::to_string);
    let secs = |name: &str| given[name].as_u64().map(std::time::Duration::from_secs);
    let options = tokenfetch::id_token::ValidationOptions {
        nonce: text("nonce"),
        max_age: secs("max_age"),
        access_token: text("access_token"),
        code: text("code"),
        clock_skew: secs("clock_skew"),
        algorithms: given["algorithms"].as_array().map(|list| {
            list.iter()
                .map(|a| a.as_str().unwrap().parse().expect("a known algorithm"))
                .collect()
        }),
        client_secret: text("client_secret"),
        now: given["now"].as_u64(),
        previous: None,
    };
    let jwks = case.get("jwks").unwrap_or(jwks).to_string();
    let result = tokenfetch::id_token::validate_with_jwks(
        case["token"].as_str().unwrap(),
        &jwks,
        given["issuer"].as_str().unwrap(),
        given["client_id"].as_str().unwrap(),
        &options,
    );
    match (result, case.get("claims"), case.get("error")) {
        (Ok(claims), Some(expected), _) => {
            let got = claims.to_json_value();
            for (name, want) in expected.as_object().unwrap() {
                if name == "extra" {
                    for (member, want) in want.as_object().unwrap() {
                        if claims.extra.get(member) != Some(want) {
                            return Err(format!(
                                "extra {member}: want {want}, got {:?}",
                                claims.extra.get(member)
                            ));
                        }
                    }
                } else if &got[name] != want {
                    return Err(format!("{name}: want {want}, got {}", got[name]));
                }
            }
            Ok(())
        }
        (Err(e), _, Some(expected)) => {
            let check = e.id_token_check().map(|c| c.as_str());
            if e.kind().as_str() == expected["kind"] && check == expected["check"].as_str() {
                Ok(())
            } else {
                Err(format!("want {expected}, got {} ({check:?}): {e}", e.kind()))
            }
        }
        (Ok(_), _, Some(expected)) => Err(format!("want error {expected}, got valid claims")),
        (Err(e), _, _) => Err(format!("want claims, got {} error: {e}", e.kind())),
        (Ok(_), None, None) => Err("the case has neither claims nor error".into()),
    }
}

#[test]
fn every_id_token_vector() {
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(workspace().join("conformance/id_tokens.json")).unwrap())
            .expect("valid vector file");
    let mut results = Map::new();
    let mut failures = Vec::new();
    for case in doc["cases"].as_array().expect("cases") {
        let name = format!("id_tokens/{}", case["name"].as_str().expect("name"));
        let outcome = run_id_token(case, &doc["jwks"]);
        if let Err(why) = &outcome {
            failures.push(format!("{name}: {why}"));
        }
        results.insert(
            name,
            Value::String(outcome.err().map(|w| format!("fail: {w}")).unwrap_or("pass".into())),
        );
    }
    let out = workspace().join("target/conformance");
    std::fs::create_dir_all(&out).unwrap();
    let report = json!({ "language": "rust", "results": results });
    std::fs::write(
        out.join("rust-id_tokens.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    assert!(
        failures.is_empty(),
        "{} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
