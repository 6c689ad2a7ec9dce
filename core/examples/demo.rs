//! `cargo run -p tokenfetch --example demo -- <token-url>`
//!
//! Fetches a client-credentials token, prints its fields (access token truncated) and the
//! HTTP metadata of the exchange. `make demo` runs it against the local testkit server.

use std::process::ExitCode;

use tokenfetch::{TokenClient, TokenRequest};

fn main() -> ExitCode {
    let Some(token_url) = std::env::args().nth(1) else {
        eprintln!("usage: demo <token-url>");
        return ExitCode::from(2);
    };
    let client = match TokenClient::builder(&token_url)
        .client_id("demo-client")
        .client_secret("demo-secret")
        .scope("read write")
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rust: {e}");
            return ExitCode::FAILURE;
        }
    };
    match client.request_token(&TokenRequest::client_credentials()) {
        Ok(answer) => {
            let token = answer
                .token_response
                .as_ref()
                .expect("a successful send carries a token");
            let shown: String = token.access_token.chars().take(8).collect();
            println!("rust   access_token  {shown}… ({} chars)", token.access_token.len());
            println!("rust   token_type    {}", token.token_type);
            println!("rust   expires_in    {:?}", token.expires_in);
            println!("rust   expires_at    {:?}", token.expires_at);
            println!("rust   scope         {:?}", token.scope);
            let meta = &answer.http_meta;
            let response = meta.response.as_ref().expect("a successful send has a response");
            println!("rust   request       {} {}", meta.request.method, meta.request.url);
            println!("rust   authorization {}", meta.request.headers["authorization"]);
            println!(
                "rust   response      HTTP {} in {} ms",
                response.status, response.elapsed_ms
            );
            println!("rust   body          {}", response.body);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rust: token request failed ({}): {e}", e.kind());
            ExitCode::FAILURE
        }
    }
}
