//! tinyproxy (Debian's package) on 127.0.0.1 with Basic authentication and its own log,
//! for the proxy tests of the connection layer and the engine. `cargo xtask test`
//! installs it (`apt-get install tinyproxy`); a missing tinyproxy fails the test with that
//! command, in CI and elsewhere alike (a skipped proxy test would pass silently).
//!
//! Owns starting, reading the log of, and stopping tinyproxy. Does not own assertions.

use crate::{free_port, spawn_tied};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Where tinyproxy is: on `PATH`, or where Debian puts it.
pub fn tinyproxy_path() -> Option<PathBuf> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("tinyproxy"))
                .collect()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([
            PathBuf::from("/usr/bin/tinyproxy"),
            PathBuf::from("/usr/sbin/tinyproxy"),
        ])
        .find(|p| p.is_file())
}

/// A running tinyproxy, killed (and its folder removed) on drop.
pub struct Tinyproxy {
    pub port: u16,
    pub user: String,
    pub password: String,
    dir: PathBuf,
    child: Child,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

static STARTED: AtomicU32 = AtomicU32::new(0);

impl Tinyproxy {
    /// Start tinyproxy with Basic authentication `user`/`password`. Panics with the
    /// command that installs it when it is not installed.
    pub fn start(user: &str, password: &str) -> Tinyproxy {
        let binary = tinyproxy_path().unwrap_or_else(|| {
            panic!(
                "tinyproxy is not installed (looked on PATH, /usr/bin, /usr/sbin): run \
                 `cargo xtask test`, which installs it, or `sudo apt-get install -y tinyproxy`"
            )
        });
        // tinyproxy refuses `Port 0`: take a free port, and start again on another when
        // tinyproxy exits without listening (the port was taken meanwhile). Bounded.
        let mut last_log = String::new();
        for _ in 0..5 {
            let port = free_port();
            let n = STARTED.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("inia-tinyproxy-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("a temporary folder for tinyproxy");
            let config = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nMaxClients 50\nAllow 127.0.0.1\n\
                 BasicAuth {user} {password}\nLogLevel Info\nLogFile \"{}\"\n",
                dir.join("tinyproxy.log").display()
            );
            let config_path = dir.join("tinyproxy.conf");
            std::fs::write(&config_path, config).expect("write tinyproxy.conf");
            let mut cmd = Command::new(&binary);
            cmd.arg("-d")
                .arg("-c")
                .arg(&config_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let child = spawn_tied(cmd).expect("tinyproxy is installed but cannot be started");
            let mut proxy = Tinyproxy {
                port,
                user: user.into(),
                password: password.into(),
                dir,
                child,
            };
            if proxy.wait_until_listening(Duration::from_secs(5)) {
                return proxy;
            }
            last_log = proxy.log();
            eprintln!("tinyproxy did not listen on {port}, starting it again; log: {last_log}");
        }
        panic!("tinyproxy could not be started in 5 attempts; its last log:\n{last_log}");
    }

    /// Until tinyproxy accepts connections (true), exits or `limit` passes (false).
    fn wait_until_listening(&mut self, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if TcpStream::connect_timeout(
                &([127, 0, 0, 1], self.port).into(),
                Duration::from_millis(200),
            )
            .is_ok()
            {
                return true;
            }
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// `http://user:password@127.0.0.1:port`
    pub fn url(&self) -> String {
        self.url_with(&self.user, &self.password)
    }

    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@127.0.0.1:{}", self.port)
    }

    pub fn url_without_credentials(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tinyproxy.log")).unwrap_or_default()
    }

    /// The request lines tinyproxy logged (`POST http://127.0.0.1:port/ HTTP/1.1`,
    /// `CONNECT host:port HTTP/1.1`).
    pub fn requests(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains("Request (file descriptor"))
            .filter_map(|l| l.split_once("): ").map(|(_, r)| r.to_string()))
            .collect()
    }

    /// tinyproxy writes its log as it goes: wait (at most 2 s) for a request line
    /// containing `needle`.
    pub fn wait_for_request(&self, needle: &str) -> bool {
        for _ in 0..40 {
            if self.requests().iter().any(|r| r.contains(needle)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// `tinyproxy -v`.
    pub fn version(&self) -> String {
        tinyproxy_path()
            .and_then(|b| Command::new(b).arg("-v").output().ok())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    }
}
