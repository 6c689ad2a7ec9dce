//! `TokenManager`: the token cache. Hands out a valid token, refreshes it before it expires,
//! and makes one request however many threads ask at once.
//!
//! # How it decides
//! Every cached token has two instants, both on a monotonic clock (so a wall-clock jump
//! neither expires every token nor keeps a dead one):
//! - `expires_at`: when the request for it was sent, plus its lifetime (`expires_in`, or
//!   [`ManagerOptions::default_lifetime`] when the server gave none);
//! - `refresh_at`: `expires_at` minus the skew, which is [`ManagerOptions::refresh_skew`]
//!   (60 s by default) capped at half the lifetime, so a 90 s token refreshes after 45 s
//!   and a short-lived token is never refetched on every call.
//!
//! Before `refresh_at` the cached token is returned without taking any lock a fetch holds.
//! Between `refresh_at` and `expires_at` the first caller refreshes while every other caller
//! keeps getting the still-valid token. After `expires_at` (or with nothing cached) callers
//! wait for the one fetch in flight and all get its result, or its error.
//!
//! # Refresh tokens
//! When the cache holds a refresh token, the next fetch uses the refresh grant; a rotated
//! refresh token replaces the old one, and a response without one keeps the old one
//! (RFC 6749 §6). If the refresh fails with `invalid_grant`, the manager drops the refresh
//! token and runs the original grant, unless that grant is single-use (below).
//!
//! # Single-use grants
//! A manager built on an `authorization_code` or device code grant (or any request with a
//! PKCE `code_verifier`, see [`TokenRequest::is_single_use`]) sends that grant at most once:
//! once it may have reached the server, the code is taken as spent. Later tokens come only
//! from the refresh token; when there is none, or the server refuses it, the manager returns
//! an error saying the user must authorize again, rather than resending a dead code (a server
//! may revoke every token issued for a code that is used twice, RFC 6749 §4.1.2).
//!
//! # Stale-if-error
//! When an early refresh fails while the cached token is still valid, the cached token is
//! served, the error is kept for [`TokenManager::last_error`], and no new attempt is made for
//! [`ManagerOptions::failure_cooldown`]. Once the token has really expired, the error is
//! returned.
//!
//! # Arithmetic
//! Every instant is computed with [`later`], which saturates: no option or server value can
//! overflow a deadline (options are also range-checked, see [`crate::options`]).

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

use crate::clock::{Clock, Instant, SystemClock};
use crate::error::{Error, Result};
use crate::grant::TokenRequest;
use crate::model::TokenResponse;
use crate::options;
use crate::store::entry::{self, EntryKey};
use crate::store::TokenStore;
use crate::TokenClient;

/// How often a process waiting for another's fetch looks at the store.
const STORE_POLL: Duration = Duration::from_millis(25);
/// What the lease adds to the client's overall timeout.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// Tuning for a [`TokenManager`]. `Default` gives the documented defaults.
#[derive(Clone)]
pub struct ManagerOptions {
    /// Refresh this long before expiry (capped at half the token's lifetime). Default 60 s.
    pub refresh_skew: Duration,
    /// How long to use a token whose response had no `expires_in`. Default 5 minutes: long
    /// enough not to refetch on every call, short enough that a revoked token is not kept.
    pub default_lifetime: Duration,
    /// After a failed early refresh, serve the still-valid token this long before trying
    /// again, so a failing server is not hit by every call. Default 1 s.
    pub failure_cooldown: Duration,
    /// The monotonic clock; tests inject a manual one.
    pub clock: Arc<dyn Clock>,
    /// Where the token is shared with other processes (see [`crate::store`]); `None` keeps
    /// it in this manager alone.
    pub store: Option<Arc<dyn TokenStore>>,
    /// Seals stored entries with AES-256-GCM. Without one, the store holds bearer tokens in
    /// the clear: anyone who can read it can use them.
    pub store_encryption_key: Option<EntryKey>,
    /// Keeps this manager's entries apart from other managers' with the same client, grant
    /// and parameters. Required with a store for grants that act for a user (refresh token,
    /// authorization code, device code, token exchange, assertions): the key leaves their
    /// credentials out, so without a namespace per user, users would share a token.
    pub store_namespace: Option<String>,
    /// How long one process's fetch may hold the others up: the life of a lease in stores
    /// that expire them (a holder that died delays the rest by at most this), and half of the
    /// longest a process waits for other processes' fetches before it fetches itself (or,
    /// holding a valid token, serves it meanwhile). `None`: twice the client's overall timeout plus 5 s, at most an hour.
    pub lease_time: Option<Duration>,
    /// Called with every token this manager fetched (not those it read from the store), to
    /// persist it the caller's own way (authlib's `update_token`).
    pub on_token: Option<OnToken>,
}

/// A callback given every token a manager fetched.
pub type OnToken = Arc<dyn Fn(&TokenResponse) + Send + Sync>;

pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
pub const DEFAULT_FAILURE_COOLDOWN: Duration = Duration::from_secs(1);

impl Default for ManagerOptions {
    fn default() -> Self {
        ManagerOptions {
            refresh_skew: DEFAULT_REFRESH_SKEW,
            default_lifetime: DEFAULT_LIFETIME,
            failure_cooldown: DEFAULT_FAILURE_COOLDOWN,
            clock: Arc::new(SystemClock),
            store: None,
            store_encryption_key: None,
            store_namespace: None,
            lease_time: None,
            on_token: None,
        }
    }
}

impl ManagerOptions {
    /// Checks each duration against its range in [`crate::options`].
    pub fn validate(&self) -> Result<()> {
        options::REFRESH_SKEW.check_duration("refresh_skew", self.refresh_skew)?;
        options::DEFAULT_LIFETIME.check_duration("default_lifetime", self.default_lifetime)?;
        options::FAILURE_COOLDOWN.check_duration("failure_cooldown", self.failure_cooldown)?;
        if let Some(lease) = self.lease_time {
            options::LEASE_TIME.check_duration("lease_time", lease)?;
        }
        Ok(())
    }
}

/// `at + by`, saturating far in the future instead of overflowing.
pub(crate) fn later(at: Instant, by: Duration) -> Instant {
    // A century is beyond any lifetime the options allow, and fits every platform's Instant.
    const CAP: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    at.checked_add(by.min(CAP)).unwrap_or(at)
}

impl std::fmt::Debug for ManagerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagerOptions")
            .field("refresh_skew", &self.refresh_skew)
            .field("default_lifetime", &self.default_lifetime)
            .field("failure_cooldown", &self.failure_cooldown)
            .field("store", &self.store)
            .field("store_encrypted", &self.store_encryption_key.is_some())
            .field("store_namespace", &self.store_namespace)
            .field("lease_time", &self.lease_time)
            .finish_non_exhaustive()
    }
}

/// A thread-safe token cache over one [`TokenClient`] and one grant.
///
/// ```no_run
/// use tokenfetch::{TokenClient, TokenManager, TokenRequest};
/// let client = TokenClient::builder("https://auth.example.com/token").client_id("id").client_secret("s").build()?;
/// let manager = TokenManager::new(client, TokenRequest::client_credentials().scope("read"));
/// let header = manager.authorization_header()?; // fetched once, then cached until near expiry
/// // ... the API answered 401:
/// manager.invalidate();
/// # Ok::<(), tokenfetch::Error>(())
/// ```
pub struct TokenManager {
    client: TokenClient,
    request: TokenRequest,
    options: ManagerOptions,
    /// The store's key for this manager's token, when there is a store.
    store_key: Option<String>,
    slots: RwLock<Slots>,
    flight: Mutex<Option<Arc<Flight>>>,
}

#[derive(Default)]
struct Slots {
    current: Option<Arc<Cached>>,
    refresh_token: Option<String>,
    last_error: Option<Error>,
    quiet_until: Option<Instant>,
    /// The manager's own grant is single-use and has been sent (or, with a store, another
    /// process's token was taken, so the grant is someone else's spent one).
    grant_spent: bool,
    /// When `refresh_token` was issued, in epoch ms (fetched here, or the store entry's
    /// write time): a stored refresh token replaces it only when it is at least as new.
    refresh_generation: u64,
    /// The access token `invalidate()` dropped: an entry carrying it is never adopted again.
    invalidated: Option<String>,
}

struct Cached {
    token: TokenResponse,
    refresh_at: Instant,
    expires_at: Instant,
}

/// One fetch in progress; waiters block on `ready` until `outcome` is set.
#[derive(Default)]
struct Flight {
    outcome: Mutex<Option<Result<Arc<Cached>>>>,
    ready: Condvar,
}

enum Role<'a> {
    Fresh(Arc<Cached>),
    Follower(Arc<Flight>),
    Leader(LeaderGuard<'a>),
}

/// Owned by the one caller doing the fetch. If that caller unwinds before publishing a result
/// (a panic in an injected clock or a binding's callback), dropping the guard publishes an
/// error and empties the flight slot, so waiters are released and the next call starts afresh
/// instead of waiting for ever.
struct LeaderGuard<'a> {
    slot: &'a Mutex<Option<Arc<Flight>>>,
    flight: Arc<Flight>,
    published: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Poisoning only says another thread panicked while holding the lock; every critical
    // section here leaves the data consistent, so carry on rather than wedge for ever.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TokenManager {
    /// A manager running `request` (any grant) with the default options.
    pub fn new(client: TokenClient, request: TokenRequest) -> Self {
        Self::build(client, request, ManagerOptions::default())
    }

    /// A manager running the client's default grant (client credentials, or the preset's).
    pub fn for_client(client: TokenClient) -> Self {
        let request = client.default_request();
        Self::new(client, request)
    }

    /// A manager with options; a `config` error when one is out of range
    /// ([`ManagerOptions::validate`]).
    pub fn with_options(client: TokenClient, request: TokenRequest, options: ManagerOptions) -> Result<Self> {
        options.validate()?;
        if options.store_namespace.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(Error::config(
                "store_namespace is empty; name the user the tokens belong to (or leave it unset)",
            ));
        }
        if options.store.is_some() && options.store_namespace.is_none() && acts_for_a_user(&request) {
            // The store key leaves credentials out, so two users' managers would share one
            // entry, and each would be handed the other's token.
            return Err(Error::config(format!(
                "a {} grant acts for one user, and a shared store keys entries by client, grant and \
                 scope only; set store_namespace (storeNamespace in Node and Kotlin) to something \
                 that names the user",
                request.grant_type()
            )));
        }
        Ok(Self::build(client, request, options))
    }

    fn build(client: TokenClient, request: TokenRequest, options: ManagerOptions) -> Self {
        let store_key = options
            .store
            .as_ref()
            .map(|_| entry::store_key(&client, &request, options.store_namespace.as_deref()));
        TokenManager {
            client,
            request,
            options,
            store_key,
            slots: RwLock::new(Slots::default()),
            flight: Mutex::new(None),
        }
    }

    pub fn client(&self) -> &TokenClient {
        &self.client
    }

    /// The options this manager runs with.
    pub fn options(&self) -> &ManagerOptions {
        &self.options
    }

    /// A valid access token.
    pub fn access_token(&self) -> Result<String> {
        self.cached().map(|c| c.token.access_token.clone())
    }

    /// The whole cached token response.
    pub fn token(&self) -> Result<TokenResponse> {
        self.cached().map(|c| c.token.clone())
    }

    /// The `Authorization` header value for a valid token: `"Bearer <token>"`.
    pub fn authorization_header(&self) -> Result<String> {
        self.cached().map(|c| c.token.authorization_header())
    }

    /// The cached token when it needs no fetch (before its refresh point, or while a failed
    /// early refresh is cooling down); `None` otherwise. Never blocks and never fetches, so an
    /// async binding can answer from it on the event loop and go to a worker only when a
    /// fetch is due.
    pub fn fresh_token(&self) -> Option<TokenResponse> {
        self.fresh_token_for().map(|(token, _)| token)
    }

    /// [`Self::fresh_token`], with how much longer it stays fresh. A binding may keep this
    /// pair on its own side of the FFI and answer reads from it until that much time has
    /// passed on its own monotonic clock, so a cached read crosses no boundary. Such a copy
    /// must be dropped when the binding calls [`Self::invalidate`], and is the only state a
    /// binding holds.
    pub fn fresh_token_for(&self) -> Option<(TokenResponse, Duration)> {
        let now = self.options.clock.now();
        let slots = self.read_slots();
        let cached = slots.current.as_ref().filter(|c| now < c.expires_at)?;
        let until = if now < cached.refresh_at {
            cached.refresh_at
        } else {
            // A failed early refresh is cooling down: the token serves until the next try.
            slots.quiet_until.filter(|&q| now < q)?.min(cached.expires_at)
        };
        Some((cached.token.clone(), until.saturating_duration_since(now)))
    }

    /// Drops the cached access token, so the next call fetches a new one. Call it when an
    /// API answers 401. A refresh token, if any, is kept and used for that fetch. With a
    /// store, the dropped token is never taken from it again; the new one replaces it there.
    pub fn invalidate(&self) {
        let mut slots = self.write_slots();
        // With a store, the entry may still hold this token: it must not come back from there.
        // A second call (two 401s at once) must not forget the token the first one dropped.
        if let Some(dropped) = slots.current.take() {
            slots.invalidated = Some(dropped.token.access_token.clone());
        }
        slots.quiet_until = None;
    }

    /// The error of the last failed fetch, until a fetch succeeds. Useful when an early
    /// refresh failed and the cached token was served instead.
    pub fn last_error(&self) -> Option<Error> {
        self.read_slots().last_error.clone()
    }

    fn read_slots(&self) -> std::sync::RwLockReadGuard<'_, Slots> {
        self.slots.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_slots(&self) -> std::sync::RwLockWriteGuard<'_, Slots> {
        self.slots.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn cached(&self) -> Result<Arc<Cached>> {
        let now = self.options.clock.now();
        let (current, quiet_until) = {
            let slots = self.read_slots();
            (slots.current.clone(), slots.quiet_until)
        };
        if let Some(cached) = current.filter(|c| now < c.expires_at) {
            if now < cached.refresh_at || quiet_until.is_some_and(|q| now < q) {
                return Ok(cached);
            }
            // Due for an early refresh: one caller does it, the rest keep the valid token.
            return match self.join_or_lead(now) {
                Role::Fresh(fresh) => Ok(fresh),
                Role::Follower(_) => Ok(cached),
                Role::Leader(guard) => self.lead(guard, now),
            };
        }
        match self.join_or_lead(now) {
            Role::Fresh(fresh) => Ok(fresh),
            Role::Follower(flight) => wait(&flight),
            Role::Leader(guard) => self.lead(guard, now),
        }
    }

    fn join_or_lead(&self, now: Instant) -> Role<'_> {
        let mut flight = lock(&self.flight);
        if let Some(f) = flight.as_ref() {
            return Role::Follower(Arc::clone(f));
        }
        // A leader may have finished between our read and taking this lock.
        if let Some(cached) = self.read_slots().current.clone() {
            if now < cached.refresh_at {
                return Role::Fresh(cached);
            }
        }
        let f = Arc::new(Flight::default());
        *flight = Some(Arc::clone(&f));
        Role::Leader(LeaderGuard {
            slot: &self.flight,
            flight: f,
            published: false,
        })
    }

    fn lead(&self, mut guard: LeaderGuard<'_>, started: Instant) -> Result<Arc<Cached>> {
        let outcome = self.obtain();
        // Fetched here (not adopted from the store): told to `on_token` once published.
        let fetched = match &outcome {
            Ok(obtained) if obtained.remaining.is_none() => Some(obtained.token.clone()),
            _ => None,
        };
        let result = {
            let mut slots = self.write_slots();
            match outcome {
                Ok(obtained) => {
                    let adopted = obtained.remaining.is_some();
                    let cached = Arc::new(match obtained.remaining {
                        None => self.schedule(obtained.token, started),
                        Some(remaining) => self.schedule_for(obtained.token, self.options.clock.now(), remaining),
                    });
                    if let Some(rt) = &cached.token.refresh_token {
                        slots.refresh_token = Some(rt.clone());
                        slots.refresh_generation = obtained.generation;
                    }
                    if adopted && self.request.is_single_use() {
                        // Another process spent the grant; this one must never send it.
                        slots.grant_spent = true;
                    }
                    slots.current = Some(Arc::clone(&cached));
                    slots.last_error = obtained.store_error;
                    slots.quiet_until = None;
                    Ok(cached)
                }
                Err(error) => {
                    let now = self.options.clock.now();
                    slots.last_error = Some(error.clone());
                    match slots.current.clone().filter(|c| now < c.expires_at) {
                        Some(still_valid) => {
                            slots.quiet_until = Some(later(now, self.options.failure_cooldown));
                            Ok(still_valid)
                        }
                        None => Err(error),
                    }
                }
            }
        };
        guard.publish(result.clone());
        // After publishing, so waiting callers are not held up by the callback, and a callback
        // that asks this manager for its token gets it instead of waiting for itself.
        if let Some(token) = fetched {
            self.announce(&token);
        }
        result
    }

    /// Runs the refresh grant when there is a refresh token, else the configured grant (at
    /// most once, when it is single-use).
    fn fetch(&self) -> Result<TokenResponse> {
        let refresh_token = self.read_slots().refresh_token.clone();
        if let Some(rt) = refresh_token {
            match self.client.fetch(&TokenRequest::refresh_token(rt.clone())) {
                Ok(mut token) => {
                    if token.refresh_token.is_none() {
                        token.refresh_token = Some(rt);
                    }
                    return Ok(token);
                }
                Err(e) if e.oauth_code() == Some("invalid_grant") => {
                    let mut slots = self.write_slots();
                    slots.refresh_token = None;
                    if slots.grant_spent {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if self.request.is_single_use() {
            if self.read_slots().grant_spent {
                return Err(Error::config(format!(
                    "this TokenManager's {} grant is single-use and was already sent, and there is no \
                     valid refresh token; authorize again and create a new TokenManager",
                    self.request.grant_type()
                )));
            }
            let (result, reached) = self.client.fetch_tracked(&self.request);
            if reached {
                self.write_slots().grant_spent = true;
            }
            return result;
        }
        self.client.fetch(&self.request)
    }

    fn schedule(&self, token: TokenResponse, sent_at: Instant) -> Cached {
        let lifetime = self.lifetime(&token);
        self.schedule_for(token, sent_at, lifetime)
    }

    /// A token with `remaining` life from `from`, refreshed the skew before its end (the skew
    /// taken from its whole lifetime, so an adopted token refreshes when its fetcher would).
    fn schedule_for(&self, token: TokenResponse, from: Instant, remaining: Duration) -> Cached {
        let skew = self.skew(&token).min(remaining);
        Cached {
            token,
            refresh_at: later(from, remaining - skew),
            expires_at: later(from, remaining),
        }
    }

    fn lifetime(&self, token: &TokenResponse) -> Duration {
        token
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(self.options.default_lifetime)
    }

    fn skew(&self, token: &TokenResponse) -> Duration {
        self.options.refresh_skew.min(self.lifetime(token) / 2)
    }

    /// A token for the leader of this process: fetched, or, with a store, read from it when
    /// another process fetched it first (see [`crate::store`] for the protocol).
    fn obtain(&self) -> Result<Obtained> {
        let (Some(store), Some(key)) = (&self.options.store, &self.store_key) else {
            let token = self.fetch()?;
            return Ok(Obtained::fetched(token, now_epoch_ms(), None));
        };
        let lease_time = self.lease_time();
        // How long to wait for other processes' fetches: twice the lease time, since a lease
        // taken just before we came may belong to a holder that died, and once it expires
        // the next holder needs time for its own fetch (with one lease time, waiters gave up
        // just as it was writing). With a valid token of our own, only until a second before
        // it expires (then it is served meanwhile). Real time, not the manager's clock: a
        // test's manual clock would never end the wait.
        let wait = match self.valid_for() {
            Some(left) => lease_time.min(left.saturating_sub(Duration::from_secs(1))),
            None => lease_time.saturating_mul(2),
        };
        let give_up_at = std::time::Instant::now() + wait;
        let store_error = loop {
            let read = match self.read_store(store.as_ref(), key) {
                Ok(read) => read,
                Err(e) => break e,
            };
            if let Some(adopted) = self.adoptable(&read) {
                return Ok(adopted);
            }
            let lease = match store.try_lease(key, lease_time) {
                Ok(Some(lease)) => lease,
                Ok(None) if std::time::Instant::now() < give_up_at => {
                    std::thread::sleep(STORE_POLL);
                    continue;
                }
                Ok(None) => {
                    break store_failure(&format!(
                        "another process held the lease for {} ms without writing a token",
                        wait.as_millis()
                    ))
                }
                Err(e) => break e,
            };
            // Another process may have written between our read and the lease.
            let read = match self.read_store(store.as_ref(), key) {
                Ok(read) => read,
                Err(e) => break e,
            };
            if let Some(adopted) = self.adoptable(&read) {
                return Ok(adopted);
            }
            if let Some(entry) = &read.entry {
                let mut slots = self.write_slots();
                if entry.token.refresh_token.is_some() && entry.written_at_ms >= slots.refresh_generation {
                    // The newest refresh token is the stored one: ours may have been rotated out.
                    slots.refresh_token = entry.token.refresh_token.clone();
                    slots.refresh_generation = entry.written_at_ms;
                }
                if self.request.is_single_use() {
                    // An entry means some process already spent this grant (the code, or the
                    // refresh token this manager started with): if the stored refresh token
                    // is refused, sending the grant again would be a replay.
                    slots.grant_spent = true;
                }
            }
            let fetched_at = now_epoch_ms();
            let token = self.fetch()?;
            let written = self.write_store(store.as_ref(), key, &read, &token, fetched_at);
            drop(lease);
            let store_error = written.err().or(read.problem);
            return Ok(Obtained::fetched(token, fetched_at, store_error));
        };
        // The store cannot be used. With a valid token of our own, serve it (the caller sees
        // stale-if-error, with the store's error in last_error); without one, fetch alone.
        if self.valid_for().is_some() {
            return Err(store_error);
        }
        let fetched_at = now_epoch_ms();
        let token = self.fetch()?;
        Ok(Obtained::fetched(token, fetched_at, Some(store_error)))
    }

    /// The lease time: the option, else two full fetches (a refresh, then the grant) and 5 s,
    /// at most an hour.
    fn lease_time(&self) -> Duration {
        self.options.lease_time.unwrap_or_else(|| {
            self.client
                .timeout()
                .saturating_mul(2)
                .saturating_add(LEASE_MARGIN)
                .min(Duration::from_millis(options::LEASE_TIME.max))
        })
    }

    /// How much longer this manager's own token stays valid, if it has one.
    fn valid_for(&self) -> Option<Duration> {
        let now = self.options.clock.now();
        let slots = self.read_slots();
        let cached = slots.current.as_ref().filter(|c| now < c.expires_at)?;
        Some(cached.expires_at.saturating_duration_since(now))
    }

    /// What the store holds under `key`, decoded as far as it can be.
    fn read_store(&self, store: &dyn TokenStore, key: &str) -> Result<StoreRead> {
        let Some(raw) = store.get(key)? else {
            return Ok(StoreRead {
                raw: None,
                entry: None,
                replaceable: true,
                problem: None,
            });
        };
        Ok(
            match entry::decode(&raw, key, self.options.store_encryption_key.as_ref()) {
                Ok(decoded) => StoreRead {
                    raw: Some(raw),
                    entry: Some(decoded),
                    replaceable: true,
                    problem: None,
                },
                Err(unreadable) => StoreRead {
                    raw: Some(raw),
                    entry: None,
                    replaceable: unreadable.replaceable,
                    problem: Some(unreadable.error),
                },
            },
        )
    }

    /// The stored token, when it is fresh enough to use and not one `invalidate()` dropped.
    /// Its remaining life is counted in milliseconds and never exceeds its lifetime, so a
    /// wall clock stepped back does not make it look younger than it is.
    fn adoptable(&self, read: &StoreRead) -> Option<Obtained> {
        let entry = read.entry.as_ref()?;
        let invalidated = self.read_slots().invalidated.clone();
        if invalidated.as_deref() == Some(entry.token.access_token.as_str()) {
            return None;
        }
        let remaining =
            Duration::from_millis(entry.expires_at_ms.saturating_sub(now_epoch_ms())).min(self.lifetime(&entry.token));
        (remaining > self.skew(&entry.token)).then(|| Obtained {
            token: entry.token.clone(),
            remaining: Some(remaining),
            generation: entry.written_at_ms,
            store_error: None,
        })
    }

    /// Writes a fetched token over what was read, unless that is another manager's entry
    /// this one cannot judge (sealed with another key, a newer format).
    fn write_store(
        &self,
        store: &dyn TokenStore,
        key: &str,
        read: &StoreRead,
        token: &TokenResponse,
        fetched_at_ms: u64,
    ) -> Result<()> {
        if !read.replaceable {
            return Err(read
                .problem
                .clone()
                .unwrap_or_else(|| store_failure("the stored entry is not this manager's to replace")));
        }
        let lifetime = self.lifetime(token);
        let expires_at_ms = fetched_at_ms.saturating_add(u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX));
        let mut stamped = token.clone();
        stamped.expires_at.get_or_insert(expires_at_ms / 1000);
        let bytes = entry::encode(
            &stamped,
            key,
            self.options.store_encryption_key.as_ref(),
            now_epoch_ms(),
            expires_at_ms,
        )?;
        match store.compare_and_set(key, read.raw.as_deref(), &bytes, entry_ttl(token, lifetime))? {
            true => Ok(()),
            false => Err(store_failure(
                "the entry changed under the lease; this token was not stored",
            )),
        }
    }

    /// Hands a fetched token to `on_token`, outside any lease and after the token is
    /// published: a slow callback holds up neither other processes nor this one's callers.
    fn announce(&self, token: &TokenResponse) {
        if let Some(on_token) = &self.options.on_token {
            // A panicking callback must not take the fetched token down with it.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| on_token(token)));
        }
    }
}

/// A token for [`TokenManager::lead`].
struct Obtained {
    token: TokenResponse,
    /// Its remaining life, when read from the store; `None` when fetched just now.
    remaining: Option<Duration>,
    /// When it was issued, in epoch ms (see `Slots::refresh_generation`).
    generation: u64,
    /// A store failure on the way, kept in `last_error` though the call succeeds.
    store_error: Option<Error>,
}

impl Obtained {
    fn fetched(token: TokenResponse, generation: u64, store_error: Option<Error>) -> Obtained {
        Obtained {
            token,
            remaining: None,
            generation,
            store_error,
        }
    }
}

/// One read of the store.
struct StoreRead {
    /// The bytes, for the compare-and-set.
    raw: Option<Vec<u8>>,
    entry: Option<entry::Decoded>,
    /// Whether a write may replace what is there (always, when nothing is).
    replaceable: bool,
    /// Why the entry could not be read, for `last_error`.
    problem: Option<Error>,
}

fn store_failure(message: &str) -> Error {
    Error::Transport {
        message: format!("token store: {message}"),
        http_meta: None,
    }
}

/// How long a store keeps an entry: the access token's life, or with a refresh token, that
/// token's life (`refresh_expires_in`, as Keycloak sends it) or 30 days. A rotated refresh
/// token must outlive a quiet night: forgotten with its access token, it would leave the
/// next leader only the refresh token it started with, long since rotated out.
fn entry_ttl(token: &TokenResponse, lifetime: Duration) -> Duration {
    const KEEP_REFRESH_TOKEN: Duration = Duration::from_secs(30 * 24 * 3600);
    if token.refresh_token.is_none() {
        return lifetime;
    }
    let refresh_life = token
        .extra
        .get("refresh_expires_in")
        .and_then(serde_json::Value::as_f64)
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .map(|secs| Duration::from_secs_f64(secs.min(crate::parse::MAX_LIFETIME_SECS as f64)));
    refresh_life.unwrap_or(KEEP_REFRESH_TOKEN).max(lifetime)
}

/// Grants whose tokens belong to one user, whose credentials the store key leaves out.
fn acts_for_a_user(request: &TokenRequest) -> bool {
    request.is_single_use()
        || matches!(
            request.grant_type(),
            crate::grant::grant_type::TOKEN_EXCHANGE
                | "urn:ietf:params:oauth:grant-type:jwt-bearer"
                | "urn:ietf:params:oauth:grant-type:saml2-bearer"
        )
}

fn now_epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn wait(flight: &Flight) -> Result<Arc<Cached>> {
    let mut outcome = lock(&flight.outcome);
    loop {
        if let Some(result) = outcome.as_ref() {
            return result.clone();
        }
        outcome = flight.ready.wait(outcome).unwrap_or_else(PoisonError::into_inner);
    }
}

impl LeaderGuard<'_> {
    fn publish(&mut self, result: Result<Arc<Cached>>) {
        {
            let mut slot = lock(self.slot);
            if slot.as_ref().is_some_and(|f| Arc::ptr_eq(f, &self.flight)) {
                *slot = None;
            }
        }
        *lock(&self.flight.outcome) = Some(result);
        self.published = true;
        self.flight.ready.notify_all();
    }
}

impl Drop for LeaderGuard<'_> {
    fn drop(&mut self) {
        if !self.published {
            self.publish(Err(Error::Transport {
                message: "the token fetch was interrupted by a panic; the next call retries".into(),
                http_meta: None,
            }));
        }
    }
}

impl std::fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let slots = self.read_slots();
        f.debug_struct("TokenManager")
            .field("client", &self.client)
            .field("request", &self.request)
            .field("cached", &slots.current.as_ref().map(|c| &c.token))
            .field("has_refresh_token", &slots.refresh_token.is_some())
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manager() -> TokenManager {
        let client = TokenClient::builder("http://127.0.0.1:9/token")
            .client_id("id")
            .client_secret("secret")
            .build()
            .unwrap();
        TokenManager::for_client(client)
    }

    #[test]
    fn a_leader_that_unwinds_releases_its_waiters_and_the_next_call_starts_afresh() {
        let manager = manager();
        let now = manager.options.clock.now();
        let Role::Leader(guard) = manager.join_or_lead(now) else {
            panic!("first caller leads")
        };
        let Role::Follower(flight) = manager.join_or_lead(now) else {
            panic!("second caller follows")
        };
        let waiter = std::thread::spawn(move || wait(&flight).err().map(|e| e.to_string()));

        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
            let _guard = guard;
            panic!("a callback failed");
        }));
        assert!(unwound.is_err());
        let message = waiter.join().unwrap().expect("the waiter gets an error, not a hang");
        assert!(message.contains("panic"), "{message}");
        assert!(
            matches!(manager.join_or_lead(now), Role::Leader(_)),
            "the flight slot was emptied"
        );
    }

    #[test]
    fn skew_is_capped_at_half_the_lifetime() {
        let manager = manager();
        let at = manager.options.clock.now();
        let token = |secs| TokenResponse::from_json(&format!(r#"{{"access_token":"a","expires_in":{secs}}}"#)).unwrap();
        let long = manager.schedule(token(3600), at);
        assert_eq!(long.expires_at - long.refresh_at, Duration::from_secs(60));
        let short = manager.schedule(token(90), at);
        assert_eq!(short.expires_at - short.refresh_at, Duration::from_secs(45));
        let unknown = manager.schedule(TokenResponse::from_json(r#"{"access_token":"a"}"#).unwrap(), at);
        assert_eq!(unknown.expires_at - at, DEFAULT_LIFETIME);
    }
}
