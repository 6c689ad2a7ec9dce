//! Where [`TokenManager`](crate::TokenManager)s keep their token, so that every process of a
//! deployment shares one fetch per token lifetime.
//!
//! - No store (the default): the token lives in the manager, as it always has.
//! - [`MemoryStore`]: a map in this process, for managers of one process that should share
//!   a token (and for tests of the protocol).
//! - [`FileStore`]: a directory on one machine, shared by its processes (gunicorn workers,
//!   Node cluster workers). A file per key, written atomically with mode 0600; an advisory
//!   lock on a lease file gives single flight, and the kernel drops it when its holder dies.
//! - [`RedisStore`]: one Redis for many machines (pods behind a load balancer). `SET NX PX`
//!   leases that expire on their own, compare-and-set by script, entries that expire with
//!   their token, and a short timeout of its own on every command.
//!
//! A store holds bytes; [`entry`] decides what they are (a versioned JSON entry, optionally
//! sealed with AES-256-GCM), so every language writes and reads the same format.
//!
//! # How a manager uses one
//! When its token is due, a manager first reads the store: another process may already have
//! refreshed it. If not, it tries to take the key's lease. The holder reads once more, fetches
//! (with the stored refresh token, so a rotated one is never sent again), writes the entry and
//! lets go. Everyone else polls the store until the new entry appears. A lease expires after
//! the lease time, so a dead holder delays them by at most that; a process waits up to twice
//! it (the dead holder's lease, then the next holder's fetch) before it fetches for itself.
//! A store that fails (unreadable, refused) never fails a call: the manager fetches on its own
//! and keeps the store's error in `last_error`.

use std::fmt;
use std::time::Duration;

use crate::error::Result;
use crate::secret::Secret;

mod choice;
#[doc(hidden)]
pub mod entry;
mod file;
mod memory;
mod redis;

#[doc(hidden)]
pub use choice::StoreChoice;
pub use file::FileStore;
pub use memory::MemoryStore;
pub use redis::{RedisStore, DEFAULT_STORE_TIMEOUT};

/// A shared place for token entries. Implementations must be safe to call from many threads
/// and many processes at once.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The entry under `key` and its age, or `None`.
    fn get(&self, key: &str) -> Result<Option<StoredBytes>>;

    /// Writes `value` under `key` if the entry there is still `expected` (`None`: absent).
    /// Returns false, writing nothing, when another writer changed it first. `ttl` is how long
    /// the entry is worth keeping (the token's remaining life); a store may drop it after.
    fn compare_and_set(&self, key: &str, expected: Option<&[u8]>, value: &[u8], ttl: Duration) -> Result<bool>;

    /// Takes the single-flight lease for `key`, for at most `ttl`, if nobody holds it.
    /// Dropping the returned lease releases it.
    fn try_lease(&self, key: &str, ttl: Duration) -> Result<Option<Box<dyn Lease>>>;
}

/// An entry's bytes, and how long ago they were written, measured by the store itself (Redis's
/// clock, the file's modification time against the same machine's clock): a reader never
/// compares its clock with a writer's.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct StoredBytes {
    /// An entry: bearer tokens in the clear when the store is not sealed, hence a `Secret`.
    pub bytes: Secret<Vec<u8>>,
    pub age: Duration,
}

/// A held lease. Dropping it lets the next process in.
pub trait Lease: Send + fmt::Debug {}
