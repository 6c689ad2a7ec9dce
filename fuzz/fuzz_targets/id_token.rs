//! Whatever a server sends as an ID token or a JWKS, validation answers with claims or an
//! `id_token` error (or `config` for a bad argument): it never panics, never hangs on nesting
//! or size, and no message quotes the token.
#![no_main]

use arbitrary::Arbitrary;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use tokenfetch::id_token::{validate_with_jwks, ValidationOptions};
use tokenfetch::ErrorKind;

#[derive(Arbitrary, Debug)]
struct Input {
    /// Encoded as the token's three parts, or used as the token text itself.
    header: Vec<u8>,
    claims: Vec<u8>,
    signature: Vec<u8>,
    raw: Option<String>,
    jwks: String,
    nonce: Option<String>,
    now: u32,
}

const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},{"kty":"EC","crv":"P-256","x":"Y1ifz7AhONAH1RjoWpbht0LwuQd5cWGIPoSNl7pVJnE","y":"3mBDVTvDC1YMfFKjzg4xAm4jAwySYMFxTw1bQUxPFSU"}]}"#;

fuzz_target!(|input: Input| {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let token = input
        .raw
        .unwrap_or_else(|| format!("{}.{}.{}", b64(&input.header), b64(&input.claims), b64(&input.signature)));
    let jwks = if input.jwks.is_empty() { JWKS.to_string() } else { input.jwks };
    let options = ValidationOptions {
        nonce: input.nonce,
        now: Some(u64::from(input.now)),
        ..Default::default()
    };
    match validate_with_jwks(&token, &jwks, "https://op.example", "rp", &options) {
        Ok(claims) => assert_eq!(claims.iss, "https://op.example"),
        Err(e) => {
            assert!(matches!(e.kind(), ErrorKind::IdToken | ErrorKind::Config), "{e}");
            // A token shaped like a JWT (two dots, some length) never reappears in a message;
            // shorter text could be a message's own words.
            if token.len() > 24 && token.matches('.').count() >= 2 {
                assert!(!e.to_string().contains(&token), "{e}");
            }
        }
    }
});
