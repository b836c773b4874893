//! s3rver (npm `s3rver`), a second S3 implementation besides moto, on 127.0.0.1 with its
//! data in a temporary folder. Node 17 and later need `NODE_OPTIONS=--openssl-legacy-provider`
//! for it (truncated listings fail with 500 otherwise). It checks the access key id (`S3RVER`)
//! and clock skew but not the SigV4 signature itself. `cargo xtask test` installs it into
//! `.cache/node`; a test that cannot find it fails with the install command.
//!
//! Owns starting, waiting for and stopping s3rver. Does not own assertions or installing it.

use crate::azurite::node_bin;
use crate::start_logged;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};

/// The pinned s3rver release (`xtask/src/services.rs` installs it).
pub const S3RVER_VERSION: &str = "3.7.1";
/// s3rver's fixed access key id.
pub const ACCESS_KEY_ID: &str = "S3RVER";
/// s3rver's fixed secret access key.
pub const SECRET_ACCESS_KEY: &str = "S3RVER";

/// A running s3rver, killed (and its data folder removed) on drop.
pub struct S3rver {
    pub port: u16,
    /// The server's own process id.
    pub pid: u32,
    dir: PathBuf,
    child: Child,
}

static STARTED: AtomicU32 = AtomicU32::new(0);

impl S3rver {
    /// Start s3rver on a port of its choosing (port 0, read back from its `S3rver listening
    /// on 127.0.0.1:PORT` line) with an empty data folder and wait (at most 30 s) until it
    /// listens.
    pub fn start() -> S3rver {
        let exe = node_bin("s3rver");
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("inia-s3rver-{}-{n}", std::process::id()));
        let data = dir.join("data");
        std::fs::create_dir_all(&data).expect("a temporary folder for s3rver");
        let mut cmd = Command::new(&exe);
        cmd.arg("-d")
            .arg(&data)
            .args(["-a", "127.0.0.1", "-p", "0"])
            .env("NODE_OPTIONS", "--openssl-legacy-provider");
        let log = dir.join("s3rver.log");
        let (child, port) = start_logged("s3rver", cmd, &log, "S3rver listening on 127.0.0.1:");
        S3rver {
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

    /// The file in which s3rver keeps the bytes of `bucket`'s object `key` (for keys of
    /// letters, digits, `-`, `_`, `.` and `/`, which it does not encode).
    pub fn object_file(&self, bucket: &str, key: &str) -> PathBuf {
        self.dir
            .join("data")
            .join(bucket)
            .join(format!("{key}._S3rver_object"))
    }

    /// What s3rver logged so far (one line per request).
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.dir.join("s3rver.log")).unwrap_or_default()
    }
}

impl Drop for S3rver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
