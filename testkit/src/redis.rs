//! A real `redis-server` on a loopback port, for the Redis store's tests.
//!
//! The binary is `$TOKENFETCH_REDIS_SERVER` when set, else the Debian package `make redis`
//! unpacks into target/tools/redis, else `redis-server` on the PATH. It runs without persistence, in the
//! foreground, as this process's child; [`RedisServer::stop`] and dropping it kill it by PID.

use std::io;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    /// One connection for every `INFO` reading: a new one per reading would add the
    /// commands a client sends on connecting (`CLIENT SETINFO`) to the count.
    stats: std::sync::Mutex<Option<redis::Connection>>,
    /// Where a persistent server keeps its append-only file, so a restart keeps its data.
    data_dir: Option<std::path::PathBuf>,
    /// `requirepass`, when the server asks for one.
    password: Option<String>,
}

impl RedisServer {
    /// Starts a server on a free loopback port and waits until it answers `PING`.
    pub fn start() -> io::Result<RedisServer> {
        // The OS picks a free port; the race until redis-server binds it is harmless in tests.
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut server = RedisServer {
            child: None,
            port,
            stats: std::sync::Mutex::new(None),
            data_dir: None,
            password: None,
        };
        server.restart()?;
        Ok(server)
    }

    /// [`RedisServer::start`], persisting every write (`appendfsync always`) to a directory of
    /// its own, as a production token store should: [`RedisServer::restart`] then keeps the
    /// data, even after the process was killed.
    pub fn start_persistent() -> io::Result<RedisServer> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let data_dir = std::env::temp_dir().join(format!("tokenfetch-redis-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&data_dir)?;
        let mut server = RedisServer {
            child: None,
            port,
            stats: std::sync::Mutex::new(None),
            data_dir: Some(data_dir),
            password: None,
        };
        server.restart()?;
        Ok(server)
    }

    /// [`RedisServer::start`], asking clients for `password` (`requirepass`), so tests reach
    /// AUTH. [`RedisServer::url`] leaves the password out; the server's own helpers send it.
    pub fn start_with_password(password: &str) -> io::Result<RedisServer> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut server = RedisServer {
            child: None,
            port,
            stats: std::sync::Mutex::new(None),
            data_dir: None,
            password: Some(password.to_owned()),
        };
        server.restart()?;
        Ok(server)
    }

    /// The binary the tests run: `$TOKENFETCH_REDIS_SERVER`, else the one `make redis`
    /// unpacks into the workspace, else `redis-server` on the PATH.
    pub fn binary() -> String {
        if let Ok(binary) = std::env::var("TOKENFETCH_REDIS_SERVER") {
            return binary;
        }
        let unpacked = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools/redis/redis-server");
        if unpacked.exists() {
            return unpacked.to_string_lossy().into_owned();
        }
        "redis-server".into()
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (SIGKILL, as a crash would) and waits for it.
    pub fn stop(&mut self) {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner()) = None;
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port: empty, or for a persistent server, with
    /// every write it had acknowledged.
    pub fn restart(&mut self) -> io::Result<()> {
        self.stop();
        let persistence: Vec<String> = match &self.data_dir {
            Some(dir) => vec![
                "--dir".into(),
                dir.to_string_lossy().into_owned(),
                "--appendonly".into(),
                "yes".into(),
                "--appendfsync".into(),
                "always".into(),
                "--save".into(),
                String::new(),
            ],
            None => vec!["--save".into(), String::new(), "--appendonly".into(), "no".into()],
        };
        let auth: Vec<String> = match &self.password {
            Some(password) => vec!["--requirepass".into(), password.clone()],
            None => Vec::new(),
        };
        let child = Command::new(Self::binary())
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(&persistence)
            .args(&auth)
            .args(["--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot run {} ({e}); `make test` installs it, or set TOKENFETCH_REDIS_SERVER",
                        Self::binary()
                    ),
                )
            })?;
        self.child = Some(child);
        let began = Instant::now();
        loop {
            // A server that exited (its port taken, say) must not be mistaken for another
            // one answering on that port.
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                self.child = None;
                return Err(io::Error::other(format!("redis-server exited at start-up ({status})")));
            }
            if self.ping() {
                return Ok(());
            }
            if began.elapsed() > Duration::from_secs(10) {
                self.stop();
                return Err(io::Error::other("redis-server did not answer PING within 10 s"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        let url = match &self.password {
            Some(password) => {
                let encoded: String = password
                    .bytes()
                    .map(|b| match b {
                        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
                        other => format!("%{other:02X}"),
                    })
                    .collect();
                format!("redis://:{encoded}@127.0.0.1:{}", self.port)
            }
            None => self.url(),
        };
        redis::Client::open(url)?.get_connection_with_timeout(Duration::from_secs(2))
    }

    fn ping(&self) -> bool {
        self.connection()
            .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
            .is_ok()
    }

    /// How many commands the server has run since it started (`INFO stats`), `INFO` calls
    /// included.
    pub fn commands_processed(&self) -> u64 {
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        if stats.is_none() {
            *stats = Some(self.connection().expect("redis-server is running"));
        }
        let connection = stats.as_mut().expect("just opened");
        let info: String = redis::cmd("INFO").arg("stats").query(connection).expect("INFO stats");
        info.lines()
            .find_map(|l| l.strip_prefix("total_commands_processed:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("INFO stats has total_commands_processed")
    }

    /// The keys the server holds, sorted.
    pub fn keys(&self) -> Vec<String> {
        let mut connection = self.connection().expect("redis-server is running");
        let mut keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut connection).expect("KEYS");
        keys.sort();
        keys
    }

    /// The raw value of `key`, if any.
    pub fn get(&self, key: &str) -> Option<Vec<u8>> {
        let mut connection = self.connection().expect("redis-server is running");
        redis::cmd("GET").arg(key).query(&mut connection).expect("GET")
    }

    /// Sets `key` to `value` (no TTL), as a hostile or broken writer would.
    pub fn set(&self, key: &str, value: &[u8]) {
        let mut connection = self.connection().expect("redis-server is running");
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(value)
            .query(&mut connection)
            .expect("SET");
    }

    /// Stops the server for `pause` (SIGSTOP, then SIGCONT), as a stalled host or a long GC
    /// would: connections stay open and nothing answers. Unix only.
    #[cfg(unix)]
    pub fn pause(&self, pause: Duration) {
        if let Some(child) = &self.child {
            let pid = child.id().to_string();
            let _ = Command::new("kill").args(["-STOP", &pid]).status();
            std::thread::sleep(pause);
            let _ = Command::new("kill").args(["-CONT", &pid]).status();
        }
    }

    /// Deletes every key whose name matches the glob `pattern`; returns how many.
    pub fn delete_matching(&self, pattern: &str) -> usize {
        let mut connection = self.connection().expect("redis-server is running");
        let keys: Vec<String> = redis::cmd("KEYS").arg(pattern).query(&mut connection).expect("KEYS");
        for key in &keys {
            let _: i64 = redis::cmd("DEL").arg(key).query(&mut connection).expect("DEL");
        }
        keys.len()
    }

    /// Removes every key.
    pub fn flush(&self) {
        let mut connection = self.connection().expect("redis-server is running");
        let _: () = redis::cmd("FLUSHALL").query(&mut connection).expect("FLUSHALL");
    }

    /// The remaining TTL of `key` in milliseconds (-1: none, -2: no key).
    pub fn pttl(&self, key: &str) -> i64 {
        let mut connection = self.connection().expect("redis-server is running");
        redis::cmd("PTTL").arg(key).query(&mut connection).expect("PTTL")
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
        if let Some(dir) = &self.data_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
