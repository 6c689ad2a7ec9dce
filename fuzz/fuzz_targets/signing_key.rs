//! Whatever text a caller passes as a key (PEM, a JWK, neither), parsing answers with a key or
//! a `config` error that holds none of the text's base64: it never panics, and a key it
//! accepts signs.
#![no_main]

use arbitrary::Arbitrary;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use tokenfetch::{ErrorKind, SigningKey};

#[derive(Arbitrary, Debug)]
enum Input {
    /// Any text.
    Text(String),
    /// Any DER, armoured as one of the PEM labels the parser reads.
    Pem(u8, Vec<u8>),
    /// A JWK of any kty, with members of any value.
    Jwk(String, Vec<(String, String)>),
}

const LABELS: [&str; 5] = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY", "ENCRYPTED PRIVATE KEY"];

fuzz_target!(|input: Input| {
    let text = match input {
        Input::Text(text) => text,
        Input::Pem(label, der) => {
            let label = LABELS[usize::from(label) % LABELS.len()];
            let body = base64::engine::general_purpose::STANDARD.encode(&der);
            format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
        }
        Input::Jwk(kty, members) => {
            let mut jwk = serde_json::Map::new();
            jwk.insert("kty".into(), serde_json::Value::String(kty));
            for (name, value) in members {
                jwk.insert(name, serde_json::Value::String(value));
            }
            serde_json::Value::Object(jwk).to_string()
        }
    };
    match SigningKey::from_text(&text) {
        Ok(key) => assert!(!format!("{key:?}").contains("BEGIN")),
        Err(e) => assert_eq!(e.kind(), ErrorKind::Config),
    }
});
