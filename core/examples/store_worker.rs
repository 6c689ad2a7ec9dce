//! One worker of the cross-language shared-store check (scripts/check_shared_store.py):
//! a manager over the Redis at `TF_REDIS_URL`, eight threads each asking it once for a
//! token at `TF_START_AT_MS`, and each distinct token printed as `TOKEN <token>`. Its
//! Python, Node and Kotlin twins do the same, so the one fetch testkit counts proves that
//! every language derives the same key and reads the same entry.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokenfetch::{ManagerOptions, RedisStore, TokenClient, TokenManager, TokenRequest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    let client = TokenClient::builder(var("TF_TOKEN_URL")?)
        .client_id("store-client")
        .client_secret("store-secret-5b1e")
        .build()?;
    let options = ManagerOptions {
        store: Some(Arc::new(RedisStore::new(&var("TF_REDIS_URL")?)?)),
        ..ManagerOptions::default()
    };
    let request = TokenRequest::client_credentials().scope(var("TF_SCOPE")?);
    let manager = Arc::new(TokenManager::with_options(client, request, options)?);
    let start_at: u64 = var("TF_START_AT_MS")?.parse()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as u64;
    std::thread::sleep(Duration::from_millis(start_at.saturating_sub(now)));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let manager = Arc::clone(&manager);
            std::thread::spawn(move || manager.access_token())
        })
        .collect();
    let mut tokens = BTreeSet::new();
    for thread in threads {
        tokens.insert(thread.join().expect("a worker thread panicked")?);
    }
    for token in tokens {
        println!("TOKEN {token}");
    }
    Ok(())
}
