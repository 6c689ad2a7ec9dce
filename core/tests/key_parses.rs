//! A key is parsed once, when its client is built, never per signature (authlib and jwcrypto
//! re-parse an RSA key per token, 300 ms to 5 s each). Alone in its binary, so that no other
//! test parses keys while this one counts.

use testkit::Testkit;
use tokenfetch::jwt::key::key_parses;
use tokenfetch::{TokenClient, TokenRequest};

#[test]
fn a_thousand_fetches_parse_the_key_once() {
    let kit = Testkit::start().unwrap();
    let vectors: serde_json::Value = serde_json::from_str(include_str!("../../conformance/keys.json")).unwrap();
    let pem = vectors["cases"][0]["key"].as_str().unwrap();
    let before = key_parses();
    let client = TokenClient::builder(kit.token_url())
        .client_id("counted")
        .private_key(pem)
        .build()
        .unwrap();
    assert_eq!(key_parses() - before, 1);
    for i in 0..1000 {
        let request = if i % 2 == 0 {
            TokenRequest::client_credentials()
        } else {
            TokenRequest::jwt_bearer()
        };
        client.fetch(&request).unwrap();
    }
    assert_eq!(kit.token_requests(), 1000);
    assert_eq!(key_parses() - before, 1, "signing parsed a key");
}
