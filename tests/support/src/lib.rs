//! Real servers for end-to-end tests, started on 127.0.0.1 with their own PID and stopped
//! when dropped: moto (here), tinyproxy (`tinyproxy`) and a fault-injecting proxy (`fault_proxy`). Installation is the test command's job (`cargo xtask test` installs the
//! pinned moto into `.cache/moto-venv`); a test that cannot find a server fails with the
//! command that installs it, rather than passing silently.
//!
//! Owns starting, waiting for and stopping servers. Does not own any assertion.

mod awscli;
pub mod azurite;
mod fault_proxy;
pub mod s3rver;
mod tinyproxy;

pub use awscli::{aws_cli, AWSCLI_VERSION};
pub use fault_proxy::{Fault, FaultProxy};
pub use tinyproxy::{tinyproxy_path, Tinyproxy};

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The pinned moto release.
pub const MOTO_VERSION: &str = "5.2.5";

/// `<workspace>/.cache`.
pub fn cache_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache")
}

/// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// The sockets this process holds open (entries of `/proc/self/fd` that are sockets;
/// 0 where there is no `/proc`), for tests and benchmarks that bound them.
pub fn open_sockets() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read_link(e.path())
                        .is_ok_and(|l| l.to_string_lossy().starts_with("socket:"))
                })
                .count()
        })
        .unwrap_or(0)
}

/// Wait until `127.0.0.1:port` accepts connections, at most `limit`.
pub fn wait_for_port(port: u16, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200))
            .is_ok()
        {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// A running moto server.
pub struct Moto {
    child: Child,
    pub port: u16,
}

impl Moto {
    /// The moto_server executable installed by `cargo xtask test`.
    pub fn executable() -> PathBuf {
        cache_dir().join("moto-venv/bin/moto_server")
    }

    /// Start moto on a free port with the given extra environment (e.g.
    /// `INITIAL_NO_AUTH_ACTION_COUNT`). Panics with the install command when moto is absent
    /// or does not come up within 30 s.
    pub fn start(env: &[(&str, &str)]) -> Moto {
        let exe = Moto::executable();
        assert!(
            exe.is_file(),
            "moto is not installed at {}: run `cargo xtask test` (or `python3 -m venv .cache/moto-venv && \
             .cache/moto-venv/bin/pip install 'moto[server]=={MOTO_VERSION}'`)",
            exe.display()
        );
        let port = free_port();
        let mut cmd = Command::new(&exe);
        cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let moto = Moto { child, port };
        assert!(
            wait_for_port(port, Duration::from_secs(30)),
            "moto did not listen on 127.0.0.1:{port} within 30 s"
        );
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `POST /moto-api/reset`: forget all state.
    pub fn reset(&self) {
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = s.write_all(b"POST /moto-api/reset HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let mut buf = Vec::new();
            let _ = s.read_to_end(&mut buf);
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
