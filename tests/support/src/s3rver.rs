//! s3rver (npm `s3rver`), a second S3 implementation besides moto, on 127.0.0.1 with its
//! data in a temporary folder. Node 17 and later need `NODE_OPTIONS=--openssl-legacy-provider`
//! for it (truncated listings fail with 500 otherwise). It checks the access key id (`S3RVER`)
//! and clock skew but not the SigV4 signature itself. `cargo xtask test` installs it into
//! `.cache/node`; a test that cannot find it fails with the install command.
//!
//! Owns starting, waiting for and stopping s3rver. Does not own assertions or installing it.

use crate::azurite::node_bin;
use crate::{spawn_tied, wait_for_port, wait_for_reported_port};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

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
        let out = std::fs::File::create(dir.join("s3rver.log")).expect("s3rver's log file");
        let err = out.try_clone().expect("s3rver's log file");
        let mut cmd = Command::new(&exe);
        cmd.arg("-d")
            .arg(&data)
            .args(["-a", "127.0.0.1", "-p", "0"])
            .env("NODE_OPTIONS", "--openssl-legacy-provider")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let child =
            spawn_tied(cmd).unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let mut server = S3rver {
            port: 0,
            pid: child.id(),
            dir,
            child,
        };
        let log = server.dir.join("s3rver.log");
        let reported = wait_for_reported_port(
            &mut server.child,
            "S3rver listening on 127.0.0.1:",
            Duration::from_secs(30),
            || std::fs::read_to_string(&log).unwrap_or_default(),
        );
        let Some(port) = reported else {
            let status = server.child.try_wait().ok().flatten();
            panic!(
                "s3rver did not report a port within 30 s (exit status: {status:?}); its output:\n{}",
                server.output()
            );
        };
        server.port = port;
        assert!(
            wait_for_port(port, Duration::from_secs(10)),
            "s3rver reported port {port} but does not accept connections: {}",
            server.output()
        );
        server
    }

    /// `http://127.0.0.1:PORT` (path-style addressing).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
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
