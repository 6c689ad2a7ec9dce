//! `RedisStore`: one Redis (or Valkey) shared by every machine of a deployment.
//!
//! - `tokenfetch:<key>` holds the entry, with a TTL of the token's remaining life, so Redis
//!   forgets a token once nobody can use it.
//! - `tokenfetch:<key>:lease` is the single-flight lease: `SET NX PX` with a random value,
//!   so it expires on its own when its holder dies or hangs, and only its holder's value
//!   deletes it (a script compares and deletes in one step).
//! - A compare-and-set is a script too: Redis runs it whole, so two writers cannot both see
//!   the old entry and both replace it.
//!
//! Every command runs under the store's own short timeout (connect, read and write), so a
//! Redis that is down or slow costs a refresh that much, never a hang: the manager then
//! fetches on its own and reports the store's error in `last_error`.
//!
//! The protocol is the `redis` crate's; this module only names keys and writes two scripts.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

use super::{Lease, StoredBytes, TokenStore};
use crate::error::{Error, Result};
use crate::redact::{self, Secrets};
use crate::secret::Secret;

/// How long one Redis command (or connecting) may take by default: a store on the same
/// network answers in a millisecond, and a refresh should not wait long for one that doesn't.
pub const DEFAULT_STORE_TIMEOUT: Duration = crate::options::STORE_TIMEOUT.default_duration();

/// Connections kept open between commands. A manager uses the store only around a refresh,
/// so a few are plenty for every manager of a process.
const IDLE_CONNECTIONS: usize = 4;

/// How long a connection may sit idle and still be used. The store is used around refreshes,
/// often an hour apart, and by then a load balancer, a NAT table or Redis's own `timeout` has
/// usually dropped the socket: its first command would fail and the manager fetch alone.
const MAX_IDLE: Duration = Duration::from_secs(30);

/// Prefix of every key this store writes, so its keys are easy to find (and to leave alone).
const KEY_PREFIX: &str = "tokenfetch:";

/// The store's clock in milliseconds, in a script (Redis 5 and later replicate scripts by
/// their effects, so `TIME` is allowed before a write).
const NOW_MS: &str =
    "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)";

/// Replaces KEYS[1] with ARGV[3] (TTL ARGV[4] ms) when its entry is still ARGV[2], or absent
/// when ARGV[1] is "absent". The value stored is `<Redis's time in ms>:<entry>`, so a reader
/// learns the entry's age from Redis's clock alone. Returns 1 when it wrote.
const COMPARE_AND_SET: &str = r"
local current = redis.call('GET', KEYS[1])
local entry = false
if current then
  local colon = string.find(current, ':', 1, true)
  if colon then entry = string.sub(current, colon + 1) else entry = current end
end
if (ARGV[1] == 'absent' and current == false) or (ARGV[1] == 'value' and entry == ARGV[2]) then
  NOW
  redis.call('SET', KEYS[1], now .. ':' .. ARGV[3], 'PX', ARGV[4])
  return 1
end
return 0
";

/// The entry under KEYS[1] and its age in ms by Redis's clock, or nil.
const READ: &str = r"
local current = redis.call('GET', KEYS[1])
if not current then return false end
NOW
local colon = string.find(current, ':', 1, true)
if not colon then return {current, 0} end
local written = tonumber(string.sub(current, 1, colon - 1)) or now
local age = now - written
if age < 0 then age = 0 end
return {string.sub(current, colon + 1), age}
";

/// Deletes the lease KEYS[1] only if it still holds this holder's ARGV[1]: after it expired,
/// someone else's lease may be there.
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Tokens in one Redis; see the module documentation.
#[derive(Clone)]
pub struct RedisStore {
    shared: Arc<Shared>,
}

struct Shared {
    client: redis::Client,
    /// The URL without its credentials, for messages.
    shown: String,
    /// The URL's password, scrubbed from any message Redis sends back.
    secrets: Secrets,
    timeout: Duration,
    idle: Mutex<Idle>,
}

/// Open connections between commands, and the process that opened them.
struct Idle {
    /// A forked child (a gunicorn worker of a `--preload` app, say) inherits the parent's
    /// sockets: two processes talking over one socket would read each other's answers, so a
    /// process uses only connections it opened itself.
    pid: u32,
    /// Each with the moment it was put back.
    connections: Vec<(redis::Connection, std::time::Instant)>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.shared.shown)
            .field("timeout", &self.shared.timeout)
            .finish()
    }
}

impl RedisStore {
    /// A store in the Redis at `url`: `redis://[user:password@]host[:port][/db]`,
    /// `rediss://` for TLS (verified against the operating system's roots), or
    /// `unix:///path/to/redis.sock`. Nothing connects until the store is first used, so a
    /// Redis that is down does not stop a process from starting.
    ///
    /// A `config` error for a URL that is not one of those, that asks to skip TLS
    /// verification (`#insecure`), or that sends the password and tokens in the clear
    /// (`redis://`) to a host other than loopback; see [`RedisStore::with_options`]. The
    /// message never holds the password.
    pub fn new(url: &str) -> Result<RedisStore> {
        Self::with_options(url, DEFAULT_STORE_TIMEOUT, false)
    }

    /// [`RedisStore::new`] with another timeout for each command and for connecting (500 ms
    /// by default; more than zero and at most a minute).
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<RedisStore> {
        Self::with_options(url, timeout, false)
    }

    /// [`RedisStore::with_timeout`], and `allow_insecure`: whether a plain `redis://` URL may
    /// name a host other than loopback. The rule is the HTTP client's: the AUTH password and
    /// (without an encryption key) bearer and refresh tokens cross the network, so TLS
    /// (`rediss://`) is required unless the caller says, here, that the network is private.
    pub fn with_options(url: &str, timeout: Duration, allow_insecure: bool) -> Result<RedisStore> {
        crate::options::STORE_TIMEOUT.check_duration("store_timeout", timeout)?;
        let parsed =
            Url::parse(url.trim()).map_err(|e| Error::config(format!("the Redis URL is not a valid URL: {e}")))?;
        let shown = redact::display_url(&parsed);
        match parsed.scheme() {
            "redis" | "rediss" | "valkey" | "valkeys" | "unix" | "redis+unix" | "valkey+unix" => {}
            other => {
                return Err(Error::config(format!(
                    "the Redis URL {shown} has scheme {other:?}; use redis://, rediss:// (TLS) or unix://"
                )))
            }
        }
        if parsed.fragment().is_some_and(|f| f.contains("insecure")) {
            return Err(Error::config(format!(
                "the Redis URL {shown} asks to skip TLS verification (#insecure); tokenfetch always \
                 verifies, so trust the server's certificate authority in the operating system instead"
            )));
        }
        let plain_tcp = matches!(parsed.scheme(), "redis" | "valkey");
        if plain_tcp && !allow_insecure && !parsed.host().is_some_and(|host| is_loopback(&host)) {
            return Err(Error::config(format!(
                "the Redis URL {shown} is plain redis://, which would send the Redis password and the \
                 tokens in the clear; use rediss:// (TLS), a loopback host or unix://, or set \
                 allow_insecure (allowInsecure in Node and Kotlin) if the network is private"
            )));
        }
        let mut secrets = Secrets::new();
        // The userinfo password, and any query value (`unix:///redis.sock?pass=...`).
        let query_values = parsed.query_pairs().map(|(_, value)| value.into_owned());
        for secret in parsed.password().map(str::to_owned).into_iter().chain(query_values) {
            secrets.add(&secret);
            if let Ok(decoded) = percent_encoding::percent_decode_str(&secret).decode_utf8() {
                secrets.add(&decoded);
            }
        }
        let client = redis::Client::open(parsed).map_err(|e| {
            Error::config(format!(
                "the Redis URL {shown} cannot be used: {}",
                secrets.scrub(&e.to_string())
            ))
        })?;
        Ok(RedisStore {
            shared: Arc::new(Shared {
                client,
                shown,
                secrets,
                timeout,
                idle: Mutex::new(Idle {
                    pid: std::process::id(),
                    connections: Vec::new(),
                }),
            }),
        })
    }

    /// The timeout of each command.
    pub fn timeout(&self) -> Duration {
        self.shared.timeout
    }
}

impl Shared {
    /// Runs `command` on a pooled connection (or a new one). A connection that failed is
    /// dropped, not pooled: it may hold half an answer.
    fn run<T: redis::FromRedisValue>(&self, what: &str, command: &redis::Cmd) -> Result<T> {
        let pooled = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            let pid = std::process::id();
            if idle.pid != pid {
                // Closing our copies of the parent's sockets sends nothing on them.
                idle.connections.clear();
                idle.pid = pid;
            }
            // Oldest first: anything idle too long is closed, not tried.
            idle.connections.retain(|(_, since)| since.elapsed() < MAX_IDLE);
            idle.connections.pop().map(|(connection, _)| connection)
        };
        let mut connection = match pooled {
            Some(connection) => connection,
            None => self.connect()?,
        };
        match command.query::<T>(&mut connection) {
            Ok(value) => {
                let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                if idle.pid == std::process::id() && idle.connections.len() < IDLE_CONNECTIONS {
                    idle.connections.push((connection, std::time::Instant::now()));
                }
                Ok(value)
            }
            Err(e) => Err(self.failure(what, &e)),
        }
    }

    fn connect(&self) -> Result<redis::Connection> {
        if self.shown.starts_with("rediss") || self.shown.starts_with("valkeys") {
            // The redis crate builds its TLS config from the process's default rustls
            // provider; name ring (the core's) when the application has not chosen one.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let connection = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(|e| self.failure("connecting", &e))?;
        let timeouts = connection
            .set_read_timeout(Some(self.timeout))
            .and_then(|()| connection.set_write_timeout(Some(self.timeout)));
        timeouts.map_err(|e| self.failure("connecting", &e))?;
        Ok(connection)
    }

    fn failure(&self, what: &str, e: &redis::RedisError) -> Error {
        let reason = if e.is_timeout() {
            format!("no answer within {} ms", self.timeout.as_millis())
        } else {
            self.secrets.scrub(&e.to_string())
        };
        Error::Transport {
            message: format!("token store: Redis at {} failed {what}: {reason}", self.shown),
            http_meta: None,
        }
    }
}

impl TokenStore for RedisStore {
    fn get(&self, key: &str) -> Result<Option<StoredBytes>> {
        let mut command = redis::cmd("EVAL");
        command.arg(script(READ)).arg(1).arg(entry_key(key));
        let found: Option<(Vec<u8>, u64)> = self.shared.run("reading", &command)?;
        Ok(found.map(|(bytes, age_ms)| StoredBytes {
            bytes: Secret::new(bytes),
            age: Duration::from_millis(age_ms),
        }))
    }

    fn compare_and_set(&self, key: &str, expected: Option<&[u8]>, value: &[u8], ttl: Duration) -> Result<bool> {
        let mut command = redis::cmd("EVAL");
        command.arg(script(COMPARE_AND_SET)).arg(1).arg(entry_key(key));
        match expected {
            Some(old) => command.arg("value").arg(old),
            None => command.arg("absent").arg(""),
        };
        command.arg(value).arg(ttl_ms(ttl));
        let written: i64 = self.shared.run("writing", &command)?;
        Ok(written == 1)
    }

    fn try_lease(&self, key: &str, ttl: Duration) -> Result<Option<Box<dyn Lease>>> {
        let lease_key = format!("{}:lease", entry_key(key));
        let mut holder = [0u8; 16];
        crate::authorize::fill_random(&mut holder)?;
        let holder: String = holder.iter().map(|b| format!("{b:02x}")).collect();
        let taken: Option<String> = self.shared.run(
            "taking the lease",
            redis::cmd("SET")
                .arg(&lease_key)
                .arg(&holder)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms(ttl)),
        )?;
        Ok(taken.map(|_| {
            Box::new(RedisLease {
                shared: self.shared.clone(),
                key: lease_key,
                holder,
            }) as Box<dyn Lease>
        }))
    }
}

struct RedisLease {
    shared: Arc<Shared>,
    key: String,
    holder: String,
}

impl std::fmt::Debug for RedisLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLease").field("key", &self.key).finish()
    }
}

impl Lease for RedisLease {}

impl Drop for RedisLease {
    fn drop(&mut self) {
        // A release that fails leaves the lease to expire: waiters lose at most its time.
        let mut command = redis::cmd("EVAL");
        command.arg(RELEASE).arg(1).arg(&self.key).arg(&self.holder);
        let _: Result<i64> = self.shared.run("releasing the lease", &command);
    }
}

fn script(body: &str) -> String {
    body.replace("NOW", NOW_MS)
}

/// `localhost`, 127.0.0.0/8 and `::1`: traffic that never leaves the machine.
fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        // `redis://` is not a special scheme to the URL parser: its IPv4 hosts come as names.
        url::Host::Domain(name) => {
            let name = name.to_ascii_lowercase();
            // Not `*.localhost`: some resolvers send those names to DNS.
            name == "localhost" || name.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        }
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    }
}

fn entry_key(key: &str) -> String {
    format!("{KEY_PREFIX}{key}")
}

/// Redis takes whole milliseconds, at least one, and refuses an expiry past its clock's range:
/// ten years (the longest lifetime a token may claim) is the most asked.
fn ttl_ms(ttl: Duration) -> u64 {
    const TEN_YEARS_MS: u64 = crate::parse::MAX_LIFETIME_SECS * 1000;
    u64::try_from(ttl.as_millis())
        .unwrap_or(u64::MAX)
        .clamp(1, TEN_YEARS_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_url_is_a_config_error_without_the_password() {
        for url in [
            "http://:hunter22@redis.example:6379",
            "rediss://:hunter22@redis.example:6379/#insecure",
            "redis://:hunter22@[bad",
        ] {
            let e = RedisStore::new(url).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::Config, "{url}: {e}");
            assert!(!e.to_string().contains("hunter22"), "{e}");
        }
        assert!(RedisStore::new("rediss://:hunter22@redis.example:6379/#insecure")
            .unwrap_err()
            .to_string()
            .contains("always verifies"));
        let store =
            RedisStore::with_options("redis://:hunter22@redis.example:6379/2", DEFAULT_STORE_TIMEOUT, true).unwrap();
        assert!(!format!("{store:?}").contains("hunter22"));
    }

    #[test]
    fn plain_redis_is_for_loopback_unless_the_caller_opts_in() {
        for url in [
            "redis://:hunter22@redis.example:6379",
            "valkey://10.0.0.5",
            "redis://[2001:db8::1]:6379",
        ] {
            let e = RedisStore::new(url).unwrap_err();
            let message = e.to_string();
            assert!(
                message.contains("rediss://") && message.contains("allow_insecure"),
                "{message}"
            );
            assert!(!message.contains("hunter22"), "{message}");
            assert!(
                RedisStore::with_options(url, DEFAULT_STORE_TIMEOUT, true).is_ok(),
                "{url}"
            );
        }
        for url in [
            "redis://127.0.0.1:6379",
            "redis://127.8.9.1",
            "redis://localhost:6379/1",
            "redis://[::1]:6379",
            "rediss://redis.example:6380",
            "unix:///run/redis.sock",
        ] {
            assert!(RedisStore::new(url).is_ok(), "{url}");
        }
    }

    #[test]
    fn a_timeout_outside_its_range_is_refused() {
        for timeout in [Duration::ZERO, Duration::from_secs(61)] {
            let e = RedisStore::with_timeout("redis://127.0.0.1:1", timeout).unwrap_err();
            assert!(e.to_string().contains("store_timeout"), "{e}");
        }
    }

    #[test]
    fn an_unreachable_redis_fails_within_the_timeout_and_says_where() {
        // Port 1 on loopback refuses at once; the message names the store, not the password.
        let store = RedisStore::with_timeout("redis://:hunter22@127.0.0.1:1", Duration::from_millis(200)).unwrap();
        let started = std::time::Instant::now();
        let e = store.get("k").unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        let message = e.to_string();
        assert!(
            message.contains("127.0.0.1:1") && !message.contains("hunter22"),
            "{message}"
        );
        assert!(store.try_lease("k", Duration::from_secs(1)).is_err());
    }

    #[test]
    fn ttls_are_whole_milliseconds_of_at_least_one() {
        assert_eq!(ttl_ms(Duration::ZERO), 1);
        assert_eq!(ttl_ms(Duration::from_micros(1500)), 1);
        assert_eq!(ttl_ms(Duration::from_secs(2)), 2000);
        assert_eq!(ttl_ms(Duration::MAX), crate::parse::MAX_LIFETIME_SECS * 1000);
    }
}
