//! `MemoryStore`: the store protocol in one process's memory.
//!
//! A manager without a store already keeps its token in memory; this store is for several
//! managers of one process that should share a token and a single flight (one per tenant
//! router, say), and it runs the same protocol as the file and Redis stores, so tests of the
//! protocol need neither a directory nor a server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{Lease, StoredBytes, TokenStore};
use crate::error::Result;
use crate::secret::Secret;

/// Entries and leases in a map; clones share it.
#[derive(Debug, Clone, Default)]
pub struct MemoryStore {
    shared: Arc<Mutex<Maps>>,
}

#[derive(Default, Debug)]
struct Maps {
    /// Entry bytes (tokens, so `Secret`), when they were written and when they may be
    /// forgotten.
    entries: HashMap<String, (Secret<Vec<u8>>, Instant, Instant)>,
    /// Lease holders (a number per lease) and when each lease expires on its own.
    leases: HashMap<String, (u64, Instant)>,
    next_holder: u64,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn maps(&self) -> MutexGuard<'_, Maps> {
        // The maps stay consistent at every step, so a panic elsewhere leaves them usable.
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl TokenStore for MemoryStore {
    fn get(&self, key: &str) -> Result<Option<StoredBytes>> {
        let mut maps = self.maps();
        match maps.entries.get(key) {
            Some((_, _, until)) if *until <= Instant::now() => {
                maps.entries.remove(key);
                Ok(None)
            }
            found => Ok(found.map(|(bytes, written, _)| StoredBytes {
                bytes: bytes.clone(),
                age: written.elapsed(),
            })),
        }
    }

    fn compare_and_set(&self, key: &str, expected: Option<&[u8]>, value: &[u8], ttl: Duration) -> Result<bool> {
        let now = Instant::now();
        let mut maps = self.maps();
        let current = maps
            .entries
            .get(key)
            .filter(|(_, _, until)| *until > now)
            .map(|(bytes, _, _)| bytes.expose_secret().as_slice());
        if current != expected {
            return Ok(false);
        }
        let until = now.checked_add(ttl).unwrap_or(now + Duration::from_secs(86_400 * 365));
        maps.entries
            .insert(key.to_owned(), (Secret::new(value.to_vec()), now, until));
        Ok(true)
    }

    fn try_lease(&self, key: &str, ttl: Duration) -> Result<Option<Box<dyn Lease>>> {
        let now = Instant::now();
        let mut maps = self.maps();
        if maps.leases.get(key).is_some_and(|(_, until)| *until > now) {
            return Ok(None);
        }
        maps.next_holder += 1;
        let holder = maps.next_holder;
        let until = now.checked_add(ttl).unwrap_or(now + Duration::from_secs(86_400 * 365));
        maps.leases.insert(key.to_owned(), (holder, until));
        Ok(Some(Box::new(MemoryLease {
            store: self.clone(),
            key: key.to_owned(),
            holder,
        })))
    }
}

#[derive(Debug)]
struct MemoryLease {
    store: MemoryStore,
    key: String,
    holder: u64,
}

impl Lease for MemoryLease {}

impl Drop for MemoryLease {
    fn drop(&mut self) {
        let mut maps = self.store.maps();
        // After it expired, the lease may be someone else's: leave theirs alone.
        if maps
            .leases
            .get(&self.key)
            .is_some_and(|(holder, _)| *holder == self.holder)
        {
            maps.leases.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_and_compare_and_set_sees_only_live_ones() {
        let store = MemoryStore::new();
        assert!(store
            .compare_and_set("k", None, b"a", Duration::from_millis(30))
            .unwrap());
        assert!(!store.compare_and_set("k", None, b"b", Duration::from_secs(1)).unwrap());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(store.get("k").unwrap(), None);
        assert!(store.compare_and_set("k", None, b"b", Duration::from_secs(1)).unwrap());
        assert!(store.compare_and_set("k", Some(b"b"), b"c", Duration::MAX).unwrap());
        assert_eq!(store.get("k").unwrap().unwrap().bytes.expose_secret(), b"c");
    }

    #[test]
    fn a_lease_expires_on_its_own_and_an_old_holder_cannot_release_the_next() {
        let store = MemoryStore::new();
        let first = store.try_lease("k", Duration::from_millis(30)).unwrap().unwrap();
        assert!(store.try_lease("k", Duration::from_secs(1)).unwrap().is_none());
        std::thread::sleep(Duration::from_millis(40));
        let second = store.try_lease("k", Duration::from_secs(5)).unwrap().unwrap();
        drop(first);
        assert!(
            store.try_lease("k", Duration::from_secs(1)).unwrap().is_none(),
            "the second lease survived"
        );
        drop(second);
        assert!(store.try_lease("k", Duration::from_secs(1)).unwrap().is_some());
    }
}
