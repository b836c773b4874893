//! Azurite (Microsoft's Azure Storage emulator, npm `azurite`), Blob service only, on
//! 127.0.0.1 with in-memory storage: the real server the Azure SharedKey signer and the
//! Azure Blob model are checked against. `cargo xtask test` installs it into
//! `.cache/node`; a test that cannot find it fails with the install command.
//!
//! Owns starting, waiting for and stopping Azurite, and the published development
//! account's name and key. Does not own assertions or installing it (xtask).

use crate::s3rver::S3RVER_VERSION;
use crate::{cache_dir, start_logged};
use std::path::PathBuf;
use std::process::{Child, Command};
use std::sync::atomic::{AtomicU32, Ordering};

/// The pinned Azurite release (`xtask/src/services.rs` installs it): the newest whose
/// `engines` accepts Node.js 18 and 20 (3.36.0 asks for Node >= 21, 3.37.0 for >= 22).
pub const AZURITE_VERSION: &str = "3.35.0";

/// The storage account every Azurite serves: Microsoft's published development account.
pub const ACCOUNT: &str = "devstoreaccount1";

/// The development account's key, as Microsoft publishes it for the storage emulators.
pub const ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// The API version the tests send as `x-ms-version`.
pub const API_VERSION: &str = "2021-08-06";

/// An executable in `.cache/node/node_modules/.bin` (Azurite's and s3rver's launchers).
/// Panics with the install command when it is absent.
pub fn node_bin(name: &str) -> PathBuf {
    let exe = cache_dir().join("node/node_modules/.bin").join(name);
    assert!(
        exe.is_file(),
        "{name} is not installed at {}: run `cargo xtask test` (or `npm install --no-audit \
         --no-fund --prefix .cache/node azurite@{AZURITE_VERSION} s3rver@{S3RVER_VERSION}`)",
        exe.display()
    );
    exe
}

/// A running Azurite Blob service, killed (and its folder removed) on drop.
pub struct Azurite {
    pub port: u16,
    /// The server's own process id.
    pub pid: u32,
    dir: PathBuf,
    child: Child,
}

static STARTED: AtomicU32 = AtomicU32::new(0);

impl Azurite {
    /// Start the Blob service on a port of its choosing and wait (at most 30 s) until it listens.
    pub fn start() -> Azurite {
        Azurite::start_with(false)
    }

    /// As [`Azurite::start`]; with `debug`, Azurite writes its debug log (including the
    /// string to sign it computed for each request) to [`Azurite::debug_log`].
    ///
    /// Azurite binds port 0 and prints the port it got; that line is read back.
    pub fn start_with(debug: bool) -> Azurite {
        let exe = node_bin("azurite-blob");
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("inia-azurite-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder for Azurite");
        let mut cmd = Command::new(&exe);
        cmd.args(["--blobHost", "127.0.0.1", "--blobPort", "0"])
            .args([
                "--inMemoryPersistence",
                "--loose",
                "--skipApiVersionCheck",
                "--disableTelemetry",
            ]);
        if debug {
            cmd.arg("--debug").arg(dir.join("debug.log"));
        }
        let log = dir.join("azurite.log");
        let (child, port) = start_logged("Azurite", cmd, &log, "listens on http://127.0.0.1:");
        Azurite {
            port,
            pid: child.id(),
            dir,
            child,
        }
    }

    /// `http://127.0.0.1:PORT/devstoreaccount1`: the account's blob endpoint (Azurite puts
    /// the account in the path).
    pub fn blob_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/{ACCOUNT}", self.port)
    }

    /// What Azurite printed so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(self.dir.join("azurite.log")).unwrap_or_default()
    }

    /// The debug log of a server started with `start_with(true)` (empty otherwise).
    pub fn debug_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("debug.log")).unwrap_or_default()
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
