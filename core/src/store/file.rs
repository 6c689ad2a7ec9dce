//! `FileStore`: a directory shared by the processes of one machine.
//!
//! - `<key>.json` holds the entry, mode 0600, replaced atomically (written to a temporary
//!   file in the same directory, synced, then renamed over it): a reader sees the old entry
//!   or the new one, never half of one.
//! - `<key>.lease` is the single-flight lease: an exclusive advisory lock (`flock` on Unix,
//!   `LockFileEx` on Windows) taken without waiting. The kernel releases it when its holder
//!   exits, killed or not, so a crashed leader delays nobody.
//! - `<key>.write` is locked for the moment of a compare-and-set, so two writers cannot both
//!   see the old entry and both replace it.
//!
//! Entries are bearer tokens (unless sealed with a key), so the store refuses to read an
//! entry that another user owns or that others may read: a file with mode 0644, say, may
//! already have leaked, and one written by someone else may be a planted token.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{ErrorKind as IoErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{Lease, StoredBytes, TokenStore};
use crate::error::{Error, Result};
use crate::secret::Secret;

/// Tokens in files under one directory; see the module documentation.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// A store in `dir`, created (mode 0700) when missing. A `config` error when it cannot be
    /// created, or when it is another user's or others may write to it.
    pub fn new(dir: impl Into<PathBuf>) -> Result<FileStore> {
        let dir = dir.into();
        if fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir() && !m.file_type().is_symlink()) {
            return Err(Error::config(format!(
                "the token store path {} is not a directory",
                dir.display()
            )));
        }
        if let Err(e) = create_private_dir(&dir) {
            return Err(Error::config(format!(
                "the token store directory {} cannot be created: {e}",
                dir.display()
            )));
        }
        // Not followed: a symlink someone else planted (in /tmp, say) could be repointed later.
        let metadata = fs::symlink_metadata(&dir).map_err(|e| {
            Error::config(format!(
                "the token store directory {} cannot be read: {e}",
                dir.display()
            ))
        })?;
        if metadata.file_type().is_symlink() {
            return Err(Error::config(format!(
                "the token store path {} is a symbolic link; name the directory itself",
                dir.display()
            )));
        }
        if !metadata.is_dir() {
            return Err(Error::config(format!(
                "the token store path {} is not a directory",
                dir.display()
            )));
        }
        check_private(&dir, &metadata, true)?;
        remove_abandoned_writes(&dir);
        Ok(FileStore { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str, suffix: &str) -> Result<PathBuf> {
        // Keys come from `store_key` (hex); anything else must not walk out of the directory.
        if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(Error::config(
                "a token store key may hold only letters, digits, - and _",
            ));
        }
        Ok(self.dir.join(format!("{key}.{suffix}")))
    }

    fn read(&self, path: &Path) -> Result<Option<StoredBytes>> {
        let mut file = match no_follow(OpenOptions::new().read(true)).open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == IoErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(store_error(path, "cannot be opened (a symbolic link is refused)", &e)),
        };
        let metadata = file.metadata().map_err(|e| store_error(path, "cannot be read", &e))?;
        if !metadata.is_file() {
            return Err(Error::config(format!("{} is not a regular file", path.display())));
        }
        check_private(path, &metadata, false)?;
        // The writer and the reader share this machine's clock. A modification time in the
        // future means the clock was stepped back since: how old the entry is cannot be told,
        // so it counts as spent (its refresh token and generation still count).
        let age = metadata
            .modified()
            .ok()
            .and_then(|written| written.elapsed().ok())
            .unwrap_or(Duration::MAX);
        let mut bytes = Vec::new();
        // An entry is a token: anything past a megabyte is not one.
        (&mut file)
            .take(1024 * 1024)
            .read_to_end(&mut bytes)
            .map_err(|e| store_error(path, "cannot be read", &e))?;
        Ok(Some(StoredBytes {
            bytes: Secret::new(bytes),
            age,
        }))
    }

    fn replace(&self, path: &Path, value: &[u8]) -> Result<()> {
        let temporary = path.with_extension(format!("tmp.{}.{}", std::process::id(), fastrand::u64(..)));
        let written = (|| {
            // A new file only: never one (or a link) that is already there.
            let mut file = private_file().truncate(false).create_new(true).open(&temporary)?;
            file.write_all(value)?;
            file.sync_all()?;
            fs::rename(&temporary, path)
        })();
        if let Err(e) = written {
            let _ = fs::remove_file(&temporary);
            return Err(store_error(path, "cannot be written", &e));
        }
        // The rename is durable only once the directory is synced: after a power loss the
        // old entry, holding a refresh token since rotated out, must not come back.
        sync_dir(&self.dir).map_err(|e| store_error(path, "cannot be made durable (syncing its directory)", &e))
    }

    fn lock(&self, path: &Path, wait: bool) -> Result<Option<File>> {
        let file = private_file()
            .truncate(false)
            .open(path)
            .map_err(|e| store_error(path, "cannot be opened", &e))?;
        if wait {
            // A holder stopped mid-write (SIGSTOP, a hung NFS server) must not hang us: a
            // write takes milliseconds, so after a few seconds give up and report it.
            let give_up_at = std::time::Instant::now() + WRITE_LOCK_WAIT;
            loop {
                match file.try_lock() {
                    Ok(()) => return Ok(Some(file)),
                    Err(TryLockError::WouldBlock) if std::time::Instant::now() < give_up_at => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(TryLockError::WouldBlock) => {
                        return Err(Error::Transport {
                            message: format!(
                                "token store: {} stayed locked by another writer for {} s",
                                path.display(),
                                WRITE_LOCK_WAIT.as_secs()
                            ),
                            http_meta: None,
                        })
                    }
                    Err(TryLockError::Error(e)) => return Err(store_error(path, "cannot be locked", &e)),
                }
            }
        }
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(store_error(path, "cannot be locked", &e)),
        }
    }
}

impl TokenStore for FileStore {
    fn get(&self, key: &str) -> Result<Option<StoredBytes>> {
        self.read(&self.path(key, "json")?)
    }

    fn compare_and_set(&self, key: &str, expected: Option<&[u8]>, value: &[u8], _ttl: Duration) -> Result<bool> {
        let path = self.path(key, "json")?;
        // Held until the end of this call; the kernel drops it if the process dies here.
        let _write = self.lock(&self.path(key, "write")?, true)?;
        // An entry this store refuses (another user's, others may read it) is left alone.
        let current = self.read(&path)?;
        if current.as_ref().map(|c| c.bytes.expose_secret().as_slice()) != expected {
            return Ok(false);
        }
        self.replace(&path, value)?;
        Ok(true)
    }

    fn try_lease(&self, key: &str, _ttl: Duration) -> Result<Option<Box<dyn Lease>>> {
        // A lock has no expiry: the kernel drops it with its holder. A holder that hangs
        // instead keeps it; the manager waits for it at most the lease time. (Deleting the
        // lease file while it is held, as a /tmp cleaner might, lets a second holder in.)
        Ok(self
            .lock(&self.path(key, "lease")?, false)?
            .map(|file| Box::new(FileLease(file)) as Box<dyn Lease>))
    }
}

/// The longest a compare-and-set waits for another writer's moment of writing.
const WRITE_LOCK_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug)]
struct FileLease(File);

impl Lease for FileLease {}

impl Drop for FileLease {
    fn drop(&mut self) {
        // Unlocked explicitly: a forked child holding a copy of the descriptor would keep a
        // lock that is only closed here until it exited.
        let _ = self.0.unlock();
    }
}

/// How old a temporary file must be before it counts as abandoned: a write takes
/// milliseconds, so one this old belongs to a process killed between writing and renaming.
const ABANDONED_AFTER: Duration = Duration::from_secs(600);

/// Removes the temporary files of writes that never finished, so a store whose processes
/// are killed now and then does not fill up with them. Best effort: whatever cannot be read
/// or removed stays.
fn remove_abandoned_writes(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        // Only this store's own: `<key>.tmp.<pid>.<random>`, in case the directory is shared.
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.split_once(".tmp.").is_some_and(|(key, rest)| {
            !key.is_empty()
                && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && rest.split('.').count() == 2
                && rest
                    .split('.')
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        });
        if !ours {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|written| written.elapsed().is_ok_and(|age| age > ABANDONED_AFTER));
        if old {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn private_file() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    no_follow(&mut options);
    options
}

/// Refuses to open through a symbolic link, and never blocks on a FIFO planted in its place.
fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    options
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(test)]
    tests::SYNCED_DIRS.with(|synced| synced.borrow_mut().push(dir.to_path_buf()));
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows cannot open a directory as a file; NTFS journals the rename itself.
    Ok(())
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Refuses what another user owns, and (for a file) what anyone else may read, or (for the
/// directory) what anyone else may write.
#[cfg(unix)]
fn check_private(path: &Path, metadata: &fs::Metadata, is_dir: bool) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if metadata.uid() != me {
        return Err(Error::config(format!(
            "{} belongs to user id {}, not to this process's ({me}); a token store is used by one user only",
            path.display(),
            metadata.uid()
        )));
    }
    let mode = metadata.mode() & 0o777;
    let (forbidden, rule) = if is_dir {
        (0o022, "others may write to it; chmod go-w it")
    } else {
        (0o077, "others may read it; it must have mode 0600 (chmod 600)")
    };
    if mode & forbidden != 0 {
        return Err(Error::config(format!("{} has mode {mode:04o}: {rule}", path.display())));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _metadata: &fs::Metadata, _is_dir: bool) -> Result<()> {
    // Windows: the directory's ACL, which a user's profile already restricts, governs access.
    Ok(())
}

fn store_error(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::Transport {
        message: format!("token store: {} {what}: {e}", path.display()),
        http_meta: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Directories `sync_dir` synced on this thread, in order.
        pub(super) static SYNCED_DIRS: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    #[cfg(unix)]
    #[test]
    fn every_write_syncs_the_directory_so_a_rename_survives_a_power_loss() {
        let store = FileStore::new(temp_dir("durable")).unwrap();
        SYNCED_DIRS.with(|synced| synced.borrow_mut().clear());
        store
            .compare_and_set("k", None, b"one", Duration::from_secs(1))
            .unwrap();
        store
            .compare_and_set("k", Some(b"one"), b"two", Duration::from_secs(1))
            .unwrap();
        let synced = SYNCED_DIRS.with(|synced| synced.borrow().clone());
        assert_eq!(synced, vec![store.dir().to_path_buf(); 2]);
    }

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "tokenfetch-store-{name}-{}-{}",
            std::process::id(),
            fastrand::u64(..)
        ));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn entries_are_written_0600_and_replaced_whole() {
        let store = FileStore::new(temp_dir("mode")).unwrap();
        assert!(store
            .compare_and_set("k", None, b"one", Duration::from_secs(1))
            .unwrap());
        assert!(!store
            .compare_and_set("k", None, b"two", Duration::from_secs(1))
            .unwrap());
        assert!(store
            .compare_and_set("k", Some(b"one"), b"two", Duration::from_secs(1))
            .unwrap());
        assert_eq!(store.get("k").unwrap().unwrap().bytes.expose_secret(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.dir().join("k.json")).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let leftovers: Vec<_> = fs::read_dir(store.dir())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp."))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_may_read_is_refused_with_what_to_do() {
        use std::os::unix::fs::PermissionsExt;
        let store = FileStore::new(temp_dir("0644")).unwrap();
        store.compare_and_set("k", None, b"x", Duration::from_secs(1)).unwrap();
        let path = store.dir().join("k.json");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let e = store.get("k").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Config);
        assert!(
            e.to_string().contains("0644") && e.to_string().contains("chmod 600"),
            "{e}"
        );
    }

    #[test]
    fn one_lease_at_a_time_and_dropping_it_releases() {
        let store = FileStore::new(temp_dir("lease")).unwrap();
        let lease = store.try_lease("k", Duration::from_secs(5)).unwrap();
        assert!(lease.is_some());
        assert!(store.try_lease("k", Duration::from_secs(5)).unwrap().is_none());
        drop(lease);
        assert!(store.try_lease("k", Duration::from_secs(5)).unwrap().is_some());
    }

    #[test]
    fn abandoned_temporary_files_are_removed_when_a_store_opens() {
        let dir = temp_dir("abandoned");
        FileStore::new(&dir).unwrap();
        let abandoned = dir.join("k.tmp.123.456");
        let recent = dir.join("k.tmp.789.1");
        let someone_elses = dir.join("notes.tmp.backup");
        for path in [&abandoned, &recent, &someone_elses] {
            fs::write(path, b"half").unwrap();
        }
        let long_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        for path in [&abandoned, &someone_elses] {
            File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(long_ago)
                .unwrap();
        }
        FileStore::new(&dir).unwrap();
        assert!(!abandoned.exists(), "an hour-old temporary file is removed");
        assert!(recent.exists(), "a write in progress is left alone");
        assert!(someone_elses.exists(), "a file the store did not write is left alone");
    }

    #[test]
    fn a_regular_file_is_not_a_store_directory() {
        let path = temp_dir("file");
        fs::write(&path, b"x").unwrap();
        let e = FileStore::new(&path).unwrap_err();
        assert!(e.to_string().contains("is not a directory"), "{e}");
    }

    #[test]
    fn keys_cannot_leave_the_directory() {
        let store = FileStore::new(temp_dir("keys")).unwrap();
        assert!(store.get("../etc/passwd").is_err());
        assert!(store.get("").is_err());
    }
}
