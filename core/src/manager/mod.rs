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
use crate::events::{self, names, Level};
use crate::grant::TokenRequest;
use crate::model::{IdTokenClaims, TokenResponse};
use crate::options;
use crate::store::entry::{self, Draft, KeyRing};
use crate::store::TokenStore;
use crate::TokenClient;

mod shared;

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
    /// Seals stored entries with AES-256-GCM (the current key; previous keys only open, for
    /// a rotation). Without keys, the store holds bearer tokens in the clear: anyone who can
    /// read it can use them.
    pub store_keys: Option<KeyRing>,
    /// Keeps this manager's entries apart from those of managers whose requests are otherwise
    /// identical. Never needed for safety: every credential is part of an entry's location
    /// (see [`crate::store::entry`]), so two users' passwords or refresh tokens never share.
    pub store_namespace: Option<String>,
    /// How long one process's fetch may hold the others up: the life of a lease in stores
    /// that expire them (a holder that died delays the rest by at most this), and half of the
    /// longest a process waits for other processes' fetches. At least the client's overall
    /// timeout plus 5 s, so a lease never runs out under a fetch still in flight. `None`:
    /// twice the client's overall timeout plus 5 s, at most an hour.
    pub lease_time: Option<Duration>,
    /// Called with every token this manager fetched (not those it read from the store), to
    /// persist it the caller's own way (authlib's `update_token`).
    pub on_token: Option<OnToken>,
}

/// A callback given every token a manager fetched.
pub type OnToken = Arc<dyn Fn(&TokenResponse) + Send + Sync>;

pub const DEFAULT_REFRESH_SKEW: Duration = options::REFRESH_SKEW.default_duration();
pub const DEFAULT_LIFETIME: Duration = options::DEFAULT_LIFETIME.default_duration();
pub const DEFAULT_FAILURE_COOLDOWN: Duration = options::FAILURE_COOLDOWN.default_duration();

impl Default for ManagerOptions {
    fn default() -> Self {
        ManagerOptions {
            refresh_skew: DEFAULT_REFRESH_SKEW,
            default_lifetime: DEFAULT_LIFETIME,
            failure_cooldown: DEFAULT_FAILURE_COOLDOWN,
            clock: Arc::new(SystemClock),
            store: None,
            store_keys: None,
            store_namespace: None,
            lease_time: None,
            on_token: None,
        }
    }
}

impl ManagerOptions {
    /// Shares the manager's tokens through the store `choice` opened, sealed with its keys
    /// (binding plumbing: a Rust caller sets `store` and `store_keys` directly).
    #[doc(hidden)]
    pub fn use_store(&mut self, choice: crate::store::StoreChoice) {
        let (store, keys) = choice.into_parts();
        self.store = Some(store);
        self.store_keys = keys;
    }

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

/// Not derived only because `on_token` is a closure; the store keys are `Secret`s.
impl std::fmt::Debug for ManagerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagerOptions")
            .field("refresh_skew", &self.refresh_skew)
            .field("default_lifetime", &self.default_lifetime)
            .field("failure_cooldown", &self.failure_cooldown)
            .field("store", &self.store)
            .field("store_keys", &self.store_keys)
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
    /// Where this manager's token lives in the store, with the salt it was computed from.
    location: Mutex<Option<([u8; 32], Arc<str>)>>,
    slots: RwLock<Slots>,
    flight: Mutex<Option<Arc<Flight>>>,
}

#[derive(Default)]
struct Slots {
    current: Option<Arc<Cached>>,
    /// The claims of the last ID token validated here, which every refreshed one must
    /// continue (OIDC Core §12.2). Kept apart from `current`: `invalidate()`, a refresh answer
    /// without an ID token and a token adopted from a store (never validated here) leave it.
    id_token_claims: Option<IdTokenClaims>,
    refresh_token: Option<String>,
    last_error: Option<Error>,
    quiet_until: Option<Instant>,
    /// The manager's own grant is single-use and has been sent (or, with a store, another
    /// process's token was taken, so the grant is someone else's spent one).
    grant_spent: bool,
    /// The store generation `refresh_token` belongs to (0: it never came from, or went to,
    /// the store). A stored refresh token replaces it only when its entry's generation is at
    /// least this; a store that no longer has any entry after this was set has lost track of
    /// which refresh token is newest.
    refresh_generation: u64,
    /// The access token `invalidate()` dropped: an entry carrying it is never adopted again.
    invalidated: Option<String>,
    /// A `spending` marker this manager wrote for a request that never left, with what the
    /// entry should say instead: should the marker have stayed (its restore failed), this
    /// manager alone knows nothing was sent.
    unsent_marker: Option<(Vec<u8>, Draft)>,
}

struct Cached {
    token: TokenResponse,
    refresh_at: Instant,
    expires_at: Instant,
}

/// What a caller is told when an event's handler, on the thread leading this manager's fetch,
/// asks the same manager for a token.
const WAITS_FOR_ITSELF: &str = "a logging handler (or event listener) asked this TokenManager for a token \
    while it was fetching one, on the same thread, which would wait for itself: authenticate the \
    handler with another manager";

/// One fetch in progress; waiters block on `ready` until `outcome` is set.
#[derive(Default)]
struct Flight {
    outcome: Mutex<Option<Result<Arc<Cached>>>>,
    ready: Condvar,
    /// The thread that leads it: a call from that same thread (a logging handler run by an
    /// event of this fetch) would wait for itself.
    leader: Option<std::thread::ThreadId>,
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
        if options.store.is_some() && client.assertion_from_function() {
            // Whose token a function's assertion gets cannot be told from the function: a
            // store keyed without it could hand one workload's token to another.
            return Err(Error::config(
                "a client whose client_assertion comes from a function cannot share a token store: \
                 tokenfetch cannot tell whose assertion the function returns; use client_assertion_file, \
                 or leave the store out",
            ));
        }
        if let (Some(_), Some(lease)) = (&options.store, options.lease_time) {
            // A lease that ran out under a fetch in flight would let a second process send the
            // same single-use grant.
            let floor = client.timeout().saturating_add(LEASE_MARGIN);
            if lease < floor {
                return Err(Error::config(format!(
                    "lease_time (leaseTimeMs in Node, leaseTime in Kotlin) is {} ms, shorter than \
                     the client's timeout plus 5 s ({} ms): a fetch could outlive its lease and let \
                     a second process send the same grant; raise it, or leave it unset",
                    lease.as_millis(),
                    floor.as_millis()
                )));
            }
        }
        Ok(Self::build(client, request, options))
    }

    fn build(client: TokenClient, request: TokenRequest, options: ManagerOptions) -> Self {
        TokenManager {
            client,
            request,
            options,
            location: Mutex::new(None),
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

    /// The validated claims of the last ID token this manager checked, which a refreshed one
    /// must continue (OIDC Core §12.2).
    fn current_id_token_claims(&self) -> Option<IdTokenClaims> {
        self.read_slots().id_token_claims.clone()
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
        let hit = |cached: &Cached| {
            events::emit(Level::Debug, names::CACHE_HIT, || {
                vec![(
                    "remaining_ms",
                    events::millis(cached.expires_at.saturating_duration_since(now)).into(),
                )]
            });
        };
        let had_one = current.is_some();
        if let Some(cached) = current.filter(|c| now < c.expires_at) {
            if now < cached.refresh_at || quiet_until.is_some_and(|q| now < q) {
                hit(&cached);
                return Ok(cached);
            }
            // Due for an early refresh: one caller does it, the rest keep the valid token.
            return match self.join_or_lead(now) {
                Role::Fresh(fresh) => {
                    hit(&fresh);
                    Ok(fresh)
                }
                Role::Follower(_) => {
                    hit(&cached);
                    Ok(cached)
                }
                Role::Leader(guard) => {
                    events::emit(Level::Info, names::CACHE_REFRESH, || vec![("early", true.into())]);
                    self.lead(guard, now)
                }
            };
        }
        events::emit(Level::Debug, names::CACHE_MISS, || {
            vec![("why", if had_one { "expired" } else { "empty" }.into())]
        });
        match self.join_or_lead(now) {
            Role::Fresh(fresh) => {
                hit(&fresh);
                Ok(fresh)
            }
            // The fetch in flight may be the one waiting for this very call.
            Role::Follower(_) if crate::jwt::inside_assertion_source() => Err(crate::jwt::reentered()),
            Role::Follower(flight) if flight.leader == Some(std::thread::current().id()) => {
                Err(Error::config(WAITS_FOR_ITSELF))
            }
            Role::Follower(flight) => {
                let started = events::enabled(Level::Debug).then(std::time::Instant::now);
                let outcome = wait(&flight);
                if let Some(started) = started {
                    events::emit(Level::Debug, names::SINGLE_FLIGHT_WAIT, || {
                        vec![("waited_ms", events::millis(started.elapsed()).into())]
                    });
                }
                outcome
            }
            Role::Leader(guard) => {
                events::emit(Level::Info, names::CACHE_REFRESH, || vec![("early", false.into())]);
                self.lead(guard, now)
            }
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
        let f = Arc::new(Flight {
            leader: Some(std::thread::current().id()),
            ..Flight::default()
        });
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
        let mut stale_served: Option<(&'static str, std::time::Duration)> = None;
        let result = {
            let mut slots = self.write_slots();
            match outcome {
                Ok(obtained) => {
                    let adopted = obtained.remaining.is_some();
                    let cached = Arc::new(match obtained.remaining {
                        None => self.schedule(obtained.token, started),
                        Some(remaining) => self.schedule_for(obtained.token, self.options.clock.now(), remaining),
                    });
                    match (obtained.refresh_token, obtained.generation) {
                        (refresh_token, Some(generation)) if generation >= slots.refresh_generation => {
                            slots.refresh_token = refresh_token;
                            slots.refresh_generation = generation;
                        }
                        // An entry older than the refresh token held here (whose own write
                        // failed): ours is newer.
                        (_, Some(_)) => {}
                        (Some(rt), None) => slots.refresh_token = Some(rt),
                        (None, None) => {}
                    }
                    if adopted && self.request.is_single_use() {
                        // Another process spent the grant; this one must never send it.
                        slots.grant_spent = true;
                    }
                    if let Some(claims) = &cached.token.id_token_claims {
                        slots.id_token_claims = Some(claims.clone());
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
                            stale_served = Some((
                                error.kind().as_str(),
                                still_valid.expires_at.saturating_duration_since(now),
                            ));
                            slots.quiet_until = Some(later(now, self.options.failure_cooldown));
                            Ok(still_valid)
                        }
                        None => Err(error),
                    }
                }
            }
        };
        guard.publish(result.clone());
        // Told after the slots' lock is released and the waiters are let go: a handler may
        // call back into this manager.
        if let Some((reason, remaining)) = stale_served {
            events::emit(Level::Warn, names::CACHE_STALE_SERVED, || {
                vec![
                    ("reason", reason.into()),
                    ("remaining_ms", events::millis(remaining).into()),
                ]
            });
        }
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
        let first_claims = self.current_id_token_claims();
        if let Some(rt) = refresh_token {
            // A refreshed ID token must speak for the same user as the one before it.
            let mut request = TokenRequest::refresh_token(rt.clone());
            if let Some(claims) = &first_claims {
                request = request.after_id_token(claims);
            }
            // A refused ID token must not cost the grant its rotated refresh token (the one
            // sent is spent at the server), but only while there are first claims: they stay
            // in place and every later refresh is checked against them again. Without them
            // nothing would check whose refresh token it is.
            let continued = first_claims.is_some();
            let answer = self.client.fetch_unchecked(&request).and_then(|token| {
                if let (true, Some(rotated)) = (continued, &token.refresh_token) {
                    self.write_slots().refresh_token = Some(rotated.clone());
                }
                self.client.with_id_token_checked(token, &request)
            });
            match answer {
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
            // A refused first ID token takes its refresh token with it: nothing vouches for
            // whose sign-in it continues (an injected code fails its nonce here, and a refresh
            // carries none), so the sign-in has to be done again.
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

    /// Hands a fetched token to `on_token`, outside any lease and after the token is
    /// published: a slow callback holds up neither other processes nor this one's callers.
    fn announce(&self, token: &TokenResponse) {
        if let Some(on_token) = &self.options.on_token {
            // A panicking callback must not take the fetched token down with it.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| on_token(token)));
        }
    }
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
