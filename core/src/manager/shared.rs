//! The cross-process half of a manager: sharing one token through a [`TokenStore`]. The
//! leader of this process (see the single flight in the parent module) calls
//! [`TokenManager::obtain`], which reads the shared entry, adopts another process's token, or
//! takes the lease, fetches and publishes; the rules are at the top of `core/src/store/mod.rs`.

use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::events::{self, names, Level};
use crate::secret::Secret;

impl TokenManager {
    /// A token for the leader of this process: fetched, or, with a store, read from it when
    /// another process fetched it first (see [`crate::store`] for the protocol).
    pub(super) fn obtain(&self) -> Result<Obtained> {
        let Some(store) = &self.options.store else {
            let token = self.fetch()?;
            return Ok(Obtained::fetched(token, None, None));
        };
        let store = store.as_ref();
        let problem = match self.location(store) {
            Ok(location) => match self.through_store(store, &location) {
                Ok(obtained) => return Ok(obtained),
                Err(Failure::Fetch(e)) => return Err(e),
                Err(Failure::Store(problem)) => problem,
            },
            Err(problem) => problem,
        };
        events::emit(Level::Warn, names::STORE_FALLBACK, || {
            vec![("why", problem.to_string().into())]
        });
        self.without_store(problem)
    }

    /// The entry's location. The salt is read at every refresh (one read, next to the
    /// refresh itself): a store that lost it (a Redis restart) gets a new one, and every
    /// process moves to the new location at its next refresh instead of keeping its own.
    fn location(&self, store: &dyn TokenStore) -> Result<Arc<str>> {
        let salt = entry::salt(store, self.options.store_keys.as_ref())?;
        let mut cached = lock(&self.location);
        if let Some((for_salt, location)) = cached.as_ref() {
            if *for_salt == salt {
                return Ok(Arc::clone(location));
            }
        }
        let whose = entry::Whose {
            identity: &self.client.identity(),
            grant_type: self.request.grant_type(),
            params: &self.client.parameters_for(&self.request),
        };
        let location: Arc<str> = entry::location(whose, self.options.store_namespace.as_deref(), &salt).into();
        *cached = Some((salt, Arc::clone(&location)));
        Ok(location)
    }

    /// The store protocol: adopt a fresh entry, else take the lease and fetch, else wait for
    /// the holder's entry.
    fn through_store(&self, store: &dyn TokenStore, location: &str) -> std::result::Result<Obtained, Failure> {
        let lease_time = self.lease_time();
        // How long to wait for other processes' fetches: twice the lease time, since a lease
        // taken just before we came may belong to a holder that died, and once it expires
        // the next holder needs time for its own fetch. With a valid token of our own, only
        // until a second before it expires (then it is served meanwhile). Real time, not the
        // manager's clock: a test's manual clock would never end the wait.
        let wait = match self.valid_for() {
            Some(left) => lease_time.min(left.saturating_sub(Duration::from_secs(1))),
            None => lease_time.saturating_mul(2),
        };
        let give_up_at = std::time::Instant::now() + wait;
        loop {
            let read = self.read_store(store, location).map_err(Failure::Store)?;
            if let Some(adopted) = self.adoptable(&read) {
                return Ok(adopted);
            }
            match store.try_lease(location, lease_time).map_err(Failure::Store)? {
                Some(lease) => {
                    // Another process may have written between our read and the lease.
                    let read = self.read_store(store, location).map_err(Failure::Store)?;
                    if let Some(adopted) = self.adoptable(&read) {
                        return Ok(adopted);
                    }
                    let result = self.fetch_under_lease(store, location, read);
                    drop(lease);
                    return result;
                }
                None if std::time::Instant::now() < give_up_at => std::thread::sleep(STORE_POLL),
                None => {
                    return Err(Failure::Store(store_failure(&format!(
                        "another process held the lease for {} ms without writing a token",
                        wait.as_millis()
                    ))))
                }
            }
        }
    }

    /// The holder's fetch. The newest credential is chosen by generation, never by clock; a
    /// single-use one is announced in the store (`spending`) before it is sent, so if this
    /// process dies or loses the answer, nobody sends it again.
    fn fetch_under_lease(
        &self,
        store: &dyn TokenStore,
        location: &str,
        mut read: StoreRead,
    ) -> std::result::Result<Obtained, Failure> {
        let base_is_single_use = self.request.is_single_use();
        if let Some(problem) = &read.problem {
            // An entry that cannot be opened (sealed with a key this manager lacks, of a newer
            // format, damaged) may hold a newer refresh token than any here, and says nothing
            // of which: a single-use grant waits until it is readable or removed. A repeatable
            // grant replaces it, with its own grant, unless it is another version's.
            if base_is_single_use || !read.replaceable {
                return Err(Failure::Store(problem.clone()));
            }
            self.write_slots().refresh_token = None;
        }
        {
            // Our own marker, for a request that never left and whose restore was not written:
            // the entry is what the restore would have written.
            let mut slots = self.write_slots();
            if let Some((marker, restored)) = slots.unsent_marker.take() {
                if read.raw.as_deref() == Some(marker.as_slice()) {
                    read.entry = Some(entry::Decoded::of(&restored));
                }
            }
        }
        let (refresh_token, mut generation, grant_sent) = {
            let mut slots = self.write_slots();
            match &read.entry {
                Some(entry) if entry.generation >= slots.refresh_generation => {
                    slots.refresh_generation = entry.generation;
                    // A spending entry's refresh token may have been sent by a holder that
                    // never recorded the answer: taken as spent.
                    slots.refresh_token = if entry.spending {
                        None
                    } else {
                        entry.refresh_token.clone().map(Secret::into_exposed)
                    };
                    if base_is_single_use && (entry.grant_sent || entry.spending) {
                        slots.grant_spent = true;
                    }
                }
                // Our refresh token is newer than the entry (our own write of it failed).
                Some(_) => {}
                None if slots.refresh_generation > 0 => {
                    // The entry we last saw is gone (a Redis that lost its data, an expiry):
                    // another process may have rotated past our refresh token.
                    slots.refresh_token = None;
                    if base_is_single_use {
                        slots.grant_spent = true;
                    }
                }
                None => {}
            }
            let seen = read.entry.as_ref().map_or(0, |e| e.generation);
            let grant_sent = read.entry.as_ref().is_some_and(|e| e.grant_sent) || slots.grant_spent;
            (
                slots.refresh_token.clone(),
                seen.max(slots.refresh_generation),
                grant_sent,
            )
        };
        let previous = read.entry.as_ref();
        let mut expected = read.raw.clone();
        // A refreshed ID token must speak for the same user as the one this process holds.
        let first_claims = refresh_token.as_ref().and_then(|_| self.current_id_token_claims());
        let request = match &refresh_token {
            Some(rt) => match &first_claims {
                Some(claims) => TokenRequest::refresh_token(rt.clone()).after_id_token(claims),
                None => TokenRequest::refresh_token(rt.clone()),
            },
            None if base_is_single_use && self.read_slots().grant_spent => {
                return Err(Failure::Fetch(spent_grant(&self.request)));
            }
            None => self.request.clone(),
        };
        // The refresh token this request spends, stored or configured.
        let sent_refresh_token = (request.grant_type() == crate::grant::grant_type::REFRESH_TOKEN)
            .then(|| request.expose_param("refresh_token").map(str::to_owned))
            .flatten();
        let sends_configured_grant = refresh_token.is_none() && base_is_single_use;
        let single_use = request.is_single_use();
        // The entry as it is now, to write back when the request never leaves.
        let unchanged = |generation: u64| Draft {
            generation,
            token: previous.and_then(|e| e.token.clone()),
            life: previous.map_or(Duration::ZERO, |e| e.remaining),
            refresh_token: sent_refresh_token
                .clone()
                .or_else(|| refresh_token.clone())
                .map(Secret::from),
            spending: false,
            grant_sent,
        };
        if single_use {
            generation = generation.saturating_add(1);
            let marker = Draft {
                spending: true,
                grant_sent: grant_sent || sends_configured_grant,
                ..unchanged(generation)
            };
            let bytes = self.seal(&marker, location).map_err(Failure::Store)?;
            // Should the write be applied but its answer lost, this process alone knows the
            // marker was never followed by a request.
            self.write_slots().unsent_marker = Some((bytes.clone(), unchanged(generation.saturating_add(1))));
            self.put(store, location, expected.as_deref(), &bytes, &marker)
                .map_err(Failure::Store)?;
            expected = Some(bytes);
            self.write_slots().refresh_generation = generation;
        }
        // The answer's ID token is checked only once its rotated refresh token is safe: the
        // one sent is spent at the server either way.
        let (result, reached) = if single_use {
            self.client.fetch_tracked_unchecked(&request)
        } else {
            (self.client.fetch_unchecked(&request), true)
        };
        if reached {
            // From here the request may have been processed: the marker stands.
            self.write_slots().unsent_marker = None;
        }
        if sends_configured_grant && reached {
            self.write_slots().grant_spent = true;
        }
        let grant_sent = grant_sent || (sends_configured_grant && reached);
        generation = generation.saturating_add(1);
        // `Refused` is an answer with a token whose ID token failed its checks: the server
        // processed the request, whatever the failure's kind (a JWKS that could not be read
        // included).
        enum Outcome {
            Token(Box<TokenResponse>),
            Refused(Error, Option<String>),
            Failed(Error),
        }
        let outcome = match result {
            Ok(token) => {
                let rotated = token.refresh_token.clone();
                match self.client.with_id_token_checked(token, &request) {
                    Ok(token) => Outcome::Token(Box::new(token)),
                    Err(refused) => Outcome::Refused(refused, rotated),
                }
            }
            Err(e) => Outcome::Failed(e),
        };
        let result = match outcome {
            Outcome::Token(token) => Ok(*token),
            Outcome::Failed(e) => Err(e),
            Outcome::Refused(refused, rotated) => {
                // The token is never handed out. A refresh checked against first claims keeps
                // the refresh token the server rotated to (the one sent is spent), in the entry
                // and here, and later refreshes are checked against the same claims. Anything
                // else (a first sign-in, a refresh with nothing to compare) drops it: nothing
                // vouches for whose grant it continues.
                let kept = match &first_claims {
                    Some(_) => rotated.or_else(|| sent_refresh_token.clone()),
                    None => None,
                };
                if single_use {
                    let draft = Draft {
                        refresh_token: kept.clone().map(Secret::from),
                        grant_sent,
                        ..unchanged(generation)
                    };
                    // Written or not, the marker is behind us: a failed write must not make the
                    // next pass read our own marker as someone else's spending.
                    let _ = self.write(store, location, expected.as_deref(), &draft);
                    let mut slots = self.write_slots();
                    slots.unsent_marker = None;
                    slots.refresh_generation = generation;
                }
                self.write_slots().refresh_token = kept;
                return Err(Failure::Fetch(refused));
            }
        };
        match result {
            Ok(mut token) => {
                if token.refresh_token.is_none() {
                    // RFC 6749 §6: a response without one keeps the one that was sent.
                    token.refresh_token = sent_refresh_token.or_else(|| refresh_token.clone());
                }
                let draft = Draft {
                    generation,
                    life: self.lifetime(&token),
                    refresh_token: token.refresh_token.clone().map(Secret::from),
                    token: Some(token.clone()),
                    spending: false,
                    grant_sent,
                };
                let written = self.write(store, location, expected.as_deref(), &draft);
                Ok(Obtained {
                    refresh_token: token.refresh_token.clone(),
                    token,
                    remaining: None,
                    generation: Some(generation),
                    store_error: written.err().or(read.problem),
                })
            }
            Err(e) => {
                let refused = sent_refresh_token.is_some() && e.oauth_code() == Some("invalid_grant");
                // Only a request that never left, or a refusal the server itself sent (it
                // issues no new token with one), proves nothing was rotated: the entry gets
                // back the refresh token that was sent, or none after `invalid_grant`. Anything
                // else (a reset, a timeout, a 5xx, a 200 that never arrived whole) leaves the
                // entry spending.
                if single_use && (!reached || refused_by_the_server(&e)) {
                    let kept = if refused { None } else { sent_refresh_token.clone() };
                    let restored = Draft {
                        refresh_token: kept.clone().map(Secret::from),
                        grant_sent,
                        ..unchanged(generation)
                    };
                    if self.write(store, location, expected.as_deref(), &restored).is_ok() {
                        let mut slots = self.write_slots();
                        slots.unsent_marker = None;
                        slots.refresh_token = kept;
                        slots.refresh_generation = generation;
                    }
                } else if single_use {
                    self.write_slots().refresh_token = None;
                }
                if refused && refresh_token.is_some() && !base_is_single_use {
                    // The stored refresh token is dead; the configured, repeatable grant can
                    // be sent instead (once: the next pass holds no refresh token).
                    self.write_slots().refresh_token = None;
                    return self.fetch_under_lease_again(store, location);
                }
                Err(Failure::Fetch(e))
            }
        }
    }

    /// After a refused refresh token, the configured repeatable grant, still under the lease.
    fn fetch_under_lease_again(
        &self,
        store: &dyn TokenStore,
        location: &str,
    ) -> std::result::Result<Obtained, Failure> {
        let read = self.read_store(store, location).map_err(Failure::Store)?;
        let mut read = read;
        if let Some(entry) = read.entry.as_mut() {
            // What was just written: no refresh token to try.
            entry.refresh_token = None;
        }
        self.fetch_under_lease(store, location, read)
    }

    /// The store cannot be used (it failed, refused an entry, or its lease ran out). With a
    /// valid token of our own, serve it: the caller sees stale-if-error, with the store's error
    /// in `last_error`. Without one, a repeatable grant is fetched alone; a single-use one is
    /// not sent at all, since only the store knows whether another process rotated it.
    fn without_store(&self, problem: Error) -> Result<Obtained> {
        if self.valid_for().is_some() {
            return Err(problem);
        }
        if self.request.is_single_use() {
            let message = format!(
                "{problem}; this manager's {} grant is single-use, and without the store it cannot \
                 know whether another process already used or rotated it, so nothing was sent \
                 (sending a rotated refresh token makes servers revoke the whole grant). Fix the \
                 store and the next call retries",
                self.request.grant_type()
            );
            return Err(match problem {
                Error::Config { .. } => Error::config(message),
                _ => store_failure_text(message),
            });
        }
        let token = self.client.fetch(&self.request)?;
        Ok(Obtained::fetched(token, None, Some(problem)))
    }

    /// The lease time in force: the option, else two full fetches (a refresh, then the
    /// grant) and 5 s, at most an hour. Used only with a store.
    pub fn lease_time(&self) -> Duration {
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

    /// What the store holds at `location`, decoded as far as it can be.
    fn read_store(&self, store: &dyn TokenStore, location: &str) -> Result<StoreRead> {
        let found = store.get(location)?;
        events::emit(Level::Debug, names::STORE_READ, || {
            vec![("found", found.is_some().into())]
        });
        let Some(found) = found else {
            return Ok(StoreRead {
                raw: None,
                entry: None,
                replaceable: true,
                problem: None,
            });
        };
        Ok(
            match entry::decode(&found, location, self.options.store_keys.as_ref()) {
                // An entry sealed with a previous key is sealed again with the current one at
                // its next write, under the lease: a reader rewriting it could replace a
                // holder's `spending` marker.
                Ok(decoded) => StoreRead {
                    raw: Some(found.bytes.into_exposed()),
                    entry: Some(decoded),
                    replaceable: true,
                    problem: None,
                },
                Err(unreadable) => StoreRead {
                    raw: Some(found.bytes.into_exposed()),
                    entry: None,
                    replaceable: unreadable.replaceable,
                    problem: Some(unreadable.error),
                },
            },
        )
    }

    /// The stored token, when it is fresh enough to use and not one `invalidate()` dropped.
    /// Its remaining life is the store's own measure (life at writing less the entry's age),
    /// never more than its lifetime, so neither this machine's clock nor the writer's matters.
    fn adoptable(&self, read: &StoreRead) -> Option<Obtained> {
        let entry = read.entry.as_ref()?;
        let token = entry.token.as_ref()?;
        let invalidated = self.read_slots().invalidated.clone();
        if invalidated.as_deref() == Some(token.access_token.as_str()) {
            return None;
        }
        let remaining = entry.remaining.min(self.lifetime(token));
        if remaining <= self.skew(token) {
            return None;
        }
        let mut token = token.clone();
        // Informational only: when it expires by this machine's clock.
        let remaining_secs = remaining.as_secs();
        token.expires_at = Some(self.options.clock.epoch_ms() / 1000 + remaining_secs);
        Some(Obtained {
            token,
            remaining: Some(remaining),
            refresh_token: if entry.spending {
                None
            } else {
                entry.refresh_token.clone().map(Secret::into_exposed)
            },
            generation: Some(entry.generation),
            store_error: None,
        })
    }

    /// Writes `draft` over `expected` (compare-and-set) and returns the bytes written.
    fn write(&self, store: &dyn TokenStore, location: &str, expected: Option<&[u8]>, draft: &Draft) -> Result<Vec<u8>> {
        let bytes = self.seal(draft, location)?;
        let written = self.put(store, location, expected, &bytes, draft);
        events::emit(Level::Debug, names::STORE_WRITE, || {
            vec![("ok", written.is_ok().into())]
        });
        written?;
        Ok(bytes)
    }

    /// The bytes of `draft` at `location`, sealed when the store has keys.
    fn seal(&self, draft: &Draft, location: &str) -> Result<Vec<u8>> {
        let mut draft = draft.clone();
        if let Some(token) = draft.token.as_mut() {
            let left = draft.life.as_secs();
            token
                .expires_at
                .get_or_insert(self.options.clock.epoch_ms() / 1000 + left);
        }
        entry::encode(&draft, location, self.options.store_keys.as_ref())
    }

    /// Compare-and-set of `bytes` (the sealed `draft`) over `expected`.
    fn put(
        &self,
        store: &dyn TokenStore,
        location: &str,
        expected: Option<&[u8]>,
        bytes: &[u8],
        draft: &Draft,
    ) -> Result<()> {
        let ttl = entry_ttl(draft, self.request.is_single_use());
        match store.compare_and_set(location, expected, bytes, ttl) {
            Ok(true) => Ok(()),
            Ok(false) => Err(store_failure(
                "the entry changed under the lease (a lease that expired?); this token was not stored",
            )),
            // A write whose answer was lost (a Redis timeout) may have been applied: what the
            // store holds now says which.
            Err(e) => match store.get(location) {
                Ok(Some(found)) if *found.bytes.expose_secret() == bytes => Ok(()),
                _ => Err(e),
            },
        }
    }
}

/// A token for [`TokenManager::lead`].
pub(super) struct Obtained {
    pub(super) token: TokenResponse,
    /// Its remaining life, when read from the store; `None` when fetched just now.
    pub(super) remaining: Option<Duration>,
    /// The refresh token to keep from here on.
    pub(super) refresh_token: Option<String>,
    /// The store generation it belongs to; `None` when fetched without the store.
    pub(super) generation: Option<u64>,
    /// A store failure on the way, kept in `last_error` though the call succeeds.
    pub(super) store_error: Option<Error>,
}

impl Obtained {
    fn fetched(token: TokenResponse, generation: Option<u64>, store_error: Option<Error>) -> Obtained {
        Obtained {
            refresh_token: token.refresh_token.clone(),
            token,
            remaining: None,
            generation,
            store_error,
        }
    }
}

/// The server itself refused, so it issued (and rotated) nothing: an OAuth error with a 4xx
/// status, or one of RFC 6749's own codes with a 200. A 5xx with an error body may come from
/// a gateway after the server committed a rotation, so it proves nothing.
fn refused_by_the_server(error: &Error) -> bool {
    const RFC_6749_CODES: [&str; 6] = [
        "invalid_request",
        "invalid_client",
        "invalid_grant",
        "unauthorized_client",
        "unsupported_grant_type",
        "invalid_scope",
    ];
    match (error.oauth_code(), error.status()) {
        (Some(_), Some(400..=499)) => true,
        (Some(code), Some(200)) => RFC_6749_CODES.contains(&code),
        _ => false,
    }
}

/// Why the store protocol ended without a token.
enum Failure {
    /// The store failed; what happens next depends on whether the grant is repeatable.
    Store(Error),
    /// The token endpoint refused, under the lease: the caller's error.
    Fetch(Error),
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
    store_failure_text(format!("token store: {message}"))
}

fn store_failure_text(message: String) -> Error {
    Error::Transport {
        message,
        http_meta: None,
    }
}

/// The error for a single-use grant that some process has already sent.
fn spent_grant(request: &TokenRequest) -> Error {
    Error::config(format!(
        "this TokenManager's {} grant is single-use and was already sent (by this process or, \
         through the shared store, another), and there is no usable refresh token; authorize \
         again and create a new TokenManager",
        request.grant_type()
    ))
}

/// How long a store keeps an entry refresh tokens are not in: the access token's life.
/// With a refresh token (or a single-use grant being spent), that token's life: the server's
/// `refresh_expires_in` (Keycloak sends it) when longer than the access token's, else
/// [`KEEP_REFRESH_TOKEN`]. A rotated refresh token must outlive a quiet night: forgotten with
/// its access token, it would leave the next leader nothing to refresh with.
fn entry_ttl(draft: &Draft, single_use_grant: bool) -> Duration {
    let access_life = draft.life;
    // An entry of a single-use grant records whether it was sent, which must be remembered as
    // long as that grant could be replayed: never shorter than a refresh token's keep.
    if draft.token.is_some() && draft.refresh_token.is_none() && !draft.spending && !single_use_grant {
        return access_life.max(Duration::from_secs(1));
    }
    let refresh_life = draft
        .token
        .as_ref()
        .and_then(|t| t.refresh_expires_in)
        // Keycloak's 0 is "no expiry" (offline tokens).
        .filter(|&secs| secs > 0)
        .map(|secs| Duration::from_secs(secs.min(crate::parse::MAX_LIFETIME_SECS)));
    refresh_life.unwrap_or(KEEP_REFRESH_TOKEN).max(access_life)
}

/// How long an entry with a refresh token is kept when the server says nothing of that
/// token's life: 30 days.
pub const KEEP_REFRESH_TOKEN: Duration = Duration::from_secs(30 * 24 * 3600);
