//! Whatever numbers a caller passes, option validation answers with a value in range or a
//! `config` error: it never panics, and a client or manager built from what it accepts never
//! overflows a deadline.
#![no_main]

use std::time::Duration;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tokenfetch::manager::ManagerOptions;
use tokenfetch::options::{self, OptionBag, OptionValue};
use tokenfetch::{ErrorKind, RetryPolicy, TokenClient, TokenManager, TokenRequest};

#[derive(Arbitrary, Debug)]
struct Input {
    seconds: Vec<f64>,
    millis: Vec<f64>,
    counts: Vec<f64>,
    timeout: (u64, u32),
    connect_timeout: (u64, u32),
    retry_after: (u64, u32),
    max_retries: u32,
    max_response_bytes: u64,
    skew: (u64, u32),
    lifetime: (u64, u32),
    cooldown: (u64, u32),
    bag: Vec<(String, f64, bool)>,
}

fn duration((secs, nanos): (u64, u32)) -> Duration {
    Duration::new(secs, nanos % 1_000_000_000)
}

fn config_or_ok<T>(result: tokenfetch::Result<T>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Config, "{e}");
            None
        }
    }
}

fuzz_target!(|input: Input| {
    for option in options::ALL {
        for &v in &input.seconds {
            if let Some(d) = config_or_ok(option.duration_from_secs("x", v)) {
                assert!(d.as_secs_f64() * 1000.0 <= option.max as f64 + 1.0);
            }
        }
        for &v in &input.millis {
            let _ = config_or_ok(option.duration_from_millis("x", v));
        }
        for &v in &input.counts {
            if let Some(n) = config_or_ok(option.whole("x", v)) {
                assert!(n <= option.max);
            }
            let _ = config_or_ok(options::status_code("status", v));
        }
    }
    let bag = OptionBag::new(
        input
            .bag
            .iter()
            .map(|(k, v, text)| {
                (
                    k.clone(),
                    if *text {
                        OptionValue::Text(v.to_string())
                    } else {
                        OptionValue::Number(*v)
                    },
                )
            })
            .collect(),
    );
    let _ = config_or_ok(bag.check_names(&["timeoutMs", "maxRetries"]));
    let _ = config_or_ok(bag.millis("timeoutMs", options::TIMEOUT));
    let _ = config_or_ok(bag.whole("maxRetries", options::MAX_RETRIES));

    let client = TokenClient::builder("http://127.0.0.1:9/token")
        .client_id("id")
        .client_secret("secret")
        .timeout(duration(input.timeout))
        .connect_timeout(duration(input.connect_timeout))
        .max_response_bytes(input.max_response_bytes)
        .retry(RetryPolicy {
            max_retries: input.max_retries,
            max_retry_after: duration(input.retry_after),
            ..RetryPolicy::default()
        })
        .build();
    let client = match config_or_ok(client) {
        Some(c) => c,
        None => TokenClient::builder("http://127.0.0.1:9/token")
            .client_id("id")
            .client_secret("secret")
            .build()
            .expect("the defaults are valid"),
    };
    let manager = TokenManager::with_options(
        client,
        TokenRequest::client_credentials(),
        ManagerOptions {
            refresh_skew: duration(input.skew),
            default_lifetime: duration(input.lifetime),
            failure_cooldown: duration(input.cooldown),
            ..ManagerOptions::default()
        },
    );
    if let Some(manager) = config_or_ok(manager) {
        // Nothing is cached: reading what needs no fetch must neither block nor panic.
        assert!(manager.fresh_token().is_none());
    }
});
