//! Many processes, one fetch: `TokenManager`s in separate processes sharing a `FileStore` or
//! a `RedisStore` (a real `redis-server`, started per test), against testkit, which counts
//! what reaches it.
//!
//! Each worker process is this test binary run again with `--ignored --exact worker` and its
//! orders in environment variables; it prints every access token it was handed, one per line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use testkit::redis::RedisServer;
use testkit::Testkit;
use tokenfetch::store::entry::{EntryKey, KeyRing};
use tokenfetch::{FileStore, ManagerOptions, RedisStore, TokenClient, TokenManager, TokenRequest, TokenStore};

const ID: &str = "store-client";
const SECRET: &str = "store-secret-5b1e";

/// A client of testkit's token endpoint with the store tests' credentials.
fn client_of(kit: &Testkit) -> TokenClient {
    TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "tokenfetch-{name}-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

struct Orders<'a> {
    token_url: &'a str,
    /// The store: a directory, or a Redis URL (`redis://...`).
    dir: &'a Path,
    threads: usize,
    /// Keep reading for this long (0: one read per thread).
    run_for_ms: u64,
    expires_in: u64,
    /// Holds this worker's token requests at a testkit gate (it never gets an answer).
    hold: bool,
    /// Runs the refresh grant with this refresh token instead of client credentials.
    refresh_token: Option<&'a str>,
    /// Prints a failed call as `ERROR <message>` and carries on (the fault run), instead of
    /// failing the worker.
    tolerate: bool,
}

impl Default for Orders<'_> {
    fn default() -> Self {
        Orders {
            token_url: "",
            dir: Path::new(""),
            threads: 1,
            run_for_ms: 0,
            expires_in: 3600,
            hold: false,
            refresh_token: None,
            tolerate: false,
        }
    }
}

fn spawn_worker(orders: &Orders) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "worker", "--nocapture", "--test-threads=1"])
        .env("TF_WORKER", "1")
        .env("TF_TOKEN_URL", orders.token_url)
        .env("TF_DIR", orders.dir)
        .env("TF_THREADS", orders.threads.to_string())
        .env("TF_RUN_FOR_MS", orders.run_for_ms.to_string())
        .env("TF_EXPIRES_IN", orders.expires_in.to_string())
        .env("TF_HOLD", if orders.hold { "1" } else { "" })
        .env("TF_REFRESH_TOKEN", orders.refresh_token.unwrap_or(""))
        .env("TF_TOLERATE", if orders.tolerate { "1" } else { "" })
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The distinct access tokens a worker printed.
fn tokens_of(child: Child) -> Vec<String> {
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "a worker failed");
    printed(&out.stdout, "TOKEN ").into_iter().collect()
}

/// The distinct values a worker printed after `prefix`.
fn printed(stdout: &[u8], prefix: &str) -> BTreeSet<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        // libtest writes `test worker ... ` before the first line of output.
        .filter_map(|l| l.split_once(prefix).map(|(_, value)| value.trim().to_string()))
        .collect()
}

/// Consecutive issue times at least `gap_ms` apart.
fn assert_spaced(times: &[u64], gap_ms: u64) {
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] >= gap_ms,
            "two fetches {} ms apart (issued at {times:?})",
            pair[1] - pair[0]
        );
    }
}

/// The worker: one manager over the shared store, `TF_THREADS` threads reading through it.
#[test]
#[ignore = "run by the multi-process tests in this file"]
fn worker() {
    if std::env::var_os("TF_WORKER").is_none() {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let mut client = TokenClient::builder(var("TF_TOKEN_URL"))
        .client_id(ID)
        .client_secret(SECRET)
        // A short timeout, so the lease (at least the timeout plus 5 s) can be short too.
        .timeout(Duration::from_secs(1))
        .header("X-Testkit-Expires-In", var("TF_EXPIRES_IN"));
    if var("TF_HOLD") == "1" {
        client = client.header("X-Testkit-Hold", "never");
    }
    let place = var("TF_DIR");
    let store: Arc<dyn TokenStore> = if place.starts_with("redis://") {
        Arc::new(RedisStore::new(&place).unwrap())
    } else {
        Arc::new(FileStore::new(place).unwrap())
    };
    let options = ManagerOptions {
        refresh_skew: Duration::from_secs(1),
        store: Some(store),
        // The kill test's lease outlives its holder in Redis: keep the wait short.
        lease_time: Some(Duration::from_secs(6)),
        ..ManagerOptions::default()
    };
    let request = match var("TF_REFRESH_TOKEN") {
        rt if rt.is_empty() => TokenRequest::client_credentials(),
        rt => TokenRequest::refresh_token(rt),
    };
    let manager = Arc::new(TokenManager::with_options(client.build().unwrap(), request, options).unwrap());
    let threads: usize = var("TF_THREADS").parse().unwrap();
    let run_for = Duration::from_millis(var("TF_RUN_FOR_MS").parse().unwrap());
    let tolerate = var("TF_TOLERATE") == "1";
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (manager, start) = (Arc::clone(&manager), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                let began = Instant::now();
                loop {
                    match manager.access_token() {
                        // Printed at once: a worker the fault run kills still reports what it got.
                        Ok(token) => println!("TOKEN {token}"),
                        Err(e) if tolerate => println!("ERROR {}", e.to_string().replace('\n', " ")),
                        Err(e) => panic!("a token: {e}"),
                    }
                    if began.elapsed() >= run_for {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

#[test]
fn eight_processes_of_sixteen_threads_on_a_cold_store_make_one_fetch() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("cold");
    let token_url = kit.token_url();
    let orders = Orders {
        token_url: &token_url,
        dir: &dir,
        threads: 16,
        run_for_ms: 0,
        expires_in: 3600,
        hold: false,
        refresh_token: None,
        tolerate: false,
    };
    let workers: Vec<Child> = (0..8).map(|_| spawn_worker(&orders)).collect();
    let tokens: BTreeSet<String> = workers.into_iter().flat_map(tokens_of).collect();
    assert_eq!(kit.token_requests(), 1, "one fetch for 128 callers in 8 processes");
    assert_eq!(tokens.len(), 1, "every process was handed the same token");
}

/// Four processes read a 5 s token for 11 s, refreshing 1 s before expiry: a fetch near 0 s,
/// 4 s and 8 s, each by one process, and never two for one lifetime.
#[test]
fn one_fetch_per_token_lifetime_across_processes() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("lifetime");
    let token_url = kit.token_url();
    let orders = Orders {
        token_url: &token_url,
        dir: &dir,
        threads: 4,
        run_for_ms: 11_000,
        expires_in: 5,
        hold: false,
        refresh_token: None,
        tolerate: false,
    };
    let workers: Vec<Child> = (0..4).map(|_| spawn_worker(&orders)).collect();
    let tokens: BTreeSet<String> = workers.into_iter().flat_map(tokens_of).collect();
    // Each fetch is due 4 s (5 s less the 1 s skew) after the one before: a second fetch for
    // the same lifetime would come sooner. (Epoch-second rounding leaves some slack.)
    assert_spaced(&kit.issue_times_ms(), 3_000);
    let fetches = kit.token_requests();
    assert!(fetches >= 3, "{fetches} fetches in 11 s of 5 s tokens");
    assert_eq!(fetches as usize, tokens.len(), "every fetched token was handed out");
}

/// The leader is killed with SIGKILL while its fetch hangs. The kernel drops its lock, so
/// the others take the lease at once and make one more fetch between them.
#[cfg(unix)]
#[test]
fn a_leader_killed_mid_fetch_costs_one_more_fetch() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("kill");
    let token_url = kit.token_url();
    let mut leader = spawn_worker(&Orders {
        token_url: &token_url,
        dir: &dir,
        threads: 1,
        run_for_ms: 0,
        expires_in: 3600,
        hold: true,
        refresh_token: None,
        tolerate: false,
    });
    let began = Instant::now();
    while kit.token_requests() == 0 {
        assert!(began.elapsed() < Duration::from_secs(20), "the leader never fetched");
        std::thread::sleep(Duration::from_millis(20));
    }
    let orders = Orders {
        token_url: &token_url,
        dir: &dir,
        threads: 4,
        run_for_ms: 0,
        expires_in: 3600,
        hold: false,
        refresh_token: None,
        tolerate: false,
    };
    let followers: Vec<Child> = (0..7).map(|_| spawn_worker(&orders)).collect();
    std::thread::sleep(Duration::from_millis(300));
    leader.kill().unwrap();
    leader.wait().unwrap();
    let tokens: BTreeSet<String> = followers.into_iter().flat_map(tokens_of).collect();
    assert_eq!(kit.token_requests(), 2, "the dead leader's fetch and one more");
    assert_eq!(tokens.len(), 1);
}

/// A server that rotates refresh tokens (each refresh invalidates the one it used). Eight
/// processes refresh through the store across three 3 s lifetimes: the leader always sends
/// the newest refresh token, which it reads from the store under the lease, so the server
/// never answers `invalid_grant`.
#[test]
fn rotated_refresh_tokens_are_shared_so_none_is_sent_twice() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("rotate");
    let rotate_url = kit.scenario_url("rotate");
    let first = TokenClient::builder(rotate_url.clone())
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap()
        .password("ann", "hunter2", None)
        .unwrap();
    let refresh_token = first.refresh_token.expect("the password grant issues one");
    let orders = Orders {
        token_url: &rotate_url,
        dir: &dir,
        threads: 2,
        run_for_ms: 7_500,
        expires_in: 3,
        hold: false,
        refresh_token: Some(&refresh_token),
        tolerate: false,
    };
    let workers: Vec<Child> = (0..8).map(|_| spawn_worker(&orders)).collect();
    let tokens: BTreeSet<String> = workers.into_iter().flat_map(tokens_of).collect();
    assert_eq!(kit.oauth_errors("invalid_grant"), 0);
    let refreshes = kit.requests_with_grant("refresh_token");
    assert!(refreshes >= 3, "{refreshes} refreshes in 7.5 s of 3 s tokens");
    // After the password grant, a refresh every 2 s (3 s less the skew), never two at once.
    assert_spaced(&kit.issue_times_ms()[1..], 1_200);
    assert_eq!(tokens.len() as u64, refreshes);
}

/// The case the rotation rule exists for, step by step: manager B last saw refresh token 1,
/// A has since rotated it to 2, and B leads the next refresh. It must send 2, read from the
/// store under the lease; sending its own 1 would be `invalid_grant`. (Two managers over one
/// store behave as two processes would.)
#[test]
fn a_leader_refreshes_with_the_stored_refresh_token_not_its_own() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("stale");
    let rotate = kit.scenario_url("rotate");
    let client = TokenClient::builder(rotate)
        .client_id(ID)
        .client_secret(SECRET)
        .header("X-Testkit-Expires-In", "3")
        .build()
        .unwrap();
    let rt0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let store = Arc::new(FileStore::new(&dir).unwrap());
    let manager = || {
        let options = ManagerOptions {
            refresh_skew: Duration::from_secs(1),
            store: Some(store.clone()),
            store_namespace: Some("ann".into()),
            ..ManagerOptions::default()
        };
        TokenManager::with_options(client.clone(), TokenRequest::refresh_token(rt0.clone()), options).unwrap()
    };
    let (a, b) = (manager(), manager());
    let first = a.access_token().unwrap();
    assert_eq!(
        b.access_token().unwrap(),
        first,
        "B adopts A's token (and refresh token 1)"
    );
    std::thread::sleep(Duration::from_millis(2_100));
    let second = a.access_token().unwrap();
    assert_ne!(second, first, "A refreshed: refresh token 1 is now rotated out");
    std::thread::sleep(Duration::from_millis(2_100));
    let third = b.access_token().expect("B refreshes with refresh token 2");
    assert_ne!(third, second);
    assert_eq!(kit.oauth_errors("invalid_grant"), 0);
}

fn manager_over(kit: &Testkit, store: Arc<FileStore>, key: Option<tokenfetch::store::entry::EntryKey>) -> TokenManager {
    let client = client_of(kit);
    let options = ManagerOptions {
        store: Some(store),
        store_keys: key.map(|key| KeyRing::new(key, vec![])),
        ..ManagerOptions::default()
    };
    TokenManager::with_options(client, TokenRequest::client_credentials(), options).unwrap()
}

/// The only file in the store directory that is an entry.
fn entry_file(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "json") && !p.to_string_lossy().contains("tokenfetch-salt"))
        .expect("an entry was written")
}

#[test]
fn a_corrupt_entry_is_discarded_and_replaced() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("corrupt");
    let store = Arc::new(FileStore::new(&dir).unwrap());
    manager_over(&kit, store.clone(), None).access_token().unwrap();
    let path = entry_file(&dir);
    std::fs::write(&path, b"{\"format\":1,\"token\":\xff garbage").unwrap();
    let fresh = manager_over(&kit, store.clone(), None);
    let token = fresh.access_token().unwrap();
    assert_eq!(kit.token_requests(), 2, "the corrupt entry was refetched");
    let said = fresh.last_error().expect("the discarded entry is reported").to_string();
    assert!(said.contains("discarded"), "{said}");
    assert_eq!(
        manager_over(&kit, store, None).access_token().unwrap(),
        token,
        "and replaced"
    );
    assert_eq!(kit.token_requests(), 2);
}

/// An entry others may read has perhaps leaked, and one of another user's may be planted:
/// it is never used. The call still gets a token (fetched without the store), and
/// `last_error` says what is wrong and how to fix it.
#[cfg(unix)]
#[test]
fn an_entry_others_may_read_is_refused_and_the_call_still_succeeds() {
    use std::os::unix::fs::PermissionsExt;
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("exposed");
    let store = Arc::new(FileStore::new(&dir).unwrap());
    let first = manager_over(&kit, store.clone(), None).access_token().unwrap();
    std::fs::set_permissions(entry_file(&dir), std::fs::Permissions::from_mode(0o644)).unwrap();
    let manager = manager_over(&kit, store, None);
    let token = manager.access_token().unwrap();
    assert_ne!(token, first, "the exposed entry was not used");
    let error = manager.last_error().expect("the refusal is recorded");
    assert_eq!(error.kind(), tokenfetch::ErrorKind::Config);
    assert!(
        error.to_string().contains("0644") && error.to_string().contains("chmod 600"),
        "{error}"
    );
}

/// An entry another user owns (planted, perhaps) is never used. Changing a file's owner
/// takes root, which CI has; elsewhere the test says it cannot run and passes.
#[cfg(unix)]
#[test]
fn an_entry_another_user_owns_is_refused_and_the_call_still_succeeds() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("foreign");
    let store = Arc::new(FileStore::new(&dir).unwrap());
    let first = manager_over(&kit, store.clone(), None).access_token().unwrap();
    let nobody = 65534;
    match std::os::unix::fs::chown(entry_file(&dir), Some(nobody), None) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!("an_entry_another_user_owns_is_refused: not root, cannot chown; not run");
            return;
        }
        other => other.unwrap(),
    }
    let manager = manager_over(&kit, store, None);
    assert_ne!(manager.access_token().unwrap(), first, "the foreign entry was not used");
    let error = manager.last_error().expect("the refusal is recorded");
    assert_eq!(error.kind(), tokenfetch::ErrorKind::Config);
    assert!(error.to_string().contains("belongs to user id 65534"), "{error}");
}

#[test]
fn sealed_entries_hold_no_token_in_the_clear_and_survive_a_restart() {
    let kit = Testkit::start().unwrap();
    let dir = temp_dir("sealed");
    let key = || Some(tokenfetch::store::entry::EntryKey::new(&[42u8; 32]).unwrap());
    let store = Arc::new(FileStore::new(&dir).unwrap());
    let token = manager_over(&kit, store.clone(), key()).access_token().unwrap();
    let on_disk = std::fs::read(entry_file(&dir)).unwrap();
    assert!(!String::from_utf8_lossy(&on_disk).contains(&token));
    // A new manager (a restarted process) reads the sealed entry instead of fetching.
    assert_eq!(manager_over(&kit, store.clone(), key()).access_token().unwrap(), token);
    assert_eq!(kit.token_requests(), 1);
    // Sealed and plain managers keep separate salts, so separate entries: the keyless
    // manager fetches its own and leaves the sealed entry alone (writing a plain one over it
    // would undo the encryption).
    let keyless = manager_over(&kit, store.clone(), None);
    assert_ne!(keyless.access_token().unwrap(), token);
    assert_eq!(kit.token_requests(), 2);
    assert!(keyless.last_error().is_none(), "{:?}", keyless.last_error());
    assert_eq!(
        manager_over(&kit, store, key()).access_token().unwrap(),
        token,
        "still sealed"
    );
    assert_eq!(kit.token_requests(), 2);
}

/// After a 401, `invalidate()` must get a new token, even though the store still holds the
/// old one, and the new one replaces it for every other process.
#[test]
fn invalidate_skips_the_stored_copy_of_the_dropped_token() {
    let kit = Testkit::start().unwrap();
    let store = Arc::new(FileStore::new(temp_dir("invalidate")).unwrap());
    let manager = manager_over(&kit, store.clone(), None);
    let first = manager.access_token().unwrap();
    manager.invalidate();
    // Two 401s at once: the second call must not forget which token the first dropped.
    manager.invalidate();
    let second = manager.access_token().unwrap();
    assert_ne!(second, first);
    assert_eq!(manager_over(&kit, store, None).access_token().unwrap(), second);
}

/// A manager configured with refresh token R0 finds the store's newer R1, and R1 is refused
/// (revoked, or used elsewhere). Resending R0 would be a replay of a rotated-out token:
/// the manager reports `invalid_grant` once instead.
#[test]
fn a_refused_stored_refresh_token_is_not_followed_by_the_configured_one() {
    let kit = Testkit::start().unwrap();
    let rotate = kit.scenario_url("rotate");
    let client = TokenClient::builder(rotate)
        .client_id(ID)
        .client_secret(SECRET)
        .header("X-Testkit-Expires-In", "2")
        .build()
        .unwrap();
    let r0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let store = Arc::new(FileStore::new(temp_dir("refused")).unwrap());
    let manager = || {
        let options = ManagerOptions {
            refresh_skew: Duration::from_millis(500),
            store: Some(store.clone()),
            store_namespace: Some("ann".into()),
            ..ManagerOptions::default()
        };
        TokenManager::with_options(client.clone(), TokenRequest::refresh_token(r0.clone()), options).unwrap()
    };
    let first = manager();
    first.access_token().unwrap();
    let r1 = first.token().unwrap().refresh_token.unwrap();
    // R1 is spent out of band: the server rotates it, so it is refused from now on.
    client.fetch(&TokenRequest::refresh_token(r1)).unwrap();
    std::thread::sleep(Duration::from_millis(2_100));
    let e = manager().access_token().unwrap_err();
    assert_eq!(e.oauth_code(), Some("invalid_grant"));
    assert_eq!(kit.oauth_errors("invalid_grant"), 1, "R1 only; R0 was not sent again");
}

#[cfg(unix)]
#[test]
fn a_symlinked_store_directory_is_refused() {
    let real = temp_dir("real");
    std::fs::create_dir_all(&real).unwrap();
    let link = temp_dir("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let e = FileStore::new(&link).unwrap_err();
    assert!(e.to_string().contains("symbolic link"), "{e}");
}

/// `on_token` sees each token this manager fetched, to persist it the caller's way, and not
/// the ones it read from the store (their fetcher's callback saw those).
#[test]
fn on_token_sees_what_this_manager_fetched() {
    let kit = Testkit::start().unwrap();
    let store = Arc::new(FileStore::new(temp_dir("on-token")).unwrap());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let manager = |seen: Arc<std::sync::Mutex<Vec<String>>>| {
        let client = client_of(&kit);
        let options = ManagerOptions {
            store: Some(store.clone()),
            on_token: Some(Arc::new(move |t: &tokenfetch::TokenResponse| {
                seen.lock().unwrap().push(t.access_token.clone())
            })),
            ..ManagerOptions::default()
        };
        TokenManager::with_options(client, TokenRequest::client_credentials(), options).unwrap()
    };
    let fetched = manager(seen.clone()).access_token().unwrap();
    manager(seen.clone()).access_token().unwrap();
    assert_eq!(*seen.lock().unwrap(), vec![fetched]);
}

// --- Redis ----------------------------------------------------------------------------

fn redis() -> RedisServer {
    RedisServer::start().expect("redis-server (make test installs it; or set TOKENFETCH_REDIS_SERVER)")
}

fn redis_manager(kit: &Testkit, store: RedisStore, expires_in: u64) -> TokenManager {
    let client = TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .header("X-Testkit-Expires-In", expires_in.to_string())
        .build()
        .unwrap();
    let options = ManagerOptions {
        refresh_skew: Duration::from_secs(1),
        store: Some(Arc::new(store)),
        ..ManagerOptions::default()
    };
    TokenManager::with_options(client, TokenRequest::client_credentials(), options).unwrap()
}

/// The entry's key in Redis (the one that is not a lease).
fn redis_entry_key(server: &RedisServer) -> String {
    server
        .keys()
        .into_iter()
        .find(|k| !k.ends_with(":lease") && !k.contains("tokenfetch-salt"))
        .expect("an entry was written")
}

#[test]
fn redis_eight_processes_of_sixteen_threads_on_a_cold_store_make_one_fetch() {
    let kit = Testkit::start().unwrap();
    let server = redis();
    let (token_url, url) = (kit.token_url(), server.url());
    let orders = Orders {
        token_url: &token_url,
        dir: Path::new(&url),
        threads: 16,
        ..Orders::default()
    };
    let workers: Vec<Child> = (0..8).map(|_| spawn_worker(&orders)).collect();
    let tokens: BTreeSet<String> = workers.into_iter().flat_map(tokens_of).collect();
    assert_eq!(kit.token_requests(), 1, "one fetch for 128 callers in 8 processes");
    assert_eq!(tokens.len(), 1);
    let key = redis_entry_key(&server);
    assert!(key.starts_with("tokenfetch:"), "{key}");
    let mut left = server.keys();
    left.retain(|k| !k.contains("tokenfetch-salt"));
    assert_eq!(left, vec![key], "the lease was released");
}

/// A Redis lease outlives a killed holder (nothing tells Redis it died): the others wait
/// for it to expire (the workers' lease time is 6 s), then make one more fetch between them.
#[cfg(unix)]
#[test]
fn redis_a_leader_killed_mid_fetch_delays_the_others_by_at_most_the_lease_time() {
    let kit = Testkit::start().unwrap();
    let server = redis();
    let (token_url, url) = (kit.token_url(), server.url());
    let mut leader = spawn_worker(&Orders {
        token_url: &token_url,
        dir: Path::new(&url),
        hold: true,
        ..Orders::default()
    });
    let began = Instant::now();
    while kit.token_requests() == 0 {
        assert!(began.elapsed() < Duration::from_secs(20), "the leader never fetched");
        std::thread::sleep(Duration::from_millis(20));
    }
    leader.kill().unwrap();
    leader.wait().unwrap();
    let killed_at = Instant::now();
    let orders = Orders {
        token_url: &token_url,
        dir: Path::new(&url),
        threads: 4,
        ..Orders::default()
    };
    let followers: Vec<Child> = (0..4).map(|_| spawn_worker(&orders)).collect();
    let tokens: BTreeSet<String> = followers.into_iter().flat_map(tokens_of).collect();
    assert_eq!(kit.token_requests(), 2, "the dead leader's fetch and one more");
    assert_eq!(tokens.len(), 1);
    // The lease was 6 s; process start-up and the fetch add a little.
    assert!(
        killed_at.elapsed() < Duration::from_secs(18),
        "{:?}",
        killed_at.elapsed()
    );
}

/// A warm manager reads its own copy: a thousand reads send Redis nothing.
#[test]
fn redis_is_not_asked_on_cached_reads() {
    let kit = Testkit::start().unwrap();
    let server = redis();
    let manager = redis_manager(&kit, RedisStore::new(&server.url()).unwrap(), 3600);
    manager.access_token().unwrap();
    let before = server.commands_processed();
    for _ in 0..1000 {
        manager.access_token().unwrap();
    }
    // `INFO` itself is the one command between the two readings.
    assert_eq!(server.commands_processed() - before, 1);
}

/// The entry expires with its token, and a sealed one holds no token in the clear.
#[test]
fn redis_entries_live_as_long_as_their_token_and_can_be_sealed() {
    let kit = Testkit::start().unwrap();
    let server = redis();
    let store = RedisStore::new(&server.url()).unwrap();
    let client = TokenClient::builder(kit.token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .header("X-Testkit-Expires-In", "120")
        .build()
        .unwrap();
    let options = ManagerOptions {
        store: Some(Arc::new(store)),
        store_keys: Some(KeyRing::new(EntryKey::new(&[7u8; 32]).unwrap(), vec![])),
        ..ManagerOptions::default()
    };
    let token = TokenManager::with_options(client, TokenRequest::client_credentials(), options)
        .unwrap()
        .access_token()
        .unwrap();
    let key = redis_entry_key(&server);
    let ttl = server.pttl(&key);
    assert!((115_000..=120_000).contains(&ttl), "PTTL {ttl} ms for a 120 s token");
    let raw = server.get(&key).unwrap();
    assert!(!String::from_utf8_lossy(&raw).contains(&token));
    // `<Redis's write time in ms>:` and the sealed entry.
    assert!(String::from_utf8_lossy(&raw).contains(":tfsealed1:"));
}

/// An entry with a refresh token outlives its access token: after a quiet spell longer than
/// the token's life, the next leader still finds the newest refresh token.
#[test]
fn redis_keeps_a_rotated_refresh_token_after_its_access_token_expires() {
    let kit = Testkit::start().unwrap();
    let server = redis();
    let client = TokenClient::builder(kit.scenario_url("rotate"))
        .client_id(ID)
        .client_secret(SECRET)
        .header("X-Testkit-Expires-In", "2")
        .build()
        .unwrap();
    let r0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let manager = || {
        let options = ManagerOptions {
            refresh_skew: Duration::from_millis(500),
            store: Some(Arc::new(RedisStore::new(&server.url()).unwrap())),
            store_namespace: Some("ann".into()),
            ..ManagerOptions::default()
        };
        TokenManager::with_options(client.clone(), TokenRequest::refresh_token(r0.clone()), options).unwrap()
    };
    manager().access_token().unwrap();
    let ttl = server.pttl(&redis_entry_key(&server));
    assert!(
        ttl > 23 * 3600 * 1000,
        "PTTL {ttl} ms: kept for the refresh token's day, not the access token's 2 s"
    );
    std::thread::sleep(Duration::from_millis(2_500));
    // A new process, configured with the long-rotated R0, refreshes with the stored one.
    manager()
        .access_token()
        .expect("refreshed with the stored refresh token");
    assert_eq!(kit.oauth_errors("invalid_grant"), 0);
}

#[test]
fn redis_a_corrupt_value_is_discarded_and_replaced() {
    let kit = Testkit::start().unwrap();
    let server = redis();
    let store = || RedisStore::new(&server.url()).unwrap();
    redis_manager(&kit, store(), 3600).access_token().unwrap();
    let key = redis_entry_key(&server);
    server.set(&key, b"{\"format\":1,\"token\":\xff garbage");
    let fresh = redis_manager(&kit, store(), 3600);
    let token = fresh.access_token().unwrap();
    assert_eq!(kit.token_requests(), 2, "the corrupt value was refetched");
    assert!(fresh.last_error().unwrap().to_string().contains("discarded"));
    assert_eq!(
        redis_manager(&kit, store(), 3600).access_token().unwrap(),
        token,
        "and replaced"
    );
    assert_eq!(kit.token_requests(), 2);
}

/// Redis dies with the manager's token 1 s from its refresh, then comes back empty: every
/// call in between returns a valid token (refreshed locally, the store's error kept in
/// `last_error`), and once Redis is back the next refresh is shared through it again.
#[test]
fn redis_stopped_then_restarted_mid_run_never_fails_a_call() {
    let kit = Testkit::start().unwrap();
    let mut server = redis();
    let store = RedisStore::with_timeout(&server.url(), Duration::from_millis(200)).unwrap();
    let manager = redis_manager(&kit, store, 3);
    let first = manager.access_token().unwrap();
    server.stop();
    let began = Instant::now();
    let mut seen = BTreeSet::from([first]);
    while began.elapsed() < Duration::from_millis(4_500) {
        seen.insert(manager.access_token().expect("a token while Redis is down"));
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(seen.len() >= 2, "the token was refreshed while Redis was down");
    let said = manager
        .last_error()
        .expect("the store's failure is reported")
        .to_string();
    assert!(said.contains("Redis at redis://127.0.0.1"), "{said}");
    server.restart().unwrap();
    let began = Instant::now();
    while server.keys().is_empty() {
        assert!(
            began.elapsed() < Duration::from_secs(6),
            "no refresh reached the restarted Redis"
        );
        manager.access_token().expect("a token after the restart");
        std::thread::sleep(Duration::from_millis(50));
    }
    let shared = redis_manager(&kit, RedisStore::new(&server.url()).unwrap(), 3);
    let fetches = kit.token_requests();
    assert_eq!(shared.access_token().unwrap(), manager.access_token().unwrap());
    assert_eq!(kit.token_requests(), fetches, "a new process adopts the shared token");
}

/// A "Redis" that accepts connections and never answers: each store command gives up after
/// the store timeout, and the call gets a token fetched locally.
#[test]
fn redis_that_never_answers_costs_the_store_timeout_not_a_hang() {
    let kit = Testkit::start().unwrap();
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("redis://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for connection in silent.incoming().take(4) {
            open.push(connection);
        }
        std::thread::sleep(Duration::from_secs(5));
    });
    let manager = redis_manager(
        &kit,
        RedisStore::with_timeout(&url, Duration::from_millis(300)).unwrap(),
        3600,
    );
    let began = Instant::now();
    manager.access_token().expect("a token without the store");
    assert!(began.elapsed() < Duration::from_secs(3), "{:?}", began.elapsed());
    let said = manager.last_error().unwrap().to_string();
    assert!(said.contains("no answer within 300 ms"), "{said}");
    drop(held);
}

/// `on_token` runs once the token is published, so a callback may ask its own manager for
/// the token (to log it, say) and gets it instead of waiting for itself.
#[test]
fn on_token_may_ask_its_own_manager_for_the_token() {
    use std::sync::{mpsc, Mutex, OnceLock, Weak};
    let kit = Testkit::start().unwrap();
    let own: Arc<OnceLock<Weak<TokenManager>>> = Arc::new(OnceLock::new());
    let read_back = Arc::new(Mutex::new(Vec::new()));
    let (own_in_callback, read_in_callback) = (own.clone(), read_back.clone());
    let client = client_of(&kit);
    let options = ManagerOptions {
        store: Some(Arc::new(FileStore::new(temp_dir("reentrant")).unwrap())),
        on_token: Some(Arc::new(move |_: &tokenfetch::TokenResponse| {
            let manager = own_in_callback.get().and_then(Weak::upgrade).expect("the manager");
            read_in_callback.lock().unwrap().push(manager.access_token().unwrap());
        })),
        ..ManagerOptions::default()
    };
    let manager = Arc::new(TokenManager::with_options(client, TokenRequest::client_credentials(), options).unwrap());
    own.set(Arc::downgrade(&manager)).unwrap();
    let (done, finished) = mpsc::channel();
    let asking = Arc::clone(&manager);
    std::thread::spawn(move || done.send(asking.access_token().unwrap()));
    let token = finished
        .recv_timeout(Duration::from_secs(10))
        .expect("the call returned: the callback did not wait for itself");
    assert_eq!(*read_back.lock().unwrap(), vec![token]);
    assert_eq!(kit.token_requests(), 1);
}

// --- Safety: whose token, and never a grant sent twice ----------------------------------
//
// Each test here failed before entries were located by a keyed hash of every credential and
// before single-use grants were announced in the store; `rotate_strict` is testkit's
// oidc-provider-like endpoint that revokes a whole grant when a rotated refresh token comes back.

/// A client of `scenario` whose tokens live `expires_in` seconds.
fn scenario_client(kit: &Testkit, scenario: &str, expires_in: u64) -> TokenClient {
    TokenClient::builder(kit.scenario_url(scenario))
        .client_id(ID)
        .client_secret(SECRET)
        .timeout(Duration::from_secs(2))
        .header("X-Testkit-Expires-In", expires_in.to_string())
        .build()
        .unwrap()
}

fn over_store(
    client: TokenClient,
    request: TokenRequest,
    store: Arc<dyn TokenStore>,
    keys: Option<KeyRing>,
) -> TokenManager {
    let options = ManagerOptions {
        refresh_skew: Duration::from_millis(500),
        store: Some(store),
        store_keys: keys,
        ..ManagerOptions::default()
    };
    TokenManager::with_options(client, request, options).unwrap()
}

fn file_store(name: &str) -> (PathBuf, Arc<dyn TokenStore>) {
    let dir = temp_dir(name);
    let store = Arc::new(FileStore::new(&dir).unwrap());
    (dir, store)
}

#[test]
fn a_wrong_password_is_asked_of_the_server_never_served_the_stored_token() {
    let kit = Testkit::start().unwrap();
    for namespace in [None, Some("ann")] {
        kit.reset();
        let (_, store) = file_store("password");
        let manager = |password: &str| {
            let options = ManagerOptions {
                store: Some(store.clone()),
                store_namespace: namespace.map(String::from),
                ..ManagerOptions::default()
            };
            TokenManager::with_options(client_of(&kit), TokenRequest::password("ann", password), options).unwrap()
        };
        manager("hunter2").access_token().unwrap();
        let e = manager("wrong-password").access_token().unwrap_err();
        assert_eq!(e.oauth_code(), Some("invalid_grant"), "namespace {namespace:?}: {e}");
        assert_eq!(kit.token_requests(), 2, "the server was asked");
        // The right password still shares the stored token.
        manager("hunter2").access_token().unwrap();
        assert_eq!(kit.token_requests(), 2);
    }
}

#[test]
fn tenants_told_apart_only_by_a_header_never_share_a_token() {
    let kit = Testkit::start().unwrap();
    let (_, store) = file_store("tenants");
    let tenant = |api_key: &str| {
        let client = TokenClient::builder(kit.token_url())
            .client_id("public-client")
            .auth_method(tokenfetch::AuthMethod::None)
            .header("X-Api-Key", api_key)
            .build()
            .unwrap();
        over_store(client, TokenRequest::client_credentials(), store.clone(), None)
    };
    let a = tenant("tenant-a-key").access_token().unwrap();
    let b = tenant("tenant-b-key").access_token().unwrap();
    assert_ne!(a, b);
    assert!(kit.issued_to(&b).unwrap().contains("tenant-b-key"));
    assert_eq!(
        tenant("tenant-a-key").access_token().unwrap(),
        a,
        "the same tenant shares"
    );
    assert_eq!(kit.token_requests(), 2);
}

#[test]
fn a_custom_grants_secret_parameter_decides_whose_token_it_is() {
    let kit = Testkit::start().unwrap();
    let (dir, store) = file_store("custom");
    let with_key = |key: &str| {
        over_store(
            client_of(&kit),
            TokenRequest::custom("urn:testkit:api-key").param("api_key", key),
            store.clone(),
            None,
        )
    };
    let one = with_key("key-quxx").access_token().unwrap();
    let two = with_key("key-zulu").access_token().unwrap();
    assert_ne!(one, two);
    assert!(kit.issued_to(&two).unwrap().contains("key-zulu"));
    // Entry names reveal no credential.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains("quxx") && !name.contains("zulu"), "{name}");
    }
}

/// Worker B finds the shared entry unreadable (a `chmod -R 644`, a backup restore). Sending
/// its configured refresh token, long rotated by A, would make the server revoke the grant:
/// it reports the store's problem instead, and A's grant survives.
#[cfg(unix)]
#[test]
fn an_entry_made_0644_never_makes_a_refresh_token_worker_replay() {
    use std::os::unix::fs::PermissionsExt;
    let kit = Testkit::start().unwrap();
    let client = scenario_client(&kit, "rotate_strict", 2);
    let rt0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let (dir, store) = file_store("exposed-rt");
    let a = over_store(
        client.clone(),
        TokenRequest::refresh_token(rt0.clone()),
        store.clone(),
        None,
    );
    a.access_token().unwrap();
    std::fs::set_permissions(entry_file(&dir), std::fs::Permissions::from_mode(0o644)).unwrap();
    let b = over_store(client.clone(), TokenRequest::refresh_token(rt0), store.clone(), None);
    let e = b.access_token().unwrap_err();
    assert_eq!(e.kind(), tokenfetch::ErrorKind::Config, "{e}");
    assert!(
        e.to_string().contains("chmod 600") && e.to_string().contains("nothing was sent"),
        "{e}"
    );
    assert_eq!(kit.reuse_detected(), 0);
    assert_eq!(kit.requests_with_grant("refresh_token"), 1, "only A's");
    // Fixed, and A's grant is intact.
    std::fs::set_permissions(entry_file(&dir), std::fs::Permissions::from_mode(0o600)).unwrap();
    b.access_token().expect("B adopts A's token once the entry can be read");
    std::thread::sleep(Duration::from_millis(1_700));
    a.access_token().expect("A refreshes with the stored refresh token");
    assert_eq!((kit.reuse_detected(), kit.oauth_errors("invalid_grant")), (0, 0));
}

/// A rolling rotation: old processes have key 1 only; new ones have key 2, and key 1 as a
/// previous key. They share one entry and one lease, and the newest refresh token.
#[test]
fn a_rolling_key_rotation_keeps_one_entry_and_never_replays() {
    let kit = Testkit::start().unwrap();
    let client = scenario_client(&kit, "rotate_strict", 2);
    let rt0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let (dir, store) = file_store("rotation");
    let (k1, k2) = (EntryKey::new(&[1; 32]).unwrap(), EntryKey::new(&[2; 32]).unwrap());
    let old = over_store(
        client.clone(),
        TokenRequest::refresh_token(rt0.clone()),
        store.clone(),
        Some(KeyRing::new(k1.clone(), vec![])),
    );
    let new = || {
        over_store(
            client.clone(),
            TokenRequest::refresh_token(rt0.clone()),
            store.clone(),
            Some(KeyRing::new(k2.clone(), vec![k1.clone()])),
        )
    };
    let first = old.access_token().unwrap();
    let rotated = new();
    assert_eq!(
        rotated.access_token().unwrap(),
        first,
        "adopted: same entry, opened with the previous key"
    );
    let entries = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name().to_string_lossy().into_owned();
            name.ends_with(".json") && !name.contains("salt")
        })
        .count();
    assert_eq!(entries, 1, "one location for both keys");
    std::thread::sleep(Duration::from_millis(1_700));
    let second = rotated.access_token().unwrap();
    assert_ne!(second, first, "the new process refreshed with the stored refresh token");
    // The old process can no longer open the entry (sealed with key 2): it must not refresh
    // with its own, rotated-out refresh token.
    std::thread::sleep(Duration::from_millis(1_700));
    let _ = old.access_token();
    let only_new = over_store(
        client.clone(),
        TokenRequest::refresh_token(rt0),
        store.clone(),
        Some(KeyRing::new(k2.clone(), vec![])),
    );
    only_new
        .access_token()
        .expect("a process with key 2 alone reads the rewritten entry");
    assert_eq!((kit.reuse_detected(), kit.oauth_errors("invalid_grant")), (0, 0));
}

#[test]
fn a_lease_shorter_than_a_fetch_is_refused() {
    let kit = Testkit::start().unwrap();
    let (_, store) = file_store("lease-floor");
    for lease in [
        Duration::from_micros(400),
        Duration::from_millis(300),
        Duration::from_secs(34),
    ] {
        let options = ManagerOptions {
            store: Some(store.clone()),
            lease_time: Some(lease),
            ..ManagerOptions::default()
        };
        let e = TokenManager::with_options(client_of(&kit), TokenRequest::client_credentials(), options).unwrap_err();
        assert_eq!(e.kind(), tokenfetch::ErrorKind::Config);
        assert!(e.to_string().contains("lease_time"), "{e}");
    }
    let options = ManagerOptions {
        store: Some(store),
        lease_time: Some(Duration::from_secs(35)),
        ..ManagerOptions::default()
    };
    assert!(TokenManager::with_options(client_of(&kit), TokenRequest::client_credentials(), options).is_ok());
}

/// A machine whose wall clock is ten minutes off.
struct SkewedClock(i64);

impl tokenfetch::clock::Clock for SkewedClock {
    fn now(&self) -> std::time::Instant {
        std::time::Instant::now()
    }
    fn epoch_ms(&self) -> u64 {
        let real = tokenfetch::clock::SystemClock.epoch_ms() as i64;
        (real + self.0) as u64
    }
}

/// Two "machines" ten minutes apart each way share a rotating grant through one store: no
/// token is handed out after it expired, and no older refresh token is ever preferred.
#[test]
fn readers_with_clocks_ten_minutes_off_never_get_an_expired_token_nor_an_older_refresh_token() {
    let kit = Testkit::start().unwrap();
    let client = scenario_client(&kit, "rotate_strict", 2);
    let rt0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let (_, store) = file_store("skew");
    let on = |skew_ms: i64| {
        let options = ManagerOptions {
            refresh_skew: Duration::from_millis(500),
            store: Some(store.clone()),
            clock: Arc::new(SkewedClock(skew_ms)),
            ..ManagerOptions::default()
        };
        TokenManager::with_options(client.clone(), TokenRequest::refresh_token(rt0.clone()), options).unwrap()
    };
    let (ahead, behind) = (on(600_000), on(-600_000));
    let issued: std::collections::HashMap<String, Instant> = Default::default();
    let issued = std::sync::Mutex::new(issued);
    let began = Instant::now();
    let mut turn = 0;
    while began.elapsed() < Duration::from_millis(6_500) {
        let manager = if turn % 2 == 0 { &ahead } else { &behind };
        turn += 1;
        let token = manager.access_token().expect("a token");
        let first_seen = *issued.lock().unwrap().entry(token.clone()).or_insert_with(Instant::now);
        // Issued for 2 s; first seen no earlier than issued, so this bounds its age.
        assert!(
            first_seen.elapsed() < Duration::from_secs(2),
            "{token} handed out {:?} after it was first seen",
            first_seen.elapsed()
        );
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(kit.requests_with_grant("refresh_token") >= 3);
    assert_eq!((kit.reuse_detected(), kit.oauth_errors("invalid_grant")), (0, 0));
}

/// The holder's refresh reaches the server, which rotates the token, and the answer is lost:
/// a reset, a 200 cut off half-way, a 504 from a proxy that gave up. The entry still says
/// `spending`: nobody sends that refresh token again, and the error says to authorize again,
/// instead of the server revoking the grant.
#[test]
fn a_refresh_whose_answer_is_lost_is_never_sent_again() {
    for how in ["reset", "truncated", "504", "502json"] {
        answer_lost(how);
    }
}

fn answer_lost(how: &str) {
    let kit = Testkit::start().unwrap();
    let client = scenario_client(&kit, "rotate_strict", 2);
    let rt0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let (_, store) = file_store("lost-answer");
    let losing = TokenClient::builder(kit.scenario_url("rotate_strict"))
        .client_id(ID)
        .client_secret(SECRET)
        .header("X-Testkit-Lose-Answer", how)
        .build()
        .unwrap();
    let a = over_store(
        losing.clone(),
        TokenRequest::refresh_token(rt0.clone()),
        store.clone(),
        None,
    );
    let e = a.access_token().unwrap_err();
    assert_ne!(e.kind(), tokenfetch::ErrorKind::Config, "{how}: the loss itself: {e}");
    assert_eq!(kit.requests_with_grant("refresh_token"), 1, "{how}: sent once: {e}");
    // A, and B, a process started later with the same configuration.
    for manager in [
        &a,
        &over_store(losing, TokenRequest::refresh_token(rt0), store.clone(), None),
    ] {
        let e = manager.access_token().unwrap_err();
        assert!(e.to_string().contains("authorize again"), "{how}: {e}");
    }
    assert_eq!(kit.requests_with_grant("refresh_token"), 1, "{how}: sent once");
    assert_eq!(kit.reuse_detected(), 0, "{how}");
}

/// A code the server refused is spent all the same; the entry that records it outlives the
/// one second an entry without a token used to get, so a process started later with the same
/// code does not send it again.
#[test]
fn a_refused_code_stays_spent_for_processes_started_later() {
    let kit = Testkit::start().unwrap();
    let (_, store) = file_store("spent-code");
    let code = || TokenRequest::authorization_code("expired-code", Some("https://app/cb"), None);
    let first = over_store(client_of(&kit), code(), store.clone(), None);
    assert_eq!(first.access_token().unwrap_err().oauth_code(), Some("invalid_grant"));
    std::thread::sleep(Duration::from_millis(1_300));
    let later = over_store(client_of(&kit), code(), store, None);
    let e = later.access_token().unwrap_err();
    assert!(e.to_string().contains("already sent"), "{e}");
    assert_eq!(kit.requests_with_grant("authorization_code"), 1);
}

/// Like Google, a server that keeps refresh tokens answers a refresh without one: the refresh
/// token that was sent (here the configured one) stays the manager's and the store's.
#[test]
fn a_refresh_answer_without_a_refresh_token_keeps_the_one_sent() {
    let kit = Testkit::start().unwrap();
    let client = TokenClient::builder(kit.scenario_url("rotate_strict"))
        .client_id(ID)
        .client_secret(SECRET)
        .header("X-Testkit-Expires-In", "2")
        .header("X-Testkit-Keep-Refresh-Token", "1")
        .build()
        .unwrap();
    let rt0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let (_, store) = file_store("keep-rt");
    let manager = over_store(
        client.clone(),
        TokenRequest::refresh_token(rt0.clone()),
        store.clone(),
        None,
    );
    let first = manager.access_token().unwrap();
    assert_eq!(manager.token().unwrap().refresh_token.as_deref(), Some(rt0.as_str()));
    std::thread::sleep(Duration::from_millis(1_700));
    assert_ne!(
        manager
            .access_token()
            .expect("refreshed again with the same refresh token"),
        first
    );
    assert_eq!(kit.requests_with_grant("refresh_token"), 2);
    assert_eq!(kit.oauth_errors("invalid_grant"), 0);
}

#[test]
fn redis_entries_live_as_long_as_the_refresh_token_the_server_announced() {
    let kit = Testkit::start().unwrap();
    let server = redis();
    for (refresh_secs, low_ms, high_ms) in [
        (120u64, 115_000i64, 120_000i64),
        (90 * 86_400, 90 * 86_400_000 - 10_000, 90 * 86_400_000),
    ] {
        server.flush();
        let client = TokenClient::builder(kit.token_url())
            .client_id(ID)
            .client_secret(SECRET)
            .header("X-Testkit-Expires-In", "60")
            .header("X-Testkit-Refresh-Expires-In", refresh_secs.to_string())
            .build()
            .unwrap();
        let store: Arc<dyn TokenStore> = Arc::new(RedisStore::new(&server.url()).unwrap());
        over_store(client, TokenRequest::password("ann", "hunter2"), store, None)
            .access_token()
            .unwrap();
        let ttl = server.pttl(&redis_entry_key(&server));
        assert!(
            (low_ms..=high_ms).contains(&ttl),
            "PTTL {ttl} ms for a refresh token of {refresh_secs} s"
        );
    }
}

/// A Redis that asks for a password: the store reaches AUTH, and whether the password is
/// wrong or right, no message or `Debug` holds it (raw, percent-encoded, or in the query).
#[test]
fn redis_passwords_never_show_even_when_auth_fails() {
    let kit = Testkit::start().unwrap();
    let server = RedisServer::start_with_password("s3cret/pw+9").expect("redis-server");
    let port = server.port();
    for (url, works) in [
        (format!("redis://:s3cret%2Fpw%2B9@127.0.0.1:{port}"), true),
        (format!("redis://:wrong%2Fpw%2B7@127.0.0.1:{port}"), false),
        (format!("redis://127.0.0.1:{port}/?password=wrong-pw-7"), false),
    ] {
        let store = RedisStore::with_timeout(&url, Duration::from_millis(500)).unwrap();
        let shown = format!("{store:?}");
        let manager = redis_manager(&kit, store, 3600);
        manager
            .access_token()
            .expect("a token either way: client credentials fetch alone");
        let said = manager.last_error().map(|e| format!("{e} {e:?}")).unwrap_or_default();
        assert_eq!(said.is_empty(), works, "{url}: {said}");
        if !works {
            assert!(said.contains("Redis at redis://127.0.0.1"), "{said}");
        }
        for secret in ["s3cret", "wrong", "pw%2B", "pw+"] {
            assert!(
                !said.contains(secret) && !shown.contains(secret),
                "{secret} in {said} / {shown}"
            );
        }
    }
}

/// Redis is down when a refresh-token grant is due: without the store nobody can tell which
/// refresh token is newest, so nothing is sent and the error names Redis.
#[test]
fn redis_down_never_makes_a_refresh_token_grant_send_alone() {
    let kit = Testkit::start().unwrap();
    let mut server = redis();
    let client = scenario_client(&kit, "rotate_strict", 2);
    let rt0 = client.password("ann", "hunter2", None).unwrap().refresh_token.unwrap();
    let store: Arc<dyn TokenStore> =
        Arc::new(RedisStore::with_timeout(&server.url(), Duration::from_millis(200)).unwrap());
    let manager = over_store(client, TokenRequest::refresh_token(rt0), store, None);
    manager.access_token().unwrap();
    server.stop();
    std::thread::sleep(Duration::from_millis(2_100));
    let e = manager.access_token().unwrap_err();
    let said = e.to_string();
    assert!(
        said.contains("Redis at redis://127.0.0.1") && said.contains("nothing was sent"),
        "{said}"
    );
    assert_eq!(kit.requests_with_grant("refresh_token"), 1);
    assert_eq!(kit.reuse_detected(), 0);
}

// --- Faults at random -------------------------------------------------------------------

/// What the fault run did, for its report.
#[derive(Default, Debug)]
struct Faults {
    exposed_entries: u32,
    deleted_leases: u32,
    killed_workers: u32,
    redis_pauses: u32,
    redis_restarts: u32,
}

impl Faults {
    fn total(&self) -> u32 {
        self.exposed_entries + self.deleted_leases + self.killed_workers + self.redis_pauses + self.redis_restarts
    }
}

/// Eight worker processes (four for each of two users, so a mix-up would show) refresh a
/// rotating grant through one store for three token lifetimes against `rotate_strict`, which
/// revokes a grant when a rotated refresh token comes back. Meanwhile faults strike at random:
/// an entry made 0644 for a moment, a lease deleted under its holder, a worker killed (and a
/// new one started), and with Redis, the server paused (SIGSTOP) or killed and restarted. Calls may
/// fail (a killed holder's refresh token counts as spent); what must never happen is a
/// refresh token sent twice, or a token handed to the other user's workers.
#[cfg(unix)]
fn fault_run(redis: Option<&mut RedisServer>) {
    let kit = Testkit::start().unwrap();
    let url = kit.scenario_url("rotate_strict");
    let seed = fastrand::u64(..);
    let mut rng = fastrand::Rng::with_seed(seed);
    let dir = temp_dir("faults");
    let place = match &redis {
        Some(server) => server.url(),
        None => dir.to_string_lossy().into_owned(),
    };
    let issuer = TokenClient::builder(url.clone())
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap();
    // Two users, each with a grant (a refresh-token family) of their own.
    let users: Vec<(String, String)> = ["ann", "bob"]
        .iter()
        .map(|user| {
            let first = issuer.password(user, "hunter2", None).unwrap();
            let owner = kit.issued_to(&first.access_token).unwrap();
            let family = owner.split_once("family=").unwrap().1.to_string();
            (first.refresh_token.unwrap(), family)
        })
        .collect();
    let run_ms = 6_500u64;
    let spawn = |user: usize| {
        spawn_worker(&Orders {
            token_url: &url,
            dir: Path::new(&place),
            threads: 2,
            run_for_ms: run_ms,
            expires_in: 2,
            refresh_token: Some(&users[user].0),
            tolerate: true,
            ..Orders::default()
        })
    };
    let mut workers: Vec<(usize, Child)> = (0..8).map(|i| (i % 2, spawn(i % 2))).collect();
    let mut finished: Vec<(usize, std::process::Output)> = Vec::new();
    let mut faults = Faults::default();
    let mut redis = redis;
    let began = Instant::now();
    while began.elapsed() < Duration::from_millis(run_ms - 500) {
        std::thread::sleep(Duration::from_millis(rng.u64(100..300)));
        match (rng.u8(0..5), redis.as_deref_mut()) {
            (0, None) => {
                use std::os::unix::fs::PermissionsExt;
                let entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .unwrap()
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.to_string_lossy().ends_with(".json"))
                    .collect();
                if let Some(entry) = entries.get(rng.usize(0..entries.len().max(1))) {
                    let mode = |m| std::fs::set_permissions(entry, std::fs::Permissions::from_mode(m));
                    if mode(0o644).is_ok() {
                        faults.exposed_entries += 1;
                        std::thread::sleep(Duration::from_millis(rng.u64(50..300)));
                        mode(0o600).unwrap();
                    }
                }
            }
            (1, None) => {
                for lease in std::fs::read_dir(&dir)
                    .unwrap()
                    .filter_map(|e| e.ok().map(|e| e.path()))
                {
                    if lease.to_string_lossy().ends_with(".lease") && std::fs::remove_file(&lease).is_ok() {
                        faults.deleted_leases += 1;
                    }
                }
            }
            (0, Some(server)) => {
                server.pause(Duration::from_millis(rng.u64(200..900)));
                faults.redis_pauses += 1;
            }
            (1, Some(server)) => {
                faults.deleted_leases += server.delete_matching("tokenfetch:*:lease") as u32;
            }
            (2, Some(server)) if faults.redis_restarts == 0 && began.elapsed() > Duration::from_secs(4) => {
                server.restart().unwrap();
                faults.redis_restarts += 1;
            }
            _ => {
                let victim = rng.usize(0..workers.len());
                let (user, mut child) = workers.swap_remove(victim);
                let _ = child.kill();
                finished.push((user, child.wait_with_output().unwrap()));
                faults.killed_workers += 1;
                workers.push((user, spawn(user)));
            }
        }
    }
    finished.extend(
        workers
            .into_iter()
            .map(|(user, child)| (user, child.wait_with_output().unwrap())),
    );
    let (mut served, mut failed, mut crossed) = (0usize, 0usize, Vec::new());
    for (user, output) in &finished {
        let tokens = printed(&output.stdout, "TOKEN ");
        failed += printed(&output.stdout, "ERROR ").len();
        served += tokens.len();
        for token in tokens {
            let owner = kit.issued_to(&token).unwrap_or_default();
            if !owner.ends_with(&format!("family={}", users[*user].1)) {
                crossed.push((token, owner));
            }
        }
    }
    let store = if redis.is_some() { "Redis" } else { "file" };
    println!(
        "fault run ({store} store, seed {seed}): {} faults injected {faults:?}; {} refreshes, {served} distinct \
         tokens served, {failed} distinct errors; {} reuse detections; {} tokens served to the wrong credential",
        faults.total(),
        kit.requests_with_grant("refresh_token"),
        kit.reuse_detected(),
        crossed.len()
    );
    assert!(faults.total() >= 10, "too few faults to mean anything: {faults:?}");
    assert_eq!(kit.reuse_detected(), 0, "a refresh token was sent twice (seed {seed})");
    assert!(
        crossed.is_empty(),
        "tokens served to the wrong user (seed {seed}): {crossed:?}"
    );
    assert!(served > 0, "no call succeeded at all");
}

#[cfg(unix)]
#[test]
fn faults_at_random_through_a_file_store_never_replay_nor_cross_credentials() {
    fault_run(None);
}

#[cfg(unix)]
#[test]
fn faults_at_random_through_redis_never_replay_nor_cross_credentials() {
    // Persistent, as a token store must be: a Redis that loses its data loses the newest
    // refresh token with it (see docs/architecture.md), and its restart here keeps the data.
    let mut server = RedisServer::start_persistent().expect("redis-server");
    fault_run(Some(&mut server));
}

/// A store that fails the compare-and-sets it is told to, by their order (1 = the first).
#[derive(Debug)]
struct FailingWrites {
    inner: tokenfetch::MemoryStore,
    writes: std::sync::atomic::AtomicUsize,
    fail: Vec<usize>,
}

impl TokenStore for FailingWrites {
    fn get(&self, key: &str) -> tokenfetch::Result<Option<tokenfetch::store::StoredBytes>> {
        self.inner.get(key)
    }
    fn compare_and_set(
        &self,
        key: &str,
        expected: Option<&[u8]>,
        value: &[u8],
        ttl: Duration,
    ) -> tokenfetch::Result<bool> {
        let n = self.writes.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if self.fail.contains(&n) {
            return Err(tokenfetch::Error::Transport {
                message: format!("token store: write {n} failed (injected)"),
                http_meta: None,
            });
        }
        self.inner.compare_and_set(key, expected, value, ttl)
    }
    fn try_lease(&self, key: &str, ttl: Duration) -> tokenfetch::Result<Option<Box<dyn tokenfetch::store::Lease>>> {
        self.inner.try_lease(key, ttl)
    }
}

/// A port nothing listens on yet: a request to it never leaves.
fn unused_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// From now on, forwards connections to `port` to testkit, as a server that came back would.
fn forward(port: u16, kit: &Testkit) {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let target = kit.addr();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let Ok(server) = std::net::TcpStream::connect(target) else {
                continue;
            };
            let (mut c2, mut s2) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut c1, mut s1) = (client, server);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c1, &mut s1);
                let _ = s1.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s2, &mut c2);
                let _ = c2.shutdown(std::net::Shutdown::Write);
            });
        }
    });
}

fn failing_writes(fail: Vec<usize>) -> Arc<dyn TokenStore> {
    Arc::new(FailingWrites {
        inner: tokenfetch::MemoryStore::new(),
        writes: Default::default(),
        fail,
    })
}

/// The refresh never left (the server was down), and the write that would have undone the
/// `spending` marker failed: the marker stays, but this manager knows nothing was sent, and
/// refreshes with the same refresh token once the server is back, instead of giving up.
#[test]
fn a_manager_is_not_locked_out_by_its_own_marker_for_a_request_that_never_left() {
    let kit = Testkit::start().unwrap();
    let rt0 = scenario_client(&kit, "rotate_strict", 60)
        .password("ann", "hunter2", None)
        .unwrap()
        .refresh_token
        .unwrap();
    let port = unused_port();
    let client = TokenClient::builder(format!("http://127.0.0.1:{port}/scenario/rotate_strict/token"))
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap();
    // Writes: 1 the salt, 2 the marker, 3 the restore, which fails.
    let manager = over_store(client, TokenRequest::refresh_token(rt0), failing_writes(vec![3]), None);
    let e = manager.access_token().unwrap_err();
    assert_eq!(e.kind(), tokenfetch::ErrorKind::Transport, "{e}");
    forward(port, &kit);
    manager
        .access_token()
        .expect("the refresh token was never sent, so it is sent now");
    assert_eq!(kit.requests_with_grant("refresh_token"), 1);
    assert_eq!(kit.reuse_detected(), 0);
}

/// A code whose exchange never left (the server was down) is not spent: a process started
/// later sends it once the server is back.
#[test]
fn a_code_that_never_left_is_not_recorded_as_spent() {
    let kit = Testkit::start().unwrap();
    let port = unused_port();
    let client = TokenClient::builder(format!("http://127.0.0.1:{port}/token"))
        .client_id(ID)
        .client_secret(SECRET)
        .build()
        .unwrap();
    let (_, store) = file_store("unsent-code");
    let code = || TokenRequest::authorization_code("code-1", Some("https://app/cb"), None);
    let e = over_store(client.clone(), code(), store.clone(), None)
        .access_token()
        .unwrap_err();
    assert_eq!(e.kind(), tokenfetch::ErrorKind::Transport, "{e}");
    forward(port, &kit);
    over_store(client, code(), store, None)
        .access_token()
        .expect("the code was never sent");
    assert_eq!(kit.requests_with_grant("authorization_code"), 1);
}

/// A code grant's entry outlives its access token: a process started after the token expired
/// refreshes with the stored refresh token, and never sends the code again.
#[test]
fn a_code_grants_entry_outlives_its_access_token() {
    let kit = Testkit::start().unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(tokenfetch::MemoryStore::new());
    let client = scenario_client(&kit, "ok", 1);
    let code = || TokenRequest::authorization_code("code-2", Some("https://app/cb"), None);
    over_store(client.clone(), code(), store.clone(), None)
        .access_token()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1_300));
    over_store(client, code(), store, None)
        .access_token()
        .expect("refreshed with the stored refresh token");
    assert_eq!(kit.requests_with_grant("authorization_code"), 1);
    assert_eq!(kit.requests_with_grant("refresh_token"), 1);
}

/// A repeatable custom grant that carries a `refresh_token` parameter and is refused: one
/// request and its error, not the same request again and again.
#[test]
fn a_refused_repeatable_grant_with_a_refresh_token_parameter_is_sent_once() {
    let kit = Testkit::start().unwrap();
    let client = scenario_client(&kit, "invalid_grant", 60);
    let (_, store) = file_store("custom-rt");
    let grant = TokenRequest::custom("urn:testkit:exchange").param("refresh_token", "rt-of-elsewhere");
    let e = over_store(client, grant, store, None).access_token().unwrap_err();
    assert_eq!(e.oauth_code(), Some("invalid_grant"));
    assert_eq!(kit.token_requests(), 1);
}

/// A repeatable grant (password) that holds a refresh token finds its entry damaged: it fetches
/// with its own grant and replaces the entry, so the next process shares it again.
#[test]
fn a_damaged_entry_is_replaced_by_a_repeatable_grant_holding_a_refresh_token() {
    let kit = Testkit::start().unwrap();
    let (dir, store) = file_store("damaged-rt");
    let password = || TokenRequest::password("ann", "hunter2");
    let manager = over_store(client_of(&kit), password(), store.clone(), None);
    manager.access_token().unwrap();
    assert!(manager.token().unwrap().refresh_token.is_some());
    std::fs::write(entry_file(&dir), b"{\"format\":2,\"generation\":\xff").unwrap();
    manager.invalidate();
    let replaced = manager.access_token().unwrap();
    assert!(manager.last_error().unwrap().to_string().contains("discarded"));
    assert_eq!(
        over_store(client_of(&kit), password(), store, None)
            .access_token()
            .unwrap(),
        replaced
    );
    assert_eq!(kit.requests_with_grant("password"), 2);
}
